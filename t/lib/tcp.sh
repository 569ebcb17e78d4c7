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
