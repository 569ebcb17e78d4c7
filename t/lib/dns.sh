# t/lib/dns.sh: a real DNS server for the t91xx dns plugin tests, sourced
# after test-lib.sh and testbed.sh.
#
# dns_server NODE starts, in NODE's namespace, Debian's unbound on port 53
# of NODE's addresses (both families) with known data:
#   www.test A 10.9.0.1 (dns_set_a changes it), www.test AAAA fd09::1,
#   sys.test A 10.9.0.3
#   test MX 10 mail.test; big.test TXT: 4 strings of 200 bytes, so a
#     plain (no EDNS) UDP answer is truncated (TC) and the client must
#     retry over TCP (RFC 7766 5)
#   any other name under test.: NXDOMAIN (a static local zone)
#   NAME.fail.test: SERVFAIL.  unbound forwards fail.test to an upstream
#     dnsmasq on 127.0.0.1:5300 in the same namespace, which answers it
#     unsigned, while unbound holds a trust anchor for fail.test: the
#     answer is bogus (RFC 4035 5.5) and unbound answers SERVFAIL, at once
#     and every time.
# Caches are off, so every query reaches the data.  unbound counts every
# answer it sends by rcode: dns_server_stats prints them (and resets them),
# the ground truth for the counts hopwatch sends.  Processes run in the
# testbed's namespaces, which tb_cleanup kills and removes at exit.

# dns_testbed TOPO TOOLS...: what every t91xx test needs, or skip/bail:
# the tools and plugin built, src - r1 - d1 with the server in d1 and
# 10 ms of RTT added by r1 (5 ms each way); sets D4 and D6, d1's addresses.
dns_testbed() {
	local topo=$1 tool
	shift
	require_root
	require_cmd ip nft timeout awk unbound unbound-control dnsmasq dig
	for tool in dsd-recv hwdelay "$@"; do
		[ -x "$TOOLS/$tool" ] || skip_all "t/tools/$tool is not built (run make)"
	done
	[ -e "$PLUGIN_DIR/dns.so" ] || skip_all "plugins/dns.so is not built (run make)"
	tb_chain "$topo" 1 1 || { echo "Bail out! tb_chain failed"; exit 1; }
	dns_server d1 || { echo "Bail out! the DNS server did not start"; exit 1; }
	D4=$(tb_addr d1 4)
	D6=$(tb_addr d1 6)
	tb_delay r1 5 5 || { echo "Bail out! tb_delay failed"; exit 1; }
}

# dns_server NODE: start the servers; waits until they answer.
dns_server() {
	local node=$1 ns a4 a6 dir big
	ns=$(tb_ns "$node") || return 1
	a4=$(tb_addr "$node" 4)
	a6=$(tb_addr "$node" 6)
	DNS_DIR=$TRASH/dns-$node
	mkdir -p "$DNS_DIR" || return 1
	dir=$DNS_DIR
	big=$(printf '"%0200d" ' 0 0 0 0 | tr 0 x)
	DNS_A=10.9.0.1
	cat >"$dir/upstream.conf" <<-EOF
	no-resolv
	no-hosts
	listen-address=127.0.0.1
	bind-interfaces
	port=5300
	user=root
	pid-file=$dir/upstream.pid
	address=/fail.test/10.9.9.9
	EOF
	_dns_write_conf "$a4" "$a6" "$big" || return 1
	ip netns exec "$ns" ip link set lo up
	ip netns exec "$ns" dnsmasq -C "$dir/upstream.conf" --log-facility="$dir/upstream.log" || return 1
	ip netns exec "$ns" timeout "${TB_LIFETIME:-900}" unbound -c "$dir/unbound.conf" >"$dir/unbound.out" 2>&1 &
	wait_for 10 ip netns exec "$ns" dig +short +tries=1 +time=1 @"$a4" www.test A >/dev/null || {
		cat "$dir/unbound.out" "$dir/unbound.log" 2>/dev/null
		return 1
	}
	dns_server_stats "$node" >/dev/null
}

_dns_write_conf() {
	cat >"$DNS_DIR/unbound.conf" <<-EOF
	server:
	  interface: $1
	  interface: $2
	  port: 53
	  do-daemonize: no
	  username: ""
	  chroot: ""
	  directory: "$DNS_DIR"
	  pidfile: "$DNS_DIR/unbound.pid"
	  use-syslog: no
	  logfile: "$DNS_DIR/unbound.log"
	  verbosity: 1
	  num-threads: 1
	  extended-statistics: yes
	  trust-anchor-signaling: no
	  access-control: 0.0.0.0/0 allow
	  access-control: ::/0 allow
	  module-config: "validator iterator"
	  trust-anchor: "fail.test. DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"
	  do-not-query-localhost: no
	  msg-cache-size: 0
	  rrset-cache-size: 0
	  local-zone: "test." static
	  local-data: "www.test. 0 IN A $DNS_A"
	  local-data: "www.test. 0 IN AAAA fd09::1"
	  local-data: "sys.test. 0 IN A 10.9.0.3"
	  local-data: 'big.test. 0 IN TXT $3'
	  local-data: "test. 0 IN MX 10 mail.test."
	  local-zone: "fail.test." transparent
	forward-zone:
	  name: "fail.test."
	  forward-addr: 127.0.0.1@5300
	remote-control:
	  control-enable: yes
	  control-interface: $DNS_DIR/control.sock
	EOF
}

# dns_control NODE ARGS...: unbound-control of NODE's server
dns_control() {
	local node=$1
	shift
	ip netns exec "$(tb_ns "$node")" unbound-control -c "$DNS_DIR/unbound.conf" "$@"
}

# dns_set_a NODE ADDR: www.test A becomes ADDR, in one step (a reload of
# the whole data, so no query ever sees the name without an address).
dns_set_a() {
	local a4 a6 big
	a4=$(sed -n 's/^  interface: \([0-9.]*\)$/\1/p' "$DNS_DIR/unbound.conf")
	a6=$(sed -n 's/^  interface: \(.*:.*\)$/\1/p' "$DNS_DIR/unbound.conf")
	big=$(sed -n "s/^  local-data: 'big.test. 0 IN TXT \(.*\)'\$/\1/p" "$DNS_DIR/unbound.conf")
	DNS_A=$2
	_dns_write_conf "$a4" "$a6" "$big" && dns_control "$1" reload >/dev/null
}

# dns_server_stats NODE: "KIND COUNT" lines of what the server did since
# the last call (unbound-control stats resets the counters): "queries N",
# the client queries it received, then "RCODE N" (lower case) for the
# answers it counted by rcode.  unbound's SERVFAIL counter also counts the
# validator's own failed lookups (DNSKEY of fail.test), so the SERVFAIL
# answers clients got are the queries less every other rcode: dns_truth.
dns_server_stats() {
	dns_control "$1" stats | sed -n 's/^total\.num\.queries=\([0-9]*\)$/queries \1/p
		s/^num\.answer\.rcode\.\([A-Z]*\)=\([0-9]*\)$/\1 \2/p' |
		awk '$2 > 0 { print tolower($1), $2 }' | sort
}

# dns_truth FILE RCODE: the answers of RCODE clients got, from a
# dns_server_stats FILE
dns_truth() {
	awk -v r="$2" '$1 == "queries" { q = $2 } $1 == r { n = $2 } $1 != "queries" && $1 != "servfail" { other += $2 }
		END { print (r == "servfail" ? q - other : n + 0) }' "$1"
}

# Readers of the receiver's lines in `out` (run_hopwatchd, test-lib.sh).
# A TAGS argument is a comma-separated list of tags a line must all carry.

# dns_lines NAME [TAGS]: the lines of metric, check or event NAME
dns_lines() {
	local name=$1 tags=${2:-} t have
	grep -E "^(_sc\|)?hopwatch\.$name[:|]" out | while IFS= read -r line; do
		have=${line#*|#}
		have=${have%%|*}
		for t in ${tags//,/ }; do
			case ",$have," in *",$t,"*) ;; *) continue 2 ;; esac
		done
		printf '%s\n' "$line"
	done
}

# dns_values NAME [TAGS]: every value of metric NAME, one a line
dns_values() {
	dns_lines "$1" "${2:-}" | sed 's/^[^:]*://; s/|.*//' | tr ':' '\n'
}

# dns_sum NAME [TAGS]: the sum of those values (0 when none)
dns_sum() {
	dns_values "$1" "${2:-}" | awk '{ s += $1 } END { print s + 0 }'
}

# dns_near WANT TOL: the values on stdin (at least 3) are none below
# WANT - TOL (nothing beats the emulated delay), the smallest within TOL of
# WANT (no bias upwards: an unhurried sample shows the delay itself), and
# the median within TOL + 1 ms.  No upper bound on single values, and a
# looser one on the median: hwdelay is a userspace process, and `make
# check` runs two tests at once (the fuzzers take a core), so a busy
# machine holds some packets back.  Under AddressSanitizer (make check
# SANITIZE=1) the daemon's own work between the kernel's timestamp and
# c-ares' read takes longer: TOL grows by 1 ms there.
dns_near() {
	local tol=$2
	if ldd "$HOPWATCHD" 2>/dev/null | grep -q libasan; then
		tol=$(awk -v t="$tol" 'BEGIN { print t + 1 }')
	fi
	sort -n >near.$$ && cat near.$$ && test "$(wc -l <near.$$)" -ge 3 &&
	awk -v w="$1" -v t="$tol" '{ v[NR] = $1 }
		END { m = v[int((NR + 1) / 2)] - w; d = v[1] - w; if (d < 0) d = -d;
		      exit v[1] < w - t || d > t || m > t + 1 || m < -t }' near.$$
}
