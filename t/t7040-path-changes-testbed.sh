#!/bin/bash
# Path changes end to end: the path plugin tracing a real namespace chain,
# the core's change detection and a real redis-server.  A route change
# gives exactly one event, count, stream entry and message, and changing
# it back one more; 50+ traces across an ECMP diamond, a silent router and
# a rate-limited router give none.
. "$(dirname "$0")/test-lib.sh"
require_root
. "$SRCDIR/t/lib/redis.sh"
. "$SRCDIR/t/lib/testbed.sh"
[ -f "$SRCDIR/plugins/path.so" ] || skip_all "plugins/path.so is not built (run make)"

tb_chain pc 4 1 >/dev/null
tb_route r2 main >/dev/null
D1=$(tb_addr d1)
RPORT=8125
HASH="hopwatch:path:{h1}:trace:$D1"
STREAM="hopwatch:changes:{h1}:trace:$D1"
expected() { tb_hops d1 | paste -sd, -; }

# conf NAME PROBE: a path probe of d1, fast, with Redis
conf() {
	cat <<-EOF
	hostname = "h1";
	path_confirm = 2;
	statsd = { url = "udp://127.0.0.1:$RPORT"; telemetry_interval = 0; };
	redis = { socket = "$TRASH/r.sock"; };
	probes = ( { name = "$2"; plugin = "path"; protocol = "icmp"; interval = "0.5s";
	             timeout = "0.2s"; max_ttl = 8; queries = 2; tag_hop_ip = true; targets = [ "$D1" ]; } );
	EOF
}
# run_in_src NAME CMD...: spawn CMD in the source namespace
run_in_src() {
	local name=$1
	shift
	spawn "$name" ip netns exec "$(tb_ns src)" "$@"
}
# path_traces PROBE: traces reported so far (one hopwatch.path.hops gauge each)
path_traces() {
	count rx.out "hopwatch.path.hops:" "$1"
}
more_path_traces() {
	test "$(path_traces "$1")" -gt "$2"
}

test_expect_success 'setup: Redis, the receiver in src, hopwatchd tracing d1' '
	redis_start r &&
	rm -f rx.ready &&
	run_in_src rx "$DSD" -u "127.0.0.1:$RPORT" -t 58 -o "$TRASH/rx.out" -r "$TRASH/rx.ready" &&
	wait_for 5 test -e rx.ready &&
	conf d1 trace >d1.conf &&
	run_in_src d1 "$HOPWATCHD" -c "$TRASH/d1.conf" -P "$SRCDIR/plugins" &&
	{ wait_for 15 more_path_traces trace 3 || { cat d1.stderr; false; }; } &&
	wait_for 10 n_is "$(expected)" hget r "$HASH" confirmed &&
	test "$(events rx.out trace "$D1")" = 0
'
test_expect_success 'a route change (r2 -> t2): exactly one event, count, stream entry' '
	old=$(expected) &&
	tb_route r2 alt >/dev/null &&
	new=$(expected) &&
	test "$old" != "$new" &&
	wait_for 20 n_is 1 events rx.out trace "$D1" &&
	wait_for 10 n_is 1 xlen r "$STREAM" &&
	n=$(path_traces trace) &&
	wait_for 10 more_path_traces trace $((n + 5)) &&
	test "$(events rx.out trace "$D1")" = 1 &&
	test "$(changes rx.out trace "$D1")" = 1 &&
	test "$(xlen r "$STREAM")" = 1 &&
	check_entry r "$STREAM" 1 "$old" "$new" 2 "$D1" &&
	test "$(hget r "$HASH" confirmed)" = "$new"
'
test_expect_success 'changing it back: exactly one more' '
	old=$(expected) &&
	tb_route r2 main >/dev/null &&
	new=$(expected) &&
	wait_for 20 n_is 2 events rx.out trace "$D1" &&
	wait_for 10 n_is 2 xlen r "$STREAM" &&
	n=$(path_traces trace) &&
	wait_for 10 more_path_traces trace $((n + 5)) &&
	test "$(events rx.out trace "$D1")" = 2 &&
	check_entry r "$STREAM" 2 "$old" "$new" 2 "$D1" &&
	stop d1
'
test_expect_success '50+ traces over an ECMP diamond, a silent and a rate-limited router: no change' '
	tb_route r2 ecmp >/dev/null &&
	tb_silent r3 on >/dev/null &&
	tb_ratelimit r4 500 >/dev/null &&
	conf d2 quiet >d2.conf &&
	run_in_src d2 "$HOPWATCHD" -c "$TRASH/d2.conf" -P "$SRCDIR/plugins" &&
	wait_for 45 more_path_traces quiet 50 &&
	lines rx.out "hopwatch.path.hop.rtt:" quiet | grep -c "hop:4," >r4 &&
	echo "r4 answered in $(cat r4) traces" &&
	test "$(events rx.out quiet "$D1")" = 0 &&
	test "$(changes rx.out quiet "$D1")" = 0 &&
	test "$(xlen r "hopwatch:changes:{h1}:quiet:$D1")" = 0 &&
	lines rx.out "hopwatch.path.hop.loss:" quiet | grep -q "hop:3,hop_ip:unknown" &&
	stop d2
'
test_done
