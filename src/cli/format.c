/* format.c: the CLI's text layout: ages, times, comma-separated fields,
 * path diffs (see cli.h).  No Redis, no global state. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "pathwatch.h"

void cli_format_age(char *buf, size_t cap, long long secs)
{
	static const struct { long long unit; const char *name; long long sub; const char *subname; } u[] = {
		{ 86400, "d", 3600, "h" }, { 3600, "h", 60, "m" }, { 60, "m", 1, "s" },
	};

	if (secs < 0)
		secs = 0;
	for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
		if (secs < u[i].unit)
			continue;
		long long big = secs / u[i].unit, small = secs % u[i].unit / u[i].sub;
		if (small)
			snprintf(buf, cap, "%lld%s %lld%s", big, u[i].name, small, u[i].subname);
		else
			snprintf(buf, cap, "%lld%s", big, u[i].name);
		return;
	}
	snprintf(buf, cap, "%llds", secs);
}

void cli_format_rtt(char *buf, size_t cap, double ms)
{
	/* the rounding edges: 9.996 prints as 10.0, not 10.00 */
	if (!(ms >= 0))
		snprintf(buf, cap, "?");
	else if (ms < 0.9995)
		snprintf(buf, cap, "%.3f", ms);
	else if (ms < 9.995)
		snprintf(buf, cap, "%.2f", ms);
	else if (ms < 99.95)
		snprintf(buf, cap, "%.1f", ms);
	else
		snprintf(buf, cap, "%.0f", ms);
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

void cli_names_by_address(const struct path_hops *from, const struct path_names *fnm,
                          const struct path_hops *to, struct path_names *out)
{
	memset(out, 0, sizeof *out);
	out->n = to->n;
	for (unsigned i = 0; fnm && i < to->n; i++)
		for (unsigned k = 0; to->hop[i][0] && k < from->n && k < fnm->n; k++)
			if (!strcmp(from->hop[k], to->hop[i])) {
				memcpy(out->name[i], fnm->name[k], sizeof out->name[i]);
				break;
			}
}

int cli_hop_changed(const struct path_hops *o, const struct path_hops *n, unsigned i)
{
	return i < o->n && i < n->n && o->hop[i][0] && n->hop[i][0] && strcmp(o->hop[i], n->hop[i]);
}

void cli_print_diff(FILE *f, const struct path_hops *o, const struct path_hops *n, unsigned first,
                    const char *oname, const char *nname, const struct path_names *on,
                    const struct path_names *nn)
{
	unsigned rows = o->n > n->n ? o->n : n->n;
	int w = (int)strlen(oname);
	char a[HOPNAME_MAX + INET6_ADDRSTRLEN + 4], b[sizeof a];

	for (unsigned i = 0; i < rows; i++) {
		const char *l = pathwatch_hop_label(a, sizeof a, o, on, i);
		if ((int)strlen(l) > w)
			w = (int)strlen(l);
	}
	fprintf(f, "  TTL  %-*s    %s\n", w, oname, nname);
	for (unsigned i = 0; i < rows; i++) {
		int mark = i + 1 == first || cli_hop_changed(o, n, i);
		fprintf(f, "%c %3u  %-*s %s %s\n", mark ? '>' : ' ', i + 1, w, pathwatch_hop_label(a, sizeof a, o, on, i),
		        mark ? "->" : "  ", pathwatch_hop_label(b, sizeof b, n, nn, i));
	}
}

void cli_format_time(char *buf, size_t cap, long long ts)
{
	time_t t = (time_t)ts;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, cap, "%lld", ts);
}

void cli_format_when(char *buf, size_t cap, const char *ts, time_t now)
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
	cli_format_time(t, sizeof t, v);
	cli_format_age(age, sizeof age, (long long)now - v);
	snprintf(buf, cap, "%s (%s ago)", t, age);
}
