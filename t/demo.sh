#!/bin/bash
# t/demo.sh (make demo, as root): the whole product on a small network of
# namespaces, nothing else touched.  src - r1 - r2 - r3 - r4 - d1, with
# 5 ms and 5% loss each way on the link below r2; icmp, tcp and path
# probes to d1 with the DogStatsD lines echoed (no agent listens: the
# daemon says so once); a Redis on a temporary Unix socket; halfway
# through, r2's traffic is moved to its twin t2 (a real route change, which
# also leaves the slow link behind), and the path probe reports the change:
# an event "Path to ... changed", shown with a banner among the lines, and
# hopwatch.path.changes.  At the end the `hopwatch` CLI shows what Redis
# kept: paths, show and history of d1.  Everything is removed at the end,
# or on ^C.
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
REDIS_PID=
trap 'tb_cleanup_all; [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null; rm -rf "$TRASH"' EXIT
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

# A Redis of its own, on a Unix socket in $TRASH (a socket file is reached
# from the src namespace too): the path store the CLI reads.
REDIS_CONF=
if command -v redis-server >/dev/null; then
	redis-server --port 0 --unixsocket "$TRASH/redis.sock" --unixsocketperm 700 --save '' \
		--appendonly no --dir "$TRASH" --loglevel warning >"$TRASH/redis.log" 2>&1 &
	REDIS_PID=$!
	if wait_for 10 test -S "$TRASH/redis.sock"; then
		REDIS_CONF="redis = { socket = \"$TRASH/redis.sock\"; };"
		echo "Redis for the path store: $TRASH/redis.sock" >&2
	fi
fi
[ -n "$REDIS_CONF" ] || echo "no redis-server (apt-get install redis-server): the demo runs without the path store" >&2

cat >"$TRASH/demo.conf" <<CONF
statsd = { url = "udp://127.0.0.1:8125"; echo = true; telemetry_interval = 0; };
hostname = "demo";
$REDIS_CONF
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
echo "every DogStatsD line it sends is printed; a path change is shown with a banner" >&2
# Every echoed line as it comes, and a banner on the path-change event.
banner() {
	awk -v bold="$(printf '\033[1;33m')" -v off="$(printf '\033[0m')" '
		/^_e\{/ && /\|d:/ && index($0, "changed") {
			title = $0; sub(/^_e\{[0-9]+,[0-9]+\}:/, "", title); sub(/\|.*/, "", title)
			printf "\n%s######## PATH CHANGE: %s ########%s\n", bold, title, off
			print
			printf "%s######## (the event above went to DogStatsD; hopwatch.path.changes counts it) ########%s\n\n", bold, off
			fflush(); next
		}
		{ print; fflush() }'
}
mkfifo "$TRASH/lines"
banner <"$TRASH/lines" &
filter=$!
# ip netns exec execs hopwatchd: $! is the daemon itself, which SIGTERM stops
ip netns exec "$(tb_ns src)" "$SRCDIR/src/hopwatchd" -c "$TRASH/demo.conf" -P "$SRCDIR/plugins" >"$TRASH/lines" &
daemon=$!
sleep $(( DEMO_SECONDS / 2 ))
say "route change: r2's traffic now goes through t2 ($(tb_addr t2))"
tb_route r2 alt >/dev/null
sleep $(( DEMO_SECONDS - DEMO_SECONDS / 2 ))
kill -TERM "$daemon" 2>/dev/null
wait "$daemon" 2>/dev/null
wait "$filter" 2>/dev/null

if [ -n "$REDIS_CONF" ]; then
	HW() {
		printf '\n$ hopwatch %s\n' "$*"
		"$SRCDIR/src/hopwatch" -s "$TRASH/redis.sock" --source demo "$@"
	}
	say "what Redis kept, read with the hopwatch command (hopwatch(1))"
	HW paths
	HW show "$D1" --probe demo-path
	if HW history "$D1" --probe demo-path | tee "$TRASH/history" | grep -q "path changed"; then
		cat "$TRASH/history"
		say "summary: the path to $D1 changed; hopwatch history shows it, each changed hop marked '>'"
	else
		cat "$TRASH/history"
		say "summary: no change confirmed within ${DEMO_SECONDS}s (path_confirm = 2 traces); try DEMO_SECONDS=60"
	fi
	echo "also: hopwatch watch (follow changes live), --json on every command" >&2
fi
say "done: every namespace is being removed"
