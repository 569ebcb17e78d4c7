# t/lib/icmp.sh: helpers of the t40xx icmp plugin tests, sourced after
# test-lib.sh.  They expect STATSD_PORT; the checks read the receiver's
# lines from `out` (see run_hopwatchd in test-lib.sh).

# write_conf FILE INTERVAL TIMEOUT OPTIONS TARGETS: one icmp probe "p";
# icmp.sent and icmp.received, off by default, are added (the checks
# compare them with what was sent) unless ICMP_METRICS says otherwise
write_conf() {
	local sel='metrics_add = [ "sent", "received" ];'
	[ -n "${ICMP_METRICS+set}" ] && sel=$ICMP_METRICS
	cat >"$1" <<-EOF
	interval = "$2";
	timeout = "$3";
	statsd = { url = "udp://127.0.0.1:$STATSD_PORT"; telemetry_interval = 0; };
	probes = ( { name = "p"; plugin = "icmp"; $4 $sel
	  targets = ( $5 ); } );
	EOF
	chmod 644 "$1"
}

# re TEXT: TEXT as an extended regular expression matching itself
re() { printf '%s' "$1" | sed 's/[.[\*^$()+?{|]/\\&/g'; }

# lines NAME TARGET: the lines of metric or service check NAME for TARGET
lines() {
	grep -E "^(_sc\|)?hopwatch\.$(re "$1")[:|].*[#,]target:$(re "$2")(,|\||$)" out
}

# values NAME TARGET: every value of metric NAME for TARGET, one a line
values() { lines "$1" "$2" | sed 's/^[^:]*://; s/|.*//' | tr ':' '\n'; }
