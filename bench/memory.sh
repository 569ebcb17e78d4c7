#!/bin/bash
# bench/memory.sh: scenario (d), memory per target.  hopwatchd's resident
# memory with 0, 1,000 and 10,000 targets of the icmp and the path plugin,
# idle after start-up (interval 1h: the rounds spread over an hour, so
# only a handful run while it is measured).  Markdown on stdout.
#
#   BENCH_MEM_SIZES="0 1000 10000"   sizes instead
#   BENCH_MEM_SETTLE=S               seconds after start before the sample (3)
. "$(dirname "$0")/lib.sh"
bn_require_root

sizes=${BENCH_MEM_SIZES:-0 1000 10000}
settle=${BENCH_MEM_SETTLE:-3}

tb_chain m 1 1 || bn_die "tb_chain failed"
tb_many d1 4 >/dev/null || bn_die "tb_many failed"
NS=$(tb_ns src)

# conf PLUGIN N: an instance of PLUGIN with N targets (none for 0)
conf() {
	echo 'interval = "1h";'
	echo 'statsd = { url = "udp://127.0.0.1:8125"; telemetry_interval = 0; };'
	echo 'log = { level = "warning"; };'
	if [ "$2" = 0 ]; then
		echo 'probes = ();'
	else
		echo "probes = ( { name = \"mem\"; plugin = \"$1\";"
		echo "  targets = ( $(bn_addrs "$2" | sed 's/.*/"&"/' | paste -sd, -) ); } );"
	fi
}

# measure PLUGIN N: sets RSS and HWM (kB) of hopwatchd after $settle s
measure() {
	local pid
	conf "$1" "$2" >"$WORK/mem.conf"
	ip netns exec "$NS" "$HOPWATCHD" -c "$WORK/mem.conf" -P "$PLUGIN_DIR" 2>"$WORK/mem.err" &
	pid=$!
	sleep "$settle"
	RSS=$(bn_kb "$pid" VmRSS) HWM=$(bn_kb "$pid" VmHWM)
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ -n "$RSS" ] || { RSS=nan HWM=nan; bn_log "hopwatchd did not run: $(head -n 2 "$WORK/mem.err")"; }
}

rows=$WORK/rows
: >"$rows"
mib() { bn_fmt %.1f "$(bn_calc "$1 / 1024")"; }
# the baseline (no probe, no plugin loaded) is the same for every plugin
base=
for plugin in icmp path; do
	if [ ! -e "$PLUGIN_DIR/$plugin.so" ]; then
		echo "| $plugin | n/a (plugins/$plugin.so not built) | | | |" >>"$rows"
		continue
	fi
	prev_n="" prev_rss=""
	for n in $sizes; do
		if [ "$n" = 0 ] && [ -n "$base" ]; then
			RSS=${base% *} HWM=${base#* }
		else
			bn_log "memory: $plugin, $n targets"
			measure "$plugin" "$n"
			[ "$n" = 0 ] && base="$RSS $HWM"
		fi
		per=
		if [ -n "$prev_n" ] && [ "$n" -gt "$prev_n" ]; then
			per=$(awk -v a="$prev_rss" -v b="$RSS" -v m="$prev_n" -v k="$n" \
				'BEGIN { if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/) printf "%.0f", (b - a) * 1024 / (k - m); else print "n/a" }')
		fi
		label=$n
		[ "$n" = 0 ] && label="0 (no probe)"
		echo "| $plugin | $label | $(mib "$RSS") | $(mib "$HWM") | ${per:--} |" >>"$rows"
		prev_n=$n prev_rss=$RSS
	done
done

cat <<EOF
### (d) Memory per target, idle after start-up

hopwatchd with one instance of the plugin (default settings, interval 1h)
and N targets, sampled ${settle} s after start: VmRSS (resident now) and
VmHWM (peak, includes reading the configuration). "bytes/target" is the
VmRSS growth from the row above divided by the targets added.

| plugin | targets | VmRSS MiB | VmHWM MiB | bytes/target |
|---|---:|---:|---:|---:|
$(cat "$rows")
EOF
