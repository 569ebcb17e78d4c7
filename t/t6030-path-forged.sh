#!/bin/bash
# t6030: forged, mutated and truncated replies are never counted and never
# crash the path plugin (issue 15).  The destination d1 (behind r1..r4) is
# silent for the probes (echo ignored, the UDP/TCP port filtered), v4 and
# v6, and t/tools/pathforge there answers every probe that reaches it with
# every bad variant it knows from d1's address: ICMP errors cut short
# (inside the probe id and at every offset of the cookie), with a bad
# checksum, a bad quoted header, a quoted length one more or 1200 bytes
# more, a changed port, sequence, probe id, cookie or quoted destination,
# a code that is no answer; and, to echo requests, echo replies with no
# payload, cut inside the cookie, 1200 bytes too long, with code 1, a
# flipped cookie or a bad checksum.  Were one counted, the path would
# gain a hop at TTL 5 or reach d1: it must stay r1..r4, every hop
# answering every probe, not reached, and the bad replies show up as
# path.unmatched.
#
# dgram mode reads errors from the socket error queue (IP_RECVERR), where
# the kernel hands over the quote without its IP header and without the
# addresses: it cannot see a quoted length field or IP version that lies
# ("len", "ihl"), nor check the ICMPv6 checksum of a quoted echo request
# ("dport" changes it), when every byte of ours it does see is right (a
# forger that has seen the probe and its random cookie).  Those variants
# are left out there; raw mode checks them, and t/unit/path-match.c too.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip nft timeout awk sort
for tool in dsd-recv pathforge; do
	[ -x "$TOOLS/$tool" ] || skip_all "t/tools/$tool is not built (run make)"
done
[ -e "$PLUGIN_DIR/path.so" ] || skip_all "plugins/path.so is not built (run make)"

# The routers keep the kernel's ICMP rate limits (profile linux): the
# path plugin paces its probes to them (issue 13)
tb_chain f 4 1 || { echo "Bail out! tb_chain failed"; exit 1; }
tb_exec d1 sysctl -qw net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1 ||
	{ echo "Bail out! sysctl failed"; exit 1; }
tb_filter d1 33434 || { echo "Bail out! tb_filter failed"; exit 1; }
STATSD_PORT=8125
D4=$(tb_addr d1 4)
D6=$(tb_addr d1 6)

. "$SRCDIR/t/lib/path.sh"

# forged_ok TARGET FAMILY: only r1..r4, each answering every probe; never reached
forged_ok() {
	check_traces x "$1" "$(want d1 "$2" | cut -d" " -f1-4)" 3 &&
	test "$(values path.reachable x "$1" | sort -u)" = 0 &&
	test "$(values path.hops x "$1" | sort -u)" = 4 &&
	test "$(values path.hop.loss x "$1" | sort -u)" = 0
}

# udp runs past the path plugin's first 6 s, in which a udp destination
# that never answered has no figure (REFILL_GRACE: not "not reached")
for c in icmp:raw icmp:dgram:len,ihl,dport udp:raw udp:dgram:len,ihl tcp:raw; do
	p=${c%%:*} m=${c#*:} more= x= secs=4.5
	case $m in *:*) x="-x ${m#*:}" m=${m%%:*} ;; esac
	[ "$p" = tcp ] && more="port = 33434;"
	[ "$p" = udp ] && secs=9.5
	test_expect_success "$p $m: forged, mutated and truncated replies never counted (IPv4, IPv6)" '
		rm -f fready &&
		{ tb_exec d1 "$TOOLS/pathforge" '"$x"' -t '"$((${secs%.*} + 4))"' -r "$TRASH/fready" >forge.out & forge=$!; } &&
		wait_for 5 test -e fready &&
		write_conf hw.conf 1s 300ms "$(probe x '$p' '$m' "\"$D4\", \"$D6\"" "'"$more"'")" &&
		hw_run hw.conf '"$secs"' &&
		{ wait $forge; cat forge.out; } &&
		test "$(awk "{ print \$4 }" forge.out)" -ge 400 &&
		forged_ok "$D4" 4 &&
		forged_ok "$D6" 6 &&
		um=$(grep "^hopwatch.path.unmatched:" out | sed "s/^[^:]*://; s/|.*//" | awk "{ s += \$1 } END { print s + 0 }") &&
		echo "path.unmatched: $um" && test "$um" -gt 0
	'
done

test_done
