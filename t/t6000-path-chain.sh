#!/bin/bash
# t6000: the path plugin on a chain of 4 routers (src - r1..r4 - d1), where
# the truth is tb_hops: every hop's address at its TTL and the destination
# reached, for icmp, udp and tcp in every mode that protocol has, IPv4 and
# IPv6; unprivileged (as nobody) with ping and UDP sockets; a network the
# last router cannot route ends the trace there; bad settings are refused.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip nft setpriv timeout awk
for tool in dsd-recv hwlisten; do
	[ -x "$TOOLS/$tool" ] || skip_all "t/tools/$tool is not built (run make)"
done
[ -e "$PLUGIN_DIR/path.so" ] || skip_all "plugins/path.so is not built (run make)"

# The kernel's default ICMP limits (issue 13): the destination's port
# unreachables (and r4's net unreachable in the last test) come 6, then 1
# a second per source; udp traces every 0.7 s measure their end only in
# the rounds its budget allows (the others read "=", see t/lib/path.sh)
tb_chain c 4 1 || { echo "Bail out! tb_chain failed"; exit 1; }
tb_listen d1 80 || { echo "Bail out! tb_listen failed"; exit 1; }
STATSD_PORT=8125
chmod 755 "$TRASH"  # nobody reads the configs

. "$SRCDIR/t/lib/path.sh"

COMBOS="icmp:dgram icmp:raw udp:dgram udp:raw tcp:raw"

for fam in 4 6; do
	test_expect_success "IPv$fam: every hop at its TTL and the destination, icmp/udp/tcp, dgram and raw" '
		d=$(tb_addr d1 $fam) && if [ $fam = 6 ]; then t="\"[$d]:80\""; else t="\"$d:80\""; fi &&
		probes= &&
		for c in $COMBOS; do
			p=${c%:*} m=${c#*:} &&
			probes="$probes${probes:+, }$(probe $p$m $p $m "$([ $p = icmp ] && echo "\"$d\"" || echo "$t")")"
		done &&
		write_conf hw.conf 700ms 300ms "$probes" &&
		hw_run hw.conf 3.2 &&
		for c in $COMBOS; do
			p=${c%:*} m=${c#*:} &&
			grep -q "\[$p$m\] path: protocol $p, $([ $m = raw ] && echo raw || echo "[a-z (]*dgram\|datagram")" log &&
			check_traces $p$m "$d" "$(want d1 $fam)" 4 &&
			all_clean $p$m "$d" &&
			test "$(values path.hops $p$m "$d" | sort -u)" = 5 &&
			# parallel: a responsive path never waits for a timeout (300 ms)
			values path.duration $p$m "$d" | awk "{ print; if (\$1 > 150) exit 1 }" || exit 1
		done &&
		grep "^_sc|hopwatch.path.can_reach|0|.*#probe:udpraw,target:$d,port:80,.*m:$d reached in 5 hops (0 unknown)" out &&
		! grep "path.unmatched" out &&
		! grep "warning:\|error:" log
	'
done

# Our kernel resets every SYN/ACK; a firewall that drops those resets (as
# conntrack "invalid", say) leaves the destination holding a half-open
# connection.  The SYNs of the next traces, on the same flow, must fall in
# its window (it resets them: an RST+ACK, an answer); out of it, they drew
# 2 bare ACKs a second and the destination read as lost.  One query: the
# destination's probes past it (the slack) answer just after the first, and
# count (the trace ended at the first answer and read 50 % loss).  With
# max_ttl 5, a trace has one SYN for the destination: each leaves it
# half-open for the next.
test_expect_success 'one query; tcp with our resets dropped on the way: every trace reaches the destination, no loss' '
	d4=$(tb_addr d1 4) d6=$(tb_addr d1 6) &&
	tb_exec r1 nft -f - <<-EOF &&
	table inet norst {
		chain forwarded {
			type filter hook forward priority 0; policy accept;
			ip daddr $d4 tcp flags & rst == rst counter drop
			ip6 daddr $d6 tcp flags & rst == rst counter drop
		}
	}
	EOF
	write_conf hw.conf 700ms 300ms "$(probe t tcp raw "\"$d4:80\", \"[$d6]:80\"" "queries = 1;"),
		$(probe t5 tcp raw "\"$d4:80\", \"[$d6]:80\"" "queries = 1; max_ttl = 5;"),
		$(probe i icmp raw "\"$d4\", \"$d6\"" "queries = 1;")" &&
	{ hw_run hw.conf 5.2; rc=$?; } &&
	tb_exec r1 nft list table inet norst >norst &&
	tb_exec r1 nft delete table inet norst &&
	cat norst && test $rc = 0 &&
	test "$(grep -cE "counter packets [1-9]" norst)" = 2 &&
	for p in t t5 i; do
		for d in $d4 $d6; do
			fam=4 && case $d in *:*) fam=6 ;; esac &&
			check_traces $p "$d" "$(want d1 $fam)" 7 &&
			all_clean $p "$d" || exit 1
		done
	done
'

test_expect_success 'unprivileged (nobody): mode auto picks ping and UDP sockets, both families' '
	d4=$(tb_addr d1 4) d6=$(tb_addr d1 6) &&
	write_conf hw.conf 700ms 300ms "$(probe i icmp auto "\"$d4\", \"$d6\""), $(probe u udp auto "\"$d4\", \"$d6\"")" &&
	hw_run hw.conf 2.7 nobody &&
	grep "\[i\] path: protocol icmp, ping (dgram) sockets (unprivileged" log &&
	grep "\[u\] path: protocol udp, datagram sockets (unprivileged" log &&
	for p in i u; do
		check_traces $p "$d4" "$(want d1 4)" 3 && all_clean $p "$d4" &&
		check_traces $p "$d6" "$(want d1 6)" 3 && all_clean $p "$d6" || exit 1
	done
'

test_expect_success 'unprivileged: raw mode and tcp fail to start, naming CAP_NET_RAW / ping_group_range' '
	d=$(tb_addr d1) &&
	write_conf hw.conf 1s 300ms "$(probe t tcp auto "\"$d:80\"")" &&
	test_must_fail ip netns exec "$(tb_ns src)" timeout 10 $AS_NOBODY "$HOPWATCHD" -c hw.conf -P "$PLUGIN_DIR" 2>log &&
	cat log && grep "CAP_NET_RAW.*(protocol tcp has no unprivileged mode)" log &&
	write_conf hw.conf 1s 300ms "$(probe i icmp raw "\"$d\"")" &&
	test_must_fail ip netns exec "$(tb_ns src)" timeout 10 $AS_NOBODY "$HOPWATCHD" -c hw.conf -P "$PLUGIN_DIR" 2>log &&
	cat log && grep "cannot open raw icmp and ICMP sockets.*CAP_NET_RAW" log &&
	tb_exec src sysctl -qw net.ipv4.ping_group_range="1 0" &&
	write_conf hw.conf 1s 300ms "$(probe i icmp dgram "\"$d\"")" &&
	{ rc=0; ip netns exec "$(tb_ns src)" timeout 10 $AS_NOBODY "$HOPWATCHD" -c hw.conf -P "$PLUGIN_DIR" 2>log || rc=$?; } &&
	tb_exec src sysctl -qw net.ipv4.ping_group_range="0 2147483647" &&
	cat log && test $rc = 1 && grep "ping_group_range (now \"1 0\")" log
'

# r4, the last router, has no default route: 10.200/16 and fd99::/16 get
# an unreachable from it, which ends the trace at TTL 4.  The kernel rate
# limits these per source in ip_error() (a burst of 5, then 1/s, whatever
# icmp_ratemask says): one IPv4 target, 3 queries, a trace every 1.5 s.
test_expect_success 'a network the last router cannot route: trace ends at it, not reached, CRITICAL' '
	write_conf hw.conf 1.5s 300ms "$(probe u udp raw "\"10.200.0.1\", \"fd99::1\""), $(probe i icmp dgram "\"fd99::2\"")" &&
	hw_run hw.conf 3.2 &&
	check_traces u 10.200.0.1 "$(want d1 4 | cut -d" " -f1-4)" 2 &&
	check_traces u fd99::1 "$(want d1 6 | cut -d" " -f1-4)" 2 &&
	check_traces i fd99::2 "$(want d1 6 | cut -d" " -f1-4)" 2 &&
	test "$(values path.reachable u 10.200.0.1 | sort -u)" = 0 &&
	test "$(values path.loss u 10.200.0.1 | sort -u)" = 100 &&
	! values path.rtt u 10.200.0.1 | grep . &&
	grep "^_sc|hopwatch.path.can_reach|2|.*#probe:u,target:10.200.0.1,.*m:10.200.0.1 not reached: 10.3.0.2 at TTL 4 says unreachable" out
'

test_expect_success 'settings that cannot work are refused at load' '
	d=$(tb_addr d1) &&
	for bad in "protocol = \"tcp\"; mode = \"dgram\";|needs raw sockets" \
	           "max_ttl = 65;|max_ttl" "queries = 17;|queries" "port = 70000;|port" \
	           "port = 53;|port is for protocol" "size = 4;|size" \
	           "pps = 10; max_ttl = 30;|a trace .* must end" "source = \"nowhere\";|source"; do
		write_conf bad.conf 1s 300ms "{ name = \"b\"; plugin = \"path\"; ${bad%|*} targets = ( \"$d\" ); }" &&
		test_must_fail "$HOPWATCHD" -t -c bad.conf -P "$PLUGIN_DIR" 2>err &&
		cat err && grep -q "${bad#*|}" err || exit 1
	done &&
	write_conf good.conf 60s 1s "{ name = \"g\"; plugin = \"path\"; protocol = \"udp\"; targets = ( \"$d\", \"$d:53\" ); }" &&
	"$HOPWATCHD" -t -c good.conf -P "$PLUGIN_DIR"
'

# hop_lines PROBE TARGET HOP: "NAME VALUE" of the per-hop lines of HOP
hop_lines() {
	grep -E "^hopwatch\.path\.hop\.[a-z.]+:[^|]*\|g\|#probe:$1,target:$2,protocol:[a-z]+,hop:$3$" out |
		sed -E "s/^hopwatch\.path\.hop\.([a-z.]+):([^|]*)\|.*/\1 \2/"
}
test_expect_success 'default tags and metrics: hop:<ttl> without hop_ip; metrics_add hop.*: mtr per-hop statistics' '
	d=$(tb_addr d1) &&
	write_conf hw.conf 1s 300ms "{ name = \"plain\"; plugin = \"path\"; max_ttl = 5; targets = ( \"$d\" ); },
		{ name = \"mtr\"; plugin = \"path\"; max_ttl = 5; queries = 4; metrics_add = [ \"hop.*\" ];
		  targets = ( \"$d\" ); }" &&
	hw_run hw.conf 4.5 &&
	! grep -E "hop_ip:|path\.reachable" out &&
	hop_lines plain "$d" 1 | cut -d" " -f1 | sort -u | paste -sd" " - >got &&
	echo "loss response rtt" >want && diff -u want got &&
	hop_lines mtr "$d" 1 | cut -d" " -f1 | sort -u | paste -sd" " - >got &&
	echo "jitter loss response rtt rtt.max rtt.min rtt.stddev" >want && diff -u want got &&
	for h in 1 2; do
		hop_lines mtr "$d" $h >hl && echo "hop $h: $(paste -sd" " hl)" &&
		# values go out with 6 significant digits: a difference of two
		# of them may be off by a unit of the last digit (e)
		awk "{ v[\$1] = \$2 } END { e = 1e-5 * v[\"rtt.max\"];
			exit !(v[\"rtt.min\"] <= v[\"rtt\"] && v[\"rtt\"] <= v[\"rtt.max\"] && v[\"rtt.stddev\"] >= 0 &&
			       v[\"rtt.stddev\"] <= v[\"rtt.max\"] - v[\"rtt.min\"] + e && v[\"jitter\"] >= 0 &&
			       v[\"jitter\"] <= v[\"rtt.max\"] - v[\"rtt.min\"] + e) }" hl || return 1
	done
'

test_done
