#!/bin/bash
# t7130-mesh: a Pingmesh-style mesh of 30 hopwatchd, each in its own
# namespace behind a shared router (t/lib/mesh.sh), discovered through a real
# redis-server:
# - every member registers the address it detects (never loopback) and
#   probes every other member, IPv4 and IPv6; its per-peer results are in
#   Redis and `hopwatch mesh` shows the 30x30 matrices (text and --json);
# - a member that joins is probed by every other, one that stops
#   heartbeating expires (TTL) and is dropped by every other;
# - garbage, an address outside mesh_allow and loopback are never probed,
#   each noted once; a second host claiming a member's name is noted by
#   both and never becomes a target;
# - a reload renaming a mesh instance gets its targets at once and drops
#   the old instance's results;
# - bad mesh settings are refused with file:line; every DogStatsD line
#   sent parses (strict receiver).
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/redis.sh"
. "$SRCDIR/t/lib/mesh.sh"

N=30
M=hopwatch:mesh:{lab}

# all_reached COUNT: every member 1..N has COUNT results that reached their peer
all_reached() {
	local i
	for i in $(seq 1 $N); do
		[ "$(mesh_reached r m$i)" -ge "$1" ] || return 1
	done
}
# probed_by_all NAME: every member 1..N has a result for NAME that reached it
probed_by_all() {
	local i
	for i in $(seq 1 $N); do
		rcli r HGET "$M:results:m$i" "ping:$1" | grep -q '"reached":1' || return 1
	done
}
# entries NAME: member set entries of NAME
entries() {
	rcli r SMEMBERS "$M:members" | grep -c "^$1:" || true
}
# forgotten_by_all NAME: no member has NAME in its results any more
forgotten_by_all() {
	local i
	for i in $(seq 1 $N); do
		[ "$(rcli r HEXISTS "$M:results:m$i" "ping:$1")" = 0 ] || return 1
	done
}

test_expect_success 'a lab of 30 hosts behind one router, Redis, a strict receiver' '
	mesh_lab $((N + 2)) &&
	redis_start r &&
	mesh_recv &&
	ip netns exec "$(mesh_ns 1)" ping -c1 -W2 "$(mesh_addr $N)" >/dev/null
'

test_expect_success '30 members start; each probes the 29 others in both families' '
	for i in $(seq 1 $N); do
		mesh_conf $i >m$i.conf && mesh_daemon $i m$i.conf || exit 1
	done &&
	wait_for 10 n_is $N rcli r SCARD "$M:members" &&
	wait_for 30 all_reached $((2 * (N - 1))) &&
	mesh_reached r m1
'

test_expect_success 'a registration holds the detected addresses, no loopback, and the TTL' '
	key=$(rcli r KEYS "$M:member:m7:*") && echo "$key" &&
	echo "$key" | grep -qE "^$M:member:m7:[0-9a-f]{16}\$" &&
	rcli r SMEMBERS "$M:members" | grep -qx "${key#$M:member:}" &&
	reg=$(rcli r GET "$key") && echo "$reg" &&
	echo "$reg" | grep -qF "\"ipv4\":[\"$(mesh_addr 7)\"]" &&
	echo "$reg" | grep -qF "\"ipv6\":[\"$(mesh_addr 7 6)\"]" &&
	echo "$reg" | grep -qF "\"tags\":[\"rack:r1\"]" &&
	! echo "$reg" | grep -qE "127\.0\.0\.1|::1\"|fe80" &&
	ttl=$(rcli r PTTL "$key") && echo "PTTL $ttl" &&
	[ "$ttl" -gt 0 ] && [ "$ttl" -le 3000 ] &&
	res=$(rcli r HGET "$M:results:m7" ping:m8) && echo "$res" &&
	echo "$res" | grep -qE "^\{\"loss\":0\.0,\"rtt\":[0-9.]+,\"reached\":1,\"ts\":[0-9]{10},\"interval\":2\.0,\"ip\":\"$(mesh_addr 8)\"\}$" &&
	rcli r HGET "$M:results:m7" ping/v6:m8 | grep -qF "\"ip\":\"$(mesh_addr 8 6)\"" &&
	[ "$(rcli r PTTL "$M:results:m7")" -gt 0 ]
'

test_expect_success 'hopwatch mesh: the 30x30 loss and RTT grids' '
	"$HOPWATCH" -s "$TRASH/r.sock" mesh lab >grid &&
	head -3 grid &&
	head -1 grid | grep -qx "mesh lab: 30 members" &&
	! grep -q $(printf "\033") grid &&
	awk "/^ping: loss %/ { on = 1; next } /^\$/ { on = 0 } on && \$2 ~ /^m[0-9]+\$/ {
		for (i = 3; i <= NF; i++) { if (\$i == \"0\") z++; else if (\$i == \".\") d++; else bad++ } }
		END { print z, d, bad; exit !(z == 870 && d == 30 && bad == 0) }" grid &&
	grep -q "^ping/v6: RTT ms" grid &&
	grep -qE "^ +7 m7 +heartbeat [0-9]s ago  $(mesh_addr 7), $(mesh_addr 7 6)  tags rack:r1\$" grid
'

test_expect_success 'hopwatch mesh --json: members and every result' '
	"$HOPWATCH" -s "$TRASH/r.sock" --json mesh lab >mesh.json &&
	python3 - mesh.json <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["group"] == "lab", d["group"]
	names = sorted(m["name"] for m in d["members"])
	assert len(names) == 30, names
	r = d["results"]
	ok = [x for x in r if x["reached"] and x["loss"] == 0 and not x["stale"] and x["rtt"] > 0]
	print(len(r), "results,", len(ok), "reached")
	assert len(r) == 30 * 29 * 2 and len(ok) == len(r)
	assert {x["probe"] for x in r} == {"ping", "ping/v6"}
	assert all(x["from"] != x["to"] for x in r)
	EOF
'

test_expect_success 'a member that joins is probed by every other' '
	mesh_conf 31 >m31.conf && mesh_daemon 31 m31.conf &&
	wait_for 20 probed_by_all m31 &&
	grep -q "mesh lab: m31 joined ($(mesh_addr 31), $(mesh_addr 31 6))" m1.stderr &&
	wait_for 10 n_ge $((2 * N)) mesh_reached r m31
'

test_expect_success 'a member that stops heartbeating expires and is dropped by every other' '
	kill -KILL "$(cat m31.pid)" &&
	wait_for 15 forgotten_by_all m31 &&
	grep -q "mesh lab: m31 left (its registration expired)" m5.stderr &&
	grep -qE "\[ping\] targets: 0 added, 2 gone .*$(mesh_addr 31)" m5.stderr &&
	wait_for 5 n_is 0 entries m31 &&
	test -z "$(rcli r KEYS "$M:member:m31:*")"
'

test_expect_success 'garbage, an address outside mesh_allow and loopback are never probed, noted once' '
	now=$(date +%s) &&
	reg() { echo "{\"v\":1,\"name\":\"$1\",\"id\":\"00000000000000$2\",\"ipv4\":[\"$3\"],\"ipv6\":[],\"tags\":[],\"ts\":$now}"; } &&
	: "the registrations first, then the set entries, as a member writes them" &&
	rcli r SET "$M:member:evil:00000000000000e1" "{\"v\":1,\"name\":\"evil\",\"ipv4\":[\"10.77.99.2\"]" EX 60 >/dev/null &&
	rcli r SET "$M:member:outside:00000000000000e2" "$(reg outside e2 192.168.77.1)" EX 60 >/dev/null &&
	rcli r SET "$M:member:lo:00000000000000e3" "$(reg lo e3 127.0.0.1)" EX 60 >/dev/null &&
	rcli r SADD "$M:members" evil:00000000000000e1 outside:00000000000000e2 lo:00000000000000e3 "bad}name" >/dev/null &&
	wait_for 10 grep -q "ignoring the registration of \"evil\": not a JSON object" m2.stderr &&
	wait_for 10 grep -q "not probing 192.168.77.1 of \"outside\": it is outside mesh_allow" m2.stderr &&
	wait_for 10 grep -q "not probing 127.0.0.1 of \"lo\": it is outside mesh_allow" m2.stderr &&
	sleep 4 &&
	[ "$(grep -c "ignoring the registration of \"evil\"" m2.stderr)" = 1 ] &&
	[ "$(grep -c "not probing 192.168.77.1" m2.stderr)" = 1 ] &&
	! grep -qE "target:(192\.168\.77\.1|127\.0\.0\.1|10\.77\.0\.99)[,|]" dsd.out &&
	"$HOPWATCH" -s "$TRASH/r.sock" mesh lab >grid2 &&
	head -1 grid2 | grep -qx "mesh lab: 32 members, 2 invalid registrations ignored" &&
	grep -qF "  evil: not a JSON object" grid2 &&
	grep -qF "  bad}name: not a member entry (name:id)" grid2 &&
	rcli r DEL "$M:member:evil:00000000000000e1" "$M:member:outside:00000000000000e2" \
		"$M:member:lo:00000000000000e3" >/dev/null &&
	rcli r SREM "$M:members" "bad}name" >/dev/null
'

test_expect_success 'two hosts claiming one name: both noted, the second never a target' '
	mesh_conf 32 m3 >dup.conf && mesh_daemon 32 dup.conf dup &&
	wait_for 15 grep -q "another hopwatchd (id [0-9a-f]*; ours is [0-9a-f]*) registers as \"m3\" too" m3.stderr &&
	wait_for 15 grep -q "another hopwatchd (id [0-9a-f]*; ours is [0-9a-f]*) registers as \"m3\" too" dup.stderr &&
	wait_for 15 grep -q "two hosts register as \"m3\" (ids [0-9a-f]* and [0-9a-f]*): keeping the first" m9.stderr &&
	"$HOPWATCH" -s "$TRASH/r.sock" mesh lab >grid3 &&
	grep -E "^  m3: id [0-9a-f]{16} registers a name id [0-9a-f]{16} registers too" grid3 &&
	sleep 3 &&
	stop dup &&
	! grep -qE "target:$(mesh_addr 32)[,|]" dsd.out &&
	! grep -q "$(mesh_addr 32)" m9.stderr &&
	rcli r HGET "$M:results:m9" ping:m3 | grep -qF "\"ip\":\"$(mesh_addr 3)\""
'

test_expect_success 'a reload renaming an instance: new targets at once, the old results go' '
	sed "s/name = \"ping\"/name = \"ping2\"/" m2.conf >m2.new && mv m2.new m2.conf &&
	kill -HUP "$(cat m2.pid)" &&
	wait_for 10 grep -q "reloaded" m2.stderr &&
	wait_for 15 n_is $((2 * (N - 1))) sh -c "redis-cli -s $TRASH/r.sock HKEYS \"$M:results:m2\" | grep -c \"^ping2\(/v6\)\?:\"" &&
	wait_for 15 n_is 0 sh -c "redis-cli -s $TRASH/r.sock HKEYS \"$M:results:m2\" | grep -c \"^ping\(/v6\)\?:\" || true"
'

test_expect_success 'bad mesh settings are refused with file:line' '
	cat >bad.conf <<-EOF &&
	redis = { socket = "$TRASH/r.sock"; };
	mesh = { ttl = "1s"; addresses = [ "10.0.0.05", "::FFFF:1.2.3.4" ]; tags = [ "a b" ]; };
	probes = (
	  { name = "a"; plugin = "icmp"; mesh = "dc 1"; mesh_allow = [ "10.0.0.1/8" ]; },
	  { name = "b"; plugin = "tcp"; mesh = "dc1"; },
	  { name = "c"; plugin = "icmp"; mesh = "dc1"; targets = [ "10.0.0.1" ]; },
	  { name = "d"; plugin = "icmp"; mesh_allow = [ "10.0.0.0/8" ]; targets = [ "10.0.0.1" ]; },
	  { name = "e"; plugin = "icmp"; mesh = "dc1"; family = "ipv4"; mesh_allow = [ "fd00::/8" ]; }
	);
	EOF
	test_must_fail "$HOPWATCHD" -t -c bad.conf -P "$PLUGIN_DIR" 2>err &&
	cat err &&
	grep -qF "bad.conf:2: mesh.ttl: must be from 3s to 3600s" err &&
	grep -qF "bad.conf:2: mesh.addresses[0]: address \"10.0.0.05\" is not an IPv4 or IPv6 address" err &&
	grep -qF "mesh.addresses[1]: address \"::FFFF:1.2.3.4\" is not written canonically" err &&
	grep -qF "bad.conf:2: mesh.tags[0]: tag \"a b\"" err &&
	grep -qF "bad.conf:4: probes[0].mesh: \"dc 1\": use 1 to 64 letters" err &&
	grep -qF "bad.conf:4: probes[0].mesh_allow[0]: CIDR \"10.0.0.1/8\" has bits set after its prefix length" err &&
	grep -qF "bad.conf:5: probes[1].mesh: plugin tcp needs a port: set mesh_port" err &&
	grep -qF "bad.conf:6: probes[2].targets: a probe takes targets or mesh = \"dc1\", not both" err &&
	grep -qF "bad.conf:7: probes[3].mesh_allow: is for a mesh probe" err &&
	grep -qF "bad.conf:8: probes[4].mesh_allow: CIDR \"fd00::/8\" is of the other family" err &&
	cat >bad2.conf <<-EOF &&
	redis = { socket = "$TRASH/r.sock"; };
	mesh = { addresses = [ "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6",
	                       "10.0.0.7", "10.0.0.8", "10.0.0.9", "10.0.0.1", "224.0.0.1", "0.0.0.0", "ff02::1" ]; };
	probes = ( { name = "a"; plugin = "icmp"; mesh = "dc1"; expire = "1m"; },
	           { name = "b"; plugin = "icmp"; targets = [ "10.0.0.1" ]; max_targets = 5; } );
	EOF
	test_must_fail "$HOPWATCHD" -t -c bad2.conf -P "$PLUGIN_DIR" 2>err3 &&
	cat err3 &&
	grep -qF "bad2.conf:3: mesh.addresses[10]: address \"224.0.0.1\" is not a unicast address" err3 &&
	grep -qF "bad2.conf:3: mesh.addresses[11]: address \"0.0.0.0\" is not a unicast address" err3 &&
	grep -qF "bad2.conf:3: mesh.addresses[12]: address \"ff02::1\" is not a unicast address" err3 &&
	grep -qF "bad2.conf:2: mesh.addresses: lists more than 8 IPv4 addresses" err3 &&
	grep -qF "bad2.conf:2: mesh.addresses: lists 10.0.0.1 twice" err3 &&
	grep -qF "bad2.conf:4: probes[0].expire: is for targets_from" err3 &&
	grep -qF "bad2.conf:5: probes[1].max_targets: is for targets from a source" err3 &&
	printf "probes = ( { name = \"a\"; plugin = \"icmp\"; mesh = \"dc1\"; } );\n" >noredis.conf &&
	test_must_fail "$HOPWATCHD" -t -c noredis.conf -P "$PLUGIN_DIR" 2>err2 &&
	grep -qF "noredis.conf:1: probes[0].mesh: a mesh lives in Redis" err2
'

test_expect_success 'every member stops cleanly; every line sent parsed' '
	for i in $(seq 1 $N); do stop m$i >/dev/null || { echo "m$i"; cat m$i.stderr | tail -5; exit 1; }; done &&
	stop dsd &&
	grep -c "^hopwatch.icmp.loss:0|g|.*peer:m" dsd.out
'

test_done
