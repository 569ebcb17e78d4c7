#!/bin/bash
# t7030-cli: the `hopwatch` command-line tool against a real Redis filled by
# two hopwatchd (probes fp and fq, one host name): paths, show, history
# and watch, their filters (--probe, --source, --prefix), -c (which loads
# no plugin), the change message reader of watch (hand-made messages), and
# the errors: Redis unreachable, unknown target, usage.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/redis.sh"

RPORT=$(free_udp_port) || skip_all "no free UDP port"
P1="10.1.0.1,10.1.0.2,10.1.0.3,10.1.0.4"
P2="10.1.0.1,10.1.0.2,10.9.0.3,10.1.0.4"
L2="10.2.0.1,10.2.0.2"
L3="fd00::1,*,::1"
ODD="10.1.0.1,10.7.0.2,10.1.0.3,10.1.0.4"
STREAM="hopwatch:changes:{cli-host}:fp:127.0.0.1"
HW() {
	"$HOPWATCH" -s "$TRASH/c.sock" --source cli-host "$@"
}
# conf NAME PROBE CONFIRM TARGETS: a daemon config of host cli-host
# (hop_names off: the root namespace's resolver is outside the lab)
conf() {
	cat <<-EOF
	interval = 0.3;
	timeout = 0.1;
	hostname = "cli-host";
	path_confirm = $3;
	statsd = { url = "udp://127.0.0.1:$RPORT"; telemetry_interval = 0; };
	redis = { socket = "$TRASH/c.sock"; };
	hop_names = { enabled = false; };
	probes = ( { name = "$2"; plugin = "fakepath"; file = "$TRASH/$1.paths"; targets = [ $4 ]; } );
	EOF
}
# row FILE PROBE TARGET: the `paths` row of that probe and target
row() {
	awk -v p="$2" -v t="$3" '$1 == p && $2 == t' "$1"
}
rcli_count() {
	rcli c --scan --pattern "hopwatch:path:*" | wc -l
}
DATE='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}'

test_expect_success 'start: Redis, two daemons (fp: 3 targets; fq: path_confirm 100), two fp changes' '
	redis_start c &&
	recv rx "$RPORT" &&
	route d1.paths "$P1" "$L2" "$L3" &&
	route d2.paths "$P1" &&
	conf d1 fp 2 "\"127.0.0.1\", \"127.0.0.2:8080\", \"[::1]:53\"" >d1.conf &&
	conf d2 fq 100 "\"127.0.0.1\"" >d2.conf &&
	daemon d1 d1.conf &&
	daemon d2 d2.conf &&
	wait_for 10 n_is 4 rcli_count &&
	route d1.paths "$P2" "$L2" "$L3" &&
	wait_for 10 n_is 1 xlen c "$STREAM" &&
	route d1.paths "$P1" "$L2" "$L3" &&
	wait_for 10 n_is 2 xlen c "$STREAM" &&
	wait_for 10 n_is "$P1" hget c "hopwatch:path:{cli-host}:fp:127.0.0.1" hops
'

# ---------------------------------------------------------------- paths
test_expect_success 'paths: a header and one row per probe and target' '
	HW paths >out &&
	cat out &&
	head -n 1 out | grep -E "^PROBE +TARGET +HOPS +REACHED +LAST TRACE +LAST CHANGE$" &&
	test "$(wc -l <out)" = 5 &&
	row out fp 127.0.0.1 | grep -E "^fp +127\.0\.0\.1 +4 +yes +[0-9]+s ago +$DATE \([0-9]+s ago\)$" &&
	row out fp 127.0.0.2:8080 | grep -E "^fp +127\.0\.0\.2:8080 +2 +yes +[0-9]+s ago +never$" &&
	row out fp "[::1]:53" | grep -E "^fp +\[::1\]:53 +3 +yes +[0-9]+s ago +never$" &&
	row out fq 127.0.0.1 | grep -E "^fq +127\.0\.0\.1 +4 +yes +[0-9]+s ago +never$" &&
	awk "NR > 1 { print \$1, \$2 }" out >order &&
	printf "%s\n" "fp 127.0.0.1" "fp 127.0.0.2:8080" "fp [::1]:53" "fq 127.0.0.1" >expect &&
	diff expect order
'
test_expect_success 'paths --probe, --source *, another source, another prefix' '
	HW paths --probe fq >out &&
	test "$(wc -l <out)" = 2 && row out fq 127.0.0.1 | grep . &&
	"$HOPWATCH" -s "$TRASH/c.sock" --source "*" paths >all &&
	cat all &&
	head -n 1 all | grep -E "^SOURCE +PROBE +TARGET " &&
	grep -E "^cli-host +fp +\[::1\]:53 +3 " all &&
	test "$(wc -l <all)" = 5 &&
	"$HOPWATCH" -s "$TRASH/c.sock" --source elsewhere paths >none 2>err &&
	test ! -s none &&
	grep -F "no paths stored for elsewhere in Redis at unix:$TRASH/c.sock" err &&
	grep -F "hopwatchd stored paths under the host name cli-host" err &&
	HW --prefix other: paths >none 2>err &&
	test ! -s none && grep -F "prefix \"other:\"" err
'
test_expect_success 'paths -c: the socket and host name come from the daemon config, no plugin loaded' '
	"$HOPWATCH" -c "$TRASH/d1.conf" paths >viaconf &&
	HW paths >direct &&
	awk "{ print \$1, \$2, \$3, \$4 }" viaconf >a &&
	awk "{ print \$1, \$2, \$3, \$4 }" direct >b &&
	diff a b &&
	{ echo "plugin_dir = \"$TRASH/nowhere\";"; cat "$TRASH/d1.conf"; } >noplugins.conf &&
	"$HOPWATCH" -c noplugins.conf paths >viaconf2 &&
	awk "{ print \$1, \$2, \$3, \$4 }" viaconf2 >c &&
	diff a c &&
	sed "s/^redis = {/redis = { bogus = 1;/" "$TRASH/d1.conf" >badredis.conf &&
	test_must_fail "$HOPWATCH" -c badredis.conf paths 2>err &&
	cat err &&
	grep -F "badredis.conf:6: redis.bogus: unknown setting in redis" err &&
	grep -F "configuration is not valid" err &&
	test_must_fail "$HOPWATCH" -c "$TRASH/d1.conf" -P "$TEST_PLUGIN_DIR" paths 2>err &&
	grep -F "invalid option" err
'

# ---------------------------------------------------------------- show
test_expect_success 'show: the last trace as a table, the change time, no confirmed path' '
	HW show 127.0.0.1 --probe fp >out &&
	cat out &&
	grep -Fx "cli-host -> 127.0.0.1, probe fp" out &&
	grep -E "^last trace:  $DATE \([0-9]+s ago\), test, destination reached, 1\.00 ms$" out &&
	grep -E "^last change: $DATE \([0-9]+s ago\)$" out &&
	grep -E "^  TTL  ADDRESS +LOSS% +BEST ms +AVG ms +WORST ms +STDEV ms +JITTER ms$" out &&
	grep -E "^    1  10\.1\.0\.1 +0\.0% +1\.00 +1\.50 +2\.00 +0\.250 +0\.500$" out &&
	grep -E "^    4  10\.1\.0\.4 +0\.0% +4\.00 +6\.00 +8\.00 +1\.00 +2\.00$" out &&
	! grep -F "kept the average only" out &&
	test "$(grep -cE "^ +[0-9]+  " out)" = 4 &&
	! grep -F "confirmed" out
'
test_expect_success 'show: unknown hops, the target address, a target with [ ] (glob) in its name' '
	HW show "[::1]:53" >out &&
	cat out &&
	grep -Fx "cli-host -> [::1]:53 (::1), probe fp" out &&
	grep -E "^    2  \* +100\.0% +- +- +- +- +-$" out &&
	grep -E "^    3  ::1 +0\.0% +3\.00 +4\.50 +6\.00 +0\.750 +1\.50$" out &&
	grep -Fx "last change: never" out
'
test_expect_success 'show without --probe: every probe of the target' '
	HW show 127.0.0.1 >out &&
	grep -Fx "cli-host -> 127.0.0.1, probe fp" out &&
	grep -Fx "cli-host -> 127.0.0.1, probe fq" out
'
# path_fq_is LIST: the last trace of fq is LIST
path_fq_is() {
	test "$(hget c "hopwatch:path:{cli-host}:fq:127.0.0.1" hops)" = "$1"
}
test_expect_success 'show: the confirmed path when the last trace differs (not yet a change)' '
	route d2.paths "$ODD" &&
	wait_for 10 path_fq_is "$ODD" &&
	HW show 127.0.0.1 --probe fq >out &&
	cat out &&
	grep -Fx "confirmed path (the last trace differs from it at TTL 2, not yet a change):" out &&
	grep -E "^  TTL  confirmed +last trace$" out &&
	grep -E "^>   2  10\.1\.0\.2 +-> 10\.7\.0\.2$" out &&
	grep -E "^    1  10\.1\.0\.1 +10\.1\.0\.1$" out &&
	route d2.paths "10.1.0.1,*,10.1.0.3" &&
	wait_for 10 path_fq_is "10.1.0.1,*,10.1.0.3" &&
	HW show 127.0.0.1 --probe fq >out &&
	cat out &&
	grep -F "confirmed path (the last trace agrees with it; it lacks or adds hops):" out &&
	grep -E "^    2  10\.1\.0\.2 +\*$" out &&
	grep -E "^    4  10\.1\.0\.4 +-$" out
'

# ---------------------------------------------------------------- history
test_expect_success 'history: every change, oldest first, as a diff with the first difference marked' '
	HW history 127.0.0.1 --probe fp >out &&
	cat out &&
	test "$(grep -cE "^$DATE  cli-host fp/127\.0\.0\.1: path changed at TTL 3 \[[0-9]+-[0-9]+\]$" out)" = 2 &&
	first=$(grep -nE "^>   3  10\.1\.0\.3 +-> 10\.9\.0\.3$" out | cut -d: -f1) &&
	second=$(grep -nE "^>   3  10\.9\.0\.3 +-> 10\.1\.0\.3$" out | cut -d: -f1) &&
	test -n "$first" && test -n "$second" && test "$first" -lt "$second" &&
	grep -E "^    1  10\.1\.0\.1 +10\.1\.0\.1$" out &&
	test "$(grep -cE "^  TTL  old +new$" out)" = 2 &&
	id=$(rcli c XRANGE "$STREAM" - + | grep -E "^[0-9]+-[0-9]+$" | tail -n 1) &&
	grep -F "[$id]" out | tail -n 1 | grep . &&
	HW history 127.0.0.1 --probe fp --count 1 >last &&
	cat last &&
	test "$(grep -c "path changed" last)" = 1 &&
	grep -F "[$id]" last &&
	grep -E "^>   3  10\.9\.0\.3 +-> 10\.1\.0\.3$" last
'
test_expect_success 'history: no change recorded' '
	HW history 127.0.0.2:8080 >out &&
	grep -Fx "cli-host fp/127.0.0.2:8080: no change recorded" out &&
	HW history 127.0.0.1 >both &&
	grep -Fx "cli-host fq/127.0.0.1: no change recorded" both &&
	test "$(grep -c "path changed" both)" = 2
'

P3="10.1.0.1,10.8.0.2,10.1.0.3,10.8.0.4"
test_expect_success 'history: every changed hop is marked, not only the first' '
	route d1.paths "$P3" "$L2" "$L3" &&
	wait_for 10 n_is 3 xlen c "$STREAM" &&
	route d1.paths "$P1" "$L2" "$L3" &&
	wait_for 10 n_is 4 xlen c "$STREAM" &&
	HW history 127.0.0.1 --probe fp --count 2 >out &&
	cat out &&
	grep -E "^$DATE  cli-host fp/127\.0\.0\.1: path changed at TTL 2 \(changed TTLs 2, 4\) \[[0-9]+-0\]$" out &&
	grep -E "^>   2  10\.1\.0\.2 +-> 10\.8\.0\.2$" out &&
	grep -E "^    3  10\.1\.0\.3 +10\.1\.0\.3$" out &&
	grep -E "^>   4  10\.1\.0\.4 +-> 10\.8\.0\.4$" out &&
	grep -E "^>   4  10\.8\.0\.4 +-> 10\.1\.0\.4$" out &&
	test "$(grep -c "^>" out)" = 4
'
# hash FIELD VALUE...: a path stored by an older hopwatchd (no rtt_min/rtt_max)
OLDKEY="hopwatch:path:{cli-host}:old:lan.example"
test_expect_success 'show: RTTs with 3 significant digits; a hash of an older daemon shows AVG only' '
	rcli c HSET "$OLDKEY" ts "$(($(date +%s) - 7500))" target_ip 10.0.0.9 protocol icmp reached 1 \
		duration_ms 12 hops "10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.9" rtt "0.052,1.234,12.34,123.4" \
		loss "0,0,25,0" confirmed "10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.9" >/dev/null &&
	HW show lan.example >out &&
	cat out &&
	grep -E "^last trace:  $DATE \(2h 5m ago\), icmp, destination reached, 12\.0 ms$" out &&
	grep -E "^  TTL  ADDRESS +LOSS% +AVG ms$" out &&
	grep -E "^    1  10\.0\.0\.1 +0\.0% +0\.052$" out &&
	grep -E "^    2  10\.0\.0\.2 +0\.0% +1\.23$" out &&
	grep -E "^    3  10\.0\.0\.3 +25\.0% +12\.3$" out &&
	grep -E "^    4  10\.0\.0\.9 +0\.0% +123$" out &&
	grep -Fx "  (BEST and WORST: this path was stored by a hopwatchd that kept the average only)" out &&
	HW paths --probe old | grep -E "^old +lan\.example +4 +yes +2h 5m ago +never$"
'
test_expect_success 'a key of another type among the path hashes: said, left out, the others listed, exit 1' '
	rcli c SET "hopwatch:path:{cli-host}:old:a-string" "not a hash" >/dev/null &&
	test_must_fail HW paths --probe old >out 2>err &&
	cat out err &&
	grep -E "^old +lan\.example +4 +yes " out &&
	! grep -F "a-string" out &&
	grep -F "hopwatch:path:{cli-host}:old:a-string is not a path hash (WRONGTYPE" err &&
	rcli c DEL "hopwatch:path:{cli-host}:old:a-string" >/dev/null
'

# ---------------------------------------------------------------- --json
# json_check SCRIPT <FILE: parse FILE as JSON (every line with -l) and run
# the Python assertions of SCRIPT on it (as d, or the list of lines as ds)
json_check() {
	if [ "$1" = -l ]; then
		shift
		python3 -c "import json,sys
ds=[json.loads(l) for l in sys.stdin]
$1"
	else
		python3 -c "import json,sys
d=json.load(sys.stdin)
$1"
	fi
}
test_expect_success '--json paths, show, history: one JSON document with the documented fields' '
	HW --json paths >paths.json &&
	cat paths.json &&
	json_check "
ps=d[\"paths\"]
assert len(ps) == 5, ps
for p in ps:
    assert set(p) == {\"source\",\"probe\",\"target\",\"hops\",\"reached\",\"last_trace\",\"last_change\"}, p
fp=[p for p in ps if p[\"probe\"] == \"fp\" and p[\"target\"] == \"127.0.0.1\"][0]
assert fp[\"source\"] == \"cli-host\" and fp[\"hops\"] == 4 and fp[\"reached\"] is True
assert isinstance(fp[\"last_trace\"], int) and isinstance(fp[\"last_change\"], int)
assert [p for p in ps if p[\"target\"] == \"127.0.0.2:8080\"][0][\"last_change\"] is None
" <paths.json &&
	HW --json show "[::1]:53" >show.json &&
	cat show.json &&
	json_check "
p=d[\"paths\"][0]
want={\"source\",\"probe\",\"target\",\"target_ip\",\"protocol\",\"reached\",\"duration_ms\",\"last_trace\",
      \"last_change\",\"hops\",\"confirmed\",\"confirmed_differs_at\"}
assert set(p) == want, p
assert p[\"target\"] == \"[::1]:53\" and p[\"target_ip\"] == \"::1\" and p[\"protocol\"] == \"test\"
assert p[\"reached\"] is True and p[\"duration_ms\"] == 1 and p[\"last_change\"] is None
assert p[\"confirmed\"] == [\"fd00::1\", None, \"::1\"] and p[\"confirmed_differs_at\"] is None
h=p[\"hops\"]
assert h[0] == {\"ttl\":1,\"address\":\"fd00::1\",\"name\":None,\"loss\":0,\"rtt_min\":1,\"rtt_avg\":1.5,\"rtt_max\":2,
                \"rtt_stddev\":0.25,\"rtt_jitter\":0.5}, h[0]
assert h[1] == {\"ttl\":2,\"address\":None,\"name\":None,\"loss\":100,\"rtt_min\":None,\"rtt_avg\":None,\"rtt_max\":None,
                \"rtt_stddev\":None,\"rtt_jitter\":None}, h[1]
" <show.json &&
	HW --json show lan.example | json_check "
h=d[\"paths\"][0][\"hops\"]
assert [x[\"rtt_avg\"] for x in h] == [0.052, 1.234, 12.34, 123.4] and h[0][\"rtt_min\"] is None, h
" &&
	HW --json history 127.0.0.1 --probe fp >history.json &&
	cat history.json &&
	json_check "
cs=d[\"changes\"]
assert len(cs) == 4, cs
want={\"id\",\"source\",\"probe\",\"target\",\"target_ip\",\"ts\",\"kind\",\"first_diff_ttl\",\"changed_ttls\",\"old\",\"new\",\"old_names\",\"new_names\"}
for c in cs:
    assert set(c) == want, c
    assert c[\"source\"] == \"cli-host\" and c[\"probe\"] == \"fp\" and c[\"target\"] == \"127.0.0.1\"
    assert isinstance(c[\"ts\"], int) and c[\"id\"].endswith(\"-0\")
assert cs[0][\"changed_ttls\"] == [3] and cs[0][\"old\"][2] == \"10.1.0.3\" and cs[0][\"new\"][2] == \"10.9.0.3\"
assert cs[2][\"changed_ttls\"] == [2, 4] and cs[2][\"first_diff_ttl\"] == 2
assert cs == sorted(cs, key=lambda c: c[\"id\"])
" <history.json &&
	HW --json history 127.0.0.2:8080 | json_check "assert d == {\"changes\": []}, d" &&
	"$HOPWATCH" -s "$TRASH/c.sock" --source elsewhere --json paths 2>err | json_check "assert d == {\"paths\": []}" &&
	grep -F "hopwatchd stored paths under the host name cli-host" err &&
	rcli c DEL "$OLDKEY" >/dev/null
'
test_expect_success '--json watch: one object a line, as history writes them' '
	spawn wj "$HOPWATCH" -s "$TRASH/c.sock" --source "*" --json watch --count 2 --timeout 15 &&
	wait_for 5 grep -q "watching" wj.stderr &&
	rcli c PUBLISH hopwatch:path-changes "{\"id\":\"1700000000000-0\",\"source\":\"s\",\"probe\":\"p\",\"target\":\"t\",\"target_ip\":\"10.0.0.9\",\"ts\":1700000000,\"old\":[\"10.0.0.1\",\"10.0.0.2\",\"10.0.0.3\"],\"new\":[\"10.0.0.1\",\"10.0.0.7\",\"10.0.0.8\"],\"first_diff_ttl\":2}" >/dev/null &&
	rcli c PUBLISH hopwatch:path-changes "{\"probe\":\"q\",\"target\":\"u\",\"old\":[],\"new\":[null],\"first_diff_ttl\":1}" >/dev/null &&
	wait_for 10 test -s wj.rc &&
	cat wj.stdout &&
	test "$(cat wj.rc)" = 0 &&
	json_check -l "
assert len(ds) == 2, ds
assert ds[0] == {\"id\":\"1700000000000-0\",\"source\":\"s\",\"probe\":\"p\",\"target\":\"t\",\"target_ip\":\"10.0.0.9\",
                 \"ts\":1700000000,\"kind\":\"path\",\"first_diff_ttl\":2,\"changed_ttls\":[2,3],
                 \"old\":[\"10.0.0.1\",\"10.0.0.2\",\"10.0.0.3\"],\"new\":[\"10.0.0.1\",\"10.0.0.7\",\"10.0.0.8\"],
                 \"old_names\":[None,None,None],\"new_names\":[None,None,None]}, ds[0]
assert ds[1][\"id\"] is None and ds[1][\"source\"] is None and ds[1][\"ts\"] is None and ds[1][\"new\"] == [None]
" <wj.stdout
'
test_expect_success 'watch: says when Redis is lost, reconnects when it is back, and goes on' '
	redis_start w &&
	spawn wr "$HOPWATCH" -s "$TRASH/w.sock" --source "*" watch --count 1 --timeout 30 &&
	wait_for 5 grep -q "watching" wr.stderr &&
	stop w &&
	wait_for 10 grep -q "lost Redis at unix:$TRASH/w.sock" wr.stderr &&
	redis_start w &&
	wait_for 15 grep -q "reconnected to Redis at unix:$TRASH/w.sock: watching hopwatch:path-changes and hopwatch:changes again" wr.stderr &&
	rcli w PUBLISH hopwatch:path-changes "{\"source\":\"s\",\"probe\":\"p\",\"target\":\"back\",\"old\":[\"10.0.0.1\"],\"new\":[\"10.0.0.2\"],\"first_diff_ttl\":1}" >/dev/null &&
	wait_for 10 test -s wr.rc &&
	cat wr.stderr wr.stdout &&
	test "$(cat wr.rc)" = 0 &&
	grep -F "s p/back: path changed at TTL 1" wr.stdout &&
	test "$(grep -c "lost Redis" wr.stderr)" = 1 &&
	stop w
'

# ---------------------------------------------------------------- watch
test_expect_success 'watch: a change is printed as it happens; filters; --count, --timeout' '
	spawn w1 "$HOPWATCH" -s "$TRASH/c.sock" --source cli-host watch --count 1 --timeout 20 &&
	spawn w2 "$HOPWATCH" -s "$TRASH/c.sock" --source cli-host watch 127.0.0.2:8080 --count 1 --timeout 3 &&
	spawn w3 "$HOPWATCH" -s "$TRASH/c.sock" --source elsewhere watch --count 1 --timeout 3 &&
	spawn w4 "$HOPWATCH" -s "$TRASH/c.sock" --source "*" watch --probe fq --count 1 --timeout 3 &&
	for w in w1 w2 w3 w4; do
		wait_for 5 grep -q "watching hopwatch:path-changes and hopwatch:changes at unix:" $w.stderr || exit 1
	done &&
	route d1.paths "$P2" "$L2" "$L3" &&
	wait_for 15 test -s w1.rc &&
	cat w1.stdout w1.stderr &&
	test "$(cat w1.rc)" = 0 &&
	grep -E "^$DATE  cli-host fp/127\.0\.0\.1: path changed at TTL 3$" w1.stdout &&
	grep -E "^>   3  10\.1\.0\.3 +-> 10\.9\.0\.3$" w1.stdout &&
	grep -E "^    4  10\.1\.0\.4 +10\.1\.0\.4$" w1.stdout &&
	for w in w2 w3 w4; do
		wait_for 10 test -s $w.rc &&
		cat $w.stderr &&
		test "$(cat $w.rc)" = 1 &&
		test ! -s $w.stdout &&
		grep -F "timed out after 3s with 0 of 1 changes" $w.stderr || exit 1
	done
'
test_expect_success 'watch: the JSON reader takes escapes, nulls and unknown fields, refuses garbage' '
	spawn w5 "$HOPWATCH" -s "$TRASH/c.sock" --source "*" watch --count 2 --timeout 15 &&
	wait_for 5 grep -q "watching" w5.stderr &&
	for m in "not json" "{\"probe\":\"x\"}" \
		"{\"source\":\"s\",\"probe\":\"p\",\"target\":\"t\",\"old\":[\"bogus\"],\"new\":[],\"first_diff_ttl\":1}" \
		"{\"source\":\"s\",\"probe\":\"p\",\"target\":\"t\",\"old\":[],\"new\":[],\"first_diff_ttl\":1} x" \
		"{\"source\":\"s\",\"probe\":\"p\",\"target\":\"t\",\"old\":[],\"new\":[],\"first_diff_ttl\":0}" \
		"{\"extra\":{\"a\":[1,-2.5e3,true,false,null,\"x\\\"y\"],\"b\":{}},\"source\":\"s\\u0031\",\"probe\":\"p\",\"target\":\"t\\/a\",\"target_ip\":\"10.0.0.9\",\"ts\":1700000000,\"old\":[\"10.0.0.1\",null],\"new\":[\"10.0.0.2\"],\"first_diff_ttl\":1}" \
		" { \"probe\" : \"q\" , \"target\" : \"fd00::9\" , \"old\" : [ ] , \"new\" : [ null , \"fd00::2\" ] , \"first_diff_ttl\" : 2 } "; do
		rcli c PUBLISH hopwatch:path-changes "$m" >/dev/null || exit 1
	done &&
	wait_for 10 test -s w5.rc &&
	cat w5.stdout w5.stderr &&
	test "$(cat w5.rc)" = 0 &&
	test "$(grep -c "not a change message" w5.stderr)" = 5 &&
	when=$(date -d @1700000000 "+%Y-%m-%d %H:%M:%S") &&
	grep -Fx "$when  s1 p/t/a (10.0.0.9): path changed at TTL 1" w5.stdout &&
	grep -E "^>   1  10\.0\.0\.1 +-> 10\.0\.0\.2$" w5.stdout &&
	grep -E "^    2  \* +-$" w5.stdout &&
	grep -Fx "(time unknown)  ? q/fd00::9: path changed at TTL 2" w5.stdout &&
	grep -E "^>   2  - +-> fd00::2$" w5.stdout
'

# ---------------------------------------------------------------- errors
test_expect_success 'unknown target: exit 1, the known targets listed' '
	test_must_fail HW show nope 2>err &&
	cat err &&
	grep -Fx "hopwatch: no path stored for nope of cli-host (known targets: 127.0.0.1, 127.0.0.2:8080, [::1]:53)" err &&
	test_must_fail HW history 127.0.0.2:8080 --probe fq 2>err &&
	cat err &&
	grep -F "no path or change stored for 127.0.0.2:8080 by probe fq of cli-host (known: 127.0.0.1 (probe fp), 127.0.0.1 (probe fq), 127.0.0.2:8080 (probe fp), [::1]:53 (probe fp))" err &&
	test_must_fail "$HOPWATCH" -s "$TRASH/c.sock" --source elsewhere show 127.0.0.1 2>err &&
	grep -Fx "hopwatch: no path stored for 127.0.0.1 of elsewhere (none); hopwatchd stored paths under the host name cli-host (its hostname setting or the system'"'"'s host name): use --source NAME, or --source '"'"'*'"'"'" err &&
	test_must_fail "$HOPWATCH" -s "$TRASH/c.sock" --source elsewhere --prefix other: show 127.0.0.1 2>err &&
	grep -F "no path stored for 127.0.0.1 of elsewhere (no paths stored at all)" err
'
test_expect_success 'Redis unreachable: exit 1 with a clear message' '
	test_must_fail "$HOPWATCH" -s "$TRASH/none.sock" paths 2>err &&
	cat err &&
	grep -Fx "hopwatch: cannot connect to Redis at unix:$TRASH/none.sock: No such file or directory" err &&
	port=$(free_tcp_port) &&
	test_must_fail "$HOPWATCH" -H 127.0.0.1 -p "$port" show x 2>err &&
	cat err &&
	grep -Fx "hopwatch: cannot connect to Redis at 127.0.0.1:$port: Connection refused" err &&
	test_must_fail "$HOPWATCH" -H ::1 -p "$port" watch 2>err &&
	grep -F "cannot connect to Redis at [::1]:$port: " err
'
test_expect_success 'usage errors: exit 2; -h: exit 0' '
	for args in "" "frobnicate" "show" "history" "paths extra" "-p 0 paths" "-p x paths" \
		"-n -1 paths" "--count 0 watch" "--count 3 paths" "--timeout 1 show x" "--timeout -1 watch" \
		"-H h -s /x paths" "-u hw paths" "--bogus paths"; do
		rc=0 &&
		"$HOPWATCH" $args >out 2>err || rc=$?
		echo "hopwatch $args: $rc $(head -n 1 err)" &&
		test "$rc" = 2 && test -s err && test ! -s out || exit 1
	done &&
	"$HOPWATCH" -h >help &&
	grep "^usage: hopwatch \[options\] COMMAND \[TARGET\]" help &&
	for w in paths show history watch --source --probe --count --timeout --prefix --json; do
		grep -q -- "$w" help || exit 1
	done
'
test_expect_success 'stop' '
	stop d1 && stop d2 &&
	! grep INVALID rx.out
'

test_done
