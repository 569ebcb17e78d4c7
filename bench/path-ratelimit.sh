#!/bin/bash
# bench/path-ratelimit.sh: scenario (e), paths through rate-limiting
# routers (issue 13).  src - r1..r4 - d1, d1 answering a /16; every trace
# shares the first hops.  Routers keep the kernel's ICMP limits (testbed
# profile linux), then police time exceeded like vendor routers (strict:
# 10/s, burst 10).  For N targets (BENCH_RL_SIZES, default "5 20 50";
# quick "5 20") each tool traces for BENCH_RL_DURATION s (30) and the
# table gives traces per minute and whether the truth bars hold:
#   every trace reaches the destination, and the mean loss shown at the
#   intermediate hops 1..4 is at most 1 % (the network is lossless, so
#   anything above is false loss from rate limits).
# Tools: hopwatchd (path plugin, icmp dgram, a round every 1 s, 3
# queries), mtr (one --report process per target, all at once, 1 cycle a
# second, ICMP), scamper (one process, icmp-paris, 3 queries, passes over
# the targets until the time is up).  Then hopwatchd over udp, whose
# destination (every target is an address of d1) answers with port
# unreachables it rate-limits like the routers: its own table.  Markdown
# on stdout.
. "$(dirname "$0")/lib.sh"
bn_require_root

if [ "$QUICK" = 1 ]; then sizes="5 20"; else sizes="5 20 50"; fi
sizes=${BENCH_RL_SIZES:-$sizes}
dur=${BENCH_RL_DURATION:-30}
nhops=4

tb_chain q $nhops 1 || bn_die "tb_chain failed"
tb_many d1 4 >/dev/null || bn_die "tb_many failed"
NS=$(tb_ns src)
rows=$WORK/rows udprows=$WORK/udprows
: >"$rows"
: >"$udprows"

# verdict REACHED_PCT HOPLOSS: "yes" when the truth bars hold
verdict() {
	awk -v r="$1" -v l="$2" 'BEGIN { print (r != "n/a" && l != "n/a" && r >= 100 && l <= 1) ? "yes" : "no" }'
}
row() { # PROFILE N TOOL SETTINGS TRACES/MIN REACHED% HOPLOSS
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" \
		"$(verdict "$6" "$7")" >>"$rows"
}

# hopwatchd N PROTOCOL: lines of a $dur s run in $WORK/hw.lines
run_hopwatchd() {
	local n=$1 conf=$WORK/hw.conf
	cat >"$conf" <<-EOF
	interval = "1s";
	timeout = "400ms";
	statsd = { url = "udp://127.0.0.1:8125"; telemetry_interval = 0; };
	log = { level = "warning"; };
	probes = ( { name = "rl"; plugin = "path"; protocol = "$2"; mode = "dgram"; max_ttl = 8;
	  queries = 3; metrics_add = [ "reachable" ];
	  targets = ( $(head -n "$n" "$WORK/targets" | sed 's/.*/"&"/' | paste -sd, -) ); } );
	EOF
	chmod 644 "$conf"
	rm -f "$WORK/ready" "$WORK/hw.lines"
	ip netns exec "$NS" "$TOOLS/dsd-recv" -u 127.0.0.1:8125 -o "$WORK/hw.lines" -t $((dur + 15)) \
		-r "$WORK/ready" &
	local recv=$!
	for _ in $(seq 1 50); do [ -e "$WORK/ready" ] && break; sleep 0.1; done
	bn_run "$NS" $((dur + 10)) TERM hwrl timeout --foreground -s TERM "$dur" "$HOPWATCHD" -c "$conf" -P "$PLUGIN_DIR"
	sleep 0.3
	kill "$recv" 2>/dev/null
	wait "$recv" 2>/dev/null
}

bn_addrs 50 >"$WORK/targets"
for prof in linux strict; do
	tb_icmp_profile all $prof || bn_die "tb_icmp_profile failed"
	for n in $sizes; do
		bn_log "path-ratelimit: $prof, $n targets: hopwatchd"
		sleep 2 # let the routers' buckets fill again
		if [ -e "$PLUGIN_DIR/path.so" ]; then
			run_hopwatchd "$n" icmp
			f=$WORK/hw.lines
			traces=$(grep -c '^hopwatch\.path\.hops:' "$f")
			reached=$(awk '/^hopwatch\.path\.reachable:/ { split($0, a, /[:|]/); s += a[2]; c++ }
				END { if (c) printf "%.0f", 100 * s / c; else print "n/a" }' "$f")
			hloss=$(awk -v k=$nhops '/^hopwatch\.path\.hop\.loss:/ {
				match($0, /,hop:[0-9]+/); h = substr($0, RSTART + 5, RLENGTH - 5) + 0
				if (h <= k) { split($0, a, /[:|]/); s += a[2]; c++ } }
				END { if (c) printf "%.1f", s / c; else print "n/a" }' "$f")
			row $prof "$n" hopwatchd "path icmp dgram, every 1 s, timeout 400 ms, 3 queries" \
				"$(bn_calc "$traces * 60 / $dur" | awk '{ printf "%.0f", $1 }')" "$reached" "$hloss"
		fi
		if bn_tool mtr mtr-tiny; then
			bn_log "path-ratelimit: $prof, $n targets: mtr"
			sleep 2
			# shellcheck disable=SC2016
			bn_run "$NS" $((dur + 30)) TERM mtrrl sh -c \
				'head -n "$1" "$2" | xargs -P "$1" -n 1 mtr --report -n -c "$3" -i 1 | cat' \
				_ "$n" "$WORK/targets" "$dur"
			f=$WORK/mtrrl.out
			# "  1.|-- 10.0.0.2  0.0%  30 ..."; the destination is 172.17.x.y
			reached=$(awk -v n="$n" '$1 ~ /^[0-9]+\.\|--$/ && $2 ~ /^172\.17\./ && $3 + 0 < 100 { r++ }
				END { printf "%.0f", 100 * r / n }' "$f")
			hloss=$(awk -v k=$nhops '$1 ~ /^[0-9]+\.\|--$/ && $1 + 0 <= k { s += $3 + 0; c++ }
				END { if (c) printf "%.1f", s / c; else print "n/a" }' "$f")
			row $prof "$n" mtr "\`mtr --report -n -c $dur -i 1\` per target, all at once (1 cycle/s)" \
				"$(bn_calc "$n * $dur * 60 / $BN_WALL" | awk '{ printf "%.0f", $1 }')" "$reached" "$hloss"
		fi
		if bn_tool scamper scamper; then
			bn_log "path-ratelimit: $prof, $n targets: scamper"
			sleep 2
			head -n "$n" "$WORK/targets" >"$WORK/sc.targets"
			# shellcheck disable=SC2016
			bn_run "$NS" $((dur + 30)) TERM scrl sh -c \
				'end=$(($(date +%s) + $2)); while [ $(date +%s) -lt $end ]; do
					scamper -O text -p 1000 -c "trace -P icmp-paris -q 3 -w 1" -f "$1"; done' \
				_ "$WORK/sc.targets" "$dur"
			f=$WORK/scrl.out
			traces=$(grep -c '^traceroute' "$f")
			# per trace: reached when a hop line shows a 172.17 address
			reached=$(awk '/^traceroute/ { t++ } $1 ~ /^[0-9]+$/ && $2 ~ /^172\.17\./ { r++ }
				END { if (t) printf "%.0f", 100 * r / t; else print "n/a" }' "$f")
			hloss=$(awk -v k=$nhops '$1 ~ /^[0-9]+$/ && $1 <= k { for (i = 2; i <= NF; i++) {
					if ($i == "*") s++; if ($i == "ms") o++ } }
				END { if (s + o) printf "%.1f", 100 * s / (s + o); else print "n/a" }' "$f")
			row $prof "$n" scamper "\`scamper -p 1000 -c \"trace -P icmp-paris -q 3 -w 1\"\`, passes for $dur s" \
				"$(bn_calc "$traces * 60 / $BN_WALL" | awk '{ printf "%.0f", $1 }')" "$reached" "$hloss"
		fi
		if [ -e "$PLUGIN_DIR/path.so" ]; then
			bn_log "path-ratelimit: $prof, $n targets: hopwatchd udp"
			sleep 6 # d1's bucket too
			run_hopwatchd "$n" udp
			f=$WORK/hw.lines
			# mean of the values of metric $1 (n/a: none)
			mean() { awk -v m="hopwatch.$1:" 'index($0, m) == 1 { split($0, a, /[:|]/); s += a[2]; c++ }
				END { if (c) printf "%.1f", s / c; else print "n/a" }' "$f"; }
			traces=$(grep -c '^hopwatch\.path\.hops:' "$f")
			measured=$(grep -c '^hopwatch\.path\.loss:' "$f")
			hloss=$(awk -v k=$nhops '/^hopwatch\.path\.hop\.loss:/ {
				match($0, /,hop:[0-9]+/); h = substr($0, RSTART + 5, RLENGTH - 5) + 0
				if (h <= k) { split($0, a, /[:|]/); s += a[2]; c++ } }
				END { if (c) printf "%.1f", s / c; else print "n/a" }' "$f")
			printf '| %s | %s | %s | %s | %s | %s | %s |\n' $prof "$n" \
				"$(bn_calc "$traces * 60 / $dur" | awk '{ printf "%.0f", $1 }')" \
				"$(awk -v m="$measured" -v t="$traces" 'BEGIN { if (t) printf "%.0f", 100 * m / t; else print "n/a" }')" \
				"$(mean path.reachable | awk '{ print $1 == "n/a" ? $1 : $1 * 100 }')" "$(mean path.loss)" "$hloss" >>"$udprows"
		fi
	done
done

# best: per profile and tool, the most traces/min of a row where the bars
# hold ("none" when no size held them)
best() {
	awk -F' *[|] *' '{ k = $2 "|" $4; if (!(k in b)) { b[k] = "none"; o[++n] = k }
		if ($9 == "yes" && (b[k] == "none" || $6 + 0 > b[k] + 0)) { b[k] = $6; t[k] = $3 } }
		END { for (i = 1; i <= n; i++) { split(o[i], a, "|")
			printf "- %s, %s: %s\n", a[1], a[2], b[o[i]] == "none" ? \
				"the bars hold at no size tried" : b[o[i]] " traces/min with the bars holding (" t[o[i]] " targets)" } }' "$1"
}

cat <<EOF
### (e) Paths through rate-limiting routers: $nhops routers shared by every target, $dur s per run

Lossless network; routers with the kernel's ICMP limits (linux: per source
about 1/s after a burst of 6) or vendor-like policing of time exceeded
(strict: 10/s, burst 10, for the whole router). "traces/min" counts the
traces each tool finished per minute (mtr: one cycle over every hop of one
target). "hop loss %" is the mean loss shown at hops 1..$nhops; any of it is
false. The bars hold when every trace reached and hop loss is at most 1 %.

| profile | targets | tool | settings | traces/min | reached % | hop loss % | bars hold |
|---|---:|---|---|---:|---:|---:|---|
$(cat "$rows")

Most traces per minute with the bars holding:

$(best "$rows")

hopwatchd over udp, same targets (every one an address of d1), path udp
dgram, every 1 s, timeout 400 ms, 3 queries. d1 answers with port
unreachables, which it rate-limits per source (linux: 6, then 1 a second,
for all its addresses together). "end measured %" is the share of rounds
that had a token of the destination's budget (the others send no
path.loss, path.rtt nor path.can_reach); "reached %" and "destination
loss %" are over those rounds, and any destination loss is false.

| profile | targets | traces/min | end measured % | reached % | destination loss % | hop loss % |
|---|---:|---:|---:|---:|---:|---:|
$(cat "$udprows")
EOF
