#!/bin/bash
# t2050-statsd-refused: a first run with no agent.  hopwatchd sends to a
# UDP port nothing listens on: the refusal (ICMP port unreachable, seen as
# ECONNREFUSED on the connected socket) is logged once, clearly, shown in
# systemd's STATUS= line and counted; when a receiver starts on the port,
# hopwatchd says so once, and the receiver gets
# hopwatch.statsd.packets_refused in the self-telemetry.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/redis.sh"
require_cmd python3
[ -f "$TEST_PLUGIN_DIR/testprobe.so" ] || skip_all "t/plugins are not built (run make)"

PORT=$(free_udp_port) || skip_all "no free UDP port"
cat >"$TRASH/d.conf" <<EOF
interval = 0.2;
timeout = 0.1;
statsd = { url = "udp://127.0.0.1:$PORT"; telemetry_interval = 0.3; flush_interval = 0.05; };
probes = ( { name = "a"; plugin = "testprobe"; targets = [ "127.0.0.1", "127.0.0.2" ]; } );
EOF
refusals() {
	grep -c "nothing listens on udp://127.0.0.1:$PORT" "$TRASH/d.stderr"
}

test_expect_success 'nothing listens: said once, in the log and in STATUS=' '
	spawn n python3 "$SRCDIR/t/lib/notify-listen.py" "$TRASH/n.sock" "$TRASH/n.msgs" &&
	wait_for 5 test -S "$TRASH/n.sock" &&
	spawn d env NOTIFY_SOCKET="$TRASH/n.sock" "$HOPWATCHD" -c "$TRASH/d.conf" -P "$TEST_PLUGIN_DIR" &&
	wait_for 10 grep -q "nothing listens" "$TRASH/d.stderr" &&
	cat "$TRASH/d.stderr" &&
	grep -F "statsd: nothing listens on udp://127.0.0.1:$PORT: is the agent running? DogStatsD lines are being dropped" "$TRASH/d.stderr" &&
	wait_for 10 grep -qE "^STATUS=1 probe, 2 targets, [0-9,]+ drops, nothing listens on udp://127\.0\.0\.1:$PORT$" "$TRASH/n.msgs" &&
	sleep 1 &&
	test "$(refusals)" = 1
'
test_expect_success 'an agent starts: said once, the refusals counted in the telemetry' '
	recv rx "$PORT" &&
	wait_for 10 grep -q "answers again" "$TRASH/d.stderr" &&
	cat "$TRASH/d.stderr" &&
	grep -E "statsd: udp://127\.0\.0\.1:$PORT answers again: DogStatsD lines are sent \([1-9][0-9]* datagrams? refused meanwhile\)" "$TRASH/d.stderr" &&
	wait_for 10 grep -q "^hopwatch\.statsd\.packets_refused:" "$TRASH/rx.out" &&
	wait_for 10 grep -qE "^STATUS=1 probe, 2 targets, [0-9,]+ drops$" "$TRASH/n.msgs" &&
	stop d &&
	test "$(refusals)" = 1 &&
	test "$(grep -c "answers again" "$TRASH/d.stderr")" = 1 &&
	! grep INVALID "$TRASH/rx.out"
'
test_done
