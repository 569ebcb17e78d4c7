/* conf.c: reading and checking the configuration (see conf.h). */
#include <arpa/inet.h>
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
#include "dogstatsd.h"
#include "emit.h"
#include "plugin.h"
#include "privs.h"
#include "statsd.h"
#include "meshreg.h"

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
	{ "master_name", HW_OPT_STRING, G(redis.master_name), NULL, 0, 0, NULL,
	  "Sentinel: the name the sentinels monitor the primary under (with sentinels)" },
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
	{ "flush_interval", HW_OPT_DURATION, G(statsd.flush_interval), "100ms", 0, 10, NULL,
	  "longest a line waits for a fuller datagram (official clients: 100ms); 0: send at the end of each loop iteration" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
/* Hop names (hopnames.h): the cost is at most `rate` PTR queries a second. */
static const hw_option hop_names_options[] = {
	{ "enabled", HW_OPT_BOOL, G(hop_names.enabled), "true", 0, 0, NULL,
	  "look up the names (PTR) of path hops; false: addresses only, no query" },
	{ "server", HW_OPT_STRING, G(hop_names.server), NULL, 0, 0, NULL,
	  "DNS server to ask, \"addr\", \"addr:port\" or \"[v6]:port\"; unset: those of /etc/resolv.conf" },
	{ "timeout", HW_OPT_DURATION, G(hop_names.timeout), "1s", 0.01, 30, NULL,
	  "time one try of a lookup waits (two tries, the second waiting twice as long)" },
	{ "min_ttl", HW_OPT_DURATION, G(hop_names.min_ttl), "1m", 1, 86400, NULL,
	  "shortest time an answer is kept, whatever its record's TTL" },
	{ "max_ttl", HW_OPT_DURATION, G(hop_names.max_ttl), "24h", 1, 604800, NULL,
	  "longest time an answer is kept, whatever its record's TTL" },
	{ "negative_ttl", HW_OPT_DURATION, G(hop_names.negative_ttl), "5m", 1, 86400, NULL,
	  "time a failed lookup (timeout, SERVFAIL, REFUSED) or an NXDOMAIN without SOA is kept" },
	{ "cache_size", HW_OPT_INT, G(hop_names.cache_size), "10000", 16, 10000000, NULL,
	  "addresses whose names are kept; beyond, the least recently used goes" },
	{ "max_in_flight", HW_OPT_INT, G(hop_names.max_in_flight), "16", 1, 1000, NULL,
	  "lookups running at once at most" },
	{ "rate", HW_OPT_DOUBLE, G(hop_names.rate), "20", 0.01, 10000, NULL,
	  "lookups started per second at most (queries per second: at most twice that, with the retry)" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
static const hw_option log_options[] = {
	{ "level", HW_OPT_ENUM, G(log.level), "info", 0, 0, conf_log_levels,
	  "least severe level written" },
	{ "destination", HW_OPT_ENUM, G(log.syslog), "stderr", 0, 0, log_destinations,
	  "stderr or syslog" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
static const hw_option mesh_options[] = {
	{ "ttl", HW_OPT_DURATION, G(mesh.ttl), "30s", 3, 3600, NULL,
	  "time a mesh registration lives without a heartbeat (one every third of it); members silent this long leave" },
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
	{ "targets_from", HW_OPT_STRING, P(targets_from), NULL, 0, 0, NULL,
	  "name of a conn instance: its top outgoing destinations (address and remote port) become the "
	  "targets, instead of a targets list" },
	{ "max_targets", HW_OPT_INT, P(max_targets), "100", 1, 10000, NULL,
	  "with targets_from or mesh: most targets at once (slots allocated at start); further destinations, "
	  "the fewest bytes, or mesh members, the last by name, are left out" },
	{ "expire", HW_OPT_DURATION, P(expire), "10m", 1, 604800, NULL,
	  "with targets_from: a destination without traffic for this long stops being a target" },
	{ "mesh", HW_OPT_STRING, P(mesh), NULL, 0, 0, NULL,
	  "mesh group whose live members are the targets, instead of targets (letters, digits, _ . -)" },
	{ "mesh_port", HW_OPT_INT, P(mesh_port), "0", 0, 65535, NULL,
	  "port probed on every mesh member (tcp needs one); 0: none" },
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
	size_t tag_room;       /* bytes the fixed tags of a line may take (emit_tags_room) */
	size_t global_tags;    /* bytes the global tags take, DD_ENTITY_ID's included */
	char sink_url[512];    /* the sink's URL, for messages */
	int core_only;         /* conf_load_core: probes and include_dir are not read */
	int interval_set;      /* the file sets the global interval (it then beats a plugin's default_interval) */
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

/* Log "file:line: path: message" for setting `s`: an error (counted) or,
 * with `warn`, a warning. */
static void conf_vreport(struct loader *L, const config_setting_t *s, int warn, const char *fmt,
                         va_list ap) __attribute__((format(printf, 4, 0)));
static void conf_vreport(struct loader *L, const config_setting_t *s, int warn, const char *fmt,
                         va_list ap)
{
	char path[256], msg[512];
	const char *file = NULL;
	int line = 0;

	vsnprintf(msg, sizeof msg, fmt, ap);
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
	if (warn)
		HW_WARN(NULL, "%s:%d: %s%s%s", file, line, path, path[0] ? ": " : "", msg);
	else {
		HW_ERROR(NULL, "%s:%d: %s%s%s", file, line, path, path[0] ? ": " : "", msg);
		L->errors++;
	}
}

/* Report "file:line: path: message" for setting `s` as an error. */
static void conf_error(struct loader *L, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void conf_error(struct loader *L, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vreport(L, s, 0, fmt, ap);
	va_end(ap);
}

/* The same, as a warning: the configuration stays valid. */
static void conf_warn(struct loader *L, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void conf_warn(struct loader *L, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vreport(L, s, 1, fmt, ap);
	va_end(ap);
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

/* ==================================================================
 * Number literals as written (issue 15).  libconfig 1.5 reads a plain
 * integer with atoi(): 4294967299 becomes 3, 3000000000 a negative number,
 * 99999999999999999999 becomes -1, and the setting still says
 * CONFIG_TYPE_INT, so no getter can tell.  Hex without L is cut to 32 bits
 * the same way; 64-bit literals (L) saturate.  It keeps no text either.
 * So the loader reads every number literal itself (scan_file below), in
 * file order, and hangs each on its setting (the setting's hook): every
 * numeric check then uses the exact value and names the literal as written.
 * ================================================================== */

int conf_parse_number(const char *text, size_t len, struct conf_number *n)
{
	char *s, *p, *end;
	int neg = 0, hex, rc = -1;
	size_t m;

	memset(n, 0, sizeof *n);
	if (len < sizeof n->text)
		memcpy(n->text, text, len);
	else
		snprintf(n->text, sizeof n->text, "%.*s...", (int)sizeof n->text - 4, text);
	if (!len || memchr(text, '\0', len) || !(s = strndup(text, len)))
		return -1;
	p = s;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
	if (!hex && strpbrk(p, ".eE")) {
		if (!isdigit((unsigned char)*p) && *p != '.')
			goto out;
		errno = 0;
		n->d = strtod(s, &end);
		if (*end)
			goto out;
		n->is_float = 1;
		n->fits = isfinite(n->d);
		rc = 0;
		goto out;
	}
	m = strlen(p);
	for (int k = 0; k < 2 && m && p[m - 1] == 'L'; k++)
		p[--m] = '\0';  /* the 64-bit suffix: L or LL */
	if (hex)
		p += 2;
	if (!*p)
		goto out;
	for (char *q = p; *q; q++)
		if (hex ? !isxdigit((unsigned char)*q) : !isdigit((unsigned char)*q))
			goto out;
	{
		unsigned long long u;
		errno = 0;
		u = strtoull(p, &end, hex ? 16 : 10);
		n->fits = errno != ERANGE && u <= (unsigned long long)LLONG_MAX + (unsigned long long)neg;
		if (n->fits)
			n->i = !neg ? (long long)u : u > (unsigned long long)LLONG_MAX ? LLONG_MIN : -(long long)u;
		n->d = n->fits ? (double)n->i : neg ? -HUGE_VAL : HUGE_VAL;
	}
	rc = 0;
out:
	free(s);
	return rc;
}

/* The number in setting `s` (an INT, INT64 or FLOAT) as written, when the
 * scan hung its literal on it; else as libconfig read it. */
static void setting_number(const config_setting_t *s, struct conf_number *n)
{
	const struct conf_number *lit = config_setting_get_hook(s);

	if (lit) {
		*n = *lit;
		return;
	}
	memset(n, 0, sizeof *n);
	n->fits = 1;
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT) {
		n->is_float = 1;
		n->d = config_setting_get_float(s);
		n->fits = isfinite(n->d);
		snprintf(n->text, sizeof n->text, "%g", n->d);
	} else {
		n->i = config_setting_get_int64(s);
		n->d = (double)n->i;
		snprintf(n->text, sizeof n->text, "%lld", n->i);
	}
}

/* Setting `s` as written, for messages: a number's literal, a string in
 * quotes, true/false, or what kind of aggregate it is. */
static const char *setting_text(const config_setting_t *s, char *buf, size_t len)
{
	struct conf_number n;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
	case CONFIG_TYPE_FLOAT:
		setting_number(s, &n);
		snprintf(buf, len, "%s", n.text);
		break;
	case CONFIG_TYPE_STRING:
		snprintf(buf, len, "\"%.*s\"", 60, config_setting_get_string(s));
		break;
	case CONFIG_TYPE_BOOL:
		snprintf(buf, len, "%s", config_setting_get_bool(s) ? "true" : "false");
		break;
	case CONFIG_TYPE_GROUP:
		snprintf(buf, len, "a group { ... }");
		break;
	case CONFIG_TYPE_ARRAY:
		snprintf(buf, len, "an array [ ... ]");
		break;
	default:
		snprintf(buf, len, "a list ( ... )");
		break;
	}
	return buf;
}

/* Read integer setting `s` into *v when it is a whole number from `min` to
 * `max`, written as an integer or as a float with no fraction (3.0, 1e3);
 * else report "must be `noun`, not <as written>" (another type, or a
 * fraction: 3.5) or "must be from MIN to MAX, not <as written>".  Returns
 * 0 or -1. */
static int read_integer(struct loader *L, const config_setting_t *s, long long min,
                        long long max, const char *noun, long long *v)
{
	struct conf_number n;
	char text[80];
	int type = config_setting_type(s);

	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64 && type != CONFIG_TYPE_FLOAT) {
		conf_error(L, s, "must be %s, not %s", noun, setting_text(s, text, sizeof text));
		return -1;
	}
	setting_number(s, &n);
	if (n.is_float) {
		if (n.fits && n.d != floor(n.d)) {
			conf_error(L, s, "must be %s, not %s", noun, n.text);
			return -1;
		}
		/* |d| below 2^63: exact as a long long; beyond, out of any range */
		n.fits = n.fits && fabs(n.d) < 9223372036854775808.0;
		n.i = n.fits ? (long long)n.d : 0;
	}
	if (!n.fits || n.i < min || n.i > max) {
		conf_error(L, s, "must be from %lld to %lld, not %s", min, max, n.text);
		return -1;
	}
	*v = n.i;
	return 0;
}
/* ===================================================== end of literals */

const char *conf_host_problem(const char *host, int family)
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (strchr(host, ':')) {
		char addr[INET6_ADDRSTRLEN];
		/* a zone ("fe80::1%eth0") is the resolver's to read */
		snprintf(addr, sizeof addr, "%.*s", (int)strcspn(host, "%"), host);
		if (strcspn(host, "%") >= sizeof addr || inet_pton(AF_INET6, addr, buf) != 1)
			return "is not an IPv6 address";
		if (family == FAMILY_IPV4)
			return "is an IPv6 address, but this probe's family is \"ipv4\"";
	} else if (host[strspn(host, "0123456789.")] == '\0') {
		/* no host name is all digits and dots: it is meant as an address */
		if (inet_pton(AF_INET, host, buf) != 1)
			return "is not an IPv4 address (four numbers from 0 to 255, like 192.0.2.1)";
		if (family == FAMILY_IPV6)
			return "is an IPv4 address, but this probe's family is \"ipv6\"";
	}
	return NULL;
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

/* Read setting `s` as option `o` into `base`, reporting problems.  Every
 * refusal names the value as written. */
static void read_option(struct loader *L, const config_setting_t *s, const hw_option *o,
                        void *base)
{
	char lo[32], hi[32], got[128], text[80];
	const char *why;
	int type = config_setting_type(s);
	struct conf_number n;
	double v;

	switch (o->type) {
	case HW_OPT_STRING:
	case HW_OPT_ENUM:
		if (type != CONFIG_TYPE_STRING) {
			conf_error(L, s, "must be a string, not %s", setting_text(s, text, sizeof text));
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
			conf_error(L, s, "must be true or false, not %s", setting_text(s, text, sizeof text));
		else
			*(int *)((char *)base + o->offset) = config_setting_get_bool(s);
		return;
	case HW_OPT_INT: {
		/* exact 64-bit comparison; an int field holds no more than INT_MAX */
		long long min = o->min < INT_MIN ? INT_MIN : (long long)ceil(o->min);
		long long max = o->max > INT_MAX ? INT_MAX : (long long)floor(o->max), iv;
		if (read_integer(L, s, min, max, "a whole number", &iv) == 0)
			store_number(o, base, (double)iv);
		return;
	}
	case HW_OPT_DURATION:
		if (type == CONFIG_TYPE_STRING) {
			if (conf_parse_duration(config_setting_get_string(s), &v) < 0) {
				conf_error(L, s, "\"%s\" is not a duration: write seconds, or a number with ms, s, m or h",
				           config_setting_get_string(s));
				return;
			}
			snprintf(got, sizeof got, "\"%.60s\" (%gs)", config_setting_get_string(s), v);
			break;
		}
		/* a plain number is seconds */
		__attribute__((fallthrough));
	case HW_OPT_DOUBLE:
		if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64 && type != CONFIG_TYPE_FLOAT) {
			conf_error(L, s, "must be %s, not %s",
			           o->type == HW_OPT_DURATION ? "a duration (seconds, or a string like \"250ms\")"
			                                      : "a number",
			           setting_text(s, text, sizeof text));
			return;
		}
		setting_number(s, &n);
		v = n.fits ? n.d : NAN;  /* NAN fails the range check below */
		snprintf(got, sizeof got, "%s", n.text);
		break;
	default:
		conf_error(L, s, "has an unknown option type");
		return;
	}
	if (!(v >= o->min && v <= o->max)) {
		int dur = o->type == HW_OPT_DURATION;
		conf_error(L, s, "must be from %s to %s, not %s", bound_text(lo, sizeof lo, o->min, dur),
		           bound_text(hi, sizeof hi, o->max, dur), got);
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
		if ((why = dsd_tag_consumed(config_setting_get_string(e))))
			conf_warn(L, e, "tag \"%s\": %s", config_setting_get_string(e), why);
		out->v[out->n++] = pool_strdup(L->c, config_setting_get_string(e));
	}
}

/* ---- The tag room rule of the DogStatsD sink (src/sink/emit.h) ---- */

/* Find the sink's datagram size and the global tags' length; refuse
 * global tags that leave too little room. */
static void tag_room_init(struct loader *L, const config_setting_t *root)
{
	const struct hw_config *c = L->c;
	const char *id = getenv("DD_ENTITY_ID");
	struct statsd_addr a;
	char why[256];

	if (c->statsd.url)
		snprintf(L->sink_url, sizeof L->sink_url, "%s", c->statsd.url);
	else
		statsd_default_url(L->sink_url, sizeof L->sink_url);
	/* a bad URL is reported by check_globals, or at start for DD_* */
	a.unix_socket = statsd_parse_url(L->sink_url, &a, why, sizeof why) == 0 && a.unix_socket;
	L->tag_room = emit_tags_room(a.unix_socket ? STATSD_UNIX_MAX : STATSD_UDP_MAX);
	L->global_tags = emit_tags_len(0, (const char *const *)c->tags.v, c->tags.n);
	if (id && id[0] && !a.unix_socket)  /* daemon.c adds it over UDP */
		L->global_tags += (L->global_tags ? 1 : 0) + strlen("dd.internal.entity_id:") + strlen(id);
	if (L->global_tags > L->tag_room)
		conf_error(L, config_setting_get_member(root, "tags"),
		           "the global tags take %zu bytes; lines to %s have room for %zu bytes of "
		           "tags (README: tag room): use fewer or shorter tags%s", L->global_tags,
		           L->sink_url, L->tag_room, a.unix_socket ? "" : ", or a unix:// socket");
}

/* Refuse instance `pc` (t NULL, setting `s` its tags) or its target `t`
 * (setting `s`) when the fixed tags of its lines exceed the room. */
static void check_tag_room(struct loader *L, const config_setting_t *s,
                           const struct probe_conf *pc, const struct target_conf *t)
{
	/* as instance.c builds them; target_ip: counted at its longest */
	char probe[80], host[300], port[16], group[300];
	char ip[] = "target_ip:ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
	const char *own[] = { probe, host, t && t->port ? port : NULL, ip, group };
	size_t len = L->global_tags;

	if (len > L->tag_room || !pc->name)
		return;  /* already refused */
	snprintf(probe, sizeof probe, "probe:%s", pc->name);
	len = emit_tags_len(len, own, 1);
	len = emit_tags_len(len, (const char *const *)pc->tags.v, pc->tags.n);
	if (t && len > L->tag_room)
		return;  /* the instance was refused */
	if (t) {
		snprintf(host, sizeof host, "target:%s", t->host);
		snprintf(port, sizeof port, "port:%u", t->port);
		snprintf(group, sizeof group, "%s%s", t->group ? "group:" : "", t->group ? t->group : "");
		len = emit_tags_len(len, own + 1, 4);
		len = emit_tags_len(len, (const char *const *)t->tags.v, t->tags.n);
	}
	if (len > L->tag_room)
		conf_error(L, s, "the fixed tags of %s \"%s\" take %zu bytes with the global ones; lines "
		           "to %s have room for %zu bytes of tags (README: tag room): use fewer or "
		           "shorter tags", t ? "target" : "probe", t ? t->host : pc->name, len,
		           L->sink_url, L->tag_room);
}

/* ---- end of the tag room rule ---- */

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
	long long pv;
	int bad = 0;
	struct target_conf *t;
	struct strlist tags = { NULL, 0 };
	hw_port_use use;  /* whether the targets carry a port, under this probe's settings */

	switch (config_setting_type(e)) {
	case CONFIG_TYPE_STRING:
		text = config_setting_get_string(e);
		if (conf_parse_hostport(text, host, sizeof host, &port, &why) < 0) {
			conf_error(L, e, "target \"%s\": %s", text, why);
			goto drop;
		}
		break;
	case CONFIG_TYPE_GROUP: {
		const config_setting_t *h = config_setting_get_member(e, "host");
		uint16_t hport = 0;
		for (int i = 0; i < config_setting_length(e); i++) {
			const config_setting_t *m = config_setting_get_elem(e, (unsigned)i);
			const char *n = config_setting_name(m);
			if (!strcmp(n, "port")) {
				if (read_integer(L, m, 1, 65535, "a port number", &pv) < 0)
					bad = 1;
				else
					port = (uint16_t)pv;
			} else if (!strcmp(n, "tags")) {
				read_tags(L, m, &tags);
			} else if (strcmp(n, "host")) {
				conf_error(L, m, "unknown setting in a target (known: host, port, tags)");
			}
		}
		if (!h || config_setting_type(h) != CONFIG_TYPE_STRING) {
			conf_error(L, h ? h : e, "a target needs host = \"name or address\"");
			goto drop;
		}
		text = config_setting_get_string(h);
		if (conf_parse_hostport(text, host, sizeof host, &hport, &why) < 0 ||
		    strchr(text, '[') || hport) {
			conf_error(L, h, "host \"%s\": %s", text,
			           why ? why : hport ? "write the port as port = N" : "write the address without brackets");
			goto drop;
		}
		snprintf(host, sizeof host, "%s", text);
		if (bad)
			goto drop;
		break;
	}
	case CONFIG_TYPE_LIST:
	case CONFIG_TYPE_ARRAY: {
		const config_setting_t *h = config_setting_get_elem(e, 0);
		const config_setting_t *p = config_setting_get_elem(e, 1);
		if (config_setting_length(e) != 2 || config_setting_type(h) != CONFIG_TYPE_STRING) {
			conf_error(L, e, "a target list must be (\"host\", port)");
			goto drop;
		}
		text = config_setting_get_string(h);
		if (conf_parse_hostport(text, host, sizeof host, &port, &why) < 0 || port) {
			conf_error(L, h, "host \"%s\": %s", text, why ? why : "the port goes in the second element");
			goto drop;
		}
		if (read_integer(L, p, 1, 65535, "a port number", &pv) < 0)
			goto drop;
		port = (uint16_t)pv;
		break;
	}
	default:
		conf_error(L, e, "a target must be \"host\", \"host:port\", (\"host\", port) or { host = ...; port = ...; }");
		goto drop;
	}
	if ((why = conf_host_problem(host, pc->family))) {
		conf_error(L, e, "target \"%s\": %s", text, why);
		goto drop;
	}
	use = !pc->p ? HW_PORT_OPTIONAL : pc->p->port_use && pc->opts ? pc->p->port_use(pc->opts) : pc->p->port;
	if (port && use == HW_PORT_NONE) {
		conf_error(L, e, "target \"%s\": plugin %s takes no port%s", text, pc->plugin,
		           pc->p->port != HW_PORT_NONE ? " with the settings of this probe" : "");
		goto drop;
	}
	if (!port && use == HW_PORT_REQUIRED) {
		conf_error(L, e, "target \"%s\": plugin %s needs a port (\"host:port\")", text, pc->plugin);
		goto drop;
	}
	if (pc->ntargets >= MAX_TARGETS) {
		conf_error(L, e, "more than %d targets in one probe: split it", MAX_TARGETS);
		goto drop;
	}
	if (seen_add(L, pc, host, port)) {
		conf_error(L, e, "target \"%s\" is listed twice in this probe", text);
		goto drop;
	}
	if (!(pc->ntargets & (pc->ntargets - 1))) {
		/* full at 0 and at every power of two: double */
		struct target_conf *nt = realloc(pc->targets, (pc->ntargets ? pc->ntargets * 2 : 1) * sizeof *nt);
		if (!nt) {
			conf_error(L, e, "out of memory");
			goto drop;
		}
		pc->targets = nt;
	}
	t = &pc->targets[pc->ntargets++];
	t->host = pool_strdup(L->c, host);
	t->port = port;
	t->group = pool_strdup(L->c, group);
	t->tags = tags;
	if (t->host && (!group || t->group))
		check_tag_room(L, e, pc, t);
	return;
drop:
	free(tags.v);  /* its strings are the pool's */
}

/* redis.sentinels: a list of "host:port" (a port is required; IPv6 in
 * brackets), kept as written. */
static void read_sentinels(struct loader *L, const config_setting_t *s, struct strlist *out)
{
	int n;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY && config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_error(L, s, "must be a list like [\"10.0.0.1:26379\", \"10.0.0.2:26379\"]");
		return;
	}
	if ((n = config_setting_length(s)) < 1 || n > 64) {
		conf_error(L, s, "must list 1 to 64 sentinels, not %d", n);
		return;
	}
	out->v = calloc((size_t)n + 1, sizeof *out->v);
	for (int i = 0; out->v && i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *text = config_setting_get_string(e), *why = NULL;
		char host[256];
		uint16_t port;
		if (!text) {
			conf_error(L, e, "a sentinel must be a string \"host:port\"");
			continue;
		}
		if (conf_parse_hostport(text, host, sizeof host, &port, &why) < 0 || !port) {
			conf_error(L, e, "sentinel \"%s\": %s", text, why ? why : "needs a port, e.g. :26379");
			continue;
		}
		out->v[out->n++] = pool_strdup(L->c, text);
	}
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

/* Where setting name `name` first stands as a whole word in `msg`, or -1. */
static long word_at(const char *msg, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = strstr(msg, name); p; p = strstr(p + 1, name)) {
		int before = p > msg && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
		int after = isalnum((unsigned char)p[n]) || p[n] == '_';
		if (!before && !after)
			return (long)(p - msg);
	}
	return -1;
}

/* " (count 5, spacing 1s, timeout 1s, interval 5s)": the values of the
 * settings that a plugin's validate() message `msg` names, in the order it
 * names them, so that a refusal across settings shows its numbers; "" when
 * it names none.  Plugins keep their static messages (and the ABI). */
static const char *named_values(char *buf, size_t len, const char *msg, const struct probe_conf *pc)
{
	struct named { long at; char text[96]; } v[32];  /* where in msg, "name value" */
	size_t nv = 0, used;

	for (int table = 0; table < 2; table++)
		for (const hw_option *o = table ? pc->p->options : probe_options; o && o->name && nv < 32; o++) {
			const char *field = (const char *)(table ? pc->opts : (const void *)pc) + o->offset;
			long at = word_at(msg, o->name);
			if (at < 0)
				continue;
			switch (o->type) {
			case HW_OPT_INT:
				snprintf(v[nv].text, sizeof v[nv].text, "%s %d", o->name, *(const int *)field);
				break;
			case HW_OPT_BOOL:
				snprintf(v[nv].text, sizeof v[nv].text, "%s %s", o->name, *(const int *)field ? "true" : "false");
				break;
			case HW_OPT_ENUM:
				snprintf(v[nv].text, sizeof v[nv].text, "%s \"%s\"", o->name, o->choices[*(const int *)field]);
				break;
			case HW_OPT_STRING:
				if (!*(const char *const *)field)
					continue;
				snprintf(v[nv].text, sizeof v[nv].text, "%s \"%.60s\"", o->name, *(const char *const *)field);
				break;
			default:
				snprintf(v[nv].text, sizeof v[nv].text, "%s %g%s", o->name, *(const double *)field,
				         o->type == HW_OPT_DURATION ? "s" : "");
				break;
			}
			v[nv++].at = at;
		}
	buf[0] = '\0';
	for (size_t k = 0; k < nv; k++) {
		size_t first = k;
		for (size_t j = k + 1; j < nv; j++)
			if (v[j].at < v[first].at)
				first = j;
		if (first != k) {  /* selection sort by position: a handful of entries */
			struct named t = v[k];
			v[k] = v[first];
			v[first] = t;
		}
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", k ? ", " : " (", v[k].text);
	}
	if (nv) {
		used = strlen(buf);
		snprintf(buf + used, len - used, ")");
	}
	return buf;
}

int conf_metric_match(const char *pat, const char *name)
{
	size_t n = strlen(pat);

	if (n >= 2 && pat[n - 2] == '.' && pat[n - 1] == '*')
		return !strncmp(pat, name, n - 1);
	return !strcmp(pat, name);
}

/* Apply list `key` of probe `ps` to pc->metric_on: every entry must be a
 * string that matches a metric of the plugin's table (conf_metric_match,
 * on the whole name or on the name without its first word, the plugin's:
 * "rtt" is "icmp.rtt" in an icmp instance); each match gets `value`.
 * Returns 1 when the list was there. */
static int metric_list(struct loader *L, const config_setting_t *ps, struct probe_conf *pc,
                       const char *key, unsigned char value)
{
	const config_setting_t *s = config_setting_get_member(ps, key);
	const hw_metric_def *m = pc->p->metrics;

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY && config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_error(L, s, "must be a list of metric names like [\"%s\"]", m[0].name);
		return 1;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *pat = config_setting_type(e) == CONFIG_TYPE_STRING ? config_setting_get_string(e) : NULL;
		int hits = 0;
		if (!pat) {
			conf_error(L, e, "a metric name must be a string");
			continue;
		}
		for (size_t k = 0; k < pc->nmetrics; k++)
			if (conf_metric_match(pat, m[k].name) ||
			    (strchr(m[k].name, '.') && conf_metric_match(pat, strchr(m[k].name, '.') + 1))) {
				pc->metric_on[k] = value;
				hits++;
			}
		if (!hits) {
			char list[2048] = "";
			for (size_t k = 0; k < pc->nmetrics; k++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "", m[k].name);
			conf_error(L, e, "\"%s\" is no metric of plugin %s (known: %s; the plugin's name may be "
			           "left out, \"rtt\" for \"%s.rtt\", and \"NAME.*\" selects a family)", pat, pc->plugin,
			           list, pc->plugin);
		}
	}
	return 1;
}

/* The metric selection of probe `ps`: the plugin's defaults, or exactly
 * `metrics`; plus `metrics_add`; minus `metrics_exclude`. */
static void read_metric_selection(struct loader *L, const config_setting_t *ps, struct probe_conf *pc)
{
	const char *keys[] = { "metrics", "metrics_add", "metrics_exclude" };

	if (!pc->p)
		return;
	if (!pc->p->metrics) {
		for (size_t i = 0; i < 3; i++)
			if (config_setting_get_member(ps, keys[i]))
				conf_error(L, config_setting_get_member(ps, keys[i]),
				           "plugin %s declares no metrics to select from", pc->plugin);
		return;
	}
	while (pc->p->metrics[pc->nmetrics].name)
		pc->nmetrics++;
	if (!(pc->metric_on = calloc(pc->nmetrics + 1, 1))) {
		conf_error(L, ps, "out of memory");
		return;
	}
	for (size_t k = 0; k < pc->nmetrics; k++)
		pc->metric_on[k] = (unsigned char)(pc->p->metrics[k].on != 0);
	if (config_setting_get_member(ps, "metrics") && config_setting_get_member(ps, "metrics_add"))
		conf_error(L, config_setting_get_member(ps, "metrics_add"),
		           "give either metrics (exactly what to send) or metrics_add (the defaults and these)");
	if (config_setting_get_member(ps, "metrics"))
		memset(pc->metric_on, 0, pc->nmetrics);
	metric_list(L, ps, pc, "metrics", 1);
	metric_list(L, ps, pc, "metrics_add", 1);
	metric_list(L, ps, pc, "metrics_exclude", 0);
}

/* A list of at most `max` strings, each passing `problem` (NULL: fine),
 * into out; `what` names an element in messages. */
static void read_checked_list(struct loader *L, const config_setting_t *s, struct strlist *out, int max,
                              const char *what, const char *(*problem)(const char *))
{
	int n;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY && config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_error(L, s, "must be a list of strings");
		return;
	}
	if ((n = config_setting_length(s)) > max) {
		conf_error(L, s, "lists %d of them; at most %d are allowed", n, max);
		return;
	}
	out->v = calloc((size_t)n + 1, sizeof *out->v);
	for (int i = 0; out->v && i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *text = config_setting_get_string(e), *why;
		if (!text)
			conf_error(L, e, "%s must be a string", what);
		else if ((why = problem(text)))
			conf_error(L, e, "%s \"%s\" %s", what, text, why);
		else
			out->v[out->n++] = pool_strdup(L->c, text);
	}
}

/* mesh_allow: a CIDR. */
static const char *cidr_problem(const char *text)
{
	struct mesh_cidr c;
	const char *why;

	return meshreg_cidr_parse(text, &c, &why) < 0 ? why : NULL;
}

/* mesh.addresses: an address of this host, written canonically. */
static const char *mesh_address_problem(const char *text)
{
	unsigned char a[16];
	char back[INET6_ADDRSTRLEN];
	int fam = strchr(text, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(fam, text, a) != 1)
		return "is not an IPv4 or IPv6 address";
	/* what no member could probe: unspecified, multicast, broadcast */
	if (fam == AF_INET ? (a[0] == 0 || a[0] >= 224) : (a[0] == 0xff || !memcmp(a, in6addr_any.s6_addr, 16)))
		return "is not a unicast address a member could probe";
	if (!inet_ntop(fam, a, back, sizeof back) || strcmp(back, text))
		return "is not written canonically (as inet_ntop writes it)";
	return NULL;
}

/* mesh.tags: a tag a registration may carry. */
static const char *mesh_tag_problem(const char *text)
{
	return meshreg_tag_ok(text) ? NULL : "is not 1 to 64 letters, digits or \"_.:/-\"";
}

/* The mesh keys of a probe: mesh instead of targets, mesh_allow, mesh_port. */
static void read_mesh_probe(struct loader *L, const config_setting_t *ps, struct probe_conf *pc,
                            const config_setting_t *targets)
{
	const config_setting_t *m = config_setting_get_member(ps, "mesh");
	const config_setting_t *allow = config_setting_get_member(ps, "mesh_allow");
	const config_setting_t *port = config_setting_get_member(ps, "mesh_port");
	const struct redis_conf *rc = &L->c->redis;

	if (!pc->mesh) {
		conf_error(L, allow ? allow : port, "is for a mesh probe: set mesh = \"GROUP\" too");
		return;
	}
	if (!meshreg_name_ok(pc->mesh))
		conf_error(L, m, "\"%s\": use 1 to %d letters, digits, '_', '.' or '-'", pc->mesh, MESH_NAME_MAX);
	pc->dynamic = 1;  /* its targets come from the mesh at run time (targets.h) */
	if (targets)
		conf_error(L, targets, "a probe takes targets or mesh = \"%s\", not both", pc->mesh);
	if (pc->targets_from)
		conf_error(L, m, "a probe takes targets_from or mesh, not both");
	if (pc->p && pc->p->run && !pc->p->forget)
		conf_error(L, m, "plugin %s cannot take its targets from a mesh (icmp, tcp and path can)", pc->plugin);
	if (!rc->host && !rc->socket && !rc->sentinels.n)
		conf_error(L, m, "a mesh lives in Redis: set redis = { host = ...; } (or socket, or sentinels)");
	if (pc->p && !pc->p->run)
		conf_error(L, m, "plugin %s takes no targets, so no mesh", pc->plugin);
	if (pc->p && pc->p->port == HW_PORT_REQUIRED && !pc->mesh_port)
		conf_error(L, m, "plugin %s needs a port: set mesh_port", pc->plugin);
	if (pc->p && pc->p->port == HW_PORT_NONE && pc->mesh_port)
		conf_error(L, port, "plugin %s takes no port", pc->plugin);
	if (allow)
		read_checked_list(L, allow, &pc->mesh_allow, 64, "CIDR", cidr_problem);
	for (size_t i = 0; i < pc->mesh_allow.n; i++) {
		int v6 = strchr(pc->mesh_allow.v[i], ':') != NULL;
		if ((pc->family == FAMILY_IPV4 && v6) || (pc->family == FAMILY_IPV6 && !v6))
			conf_error(L, allow, "CIDR \"%s\" is of the other family than this probe's family",
			           pc->mesh_allow.v[i]);
	}
}

/* A probe with targets_from: no targets list, a plugin that takes dynamic
 * targets; the source itself is checked once every probe is read
 * (check_sources). */
static void read_targets_from(struct loader *L, const config_setting_t *ps, struct probe_conf *pc,
                              const config_setting_t *targets)
{
	const config_setting_t *s = config_setting_get_member(ps, "targets_from");
	char where[600], path[256];

	pc->dynamic = 1;
	if (targets)
		conf_error(L, targets, "set either targets or targets_from, not both");
	if (pc->p && (!pc->p->run || !pc->p->forget))
		conf_error(L, s, "plugin %s cannot take its targets from another instance "
		           "(icmp, tcp and path can)", pc->plugin);
	setting_path(s, path, sizeof path);
	snprintf(where, sizeof where, "%s:%d: %s", config_setting_source_file(s) ? config_setting_source_file(s)
	         : L->file, config_setting_source_line(s), path);
	pc->from_where = pool_strdup(L->c, where);
}

/* Read one `probes` entry. */
/* A plugin's `source` address (icmp, path) is used for targets of its
 * family only: refused when it can never be used (the probe's family is
 * the other one, or every target is an address of the other family);
 * a warning when some targets are addresses of the other family (they
 * are sent from the kernel's choice).  Names resolve to either family. */
static void check_source_family(struct loader *L, const config_setting_t *ps, const struct probe_conf *pc)
{
	const config_setting_t *src = config_setting_get_member(ps, "source");
	const char *s = src ? config_setting_get_string(src) : NULL, *first_other = NULL;
	unsigned char buf[sizeof(struct in6_addr)];
	int fam, usable = 0;

	if (!s)
		return;
	if (inet_pton(AF_INET, s, buf) == 1)
		fam = FAMILY_IPV4;
	else if (inet_pton(AF_INET6, s, buf) == 1)
		fam = FAMILY_IPV6;
	else
		return;  /* not an address: the plugin's validate() says so */
	const char *fname = fam == FAMILY_IPV4 ? "IPv4" : "IPv6", *oname = fam == FAMILY_IPV4 ? "IPv6" : "IPv4";
	if (pc->family != FAMILY_ANY && pc->family != fam) {
		conf_error(L, src, "\"%s\" is an %s address, but this probe's family is \"%s\": it would never be used",
		           s, fname, pc->family == FAMILY_IPV4 ? "ipv4" : "ipv6");
		return;
	}
	for (size_t i = 0; i < pc->ntargets; i++) {
		const char *h = pc->targets[i].host;
		if (!conf_host_problem(h, fam))
			usable = 1;  /* an address of the family, or a name */
		else if (!first_other)
			first_other = h;
	}
	if (!pc->ntargets || !first_other)
		return;
	if (!usable)
		conf_error(L, src, "\"%s\" is an %s address, but every target is an %s address (%s): it would never "
		           "be used", s, fname, oname, first_other);
	else
		conf_warn(L, src, "\"%s\" is an %s address: the %s targets (%s) are sent from the address the "
		          "kernel chooses", s, fname, oname, first_other);
}

static void read_probe(struct loader *L, const config_setting_t *ps, struct probe_conf *pc)
{
	static const char *const core_keys[] = { "name", "plugin", "tags", "targets", "metrics", "metrics_add",
	                                         "metrics_exclude", "mesh_allow", NULL };
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
	/* a global interval the file sets, else the plugin's own default, else the built-in one */
	pc->interval = !L->interval_set && pc->p && pc->p->default_interval > 0 ? pc->p->default_interval : c->interval;
	pc->timeout = c->timeout;
	conf_apply_defaults(c, probe_options, pc);
	if (tags)
		read_tags(L, tags, &pc->tags);
	check_tag_room(L, tags ? tags : ps, pc, NULL);
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
			char list[512] = "name, plugin, tags, targets, mesh_allow";
			for (o = probe_options; o->name; o++)
				snprintf(list + strlen(list), sizeof list - strlen(list), ", %s", o->name);
			for (o = pc->p ? pc->p->options : NULL; o && o->name; o++)
				snprintf(list + strlen(list), sizeof list - strlen(list), ", %s", o->name);
			conf_error(L, s, "unknown setting for plugin %s (known: %s)",
			           pc->plugin ? pc->plugin : "?", list);
		}
	}
	read_metric_selection(L, ps, pc);
	if (pc->mesh || config_setting_get_member(ps, "mesh_allow") || pc->mesh_port)
		read_mesh_probe(L, ps, pc, targets);
	/* settings of a dynamic source, never silently ignored without one */
	if (!pc->targets_from && !pc->mesh && config_setting_get_member(ps, "max_targets"))
		conf_error(L, config_setting_get_member(ps, "max_targets"),
		           "is for targets from a source: set targets_from or mesh too");
	if (!pc->targets_from && config_setting_get_member(ps, "expire"))
		conf_error(L, config_setting_get_member(ps, "expire"),
		           "is for targets_from (a mesh member leaves with its heartbeat): set targets_from too");
	if (pc->targets_from)
		read_targets_from(L, ps, pc, targets);
	else if (pc->p && !pc->p->run) {
		if (targets)  /* a plugin without run() watches the host, not targets */
			conf_error(L, targets, "plugin %s takes no targets", pc->plugin);
	} else if (!targets) {
		if (!pc->mesh)
			conf_error(L, ps, "a probe needs targets = [ ... ] (or mesh = \"GROUP\")");
	} else {
		read_targets(L, pc, targets);
		if (!pc->ntargets && config_setting_length(targets) == 0)
			conf_error(L, targets, "is empty: give at least one target");
		check_source_family(L, ps, pc);
	}
	if (pc->timeout > pc->interval)
		conf_error(L, config_setting_get_member(ps, "timeout") ? config_setting_get_member(ps, "timeout") : ps,
		           "timeout (%gs) must not exceed interval (%gs)", pc->timeout, pc->interval);
	else if (pc->p && pc->p->validate && pc->opts &&
	         (bad = pc->p->validate(pc->opts, pc->interval, pc->timeout))) {
		char values[512];
		/* a message with numbers gave its own; else name the values */
		conf_error(L, ps, "%s%s", bad,
		           strpbrk(bad, "0123456789") ? "" : named_values(values, sizeof values, bad, pc));
	}
}

/* Every targets_from names another probe instance, of the conn plugin
 * (the one that publishes destinations). */
static void check_sources(struct loader *L)
{
	const struct hw_config *c = L->c;

	for (size_t i = 0; i < c->nprobes; i++) {
		const struct probe_conf *pc = &c->probes[i], *src = NULL;
		if (!pc->targets_from || !pc->from_where)
			continue;
		for (size_t k = 0; k < c->nprobes && !src; k++)
			if (c->probes[k].name && !strcmp(c->probes[k].name, pc->targets_from))
				src = &c->probes[k];
		if (!src || src == pc || !src->plugin || strcmp(src->plugin, "conn")) {
			HW_ERROR(NULL, "%s: \"%s\" %s", pc->from_where, pc->targets_from,
			         !src ? "is no probe instance's name" : src == pc ? "is this instance itself"
			         : "is not a conn instance (only conn publishes destinations)");
			L->errors++;
		}
	}
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

/* ==================================================================
 * The file scan: the text as libconfig 1.5's scanner reads it, for what
 * libconfig loses (number literals, see conf_parse_number) or does not say
 * (which setting a "duplicate setting name" is).  Comments, strings, names
 * and @include follow libconfig's rules; check_includes has refused first
 * every @include that libconfig could not open or that would loop.
 * ================================================================== */

#define MAX_INCLUDE_DEPTH 10   /* libconfig 1.5's own nesting limit */

/* One open { }, ( ) or [ ] while scanning. */
struct scan_frame {
	size_t names_from;   /* first entry of scan.names defined in this group */
	int list;            /* 1: ( ) or [ ]: its elements have no names */
	int elem;            /* a list's current element, from 0 */
	char label[72];      /* path piece: "name", "[i]", or "" at the top */
};

/* A setting name defined in an open group (duplicate search only). */
struct scan_name {
	char name[72];       /* the name (cut at 71 bytes) */
	const char *file;    /* file it is in (scan.files owns it) */
	int line;            /* its line */
};

/* State of scanning one configuration file and its includes. */
struct scan {
	struct conf_number *lit;   /* number literals in file order, includes expanded */
	size_t nlit, litcap;       /* used, allocated */
	int find_dup;              /* 1: also look for a name defined twice in a group */
	struct scan_name *names;   /* names defined in the open groups */
	size_t nnames, namecap;    /* used, allocated */
	struct scan_frame *frames; /* open groups and lists, [0] the top level */
	size_t nframes, framecap;  /* used, allocated */
	char **files;              /* names of the files read (owned) */
	size_t nfiles;             /* how many */
	char pending[72];          /* the name before the last '=': labels a group after it */
	char dup[640];             /* the first duplicate, as an error message, or "" */
	const char *dir;           /* include directory */
};

/* Free what `sc` holds and zero it (a zeroed scan is empty). */
static void scan_free(struct scan *sc)
{
	for (size_t i = 0; i < sc->nfiles; i++)
		free(sc->files[i]);
	free(sc->files);
	free(sc->lit);
	free(sc->names);
	free(sc->frames);
	memset(sc, 0, sizeof *sc);
}

/* Make room in array *v (`cap` elements of `size` bytes allocated) for
 * element `n`: doubles it when full.  Returns 0, or -1 out of memory. */
static int scan_room(void *v, size_t *cap, size_t n, size_t size)
{
	void **pv = v, *nv;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	if (!(nv = realloc(*pv, ncap * size)))
		return -1;
	*pv = nv;
	*cap = ncap;
	return 0;
}

/* Open a group or list (`c` is its opening bracket). */
static void scan_push(struct scan *sc, char c)
{
	struct scan_frame *f, *up;

	if (scan_room(&sc->frames, &sc->framecap, sc->nframes, sizeof *f) < 0)
		return;
	up = sc->nframes ? &sc->frames[sc->nframes - 1] : NULL;
	f = &sc->frames[sc->nframes++];
	f->names_from = sc->nnames;
	f->list = c != '{';
	f->elem = 0;
	if (sc->pending[0])
		snprintf(f->label, sizeof f->label, "%s", sc->pending);
	else if (up && up->list)
		snprintf(f->label, sizeof f->label, "[%d]", up->elem);
	else
		f->label[0] = '\0';
	sc->pending[0] = '\0';
}

/* `name` is being defined at file:line: remember it, and the first time
 * one is defined twice in the same group, describe it in sc->dup. */
static void scan_define(struct scan *sc, const char *name, const char *file, int line)
{
	struct scan_frame *f = &sc->frames[sc->nframes - 1];
	struct scan_name *n;

	snprintf(sc->pending, sizeof sc->pending, "%s", name);
	if (!sc->find_dup || f->list)
		return;
	for (size_t i = f->names_from; i < sc->nnames && !sc->dup[0]; i++) {
		char path[256] = "";
		if (strcmp(sc->names[i].name, name))
			continue;
		for (size_t k = 1; k < sc->nframes; k++)
			snprintf(path + strlen(path), sizeof path - strlen(path), "%s%s",
			         path[0] && sc->frames[k].label[0] != '[' ? "." : "", sc->frames[k].label);
		snprintf(path + strlen(path), sizeof path - strlen(path), "%s%s", path[0] ? "." : "", name);
		if (strcmp(sc->names[i].file, file))
			snprintf(sc->dup, sizeof sc->dup, "%s:%d: %s: is set twice: first at %s:%d",
			         file, line, path, sc->names[i].file, sc->names[i].line);
		else
			snprintf(sc->dup, sizeof sc->dup, "%s:%d: %s: is set twice: first at line %d",
			         file, line, path, sc->names[i].line);
	}
	if (scan_room(&sc->names, &sc->namecap, sc->nnames, sizeof *n) < 0)
		return;
	n = &sc->names[sc->nnames++];
	snprintf(n->name, sizeof n->name, "%s", name);
	n->file = file;
	n->line = line;
}

/* Keep number literal `text` (`len` bytes) as the next one. */
static void scan_number(struct scan *sc, const char *text, size_t len)
{
	struct conf_number n;

	sc->pending[0] = '\0';
	if (conf_parse_number(text, len, &n) < 0)
		return;  /* libconfig refuses the file; nothing will be matched */
	if (scan_room(&sc->lit, &sc->litcap, sc->nlit, sizeof n) < 0)
		return;
	sc->lit[sc->nlit++] = n;
}

static void scan_path(struct scan *sc, const char *path, int depth);

/* Scan the text of `file` (`len` bytes at `buf`). */
static void scan_text(struct scan *sc, const char *file, const char *buf, size_t len, int depth)
{
	const char *p = buf, *end = buf + len;
	char ident[72];
	int line = 1, bol = 1, ident_line = 0;

	ident[0] = '\0';
	if (!sc->nframes)
		return;  /* out of memory for the top level */
	while (p < end) {
		char c = *p;
		const char *q;
		if (c == '\n') {
			line++;
			p++;
			bol = 1;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
			p++;
			continue;
		}
		if (bol && end - p > 8 && !strncmp(p, "@include", 8)) {
			/* `@include "name"`, the name up to the next quote on the line */
			const char *open = memchr(p, '"', (size_t)(end - p)), *close;
			char path[8192];
			if (!open || !(close = memchr(open + 1, '"', (size_t)(end - open - 1))))
				return;
			if (memchr(p, '\n', (size_t)(open - p)) || memchr(open, '\n', (size_t)(close - open)))
				return;
			snprintf(path, sizeof path, "%s%s%.*s", open[1] == '/' ? "" : sc->dir,
			         open[1] == '/' ? "" : "/", (int)(close - open - 1), open + 1);
			if (depth < MAX_INCLUDE_DEPTH)
				scan_path(sc, path, depth + 1);
			p = close + 1;
			bol = 0;
			continue;
		}
		bol = 0;
		if (c == '#' || (c == '/' && p + 1 < end && p[1] == '/')) {
			while (p < end && *p != '\n')
				p++;
		} else if (c == '/' && p + 1 < end && p[1] == '*') {
			for (p += 2; p < end && !(*p == '*' && p + 1 < end && p[1] == '/'); p++)
				line += *p == '\n';
			p = p < end ? p + 2 : end;
		} else if (c == '"') {
			for (p++; p < end && *p != '"'; p++) {
				if (*p == '\\' && p + 1 < end)
					p++;
				line += *p == '\n';
			}
			p++;
			sc->pending[0] = ident[0] = '\0';
		} else if (isalpha((unsigned char)c) || c == '*') {
			for (q = p; q < end && (isalnum((unsigned char)*q) || strchr("-_*", *q)); q++)
				;
			snprintf(ident, sizeof ident, "%.*s", (int)(q - p), p);
			ident_line = line;
			p = q;
			continue;  /* keep ident for a following '=' */
		} else if (isdigit((unsigned char)c) || c == '.' ||
		           ((c == '-' || c == '+') && p + 1 < end && (isdigit((unsigned char)p[1]) || p[1] == '.'))) {
			int hex;
			q = p + (c == '-' || c == '+');
			hex = end - q > 1 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X');
			for (; q < end; q++)
				if (!isalnum((unsigned char)*q) && *q != '.' &&
				    !(!hex && (*q == '-' || *q == '+') && (q[-1] == 'e' || q[-1] == 'E')))
					break;
			scan_number(sc, p, (size_t)(q - p));
			p = q;
		} else if (c == '=' || c == ':') {
			if (ident[0])
				scan_define(sc, ident, file, ident_line);
			p++;
		} else if (c == '{' || c == '(' || c == '[') {
			scan_push(sc, c);
			p++;
		} else if (c == '}' || c == ')' || c == ']') {
			if (sc->nframes > 1) {
				sc->nframes--;
				sc->nnames = sc->frames[sc->nframes].names_from;
			}
			p++;
		} else {
			if (c == ',' && sc->frames[sc->nframes - 1].list)
				sc->frames[sc->nframes - 1].elem++;
			p++;
		}
		ident[0] = '\0';
	}
}

/* Scan the file at `path` (an @include when depth > 0). */
static void scan_path(struct scan *sc, const char *path, int depth)
{
	char *buf = NULL, **nf;
	size_t len = 0, cap = 0, got;
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	if (!(nf = realloc(sc->files, (sc->nfiles + 1) * sizeof *nf)) || !(nf[sc->nfiles] = strdup(path))) {
		if (nf)
			sc->files = nf;
		fclose(f);
		return;
	}
	sc->files = nf;
	sc->nfiles++;
	for (;;) {
		if (len == cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);
			if (!nb)
				break;
			buf = nb;
		}
		if (!(got = fread(buf + len, 1, cap - len, f)))
			break;
		len += got;
	}
	fclose(f);
	if (buf)
		scan_text(sc, sc->files[sc->nfiles - 1], buf, len, depth);
	free(buf);
}

/* Scan `file` from the top (a new scan; `find_dup` as in struct scan). */
static void scan_file(struct scan *sc, const char *file, const char *dir, int find_dup)
{
	scan_free(sc);
	sc->dir = dir;
	sc->find_dup = find_dup;
	scan_push(sc, '{');
	scan_path(sc, file, 0);
}

/* Hang the scanned literals on the number settings under `s`, in file
 * order.  Returns -1 when they do not pair up (then nothing may be used). */
static int attach_literals(config_setting_t *s, struct scan *sc, size_t *next, int clear)
{
	int type = config_setting_type(s);

	if (type == CONFIG_TYPE_GROUP || type == CONFIG_TYPE_LIST || type == CONFIG_TYPE_ARRAY) {
		for (int i = 0; i < config_setting_length(s); i++)
			if (attach_literals(config_setting_get_elem(s, (unsigned)i), sc, next, clear) < 0)
				return -1;
	} else if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64 || type == CONFIG_TYPE_FLOAT) {
		if (clear) {
			config_setting_set_hook(s, NULL);
			return 0;
		}
		if (*next >= sc->nlit || sc->lit[*next].is_float != (type == CONFIG_TYPE_FLOAT))
			return -1;
		config_setting_set_hook(s, &sc->lit[(*next)++]);
	}
	return 0;
}

/* Refuse what libconfig 1.5 would exit the process on (it calls exit()
 * when its scanner cannot read an include) or loop on: `@include` of
 * anything but a regular file, of a file that is being included already
 * (itself, or one that includes it), an `@include` whose quotes do not
 * close, and NUL bytes.  `chain` holds the files being read, `depth` of
 * them.  Returns 1 when something was refused. */
static int check_includes(struct loader *L, const char *file, const char *dir, int depth,
                          struct stat *chain)
{
	char *line = NULL, path[8192];
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, bad = 0;
	FILE *f = fopen(file, "r");
	struct stat st;

	if (!f)
		return 0;  /* config_read_file reports it */
	if (fstat(fileno(f), &chain[depth]) < 0)
		memset(&chain[depth], 0, sizeof chain[depth]);
	while ((n = getline(&line, &cap, f)) > 0) {
		char *p = line, *q;
		int loop = 0;
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
			continue;
		}
		for (int k = 0; k <= depth; k++)
			if (chain[k].st_dev == st.st_dev && chain[k].st_ino == st.st_ino)
				loop = k == depth ? 1 : 2;
		if (loop) {
			HW_ERROR(NULL, "%s:%d: @include \"%s\": %s", file, lineno, p + 1,
			         loop == 1 ? "includes the file itself"
			                   : "includes a file that is including this one: a loop");
			L->errors++;
			bad = 1;
		} else if (depth + 1 >= MAX_INCLUDE_DEPTH) {
			HW_ERROR(NULL, "%s:%d: @include \"%s\": more than %d files deep", file, lineno, p + 1,
			         MAX_INCLUDE_DEPTH);
			L->errors++;
			bad = 1;
		} else {
			bad |= check_includes(L, path, dir, depth + 1, chain);
		}
	}
	free(line);
	fclose(f);
	return bad;
}

/* Parse `file` into `cf`; report syntax errors.  `sc` receives the scan
 * whose literals hang on cf's settings: free it after config_destroy.
 * Returns 0 on success. */
static int read_file(struct loader *L, config_t *cf, const char *file, const char *dir,
                     struct scan *sc)
{
	struct stat st, chain[MAX_INCLUDE_DEPTH];
	size_t next = 0;

	memset(sc, 0, sizeof *sc);
	config_init(cf);
	config_set_include_dir(cf, dir);
	/* The scans and libconfig read the file: a pipe would be empty the
	 * second time, so only regular files are taken. */
	if (stat(file, &st) == 0 && !S_ISREG(st.st_mode)) {
		HW_ERROR(NULL, "%s: not a regular file", file);
		L->errors++;
		return -1;
	}
	if (check_includes(L, file, dir, 0, chain))
		return -1;
	if (config_read_file(cf, file) == CONFIG_TRUE) {
		scan_file(sc, file, dir, 0);
		if (attach_literals(config_root_setting(cf), sc, &next, 0) < 0 || next != sc->nlit) {
			/* should not happen: then the loader sees libconfig's values */
			HW_WARN(NULL, "%s: number literals could not be matched to settings; "
			              "values beyond 32 bits may not be caught", file);
			attach_literals(config_root_setting(cf), sc, &next, 1);
		}
		return 0;
	}
	if (config_error_type(cf) == CONFIG_ERR_FILE_IO) {
		HW_ERROR(NULL, "%s: cannot read: %s", file, strerror(errno));
	} else {
		if (!strcmp(config_error_text(cf), "duplicate setting name"))
			scan_file(sc, file, dir, 1);
		if (sc->dup[0])
			HW_ERROR(NULL, "%s", sc->dup);
		else if (!strcmp(config_error_text(cf), "syntax error"))  /* libconfig's own words: once */
			HW_ERROR(NULL, "%s:%d: syntax error", config_error_file(cf) ? config_error_file(cf) : file,
			         config_error_line(cf));
		else
			HW_ERROR(NULL, "%s:%d: syntax error: %s",
			         config_error_file(cf) ? config_error_file(cf) : file,
			         config_error_line(cf), config_error_text(cf));
	}
	L->errors++;
	return -1;
}
/* ================================================== end of the file scan */

static int conf_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read every *.conf in include_dir (sorted); they may only add probes. */
static void read_include_dir(struct loader *L, const char *dir, const config_setting_t *where)
{
	struct dirent *de;
	char **names = NULL, path[8192];
	size_t n = 0;
	DIR *d = opendir(dir);

	if (!d) {
		conf_error(L, where, "\"%s\": %s", dir, strerror(errno));
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
		struct scan sc;
		if (!names[i])
			continue;
		if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) {
			HW_ERROR(NULL, "%s/%s: path too long", dir, names[i]);
			L->errors++;
			free(names[i]);
			continue;
		}
		if (read_file(L, &cf, path, dir, &sc) == 0) {
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
		scan_free(&sc);
		free(names[i]);
	}
	free(names);
}

/* Check the global settings that have rules beyond their type. */
static void check_globals(struct loader *L, const config_setting_t *root)
{
	const struct hw_config *c = L->c;
	const char *p = c->prefix, *problem;

	if (p[0] && !isalpha((unsigned char)p[0]))
		conf_error(L, config_setting_get_member(root, "prefix"), "must start with a letter");
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.') {
			conf_error(L, config_setting_get_member(root, "prefix"),
			           "may hold only letters, digits, '_' and '.'");
			break;
		}
	/* redis.prefix: braces would make a Redis Cluster hash tag of their own
	 * (every host in one slot); whitespace and glob characters would break
	 * the CLI's SCAN patterns */
	if (c->redis.prefix && strpbrk(c->redis.prefix, "{} \t\r\n") && config_setting_get_member(root, "redis"))
		conf_error(L, config_setting_get_member(config_setting_get_member(root, "redis"), "prefix"),
		           "must not hold braces or white space (the source host in braces is each key's "
		           "Redis Cluster hash tag)");
	if (c->user && (problem = privs_user_problem(c->user)))
		conf_error(L, config_setting_get_member(root, "user"), "\"%s\": %s", c->user, problem);
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
	tag_room_init(L, root);
}

/* The hop_names group: its table, then the server's form and the TTL order. */
static void read_hop_names(struct loader *L, const config_setting_t *s)
{
	const struct hopnames_conf *h = &L->c->hop_names;

	read_group(L, s, hop_names_options, L->c, NULL, "hop_names");
	if (h->server) {
		char host[256], why[128];
		const char *problem = NULL;
		uint16_t port;
		struct in6_addr a;
		if (conf_parse_hostport(h->server, host, sizeof host, &port, &problem) < 0)
			snprintf(why, sizeof why, "%s", problem);
		else if (inet_pton(AF_INET, host, &a) != 1 && inet_pton(AF_INET6, host, &a) != 1)
			snprintf(why, sizeof why, "not an IPv4 or IPv6 address (names are not looked up here)");
		else
			why[0] = '\0';
		if (why[0])
			conf_error(L, config_setting_get_member(s, "server"), "\"%s\": %s", h->server, why);
	}
	if (h->min_ttl > h->max_ttl)
		conf_error(L, config_setting_get_member(s, "min_ttl"), "is above max_ttl (min_ttl %gs, max_ttl %gs)",
		           h->min_ttl, h->max_ttl);
}

/* conf_load, or conf_load_core when `core_only`. */
static struct hw_config *load(const char *file, const char *plugin_dir, int core_only)
{
	static const char *const top_keys[] = { "statsd", "log", "redis", "hop_names", "mesh", "tags", "probes", NULL };
	struct hw_config *c = calloc(1, sizeof *c);
	struct loader L = { .c = c, .file = file, .core_only = core_only };
	char dir[4096], incdir[8192];
	config_t cf;
	struct scan sc;
	const config_setting_t *root, *s;

	if (!c) {
		HW_ERROR(NULL, "out of memory");
		return NULL;
	}
	conf_apply_defaults(c, global_options, c);
	conf_apply_defaults(c, statsd_options, c);
	conf_apply_defaults(c, log_options, c);
	conf_apply_defaults(c, redis_options, c);
	conf_apply_defaults(c, hop_names_options, c);
	conf_apply_defaults(c, mesh_options, c);
	if (!file)
		return c;
	snprintf(dir, sizeof dir, "%s", file);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	else
		strcpy(dir, ".");
	if (read_file(&L, &cf, file, dir, &sc) < 0) {
		config_destroy(&cf);
		scan_free(&sc);
		conf_free(c);
		return NULL;
	}
	root = config_root_setting(&cf);
	read_group(&L, root, global_options, c, top_keys, "the top level");
	L.interval_set = config_setting_get_member(root, "interval") != NULL;
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
			static const char *const redis_lists[] = { "sentinels", NULL };
			const config_setting_t *sl = config_setting_get_member(s, "sentinels");
			read_group(&L, s, redis_options, c, redis_lists, "redis");
			if (sl)
				read_sentinels(&L, sl, &c->redis.sentinels);
			/* whether sentinels is set, not how many entries were valid: a
			 * bad entry is its own error, not also master_name's */
			if (!!c->redis.host + !!c->redis.socket + !!sl > 1)
				conf_error(&L, s, "set one of host, socket or sentinels");
			if (sl && !c->redis.master_name)
				conf_error(&L, sl, "sentinels need master_name, the name they monitor the primary under");
			if (c->redis.master_name && !sl)
				conf_error(&L, config_setting_get_member(s, "master_name"),
				           "is for Sentinel: set sentinels = [\"host:port\", ...] too");
			if (c->redis.socket && c->redis.socket[0] != '/')
				conf_error(&L, config_setting_get_member(s, "socket"), "must be an absolute path");
			if (c->redis.user && !c->redis.password)
				conf_error(&L, config_setting_get_member(s, "user"), "a user needs a password");
		}
	}
	if ((s = config_setting_get_member(root, "hop_names"))) {
		if (config_setting_type(s) != CONFIG_TYPE_GROUP)
			conf_error(&L, s, "must be a group: hop_names = { enabled = true; };");
		else
			read_hop_names(&L, s);
	}
	if ((s = config_setting_get_member(root, "mesh"))) {
		if (config_setting_type(s) != CONFIG_TYPE_GROUP)
			conf_error(&L, s, "must be a group: mesh = { addresses = [\"10.0.0.5\"]; };");
		else {
			static const char *const mesh_lists[] = { "addresses", "tags", NULL };
			const config_setting_t *ml;
			read_group(&L, s, mesh_options, c, mesh_lists, "mesh");
			if ((ml = config_setting_get_member(s, "addresses"))) {
				size_t per[2] = { 0, 0 };
				read_checked_list(&L, ml, &c->mesh.addresses, MESH_ADDRS_MAX * 2, "address",
				                  mesh_address_problem);
				/* a registration carries MESH_ADDRS_MAX of each family, each once */
				for (size_t i = 0; i < c->mesh.addresses.n; i++) {
					const char *a = c->mesh.addresses.v[i];
					if (++per[strchr(a, ':') != NULL] == MESH_ADDRS_MAX + 1)
						conf_error(&L, ml, "lists more than %d %s addresses", MESH_ADDRS_MAX,
						           strchr(a, ':') ? "IPv6" : "IPv4");
					for (size_t k = 0; k < i; k++)
						if (!strcmp(c->mesh.addresses.v[k], a))
							conf_error(&L, ml, "lists %s twice", a);
				}
			}
			if ((ml = config_setting_get_member(s, "tags")))
				read_checked_list(&L, ml, &c->mesh.tags, MESH_TAGS_MAX, "tag", mesh_tag_problem);
		}
	}
	if ((s = config_setting_get_member(root, "tags")))
		read_tags(&L, s, &c->tags);
	check_globals(&L, root);
	if (!core_only && (s = config_setting_get_member(root, "probes")))
		read_probes(&L, s);
	if (!core_only && c->include_dir) {
		snprintf(incdir, sizeof incdir, "%s%s%s", c->include_dir[0] == '/' ? "" : dir,
		         c->include_dir[0] == '/' ? "" : "/", c->include_dir);
		read_include_dir(&L, incdir, config_setting_get_member(root, "include_dir"));
	}
	if (!core_only)
		check_sources(&L);
	if (!L.errors && !c->nprobes && !core_only)
		HW_WARN(NULL, "%s: no probes configured: only self-telemetry will be sent", file);
	config_destroy(&cf);
	scan_free(&sc);
	free(L.seen);
	if (L.errors) {
		conf_free(c);
		return NULL;
	}
	return c;
}

struct hw_config *conf_load(const char *file, const char *plugin_dir)
{
	return load(file, plugin_dir, 0);
}

struct hw_config *conf_load_core(const char *file)
{
	return load(file, NULL, 1);
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
		free(pc->mesh_allow.v);
		free(pc->opts);
		free(pc->metric_on);
	}
	free(c->probes);
	free(c->tags.v);
	free(c->redis.sentinels.v);
	free(c->mesh.addresses.v);
	free(c->mesh.tags.v);
	for (size_t i = 0; i < c->npool; i++)
		free(c->pool[i]);
	free(c->pool);
	free(c);
}

/* The settings no hw_option table holds: lists and groups read by hand. */
static const struct { const char *scope, *name, *type, *def, *doc; } structural[] = {
	{ "global", "tags", "list of strings", "[]", "tags added to everything sent" },
	{ "global", "probes", "list of groups", "()", "the probe instances (see PROBES)" },
	{ "probes", "name", "string", "", "required: unique instance name (letters, digits, _ . -); tag probe:<name>" },
	{ "probes", "plugin", "string", "", "required: plugin file name without .so" },
	{ "probes", "targets", "list or group of lists", "", "the targets (see TARGETS); required unless targets_from is set" },
	{ "probes", "tags", "list of strings", "[]", "tags added to this instance's output" },
	{ "probes", "metrics", "list of strings", "",
	  "unset: the plugin's default metrics; else exactly the metrics to send: names as in WHAT IS SENT "
	  "without the prefix (icmp.rtt), or without the plugin's name too (rtt), or NAME.* for a family "
	  "(hop.*); see each plugin's metric entries" },
	{ "probes", "metrics_add", "list of strings", "[]",
	  "metrics to send besides the plugin's defaults (those off by default); not with metrics" },
	{ "probes", "metrics_exclude", "list of strings", "[]", "metrics not to send, applied last" },
	{ "probes", "mesh_allow", "list of strings", "[]", "CIDRs a mesh member's address must fall in; empty: any but loopback and link-local" },
	{ "mesh", "addresses", "list of strings", "[]", "this host's addresses in its mesh registration; empty: detected (no loopback, no link-local)" },
	{ "mesh", "tags", "list of strings", "[]", "tags this host asks its mesh probers to add (letters, digits, _.:/-)" },
};

void conf_describe(FILE *f, const char *scope, const hw_option *opts)
{
	static const char *const types[] = {
		[HW_OPT_INT] = "integer", [HW_OPT_DOUBLE] = "number", [HW_OPT_DURATION] = "duration",
		[HW_OPT_BOOL] = "boolean", [HW_OPT_STRING] = "string", [HW_OPT_ENUM] = "one of",
	};

	for (const hw_option *o = opts; o->name; o++) {
		const char *unit = o->type == HW_OPT_DURATION ? "s" : "";
		fprintf(f, "%s\t%s\t%s", scope, o->name,
		        (unsigned)o->type < sizeof types / sizeof types[0] && types[o->type] ? types[o->type] : "?");
		for (size_t i = 0; o->type == HW_OPT_ENUM && o->choices && o->choices[i]; i++)
			fprintf(f, "%s%s", i ? ", " : " ", o->choices[i]);
		fprintf(f, "\t%s\t", o->def ? o->def : "");
		if (o->type == HW_OPT_INT || o->type == HW_OPT_DOUBLE || o->type == HW_OPT_DURATION)
			fprintf(f, "%.15g%s to %.15g%s", o->min, unit, o->max, unit);
		fprintf(f, "\t%s\n", o->doc ? o->doc : "");
	}
}

void conf_describe_metrics(FILE *f, const char *scope, const hw_metric_def *m)
{
	static const char *const types[] = { "gauge", "count", "histogram", "distribution", "timer" };

	for (; m && m->name; m++)
		fprintf(f, "%s\tmetric %s\tmetric, %s\t%s\t%s%s\t%s\n", scope, m->name,
		        (unsigned)m->type < 5 ? types[m->type] : "?", m->on ? "on" : "off",
		        m->tags && m->tags[0] ? "tags: " : "", m->tags ? m->tags : "", m->doc ? m->doc : "");
}

void conf_describe_core(FILE *f)
{
	const struct { const char *scope; const hw_option *opts; } tables[] = {
		{ "global", global_options }, { "statsd", statsd_options }, { "redis", redis_options },
		{ "hop_names", hop_names_options }, { "log", log_options }, { "mesh", mesh_options },
		{ "probes", probe_options },
	};

	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
		conf_describe(f, tables[t].scope, tables[t].opts);
		for (size_t i = 0; i < sizeof structural / sizeof structural[0]; i++)
			if (!strcmp(structural[i].scope, tables[t].scope))
				fprintf(f, "%s\t%s\t%s\t%s\t\t%s\n", structural[i].scope, structural[i].name,
				        structural[i].type, structural[i].def, structural[i].doc);
	}
}
