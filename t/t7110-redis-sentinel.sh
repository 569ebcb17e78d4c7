#!/bin/bash
# t7110-redis-sentinel: hopwatchd with redis.sentinels and master_name,
# against a real primary, a replica and three sentinels on loopback:
# - the first sentinel listed is unreachable and the second lies (it names
#   the replica): hopwatchd says so, passes them over and writes to the
#   primary;
# - the primary is killed while the path changes: the sentinels promote
#   the replica, hopwatchd follows, and every change is in Redis
#   afterwards, once and in order;
# - bad Sentinel settings are refused with file:line.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/redis.sh"
. "$SRCDIR/t/lib/cluster.sh"

require_cmd python3
RPORT=$(free_udp_port) || skip_all "no free UDP port"
P1="10.1.0.1,10.1.0.2,10.1.0.3"
P2="10.1.0.1,10.9.0.2,10.1.0.3"
HASH="hopwatch:path:{h1}:fp1:127.0.0.1"
STREAM="hopwatch:changes:{h1}:fp1:127.0.0.1"

# conf SENTINELS: fakepath writing through the sentinels listed (a
# libconfig list of "host:port" strings)
conf() {
	fp_tcp_conf 1 "$TRASH/d.paths" |
		sed "s|redis = { host = \"127.0.0.1\"; port = 1;|redis = { sentinels = [ $1 ]; master_name = \"hw\";|"
}
# p ARGS...: redis-cli on the primary the sentinels name now
p() {
	redis-cli -h 127.0.0.1 -p "$(sentinel_primary s)" "$@"
}
# moved_from PORT: the sentinels name another primary than PORT
moved_from() {
	test "$(sentinel_primary s)" != "$1"
}

test_expect_success 'a primary, a replica, three sentinels; a dead one and a liar listed first' '
	sentinel_start s &&
	dead=$(free_tcp_port) && liar=$(free_tcp_port) && echo "$liar" >liar.port &&
	spawn liar python3 "$SRCDIR/t/lib/fakesentinel.py" "$liar" "127.0.0.1:$(port_of s-replica)" &&
	wait_for 10 ss_listens "$liar" &&
	list="\"127.0.0.1:$dead\", \"127.0.0.1:$liar\"" &&
	for sp in $(port_of s); do list="$list, \"127.0.0.1:$sp\""; done &&
	conf "$list" >d.conf &&
	"$HOPWATCHD" -t -c d.conf -P "$TEST_PLUGIN_DIR"
'
test_expect_success 'the dead sentinel and the liar are passed over; changes reach the primary' '
	recv rx "$RPORT" &&
	route d.paths "$P1" &&
	daemon d d.conf &&
	wait_for 20 n_is "$P1" p HGET "$HASH" confirmed &&
	flip d.paths &&
	wait_for 10 n_is 1 p XLEN "$STREAM" &&
	grep -F "sentinel 127.0.0.1:$(cat liar.port): the primary of \"hw\" is 127.0.0.1:$(port_of s-replica)" d.stderr &&
	grep -F "is slave, not the primary of \"hw\"" d.stderr &&
	grep -E "sentinel 127.0.0.1:[0-9]+: Connection refused" d.stderr &&
	test "$(redis-cli -p "$(port_of s-replica)" XLEN "$STREAM")" = 1
'
test_expect_success 'the primary killed while the path changes: the replica takes over, nothing lost' '
	old=$(port_of s-primary) &&
	kill -KILL "$(cat sp.pid)" &&
	flip d.paths && flip d.paths && flip d.paths &&
	wait_for 30 moved_from "$old" &&
	wait_for 20 n_is "$(cat d.paths)" p HGET "$HASH" confirmed &&
	n=$(events rx.out fp1 127.0.0.1) && test "$n" = 4 &&
	wait_for 20 n_is "$n" p XLEN "$STREAM" &&
	stream_in_order p "$STREAM" &&
	grep -E "switched from 127.0.0.1:$old to 127.0.0.1:[0-9]+|the primary of \"hw\" is 127.0.0.1:$(port_of s-replica)" d.stderr &&
	alive d && stop d &&
	! grep INVALID rx.out
'
test_expect_success 'bad Sentinel settings are refused with file:line' '
	fp_tcp_conf 1 "$TRASH/d.paths" | sed "s|host = \"127.0.0.1\"; port = 1;|sentinels = [ \"127.0.0.1:26379\" ];|" >b1.conf &&
	test_must_fail "$HOPWATCHD" -t -c b1.conf -P "$TEST_PLUGIN_DIR" 2>err &&
	grep -E "b1.conf:[0-9]+: redis.sentinels: sentinels need master_name" err &&
	fp_tcp_conf 1 "$TRASH/d.paths" | sed "s|port = 1;|port = 1; master_name = \"hw\";|" >b2.conf &&
	test_must_fail "$HOPWATCHD" -t -c b2.conf -P "$TEST_PLUGIN_DIR" 2>err &&
	grep -E "b2.conf:[0-9]+: redis.master_name: is for Sentinel" err &&
	conf "\"127.0.0.1\"" >b3.conf &&
	test_must_fail "$HOPWATCHD" -t -c b3.conf -P "$TEST_PLUGIN_DIR" 2>err &&
	grep -E "b3.conf:[0-9]+: redis.sentinels\[0\]: sentinel \"127.0.0.1\": needs a port" err &&
	fp_tcp_conf 1 "$TRASH/d.paths" | sed "s|port = 1;|port = 1; sentinels = [ \"127.0.0.1:1\" ]; master_name = \"hw\";|" >b4.conf &&
	test_must_fail "$HOPWATCHD" -t -c b4.conf -P "$TEST_PLUGIN_DIR" 2>err &&
	grep -E "b4.conf:[0-9]+: redis: set one of host, socket or sentinels" err
'

test_done
