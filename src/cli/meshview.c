/* meshview.c: `hopwatch mesh`'s text grid and JSON (see meshview.h). Pure. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "meshview.h"

#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_RED "\033[31m"
#define C_DIM "\033[2m"
#define C_RESET "\033[0m"

/* Longest member name shown in full in a row label. */
#define LABEL_MAX 24

int meshview_stale(const struct mesh_result *r, time_t now)
{
	return (double)(now - r->ts) > MESHVIEW_STALE_INTERVALS * r->interval + MESHVIEW_STALE_SLACK;
}

/* The distinct probes of the cells, sorted; their count in *n. */
static const char **probes_of(const struct meshview *v, size_t *n)
{
	const char **p = calloc(v->ncells + 1, sizeof *p);

	*n = 0;
	for (size_t i = 0; p && i < v->ncells; i++) {
		size_t k;
		for (k = 0; k < *n && strcmp(p[k], v->cells[i].probe); k++)
			;
		if (k == *n)
			p[(*n)++] = v->cells[i].probe;
	}
	for (size_t i = 1; p && i < *n; i++)  /* few probes: insertion sort */
		for (size_t k = i; k > 0 && strcmp(p[k - 1], p[k]) > 0; k--) {
			const char *t = p[k];
			p[k] = p[k - 1];
			p[k - 1] = t;
		}
	return p;
}

/* One cell of width w, right-aligned, coloured when asked. */
static void cell(FILE *f, int w, const char *text, const char *color)
{
	fprintf(f, " %s%*s%s", color ? color : "", w, text, color ? C_RESET : "");
}

/* The loss (rtt 0) or RTT (rtt 1) matrix of `probe`. */
static void matrix(FILE *f, const struct meshview *v, const struct meshview_cell **m, const char *probe,
                   int rtt, time_t now, int color, int label)
{
	int w = rtt ? 6 : 4;
	char num[32];

	fprintf(f, "\n%s: %s (row: from, column: to)\n%*s", probe, rtt ? "RTT ms" : "loss %", label + 5, "");
	for (size_t c = 0; c < v->n; c++) {
		snprintf(num, sizeof num, "%zu", c + 1);
		cell(f, w, num, NULL);
	}
	fputc('\n', f);
	for (size_t r = 0; r < v->n; r++) {
		fprintf(f, "%4zu %-*.*s", r + 1, label, label, v->members[r].name);
		for (size_t c = 0; c < v->n; c++) {
			const struct meshview_cell *x = m[r * v->n + c];
			const char *col = NULL;
			if (r == c) {
				cell(f, w, ".", NULL);
				continue;
			}
			if (!x) {
				cell(f, w, "-", NULL);
				continue;
			}
			if (meshview_stale(&x->r, now)) {
				cell(f, w, "?", color ? C_DIM : NULL);
				continue;
			}
			if (color)
				col = !x->r.reached || x->r.loss >= 50 ? C_RED : x->r.loss > 0 ? C_YELLOW : C_GREEN;
			if (rtt && x->r.rtt < 0)
				snprintf(num, sizeof num, "x");
			else if (rtt)
				cli_format_rtt(num, sizeof num, x->r.rtt);
			else
				snprintf(num, sizeof num, "%.0f", x->r.loss);
			/* answered but not reached (a tcp port that refuses): said
			 * in the text too, not by colour alone */
			if (!x->r.reached && x->r.loss < 100 && x->r.rtt >= 0)
				snprintf(num + strlen(num), sizeof num - strlen(num), "!");
			cell(f, w, num, col);
		}
		fputc('\n', f);
	}
}

/* Copy `s` into `out` (as large as s's buffer) with every byte below 0x20
 * and 0x7f replaced by '?': text from Redis, shown on a terminal. */
static const char *printable(char *out, const char *s)
{
	size_t i = 0;

	for (; s[i]; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
	return out;
}

void meshview_text(FILE *f, const struct meshview *v, time_t now, int color)
{
	size_t np = 0;
	const char **probes = probes_of(v, &np);
	const struct meshview_cell **m = v->n ? calloc(v->n * v->n, sizeof *m) : NULL;
	int label = 4;
	char age[32];

	for (size_t i = 0; i < v->n; i++)
		if ((int)strlen(v->members[i].name) > label)
			label = (int)strlen(v->members[i].name);
	if (label > LABEL_MAX)
		label = LABEL_MAX;
	fprintf(f, "mesh %s: %zu member%s", v->group, v->n, v->n == 1 ? "" : "s");
	if (v->ninvalid)
		fprintf(f, ", %zu invalid registration%s ignored", v->ninvalid, v->ninvalid == 1 ? "" : "s");
	fputc('\n', f);
	if (!np && v->n)
		fprintf(f, "no results yet (members write them every third of mesh.ttl)\n");
	for (size_t p = 0; m && probes && p < np; p++) {
		memset(m, 0, v->n * v->n * sizeof *m);
		for (size_t i = 0; i < v->ncells; i++)
			if (!strcmp(v->cells[i].probe, probes[p]))
				m[v->cells[i].from * v->n + v->cells[i].to] = &v->cells[i];
		matrix(f, v, m, probes[p], 0, now, color, label);
		matrix(f, v, m, probes[p], 1, now, color, label);
	}
	if (np)
		fprintf(f, "\n(\".\" itself, \"-\" no result, \"?\" stale: older than %d intervals, \"x\" no answer, \"!\" answered but not reached)\n",
		        MESHVIEW_STALE_INTERVALS);
	if (v->n)
		fprintf(f, "\nmembers:\n");
	for (size_t i = 0; i < v->n; i++) {
		const struct mesh_reg *r = &v->members[i];
		cli_format_age(age, sizeof age, (long long)now - r->ts);
		fprintf(f, "%4zu %-*s  heartbeat %s ago ", i + 1, label, r->name, age);
		for (unsigned k = 0; k < r->n4 + r->n6; k++)
			fprintf(f, "%s%s", k ? ", " : " ", k < r->n4 ? r->v4[k] : r->v6[k - r->n4]);
		for (unsigned k = 0; k < r->ntags; k++)
			fprintf(f, "%s%s", k ? "," : "  tags ", r->tags[k]);
		fputc('\n', f);
	}
	if (v->ninvalid)
		fprintf(f, "\ninvalid registrations (ignored by every member):\n");
	for (size_t i = 0; i < v->ninvalid; i++) {
		/* whatever is in Redis: never a control character to the terminal */
		char name[sizeof v->invalid[i].name], why[sizeof v->invalid[i].why];
		fprintf(f, "  %s: %s\n", printable(name, v->invalid[i].name), printable(why, v->invalid[i].why));
	}
	free(probes);
	free(m);
}

/* A list of `n` strings of `width` bytes each, as a JSON array. */
static json_t *str_array(const char *rows, size_t width, unsigned n)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(rows + i * width)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *meshview_json(const struct meshview *v, time_t now)
{
	json_t *members = json_array(), *invalid = json_array(), *results = json_array();
	json_t *doc = json_pack("{s:s,s:o*,s:o*,s:o*}", "group", v->group, "members", members, "invalid", invalid,
	                        "results", results);
	int bad = !doc || !members || !invalid || !results;

	for (size_t i = 0; !bad && i < v->n; i++) {
		const struct mesh_reg *r = &v->members[i];
		bad = json_array_append_new(members, json_pack("{s:s,s:s,s:o*,s:o*,s:o*,s:I}", "name", r->name, "id",
		                            r->id, "ipv4", str_array(r->v4[0], sizeof r->v4[0], r->n4), "ipv6",
		                            str_array(r->v6[0], sizeof r->v6[0], r->n6), "tags",
		                            str_array(r->tags[0], sizeof r->tags[0], r->ntags), "ts",
		                            (json_int_t)r->ts)) < 0;
	}
	for (size_t i = 0; !bad && i < v->ninvalid; i++)
		bad = json_array_append_new(invalid, json_pack("{s:s,s:s}", "name", v->invalid[i].name, "reason",
		                                               v->invalid[i].why)) < 0;
	for (size_t i = 0; !bad && i < v->ncells; i++) {
		const struct meshview_cell *c = &v->cells[i];
		bad = json_array_append_new(results, json_pack("{s:s,s:s,s:s,s:s,s:f,s:o,s:b,s:I,s:f,s:b}",
		                            "probe", c->probe, "from", v->members[c->from].name, "to",
		                            v->members[c->to].name, "ip", c->r.ip, "loss", c->r.loss, "rtt",
		                            c->r.rtt >= 0 ? json_real(c->r.rtt) : json_null(), "reached", c->r.reached,
		                            "ts", (json_int_t)c->r.ts, "interval", c->r.interval, "stale",
		                            meshview_stale(&c->r, now))) < 0;
	}
	if (bad) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}
