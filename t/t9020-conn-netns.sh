#!/bin/bash
# t9020: the conn plugin watching other network namespaces (netns =, needs
# CAP_SYS_ADMIN): hopwatchd in one namespace sees the connections of two
# others, tagged netns:<name>; one of them is deleted mid-run: a clear log
# line, no crash, the others still watched.  As nobody, the plugin says
# which capability is missing and keeps watching its own namespace.
. "$(dirname "$0")/test-lib.sh"
require_root
require_cmd ip setpriv timeout awk
for tool in dsd-recv hwxfer; do
	[ -x "$TOOLS/$tool" ] || skip_all "t/tools/$tool is not built (run make)"
done
[ -e "$PLUGIN_DIR/conn.so" ] || skip_all "plugins/conn.so is not built (run make)"

H=hwm$HW_ID A=hwa$HW_ID B=hwb$HW_ID
for ns in $H $A $B; do
	ip netns add $ns || { echo "Bail out! ip netns add failed"; exit 1; }
	ip -n $ns link set lo up
done
test_atexit "for ns in $H $A $B; do ip netns pids \$ns 2>/dev/null | xargs -r kill 2>/dev/null; ip netns del \$ns 2>/dev/null; done"
STATSD_PORT=8125
chmod 755 "$TRASH"
. "$SRCDIR/t/lib/conn.sh"
for ns in $A $B; do
	ip netns exec $ns "$TOOLS/hwxfer" serve -T 120 7001 100 &
done
wait_for 5 sh -c "ip netns exec $B ss -ltn | grep -q ':7001 '" || { echo "Bail out! servers"; exit 1; }

# nlines NAME NETNS: lines of hopwatch.conn.NAME tagged netns:NETNS
nlines() { grep -E "^hopwatch\.conn\.$1:.*,netns:$2(,|$)" out; }
nsum() { nlines "$@" | sed 's/^[^:]*://; s/|.*//' | awk '{ s += $1 } END { printf "%d\n", s }'; }

test_expect_success 'two other namespaces watched and tagged; one deleted mid-run' '
	conn_conf hw.conf "netns = \"self, /run/netns/$A, /run/netns/$B\";" &&
	{ sleep 1.5
	  ip netns exec $A "$TOOLS/hwxfer" connect 127.0.0.1 7001 4 1000
	  ip netns exec $B "$TOOLS/hwxfer" connect ::1 7001 2 500
	  sleep 1.5; ip netns pids $A | xargs -r kill; ip netns del $A
	  sleep 1; ip netns exec $B "$TOOLS/hwxfer" connect ::1 7001 1 500; } >xfer &
	run_hopwatchd $H hw.conf 6 && wait && cat xfer &&
	want "A sent" $(nsum bytes_sent $A) $((4 * 1000 + 4 * 100)) &&
	want "B sent" $(nsum bytes_sent $B) $((3 * 500 + 3 * 100)) &&
	want "B opened" $(nsum opened $B) 6 &&
	grep -q "netns $A disappeared from /run/netns/$A" log &&
	! grep -q "netns:\(,\|$\)" out
'

test_expect_success 'as nobody: CAP_SYS_ADMIN named, own namespace still watched' '
	conn_conf hw.conf "netns = \"self, /run/netns/$B\";" &&
	run_hopwatchd $H hw.conf 2 nobody &&
	grep -q "netns $B: cannot enter /run/netns/$B: .*needs CAP_SYS_ADMIN" log &&
	test "$(grep -c "cannot enter" log)" = 1 &&
	grep -q "watching TCP connections in the daemon.s namespace" log
'

test_done
