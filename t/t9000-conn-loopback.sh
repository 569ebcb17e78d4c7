#!/bin/bash
# t9000: the conn plugin on loopback, in a namespace of its own: bytes sent
# and received equal, to the byte, what hwxfer moved over many connections
# of known sizes, IPv4 and IPv6, on both ends (outgoing and incoming);
# refused, reset and timed-out connections by reason; destination groups
# and folding into dest:other; as nobody without capabilities; and the
# config errors.  Timing is never asserted.
. "$(dirname "$0")/test-lib.sh"
require_root
require_cmd ip nft setpriv timeout awk
for tool in dsd-recv hwxfer; do
	[ -x "$TOOLS/$tool" ] || skip_all "t/tools/$tool is not built (run make)"
done
[ -e "$PLUGIN_DIR/conn.so" ] || skip_all "plugins/conn.so is not built (run make)"

NS=hwc$HW_ID
ip netns add "$NS" || { echo "Bail out! ip netns add failed"; exit 1; }
test_atexit "ip netns pids $NS 2>/dev/null | xargs -r kill 2>/dev/null; ip netns del $NS"
ip -n "$NS" link set lo up
STATSD_PORT=8125
chmod 755 "$TRASH"  # nobody reads the configs
in_ns() { ip netns exec "$NS" "$@"; }
hw_run() { run_hopwatchd "$NS" "$@"; }
. "$SRCDIR/t/lib/conn.sh"

REPLY=5000
in_ns "$TOOLS/hwxfer" serve -T 120 7001 $REPLY &
in_ns "$TOOLS/hwxfer" serve -T 120 -R 7003 1000 &
# SYNs to 7009 are dropped: connects there time out
in_ns nft -f - <<-'EOF2'
	table inet hwc {
		chain out {
			type filter hook output priority 0;
			tcp dport 7009 tcp flags syn drop;
		}
	}
EOF2
wait_for 5 sh -c "ip netns exec $NS ss -ltn | grep -q ':7003 '" || { echo "Bail out! servers"; exit 1; }

# traffic AFTER: after AFTER seconds, 10 x 1234 bytes, 4 x 100000 bytes
# and 3 x 0 bytes to each of 127.0.0.1 and ::1 port 7001 (all answered
# with $REPLY bytes); the totals go to xfer
traffic() {
	sleep "$1"
	for dst in 127.0.0.1 ::1; do
		in_ns "$TOOLS/hwxfer" connect $dst 7001 10 1234
		in_ns "$TOOLS/hwxfer" connect $dst 7001 4 100000
		in_ns "$TOOLS/hwxfer" connect $dst 7001 3 0
	done >xfer
}

# exact DEST: both ends of DEST's 17 connections, to the byte
exact() {
	want "out sent" $(csum bytes_sent outgoing $1 7001) 412340 &&
	want "out received" $(csum bytes_received outgoing $1 7001) $((17 * REPLY)) &&
	want "in sent" $(csum bytes_sent incoming $1 7001) $((17 * REPLY)) &&
	want "in received" $(csum bytes_received incoming $1 7001) 412340 &&
	for dir in outgoing incoming; do
		want "$dir opened" $(csum opened $dir $1 7001) 17 &&
		want "$dir closed" $(csum closed $dir $1 7001) 17 || return 1
	done &&
	! grep -q "^hopwatch.conn.failed" out
}

test_expect_success 'bytes to the byte, both directions, IPv4 and IPv6' '
	conn_conf hw.conf &&
	{ traffic 1.5 & } &&
	hw_run hw.conf 5 && wait &&
	cat xfer && test "$(grep -c "sent 12340 received 50000 ok 10 " xfer)" = 2 &&
	grep -q "dumps and destroy notifications" log &&
	exact 127.0.0.1 && exact ::1 &&
	test "$(cvalues rtt outgoing 127.0.0.1 7001 | wc -l)" = 17 &&
	test "$(csum retransmits outgoing 127.0.0.1 7001)" = 0
'

test_expect_success 'long-lived connections: established gauge, RTT from dumps' '
	conn_conf hw.conf &&
	{ sleep 1.5; in_ns "$TOOLS/hwxfer" connect -k 2.5 127.0.0.1 7001 1 777 >xfer; } &
	hw_run hw.conf 5.5 && wait &&
	clines established outgoing 127.0.0.1 7001 | grep -q "^hopwatch.conn.established:1|g|" &&
	clines established incoming 127.0.0.1 7001 | grep -q "^hopwatch.conn.established:1|g|" &&
	test "$(cvalues rtt outgoing 127.0.0.1 7001 | wc -l)" -ge 2 &&
	want sent $(csum bytes_sent outgoing 127.0.0.1 7001) 777 &&
	want opened $(csum opened outgoing 127.0.0.1 7001) 1
'

# Reading /proc/PID/fd of a process takes its uid and no capability it
# lacks: hopwatchd, the server and the client all run as nobody here.
test_expect_success 'process_tags: comm of the process holding each end' '
	conn_conf hw.conf "process_tags = true;" &&
	{ in_ns $AS_NOBODY "$TOOLS/hwxfer" serve -T 8 7004 10 & } &&
	{ sleep 1.5; in_ns $AS_NOBODY "$TOOLS/hwxfer" connect -k 2.5 127.0.0.1 7004 1 55 >xfer; } &
	hw_run hw.conf 5.5 nobody && wait &&
	clines established outgoing 127.0.0.1 7004 | grep -q "^hopwatch.conn.established:1|g|.*,comm:hwxfer$" &&
	clines established incoming 127.0.0.1 7004 | grep -q "^hopwatch.conn.established:1|g|.*,comm:hwxfer$" &&
	want sent $(csum bytes_sent outgoing 127.0.0.1 7004) 55
'

test_expect_success 'failed connections by reason: refused, reset, timeout' '
	conn_conf hw.conf &&
	{ sleep 1.5
	  in_ns "$TOOLS/hwxfer" connect 127.0.0.1 7002 3 10
	  in_ns "$TOOLS/hwxfer" connect -k 0.5 127.0.0.1 7003 2 0
	  in_ns "$TOOLS/hwxfer" connect -s 1 127.0.0.1 7009 1 10; } >xfer &
	hw_run hw.conf 8 && wait && cat xfer &&
	grep -q "refused 3 " xfer && grep -q "reset 2 " xfer && grep -q "timeout 1 " xfer &&
	want refused $(cfailed refused outgoing 127.0.0.1 unknown) 3 &&
	want "reset out" $(cfailed reset outgoing 127.0.0.1 7003) 2 &&
	want "reset in: the server aborted them itself (SO_LINGER 0), no failure there" \
		$(cfailed reset incoming 127.0.0.1 7003) 0 &&
	want "closed in" $(csum closed incoming 127.0.0.1 7003) 2 &&
	want "reset: data before it" $(csum bytes_received outgoing 127.0.0.1 7003) 2000 &&
	want timeout $(cfailed timeout outgoing 127.0.0.1 7009) 1 &&
	want "no other failure" $(grep "^hopwatch.conn.failed:" out | sed "s/^[^:]*://; s/|.*//" |
		awk "{ s += \$1 } END { print s }") 6
'

# The tcp plugin's connect probes close with SO_LINGER 0 once established
# (an RST close, too short for any dump): the kernel's notification then
# has remote port 0 and zeroed counters, as a refused connect's has; its
# RTT sample tells them apart (issue 18).
test_expect_success 'our own aborts (the tcp plugin'"'"'s probes) are closes, not refused' '
	cat >hw.conf <<-EOF &&
	interval = "1s";
	statsd = { url = "udp://127.0.0.1:$STATSD_PORT"; telemetry_interval = 0; };
	probes = ( { name = "c"; plugin = "conn"; },
	           { name = "t"; plugin = "tcp"; count = 3; spacing = "100ms"; timeout = "500ms";
	             targets = [ "127.0.0.1:7001" ]; } );
	EOF
	{ sleep 2.5; in_ns "$TOOLS/hwxfer" connect 127.0.0.1 7002 2 10 >xfer; } &
	hw_run hw.conf 6 && wait && cat xfer &&
	grep -q "refused 2 " xfer &&
	probes=$(grep -c "^_sc|hopwatch.tcp.can_connect|0|.*port open: 3 of 3" out) &&
	aborts=$(( $(csum opened outgoing 127.0.0.1 unknown) + $(csum opened outgoing 127.0.0.1 7001) - 2 )) &&
	echo "tcp rounds: $probes, aborted connections seen: $aborts" &&
	test "$probes" -ge 3 && test "$aborts" -ge 6 &&
	want refused $(cfailed refused outgoing 127.0.0.1 unknown) 2 &&
	want "refused, all ports" $(grep "^hopwatch.conn.failed:.*direction:outgoing.*reason:refused" out |
		sed "s/^[^:]*://; s/|.*//" | awk "{ s += \$1 } END { print s + 0 }") 2 &&
	! grep "^hopwatch.conn.failed:.*direction:outgoing.*reason:\(reset\|timeout\)" out &&
	want "closed = opened" $(csum closed outgoing 127.0.0.1 unknown) $(csum opened outgoing 127.0.0.1 unknown)
'

test_expect_success 'destination groups' '
	conn_conf hw.conf "destinations = \"127.0.0.0/8=loop, ::1/128=six\";" &&
	{ traffic 1.5 & } &&
	hw_run hw.conf 5 && wait &&
	want "loop sent" $(csum bytes_sent outgoing loop 7001) 412340 &&
	want "loop received" $(csum bytes_received incoming loop 7001) 412340 &&
	want "six sent" $(csum bytes_sent outgoing six 7001) 412340 &&
	! grep -q "dest:127.0.0.1" out
'

test_expect_success 'max_destinations = 1: the rest folded into dest:other, nothing lost' '
	conn_conf hw.conf "max_destinations = 1;" &&
	{ traffic 1.5 & } &&
	hw_run hw.conf 5 && wait &&
	grep -q "dest:other,port:other" out &&
	want "all bytes" $(grep "^hopwatch.conn.bytes_sent:" out | sed "s/^[^:]*://; s/|.*//" |
		awk "{ s += \$1 } END { print s }") $((2 * (412340 + 17 * REPLY))) &&
	want "opened" $(grep "^hopwatch.conn.opened:" out | sed "s/^[^:]*://; s/|.*//" |
		awk "{ s += \$1 } END { print s }") 68
'

test_expect_success 'as nobody, dumps only: what long-lived connections show' '
	conn_conf hw.conf "notifications = \"off\";" &&
	{ sleep 1.5; in_ns "$TOOLS/hwxfer" connect -k 2.5 ::1 7001 2 4321 >xfer; } &
	hw_run hw.conf 9 nobody && wait &&
	grep -q "dumps only" log &&
	want sent $(csum bytes_sent outgoing ::1 7001) 8642 &&
	want opened $(csum opened outgoing ::1 7001) 2 &&
	want "incoming opened" $(csum opened incoming ::1 7001) 2 &&
	clines established outgoing ::1 7001 | grep -q "^hopwatch.conn.established:1|g|"
'

test_expect_success 'as nobody with notifications where the kernel allows them' '
	conn_conf hw.conf &&
	{ traffic 1.5 & } &&
	hw_run hw.conf 5 nobody && wait &&
	if grep -q "dumps and destroy notifications" log; then
		exact 127.0.0.1 && exact ::1
	else
		grep -q "they need CAP_NET_ADMIN" log
	fi
'

# bad CONF-TEXT MESSAGE: hopwatchd -t refuses it, naming file:line and MESSAGE
bad() {
	printf "%s\n" "$1" >bad.conf &&
	! "$HOPWATCHD" -t -c bad.conf -P "$PLUGIN_DIR" 2>err &&
	cat err && grep -q "bad.conf:[0-9]*: .*$2" err
}
test_expect_success 'config errors name file:line and the setting' '
	bad "probes = ( { name = \"c\"; plugin = \"conn\"; destinations = \"10.0.0.0/33=x\"; } );" \
		"destinations: \"10.0.0.0/33\" is not an address/prefix length" &&
	bad "probes = ( { name = \"c\"; plugin = \"conn\"; destinations = \"10.0.0.0/8\"; } );" \
		"destinations: \"10.0.0.0/8\" is not CIDR=name" &&
	bad "probes = ( { name = \"c\"; plugin = \"conn\"; netns = \"foo\"; } );" \
		"netns: \"foo\" is neither self nor an absolute path" &&
	bad "probes = ( { name = \"c\"; plugin = \"conn\"; max_destinations = 0; } );" "max_destinations" &&
	bad "probes = ( { name = \"c\"; plugin = \"conn\"; notifications = \"maybe\"; } );" "notifications" &&
	bad "probes = ( { name = \"c\"; plugin = \"conn\";
	  targets = [ \"127.0.0.1\" ]; } );" "targets: plugin conn takes no targets"
'

test_done
