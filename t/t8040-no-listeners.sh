#!/bin/bash
# t8030: no socket anyone can fill (issue 15).  hopwatchd runs every plugin
# in every mode (icmp auto/dgram/raw, tcp connect/syn, path icmp/udp
# dgram/raw and tcp raw) against a testbed destination, both families;
# while it runs:
#   - ss -lnp (tcp and udp, both families) lists no socket of its pid: the
#     ports held for raw udp/tcp probes are held by sockets that never
#     listen (hwc_hold_port); path udp dgram is the one exception (below);
#   - a flood of UDP datagrams from d1 to every UDP port hopwatchd has
#     bound leaves every receive queue of hopwatchd empty (ss Recv-Q 0,
#     tcp, udp and raw sockets);
#   - every trace still reaches the destination and the tcp probes are
#     still answered.
# path udp dgram needs one unconnected UDP socket per family (the kernel
# gives a connected UDP socket only the ICMP errors of its own peer), so
# ss lists it; it drops every datagram (the errors come from its error
# queue, which no socket filter sees): the flood leaves its queue empty too.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip ss timeout awk
[ -x "$TOOLS/dsd-recv" ] || skip_all "t/tools/dsd-recv is not built (run make)"
for p in icmp tcp path; do
	[ -e "$PLUGIN_DIR/$p.so" ] || skip_all "plugins/$p.so is not built (run make)"
done

tb_chain nl 1 || { echo "Bail out! tb_chain failed"; exit 1; }
tb_listen d1 80 || { echo "Bail out! tb_listen failed"; exit 1; }
STATSD_PORT=8125
D=$(tb_addr d1) D6=$(tb_addr d1 6)
S=$(tb_addr src) S6=$(tb_addr src 6)
. "$SRCDIR/t/lib/path.sh"

# every mode of every plugin but path udp dgram; then that one alone
icmp() { echo "{ name = \"icmp_$1\"; plugin = \"icmp\"; mode = \"$1\"; count = 3; spacing = \"100ms\"; metrics_add = [ \"received\" ];"\
	" targets = ( \"$D\", \"$D6\" ); }"; }
tcp() { echo "{ name = \"tcp_$1\"; plugin = \"tcp\"; mode = \"$1\"; count = 3; spacing = \"100ms\"; targets = ( \"$D:80\", \"[$D6]:80\" ); }"; }
all="$(icmp auto), $(icmp dgram), $(icmp raw), $(tcp connect), $(tcp syn)"
for c in icmp:dgram icmp:raw udp:raw tcp:raw; do
	all="$all, $(probe path_${c%:*}_${c#*:} ${c%:*} ${c#*:} "\"$D:80\", \"[$D6]:80\"" "max_ttl = 4;")"
done
write_conf "$TRASH/all.conf" 1s 300ms "$all"
write_conf "$TRASH/udpdgram.conf" 1s 300ms "$(probe path_udp_dgram udp dgram "\"$D\", \"$D6\"" "max_ttl = 4;")"

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
		wait_for 5 sh -c "pgrep -f -- '^$HOPWATCHD -c $TRASH/$1' >pid" &&
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
# reached PROBE TARGET: every trace of PROBE to TARGET reached it (2 at least)
reached() {
	test "$(values path.reachable "$1" "$2" | sort -u)" = 1 &&
	test "$(values path.reachable "$1" "$2" | wc -l)" -ge 2
}

test_expect_success 'every plugin in every mode: no listening socket of hopwatchd' '
	run_and_look all.conf &&
	test ! -s listening
'

test_expect_success 'path udp raw holds its port with a UDP socket connected to itself' '
	awk "\$1 == \"udp\" && \$2 == \"ESTAB\" && \$5 == \$6 { n++ } END { exit n != 1 }" all.before
'

test_expect_success 'a UDP flood to every port of hopwatchd leaves its receive queues empty' '
	queues_empty
'

test_expect_success 'every path trace reached d1, the tcp and icmp probes were answered' '
	for p in path_icmp_dgram path_icmp_raw path_udp_raw path_tcp_raw; do
		reached $p "$D" && reached $p "$D6" || return 1
	done &&
	test "$(grep -c "^hopwatch\.tcp\.results:.*result:open" out)" -ge 8 &&
	! grep "^hopwatch\.tcp\.results:" out | grep -E "result:(refused|unreachable|error)" &&
	test "$(grep -c "^hopwatch\.icmp\.received:3|" out)" -ge 12
'

test_expect_success 'path udp dgram: only its UDP socket per family is listed, and drops the flood' '
	run_and_look udpdgram.conf &&
	test "$(wc -l <listening)" = 2 &&
	! grep -v "^udp " listening &&
	queues_empty &&
	reached path_udp_dgram "$D" && reached path_udp_dgram "$D6"
'

test_done
