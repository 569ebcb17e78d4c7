/*
 * cli.c: `hopwatch`, the command-line reader of what hopwatchd keeps in
 * Redis (layout in pathwatch.h): the stored paths, the last trace of one
 * target, its change history, and changes as they are published.
 *
 * It talks to Redis synchronously (hiredis, blocking, with the connect and
 * command timeouts of the configuration): a CLI has nothing else to do
 * while it waits.  Parsing and layout are pure helpers (cli_*, no I/O);
 * t/t7030-cli.sh checks them end to end, the JSON reader of `watch` with
 * hand-made good and bad messages.  They are extern so that a unit test
 * can link them.
 *
 * Exit status: 0 done, 1 a runtime error (Redis unreachable, refused,
 * unknown target), 2 a usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <hiredis/hiredis.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "changemsg.h"
#include "conf.h"
#include "keys.h"
#include "log.h"
#include "pathdiff.h"
#include "pathstore.h"
#include "pathwatch.h"

#ifndef HW_SYSCONFDIR
#define HW_SYSCONFDIR "/usr/local/etc"
#endif
#ifndef HW_VERSION
#define HW_VERSION "0.1"
#endif

/* Known targets named in an "unknown target" error. */
#define KNOWN_LISTED 10
/* Keys asked per SCAN call. */
#define SCAN_COUNT "1000"
/* Longest source, probe and target names we handle, bytes with the NUL. */
#define NAME_LEN KEYS_NAME_MAX

/* ------------------------------------------------------------------ pure helpers */

/* "42s", "3m05s", "2h07m", "5d03h"; negative ages (clock skew) are 0s. */
void cli_format_age(char *buf, size_t cap, long long secs);
/* Field `i` (0-based) of the comma-separated list `s` into buf ("" when
 * the list is shorter); empty fields are kept.  Returns 1 when it exists. */
int cli_list_field(const char *s, unsigned i, char *buf, size_t cap);
/* Number of fields of a comma-separated list; 0 for "". */
unsigned cli_list_len(const char *s);
/* Print the TTL rows of old -> new, the first differing TTL marked '>'. */
void cli_print_diff(FILE *f, const struct path_hops *o, const struct path_hops *n, unsigned first,
                    const char *oname, const char *nname);

void cli_format_age(char *buf, size_t cap, long long secs)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(buf, cap, "%llds", secs);
	else if (secs < 3600)
		snprintf(buf, cap, "%lldm%02llds", secs / 60, secs % 60);
	else if (secs < 86400)
		snprintf(buf, cap, "%lldh%02lldm", secs / 3600, secs % 3600 / 60);
	else
		snprintf(buf, cap, "%lldd%02lldh", secs / 86400, secs % 86400 / 3600);
}

int cli_list_field(const char *s, unsigned i, char *buf, size_t cap)
{
	const char *end;
	size_t n;

	if (cap)
		buf[0] = '\0';
	if (!*s)
		return 0;
	for (; i; i--) {
		if (!(s = strchr(s, ',')))
			return 0;
		s++;
	}
	end = strchr(s, ',');
	n = end ? (size_t)(end - s) : strlen(s);
	if (cap) {
		if (n >= cap)
			n = cap - 1;
		memcpy(buf, s, n);
		buf[n] = '\0';
	}
	return 1;
}

unsigned cli_list_len(const char *s)
{
	unsigned n = *s ? 1 : 0;

	for (; *s; s++)
		n += *s == ',';
	return n;
}

/* A hop as printed: the address, '*' unknown, '-' past the end. */
static const char *hop_name(const struct path_hops *h, unsigned i)
{
	return i < h->n ? (h->hop[i][0] ? h->hop[i] : "*") : "-";
}

void cli_print_diff(FILE *f, const struct path_hops *o, const struct path_hops *n, unsigned first,
                    const char *oname, const char *nname)
{
	unsigned rows = o->n > n->n ? o->n : n->n;
	int w = (int)strlen(oname);

	for (unsigned i = 0; i < rows; i++)
		if ((int)strlen(hop_name(o, i)) > w)
			w = (int)strlen(hop_name(o, i));
	fprintf(f, "  TTL  %-*s    %s\n", w, oname, nname);
	for (unsigned i = 0; i < rows; i++)
		fprintf(f, "%c %3u  %-*s %s %s\n", i + 1 == first ? '>' : ' ', i + 1, w, hop_name(o, i),
		        i + 1 == first ? "->" : "  ", hop_name(n, i));
}

/* ------------------------------------------------------------------ Redis */

/* What the command line asked. */
static struct {
	struct redis_conf rc;        /* where Redis is and how to log in */
	char where[600];             /* "host:port" or "unix:path", for messages */
	const char *source;          /* whose paths; "*" every host's */
	const char *probe;           /* --probe, or NULL */
	const char *target;          /* TARGET, or NULL */
	long count;                  /* --count, 0: no limit */
	double timeout;              /* --timeout seconds, 0: none */
	redisContext *c;             /* the connection */
	struct hw_config *cfg;       /* -c file, or NULL */
} C;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("hopwatch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static struct timeval tv_of(double s)
{
	struct timeval tv;

	tv.tv_sec = (time_t)s;
	tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
	if (!tv.tv_sec && !tv.tv_usec)
		tv.tv_usec = 1;  /* 0 would mean "no timeout" */
	return tv;
}

/* The reason of an I/O failure, with a clearer word for a timeout. */
static const char *io_error(void)
{
	if (C.c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK))
		return "no reply within the command timeout";
	return C.c->errstr[0] ? C.c->errstr : "connection lost";
}

/* Run a command; dies on I/O errors and on an error reply. */
static redisReply *cmd(const char *fmt, ...)
{
	redisReply *r;
	va_list ap;

	va_start(ap, fmt);
	r = redisvCommand(C.c, fmt, ap);
	va_end(ap);
	if (!r)
		die("Redis at %s: %s", C.where, io_error());
	if (r->type == REDIS_REPLY_ERROR) {
		if (!strncmp(r->str, "NOAUTH", 6))
			die("Redis at %s: %s (give a password with -a or redis.password)", C.where, r->str);
		die("Redis at %s refused \"%.*s\": %s", C.where, (int)strcspn(fmt, " "), fmt, r->str);
	}
	return r;
}

static void connect_redis(void)
{
	const struct redis_conf *rc = &C.rc;
	redisReply *r;

	if (rc->socket) {
		snprintf(C.where, sizeof C.where, "unix:%s", rc->socket);
		C.c = redisConnectUnixWithTimeout(rc->socket, tv_of(rc->connect_timeout));
	} else {
		snprintf(C.where, sizeof C.where, strchr(rc->host, ':') ? "[%s]:%d" : "%s:%d", rc->host, rc->port);
		C.c = redisConnectWithTimeout(rc->host, rc->port, tv_of(rc->connect_timeout));
	}
	if (!C.c)
		die("cannot connect to Redis at %s: out of memory", C.where);
	if (C.c->err)
		die("cannot connect to Redis at %s: %s", C.where, C.c->errstr);
	if (redisSetTimeout(C.c, tv_of(rc->command_timeout)) != REDIS_OK)
		die("Redis at %s: cannot set the command timeout: %s", C.where, C.c->errstr);
	if (rc->password) {
		r = rc->user ? redisCommand(C.c, "AUTH %s %s", rc->user, rc->password)
		             : redisCommand(C.c, "AUTH %s", rc->password);
		if (!r)
			die("Redis at %s: %s", C.where, io_error());
		if (r->type == REDIS_REPLY_ERROR)
			die("Redis at %s refused AUTH%s%s: %s (check -u/-a or redis.user/redis.password)",
			    C.where, rc->user ? " as " : "", rc->user ? rc->user : "", r->str);
		freeReplyObject(r);
	}
	if (rc->db) {
		freeReplyObject(cmd("SELECT %d", rc->db));
	}
}

/* A growing list of strings. */
struct strv {
	char **v;     /* the strings */
	size_t n;     /* how many */
	size_t cap;   /* room */
};

static void strv_add(struct strv *s, const char *str)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		if (!(s->v = realloc(s->v, s->cap * sizeof *s->v)))
			die("out of memory");
	}
	if (!(s->v[s->n++] = strdup(str)))
		die("out of memory");
}

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The path hash keys of the source (or every source) matching probe and
 * target (NULL: any), sorted. */
static struct strv path_keys(const char *probe, const char *target)
{
	char pattern[4 * NAME_LEN];
	struct keys_parts kp;
	struct strv keys = { 0 }, all = { 0 };
	char cursor[64] = "0";

	if (!keys_pattern(pattern, sizeof pattern, KEYS_PATH, C.rc.prefix, C.source))
		die("the prefix or the source is too long");
	do {
		redisReply *r = cmd("SCAN %s MATCH %s COUNT " SCAN_COUNT, cursor, pattern);
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
		    r->element[1]->type != REDIS_REPLY_ARRAY)
			die("Redis at %s: unexpected SCAN reply", C.where);
		snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
		for (size_t i = 0; i < r->element[1]->elements; i++)
			if (r->element[1]->element[i]->type == REDIS_REPLY_STRING)
				strv_add(&all, r->element[1]->element[i]->str);
		freeReplyObject(r);
	} while (strcmp(cursor, "0"));
	if (all.n)
		qsort(all.v, all.n, sizeof *all.v, cmp_str);
	for (size_t i = 0; i < all.n; i++) {
		/* SCAN may return a key twice */
		if (i && !strcmp(all.v[i], all.v[i - 1]))
			continue;
		if (keys_split(all.v[i], KEYS_PATH, C.rc.prefix, &kp) < 0 ||
		    (strcmp(C.source, "*") && strcmp(kp.source, C.source)) ||
		    (probe && strcmp(kp.probe, probe)) || (target && strcmp(kp.target, target)))
			continue;
		strv_add(&keys, all.v[i]);
	}
	strv_free(&all);
	return keys;
}

/* Die saying that the target is unknown, naming a few known ones. */
static void unknown_target(const char *target)
{
	struct strv keys = path_keys(NULL, NULL), names = { 0 };
	struct keys_parts kp;
	char list[2048] = "";
	size_t len = 0, listed = 0, distinct = 0;
	const char *whose = strcmp(C.source, "*") ? C.source : "any host";

	for (size_t i = 0; i < keys.n; i++)
		if (!keys_split(keys.v[i], KEYS_PATH, C.rc.prefix, &kp)) {
			char name[2 * NAME_LEN + 16];
			/* with --probe, say which probes know the target */
			snprintf(name, sizeof name, "%s%s%s", kp.target, C.probe ? " (probe " : "", C.probe ? kp.probe : "");
			if (C.probe)
				strncat(name, ")", sizeof name - strlen(name) - 1);
			strv_add(&names, name);
		}
	if (names.n)
		qsort(names.v, names.n, sizeof *names.v, cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		if (i && !strcmp(names.v[i], names.v[i - 1]))
			continue;
		distinct++;
		if (listed < KNOWN_LISTED && len < sizeof list) {
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", listed ? ", " : "", names.v[i]);
			listed++;
		}
	}
	if (len >= sizeof list)
		len = sizeof list - 1;
	if (distinct > listed)
		snprintf(list + len, sizeof list - len, ", and %zu more", distinct - listed);
	if (C.probe)
		die("no path stored for %s by probe %s of %s (%s%s)", target, C.probe, whose,
		    distinct ? "known: " : "no paths stored at all", list);
	die("no path stored for %s of %s (%s%s)", target, whose,
	    distinct ? "known targets: " : "no paths stored at all", list);
}

/* One field of an HGETALL reply, or "" when absent. */
static const char *field(const redisReply *r, const char *name)
{
	for (size_t i = 0; i + 1 < r->elements; i += 2)
		if (r->element[i]->type == REDIS_REPLY_STRING && !strcmp(r->element[i]->str, name) &&
		    r->element[i + 1]->type == REDIS_REPLY_STRING)
			return r->element[i + 1]->str;
	return "";
}

/* "2024-05-01 12:00:05" in local time. */
static void format_time(char *buf, size_t cap, long long ts)
{
	time_t t = (time_t)ts;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, cap, "%lld", ts);
}

/* "2024-05-01 12:00:05 (3m05s ago)" or "never" for an empty time. */
static void format_when(char *buf, size_t cap, const char *ts, time_t now)
{
	char t[64], age[32];
	char *end;
	long long v;

	errno = 0;
	v = strtoll(ts, &end, 10);
	if (!*ts || *end || errno) {
		snprintf(buf, cap, "never");
		return;
	}
	format_time(t, sizeof t, v);
	cli_format_age(age, sizeof age, (long long)now - v);
	snprintf(buf, cap, "%s (%s ago)", t, age);
}

/* ------------------------------------------------------------------ commands */

/* One row of `paths`. */
struct row {
	char col[7][NAME_LEN];   /* source, probe, target, hops, reached, last trace, last change */
};

static int cmd_paths(void)
{
	static const char *const head[7] = { "SOURCE", "PROBE", "TARGET", "HOPS", "REACHED",
	                                      "LAST TRACE", "LAST CHANGE" };
	struct strv keys = path_keys(C.probe, NULL);
	struct row *rows = calloc(keys.n + 1, sizeof *rows);
	int w[7];
	int all = !strcmp(C.source, "*");
	time_t now = time(NULL);

	if (!rows)
		die("out of memory");
	for (size_t i = 0; i < keys.n; i++)
		if (redisAppendCommand(C.c, "HMGET %s ts hops reached changed", keys.v[i]) != REDIS_OK)
			die("out of memory");
	for (size_t i = 0; i < keys.n; i++) {
		struct row *rw = &rows[i];
		redisReply *r;
		char age[32];
		long long ts;

		if (redisGetReply(C.c, (void **)&r) != REDIS_OK)
			die("Redis at %s: %s", C.where, io_error());
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 4)
			die("Redis at %s: unexpected reply to HMGET %s", C.where, keys.v[i]);
		struct keys_parts kp;
		if (keys_split(keys.v[i], KEYS_PATH, C.rc.prefix, &kp) < 0)
			die("Redis at %s: %s is not a path key", C.where, keys.v[i]);
		snprintf(rw->col[0], NAME_LEN, "%s", kp.source);
		snprintf(rw->col[1], NAME_LEN, "%s", kp.probe);
		snprintf(rw->col[2], NAME_LEN, "%s", kp.target);
		const char *v[4];
		for (int k = 0; k < 4; k++)
			v[k] = r->element[k]->type == REDIS_REPLY_STRING ? r->element[k]->str : "";
		snprintf(rw->col[3], NAME_LEN, "%u", cli_list_len(v[1]));
		snprintf(rw->col[4], NAME_LEN, "%s", !strcmp(v[2], "1") ? "yes" : "no");
		ts = strtoll(v[0], NULL, 10);
		if (v[0][0]) {
			cli_format_age(age, sizeof age, (long long)now - ts);
			snprintf(rw->col[5], NAME_LEN, "%s ago", age);
		} else {
			snprintf(rw->col[5], NAME_LEN, "-");
		}
		format_when(rw->col[6], NAME_LEN, v[3], now);
		freeReplyObject(r);
	}
	if (!keys.n) {
		fprintf(stderr, "hopwatch: no paths stored%s%s%s in Redis at %s (prefix \"%s\")\n",
		        all ? "" : " for ", all ? "" : C.source, C.probe ? " by that probe" : "", C.where,
		        C.rc.prefix);
		free(rows);
		strv_free(&keys);
		return 0;
	}
	for (int k = 0; k < 7; k++) {
		w[k] = (int)strlen(head[k]);
		for (size_t i = 0; i < keys.n; i++)
			if ((int)strlen(rows[i].col[k]) > w[k])
				w[k] = (int)strlen(rows[i].col[k]);
	}
	for (size_t i = 0; i <= keys.n; i++) {
		int first = 1;
		for (int k = all ? 0 : 1; k < 7; k++) {
			const char *s = i ? rows[i - 1].col[k] : head[k];
			if (k == 6)
				printf("%s%s\n", first ? "" : "  ", s);
			else
				printf("%s%-*s", first ? "" : "  ", w[k], s);
			first = 0;
		}
	}
	free(rows);
	strv_free(&keys);
	return 0;
}

/* Keys of TARGET, dying when there is none. */
static struct strv target_keys(void)
{
	struct strv keys = path_keys(C.probe, C.target);

	if (!keys.n)
		unknown_target(C.target);
	return keys;
}

static int cmd_show(void)
{
	struct strv keys = target_keys();
	struct keys_parts kp;
	time_t now = time(NULL);

	for (size_t i = 0; i < keys.n; i++) {
		redisReply *r = cmd("HGETALL %s", keys.v[i]);
		const char *hops, *rtt, *loss, *confirmed, *ip;
		char when[128], a[INET6_ADDRSTRLEN + 8], l[32], t[32];
		struct path_hops th, ch;
		unsigned n;
		int w = 7;

		if (r->type != REDIS_REPLY_ARRAY)
			die("Redis at %s: unexpected reply to HGETALL %s", C.where, keys.v[i]);
		keys_split(keys.v[i], KEYS_PATH, C.rc.prefix, &kp);  /* path_keys took only keys that split */
		hops = field(r, "hops");
		rtt = field(r, "rtt");
		loss = field(r, "loss");
		confirmed = field(r, "confirmed");
		ip = field(r, "target_ip");
		if (i)
			printf("\n");
		printf("%s -> %s%s%s%s, probe %s\n", kp.source, kp.target, ip[0] && strcmp(ip, kp.target) ? " (" : "",
		       ip[0] && strcmp(ip, kp.target) ? ip : "", ip[0] && strcmp(ip, kp.target) ? ")" : "", kp.probe);
		format_when(when, sizeof when, field(r, "ts"), now);
		printf("last trace:  %s, %s, %s, %s ms\n", when,
		       field(r, "protocol")[0] ? field(r, "protocol") : "?",
		       !strcmp(field(r, "reached"), "1") ? "destination reached" : "destination not reached",
		       field(r, "duration_ms")[0] ? field(r, "duration_ms") : "?");
		format_when(when, sizeof when, field(r, "changed"), now);
		printf("last change: %s\n\n", when);
		n = cli_list_len(hops);
		for (unsigned k = 0; k < n; k++) {
			cli_list_field(hops, k, a, sizeof a);
			if ((int)strlen(a) > w)
				w = (int)strlen(a);
		}
		printf("  TTL  %-*s  %6s  %9s\n", w, "ADDRESS", "LOSS%", "AVG RTT");
		for (unsigned k = 0; k < n; k++) {
			cli_list_field(hops, k, a, sizeof a);
			cli_list_field(loss, k, l, sizeof l);
			cli_list_field(rtt, k, t, sizeof t);
			if (l[0])
				snprintf(l, sizeof l, "%.1f%%", strtod(l, NULL));
			if (t[0])
				snprintf(t, sizeof t, "%.1f ms", strtod(t, NULL));
			printf("  %3u  %-*s  %6s  %9s\n", k + 1, w, a, l[0] ? l : "-", t[0] ? t : "-");
		}
		if (!n)
			printf("  (no hops)\n");
		if (strcmp(confirmed, hops) && !pathwatch_parse_hop_list(confirmed, &ch) &&
		    !pathwatch_parse_hop_list(hops, &th)) {
			const char *pa[PATH_MAX_HOPS], *pb[PATH_MAX_HOPS];
			unsigned d;
			for (unsigned k = 0; k < ch.n; k++)
				pa[k] = ch.hop[k];
			for (unsigned k = 0; k < th.n; k++)
				pb[k] = th.hop[k];
			d = path_diff(pa, ch.n, pb, th.n);
			if (d)
				printf("\nconfirmed path (the last trace differs from it at TTL %u, not yet a change):\n", d);
			else
				printf("\nconfirmed path (the last trace agrees with it; it lacks or adds hops):\n");
			cli_print_diff(stdout, &ch, &th, d, "confirmed", "last trace");
		} else if (strcmp(confirmed, hops)) {
			printf("\nconfirmed path: %s\n", confirmed[0] ? confirmed : "(none)");
		}
		freeReplyObject(r);
	}
	strv_free(&keys);
	return 0;
}

/* Print one change (the stream entry or the published message). */
static void print_change(const char *src, const char *probe, const char *target, const char *ip,
                         long long ts, const char *id, const struct path_hops *o,
                         const struct path_hops *n, unsigned first)
{
	char t[64];

	if (ts > 0)
		format_time(t, sizeof t, ts);
	else
		snprintf(t, sizeof t, "(time unknown)");
	printf("%s  %s %s/%s%s%s%s: path changed at TTL %u%s%s%s\n", t, src[0] ? src : "?", probe, target,
	       ip[0] && strcmp(ip, target) ? " (" : "", ip[0] && strcmp(ip, target) ? ip : "",
	       ip[0] && strcmp(ip, target) ? ")" : "", first, id ? " [" : "", id ? id : "", id ? "]" : "");
	cli_print_diff(stdout, o, n, first, "old", "new");
}

/* A stream entry's field, or "". */
static const char *entry_field(const redisReply *fields, const char *name)
{
	return field(fields, name);
}

static int cmd_history(void)
{
	struct strv keys = target_keys();
	struct keys_parts kp;
	char stream[4 * NAME_LEN];

	for (size_t i = 0; i < keys.n; i++) {
		redisReply *r;
		size_t shown = 0;

		keys_split(keys.v[i], KEYS_PATH, C.rc.prefix, &kp);  /* path_keys took only keys that split */
		keys_target(stream, sizeof stream, KEYS_CHANGES, C.rc.prefix, kp.source, kp.probe, kp.target);
		if (C.count)
			r = cmd("XREVRANGE %s + - COUNT %ld", stream, C.count);
		else
			r = cmd("XRANGE %s - +", stream);
		if (r->type != REDIS_REPLY_ARRAY)
			die("Redis at %s: unexpected reply to XRANGE %s", C.where, stream);
		if (i)
			printf("\n");
		if (!r->elements)
			printf("%s %s/%s: no change recorded\n", kp.source, kp.probe, kp.target);
		for (size_t k = 0; k < r->elements; k++) {
			/* XREVRANGE (for --count) gives newest first: print oldest first */
			const redisReply *e = r->element[C.count ? r->elements - 1 - k : k], *f;
			struct path_hops o, n;
			const char *old, *new;

			if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING ||
			    (e->element[1]->type != REDIS_REPLY_ARRAY))
				continue;
			f = e->element[1];
			old = entry_field(f, "old");
			new = entry_field(f, "new");
			if (pathwatch_parse_hop_list(old, &o) < 0 || pathwatch_parse_hop_list(new, &n) < 0) {
				printf("%s: unreadable entry %s (old \"%s\", new \"%s\")\n", stream, e->element[0]->str,
				       old, new);
				continue;
			}
			if (shown++)
				printf("\n");
			print_change(kp.source, kp.probe, kp.target, entry_field(f, "target_ip"),
			             strtoll(entry_field(f, "ts"), NULL, 10), e->element[0]->str, &o, &n,
			             (unsigned)strtoul(entry_field(f, "first_diff_ttl"), NULL, 10));
		}
		freeReplyObject(r);
	}
	strv_free(&keys);
	return 0;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmd_watch(void)
{
	char channel[NAME_LEN + 32];
	double deadline = C.timeout > 0 ? now_mono() + C.timeout : 0;
	long seen = 0;
	redisReply *r;

	if (!keys_channel(channel, sizeof channel, C.rc.prefix))
		die("the prefix is too long");
	r = cmd("SUBSCRIBE %s", channel);
	freeReplyObject(r);
	fprintf(stderr, "hopwatch: watching %s at %s%s%s\n", channel, C.where,
	        strcmp(C.source, "*") ? " for changes seen by " : "", strcmp(C.source, "*") ? C.source : "");
	fflush(stderr);
	for (;;) {
		static struct change_msg m;
		const char *payload;

		if (deadline) {
			double left = deadline - now_mono();
			if (left <= 0 || redisSetTimeout(C.c, tv_of(left)) != REDIS_OK)
				goto timeout;
		} else if (redisSetTimeout(C.c, (struct timeval){ 0, 0 }) != REDIS_OK) {
			die("Redis at %s: cannot clear the timeout", C.where);
		}
		if (redisGetReply(C.c, (void **)&r) != REDIS_OK) {
			if (deadline && C.c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK))
				goto timeout;
			die("Redis at %s: %s", C.where, io_error());
		}
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
		    r->element[0]->type != REDIS_REPLY_STRING || strcmp(r->element[0]->str, "message") ||
		    r->element[2]->type != REDIS_REPLY_STRING) {
			freeReplyObject(r);
			continue;
		}
		payload = r->element[2]->str;
		if (changemsg_read(payload, &m) < 0) {
			fprintf(stderr, "hopwatch: %s: not a change message: %s\n", channel, payload);
			freeReplyObject(r);
			continue;
		}
		freeReplyObject(r);
		if ((strcmp(C.source, "*") && strcmp(m.source, C.source)) ||
		    (C.probe && strcmp(m.probe, C.probe)) || (C.target && strcmp(m.target, C.target)))
			continue;
		if (seen)
			printf("\n");
		print_change(m.source, m.probe, m.target, m.target_ip, m.ts, NULL, &m.chg.old_path,
		             &m.chg.new_path, m.chg.first_diff_ttl);
		fflush(stdout);
		if (C.count && ++seen >= C.count)
			return 0;
		if (!C.count)
			seen++;
	}
timeout:
	if (C.count) {
		fprintf(stderr, "hopwatch: timed out after %gs with %ld of %ld changes\n", C.timeout, seen, C.count);
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: hopwatch [options] COMMAND [TARGET]\n"
	        "Read the paths hopwatchd stores in Redis.\n"
	        "\n"
	        "commands:\n"
	        "  paths                   every stored path: probe, target, hops, reached,\n"
	        "                          age of the last trace, last change\n"
	        "  show TARGET             the last trace (address, loss, avg RTT per hop),\n"
	        "                          and the confirmed path when it differs\n"
	        "  history TARGET          the recorded changes, oldest first, as diffs\n"
	        "  watch [TARGET]          print changes as they are published, until interrupted\n"
	        "\n"
	        "options:\n"
	        "  -c FILE                 read redis.* and hostname from a hopwatchd configuration\n"
	        "  -P DIR                  plugin directory used to check that configuration\n"
	        "  -H HOST, -p PORT        Redis host and port (default 127.0.0.1:6379)\n"
	        "  -s PATH                 Redis Unix socket, instead of host and port\n"
	        "  -u USER, -a PASSWORD    AUTH; the password may also come from $HOPWATCH_REDIS_PASSWORD\n"
	        "  -n DB                   database number (default 0)\n"
	        "  --prefix P              key prefix (default \"hopwatch:\")\n"
	        "  --source HOST           whose paths (default: the configuration's hostname,\n"
	        "                          else this host's name); '*' for every host\n"
	        "  --probe NAME            only this probe instance (show, history, watch, paths)\n"
	        "  --count N               history: the last N changes; watch: exit after N\n"
	        "  --timeout S             watch: exit after S seconds (status 1 when --count\n"
	        "                          changes have not all come)\n"
	        "  -h, --help              this help;  -V, --version  the version\n"
	        "\n"
	        "Options given on the command line override the configuration file.\n"
	        "Exit status: 0 done, 1 an error (Redis unreachable or refusing, unknown\n"
	        "target), 2 a usage error.\n");
}

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("hopwatch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(hopwatch -h for help)\n", stderr);
	exit(2);
}

/* A number for option `name` between lo and hi. */
static long number(const char *name, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		usage_error("%s: must be a whole number from %ld to %ld, not \"%s\"", name, lo, hi, s);
	return v;
}

int main(int argc, char **argv)
{
	enum { O_PREFIX = 256, O_SOURCE, O_PROBE, O_COUNT, O_TIMEOUT };
	static const struct option longopts[] = {
		{ "prefix", required_argument, NULL, O_PREFIX },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "probe", required_argument, NULL, O_PROBE },
		{ "count", required_argument, NULL, O_COUNT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL, *plugin_dir = NULL, *host = NULL, *sock = NULL, *user = NULL,
	           *password = NULL, *prefix = NULL, *command;
	long port = -1, db = -1;
	static char hostname[256];
	int opt, rc = 0, have_count = 0, have_timeout = 0;

	while ((opt = getopt_long(argc, argv, "c:P:H:p:s:u:a:n:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': file = optarg; break;
		case 'P': plugin_dir = optarg; break;
		case 'H': host = optarg; break;
		case 'p': port = number("-p", optarg, 1, 65535); break;
		case 's': sock = optarg; break;
		case 'u': user = optarg; break;
		case 'a': password = optarg; break;
		case 'n': db = number("-n", optarg, 0, 1000000); break;
		case O_PREFIX: prefix = optarg; break;
		case O_SOURCE: C.source = optarg; break;
		case O_PROBE: C.probe = optarg; break;
		case O_COUNT: C.count = number("--count", optarg, 1, 1000000000); have_count = 1; break;
		case O_TIMEOUT: {
			char *end;
			C.timeout = strtod(optarg, &end);
			if (!*optarg || *end || !(C.timeout > 0) || C.timeout > 1e7)
				usage_error("--timeout: must be a number of seconds above 0, not \"%s\"", optarg);
			have_timeout = 1;
			break;
		}
		case 'h': usage(stdout); return 0;
		case 'V': printf("hopwatch %s\n", HW_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc)
		usage_error("a command is needed: paths, show, history or watch");
	command = argv[optind++];
	if (!strcmp(command, "show") || !strcmp(command, "history")) {
		if (optind >= argc)
			usage_error("%s needs a TARGET", command);
		C.target = argv[optind++];
	} else if (!strcmp(command, "watch")) {
		if (optind < argc)
			C.target = argv[optind++];
	} else if (strcmp(command, "paths")) {
		usage_error("unknown command \"%s\": paths, show, history or watch", command);
	}
	if (optind < argc)
		usage_error("unexpected argument \"%s\"", argv[optind]);
	if (have_count && strcmp(command, "watch") && strcmp(command, "history"))
		usage_error("--count is for history and watch");
	if (have_timeout && strcmp(command, "watch"))
		usage_error("--timeout is for watch");
	if (host && sock)
		usage_error("-H and -s exclude each other");
	if (user && !password && !getenv("HOPWATCH_REDIS_PASSWORD"))
		usage_error("-u needs a password (-a)");

	/* conf_load logs through the daemon's logger: errors only. */
	log_setup(HW_LOG_ERR, 0, "hopwatch");
	if (!(C.cfg = conf_load(file, plugin_dir))) {
		fprintf(stderr, "hopwatch: %s: configuration is not valid%s\n", file ? file : "(defaults)",
		        plugin_dir ? "" : " (use -P DIR when its plugins are elsewhere)");
		return 1;
	}
	C.rc = C.cfg->redis;
	if (host) {
		C.rc.host = host;
		C.rc.socket = NULL;
	}
	if (sock) {
		C.rc.socket = sock;
		C.rc.host = NULL;
	}
	if (!C.rc.host && !C.rc.socket)
		C.rc.host = "127.0.0.1";
	if (port > 0)
		C.rc.port = (int)port;
	if (user)
		C.rc.user = user;
	if (password)
		C.rc.password = password;
	else if (!C.rc.password && getenv("HOPWATCH_REDIS_PASSWORD"))
		C.rc.password = getenv("HOPWATCH_REDIS_PASSWORD");
	if (C.rc.user && !C.rc.password)
		usage_error("redis user \"%s\" needs a password (-a)", C.rc.user);
	if (db >= 0)
		C.rc.db = (int)db;
	if (prefix)
		C.rc.prefix = prefix;
	if (!C.source) {
		if (C.cfg->hostname)
			C.source = C.cfg->hostname;
		else if (gethostname(hostname, sizeof hostname - 1) == 0 && hostname[0])
			C.source = hostname;
		else
			C.source = "localhost";
	}
	if (!C.source[0])
		usage_error("--source: a host name or '*'");

	connect_redis();
	if (!strcmp(command, "paths"))
		rc = cmd_paths();
	else if (!strcmp(command, "show"))
		rc = cmd_show();
	else if (!strcmp(command, "history"))
		rc = cmd_history();
	else
		rc = cmd_watch();
	fflush(stdout);
	redisFree(C.c);
	conf_free(C.cfg);
	return rc;
}
