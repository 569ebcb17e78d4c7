#!/bin/bash
# t7100-redis-cluster: hopwatchd against a real Redis Cluster (3 primaries,
# 3 replicas, started here with redis-cli --cluster create), pointed at a
# node that does NOT serve its keys, as a redis-cli -c user would:
# - it finds the node that serves its slot and stores there: the path
#   hash, the change stream, and PUBLISH seen by a subscriber on another
#   node;
# - a restart loads its paths from the cluster: no false change;
# - the primary serving it killed (the replica takes over): the changes
#   made during the failover are stored afterwards, none lost;
# - its slot migrated to another primary while changes happen (ASK, then
#   MOVED): every change is in the stream, once, in order.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/redis.sh"
. "$SRCDIR/t/lib/cluster.sh"

RPORT=$(free_udp_port) || skip_all "no free UDP port"
P1="10.1.0.1,10.1.0.2,10.1.0.3"
P2="10.1.0.1,10.9.0.2,10.1.0.3"
HASH="hopwatch:path:{h1}:fp1:127.0.0.1"
STREAM="hopwatch:changes:{h1}:fp1:127.0.0.1"

# conf PORT: fakepath writing to Redis at 127.0.0.1:PORT
conf() {
	fp_tcp_conf "$1" "$TRASH/d.paths"
}
# c ARGS...: redis-cli -c on the cluster (any live node)
c() {
	local p
	p=$(cluster_live c) || return 1
	redis-cli -c -h 127.0.0.1 -p "$p" "$@"
}
# myid PORT: the node id
myid() {
	redis-cli -h 127.0.0.1 -p "$1" CLUSTER MYID
}

test_expect_success 'a cluster: 3 primaries, 3 replicas' '
	cluster_start c 3 1 &&
	owner=$(cluster_owner c "{h1}") && test -n "$owner" &&
	for p in $(port_of c | cut -d" " -f1-3); do
		[ "$p" = "$owner" ] || { echo "$p" >other.port; break; }
	done &&
	echo "{h1} is served by $owner; hopwatchd is pointed at $(cat other.port)"
'
test_expect_success 'pointed at another node, hopwatchd stores on the owner of its slot' '
	recv rx "$RPORT" &&
	route d.paths "$P1" &&
	conf "$(cat other.port)" >d1.conf &&
	spawn sub timeout 50 redis-cli -h 127.0.0.1 -p "$(cat other.port)" SUBSCRIBE hopwatch:path-changes &&
	wait_for 5 grep -q "^subscribe" sub.stdout &&
	daemon d1 d1.conf &&
	wait_for 10 n_is "$P1" c HGET "$HASH" confirmed &&
	grep -q "moving there" d1.stderr &&
	route d.paths "$P2" &&
	wait_for 10 n_is 1 c XLEN "$STREAM" &&
	wait_for 10 grep -q "^{" sub.stdout &&
	test "$(c HGET "$HASH" confirmed)" = "$P2" &&
	test "$(redis-cli -h 127.0.0.1 -p "$(cluster_owner c "{h1}")" XLEN "$STREAM")" = 1 &&
	! grep -q "command refused" d1.stderr
'
test_expect_success 'a restart loads its path from the cluster: no false change' '
	stop d1 &&
	test "$(events rx.out fp1 127.0.0.1)" = 1 &&
	n=$(traced rx.out fp1) &&
	daemon d2 d1.conf &&
	wait_for 10 more_traces rx.out fp1 $((n + 6)) &&
	test "$(events rx.out fp1 127.0.0.1)" = 1 &&
	test "$(c XLEN "$STREAM")" = 1
'
test_expect_success 'the primary serving it dies: the replica takes over, nothing lost' '
	owner=$(cluster_owner c "{h1}") &&
	for i in $(seq 0 5); do
		if [ "$(cluster_port_of c "$i")" = "$owner" ]; then kill -KILL "$(cat "c$i.pid")"; fi
	done &&
	flip d.paths && flip d.paths && flip d.paths &&
	{ wait_for 30 n_is "$(cat d.paths)" c HGET "$HASH" confirmed ||
		{ redis-cli -p "$(cluster_live c)" CLUSTER NODES; exit 1; }; } &&
	new=$(cluster_owner c "{h1}") && test "$new" != "$owner" &&
	n=$(events rx.out fp1 127.0.0.1) &&
	wait_for 20 n_is "$n" c XLEN "$STREAM" &&
	stream_in_order c "$STREAM"
'

test_expect_success 'its slot migrated while the route changes: every change stored, in order' '
	slot=$(redis-cli -h 127.0.0.1 -p "$(cat other.port)" CLUSTER KEYSLOT "{h1}") &&
	src=$(cluster_owner c "{h1}") && dst=$(cat other.port) && test "$src" != "$dst" &&
	redis-cli -p "$dst" CLUSTER SETSLOT "$slot" IMPORTING "$(myid "$src")" &&
	redis-cli -p "$src" CLUSTER SETSLOT "$slot" MIGRATING "$(myid "$dst")" &&
	flip d.paths &&
	for k in $(redis-cli -p "$src" CLUSTER GETKEYSINSLOT "$slot" 100); do
		redis-cli -p "$src" MIGRATE 127.0.0.1 "$dst" "$k" 0 5000 || exit 1
	done &&
	flip d.paths &&
	for p in $(port_of c); do redis-cli -p "$p" CLUSTER SETSLOT "$slot" NODE "$(myid "$dst")" >/dev/null; done &&
	flip d.paths &&
	wait_for 20 n_is "$(cat d.paths)" c HGET "$HASH" confirmed &&
	test "$(cluster_owner c "{h1}")" = "$dst" &&
	n=$(events rx.out fp1 127.0.0.1) &&
	wait_for 20 n_is "$n" c XLEN "$STREAM" &&
	stream_in_order c "$STREAM" &&
	grep -qE "(moved to|is served by) 127.0.0.1:$dst" d2.stderr &&
	alive d2 && stop d2 &&
	! grep INVALID rx.out
'
test_done
