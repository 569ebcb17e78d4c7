# t/lib/conn.sh: readers and writers of the t90xx conn plugin tests,
# sourced after test-lib.sh.  They read the receiver's lines from `out`
# (see run_hopwatchd in test-lib.sh).

# conn_conf FILE [SETTINGS]: one conn probe "c", 1 s interval, SETTINGS
# (libconfig text) added to the probe
conn_conf() {
	cat >"$1" <<-EOF
	interval = "1s";
	statsd = { url = "udp://127.0.0.1:$STATSD_PORT"; telemetry_interval = 0; };
	probes = ( { name = "c"; plugin = "conn"; ${2:-} } );
	EOF
}

# clines NAME DIR DEST PORT: the lines of hopwatch.conn.NAME with those tags
clines() {
	grep -E "^hopwatch\.conn\.$1:[^|]*\|[a-z]+\|#probe:c,direction:$2,dest:$3,port:$4(,|$)" out
}

# cvalues NAME DIR DEST PORT: every value, one a line
cvalues() {
	clines "$@" | sed 's/^[^:]*://; s/|.*//' | tr ':' '\n'
}

# csum NAME DIR DEST PORT: the sum of the values (0 when none)
csum() {
	cvalues "$@" | awk '{ s += $1 } END { printf "%d\n", s }'
}

# cfailed REASON DIR DEST PORT: failed connections for REASON
cfailed() {
	grep -E "^hopwatch\.conn\.failed:[0-9]+\|c\|#probe:c,direction:$2,dest:$3,port:$4,reason:$1$" out |
		sed 's/^[^:]*://; s/|.*//' | awk '{ s += $1 } END { printf "%d\n", s }'
}

# want WHAT GOT EXPECTED: compare, saying what differs
want() {
	[ "$2" = "$3" ] || { echo "$1: got $2, want $3"; return 1; }
}
