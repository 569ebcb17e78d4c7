# t/lib/tcp.sh: readers of the t50xx tcp plugin tests, sourced after
# test-lib.sh.  They read the receiver's lines from `out` (see
# run_hopwatchd in test-lib.sh).

# lines NAME TARGET PORT: the lines of metric or check NAME for TARGET:PORT
lines() {
	grep -E "^(_sc\|)?hopwatch\.$1[:|].*[#,]target:$2,port:$3(,|\||$)" out
}

# all_values NAME TARGET PORT: every value of metric NAME, one a line
all_values() {
	lines "$1" "$2" "$3" | sed 's/^[^:]*://; s/|.*//' | tr ':' '\n'
}

# results TARGET PORT: the result kinds seen, sorted and unique
results() {
	lines tcp.results "$1" "$2" | sed 's/.*result:\([a-z]*\).*/\1/' | sort -u | paste -sd, -
}

# tcp_testbed [TOOL...]: the network of the t50xx testbed tests, src - r1 -
# r2 - d1 (t/lib/testbed.sh, sourced before), with d1 listening on 7001
# and dropping 7009; sets D4 and D6 (d1's addresses) and STATSD_PORT.
# Skips the test when t/tools/TOOL (dsd-recv and hwlisten always) or the
# plugin is not built; bails out when the network cannot be made.
tcp_testbed() {
	local tool
	for tool in dsd-recv hwlisten "$@"; do
		[ -x "$TOOLS/$tool" ] || skip_all "t/tools/$tool is not built (run make)"
	done
	[ -e "$PLUGIN_DIR/tcp.so" ] || skip_all "plugins/tcp.so is not built (run make)"
	tb_chain a 2 1 || { echo "Bail out! tb_chain failed"; exit 1; }
	tb_listen d1 7001 || { echo "Bail out! tb_listen failed"; exit 1; }
	tb_filter d1 7009 || { echo "Bail out! tb_filter failed"; exit 1; }
	D4=$(tb_addr d1 4)
	D6=$(tb_addr d1 6)
	STATSD_PORT=8125
}
