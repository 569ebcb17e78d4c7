# t/lib/statsd.sh: helpers of the DogStatsD sink tests (t20xx), sourced
# after test-lib.sh.  It skips the script unless hopwatchd, dsd-recv and
# the test plugins are built, and clears the caller's DogStatsD
# environment.  A receiver NAME writes NAME.out in the trash directory; a
# daemon NAME its NAME.stdout (the -e echo) and NAME.stderr.

DSD=$TOOLS/dsd-recv
[ -x "$HOPWATCHD" ] || skip_all "src/hopwatchd is not built (run make)"
[ -x "$DSD" ] || skip_all "t/tools/dsd-recv is not built (run make)"
[ -f "$TEST_PLUGIN_DIR/testprobe.so" ] || skip_all "t/plugins are not built (run make)"
# The caller's DogStatsD environment must not leak into the daemon.
unset DD_DOGSTATSD_URL DD_AGENT_HOST DD_DOGSTATSD_PORT DD_ENTITY_ID

# recv NAME ARGS...: start dsd-recv with ARGS (-u HOST:PORT or -U PATH),
# bounded, datagram headers on; output in NAME.out.
recv() {
	local name=$1
	shift
	rm -f "$TRASH/$name.ready"
	spawn "$name" "$DSD" "$@" -D -t 50 -o "$TRASH/$name.out" -r "$TRASH/$name.ready" &&
	wait_for 5 test -e "$TRASH/$name.ready"
}
# daemon NAME CONF [ARGS]: start hopwatchd on CONF with the test plugins
daemon() {
	local name=$1 conf=$2
	shift 2
	spawn "$name" "$HOPWATCHD" -c "$TRASH/$conf" -P "$TEST_PLUGIN_DIR" "$@"
}
# lines FILE: the received lines, without dsd-recv's datagram headers
lines() {
	grep -v '^# datagram ' "$1"
}
# all_arrived RECV DAEMON: the receiver got as many lines as the daemon echoed
all_arrived() {
	test "$(lines "$TRASH/$1.out" | wc -l)" -ge "$(wc -l <"$TRASH/$2.stdout")"
}
# recv_ok NAME: the receiver exited 0, saw no invalid line
recv_ok() {
	stop "$1" &&
	! grep INVALID "$TRASH/$1.out" &&
	! test -s "$TRASH/$1.stderr"
}

# has_tags FILE PREFIX [-x] TAG...: a line of FILE that starts with PREFIX
# carries every TAG; with -x exactly these tags and no others.
has_tags() {
	local file=$1 prefix=$2 exact=0
	shift 2
	if [ "${1:-}" = -x ]; then
		exact=1
		shift
	fi
	awk -v prefix="$prefix" -v exact=$exact -v want="$*" '
	BEGIN { n = split(want, w, " ") }
	index($0, prefix) == 1 && (i = index($0, "|#")) {
		rest = substr($0, i + 2)
		if ((j = index(rest, "|"))) rest = substr(rest, 1, j - 1)
		m = split(rest, t, ",")
		for (k in h) delete h[k]
		for (k = 1; k <= m; k++) h[t[k]] = 1
		ok = !exact || m == n
		for (k = 1; ok && k <= n; k++) if (!(w[k] in h)) ok = 0
		if (ok) { found = 1; exit }
	}
	END { exit !found }' "$file"
}
# telemetry_max FILE NAME: the largest value of hopwatch-ish NAME lines ("statsd.packets_sent")
telemetry_max() {
	sed -n "s/^[a-z_.]*\.$2:\([0-9]*\)|c.*/\1/p" "$1" | sort -n | tail -n 1
}

# datagram_stats FILE: "DATAGRAMS LINES" from the receiver's -D headers
datagram_stats() {
	sed -n 's/^# datagram [0-9]* bytes \([0-9]*\) lines$/\1/p' "$1" |
		awk '{ d++; l += $1 } END { print d + 0, l + 0 }'
}
