#!/bin/bash
# t9100: the dns plugin, mode "query", against a real server (unbound, see
# t/lib/dns.sh) behind a router that adds 10 ms of RTT (hwdelay), in both
# families: the RTT is the emulated delay; every rcode is counted exactly
# as many times as the server says it answered it; a record changed
# mid-run gives exactly one change event; a dropped query is a timeout; a
# truncated answer is fetched again over TCP; "system" uses resolv.conf.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
. "$SRCDIR/t/lib/dns.sh"
. "$SRCDIR/t/lib/redis.sh"
dns_testbed q
STATSD_PORT=8125

# conf FILE PROBES [INTERVAL [SETTINGS]]: a config with the probes given
# (libconfig text), every INTERVAL (500ms), timeout 80% of it, and more
# global SETTINGS
conf() {
	cat >"$1" <<-EOF
	interval = "${3:-500ms}";
	timeout = "$(echo "${3:-500ms}" | awk '{ printf "%dms", $1 * 0.8 }')";
	statsd = { url = "udp://127.0.0.1:$STATSD_PORT"; telemetry_interval = 0; }; ${4:-}
	probes = ( $2 );
	EOF
}

# probe NAME QNAME TYPE EXTRA: one dns probe on both families of d1
probe() {
	echo "{ name = \"$1\"; plugin = \"dns\"; query_name = \"$2\"; query_type = \"$3\"; ${4:-} targets = [ \"$D4\", \"$D6\" ]; }"
}

hw_run() { run_hopwatchd "$(tb_ns src)" "$@"; }

test_expect_success 'A and AAAA behind 10 ms: RTT, rcode, answers, service check (v4 and v6)' '
	conf hw.conf "$(probe a www.test A), $(probe aaaa www.test AAAA)" 250ms &&
	hw_run hw.conf 3.2 &&
	for t in $D4 $D6; do
		dns_values dns.rtt probe:a,target:$t,rcode:noerror,transport:udp | dns_near 10 1 &&
		dns_values dns.rtt probe:aaaa,target:$t | dns_near 10 1 &&
		test "$(dns_values dns.answers probe:a,target:$t | sort -u)" = 1 || return 1
	done &&
	dns_lines dns.can_resolve probe:a,target:$D4 | grep "^_sc|hopwatch.dns.can_resolve|0|" &&
	! dns_lines dns.can_resolve | grep -v "|0|" &&
	! grep "dns.timeouts" out
'

test_expect_success 'rcodes counted exactly: noerror, nxdomain, servfail, as the server counted them' '
	dns_server_stats d1 >/dev/null &&
	conf hw.conf "$(probe ok www.test A), $(probe nx nope.test A "rcode = \"nxdomain\";"), $(probe sf x.fail.test A)" &&
	hw_run hw.conf 3.2 &&
	dns_server_stats d1 >server &&
	cat server &&
	test "$(dns_sum dns.responses)" = "$(dns_truth server queries)" &&
	for rc in noerror nxdomain servfail; do
		test "$(dns_sum dns.responses rcode:$rc)" = "$(dns_truth server $rc)" || return 1
	done &&
	test "$(dns_sum dns.responses probe:nx)" = "$(dns_sum dns.responses probe:nx,rcode:nxdomain)" &&
	test "$(dns_sum dns.responses probe:sf)" = "$(dns_sum dns.responses probe:sf,rcode:servfail)" &&
	test "$(dns_sum dns.responses probe:sf)" -ge 8 &&
	dns_lines dns.can_resolve probe:nx | grep -v "|0|" | wc -l | grep -qx 0 &&
	dns_lines dns.can_resolve probe:sf | grep "|2|.*rcode servfail, expected noerror"
'

test_expect_success 'a record changed mid-run: exactly one change event, old and new answers' '
	conf hw.conf "$(probe chg www.test A "expect = \"10.9.0.1\";")" &&
	{ ( sleep 1.6; dns_set_a d1 10.9.0.2 ) & setter=$!; } &&
	hw_run hw.conf 3.5 &&
	wait "$setter" &&
	dns_set_a d1 10.9.0.1 &&
	test "$(grep -c "^_e{" out)" = 2 &&
	grep "^_e{" out | grep -c "DNS answer changed: www.test A at $D4|old: 10.9.0.1\\\\nnew: 10.9.0.2|" | grep -qx 1 &&
	grep "^_e{" out | grep -c "DNS answer changed: www.test A at $D6|" | grep -qx 1 &&
	test "$(dns_sum dns.answer_changes)" = 2 &&
	dns_lines dns.can_resolve probe:chg,target:$D4 | grep "|2|.*lacks 10.9.0.1" &&
	dns_lines dns.can_resolve probe:chg,target:$D4 | grep "|0|"
'

test_expect_success 'with Redis: each change is one stream entry and one message on hopwatch:changes' '
	redis_start r &&
	spawn sub timeout 20 redis-cli -s "$TRASH/r.sock" SUBSCRIBE hopwatch:changes &&
	wait_for 5 grep -q "^subscribe" sub.stdout &&
	conf hw.conf "$(probe chr www.test A)" 500ms \
		"hostname = \"h9\"; redis = { socket = \"$TRASH/r.sock\"; };" &&
	{ ( sleep 1.6; dns_set_a d1 10.9.0.3 ) & setter=$!; } &&
	hw_run hw.conf 3.5 &&
	wait "$setter" &&
	dns_set_a d1 10.9.0.1 &&
	for t in $D4 $D6; do
		s="hopwatch:changes:{h9}:chr:$t" &&
		test "$(redis-cli -s "$TRASH/r.sock" XLEN "$s")" = 1 &&
		redis-cli -s "$TRASH/r.sock" XRANGE "$s" - + >entry &&
		grep -x -A1 kind entry | tail -n 1 | grep -x dns_answer &&
		grep -x -A1 old entry | tail -n 1 | grep -x "10.9.0.1" &&
		grep -x -A1 new entry | tail -n 1 | grep -x "10.9.0.3" &&
		grep -x -A1 target_ip entry | tail -n 1 | grep -x "$t" || exit 1
	done &&
	test "$(grep -c "^{" sub.stdout)" = 2 &&
	grep "^{" sub.stdout | perl -MJSON::PP -ne "
		my \$j = JSON::PP->new->decode(\$_);
		die \"kind\" unless \$j->{kind} eq \"dns_answer\" && \$j->{old} eq \"10.9.0.1\" && \$j->{new} eq \"10.9.0.3\";
		die \"source\" unless \$j->{source} eq \"h9\" && \$j->{probe} eq \"chr\" && \$j->{id} =~ /^[0-9]{13}-0\$/;"
'

test_expect_success 'dropped queries: every round a timeout, no RTT' '
	tb_filter d1 53 &&
	conf hw.conf "$(probe drop www.test A)" &&
	hw_run hw.conf 2.7 &&
	tb_filter d1 &&
	rounds=$(dns_lines dns.can_resolve | wc -l) &&
	test "$rounds" -ge 6 &&
	test "$(dns_sum dns.timeouts)" = "$rounds" &&
	test "$(dns_lines dns.can_resolve | grep -c "|2|.*no response within the timeout")" = "$rounds" &&
	! grep "hopwatch.dns.rtt" out
'

test_expect_success 'a truncated answer falls back to TCP: tagged, and the RTT holds the extra round trips' '
	conf hw.conf "$(probe big big.test TXT), $(probe tcp www.test A "transport = \"tcp\";")" &&
	hw_run hw.conf 3.2 &&
	! dns_lines dns.responses probe:big,transport:udp | grep . &&
	test "$(dns_sum dns.responses probe:big,transport:tcp,rcode:noerror)" -ge 8 &&
	test "$(dns_values dns.answers probe:big | sort -u)" = 1 &&
	dns_values dns.rtt probe:big | awk "\$1 < 29.5 { exit 1 }" &&
	dns_values dns.rtt probe:tcp,transport:tcp | awk "\$1 < 19.5 { exit 1 }"
'

test_expect_success 'target "system": the resolvers of resolv.conf' '
	mkdir -p /etc/netns/$(tb_ns src) &&
	echo "nameserver $D4" >/etc/netns/$(tb_ns src)/resolv.conf &&
	conf hw.conf "{ name = \"sys\"; plugin = \"dns\"; query_name = \"www.test\"; targets = [ \"system\" ]; }" &&
	hw_run hw.conf 2.2;
	rc=$?;
	rm -rf /etc/netns/$(tb_ns src);
	test $rc = 0 &&
	dns_values dns.rtt probe:sys,target:system | dns_near 10 1 &&
	! grep "hopwatch.dns.errors" out
'

test_expect_success 'bad settings are refused with file:line and the setting' '
	conf bad.conf "{ name = \"b\"; plugin = \"dns\";
	  query_type = \"ANY\"; query_name = \"x.test\"; targets = [ \"$D4\" ]; }" &&
	! "$HOPWATCHD" -t -c bad.conf -P "$PLUGIN_DIR" 2>err &&
	cat err && grep "bad.conf:5.*query_type" err &&
	conf bad.conf "{ name = \"b\"; plugin = \"dns\"; targets = [ \"$D4\" ]; }" &&
	! "$HOPWATCHD" -t -c bad.conf -P "$PLUGIN_DIR" 2>err &&
	cat err && grep "bad.conf:4.*needs query_name" err &&
	conf bad.conf "{ name = \"b\"; plugin = \"dns\"; query_name = \"a..b\"; targets = [ \"$D4\" ]; }" &&
	! "$HOPWATCHD" -t -c bad.conf -P "$PLUGIN_DIR" 2>err &&
	cat err && grep "bad.conf:4.*query_name: not a valid DNS name" err
'

test_done
