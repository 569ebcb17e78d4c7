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

/* The sources (host names) that stored paths, as "a, b, c" into buf (at
 * most KNOWN_LISTED, then "and N more"); returns how many there are. */
static size_t other_sources(const struct cli_opts *o, char *buf, size_t cap)
{
	struct cli_opts any = *o;
	struct strv keys, names = { 0 };
	struct keys_parts kp;
	size_t len = 0, distinct = 0;

	any.source = "*";
	keys = rr_path_keys(&any, NULL, NULL);
	buf[0] = '\0';
	for (size_t i = 0; i < keys.n; i++)
		if (!keys_split(keys.v[i], KEYS_PATH, o->rc.prefix, &kp))
			strv_add(&names, kp.source);
	strv_sort(&names);
	for (size_t i = 0; i < names.n; i++) {
		if (i && !strcmp(names.v[i], names.v[i - 1]))
			continue;
		if (distinct++ < KNOWN_LISTED && len < cap)
			len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", names.v[i]);
	}
	if (len >= cap)
		len = cap - 1;
	if (distinct > KNOWN_LISTED)
		snprintf(buf + len, cap - len, ", and %zu more", distinct - KNOWN_LISTED);
	strv_free(&keys);
	strv_free(&names);
	return distinct;
}

/* When `o->source` stored nothing: the sentence that says whose paths
 * exist instead, into buf ("" when none at all, or o->source is a pattern). */
static void hint_sources(const struct cli_opts *o, char *buf, size_t cap)
{
	char list[1024];
	size_t n;

	buf[0] = '\0';
	if (!cli_one_source(o) || !(n = other_sources(o, list, sizeof list)))
		return;
	snprintf(buf, cap, "; hopwatchd stored paths under %s %s (its hostname setting or the system's host name):"
	         " use --source NAME, or --source '*'", n == 1 ? "the host name" : "the host names", list);
}

/* Die saying that the target is unknown, naming a few known ones (that
 * have keys of `kind`: a path, or a change stream), or the sources that
 * stored paths when this one stored none. */
static void unknown_target(const struct cli_opts *o, const char *target, enum keys_kind kind)
{
	struct strv keys = rr_keys(o, KEYS_PATH, NULL, NULL), streams = { 0 }, names = { 0 };
	struct keys_parts kp;
	char list[2048] = "", hint[1536], whose[NAME_LEN + 32];
	size_t len = 0, listed = 0, distinct = 0, npath = keys.n;

	if (!strcmp(o->source, "*"))
		snprintf(whose, sizeof whose, "any host");
	else
		snprintf(whose, sizeof whose, "%s%s", cli_one_source(o) ? "" : "any host matching ", o->source);
	if (kind == KEYS_CHANGES) {
		/* history: a target with a path, or with changes of another kind only */
		streams = rr_keys(o, KEYS_CHANGES, NULL, NULL);
		for (size_t i = 0; i < streams.n; i++)
			strv_add(&keys, streams.v[i]);
		strv_free(&streams);
	}
	for (size_t i = 0; i < keys.n; i++)
		if (!keys_split(keys.v[i], i < npath ? KEYS_PATH : KEYS_CHANGES, o->rc.prefix, &kp)) {
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
	hint[0] = '\0';
	if (!distinct) {
		hint_sources(o, hint, sizeof hint);
		snprintf(list, sizeof list, "%s", hint[0] ? "none" : "no paths stored at all");
	}
	const char *what = kind == KEYS_PATH ? "path stored" : "path or change stored";
	if (o->probe)
		cli_die("no %s for %s by probe %s of %s (%s%s)%s", what, target, o->probe, whose,
		    distinct ? "known: " : "", list, hint);
	cli_die("no %s for %s of %s (%s%s)%s", what, target, whose, distinct ? "known targets: " : "", list, hint);
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
	json_t *list = json_array();
	int w[7];
	int all = !cli_one_source(o);
	time_t now = time(NULL);
	size_t skipped = 0;  /* keys that are no path hash: left out, exit status 1 */

	if (!rows || !list)
		cli_die("out of memory");
	for (size_t i = 0; i < keys.n; i++)
		rr_key_append(keys.v[i], "HMGET %s ts hops reached changed", keys.v[i]);
	for (size_t i = 0; i < keys.n; i++) {
		struct row *rw = &rows[i];
		redisReply *r;
		char age[32];
		long long ts;

		r = rr_key_reply("HMGET %s ts hops reached changed", keys.v[i]);
		if (r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "WRONGTYPE", 9)) {
			/* one key that is not a path hash (written by someone else):
			 * said, and left out; the others are listed */
			fprintf(stderr, "hopwatch: %s is not a path hash (%s): left out\n", keys.v[i], r->str);
			freeReplyObject(r);
			skipped++;
			continue;
		}
		if (r->type == REDIS_REPLY_ERROR)
			cli_die("Redis at %s refused HMGET %s: %s", rr_where(), keys.v[i], r->str);
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
		if (json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:i,s:b,s:o,s:o}", "source", kp.source,
		                                          "probe", kp.probe, "target", kp.target, "hops",
		                                          (int)cli_list_len(v[1]), "reached", !strcmp(v[2], "1"),
		                                          "last_trace", cli_json_time(v[0]), "last_change",
		                                          cli_json_time(v[3]))) < 0)
			cli_die("out of memory");
		freeReplyObject(r);
	}
	if (o->json)
		cli_json_print(json_pack("{s:o}", "paths", list));
	else
		json_decref(list);
	if (!keys.n) {
		char hint[1536];
		hint_sources(o, hint, sizeof hint);
		fprintf(stderr, "hopwatch: no paths stored%s%s%s in Redis at %s (prefix \"%s\")%s\n",
		        strcmp(o->source, "*") ? " for " : "", strcmp(o->source, "*") ? o->source : "", o->probe ? " by that probe" : "", rr_where(),
		        o->rc.prefix, hint);
		free(rows);
		strv_free(&keys);
		return 0;
	}
	if (o->json) {
		free(rows);
		strv_free(&keys);
		return skipped ? 1 : 0;
	}
	for (int k = 0; k < 7; k++) {
		w[k] = (int)strlen(head[k]);
		for (size_t i = 0; i < keys.n; i++)
			if ((int)strlen(rows[i].col[k]) > w[k])
				w[k] = (int)strlen(rows[i].col[k]);
	}
	for (size_t i = 0; i <= keys.n; i++) {
		int first = 1;
		if (i && !rows[i - 1].col[0][0])
			continue;  /* left out above */
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
	return skipped ? 1 : 0;
}

/* Keys of TARGET, dying when there is none. */
static struct strv target_keys(const struct cli_opts *o)
{
	struct strv keys = rr_path_keys(o, o->probe, o->target);

	if (!keys.n)
		unknown_target(o, o->target, KEYS_PATH);
	return keys;
}

/* The per-hop columns of `show`: the hash field, the header, and whether
 * it is an RTT (else a loss percentage).  rtt_min and rtt_max are written
 * by hopwatchd since they were added; a hash without them shows AVG only. */
static const struct { const char *field, *head, *json; int rtt; } hop_cols[] = {
	{ "loss", "LOSS%", "loss", 0 },
	{ "rtt_min", "BEST ms", "rtt_min", 1 },
	{ "rtt", "AVG ms", "rtt_avg", 1 },
	{ "rtt_max", "WORST ms", "rtt_max", 1 },
	{ "rtt_stddev", "STDEV ms", "rtt_stddev", 1 },
	{ "rtt_jitter", "JITTER ms", "rtt_jitter", 1 },
};
#define NCOLS (sizeof hop_cols / sizeof hop_cols[0])

/* Whether the HGETALL reply `r` has field `name`. */
static int has_field(const redisReply *r, const char *name)
{
	for (size_t i = 0; i + 1 < r->elements; i += 2)
		if (r->element[i]->type == REDIS_REPLY_STRING && !strcmp(r->element[i]->str, name))
			return 1;
	return 0;
}

/* The hop names of a path hash (field names, by TTL as hops), into nm;
 * none (nm->n 0) when the hash has none, none is known, or they do not
 * read. */
static void hash_names(const redisReply *r, struct path_names *nm)
{
	unsigned named = 0;

	if (pathwatch_parse_name_list(rr_field(r, "names"), nm) < 0 ||
	    nm->n != cli_list_len(rr_field(r, "hops")))
		memset(nm, 0, sizeof *nm);
	for (unsigned i = 0; i < nm->n; i++)
		named += nm->name[i][0] != '\0';
	if (!named)
		nm->n = 0;  /* no name at all: shown as before names existed */
}

/* The hops of one path hash as JSON: ttl, address, name, and every column. */
static json_t *show_json_hops(const redisReply *r)
{
	static struct path_names nm;
	const char *hops = rr_field(r, "hops");
	unsigned n = cli_list_len(hops);
	json_t *a = json_array();
	char f[64], addr[INET6_ADDRSTRLEN + 8];

	hash_names(r, &nm);
	for (unsigned k = 0; a && k < n; k++) {
		json_t *h;
		cli_list_field(hops, k, addr, sizeof addr);
		h = json_pack("{s:i,s:s?,s:s?}", "ttl", (int)k + 1, "address", strcmp(addr, "*") ? addr : NULL,
		              "name", k < nm.n && nm.name[k][0] ? nm.name[k] : NULL);
		for (size_t c = 0; h && c < NCOLS; c++) {
			cli_list_field(rr_field(r, hop_cols[c].field), k, f, sizeof f);
			json_object_set_new(h, hop_cols[c].json, cli_json_number(f));
		}
		if (!h || json_array_append_new(a, h) < 0)
			cli_die("out of memory");
	}
	if (!a)
		cli_die("out of memory");
	return a;
}

int cmd_show(const struct cli_opts *o)
{
	struct strv keys = target_keys(o);
	struct keys_parts kp;
	time_t now = time(NULL);
	json_t *list = json_array();

	if (!list)
		cli_die("out of memory");
	for (size_t i = 0; i < keys.n; i++) {
		redisReply *r = rr_key_cmd(keys.v[i], "HGETALL %s", keys.v[i]);
		const char *hops, *confirmed, *ip;
		char when[128], a[HOPNAME_MAX + INET6_ADDRSTRLEN + 8], v[NCOLS][32];
		static struct path_names tn, cn;
		struct path_hops th, ch;
		unsigned n, d = 0;
		int w = 7, differs = 0, have[NCOLS];

		if (r->type != REDIS_REPLY_ARRAY)
			cli_die("Redis at %s: unexpected reply to HGETALL %s", rr_where(), keys.v[i]);
		keys_split(keys.v[i], KEYS_PATH, o->rc.prefix, &kp);  /* path_keys took only keys that split */
		hops = rr_field(r, "hops");
		confirmed = rr_field(r, "confirmed");
		ip = rr_field(r, "target_ip");
		hash_names(r, &tn);
		if (strcmp(confirmed, hops) && !pathwatch_parse_hop_list(confirmed, &ch) &&
		    !pathwatch_parse_hop_list(hops, &th)) {
			const char *pa[PATH_MAX_HOPS], *pb[PATH_MAX_HOPS];
			for (unsigned k = 0; k < ch.n; k++)
				pa[k] = ch.hop[k];
			for (unsigned k = 0; k < th.n; k++)
				pb[k] = th.hop[k];
			d = path_diff(pa, ch.n, pb, th.n);
			differs = 1;
		}
		if (o->json) {
			json_t *p = json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:b,s:o,s:o,s:o,s:o,s:o,s:o}", "source", kp.source,
			                      "probe", kp.probe, "target", kp.target, "target_ip", ip[0] ? ip : NULL,
			                      "protocol", rr_field(r, "protocol")[0] ? rr_field(r, "protocol") : NULL,
			                      "reached", !strcmp(rr_field(r, "reached"), "1"), "duration_ms",
			                      cli_json_number(rr_field(r, "duration_ms")), "last_trace",
			                      cli_json_time(rr_field(r, "ts")), "last_change",
			                      cli_json_time(rr_field(r, "changed")), "hops", show_json_hops(r),
			                      "confirmed", confirmed[0] && !pathwatch_parse_hop_list(confirmed, &ch)
			                                       ? changemsg_path_json(&ch) : json_null(),
			                      "confirmed_differs_at", differs && d ? json_integer(d) : json_null());
			if (!p || json_array_append_new(list, p) < 0)
				cli_die("out of memory");
			freeReplyObject(r);
			continue;
		}
		if (i)
			printf("\n");
		printf("%s -> %s%s%s%s, probe %s\n", kp.source, kp.target, ip[0] && strcmp(ip, kp.target) ? " (" : "",
		       ip[0] && strcmp(ip, kp.target) ? ip : "", ip[0] && strcmp(ip, kp.target) ? ")" : "", kp.probe);
		cli_format_when(when, sizeof when, rr_field(r, "ts"), now);
		if (rr_field(r, "duration_ms")[0])
			cli_format_rtt(v[0], sizeof v[0], strtod(rr_field(r, "duration_ms"), NULL));
		else
			snprintf(v[0], sizeof v[0], "?");
		printf("last trace:  %s, %s, %s, %s ms\n", when,
		       rr_field(r, "protocol")[0] ? rr_field(r, "protocol") : "?",
		       !strcmp(rr_field(r, "reached"), "1") ? "destination reached" : "destination not reached", v[0]);
		cli_format_when(when, sizeof when, rr_field(r, "changed"), now);
		printf("last change: %s\n\n", when);
		n = cli_list_len(hops);
		if (pathwatch_parse_hop_list(hops, &th) < 0)
			memset(&th, 0, sizeof th);
		for (unsigned k = 0; k < n; k++) {
			cli_list_field(hops, k, a, sizeof a);
			if (k < th.n && k < tn.n && tn.name[k][0])
				pathwatch_hop_label(a, sizeof a, &th, &tn, k);
			if ((int)strlen(a) > w)
				w = (int)strlen(a);
		}
		printf("  TTL  %-*s", w, tn.n ? "HOST" : "ADDRESS");
		for (size_t c = 0; c < NCOLS; c++)
			if ((have[c] = has_field(r, hop_cols[c].field)))
				printf("  %8s", hop_cols[c].head);
		printf("\n");
		for (unsigned k = 0; k < n; k++) {
			cli_list_field(hops, k, a, sizeof a);
			if (k < th.n && k < tn.n && tn.name[k][0])
				pathwatch_hop_label(a, sizeof a, &th, &tn, k);
			printf("  %3u  %-*s", k + 1, w, a);
			for (size_t c = 0; c < NCOLS; c++) {
				if (!have[c])
					continue;
				cli_list_field(rr_field(r, hop_cols[c].field), k, v[c], sizeof v[c]);
				if (!v[c][0])
					snprintf(v[c], sizeof v[c], "-");
				else if (hop_cols[c].rtt)
					cli_format_rtt(v[c], sizeof v[c], strtod(v[c], NULL));
				else
					snprintf(v[c], sizeof v[c], "%.1f%%", strtod(v[c], NULL));
				printf("  %8s", v[c]);
			}
			printf("\n");
		}
		if (!n)
			printf("  (no hops)\n");
		if (!have[1])
			printf("  (BEST and WORST: this path was stored by a hopwatchd that kept the average only)\n");
		if (differs) {
			if (d)
				printf("\nconfirmed path (the last trace differs from it at TTL %u, not yet a change):\n", d);
			else
				printf("\nconfirmed path (the last trace agrees with it; it lacks or adds hops):\n");
			cli_names_by_address(&th, &tn, &ch, &cn);
			cli_print_diff(stdout, &ch, &th, d, "confirmed", "last trace", &cn, &tn);
		} else if (strcmp(confirmed, hops)) {
			printf("\nconfirmed path: %s\n", confirmed[0] ? confirmed : "(none)");
		}
		freeReplyObject(r);
	}
	if (o->json)
		cli_json_print(json_pack("{s:o}", "paths", list));
	else
		json_decref(list);
	strv_free(&keys);
	return 0;
}

/* One change as JSON, `c` (NULL: memory ran out): printed on its own line
 * when `out` is NULL (watch), else added to `out` (history). */
static void json_out(json_t *out, json_t *c)
{
	if (!c)
		cli_die("out of memory");
	if (!out)
		cli_json_print(c);
	else if (json_array_append_new(out, c) < 0)
		cli_die("out of memory");
}

/* Print one change (the stream entry or the published message), as text
 * or (--json) as one object; `out` collects history's objects (NULL:
 * print it on its own line, as watch does). */
static void print_change(const struct cli_opts *opt, json_t *out, const char *src, const char *probe,
                         const char *target, const char *ip, long long ts, const char *id,
                         const struct path_hops *o, const struct path_hops *n, unsigned first,
                         const struct path_names *on, const struct path_names *nn)
{
	char t[64], marks[256] = "";
	unsigned rows = o->n > n->n ? o->n : n->n, nmarks = 0;
	size_t len = 0;

	if (opt->json) {
		json_out(out, cli_json_change(src, probe, target, ip, ts, id, o, n, first, on, nn));
		return;
	}
	for (unsigned i = 0; i < rows; i++)
		if ((cli_hop_changed(o, n, i) || i + 1 == first) && len < sizeof marks) {
			len += (size_t)snprintf(marks + len, sizeof marks - len, "%s%u", nmarks ? ", " : "", i + 1);
			nmarks++;
		}
	if (ts > 0)
		cli_format_time(t, sizeof t, ts);
	else
		snprintf(t, sizeof t, "(time unknown)");
	printf("%s  %s %s/%s%s%s%s: path changed at TTL %u%s%s%s%s%s%s\n", t, src[0] ? src : "?", probe, target,
	       ip[0] && strcmp(ip, target) ? " (" : "", ip[0] && strcmp(ip, target) ? ip : "",
	       ip[0] && strcmp(ip, target) ? ")" : "", first, nmarks > 1 ? " (changed TTLs " : "",
	       nmarks > 1 ? marks : "", nmarks > 1 ? ")" : "", id ? " [" : "", id ? id : "", id ? "]" : "");
	cli_print_diff(stdout, o, n, first, "old", "new", on, nn);
}

/* Print one change that is not a path's (hw_change_report: a kind, its
 * old and new value), as text or (--json) as one object, as print_change. */
static void print_other(const struct cli_opts *opt, json_t *out, const struct cli_other_change *c)
{
	char t[64];

	if (opt->json) {
		json_out(out, cli_json_other(c));
		return;
	}
	if (c->ts > 0)
		cli_format_time(t, sizeof t, c->ts);
	else
		snprintf(t, sizeof t, "(time unknown)");
	printf("%s  %s %s/%s%s%s%s: %s changed%s%s%s\n", t, c->source[0] ? c->source : "?", c->probe, c->target,
	       c->target_ip[0] && strcmp(c->target_ip, c->target) ? " (" : "",
	       c->target_ip[0] && strcmp(c->target_ip, c->target) ? c->target_ip : "",
	       c->target_ip[0] && strcmp(c->target_ip, c->target) ? ")" : "", c->kind, c->id[0] ? " [" : "",
	       c->id, c->id[0] ? "]" : "");
	printf("  old: %s\n  new: %s\n", c->old_value[0] ? c->old_value : "(none)",
	       c->new_value[0] ? c->new_value : "(none)");
}

/* The change streams of o->target that history reads: the stream of every
 * path of the target (a path with no change yet says so) and every stream
 * of other changes (hw_change_report: a target of a plugin that stores no
 * path, such as dns); dies when there is none. */
static struct strv history_streams(const struct cli_opts *o)
{
	struct strv paths = rr_path_keys(o, o->probe, o->target), all = rr_keys(o, KEYS_CHANGES, o->probe, o->target);
	struct strv out = { 0 };
	struct keys_parts kp;
	char stream[4 * NAME_LEN];

	for (size_t i = 0; i < paths.n; i++)
		if (!keys_split(paths.v[i], KEYS_PATH, o->rc.prefix, &kp) &&
		    keys_target(stream, sizeof stream, KEYS_CHANGES, o->rc.prefix, kp.source, kp.probe, kp.target))
			strv_add(&all, stream);
	strv_sort(&all);
	for (size_t i = 0; i < all.n; i++)
		if (!i || strcmp(all.v[i], all.v[i - 1]))
			strv_add(&out, all.v[i]);
	strv_free(&paths);
	strv_free(&all);
	if (!out.n)
		unknown_target(o, o->target, KEYS_CHANGES);
	return out;
}

int cmd_history(const struct cli_opts *o)
{
	struct strv streams = history_streams(o);
	struct keys_parts kp;
	json_t *list = json_array();

	if (!list)
		cli_die("out of memory");
	for (size_t i = 0; i < streams.n; i++) {
		const char *stream = streams.v[i];
		redisReply *r;
		size_t shown = 0;

		keys_split(stream, KEYS_CHANGES, o->rc.prefix, &kp);  /* history_streams took only keys that split */
		if (o->count)
			r = rr_key_cmd(stream, "XREVRANGE %s + - COUNT %ld", stream, o->count);
		else
			r = rr_key_cmd(stream, "XRANGE %s - +", stream);
		if (r->type != REDIS_REPLY_ARRAY)
			cli_die("Redis at %s: unexpected reply to XRANGE %s", rr_where(), stream);
		if (i && !o->json)
			printf("\n");
		if (!r->elements && !o->json)
			printf("%s %s/%s: no change recorded\n", kp.source, kp.probe, kp.target);
		for (size_t k = 0; k < r->elements; k++) {
			/* XREVRANGE (for --count) gives newest first: print oldest first */
			const redisReply *e = r->element[o->count ? r->elements - 1 - k : k], *f;
			static struct path_names on, nn;
			struct path_hops oh, nh;
			const char *old, *new, *kind;

			if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING ||
			    (e->element[1]->type != REDIS_REPLY_ARRAY))
				continue;
			f = e->element[1];
			old = rr_field(f, "old");
			new = rr_field(f, "new");
			kind = rr_field(f, "kind");
			if (shown && !o->json)
				printf("\n");
			if (kind[0]) {
				/* a change reported by a plugin (hw_change_report), not a path's */
				struct cli_other_change c;
				memset(&c, 0, sizeof c);
				snprintf(c.id, sizeof c.id, "%s", e->element[0]->str);
				snprintf(c.source, sizeof c.source, "%s", kp.source);
				snprintf(c.probe, sizeof c.probe, "%s", kp.probe);
				snprintf(c.target, sizeof c.target, "%s", kp.target);
				snprintf(c.target_ip, sizeof c.target_ip, "%s", rr_field(f, "target_ip"));
				snprintf(c.kind, sizeof c.kind, "%s", kind);
				snprintf(c.old_value, sizeof c.old_value, "%s", old);
				snprintf(c.new_value, sizeof c.new_value, "%s", new);
				c.ts = strtoll(rr_field(f, "ts"), NULL, 10);
				print_other(o, list, &c);
				shown++;
				continue;
			}
			if (pathwatch_parse_hop_list(old, &oh) < 0 || pathwatch_parse_hop_list(new, &nh) < 0) {
				fprintf(o->json ? stderr : stdout, "%s: unreadable entry %s (old \"%s\", new \"%s\")\n",
				        stream, e->element[0]->str, old, new);
				continue;
			}
			/* names (newer entries, when a hop had one): display only, so
			 * names that do not read are left out, not an error */
			if (pathwatch_parse_name_list(rr_field(f, "old_names"), &on) < 0 || on.n != oh.n)
				memset(&on, 0, sizeof on);
			if (pathwatch_parse_name_list(rr_field(f, "new_names"), &nn) < 0 || nn.n != nh.n)
				memset(&nn, 0, sizeof nn);
			shown++;
			print_change(o, list, kp.source, kp.probe, kp.target, rr_field(f, "target_ip"),
			             strtoll(rr_field(f, "ts"), NULL, 10), e->element[0]->str, &oh, &nh,
			             (unsigned)strtoul(rr_field(f, "first_diff_ttl"), NULL, 10), &on, &nn);
		}
		freeReplyObject(r);
	}
	if (o->json)
		cli_json_print(json_pack("{s:o}", "changes", list));
	else
		json_decref(list);
	strv_free(&streams);
	return 0;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Longest wait between two reconnection attempts of watch, seconds. */
#define RECONNECT_MAX 5.0

/* Subscribe to the path changes' channel and the other changes' (`other`);
 * 0, or -1 with the reason in err. */
static int subscribe(const char *channel, const char *other, char *err, size_t cap)
{
	redisReply *r;

	rr_append("SUBSCRIBE %s %s", channel, other);
	for (int k = 0; k < 2; k++) {
		if (rr_wait(0, &r, err, cap) != 1)
			return -1;
		if (r->type == REDIS_REPLY_ERROR) {
			snprintf(err, cap, "SUBSCRIBE refused: %s", r->str);
			freeReplyObject(r);
			return -1;
		}
		freeReplyObject(r);
	}
	return 0;
}

/* The connection was lost (`why`): reconnect and subscribe again, waiting
 * from 0.2 s up to RECONNECT_MAX between attempts, until `deadline` (0:
 * for ever).  Says so on stderr once when lost and once when back.
 * 0 when back, -1 when the deadline passed. */
static int reconnect(const struct cli_opts *o, const char *channel, const char *other, const char *why,
                     double deadline)
{
	double wait = 0.2;
	char err[1024];

	fprintf(stderr, "hopwatch: lost Redis at %s: %s; reconnecting (changes published meanwhile are "
	        "not seen here; hopwatch history has them)\n", rr_where(), why);
	fflush(stderr);
	for (;;) {
		if (!rr_reconnect(&o->rc, err, sizeof err) && !subscribe(channel, other, err, sizeof err)) {
			fprintf(stderr, "hopwatch: reconnected to Redis at %s: watching %s and %s again\n", rr_where(),
			        channel, other);
			fflush(stderr);
			return 0;
		}
		if (deadline && now_mono() + wait >= deadline)
			return -1;
		nanosleep(&(struct timespec){ (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) }, NULL);
		wait = wait * 2 > RECONNECT_MAX ? RECONNECT_MAX : wait * 2;
	}
}

int cmd_watch(const struct cli_opts *o)
{
	char channel[NAME_LEN + 32], other[NAME_LEN + 32], err[1024];
	double deadline = o->timeout > 0 ? now_mono() + o->timeout : 0;
	long seen = 0;
	redisReply *r;

	if (!keys_channel(channel, sizeof channel, o->rc.prefix) || !keys_other_channel(other, sizeof other, o->rc.prefix))
		cli_die("the prefix is too long");
	if (subscribe(channel, other, err, sizeof err) < 0)
		cli_die("Redis at %s: %s", rr_where(), err);
	fprintf(stderr, "hopwatch: watching %s and %s at %s%s%s\n", channel, other, rr_where(),
	        strcmp(o->source, "*") ? " for changes seen by " : "", strcmp(o->source, "*") ? o->source : "");
	fflush(stderr);
	for (;;) {
		static struct change_msg m;
		static struct cli_other_change c;
		double left = deadline ? deadline - now_mono() : 0;
		const char *payload, *src, *probe, *target;
		int got, is_other;

		if (deadline && left <= 0)
			goto timeout;
		got = rr_wait(left, &r, err, sizeof err);
		if (!got)
			goto timeout;
		if (got < 0) {
			if (reconnect(o, channel, other, err, deadline) < 0)
				goto timeout;
			continue;
		}
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
		    r->element[0]->type != REDIS_REPLY_STRING || strcmp(r->element[0]->str, "message") ||
		    r->element[1]->type != REDIS_REPLY_STRING || r->element[2]->type != REDIS_REPLY_STRING) {
			freeReplyObject(r);
			continue;
		}
		payload = r->element[2]->str;
		is_other = !strcmp(r->element[1]->str, other);
		if (is_other ? cli_other_read(payload, &c) < 0 : changemsg_read(payload, &m) < 0) {
			fprintf(stderr, "hopwatch: %s: not a change message: %s\n", is_other ? other : channel, payload);
			freeReplyObject(r);
			continue;
		}
		freeReplyObject(r);
		src = is_other ? c.source : m.source;
		probe = is_other ? c.probe : m.probe;
		target = is_other ? c.target : m.target;
		if (!cli_source_matches(o, src) ||
		    (o->probe && strcmp(probe, o->probe)) || (o->target && strcmp(target, o->target)))
			continue;
		if (seen && !o->json)
			printf("\n");
		if (is_other)
			print_other(o, NULL, &c);
		else
			print_change(o, NULL, m.source, m.probe, m.target, m.target_ip, m.ts,
			             o->json && m.id[0] ? m.id : NULL, &m.chg.old_path, &m.chg.new_path,
			             m.chg.first_diff_ttl, &m.old_names, &m.new_names);
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
