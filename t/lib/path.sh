# t/lib/path.sh: helpers of the t60xx path plugin tests, sourced after
# test-lib.sh and testbed.sh once a topology exists.  They expect
# STATSD_PORT (the receiver's port in src).
# hw_run writes the received lines to `out` and the daemon's log to `log`
# in the test's directory; traces, values and the checks read `out`.

# write_conf FILE INTERVAL TIMEOUT PROBES: the probes list, as written
write_conf() {
	cat >"$1" <<-EOF
	interval = "$2";
	timeout = "$3";
	statsd = { url = "udp://127.0.0.1:$STATSD_PORT"; telemetry_interval = 0; };
	probes = ( $4 );
	EOF
	chmod 644 "$1"
}

# probe NAME PROTOCOL MODE TARGETS [MORE SETTINGS]: one path probe
# instance (max_ttl 10 unless the settings say); with hop_ip tags and
# path.reachable (both off by default), which traces and the checks read
probe() {
	local mt="max_ttl = 10;"
	case ${5:-} in *max_ttl*) mt= ;; esac
	echo "{ name = \"$1\"; plugin = \"path\"; protocol = \"$2\"; mode = \"$3\"; $mt tag_hop_ip = true;" \
		"metrics_add = [ \"reachable\" ]; ${5:-} targets = ( $4 ); }"
}

# hw_run CONF SECONDS [nobody]: run_hopwatchd (test-lib.sh) in "$(tb_ns src)",
# at least 6 s after the last one stopped: the routers' and the
# destination's ICMP buckets for our addresses (Linux: a burst of 6,
# refilled at 1/s), which the last daemon emptied, are full again, and
# each run meets a network nobody probed a moment ago (t6110 restarts a
# daemon at once)
hw_run() {
	local rc=0 last
	last=$(cat "$TRASH/.hw_stopped" 2>/dev/null || echo 0)
	awk -v l="$last" -v n="$(date +%s.%N)" 'BEGIN { w = l + 6 - n; if (w > 0 && w <= 6) system("sleep " w) }'
	run_hopwatchd "$(tb_ns src)" "$@" || rc=$?
	date +%s.%N >"$TRASH/.hw_stopped"
	return $rc
}

# targets N: the first N addresses of d1's /16 (tb_many d1), as a libconfig list
targets() {
	local i s=
	for i in $(seq 1 "$1"); do s="$s${s:+, }\"$(tb_many_addr d1 "$i")\""; done
	echo "$s"
}

# The figures of a run saved as out.NAME (cp out out.NAME)
# hop_stat NAME METRIC HOP: "mean count" of METRIC at TTL HOP, all targets
# and rounds of run NAME
hop_stat() {
	awk -v m="hopwatch.$2:" -v h=",hop:$3," 'index($0, m) == 1 && index($0, h) {
		split($0, a, /[:|]/); s += a[2]; n++ }
		END { if (n) printf "%.2f %d\n", s / n, n; else print "none 0" }' "out.$1"
}
# trace_stat NAME METRIC: "mean count" of a per-trace METRIC of run NAME
trace_stat() {
	awk -v m="hopwatch.$2:" 'index($0, m) == 1 { split($0, a, /[:|]/); s += a[2]; n++ }
		END { if (n) printf "%.2f %d\n", s / n, n; else print "none 0" }' "out.$1"
}
# in_range "MEAN COUNT" LOW HIGH [MIN_COUNT]: MEAN within [LOW, HIGH] over
# at least MIN_COUNT values (1)
in_range() {
	echo "got $1, want $2 .. $3 over >= ${4:-1} values"
	set -- $1 "$2" "$3" "${4:-1}"
	awk -v g="$1" -v c="$2" -v l="$3" -v h="$4" -v mc="$5" \
		'BEGIN { exit !(g != "none" && c >= mc && g >= l && g <= h) }'
}
# hops_loss_in NAME LOW HIGH MIN_COUNT HOP...: the mean path.hop.loss of
# every HOP within [LOW, HIGH] over at least MIN_COUNT values; prints every
# hop's figure, also after a miss
hops_loss_in() {
	local name=$1 lo=$2 hi=$3 mc=$4 h rc=0
	shift 4
	for h in "$@"; do
		printf 'hop %s: ' "$h"
		in_range "$(hop_stat "$name" path.hop.loss "$h")" "$lo" "$hi" "$mc" || rc=1
	done
	return $rc
}

# traces PROBE TARGET: one line per finished trace of TARGET by PROBE: the
# hop addresses by TTL ("*": unknown, "?": no line of the hop at all), from
# its per-hop lines (hop.loss; hop.rtt for a hop whose address and RTT are
# known without a loss value yet), up to its path.hops line.  A round with
# no path.loss line (its lines end at the next round's first line) did not
# measure the end of its path (out of the end's ICMP budget: a udp
# destination answers about 1/s): its last hop, which has no figure, reads
# "="; when that round never knew where its end is (its last hop has
# figures: the first rounds of many flows to one udp destination at once),
# "=" follows it
traces() {
	awk -v tgt="#probe:$1,target:$2," '
		function flush(   i, line) {
			if (!pending) return
			line = ""
			for (i = 1; i <= n; i++)
				line = line (i > 1 ? " " : "") (i in h ? h[i] : (i == n && !measured ? "=" : "?"))
			if (!measured && n in h)
				line = line " ="
			print line
			delete h
			pending = 0
		}
		index($0, tgt) == 0 { next }
		/^hopwatch\.path\.hop\.(loss|rtt):/ {
			flush()
			match($0, /,hop:[0-9]+,hop_ip:[^,|]*/)
			split(substr($0, RSTART + 5, RLENGTH - 5), a, ",hop_ip:")
			h[a[1]] = a[2] == "unknown" ? "*" : a[2]
			next
		}
		/^hopwatch\.path\.hops:/ {
			flush()
			split($0, b, /[:|]/)
			n = b[2]
			pending = 1
			measured = 0
			next
		}
		/^hopwatch\.path\.loss:/ { measured = 1 }
		END { flush() }' out
}
# values METRIC PROBE TARGET: the values of METRIC for that probe and target
values() {
	awk -v tgt="#probe:$2,target:$3," -v m="hopwatch.$1:" \
		'index($0, tgt) && index($0, m) == 1 { split($0, a, /[:|]/); print a[2] }' out
}
# want DEST [4|6]: tb_hops on one line
want() { tb_hops "$@" | paste -sd' ' -; }
# may_learn TTL: the WANT on stdin with "?" allowed at TTL too: a flow still
# learning its ECMP branch router there (a branch is never borrowed from
# other flows, and a router tells 12 flows asking at once 6, then 1/s)
may_learn() { awk -v t="$1" '{ $t = $t "|?" } 1'; }
# learned_once FILE TTL: "?" at TTL only before the first trace that knew it
learned_once() { awk -v t="$2" '$t != "?" { k = 1 } $t == "?" && k { exit 1 }' "$1"; }
# one_path FILE: the traces in FILE (traces) agree on every hop before the
# end (check_traces checks the end; an unmeasured end reads "=")
one_path() { test "$(sed -E "s/ [^ ]+\$//" "$1" | sort -u | wc -l)" = 1; }
# path_ok WANT GOT: GOT's hops are WANT's (an "A|B" hop matches A or B;
# GOT's unmeasured end "=" matches WANT's end, or follows its hops: a round
# that did not reach, with no figure of its end)
path_ok() {
	awk -v w="$1" -v g="$2" 'BEGIN {
		nw = split(w, ws, " "); ng = split(g, gs, " ")
		if (ng == nw + 1 && gs[ng] == "=") ng--  # a round with no figure of its end after them
		if (nw != ng) exit 1
		for (i = 1; i <= nw; i++) {
			if (i == ng && gs[i] == "=") continue
			n = split(ws[i], alt, "|"); ok = 0
			for (j = 1; j <= n; j++) if (alt[j] == gs[i]) ok = 1
			if (!ok) exit 1
		}
	}'
}
# check_traces PROBE TARGET WANT MIN [any]: at least MIN traces, each
# exactly WANT, at least one of them with its end measured (not with any)
check_traces() {
	traces "$1" "$2" >tr.$1 &&
	echo "$1 -> $2: $(wc -l <tr.$1) traces, want: $3" && sort tr.$1 | uniq -c &&
	test "$(wc -l <tr.$1)" -ge "$4" &&
	{ [ "${5:-}" = any ] || grep -qv " =\$" tr.$1; } &&
	while read -r got; do path_ok "$3" "$got" || { echo "bad trace: $got"; exit 1; }; done <tr.$1
}
# all_clean PROBE TARGET: reached every time, no unknown hop, no loss, OK
all_clean() {
	test "$(values path.reachable "$1" "$2" | sort -u)" = 1 &&
	test "$(values path.unknown_hops "$1" "$2" | sort -u)" = 0 &&
	test "$(values path.hop.loss "$1" "$2" | sort -u)" = 0 &&
	test "$(values path.loss "$1" "$2" | sort -u)" = 0 &&
	! grep "^_sc|hopwatch.path.can_reach|[123]|.*#probe:$1,target:$2," out
}
