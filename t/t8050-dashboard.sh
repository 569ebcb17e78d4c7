#!/bin/bash
# t8050-dashboard: `hopwatch dashboard` and contrib/datadog/dashboard.json.
#   The shipped file is exactly what `hopwatch dashboard` prints (make
#   dashboard): one table (src/cli/dashboard.c) makes both.  Both it and
#   the dashboard of a configuration (-c) pass t/lib/dashboard-check.py:
#   the fields Datadog's dashboard API requires, declared template
#   variables, and only metrics and service checks hopwatchd(8) lists, with
#   the configured prefix; the shipped one shows every one of them.  The
#   checker itself refuses broken dashboards.
. "$(dirname "$0")/test-lib.sh"

require_cmd python3
HOPWATCH=$SRCDIR/src/hopwatch
CHECK="python3 $SRCDIR/t/lib/dashboard-check.py"
MAN8=$SRCDIR/contrib/man/hopwatchd.8
[ -x "$HOPWATCH" ] || skip_all "hopwatch is not built (run make)"

# exit_is N CMD...: CMD exits with status N.
exit_is() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	[ "$rc" = "$want" ] || { echo "exit status $rc, not $want: $*" >&2; return 1; }
}

test_expect_success 'contrib/datadog/dashboard.json is what hopwatch dashboard prints (make dashboard)' '
	"$HOPWATCH" dashboard >gen.json &&
	diff -u "$SRCDIR/contrib/datadog/dashboard.json" gen.json
'
test_expect_success 'shipped dashboard: valid for the API, every metric and service check of hopwatchd(8) on it' '
	$CHECK "$SRCDIR/contrib/datadog/dashboard.json" "$MAN8" --cover >out &&
	cat out &&
	grep -q "^ok: .* 4 of 4 service checks, variables \[.group., .host., .probe., .target.\]" out
'
test_expect_success 'shipped dashboard: a group per plugin built, filtered by $probe; per-hop widgets split by target' '
	python3 - gen.json "$PLUGIN_DIR" <<-\PY
	import glob, json, os, sys
	d = json.load(open(sys.argv[1]))
	groups = {w["definition"]["title"].split(":")[0]: w["definition"] for w in d["widgets"]}
	built = [os.path.basename(p)[:-3] for p in glob.glob(sys.argv[2] + "/*.so")]
	assert len(built) >= 5, built
	for p in built:
	    g = groups[p]
	    assert g["type"] == "group" and g["widgets"], p
	    for w in g["widgets"]:
	        for r in w["definition"].get("requests", []):
	            assert "$probe" in r["q"] and "$host" in r["q"], r["q"]
	hop = [r["q"] for w in groups["path"]["widgets"] for r in w["definition"].get("requests", [])
	       if ".path.hop." in r["q"]]
	assert len(hop) == 7, hop
	for q in hop:
	    assert q.endswith(" by {target,hop}") and "$target" in q, q
	PY
'

cat >"$TRASH/d.conf" <<-\EOF
prefix = "net.";
include_dir = "d.conf.d";
redis = { host = "127.0.0.1"; };
probes = (
  { name = "lan"; plugin = "icmp"; targets = { prod = [ "10.1.0.1" ]; staging = [ "10.2.0.1" ]; }; },
  { name = "trace"; plugin = "path"; targets = ( "10.1.0.1", "DB1.example.com:443", ("fd00::1", 80) ); },
  { name = "wide"; plugin = "path"; targets = [ "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5",
                                                "10.0.0.6", "10.0.0.7", "10.0.0.8", "10.0.0.9" ]; },
  { name = "odd"; plugin = "fakepath"; targets = [ "10.1.0.1" ]; }
);
EOF
mkdir "$TRASH/d.conf.d"
cat >"$TRASH/d.conf.d/10-web.conf" <<-\EOF
probes = ( { name = "web"; plugin = "tcp"; targets = { edge = [ "10.3.0.1:443" ]; }; } );
EOF

test_expect_success '-c: a group per probe instance (include_dir too), filtered by probe:NAME, with the prefix; per-hop widgets per target' '
	"$HOPWATCH" -c d.conf dashboard >c.json &&
	$CHECK c.json "$MAN8" --prefix net. &&
	python3 - c.json <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	titles = [w["definition"]["title"] for w in d["widgets"]]
	print(titles)
	assert titles[0].startswith("hopwatchd: rounds"), titles
	assert any(t.startswith("hopwatchd: Redis") for t in titles), titles
	inst = [t for t in titles if t.startswith("probe ")]
	assert [t.split()[1] for t in inst] == ["lan", "trace", "wide", "odd", "web"], inst
	assert inst[0].startswith("probe lan (icmp: ") and inst[4].startswith("probe web (tcp: "), inst
	by = {t.split()[1]: w["definition"]["widgets"] for t, w in zip(titles, d["widgets"]) if t.startswith("probe ")}
	for name in ("lan", "trace", "wide", "web"):
	    qs = [r["q"] for w in by[name] for r in w["definition"].get("requests", [])]
	    assert qs and all("probe:" + name in q and ":net." in q and "$probe" not in q for q in qs), qs
	checks = [w["definition"] for w in by["lan"] if w["definition"]["type"] == "check_status"]
	assert checks[0]["check"] == "net.icmp.can_reach" and "probe:lan" in checks[0]["tags"], checks
	assert [w["definition"]["type"] for w in by["odd"]] == ["note"], by["odd"]
	assert "fakepath" in by["odd"][0]["definition"]["content"]
	hop = lambda name: [(w["definition"]["title"], w["definition"]["requests"][0]["q"]) for w in by[name]
	                    if ".path.hop." in str(w["definition"].get("requests"))]
	# up to 8 targets: per-hop widgets one a target, filtered by its (lowercase) target: tag
	assert hop("trace") == [
	    ("Per-hop RTT (ms) to 10.1.0.1", "avg:net.path.hop.rtt{$host,probe:trace,target:10.1.0.1} by {hop}"),
	    ("Per-hop RTT (ms) to db1.example.com",
	     "avg:net.path.hop.rtt{$host,probe:trace,target:db1.example.com} by {hop}"),
	    ("Per-hop RTT (ms) to fd00::1", "avg:net.path.hop.rtt{$host,probe:trace,target:fd00::1} by {hop}"),
	    ("Per-hop loss (%) to 10.1.0.1", "max:net.path.hop.loss{$host,probe:trace,target:10.1.0.1} by {hop}"),
	    ("Per-hop loss (%) to db1.example.com",
	     "max:net.path.hop.loss{$host,probe:trace,target:db1.example.com} by {hop}"),
	    ("Per-hop loss (%) to fd00::1", "max:net.path.hop.loss{$host,probe:trace,target:fd00::1} by {hop}"),
	    ("Per-hop response (%) of 10.1.0.1",
	     "avg:net.path.hop.response{$host,probe:trace,target:10.1.0.1} by {hop}"),
	    ("Per-hop response (%) of db1.example.com",
	     "avg:net.path.hop.response{$host,probe:trace,target:db1.example.com} by {hop}"),
	    ("Per-hop response (%) of fd00::1",
	     "avg:net.path.hop.response{$host,probe:trace,target:fd00::1} by {hop}"),
	    # mtr per-hop figures, off by default: one widget each, a line per target and hop
	    ("Per-hop best and worst RTT (ms; off by default: metrics_add = [\"hop.*\"])",
	     "min:net.path.hop.rtt.min{$host,probe:trace,$target,$group} by {target,hop}"),
	    ("Per-hop RTT standard deviation and jitter (ms; off by default: metrics_add = [\"hop.*\"])",
	     "avg:net.path.hop.rtt.stddev{$host,probe:trace,$target,$group} by {target,hop}"),
	], hop("trace")
	# more: one widget, a line per target and hop
	assert [q for t, q in hop("wide")] == [
	    "avg:net.path.hop.rtt{$host,probe:wide,$target,$group} by {target,hop}",
	    "max:net.path.hop.loss{$host,probe:wide,$target,$group} by {target,hop}",
	    "avg:net.path.hop.response{$host,probe:wide,$target,$group} by {target,hop}",
	    "min:net.path.hop.rtt.min{$host,probe:wide,$target,$group} by {target,hop}",
	    "avg:net.path.hop.rtt.stddev{$host,probe:wide,$target,$group} by {target,hop}"], hop("wide")
	tv = {v["name"]: v for v in d["template_variables"]}
	assert sorted(tv) == ["group", "host", "probe", "target"], tv
	assert tv["probe"]["available_values"] == ["lan", "trace", "wide", "odd", "web"], tv["probe"]
	assert tv["group"]["available_values"] == ["edge", "prod", "staging"], tv["group"]
	PY
'
test_expect_success '-c without Redis: no Redis group' '
	printf "probes = ( { name = \"x\"; plugin = \"conn\"; } );\n" >n.conf &&
	"$HOPWATCH" -c n.conf dashboard >n.json &&
	$CHECK n.json "$MAN8" &&
	! grep -q "Redis" n.json &&
	grep -q "probe x (conn: " n.json
'
test_expect_success 'dashboard: usage errors exit 2, a configuration that is not valid 1' '
	exit_is 2 "$HOPWATCH" -H 127.0.0.1 dashboard 2>err &&
	grep -q "dashboard takes only -c" err &&
	exit_is 2 "$HOPWATCH" dashboard extra 2>err &&
	printf "interval = \"soon\";\n" >bad.conf &&
	exit_is 1 "$HOPWATCH" -c bad.conf dashboard 2>err &&
	grep -q "bad.conf" err &&
	printf "probes = ( { plugin = \"icmp\"; } );\n" >noname.conf &&
	exit_is 1 "$HOPWATCH" -c noname.conf dashboard 2>err &&
	grep -q "noname.conf:1: a probe needs a name and a plugin" err &&
	printf "probes = ( { name = \"a}b\"; plugin = \"icmp\"; targets = [ \"10.1.0.1\" ]; } );\n" >odd.conf &&
	exit_is 1 "$HOPWATCH" -c odd.conf dashboard 2>err &&
	grep -q "odd.conf:1: probe name \"a}b\": use 1 to 64 letters" err
'

# bad NAME PYTHON-EDIT [--cover]: the shipped dashboard, changed by
# PYTHON-EDIT (on d), must be refused by the checker with a message
# matching NAME.
bad() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $2; json.dump(d, open(sys.argv[2], \"w\"))" \
		gen.json broken.json &&
	exit_is 1 $CHECK broken.json "$MAN8" ${3:-} >out &&
	cat out &&
	grep -q "$1" out
}
G='d["widgets"][2]["definition"]["widgets"]'
test_expect_success 'the checker refuses what the API or hopwatch would not take' '
	bad "required field title" "del d[\"title\"]" &&
	bad "layout_type .grid." "d[\"layout_type\"] = \"grid\"" &&
	bad "needs a prefix" "del d[\"template_variables\"][0][\"prefix\"]" &&
	bad "is not a widget type" "$G[0][\"definition\"][\"type\"] = \"graph\"" &&
	bad "display_type .dots." "$G[0][\"definition\"][\"requests\"][0][\"display_type\"] = \"dots\"" &&
	bad "needs q, or queries and formulas" "del $G[0][\"definition\"][\"requests\"][0][\"q\"]" &&
	bad "a group needs layout_type" "del d[\"widgets\"][2][\"definition\"][\"layout_type\"]" &&
	bad "\$site is not a template variable" "$G[0][\"definition\"][\"requests\"][0][\"q\"] = \"avg:hopwatch.icmp.rtt.avg{\$site} by {target}\"" &&
	bad "hopwatch sends no such metric" "$G[0][\"definition\"][\"requests\"][0][\"q\"] = \"avg:hopwatch.icmp.latency{\$host} by {target}\"" &&
	bad "percentiles are only for distributions" "$G[0][\"definition\"][\"requests\"][0][\"q\"] = \"p95:hopwatch.icmp.rtt.avg{\$host}\"" &&
	bad "is a count: sum" "$G[0][\"definition\"][\"requests\"][0][\"q\"] = \"avg:hopwatch.icmp.sent{\$host}\"" &&
	bad "no such service check" "[w for w in $G if w[\"definition\"][\"type\"] == \"check_status\"][0][\"definition\"][\"check\"] = \"hopwatch.icmp.up\"" &&
	bad "metric hopwatch.icmp.jitter (gauge) is on no widget" "[w for w in $G if \"jitter\" in w[\"definition\"][\"title\"].lower()][0][\"definition\"][\"requests\"].pop(0)" --cover
'
test_done
