#!/bin/bash
# bench/icmp-scale.sh: scenario (a), ICMP at scale.  N targets, one echo
# request per target per second, for D seconds, on a lossless path
# (src - r1 - d1, d1 answering a whole /16): hopwatchd's icmp plugin,
# fping and collectd's ping plugin, one after the other on the same
# targets.  Prints a markdown section on stdout, progress on stderr.
#
#   BENCH_QUICK=1            sizes 1000 5000, 10 s each (default 1000 5000
#                            10000 20000, 30 s each)
#   BENCH_ICMP_SIZES="..."   sizes to run instead
#   BENCH_DURATION=S         seconds per run instead
. "$(dirname "$0")/lib.sh"
bn_require_root

if [ "$QUICK" = 1 ]; then sizes="1000 5000" dur=10; else sizes="1000 5000 10000 20000" dur=30; fi
sizes=${BENCH_ICMP_SIZES:-$sizes}
dur=${BENCH_DURATION:-$dur}
# every process is stopped after this long, whatever happens
limit=$((dur + 20))

have_fping=0 have_collectd=0
bn_tool fping fping && have_fping=1
if bn_tool collectd collectd-core liboping0; then
	# the ping plugin needs liboping, which collectd-core only suggests
	dpkg -s liboping0 >/dev/null 2>&1 || bn_pkgs liboping0
	[ -e /usr/lib/collectd/ping.so ] && dpkg -s liboping0 >/dev/null 2>&1 && have_collectd=1
fi

tb_chain a 1 1 || bn_die "tb_chain failed"
tb_many d1 4 >/dev/null || bn_die "tb_many failed"
NS=$(tb_ns src)
PORT=8125

# hopwatchd: the whole budget of a round (count 1, timeout 900 ms) inside
# the 1 s interval; max_pps 0 lifts the default cap of 10,000 requests a
# second, which 20,000 targets at 1 s would exceed.  The default mode
# (auto) uses ping sockets, as an unprivileged install would.
hw_conf() {
	cat <<-EOF
	interval = "1s";
	timeout = "900ms";
	statsd = { url = "udp://127.0.0.1:$PORT"; telemetry_interval = "5s"; };
	log = { level = "warning"; };
	probes = ( { name = "scale"; plugin = "icmp"; count = 1; max_pps = 0;
	  targets = ( $(sed 's/.*/"&"/' "$1" | paste -sd, -) ); } );
	EOF
}

# collectd: the ping plugin pings every host once a second (its Interval),
# waits up to 0.9 s for the replies, and reports ping_droprate per host
# every second (global Interval); write_graphite sends it as UDP lines to
# the same kind of sink hopwatchd gets.
collectd_conf() {
	cat <<-EOF
	Hostname "bench"
	FQDNLookup false
	Interval 1
	BaseDir "$WORK/collectd"
	PIDFile "$WORK/collectd.pid"
	PluginDir "/usr/lib/collectd"
	TypesDB "/usr/share/collectd/types.db"
	LoadPlugin logfile
	<Plugin logfile>
	  LogLevel "warning"
	  File STDERR
	</Plugin>
	LoadPlugin ping
	LoadPlugin write_graphite
	<Plugin ping>
	$(sed 's/.*/  Host "&"/' "$1")
	  Interval 1.0
	  Timeout 0.9
	  MaxMissed -1
	</Plugin>
	<Plugin write_graphite>
	  <Node "sink">
	    Host "127.0.0.1"
	    Port "$PORT"
	    Protocol "udp"
	    Prefix "collectd."
	    EscapeCharacter "_"
	  </Node>
	</Plugin>
	EOF
}

# fping's -i (the gap between any two sends) is set so that N targets fit
# in 80% of the 1 s period: -p 1000 is then really kept per target.
fping_interval() {
	awk -v n="$1" 'BEGIN { i = 800 / n; if (i > 10) i = 10; printf "%.3f", i }'
}

# run_fping N PROCS: fping on the N targets, split over PROCS processes
# run at once (their CPU adds up; peak RSS is the largest one's); one row
run_fping() {
	local n=$1 procs=$2 iv label=fping xmt rcv fpps floss err rcpu rrss
	iv=$(fping_interval $(((n + procs - 1) / procs)))
	rm -f "$WORK"/chunk.*
	split -n "l/$procs" -d "$WORK/targets.$n" "$WORK/chunk."
	[ "$procs" -gt 1 ] && label="fping, $procs processes"
	bn_log "icmp: $n targets: $label -c $dur -p 1000 -i $iv"
	# shellcheck disable=SC2016
	bn_run "$NS" "$limit" INT "fping.$n.$procs" sh -c 'd=$1 iv=$2; shift 2
		for f; do fping -q -c "$d" -p 1000 -i "$iv" -t 900 -f "$f" 2>"$f.err" & done; wait' \
		_ "$dur" "$iv" "$WORK"/chunk.[0-9]*
	# "ADDR : xmt/rcv/%loss = 30/30/0%, min/avg/max = ..."
	cat "$WORK"/chunk.*.err >"$WORK/fping.$n.$procs.err"
	read -r xmt rcv < <(awk -F'[=/,]' '/xmt\/rcv/ { x += $4; r += $5 } END { print x + 0, r + 0 }' \
		"$WORK/fping.$n.$procs.err")
	fpps=$(awk -v x="$xmt" -v w="$BN_WALL" -v d="$dur" 'BEGIN { t = w - 0.9; if (t < d) t = d; print x / t }')
	floss=$(awk -v s="$xmt" -v r="$rcv" 'BEGIN { if (s > 0) printf "%.3f", 100 * (s - r) / s; else print "n/a" }')
	err=$(grep -v 'xmt/rcv' "$WORK/fping.$n.$procs.err" | sort | uniq -c | sort -rn | head -n 1 |
		sed 's/^ *[0-9]* //' | cut -c1-140)
	rcpu=$(bn_ratio "$hw_cpu" "$BN_CPU") rrss=$(bn_ratio "$hw_rss" "$BN_RSS")
	# a run that did not do the work has nothing to compare with
	if [ -n "$err" ] && [ "$xmt" = 0 ]; then label="$label (aborted)" rcpu=- rrss=-; fi
	[ "$BN_STOPPED" = 1 ] && label="$label (stopped)"
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | - | %s | %s |\n' "$n" "$label" "$BN_WALL" \
		"$BN_CPU" "$(bn_fmt %.0f "$(bn_calc "100 * $BN_CPU / $BN_WALL")")" "$BN_RSS" \
		"$(bn_fmt %.0f "$fpps")" "$floss" "$rcpu" "$rrss" >>"$rows"
	echo "- $n targets, $label: $xmt requests sent, $rcv replies.${err:+ fping said: \`$err\`}" >>"$notes"
}

rows=$WORK/rows
: >"$rows"
notes=$WORK/notes
: >"$notes"
mkdir -p "$WORK/collectd"

for n in $sizes; do
	bn_addrs "$n" >"$WORK/targets.$n"

	# --- hopwatchd
	bn_log "icmp: $n targets: hopwatchd, $dur s"
	hw_conf "$WORK/targets.$n" >"$WORK/hw.$n.conf"
	bn_sink_start "$NS" $PORT "hw.$n"
	bn_run "$NS" "$dur" TERM "hw.$n" "$HOPWATCHD" -c "$WORK/hw.$n.conf" -P "$PLUGIN_DIR"
	bn_sink_stop
	sum=$WORK/hw.$n.sum
	# count 1: a round is one request, its icmp.can_reach OK when answered
	sent=$(awk '$1 == "metric" && $2 ~ /^_sc\|hopwatch\.icmp\.can_reach\|/ { c += $3 } END { print c + 0 }' "$sum")
	recv=$(awk '$1 == "metric" && $2 == "_sc|hopwatch.icmp.can_reach|0" { c += $3 } END { print c + 0 }' "$sum")
	hw_cpu=$BN_CPU hw_rss=$BN_RSS
	# over the whole run, start-up (reading N targets) included
	pps=$(bn_calc "$sent / $BN_WALL")
	loss=$(awk -v s="$sent" -v r="$recv" 'BEGIN { if (s > 0) printf "%.3f", 100 * (s - r) / s; else print "n/a" }')
	lps=$(bn_calc "$(bn_stat "$sum" lines) / $BN_WALL")
	printf '| %s | hopwatchd | %s | %s | %s | %s | %s | %s | %s | | |\n' "$n" "$BN_WALL" "$BN_CPU" \
		"$(bn_fmt %.0f "$(bn_calc "100 * $BN_CPU / $BN_WALL")")" "$BN_RSS" "$(bn_fmt %.0f "$pps")" \
		"$loss" "$(bn_fmt %.0f "$lps")" >>"$rows"
	echo "- $n targets, hopwatchd: $(bn_stat "$sum" lines) DogStatsD lines in $(bn_stat "$sum" datagrams) datagrams ($(bn_fmt %.1f "$(bn_calc "$(bn_stat "$sum" lines) / ($(bn_stat "$sum" datagrams) + 1e-9)")") lines a datagram); dropped by hopwatchd: $(bn_sum "$sum" hopwatch.statsd.packets_dropped) datagrams, by the sink's socket: $(bn_stat "$sum" rcvbuf_drops); overruns: $(bn_sum "$sum" hopwatch.probe.overruns), late replies: $(bn_sum "$sum" hopwatch.icmp.late), throttled: $(bn_sum "$sum" hopwatch.icmp.throttled)." >>"$notes"
	grep -v '^$' "$WORK/hw.$n.err" | head -n 3 | sed "s/^/  - hopwatchd said: /" >>"$notes"

	# --- fping: one process; and where one process cannot, as many
	# processes of at most 5,000 targets as it takes, as a user would
	if [ $have_fping = 1 ]; then
		run_fping "$n" 1
		[ "$n" -gt 5000 ] && run_fping "$n" $(((n + 4999) / 5000))
	else
		printf '| %s | fping | n/a (package missing) | | | | | | | | |\n' "$n" >>"$rows"
	fi

	# --- collectd ping
	if [ $have_collectd = 1 ]; then
		bn_log "icmp: $n targets: collectd ping, $dur s"
		collectd_conf "$WORK/targets.$n" >"$WORK/collectd.$n.conf"
		bn_sink_start "$NS" $PORT "cd.$n"
		bn_run "$NS" "$dur" TERM "cd.$n" collectd -f -C "$WORK/collectd.$n.conf"
		bn_sink_stop
		sum=$WORK/cd.$n.sum
		readings=$(bn_sum "$sum" ping_droprate 3)
		# mean droprate over every (host, second) reading, in percent
		closs=$(awk -v s="$(bn_sum "$sum" ping_droprate)" -v c="$(bn_sum "$sum" ping_droprate 4)" \
			'BEGIN { if (c > 0) printf "%.3f", 100 * s / c; else print "n/a" }')
		cpps=$(bn_calc "$readings / $BN_WALL")
		printf '| %s | collectd ping | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$BN_WALL" \
			"$BN_CPU" "$(bn_fmt %.0f "$(bn_calc "100 * $BN_CPU / $BN_WALL")")" "$BN_RSS" \
			"$(bn_fmt %.0f "$cpps")" "$closs" "$(bn_fmt %.0f "$(bn_calc "$(bn_stat "$sum" lines) / $BN_WALL")")" \
			"$(bn_ratio "$hw_cpu" "$BN_CPU")" "$(bn_ratio "$hw_rss" "$BN_RSS")" >>"$rows"
		echo "- $n targets, collectd: $readings ping_droprate readings (host x second) in $dur s; sink socket drops: $(bn_stat "$sum" rcvbuf_drops)." >>"$notes"
		grep -v '^$' "$WORK/cd.$n.err" | grep -i 'error\|warn\|fail' |
			sort | uniq -c | sort -rn | head -n 3 | sed "s/^ */  - collectd said (times): /" >>"$notes"
	else
		printf '| %s | collectd ping | n/a (package missing) | | | | | | | | |\n' "$n" >>"$rows"
	fi
done

cat <<EOF
### (a) ICMP at scale: one echo request per target per second, $dur s

Lossless path (src - r1 - d1; d1 answers the whole 172.17.0.0/16), so every
loss is false. Tools run one at a time on the same targets.

| targets | tool | wall s | CPU s | core % | peak RSS MiB | probes/s | false loss % | metric lines/s out | CPU hw/peer | RSS hw/peer |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
$(cat "$rows")

Settings: hopwatchd icmp \`interval 1s, timeout 900ms, count 1, max_pps 0\`, mode auto
(ping sockets), DogStatsD to a UDP sink; fping \`-q -c $dur -p 1000 -i 800/N ms -t 900\`
(N targets fit in 80% of the period); collectd \`ping\` plugin (liboping) \`Interval 1.0,
Timeout 0.9\`, global \`Interval 1\`, \`write_graphite\` over UDP to the same kind of sink.

$(cat "$notes")
EOF
