#!/bin/bash
# t6030: forged and truncated ICMP errors are never counted and never
# crash the path plugin.  The destination d1 (behind r1..r4) is silent for
# the probes (echo ignored, the UDP port filtered), and t/tools/pathforge
# there answers every probe that reaches it with ten kinds of bad ICMP
# error from d1's address (cut short, bad checksum, bad quoted header,
# changed probe id, cookie or quoted destination, ...).  Were one counted,
# the path would gain a hop at TTL 5 or reach d1: it must stay r1..r4, not
# reached, and the bad errors show up as path.unmatched.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip nft timeout awk sort
for tool in dsd-recv pathforge; do
	[ -x "$TOOLS/$tool" ] || skip_all "t/tools/$tool is not built (run make)"
done
[ -e "$PLUGIN_DIR/path.so" ] || skip_all "plugins/path.so is not built (run make)"

# issue 13: remove once the engine paces per responder
TB_ICMP_PROFILE=unlimited tb_chain f 4 1 || { echo "Bail out! tb_chain failed"; exit 1; }
tb_exec d1 sysctl -qw net.ipv4.icmp_echo_ignore_all=1 || { echo "Bail out! sysctl failed"; exit 1; }
tb_filter d1 33434 || { echo "Bail out! tb_filter failed"; exit 1; }
STATSD_PORT=8125
D=$(tb_addr d1)

. "$SRCDIR/t/lib/path.sh"

for c in icmp:raw icmp:dgram udp:raw udp:dgram; do
	p=${c%:*} m=${c#*:}
	test_expect_success "$p $m: forged and truncated errors not counted, no crash" '
		rm -f fready &&
		{ tb_exec d1 "$TOOLS/pathforge" -t 8 -r "$TRASH/fready" >forge.out & forge=$!; } &&
		wait_for 5 test -e fready &&
		write_conf hw.conf 1s 300ms "$(probe x '$p' '$m' "\"$D\"")" &&
		hw_run hw.conf 4.5 &&
		{ wait $forge; cat forge.out; } &&
		test "$(awk "{ print \$4 }" forge.out)" -ge 100 &&
		check_traces x "$D" "$(want d1 | cut -d" " -f1-4)" 3 &&
		test "$(values path.reachable x "$D" | sort -u)" = 0 &&
		test "$(values path.hops x "$D" | sort -u)" = 4 &&
		test "$(values path.hop.loss x "$D" | sort -u)" = 0 &&
		um=$(grep "^hopwatch.path.unmatched:" out | sed "s/^[^:]*://; s/|.*//" | awk "{ s += \$1 } END { print s + 0 }") &&
		echo "path.unmatched: $um" && test "$um" -gt 0
	'
done

test_done
