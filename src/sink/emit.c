/* emit.c: names, tags and encoding on the way to the sink (see emit.h). */
#include <string.h>
#include <time.h>

#include "dogstatsd.h"
#include "emit.h"

/* The DogStatsD type letters, indexed by hw_mtype. */
static const char *const type_text[] = { "g", "c", "h", "d", "ms" };

/* Longest name or tag list handled; longer ones are cut at a tag boundary. */
#define EMIT_NAME_MAX 256
#define EMIT_TAGS_MAX 2048

/* Join the ready lists and the extras into `buf`; returns buf, or `a`
 * itself when there is nothing to join (the common case: no copy). */
static const char *join_tags(char *buf, const char *a, const char *b, const char *const *extra)
{
	size_t len = 0, n;

	if ((!b || !b[0]) && (!extra || !*extra))
		return a ? a : "";
	buf[0] = '\0';
	if (a && (n = strlen(a)) < EMIT_TAGS_MAX) {
		memcpy(buf, a, n + 1);
		len = n;
	}
	if (b && b[0] && len + 1 + (n = strlen(b)) < EMIT_TAGS_MAX) {
		if (len)
			buf[len++] = ',';
		memcpy(buf + len, b, n + 1);
		len += n;
	}
	for (; extra && *extra; extra++)
		len = dsd_tags_append(buf, EMIT_TAGS_MAX, len, *extra);
	return buf;
}

/* prefix + sanitised name into buf; 0 when it does not fit. */
static size_t full_name(char *buf, const struct emit *e, const char *name)
{
	size_t pl = strlen(e->prefix);

	memcpy(buf, e->prefix, pl);
	return dsd_sanitize_name(buf + pl, EMIT_NAME_MAX - pl, name) ? pl + strlen(buf + pl) : 0;
}

void emit_metric(const struct emit *e, const char *tags_a, const char *tags_b,
                 const char *name, hw_mtype type, const double *values, size_t n,
                 const char *const *extra)
{
	char fname[EMIT_NAME_MAX], buf[EMIT_TAGS_MAX], line[STATSD_UNIX_MAX];
	size_t cap = statsd_max_line(e->sink), used, len;
	const char *tags;

	if ((unsigned)type >= sizeof type_text / sizeof type_text[0] || !full_name(fname, e, name))
		return;
	tags = join_tags(buf, tags_a, tags_b, extra);
	while (n) {
		len = dsd_metric(line, cap, fname, type_text[type], values, n, &used, tags);
		if (!len) {
			/* a non-finite value: skip it and go on with the rest */
			values++;
			n--;
			continue;
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

	if (!full_name(fname, e, name))
		return;
	tags = join_tags(buf, tags_a, tags_b, extra);
	len = dsd_service_check(line, statsd_max_line(e->sink), fname, (int)status,
	                        (long long)time(NULL), e->hostname, tags, message);
	if (len)
		statsd_line(e->sink, line, len);
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
	size_t len = dsd_event(line, statsd_max_line(e->sink), &ev);

	if (len)
		statsd_line(e->sink, line, len);
}
