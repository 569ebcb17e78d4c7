#!/bin/bash
# t2030-statsd-flush: how hopwatchd fills datagrams, and the tag room.
# The strict receiver (t/tools/dsd-recv) refuses any datagram whose last
# line does not end with a newline, so every test here also checks that
# rule.  Packing is compared between statsd.flush_interval = 0 (a datagram
# per loop iteration) and an interval; no line may wait much longer than
# the interval (checked loosely, in rounds, never in tight times).  Then
# the tag room rule: fixed tags that leave too little room in a datagram
# are refused with file:line, tags the agent consumes are warned about.
. "$(dirname "$0")/test-lib.sh"

. "$SRCDIR/t/lib/statsd.sh"
require_cmd ss awk

# flush_conf PORT INTERVAL: 100 testprobe targets, rounds spread over 1 s
flush_conf() {
	cat <<-EOF
	interval = 1;
	statsd = { url = "udp://127.0.0.1:$1"; flush_interval = "$2"; telemetry_interval = 0; };
	probes = ( { name = "fl"; plugin = "testprobe"; targets = [
	EOF
	for i in $(seq 1 99); do printf '  "127.0.4.%d",\n' "$i"; done
	echo '"127.0.4.100" ]; } );'
}
# round_done FILE N: every one of the 100 targets has sent round N
round_done() {
	test "$(grep -c "^hopwatch\.test\.index:.*[#,]round:$2\(,\||\|$\)" "$1")" -ge 100
}
# lines_per_datagram FILE: received lines / datagrams, two decimals
lines_per_datagram() {
	datagram_stats "$1" | awk '{ printf "%.2f\n", $1 ? $2 / $1 : 0 }'
}
# run_flush NAME INTERVAL: receiver and daemon (-e) until round 3 is in
run_flush() {
	local port
	port=$(free_udp_port) &&
	flush_conf "$port" "$2" >"$TRASH/$1.conf" &&
	recv "r$1" -u "127.0.0.1:$port" &&
	daemon "d$1" "$1.conf" -e &&
	wait_for 20 round_done "$TRASH/r$1.out" 3 &&
	stop "d$1" &&
	wait_for 5 all_arrived "r$1" "d$1" &&
	recv_ok "r$1"
}

test_expect_success 'flush_interval 0: a datagram per loop iteration, every line ended' '
	run_flush f0 0 &&
	lines_per_datagram rf0.out >f0.lpd &&
	echo "$(cat f0.lpd) lines a datagram" &&
	datagram_stats rf0.out | awk "{ exit !(\$1 > 0) }"
'
test_expect_success 'flush_interval 300ms: fuller datagrams, no line lost' '
	run_flush f300 300ms &&
	lines_per_datagram rf300.out >f300.lpd &&
	echo "$(cat f300.lpd) lines a datagram, $(cat f0.lpd) without the interval" &&
	awk -v a="$(cat f300.lpd)" -v b="$(cat f0.lpd)" "BEGIN { exit !(a >= 1.5 * b) }" &&
	lines rf300.out | sort >got &&
	sort df300.stdout >echoed &&
	diff echoed got
'
test_expect_success 'flush_interval 300ms: no datagram over 8192 bytes (loopback: route MTU 65536)' '
	sed -n "s/^# datagram \([0-9]*\) bytes.*/\1/p" rf300.out | awk "\$1 > 8192 { bad = 1 } END { exit bad }"
'

# One target, a round a second, a 3 s interval: datagrams are never full,
# so only the interval sends them.  Lines of about 3 rounds share one; a
# line that waited for a full datagram would never arrive.
PORT=$(free_udp_port) || skip_all "no free UDP port"
cat >"$TRASH/slow.conf" <<EOF
interval = 1;
statsd = { url = "udp://127.0.0.1:$PORT"; flush_interval = "3s"; telemetry_interval = 0; };
probes = ( { name = "slow"; plugin = "testprobe"; targets = [ "127.0.0.1" ]; } );
EOF
# rounds_per_datagram FILE: for each datagram, how many rounds its lines hold
rounds_per_datagram() {
	awk '/^# datagram / { if (n) print n; n = 0; delete r; next }
	     match($0, /[#,]round:[0-9]+/) { k = substr($0, RSTART + 1, RLENGTH - 1); if (!(k in r)) { r[k] = 1; n++ } }
	     END { if (n) print n }' "$1"
}
test_expect_success 'flush_interval 3s: lines of a few rounds share a datagram; none waits for it to fill' '
	recv rs -u "127.0.0.1:$PORT" &&
	daemon ds slow.conf &&
	wait_for 20 grep -q "[#,]round:7[,|]" rs.out &&
	alive ds &&
	stop ds && recv_ok rs &&
	rounds_per_datagram rs.out >rpd &&
	echo "rounds per datagram: $(paste -sd " " rpd)" &&
	awk "\$1 >= 2 { many = 1 } \$1 > 6 { bad = 1 } END { exit bad || !many }" rpd
'

# ---------------------------------------------------------------- validation
cat >"$TRASH/bad-interval.conf" <<EOF
statsd = {
	flush_interval = "-1s";
};
EOF
test_expect_success 'flush_interval: out of range or not a duration is refused with file:line' '
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/bad-interval.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "bad-interval.conf:2: statsd.flush_interval:" err &&
	sed "s/\"-1s\"/11/" bad-interval.conf >big-interval.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/big-interval.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	grep -F "big-interval.conf:2: statsd.flush_interval: must be from 0s to 10s, not 11" err &&
	sed "s/\"-1s\"/\"soon\"/" bad-interval.conf >word-interval.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/word-interval.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	grep -F "word-interval.conf:2: statsd.flush_interval: \"soon\" is not a duration" err
'

# ---------------------------------------------------------------- tag room
# tag_list N LEN: N quoted tags of LEN bytes ("tNN:xxx...")
tag_list() {
	awk -v n="$1" -v len="$2" 'BEGIN {
		for (i = 0; i < n; i++) {
			t = sprintf("t%02d:", i)
			while (length(t) < len) t = t "x"
			printf "%s\"%s\"", i ? ", " : "", t
		}
	}'
}
# room_conf URL GLOBAL-TAGS INSTANCE-TAGS TARGET-TAGS
room_conf() {
	cat <<-EOF
	statsd = { url = "$1"; };
	tags = [ $2 ];
	probes = ( { name = "room"; plugin = "testprobe";
	  tags = [ $3 ];
	  targets = ( "127.0.0.1",
	    { host = "127.0.0.2"; tags = [ $4 ]; } ); } );
	EOF
}
test_expect_success 'tag room: 64 tags of 200 bytes are refused over UDP, with file:line' '
	room_conf udp://127.0.0.1:9 "$(tag_list 64 200)" "\"a\"" "\"b\"" >room1.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/room1.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "room1.conf:2: tags: the global tags take 12863 bytes; lines to udp://127.0.0.1:9 have room for 919 bytes of tags" err &&
	test "$(grep -c error: err)" = 2
'
# 4 tags of 200 bytes, 3 commas, and ",y..." make 919 bytes; one more y: 920
cat >"$TRASH/room2.conf" <<EOF
statsd = { url = "udp://127.0.0.1:9"; };
tags = [ $(tag_list 4 200), "$(printf "y%.0s" $(seq 115))" ];
probes = ( );
EOF
test_expect_success 'tag room: 919 bytes of global tags pass over UDP, 920 do not' '
	"$HOPWATCHD" -t -c "$TRASH/room2.conf" -P "$TEST_PLUGIN_DIR" 2>err ||
	{ cat err; false; } &&
	sed "s/yyy/yyyy/" room2.conf >room2b.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/room2b.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	grep -F "room2b.conf:2: tags: the global tags take 920 bytes; lines to udp://127.0.0.1:9 have room for 919" err
'
test_expect_success 'tag room: an instance or a target that overflows is refused at its line' '
	room_conf udp://127.0.0.1:9 "$(tag_list 4 150)" "$(tag_list 2 100)" "$(tag_list 1 150)" >room3.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/room3.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -E "room3.conf:6: probes\[0\]\.targets\[1\]: the fixed tags of target \"127\.0\.0\.2\" take [0-9]+ bytes" err &&
	! grep -F "targets[0]" err &&
	room_conf udp://127.0.0.1:9 "$(tag_list 4 150)" "$(tag_list 3 110)" "\"b\"" >room4.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/room4.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -E "room4.conf:4: probes\[0\]\.tags: the fixed tags of probe \"room\" take [0-9]+ bytes" err &&
	! grep -F "targets[" err
'
test_expect_success 'tag room: a Unix socket has more room (2047 bytes)' '
	room_conf "unix://$TRASH/none.sock" "$(tag_list 4 150)" "$(tag_list 3 100)" "\"b\"" >room5.conf &&
	"$HOPWATCHD" -t -c "$TRASH/room5.conf" -P "$TEST_PLUGIN_DIR" &&
	room_conf "unix://$TRASH/none.sock" "$(tag_list 11 200)" "\"a\"" "\"b\"" >room6.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/room6.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	grep -F "have room for 2047 bytes of tags" err
'
test_expect_success 'tag room: DD_ENTITY_ID counts over UDP' '
	DD_ENTITY_ID=$(printf "e%.0s" $(seq 200)) test_must_fail "$HOPWATCHD" -t -c "$TRASH/room2.conf" \
		-P "$TEST_PLUGIN_DIR" 2>err &&
	grep -F "room2.conf:2: tags: the global tags take 1142 bytes" err
'
test_expect_success 'host: and dd.internal.* tags: warned at -t with file:line, still valid' '
	room_conf udp://127.0.0.1:9 "\"host:web-2\", \"env:x\"" "\"dd.internal.card:high\"" "\"b\"" >warn.conf &&
	"$HOPWATCHD" -t -c "$TRASH/warn.conf" -P "$TEST_PLUGIN_DIR" >out 2>err &&
	cat err &&
	grep -F "warning: $TRASH/warn.conf:2: tags[0]: tag \"host:web-2\": the agent takes a host:<name> tag as the host name" err ||
	grep -F "warn.conf:2: tags[0]: tag \"host:web-2\": the agent takes" err &&
	grep -F "warn.conf:4: probes[0].tags[0]: tag \"dd.internal.card:high\": the agent consumes dd.internal.*" err &&
	test "$(grep -c warning: err)" = 2 &&
	grep "OK (1 probes, 2 targets)" out
'

test_done
