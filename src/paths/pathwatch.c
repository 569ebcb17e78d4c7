/* pathwatch.c: see pathwatch.h. */
#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <jansson.h>
#include <string.h>

#include "changemsg.h"
#include "dogstatsd.h"
#include "keys.h"
#include "pathwatch.h"

struct pathwatch {
	char *source;                /* this host */
	pathstore *store;            /* confirmed paths */
	redis *redis;                /* writer, or NULL without Redis */
	hopnames *names;             /* hop name cache, or NULL when names are off */
};

/* A bounded appender: like snprintf into buf + *len, failing for good once full. */
static void add(char *buf, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	*len = n < 0 || (size_t)n >= cap - *len ? cap : *len + (size_t)n;
}

/* Close an appender: the length, or 0 when something did not fit. */
static size_t done(char *buf, size_t cap, size_t len)
{
	if (len >= cap) {
		if (cap)
			buf[0] = '\0';
		return 0;
	}
	return len;
}

size_t pathwatch_hop_list(char *buf, size_t cap, const struct path_hops *h)
{
	size_t len = 0;

	if (cap)
		buf[0] = '\0';
	for (unsigned i = 0; i < h->n; i++)
		add(buf, cap, &len, "%s%s", i ? "," : "", h->hop[i][0] ? h->hop[i] : "*");
	return done(buf, cap, len);
}

int pathwatch_parse_hop_list(const char *s, struct path_hops *h)
{
	memset(h, 0, sizeof *h);
	while (*s) {
		const char *end = strchr(s, ',');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		if (h->n >= PATH_MAX_HOPS || !n || n >= sizeof h->hop[0])
			return -1;
		if (!(n == 1 && *s == '*')) {
			struct in6_addr a6;
			struct in_addr a4;
			memcpy(h->hop[h->n], s, n);
			h->hop[h->n][n] = '\0';
			if (inet_pton(AF_INET, h->hop[h->n], &a4) != 1 && inet_pton(AF_INET6, h->hop[h->n], &a6) != 1)
				return -1;
		}
		h->n++;
		s += n;
		if (*s == ',' && !*++s)
			return -1;
	}
	return 0;
}

size_t pathwatch_name_list(char *buf, size_t cap, const struct path_names *nm)
{
	size_t len = 0;

	if (cap)
		buf[0] = '\0';
	for (unsigned i = 0; i < nm->n; i++)
		add(buf, cap, &len, "%s%s", i ? "," : "", nm->name[i]);
	return done(buf, cap, len);
}

int pathwatch_parse_name_list(const char *s, struct path_names *nm)
{
	memset(nm, 0, sizeof *nm);
	if (!*s)
		return 0;
	for (;;) {
		const char *end = strchr(s, ',');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		if (nm->n >= PATH_MAX_HOPS || n >= sizeof nm->name[0])
			return -1;
		memcpy(nm->name[nm->n], s, n);
		nm->name[nm->n][n] = '\0';
		if (n && !hopnames_valid(nm->name[nm->n]))
			return -1;
		nm->n++;
		if (!end)
			return 0;
		s = end + 1;
	}
}

size_t pathwatch_event_title(char *buf, size_t cap, const char *target)
{
	size_t len = 0;

	add(buf, cap, &len, "Path to %s changed", target);
	return done(buf, cap, len);
}

const char *pathwatch_hop_label(char *out, size_t cap, const struct path_hops *h,
                                const struct path_names *nm, unsigned i)
{
	if (i >= h->n)
		return "-";
	if (!h->hop[i][0])
		return "*";
	if (nm && i < nm->n && nm->name[i][0])
		snprintf(out, cap, "%s (%s)", nm->name[i], h->hop[i]);
	else
		snprintf(out, cap, "%s", h->hop[i]);
	return out;
}

size_t pathwatch_event_text(char *buf, size_t cap, const struct path_change *chg,
                            const struct path_change_names *names)
{
	const struct path_hops *o = &chg->old_path, *n = &chg->new_path;
	unsigned rows = o->n > n->n ? o->n : n->n;
	char a[HOPNAME_MAX + INET6_ADDRSTRLEN + 4], b[sizeof a];
	size_t len = 0;

	add(buf, cap, &len, "First differing hop: TTL %u\nTTL  old -> new", chg->first_diff_ttl);
	for (unsigned i = 0; i < rows; i++)
		add(buf, cap, &len, "\n%2u%s %s -> %s", i + 1, i + 1 == chg->first_diff_ttl ? "*" : " ",
		    pathwatch_hop_label(a, sizeof a, o, names ? &names->old_names : NULL, i),
		    pathwatch_hop_label(b, sizeof b, n, names ? &names->new_names : NULL, i));
	return done(buf, cap, len);
}

/* Seed the store from a path found in Redis at start. */
static void seed(void *arg, const char *probe, const char *target, const char *hops)
{
	struct pathwatch *w = arg;
	struct path_hops h;

	if (pathwatch_parse_hop_list(hops, &h) < 0) {
		HW_WARN(NULL, "redis: stored path of %s/%s is not a hop list: \"%s\"; ignored", probe, target, hops);
		return;
	}
	if (pathstore_seed(w->store, probe, target, &h) == 0)
		HW_DEBUG(NULL, "redis: loaded the path of %s/%s (%u hops)", probe, target, h.n);
}

pathwatch *pathwatch_new(struct ev_loop *loop, unsigned confirm, const struct redis_conf *rc,
                         const char *source)
{
	struct pathwatch *w = calloc(1, sizeof *w);

	if (!w)
		return NULL;
	if (!(w->source = strdup(source)) || !(w->store = pathstore_new(confirm))) {
		pathwatch_free(w);
		return NULL;
	}
	if ((rc->host || rc->socket || rc->sentinels.n) && !(w->redis = redis_new(loop, rc, source, seed, w))) {
		pathwatch_free(w);
		return NULL;
	}
	return w;
}

void pathwatch_set_names(pathwatch *w, hopnames *hn)
{
	w->names = hn;
}

/* The names of the hops of `h` known now (all "" without a cache); a
 * miss starts a lookup that serves the next trace. */
static void names_of(struct pathwatch *w, const struct path_hops *h, struct path_names *nm)
{
	double now = hw_mono();

	nm->n = h->n;
	for (unsigned i = 0; i < h->n; i++) {
		const char *name = w->names ? hopnames_get(w->names, h->hop[i], now) : NULL;
		snprintf(nm->name[i], sizeof nm->name[i], "%s", name ? name : "");
	}
}

/* Whether any hop of `nm` has a name. */
static int any_name(const struct path_names *nm)
{
	for (unsigned i = 0; i < nm->n; i++)
		if (nm->name[i][0])
			return 1;
	return 0;
}

/* Add the RTT figure `ms` (avg, min, max, stddev, jitter) of hop `i` (h)
 * to a comma-separated list; empty when the hop never answered. */
static void add_rtt(char *buf, size_t cap, size_t *len, unsigned i, const hw_hop *h, double ms)
{
	char num[DSD_NUMBER_MAX];

	/* a hop the round did not probe may carry borrowed figures (figured) */
	int has = h->received || (h->figured && h->ip[0] && h->rtt_avg > 0);

	if (has)
		dsd_format_number(num, ms);
	add(buf, cap, len, "%s%s", i ? "," : "", has ? num : "");
}

/* Write the last trace of (probe, target) to its hash: rtt (avg), and
 * since the CLI shows best and worst, rtt_min and rtt_max, and mtr's
 * StDev and Jitter, rtt_stddev and rtt_jitter; an older CLI ignores
 * those. */
static void store_trace(struct pathwatch *w, const char *key, const char *ip, const hw_path *p,
                        const struct path_hops *trace, const struct path_names *tnames,
                        const struct path_hops *confirmed, time_t ts)
{
	static char names[PATH_MAX_HOPS * HOPNAME_MAX];
	char hops[PATH_MAX_HOPS * 48], conf[PATH_MAX_HOPS * 48], rtt[PATH_MAX_HOPS * 24],
	     rmin[PATH_MAX_HOPS * 24], rmax[PATH_MAX_HOPS * 24], loss[PATH_MAX_HOPS * 24],
	     resp[PATH_MAX_HOPS * 24], rsd[PATH_MAX_HOPS * 24], rjit[PATH_MAX_HOPS * 24],
	     tsbuf[24], dur[DSD_NUMBER_MAX], num[DSD_NUMBER_MAX];
	size_t rl = 0, ll = 0, pl = 0, nl = 0, xl = 0, sl = 0, jl = 0;

	pathwatch_hop_list(hops, sizeof hops, trace);
	pathwatch_hop_list(conf, sizeof conf, confirmed);
	rtt[0] = rmin[0] = rmax[0] = loss[0] = resp[0] = rsd[0] = rjit[0] = '\0';
	for (unsigned i = 0; i < p->nhops && i < PATH_MAX_HOPS; i++) {
		const hw_hop *h = &p->hops[i];
		/* loss: forwarding loss (the plugin's when figured; "" when the
		 * hop had no value this round); response: share answered */
		double l = h->figured ? h->loss : h->sent ? 100.0 * (h->sent - h->received) / h->sent : 100.0;
		double r = h->figured ? h->response : h->sent ? 100.0 * h->received / h->sent : NAN;
		add_rtt(rtt, sizeof rtt, &rl, i, h, h->rtt_avg);
		add_rtt(rmin, sizeof rmin, &nl, i, h, h->rtt_min);
		add_rtt(rmax, sizeof rmax, &xl, i, h, h->rtt_max);
		add_rtt(rsd, sizeof rsd, &sl, i, h, h->rtt_stddev);
		add_rtt(rjit, sizeof rjit, &jl, i, h, h->rtt_jitter);
		if (!isnan(l))
			dsd_format_number(num, l);
		add(loss, sizeof loss, &ll, "%s%s", i ? "," : "", isnan(l) ? "" : num);
		if (!isnan(r))
			dsd_format_number(num, r);
		add(resp, sizeof resp, &pl, "%s%s", i ? "," : "", isnan(r) ? "" : num);
	}
	snprintf(tsbuf, sizeof tsbuf, "%lld", (long long)ts);
	dsd_format_number(dur, p->duration * 1000);
	const char *argv[] = {
		"HSET", key, "ts", tsbuf, "target_ip", ip, "protocol", p->protocol,
		"reached", p->reached ? "1" : "0", "duration_ms", dur,
		"hops", hops, "rtt", rtt, "rtt_min", rmin, "rtt_max", rmax, "loss", loss, "response", resp,
		"rtt_stddev", rsd, "rtt_jitter", rjit, "confirmed", conf, "names", names,
	};
	/* names (by TTL, as hops) only when hop names are on */
	struct redis_cmd cmd = { (int)(sizeof argv / sizeof argv[0]) - (w->names ? 0 : 2), argv };

	pathwatch_name_list(names, sizeof names, tnames);
	redis_command(w->redis, key, &cmd, 1);
}

/* The id of a change: the stream id is the change's own (ms of
 * detection), so that a resend after a lost connection is refused instead
 * of doubled, and subscribers can drop a repeated message by it. */
static void change_id(char *id, size_t cap)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(id, cap, "%lld-0", (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
}

/* Publish and record a confirmed change. */
static void store_change(struct pathwatch *w, const char *probe, const char *target,
                         const char *key, const char *ip, time_t ts, const struct path_change *chg,
                         const struct path_change_names *nm)
{
	static char oldn[PATH_MAX_HOPS * HOPNAME_MAX], newn[PATH_MAX_HOPS * HOPNAME_MAX];
	int named = any_name(&nm->old_names) || any_name(&nm->new_names);
	char id[32];

	change_id(id, sizeof id);
	char stream[1024], channel[300], maxlen[16], tsbuf[24],
	     old[PATH_MAX_HOPS * 48], new[PATH_MAX_HOPS * 48], ttl[8];
	const char *prefix = redis_conf(w->redis)->prefix;
	static char json[CHANGEMSG_MAX];
	static struct change_msg m;  /* static, like json: 40 KB kept off the stack */
	int n = 3;

	memset(&m, 0, sizeof m);
	snprintf(m.id, sizeof m.id, "%s", id);
	snprintf(m.source, sizeof m.source, "%s", w->source);
	snprintf(m.probe, sizeof m.probe, "%s", probe);
	snprintf(m.target, sizeof m.target, "%s", target);
	snprintf(m.target_ip, sizeof m.target_ip, "%s", ip);
	m.ts = (long long)ts;
	m.chg = *chg;
	if (named) {
		m.old_names = nm->old_names;
		m.new_names = nm->new_names;
	}
	if (!changemsg_write(json, sizeof json, &m)) {
		HW_WARN(NULL, "path change of %s/%s: no JSON message (a name is not UTF-8); "
		              "stored, not published", probe, target);
		n = 2;
	}
	pathwatch_hop_list(old, sizeof old, &chg->old_path);
	pathwatch_hop_list(new, sizeof new, &chg->new_path);
	keys_target(stream, sizeof stream, KEYS_CHANGES, prefix, w->source, probe, target);
	keys_channel(channel, sizeof channel, prefix);
	snprintf(maxlen, sizeof maxlen, "%d", redis_conf(w->redis)->history);
	snprintf(tsbuf, sizeof tsbuf, "%lld", (long long)ts);
	snprintf(ttl, sizeof ttl, "%u", chg->first_diff_ttl);
	pathwatch_name_list(oldn, sizeof oldn, &nm->old_names);
	pathwatch_name_list(newn, sizeof newn, &nm->new_names);
	/* old_names and new_names only when a hop has a name */
	const char *xadd[] = { "XADD", stream, "MAXLEN", "~", maxlen, id, "ts", tsbuf, "target_ip", ip,
	                       "old", old, "new", new, "first_diff_ttl", ttl, "old_names", oldn,
	                       "new_names", newn };
	const char *hset[] = { "HSET", key, "changed", tsbuf, "changes_key", stream };
	const char *pub[] = { "PUBLISH", channel, json };
	const struct redis_cmd cmds[] = {
		{ (int)(sizeof xadd / sizeof xadd[0]) - (named ? 0 : 4), xadd },
		{ (int)(sizeof hset / sizeof hset[0]), hset },
		{ (int)(sizeof pub / sizeof pub[0]), pub },
	};
	redis_command(w->redis, NULL, cmds, n);
}

int pathwatch_trace(pathwatch *w, const char *probe, const char *target, const char *ip,
                    const hw_path *p, time_t ts, struct path_change *chg,
                    struct path_change_names *names)
{
	static struct path_names tnames;        /* static: 16 KB each, kept off the stack */
	static struct path_change_names cnames;
	struct path_hops trace;
	char key[1024];
	int changed;

	memset(&trace, 0, sizeof trace);
	for (unsigned i = 0; i < p->nhops && i < PATH_MAX_HOPS; i++)
		snprintf(trace.hop[i], sizeof trace.hop[i], "%s", p->hops[i].ip);
	trace.n = p->nhops < PATH_MAX_HOPS ? p->nhops : PATH_MAX_HOPS;
	changed = pathstore_feed(w->store, probe, target, &trace, chg);
	/* names are looked at only now, after the path store decided: they
	 * are display data and never part of a path's identity */
	names_of(w, &trace, &tnames);
	if (changed) {
		names_of(w, &chg->old_path, &cnames.old_names);
		names_of(w, &chg->new_path, &cnames.new_names);
		if (names)
			*names = cnames;
	}
	if (w->redis) {
		keys_target(key, sizeof key, KEYS_PATH, redis_conf(w->redis)->prefix, w->source, probe, target);
		/* The change goes first, so that a reader who sees the new
		 * confirmed path in the hash also finds its stream entry. */
		if (changed)
			store_change(w, probe, target, key, ip, ts, chg, &cnames);
		store_trace(w, key, ip, p, &trace, &tnames, pathstore_get(w->store, probe, target), ts);
	}
	return changed;
}

void pathwatch_change(pathwatch *w, const char *probe, const char *target, const char *ip,
                      const char *kind, const char *old_value, const char *new_value, time_t ts)
{
	char id[32], stream[1024], channel[300], maxlen[16], tsbuf[24];
	char *json = NULL;
	json_t *m;

	if (!w->redis)
		return;
	change_id(id, sizeof id);
	const char *prefix = redis_conf(w->redis)->prefix;
	keys_target(stream, sizeof stream, KEYS_CHANGES, prefix, w->source, probe, target);
	keys_other_channel(channel, sizeof channel, prefix);
	snprintf(maxlen, sizeof maxlen, "%d", redis_conf(w->redis)->history);
	snprintf(tsbuf, sizeof tsbuf, "%lld", (long long)ts);
	m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "id", id, "source", w->source,
	              "probe", probe, "target", target, "target_ip", ip, "ts", (json_int_t)ts, "kind", kind,
	              "old", old_value, "new", new_value);
	if (m)
		json = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	if (!json)
		HW_WARN(NULL, "%s change of %s/%s: no JSON message (a value is not UTF-8); stored, not "
		              "published", kind, probe, target);
	const char *xadd[] = { "XADD", stream, "MAXLEN", "~", maxlen, id, "kind", kind, "ts", tsbuf,
	                       "target_ip", ip, "old", old_value, "new", new_value };
	const char *pub[] = { "PUBLISH", channel, json ? json : "" };
	const struct redis_cmd cmds[] = {
		{ (int)(sizeof xadd / sizeof xadd[0]), xadd },
		{ (int)(sizeof pub / sizeof pub[0]), pub },
	};
	redis_command(w->redis, NULL, cmds, json ? 2 : 1);
	free(json);
}

void pathwatch_forget(pathwatch *w, const char *probe, const char *target)
{
	pathstore_forget(w->store, probe, target);
}

int pathwatch_redis_stats(const pathwatch *w, struct redis_stats *st)
{
	if (!w->redis)
		return 0;
	*st = redis_get_stats(w->redis);
	return 1;
}

void pathwatch_free(pathwatch *w)
{
	if (!w)
		return;
	redis_free(w->redis);
	pathstore_free(w->store);
	free(w->source);
	free(w);
}
