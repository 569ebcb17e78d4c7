#!/bin/bash
# t/demo.sh (make demo, as root): hopwatchd against a small network of
# namespaces, nothing else touched.  src - r1 - r2 - r3 - r4 - d1, with
# 5 ms and 5% loss each way on the link below r2; icmp, tcp and path
# probes to d1 with the DogStatsD lines echoed; halfway through, r2's
# traffic is moved to its twin t2 (a real route change, which also leaves
# the slow link behind), and the path probe reports the change: an event
# "Path to ... changed" and hopwatch.path.changes.  Everything is removed
# at the end, or on ^C.
set -u
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
DEMO_SECONDS=${DEMO_SECONDS:-40}

# The testbed library works with or without test-lib.sh; these are the
# few things it expects from it.
HW_ID=$(printf 'd%x' $(( ($$ + RANDOM) % 4096 )))
TOOLS=$SRCDIR/t/tools
TRASH=$(mktemp -d /tmp/hopwatch-demo.XXXXXX)
wait_for() {
	local limit=$(( $1 * 10 )) i=0
	shift
	while [ $i -lt $limit ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; i=$((i + 1)); done
	return 1
}
. "$SRCDIR/t/lib/testbed.sh"
trap 'tb_cleanup_all; rm -rf "$TRASH"' EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "make demo needs root (network namespaces)" >&2; exit 1; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

say "building src - r1 - r2 - r3 - r4 - d1 (namespaces tb$HW_ID-*)"
tb_chain demo 4 1 >/dev/null
tb_route r2 main >/dev/null
tb_delay r2 5:0:5 5:0:5 >/dev/null
tb_listen d1 80 >/dev/null
D1=$(tb_addr d1)
echo "d1 is $D1; hops 3 and later are 10 ms further away, with about 10% loss" >&2
tb_hops d1 | sed 's/^/  expected hop: /' >&2

cat >"$TRASH/demo.conf" <<CONF
statsd = { url = "udp://127.0.0.1:8125"; echo = true; telemetry_interval = 0; };
path_confirm = 2;
probes = (
	{ name = "demo-icmp"; plugin = "icmp"; interval = "5s"; count = 10; spacing = "100ms";
	  targets = [ "$D1" ]; },
	{ name = "demo-tcp"; plugin = "tcp"; interval = "5s"; targets = [ "$D1:80" ]; },
	{ name = "demo-path"; plugin = "path"; interval = "4s"; timeout = "1s"; max_ttl = 8;
	  targets = [ "$D1" ]; }
);
CONF

say "hopwatchd runs in src for ${DEMO_SECONDS}s; the route changes halfway"
tb_exec src "$SRCDIR/src/hopwatchd" -c "$TRASH/demo.conf" -P "$SRCDIR/plugins" &
daemon=$!
sleep $(( DEMO_SECONDS / 2 ))
say "route change: r2's traffic now goes through t2 ($(tb_addr t2))"
tb_route r2 alt >/dev/null
sleep $(( DEMO_SECONDS - DEMO_SECONDS / 2 ))
kill -TERM "$daemon" 2>/dev/null
wait "$daemon" 2>/dev/null
say "done: every namespace is being removed"
