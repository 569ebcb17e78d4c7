#!/bin/bash
# t3040: silent and rate-limited routers, TCP listener / closed / filtered
# ports, many addresses on one host, and that everything is cleaned up,
# also when a script fails or is killed.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip ping traceroute nft timeout
test -x "$TOOLS/hwlisten" || skip_all "t/tools/hwlisten not built"
test -x "$TOOLS/hwdelay" || skip_all "t/tools/hwdelay not built"

tb_chain a 3 1 || { echo "Bail out! tb_chain failed"; exit 1; }

# tcp_try NODE ADDR PORT: connect from src; prints open, closed or filtered
tcp_try() {
	local out rc
	out=$(tb_exec src timeout 2 bash -c "exec 3<>/dev/tcp/$2/$3" 2>&1)
	rc=$?
	if [ $rc = 0 ]; then echo open
	elif [ $rc = 124 ]; then echo filtered
	elif echo "$out" | grep -q "Connection refused"; then echo closed
	else echo "error: $out"; fi
}

# ttl_errors FAM TTL: how many of 50 pings to d1 got a time exceeded back
ttl_errors() {
	tb_exec src ping -$1 -n -c 50 -i 0.01 -W 1 -t $2 "$(tb_addr d1 $1)" |
		grep -c "^From .*[Tt]ime"
}

for fam in 4 6; do
	test_expect_success "silent r2 shows * at TTL 2 (IPv$fam)" '
		tb_silent r2 &&
		test "$(tb_hops d1 $fam | sed -n 2p)" = "*" &&
		for mode in -I ""; do
			tb_exec src traceroute -$fam -n -q 1 -w 1 $mode "$(tb_addr d1 $fam)" >out &&
			cat out && tb_trace_match d1 $fam <out &&
			grep "^ 2  \*" out || exit 1
		done &&
		tb_exec src ping -$fam -n -c 1 -W 2 "$(tb_addr r2 $fam)"
	'

	test_expect_success "tb_silent r2 off: r2 answers again (IPv$fam)" '
		tb_silent r2 off &&
		tb_exec src traceroute -$fam -n -q 1 -w 1 "$(tb_addr d1 $fam)" >out &&
		cat out && tb_trace_match d1 $fam <out &&
		grep "^ 2  $(tb_addr r2 $fam) " out
	'

	# 50 pings at TTL 2 in 0.5 s: the kernel's bucket per destination
	# holds 6 and refills every 1000 ms (v4) or this kernel's
	# net.ipv6.icmp.ratelimit (100 ms here, 1000 ms before 2026), so a
	# burst then few; r1 forwards all 50
	test_expect_success "the kernel's ICMP rate limit by default: a burst, then few (IPv$fam)" '
		test "$(tb_exec r2 sysctl -n net.ipv4.icmp_ratelimit)" = 1000 &&
		n=$(ttl_errors $fam 2) && echo "$n time exceeded" &&
		test $n -ge 1 && test $n -le 20
	'

	test_expect_success "tb_icmp_profile r2 unlimited: 50 of 50 (IPv$fam)" '
		tb_icmp_profile r2 unlimited &&
		test $(ttl_errors $fam 2) = 50
	'

	test_expect_success "tb_ratelimit r2 1000: a burst, then few (IPv$fam)" '
		tb_ratelimit r2 1000 &&
		n=$(ttl_errors $fam 2) && echo "$n time exceeded" &&
		test $n -ge 1 && test $n -le 20 &&
		tb_icmp_profile r1 unlimited &&
		test $(ttl_errors $fam 1) = 50
	'

	test_expect_success "tb_ratelimit r2 off lifts it (IPv$fam)" '
		tb_ratelimit r2 off &&
		test $(ttl_errors $fam 2) = 50
	'

	# strict: 10 a second after a burst of 10 for the whole router; 50
	# at 100/s over 0.5 s get the burst and about 5 more.  The kernel's
	# per-destination bucket no longer limits time exceeded, but still
	# port unreachables (d1 is not strict).
	test_expect_success "tb_icmp_profile r2 strict: a burst of 10, then 10/s (IPv$fam)" '
		tb_icmp_profile r2 strict &&
		n=$(ttl_errors $fam 2) && echo "$n time exceeded" &&
		test $n -ge 9 && test $n -le 25 &&
		tb_exec r2 nft list table inet tbicmp | grep "limit rate over 10/second burst 10 packets" &&
		tb_icmp_profile r2 linux &&
		! tb_exec r2 nft list table inet tbicmp 2>/dev/null &&
		sleep 1.5 && n=$(ttl_errors $fam 2) && echo "$n time exceeded (linux again)" &&
		test $n -ge 1 && test $n -le 20
	'
done

test_expect_success 'tb_listen, closed port and tb_filter' '
	tb_listen d1 8080 8443 &&
	tb_filter d1 8082 &&
	for fam in 4 6; do
		a=$(tb_addr d1 $fam) &&
		test "$(tcp_try src $a 8080)" = open &&
		test "$(tcp_try src $a 8443)" = open &&
		test "$(tcp_try src $a 8081)" = closed &&
		test "$(tcp_try src $a 8082)" = filtered || exit 1
	done
'

test_expect_success 'traceroute -T reaches the listener and the closed port' '
	for p in 8080 8081; do
		tb_exec src traceroute -n -q 1 -w 1 -T -p $p "$(tb_addr d1)" >out &&
		cat out && tb_trace_match d1 4 <out || exit 1
	done
'

test_expect_success 'tb_filter d1 (no port) opens the port again' '
	tb_filter d1 &&
	test "$(tcp_try src $(tb_addr d1) 8082)" = closed
'

# the profile of a topology: from TB_ICMP_PROFILE, for every node, also
# a twin tb_route makes later; a bad one is refused
test_expect_success 'TB_ICMP_PROFILE=strict: every node, and a later twin, strict' '
	(
		TB_ICMP_PROFILE=strict tb_chain p 2 1 &&
		tb_route r1 ecmp &&
		for n in src r1 r2 t1 d1; do
			test "$(cat "$TB_DIR/p/icmp.$n")" = strict &&
			tb_exec p:$n nft list table inet tbicmp >/dev/null || exit 1
		done &&
		test "$(tb_exec p:t1 sysctl -n net.ipv4.icmp_ratemask)" = 4120 &&
		tb_icmp_profile p:all unlimited &&
		test "$(tb_exec p:t1 sysctl -n net.ipv4.icmp_ratemask)" = 0 &&
		! tb_exec p:t1 nft list table inet tbicmp 2>/dev/null &&
		test_must_fail tb_icmp_profile p:r1 lenient &&
		! TB_ICMP_PROFILE=lenient tb_chain q 1 1 &&
		! test -e "$TB_DIR/q" &&
		tb_cleanup p
	)
'

test_expect_success 'tb_many: d1 answers a whole IPv4 /16' '
	test "$(tb_many d1)" = 172.17.0.0/16 &&
	test "$(tb_many_addr d1 258)" = 172.17.1.2 &&
	for i in 1 258 4097 $((RANDOM % 65000 + 1)) $((RANDOM % 65000 + 1)) 65534; do
		tb_exec src ping -n -c 1 -W 2 "$(tb_many_addr d1 $i)" | grep "bytes from $(tb_many_addr d1 $i):" || exit 1
	done &&
	test "$(tcp_try src $(tb_many_addr d1 999) 8080)" = open
'

test_expect_success 'tb_many: d1 answers an IPv6 /112' '
	test "$(tb_many d1 6)" = fd01:1::/112 &&
	test "$(tb_many_addr d1 255 6)" = fd01:1::ff &&
	for i in 1 $((RANDOM % 65000 + 1)) 65534; do
		tb_exec src ping -6 -n -c 1 -W 2 "$(tb_many_addr d1 $i 6)" || exit 1
	done
'

test_expect_success 'traceroute to a many-address: the chain, then the address' '
	t=$(tb_many_addr d1 12345) &&
	tb_exec src traceroute -n -q 1 -w 1 "$t" >out && cat out &&
	tb_hops d1 | head -n -1 >expect && echo "$t" >>expect &&
	awk "NR > 1 { print \$2 }" out >got &&
	cmp expect got
'

test_expect_success 'tb_cleanup stops hwdelay and hwlisten, removes all' '
	tb_delay r2 1 &&
	pids="$(ip netns pids $(tb_ns r2)) $(ip netns pids $(tb_ns d1))" &&
	echo "pids: $pids" &&
	test $(echo $pids | wc -w) = 2 &&
	tb_cleanup &&
	test -z "$(tb_names)" &&
	for p in $pids; do ! tb_pid_alive $p || exit 1; done
'

# a child script that builds topologies and then fails / is killed
cat >"$TRASH/child.sh" <<EOF_CHILD
. "$SRCDIR/t/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
tb_chain c 2 1 || exit 3
( tb_chain s 1 1 ) # made in a subshell: only tb_cleanup_all knows it
echo "\$HW_ID" >"$TRASH/child.id"
tb_delay r1 1
tb_listen d1 80
test "\${1:-}" = sleep && { sleep 30 & wait; }
exit 1
EOF_CHILD
cat >"$TRASH/child-demo.sh" <<EOF_CHILD
# without test-lib.sh, as make demo would use it
. "$SRCDIR/t/lib/testbed.sh"
tb_chain c 2 1 || exit 3
echo "\$HW_ID" >"$TRASH/child.id"
tb_listen d1 80
sleep 30 &
wait
EOF_CHILD

test_expect_success 'a failing script leaves no namespace behind' '
	rm -f child.id &&
	test_must_fail bash child.sh &&
	id=$(cat child.id) && test -n "$id" &&
	! ip netns list | grep "^tb$id-"
'

for script in child.sh child-demo.sh; do
	test_expect_success "a killed script leaves nothing behind ($script)" '
		rm -f child.id &&
		{ bash $script sleep >/dev/null 2>&1 & } &&
		pid=$! &&
		wait_for 10 test -s child.id &&
		id=$(cat child.id) &&
		ip netns list | grep "^tb$id-" &&
		kill -TERM $pid &&
		wait_for 10 eval "! tb_pid_alive $pid" &&
		wait_for 5 sh -c "! ip netns list | grep -q \"^tb$id-\""
	'
done

test_done
