#!/usr/bin/env python3
"""dashboard-check: is a dashboard JSON one Datadog's dashboard API takes,
and does every query name what hopwatch really sends?

  dashboard-check.py DASHBOARD.json HOPWATCHD.8 [--prefix P] [--cover]

The rules are those of the public dashboard API schema (POST
/api/v1/dashboard; docs.datadoghq.com/api/latest/dashboards and the widget
pages): the dashboard's required title, layout_type and widgets; each
widget's definition and its type's required fields and enums; template
variables with a name and a prefix.  Then hopwatch's own: every $var used
is declared, every metric and service check is one hopwatchd(8) lists in
WHAT IS SENT (with the prefix), percentile aggregators only on
distributions, .as_count() only (and always) on counts.  --cover: every
metric and service check of hopwatchd(8) is on the dashboard.

Prints each problem and exits 1, or prints a summary and exits 0.
"""
import json
import re
import sys

# DashboardLayoutType, WidgetLayoutType (a group's), the widget types of
# WidgetDefinition, WidgetDisplayType (as hopwatch uses it), WidgetGrouping,
# WidgetEventSize.
DASH_LAYOUTS = {"ordered", "free"}
GROUP_LAYOUTS = {"ordered"}
WIDGET_TYPES = {
    "alert_graph", "alert_value", "change", "check_status", "distribution",
    "event_stream", "event_timeline", "free_text", "funnel", "geomap", "group",
    "heatmap", "hostmap", "iframe", "image", "list_stream", "log_stream",
    "manage_status", "note", "powerpack", "query_table", "query_value",
    "run_workflow", "scatterplot", "slo", "slo_list", "servicemap", "split_group",
    "sunburst", "timeseries", "toplist", "topology_map", "trace_service", "treemap",
}
DISPLAY_TYPES = {"line", "bars", "area"}
DASH_KEYS = {"title", "description", "layout_type", "widgets", "template_variables",
             "notify_list", "reflow_type", "is_read_only", "template_variable_presets",
             "tags", "id"}
VAR_KEYS = {"name", "prefix", "default", "defaults", "available_values"}
PERCENTILES = {"p50", "p75", "p90", "p95", "p99"}
AGGREGATORS = {"avg", "sum", "min", "max"} | PERCENTILES
QUERY = re.compile(r"^(?P<agg>[a-z0-9]+):(?P<metric>[A-Za-z0-9_.]+)\{(?P<filter>[^{}]*)\}"
                   r"(?: by \{(?P<by>[a-z_]+(?:,[a-z_]+)*)\})?(?P<fn>\.as_count\(\))?$")
VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")

problems = []


def bad(where, what):
    problems.append(f"{where}: {what}")


def man_lists(path):
    """Metrics (name -> type) and service checks of hopwatchd(8) WHAT IS SENT."""
    metrics, checks, part, on = {}, set(), None, False
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith(".SH "):
            on = line == ".SH WHAT IS SENT"
            continue
        if not on:
            continue
        if line.startswith(".SS "):
            part = line[4:].strip('"')
            continue
        if not re.match(r"^\.BR? hopwatch\.", line):
            continue
        names = re.findall(r"hopwatch\.[a-z_.]*[a-z_]", line)
        if part == "Metrics":
            m = re.search(r'" \(([a-z]+)', line)
            if not m:
                bad(path, f"no type for {names}")
                continue
            for n in names:
                metrics[n[len("hopwatch."):]] = m.group(1)
        elif part == "Service checks":
            checks.update(n[len("hopwatch."):] for n in names)
    return metrics, checks


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    prefix, cover = "hopwatch.", "--cover" in argv
    if "--prefix" in argv:
        prefix = argv[argv.index("--prefix") + 1]
        args.remove(prefix)
    if len(args) != 2:
        sys.exit("usage: dashboard-check.py DASHBOARD.json HOPWATCHD.8 [--prefix P] [--cover]")
    metrics, checks = man_lists(args[1])
    if len(metrics) < 40 or len(checks) < 4:
        sys.exit(f"{args[1]}: only {len(metrics)} metrics and {len(checks)} service checks found")
    d = json.load(open(args[0], encoding="utf-8"))
    used_metrics, used_checks, nwidgets, nqueries = set(), set(), 0, 0

    if not isinstance(d, dict):
        sys.exit(f"{args[0]}: not a JSON object")
    for k in ("title", "layout_type", "widgets"):
        if k not in d:
            bad("dashboard", f"required field {k} is missing")
    if not isinstance(d.get("title"), str) or not d.get("title"):
        bad("dashboard", "title must be a non-empty string")
    if d.get("layout_type") not in DASH_LAYOUTS:
        bad("dashboard", f"layout_type {d.get('layout_type')!r} not in {sorted(DASH_LAYOUTS)}")
    for k in d:
        if k not in DASH_KEYS:
            bad("dashboard", f"unknown field {k}")
    declared = set()
    for i, v in enumerate(d.get("template_variables", [])):
        where = f"template_variables[{i}]"
        if not isinstance(v, dict) or not isinstance(v.get("name"), str) or not v["name"]:
            bad(where, "needs a name")
            continue
        if not isinstance(v.get("prefix"), str) or not v["prefix"]:
            bad(where, "needs a prefix (the tag it filters)")
        for k in v:
            if k not in VAR_KEYS:
                bad(where, f"unknown field {k}")
        for k in ("defaults", "available_values"):
            if k in v and not (isinstance(v[k], list) and all(isinstance(x, str) for x in v[k])):
                bad(where, f"{k} must be a list of strings")
        if v["name"] in declared:
            bad(where, f"{v['name']} declared twice")
        declared.add(v["name"])

    def vars_declared(where, text):
        for name in VAR.findall(text):
            if name not in declared:
                bad(where, f"${name} is not a template variable")

    def query(where, q):
        nonlocal nqueries
        nqueries += 1
        vars_declared(where, q)
        for part in q.split(", "):
            m = QUERY.match(part)
            if not m:
                bad(where, f"query {part!r} is not agg:metric{{filter}} [by {{tags}}][.as_count()]")
                continue
            agg, metric, fn = m.group("agg"), m.group("metric"), m.group("fn")
            for f in m.group("filter").split(","):
                if not (re.match(r"^\$[a-z_]+$", f) or re.match(r"^!?[a-z_]+:[A-Za-z0-9_.:*/-]+$", f) or f == "*"):
                    bad(where, f"filter {f!r} is neither $var nor tag:value")
            if agg not in AGGREGATORS:
                bad(where, f"aggregator {agg} not in {sorted(AGGREGATORS)}")
            if not metric.startswith(prefix):
                bad(where, f"{metric}: not under the prefix {prefix}")
                continue
            name = metric[len(prefix):]
            used_metrics.add(name)
            kind = metrics.get(name)
            if kind is None:
                bad(where, f"{metric}: hopwatch sends no such metric (hopwatchd(8) WHAT IS SENT)")
                continue
            if agg in PERCENTILES and kind != "distribution":
                bad(where, f"{agg} of {metric}, a {kind}: percentiles are only for distributions")
            if kind == "count" and (fn != ".as_count()" or agg != "sum"):
                bad(where, f"{metric} is a count: sum:...as_count()")
            if kind != "count" and fn:
                bad(where, f"{metric} is a {kind}: no .as_count()")

    def widget(where, w, in_group):
        nonlocal nwidgets
        nwidgets += 1
        if not isinstance(w, dict) or not isinstance(w.get("definition"), dict):
            bad(where, "needs a definition object")
            return
        if d.get("layout_type") == "free" and not in_group:
            lay = w.get("layout")
            if not isinstance(lay, dict) or any(k not in lay for k in ("x", "y", "width", "height")):
                bad(where, "a free layout needs layout {x, y, width, height}")
        df = w["definition"]
        t = df.get("type")
        where = f"{where} ({t} {df.get('title', '')!r})"
        if t not in WIDGET_TYPES:
            bad(where, f"type {t!r} is not a widget type")
            return
        if "title" in df and not isinstance(df["title"], str):
            bad(where, "title must be a string")
        if t == "group":
            if in_group:
                bad(where, "a group cannot hold a group")
            if df.get("layout_type") not in GROUP_LAYOUTS:
                bad(where, f"a group needs layout_type in {sorted(GROUP_LAYOUTS)}")
            ws = df.get("widgets")
            if not isinstance(ws, list) or not ws:
                bad(where, "a group needs widgets")
                return
            for i, sub in enumerate(ws):
                widget(f"{where}.widgets[{i}]", sub, True)
        elif t == "timeseries":
            reqs = df.get("requests")
            if not isinstance(reqs, list) or not reqs:
                bad(where, "a timeseries needs requests")
                return
            for i, r in enumerate(reqs):
                rw = f"{where}.requests[{i}]"
                if "q" in r:
                    if not isinstance(r["q"], str):
                        bad(rw, "q must be a string")
                    else:
                        query(rw, r["q"])
                elif isinstance(r.get("queries"), list) and isinstance(r.get("formulas"), list):
                    for qq in r["queries"]:
                        if qq.get("data_source") == "metrics" and isinstance(qq.get("query"), str):
                            query(rw, qq["query"])
                else:
                    bad(rw, "needs q, or queries and formulas")
                if r.get("display_type", "line") not in DISPLAY_TYPES:
                    bad(rw, f"display_type {r.get('display_type')!r} not in {sorted(DISPLAY_TYPES)}")
        elif t == "check_status":
            if not isinstance(df.get("check"), str):
                bad(where, "a check_status needs check")
            elif not df["check"].startswith(prefix) or df["check"][len(prefix):] not in checks:
                bad(where, f"{df['check']}: hopwatch sends no such service check")
            else:
                used_checks.add(df["check"][len(prefix):])
            if df.get("grouping") not in ("check", "cluster"):
                bad(where, "grouping must be check or cluster")
            for k in ("group_by", "tags"):
                if k in df and not (isinstance(df[k], list) and all(isinstance(x, str) for x in df[k])):
                    bad(where, f"{k} must be a list of strings")
            for tag in df.get("tags", []):
                vars_declared(where, tag)
        elif t == "event_stream":
            if not isinstance(df.get("query"), str):
                bad(where, "an event_stream needs query")
            else:
                vars_declared(where, df["query"])
            if "event_size" in df and df["event_size"] not in ("s", "l"):
                bad(where, "event_size must be s or l")
        elif t == "note":
            if not isinstance(df.get("content"), str):
                bad(where, "a note needs content")

    ws = d.get("widgets")
    if not isinstance(ws, list) or not ws:
        bad("dashboard", "widgets must be a non-empty list")
    else:
        for i, w in enumerate(ws):
            widget(f"widgets[{i}]", w, False)
    if cover:
        for name in sorted(set(metrics) - used_metrics):
            bad("dashboard", f"metric {prefix}{name} ({metrics[name]}) is on no widget")
        for name in sorted(checks - used_checks):
            bad("dashboard", f"service check {prefix}{name} is on no widget")
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"ok: {nwidgets} widgets, {nqueries} queries, {len(used_metrics)} of {len(metrics)} metrics, "
          f"{len(used_checks)} of {len(checks)} service checks, variables {sorted(declared)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
