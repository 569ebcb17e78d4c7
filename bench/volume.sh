#!/bin/bash
# bench/volume.sh: scenario (h), what the agent receives (issue 16).  N icmp
# targets at 1 Hz (count 1, the default metrics), D seconds, hopwatchd
# "before" (BENCH_BEFORE_REV, built here from git) and "after" (this tree)
# side by side in one run, on the lossless path of scenario (a), each
# sending to bench/dsd-sum on 127.0.0.1 (an agent on the same host, the
# usual install).  Prints a markdown section on stdout, progress on stderr.
#
#   BENCH_QUICK=1             sizes 1000 10000, 10 s each (default 1000
#                             10000 20000, 20 s each)
#   BENCH_VOLUME_SIZES="..."  sizes to run instead
#   BENCH_DURATION=S          seconds per run instead
#   BENCH_BEFORE_REV=REV      the "before" commit (default 714083a: main
#                             before issue 16's parts 1-3 and 5)
. "$(dirname "$0")/lib.sh"
bn_require_root

if [ "$QUICK" = 1 ]; then sizes="1000 10000" dur=10; else sizes="1000 10000 20000" dur=20; fi
sizes=${BENCH_VOLUME_SIZES:-$sizes}
dur=${BENCH_DURATION:-$dur}
before_rev=${BENCH_BEFORE_REV:-714083a}
PORT=8125

# --- the "before" build: the daemon and the icmp plugin of that commit
bn_log "volume: building hopwatchd at $before_rev"
mkdir -p "$WORK/before"
git -C "$SRCDIR" archive "$before_rev" | tar -x -C "$WORK/before" ||
	bn_die "git archive $before_rev failed"
nice make -s -C "$WORK/before" -j2 src/hopwatchd plugins/icmp.so >"$WORK/before.build" 2>&1 ||
	bn_die "building $before_rev failed: $(tail -n 3 "$WORK/before.build")"

tb_chain a 1 1 || bn_die "tb_chain failed"
tb_many d1 4 >/dev/null || bn_die "tb_many failed"
NS=$(tb_ns src)

# the agent over a 1500-MTU link: dsd-sum in r1, on its address
REMOTE=$(tb_addr r1) || bn_die "no address for r1"
NS_R1=$(tb_ns r1)

# hw_conf TARGETS [SINK]: the configuration of scenario (a), the defaults
# but count 1 and max_pps 0, sending to SINK (127.0.0.1 by default)
hw_conf() {
	cat <<-EOF
	interval = "1s";
	timeout = "900ms";
	statsd = { url = "udp://${2:-127.0.0.1}:$PORT"; telemetry_interval = "5s"; };
	log = { level = "warning"; };
	probes = ( { name = "scale"; plugin = "icmp"; count = 1; max_pps = 0;
	  targets = ( $(sed 's/.*/"&"/' "$1" | paste -sd, -) ); } );
	EOF
}

# rounds FILE: target-rounds in a dsd-sum summary (one icmp.can_reach each)
rounds() {
	awk '$1 == "metric" && $2 ~ /^_sc\|hopwatch\.icmp\.can_reach\|/ { r += $3 } END { print r + 0 }' "$1"
}

# contexts VERSION DIR: metric contexts (name, type and tags) per target,
# from 1000 targets for 4 s through the strict receiver t/tools/dsd-recv
contexts() {
	local v=$1 dir=$2 n=1000
	hw_conf "$WORK/targets.$n" >"$WORK/ctx.$v.conf"
	ip netns exec "$NS" "$TOOLS/dsd-recv" -u "127.0.0.1:$PORT" -t 30 -o "$WORK/ctx.$v.out" \
		-r "$WORK/ctx.$v.ready" 2>"$WORK/ctx.$v.recv" &
	local rpid=$! i
	for i in $(seq 1 50); do [ -e "$WORK/ctx.$v.ready" ] && break; sleep 0.1; done
	bn_run "$NS" 4 TERM "ctx.$v" "$dir/src/hopwatchd" -c "$WORK/ctx.$v.conf" -P "$dir/plugins"
	sleep 0.3
	kill -TERM "$rpid" 2>/dev/null
	wait "$rpid"
	CTX_INVALID=$(grep -c '^INVALID' "$WORK/ctx.$v.out")
	# a context: a metric line's name, type and tags (values left out);
	# the ones about a target carry target:
	CTX=$(awk -F'|' -v n=$n '!/^(#|_sc|_e|INVALID)/ && /[#,]target:/ {
		sub(/:[^:]*$/, "", $1); sub(/:.*/, "", $1); k = $1 "|" $2 "|" $3
		if (!(k in seen)) { seen[k] = 1; c++ } } END { printf "%.2f\n", c / n }' "$WORK/ctx.$v.out")
	CTX_NAMES=$(awk -F'|' '!/^(#|_sc|_e|INVALID)/ && /[#,]target:/ { sub(/:.*/, "", $1); print $1 }' \
		"$WORK/ctx.$v.out" | sort -u | sed 's/^hopwatch\.//' | paste -sd' ' -)
}

rows=$WORK/rows
: >"$rows"
notes=$WORK/notes
: >"$notes"
bn_addrs 1000 >"$WORK/targets.1000"
for v in before after; do
	dir=$SRCDIR
	[ $v = before ] && dir=$WORK/before
	bn_log "volume: contexts, $v"
	contexts $v "$dir"
	eval "ctx_$v=\$CTX"
	echo "- contexts per target, $v: $CTX ($CTX_NAMES); lines the strict receiver refused: $CTX_INVALID." >>"$notes"
done

for n in $sizes; do
	bn_addrs "$n" >"$WORK/targets.$n"
	hw_conf "$WORK/targets.$n" >"$WORK/hw.$n.conf"
	hw_conf "$WORK/targets.$n" "$REMOTE" >"$WORK/hw.$n.remote.conf"
	for v in before after "after, agent over a 1500-MTU link"; do
		dir=$SRCDIR conf=$WORK/hw.$n.conf sns=$NS BN_SINK_ADDR= tag=${v%%,*}
		[ "$v" = before ] && dir=$WORK/before
		case $v in *link) conf=$WORK/hw.$n.remote.conf sns=$NS_R1 BN_SINK_ADDR=$REMOTE tag=remote ;; esac
		bn_log "volume: $n targets, $v, $dur s"
		bn_sink_start "$sns" $PORT "$tag.$n"
		bn_run "$NS" "$dur" TERM "$tag.$n" "$dir/src/hopwatchd" -c "$conf" -P "$dir/plugins"
		bn_sink_stop
		sum=$WORK/$tag.$n.sum
		r=$(rounds "$sum") lines=$(bn_stat "$sum" lines) dg=$(bn_stat "$sum" datagrams)
		bytes=$(bn_stat "$sum" bytes) rcpu=$(bn_stat "$sum" cpu_s)
		eval "ctx=\$ctx_${v%%,*}"
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$v" \
			"$(bn_fmt %.2f "$(bn_calc "$lines / ($r + 1e-9)")")" \
			"$(bn_fmt %.1f "$(bn_calc "$lines / ($dg + 1e-9)")")" \
			"$(bn_fmt %.0f "$(bn_calc "$bytes / ($dg + 1e-9)")")" \
			"$(bn_fmt %.0f "$(bn_calc "$dg / $BN_WALL")")" \
			"$(bn_fmt %.0f "$(bn_calc "$lines / $BN_WALL")")" \
			"$(bn_fmt %.2f "$(bn_calc "1e6 * $BN_CPU / ($r + 1e-9)")")" \
			"$ctx" \
			"$(bn_fmt %.0f "$(bn_calc "1e9 * $rcpu / ($lines + 1e-9)")")" \
			"$(bn_fmt %.0f "$(bn_calc "1e9 * $rcpu / ($r + 1e-9)")")" >>"$rows"
		echo "- $n targets, $v: $r target-rounds (probes) in $BN_WALL s, $lines lines in $dg datagrams, hopwatchd CPU $BN_CPU s, receiver CPU $rcpu s; dropped by hopwatchd: $(bn_sum "$sum" hopwatch.statsd.packets_dropped) datagrams, by the receiver's socket: $(bn_stat "$sum" rcvbuf_drops); overruns: $(bn_sum "$sum" hopwatch.probe.overruns)." >>"$notes"
		grep -v '^$' "$WORK/$tag.$n.err" | head -n 3 | sed "s/^/  - hopwatchd said: /" >>"$notes"
	done
done

cat <<EOF
### (h) What the agent receives: icmp at 1 Hz, before and after issue 16

N targets on the lossless path of (a), \`count 1\`, default metrics, one
run of $dur s per row, "before" ($before_rev, built by the scenario) and
"after" ($(git -C "$SRCDIR" describe --always --dirty 2>/dev/null)) one after the other on
the same targets; DogStatsD over UDP to bench/dsd-sum on 127.0.0.1 (route
MTU 65536: "after" sends datagrams of up to 8192 bytes, "before" 1432),
and "after" once more to dsd-sum in r1 over the 1500-byte veth link
(route MTU 1500: datagrams of up to 1432 bytes, as to a remote agent).
A target-round is one echo request here (one icmp.can_reach each).
hopwatchd CPU per probe is user + system over the whole run, start-up
included. Contexts per target: distinct metric name, type and tags of
the lines about a target, 1000 targets for 4 s through the strict
t/tools/dsd-recv. Receiver CPU is dsd-sum's (recvmmsg, split lines, hash
the name, sum the values): the agent-side cost that scales with lines.

| targets | version | lines/target-round | lines/datagram | bytes/datagram | datagrams/s | lines/s | hopwatchd CPU us/probe | metric contexts/target | receiver CPU ns/line | receiver CPU ns/target-round |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
$(cat "$rows")

$(cat "$notes")
EOF
