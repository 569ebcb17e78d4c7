#!/bin/bash
# t2010-reload: SIGHUP.  A new config replaces the running one in the same
# process; a broken one (syntax error, unknown key, unusable statsd url) is
# reported with file:line and the running config keeps emitting; SIGTERM
# then stops cleanly, running the plugin's stop.
. "$(dirname "$0")/test-lib.sh"

DSD=$TOOLS/dsd-recv
[ -x "$HOPWATCHD" ] || skip_all "src/hopwatchd is not built (run make)"
[ -x "$DSD" ] || skip_all "t/tools/dsd-recv is not built (run make)"
[ -f "$TEST_PLUGIN_DIR/testprobe.so" ] || skip_all "t/plugins are not built (run make)"
require_cmd ss

unset DD_DOGSTATSD_URL DD_AGENT_HOST DD_DOGSTATSD_PORT DD_ENTITY_ID

recv() {
	local name=$1
	shift
	spawn "$name" "$DSD" "$@" -t 50 -o "$TRASH/$name.out" -r "$TRASH/$name.ready" &&
	wait_for 5 test -e "$TRASH/$name.ready"
}
# count FILE PROBE LABEL: test.index lines of that probe with that label
count() {
	grep "^hopwatch\.test\.index:" "$1" | grep -E "[#,]probe:$2[,|]" | grep -cE "[#,]label:$3(,|$)"
}
# more FILE PROBE LABEL N: more than N such lines (re-run by wait_for)
more() {
	test "$(count "$1" "$2" "$3")" -gt "$4"
}
# config PORT NAME LABEL: a valid config
config() {
	cat <<-EOF
	interval = 0.5;
	timeout = 0.2;
	statsd = { url = "udp://127.0.0.1:$1"; telemetry_interval = 0; };
	probes = (
	  {
	    name = "$2";
	    plugin = "testprobe";
	    label = "$3";
	    targets = [ "127.0.0.1", "127.0.0.2" ];
	  }
	);
	EOF
}
# hup: SIGHUP the daemon and wait until it logged the outcome (N-th time)
hups=0
hup() {
	local before
	before=$(grep -cE "reloaded |reload failed" "$TRASH/d.stderr")
	kill -HUP "$(cat "$TRASH/d.pid")" &&
	wait_for 10 reload_logged "$before"
}
reload_logged() {
	test "$(grep -cE "reloaded |reload failed" "$TRASH/d.stderr")" -gt "$1"
}

PORT=$(free_udp_port) || skip_all "no free UDP port"
CONF=$TRASH/hw.conf

test_expect_success 'start with config A (probe alpha, label one)' '
	config "$PORT" alpha one >"$CONF" &&
	recv r -u "127.0.0.1:$PORT" &&
	spawn d "$HOPWATCHD" -c "$CONF" -P "$TEST_PLUGIN_DIR" &&
	wait_for 10 more r.out alpha one 2 &&
	cp d.pid pid.A
'
test_expect_success 'SIGHUP with config B (probe beta, label two): new lines, same pid' '
	config "$PORT" beta two >"$CONF" &&
	hup &&
	cat d.stderr &&
	grep -F "reloading $CONF" d.stderr &&
	grep -F "reloaded $CONF" d.stderr &&
	wait_for 10 more r.out beta two 2 &&
	alive d &&
	cmp pid.A d.pid &&
	grep "^hopwatch\.test\.index:" r.out | grep "probe:beta" | grep -E "[#,]round:1(,|$)"
'
test_expect_success 'the old instance was stopped: nothing of A after the first line of B' '
	grep -F "[alpha] testprobe stopping" d.stderr &&
	grep -F "[beta] testprobe started with 2 targets" d.stderr &&
	first_b=$(grep -n "probe:beta" r.out | head -n 1 | cut -d: -f1) &&
	last_a=$(grep -n "probe:alpha" r.out | tail -n 1 | cut -d: -f1) &&
	echo "last A line $last_a, first B line $first_b" &&
	test "$last_a" -lt "$first_b"
'
test_expect_success 'SIGHUP with a syntax error: file:line logged, B keeps running' '
	printf "interval = 1;\nprobes = (\n  { name = ; }\n);\n" >"$CONF" &&
	hup &&
	cat d.stderr &&
	grep -F "hopwatchd: error: $CONF:3: syntax error" d.stderr &&
	grep -F "reload failed: keeping the running configuration" d.stderr &&
	n=$(count r.out beta two) &&
	wait_for 10 more r.out beta two $((n + 2)) &&
	alive d &&
	cmp pid.A d.pid
'
test_expect_success 'SIGHUP with an unknown key: file:line: key logged, B keeps running' '
	config "$PORT" gamma three | sed "s/label = /colour = \"red\";\n    label = /" >"$CONF" &&
	cat "$CONF" &&
	hup &&
	grep -E "hopwatchd: error: $CONF:[0-9]+: probes\[0\]\.colour: unknown setting for plugin testprobe" d.stderr &&
	test "$(grep -c "reload failed" d.stderr)" = 2 &&
	n=$(count r.out beta two) &&
	wait_for 10 more r.out beta two $((n + 2)) &&
	test "$(count r.out gamma three)" = 0 &&
	! grep -F "[gamma]" d.stderr &&
	alive d
'
test_expect_success 'SIGHUP with an unusable statsd url: refused, B keeps running' '
	config "$PORT" delta four | sed "s|udp://127.0.0.1:$PORT|tcp://127.0.0.1:$PORT|" >"$CONF" &&
	hup &&
	grep -F "statsd.url: \"tcp://127.0.0.1:$PORT\": unknown scheme" d.stderr &&
	test "$(grep -c "reload failed" d.stderr)" = 3 &&
	n=$(count r.out beta two) &&
	wait_for 10 more r.out beta two $((n + 2)) &&
	test "$(count r.out delta four)" = 0 &&
	alive d
'
test_expect_success 'the config file removed: SIGHUP fails cleanly, B keeps running' '
	rm -f "$CONF" &&
	hup &&
	grep -F "$CONF: cannot read" d.stderr &&
	test "$(grep -c "reload failed" d.stderr)" = 4 &&
	n=$(count r.out beta two) &&
	wait_for 10 more r.out beta two $((n + 2)) &&
	alive d
'
PORT2=$(free_udp_port) || skip_all "no free UDP port"
test_expect_success 'SIGHUP with a new statsd url: lines go to the new receiver' '
	recv r2 -u "127.0.0.1:$PORT2" &&
	config "$PORT2" epsilon five >"$CONF" &&
	hup &&
	wait_for 10 more r2.out epsilon five 2 &&
	test "$(count r2.out beta two)" = 0 &&
	alive d &&
	cmp pid.A d.pid
'
test_expect_success 'two SIGHUPs in a row with the same config: still one instance' '
	hup && hup &&
	n=$(count r2.out epsilon five) &&
	wait_for 10 more r2.out epsilon five $((n + 4)) &&
	test "$(grep -c "\[epsilon\] testprobe started" d.stderr)" = 3 &&
	test "$(grep -c "\[epsilon\] testprobe stopping" d.stderr)" = 2
'
test_expect_success 'SIGHUP with a new hostname: reloaded, with a warning that it takes a restart' '
	{ echo "hostname = \"renamed-host\";"; config "$PORT2" epsilon five; } >"$CONF" &&
	hup &&
	grep -q "hostname, redis, path_confirm or mesh changed: takes effect at the next restart" d.stderr &&
	config "$PORT2" epsilon five >"$CONF" && hup
'
test_expect_success 'SIGTERM: exit 0 and the plugin stop ran' '
	stop d &&
	cat d.stderr &&
	grep -F "stopping" d.stderr | grep -F "Terminated" &&
	test "$(grep -c "\[epsilon\] testprobe stopping" d.stderr)" = 5 &&
	stop r && stop r2 &&
	! grep INVALID r.out r2.out
'

test_done
