/* emit.c: names, tags and encoding on the way to the sink (see emit.h). */
#include <math.h>
#include <string.h>
#include <time.h>

#include "dogstatsd.h"
#include "emit.h"

/* The DogStatsD type letters, indexed by hw_mtype. */
static const char *const type_text[] = { "g", "c", "h", "d", "ms" };

/* Longest metric name (prefix included), bytes with the NUL. */
#define EMIT_NAME_MAX 256
/* Room to join tag lists in: a whole Unix datagram, so that a list is
 * never cut here; a line whose tags do not fit is dropped and counted. */
#define EMIT_TAGS_MAX STATSD_UNIX_MAX

/* Join the ready lists and the extras into `buf`; returns buf, or `a`
 * itself when there is nothing to join (the common case: no copy), or NULL
 * when they do not fit in EMIT_TAGS_MAX bytes. */
static const char *join_tags(char *buf, const char *a, const char *b, const char *const *extra)
{
	size_t len = 0, n, la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0;

	if (!lb && (!extra || !*extra))
		return a ? a : "";
	if (la + 1 + lb >= EMIT_TAGS_MAX)
		return NULL;
	memcpy(buf, a ? a : "", la + 1);
	len = la;
	if (lb) {
		if (len)
			buf[len++] = ',';
		memcpy(buf + len, b, lb + 1);
		len += lb;
	}
	for (; extra && *extra; extra++) {
		n = dsd_tags_append(buf, EMIT_TAGS_MAX, len, *extra);
		if (n == len && (*extra)[0])
			return NULL;
		len = n;
	}
	return buf;
}

/* prefix + sanitised name into buf; 0 when it does not fit. */
static size_t full_name(char *buf, const struct emit *e, const char *name)
{
	size_t pl = strlen(e->prefix);

	memcpy(buf, e->prefix, pl);
	return dsd_sanitize_name(buf + pl, EMIT_NAME_MAX - pl, name) ? pl + strlen(buf + pl) : 0;
}

size_t emit_tags_room(size_t datagram)
{
	size_t room = datagram - 1 - EMIT_LINE_RESERVE;

	return room < EMIT_FIXED_TAGS_MAX ? room : EMIT_FIXED_TAGS_MAX;
}

size_t emit_tags_len(size_t len, const char *const *tags, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tags[i] && tags[i][0])
			len += (len ? 1 : 0) + strlen(tags[i]);
	return len;
}

void emit_metric(const struct emit *e, const char *tags_a, const char *tags_b,
                 const char *name, hw_mtype type, const double *values, size_t n,
                 const char *const *extra)
{
	char fname[EMIT_NAME_MAX], buf[EMIT_TAGS_MAX], line[STATSD_UNIX_MAX];
	size_t cap = statsd_max_line(e->sink), used, len;
	const char *tags;

	if ((unsigned)type >= sizeof type_text / sizeof type_text[0])
		return;
	if (!full_name(fname, e, name) || !(tags = join_tags(buf, tags_a, tags_b, extra))) {
		statsd_dropped(e->sink, name);
		return;
	}
	while (n) {
		if (!isfinite(values[0])) {
			/* documented: non-finite values are left out */
			values++;
			n--;
			continue;
		}
		len = dsd_metric(line, cap, fname, type_text[type], values, n, &used, tags);
		if (!len) {
			statsd_dropped(e->sink, fname);  /* not even one value fits */
			return;
		}
		statsd_line(e->sink, line, len);
		values += used;
		n -= used;
	}
}

void emit_service_check(const struct emit *e, const char *tags_a, const char *tags_b,
                        const char *name, hw_status status, const char *message,
                        const char *const *extra)
{
	char fname[EMIT_NAME_MAX], buf[EMIT_TAGS_MAX], line[STATSD_UNIX_MAX];
	const char *tags;
	size_t len;

	if (!full_name(fname, e, name) || !(tags = join_tags(buf, tags_a, tags_b, extra))) {
		statsd_dropped(e->sink, name);
		return;
	}
	len = dsd_service_check(line, statsd_max_line(e->sink), fname, (int)status,
	                        (long long)time(NULL), e->hostname, tags, message);
	if (len)
		statsd_line(e->sink, line, len);
	else if ((unsigned)status <= HW_UNKNOWN)
		statsd_dropped(e->sink, fname);
}

void emit_event(const struct emit *e, const char *tags_a, const char *tags_b,
                const char *title, const char *text, hw_alert alert,
                const char *aggregation_key, const char *const *extra)
{
	static const char *const alert_text[] = { "info", "success", "warning", "error" };
	char buf[EMIT_TAGS_MAX], line[STATSD_UNIX_MAX];
	struct dsd_event ev = {
		.title = title,
		.text = text,
		.timestamp = (long long)time(NULL),
		.hostname = e->hostname,
		.aggregation_key = aggregation_key,
		.source_type = "hopwatch",
		.alert_type = alert_text[(unsigned)alert < 4 ? alert : 0],
		.tags = join_tags(buf, tags_a, tags_b, extra),
	};
	size_t cut, len;

	if (!ev.tags) {
		statsd_dropped(e->sink, title);
		return;
	}
	len = dsd_event_fit(line, statsd_max_line(e->sink), &ev, &cut);
	if (!len) {
		if (title[0])
			statsd_dropped(e->sink, title);
		return;
	}
	if (cut)
		statsd_shortened(e->sink, title, cut);
	statsd_line(e->sink, line, len);
}
