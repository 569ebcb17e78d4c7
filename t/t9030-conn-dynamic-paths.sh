#!/bin/bash
# t9030: dynamic paths (issue 18).  A path instance takes its targets from
# a conn instance (targets_from): the client in src talks to three servers
# (d1, d2, d3, each on its own link behind r2) and exactly those three are
# traced, with their remote port, over the testbed's real route; a fourth
# (d4) that starts talking later is picked up; d3, once it stops talking,
# is dropped after `expire`.  A tcp and an icmp instance take the same
# targets (tcp with the same port, icmp each address once); the tcp
# probes, which carry no data and end in our own abort, do not keep a
# destination alive.  The paths are in Redis, and `hopwatch paths` lists
# them, d3's too after it left.  A route change (src through r1's twin t1)
# is one path change per dynamic target (event, count, Redis stream,
# `hopwatch history`).  Then the config errors of targets_from.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip timeout awk ss redis-server redis-cli
for tool in dsd-recv hwxfer; do
	[ -x "$TOOLS/$tool" ] || skip_all "t/tools/$tool is not built (run make)"
done
[ -e "$PLUGIN_DIR/conn.so" ] && [ -e "$PLUGIN_DIR/path.so" ] || skip_all "plugins are not built (run make)"

tb_chain a 2 4 || { echo "Bail out! tb_chain failed"; exit 1; }
# a twin of r1 (t1), unused until the route-change test
tb_route r1 main >/dev/null || { echo "Bail out! tb_route failed"; exit 1; }
STATSD_PORT=8125
for k in 1 2 3 4; do
	eval "D$k=$(tb_addr d$k 4)"
	tb_exec d$k "$TOOLS/hwxfer" serve -T 300 7001 100 &
done
for k in 1 2 3 4; do
	wait_for 5 sh -c "ip netns exec $(tb_ns d$k) ss -ltn | grep -q ':7001 '" || { echo "Bail out! servers"; exit 1; }
done
. "$SRCDIR/t/lib/path.sh"
. "$SRCDIR/t/lib/redis.sh"
# started here, not in a test body: the bodies wait for their own jobs
redis_start r || { echo "Bail out! redis-server"; exit 1; }

# talk DST FROM UNTIL: from FROM to UNTIL seconds after now, a connection
# to DST:7001 (1000 bytes each way... 1000 sent, 100 received) every 0.4 s
talk() {
	local t0=$(date +%s.%N)
	sleep "$2"
	while awk -v t0="$t0" -v u="$3" -v now="$(date +%s.%N)" 'BEGIN { exit !(now - t0 < u) }'; do
		tb_exec src "$TOOLS/hwxfer" connect "$1" 7001 1 1000 >/dev/null
		sleep 0.4
	done
}

# added / gone: the target ids the instance "dp" logged as added / gone
added() { sed -n 's/.*\[dp\] targets: [0-9]* added (\([^)]*\)).*/\1/p' log | tr ' ' '\n' | sort -u; }
gone() { sed -n 's/.*\[dp\] targets: [0-9]* added[^,]*, [0-9]* gone (\([^)]*\)).*/\1/p' log | tr ' ' '\n' | sort -u; }
# pos PATTERN: the line number of the first line of `out` with PATTERN (0: none)
first() { grep -n -F -- "$1" out | head -1 | cut -d: -f1; }
last() { grep -n -F -- "$1" out | tail -1 | cut -d: -f1; }

test_expect_success 'the destinations the host talks to are traced; a new one is picked up, a silent one dropped' '
	cat >hw.conf <<-EOF &&
	interval = "1s";
	timeout = "0.5s";
	hostname = "dyn-host";
	statsd = { url = "udp://127.0.0.1:$STATSD_PORT"; telemetry_interval = 0; };
	redis = { socket = "$TRASH/r.sock"; };
	probes = (
	  { name = "c"; plugin = "conn"; interval = "1s"; },
	  { name = "dp"; plugin = "path"; protocol = "tcp"; max_ttl = 8; interval = "2s"; tag_hop_ip = true;
	    targets_from = "c"; max_targets = 10; expire = "3s"; },
	  { name = "dt"; plugin = "tcp"; count = 1; targets_from = "c"; expire = "3s"; },
	  { name = "di"; plugin = "icmp"; count = 2; spacing = "50ms"; targets_from = "c"; expire = "3s"; }
	);
	EOF
	{ talk $D1 0 21 & talk $D2 0 21 & talk $D3 0 8 & talk $D4 10 21 & } &&
	hw_run hw.conf 22 && wait &&
	printf "%s\n" $D1:7001 $D2:7001 $D3:7001 $D4:7001 | sort >want.added &&
	added >got.added && echo "added: $(paste -sd" " got.added)" &&
	diff want.added got.added &&
	gone >got.gone && echo "gone: $(paste -sd" " got.gone)" &&
	test "$(cat got.gone)" = "$D3:7001" &&
	for k in 1 2 3 4; do
		eval "d=\$D$k" &&
		check_traces dp "$d" "$(want d$k)" 1 &&
		grep -q "^hopwatch.path.hops:.*#probe:dp,target:$d,port:7001," out || return 1
	done &&
	test "$(grep "^hopwatch.path.hops:.*#probe:dp," out | sed "s/.*#probe:dp,target:\([^,]*\),.*/\1/" | sort -u)" = \
		"$(printf "%s\n" $D1 $D2 $D3 $D4 | sort)" &&
	echo "d4 first traced at line $(first "#probe:dp,target:$D4,"), d3 last at $(last "#probe:dp,target:$D3,")" &&
	test "$(first "#probe:dp,target:$D4,")" -gt "$(first "#probe:dp,target:$D1,")" &&
	test "$(last "#probe:dp,target:$D3,")" -lt "$(last "#probe:dp,target:$D1,")" &&
	! grep "^hopwatch.path.*#probe:dp,target:127\." out &&
	! grep "^hopwatch.path.changes:" out &&
	for p in dt:$D3:7001 di:$D3; do
		sed -n "s/.*\[${p%%:*}\] targets: [0-9]* added[^,]*, [0-9]* gone (\([^)]*\)).*/\1/p" log >gone.p &&
		test "$(cat gone.p)" = "${p#*:}" || return 1
	done &&
	for k in 1 2 3 4; do
		eval "d=\$D$k" &&
		grep -q "^_sc|hopwatch.tcp.can_connect|0|.*#probe:dt,target:$d,port:7001[|,]" out &&
		grep -q "^_sc|hopwatch.icmp.can_reach|0|.*#probe:di,target:$d[|,]" out || return 1
	done
'

test_expect_success 'Redis holds their paths; hopwatch paths lists them, the one that left too' '
	"$HOPWATCH" -s "$TRASH/r.sock" --source dyn-host paths --probe dp >paths &&
	cat paths &&
	test "$(wc -l <paths)" = 5 &&
	for k in 1 2 3 4; do
		eval "d=\$D$k" &&
		awk -v t="$d:7001" "\$1 == \"dp\" && \$2 == t && \$3 == 3 && \$4 == \"yes\"" paths | grep -q . &&
		test "$(rcli r HGET "hopwatch:path:{dyn-host}:dp:$d:7001" hops)" = \
			"$(want d$k | tr " " ",")" || return 1
	done
'

# The stored paths seed the next run; src now routes through t1: each
# dynamic target that comes back confirms one change, event and Redis
# stream entry, as a configured one would.
test_expect_success 'a route change: one path change per dynamic target, stored in Redis' '
	tb_route r1 alt >/dev/null &&
	{ talk $D1 0 12 & talk $D2 0 12 & } &&
	hw_run hw.conf 13 && wait &&
	for k in 1 2; do
		eval "d=\$D$k" &&
		check_traces dp "$d" "$(want d$k)" 2 &&
		test "$(values path.changes dp "$d" | awk "{ s += \$1 } END { print s + 0 }")" = 1 &&
		grep -qF "}:Path to $d:7001 changed|" out &&
		test "$(rcli r XLEN "hopwatch:changes:{dyn-host}:dp:$d:7001")" = 1 &&
		test "$(rcli r HGET "hopwatch:path:{dyn-host}:dp:$d:7001" hops)" = "$(want d$k | tr " " ",")" || return 1
	done &&
	"$HOPWATCH" -s "$TRASH/r.sock" --source dyn-host --probe dp history "$D1:7001" >hist && cat hist &&
	grep -q "$(tb_addr t1 4)" hist
'

test_expect_success 'targets_from errors name file:line' '
	cat >bad.conf <<-EOF &&
	statsd = { url = "udp://127.0.0.1:$STATSD_PORT"; };
	probes = (
	  { name = "c"; plugin = "conn"; },
	  { name = "p1"; plugin = "path"; targets_from = "nope"; },
	  { name = "p2"; plugin = "tcp"; targets_from = "p1"; },
	  { name = "p3"; plugin = "icmp"; targets_from = "c"; targets = [ "127.0.0.1" ]; },
	  { name = "p4"; plugin = "dns"; query_name = "x."; targets_from = "c"; }
	);
	EOF
	! "$HOPWATCHD" -t -c bad.conf -P "$PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "bad.conf:4: probes[1].targets_from: \"nope\" is no probe instance" err &&
	grep -F "bad.conf:5: probes[2].targets_from: \"p1\" is not a conn instance" err &&
	grep -F "bad.conf:6: probes[3].targets: set either targets or targets_from, not both" err &&
	grep -F "bad.conf:7: probes[4].targets_from: plugin dns cannot take its targets from another instance" err
'

test_done
