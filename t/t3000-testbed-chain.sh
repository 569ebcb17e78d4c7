#!/bin/bash
# t3000: the testbed chain: addresses, ping, traceroute (ICMP, UDP, TCP) in
# both families see exactly the hops tb_hops announces; cleanup is complete.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip ping traceroute

# unlimited ICMP: these tests check the testbed's hops with back-to-back
# traceroutes (8 per family, every TTL at once), which the kernel's
# 1/s-per-source limit would turn into stars; the limits are t3040's.
TB_ICMP_PROFILE=unlimited tb_chain a 3 2 || { echo "Bail out! tb_chain failed"; exit 1; }

test_expect_success 'every node has its namespace' '
	test $(tb_names | wc -l) = 6 &&
	for n in src r1 r2 r3 d1 d2; do tb_names | grep -qx "$(tb_ns $n)"; done
'

test_expect_success 'namespace names fit in 15 bytes' '
	for n in $(tb_names); do test ${#n} -le 15 || exit 1; done
'

test_expect_success 'address plan' '
	test "$(tb_addr src)" = 10.0.0.1 &&
	test "$(tb_addr r1)" = 10.0.0.2 &&
	test "$(tb_addr r3 6)" = fd00:0:2::2 &&
	test "$(tb_addr d1)" = 10.3.0.2 &&
	test "$(tb_addr d2 6)" = fd00:0:4::2 &&
	test "$(tb_addr src 6)" = fd00::1
'

test_expect_success 'the root namespace knows none of the addresses' '
	! ip -4 route get 10.3.0.2 2>/dev/null | grep -q "dev r" &&
	! ip -o addr | grep -q "10\.0\.0\.1/"
'

for fam in 4 6; do
	test_expect_success "ping every node from src (IPv$fam)" '
		for n in r1 r2 r3 d1 d2; do
			tb_exec src ping -$fam -n -c 1 -W 2 "$(tb_addr $n $fam)" || exit 1
		done
	'

	test_expect_success "tb_hops (IPv$fam)" '
		tb_hops d2 $fam >hops &&
		printf "%s\n" $(tb_addr r1 $fam) $(tb_addr r2 $fam) $(tb_addr r3 $fam) \
			$(tb_addr d2 $fam) >expect &&
		cmp hops expect
	'

	for mode in -I -U -T ""; do
		test_expect_success "traceroute $mode to d1 and d2 (IPv$fam)" '
			for d in d1 d2; do
				tb_exec src traceroute -$fam -n -q 1 -w 1 -m 8 $mode \
					"$(tb_addr $d $fam)" >out &&
				cat out &&
				tb_trace_match $d $fam <out || exit 1
			done
		'
	done
done

test_expect_success 'ping ttl 2 gets time exceeded from r2' '
	! tb_exec src ping -n -c 1 -W 2 -t 2 "$(tb_addr d1)" >out &&
	cat out &&
	grep "From $(tb_addr r2) .*Time to live exceeded" out
'

test_expect_success 'a second topology coexists and is separate' '
	(
		tb_chain b 1 1 &&
		test "$(tb_addr b:d1)" = 10.1.0.2 &&
		tb_exec b:src ping -n -c 1 -W 2 "$(tb_addr b:d1)" &&
		tb_cleanup b &&
		test -z "$(tb_names b)" &&
		test $(tb_names a | wc -l) = 6
	)
'

test_expect_success 'tb_cleanup removes every namespace and is idempotent' '
	tb_cleanup a &&
	test -z "$(tb_names a)" &&
	! ip netns list | grep -q "^tb$HW_ID-" &&
	tb_cleanup a
'

test_done
