#!/bin/bash
# t9110: the dns plugin, mode "passive": the daemon watches the DNS traffic
# of its own namespace (src) on an AF_PACKET socket while dig and the
# system resolver (getent, through a resolv.conf this test writes; one
# query over TCP) run a
# known sequence of queries against unbound (t/lib/dns.sh) behind a 10 ms
# router, in both families.  The counts per server, domain and rcode must
# match the sequence exactly; the latencies must agree with what dig
# reports and with the emulated delay; forged responses (wrong id, wrong
# question, wrong server, wrong port) are never matched.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
. "$SRCDIR/t/lib/dns.sh"
dns_testbed p dnsforge
require_cmd getent capsh
S4=$(tb_addr src 4)
SRC_NS=$(tb_ns src)
STATSD_PORT=8125
mkdir -p "/etc/netns/$SRC_NS" && echo "nameserver $D4" >"/etc/netns/$SRC_NS/resolv.conf" ||
	{ echo "Bail out! cannot write resolv.conf for $SRC_NS"; exit 1; }
test_atexit "rm -rf /etc/netns/$SRC_NS"

# conf FILE EXTRA: a passive probe on every server of both families
conf() {
	cat >"$1" <<-EOF
	interval = "1s";
	timeout = "700ms";
	statsd = { url = "udp://127.0.0.1:$STATSD_PORT"; telemetry_interval = 0; };
	probes = ( { name = "pas"; plugin = "dns"; mode = "passive"; ${2:-}
	  targets = [ "0.0.0.0", "::" ]; } );
	EOF
}

# q SERVER NAME TYPE: one dig in src, its "Query time" appended to
# dig.SERVER.NAME (in ms; dig -u prints microseconds), its status to status
q() {
	ip netns exec "$SRC_NS" dig -u +tries=1 +time=2 @"$1" "$2" "$3" >dig.out 2>&1
	sed -n 's/^;; Query time: \([0-9]*\) usec$/\1/p' dig.out | awk '{ printf "%.3f\n", $1 / 1000 }' >>"dig.$1.$2"
	sed -n 's/.*status: \([A-Z]*\),.*/\1/p' dig.out >>status
}

# the sequence, started once the daemon runs
sequence() {
	sleep 1.2
	for i in 1 2 3; do q "$D4" www.test A; done
	for i in 1 2; do q "$D4" nope.test A; done
	q "$D4" a.b.fail.test A
	for i in 1 2; do q "$D6" www.test AAAA; done
	q "$D6" mail.x.test MX
	ip netns exec "$SRC_NS" dig +tcp +tries=1 +time=2 @"$D4" test MX >tcp.out 2>&1
	ip netns exec "$SRC_NS" getent ahostsv4 sys.test >>getent.out
}

hw_run() { run_hopwatchd "$SRC_NS" "$@"; }

test_expect_success 'a known sequence: counts per server, domain and rcode exact (v4 and v6)' '
	conf hw.conf &&
	sequence &
	hw_run hw.conf 4.5 &&
	wait &&
	cat status && grep -c . status | grep -qx 9 && grep -q 10.9.0.3 getent.out &&
	grep -q "status: NOERROR" tcp.out &&
	test "$(dns_sum dns.queries server:$D4,domain:www.test)" = 3 &&
	test "$(dns_sum dns.responses server:$D4,domain:www.test,rcode:noerror)" = 3 &&
	test "$(dns_sum dns.responses server:$D4,domain:sys.test,rcode:noerror)" = 1 &&
	test "$(dns_sum dns.queries server:$D4,domain:nope.test)" = 2 &&
	test "$(dns_sum dns.responses server:$D4,domain:nope.test,rcode:nxdomain)" = 2 &&
	test "$(dns_sum dns.queries server:$D4,domain:fail.test)" = 1 &&
	test "$(dns_sum dns.responses server:$D4,domain:fail.test,rcode:servfail)" = 1 &&
	test "$(dns_sum dns.queries server:$D6,domain:www.test)" = 2 &&
	test "$(dns_sum dns.responses server:$D6,domain:www.test,rcode:noerror)" = 2 &&
	test "$(dns_sum dns.responses server:$D6,domain:x.test,rcode:nxdomain)" = 1 &&
	test "$(dns_sum dns.queries server:$D4,domain:test)" = 1 &&
	test "$(dns_sum dns.responses server:$D4,domain:test,rcode:noerror)" = 1 &&
	dns_values dns.rtt server:$D4,domain:test | awk "\$1 < 9.5 || \$1 > 25 { exit 1 }" &&
	test "$(dns_sum dns.queries)" = 11 &&
	test "$(dns_sum dns.responses)" = 11 &&
	test "$(dns_sum dns.timeouts)" = 0 &&
	! grep -E "hopwatch.dns.(unmatched|capture_drops)" out
'

# agree FILE TAGS: our latencies for TAGS against dig'"'"'s in FILE, sorted
# pairwise.  Every one of ours lies between the emulated delay (10 ms,
# less 0.5) and dig'"'"'s own figure plus 0.5 ms: the kernel stamps the
# packets before dig wakes up to read them, so ours can only be lower.
# At least one pair agrees within 0.5 ms, so ours is not low by a bias
# either.  Not every pair: dig'"'"'s figure holds its own wake-up, which a
# machine busy with other tests stretches (make check runs two at once).
agree() {
	dns_values dns.rtt "$2" | sort -n >ours && sort -n "$1" >theirs &&
	paste ours theirs && test "$(wc -l <ours)" = "$(wc -l <theirs)" &&
	paste ours theirs | awk "{ d = \$2 - \$1; if (d < -0.5 || \$1 < 9.5) bad = 1; if (NR == 1 || d < best) best = d }
		END { exit bad || best > 0.5 }"
}

test_expect_success 'latencies agree with dig and with the 10 ms delay' '
	agree dig.$D4.www.test server:$D4,domain:www.test &&
	agree dig.$D4.nope.test server:$D4,domain:nope.test &&
	agree dig.$D6.www.test server:$D6,domain:www.test &&
	dns_values dns.rtt domain:www.test | dns_near 10 0.5
'

test_expect_success 'labels and max_domains: the rest is domain:other, per server' '
	ip netns exec "$SRC_NS" dnsmasq --no-resolv --no-hosts --listen-address=127.0.0.1 --bind-interfaces \
		--port=53 --user=root --pid-file="$TRASH/lo-dnsmasq.pid" --address=/www.test/10.9.0.1 &&
	conf hw.conf "labels = 3; max_domains = 1;" &&
	(
		sleep 1.2
		for i in 1 2 3; do q "$D4" www.test A; done
		q "$D4" a.b.fail.test A
		q "$D4" x.nope.test A
		q 127.0.0.1 www.test A
		q 127.0.0.1 x.nope.test A
	) &
	hw_run hw.conf 3.5;
	rc=$?;
	wait;
	kill $(cat "$TRASH/lo-dnsmasq.pid");
	test $rc = 0 &&
	test "$(dns_sum dns.queries server:$D4,domain:www.test)" = 3 &&
	test "$(dns_sum dns.queries server:127.0.0.1,domain:www.test)" = 1 &&
	test "$(dns_sum dns.queries server:$D4,domain:other)" = 2 &&
	test "$(dns_sum dns.responses server:$D4,domain:other,rcode:servfail)" = 1 &&
	test "$(dns_sum dns.responses server:$D4,domain:other,rcode:nxdomain)" = 1 &&
	test "$(dns_sum dns.queries server:127.0.0.1,domain:other)" = 1 &&
	! grep -E "domain:(b.fail.test|x.nope.test)" out
'

test_expect_success 'forged responses are never matched; a query without a response times out' '
	tb_filter d1 53 &&
	conf hw.conf &&
	( sleep 1.2; ip netns exec "$SRC_NS" "$TOOLS/dnsforge" "$S4" "$D4" 10.1.0.99 >forge.out 2>&1 ) &
	hw_run hw.conf 3.5;
	rc=$?;
	wait;
	tb_filter d1;
	cat forge.out &&
	test $rc = 0 &&
	test "$(dns_sum dns.queries server:$D4,domain:forge1.test)" = 1 &&
	test "$(dns_sum dns.timeouts server:$D4,domain:forge1.test)" = 1 &&
	! dns_lines dns.responses domain:forge1.test | grep . &&
	test "$(dns_sum dns.responses server:$D4,domain:forge2.test,rcode:noerror)" = 1 &&
	test "$(dns_sum dns.unmatched)" = 4
'

test_expect_success 'without CAP_NET_RAW passive mode refuses to start, and says why' '
	conf hw.conf &&
	! ip netns exec "$SRC_NS" capsh --drop=cap_net_raw -- -c "\"$HOPWATCHD\" -c hw.conf -P \"$PLUGIN_DIR\"" 2>err &&
	cat err && grep "passive mode needs CAP_NET_RAW" err
'

test_expect_success 'passive targets are server addresses on port 53' '
	sed "s/targets = \[ \"0.0.0.0\", \"::\" \]/targets = [ \"dns.example\" ]/" hw.conf >name.conf &&
	grep dns.example name.conf &&
	! ip netns exec "$SRC_NS" timeout 10 "$HOPWATCHD" -c name.conf -P "$PLUGIN_DIR" 2>err &&
	cat err && grep "target dns.example: passive targets are server addresses" err &&
	sed "s/targets = \[ \"0.0.0.0\", \"::\" \]/targets = [ \"$D4:5353\" ]/" hw.conf >port.conf &&
	! ip netns exec "$SRC_NS" timeout 10 "$HOPWATCHD" -c port.conf -P "$PLUGIN_DIR" 2>err &&
	cat err && grep "passive targets are server addresses on port 53" err
'

test_done
