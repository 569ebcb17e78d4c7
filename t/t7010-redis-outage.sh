#!/bin/bash
# t7010-redis-outage: Redis going away under a running hopwatchd.
# - Redis shut down for a while, the route changes meanwhile: the daemon
#   keeps probing and sending metrics, reports hopwatch.redis.connected 0,
#   and once Redis is back on the same socket the change (stream entry and
#   hash) is written and connected goes back to 1;
# - the queue overflows (redis.queue = 2, several changes while Redis is
#   down): drops are counted and the newest changes are the ones written.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/redis.sh"

RPORT=$(free_udp_port) || skip_all "no free UDP port"
P1="10.1.0.1,10.1.0.2,10.1.0.3,10.1.0.4"
P2="10.1.0.1,10.8.0.2,10.8.0.3,10.1.0.4"
STREAM="hopwatch:changes:{h1}:fp1:127.0.0.1"
HASH="hopwatch:path:{h1}:fp1:127.0.0.1"

# last_gauge FILE NAME: the value of the last NAME gauge line
last_gauge() {
	sed -n "s/^hopwatch\.$2:\([0-9.]*\)|g.*/\1/p" "$1" | tail -n 1
}
# gauge_after FILE NAME VALUE LINE: a NAME:VALUE gauge after line LINE
gauge_after() {
	tail -n +"$(($4 + 1))" "$1" | grep -qE "^hopwatch\.$2:$3\|g"
}
# has_field NAME KEY FIELD: the hash field is set
has_field() {
	test -n "$(hget "$1" "$2" "$3")"
}
# daemon_changes NAME: changes the daemon logged
daemon_changes() {
	grep -c "path to .* changed at TTL" "$TRASH/$1.stderr" || true
}

test_expect_success 'start: Redis up, the first path stored, connected 1' '
	redis_start r &&
	recv rx "$RPORT" &&
	route d1.paths "$P1" &&
	fp_conf d1 h1 fp1 "$TRASH/d1.paths" r "connect_timeout = 0.5; command_timeout = 0.5;" >d1.conf &&
	daemon d1 d1.conf &&
	wait_for 10 n_is "$P1" hget r "$HASH" confirmed &&
	wait_for 10 gauge_seen rx.out redis.connected 1
'
test_expect_success 'Redis shut down: the daemon keeps running; connected 0; a change is detected' '
	redis_down r &&
	wait_for 10 gauge_seen rx.out redis.connected 0 &&
	route d1.paths "$P2" &&
	wait_for 10 n_is 1 events rx.out fp1 127.0.0.1 &&
	n=$(traced rx.out fp1) &&
	wait_for 10 more_traces rx.out fp1 $((n + 5)) &&
	alive d1 &&
	grep -E "redis: .*retrying in" d1.stderr &&
	test "$(last_gauge rx.out redis.connected)" = 0 &&
	test "$(last_gauge rx.out redis.queued)" -ge 2  # the change, and the latest trace
'
test_expect_success 'Redis back on the same socket: the change is written, connected 1 again' '
	down_line=$(grep -n "^hopwatch\.redis\.connected:0|g" rx.out | tail -n 1 | cut -d: -f1) &&
	redis_start r &&
	wait_for 40 n_is 1 xlen r "$STREAM" &&
	check_entry r "$STREAM" 1 "$P1" "$P2" 2 127.0.0.1 &&
	wait_for 10 n_is "$P2" hget r "$HASH" confirmed &&
	test "$(hget r "$HASH" changes_key)" = "$STREAM" &&
	test "$(hget r "$HASH" changed)" = "$(xfield r "$STREAM" 1 ts)" &&
	wait_for 10 gauge_after rx.out redis.connected 1 "$down_line" &&
	n=$(traced rx.out fp1) &&
	wait_for 10 more_traces rx.out fp1 $((n + 3)) &&
	test "$(xlen r "$STREAM")" = 1 &&
	test "$(events rx.out fp1 127.0.0.1)" = 1 &&
	grep -F "redis: connected to" d1.stderr &&
	alive d1 && stop d1 &&
	! grep INVALID rx.out
'

# ---------------------------------------------------------------- overflow
# Four changes while Redis is down (path_confirm 1), queue of 2.
Q0="10.3.0.1,10.3.0.2,10.3.0.3"
QA="10.3.0.1,10.3.1.2,10.3.0.3"
QB="10.3.0.1,10.3.2.2,10.3.0.3"
QC="10.3.0.1,10.3.3.2,10.3.0.3"
QD="10.3.0.1,10.3.4.2,10.3.0.3"
QSTREAM="hopwatch:changes:{h2}:fp2:127.0.0.1"
QHASH="hopwatch:path:{h2}:fp2:127.0.0.1"
test_expect_success 'queue overflow: redis.queue = 2, four changes while Redis is down' '
	redis_start q &&
	route d2.paths "$Q0" &&
	FP_CONFIRM=1 fp_conf d2 h2 fp2 "$TRASH/d2.paths" q "queue = 2;" >d2.conf &&
	daemon d2 d2.conf &&
	wait_for 10 n_is "$Q0" hget q "$QHASH" confirmed &&
	redis_down q &&
	k=0 &&
	for p in "$QA" "$QB" "$QC" "$QD"; do
		k=$((k + 1)) &&
		route d2.paths "$p" &&
		wait_for 10 n_is $k daemon_changes d2 || exit 1
	done &&
	wait_for 10 n_is 4 events rx.out fp2 127.0.0.1 &&
	grep -F "redis: queue full (2); dropped the oldest change" d2.stderr &&
	wait_for 10 n_ge 1 sum_counts rx.out redis.dropped &&
	echo "dropped: $(sum_counts rx.out redis.dropped)" &&
	alive d2
'
test_expect_success 'queue overflow: once Redis is back, the newest path and change time are written' '
	redis_start q &&
	wait_for 40 n_is "$QD" hget q "$QHASH" confirmed &&
	wait_for 10 n_is "$QD" hget q "$QHASH" hops &&
	wait_for 10 has_field q "$QHASH" changed &&
	test "$(hget q "$QHASH" changes_key)" = "$QSTREAM"
'
# redis.queue counts changes: a change's three commands (XADD, HSET,
# PUBLISH) are kept or dropped together, so the newest changes are whole.
test_expect_success 'queue overflow: the newest changes are in the stream' '
	wait_for 5 n_ge 1 xlen q "$QSTREAM" &&
	last=$(xlen q "$QSTREAM") &&
	check_entry q "$QSTREAM" "$last" "$QC" "$QD" 2 127.0.0.1 &&
	if [ "$last" -ge 2 ]; then
		check_entry q "$QSTREAM" $((last - 1)) "$QB" "$QC" 2 127.0.0.1
	fi &&
	test "$last" = 2
'
test_expect_success 'queue overflow: the dropped changes are the oldest (A and B are not in the stream)' '
	rcli q XRANGE "$QSTREAM" - + >entries &&
	cat entries &&
	! grep -Fx "$QA" entries &&
	! grep -Fx "$Q0" entries &&
	alive d2 && stop d2 &&
	! grep INVALID rx.out
'

test_done
