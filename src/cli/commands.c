/* commands.c: the CLI's commands, paths, show, history and watch (see
 * cli.h), reading through redisread.c and laying out with format.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "changemsg.h"
#include "cli.h"
#include "keys.h"
#include "pathdiff.h"
#include "pathwatch.h"

/* Known targets named in an "unknown target" error. */
#define KNOWN_LISTED 10
/* Longest source, probe and target names handled, bytes with the NUL. */
#define NAME_LEN KEYS_NAME_MAX

/* Die saying that the target is unknown, naming a few known ones. */
static void unknown_target(const struct cli_opts *o, const char *target)
{
	struct strv keys = rr_path_keys(o, NULL, NULL), names = { 0 };
	struct keys_parts kp;
	char list[2048] = "";
	size_t len = 0, listed = 0, distinct = 0;
	const char *whose = strcmp(o->source, "*") ? o->source : "any host";

	for (size_t i = 0; i < keys.n; i++)
		if (!keys_split(keys.v[i], KEYS_PATH, o->rc.prefix, &kp)) {
			char name[2 * NAME_LEN + 16];
			/* with --probe, say which probes know the target */
			snprintf(name, sizeof name, "%s%s%s", kp.target, o->probe ? " (probe " : "", o->probe ? kp.probe : "");
			if (o->probe)
				strncat(name, ")", sizeof name - strlen(name) - 1);
			strv_add(&names, name);
		}
	strv_sort(&names);
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
	if (o->probe)
		cli_die("no path stored for %s by probe %s of %s (%s%s)", target, o->probe, whose,
		    distinct ? "known: " : "no paths stored at all", list);
	cli_die("no path stored for %s of %s (%s%s)", target, whose,
	    distinct ? "known targets: " : "no paths stored at all", list);
}


/* One row of `paths`. */
struct row {
	char col[7][NAME_LEN];   /* source, probe, target, hops, reached, last trace, last change */
};

int cmd_paths(const struct cli_opts *o)
{
	static const char *const head[7] = { "SOURCE", "PROBE", "TARGET", "HOPS", "REACHED",
	                                      "LAST TRACE", "LAST CHANGE" };
	struct strv keys = rr_path_keys(o, o->probe, NULL);
	struct row *rows = calloc(keys.n + 1, sizeof *rows);
	int w[7];
	int all = !strcmp(o->source, "*");
	time_t now = time(NULL);

	if (!rows)
		cli_die("out of memory");
	for (size_t i = 0; i < keys.n; i++)
		rr_append("HMGET %s ts hops reached changed", keys.v[i]);
	for (size_t i = 0; i < keys.n; i++) {
		struct row *rw = &rows[i];
		redisReply *r;
		char age[32];
		long long ts;

		r = rr_reply();
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 4)
			cli_die("Redis at %s: unexpected reply to HMGET %s", rr_where(), keys.v[i]);
		struct keys_parts kp;
		if (keys_split(keys.v[i], KEYS_PATH, o->rc.prefix, &kp) < 0)
			cli_die("Redis at %s: %s is not a path key", rr_where(), keys.v[i]);
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
		cli_format_when(rw->col[6], NAME_LEN, v[3], now);
		freeReplyObject(r);
	}
	if (!keys.n) {
		fprintf(stderr, "hopwatch: no paths stored%s%s%s in Redis at %s (prefix \"%s\")\n",
		        all ? "" : " for ", all ? "" : o->source, o->probe ? " by that probe" : "", rr_where(),
		        o->rc.prefix);
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
static struct strv target_keys(const struct cli_opts *o)
{
	struct strv keys = rr_path_keys(o, o->probe, o->target);

	if (!keys.n)
		unknown_target(o, o->target);
	return keys;
}

int cmd_show(const struct cli_opts *o)
{
	struct strv keys = target_keys(o);
	struct keys_parts kp;
	time_t now = time(NULL);

	for (size_t i = 0; i < keys.n; i++) {
		redisReply *r = rr_cmd("HGETALL %s", keys.v[i]);
		const char *hops, *rtt, *loss, *confirmed, *ip;
		char when[128], a[INET6_ADDRSTRLEN + 8], l[32], t[32];
		struct path_hops th, ch;
		unsigned n;
		int w = 7;

		if (r->type != REDIS_REPLY_ARRAY)
			cli_die("Redis at %s: unexpected reply to HGETALL %s", rr_where(), keys.v[i]);
		keys_split(keys.v[i], KEYS_PATH, o->rc.prefix, &kp);  /* path_keys took only keys that split */
		hops = rr_field(r, "hops");
		rtt = rr_field(r, "rtt");
		loss = rr_field(r, "loss");
		confirmed = rr_field(r, "confirmed");
		ip = rr_field(r, "target_ip");
		if (i)
			printf("\n");
		printf("%s -> %s%s%s%s, probe %s\n", kp.source, kp.target, ip[0] && strcmp(ip, kp.target) ? " (" : "",
		       ip[0] && strcmp(ip, kp.target) ? ip : "", ip[0] && strcmp(ip, kp.target) ? ")" : "", kp.probe);
		cli_format_when(when, sizeof when, rr_field(r, "ts"), now);
		printf("last trace:  %s, %s, %s, %s ms\n", when,
		       rr_field(r, "protocol")[0] ? rr_field(r, "protocol") : "?",
		       !strcmp(rr_field(r, "reached"), "1") ? "destination reached" : "destination not reached",
		       rr_field(r, "duration_ms")[0] ? rr_field(r, "duration_ms") : "?");
		cli_format_when(when, sizeof when, rr_field(r, "changed"), now);
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
		cli_format_time(t, sizeof t, ts);
	else
		snprintf(t, sizeof t, "(time unknown)");
	printf("%s  %s %s/%s%s%s%s: path changed at TTL %u%s%s%s\n", t, src[0] ? src : "?", probe, target,
	       ip[0] && strcmp(ip, target) ? " (" : "", ip[0] && strcmp(ip, target) ? ip : "",
	       ip[0] && strcmp(ip, target) ? ")" : "", first, id ? " [" : "", id ? id : "", id ? "]" : "");
	cli_print_diff(stdout, o, n, first, "old", "new");
}

int cmd_history(const struct cli_opts *o)
{
	struct strv keys = target_keys(o);
	struct keys_parts kp;
	char stream[4 * NAME_LEN];

	for (size_t i = 0; i < keys.n; i++) {
		redisReply *r;
		size_t shown = 0;

		keys_split(keys.v[i], KEYS_PATH, o->rc.prefix, &kp);  /* path_keys took only keys that split */
		keys_target(stream, sizeof stream, KEYS_CHANGES, o->rc.prefix, kp.source, kp.probe, kp.target);
		if (o->count)
			r = rr_cmd("XREVRANGE %s + - COUNT %ld", stream, o->count);
		else
			r = rr_cmd("XRANGE %s - +", stream);
		if (r->type != REDIS_REPLY_ARRAY)
			cli_die("Redis at %s: unexpected reply to XRANGE %s", rr_where(), stream);
		if (i)
			printf("\n");
		if (!r->elements)
			printf("%s %s/%s: no change recorded\n", kp.source, kp.probe, kp.target);
		for (size_t k = 0; k < r->elements; k++) {
			/* XREVRANGE (for --count) gives newest first: print oldest first */
			const redisReply *e = r->element[o->count ? r->elements - 1 - k : k], *f;
			struct path_hops oh, nh;
			const char *old, *new;

			if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING ||
			    (e->element[1]->type != REDIS_REPLY_ARRAY))
				continue;
			f = e->element[1];
			old = rr_field(f, "old");
			new = rr_field(f, "new");
			if (pathwatch_parse_hop_list(old, &oh) < 0 || pathwatch_parse_hop_list(new, &nh) < 0) {
				printf("%s: unreadable entry %s (old \"%s\", new \"%s\")\n", stream, e->element[0]->str,
				       old, new);
				continue;
			}
			if (shown++)
				printf("\n");
			print_change(kp.source, kp.probe, kp.target, rr_field(f, "target_ip"),
			             strtoll(rr_field(f, "ts"), NULL, 10), e->element[0]->str, &oh, &nh,
			             (unsigned)strtoul(rr_field(f, "first_diff_ttl"), NULL, 10));
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

int cmd_watch(const struct cli_opts *o)
{
	char channel[NAME_LEN + 32];
	double deadline = o->timeout > 0 ? now_mono() + o->timeout : 0;
	long seen = 0;
	redisReply *r;

	if (!keys_channel(channel, sizeof channel, o->rc.prefix))
		cli_die("the prefix is too long");
	r = rr_cmd("SUBSCRIBE %s", channel);
	freeReplyObject(r);
	fprintf(stderr, "hopwatch: watching %s at %s%s%s\n", channel, rr_where(),
	        strcmp(o->source, "*") ? " for changes seen by " : "", strcmp(o->source, "*") ? o->source : "");
	fflush(stderr);
	for (;;) {
		static struct change_msg m;
		double left = deadline ? deadline - now_mono() : 0;
		const char *payload;

		if ((deadline && left <= 0) || !(r = rr_reply_within(left)))
			goto timeout;
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
		if ((strcmp(o->source, "*") && strcmp(m.source, o->source)) ||
		    (o->probe && strcmp(m.probe, o->probe)) || (o->target && strcmp(m.target, o->target)))
			continue;
		if (seen)
			printf("\n");
		print_change(m.source, m.probe, m.target, m.target_ip, m.ts, NULL, &m.chg.old_path,
		             &m.chg.new_path, m.chg.first_diff_ttl);
		fflush(stdout);
		if (o->count && ++seen >= o->count)
			return 0;
		if (!o->count)
			seen++;
	}
timeout:
	if (o->count) {
		fprintf(stderr, "hopwatch: timed out after %gs with %ld of %ld changes\n", o->timeout, seen, o->count);
		return 1;
	}
	return 0;
}

