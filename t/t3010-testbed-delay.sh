#!/bin/bash
# t3010: hwdelay and tb_delay: the added delay shows in ping and traceroute
# within 0.2 ms, only on hops after the delayed router; jitter keeps order
# unless asked; hwdelay's lifetime, signals and errors.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip ping traceroute awk
test -x "$TOOLS/hwdelay" || skip_all "t/tools/hwdelay not built"

# unlimited ICMP: traceroute here measures hwdelay's delay per hop, many
# runs back to back; rate limits are t3040's business.
TB_ICMP_PROFILE=unlimited tb_chain a 3 1 || { echo "Bail out! tb_chain failed"; exit 1; }

# avg_rtt NODE FAM: RTT in ms of 200 pings from src, 5 ms apart: the
# median, which a busy machine's stalls (a 2-core CI running other tests)
# move far less than the mean
avg_rtt() {
	tb_exec src ping -$2 -n -c 200 -i 0.005 -W 2 "$(tb_addr $1 $2)" |
		sed -n 's/.* time=\([0-9.]*\) ms$/\1/p' | sort -g |
		awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# near GOT WANT TOL: |GOT - WANT| <= TOL
near() {
	echo "got $1 want $2 +-$3"
	awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && d <= t) }'
}

for fam in 4 6; do
	test_expect_success "delay 5 ms down + 3 ms up on r2 adds 8 ms after r2 (IPv$fam)" '
		base_d1=$(avg_rtt d1 $fam) && base_r2=$(avg_rtt r2 $fam) &&
		tb_delay r2 5 3 &&
		near $(avg_rtt d1 $fam) $(awk "BEGIN { print $base_d1 + 8 }") 0.2 &&
		near $(avg_rtt r3 $fam) $(awk "BEGIN { print $base_d1 + 8 }") 0.2 &&
		near $(avg_rtt r2 $fam) $base_r2 0.2 &&
		tb_undelay r2 >stats && cat stats &&
		grep "tbdn: read [1-9][0-9]* forwarded [1-9]" stats &&
		near $(avg_rtt d1 $fam) $base_d1 0.2
	'
done

# traceroute's best of three per hop: a delay can only be stretched by a
# busy machine, never shortened, so the minimum is the honest reading
test_expect_success 'traceroute sees the delay from hop 3 on only' '
	tb_delay r2 10 &&
	tb_exec src traceroute -n -q 1 -w 2 "$(tb_addr d1)" >out &&
	cat out &&
	tb_trace_match d1 4 <out &&
	tb_exec src traceroute -n -q 3 -w 2 "$(tb_addr d1)" >out3 &&
	cat out3 &&
	awk "NR == 1 { next } { m = \$3; if (\$5 < m) m = \$5; if (\$7 < m) m = \$7 }
	     \$1 <= 2 && m > 1 { exit 1 } \$1 >= 3 && (m < 9.8 || m > 10.5) { exit 1 }" out3
'

test_expect_success 'tb_undelay removes tun devices and rules' '
	tb_undelay r2 >/dev/null &&
	! tb_exec r2 ip link show tbdn 2>/dev/null &&
	! tb_exec r2 ip rule | grep -q "lookup 20[12]" &&
	! tb_exec r2 ip -6 rule | grep -q "lookup 20[12]" &&
	tb_exec src ping -n -c 1 -W 2 "$(tb_addr d1)" &&
	tb_undelay r2
'

# FIFO order holds a packet back behind a later-due one, which raises the
# mean; 5 ms apart, packets with +-2 ms jitter never meet, so the mean is
# measured there.  ping -l 10 keeps 10 requests in flight, so a reordering
# shows in icmp_seq.
test_expect_success 'jitter: mean stays, spread shows' '
	tb_delay r2 5:2 &&
	tb_exec src ping -n -q -c 400 -i 0.005 -W 2 "$(tb_addr d1)" >out &&
	awk -F/ "/^rtt/ { print; exit !(\$5 > 4.75 && \$5 < 5.35 && \$7 > 0.8) }" out
'

test_expect_success 'jitter: order kept by default' '
	tb_exec src ping -n -c 300 -l 10 -i 0.002 -W 2 "$(tb_addr d1)" >out &&
	sed -n "s/.*icmp_seq=\\([0-9]*\\).*/\\1/p" out >seq &&
	test $(wc -l <seq) -ge 290 &&
	sort -n seq | cmp - seq
'

test_expect_success 'jitter with -R reorders' '
	TB_HWDELAY_OPTS=-R tb_delay r2 5:2 &&
	tb_exec src ping -n -c 300 -l 10 -i 0.002 -W 2 "$(tb_addr d1)" >out &&
	sed -n "s/.*icmp_seq=\\([0-9]*\\).*/\\1/p" out >seq &&
	! sort -n seq | cmp -s - seq &&
	tb_undelay r2 >/dev/null
'

test_expect_success 'a delay on a router with a twin covers both uplinks' '
	tb_route r1 ecmp &&
	tb_delay r2 4 &&
	near $(avg_rtt d1 4) 4 0.2 &&
	tb_undelay r2 >/dev/null && tb_route r1 main
'

test_expect_success 'hwdelay: -T ends it, stats on exit' '
	tb_exec r1 ip tuntap add mode tun dev tbx &&
	tb_exec r1 "$TOOLS/hwdelay" -T 0.3 tbx:1 2>err &&
	cat err &&
	grep "^hwdelay: tbx: read 0 forwarded 0 lost 0 overflow 0 discarded 0" err
'

test_expect_success 'hwdelay: SIGTERM ends it cleanly, -d and -p work' '
	tb_exec r1 "$TOOLS/hwdelay" -d -p "$TRASH/hd.pid" -T 30 tbx 2>err &&
	pid=$(cat "$TRASH/hd.pid") && kill -0 $pid &&
	kill $pid &&
	wait_for 5 eval "! tb_pid_alive $pid" &&
	test ! -e "$TRASH/hd.pid" &&
	grep "^hwdelay: tbx: read" err
'

test_expect_success 'hwdelay: usage and setup errors' '
	test_expect_code() { "$@"; test $? = $want; } &&
	want=2 test_expect_code "$TOOLS/hwdelay" 2>/dev/null &&
	want=2 test_expect_code "$TOOLS/hwdelay" tbx:x 2>/dev/null &&
	want=2 test_expect_code "$TOOLS/hwdelay" tbx:1:1:101 2>/dev/null &&
	want=1 test_expect_code tb_exec r1 "$TOOLS/hwdelay" -T 1 nosuchtunhere 2>/dev/null &&
	tb_exec r1 ip link del tbx
'

test_done
