#!/bin/bash
# t6500: hop names (issue 16 part 4).  The path plugin traces a real chain
# (src - r1 - r2 - r3 - d1, twin t2 beside r2 for a path change) over IPv4
# and IPv6; a real dnsmasq in the source namespace (127.0.0.1:53) holds PTR
# records (in-addr.arpa and ip6.arpa) for r1, r2, t2 and d1, none for r3
# (NXDOMAIN); a real redis-server stores the paths.  Checked:
# - the names in every view: the Redis hash (names), hopwatch show and
#   show --json, the change event's text at the DogStatsD receiver, the
#   change stream (old_names, new_names), history and history --json;
# - the hop_name tag on per-hop metrics of the instance with
#   tag_hop_name = true, never on the other instance's (both instances
#   tag hop_ip too, which the checks below read);
# - names appearing never make a path change; r3's NXDOMAIN is asked once
#   per family (cached negatively) however many traces pass it;
# - the DNS server down (nft drops every query): addresses are shown, the
#   traces go on (as many rounds as with the server up, in a run of the
#   same length), each address is tried once (a failure is cached), and
#   hopwatch.hop_names.* telemetry counts the failures.
. "$(dirname "$0")/test-lib.sh"
require_root
require_cmd ip nft timeout dnsmasq redis-server redis-cli perl
. "$SRCDIR/t/lib/redis.sh"
. "$SRCDIR/t/lib/testbed.sh"
[ -f "$SRCDIR/plugins/path.so" ] || skip_all "plugins/path.so is not built (run make)"
[ -x "$DSD" ] || skip_all "t/tools/dsd-recv is not built (run make)"

# the kernel's ICMP rate limits (the path plugin's pacing keeps under them)
tb_chain nm 3 1 >/dev/null || { echo "Bail out! tb_chain failed"; exit 1; }
tb_route r2 main >/dev/null || { echo "Bail out! tb_route failed"; exit 1; }
NS=$(tb_ns src)
D4=$(tb_addr d1 4) D6=$(tb_addr d1 6)
for n in r1 r2 r3 t2; do
	eval "${n}_4=$(tb_addr $n 4) ${n}_6=$(tb_addr $n 6)"
done
RPORT=8125
hash() { echo "hopwatch:path:{h1}:$1:$2"; }
STREAM="hopwatch:changes:{h1}:named:$D4"
cli() { "$HOPWATCH" -s "$TRASH/r.sock" --source h1 "$@"; }

# The DNS server: PTRs (dnsmasq makes them from --host-record) with a TTL
# of 300 s, NXDOMAIN for anything else in the reverse zones, every query
# logged (the count of lookups).
test_expect_success 'setup: dnsmasq with PTR records in the source namespace, Redis' '
	ip -n "$NS" link set lo up &&
	spawn dns ip netns exec "$NS" timeout 120 dnsmasq -k -C /dev/null --no-resolv --no-hosts \
		--user=root --listen-address=127.0.0.1 --bind-interfaces --port=53 --pid-file= \
		--local=/in-addr.arpa/ --local=/ip6.arpa/ --local-ttl=300 --log-queries \
		--log-facility="$TRASH/dns.log" \
		--host-record=r1.lab,$r1_4,$r1_6 --host-record=r2.lab,$r2_4,$r2_6 \
		--host-record=t2.lab,$t2_4,$t2_6 --host-record=d1.lab,$D4,$D6 &&
	wait_for 10 grep -q "started" "$TRASH/dns.log" &&
	redis_start r
'

# conf: two path instances of d1 (one tagging hop names), names from dnsmasq
conf() {
	cat <<-EOF
	hostname = "h1";
	path_confirm = 2;
	statsd = { url = "udp://127.0.0.1:$RPORT"; telemetry_interval = 1; };
	redis = { socket = "$TRASH/r.sock"; };
	hop_names = { server = "127.0.0.1:53"; timeout = "200ms"; negative_ttl = "1h"; };
	probes = (
	  { name = "named"; plugin = "path"; interval = "0.5s"; timeout = "0.2s"; max_ttl = 8;
	    queries = 2; tag_hop_ip = true; tag_hop_name = true; targets = [ "$D4", "$D6" ]; },
	  { name = "plain"; plugin = "path"; interval = "0.5s"; timeout = "0.2s"; max_ttl = 8;
	    queries = 2; tag_hop_ip = true; targets = [ "$D4" ]; }
	);
	EOF
}
# rx NAME: a receiver in src writing NAME.out
rx() {
	rm -f "$TRASH/$1.ready"
	spawn "$1" ip netns exec "$NS" "$DSD" -u "127.0.0.1:$RPORT" -t 100 -o "$TRASH/$1.out" -r "$TRASH/$1.ready" &&
	wait_for 5 test -e "$TRASH/$1.ready"
}
# rounds FILE PROBE TARGET: traces reported (path.can_reach checks)
rounds() {
	grep "^_sc|hopwatch.path.can_reach|" "$1" | grep -cE "[#,]probe:$2,target:$3(,|\||$)" || true
}
# ptr_queries NAME: queries dnsmasq logged for reverse name NAME
ptr_queries() {
	grep -cF "query[PTR] $1 from" "$TRASH/dns.log" || true
}
rev4() { echo "$1" | awk -F. '{ print $4 "." $3 "." $2 "." $1 ".in-addr.arpa" }'; }

WANT="r1.lab,r2.lab,,d1.lab"
test_expect_success 'the names reach the Redis hash (IPv4 and IPv6), r3 has none' '
	rx rx &&
	conf >hw.conf &&
	spawn d ip netns exec "$NS" "$HOPWATCHD" -c "$TRASH/hw.conf" -P "$SRCDIR/plugins" &&
	{ wait_for 20 n_is "$WANT" hget r "$(hash named "$D4")" names || { cat d.stderr; false; }; } &&
	wait_for 20 n_is "$WANT" hget r "$(hash named "$D6")" names &&
	wait_for 10 n_is "$WANT" hget r "$(hash plain "$D4")" names &&
	test "$(hget r "$(hash named "$D4")" hops)" = "$r1_4,$r2_4,$r3_4,$D4" &&
	test "$(hget r "$(hash named "$D6")" hops)" = "$r1_6,$r2_6,$r3_6,$D6"
'
test_expect_success 'names appearing are no path change' '
	test "$(events rx.out named "$D4")" = 0 &&
	test "$(events rx.out named "$D6")" = 0 &&
	test "$(events rx.out plain "$D4")" = 0 &&
	test "$(xlen r "$STREAM")" = 0
'
test_expect_success 'hopwatch show: a HOST column, "name (address)", the address alone for r3' '
	cli show "$D4" --probe named >show.out &&
	cat show.out &&
	grep -E "^ +TTL +HOST " show.out &&
	grep -E "^ +1 +r1\.lab \($r1_4\) " show.out &&
	grep -E "^ +2 +r2\.lab \($r2_4\) " show.out &&
	grep -E "^ +3 +$r3_4 " show.out &&
	grep -E "^ +4 +d1\.lab \($D4\) " show.out &&
	cli show "$D6" --probe named | grep -F "r2.lab ($r2_6)"
'
test_expect_success 'hopwatch show --json: "name" per hop, null for r3' '
	cli --json show "$D4" --probe named >show.json &&
	perl -MJSON::PP -e "
		my \$j = JSON::PP->new->decode(join q(), <STDIN>);
		my @h = @{\$j->{paths}[0]{hops}};
		my \$got = join q(,), map { defined \$_->{name} ? \$_->{name} : q(null) } @h;
		print qq(names: \$got\n);
		exit(\$got eq q(r1.lab,r2.lab,null,d1.lab) ? 0 : 1);
	" <show.json
'
# named_line METRIC HOP_IP NAME: rx.out has a line of METRIC of the named
# instance with both tags (a hop is sent only in rounds that measured it)
named_line() {
	grep "^hopwatch.path.$1:" rx.out | grep -E "[#,]probe:named," | grep -E "[#,]hop_ip:$2(,|$)" |
		grep -qE "[#,]hop_name:$3(,|$)"
}
test_expect_success 'tag_hop_name: hop_name tags on named, never on plain' '
	wait_for 10 named_line hop.rtt "$r1_4" "r1\.lab" &&
	wait_for 10 named_line hop.response "$r2_6" "r2\.lab" &&
	! grep -E "[#,]probe:named,.*[#,]hop_ip:$r3_4(,|$)" rx.out | grep hop_name: &&
	! grep -E "[#,]probe:plain," rx.out | grep hop_name:
'
test_expect_success 'a path change (r2 -> t2): the event text names the hops' '
	spawn sub timeout 60 redis-cli -s "$TRASH/r.sock" SUBSCRIBE hopwatch:path-changes &&
	wait_for 5 grep -q "^subscribe" sub.stdout &&
	tb_route r2 alt >/dev/null &&
	wait_for 20 n_is 1 events rx.out named "$D4" &&
	wait_for 10 n_is 1 xlen r "$STREAM" &&
	grep -E "^_e\{[0-9]+,[0-9]+\}:Path to $D4 changed\|" rx.out | grep -F "|k:named/$D4|" >event.out &&
	cat event.out &&
	grep -F "\\n 1  r1.lab ($r1_4) -> r1.lab ($r1_4)\\n" event.out &&
	grep -F "\\n 2* r2.lab ($r2_4) -> " event.out &&
	grep -F " 4  d1.lab ($D4) -> d1.lab ($D4)" event.out
'
test_expect_success 'the change stream and the published message hold old_names and new_names' '
	wait_for 5 grep -qF "\"target\":\"$D4\"" sub.stdout &&
	grep -F "\"target\":\"$D4\"" sub.stdout | grep -F "\"probe\":\"named\"" >msg.json &&
	cat msg.json &&
	grep -qF "\"old_names\":[\"r1.lab\",\"r2.lab\",null,\"d1.lab\"],\"new_names\":[\"r1.lab\"," msg.json &&
	test "$(xfield r "$STREAM" 1 old_names)" = "$WANT" &&
	new=$(xfield r "$STREAM" 1 new_names) &&
	echo "new_names: $new" &&
	case $new in r1.lab,t2.lab,,d1.lab|r1.lab,,,d1.lab) ;; *) false ;; esac
'
test_expect_success 'the new names settle; hopwatch history and --json show them' '
	wait_for 10 n_is "r1.lab,t2.lab,,d1.lab" hget r "$(hash named "$D4")" names &&
	cli history "$D4" --probe named >history.out &&
	cat history.out &&
	grep -E "^> +2  r2\.lab \($r2_4\) +-> " history.out &&
	grep -E "^  +1  r1\.lab \($r1_4\) " history.out &&
	cli --json history "$D4" --probe named >history.json &&
	perl -MJSON::PP -e "
		my \$c = JSON::PP->new->decode(join q(), <STDIN>)->{changes}[0];
		my \$o = join q(,), map { defined \$_ ? \$_ : q(null) } @{\$c->{old_names}};
		print qq(old_names: \$o\n);
		exit(\$o eq q(r1.lab,r2.lab,null,d1.lab) && @{\$c->{new_names}} == @{\$c->{new}} ? 0 : 1);
	" <history.json
'
# more_rounds FILE PROBE TARGET N: more than N rounds (for wait_for)
more_rounds() {
	test "$(rounds "$1" "$2" "$3")" -gt "$4"
}
test_expect_success 'NXDOMAIN is cached: r3 asked once per family over every trace' '
	wait_for 20 more_rounds rx.out named "$D4" 15 &&
	n=$(rounds rx.out named "$D4") &&
	echo "$n traces of $D4; PTR queries for r3: $(ptr_queries "$(rev4 "$r3_4")") (IPv4)" &&
	test "$(ptr_queries "$(rev4 "$r3_4")")" = 1 &&
	test "$(grep -c "query\[PTR\] [0-9a-f.]*ip6.arpa from" "$TRASH/dns.log")" -ge 4 &&
	test "$(ptr_queries "$(rev4 "$r1_4")")" = 1 &&
	stop d &&
	stop rx &&
	! grep -E "(error|warning):" d.stderr
'

# The server down: a run of fixed length with the server up (fresh cache),
# then one with every query dropped; both count their rounds.
route_back() { tb_route r2 main >/dev/null; }
test_expect_success 'control run: server up, 4 s' '
	{ stop d; stop rx; } >/dev/null 2>&1;
	route_back &&
	rx up &&
	ip netns exec "$NS" timeout -s TERM 4 "$HOPWATCHD" -c "$TRASH/hw.conf" -P "$SRCDIR/plugins" 2>up.log;
	stop up &&
	echo "rounds with the server up: $(rounds up.out named "$D4")" &&
	test "$(rounds up.out named "$D4")" -ge 4 &&
	echo "telemetry: $(sum_counts up.out hop_names.lookups) lookups, $(sum_counts up.out hop_names.found) found" &&
	test "$(sum_counts up.out hop_names.found)" -ge 6 &&
	test "$(sum_counts up.out hop_names.failures)" = 0
'
test_expect_success 'server down (nft drops the queries): addresses shown, rounds go on, one try per address' '
	redis-cli -s "$TRASH/r.sock" FLUSHALL >/dev/null &&
	ip netns exec "$NS" nft -f - <<-EOF &&
	table inet hwnames {
	  counter dropped {
	  }
	  chain out {
	    type filter hook output priority 0;
	    ip daddr 127.0.0.1 udp dport 53 counter name dropped drop
	    ip daddr 127.0.0.1 tcp dport 53 counter name dropped drop
	  }
	}
	EOF
	rx down &&
	ip netns exec "$NS" timeout -s TERM 4 "$HOPWATCHD" -c "$TRASH/hw.conf" -P "$SRCDIR/plugins" 2>down.log;
	stop down &&
	up=$(rounds up.out named "$D4") down=$(rounds down.out named "$D4") &&
	dropped=$(ip netns exec "$NS" nft list counter inet hwnames dropped | awk "/packets/ { print \$2 }") &&
	echo "rounds: $up with the server up, $down with it down; queries dropped: $dropped" &&
	test "$down" -ge $((up - 1)) &&
	test "$dropped" -ge 1 &&
	# each hop address tried once (2 tries): the failure is cached
	addrs=$(grep -o "hop_ip:[^,|]*" down.out | grep -v unknown | sort -u | wc -l) &&
	echo "distinct hop addresses: $addrs; telemetry: $(sum_counts down.out hop_names.failures) failures" &&
	test "$(sum_counts down.out hop_names.found)" = 0 &&
	test "$(sum_counts down.out hop_names.failures)" -ge 1 &&
	test "$dropped" -le $((2 * addrs)) &&
	test "$(hget r "$(hash named "$D4")" names)" = ",,," &&
	test "$(hget r "$(hash named "$D4")" hops)" = "$r1_4,$r2_4,$r3_4,$D4" &&
	cli show "$D4" --probe named >down-show.out &&
	cat down-show.out &&
	grep -E "^ +TTL +ADDRESS " down-show.out &&
	grep -E "^ +2 +$r2_4 " down-show.out &&
	! grep -E "hop_name:" down.out &&
	ip netns exec "$NS" nft delete table inet hwnames
'
test_expect_success 'the receiver parsed every line' '
	! grep INVALID rx.out up.out down.out
'
. "$SRCDIR/t/lib/conf.sh"
test_expect_success 'bad hop_names settings are refused with file:line' '
	printf "hop_names = {\n  server = \"dns.example\";\n};\n" >b1.conf && check b1.conf &&
	refused b1.conf "b1.conf:2: hop_names.server: \"dns.example\": not an IPv4 or IPv6 address (names are not looked up here)" prefix &&
	printf "hop_names = {\n  max_ttl = 30;\n  min_ttl = 60;\n};\n" >b2.conf && check b2.conf &&
	refused b2.conf "b2.conf:3: hop_names.min_ttl: is above max_ttl (min_ttl 60s, max_ttl 30s)" prefix &&
	printf "hop_names = {\n  rate = 0;\n};\n" >b3.conf && check b3.conf &&
	refused b3.conf "b3.conf:2: hop_names.rate" prefix &&
	printf "hop_names = {\n  cache = 5;\n};\n" >b4.conf && check b4.conf &&
	refused b4.conf "b4.conf:2: hop_names.cache" prefix &&
	printf "hop_names = { server = \"[fd00::53]:5353\"; enabled = false; };\n" >g1.conf && check g1.conf &&
	grep -F "OK (" g1.conf.out
'
test_done
