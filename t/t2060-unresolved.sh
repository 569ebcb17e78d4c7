#!/bin/bash
# t2040: a target that cannot be probed because of its name still reports a
# status every round (issue 14, item 4).  In a namespace whose resolver is
# dnsmasq on 127.0.0.1 (authoritative for .test: six.test has only an AAAA record) and whose hosts file
# knows flip.test:
#   gone.test   NXDOMAIN: every round of icmp, tcp and path sends the
#               plugin's service check CRITICAL, "cannot resolve
#               gone.test: Domain name not found", and no RTT or loss
#   six.test    only an IPv6 address (AAAA), probed with family = "ipv4":
#               the same, with the NODATA reason
#   flip.test   resolves, then its line leaves the hosts file: it keeps its
#               last address and is probed there (checks OK), while
#               hopwatch.dns.errors counts the failed lookups
#   127.0.0.2-11  an icmp instance whose max_pps (5) cannot carry its
#               rounds (30 requests a second): rounds overrun, and each
#               skipped round reports UNKNOWN, "round skipped: ..."
#   10.255.0.1  behind an unreachable route: every send fails; icmp, tcp
#               and path report CRITICAL every round, with the reason
# 127.0.0.1 is the control: one check per round.
. "$(dirname "$0")/test-lib.sh"
require_root
require_cmd ip timeout awk dnsmasq
[ -x "$TOOLS/dsd-recv" ] || skip_all "t/tools/dsd-recv is not built (run make)"
for p in icmp tcp path; do
	[ -e "$PLUGIN_DIR/$p.so" ] || skip_all "plugins/$p.so is not built (run make)"
done

NS=hw$HW_ID-unres
test_netns "$NS"
test_atexit "rm -rf /etc/netns/$NS"
ip netns exec "$NS" sysctl -q -w net.ipv4.ping_group_range="0 2147483647"
ip -n "$NS" route add unreachable 10.255.0.0/16
mkdir -p "/etc/netns/$NS"
echo 'nameserver 127.0.0.1' >"/etc/netns/$NS/resolv.conf"
HOSTS=/etc/netns/$NS/hosts
printf '127.0.0.1 localhost\n127.0.0.1 flip.test\n' >"$HOSTS"
ip netns exec "$NS" timeout 60 dnsmasq -k -C /dev/null --no-resolv --no-hosts --user=root \
	--listen-address=127.0.0.1 --bind-interfaces --port=53 --pid-file= \
	--local=/test/ --host-record=six.test,::1 2>"$TRASH/dnsmasq.log" &
for i in $(seq 50); do
	ip netns exec "$NS" ss -lun | grep -q 127.0.0.1:53 && break
	sleep 0.1
done
STATSD_PORT=8125

cat >"$TRASH/hw.conf" <<EOF
interval = "1s";
timeout = "300ms";
resolve_interval = "1s";
statsd = { url = "udp://127.0.0.1:$STATSD_PORT"; telemetry_interval = 0; };
probes = (
  { name = "i"; plugin = "icmp"; family = "ipv4"; count = 2; spacing = "100ms";
    targets = ( "gone.test", "six.test", "flip.test", "127.0.0.1", "10.255.0.1" ); },
  { name = "t"; plugin = "tcp"; count = 1; targets = ( "gone.test:80", "127.0.0.1:9", "10.255.0.1:80" ); },
  { name = "p"; plugin = "path"; max_ttl = 2; targets = ( "gone.test", "127.0.0.1", "10.255.0.1" ); },
  { name = "s"; plugin = "icmp"; count = 3; spacing = "100ms"; max_pps = 5;
    targets = ( $(seq -f '"127.0.0.%g"' -s ', ' 2 11) ); }
);
EOF

# checks CHECK PROBE TARGET: the service check lines of CHECK for TARGET
checks() {
	grep -E "^_sc\|hopwatch\.$1\|[0-9]\|.*#probe:$2,target:$3[,|]" out.all
}

test_expect_success 'hopwatchd runs; flip.test leaves the hosts file after 3 s' '
	{ sleep 3; printf "127.0.0.1 localhost\n" >"$HOSTS"; } &
	run_hopwatchd "$NS" hw.conf 7 && wait && cp out out.all
'

# every_round CHECK PROBE TARGET REASON: at least as many checks as the
# control target's but one (its first round may precede the first failed
# lookup), all CRITICAL with REASON; no network metric for it
every_round() {
	local n c
	n=$(checks "$1" "$2" "$3" | wc -l)
	c=$(checks "$1" "$2" 127.0.0.1 | wc -l)
	echo "$2 $3: $n checks, control $c"
	test "$c" -ge 4 && test "$n" -ge $((c - 1)) &&
	checks "$1" "$2" "$3" | sort -u -t"|" -k3 | head -3 &&
	! checks "$1" "$2" "$3" | grep -v "^_sc|hopwatch\.$1|2|.*|m:cannot resolve $3: $4\$" &&
	! grep -E "^hopwatch\.[a-z]+\.(rtt|loss|sent|received|results|reachable|hops)[.a-z]*:.*#probe:$2,target:$3[,|]" out.all
}

test_expect_success 'a name that never resolves: icmp, tcp and path report CRITICAL every round' '
	every_round icmp.can_reach i gone.test "Domain name not found" &&
	every_round tcp.can_connect t gone.test "Domain name not found" &&
	every_round path.can_reach p gone.test "Domain name not found" &&
	grep -E "^hopwatch\.dns\.errors:1\|c\|#probe:i,target:gone.test" out.all
'

test_expect_success 'no address of the configured family: CRITICAL every round, with that reason' '
	every_round icmp.can_reach i six.test "DNS server returned answer with no data"
'

test_expect_success 'a name that stops resolving keeps its last address: probed, OK, dns.errors counted' '
	checks icmp.can_reach i flip.test &&
	test "$(checks icmp.can_reach i flip.test | wc -l)" -ge 5 &&
	! checks icmp.can_reach i flip.test | grep -v "^_sc|hopwatch.icmp.can_reach|0|.*target_ip:127.0.0.1" &&
	grep -E "^hopwatch\.dns\.errors:1\|c\|#probe:i,target:flip.test" out.all
'

# sent_fail CHECK PROBE REASON: 10.255.0.1 has a CRITICAL check naming
# REASON every round
send_fail() {
	local n c
	n=$(checks "$1" "$2" 10.255.0.1 | wc -l)
	c=$(checks "$1" "$2" 127.0.0.1 | wc -l)
	echo "$2 10.255.0.1: $n checks, control $c"
	checks "$1" "$2" 10.255.0.1 | cut -d"|" -f3,6- | sort | uniq -c
	test "$c" -ge 4 && test "$n" -ge $((c - 1)) &&
	! checks "$1" "$2" 10.255.0.1 | grep -v "^_sc|hopwatch\.$1|2|.*$3"
}

test_expect_success 'every send fails (unreachable route): CRITICAL every round, with the reason' '
	send_fail icmp.can_reach i "No route to host" &&
	send_fail tcp.can_connect t "unreachable (host_unreachable: No route to host)" &&
	send_fail path.can_reach p "No route to host"
'

test_expect_success 'max_pps starvation: every target reports every round; skipped ones UNKNOWN' '
	c=$(checks icmp.can_reach i 127.0.0.1 | wc -l) && bad= && skipped=0 &&
	for i in $(seq 2 11); do
		n=$(checks icmp.can_reach s 127.0.0.$i | wc -l)
		echo "127.0.0.$i: $n checks, control $c"
		test "$n" -ge $((c - 1)) || bad="$bad $i"
		skipped=$((skipped + $(checks icmp.can_reach s 127.0.0.$i | grep -c "^_sc|hopwatch.icmp.can_reach|3|.*|m:round skipped: ")))
	done
	echo "skipped rounds reported: $skipped" &&
	test -z "$bad" && test $skipped -ge 10 &&
	test "$(grep -E "^hopwatch\.probe\.overruns:1\|c\|#probe:s," out.all | wc -l)" = $skipped
'

test_done
