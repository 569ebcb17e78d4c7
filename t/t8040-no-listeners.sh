#!/bin/bash
# t8040: no socket anyone can fill (issue 15).  hopwatchd runs every plugin
# in every mode (icmp auto/dgram/raw, tcp connect/syn, path icmp/udp
# dgram/raw and tcp raw) against a testbed destination, both families;
# while it runs:
#   - ss -lnp (tcp and udp, both families) lists no socket of its pid: the
#     ports held for raw udp/tcp probes are held by sockets that never
#     listen (hwc_hold_port); path udp dgram sends from one UDP socket
#     connected to each destination and port, and the socket that took its
#     port is connected to itself (hwc_udp_quiet);
#   - a flood of UDP datagrams from d1 to every UDP port hopwatchd has
#     bound leaves every receive queue of hopwatchd empty (ss Recv-Q 0,
#     tcp, udp and raw sockets);
#   - every trace still reaches the destination and the tcp probes are
#     still answered.
# path udp dgram is also run alone, so that what ss lists is its own.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip ss timeout awk
[ -x "$TOOLS/dsd-recv" ] || skip_all "t/tools/dsd-recv is not built (run make)"
for p in icmp tcp path; do
	[ -e "$PLUGIN_DIR/$p.so" ] || skip_all "plugins/$p.so is not built (run make)"
done

# The kernel's default ICMP limits: the two udp path instances (raw and
# dgram) share d1's port unreachables (6, then 1 a second) through the
# process-wide budget; rounds past it carry no figure of d1 ("=")
tb_chain nl 1 || { echo "Bail out! tb_chain failed"; exit 1; }
tb_listen d1 80 || { echo "Bail out! tb_listen failed"; exit 1; }
STATSD_PORT=8125
D=$(tb_addr d1) D6=$(tb_addr d1 6)
S=$(tb_addr src) S6=$(tb_addr src 6)
. "$SRCDIR/t/lib/path.sh"

# every mode of every plugin; then path udp dgram alone
icmp() { echo "{ name = \"icmp_$1\"; plugin = \"icmp\"; mode = \"$1\"; count = 3; spacing = \"100ms\"; metrics_add = [ \"received\" ];"\
	" targets = ( \"$D\", \"$D6\" ); }"; }
tcp() { echo "{ name = \"tcp_$1\"; plugin = \"tcp\"; mode = \"$1\"; count = 3; spacing = \"100ms\"; targets = ( \"$D:80\", \"[$D6]:80\" ); }"; }
all="$(icmp auto), $(icmp dgram), $(icmp raw), $(tcp connect), $(tcp syn)"
for c in icmp:dgram icmp:raw udp:dgram udp:raw tcp:raw; do
	all="$all, $(probe path_${c%:*}_${c#*:} ${c%:*} ${c#*:} "$([ ${c%:*} = icmp ] && echo "\"$D\", \"$D6\"" || echo "\"$D:80\", \"[$D6]:80\"")" "max_ttl = 4;")"
done
write_conf "$TRASH/all.conf" 1s 300ms "$all"
write_conf "$TRASH/udpdgram.conf" 1s 300ms "$(probe path_udp_dgram udp dgram "\"$D\", \"$D6\"" "max_ttl = 4;")"
# both families of every mode: every probe above has a v4 and a v6 target
grep -c "\"$D6\"" "$TRASH/all.conf" >/dev/null || { echo "Bail out! no IPv6 target"; exit 1; }

in_src() { ip netns exec "$(tb_ns src)" "$@"; }
# sockets KIND [-w]: ss lines (-H -n -p, KIND: l listening, a all) of the
# tcp and udp (-w: and raw) sockets of hopwatchd (pid in the file pid),
# both families
sockets() {
	in_src ss -H -n -p -"$1" -t -u ${2:-} | grep -F "pid=$(cat pid),"
}
# flood PORT...: 300 datagrams of 1000 bytes from d1 to each PORT of src,
# IPv4 and IPv6 (bash's /dev/udp: a connected socket each)
flood() {
	local p
	for p in "$@"; do
		tb_exec d1 bash -c 'pl=$(printf "%01000d" 0)
			for i in $(seq 1 300); do
				printf %s "$pl" >/dev/udp/'"$S/$p"' 2>/dev/null
				printf %s "$pl" >/dev/udp/'"$S6/$p"' 2>/dev/null
			done; :'
	done
}
# run_and_look CONF: hopwatchd on CONF for 4 s; after 1.5 s, its sockets
# (listening ones into listening, all into all.before), the flood to
# every UDP port it bound, then all its sockets again (all.after)
run_and_look() {
	(
		# hw_run may first wait for the ICMP buckets to refill (t/lib/path.sh)
		wait_for 15 sh -c "pgrep -f -- '^$HOPWATCHD -c $TRASH/$1' >pid" &&
		sleep 1.5 &&
		sockets l >listening
		sockets a -w >all.before
		ports=$(awk '$1 == "udp" { n = split($5, a, ":"); print a[n] }' all.before | sort -u)
		echo "flooding UDP ports" $ports
		flood $ports
		sleep 0.3
		sockets a -w >all.after
		echo "flood over"
	) &
	hw_run "$TRASH/$1" 6
	wait
	echo "listening:"; cat listening
	echo "after the flood:"; cat all.after
	test -s all.before
}
# queues_empty: every socket of hopwatchd has Recv-Q 0 after the flood
queues_empty() {
	test -s all.after && awk '$3 != 0 { print "not empty: " $0; bad = 1 } END { exit bad }' all.after
}
# reached PROBE TARGET: every trace of PROBE to TARGET that measured it
# reached it: 2 at least, 1 for udp (d1 answers the port unreachables of
# both udp instances 6, then 1 a second: most rounds have no figure of it)
reached() {
	local min=2
	case $1 in *udp*) min=1 ;; esac
	test "$(values path.reachable "$1" "$2" | sort -u)" = 1 &&
	test "$(values path.reachable "$1" "$2" | wc -l)" -ge $min
}

test_expect_success 'every plugin in every mode: no listening socket of hopwatchd' '
	run_and_look all.conf &&
	test ! -s listening
'

test_expect_success 'path udp raw and dgram hold their ports with UDP sockets connected to themselves' '
	# udp raw: one (dual-stack); udp dgram: one per family
	awk "\$1 == \"udp\" && \$2 == \"ESTAB\" && \$5 == \$6 { n++ } END { exit n != 3 }" all.before
'

test_expect_success 'a UDP flood to every port of hopwatchd leaves its receive queues empty' '
	queues_empty
'

test_expect_success 'every path trace reached d1, the tcp and icmp probes were answered' '
	for p in path_icmp_dgram path_icmp_raw path_udp_dgram path_udp_raw path_tcp_raw; do
		reached $p "$D" && reached $p "$D6" || { echo "$p did not always reach d1"; return 1; }
	done &&
	test "$(grep -c "^hopwatch\.tcp\.results:.*result:open" out)" -ge 8 &&
	! grep "^hopwatch\.tcp\.results:" out | grep -E "result:(refused|unreachable|error)" &&
	test "$(grep -c "^hopwatch\.icmp\.received:3|" out)" -ge 12
'

test_expect_success 'path udp dgram alone: no listening socket; one connected to each destination, per family' '
	run_and_look udpdgram.conf &&
	test ! -s listening &&
	cat all.before &&
	awk "\$1 == \"udp\" && \$2 == \"ESTAB\" && index(\$6, \"$D:\") == 1 { n++ } END { exit n != 1 }" all.before &&
	awk "\$1 == \"udp\" && \$2 == \"ESTAB\" && index(\$6, \"[$D6]:\") == 1 { n++ } END { exit n != 1 }" all.before &&
	! awk "\$1 == \"udp\" && \$2 == \"UNCONN\"" all.before | grep . &&
	queues_empty &&
	reached path_udp_dgram "$D" && reached path_udp_dgram "$D6"
'

test_done
