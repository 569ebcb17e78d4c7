#!/bin/bash
# t2040-systemd-notify: hopwatchd under systemd's notify protocol, with a
# small Unix datagram listener as NOTIFY_SOCKET (t/lib/notify-listen.py):
# READY=1; WATCHDOG=1 again and again while the loop runs (WATCHDOG_USEC
# set), none while the process is stopped (SIGSTOP: a stuck loop), again
# after SIGCONT; none for another process's WATCHDOG_PID; and STATUS= lines
# with the probes, targets, Redis state and drops, updated when Redis goes
# down.  No timing is asserted: only what a stopped process cannot send.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/redis.sh"
require_cmd python3
[ -f "$TEST_PLUGIN_DIR/testprobe.so" ] || skip_all "t/plugins are not built (run make)"

RPORT=$(free_udp_port) || skip_all "no free UDP port"
# listen NAME: the listener on $TRASH/NAME.sock, one datagram a line in NAME.msgs
listen() {
	rm -f "$TRASH/$1.sock" "$TRASH/$1.msgs"
	spawn "$1-listen" python3 "$SRCDIR/t/lib/notify-listen.py" "$TRASH/$1.sock" "$TRASH/$1.msgs" &&
	wait_for 5 test -S "$TRASH/$1.sock"
}
# pings NAME: WATCHDOG=1 datagrams received so far
pings() {
	grep -c "^WATCHDOG=1$" "$TRASH/$1.msgs"
}
# pings_above NAME N: more than N pings
pings_above() {
	test "$(pings "$1")" -gt "$2"
}
cat >"$TRASH/d.conf" <<EOF
interval = 0.5;
timeout = 0.1;
statsd = { url = "udp://127.0.0.1:$RPORT"; telemetry_interval = 0; };
redis = { socket = "$TRASH/r.sock"; };
probes = (
	{ name = "a"; plugin = "testprobe"; targets = [ "127.0.0.1", "127.0.0.2", "127.0.0.3" ]; },
	{ name = "b"; plugin = "testprobe"; targets = [ "127.0.0.4" ]; }
);
EOF

test_expect_success 'READY=1, STATUS= with the counts, WATCHDOG=1 repeatedly' '
	redis_start r &&
	recv rx "$RPORT" &&
	listen n &&
	spawn d env NOTIFY_SOCKET="$TRASH/n.sock" WATCHDOG_USEC=400000 \
		"$HOPWATCHD" -c "$TRASH/d.conf" -P "$TEST_PLUGIN_DIR" &&
	wait_for 10 grep -qx "READY=1" "$TRASH/n.msgs" &&
	wait_for 10 grep -qx "STATUS=2 probes, 4 targets, Redis connected, 0 drops" "$TRASH/n.msgs" &&
	wait_for 10 pings_above n 3 &&
	cat "$TRASH/n.msgs" | sort | uniq -c &&
	grep -F "systemd watchdog: WATCHDOG=1 every 0.2s" "$TRASH/d.stderr" &&
	test "$(grep -vcE "^(READY=1|WATCHDOG=1|STATUS=.*)$" "$TRASH/n.msgs")" = 0
'
test_expect_success 'a stopped loop sends no WATCHDOG=1; after SIGCONT it does again' '
	pid=$(cat "$TRASH/d.pid") &&
	kill -STOP "$pid" &&
	wait_for 5 grep -qE "^State:.*T \(stopped\)" /proc/$pid/status &&
	sleep 0.3 &&
	before=$(pings n) &&
	sleep 1.5 &&
	after=$(pings n) &&
	echo "stopped: $before pings, then $after" &&
	test "$before" = "$after" &&
	kill -CONT "$pid" &&
	wait_for 10 pings_above n "$after"
'
test_expect_success 'STATUS= follows Redis going down' '
	redis_down r &&
	wait_for 15 grep -qE "^STATUS=2 probes, 4 targets, Redis down \([0-9,]+ queued\), 0 drops$" "$TRASH/n.msgs" &&
	stop d &&
	test "$(grep -c "^STATUS=" "$TRASH/n.msgs")" -lt "$(pings n)"
'
test_expect_success 'WATCHDOG_PID of another process: no WATCHDOG=1, READY and STATUS still' '
	listen m &&
	spawn e env NOTIFY_SOCKET="$TRASH/m.sock" WATCHDOG_USEC=400000 WATCHDOG_PID=1 \
		"$HOPWATCHD" -c "$TRASH/d.conf" -P "$TEST_PLUGIN_DIR" &&
	wait_for 10 grep -qx "READY=1" "$TRASH/m.msgs" &&
	wait_for 10 grep -q "^STATUS=2 probes, 4 targets, Redis down" "$TRASH/m.msgs" &&
	stop e &&
	test "$(pings m)" = 0 &&
	! grep -F "systemd watchdog" "$TRASH/e.stderr"
'
test_expect_success 'without NOTIFY_SOCKET: nothing of it' '
	spawn f "$HOPWATCHD" -c "$TRASH/d.conf" -P "$TEST_PLUGIN_DIR" &&
	wait_for 10 grep -q "probe instance" "$TRASH/f.stderr" &&
	stop f &&
	! grep -F "watchdog" "$TRASH/f.stderr"
'
test_done
