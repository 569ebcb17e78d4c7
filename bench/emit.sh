#!/bin/bash
# bench/emit.sh: scenario (c), emission.  Metrics per second through
# hopwatchd's DogStatsD encoder and sender (bench/emit-bench, linked with
# src/libhopwatch.a) to a UDP socket on the loopback of a testbed
# namespace, and datagrams per metric.  Markdown on stdout.
#
#   BENCH_EMIT_N=N   metrics per run (default 2,000,000; quick 500,000)
. "$(dirname "$0")/lib.sh"
bn_require_root
[ -x "$BENCH_BIN/emit-bench" ] || bn_die "bench/emit-bench is not built (make bench)"

if [ "$QUICK" = 1 ]; then n=500000; else n=2000000; fi
n=${BENCH_EMIT_N:-$n}

tb_chain e 1 1 || bn_die "tb_chain failed"
NS=$(tb_ns src)

rows=$WORK/rows
: >"$rows"
# kv LINE KEY: the value of KEY=VALUE in LINE
kv() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
run() {
	local label=$1 out
	shift
	bn_log "emit: $label"
	out=$(timeout 120 ip netns exec "$NS" "$BENCH_BIN/emit-bench" -n "$n" "$@") ||
		{ echo "| $label | failed | | | | | |" >>"$rows"; return; }
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$(kv "$out" metrics_per_s)" \
		"$(kv "$out" cpu_ns_per_metric)" "$(kv "$out" dgrams_per_metric)" \
		"$(kv "$out" bytes_per_metric)" "$(kv "$out" lines_per_metric)" \
		"$(kv "$out" dropped)/$(kv "$out" received)" >>"$rows"
}
run "gauge, 1 value" -v 1
run "distribution, 5 values (icmp.rtt, count 5)" -v 5
run "distribution, 100 values (icmp.rtt, count 100)" -v 100
run "service check (icmp.can_reach)" -s

cat <<EOF
### (c) Emission: DogStatsD encoder and sender

$n metrics through \`emit_metric\` / \`emit_service_check\` and the UDP
sink (1432-byte datagrams) to 127.0.0.1, with hopwatchd's tags on an
icmp target (\`probe:\`, two instance tags, \`target:\`, \`target_ip:\`,
\`group:\`), one thread; a second thread drains the socket.

| metric | metrics/s | CPU ns/metric | datagrams/metric | bytes/metric | lines/metric | dropped/received datagrams |
|---|---:|---:|---:|---:|---:|---:|
$(cat "$rows")

This is the best case: the sink packs lines until a datagram is full. The
daemon also sends what it holds at the end of every event-loop iteration;
the lines per datagram it really sent are in the notes of (a).
EOF
