#!/bin/bash
# t5030: every answer a tcp probe can get, classified by lib/pkt's one
# table (pkt_tcp_table, pkt_icmp_table), in both modes and both families
# (issue 14, items 2 and 3).  src - r1 - r2 - d1; r2 answers for d1 as
# firewalls do, one port per answer:
#   7001 open (hwlisten)                        -> open
#   7002 closed: d1's kernel sends RST+ACK      -> refused
#   7003 closed, r2 turns the RST+ACK bare      -> refused (syn); connect:
#        (ACK flag off, ack 0)                     timeout (the kernel drops
#                                                  a bare RST in SYN-SENT)
#   7009 dropped by d1                          -> timeout
#   7004 ICMP admin-prohibited (v6 1/1)         -> unreachable, prohibited
#   7005 ICMP net unreachable (v6 no route)     -> unreachable, no_route
#   7006 ICMP port unreachable (v6 1/4)         -> unreachable, port_unreachable
#   7007 ICMP host unreachable (v6 address)     -> unreachable, host_unreachable
#   7008 r1 sets TTL / hop limit 1: r2 says     -> unreachable, time_exceeded
#        time exceeded
# Connect mode reads the error queue (IP_RECVERR/IPV6_RECVERR), so ICMPv6
# answers end the probe at once, well within the 500 ms timeout.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip nft timeout
. "$SRCDIR/t/lib/tcp.sh"
# unlimited ICMP: every probe must get its error (one check per answer); under
# the kernel's limit, errors r2 does not send read, truly, as timeouts.
TB_ICMP_PROFILE=unlimited tcp_testbed

tb_exec r2 nft -f - <<EOF || { echo "Bail out! nft on r2 failed"; exit 1; }
table inet t5030 {
	chain forward_t5030 {
		type filter hook forward priority 0; policy accept;
		tcp sport 7003 tcp flags & (rst | ack) == (rst | ack) tcp flags set rst tcp ackseq set 0
		ip daddr $D4 tcp dport 7004 reject with icmp type admin-prohibited
		ip6 daddr $D6 tcp dport 7004 reject with icmpv6 type admin-prohibited
		ip daddr $D4 tcp dport 7005 reject with icmp type net-unreachable
		ip6 daddr $D6 tcp dport 7005 reject with icmpv6 type no-route
		ip daddr $D4 tcp dport 7006 reject with icmp type port-unreachable
		ip6 daddr $D6 tcp dport 7006 reject with icmpv6 type port-unreachable
		ip daddr $D4 tcp dport 7007 reject with icmp type host-unreachable
		ip6 daddr $D6 tcp dport 7007 reject with icmpv6 type addr-unreachable
	}
}
EOF
tb_exec r1 nft -f - <<EOF || { echo "Bail out! nft on r1 failed"; exit 1; }
table inet t5030 {
	chain prerouting_t5030 {
		type filter hook prerouting priority -150; policy accept;
		ip daddr $D4 tcp dport 7008 ip ttl set 1
		ip6 daddr $D6 tcp dport 7008 ip6 hoplimit set 1
	}
}
EOF

PORTS="7001 7002 7003 7009 7004 7005 7006 7007 7008"

# write_conf FILE MODE: one tcp probe "t" to every port of d1, both families
write_conf() {
	local p t=
	for p in $PORTS; do
		t="$t\"$D4:$p\", \"[$D6]:$p\", "
	done
	cat >"$1" <<-EOF
	interval = "1s";
	timeout = "500ms";
	statsd = { url = "udp://127.0.0.1:$STATSD_PORT"; telemetry_interval = 0; };
	probes = ( { name = "t"; plugin = "tcp"; mode = "$2"; count = 2; spacing = "100ms";
	  targets = ( ${t%, } ); } );
	EOF
}

hw_run() { run_hopwatchd "$(tb_ns src)" "$@"; }


# check ADDR PORT RESULT [STATUS REASON]: every round gave RESULT and only
# it; the service check has STATUS and names REASON
check() {
	local got
	got=$(results "$1" "$2")
	echo "$1 port $2: results $got, want $3"
	test "$got" = "$3" || return 1
	[ $# -gt 3 ] || return 0
	lines tcp.can_connect "$1" "$2" | grep -v "^_sc|hopwatch.tcp.can_connect|$4|" && return 1
	lines tcp.can_connect "$1" "$2" | grep -q "$5"
}

for mode in connect syn; do
	test_expect_success "$mode: run against every answer, IPv4 and IPv6" '
		write_conf hw.conf '$mode' &&
		hw_run hw.conf 2.7 && cp out out.'$mode'
	'
	for fam in 4 6; do
		eval "D=\$D$fam"
		test_expect_success "$mode v$fam: SYN/ACK: open" '
			cp out.'$mode' out && check '$D' 7001 open 0 "port open"
		'
		test_expect_success "$mode v$fam: RST+ACK: refused" '
			cp out.'$mode' out && check '$D' 7002 refused 2 "refused"
		'
		if [ $mode = syn ]; then
			test_expect_success "$mode v$fam: bare RST: refused, with its RTT" '
				cp out.'$mode' out && check '$D' 7003 refused 2 "refused" &&
				test "$(all_values tcp.loss '$D' 7003 | sort -u)" = 0 &&
				lines tcp.rtt '$D' 7003
			'
		else
			test_expect_success "$mode v$fam: bare RST: the kernel drops it in SYN-SENT: timeout" '
				cp out.'$mode' out && check '$D' 7003 timeout 2 "no answer"
			'
		fi
		test_expect_success "$mode v$fam: dropped: timeout, 100% loss" '
			cp out.'$mode' out && check '$D' 7009 timeout 2 "no answer within 0.5s" &&
			test "$(all_values tcp.loss '$D' 7009 | sort -u)" = 100
		'
		test_expect_success "$mode v$fam: ICMP admin-prohibited: unreachable (prohibited)" '
			cp out.'$mode' out && check '$D' 7004 unreachable 2 "unreachable (prohibited"
		'
		test_expect_success "$mode v$fam: ICMP no route: unreachable (no_route)" '
			cp out.'$mode' out && check '$D' 7005 unreachable 2 "unreachable (no_route"
		'
		test_expect_success "$mode v$fam: ICMP port unreachable: unreachable (port_unreachable)" '
			cp out.'$mode' out && check '$D' 7006 unreachable 2 "unreachable (port_unreachable"
		'
		test_expect_success "$mode v$fam: ICMP host unreachable: unreachable (host_unreachable)" '
			cp out.'$mode' out && check '$D' 7007 unreachable 2 "unreachable (host_unreachable"
		'
		test_expect_success "$mode v$fam: time exceeded: unreachable (time_exceeded)" '
			cp out.'$mode' out && check '$D' 7008 unreachable 2 "unreachable (time_exceeded"
		'
	done
done

# The path plugin reads the same TCP rows: a trace to the bare-RST port is
# reached at d1's TTL (3), like one to the RST+ACK port.
test_expect_success "path tcp trace: a bare RST reaches the destination at its TTL, IPv4 and IPv6" '
	cat >hw.conf <<-EOF &&
	interval = "1s";
	timeout = "300ms";
	statsd = { url = "udp://127.0.0.1:$STATSD_PORT"; telemetry_interval = 0; };
	probes = ( { name = "p"; plugin = "path"; protocol = "tcp"; max_ttl = 6; metrics_add = [ "reachable" ];
	  targets = ( "$D4:7003", "[$D6]:7003", "$D4:7002", "[$D6]:7002" ); } );
	EOF
	hw_run hw.conf 2.7 &&
	for d in $D4 $D6; do
		for p in 7003 7002; do
			echo "$d $p: reachable $(all_values path.reachable $d $p | sort -u | paste -sd,) hops $(all_values path.hops $d $p | sort -u | paste -sd,)" &&
			test "$(all_values path.reachable $d $p | sort -u)" = 1 &&
			test "$(all_values path.hops $d $p | sort -u)" = 3 || return 1
		done
	done
'

test_done
