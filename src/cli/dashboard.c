/*
 * dashboard.c: `hopwatch dashboard`, a Datadog dashboard (the JSON of the
 * dashboard API, POST /api/v1/dashboard) made from one table: the widgets
 * that fit each plugin.  The same table makes the shipped
 * contrib/datadog/dashboard.json (`make dashboard`, no -c: a group per
 * plugin, filtered by the $probe template variable) and the dashboard of a
 * configuration (-c FILE: a group per probe instance, filtered by its
 * probe:NAME tag).  t/t8050-dashboard.sh checks both against the fields the
 * API requires and every metric against hopwatchd(8).
 *
 * Every query uses the template variables $host, $probe, $target and
 * $group, and the configured metric prefix ("hopwatch." by default).
 */
#include <dirent.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Which template variables a query is filtered by: the tags its metric has. */
enum dash_scope {
	SC_TARGET,  /* per target: $host, the probe, $target, $group */
	SC_PROBE,   /* per instance (no target tag): $host and the probe */
	SC_HOST,    /* the daemon's own (statsd, redis): $host only */
};

/* One metric query of a timeseries widget. */
struct dash_query {
	const char *agg;     /* space aggregator: avg, max, min, sum, p50, p95 */
	const char *metric;  /* the name without the prefix: "icmp.rtt.avg" */
	const char *filter;  /* an extra tag filter ("rcode:nxdomain"), or NULL */
	const char *by;      /* the tags each series is split by ("target,hop"), or NULL */
	int count;           /* 1: a count, shown with .as_count() */
	enum dash_scope scope; /* which template variables filter it */
};

/* The kinds of widget the table makes. */
enum dash_kind {
	W_TIMESERIES,  /* a timeseries of up to 3 queries */
	W_CHECK,       /* check_status of a service check, grouped by `check_by` */
	W_EVENTS,      /* event_stream of hopwatch's events */
};

/* One widget of a plugin. */
struct dash_widget {
	enum dash_kind kind;         /* what it is */
	const char *title;           /* its title */
	const char *display;         /* timeseries: line, bars or area */
	struct dash_query q[3];      /* timeseries: its queries (metric NULL ends them) */
	const char *check;           /* W_CHECK: the service check without the prefix */
	const char *check_by;        /* W_CHECK: the tag each status is shown for */
	const char *per_target;      /* -c, an instance of at most DASH_PER_TARGET targets: one widget
	                              * a target instead, titled this and the target, filtered by
	                              * target:HOST and no longer split by target; NULL: one widget */
};

/* Most targets an instance may have for its per_target widgets to be made
 * one a target; with more, one widget holds a line per target. */
#define DASH_PER_TARGET 8

/* The widgets of one plugin (or of the daemon itself: plugin NULL). */
struct dash_plugin {
	const char *plugin;              /* plugin name as in `plugin = "..."`, NULL: the daemon */
	const char *title;               /* what it measures, in the group title */
	const struct dash_widget *w;     /* its widgets */
	size_t n;                        /* how many */
	int redis;                       /* the daemon's Redis widgets: shown with -c only when Redis is set */
};

#define T(...) { __VA_ARGS__, SC_TARGET }
#define P(...) { __VA_ARGS__, SC_PROBE }
#define H(...) { __VA_ARGS__, SC_HOST }
#define NW(a) (sizeof(a) / sizeof(a)[0])

static const struct dash_widget w_icmp[] = {
	{ W_TIMESERIES, "RTT avg (ms, every reply) by target", "line", { T("avg", "icmp.rtt", NULL, "target", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "RTT p50 and p95 (ms, every reply) by target", "line",
	  { T("p50", "icmp.rtt", NULL, "target", 0), T("p95", "icmp.rtt", NULL, "target", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "RTT best, mean and worst of a round (ms; rounds of 2 or more replies) by target", "line",
	  { T("min", "icmp.rtt.min", NULL, "target", 0), T("avg", "icmp.rtt.avg", NULL, "target", 0),
	    T("max", "icmp.rtt.max", NULL, "target", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Jitter and RTT standard deviation (ms; rounds of 2 or more replies) by target", "line",
	  { T("avg", "icmp.jitter", NULL, "target", 0), T("avg", "icmp.rtt.stddev", NULL, "target", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Loss (%) by target", "bars", { T("max", "icmp.loss", NULL, "target", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Requests sent and replies received (off by default: metrics_add)", "bars",
	  { T("sum", "icmp.sent", NULL, NULL, 1), T("sum", "icmp.received", NULL, NULL, 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Requests without a reply (unreachable, timeout, error)", "bars",
	  { T("sum", "icmp.results", NULL, "result", 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Send errors, duplicate and late replies by target", "bars",
	  { T("sum", "icmp.send_errors", NULL, "target", 1), T("sum", "icmp.duplicates", NULL, "target", 1),
	    T("sum", "icmp.late", NULL, "target", 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Unmatched replies and throttled sends (instance)", "bars",
	  { P("sum", "icmp.unmatched", NULL, "probe", 1), P("sum", "icmp.throttled", NULL, "probe", 1) }, NULL, NULL, NULL },
	{ W_CHECK, "Can reach (echo)", NULL, { { 0 } }, "icmp.can_reach", "target", NULL },
};

static const struct dash_widget w_tcp[] = {
	{ W_TIMESERIES, "Handshake RTT avg (ms, every probe) by target and port", "line",
	  { T("avg", "tcp.rtt", NULL, "target,port", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Handshake RTT p95 (ms, every probe) by target and port", "line",
	  { T("p95", "tcp.rtt", NULL, "target,port", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Handshake RTT best, mean and worst of a round (ms; 2 or more answers) by target and port", "line",
	  { T("min", "tcp.rtt.min", NULL, "target,port", 0), T("avg", "tcp.rtt.avg", NULL, "target,port", 0),
	    T("max", "tcp.rtt.max", NULL, "target,port", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Loss (%) by target and port", "bars", { T("max", "tcp.loss", NULL, "target,port", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Probes sent and answered (off by default: metrics_add)", "bars",
	  { T("sum", "tcp.sent", NULL, NULL, 1), T("sum", "tcp.received", NULL, NULL, 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Results (open, refused, timeout, unreachable, error)", "bars",
	  { T("sum", "tcp.results", NULL, "result", 1) }, NULL, NULL, NULL },
	{ W_CHECK, "Can connect", NULL, { { 0 } }, "tcp.can_connect", "target", NULL },
};

static const struct dash_widget w_path[] = {
	{ W_TIMESERIES, "Hops to the destination by target", "line",
	  { T("avg", "path.hops", NULL, "target", 0), T("avg", "path.unknown_hops", NULL, "target", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Destination reached (1) by target (off by default: metrics_add)", "line",
	  { T("min", "path.reachable", NULL, "target", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Destination RTT (ms) by target", "line", { T("avg", "path.rtt", NULL, "target", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Destination loss (%) by target", "bars", { T("max", "path.loss", NULL, "target", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Per-hop RTT (ms): one line per target and hop (pick a target above)", "line",
	  { T("avg", "path.hop.rtt", NULL, "target,hop", 0) }, NULL, NULL, "Per-hop RTT (ms) to" },
	{ W_TIMESERIES, "Per-hop loss (%): one line per target and hop (pick a target above)", "line",
	  { T("max", "path.hop.loss", NULL, "target,hop", 0) }, NULL, NULL, "Per-hop loss (%) to" },
	{ W_TIMESERIES, "Per-hop response (%): share of probes a hop answered (low alone: ICMP rate limit, not loss)",
	  "line", { T("avg", "path.hop.response", NULL, "target,hop", 0) }, NULL, NULL,
	  "Per-hop response (%) of" },
	{ W_TIMESERIES, "Per-hop best and worst RTT (ms; off by default: metrics_add = [\"hop.*\"])", "line",
	  { T("min", "path.hop.rtt.min", NULL, "target,hop", 0), T("max", "path.hop.rtt.max", NULL, "target,hop", 0) },
	  NULL, NULL, NULL },
	{ W_TIMESERIES, "Per-hop RTT standard deviation and jitter (ms; off by default: metrics_add = [\"hop.*\"])", "line",
	  { T("avg", "path.hop.rtt.stddev", NULL, "target,hop", 0), T("avg", "path.hop.jitter", NULL, "target,hop", 0) },
	  NULL, NULL, NULL },
	{ W_TIMESERIES, "Trace duration (ms) by target", "line", { T("avg", "path.duration", NULL, "target", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Path changes by target", "bars", { T("sum", "path.changes", NULL, "target", 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Unmatched replies (instance)", "bars", { P("sum", "path.unmatched", NULL, "probe", 1) }, NULL, NULL, NULL },
	{ W_CHECK, "Can reach (trace)", NULL, { { 0 } }, "path.can_reach", "target", NULL },
	{ W_EVENTS, "Path changes", NULL, { { 0 } }, NULL, NULL, NULL },
};

static const struct dash_widget w_dns[] = {
	{ W_TIMESERIES, "Query RTT p95 (ms) by server", "line",
	  { T("p95", "dns.rtt", NULL, "target,server", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Query RTT p95 (ms) by domain (passive)", "line", { P("p95", "dns.rtt", NULL, "domain", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Responses by rcode", "bars", { T("sum", "dns.responses", NULL, "rcode", 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "NXDOMAIN and SERVFAIL by domain (passive)", "bars",
	  { P("sum", "dns.responses", "rcode:nxdomain", "domain", 1),
	    P("sum", "dns.responses", "rcode:servfail", "domain", 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Timeouts by server", "bars", { T("sum", "dns.timeouts", NULL, "target,server", 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Queries seen by server (passive)", "bars", { P("sum", "dns.queries", NULL, "server", 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Answer records by target (query)", "line", { T("avg", "dns.answers", NULL, "target", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Query errors by kind (query)", "bars", { T("sum", "dns.query_errors", NULL, "error", 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Answer changes by target (query)", "bars",
	  { T("sum", "dns.answer_changes", NULL, "target", 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Unmatched responses and capture drops (passive)", "bars",
	  { P("sum", "dns.unmatched", NULL, NULL, 1), P("sum", "dns.capture_drops", NULL, NULL, 1) }, NULL, NULL, NULL },
	{ W_CHECK, "Can resolve", NULL, { { 0 } }, "dns.can_resolve", "target", NULL },
	{ W_EVENTS, "DNS answer changes", NULL, { { 0 } }, NULL, NULL, NULL },
};

static const struct dash_widget w_conn[] = {
	{ W_TIMESERIES, "Established connections by direction and destination", "line",
	  { P("sum", "conn.established", NULL, "direction,dest,port", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Connections opened and closed", "bars",
	  { P("sum", "conn.opened", NULL, "direction", 1), P("sum", "conn.closed", NULL, "direction", 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Bytes sent and received by destination", "area",
	  { P("sum", "conn.bytes_sent", NULL, "dest,port", 1), P("sum", "conn.bytes_received", NULL, "dest,port", 1) },
	  NULL, NULL, NULL },
	{ W_TIMESERIES, "Retransmitted segments by destination", "bars",
	  { P("sum", "conn.retransmits", NULL, "dest,port", 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Connection RTT and RTT variance p95 (ms) by destination", "line",
	  { P("p95", "conn.rtt", NULL, "dest,port", 0), P("p95", "conn.rtt_var", NULL, "dest,port", 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Failed connections by reason and destination", "bars",
	  { P("sum", "conn.failed", NULL, "reason,dest,port", 1) }, NULL, NULL, NULL },
};

static const struct dash_widget w_daemon[] = {
	{ W_TIMESERIES, "Skipped rounds (overruns) by probe and target", "bars",
	  { T("sum", "probe.overruns", NULL, "probe,target", 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Target name lookups: failures and address changes", "bars",
	  { T("sum", "dns.errors", NULL, "target", 1), T("sum", "dns.changes", NULL, "target", 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "DogStatsD datagrams sent, dropped, refused", "bars",
	  { H("sum", "statsd.packets_sent", NULL, NULL, 1), H("sum", "statsd.packets_dropped", NULL, NULL, 1),
	    H("sum", "statsd.packets_refused", NULL, NULL, 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "DogStatsD bytes sent and dropped", "bars",
	  { H("sum", "statsd.bytes_sent", NULL, NULL, 1), H("sum", "statsd.bytes_dropped", NULL, NULL, 1) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "DogStatsD lines queued, dropped (too long), events shortened", "bars",
	  { H("sum", "statsd.metrics", NULL, NULL, 1), H("sum", "statsd.lines_dropped", NULL, NULL, 1),
	    H("sum", "statsd.events_shortened", NULL, NULL, 1) }, NULL, NULL, NULL },
};

static const struct dash_widget w_redis[] = {
	{ W_TIMESERIES, "Redis connected (1) and writes queued", "line",
	  { H("min", "redis.connected", NULL, NULL, 0), H("max", "redis.queued", NULL, NULL, 0) }, NULL, NULL, NULL },
	{ W_TIMESERIES, "Redis changes dropped and error replies", "bars",
	  { H("sum", "redis.dropped", NULL, NULL, 1), H("sum", "redis.errors", NULL, NULL, 1) }, NULL, NULL, NULL },
};

/* The one table: plugin name -> widgets.  The daemon's own groups come
 * first, then the plugins in the order of the shipped dashboard. */
static const struct dash_plugin dash_table[] = {
	{ NULL, "hopwatchd: rounds, lookups, DogStatsD delivery", w_daemon, NW(w_daemon), 0 },
	{ NULL, "hopwatchd: Redis path store", w_redis, NW(w_redis), 1 },
	{ "icmp", "echo latency, jitter and loss", w_icmp, NW(w_icmp), 0 },
	{ "tcp", "handshake latency", w_tcp, NW(w_tcp), 0 },
	{ "path", "hop-by-hop route, latency and loss", w_path, NW(w_path), 0 },
	{ "dns", "DNS server health", w_dns, NW(w_dns), 0 },
	{ "conn", "TCP connections of the host", w_conn, NW(w_conn), 0 },
};

/* One group of the dashboard to make: a plugin's widgets for a probe. */
struct dash_group {
	const struct dash_plugin *dp; /* the widgets, or NULL: a plugin the table does not know */
	const char *plugin;           /* the plugin's name */
	const char *probe;            /* the instance name (-c), or NULL: every probe ($probe) */
	const struct strv *targets;   /* -c: the target hosts of the instance, or NULL */
};

/* What the dashboard is made of. */
struct dash_ctx {
	const char *prefix;       /* metric prefix, "hopwatch." by default */
	struct strv probes;       /* -c: instance names, in config order */
	struct strv plugins;      /* -c: the plugin of each instance */
	struct strv groups;       /* -c: every target group name, sorted, once */
	struct strv *targets;     /* -c: the target hosts of each instance, lowercase (its tag) */
};

/* Die when memory ran out making `v`; return it. */
static json_t *must(json_t *v)
{
	if (!v)
		cli_die("dashboard: out of memory");
	return v;
}

/* The tag filter of a query: its template variables, the probe, the extra filter. */
static void dash_filter(char *buf, size_t cap, enum dash_scope sc, const char *probe, const char *target,
                        const char *extra)
{
	size_t n = (size_t)snprintf(buf, cap, "$host");
	if (sc != SC_HOST) {
		if (probe)
			n += (size_t)snprintf(buf + n, cap > n ? cap - n : 0, ",probe:%s", probe);
		else
			n += (size_t)snprintf(buf + n, cap > n ? cap - n : 0, ",$probe");
	}
	if (sc == SC_TARGET && target)
		n += (size_t)snprintf(buf + n, cap > n ? cap - n : 0, ",target:%s", target);
	else if (sc == SC_TARGET)
		n += (size_t)snprintf(buf + n, cap > n ? cap - n : 0, ",$target,$group");
	if (extra)
		snprintf(buf + n, cap > n ? cap - n : 0, ",%s", extra);
}

/* A timeseries widget's definition; with `target`, the per_target one of
 * that target (its own title, filtered by target:HOST, not split by target). */
static json_t *dash_timeseries(const struct dash_ctx *c, const struct dash_widget *w, const char *probe,
                               const char *target)
{
	json_t *reqs = must(json_array());
	char title[512];
	for (size_t i = 0; i < NW(w->q) && w->q[i].metric; i++) {
		const struct dash_query *q = &w->q[i];
		const char *by = q->by;
		char filter[512], query[1024];
		if (target && by && !strncmp(by, "target,", 7))
			by += 7;
		dash_filter(filter, sizeof filter, q->scope, probe, target, q->filter);
		snprintf(query, sizeof query, "%s:%s%s{%s}%s%s%s%s", q->agg, c->prefix, q->metric, filter,
		         by ? " by {" : "", by ? by : "", by ? "}" : "", q->count ? ".as_count()" : "");
		json_array_append_new(reqs, must(json_pack("{s:s, s:s}", "q", query, "display_type", w->display)));
	}
	if (target)
		snprintf(title, sizeof title, "%s %s", w->per_target, target);
	else
		snprintf(title, sizeof title, "%s", w->title);
	return must(json_pack("{s:s, s:s, s:b, s:o}", "type", "timeseries", "title", title,
	                      "show_legend", 1, "requests", reqs));
}

/* A check_status widget's definition. */
static json_t *dash_check(const struct dash_ctx *c, const struct dash_widget *w, const char *probe)
{
	char check[256], ptag[256];
	snprintf(check, sizeof check, "%s%s", c->prefix, w->check);
	if (probe)
		snprintf(ptag, sizeof ptag, "probe:%s", probe);
	else
		snprintf(ptag, sizeof ptag, "$probe");
	return must(json_pack("{s:s, s:s, s:s, s:s, s:[s], s:[s, s, s, s]}", "type", "check_status",
	                      "title", w->title, "check", check, "grouping", "cluster", "group_by", w->check_by,
	                      "tags", "$host", ptag, "$target", "$group"));
}

/* An event_stream widget's definition: hopwatch's events of the probe. */
static json_t *dash_events(const struct dash_widget *w, const char *probe)
{
	char query[512];
	if (probe)
		snprintf(query, sizeof query, "sources:hopwatch $host probe:%s $target $group", probe);
	else
		snprintf(query, sizeof query, "sources:hopwatch $host $probe $target $group");
	return must(json_pack("{s:s, s:s, s:s, s:s}", "type", "event_stream", "title", w->title,
	                      "query", query, "event_size", "l"));
}

/* The group widget of one plugin (for one probe, or for every one). */
static json_t *dash_group(const struct dash_ctx *c, const struct dash_group *g)
{
	json_t *ws = must(json_array());
	char title[512];

	if (!g->dp) {
		char text[512];
		snprintf(text, sizeof text,
		         "hopwatch knows no widgets for plugin `%s`: see what it sends in its documentation.", g->plugin);
		json_array_append_new(ws, must(json_pack("{s:{s:s, s:s}}", "definition", "type", "note", "content", text)));
	}
	for (size_t i = 0; g->dp && i < g->dp->n; i++) {
		const struct dash_widget *w = &g->dp->w[i];
		if (w->per_target && g->targets && g->targets->n && g->targets->n <= DASH_PER_TARGET) {
			for (size_t t = 0; t < g->targets->n; t++)
				json_array_append_new(ws, must(json_pack("{s:o}", "definition",
				                                         dash_timeseries(c, w, g->probe, g->targets->v[t]))));
			continue;
		}
		json_t *d = w->kind == W_TIMESERIES ? dash_timeseries(c, w, g->probe, NULL)
		          : w->kind == W_CHECK      ? dash_check(c, w, g->probe)
		                                    : dash_events(w, g->probe);
		json_array_append_new(ws, must(json_pack("{s:o}", "definition", d)));
	}
	if (g->probe)
		snprintf(title, sizeof title, "probe %s (%s%s%s)", g->probe, g->plugin,
		         g->dp ? ": " : "", g->dp ? g->dp->title : "");
	else if (g->plugin)
		snprintf(title, sizeof title, "%s: %s", g->plugin, g->dp->title);
	else
		snprintf(title, sizeof title, "%s", g->dp->title);
	return must(json_pack("{s:{s:s, s:s, s:s, s:o}}", "definition", "type", "group", "title", title,
	                      "layout_type", "ordered", "widgets", ws));
}

/* A template variable; with -c its available values are the configured ones. */
static json_t *dash_var(const char *name, const struct strv *values)
{
	json_t *v = must(json_pack("{s:s, s:s, s:[s]}", "name", name, "prefix", name, "defaults", "*"));
	if (values && values->n) {
		json_t *a = must(json_array());
		for (size_t i = 0; i < values->n; i++)
			json_array_append_new(a, must(json_string(values->v[i])));
		json_object_set_new(v, "available_values", a);
	}
	return v;
}

/* The table entry of `plugin`, or NULL. */
static const struct dash_plugin *dash_find(const char *plugin)
{
	for (size_t i = 0; i < NW(dash_table); i++)
		if (dash_table[i].plugin && !strcmp(dash_table[i].plugin, plugin))
			return &dash_table[i];
	return NULL;
}

/* Add each group name of a probe's targets (a group of lists) to c->groups, once. */
static void read_groups(struct dash_ctx *c, const config_setting_t *targets)
{
	if (!targets || config_setting_type(targets) != CONFIG_TYPE_GROUP)
		return;
	for (int i = 0; i < config_setting_length(targets); i++) {
		const char *name = config_setting_name(config_setting_get_elem(targets, (unsigned)i));
		size_t k = 0;
		while (k < c->groups.n && strcmp(c->groups.v[k], name))
			k++;
		if (k == c->groups.n)
			strv_add(&c->groups, name);
	}
}

/* Add the host of one target entry ("host", "host:port", "[v6]:port",
 * ("host", port) or { host = "..."; }) to `out`, lowercase as its
 * target: tag reads in Datadog, once; what hopwatchd would refuse is left
 * to hopwatchd -t. */
static void add_target(struct strv *out, const config_setting_t *e)
{
	const char *s = NULL, *why;
	char host[256];
	uint16_t port;

	if (config_setting_type(e) == CONFIG_TYPE_STRING)
		s = config_setting_get_string(e);
	else if (config_setting_type(e) == CONFIG_TYPE_LIST && config_setting_length(e) > 0)
		s = config_setting_get_string_elem(e, 0);
	else if (config_setting_type(e) == CONFIG_TYPE_GROUP)
		config_setting_lookup_string(e, "host", &s);
	if (!s)
		return;
	if (config_setting_type(e) == CONFIG_TYPE_STRING) {
		if (conf_parse_hostport(s, host, sizeof host, &port, &why) < 0)
			return;
	} else {
		snprintf(host, sizeof host, "%s", s);
	}
	for (char *p = host; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (size_t i = 0; i < out->n; i++)
		if (!strcmp(out->v[i], host))
			return;
	strv_add(out, host);
}

/* The target hosts of a probe's `targets` (a list, or a group of lists). */
static void read_targets(struct strv *out, const config_setting_t *targets)
{
	if (!targets)
		return;
	for (int i = 0; i < config_setting_length(targets); i++) {
		const config_setting_t *e = config_setting_get_elem(targets, (unsigned)i);
		if (config_setting_type(targets) == CONFIG_TYPE_GROUP)
			for (int k = 0; k < config_setting_length(e); k++)
				add_target(out, config_setting_get_elem(e, (unsigned)k));
		else
			add_target(out, e);
	}
}

/* Add the probes of one parsed file; dies on a probe without name or plugin. */
static void read_probes(struct dash_ctx *c, config_t *cf, const char *file)
{
	const config_setting_t *ps = config_lookup(cf, "probes");
	for (int i = 0; ps && i < config_setting_length(ps); i++) {
		const config_setting_t *p = config_setting_get_elem(ps, (unsigned)i);
		const char *name = NULL, *plugin = NULL;
		if (!config_setting_lookup_string(p, "name", &name) || !config_setting_lookup_string(p, "plugin", &plugin))
			cli_die("%s:%d: a probe needs a name and a plugin", file, config_setting_source_line(p));
		/* the name goes into queries as probe:NAME: hopwatchd's rule */
		if (!name[0] || strlen(name) > 64 ||
		    name[strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")])
			cli_die("%s:%d: probe name \"%s\": use 1 to 64 letters, digits, '_', '.' or '-'", file,
			        config_setting_source_line(p), name);
		strv_add(&c->probes, name);
		strv_add(&c->plugins, plugin);
		if (!(c->targets = realloc(c->targets, c->probes.n * sizeof *c->targets)))
			cli_die("dashboard: out of memory");
		c->targets[c->probes.n - 1] = (struct strv){ 0 };
		read_targets(&c->targets[c->probes.n - 1], config_setting_get_member(p, "targets"));
		read_groups(c, config_setting_get_member(p, "targets"));
	}
}

/* Parse one file with libconfig (@include relative to `dir`) and add its probes. */
static void read_file(struct dash_ctx *c, const char *file, const char *dir)
{
	config_t cf;
	config_init(&cf);
	config_set_include_dir(&cf, dir);
	if (config_read_file(&cf, file) != CONFIG_TRUE)
		cli_die("%s:%d: %s", config_error_file(&cf) ? config_error_file(&cf) : file,
		        config_error_line(&cf), config_error_text(&cf));
	read_probes(c, &cf, file);
	config_destroy(&cf);
}

/* The probes of `file` and of its include_dir (every *.conf, in name
 * order), as hopwatchd reads them; conf_load_core has checked the rest. */
static void read_config(struct dash_ctx *c, const char *file, const char *include_dir)
{
	char dir[4096], inc[8192];
	struct strv names = { 0 };

	snprintf(dir, sizeof dir, "%s", file);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	read_file(c, file, dir);
	if (!include_dir)
		return;
	snprintf(inc, sizeof inc, "%s%s%s", include_dir[0] == '/' ? "" : dir, include_dir[0] == '/' ? "" : "/",
	         include_dir);
	DIR *d = opendir(inc);
	if (!d)
		cli_die("%s: include_dir \"%s\": cannot open", file, include_dir);
	for (struct dirent *de; (de = readdir(d));) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] != '.' && len > 5 && !strcmp(de->d_name + len - 5, ".conf"))
			strv_add(&names, de->d_name);
	}
	closedir(d);
	strv_sort(&names);
	for (size_t i = 0; i < names.n; i++) {
		char path[12288];
		snprintf(path, sizeof path, "%s/%s", inc, names.v[i]);
		read_file(c, path, inc);
	}
	strv_free(&names);
}

json_t *cli_dashboard(const struct hw_config *cfg, const char *file)
{
	struct dash_ctx c = { .prefix = cfg->prefix };
	int have_redis = cfg->redis.host || cfg->redis.socket || cfg->redis.sentinels.n;
	json_t *vars, *widgets = must(json_array()), *d;
	char title[512];

	if (file)
		read_config(&c, file, cfg->include_dir);
	strv_sort(&c.groups);
	for (size_t i = 0; i < NW(dash_table); i++) {
		const struct dash_plugin *dp = &dash_table[i];
		if (dp->plugin && file)
			continue;  /* -c: a group per probe instance, below */
		if (dp->redis && file && !have_redis)
			continue;
		struct dash_group g = { dp, dp->plugin, NULL, NULL };
		json_array_append_new(widgets, dash_group(&c, &g));
	}
	for (size_t i = 0; i < c.probes.n; i++) {
		struct dash_group g = { dash_find(c.plugins.v[i]), c.plugins.v[i], c.probes.v[i], &c.targets[i] };
		json_array_append_new(widgets, dash_group(&c, &g));
	}
	vars = must(json_array());
	json_array_append_new(vars, dash_var("host", NULL));
	json_array_append_new(vars, dash_var("probe", &c.probes));
	json_array_append_new(vars, dash_var("target", NULL));
	json_array_append_new(vars, dash_var("group", &c.groups));
	if (file)
		snprintf(title, sizeof title, "hopwatch: %s", file);
	else
		snprintf(title, sizeof title, "hopwatch: network from the host");
	d = must(json_pack("{s:s, s:s, s:s, s:o, s:o}", "title", title, "description",
	                   "Latency, loss, paths, DNS and connections measured by hopwatchd, and its own "
	                   "delivery health. Made by `hopwatch dashboard`.",
	                   "layout_type", "ordered", "template_variables", vars, "widgets", widgets));
	strv_free(&c.plugins);
	strv_free(&c.groups);
	for (size_t i = 0; i < c.probes.n; i++)
		strv_free(&c.targets[i]);
	free(c.targets);
	strv_free(&c.probes);
	return d;
}
