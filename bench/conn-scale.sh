#!/bin/bash
# bench/conn-scale.sh: scenario (g), the conn plugin at scale.  With 10,000
# and 100,000 established loopback connections (both ends in one namespace,
# held by t/tools/hwxfer hold, so 2 sockets each), hopwatchd's CPU per dump
# (user + system, /proc/PID/stat over several dumps), the dump's wall time
# (its debug line), its resident memory and the metric lines per interval;
# over the same sockets, `ss -tin` (CPU of one run, /usr/bin/time).  Then
# the cost of process_tags: 10,000 held connections plus new ones every
# dump, with process_tags off and on.  Everything runs as nobody (process
# tags need the application's uid).  Markdown on stdout.
#
#   BENCH_CONN_SIZES="10000 100000"   connection counts instead
#   BENCH_QUICK=1                     1,000 and 10,000
. "$(dirname "$0")/lib.sh"
bn_require_root

if [ "$QUICK" = 1 ]; then sizes=${BENCH_CONN_SIZES:-1000 10000}; else sizes=${BENCH_CONN_SIZES:-10000 100000}; fi
INTERVAL=2
RUN=13   # seconds hopwatchd runs: about 6 dumps
# one holder per CHUNK connections: each end is a descriptor, and the hard
# RLIMIT_NOFILE may be low (20,000 here)
CHUNK=$(( ($(ulimit -Hn) - 200) / 2 ))
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all"
chmod 755 "$WORK"
PIDS=$WORK/pids   # the holders (nobody) write their pid files here
mkdir -p "$PIDS" && chmod 1777 "$PIDS"

tb_chain e 1 1 || bn_die "tb_chain failed"
NS=$(tb_ns src)
# listeners on 19000-29999 stay out of the ephemeral range
ip netns exec "$NS" sysctl -q -w net.ipv4.ip_local_port_range="30000 65000" || bn_die "sysctl"
# a command prefix, not a function: "$IN_NS cmd &" makes $! the command itself
IN_NS="ip netns exec $NS $NOBODY"

# ticks PID: utime + stime of PID, clock ticks
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

# hold_start N: hold N connections (sets holders); fails when setup fails.
# Each call listens on new ports: the last call's TIME-WAITs hold the old ones.
BASE=20000
hold_start() {
	local left=$1 k=0 c
	holders=()
	BASE=$((BASE + 200))
	while [ "$left" -gt 0 ]; do
		c=$(( left < CHUNK ? left : CHUNK ))
		rm -f "$PIDS/hold.$k.pid"
		$IN_NS "$SRCDIR/t/tools/hwxfer" hold -T 600 -p "$PIDS/hold.$k.pid" 127.0.0.1 \
			$((BASE + 4 * k)) 4 "$c" 2>>"$WORK/hold.err" &
		holders+=($!)
		for _ in $(seq 1200); do [ -e "$PIDS/hold.$k.pid" ] && break; sleep 0.1; done
		[ -e "$PIDS/hold.$k.pid" ] || { cat "$WORK/hold.err" >&2; hold_stop; return 1; }
		left=$((left - c)) k=$((k + 1))
	done
}
hold_stop() { kill "${holders[@]}" 2>/dev/null; wait "${holders[@]}" 2>/dev/null; }

# measure TAGS: hopwatchd (process_tags = TAGS) for $RUN s; sets CPU_MS,
# PER (µs per socket), WALL (median dump ms), RSS (MB), LINES (per dump),
# SOCKS (sockets in the last dump), SCAN (median /proc scan ms)
measure() {
	local pid recv t0 t1 d0 d1 l0 l1 dumps
	cat >"$WORK/conn.conf" <<-EOF2
	interval = "${INTERVAL}s";
	statsd = { url = "udp://127.0.0.1:8125"; telemetry_interval = 0; };
	probes = ( { name = "c"; plugin = "conn"; process_tags = $1; } );
	EOF2
	rm -f "$WORK/ready" "$WORK/lines"
	ip netns exec "$NS" "$SRCDIR/t/tools/dsd-recv" -u 127.0.0.1:8125 -o "$WORK/lines" -t $((RUN + 10)) \
		-r "$WORK/ready" &
	recv=$!
	for _ in $(seq 50); do [ -e "$WORK/ready" ] && break; sleep 0.1; done
	$IN_NS "$HOPWATCHD" -d -c "$WORK/conn.conf" -P "$PLUGIN_DIR" 2>"$WORK/conn.log" &
	pid=$!
	for _ in $(seq 300); do grep -q "dump of" "$WORK/conn.log" && break; sleep 0.1; done
	t0=$(ticks $pid) d0=$(grep -c "dump of" "$WORK/conn.log") l0=$(wc -l <"$WORK/lines")
	sleep $RUN
	t1=$(ticks $pid) d1=$(grep -c "dump of" "$WORK/conn.log") l1=$(wc -l <"$WORK/lines")
	RSS=$(( $(bn_kb $pid VmRSS) / 1024 ))
	kill -TERM $pid; wait $pid 2>/dev/null
	sleep 0.3; kill $recv 2>/dev/null; wait $recv 2>/dev/null
	SOCKS=$(grep "dump of" "$WORK/conn.log" | tail -1 | sed 's/.*dump of \([0-9]*\) sockets.*/\1/')
	WALL=$(grep "dump of" "$WORK/conn.log" | tail -n +2 | sed 's/.* in \([0-9.]*\) ms.*/\1/' | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	SCAN=$(grep "dump of" "$WORK/conn.log" | tail -n +2 | sed 's/.*(last \([0-9.]*\) ms).*/\1/' | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	SCANS=$(grep "dump of" "$WORK/conn.log" | tail -1 | sed 's/.* \([0-9]*\) \/proc scans.*/\1/')
	dumps=$((d1 - d0))
	CPU_MS=n/a PER=n/a LINES=n/a
	if [ $dumps -gt 0 ]; then
		CPU_MS=$(bn_calc "sprintf(\"%.1f\", ($t1 - $t0) * 1000 / $HZ / $dumps)")
		PER=$(bn_calc "sprintf(\"%.2f\", ($t1 - $t0) * 1e6 / $HZ / $dumps / $SOCKS)")
		LINES=$(bn_calc "sprintf(\"%d\", ($l1 - $l0) / $dumps)")
	fi
}

cat <<EOF2
### (g) conn: dumping every TCP socket

Established loopback connections (2 sockets each, plus 4 listeners per
holder), held in one namespace; hopwatchd's conn probe dumps them every
${INTERVAL} s (IPv4 and IPv6 dumps, destroy notifications on) and sends to a
local DogStatsD receiver. CPU per dump is hopwatchd's user + system time
over the dumps after the first (the baseline), divided by their number;
"per socket" divides it by the sockets dumped. \`ss -tin\` is one run over
the same sockets, output to /dev/null.

| connections | sockets dumped | hopwatchd CPU per dump | per socket | dump wall time | RSS | metric lines per interval | \`ss -tin\` CPU | per socket |
|---|---|---|---|---|---|---|---|---|
EOF2

for n in $sizes; do
	bn_log "conn-scale: $n connections"
	hold_start "$n" || { echo "| $n | setup failed | | | | | | | |"; continue; }
	measure false
	ss_s=$( { /usr/bin/time -f "%U %S" ip netns exec "$NS" ss -tin >/dev/null; } 2>&1 | tail -1)
	ss_ms=$(echo "$ss_s" | awk '{ printf "%.0f", ($1 + $2) * 1000 }')
	ss_per=$(bn_calc "sprintf(\"%.2f\", $ss_ms * 1000 / $SOCKS)")
	hold_stop
	echo "| $n | $SOCKS | $CPU_MS ms | $PER µs | $WALL ms | $RSS MB | $LINES | $ss_ms ms | $ss_per µs |"
done

n=$(echo $sizes | awk '{ print $1 }')
cat <<EOF2

process_tags: $n held connections, and 20 clients each opening a
connection that lives 0.5 s, then the next (about $((INTERVAL * 40)) new connections per
dump, about 20 of them alive at each dump and missing from the socket map:
one /proc scan per dump). The scan time is the median wall time of one
scan of /proc/*/fd.

| connections | process_tags | hopwatchd CPU per dump | /proc scans | scan wall time |
|---|---|---|---|---|
EOF2
bn_log "conn-scale: process_tags with $n connections"
if hold_start "$n"; then
	$IN_NS "$SRCDIR/t/tools/hwxfer" serve -T 120 19000 0 2>/dev/null &
	srv=$!
	sleep 0.3
	cli=
	for _ in $(seq 20); do
		$IN_NS "$SRCDIR/t/tools/hwxfer" connect -k 0.5 127.0.0.1 19000 1000 0 >/dev/null 2>&1 &
		cli="$cli $!"
	done
	for tags in false true; do
		measure $tags
		[ $tags = true ] || { SCANS=-; SCAN=-; }
		echo "| $n | $tags | $CPU_MS ms | $SCANS | $SCAN ms |"
	done
	kill $cli $srv 2>/dev/null; wait $cli $srv 2>/dev/null  # $cli: several pids
	hold_stop
else
	echo "| $n | setup failed | | | |"
fi
echo
echo "CPU is counted in clock ticks ($HZ per second), so figures under ~10 ms are coarse. Dumps of both families are included; the IPv6 dump of IPv4-only sockets is cheap."
