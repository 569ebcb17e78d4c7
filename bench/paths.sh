#!/bin/bash
# bench/paths.sh: scenario (b), paths.  N targets (200; BENCH_QUICK=1: 50)
# behind a 10-hop chain (src - r1..r9 - d1, d1 answering a whole /16),
# 3 queries per hop: hopwatchd's path plugin (when plugins/path.so is
# built), traceroute and mtr (one process per target, in parallel batches
# of $BENCH_PAR, as a user with a target list would run them) and scamper
# (one process for every target).  Reports the wall time until every trace
# is done and the CPU it cost.  Markdown on stdout, progress on stderr.
#
#   BENCH_PATH_TARGETS=N   targets instead of 200 (50 quick)
#   BENCH_PAR=P            parallel traceroute/mtr processes (default 50)
. "$(dirname "$0")/lib.sh"
bn_require_root

if [ "$QUICK" = 1 ]; then n=50; else n=200; fi
n=${BENCH_PATH_TARGETS:-$n}
par=${BENCH_PAR:-50}
hops=10
limit=240

# unlimited ICMP: (b) compares speed and CPU on a lossless lab, where any
# star is the tool's own; paths through rate-limiting routers are (e),
# bench/path-ratelimit.sh
TB_ICMP_PROFILE=unlimited tb_chain p $((hops - 1)) 1 || bn_die "tb_chain failed"
tb_many d1 4 >/dev/null || bn_die "tb_many failed"
NS=$(tb_ns src)
bn_addrs "$n" >"$WORK/targets"
probes=$((n * hops * 3))

rows=$WORK/rows
notes=$WORK/notes
: >"$rows"
: >"$notes"

# row TOOL SETTINGS REACHED LOSS: one table row from BN_*; the hopwatchd
# row (first) is kept for the ratios
hw_cpu=
row() {
	local ratio="-"
	[ -n "$hw_cpu" ] && [ "$1" != hopwatchd ] && ratio=$(bn_ratio "$hw_cpu" "$BN_CPU")
	printf '| %s | %s | %s/%s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$n" "$BN_WALL" \
		"$BN_CPU" "$BN_RSS" "$(bn_fmt %.0f "$(bn_calc "$probes / $BN_WALL")")" "$4" "$ratio" >>"$rows"
}

# stars FILE: percent of the expected probes shown as "*" in traceroute-
# style text output (traceroute, scamper)
stars() {
	awk -v p="$probes" '$1 ~ /^[0-9]+$/ { for (i = 2; i <= NF; i++) if ($i == "*") s++ }
		END { printf "%.2f", 100 * s / p }' "$1"
}
# reached FILE: traces whose last hop line is a target (172.17.x.y)
reached() {
	awk '($1 ~ /^[0-9]+$/ || $1 ~ /^[0-9]+\.\|--$/) && $2 ~ /^172\.17\./ { r++ }
		END { print r + 0 }' "$1"
}

# --- hopwatchd, path plugin
if [ -e "$PLUGIN_DIR/path.so" ]; then
	# The first of these settings that hopwatchd -t accepts: the shortest
	# interval first, since the rounds of the N targets are spread over
	# one interval; pps 10000 as scamper gets.  (The plugin checks that
	# max_ttl * queries / pps + 2 * timeout < interval.)
	conf=$WORK/hw.conf
	found=
	for set in '1s 400ms queries = 3; pps = 10000;' '2s 900ms queries = 3; pps = 10000;' \
		'5s 1s queries = 3;' '10s 1s'; do
		# shellcheck disable=SC2086
		set -- $set
		iv=$1 to=$2
		shift 2
		opts="$*"
		cat >"$conf" <<-EOF
		interval = "$iv";
		timeout = "$to";
		statsd = { url = "udp://127.0.0.1:8125"; telemetry_interval = 0; };
		log = { level = "warning"; };
		probes = ( { name = "paths"; plugin = "path"; $opts
		  targets = ( $(sed 's/.*/"&"/' "$WORK/targets" | paste -sd, -) ); } );
		EOF
		if "$HOPWATCHD" -t -c "$conf" -P "$PLUGIN_DIR" >/dev/null 2>"$WORK/hw.check"; then
			found="interval $iv, timeout $to${opts:+, $opts}"
			break
		fi
	done
	if [ -n "$found" ]; then
		bn_log "paths: $n targets: hopwatchd path ($found)"
		rm -f "$WORK/hw.done"
		bn_sink_start "$NS" 8125 hw -W hopwatch.path. -N "$n" -c "$WORK/hw.done"
		t0=$(date +%s.%N)
		BN_UNTIL=$WORK/hw.done bn_run "$NS" $limit TERM hw "$HOPWATCHD" -c "$conf" -P "$PLUGIN_DIR"
		bn_sink_stop
		if [ -e "$WORK/hw.done" ]; then
			BN_WALL=$(bn_calc "$(cat "$WORK/hw.done") - $t0" | awk '{ printf "%.2f", $1 }')
		else
			BN_WALL="> $limit (only $(bn_stat "$WORK/hw.sum" targets_seen) targets done)"
		fi
		hw_cpu=$BN_CPU
		sum=$WORK/hw.sum
		# per trace: path.can_reach OK or not; per hop and trace: path.hop.loss %
		hreached=$(awk -v n="$n" '$1 == "metric" && $2 ~ /^_sc\|hopwatch\.path\.can_reach\|/ {
				c += $3; if ($2 ~ /\|0$/) s += $3 }
			END { if (c > 0) printf "%.0f", n * s / c; else print 0 }' "$sum")
		hloss=$(awk -v s="$(bn_sum "$sum" hopwatch.path.hop.loss)" -v c="$(bn_sum "$sum" hopwatch.path.hop.loss 4)" \
			'BEGIN { if (c > 0) printf "%.2f", s / c; else print "n/a" }')
		row hopwatchd "$found" "$hreached" "$hloss"
		echo "- hopwatchd: $(bn_sum "$sum" hopwatch.path.duration 4) traces reported, $(bn_fmt %.1f "$(bn_calc "$(bn_sum "$sum" hopwatch.path.duration) / ($(bn_sum "$sum" hopwatch.path.duration 4) + 1e-9)")") ms per trace on average (path.duration), $(bn_sum "$sum" hopwatch.path.unmatched) unmatched replies." >>"$notes"
		echo "- hopwatchd: a trace counts as done at its first \`hopwatch.path.*\` line; rounds of the $n targets are spread over the interval by design, so the wall time is at least about one interval." >>"$notes"
	else
		echo "| hopwatchd | n/a (no settings accepted: $(head -c 150 "$WORK/hw.check" | tr '\n|' '  ')) | | | | | | | |" >>"$rows"
	fi
else
	echo "| hopwatchd | n/a (plugins/path.so not built) | | | | | | | |" >>"$rows"
fi

# --- traceroute: one process per target, $par at a time
if bn_tool traceroute traceroute; then
	bn_log "paths: $n targets: traceroute, $par in parallel"
	bn_run "$NS" $limit TERM tr xargs -a "$WORK/targets" -P "$par" -n 1 traceroute -n -q 3 -w 1
	row traceroute "\`xargs -P $par traceroute -n -q 3 -w 1\` (UDP)" "$(reached "$WORK/tr.out")" \
		"$(stars "$WORK/tr.out")"
else
	echo "| traceroute | n/a (package missing) | | | | | | | |" >>"$rows"
fi

# --- mtr: one process per target, $par at a time
if bn_tool mtr mtr-tiny; then
	bn_log "paths: $n targets: mtr --report -c 3, $par in parallel"
	# through a pipe: mtr processes writing to one shared regular file run
	# one after the other (10 took 82 s instead of 8 here)
	# shellcheck disable=SC2016
	bn_run "$NS" $limit TERM mtr sh -c 'xargs -a "$1" -P "$2" -n 1 mtr --report -n -c 3 | cat' \
		_ "$WORK/targets" "$par"
	# Loss% is the 3rd field of "  1.|-- 10.0.0.2  0.0%  3 ..."
	mloss=$(awk '$1 ~ /^[0-9]+\.\|--$/ { l += $3 + 0; k++ } END { if (k) printf "%.2f", l / k; else print "n/a" }' \
		"$WORK/mtr.out")
	row mtr "\`xargs -P $par mtr --report -n -c 3\` (ICMP, 1 s cycle)" "$(reached "$WORK/mtr.out")" "$mloss"
else
	echo "| mtr | n/a (package missing) | | | | | | | |" >>"$rows"
fi

# --- scamper: one process, every target
if bn_tool scamper scamper; then
	bn_log "paths: $n targets: scamper trace -q 3 -Q"
	bn_run "$NS" $limit TERM sc scamper -O text -p 10000 -c "trace -q 3 -Q" -f "$WORK/targets"
	row scamper "\`scamper -p 10000 -c \"trace -q 3 -Q\"\` (UDP Paris)" "$(reached "$WORK/sc.out")" \
		"$(stars "$WORK/sc.out")"
else
	echo "| scamper | n/a (package missing) | | | | | | | |" >>"$rows"
fi

cat <<EOF
### (b) Paths: $n targets behind $hops hops, 3 queries per hop

Wall time from start until every trace is done; CPU of all processes
(user+sys, children included); peak RSS of the largest single process
(traceroute and mtr run up to $par at once). "probes/s" is the
$n x $hops x 3 = $probes probes a full set of traces needs, divided by the wall time.
"lost %" is probes shown as lost (\`*\`, mtr's Loss%) on a lossless path.

| tool | settings | traces reaching the target | wall s | CPU s | peak RSS MiB | probes/s | lost % | CPU hw/peer |
|---|---|---:|---:|---:|---:|---:|---:|---:|
$(cat "$rows")

$(cat "$notes")
EOF
