#!/bin/bash
# t7130-cli-fleet: the `hopwatch` CLI reading a fleet (issue 17, part 5)
# from real Redis servers started here on loopback:
# - a Redis Cluster of 3 primaries, several hosts' keys stored by slot
#   (so on every primary): paths --source '*' lists them all from any
#   node; show, history and --json read each key from its owner; a slot
#   being migrated (ASK) and a node with an old slot map (MOVED, from
#   t/lib/fakemoved.py) are followed; watch sees a change published on
#   another node; a primary down: exit 1 naming the node, no crash; watch
#   whose node dies reconnects to another node of the slot map;
# - Sentinel: the primary asked of the sentinels (--sentinel, or
#   redis.sentinels in -c), a dead sentinel passed over, every sentinel
#   dead: exit 1 naming each;
# - history and watch show the other changes (hw_change_report, a dns
#   plugin's dns_answer) as well as path changes.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/redis.sh"
. "$SRCDIR/t/lib/cluster.sh"

require_cmd python3
[ -x "$HOPWATCH" ] || skip_all "src/hopwatch is not built (run make)"
NOW=$(date +%s)

# exit_is N CMD...: CMD exits with status N.
exit_is() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	[ "$rc" = "$want" ] || { echo "exit status $rc, not $want: $*" >&2; return 1; }
}

# c ARGS...: redis-cli -c on the cluster (any live node)
c() {
	local p
	p=$(cluster_live c) || return 1
	redis-cli -c -h 127.0.0.1 -p "$p" "$@"
}
# store CLI HOST: a path of HOST (probe tr, target 10.0.0.1), one path
# change in its stream, and a dns target with a dns_answer change only
store() {
	local cli=$1 h=$2
	$cli HSET "hopwatch:path:{$h}:tr:10.0.0.1" ts "$NOW" target_ip 10.0.0.1 protocol icmp reached 1 \
		duration_ms 1.5 hops "10.1.0.1,10.1.0.2,10.0.0.1" rtt "0.3,1.25,2.5" rtt_min "0.1,1,2" \
		rtt_max "0.5,1.5,3" loss "0,0,0" confirmed "10.1.0.1,10.1.0.2,10.0.0.1" changed "$NOW" >/dev/null &&
	$cli XADD "hopwatch:changes:{$h}:tr:10.0.0.1" "$((NOW * 1000))-0" ts "$NOW" target_ip 10.0.0.1 \
		old "10.1.0.1,10.9.0.2,10.0.0.1" new "10.1.0.1,10.1.0.2,10.0.0.1" first_diff_ttl 2 >/dev/null &&
	$cli XADD "hopwatch:changes:{$h}:dns1:example.org" "$((NOW * 1000))-0" kind dns_answer ts "$NOW" \
		target_ip 10.0.0.53 old "192.0.2.1" new "192.0.2.1,192.0.2.2" >/dev/null
}
# owner_port HOST: the primary serving HOST's keys
owner_port() {
	cluster_owner c "{$1}"
}

test_expect_success 'a cluster of 3 primaries; hosts whose keys live on each of them' '
	cluster_start c 3 0 &&
	: >hosts &&
	for i in $(seq 1 40); do
		h=host$i
		o=$(owner_port "$h") && test -n "$o" || exit 1
		# two hosts per primary
		[ "$(grep -c " $o\$" hosts)" -lt 2 ] && echo "$h $o" >>hosts
		[ "$(wc -l <hosts)" = 6 ] && break
	done &&
	cat hosts &&
	test "$(wc -l <hosts)" = 6 &&
	test "$(cut -d" " -f2 hosts | sort -u | wc -l)" = 3 &&
	while read -r h o; do store c "$h" || exit 1; done <hosts
'

N0=$(cluster_port_of c 0 2>/dev/null)
HW() { "$HOPWATCH" -H 127.0.0.1 -p "$N0" "$@"; }

test_expect_success "paths --source '*' lists every host's path, from every primary" '
	HW --source "*" paths >out 2>err &&
	cat out err &&
	while read -r h o; do
		grep -E "^$h +tr +10\.0\.0\.1 +3 +yes " out || exit 1
	done <hosts &&
	test "$(grep -c "^host" out)" = 6 &&
	HW --source "*" --json paths >out.json &&
	python3 -c "
import json, sys
d = json.load(open(\"out.json\"))
assert sorted(p[\"source\"] for p in d[\"paths\"]) == sorted(l.split()[0] for l in open(\"hosts\")), d
"
'

test_expect_success "a pattern of sources: --source 'host1*' lists host1 and host1N only" '
	HW --source "host1*" paths >out &&
	cat out &&
	awk "{ print \$1 }" hosts | grep "^host1" | sort >want &&
	awk "NR > 1 { print \$1 }" out | sort >got &&
	test -s want && cmp want got &&
	test_must_fail HW --source "host1*" show 10.9.9.9 2>err &&
	grep -F "of any host matching host1*" err
'

test_expect_success 'show and history of a host whose keys live on another primary than the one asked' '
	h=$(awk -v n="$N0" "\$2 != n { print \$1; exit }" hosts) && test -n "$h" &&
	HW --source "$h" show 10.0.0.1 >out &&
	cat out &&
	grep -E "^  +2  10\.1\.0\.2 +0\.0% +1\.00 +1\.25 +1\.50$" out &&
	HW --source "$h" history 10.0.0.1 >out &&
	cat out &&
	grep -E ": path changed at TTL 2" out &&
	HW --source "$h" --json show 10.0.0.1 >show.json &&
	cat show.json &&
	grep -F "\"rtt_avg\":0.3," show.json && ! grep -E "[0-9]{12}" show.json
'

test_expect_success 'history shows a dns_answer change (hw_change_report), text and --json' '
	h=$(awk "NR == 3 { print \$1 }" hosts) &&
	HW --source "$h" history example.org >out &&
	cat out &&
	grep -E "^.*  $h dns1/example\.org \(10\.0\.0\.53\): dns_answer changed \[$((NOW * 1000))-0\]$" out &&
	grep -Fx "  old: 192.0.2.1" out &&
	grep -Fx "  new: 192.0.2.1,192.0.2.2" out &&
	HW --source "$h" --json history example.org >h.json &&
	python3 -c "
import json
c = json.load(open(\"h.json\"))[\"changes\"]
assert len(c) == 1 and c[0][\"kind\"] == \"dns_answer\" and c[0][\"old\"] == \"192.0.2.1\", c
assert c[0][\"new\"] == \"192.0.2.1,192.0.2.2\" and c[0][\"target_ip\"] == \"10.0.0.53\", c
"
'

test_expect_success 'watch on one node sees path and other changes published on another' '
	spawn w "$HOPWATCH" -H 127.0.0.1 -p "$N0" --source "*" watch --count 2 --timeout 20 &&
	wait_for 15 grep -q "watching hopwatch:path-changes and hopwatch:changes" w.stderr &&
	other=$(cluster_port_of c 2) &&
	redis-cli -h 127.0.0.1 -p "$other" PUBLISH hopwatch:changes "{\"id\":\"1-0\",\"source\":\"x\",\"probe\":\"dns1\",\"target\":\"example.org\",\"target_ip\":\"10.0.0.53\",\"ts\":$NOW,\"kind\":\"dns_answer\",\"old\":\"a\",\"new\":\"b\"}" &&
	redis-cli -h 127.0.0.1 -p "$other" PUBLISH hopwatch:path-changes "{\"source\":\"x\",\"probe\":\"tr\",\"target\":\"t\",\"old\":[\"10.0.0.1\"],\"new\":[\"10.0.0.2\"],\"first_diff_ttl\":1}" &&
	wait_for 15 test -s w.rc &&
	cat w.stdout w.stderr &&
	test "$(cat w.rc)" = 0 &&
	grep -E " x dns1/example\.org \(10\.0\.0\.53\): dns_answer changed \[1-0\]$" w.stdout &&
	grep -E " x tr/t: path changed at TTL 1$" w.stdout
'

test_expect_success 'a slot being migrated: the key moved to the importing node is read there (ASK)' '
	read -r h src <<-EOF &&
	$(awk -v n="$N0" "\$2 != n { print; exit }" hosts)
	EOF
	dst=$N0 &&
	slot=$(redis-cli -p "$src" CLUSTER KEYSLOT "{$h}") &&
	redis-cli -p "$dst" CLUSTER SETSLOT "$slot" IMPORTING "$(redis-cli -p "$src" CLUSTER MYID)" &&
	redis-cli -p "$src" CLUSTER SETSLOT "$slot" MIGRATING "$(redis-cli -p "$dst" CLUSTER MYID)" &&
	redis-cli -p "$src" MIGRATE 127.0.0.1 "$dst" "hopwatch:path:{$h}:tr:10.0.0.1" 0 5000 &&
	redis-cli -p "$src" EXISTS "hopwatch:path:{$h}:tr:10.0.0.1" &&
	HW --source "$h" show 10.0.0.1 >out 2>err &&
	cat out err &&
	grep -E "^  +3  10\.0\.0\.1 " out &&
	for p in $(port_of c); do redis-cli -p "$p" CLUSTER SETSLOT "$slot" NODE "$(redis-cli -p "$dst" CLUSTER MYID)" >/dev/null; done
'

test_expect_success 'a node whose slot map is out of date: MOVED followed to the owner of each key' '
	fake=$(free_tcp_port) &&
	keys=$(awk "{ printf \"hopwatch:path:{%s}:tr:10.0.0.1 \", \$1 }" hosts) &&
	spawn fake python3 "$SRCDIR/t/lib/fakemoved.py" "$fake" "127.0.0.1:$N0" $keys &&
	wait_for 15 ss_listens "$fake" &&
	"$HOPWATCH" -H 127.0.0.1 -p "$fake" --source "*" paths >out 2>err &&
	cat out err &&
	while read -r h o; do
		grep -E "^$h +tr +10\.0\.0\.1 +3 +yes " out || exit 1
	done <hosts &&
	h=$(awk -v n="$N0" "\$2 != n { print \$1; exit }" hosts) &&
	"$HOPWATCH" -H 127.0.0.1 -p "$fake" --source "$h" show 10.0.0.1 >out &&
	grep -E "^  +2  10\.1\.0\.2 " out &&
	kill "$(cat fake.pid)"
'

test_expect_success 'a primary down: exit 1 with its address, no crash' '
	victim=$(cluster_port_of c 1) &&
	kill -KILL "$(cat c1.pid)" &&
	wait_for 10 sh -c "! redis-cli -p $victim PING" &&
	test_must_fail HW --source "*" paths >out 2>err &&
	cat err &&
	grep -F "127.0.0.1:$victim" err &&
	grep -F "cannot be reached" err &&
	test "$(wc -l <err)" = 1
'

test_expect_success 'watch: its node dies, it reconnects to another node of the slot map and goes on' '
	n2=$(cluster_port_of c 2) &&
	spawn w2 "$HOPWATCH" -H 127.0.0.1 -p "$n2" --source "*" watch --count 1 --timeout 30 &&
	wait_for 15 grep -q "watching hopwatch:path-changes" w2.stderr &&
	kill -KILL "$(cat c2.pid)" &&
	wait_for 10 grep -q "lost Redis at 127.0.0.1:$n2" w2.stderr &&
	wait_for 15 grep -q "reconnected to Redis at 127.0.0.1:$N0" w2.stderr &&
	redis-cli -h 127.0.0.1 -p "$N0" PUBLISH hopwatch:changes "{\"source\":\"x\",\"probe\":\"dns1\",\"target\":\"back\",\"kind\":\"dns_answer\",\"old\":\"a\",\"new\":\"b\"}" &&
	wait_for 15 test -s w2.rc &&
	cat w2.stderr w2.stdout &&
	test "$(cat w2.rc)" = 0 &&
	grep -F "x dns1/back: dns_answer changed" w2.stdout
'

# ---------------------------------------------------------------- Sentinel
test_expect_success 'Sentinel: the primary asked of the sentinels, a dead sentinel passed over' '
	sentinel_start s &&
	store "redis-cli -p $(port_of s-primary)" sh1 &&
	dead=$(free_tcp_port) && echo "$dead" >dead.port &&
	s1=$(port_of s | cut -d" " -f1) &&
	"$HOPWATCH" --sentinel "127.0.0.1:$dead" --sentinel "127.0.0.1:$s1" --master-name hw --source "*" paths >out 2>err &&
	cat out err &&
	grep -E "^sh1 +tr +10\.0\.0\.1 +3 +yes " out &&
	printf "redis = { sentinels = [ \"127.0.0.1:%s\", \"127.0.0.1:%s\" ]; master_name = \"hw\"; };\nhostname = \"sh1\";\n" \
		"$dead" "$s1" >s.conf &&
	"$HOPWATCH" -c s.conf history example.org >out &&
	grep -F "dns_answer changed" out
'

test_expect_success 'Sentinel: every sentinel unreachable, or no such master: exit 1 naming each' '
	dead=$(cat dead.port) && dead2=$(free_tcp_port) &&
	test_must_fail "$HOPWATCH" --sentinel "127.0.0.1:$dead" --sentinel "127.0.0.1:$dead2" --master-name hw paths 2>err &&
	cat err &&
	grep -F "sentinel 127.0.0.1:$dead: " err && grep -F "sentinel 127.0.0.1:$dead2: " err &&
	s1=$(port_of s | cut -d" " -f1) &&
	test_must_fail "$HOPWATCH" --sentinel "127.0.0.1:$s1" --master-name nope paths 2>err &&
	cat err &&
	grep -F "sentinel 127.0.0.1:$s1: knows no primary named \"nope\"" err &&
	exit_is 2 "$HOPWATCH" --sentinel "127.0.0.1:$s1" paths 2>err &&
	grep -F "needs --master-name" err
'

test_done
