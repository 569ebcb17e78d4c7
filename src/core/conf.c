/* conf.c: reading and checking the configuration (see conf.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "plugin.h"
#include "statsd.h"

#ifndef HW_PLUGIN_DIR
#define HW_PLUGIN_DIR "/usr/local/lib/hopwatch"
#endif

/* Limits that keep memory and fds bounded per instance. */
#define MAX_TARGETS 100000   /* targets in one probe instance */
#define MAX_TAGS 64          /* tags in one list */
#define MAX_TAG_LEN 200      /* bytes in one tag */
#define MAX_NAME_LEN 64      /* bytes in an instance name */

const char *const conf_log_levels[] = { "error", "warning", "info", "debug", NULL };
static const char *const log_destinations[] = { "stderr", "syslog", NULL };
static const char *const families[] = { "any", "ipv4", "ipv6", NULL };

/*
 * Every core default, in one place.  Each line: key, type, where it goes,
 * the default as it would be written in the config, bounds, and meaning.
 * etc/hopwatch.conf documents the same values; t/unit/conf.c asserts them.
 */
#define G(field) offsetof(struct hw_config, field)
static const hw_option global_options[] = {
	{ "interval", HW_OPT_DURATION, G(interval), "60s", 0.01, 86400, NULL,
	  "default time between two rounds of a target" },
	{ "timeout", HW_OPT_DURATION, G(timeout), "1s", 0.001, 3600, NULL,
	  "default time a probe waits for its answer" },
	{ "resolve_interval", HW_OPT_DURATION, G(resolve_interval), "5m", 1, 86400, NULL,
	  "time between re-resolutions of target host names" },
	{ "prefix", HW_OPT_STRING, G(prefix), "hopwatch.", 0, 0, NULL,
	  "prepended to every metric and service check name" },
	{ "plugin_dir", HW_OPT_STRING, G(plugin_dir), HW_PLUGIN_DIR, 0, 0, NULL,
	  "directory holding <plugin>.so" },
	{ "user", HW_OPT_STRING, G(user), NULL, 0, 0, NULL,
	  "user to drop privileges to after opening sockets; unset: stay" },
	{ "hostname", HW_OPT_STRING, G(hostname), NULL, 0, 0, NULL,
	  "this host's name in events and Redis; unset: the system's" },
	{ "include_dir", HW_OPT_STRING, G(include_dir), NULL, 0, 0, NULL,
	  "directory whose *.conf files add probes (relative to this file)" },
	{ "path_confirm", HW_OPT_INT, G(path_confirm), "2", 1, 100, NULL,
	  "consecutive traces that must show a new path before it is a change" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
static const hw_option redis_options[] = {
	{ "host", HW_OPT_STRING, G(redis.host), NULL, 0, 0, NULL,
	  "Redis host name or address; unset (and no socket): no Redis" },
	{ "port", HW_OPT_INT, G(redis.port), "6379", 1, 65535, NULL, "Redis TCP port" },
	{ "socket", HW_OPT_STRING, G(redis.socket), NULL, 0, 0, NULL,
	  "Redis Unix socket path, instead of host and port" },
	{ "user", HW_OPT_STRING, G(redis.user), NULL, 0, 0, NULL, "ACL user for AUTH" },
	{ "password", HW_OPT_STRING, G(redis.password), NULL, 0, 0, NULL, "password for AUTH" },
	{ "db", HW_OPT_INT, G(redis.db), "0", 0, 1000000, NULL, "database number" },
	{ "connect_timeout", HW_OPT_DURATION, G(redis.connect_timeout), "2s", 0.01, 600, NULL,
	  "time a connection attempt may take" },
	{ "command_timeout", HW_OPT_DURATION, G(redis.command_timeout), "2s", 0.01, 600, NULL,
	  "time a reply may take before the connection is dropped and remade" },
	{ "prefix", HW_OPT_STRING, G(redis.prefix), "hopwatch:", 0, 0, NULL,
	  "prepended to every key and channel" },
	{ "history", HW_OPT_INT, G(redis.history), "1000", 1, 10000000, NULL,
	  "changes kept per target stream (XADD MAXLEN ~)" },
	{ "queue", HW_OPT_INT, G(redis.queue), "10000", 1, 10000000, NULL,
	  "changes held in memory while Redis is down; beyond it the oldest is dropped" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
static const hw_option statsd_options[] = {
	{ "url", HW_OPT_STRING, G(statsd.url), NULL, 0, 0, NULL,
	  "udp://host:port or unix:///path; unset: DD_DOGSTATSD_URL, DD_AGENT_HOST, udp://127.0.0.1:8125" },
	{ "echo", HW_OPT_BOOL, G(statsd.echo), "false", 0, 0, NULL,
	  "also print every line sent to standard output" },
	{ "telemetry_interval", HW_OPT_DURATION, G(statsd.telemetry_interval), "10s", 0, 3600, NULL,
	  "time between hopwatch.statsd.* self-telemetry; 0 turns it off" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
static const hw_option log_options[] = {
	{ "level", HW_OPT_ENUM, G(log.level), "info", 0, 0, conf_log_levels,
	  "least severe level written" },
	{ "destination", HW_OPT_ENUM, G(log.syslog), "stderr", 0, 0, log_destinations,
	  "stderr or syslog" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
#undef G
#define P(field) offsetof(struct probe_conf, field)
/* Core keys of a probe instance; interval and timeout default to the global ones. */
static const hw_option probe_options[] = {
	{ "interval", HW_OPT_DURATION, P(interval), NULL, 0.01, 86400, NULL,
	  "time between two rounds of a target; unset: the global interval" },
	{ "timeout", HW_OPT_DURATION, P(timeout), NULL, 0.001, 3600, NULL,
	  "time a probe waits for its answer; unset: the global timeout" },
	{ "family", HW_OPT_ENUM, P(family), "any", 0, 0, families,
	  "address family of targets given by name: any, ipv4 or ipv6" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
#undef P

/* State of one conf_load call. */
struct loader {
	struct hw_config *c;   /* what is being built */
	int errors;            /* problems reported so far */
	const char *file;      /* main file, for settings without a source */
	size_t *seen;          /* hash set of the current probe's targets: index + 1, 0 empty */
	size_t seen_cap;       /* slots in seen, a power of two */
	const struct probe_conf *seen_for;  /* the probe `seen` describes */
};

/* FNV-1a of a target's host and port. */
static size_t target_hash(const char *host, uint16_t port)
{
	size_t h = 2166136261u;
	for (; *host; host++)
		h = (h ^ (unsigned char)*host) * 16777619u;
	return (h ^ port) * 16777619u;
}

/* Remember (host, port) as the next target of `pc`; 1 when it was there
 * already.  Keeps duplicate detection linear for 100,000 targets. */
static int seen_add(struct loader *L, const struct probe_conf *pc, const char *host, uint16_t port)
{
	size_t i;

	if (L->seen_for != pc || (pc->ntargets + 1) * 2 > L->seen_cap) {
		size_t cap = 64;
		while (cap < (pc->ntargets + 1) * 4)
			cap *= 2;
		free(L->seen);
		if (!(L->seen = calloc(cap, sizeof *L->seen))) {
			L->seen_cap = 0;
			L->seen_for = NULL;
			return 0;
		}
		L->seen_cap = cap;
		L->seen_for = pc;
		for (size_t k = 0; k < pc->ntargets; k++) {
			i = target_hash(pc->targets[k].host, pc->targets[k].port) & (cap - 1);
			while (L->seen[i])
				i = (i + 1) & (cap - 1);
			L->seen[i] = k + 1;
		}
	}
	if (!L->seen)
		return 0;
	i = target_hash(host, port) & (L->seen_cap - 1);
	for (; L->seen[i]; i = (i + 1) & (L->seen_cap - 1)) {
		const struct target_conf *t = &pc->targets[L->seen[i] - 1];
		if (t->port == port && !strcmp(t->host, host))
			return 1;
	}
	L->seen[i] = pc->ntargets + 1;
	return 0;
}

/* Keep `s` (may be NULL) in the config's pool; NULL when out of memory. */
static char *pool_strdup(struct hw_config *c, const char *s)
{
	char **np;
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		return NULL;
	if (!(np = realloc(c->pool, (c->npool + 1) * sizeof *np))) {
		free(d);
		return NULL;
	}
	c->pool = np;
	c->pool[c->npool++] = d;
	return d;
}

/* Write the path of `s` ("probes[2].count") into buf. */
static void setting_path(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *parent = config_setting_parent(s);
	size_t n;

	buf[0] = '\0';
	if (!parent)
		return;
	setting_path(parent, buf, len);
	n = strlen(buf);
	if (config_setting_name(s))
		snprintf(buf + n, len - n, "%s%s", n ? "." : "", config_setting_name(s));
	else
		snprintf(buf + n, len - n, "[%d]", config_setting_index(s));
}

/* Report "file:line: path: message" for setting `s`. */
static void conf_error(struct loader *L, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void conf_error(struct loader *L, const config_setting_t *s, const char *fmt, ...)
{
	char path[256], msg[512];
	const char *file = NULL;
	int line = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	path[0] = '\0';
	if (s) {
		setting_path(s, path, sizeof path);
		for (const config_setting_t *p = s; p && !line; p = config_setting_parent(p)) {
			line = config_setting_source_line(p);
			file = config_setting_source_file(p);
		}
	}
	if (!file)
		file = L->file;
	if (path[0])
		HW_ERROR(NULL, "%s:%d: %s: %s", file, line, path, msg);
	else
		HW_ERROR(NULL, "%s:%d: %s", file, line, msg);
	L->errors++;
}

int conf_parse_duration(const char *s, double *seconds)
{
	static const struct { const char *unit; double factor; } units[] = {
		{ "ms", 1e-3 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "", 1 },
	};
	char *end;
	double v;

	if ((!isdigit((unsigned char)s[0]) && s[0] != '.') || s[1] == 'x' || s[1] == 'X')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return -1;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (!strcmp(end, units[i].unit)) {
			*seconds = v * units[i].factor;
			return 0;
		}
	return -1;
}

int conf_parse_hostport(const char *s, char *host, size_t hostlen, uint16_t *port,
                        const char **why)
{
	const char *colon = NULL, *h = s;
	size_t hl;

	*port = 0;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close == s + 1) {
			*why = "an IPv6 address in brackets needs its closing ']'";
			return -1;
		}
		h = s + 1;
		hl = (size_t)(close - h);
		if (close[1] == ':')
			colon = close + 1;
		else if (close[1]) {
			*why = "only \":port\" may follow ']'";
			return -1;
		}
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;  /* a bare IPv6 literal: no port */
		hl = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (!hl) {
		*why = "the host is empty";
		return -1;
	}
	if (hl >= hostlen) {
		*why = "the host name is too long";
		return -1;
	}
	for (size_t i = 0; i < hl; i++)
		if ((unsigned char)h[i] <= ' ' || strchr("|#,/\\\"'", h[i])) {
			*why = "the host contains a character no host name or address has";
			return -1;
		}
	if (colon) {
		char *end;
		long p;
		errno = 0;
		p = strtol(colon + 1, &end, 10);
		if (!isdigit((unsigned char)colon[1]) || *end || errno || p < 1 || p > 65535) {
			*why = "the port must be a number from 1 to 65535";
			return -1;
		}
		*port = (uint16_t)p;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	return 0;
}

/* Text of a duration or number bound for messages ("0.01s"). */
static const char *bound_text(char *buf, size_t len, double v, int duration)
{
	snprintf(buf, len, duration ? "%gs" : "%g", v);
	return buf;
}

/* Store `v` (already range-checked) at `o` in `base`. */
static void store_number(const hw_option *o, void *base, double v)
{
	char *field = (char *)base + o->offset;

	if (o->type == HW_OPT_INT || o->type == HW_OPT_BOOL || o->type == HW_OPT_ENUM)
		*(int *)field = (int)v;
	else
		*(double *)field = v;
}

/* Read the text form of a value (a default, or a config string) into the
 * field.  Returns NULL, or what is wrong. */
static const char *parse_text(struct hw_config *c, const hw_option *o, void *base,
                              const char *text)
{
	char *field = (char *)base + o->offset, *end;
	double v;

	switch (o->type) {
	case HW_OPT_STRING:
		*(const char **)field = text ? pool_strdup(c, text) : NULL;
		return text && !*(const char **)field ? "out of memory" : NULL;
	case HW_OPT_ENUM:
		for (int i = 0; o->choices[i]; i++)
			if (!strcmp(o->choices[i], text)) {
				*(int *)field = i;
				return NULL;
			}
		return "not one of the allowed words";
	case HW_OPT_BOOL:
		if (strcmp(text, "true") && strcmp(text, "false"))
			return "must be true or false";
		*(int *)field = !strcmp(text, "true");
		return NULL;
	case HW_OPT_DURATION:
		if (conf_parse_duration(text, &v) < 0)
			return "must be a duration: seconds, or a number with ms, s, m or h";
		break;
	case HW_OPT_INT:
	case HW_OPT_DOUBLE:
		errno = 0;
		v = strtod(text, &end);
		if (errno || end == text || *end || !isfinite(v))
			return "must be a number";
		if (o->type == HW_OPT_INT && v != floor(v))
			return "must be a whole number";
		break;
	default:
		return "has an unknown type";
	}
	if (v < o->min || v > o->max)
		return "is out of range";
	store_number(o, base, v);
	return NULL;
}

const char *conf_apply_defaults(struct hw_config *c, const hw_option *opts, void *base)
{
	for (const hw_option *o = opts; o && o->name; o++) {
		if (!o->def) {
			if (o->type == HW_OPT_STRING)
				*(const char **)((char *)base + o->offset) = NULL;
			continue;
		}
		if (parse_text(c, o, base, o->def))
			return o->name;
	}
	return NULL;
}

/* Read setting `s` as option `o` into `base`, reporting problems. */
static void read_option(struct loader *L, const config_setting_t *s, const hw_option *o,
                        void *base)
{
	char lo[32], hi[32], got[32];
	const char *why;
	int type = config_setting_type(s);
	double v;

	switch (o->type) {
	case HW_OPT_STRING:
	case HW_OPT_ENUM:
		if (type != CONFIG_TYPE_STRING) {
			conf_error(L, s, "must be a string");
			return;
		}
		if (o->type == HW_OPT_STRING && !config_setting_get_string(s)[0]) {
			conf_error(L, s, "must not be empty (leave it out for the default)");
			return;
		}
		if ((why = parse_text(L->c, o, base, config_setting_get_string(s)))) {
			char list[256] = "";
			for (int i = 0; o->choices && o->choices[i]; i++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"",
				         i ? ", " : "", o->choices[i]);
			conf_error(L, s, "\"%s\" %s%s%s", config_setting_get_string(s), why,
			           list[0] ? ": " : "", list);
		}
		return;
	case HW_OPT_BOOL:
		if (type != CONFIG_TYPE_BOOL)
			conf_error(L, s, "must be true or false");
		else
			*(int *)((char *)base + o->offset) = config_setting_get_bool(s);
		return;
	case HW_OPT_DURATION:
		if (type == CONFIG_TYPE_STRING) {
			if (conf_parse_duration(config_setting_get_string(s), &v) < 0) {
				conf_error(L, s, "\"%s\" is not a duration: write seconds, or a number with ms, s, m or h",
				           config_setting_get_string(s));
				return;
			}
			break;
		}
		/* a plain number is seconds */
		__attribute__((fallthrough));
	case HW_OPT_DOUBLE:
	case HW_OPT_INT:
		if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64)
			v = (double)config_setting_get_int64(s);
		else if (type == CONFIG_TYPE_FLOAT && o->type != HW_OPT_INT)
			v = config_setting_get_float(s);
		else {
			conf_error(L, s, "must be %s", o->type == HW_OPT_INT ? "a whole number"
			           : o->type == HW_OPT_DURATION ? "a duration (seconds, or a string like \"250ms\")"
			           : "a number");
			return;
		}
		break;
	default:
		conf_error(L, s, "has an unknown option type");
		return;
	}
	if (!(v >= o->min && v <= o->max)) {
		int dur = o->type == HW_OPT_DURATION;
		conf_error(L, s, "must be from %s to %s, not %s", bound_text(lo, sizeof lo, o->min, dur),
		           bound_text(hi, sizeof hi, o->max, dur), bound_text(got, sizeof got, v, dur));
		return;
	}
	store_number(o, base, v);
}

/* The option called `name` in `opts`, or NULL. */
static const hw_option *find_option(const hw_option *opts, const char *name)
{
	for (const hw_option *o = opts; o && o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

/* Whether `tag` may be used: printable, no DogStatsD separators. */
static const char *tag_problem(const char *tag)
{
	if (!tag[0])
		return "is empty";
	if (strlen(tag) > MAX_TAG_LEN)
		return "is longer than 200 bytes";
	if (tag[0] == ':')
		return "has an empty key";
	for (const char *p = tag; *p; p++)
		if ((unsigned char)*p < ' ' || *p == '|' || *p == ',' || *p == '#')
			return "contains '|', ',', '#' or a control character";
	return NULL;
}

/* Read an array of tags. */
static void read_tags(struct loader *L, const config_setting_t *s, struct strlist *out)
{
	int n;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY && config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_error(L, s, "must be a list of strings like [\"env:prod\", \"team:net\"]");
		return;
	}
	n = config_setting_length(s);
	if (n > MAX_TAGS) {
		conf_error(L, s, "has %d tags; at most %d are allowed", n, MAX_TAGS);
		return;
	}
	out->v = calloc((size_t)n + 1, sizeof *out->v);
	for (int i = 0; out->v && i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *why;
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_error(L, e, "a tag must be a string");
			continue;
		}
		if ((why = tag_problem(config_setting_get_string(e)))) {
			conf_error(L, e, "tag \"%s\" %s", config_setting_get_string(e), why);
			continue;
		}
		out->v[out->n++] = pool_strdup(L->c, config_setting_get_string(e));
	}
}

/* Read the members of group `g` against `opts` into `base`; keys listed in
 * `skip` are handled by the caller; any other key is an error. */
static void read_group(struct loader *L, const config_setting_t *g, const hw_option *opts,
                       void *base, const char *const *skip, const char *what)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		const hw_option *o = find_option(opts, name);
		int skipped = 0;

		for (int k = 0; skip && skip[k]; k++)
			skipped |= !strcmp(skip[k], name);
		if (skipped)
			continue;
		if (!o) {
			char list[512] = "";
			for (const hw_option *x = opts; x && x->name; x++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
				         list[0] ? ", " : "", x->name);
			for (int k = 0; skip && skip[k]; k++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
				         list[0] ? ", " : "", skip[k]);
			conf_error(L, s, "unknown setting in %s (known: %s)", what, list);
			continue;
		}
		read_option(L, s, o, base);
	}
}

/* Add one target entry (string, group or ("host", port) list) to `pc`. */
static void read_target(struct loader *L, struct probe_conf *pc, const config_setting_t *e,
                        const char *group)
{
	char host[256];
	const char *why = NULL, *text = NULL;
	uint16_t port = 0;
	struct target_conf *t;
	struct strlist tags = { NULL, 0 };

	switch (config_setting_type(e)) {
	case CONFIG_TYPE_STRING:
		text = config_setting_get_string(e);
		if (conf_parse_hostport(text, host, sizeof host, &port, &why) < 0) {
			conf_error(L, e, "target \"%s\": %s", text, why);
			return;
		}
		break;
	case CONFIG_TYPE_GROUP: {
		const config_setting_t *h = config_setting_get_member(e, "host");
		uint16_t hport = 0;
		for (int i = 0; i < config_setting_length(e); i++) {
			const config_setting_t *m = config_setting_get_elem(e, (unsigned)i);
			const char *n = config_setting_name(m);
			if (!strcmp(n, "port")) {
				int pt = config_setting_type(m);
				if ((pt != CONFIG_TYPE_INT && pt != CONFIG_TYPE_INT64) ||
				    config_setting_get_int64(m) < 1 || config_setting_get_int64(m) > 65535)
					conf_error(L, m, "must be a port number from 1 to 65535");
				else
					port = (uint16_t)config_setting_get_int64(m);
			} else if (!strcmp(n, "tags")) {
				read_tags(L, m, &tags);
			} else if (strcmp(n, "host")) {
				conf_error(L, m, "unknown setting in a target (known: host, port, tags)");
			}
		}
		if (!h || config_setting_type(h) != CONFIG_TYPE_STRING) {
			conf_error(L, h ? h : e, "a target needs host = \"name or address\"");
			return;
		}
		text = config_setting_get_string(h);
		if (conf_parse_hostport(text, host, sizeof host, &hport, &why) < 0 ||
		    strchr(text, '[') || hport) {
			conf_error(L, h, "host \"%s\": %s", text,
			           why ? why : hport ? "write the port as port = N" : "write the address without brackets");
			return;
		}
		snprintf(host, sizeof host, "%s", text);
		break;
	}
	case CONFIG_TYPE_LIST:
	case CONFIG_TYPE_ARRAY: {
		const config_setting_t *h = config_setting_get_elem(e, 0);
		const config_setting_t *p = config_setting_get_elem(e, 1);
		if (config_setting_length(e) != 2 || config_setting_type(h) != CONFIG_TYPE_STRING ||
		    config_setting_type(p) != CONFIG_TYPE_INT) {
			conf_error(L, e, "a target list must be (\"host\", port)");
			return;
		}
		text = config_setting_get_string(h);
		if (conf_parse_hostport(text, host, sizeof host, &port, &why) < 0 || port) {
			conf_error(L, h, "host \"%s\": %s", text, why ? why : "the port goes in the second element");
			return;
		}
		if (config_setting_get_int(p) < 1 || config_setting_get_int(p) > 65535) {
			conf_error(L, p, "must be a port number from 1 to 65535");
			return;
		}
		port = (uint16_t)config_setting_get_int(p);
		break;
	}
	default:
		conf_error(L, e, "a target must be \"host\", \"host:port\", (\"host\", port) or { host = ...; port = ...; }");
		return;
	}
	if (port && pc->p && pc->p->port == HW_PORT_NONE) {
		conf_error(L, e, "target \"%s\": plugin %s takes no port", text, pc->plugin);
		return;
	}
	if (!port && pc->p && pc->p->port == HW_PORT_REQUIRED) {
		conf_error(L, e, "target \"%s\": plugin %s needs a port (\"host:port\")", text, pc->plugin);
		return;
	}
	if (pc->ntargets >= MAX_TARGETS) {
		conf_error(L, e, "more than %d targets in one probe: split it", MAX_TARGETS);
		return;
	}
	if (seen_add(L, pc, host, port)) {
		conf_error(L, e, "target \"%s\" is listed twice in this probe", text);
		return;
	}
	if (!(pc->ntargets & (pc->ntargets - 1))) {
		/* full at 0 and at every power of two: double */
		struct target_conf *nt = realloc(pc->targets, (pc->ntargets ? pc->ntargets * 2 : 1) * sizeof *nt);
		if (!nt) {
			conf_error(L, e, "out of memory");
			return;
		}
		pc->targets = nt;
	}
	t = &pc->targets[pc->ntargets++];
	t->host = pool_strdup(L->c, host);
	t->port = port;
	t->group = pool_strdup(L->c, group);
	t->tags = tags;
}

/* A group or list name a tag can carry. */
static int valid_word(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return 0;
	return 1;
}

/* Read `targets`: a list of entries, or groups mapping to lists. */
static void read_targets(struct loader *L, struct probe_conf *pc, const config_setting_t *s)
{
	int type = config_setting_type(s);

	if (type == CONFIG_TYPE_GROUP) {
		for (int i = 0; i < config_setting_length(s); i++) {
			const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
			int gt = config_setting_type(g);
			if (gt != CONFIG_TYPE_ARRAY && gt != CONFIG_TYPE_LIST) {
				conf_error(L, g, "a target group must be a list of targets");
				continue;
			}
			for (int k = 0; k < config_setting_length(g); k++)
				read_target(L, pc, config_setting_get_elem(g, (unsigned)k), config_setting_name(g));
		}
	} else if (type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST) {
		for (int k = 0; k < config_setting_length(s); k++)
			read_target(L, pc, config_setting_get_elem(s, (unsigned)k), NULL);
	} else {
		conf_error(L, s, "must be a list of targets, or groups of them: { prod = [\"a\", \"b\"]; }");
	}
}

/* Read one `probes` entry. */
static void read_probe(struct loader *L, const config_setting_t *ps, struct probe_conf *pc)
{
	static const char *const core_keys[] = { "name", "plugin", "tags", "targets", NULL };
	const config_setting_t *name = config_setting_get_member(ps, "name");
	const config_setting_t *plugin = config_setting_get_member(ps, "plugin");
	const config_setting_t *targets = config_setting_get_member(ps, "targets");
	const config_setting_t *tags = config_setting_get_member(ps, "tags");
	struct hw_config *c = L->c;
	char err[512];
	const char *bad;

	if (config_setting_type(ps) != CONFIG_TYPE_GROUP) {
		conf_error(L, ps, "a probe must be a group { name = ...; plugin = ...; targets = ...; }");
		return;
	}
	if (!name || config_setting_type(name) != CONFIG_TYPE_STRING)
		conf_error(L, name ? name : ps, "a probe needs name = \"...\"");
	else if (!valid_word(config_setting_get_string(name), MAX_NAME_LEN))
		conf_error(L, name, "\"%s\": use 1 to %d letters, digits, '_', '.' or '-'",
		           config_setting_get_string(name), MAX_NAME_LEN);
	else
		pc->name = pool_strdup(c, config_setting_get_string(name));
	for (size_t i = 0; pc->name && &c->probes[i] != pc; i++)
		if (c->probes[i].name && !strcmp(c->probes[i].name, pc->name))
			conf_error(L, name, "probe name \"%s\" is used twice", pc->name);
	if (!plugin || config_setting_type(plugin) != CONFIG_TYPE_STRING) {
		conf_error(L, plugin ? plugin : ps, "a probe needs plugin = \"icmp\", \"tcp\" or \"path\"");
	} else {
		pc->plugin = pool_strdup(c, config_setting_get_string(plugin));
		if (!(pc->p = plugin_load(c->plugin_dir, pc->plugin, err, sizeof err)))
			conf_error(L, plugin, "%s", err);
	}
	pc->interval = c->interval;
	pc->timeout = c->timeout;
	conf_apply_defaults(c, probe_options, pc);
	if (tags)
		read_tags(L, tags, &pc->tags);
	if (pc->p && pc->p->options_size) {
		pc->opts = calloc(1, pc->p->options_size);
		if (!pc->opts) {
			conf_error(L, ps, "out of memory");
			return;
		}
		if ((bad = conf_apply_defaults(c, pc->p->options, pc->opts)))
			conf_error(L, plugin, "plugin %s: built-in default of \"%s\" is invalid", pc->plugin, bad);
	}
	/* Core keys first, then the plugin's; any other key is unknown. */
	for (int i = 0; i < config_setting_length(ps); i++) {
		const config_setting_t *s = config_setting_get_elem(ps, (unsigned)i);
		const char *key = config_setting_name(s);
		const hw_option *o;
		int core = 0;
		for (int k = 0; core_keys[k]; k++)
			core |= !strcmp(core_keys[k], key);
		if (core)
			continue;
		if ((o = find_option(probe_options, key)))
			read_option(L, s, o, pc);
		else if (pc->p && (o = find_option(pc->p->options, key)))
			read_option(L, s, o, pc->opts);
		else if (pc->p || !pc->plugin) {
			char list[512] = "name, plugin, tags, targets";
			for (o = probe_options; o->name; o++)
				snprintf(list + strlen(list), sizeof list - strlen(list), ", %s", o->name);
			for (o = pc->p ? pc->p->options : NULL; o && o->name; o++)
				snprintf(list + strlen(list), sizeof list - strlen(list), ", %s", o->name);
			conf_error(L, s, "unknown setting for plugin %s (known: %s)",
			           pc->plugin ? pc->plugin : "?", list);
		}
	}
	if (pc->p && !pc->p->run) {
		if (targets)  /* a plugin without run() watches the host, not targets */
			conf_error(L, targets, "plugin %s takes no targets", pc->plugin);
	} else if (!targets)
		conf_error(L, ps, "a probe needs targets = [ ... ]");
	else {
		read_targets(L, pc, targets);
		if (!pc->ntargets && config_setting_length(targets) == 0)
			conf_error(L, targets, "is empty: give at least one target");
	}
	if (pc->timeout > pc->interval)
		conf_error(L, config_setting_get_member(ps, "timeout") ? config_setting_get_member(ps, "timeout") : ps,
		           "timeout (%gs) must not exceed interval (%gs)", pc->timeout, pc->interval);
	else if (pc->p && pc->p->validate && pc->opts &&
	         (bad = pc->p->validate(pc->opts, pc->interval, pc->timeout)))
		conf_error(L, ps, "%s", bad);
}

/* Append the `probes` list of `root` to the config. */
static void read_probes(struct loader *L, const config_setting_t *list)
{
	struct hw_config *c = L->c;
	int n, type = config_setting_type(list);
	struct probe_conf *np;

	if (type != CONFIG_TYPE_LIST) {
		conf_error(L, list, "must be a list of probe groups: probes = ( { ... }, { ... } );");
		return;
	}
	n = config_setting_length(list);
	if (!(np = realloc(c->probes, (c->nprobes + (size_t)n + 1) * sizeof *np))) {
		conf_error(L, list, "out of memory");
		return;
	}
	c->probes = np;
	memset(c->probes + c->nprobes, 0, ((size_t)n + 1) * sizeof *np);
	for (int i = 0; i < n; i++) {
		L->seen_for = NULL;  /* `probes` may have moved: rebuild the set */
		c->nprobes++;
		read_probe(L, config_setting_get_elem(list, (unsigned)i), &c->probes[c->nprobes - 1]);
	}
}

/* Refuse what libconfig 1.5 would exit the process on (it calls exit()
 * when its scanner cannot read an include): `@include` of anything but a
 * regular file, an `@include` whose quotes do not close, and NUL bytes. */
static int check_includes(struct loader *L, const char *file, const char *dir, int depth)
{
	char *line = NULL, path[8192];
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, bad = 0;
	FILE *f = fopen(file, "r");
	struct stat st;

	if (!f)
		return 0;  /* config_read_file reports it */
	while ((n = getline(&line, &cap, f)) > 0) {
		char *p = line, *q;
		lineno++;
		if (strlen(line) != (size_t)n) {
			HW_ERROR(NULL, "%s:%d: NUL byte: not a text file", file, lineno);
			L->errors++;
			bad = 1;
			break;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "@include", 8))
			continue;
		if (!(p = strchr(p, '"')) || !(q = strchr(p + 1, '"'))) {
			HW_ERROR(NULL, "%s:%d: @include needs a file name in double quotes", file, lineno);
			L->errors++;
			bad = 1;
			continue;
		}
		*q = '\0';
		snprintf(path, sizeof path, "%s%s%s", p[1] == '/' ? "" : dir, p[1] == '/' ? "" : "/", p + 1);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			HW_ERROR(NULL, "%s:%d: @include \"%s\": %s", file, lineno, p + 1,
			         stat(path, &st) < 0 ? strerror(errno)
			                             : "not a regular file (for a directory of *.conf use include_dir)");
			L->errors++;
			bad = 1;
		} else if (depth < 8) {
			bad |= check_includes(L, path, dir, depth + 1);
		}
	}
	free(line);
	fclose(f);
	return bad;
}

/* Parse `file` into `cf`; report syntax errors.  Returns 0 on success. */
static int read_file(struct loader *L, config_t *cf, const char *file, const char *dir)
{
	struct stat st;

	config_init(cf);
	config_set_include_dir(cf, dir);
	/* Both check_includes and libconfig read the file: a pipe would be
	 * empty the second time, so only regular files are taken. */
	if (stat(file, &st) == 0 && !S_ISREG(st.st_mode)) {
		HW_ERROR(NULL, "%s: not a regular file", file);
		L->errors++;
		return -1;
	}
	if (check_includes(L, file, dir, 0))
		return -1;
	if (config_read_file(cf, file) == CONFIG_TRUE)
		return 0;
	if (config_error_type(cf) == CONFIG_ERR_FILE_IO)
		HW_ERROR(NULL, "%s: cannot read: %s", file, strerror(errno));
	else
		HW_ERROR(NULL, "%s:%d: syntax error: %s",
		         config_error_file(cf) ? config_error_file(cf) : file,
		         config_error_line(cf), config_error_text(cf));
	L->errors++;
	return -1;
}

static int conf_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read every *.conf in include_dir (sorted); they may only add probes. */
static void read_include_dir(struct loader *L, const char *dir)
{
	struct dirent *de;
	char **names = NULL, path[8192];
	size_t n = 0;
	DIR *d = opendir(dir);

	if (!d) {
		HW_ERROR(NULL, "%s: include_dir \"%s\": %s", L->file, dir, strerror(errno));
		L->errors++;
		return;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char **nn;
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		if (!(nn = realloc(names, (n + 1) * sizeof *nn)))
			break;
		names = nn;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, conf_name_cmp);
	for (size_t i = 0; i < n; i++) {
		config_t cf;
		if (!names[i])
			continue;
		if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) {
			HW_ERROR(NULL, "%s/%s: path too long", dir, names[i]);
			L->errors++;
			free(names[i]);
			continue;
		}
		if (read_file(L, &cf, path, dir) == 0) {
			const config_setting_t *root = config_root_setting(&cf);
			for (int k = 0; k < config_setting_length(root); k++) {
				const config_setting_t *s = config_setting_get_elem(root, (unsigned)k);
				if (!strcmp(config_setting_name(s), "probes"))
					read_probes(L, s);
				else
					conf_error(L, s, "only probes may be set in an include_dir file");
			}
		}
		config_destroy(&cf);
		free(names[i]);
	}
	free(names);
}

/* Check the global settings that have rules beyond their type. */
static void check_globals(struct loader *L, const config_setting_t *root)
{
	const struct hw_config *c = L->c;
	const char *p = c->prefix;

	if (p[0] && !isalpha((unsigned char)p[0]))
		conf_error(L, config_setting_get_member(root, "prefix"), "must start with a letter");
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.') {
			conf_error(L, config_setting_get_member(root, "prefix"),
			           "may hold only letters, digits, '_' and '.'");
			break;
		}
	if (c->hostname && !valid_word(c->hostname, 253))
		conf_error(L, config_setting_get_member(root, "hostname"),
		           "\"%s\" is not a host name", c->hostname);
	if (c->statsd.url) {
		struct statsd_addr a;
		char why[256];
		if (statsd_parse_url(c->statsd.url, &a, why, sizeof why) < 0)
			conf_error(L, config_setting_get_member(config_setting_get_member(root, "statsd"), "url"),
			           "\"%s\": %s", c->statsd.url, why);
	}
}

struct hw_config *conf_load(const char *file, const char *plugin_dir)
{
	static const char *const top_keys[] = { "statsd", "log", "redis", "tags", "probes", NULL };
	struct hw_config *c = calloc(1, sizeof *c);
	struct loader L = { .c = c, .file = file };
	char dir[4096], incdir[8192];
	config_t cf;
	const config_setting_t *root, *s;

	if (!c) {
		HW_ERROR(NULL, "out of memory");
		return NULL;
	}
	conf_apply_defaults(c, global_options, c);
	conf_apply_defaults(c, statsd_options, c);
	conf_apply_defaults(c, log_options, c);
	conf_apply_defaults(c, redis_options, c);
	if (!file)
		return c;
	snprintf(dir, sizeof dir, "%s", file);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	else
		strcpy(dir, ".");
	if (read_file(&L, &cf, file, dir) < 0) {
		config_destroy(&cf);
		conf_free(c);
		return NULL;
	}
	root = config_root_setting(&cf);
	read_group(&L, root, global_options, c, top_keys, "the top level");
	if (plugin_dir)
		c->plugin_dir = pool_strdup(c, plugin_dir);
	if ((s = config_setting_get_member(root, "statsd"))) {
		if (config_setting_type(s) != CONFIG_TYPE_GROUP)
			conf_error(&L, s, "must be a group: statsd = { url = \"...\"; };");
		else
			read_group(&L, s, statsd_options, c, NULL, "statsd");
	}
	if ((s = config_setting_get_member(root, "log"))) {
		if (config_setting_type(s) != CONFIG_TYPE_GROUP)
			conf_error(&L, s, "must be a group: log = { level = \"info\"; };");
		else
			read_group(&L, s, log_options, c, NULL, "log");
	}
	if ((s = config_setting_get_member(root, "redis"))) {
		if (config_setting_type(s) != CONFIG_TYPE_GROUP)
			conf_error(&L, s, "must be a group: redis = { host = \"127.0.0.1\"; };");
		else {
			read_group(&L, s, redis_options, c, NULL, "redis");
			if (c->redis.host && c->redis.socket)
				conf_error(&L, s, "set host or socket, not both");
			if (c->redis.socket && c->redis.socket[0] != '/')
				conf_error(&L, config_setting_get_member(s, "socket"), "must be an absolute path");
			if (c->redis.user && !c->redis.password)
				conf_error(&L, config_setting_get_member(s, "user"), "a user needs a password");
		}
	}
	if ((s = config_setting_get_member(root, "tags")))
		read_tags(&L, s, &c->tags);
	check_globals(&L, root);
	if ((s = config_setting_get_member(root, "probes")))
		read_probes(&L, s);
	if (c->include_dir) {
		snprintf(incdir, sizeof incdir, "%s%s%s", c->include_dir[0] == '/' ? "" : dir,
		         c->include_dir[0] == '/' ? "" : "/", c->include_dir);
		read_include_dir(&L, incdir);
	}
	if (!L.errors && !c->nprobes)
		HW_WARN(NULL, "%s: no probes configured: only self-telemetry will be sent", file);
	config_destroy(&cf);
	free(L.seen);
	if (L.errors) {
		conf_free(c);
		return NULL;
	}
	return c;
}

void conf_free(struct hw_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nprobes; i++) {
		struct probe_conf *pc = &c->probes[i];
		for (size_t k = 0; k < pc->ntargets; k++)
			free(pc->targets[k].tags.v);
		free(pc->targets);
		free(pc->tags.v);
		free(pc->opts);
	}
	free(c->probes);
	free(c->tags.v);
	for (size_t i = 0; i < c->npool; i++)
		free(c->pool[i]);
	free(c->pool);
	free(c);
}
