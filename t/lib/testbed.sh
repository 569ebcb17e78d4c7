# t/lib/testbed.sh: test network ("testbed") of network namespaces for the
# hopwatch tests, `make demo` and bench/.  Source it after t/test-lib.sh:
#
#   . "$SRCDIR/t/lib/testbed.sh"
#   tb_chain a 3 2            # topology "a": src - r1 - r2 - r3 - {d1, d2}
#   tb_exec src ping -c1 "$(tb_addr d1)"
#   tb_hops d1 4              # expected traceroute hops, one line per TTL
#
# See t/lib/README.md for the API.  Every function is prefixed tb_.
#
# Nodes and names
#   A topology has a short name TOPO (1-4 of [a-z0-9]) and nodes: src (the
#   source host, where hopwatchd and the DogStatsD receiver run), routers
#   r1..rN in a chain, destination hosts d1..dM (all behind rN), and, made
#   on demand by tb_route, twin routers tK parallel to rK (1 <= K < N).
#   A NODE argument is "NODE" (in topology $TB_TOPO, set by the last
#   tb_chain) or "TOPO:NODE".  Namespace of a node: tb<HW_ID>-<TOPO>-<NODE>
#   (at most 15 bytes).  In a node, the interface towards node X is named X.
#
# Address plan (inside the topology's own namespaces only; the root
# namespace gets no address and no route, so nothing can leak out; src's
# resolv.conf names 127.0.0.1, so no name lookup leaves it)
#   Position: src 0, rK and tK K, every dJ N+1.  Link L joins position L
#   (upstream end, host 1) and L+1 (downstream end, host 2):
#     link L (main)         10.L.0.0/24    fd00:0:L:0::/64
#     tK - r(K+1) (L=K)     10.L.1.0/24    fd00:0:L:1::/64
#     r(K-1) - tK (L=K-1)   10.L.2.0/24    fd00:0:L:2::/64
#   dJ hangs on link L = N-1+J.  So src is 10.0.0.1, rK is 10.(K-1).0.2,
#   tK is 10.(K-1).2.2 and dJ is 10.(N-1+J).0.2 (fd00:0:L:S::H likewise).
#   Routers route 10.L.0.0/16 (fd00:0:L::/48) for every upstream L towards
#   src, with the route's src set to their own hop address, and a default
#   route downstream.  So every router answers traceroute from one fixed
#   address (tb_addr), whatever way a probe came in.
#   Many addresses (tb_many) on dJ: 172.(16+J).0.0/16 and fd01:J::/112.
#
# ICMP rate limits: every node keeps the kernel's defaults (profile linux),
# as real routers do, unless a test opts out with tb_icmp_profile or
# TB_ICMP_PROFILE=unlimited (and says why); strict adds vendor-like
# policing of time exceeded.
#
# Realism knobs all act on "the link below ROUTER": tb_delay and tb_loss
# affect packets that ROUTER forwards, never ROUTER's own answers, so hop
# ROUTER keeps its RTT and every hop after it sees the added delay/loss.
#
# State lives in files under $TB_DIR/TOPO (test bodies run in subshells).
# Loading the library registers tb_cleanup_all with test_atexit (or as the
# EXIT trap when test-lib.sh is not loaded): every namespace of this run
# (tb<HW_ID>-*) goes away at exit, also on failure.

: "${HW_ID:=$(printf '%x' $(( ($$ + RANDOM) % 65536 )))}"
: "${TB_DIR:=${TRASH:-$(mktemp -d /tmp/hw-tb.XXXXXX)}/tb}"
# seconds every helper process (hwdelay, hwlisten) lives at most
: "${TB_LIFETIME:=900}"
TB_TOOLS=${TOOLS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)}
TB_TOPO=${TB_TOPO:-}

# Registered when the library is loaded, before anything exists, so that a
# failure half-way, or a topology made inside a test body (a subshell),
# still gets removed at exit.
if command -v test_atexit >/dev/null 2>&1; then
	test_atexit tb_cleanup_all
else
	trap tb_cleanup_all EXIT
	trap 'exit 130' INT TERM
fi

_tb_die() {
	echo "testbed: $*" >&2
	return 1
}

# _tb_node_parse ARG: set _t (topology) and _n (node) from "[TOPO:]NODE"
_tb_node_parse() {
	case $1 in
	*:*) _t=${1%%:*} _n=${1#*:} ;;
	*) _t=$TB_TOPO _n=$1 ;;
	esac
	[ -n "$_t" ] && [ -d "$TB_DIR/$_t" ] || { _tb_die "no topology for '$1'"; return 1; }
	grep -qx "$_n" "$TB_DIR/$_t/nodes" || { _tb_die "no node '$_n' in topology '$_t'"; return 1; }
}

_tb_nsname() { echo "tb$HW_ID-$1-$2"; }

# _tb_get TOPO KEY [DEFAULT]: read a state value
_tb_get() {
	if [ -f "$TB_DIR/$1/$2" ]; then cat "$TB_DIR/$1/$2"; else echo "${3:-}"; fi
}

# _tb_ip FAM L S H: address of host H on subnet S of link L; IPv6 in the
# compressed form tools print (RFC 5952), so outputs compare as strings
_tb_ip() {
	if [ "$1" != 6 ]; then echo "10.$2.$3.$4"; return; fi
	case $2,$3 in
	0,0) echo "fd00::$4" ;;
	*,0) echo "fd00:0:$2::$4" ;;
	0,*) echo "fd00:0:0:$3::$4" ;;
	*) echo "fd00:0:$2:$3::$4" ;;
	esac
}

# _tb_pos TOPO NODE: position of NODE in the chain
_tb_pos() {
	case $2 in
	src) echo 0 ;;
	r*|t*) echo "${2#?}" ;;
	d*) echo $(( $(_tb_get "$1" n) + 1 )) ;;
	esac
}

# _tb_hopaddr TOPO NODE FAM: the address NODE answers from
_tb_hopaddr() {
	local n k
	n=$(_tb_get "$1" n)
	case $2 in
	src) _tb_ip "$3" 0 0 1 ;;
	r*) k=${2#r}; _tb_ip "$3" $((k - 1)) 0 2 ;;
	t*) k=${2#t}; _tb_ip "$3" $((k - 1)) 2 2 ;;
	d*) k=${2#d}; _tb_ip "$3" $((n - 1 + k)) 0 2 ;;
	esac
}

# _tb_x TOPO NODE CMD...: run CMD in NODE's namespace
_tb_x() {
	local ns
	ns=$(_tb_nsname "$1" "$2")
	shift 2
	ip netns exec "$ns" "$@"
}

# _tb_mknode TOPO NODE router|host: namespace with sane, deterministic sysctls
_tb_mknode() {
	local ns fwd=0
	ns=$(_tb_nsname "$1" "$2")
	[ "$3" = router ] && fwd=1
	ip netns add "$ns" || return 1
	echo "$2" >>"$TB_DIR/$1/nodes"
	ip -n "$ns" link set lo up
	# src resolves with 127.0.0.1, where nothing listens unless a test
	# starts a server there: hopwatchd's lookups (hop names, PTR) stay on
	# loopback instead of crossing the lab's routers towards the host's
	# resolver (spending their ICMP rate limit on unreachables)
	if [ "$2" = src ]; then
		mkdir -p "/etc/netns/$ns" && echo "nameserver 127.0.0.1" >"/etc/netns/$ns/resolv.conf" || return 1
	fi
	# the kernel's ICMP rate limits as a fresh namespace has them, before
	# anything here touches them: the "linux" profile (tb_icmp_profile)
	# shellcheck disable=SC2086
	[ -s "$TB_DIR/$1/icmp.linux" ] || ip netns exec "$ns" sysctl -n $_TB_ICMP_KEYS \
		>"$TB_DIR/$1/icmp.linux" || return 1
	# no DAD so IPv6 addresses work at once, no rp_filter (a tun detour
	# looks asymmetric), nothing inherited from the root ns.  ECMP hashes the
	# 5-tuple with policy 3 (fields 0x37 = addresses, protocol, ports):
	# policy 1 reuses the skb hash when one is set, and a packet crossing
	# a veth keeps the random per-socket hash of its sender, so one flow
	# from two sockets would take different branches.
	ip netns exec "$ns" sysctl -qw \
		net.ipv4.ip_forward=$fwd \
		net.ipv6.conf.all.forwarding=$fwd \
		net.ipv6.conf.default.forwarding=$fwd \
		net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 \
		net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 \
		net.ipv6.conf.default.accept_ra=0 \
		net.ipv4.fib_multipath_hash_policy=3 \
		net.ipv4.fib_multipath_hash_fields=0x37 \
		net.ipv6.fib_multipath_hash_policy=3 \
		net.ipv6.fib_multipath_hash_fields=0x37 \
		net.ipv4.icmp_errors_use_inbound_ifaddr=0 \
		net.ipv4.ping_group_range='0 2147483647' >/dev/null || return 1
	_tb_icmp_apply "$1" "$2" "$(_tb_get "$1" icmp.all "${TB_ICMP_PROFILE:-linux}")"
}

# The sysctls of the kernel's ICMP rate limits, in the order of icmp.linux:
# per destination host one error every icmp_ratelimit ms after a burst
# (the inetpeer token bucket holds 6 of them) for the types in the
# ratemask (v4 6168: unreachable, source quench, time exceeded, parameter
# problem; v6 0-1,3-127: every error but packet too big), and all those
# types together at most icmp_msgs_per_sec a second after icmp_msgs_burst
# (a per-namespace bucket; v6 shares the v4 one).
_TB_ICMP_KEYS="net.ipv4.icmp_ratelimit net.ipv4.icmp_ratemask net.ipv4.icmp_msgs_per_sec
	net.ipv4.icmp_msgs_burst net.ipv6.icmp.ratelimit net.ipv6.icmp.ratemask"

# _tb_icmp_apply TOPO NODE linux|unlimited|strict: set NODE's ICMP profile
_tb_icmp_apply() {
	local t=$1 node=$2 prof=$3 ns keys vals k v set=
	ns=$(_tb_nsname "$t" "$node")
	case $prof in
	linux|strict)
		# shellcheck disable=SC2206
		keys=($_TB_ICMP_KEYS)
		mapfile -t vals <"$TB_DIR/$t/icmp.linux"
		for k in "${!keys[@]}"; do
			v=${vals[$k]:-}
			[ -n "$v" ] || { _tb_die "no default for ${keys[$k]}"; return 1; }
			set="$set ${keys[$k]}=$v"
		done
		;;
	unlimited)
		# an empty ratemask exempts every type from both limits
		set="net.ipv4.icmp_ratemask=0 net.ipv6.icmp.ratemask=0
			net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0"
		;;
	*) _tb_die "bad ICMP profile '$prof' (linux, unlimited or strict)"; return 1 ;;
	esac
	# strict: time exceeded leaves the kernel's ratemasks (v4 bit 11, v6
	# type 3), the policer below takes over
	[ "$prof" = strict ] && set="$set net.ipv4.icmp_ratemask=$((vals[1] & ~2048))
		net.ipv6.icmp.ratemask=0-1,4-127"
	# shellcheck disable=SC2086
	ip netns exec "$ns" sysctl -qw $set >/dev/null || return 1
	ip netns exec "$ns" nft delete table inet tbicmp 2>/dev/null
	if [ "$prof" = strict ]; then
		# vendor-like control-plane policing: at most 10 time exceeded
		# a second after a burst of 10, one bucket per family for every
		# destination together (no per-destination bucket)
		ip netns exec "$ns" nft -f - <<-EOF || return 1
		table inet tbicmp {
			chain policed {
				type filter hook output priority 0; policy accept;
				icmp type time-exceeded limit rate over 10/second burst 10 packets drop
				icmpv6 type time-exceeded limit rate over 10/second burst 10 packets drop
			}
		}
		EOF
	fi
	echo "$prof" >"$TB_DIR/$t/icmp.$node"
}

# tb_icmp_profile NODE|all linux|unlimited|strict: how NODE (every node of
# the topology with "all", also twins tb_route makes later) rate-limits the
# ICMP errors it sends.  linux: the kernel's defaults, which every node has
# unless a test says otherwise (per destination about 1/s after a burst of
# 6 in IPv4; IPv6 per this kernel's net.ipv6.icmp.ratelimit; 1000/s in
# all).  unlimited: no limit at all, for tests that measure something else
# and must say why.  strict: control-plane policing as vendor routers do:
# time exceeded at most 10 a second after a burst of 10 for the router as
# a whole, shared by every source (nft limit on the output hook, one
# bucket per family) instead of the kernel's per-destination bucket; other
# errors keep the linux limits.
tb_icmp_profile() {
	local _t _n node
	case $2 in linux|unlimited|strict) ;; *) _tb_die "bad ICMP profile '$2'"; return 1 ;; esac
	if [ "$1" = all ] || [ "${1#*:}" = all ]; then
		case $1 in *:*) _t=${1%%:*} ;; *) _t=$TB_TOPO ;; esac
		[ -n "$_t" ] && [ -d "$TB_DIR/$_t" ] || { _tb_die "no topology for '$1'"; return 1; }
		echo "$2" >"$TB_DIR/$_t/icmp.all"
		for node in $(cat "$TB_DIR/$_t/nodes"); do
			_tb_icmp_apply "$_t" "$node" "$2" || return 1
		done
		return 0
	fi
	_tb_node_parse "$1" || return 1
	_tb_icmp_apply "$_t" "$_n" "$2"
}

# _tb_mklink TOPO UPNODE DOWNNODE L S: veth between two nodes; UPNODE gets
# host 1, DOWNNODE host 2 of subnet S of link L, both families
_tb_mklink() {
	local nsa nsb
	nsa=$(_tb_nsname "$1" "$2")
	nsb=$(_tb_nsname "$1" "$3")
	ip link add name "$3" netns "$nsa" type veth peer name "$2" netns "$nsb" || return 1
	ip -n "$nsa" addr add "$(_tb_ip 4 "$4" "$5" 1)/24" dev "$3"
	ip -n "$nsa" addr add "$(_tb_ip 6 "$4" "$5" 1)/64" dev "$3" nodad
	ip -n "$nsb" addr add "$(_tb_ip 4 "$4" "$5" 2)/24" dev "$2"
	ip -n "$nsb" addr add "$(_tb_ip 6 "$4" "$5" 2)/64" dev "$2" nodad
	ip -n "$nsa" link set "$3" up
	ip -n "$nsb" link set "$2" up
}

# _tb_nh TOPO FAM DIR K: nexthop arguments from position K-1 down to
# position K (DIR=down) or from position K+1 up to position K (DIR=up),
# following the route mode of position K
_tb_nh() {
	local t=$1 fam=$2 dir=$3 k=$4 mode main twin l
	mode=$(_tb_get "$t" "mode.$k" main)
	if [ "$dir" = down ]; then
		l=$((k - 1))
		main="via $(_tb_ip "$fam" $l 0 2) dev r$k"
		twin="via $(_tb_ip "$fam" $l 2 2) dev t$k"
	else
		if [ "$k" = 0 ]; then main="via $(_tb_ip "$fam" 0 0 1) dev src"; else
		main="via $(_tb_ip "$fam" "$k" 0 1) dev r$k"; fi
		twin="via $(_tb_ip "$fam" "$k" 1 1) dev t$k"
	fi
	case $mode in
	main) echo "$main" ;;
	alt) echo "$twin" ;;
	ecmp) echo "nexthop $main nexthop $twin" ;;
	esac
}

# _tb_route_replace NS FAM PREFIX ARGS...: install a route, whatever was there
_tb_route_replace() {
	local ns=$1 fam=$2 pfx=$3
	shift 3
	if [ "$fam" = 6 ]; then
		# v6 "replace" merges multipath nexthops on some kernels
		ip -n "$ns" -6 route del "$pfx" 2>/dev/null
		ip -n "$ns" -6 route add "$pfx" "$@"
	else
		ip -n "$ns" -4 route replace "$pfx" "$@"
	fi
}

# _tb_routes TOPO NODE: (re)install NODE's routes from the topology state
_tb_routes() {
	local t=$1 node=$2 n ns fam k l up src p
	n=$(_tb_get "$t" n)
	ns=$(_tb_nsname "$t" "$node")
	for fam in 4 6; do
		case $node in
		src)
			# shellcheck disable=SC2046
			_tb_route_replace "$ns" $fam default $(_tb_nh "$t" $fam down 1)
			;;
		d*)
			k=${node#d}
			_tb_route_replace "$ns" $fam default via "$(_tb_ip $fam $((n - 1 + k)) 0 1)" dev "r$n"
			;;
		r*|t*)
			k=${node#?}
			src=$(_tb_hopaddr "$t" "$node" $fam)
			if [ "${node%%[0-9]*}" = t ]; then
				if [ "$k" = 1 ]; then up="via $(_tb_ip $fam 0 2 1) dev src"
				else up="via $(_tb_ip $fam $((k - 1)) 2 1) dev r$((k - 1))"; fi
			else
				up=$(_tb_nh "$t" $fam up $((k - 1)))
			fi
			for l in $(seq 0 $((k - 1))); do
				if [ $fam = 4 ]; then p="10.$l.0.0/16"; else p="fd00:0:$l::/48"; fi
				# shellcheck disable=SC2086
				_tb_route_replace "$ns" $fam "$p" src "$src" $up
			done
			if [ "${node%%[0-9]*}" = t ]; then
				_tb_route_replace "$ns" $fam default via "$(_tb_ip $fam "$k" 1 2)" dev "r$((k + 1))"
			elif [ "$k" -lt "$n" ]; then
				# shellcheck disable=SC2046
				_tb_route_replace "$ns" $fam default $(_tb_nh "$t" $fam down $((k + 1)))
			fi
			;;
		esac
	done
}

# tb_chain TOPO NROUTERS [NDESTS]: build topology TOPO: src - r1 - ... -
# rNROUTERS - {d1..dNDESTS} (NDESTS defaults to 1), both IPv4 and IPv6, and
# make TOPO the default topology ($TB_TOPO).  Call it outside test bodies.
# Every node gets the ICMP profile $TB_ICMP_PROFILE (default linux: the
# kernel's rate limits; see tb_icmp_profile).
tb_chain() {
	local t=$1 n=$2 nd=${3:-1} k
	case $t in ''|*[!a-z0-9]*) _tb_die "bad topology name '$t'"; return 1 ;; esac
	[ ${#t} -le 4 ] || { _tb_die "topology name '$t' longer than 4"; return 1; }
	[ "$n" -ge 1 ] && [ "$n" -le 50 ] && [ "$nd" -ge 1 ] && [ "$nd" -le 15 ] ||
		{ _tb_die "need 1..50 routers and 1..15 destinations"; return 1; }
	[ -e "$TB_DIR/$t" ] && { _tb_die "topology '$t' exists"; return 1; }
	case ${TB_ICMP_PROFILE:-linux} in linux|unlimited|strict) ;;
	*) _tb_die "bad TB_ICMP_PROFILE '$TB_ICMP_PROFILE'"; return 1 ;; esac
	if ip netns list | grep -q "^tb$HW_ID-$t-"; then
		_tb_die "namespaces tb$HW_ID-$t-* exist already"
		return 1
	fi
	mkdir -p "$TB_DIR/$t" || return 1
	: >"$TB_DIR/$t/nodes"
	echo "$n" >"$TB_DIR/$t/n"
	echo "$nd" >"$TB_DIR/$t/nd"
	echo "${TB_ICMP_PROFILE:-linux}" >"$TB_DIR/$t/icmp.all"
	TB_TOPO=$t
	_tb_mknode "$t" src host || return 1
	for k in $(seq 1 "$n"); do _tb_mknode "$t" "r$k" router || return 1; done
	for k in $(seq 1 "$nd"); do _tb_mknode "$t" "d$k" host || return 1; done
	_tb_mklink "$t" src r1 0 0 || return 1
	for k in $(seq 1 $((n - 1))); do _tb_mklink "$t" "r$k" "r$((k + 1))" "$k" 0 || return 1; done
	for k in $(seq 1 "$nd"); do _tb_mklink "$t" "r$n" "d$k" $((n - 1 + k)) 0 || return 1; done
	for k in $(grep . "$TB_DIR/$t/nodes"); do _tb_routes "$t" "$k" || return 1; done
}

# tb_pid_alive PID: PID runs (a zombie counts as dead: daemons are reparented
# to PID 1, which may be slow to reap them)
tb_pid_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}

# tb_cleanup [TOPO]: stop every process in TOPO's namespaces (hwdelay,
# hwlisten, daemons under test), delete the namespaces and the state.
# Idempotent; TOPO defaults to $TB_TOPO.
tb_cleanup() {
	local t=${1:-$TB_TOPO} ns pids i
	[ -n "$t" ] || return 0
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^tb$HW_ID-$t-"); do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill $pids 2>/dev/null
		for i in $(seq 1 20); do
			[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
			sleep 0.05
		done
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
		rm -rf "/etc/netns/$ns"
	done
	rm -rf "${TB_DIR:?}/$t"
	return 0
}

# tb_cleanup_all: tb_cleanup every topology of this run (every namespace
# named tb<HW_ID>-*), also those made in a subshell
tb_cleanup_all() {
	local t
	for t in $( { ls "$TB_DIR" 2>/dev/null
		      ip netns list 2>/dev/null | awk '{print $1}' |
			      sed -n "s/^tb$HW_ID-\([a-z0-9]*\)-.*/\1/p"; } | sort -u); do
		tb_cleanup "$t"
	done
}

# tb_names [TOPO]: the namespace names of TOPO that exist now
tb_names() {
	ip netns list 2>/dev/null | awk '{print $1}' | grep "^tb$HW_ID-${1:-$TB_TOPO}-"
}

# tb_nodes [TOPO]: the nodes of TOPO, one per line
tb_nodes() {
	cat "$TB_DIR/${1:-$TB_TOPO}/nodes"
}

# tb_ns NODE: namespace name of NODE (for `ip -n`, `ip netns exec`)
tb_ns() {
	local _t _n
	_tb_node_parse "$1" || return 1
	_tb_nsname "$_t" "$_n"
}

# tb_exec NODE CMD...: run CMD inside NODE's namespace
tb_exec() {
	local _t _n
	_tb_node_parse "$1" || return 1
	shift
	_tb_x "$_t" "$_n" "$@"
}

# tb_addr NODE [4|6]: the address of NODE (for routers, the one it answers
# traceroute from); family 4 by default
tb_addr() {
	local _t _n
	_tb_node_parse "$1" || return 1
	_tb_hopaddr "$_t" "$_n" "${2:-4}"
}

# tb_hops DEST [4|6]: the hops traceroute from src to DEST must show, one
# line per TTL: an address, "A|B" when ECMP makes both possible (flow
# dependent), "*" for a silent router; the last line is DEST itself
tb_hops() {
	local _t _n fam=${2:-4} n k cur next c line
	_tb_node_parse "$1" || return 1
	n=$(_tb_get "$_t" n)
	cur=src
	for k in $(seq 1 "$n"); do
		next=
		for c in $cur; do
			if [ "${c%%[0-9]*}" = t ]; then next="$next r$k"; continue; fi
			case $(_tb_get "$_t" "mode.$k" main) in
			main) next="$next r$k" ;;
			alt) next="$next t$k" ;;
			ecmp) next="$next r$k t$k" ;;
			esac
		done
		cur=$(echo $next | tr ' ' '\n' | sort -u | tr '\n' ' ')
		line=
		for c in $cur; do
			if [ -e "$TB_DIR/$_t/silent.$c" ]; then line="$line|*"
			else line="$line|$(_tb_hopaddr "$_t" "$c" "$fam")"; fi
		done
		line=${line#|}
		case $line in *'*'*) line='*' ;; esac
		echo "$line"
	done
	_tb_hopaddr "$_t" "$_n" "$fam"
}

# _tb_router ARG: parse a router argument into _t/_n, reject hosts
_tb_router() {
	_tb_node_parse "$1" || return 1
	case $_n in r*|t*) return 0 ;; esac
	_tb_die "'$1' is not a router"
}

# _tb_ifaces TOPO NODE up|down: NODE's veth interfaces towards src (up) or
# away from it (down)
_tb_ifaces() {
	local t=$1 node=$2 p i
	p=$(_tb_pos "$t" "$node")
	for i in $(ip -n "$(_tb_nsname "$t" "$node")" -o link show type veth |
			awk -F': ' '{print $2}' | sed 's/@.*//'); do
		if [ "$(_tb_pos "$t" "$i")" -lt "$p" ]; then
			[ "$3" = up ] && echo "$i"
		else
			[ "$3" = down ] && echo "$i"
		fi
	done
}

# tb_route ROUTER main|alt|ecmp: route change around router rK (1 <= K < N):
# main sends the traffic through rK, alt through its twin tK instead (hop K
# changes address: a real path change, both directions), ecmp over both
# with L4 hashing (one flow always takes the same branch).  The twin is
# made the first time.  Set it before tb_delay/tb_loss on rK's neighbours.
tb_route() {
	local _t _n mode=$2 k n
	_tb_router "$1" || return 1
	case $_n in r*) ;; *) _tb_die "tb_route takes rK"; return 1 ;; esac
	case $mode in main|alt|ecmp) ;; *) _tb_die "bad route mode '$mode'"; return 1 ;; esac
	k=${_n#r}
	n=$(_tb_get "$_t" n)
	[ "$k" -lt "$n" ] || { _tb_die "tb_route needs a router after $_n"; return 1; }
	if ! grep -qx "t$k" "$TB_DIR/$_t/nodes"; then
		_tb_mknode "$_t" "t$k" router || return 1
		if [ "$k" = 1 ]; then _tb_mklink "$_t" src t1 0 2 || return 1
		else _tb_mklink "$_t" "r$((k - 1))" "t$k" $((k - 1)) 2 || return 1; fi
		_tb_mklink "$_t" "t$k" "r$((k + 1))" "$k" 1 || return 1
		_tb_routes "$_t" "t$k" || return 1
	fi
	echo "$mode" >"$TB_DIR/$_t/mode.$k"
	if [ "$k" = 1 ]; then _tb_routes "$_t" src; else _tb_routes "$_t" "r$((k - 1))"; fi
	_tb_routes "$_t" "r$((k + 1))"
}

# tb_delay ROUTER DOWN [UP]: delay (and jitter, loss) the link below ROUTER
# with t/tools/hwdelay.  DOWN and UP are DELAY_MS[:JITTER_MS[:LOSS_PCT]] for
# packets ROUTER forwards away from src and towards src (UP defaults to 0).
# Hops after ROUTER get DOWN+UP ms more RTT; ROUTER's own RTT is unchanged.
# A second call replaces the first.  $TB_HWDELAY_OPTS adds hwdelay options
# (e.g. -R to let jitter reorder packets).
tb_delay() {
	local _t _n down=$2 up=${3:-0} ns d f i pidfile
	_tb_router "$1" || return 1
	tb_undelay "$1" >/dev/null
	ns=$(_tb_nsname "$_t" "$_n")
	pidfile=$TB_DIR/$_t/delay.$_n.pid
	for d in tbdn tbup; do
		ip -n "$ns" tuntap add mode tun dev $d || return 1
		ip -n "$ns" link set $d up
	done
	for f in 4 6; do
		ip -n "$ns" -$f route add default dev tbdn table 201
		ip -n "$ns" -$f route add default dev tbup table 202
		for i in $(_tb_ifaces "$_t" "$_n" up); do
			ip -n "$ns" -$f rule add iif "$i" lookup 201 pref 201
		done
		for i in $(_tb_ifaces "$_t" "$_n" down); do
			ip -n "$ns" -$f rule add iif "$i" lookup 202 pref 202
		done
	done
	# shellcheck disable=SC2086
	ip netns exec "$ns" "$TB_TOOLS/hwdelay" -d -T "$TB_LIFETIME" -p "$pidfile" -r 10 \
		${TB_HWDELAY_OPTS:-} "tbdn:$down" "tbup:$up" 2>>"$TB_DIR/$_t/delay.$_n.log" || {
		_tb_die "hwdelay failed: $(cat "$TB_DIR/$_t/delay.$_n.log")"
		return 1
	}
	echo "$down $up" >"$TB_DIR/$_t/delay.$_n"
}

# tb_undelay ROUTER: remove the delay of ROUTER (no-op when none) and print
# the hwdelay statistics ("hwdelay: tbdn: read N forwarded N lost N ...")
tb_undelay() {
	local _t _n ns pid pidfile f i
	_tb_router "$1" || return 1
	ns=$(_tb_nsname "$_t" "$_n")
	pidfile=$TB_DIR/$_t/delay.$_n.pid
	[ -e "$TB_DIR/$_t/delay.$_n" ] || [ -e "$pidfile" ] || return 0
	if [ -s "$pidfile" ]; then
		pid=$(cat "$pidfile")
		kill "$pid" 2>/dev/null
		for i in $(seq 1 50); do
			tb_pid_alive "$pid" || break
			sleep 0.02
		done
	fi
	rm -f "$pidfile" "$TB_DIR/$_t/delay.$_n"
	for f in 4 6; do
		for i in $(seq 1 64); do
			ip -n "$ns" -$f rule del pref 201 2>/dev/null ||
				ip -n "$ns" -$f rule del pref 202 2>/dev/null || break
		done
		ip -n "$ns" -$f route flush table 201 2>/dev/null
		ip -n "$ns" -$f route flush table 202 2>/dev/null
	done
	ip -n "$ns" link del tbdn 2>/dev/null
	ip -n "$ns" link del tbup 2>/dev/null
	cat "$TB_DIR/$_t/delay.$_n.log" 2>/dev/null
	rm -f "$TB_DIR/$_t/delay.$_n.log"
}

# tb_loss ROUTER DOWN_PCT [UP_PCT]: drop that percentage (0.1 steps) of the
# packets ROUTER forwards away from src / towards src (nft numgen random);
# tb_loss ROUTER 0 removes it
tb_loss() {
	local _t _n ns down=$2 up=${3:-0} pd pu ifs_up ifs_down
	_tb_router "$1" || return 1
	ns=$(_tb_nsname "$_t" "$_n")
	ip netns exec "$ns" nft delete table inet tbloss 2>/dev/null
	pd=$(awk -v p="$down" 'BEGIN { printf "%d", p * 10 + 0.5 }')
	pu=$(awk -v p="$up" 'BEGIN { printf "%d", p * 10 + 0.5 }')
	[ "$pd" = 0 ] && [ "$pu" = 0 ] && return 0
	ifs_up=$(_tb_ifaces "$_t" "$_n" up | sed 's/.*/"&"/' | paste -sd, -)
	ifs_down=$(_tb_ifaces "$_t" "$_n" down | sed 's/.*/"&"/' | paste -sd, -)
	# "fwd", "in", "out" are nft keywords: chain names avoid them
	ip netns exec "$ns" nft -f - <<-EOF
	table inet tbloss {
		chain forwarded {
			type filter hook forward priority 0; policy accept;
			iifname { $ifs_up } numgen random mod 1000 < $pd drop
			iifname { $ifs_down } numgen random mod 1000 < $pu drop
		}
	}
	EOF
}

# tb_silent ROUTER [on|off]: ROUTER stops (on, the default) or resumes
# (off) sending the ICMP errors it originates (time exceeded, unreachable,
# parameter problem), both families; it still forwards and answers pings
tb_silent() {
	local _t _n ns
	_tb_router "$1" || return 1
	ns=$(_tb_nsname "$_t" "$_n")
	ip netns exec "$ns" nft delete table inet tbsilent 2>/dev/null
	rm -f "$TB_DIR/$_t/silent.$_n"
	[ "${2:-on}" = off ] && return 0
	ip netns exec "$ns" nft -f - <<-EOF || return 1
	table inet tbsilent {
		chain originated {
			type filter hook output priority 0; policy accept;
			icmp type { time-exceeded, destination-unreachable, parameter-problem } drop
			icmpv6 type { time-exceeded, destination-unreachable, parameter-problem } drop
		}
	}
	EOF
	: >"$TB_DIR/$_t/silent.$_n"
}

# tb_ratelimit ROUTER MS|off: rate limit the ICMP errors of ROUTER the
# kernel way: per destination, one every MS milliseconds after a burst of
# about 6 (net.ipv4.icmp_ratelimit, net.ipv6.icmp.ratelimit with the
# kernel's default ratemasks); off (or 0) lifts the limit again
tb_ratelimit() {
	local _t _n ms=$2
	_tb_router "$1" || return 1
	if [ "$ms" = off ] || [ "$ms" = 0 ]; then
		_tb_x "$_t" "$_n" sysctl -qw net.ipv4.icmp_ratemask=0 net.ipv6.icmp.ratemask=0 \
			net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
	else
		_tb_x "$_t" "$_n" sysctl -qw net.ipv4.icmp_ratemask=6168 \
			net.ipv6.icmp.ratemask=0-1,3-127 \
			net.ipv4.icmp_ratelimit="$ms" net.ipv6.icmp.ratelimit="$ms"
	fi
}

# tb_listen DEST PORT...: accept (and close at once) TCP connections on
# PORT..., IPv4 and IPv6, with t/tools/hwlisten; it ends with the topology
tb_listen() {
	local _t _n pidfile
	_tb_node_parse "$1" || return 1
	shift
	pidfile=$TB_DIR/$_t/listen.$_n.$1.pid
	_tb_x "$_t" "$_n" "$TB_TOOLS/hwlisten" -d -T "$TB_LIFETIME" -p "$pidfile" "$@" \
		2>>"$TB_DIR/$_t/listen.$_n.log" || return 1
	local i
	for i in $(seq 1 100); do
		[ -s "$pidfile" ] && return 0
		sleep 0.02
	done
	_tb_die "hwlisten did not start"
}

# tb_filter DEST PORT...: DEST silently drops TCP and UDP to PORT...
# (a "filtered" port: no RST, no ICMP); tb_filter DEST (no port) undoes it
tb_filter() {
	local _t _n ns ports
	_tb_node_parse "$1" || return 1
	shift
	ns=$(_tb_nsname "$_t" "$_n")
	ip netns exec "$ns" nft delete table inet tbfilter 2>/dev/null
	[ $# -gt 0 ] || return 0
	ports=$(echo "$@" | tr ' ' ',')
	ip netns exec "$ns" nft -f - <<-EOF
	table inet tbfilter {
		chain incoming {
			type filter hook input priority 0; policy accept;
			tcp dport { $ports } drop
			udp dport { $ports } drop
		}
	}
	EOF
}

# tb_many DEST [4|6]: DEST answers for a whole prefix (v4 /16: 65534
# targets, v6 /112) through a local route; prints the prefix
tb_many() {
	local _t _n fam=${2:-4} j n ns pfx
	_tb_node_parse "$1" || return 1
	case $_n in d*) ;; *) _tb_die "tb_many takes a destination"; return 1 ;; esac
	j=${_n#d}
	n=$(_tb_get "$_t" n)
	ns=$(_tb_nsname "$_t" "$_n")
	if [ "$fam" = 6 ]; then pfx="fd01:$j::/112"; else pfx="172.$((16 + j)).0.0/16"; fi
	ip -n "$ns" -"$fam" route replace local "$pfx" dev lo || return 1
	ip -n "$(_tb_nsname "$_t" "r$n")" -"$fam" route replace "$pfx" \
		via "$(_tb_ip "$fam" $((n - 1 + j)) 0 2)" dev "$_n" || return 1
	echo "$pfx"
}

# tb_many_addr DEST I [4|6]: the I-th address (1..65534) of DEST's tb_many
# prefix
tb_many_addr() {
	local _t _n j
	_tb_node_parse "$1" || return 1
	j=${_n#d}
	if [ "${3:-4}" = 6 ]; then printf 'fd01:%s::%x\n' "$j" "$2"
	else echo "172.$((16 + j)).$(($2 / 256)).$(($2 % 256))"; fi
}

# tb_trace_match DEST [4|6]: read `traceroute -n -q 1` output on stdin and
# succeed when its hops are exactly tb_hops DEST (an "A|B" hop matches A or
# B); prints both lists on a mismatch
tb_trace_match() {
	local want got
	want=$(tb_hops "$1" "${2:-4}") || return 1
	got=$(awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $2 }')
	if awk -v want="$want" -v got="$got" 'BEGIN {
		nw = split(want, w, "\n"); ng = split(got, g, "\n")
		if (nw != ng) exit 1
		for (i = 1; i <= nw; i++) {
			n = split(w[i], alt, "|"); ok = 0
			for (j = 1; j <= n; j++) if (alt[j] == g[i]) ok = 1
			if (!ok) exit 1
		}
	}'; then
		return 0
	fi
	echo "expected hops:"; echo "$want"
	echo "traceroute hops:"; echo "$got"
	return 1
}
