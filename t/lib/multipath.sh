# t/lib/multipath.sh: a source host with two uplinks behind one multipath
# route hashed on L4 ports (sourced after test-lib.sh).
#
#           +-- a --+
#   src ----+       +---- dst (targets on its lo)
#           +-- b --+
#
# src has two addresses, one per uplink, 10.91.1.1 / fd91:1::1 (towards a)
# and 10.91.2.1 / fd91:2::1 (towards b), and one ECMP route to the targets
# 10.91.9.0/24 and fd91:9::/64 with nexthops a and b, hashed on the
# 5-tuple of each flow (fib_multipath_hash_policy=1).  A probe whose source
# address is not the one of the uplink its flow hashes to still gets
# through (no rp_filter), so a wrong source shows as a wrong checksum at
# dst, not as loss of the route: exactly what the checksum counters of dst
# show.  Namespaces: mp<HW_ID>-{src,a,b,dst}; removed at exit.

MP_PREFIX=mp$HW_ID

# mp_ns NODE: the namespace of NODE (src, a, b, dst)
mp_ns() { echo "$MP_PREFIX-$1"; }

# mp_cleanup: delete the namespaces (idempotent)
mp_cleanup() {
	local n
	for n in src a b dst; do
		ip netns pids "$(mp_ns $n)" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$(mp_ns $n)" 2>/dev/null
	done
	return 0
}
test_atexit mp_cleanup

# _mp_link N1 IF1 N2 IF2 NET4 NET6: a veth link, host 1 on N1, host 2 on N2
_mp_link() {
	ip link add name "$2" netns "$(mp_ns $1)" type veth peer name "$4" netns "$(mp_ns $3)" &&
	ip -n "$(mp_ns $1)" addr add "$5.1/24" dev "$2" &&
	ip -n "$(mp_ns $3)" addr add "$5.2/24" dev "$4" &&
	ip -n "$(mp_ns $1)" addr add "$6::1/64" dev "$2" nodad &&
	ip -n "$(mp_ns $3)" addr add "$6::2/64" dev "$4" nodad &&
	ip -n "$(mp_ns $1)" link set "$2" up &&
	ip -n "$(mp_ns $3)" link set "$4" up
}

# mp_build NTARGETS: the topology, with NTARGETS addresses per family on
# dst: 10.91.9.1.. and fd91:9::1..
mp_build() {
	local n i
	mp_cleanup
	for n in src a b dst; do
		ip netns add "$(mp_ns $n)" || return 1
		ip -n "$(mp_ns $n)" link set lo up || return 1
		ip netns exec "$(mp_ns $n)" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 >/dev/null || return 1
	done
	_mp_link src up-a a to-src 10.91.1 fd91:1 &&
	_mp_link src up-b b to-src 10.91.2 fd91:2 &&
	_mp_link a to-dst dst from-a 10.91.3 fd91:3 &&
	_mp_link b to-dst dst from-b 10.91.4 fd91:4 || return 1
	for n in a b; do
		ip netns exec "$(mp_ns $n)" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 >/dev/null || return 1
	done
	ip -n "$(mp_ns a)" route add 10.91.9.0/24 via 10.91.3.2 &&
	ip -n "$(mp_ns b)" route add 10.91.9.0/24 via 10.91.4.2 &&
	ip -n "$(mp_ns a)" -6 route add fd91:9::/64 via fd91:3::2 &&
	ip -n "$(mp_ns b)" -6 route add fd91:9::/64 via fd91:4::2 &&
	ip -n "$(mp_ns dst)" route add 10.91.1.0/24 via 10.91.3.1 &&
	ip -n "$(mp_ns dst)" route add 10.91.2.0/24 via 10.91.4.1 &&
	ip -n "$(mp_ns dst)" -6 route add fd91:1::/64 via fd91:3::1 &&
	ip -n "$(mp_ns dst)" -6 route add fd91:2::/64 via fd91:4::1 || return 1
	ip netns exec "$(mp_ns src)" sysctl -qw net.ipv4.fib_multipath_hash_policy=1 \
		net.ipv6.fib_multipath_hash_policy=1 >/dev/null &&
	ip -n "$(mp_ns src)" route add 10.91.9.0/24 \
		nexthop via 10.91.1.2 dev up-a nexthop via 10.91.2.2 dev up-b &&
	ip -n "$(mp_ns src)" -6 route add fd91:9::/64 \
		nexthop via fd91:1::2 dev up-a nexthop via fd91:2::2 dev up-b || return 1
	for i in $(seq 1 "$1"); do
		ip -n "$(mp_ns dst)" addr add "10.91.9.$i/32" dev lo &&
		ip -n "$(mp_ns dst)" addr add "fd91:9::$i/128" dev lo nodad || return 1
	done
	# links come up (carrier, IPv6 on the routers) a moment later: wait
	# until every link answers in both families, at most 10 s
	_mp_ping() { ip netns exec "$(mp_ns $1)" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }
	wait_for 10 _mp_ping src 10.91.1.2 && wait_for 10 _mp_ping src fd91:1::2 &&
	wait_for 10 _mp_ping src 10.91.2.2 && wait_for 10 _mp_ping src fd91:2::2 &&
	wait_for 10 _mp_ping a 10.91.3.2 && wait_for 10 _mp_ping a fd91:3::2 &&
	wait_for 10 _mp_ping b 10.91.4.2 && wait_for 10 _mp_ping b fd91:4::2
}

# mp_csum_errors: the checksum error counters of dst, summed:
# TcpInCsumErrors (IPv4 and IPv6 share it), UdpInCsumErrors, Udp6InCsumErrors
mp_csum_errors() {
	ip netns exec "$(mp_ns dst)" nstat -asz 2>/dev/null |
		awk '$1 ~ /^(Tcp|Udp|Udp6)InCsumErrors$/ { s += $2 } END { print s + 0 }'
}

# mp_forwarded NODE: datagrams router NODE (a or b) forwarded, both families
mp_forwarded() {
	ip netns exec "$(mp_ns $1)" nstat -asz 2>/dev/null |
		awk '$1 ~ /^(IpForwDatagrams|Ip6OutForwDatagrams)$/ { s += $2 } END { print s + 0 }'
}

# mp_both_uplinks: routers a and b both forwarded traffic (the route is
# really multipath, or a test over it proves nothing); says the counts
mp_both_uplinks() {
	local a b
	a=$(mp_forwarded a) && b=$(mp_forwarded b) &&
	say "forwarded by a: $a, by b: $b" &&
	test "$a" -gt 0 && test "$b" -gt 0
}
