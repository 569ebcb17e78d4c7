# t/lib/mesh.sh: a lab for the mesh tests (t713x) and bench/mesh.sh: N
# hosts, each a network namespace with one veth to a shared router (in a
# namespace of its own, like a top-of-rack switch), and one hopwatchd per
# host.  Sourced after test-lib.sh and t/lib/redis.sh:
#
#   mesh_lab 30                  # namespaces mh<ID>-1 .. -30 and the router
#   mesh_addr 7 [6]              # 10.77.7.2 (fd00:77:7::2): host 7's address
#   mesh_conf 7 >m7.conf         # its hopwatchd config (group "lab")
#   mesh_daemon 7 m7.conf        # spawned as "m7" inside host 7
#
# Addresses: host i is 10.77.i.2/24 and fd00:77:i::2/64 on eth0, its
# default route the router's 10.77.i.1 / fd00:77:i::1; nothing else is
# routed, the root namespace gets no address: probes stay in the lab.
# Routed, not bridged: on one flat segment every host would hold a
# neighbour entry per other host, and the kernel's neighbour tables are
# shared by every namespace (gc_thresh3, 1024 by default): 30 hosts of
# 29 IPv4 and 29 IPv6 neighbours each, beside other tests, overflow it
# and sends fail with EINVAL.  The daemons reach Redis over its Unix socket ($TRASH/r.sock:
# a file, so every namespace sees it) and send DogStatsD to one strict
# receiver on the Unix datagram socket $TRASH/dsd.sock.  Every namespace
# is removed at exit (test_atexit).
require_root
require_cmd ip

MESH_ID=$(printf '%x' $(( ($$ + RANDOM) % 65536 )))
MESH_BR="mh$MESH_ID-rt"

# mesh_cleanup: stop and remove every namespace of this lab.  Registered
# here, at top level: mesh_lab may run inside a test's subshell, whose own
# test_atexit hooks (test_netns) are lost with it
mesh_cleanup() {
	local ns
	for ns in $(ip netns list | awk -v p="mh$MESH_ID-" 'index($1, p) == 1 { print $1 }'); do
		ip netns pids "$ns" | xargs -r kill
		ip netns del "$ns"
	done
}
test_atexit mesh_cleanup

# mesh_ns I: the namespace of host I
mesh_ns() {
	echo "mh$MESH_ID-$1"
}

# mesh_addr I [4|6]: the address of host I
mesh_addr() {
	if [ "${2:-4}" = 6 ]; then echo "fd00:77:$1::2"; else echo "10.77.$1.2"; fi
}

# mesh_host I: host I's namespace, its veth to the router, addresses, routes
mesh_host() {
	local ns
	ns=$(mesh_ns "$1")
	test_netns "$ns" &&
	ip -n "$MESH_BR" link add "h$1" type veth peer name eth0 netns "$ns" &&
	ip -n "$MESH_BR" addr add "10.77.$1.1/24" dev "h$1" &&
	ip -n "$MESH_BR" addr add "fd00:77:$1::1/64" dev "h$1" nodad &&
	ip -n "$MESH_BR" link set "h$1" up &&
	ip -n "$ns" addr add "$(mesh_addr "$1")/24" dev eth0 &&
	ip -n "$ns" addr add "$(mesh_addr "$1" 6)/64" dev eth0 nodad &&
	ip -n "$ns" link set eth0 up &&
	ip -n "$ns" route add default via "10.77.$1.1" &&
	ip -n "$ns" -6 route add default via "fd00:77:$1::1"
}

# mesh_lab N: the router and hosts 1..N
mesh_lab() {
	test_netns "$MESH_BR" &&
	ip netns exec "$MESH_BR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 || return 1
	for i in $(seq 1 "$1"); do
		mesh_host "$i" || return 1
	done
}

# mesh_conf I [HOSTNAME] [PROBE SETTINGS]: hopwatchd of host I in group
# "lab": icmp to every member (both families, one request every
# $MESH_INTERVAL, default 2 s), registration TTL $MESH_TTL (default 3 s)
mesh_conf() {
	cat <<-EOF
	hostname = "${2:-m$1}";
	interval = "${MESH_INTERVAL:-2s}";
	timeout = "0.5s";
	statsd = { url = "unixgram://$TRASH/dsd.sock"; };
	redis = { socket = "$TRASH/r.sock"; };
	mesh = { ttl = "${MESH_TTL:-3s}"; tags = [ "rack:r$(($1 % 3))" ]; };
	probes = ( { name = "ping"; plugin = "icmp"; mesh = "lab"; count = 1;
	             mesh_allow = [ "10.77.0.0/16", "fd00:77::/32" ]; ${3:-} } );
	EOF
}

# mesh_daemon I CONF [NAME]: hopwatchd in host I's namespace on $TRASH/CONF,
# spawned as NAME (default mI)
mesh_daemon() {
	spawn "${3:-m$1}" ip netns exec "$(mesh_ns "$1")" "$HOPWATCHD" -c "$TRASH/$2" -P "$PLUGIN_DIR"
}

# mesh_recv: the strict DogStatsD receiver on $TRASH/dsd.sock, lines in dsd.out
mesh_recv() {
	rm -f "$TRASH/dsd.ready"
	spawn dsd "$TOOLS/dsd-recv" -U "$TRASH/dsd.sock" -t 300 -o "$TRASH/dsd.out" -r "$TRASH/dsd.ready" &&
	wait_for 5 test -e "$TRASH/dsd.ready"
}

# mesh_key KIND [MEMBER]: a key of group "lab" (members, member, results)
mesh_key() {
	case $1 in
	members) echo "hopwatch:mesh:{lab}:members" ;;
	*) echo "hopwatch:mesh:{lab}:$1:$2" ;;
	esac
}

# mesh_reached SERVER MEMBER: how many of MEMBER's stored results reached their peer
mesh_reached() {
	rcli "$1" HVALS "$(mesh_key results "$2")" | grep -c '"reached":1' || true
}
