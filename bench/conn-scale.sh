#!/bin/bash
# bench/conn-scale.sh: scenario (e), the conn plugin at scale.  With 10,000
# and 100,000 established loopback connections (both ends in one namespace,
# held by t/tools/hwxfer hold, so 2 sockets each), hopwatchd's CPU per dump
# (user + system, /proc/PID/stat over several dumps), the dump's wall time
# (its debug line), its resident memory and the metric lines per interval;
# and, over the same sockets, `ss -tin` (CPU of one run, /usr/bin/time).
# Markdown on stdout.
#
#   BENCH_CONN_SIZES="10000 100000"   connection counts instead
#   BENCH_QUICK=1                     1,000 and 10,000
. "$(dirname "$0")/lib.sh"
bn_require_root

if [ "$QUICK" = 1 ]; then sizes=${BENCH_CONN_SIZES:-1000 10000}; else sizes=${BENCH_CONN_SIZES:-10000 100000}; fi
INTERVAL=2
CHUNK=$(( ($(ulimit -Hn) - 200) / 2 ))
RUN=13   # seconds hopwatchd runs: about 6 dumps

tb_chain e 1 1 || bn_die "tb_chain failed"
NS=$(tb_ns src)
ip netns exec "$NS" sysctl -q -w net.ipv4.ip_local_port_range="30000 65000" || bn_die "sysctl"

# ticks PID: utime + stime of PID, clock ticks
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

cat <<EOF2
### (e) conn: dumping every TCP socket

Established loopback connections (2 sockets each, plus 4 listeners), held in
one namespace; hopwatchd's conn probe dumps them every ${INTERVAL} s (IPv4 and
IPv6 dumps, destroy notifications on) and sends to a local DogStatsD
receiver. CPU per dump is hopwatchd's user + system time over the dumps
after the first (the baseline), divided by their number; "per socket" divides
it by the sockets dumped. \`ss -tin\` is one run over the same sockets,
output to /dev/null.

| connections | sockets dumped | hopwatchd CPU per dump | per socket | dump wall time | RSS | metric lines per interval | \`ss -tin\` CPU | per socket |
|---|---|---|---|---|---|---|---|---|
EOF2

for n in $sizes; do
	bn_log "conn-scale: $n connections"
	# one holder per $CHUNK connections: each end is a descriptor, and
	# the hard RLIMIT_NOFILE may be low (20,000 here)
	holders=() left=$n k=0 ok=1
	while [ $left -gt 0 ]; do
		c=$(( left < CHUNK ? left : CHUNK ))
		rm -f "$WORK/hold.$k.pid"
		ip netns exec "$NS" "$SRCDIR/t/tools/hwxfer" hold -T 600 -p "$WORK/hold.$k.pid" 127.0.0.1 \
			$((20000 + 4 * k)) 4 "$c" 2>>"$WORK/hold.err" &
		holders+=($!)
		for _ in $(seq 1200); do [ -e "$WORK/hold.$k.pid" ] && break; sleep 0.1; done
		[ -e "$WORK/hold.$k.pid" ] || { ok=0; break; }
		left=$((left - c)) k=$((k + 1))
	done
	if [ $ok = 0 ]; then
		cat "$WORK/hold.err" >&2
		kill "${holders[@]}" 2>/dev/null; wait "${holders[@]}" 2>/dev/null
		echo "| $n | setup failed | | | | | | | |"
		continue
	fi
	cat >"$WORK/conn.conf" <<-EOF2
	interval = "${INTERVAL}s";
	statsd = { url = "udp://127.0.0.1:8125"; telemetry_interval = 0; };
	probes = ( { name = "c"; plugin = "conn"; } );
	EOF2
	rm -f "$WORK/ready"
	ip netns exec "$NS" "$SRCDIR/t/tools/dsd-recv" -u 127.0.0.1:8125 -o "$WORK/lines" -t $((RUN + 10)) \
		-r "$WORK/ready" &
	recv=$!
	for _ in $(seq 50); do [ -e "$WORK/ready" ] && break; sleep 0.1; done
	ip netns exec "$NS" "$HOPWATCHD" -d -c "$WORK/conn.conf" -P "$PLUGIN_DIR" 2>"$WORK/conn.log" &
	pid=$!
	# after the baseline dump
	for _ in $(seq 300); do grep -q "dump of" "$WORK/conn.log" && break; sleep 0.1; done
	t0=$(ticks $pid) d0=$(grep -c "dump of" "$WORK/conn.log") l0=$(wc -l <"$WORK/lines")
	sleep $RUN
	t1=$(ticks $pid) d1=$(grep -c "dump of" "$WORK/conn.log") l1=$(wc -l <"$WORK/lines")
	rss=$(bn_kb $pid VmRSS)
	kill -TERM $pid; wait $pid
	sleep 0.3; kill $recv 2>/dev/null; wait $recv 2>/dev/null
	socks=$(grep "dump of" "$WORK/conn.log" | tail -1 | sed 's/.*dump of \([0-9]*\) sockets.*/\1/')
	wall=$(grep "dump of" "$WORK/conn.log" | tail -n +2 | sed 's/.* in \([0-9.]*\) ms.*/\1/' | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	dumps=$((d1 - d0))
	cpu_ms=n/a per=n/a lines=n/a
	if [ $dumps -gt 0 ]; then
		cpu_ms=$(bn_calc "sprintf(\"%.1f\", ($t1 - $t0) * 1000 / $HZ / $dumps)")
		per=$(bn_calc "sprintf(\"%.2f\", ($t1 - $t0) * 1e6 / $HZ / $dumps / $socks)")
		lines=$(bn_calc "sprintf(\"%d\", ($l1 - $l0) / $dumps)")
	fi
	ss_s=$( { /usr/bin/time -f "%U %S" ip netns exec "$NS" ss -tin >/dev/null; } 2>&1 | tail -1)
	ss_ms=$(echo "$ss_s" | awk '{ printf "%.0f", ($1 + $2) * 1000 }')
	ss_per=$(bn_calc "sprintf(\"%.2f\", $ss_ms * 1000 / $socks)")
	kill "${holders[@]}" 2>/dev/null; wait "${holders[@]}" 2>/dev/null
	echo "| $n | $socks | $cpu_ms ms | $per µs | $wall ms | $((rss / 1024)) MB | $lines | $ss_ms ms | $ss_per µs |"
done
echo
echo "CPU is counted in clock ticks ($HZ per second), so figures under ~10 ms are coarse. Dumps of both families are included; the IPv6 dump of IPv4-only sockets is cheap."
