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

# hw_run CONF SECONDS [nobody]: run_hopwatchd (test-lib.sh) in "$(tb_ns src)"
hw_run() { run_hopwatchd "$(tb_ns src)" "$@"; }

# traces PROBE TARGET: one line per finished trace of TARGET by PROBE: the
# hop addresses by TTL ("*": unknown), from its path.hop.loss lines, ended
# by its path.hops line
traces() {
	awk -v tgt="#probe:$1,target:$2," '
		index($0, tgt) == 0 { next }
		/^hopwatch\.path\.hop\.loss:/ {
			match($0, /,hop:[0-9]+,hop_ip:[^,|]*/)
			split(substr($0, RSTART + 5, RLENGTH - 5), a, ",hop_ip:")
			h[a[1]] = a[2] == "unknown" ? "*" : a[2]
			next
		}
		/^hopwatch\.path\.hops:/ {
			split($0, b, /[:|]/)
			line = ""
			for (i = 1; i <= b[2]; i++) line = line (i > 1 ? " " : "") (i in h ? h[i] : "?")
			print line
			delete h
		}' out
}
# values METRIC PROBE TARGET: the values of METRIC for that probe and target
values() {
	awk -v tgt="#probe:$2,target:$3," -v m="hopwatch.$1:" \
		'index($0, tgt) && index($0, m) == 1 { split($0, a, /[:|]/); print a[2] }' out
}
# want DEST [4|6]: tb_hops on one line
want() { tb_hops "$@" | paste -sd' ' -; }
# path_ok WANT GOT: GOT's hops are WANT's (an "A|B" hop matches A or B)
path_ok() {
	awk -v w="$1" -v g="$2" 'BEGIN {
		nw = split(w, ws, " "); ng = split(g, gs, " ")
		if (nw != ng) exit 1
		for (i = 1; i <= nw; i++) {
			n = split(ws[i], alt, "|"); ok = 0
			for (j = 1; j <= n; j++) if (alt[j] == gs[i]) ok = 1
			if (!ok) exit 1
		}
	}'
}
# check_traces PROBE TARGET WANT MIN: at least MIN traces, each exactly WANT
check_traces() {
	traces "$1" "$2" >tr.$1 &&
	echo "$1 -> $2: $(wc -l <tr.$1) traces, want: $3" && sort | uniq -c <tr.$1 &&
	test "$(wc -l <tr.$1)" -ge "$4" &&
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
