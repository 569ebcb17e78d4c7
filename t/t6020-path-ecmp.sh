#!/bin/bash
# t6020: the path plugin through an ECMP diamond (tb_route r2 ecmp: hop 2
# is r2 or its twin t2, chosen per flow by an L4 hash of addresses,
# protocol and ports).  Every probe of a trace, and every trace of one
# target, is one flow (Paris traceroute), so ~50 traces of a target show
# one identical path in every protocol and mode; flows that differ (other
# instances: other source ports; other targets: other addresses) spread
# over both branches.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip timeout awk sort
for tool in dsd-recv hwlisten; do
	[ -x "$TOOLS/$tool" ] || skip_all "t/tools/$tool is not built (run make)"
done
[ -e "$PLUGIN_DIR/path.so" ] || skip_all "plugins/path.so is not built (run make)"

# The kernel's default ICMP limits (issue 13): a router answers 6, then 1
# a second per source; a hop a target has not answered yet is borrowed
# (address and RTT) once the other targets agree on it, and udp's
# destination answers its port unreachables 1/s: rounds beyond that carry
# no figure of the end ("=", t/lib/path.sh)
tb_chain e 4 1 || { echo "Bail out! tb_chain failed"; exit 1; }
tb_route r2 ecmp || { echo "Bail out! tb_route failed"; exit 1; }
tb_many d1 4 >/dev/null || { echo "Bail out! tb_many failed"; exit 1; }
tb_listen d1 80 || { echo "Bail out! tb_listen failed"; exit 1; }
STATSD_PORT=8125
D=$(tb_addr d1)
R2=$(tb_addr r2) T2=$(tb_addr t2)

. "$SRCDIR/t/lib/path.sh"

test_expect_success 'the diamond is there: tb_hops has both branches at TTL 2' '
	want d1 && want d1 | grep -F " $R2|$T2 "
'

# 0.3 s apart for 15 s: about 50 traces per instance
test_expect_success '~50 traces of one target: one identical path, every protocol and mode' '
	probes= &&
	for c in icmp:dgram icmp:raw udp:dgram udp:raw tcp:raw; do
		p=${c%:*} m=${c#*:} &&
		probes="$probes${probes:+, }$(probe $p$m $p $m "\"$D$([ $p = icmp ] || echo :80)\"" "max_ttl = 8;")"
	done &&
	write_conf hw.conf 300ms 100ms "$probes" &&
	hw_run hw.conf 15.5 &&
	for c in icmp:dgram icmp:raw udp:dgram udp:raw tcp:raw; do
		p=${c%:*} m=${c#*:} &&
		check_traces $p$m "$D" "$(want d1)" 45 &&
		one_path tr.$p$m || exit 1
	done
'

# 12 instances to the same target: 12 source ports, 12 flows; each one
# stable once it knows its branch router, and together on both branches
# (all on one: 2 in 4096).  12 flows start at once: a flow's first traces
# may not know its branch router yet ("?"), and d1's port unreachables
# (6, then 1/s) leave most rounds without a figure of the end ("="): a
# flow may not get one in 3 s, never a false "not reached"
test_expect_success 'other flows: 12 udp instances (12 source ports) use both branches, each stably' '
	probes= &&
	for i in $(seq 1 12); do
		probes="$probes${probes:+, }$(probe u$i udp raw "\"$D\"" "max_ttl = 8;")"
	done &&
	write_conf hw.conf 500ms 100ms "$probes" &&
	hw_run hw.conf 3.2 &&
	for i in $(seq 1 12); do
		check_traces u$i "$D" "$(want d1 | may_learn 2)" 4 any &&
		learned_once tr.u$i 2 &&
		grep -v "^[^ ]* ? " tr.u$i >tr.k && one_path tr.k || exit 1
	done &&
	# d1 answers the 12 flows 6, then 1 a second: not each may get one
	echo "rounds that measured d1: $(cat tr.u* | grep -vc " =\$")" &&
	test "$(cat tr.u* | grep -vc " =\$")" -ge 6 &&
	! grep "^_sc|hopwatch.path.can_reach|2|" out &&
	cat tr.u* | cut -d" " -f2 | sort | uniq -c &&
	grep -qx "[^ ]* $R2 .*" tr.u* && grep -qx "[^ ]* $T2 .*" tr.u*
'

# one icmp instance, 12 destination addresses (d1 answers a /16): 12 flows
test_expect_success 'other flows: 12 targets of one icmp instance use both branches, each stably' '
	targets= &&
	for i in $(seq 1 12); do targets="$targets${targets:+, }\"$(tb_many_addr d1 $i)\""; done &&
	write_conf hw.conf 500ms 100ms "$(probe i icmp raw "$targets" "max_ttl = 8;")" &&
	hw_run hw.conf 3.2 &&
	for i in $(seq 1 12); do
		a=$(tb_many_addr d1 $i) &&
		check_traces i "$a" "$(want d1 | sed "s/ [^ ]*\$/ $a/" | may_learn 2)" 4 &&
		learned_once tr.i 2 &&
		grep -v "^[^ ]* ? " tr.i >tr.k && one_path tr.k &&
		cut -d" " -f2 tr.k | head -1 >>branches || exit 1
	done &&
	sort branches | uniq -c &&
	grep -qx "$R2" branches && grep -qx "$T2" branches
'

test_done
