#!/bin/bash
# bench/emit.sh: scenario (c), emission.  Metrics per second through
# hopwatchd's DogStatsD encoder and sender (bench/emit-bench, linked with
# src/libhopwatch.a) to a UDP socket on the loopback of a testbed
# namespace, and datagrams per metric.  Markdown on stdout.
#
# Then the flush interval: 1,000 and 10,000 icmp-like targets at 1 Hz
# (emit-bench -p) to bench/dsd-sum over UDP and a Unix datagram socket,
# with statsd.flush_interval 0 and 100 ms: lines per datagram, datagrams
# per second, and the receiver's CPU per line and per datagram.
#
#   BENCH_EMIT_N=N   metrics per run (default 2,000,000; quick 500,000)
#   BENCH_PACE_S=S   seconds per paced run (default 6; quick 3)
. "$(dirname "$0")/lib.sh"
bn_require_root
[ -x "$BENCH_BIN/emit-bench" ] || bn_die "bench/emit-bench is not built (make bench)"

if [ "$QUICK" = 1 ]; then n=500000 pace=3; else n=2000000 pace=6; fi
n=${BENCH_EMIT_N:-$n}
pace=${BENCH_PACE_S:-$pace}

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

# paced TARGETS TRANSPORT FLUSH: one paced run into dsd-sum; a table row
prow=$WORK/prows
: >"$prow"
port=$(( 20000 + RANDOM % 20000 ))
paced() {
	local targets=$1 transport=$2 flush=$3 url addr out sum=$WORK/paced.sum i
	if [ "$transport" = udp ]; then
		url=udp://127.0.0.1:$port addr="-u 127.0.0.1:$port"
	else
		url=unix://$WORK/dsd.sock addr="-U $WORK/dsd.sock"
	fi
	bn_log "emit: $targets targets, $transport, flush_interval $flush s"
	rm -f "$WORK/paced.ready" "$sum"
	# shellcheck disable=SC2086
	ip netns exec "$NS" "$BENCH_BIN/dsd-sum" $addr -t 300 -o "$sum" -r "$WORK/paced.ready" &
	local pid=$!
	for i in $(seq 1 50); do [ -e "$WORK/paced.ready" ] && break; sleep 0.1; done
	out=$(timeout 120 ip netns exec "$NS" "$BENCH_BIN/emit-bench" -p "$pace" -u "$url" \
		-T "$targets" -F "$flush") || out=
	sleep 0.3
	kill -TERM $pid 2>/dev/null
	wait $pid 2>/dev/null
	if [ -z "$out" ] || [ ! -s "$sum" ]; then
		echo "| $targets | $transport | $flush | failed | | | | | |" >>"$prow"
		return
	fi
	local lines dgrams cpu
	lines=$(bn_stat "$sum" lines) dgrams=$(bn_stat "$sum" datagrams)
	cpu=$(awk '$1 == "cpu_s" { print $2 }' "$sum")
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$targets" "$transport" \
		"$(bn_calc "$flush * 1000")" "$(kv "$out" lines_per_dgram)" "$(kv "$out" dgrams_per_s)" \
		"$(kv "$out" bytes_per_dgram)" "$(bn_calc "sprintf(\"%.0f\", $cpu * 1e9 / ($lines ? $lines : 1))")" \
		"$(bn_calc "sprintf(\"%.0f\", $cpu * 1e9 / ($dgrams ? $dgrams : 1))")" \
		"$(kv "$out" dropped)/$(bn_stat "$sum" rcvbuf_drops)" >>"$prow"
}
for targets in 1000 10000; do
	for transport in udp unix; do
		paced "$targets" "$transport" 0
		paced "$targets" "$transport" 0.1
	done
done

cat <<EOF
### (c) Emission: DogStatsD encoder and sender

$n metrics through \`emit_metric\` / \`emit_service_check\` and the UDP
sink (1432-byte datagrams) to 127.0.0.1, with hopwatchd's tags on an
icmp target (\`probe:\`, two instance tags, \`target:\`, \`target_ip:\`,
\`group:\`), one thread; a second thread drains the socket.

| metric | metrics/s | CPU ns/metric | datagrams/metric | bytes/metric | lines/metric | dropped/received datagrams |
|---|---:|---:|---:|---:|---:|---:|
$(cat "$rows")

This is the best case: the sink packs lines until a datagram is full, as
nothing makes it send earlier.

### (c2) Flush interval: fuller datagrams at 1 Hz

Each target has a round a second, spread over the second as hopwatchd's
scheduler does, and each round sends icmp's ten lines with the tags
above (about 115 bytes a line); ${pace} s per run, through the sink of
\`src/libhopwatch.a\` to \`bench/dsd-sum\`. \`flush_interval\` 0 sends at the
end of every loop iteration (before this setting existed, always);
100 ms is the default. Receiver CPU is dsd-sum's own (user + system)
divided by the lines and datagrams it read.

| targets | transport | flush_interval ms | lines/datagram | datagrams/s | bytes/datagram | receiver CPU ns/line | receiver CPU ns/datagram | dropped: sender/receiver |
|---:|---|---:|---:|---:|---:|---:|---:|---:|
$(cat "$prow")
EOF
