#!/bin/bash
# t4020: other programs' pings and traceroutes on the same host are not
# hopwatch's (issue 14, item 5).  In one namespace, hopwatchd probes
# 127.0.0.1 and ::1 with icmp (raw and ping sockets) and path (icmp, udp;
# raw and dgram) while ping sends echo requests of every payload size, up
# to larger than any receive buffer, and traceroute and mtr trace the same
# addresses, IPv4 and IPv6.  The diagnostic counters (icmp.unmatched,
# icmp.late, icmp.duplicates, path.unmatched) count only packets that carry
# hopwatch's identity: they stay at 0, and hopwatch's own replies still
# come.
. "$(dirname "$0")/test-lib.sh"
require_root
require_cmd ip timeout ping traceroute awk
[ -x "$TOOLS/dsd-recv" ] || skip_all "t/tools/dsd-recv is not built (run make)"
for p in icmp path; do
	[ -e "$PLUGIN_DIR/$p.so" ] || skip_all "plugins/$p.so is not built (run make)"
done

NS=hw$HW_ID-foreign
test_netns "$NS"
ip netns exec "$NS" sysctl -q -w net.ipv4.ping_group_range="0 2147483647" \
	net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
STATSD_PORT=8125

cat >"$TRASH/hw.conf" <<EOF
interval = "1s";
timeout = "300ms";
statsd = { url = "udp://127.0.0.1:$STATSD_PORT"; telemetry_interval = 0; };
probes = (
  { name = "raw"; plugin = "icmp"; mode = "raw"; count = 3; spacing = "100ms"; targets = ( "127.0.0.1", "::1" );
    metrics_add = [ "received" ]; },
  { name = "dgram"; plugin = "icmp"; mode = "dgram"; count = 3; spacing = "100ms"; targets = ( "127.0.0.1", "::1" );
    metrics_add = [ "received" ]; },
  { name = "picmp"; plugin = "path"; metrics_add = [ "reachable" ]; protocol = "icmp"; mode = "raw"; max_ttl = 3; targets = ( "127.0.0.1", "::1" ); },
  { name = "pudp"; plugin = "path"; metrics_add = [ "reachable" ]; protocol = "udp"; mode = "raw"; max_ttl = 3; targets = ( "127.0.0.1", "::1" ); },
  { name = "pudpd"; plugin = "path"; metrics_add = [ "reachable" ]; protocol = "udp"; mode = "dgram"; max_ttl = 3; targets = ( "127.0.0.1", "::1" ); }
);
EOF

# foreign: in the namespace, pings of every size and traceroutes of both
# protocols to both addresses, all bounded in time
foreign() {
	local a s
	for a in 127.0.0.1 ::1; do
		for s in 0 8 16 56 200 1400 1472 2100 3000 9000 20000; do
			ip netns exec "$NS" timeout 6 ping -q -c 8 -i 0.3 -s $s $a >/dev/null 2>&1 &
		done
		ip netns exec "$NS" timeout 6 sh -c "for i in 1 2 3 4 5 6; do
			traceroute -n -q 2 -w 1 -m 3 $a >/dev/null 2>&1
			traceroute -n -I -q 2 -w 1 -m 3 $a 2000 >/dev/null 2>&1
			sleep 0.3; done" &
		if command -v mtr >/dev/null; then
			ip netns exec "$NS" timeout 6 mtr -n -r -c 5 -i 0.3 -s 3000 $a >/dev/null 2>&1 &
		fi
	done
	wait
}

# isum NAME PROBE: the sum of every line of metric NAME of probe PROBE
isum() {
	grep -E "^hopwatch\.$1:[0-9]+\|c\|#probe:$2(,|$)" out | sed 's/^[^:]*://; s/|.*//' |
		awk '{ s += $1 } END { print s + 0 }'
}

test_expect_success 'hopwatchd runs while foreign pings and traceroutes of every size run' '
	{ sleep 0.5; foreign; } &
	run_hopwatchd "$NS" hw.conf 7 &&
	wait && cp out out.all
'

test_expect_success 'icmp (raw, ping sockets): no counter moves, our replies still come' '
	cp out.all out &&
	for p in raw dgram; do
		for m in icmp.unmatched icmp.late icmp.duplicates; do
			echo "$p $m $(isum $m $p)" && test "$(isum $m $p)" = 0 || return 1
		done
		for a in 127.0.0.1 ::1; do
			grep -E "^hopwatch.icmp.received:3\|c\|#probe:$p,target:$a(,|$)" out >/dev/null || return 1
		done
	done
'

# A foreign ICMP packet path cannot parse (an echo reply cut at the
# 2048-byte receive buffer) carries no identity it can see: ignored.
test_expect_success 'path (icmp raw, udp raw and dgram): path.unmatched stays 0, traces reach' '
	cp out.all out && bad= &&
	for p in picmp pudp pudpd; do
		echo "$p path.unmatched $(isum path.unmatched $p)"
		test "$(isum path.unmatched $p)" = 0 &&
		grep -E "^hopwatch.path.reachable:1\|g\|#probe:$p,target:127.0.0.1," out >/dev/null &&
		grep -E "^hopwatch.path.reachable:1\|g\|#probe:$p,target:::1," out >/dev/null || bad="$bad $p"
	done
	test -z "$bad"
'

test_done
