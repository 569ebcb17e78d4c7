#!/bin/bash
# t4030: ICMP errors answering echo requests are classified by lib/pkt's
# one table (issue 14, "Also"), in raw and ping-socket mode, IPv4 and
# IPv6: src - r1 - r2 - d1, d1 answering a whole prefix (tb_many); r2
# rejects echo requests to some of its addresses as firewalls do:
#   .1  answered                                  no icmp.results (replies are icmp.received)
#   .4  admin-prohibited (v6 1/1)                 result:unreachable, prohibited
#   .5  net unreachable (v6 no route)             result:unreachable, no_route
#   .7  host unreachable (v6 address unreachable) result:unreachable, host_unreachable
#   .8  r1 sets TTL / hop limit 1 as it receives: result:unreachable, time_exceeded
#       r1 says time exceeded
#   .9  dropped                                   result:timeout
# The service check names the class and the router that sent the error,
# like fping's "ICMP Host Unreachable from ...".
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip nft timeout
[ -x "$TOOLS/dsd-recv" ] || skip_all "t/tools/dsd-recv is not built (run make)"
[ -e "$PLUGIN_DIR/icmp.so" ] || skip_all "plugins/icmp.so is not built (run make)"

# unlimited ICMP: every request must get its error (one check per class); under
# the kernel's limit, errors r2 does not send read, truly, as timeouts.
TB_ICMP_PROFILE=unlimited tb_chain a 2 1 || { echo "Bail out! tb_chain failed"; exit 1; }
tb_many d1 4 >/dev/null && tb_many d1 6 >/dev/null || { echo "Bail out! tb_many failed"; exit 1; }
STATSD_PORT=8125
for i in 1 4 5 7 8 9; do
	eval "A4_$i=$(tb_many_addr d1 $i 4) A6_$i=$(tb_many_addr d1 $i 6)"
done
R4=$(tb_addr r2 4)
R6=$(tb_addr r2 6)
T4=$(tb_addr r1 4)
T6=$(tb_addr r1 6)

tb_exec r2 nft -f - <<EOF || { echo "Bail out! nft on r2 failed"; exit 1; }
table inet t4030 {
	chain forward_t4030 {
		type filter hook forward priority 0; policy accept;
		ip daddr $A4_4 icmp type echo-request reject with icmp type admin-prohibited
		ip6 daddr $A6_4 icmpv6 type echo-request reject with icmpv6 type admin-prohibited
		ip daddr $A4_5 icmp type echo-request reject with icmp type net-unreachable
		ip6 daddr $A6_5 icmpv6 type echo-request reject with icmpv6 type no-route
		ip daddr $A4_7 icmp type echo-request reject with icmp type host-unreachable
		ip6 daddr $A6_7 icmpv6 type echo-request reject with icmpv6 type addr-unreachable
		ip daddr $A4_9 drop
		ip6 daddr $A6_9 drop
	}
}
EOF
tb_exec r1 nft -f - <<EOF || { echo "Bail out! nft on r1 failed"; exit 1; }
table inet t4030 {
	chain prerouting_t4030 {
		type filter hook prerouting priority -150; policy accept;
		ip daddr $A4_8 ip ttl set 1
		ip6 daddr $A6_8 ip6 hoplimit set 1
	}
}
EOF

. "$SRCDIR/t/lib/icmp.sh"

# results TARGET: the result kinds of icmp.results, sorted and unique
results() { lines icmp.results "$1" | sed 's/.*result:\([a-z]*\).*/\1/' | sort -u | paste -sd, -; }

# check TARGET RESULT STATUS REASON: every round gave RESULT alone; every
# service check has STATUS and REASON
check() {
	echo "$1: results $(results "$1"), want $2"
	test "$(results "$1")" = "$2" &&
	test "$(lines icmp.can_reach "$1" | wc -l)" -ge 2 &&
	! lines icmp.can_reach "$1" | grep -v "^_sc|hopwatch.icmp.can_reach|$3|.*$4"
}

for mode in raw dgram; do
	test_expect_success "$mode: run against every answer, IPv4 and IPv6" '
		t= && for i in 1 4 5 7 8 9; do eval "t=\"\$t\\\"\$A4_$i\\\", \\\"\$A6_$i\\\", \""; done &&
		write_conf hw.conf 1s 300ms "mode = \"'$mode'\"; count = 2; spacing = \"100ms\";" "${t%, }" &&
		run_hopwatchd "$(tb_ns src)" hw.conf 2.7 && cp out out.'$mode'
	'
	for fam in 4 6; do
		eval "R=\$R$fam T=\$T$fam"
		test_expect_success "$mode v$fam: echo reply: no icmp.results line, received, OK" '
			cp out.'$mode' out && eval "a=\$A'$fam'_1" && check $a "" 0 "0 of 2 echo requests" &&
			test "$(values icmp.received $a | sort -u)" = 2
		'
		test_expect_success "$mode v$fam: admin-prohibited: unreachable (prohibited from r2)" '
			cp out.'$mode' out && eval "a=\$A'$fam'_4" && check $a unreachable 2 "2 unreachable (prohibited from '$R')"
		'
		test_expect_success "$mode v$fam: no route: unreachable (no_route from r2)" '
			cp out.'$mode' out && eval "a=\$A'$fam'_5" && check $a unreachable 2 "2 unreachable (no_route from '$R')"
		'
		test_expect_success "$mode v$fam: host unreachable: unreachable (host_unreachable from r2)" '
			cp out.'$mode' out && eval "a=\$A'$fam'_7" && check $a unreachable 2 "2 unreachable (host_unreachable from '$R')"
		'
		test_expect_success "$mode v$fam: time exceeded: unreachable (time_exceeded from r1)" '
			cp out.'$mode' out && eval "a=\$A'$fam'_8" && check $a unreachable 2 "2 unreachable (time_exceeded from '$T')"
		'
		test_expect_success "$mode v$fam: dropped: timeout, 100% loss" '
			cp out.'$mode' out && eval "a=\$A'$fam'_9" && check $a timeout 2 "2 of 2 echo requests to $a lost\$" &&
			test "$(values icmp.loss $a | sort -u)" = 100
		'
	done
done

test_done
