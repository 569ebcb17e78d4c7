#!/bin/bash
# t2000-statsd: hopwatchd end to end over UDP and a Unix datagram socket.
# The strict receiver t/tools/dsd-recv listens on loopback, hopwatchd runs
# the deterministic testprobe (it sends no packets) with a temporary
# config, and what arrived is checked: every line valid, the names, types
# and tags of every target, service checks, events, self-telemetry, the
# prefix, echo (-e), packing into datagrams, the DD_* environment, an
# agent that is down and comes up, and sanitised tags.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/statsd.sh"
require_cmd ss awk timeout

# ---------------------------------------------------------------- UDP, every tag
PORT=$(free_udp_port) || skip_all "no free UDP port"
cat >"$TRASH/main.conf" <<EOF
interval = 1;
timeout = 0.5;
hostname = "web-1";
tags = [ "env:test", "bare" ];
statsd = { url = "udp://127.0.0.1:$PORT"; telemetry_interval = "1s"; };
probes = (
	{
		name = "tp";
		plugin = "testprobe";
		tags = [ "inst:a" ];
		label = "lab1";
		check = "warning";
		event = true;
		targets = (
			"127.0.0.1",
			"127.0.0.2:8080",
			("127.0.0.3", 81),
			{ host = "::1"; port = 82; tags = [ "own:x", "solo" ]; }
		);
	},
	{
		name = "grp";
		plugin = "testprobe";
		targets = { east = [ "127.0.1.1" ]; west = [ "127.0.1.2:99" ]; };
	},
	{
		name = "san";
		plugin = "testprobe";
		label = "a|b,c#d";
		targets = [ "127.0.2.1" ];
	}
);
EOF
# every target has finished round 2 and telemetry came twice
main_done() {
	for h in 127.0.0.1 127.0.0.2 127.0.0.3 ::1 127.0.1.1 127.0.1.2 127.0.2.1; do
		has_tags "$TRASH/r1.out" "hopwatch.test.index:" "target:$h" round:2 || return 1
	done
	test "$(grep -c '^hopwatch\.statsd\.packets_sent:' "$TRASH/r1.out")" -ge 2
}
test_expect_success 'UDP: receiver and daemon (-e) run, every target reaches round 2' '
	recv r1 -u "127.0.0.1:$PORT" &&
	daemon d1 main.conf -e &&
	wait_for 20 main_done &&
	alive d1 &&
	stop d1 &&
	grep -F "testprobe stopping" d1.stderr &&
	wait_for 5 all_arrived r1 d1 &&
	recv_ok r1
'
test_expect_success 'UDP: every line parsed by the strict receiver' '
	test -s r1.out &&
	! grep -q INVALID r1.out &&
	test "$(cat r1.rc)" = 0
'
test_expect_success 'metrics: names, types and the exact tag set of each target' '
	has_tags r1.out "hopwatch.test.rtt:0.5:1.5:2.5|d|" -x probe:tp inst:a env:test bare \
		target:127.0.0.1 label:lab1 round:1 &&
	has_tags r1.out "hopwatch.test.index:0|g|" -x probe:tp inst:a env:test bare \
		target:127.0.0.1 label:lab1 round:1 &&
	has_tags r1.out "hopwatch.test.rtt:0.5:1.5:2.5|d|" -x probe:tp inst:a env:test bare \
		target:127.0.0.2 port:8080 label:lab1 round:1 &&
	has_tags r1.out "hopwatch.test.index:1|g|" -x probe:tp inst:a env:test bare \
		target:127.0.0.2 port:8080 label:lab1 round:1 &&
	has_tags r1.out "hopwatch.test.index:2|g|" -x probe:tp inst:a env:test bare \
		target:127.0.0.3 port:81 label:lab1 round:1 &&
	has_tags r1.out "hopwatch.test.index:3|g|" -x probe:tp inst:a env:test bare \
		target:::1 port:82 own:x solo label:lab1 round:1 &&
	has_tags r1.out "hopwatch.test.rtt:0.5:1.5:2.5|d|" -x probe:tp inst:a env:test bare \
		target:::1 port:82 own:x solo label:lab1 round:2
'
test_expect_success 'metrics: group tags, and no port: tag without a port' '
	has_tags r1.out "hopwatch.test.index:0|g|" -x probe:grp env:test bare \
		target:127.0.1.1 group:east label:none round:1 &&
	has_tags r1.out "hopwatch.test.index:1|g|" -x probe:grp env:test bare \
		target:127.0.1.2 port:99 group:west label:none round:1 &&
	! grep -E "target:127\.0\.0\.1(,.*)?,port:|port:[^,|]*,(.*,)?target:127\.0\.0\.1(,|$)" r1.out
'
test_expect_success 'metrics: every line of a round of a target carries the same tags' '
	for m in "hopwatch.test.rtt:" "hopwatch.test.index:" "_sc|hopwatch.test.can_reach|1|" "_e{"; do
		has_tags r1.out "$m" -x probe:tp inst:a env:test bare \
			target:127.0.0.2 port:8080 label:lab1 round:2 ||
		{ echo "missing for $m"; exit 1; }
	done
'
test_expect_success 'service checks: status, timestamp, hostname, tags, escaped message last' '
	grep -E "^_sc\|hopwatch\.test\.can_reach\|1\|d:[0-9]{10}\|h:web-1\|#[^|]*\|m:test message\\\\nwith m\\\\:colon" r1.out &&
	test "$(grep -c "^_sc|hopwatch.test.can_reach|1|" r1.out)" -ge 8 &&
	! grep -E "^_sc\|hopwatch\.test\.can_reach\|[023]\|.*[#,]probe:tp[,|]" r1.out &&
	has_tags r1.out "_sc|hopwatch.test.can_reach|0|" -x probe:grp env:test bare \
		target:127.0.1.2 port:99 group:west label:none round:1
'
test_expect_success 'events: lengths, text, aggregation key, source, alert type, tags' '
	grep -E "^_e\{21,18\}:Test event for target\|line one\\\\nline two\|d:[0-9]{10}\|h:web-1\|k:127\.0\.0\.3\|s:hopwatch\|t:warning\|#" r1.out &&
	has_tags r1.out "_e{21,18}:Test event for target|" -x probe:tp inst:a env:test bare \
		target:::1 port:82 own:x solo label:lab1 round:1 &&
	! grep "^_e{" r1.out | grep -v "probe:tp"
'
test_expect_success 'telemetry: hopwatch.statsd.* counts with the global tags only' '
	for m in packets_sent packets_dropped bytes_sent bytes_dropped metrics lines_dropped events_shortened; do
		has_tags r1.out "hopwatch.statsd.$m:" -x env:test bare ||
		{ echo "no $m"; exit 1; }
	done &&
	test "$(telemetry_max r1.out statsd.packets_sent)" -gt 0 &&
	test "$(telemetry_max r1.out statsd.bytes_sent)" -gt 100 &&
	test "$(telemetry_max r1.out statsd.metrics)" -gt 0 &&
	grep -E "^hopwatch\.statsd\.packets_dropped:0\|c\|#" r1.out &&
	! grep -E "^hopwatch\.statsd\.(lines_dropped|events_shortened):[1-9]" r1.out
'
test_expect_success 'sanitising: label "a|b,c#d" arrives as label:a_b_c_d' '
	has_tags r1.out "hopwatch.test.rtt:" -x probe:san env:test bare \
		target:127.0.2.1 label:a_b_c_d round:1 &&
	has_tags r1.out "_sc|hopwatch.test.can_reach|0|" probe:san label:a_b_c_d
'
test_expect_success '-e: stdout holds exactly the lines that arrived' '
	lines r1.out | sort >got &&
	sort d1.stdout >echoed &&
	test -s echoed &&
	diff echoed got
'
test_expect_success 'a target host with "|" is refused by the config' '
	sed "s/\"127.0.2.1\"/\"127.0.2.1|x\"/" main.conf >pipe.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/pipe.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	grep -F "target \"127.0.2.1|x\": the host contains a character" err
'

# ---------------------------------------------------------------- prefix, statsd.echo
PORT=$(free_udp_port) || skip_all "no free UDP port"
cat >"$TRASH/prefix.conf" <<EOF
interval = 1;
prefix = "net.probe_";
statsd = { url = "udp://127.0.0.1:$PORT"; telemetry_interval = "1s"; echo = true; };
probes = ( { name = "pp"; plugin = "testprobe"; event = true; targets = [ "127.0.0.1" ]; } );
EOF
test_expect_success 'prefix: metric, service check and telemetry names change' '
	recv r2 -u "127.0.0.1:$PORT" &&
	daemon d2 prefix.conf &&
	wait_for 15 grep -q "^net\.probe_statsd\.packets_sent:" r2.out &&
	wait_for 10 grep -q "^net\.probe_test\.index:0|g|" r2.out &&
	stop d2 && recv_ok r2 &&
	grep "^net\.probe_test\.rtt:0\.5:1\.5:2\.5|d|#" r2.out &&
	grep "^_sc|net\.probe_test\.can_reach|0|" r2.out &&
	grep "^_e{" r2.out &&
	! lines r2.out | grep -v "^_e{" | grep "hopwatch\."
'
test_expect_success 'statsd.echo = true echoes like -e' '
	grep "^net\.probe_test\.index:0|g|" d2.stdout &&
	lines r2.out | sort >got &&
	sort d2.stdout >echoed &&
	diff echoed got
'

# ---------------------------------------------------------------- packing
PORT=$(free_udp_port) || skip_all "no free UDP port"
cat >"$TRASH/pack.conf" <<EOF
interval = 1;
statsd = { url = "udp://127.0.0.1:$PORT"; telemetry_interval = "1s"; };
probes = ( { name = "pk"; plugin = "testprobe"; values = 1000; targets = [ "127.0.0.1", "127.0.0.2", "127.0.0.3" ]; } );
EOF
# values_of FILE TARGET ROUND: every value of test.rtt of that round, sorted
values_of() {
	grep "^hopwatch\.test\.rtt:" "$1" | grep -E "[#,]target:$2(,|$)" | grep -E "[#,]round:$3(,|$)" |
		sed "s/^hopwatch\.test\.rtt:\([^|]*\)|d|.*/\1/" | tr ":" "\n" | sort -n
}
# expect_values N: 0.5 .. N-0.5
expect_values() {
	awk -v n="$1" "BEGIN { for (i = 0; i < n; i++) printf \"%g\\n\", i + 0.5 }"
}
test_expect_success 'UDP packing to loopback: 1000 values, none lost, in lines of up to 8192 bytes' '
	recv r3 -u "127.0.0.1:$PORT" &&
	daemon d3 pack.conf &&
	wait_for 15 has_tags r3.out "hopwatch.test.index:2|g|" round:2 &&
	stop d3 && recv_ok r3 &&
	expect_values 1000 >expect &&
	for t in 127.0.0.1 127.0.0.2 127.0.0.3; do
		values_of r3.out "$t" 1 >got &&
		diff expect got || exit 1
	done &&
	n=$(grep "^hopwatch\.test\.rtt:" r3.out | grep -c -E "[#,]target:127\.0\.0\.1,.*round:1(,|$)") &&
	echo "$n lines for one round (5890 bytes of values: one line here, 5 at 1432 bytes)" &&
	test "$n" = 1
'
test_expect_success 'UDP packing to loopback (route MTU 65536): lines and datagrams up to 8192 bytes' '
	lines r3.out | awk "length(\$0) > 8192 { print; bad = 1 } END { exit bad }" &&
	sed -n "s/^# datagram \([0-9]*\) bytes.*/\1/p" r3.out | awk "\$1 > 8192 { bad = 1 } END { exit bad }" &&
	big=$(sed -n "s/^# datagram \([0-9]*\) bytes.*/\1/p" r3.out | sort -n | tail -n 1) &&
	echo "largest datagram $big bytes" &&
	test "$big" -gt 1432
'
test_expect_success 'UDP packing: several lines share a datagram' '
	grep -E "^# datagram [0-9]+ bytes ([2-9]|[1-9][0-9]+) lines" r3.out
'

SOCK=$TRASH/dsd.sock
cat >"$TRASH/packu.conf" <<EOF
interval = 1;
tags = [ "env:unix" ];
statsd = { url = "unix://$SOCK"; telemetry_interval = "1s"; };
probes = ( { name = "pk"; plugin = "testprobe"; values = 1000; targets = [ "127.0.0.1", "127.0.0.2" ]; } );
EOF
test_expect_success 'Unix socket: lines arrive and parse (DD_ENTITY_ID is not added)' '
	recv r4 -U "$SOCK" &&
	DD_ENTITY_ID=abc daemon d4 packu.conf &&
	wait_for 15 has_tags r4.out "hopwatch.test.index:1|g|" round:2 &&
	wait_for 10 grep -q "^hopwatch\.statsd\.packets_sent:" r4.out &&
	stop d4 && recv_ok r4 &&
	has_tags r4.out "hopwatch.test.index:0|g|" -x probe:pk env:unix target:127.0.0.1 \
		label:none round:1 &&
	has_tags r4.out "hopwatch.statsd.packets_sent:" -x env:unix &&
	! grep "dd.internal.entity_id" r4.out
'
test_expect_success 'Unix packing: 1000 values fit one line; datagrams up to 8192 bytes' '
	expect_values 1000 >expect &&
	values_of r4.out 127.0.0.1 1 >got &&
	diff expect got &&
	test "$(grep "^hopwatch\.test\.rtt:" r4.out | grep -c -E "[#,]target:127\.0\.0\.1,.*round:1(,|$)")" = 1 &&
	sed -n "s/^# datagram \([0-9]*\) bytes.*/\1/p" r4.out | awk "\$1 > 8192 { bad = 1 } END { exit bad }" &&
	big=$(sed -n "s/^# datagram \([0-9]*\) bytes.*/\1/p" r4.out | sort -n | tail -n 1) &&
	echo "largest datagram $big bytes" &&
	test "$big" -gt 1432 &&
	grep -E "^# datagram [0-9]+ bytes ([2-9]|[1-9][0-9]+) lines" r4.out
'

# ---------------------------------------------------------------- environment
cat >"$TRASH/nourl.conf" <<EOF
interval = 1;
statsd = { telemetry_interval = "1s"; };
probes = ( { name = "env"; plugin = "testprobe"; targets = [ "127.0.0.1" ]; } );
EOF
PORT=$(free_udp_port) || skip_all "no free UDP port"
test_expect_success 'no url: DD_DOGSTATSD_URL=udp://127.0.0.1:PORT is used, DD_ENTITY_ID tags over UDP' '
	recv r5 -u "127.0.0.1:$PORT" &&
	DD_DOGSTATSD_URL="udp://127.0.0.1:$PORT" DD_ENTITY_ID=abc daemon d5 nourl.conf &&
	wait_for 15 grep -q "^hopwatch\.statsd\.packets_sent:" r5.out &&
	wait_for 10 grep -q "^hopwatch\.test\.index:" r5.out &&
	stop d5 && recv_ok r5 &&
	grep -F "sending to udp://127.0.0.1:$PORT" d5.stderr &&
	has_tags r5.out "hopwatch.test.index:0|g|" -x probe:env target:127.0.0.1 \
		dd.internal.entity_id:abc label:none round:1 &&
	has_tags r5.out "_sc|hopwatch.test.can_reach|" dd.internal.entity_id:abc &&
	has_tags r5.out "hopwatch.statsd.packets_sent:" -x dd.internal.entity_id:abc
'
PORT=$(free_udp_port) || skip_all "no free UDP port"
test_expect_success 'no url: DD_AGENT_HOST and DD_DOGSTATSD_PORT are used' '
	recv r6 -u "127.0.0.1:$PORT" &&
	DD_AGENT_HOST=127.0.0.1 DD_DOGSTATSD_PORT=$PORT daemon d6 nourl.conf &&
	wait_for 15 grep -q "^hopwatch\.test\.index:0|g|" r6.out &&
	stop d6 && recv_ok r6 &&
	grep -F "sending to udp://127.0.0.1:$PORT" d6.stderr &&
	! grep "dd.internal.entity_id" r6.out
'
test_expect_success 'no url: DD_DOGSTATSD_URL=unix:///path is used' '
	recv r7 -U "$TRASH/env.sock" &&
	DD_DOGSTATSD_URL="unix://$TRASH/env.sock" daemon d7 nourl.conf &&
	wait_for 15 grep -q "^hopwatch\.test\.index:0|g|" r7.out &&
	stop d7 && recv_ok r7
'
PORT=$(free_udp_port) || skip_all "no free UDP port"
test_expect_success 'a url in the config wins over DD_DOGSTATSD_URL' '
	sed "s|statsd = { |statsd = { url = \"udp://127.0.0.1:$PORT\"; |" nourl.conf >withurl.conf &&
	recv r8 -u "127.0.0.1:$PORT" &&
	DD_DOGSTATSD_URL="unix://$TRASH/nobody.sock" DD_AGENT_HOST=127.0.0.9 daemon d8 withurl.conf &&
	wait_for 15 grep -q "^hopwatch\.test\.index:0|g|" r8.out &&
	stop d8 && recv_ok r8
'
test_expect_success 'a bad url: clean refusal at start, exit 1' '
	sed "s|statsd = { |statsd = { url = \"tcp://127.0.0.1:1\"; |" nourl.conf >badurl.conf &&
	rc=0 &&
	timeout -s KILL 10 "$HOPWATCHD" -c "$TRASH/badurl.conf" -P "$TEST_PLUGIN_DIR" 2>err || rc=$? ;
	cat err &&
	test "$rc" = 1 &&
	grep -F "$TRASH/badurl.conf:" err | grep -F "statsd.url: \"tcp://127.0.0.1:1\": unknown scheme" &&
	DD_DOGSTATSD_URL=tcp://127.0.0.1:2 test_must_fail "$HOPWATCHD" -c "$TRASH/nourl.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	grep -F "statsd url \"tcp://127.0.0.1:2\": unknown scheme" err
'

# ---------------------------------------------------------------- agent down
# Many targets so that datagrams go out all the time; telemetry every 2 s.
# The receiver is started half a second after a telemetry tick (seen on the
# echo), so the next telemetry that arrives covers sends that were dropped.
agent_down_conf() {
	cat <<-EOF
	interval = 1;
	statsd = { url = "$1"; telemetry_interval = "2s"; };
	probes = ( { name = "down"; plugin = "testprobe"; targets = [
	EOF
	for i in $(seq 1 20); do printf '  "127.0.3.%d",\n' "$i"; done
	echo '"127.0.3.99" ]; } );'
}
# ticks NAME: telemetry ticks echoed so far
ticks() {
	grep -c "statsd\.packets_dropped:" "$TRASH/$1.stdout"
}
# ticks_gt NAME N: more than N ticks echoed (a function: wait_for re-runs it)
ticks_gt() {
	test "$(ticks "$1")" -gt "$2"
}
# start_after_tick DAEMON RECV ARGS...: start the receiver 0.5 s after the
# daemon's next telemetry tick
start_after_tick() {
	local d=$1 r=$2 c
	shift 2
	c=$(ticks "$d")
	wait_for 5 ticks_gt "$d" "$c" &&
	sleep 0.5 &&
	recv "$r" "$@"
}
# dropped_seen FILE: some telemetry line in FILE reports packets_dropped > 0
dropped_seen() {
	grep -E "^hopwatch\.statsd\.packets_dropped:[1-9][0-9]*\|c" "$1"
}

PORT=$(free_udp_port) || skip_all "no free UDP port"
agent_down_conf "udp://127.0.0.1:$PORT" >"$TRASH/downu.conf"
test_expect_success 'agent down (UDP): the daemon keeps running and counts drops' '
	daemon d9 downu.conf -e &&
	wait_for 10 ticks_gt d9 0 &&
	sleep 1 &&
	alive d9 &&
	grep "round:2" d9.stdout &&
	wait_for 10 dropped_seen d9.stdout
'
test_expect_success 'agent down (UDP): once it is up, lines arrive and telemetry reports the drops' '
	start_after_tick d9 r9 -u "127.0.0.1:$PORT" &&
	wait_for 10 grep -q "^hopwatch\.test\.index:" r9.out &&
	wait_for 10 grep -q "^hopwatch\.statsd\.packets_dropped:" r9.out &&
	alive d9 &&
	stop d9 && recv_ok r9 &&
	grep "^hopwatch\.statsd\." r9.out &&
	dropped_seen r9.out
'

SOCK=$TRASH/down.sock
agent_down_conf "unix://$SOCK" >"$TRASH/downx.conf"
test_expect_success 'agent down (Unix, no socket file): the daemon keeps running and counts drops' '
	! test -e "$SOCK" &&
	daemon d10 downx.conf -e &&
	wait_for 10 ticks_gt d10 0 &&
	sleep 1 &&
	alive d10 &&
	wait_for 10 dropped_seen d10.stdout
'
test_expect_success 'agent down (Unix): it reconnects once the socket appears; drops reported' '
	start_after_tick d10 r10 -U "$SOCK" &&
	wait_for 10 grep -q "^hopwatch\.test\.index:" r10.out &&
	wait_for 10 grep -q "^hopwatch\.statsd\.packets_dropped:" r10.out &&
	alive d10 &&
	recv_ok r10 &&
	dropped_seen r10.out
'
test_expect_success 'agent restarted (Unix): the daemon reconnects to the new socket' '
	alive d10 &&
	sleep 1 &&
	recv r11 -U "$SOCK" &&
	wait_for 10 grep -q "^hopwatch\.test\.index:" r11.out &&
	alive d10 &&
	stop d10 && recv_ok r11
'

test_done
