#!/bin/bash
# t3030: ECMP (tb_route ecmp: different flows take different branches, one
# flow always the same) and path changes (tb_route alt/main) as traceroute
# sees them, IPv4 and IPv6.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip ping traceroute

# unlimited ICMP: 16 flows and repeated traceroutes check ECMP hashing,
# which needs every hop of every trace; rate limits are t3040's business.
TB_ICMP_PROFILE=unlimited tb_chain a 3 1 || { echo "Bail out! tb_chain failed"; exit 1; }

# hop2 FAM SPORT: the address at TTL 2 for the UDP flow from SPORT to port 53
hop2() {
	tb_exec src traceroute -$1 -n -U -p 53 --sport="$2" -q 1 -w 1 -f 2 -m 2 \
		"$(tb_addr d1 $1)" | awk 'NR > 1 { print $2 }'
}

test_expect_success 'tb_route r2 ecmp: tb_hops lists both branches' '
	tb_route r2 ecmp &&
	test "$(tb_hops d1 | sed -n 2p)" = "$(tb_addr r2)|$(tb_addr t2)" &&
	test "$(tb_hops d1 6 | sed -n 2p)" = "$(tb_addr r2 6)|$(tb_addr t2 6)" &&
	test "$(tb_addr t2)" = 10.1.2.2
'

for fam in 4 6; do
	test_expect_success "ECMP: traceroute matches tb_hops (IPv$fam)" '
		for mode in -I -U ""; do
			tb_exec src traceroute -$fam -n -q 1 -w 1 $mode "$(tb_addr d1 $fam)" >out &&
			cat out && tb_trace_match d1 $fam <out || exit 1
		done
	'

	test_expect_success "ECMP: 16 flows see both branches (IPv$fam)" '
		for p in $(seq 40000 40015); do hop2 $fam $p; done | sort | uniq -c >seen &&
		cat seen &&
		grep -q " $(tb_addr r2 $fam)\$" seen &&
		grep -q " $(tb_addr t2 $fam)\$" seen &&
		test $(wc -l <seen) = 2
	'

	test_expect_success "ECMP: one flow always takes the same branch (IPv$fam)" '
		for p in 40001 40002 40003; do
			for i in 1 2 3 4 5 6; do hop2 $fam $p; done | sort -u >seen &&
			test $(wc -l <seen) = 1 || exit 1
		done
	'
done

test_expect_success 'tb_route r2 alt: hop 2 changes, both families' '
	tb_route r2 alt &&
	test "$(tb_hops d1 | sed -n 2p)" = "$(tb_addr t2)" &&
	for fam in 4 6; do
		tb_exec src traceroute -$fam -n -q 1 -w 1 "$(tb_addr d1 $fam)" >out &&
		cat out && tb_trace_match d1 $fam <out &&
		grep "^ 2  $(tb_addr t2 $fam) " out || exit 1
	done
'

test_expect_success 'in alt mode r2 forwards nothing, either way' '
	tb_exec r2 nft add table inet cnt &&
	tb_exec r2 nft add chain inet cnt f "{ type filter hook forward priority 0; }" &&
	tb_exec r2 nft add rule inet cnt f counter &&
	tb_exec src ping -n -c 5 -i 0.05 -W 2 "$(tb_addr d1)" &&
	tb_exec src ping -6 -n -c 5 -i 0.05 -W 2 "$(tb_addr d1 6)" &&
	tb_exec r2 nft list chain inet cnt f | grep "counter packets 0 " &&
	tb_exec r2 nft delete table inet cnt
'

test_expect_success 'tb_route r2 main: back to r2' '
	tb_route r2 main &&
	for fam in 4 6; do
		tb_exec src traceroute -$fam -n -q 1 -w 1 "$(tb_addr d1 $fam)" >out &&
		cat out && tb_trace_match d1 $fam <out &&
		grep "^ 2  $(tb_addr r2 $fam) " out || exit 1
	done
'

test_expect_success 'route change at the first hop (src default route)' '
	tb_route r1 alt &&
	test "$(tb_hops d1 | head -n 1)" = "$(tb_addr t1)" &&
	for fam in 4 6; do
		tb_exec src traceroute -$fam -n -q 1 -w 1 "$(tb_addr d1 $fam)" >out &&
		cat out && tb_trace_match d1 $fam <out || exit 1
	done &&
	tb_route r1 main
'

test_expect_success 'twins next to each other: alt at 1 and 2 goes t1 r2' '
	tb_route r1 alt && tb_route r2 alt &&
	tb_hops d1 >hops && cat hops &&
	test "$(sed -n 1,2p hops | paste -sd " ")" = "$(tb_addr t1) $(tb_addr r2)" &&
	tb_exec src traceroute -n -q 1 -w 1 "$(tb_addr d1)" >out &&
	cat out && tb_trace_match d1 4 <out &&
	tb_route r1 main && tb_route r2 main
'

for fam in 4 6; do
	test_expect_success "a route change under a running ping loses little (IPv$fam)" '
		tb_exec src ping -$fam -n -q -c 300 -i 0.005 -W 1 "$(tb_addr d1 $fam)" >out &
		sleep 0.5 && tb_route r2 alt && sleep 0.5 && tb_route r2 main &&
		wait && cat out &&
		loss=$(sed -n "s/.* \([0-9.]*\)% packet loss.*/\1/p" out) &&
		awk "BEGIN { exit !($loss <= 3) }"
	'
done

test_expect_success 'tb_route refuses the last router and hosts' '
	test_must_fail tb_route r3 alt 2>/dev/null &&
	test_must_fail tb_route d1 alt 2>/dev/null &&
	test_must_fail tb_route r1 sideways 2>/dev/null
'

test_expect_success 'cleanup removes the twins too' '
	tb_cleanup &&
	test -z "$(tb_names)"
'

test_done
