#!/bin/bash
# t5010: the tcp plugin across the testbed (src - r1 - r2 - d1), both
# modes: an open port behind a known delay shows that delay in tcp.rtt; a
# filtered port times out with 100% loss; a network the last router has no
# route for is unreachable (its ICMP unreachable ends the probe).
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip nft timeout awk
. "$SRCDIR/t/lib/tcp.sh"
# unlimited ICMP: every connect must get r2's net unreachable (tests 4, 8);
# under the kernel's limit some time out instead and read as filtered.
TB_ICMP_PROFILE=unlimited tcp_testbed hwdelay

# write_conf FILE MODE TARGETS: one tcp probe "t", 3 probes 100 ms apart
write_conf() {
	cat >"$1" <<-EOF
	interval = "1s";
	timeout = "500ms";
	statsd = { url = "udp://127.0.0.1:$STATSD_PORT"; telemetry_interval = 0; };
	probes = ( { name = "t"; plugin = "tcp"; mode = "$2"; count = 3; spacing = "100ms";
	  targets = ( $3 ); } );
	EOF
}

# hw_run CONF SECONDS: run_hopwatchd (test-lib.sh) in "$(tb_ns src)"
hw_run() { run_hopwatchd "$(tb_ns src)" "$@"; }


# rtts_near TARGET PORT WANT TOL: at least 6 RTTs; none below WANT - 0.5 ms
# (nothing beats the delay), at most one in ten above WANT + 5 ms, and the
# median within TOL ms of WANT.
# Where late RTTs came from (15 ms path, 155 RTTs a run, beside a ping of
# the same path every 50 ms; 2 busy loops on the 2 cores): connect mode
# timed an open port when the loop saw the socket writable, so 24 of 310
# RTTs were above 17 ms (up to 25.3 ms) while ping stayed at or below
# 15.8 ms and syn mode (kernel receive times) at or below 15.3 ms.  That
# was hopwatch's: connect mode now takes the kernel's own sample of the
# handshake (TCP_INFO), and 0 of 310 were above 16 ms.  What remains is
# the lab's: the delay emulator is a userspace process, and ping saw it
# hold 1 packet in 1,200 back by 5 ms on the loaded machine; and an RST
# (a refused port, connect mode) leaves no kernel sample, so it is still
# timed by the loop.  Hence the one in ten.
rtts_near() {
	all_values tcp.rtt "$1" "$2" | sort -n >rtts && cat rtts &&
	test "$(wc -l <rtts)" -ge 6 &&
	awk -v w="$3" -v t="$4" '{ v[NR] = $1; if ($1 < w - 0.5) low = 1; if ($1 > w + 5) high++ }
		END { m = v[int((NR + 1) / 2)]; d = m - w; if (d < 0) d = -d; exit low || high * 10 > NR || d > t }' rtts
}

tb_delay r1 10 5 || { echo "Bail out! tb_delay failed"; exit 1; }

for mode in connect syn; do
	test_expect_success "$mode: open port behind a 15 ms delay (IPv4 and IPv6)" '
		write_conf hw.conf '$mode' "\"$D4:7001\", \"[$D6]:7001\"" &&
		hw_run hw.conf 2.7 &&
		test "$(results $D4 7001)" = open &&
		test "$(results $D6 7001)" = open &&
		rtts_near $D4 7001 15 1.5 &&
		rtts_near $D6 7001 15 1.5 &&
		lines tcp.can_connect $D4 7001 | grep "^_sc|hopwatch.tcp.can_connect|0|"
	'

	test_expect_success "$mode: filtered port: timeout, 100% loss" '
		write_conf hw.conf '$mode' "\"$D4:7009\", \"[$D6]:7009\"" &&
		hw_run hw.conf 2.7 &&
		test "$(results $D4 7009)" = timeout &&
		test "$(results $D6 7009)" = timeout &&
		test "$(all_values tcp.loss $D4 7009 | sort -u)" = 100 &&
		test "$(all_values tcp.loss $D6 7009 | sort -u)" = 100 &&
		! lines tcp.rtt $D4 7009 &&
		lines tcp.can_connect $D4 7009 | grep "|2|.*no answer within 0.5s"
	'

	test_expect_success "$mode: closed port behind the delay: refused, with its RTT" '
		write_conf hw.conf '$mode' "\"$D4:7002\"" &&
		hw_run hw.conf 1.7 &&
		test "$(results $D4 7002)" = refused &&
		rtts_near $D4 7002 15 1.5
	'

	# r2, the last router, has no default route: 10.200/16 and fd99::/16
	# get an ICMP (v6) unreachable from it
	test_expect_success "$mode: a network r2 cannot route: unreachable" '
		write_conf hw.conf '$mode' "\"10.200.0.1:80\", \"[fd99::1]:80\"" &&
		hw_run hw.conf 2.7 &&
		test "$(results 10.200.0.1 80)" = unreachable &&
		test "$(results fd99::1 80)" = unreachable &&
		test "$(all_values tcp.loss 10.200.0.1 80 | sort -u)" = 100 &&
		lines tcp.can_connect 10.200.0.1 80 | grep "|2|.*unreachable"
	'
done

test_done
