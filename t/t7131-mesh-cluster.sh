#!/bin/bash
# t7131-mesh-cluster: a mesh hosted by a real Redis Cluster of 3 primaries
# (started here with redis-cli --cluster create), each daemon pointed at a
# node that does NOT serve the group's slot:
# - every key of the group (member set, registrations, results) is in the
#   one slot of the hash tag {lab}, on the primary that serves it, where
#   the daemons' writers moved by themselves;
# - the 4 members (loopback addresses, allowed by mesh_allow) probe each
#   other with icmp, tcp to a port that listens (mesh_port) and path, and
#   store their results; `hopwatch mesh` reads them there;
# - a member that stops is dropped by the others once its TTL is over.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/redis.sh"
. "$SRCDIR/t/lib/cluster.sh"
require_root

RPORT=$(free_udp_port) || skip_all "no free UDP port"
TPORT=$(free_tcp_port) || skip_all "no free TCP port"
N=4
M=hopwatch:mesh:{lab}

# conf I PORT: member hI (address 127.0.0.(10+I)) writing to the cluster node at PORT
conf() {
	cat <<-EOF
	hostname = "h$1";
	interval = "1s";
	timeout = "0.5s";
	statsd = { url = "udp://127.0.0.1:$RPORT"; };
	redis = { host = "127.0.0.1"; port = $2; connect_timeout = 1; command_timeout = 1; };
	mesh = { ttl = "3s"; addresses = [ "127.0.0.$((10 + $1))" ]; };
	probes = (
	  { name = "ping"; plugin = "icmp"; mesh = "lab"; count = 1; family = "ipv4";
	    mesh_allow = [ "127.0.0.0/8" ]; },
	  { name = "syn"; plugin = "tcp"; mesh = "lab"; mesh_port = $TPORT; count = 1; family = "ipv4";
	    mesh_allow = [ "127.0.0.0/8" ]; },
	  { name = "trace"; plugin = "path"; mesh = "lab"; interval = "2s"; max_ttl = 4; queries = 1;
	    family = "ipv4"; mesh_allow = [ "127.0.0.0/8" ]; }
	);
	EOF
}
# o ARGS...: redis-cli on the primary serving the group
o() {
	redis-cli -h 127.0.0.1 -p "$(cat "$TRASH/owner")" "$@"
}
# reached MEMBER: its stored results that reached their peer
reached() {
	o HVALS "$M:results:$1" | grep -c '"reached":1' || true
}
all_reached() {
	local i
	for i in $(seq 1 $N); do
		[ "$(reached h$i)" -ge "$1" ] || return 1
	done
}

test_expect_success 'a cluster of 3 primaries; the group slot on one of them' '
	cluster_start c 3 0 &&
	owner=$(cluster_owner c "{lab}") && test -n "$owner" &&
	echo "$owner" >owner &&
	for p in $(port_of c); do [ "$p" = "$owner" ] || { echo "$p" >other; break; }; done &&
	echo "group served by $owner; daemons pointed at $(cat other)" &&
	recv rx "$RPORT" &&
	spawn listen "$TOOLS/hwlisten" -T 120 -p "$TRASH/listen.ready" "$TPORT" &&
	wait_for 5 test -s listen.ready
'

test_expect_success '4 members, each pointed at a node that does not serve the group' '
	for i in $(seq 1 $N); do
		conf $i "$(cat other)" >h$i.conf && spawn h$i "$HOPWATCHD" -c "$TRASH/h$i.conf" -P "$PLUGIN_DIR" || exit 1
	done &&
	wait_for 20 all_reached $((3 * (N - 1))) &&
	o HGET "$M:results:h1" syn:h2 | grep -qF "\"reached\":1" &&
	o HGET "$M:results:h1" trace:h2 | grep -qF "\"reached\":1" &&
	grep -qE "^hopwatch\.tcp\.rtt:[0-9.:]+\|[a-z]+\|.*target:127\.0\.0\.12,port:$TPORT,.*peer:h2" rx.out &&
	grep -E "redis: slot [0-9]+ is served by 127.0.0.1:$(cat owner); moving there" h1.stderr &&
	o SCARD "$M:members" | grep -qx $N
'

test_expect_success 'every key of the group is in one slot, on its primary' '
	slot=$(o CLUSTER KEYSLOT "$M:members") && echo "slot $slot" &&
	for k in $(o KEYS "$M:*"); do
		[ "$(o CLUSTER KEYSLOT "$k")" = "$slot" ] || { echo "$k elsewhere"; exit 1; }
	done &&
	[ "$(o KEYS "$M:*" | wc -l)" -ge $((2 * N + 1)) ] &&
	for p in $(port_of c); do
		[ "$p" = "$(cat owner)" ] && continue
		[ -z "$(redis-cli -h 127.0.0.1 -p "$p" KEYS "$M:*")" ] || exit 1
	done
'

test_expect_success 'hopwatch mesh, pointed at another node, reads the group on its primary (text and --json)' '
	"$HOPWATCH" -p "$(cat other)" mesh lab >grid &&
	cat grid &&
	head -1 grid | grep -qx "mesh lab: 4 members" &&
	grep -qE "^   2 h2 +0 +\\. +0 +0\$" grid &&
	grep -q "^syn: RTT ms" grid && grep -q "^trace: loss %" grid &&
	"$HOPWATCH" -p "$(cat other)" --json mesh lab >mesh.json &&
	"$HOPWATCH" -p "$(cat other)" mesh >all &&
	head -1 all | grep -qx "mesh lab: 4 members" &&
	python3 -c "import json, sys; d = json.load(open(\"mesh.json\")); r = d[\"results\"]; \
assert len(d[\"members\"]) == 4 and len(r) == 36 and all(x[\"reached\"] for x in r), r; \
assert {x[\"probe\"] for x in r} == {\"ping\", \"syn\", \"trace\"}"
'

test_expect_success 'a member that stops is dropped by the others' '
	kill -KILL "$(cat h4.pid)" &&
	wait_for 15 grep -q "mesh lab: h4 left (its registration expired)" h1.stderr &&
	wait_for 10 sh -c "[ \"\$(redis-cli -h 127.0.0.1 -p $(cat owner) HEXISTS \"$M:results:h1\" ping:h4)\" = 0 ]"
'

test_expect_success 'the members stop cleanly; every line sent parsed' '
	for i in 1 2 3; do stop h$i || exit 1; done &&
	stop listen &&
	stop rx
'

test_done
