#!/bin/bash
# t4010: the icmp plugin on the testbed (t/lib/testbed.sh), where the
# truth is known: 10% random drop on a link is measured as 10% loss over
# thousands of requests; a 20 ms emulated delay is measured as 20 ms while
# an undelayed target and a dead one in the same instance keep their own
# numbers; 2,000 targets on a lossless path lose nothing, IPv4 raw and
# IPv6 ping sockets.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip nft setpriv timeout awk sort
for tool in dsd-recv hwdelay; do
	[ -x "$TOOLS/$tool" ] || skip_all "t/tools/$tool is not built (run make)"
done
[ -e "$PLUGIN_DIR/icmp.so" ] || skip_all "plugins/icmp.so is not built (run make)"

# src - r1 - r2 - d1; d1 answers 172.17.0.0/16 and fd01:1::/112
tb_chain i 2 1 || { echo "Bail out! tb_chain failed"; exit 1; }
tb_many d1 4 >/dev/null && tb_many d1 6 >/dev/null || { echo "Bail out! tb_many failed"; exit 1; }
tb_exec src sysctl -q -w net.ipv4.ping_group_range="0 2147483647"
STATSD_PORT=8125
chmod 755 "$TRASH"  # nobody reads the configs

. "$SRCDIR/t/lib/icmp.sh"

# hw_run CONF SECONDS [nobody]: run_hopwatchd (test-lib.sh) in "$(tb_ns src)"
hw_run() { run_hopwatchd "$(tb_ns src)" "$@"; }
# all NAME: every value of metric NAME, whatever the target
all() { grep -E "^hopwatch\.$(re "$1"):" out | sed 's/^[^:]*://; s/|.*//' | tr ':' '\n'; }
total() { all "$1" | awk '{ s += $1 } END { print s + 0 }'; }
# median: of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# within GOT LOW HIGH
within() {
	echo "got $1, want $2 .. $3"
	awk -v g="$1" -v l="$2" -v h="$3" 'BEGIN { exit !(g != "" && g >= l && g <= h) }'
}

# Loss: r1 drops 10% of what it forwards towards d1 (requests only; the
# replies pass), so the true loss is 10%.  20 targets * 20 requests * at
# least 5 rounds >= 2,000 requests; the binomial standard deviation of the
# measured loss is then under 0.7 points, and the tolerance is +-2.5
# points (more than 3.5 deviations: a false failure about once in 5,000).
targets20=$(for i in $(seq 1 20); do echo "\"$(tb_many_addr d1 $i)\""; done | paste -sd, -)
test_expect_success '10% drop on a link: measured loss 10% +- 2.5 over >= 2,000 requests' '
	tb_loss r1 10 &&
	write_conf hw.conf 1s 300ms "count = 20; spacing = \"10ms\";" "$targets20" &&
	hw_run hw.conf 6.5 &&
	tb_loss r1 0 &&
	sent=$(total icmp.sent) && received=$(total icmp.received) &&
	echo "sent $sent received $received" &&
	test "$sent" -ge 2000 &&
	within "$(awk "BEGIN { print 100 * ($sent - $received) / $sent }")" 7.5 12.5 &&
	# every round: its loss gauge is exactly (sent - received) / sent
	test "$(all icmp.loss | wc -l)" = "$(all icmp.sent | wc -l)" &&
	paste <(all icmp.loss) <(all icmp.received) |
		awk "{ if (\$1 - 100 * (20 - \$2) / 20 > 0.0001 || 100 * (20 - \$2) / 20 - \$1 > 0.0001) exit 1 }" &&
	! grep -E "icmp\.(unmatched|late|duplicates)" out
'

# Delay: hwdelay on r1 adds 10 ms each way for everything behind r1.  r1
# itself (not delayed) and a dead address on d1's link share the instance:
# neither the slow nor the dead target may change r1's numbers.
D1=$(tb_addr d1) R1=$(tb_addr r1)
DEAD=10.2.0.99
for fam in 4 6; do
	test_expect_success "IPv$fam: 20 ms emulated delay measured 20 +- 1 ms (median); r1 and a dead host unaffected" '
		if [ $fam = 4 ]; then d1=$D1 r1=$R1 dead=$DEAD user=; else
			d1=$(tb_addr d1 6) r1=$(tb_addr r1 6) dead=fd00:0:2::99 user=nobody; fi &&
		tb_delay r1 10 10 &&
		write_conf hw.conf 1s 400ms "count = 20; spacing = \"10ms\";" "\"$d1\", \"$r1\", \"$dead\"" &&
		hw_run hw.conf 4.5 $user &&
		tb_undelay r1 &&
		values icmp.rtt "$d1" >d1.rtt && values icmp.rtt "$r1" >r1.rtt &&
		test "$(wc -l <d1.rtt)" -ge 60 && test "$(wc -l <r1.rtt)" -ge 60 &&
		within "$(median <d1.rtt)" 19 21 &&
		within "$(sort -g d1.rtt | head -1)" 19 25 &&
		within "$(median <r1.rtt)" 0 1 &&
		within "$(sort -g r1.rtt | tail -1)" 0 5 &&
		test "$(values icmp.loss "$d1" | sort -u)" = 0 &&
		test "$(values icmp.loss "$r1" | sort -u)" = 0 &&
		test "$(values icmp.loss "$dead" | sort -u)" = 100 &&
		! lines icmp.rtt "$dead" &&
		lines icmp.can_reach "$dead" | grep "|2|.*m:20 of 20 echo requests to $dead lost"
	'
done

# 2,000 targets on a lossless path, 1 s interval, a few rounds: no loss
# at all, for any target.  IPv4 with raw sockets as root, IPv6 with ping
# sockets as nobody.
for fam in 4 6; do
	test_expect_success "IPv$fam: 2,000 targets at a 1 s interval: every target, every round, no loss" '
		if [ $fam = 4 ]; then opts="mode = \"raw\";" user=; else opts="mode = \"dgram\";" user=nobody; fi &&
		for i in $(seq 1 2000); do echo "\"$(tb_many_addr d1 $i $fam)\""; done | paste -sd, - >targets &&
		write_conf hw.conf 1s 500ms "$opts count = 1;" "$(cat targets)" &&
		hw_run hw.conf 4.6 $user &&
		grep "^_sc|hopwatch.icmp.can_reach|" out | sed "s/.*,target:\([^,|]*\)[,|].*/\1/" | sort -u >seen &&
		echo "$(wc -l <seen) targets reported, $(grep -c "^_sc|hopwatch.icmp.can_reach|" out) rounds" &&
		test "$(wc -l <seen)" = 2000 &&
		for t in $(sed -n "1p;1000p;2000p" seen); do
			test "$(lines icmp.can_reach "$t" | wc -l)" -ge 3 || exit 1
		done &&
		test "$(grep -c "^_sc|hopwatch.icmp.can_reach|" out)" -ge 7000 &&
		! grep "^_sc|hopwatch.icmp.can_reach|[123]|" out &&
		test "$(all icmp.loss | sort -u)" = 0 &&
		test "$(total icmp.sent)" = "$(total icmp.received)" &&
		! grep -E "icmp\.(unmatched|late|duplicates)|probe\.overruns" out &&
		! grep -i "warning\|error" log
	'
done

test_done
