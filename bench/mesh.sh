#!/bin/bash
# bench/mesh.sh: scenario (i), a mesh of 30 hopwatchd (t/lib/mesh.sh: 30
# namespaces behind one router, one redis-server on a Unix socket, one
# DogStatsD receiver).  Each member probes the 29 others over IPv4 and
# IPv6 (icmp, one request per target every second) and runs with the
# default mesh.ttl (30 s: a heartbeat, a results write and a read every
# 10 s).  Once every member reached every other, over a window of
# BENCH_MESH_SECONDS (default 30, quick 15): the members' CPU (user +
# system, /proc/PID/stat), redis-server's CPU and its commands per second
# by kind (INFO commandstats), the echo requests sent.  Markdown on stdout.
. "$(dirname "$0")/../t/test-lib.sh"
. "$SRCDIR/t/lib/redis.sh"
. "$SRCDIR/t/lib/mesh.sh"

QUICK=${BENCH_QUICK:-0}
N=${BENCH_MESH_MEMBERS:-30}
W=${BENCH_MESH_SECONDS:-$([ "$QUICK" = 1 ] && echo 15 || echo 30)}
M=hopwatch:mesh:{lab}
export MESH_INTERVAL=1s MESH_TTL=30s

die() { echo "bench: mesh: $*" >&2; exit 1; }
# ticks PID...: user + system clock ticks of these processes
ticks() {
	local t=0 p
	for p in "$@"; do
		t=$(( t + $(awk '{ print $14 + $15 }' "/proc/$p/stat") ))
	done
	echo "$t"
}
# cmdstats: "command calls" per line, from INFO commandstats
cmdstats() {
	rcli r INFO commandstats | tr -d '\r' | sed -n 's/^cmdstat_\([a-z|]*\):calls=\([0-9]*\),.*/\1 \2/p' | sort
}
all_reached() {
	local i
	for i in $(seq 1 "$N"); do
		[ "$(mesh_reached r "m$i")" -ge $((2 * (N - 1))) ] || return 1
	done
}

mesh_lab "$N" >/dev/null 2>&1 || die "cannot build the lab"
redis_start r || die "redis-server did not start"
mesh_recv || die "the receiver did not start"
for i in $(seq 1 "$N"); do
	mesh_conf "$i" >"$TRASH/m$i.conf" && mesh_daemon "$i" "m$i.conf" || die "member $i did not start"
done
wait_for 60 all_reached || die "the members did not all reach each other"
sleep 2
pids=$(for i in $(seq 1 "$N"); do cat "$TRASH/m$i.pid"; done)
rpid=$(cat "$TRASH/r.pid")
sent0=$(grep -h '^hopwatch\.icmp\.sent:' "$TRASH/dsd.out" | awk -F'[:|]' '{ s += $2 } END { print s + 0 }')
c0=$(ticks $pids); r0=$(ticks "$rpid"); cmdstats >"$TRASH/cmd0"; t0=$(date +%s.%N)
sleep "$W"
c1=$(ticks $pids); r1=$(ticks "$rpid"); cmdstats >"$TRASH/cmd1"; t1=$(date +%s.%N)
sent1=$(grep -h '^hopwatch\.icmp\.sent:' "$TRASH/dsd.out" | awk -F'[:|]' '{ s += $2 } END { print s + 0 }')
hz=$(getconf CLK_TCK)
el=$(echo "$t1 - $t0" | bc -l)

cat <<EOF
### (i) Mesh: $N members, each probing the $((N - 1)) others (IPv4 and IPv6)

$N hopwatchd, each in its namespace behind one router (\`t/lib/mesh.sh\`),
group \`lab\` in one redis-server (Unix socket); icmp, \`count = 1\`,
\`interval = 1s\` to each of the $((2 * (N - 1))) targets (both families
of every other member), \`mesh.ttl = 30s\` (heartbeat, results write and
member read every 10 s). Measured over $(printf '%.0f' "$el") s once every
member had reached every other.

| what | over the window | per second | per member per second |
|---|---|---|---|
$(awk -v c="$((c1 - c0))" -v hz="$hz" -v el="$el" -v n="$N" 'BEGIN {
	printf "| members'"'"' CPU (user + system) | %.2f s | %.1f %% of a core | %.2f %% of a core |\n", c / hz, 100 * c / hz / el, 100 * c / hz / el / n }')
$(awk -v c="$((r1 - r0))" -v hz="$hz" -v el="$el" -v n="$N" 'BEGIN {
	printf "| redis-server CPU | %.2f s | %.1f %% of a core | |\n", c / hz, 100 * c / hz / el }')
$(awk -v s="$((sent1 - sent0))" -v el="$el" -v n="$N" 'BEGIN {
	printf "| echo requests sent (icmp.sent) | %d | %.0f | %.1f |\n", s, s / el, s / el / n }')
$(join "$TRASH/cmd0" "$TRASH/cmd1" | awk -v el="$el" -v n="$N" '{ d = $3 - $2; t += d
	if (d > 0) printf "| Redis %s | %d | %.1f | %.3f |\n", toupper($1), d, d / el, d / el / n }
	END { printf "| Redis commands, all | %d | %.1f | %.3f |\n", t, t / el, t / el / n }')

Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) CPUs ($(uname -r)), hopwatch $(git -C "$SRCDIR" describe --always --dirty 2>/dev/null), by \`bench/mesh.sh\`.
EOF
for i in $(seq 1 "$N"); do stop "m$i" >/dev/null || die "member $i did not stop cleanly"; done
stop dsd >/dev/null || die "the receiver found invalid lines"
