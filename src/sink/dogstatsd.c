/* dogstatsd.c: DogStatsD line encoder (see dogstatsd.h and Datadog's
 * DogStatsD datagram format, https://docs.datadoghq.com/developers/dogstatsd/datagram_shell/). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dogstatsd.h"

/* A bounded writer: appends until something does not fit, then stays failed. */
struct out {
	char *buf;   /* destination */
	size_t cap;  /* its size in bytes */
	size_t len;  /* bytes written so far */
	int full;    /* set once an append did not fit */
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Close the writer: NUL-terminate when possible, report 0 on overflow. */
static size_t finish(struct out *o)
{
	if (o->full)
		return 0;
	if (o->len < o->cap)
		o->buf[o->len] = '\0';
	return o->len;
}

size_t dsd_format_number(char *buf, double v)
{
	char digits[DSD_NUMBER_MAX];
	unsigned long long ip, fp;
	double ipd;
	size_t len = 0;
	int i;

	if (!isfinite(v) || fabs(v) >= 9e18)
		return 0;
	if (fabs(v) >= 1e12)  /* too large for 6 decimals in 64 bits: whole number */
		return (size_t)snprintf(buf, DSD_NUMBER_MAX, "%lld", llround(v));
	/* Fixed point with 6 decimals: exact for what probes measure (ms with
	 * ns resolution rounds to 6 places) and never uses the locale. */
	/* Split before scaling: fabs(v) * 1e6 would lose digits past 2^53. */
	ipd = floor(fabs(v));
	ip = (unsigned long long)ipd;
	fp = (unsigned long long)llround((fabs(v) - ipd) * 1e6);
	if (fp == 1000000ULL) {
		ip++;
		fp = 0;
	}
	if (v < 0 && (ip || fp))
		buf[len++] = '-';
	i = 0;
	do {
		digits[i++] = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip);
	while (i)
		buf[len++] = digits[--i];
	if (fp) {
		int nd = 6;
		while (fp % 10 == 0) {
			fp /= 10;
			nd--;
		}
		buf[len++] = '.';
		for (i = nd - 1; i >= 0; i--) {
			buf[len + (size_t)i] = (char)('0' + fp % 10);
			fp /= 10;
		}
		len += (size_t)nd;
	}
	buf[len] = '\0';
	return len;
}

/* Copy src into dst (cap bytes), every byte `keep` refuses (c, its index)
 * made '_'.  Returns the length, or 0 when it does not fit. */
static size_t sanitize(char *dst, size_t cap, const char *src, int (*keep)(unsigned char c, size_t i))
{
	size_t n = strlen(src);

	if (n >= cap)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = keep(c, i) ? (char)c : '_';
	}
	dst[n] = '\0';
	return n;
}

/* A metric name keeps letters, digits, '_' and '.'. */
static int name_keeps(unsigned char c, size_t i)
{
	(void)i;
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.';
}

/* A tag keeps all but control bytes, '|', ',', '#' and a leading ':'. */
static int tag_keeps(unsigned char c, size_t i)
{
	return !(c < 0x20 || c == 0x7f || c == '|' || c == ',' || c == '#' || (i == 0 && c == ':'));
}

size_t dsd_sanitize_name(char *dst, size_t cap, const char *src)
{
	return sanitize(dst, cap, src, name_keeps);
}

size_t dsd_sanitize_tag(char *dst, size_t cap, const char *src)
{
	return sanitize(dst, cap, src, tag_keeps);
}

size_t dsd_tags_append(char *dst, size_t cap, size_t len, const char *tag)
{
	size_t sep = len ? 1 : 0, n;

	if (!tag[0] || len + sep >= cap)
		return len;
	n = dsd_sanitize_tag(dst + len + sep, cap - len - sep, tag);
	if (!n) {
		dst[len] = '\0';
		return len;
	}
	if (sep)
		dst[len] = ',';
	return len + sep + n;
}

size_t dsd_metric(char *dst, size_t cap, const char *name, const char *type,
                  const double *values, size_t n, size_t *used, const char *tags)
{
	char num[DSD_NUMBER_MAX];
	size_t tail, head, k = 0;
	struct out o = { dst, cap, 0, 0 };
	int multi = strcmp(type, "s") != 0;

	*used = 0;
	if (!n)
		return 0;
	/* The suffix "|type|#tags" must fit after the values: reserve it. */
	tail = 1 + strlen(type) + (tags && tags[0] ? 2 + strlen(tags) : 0);
	puts_(&o, name);
	head = o.len;
	while (k < n && (k == 0 || multi)) {
		size_t nl = dsd_format_number(num, values[k]);
		if (!nl) {
			if (!k)
				return 0;
			break;  /* the caller skips it and goes on after it */
		}
		if (o.full || o.len + 1 + nl + tail > cap)
			break;
		put(&o, ":", 1);
		put(&o, num, nl);
		k++;
	}
	if (o.len == head)
		return 0;
	put(&o, "|", 1);
	puts_(&o, type);
	if (tags && tags[0]) {
		put(&o, "|#", 2);
		puts_(&o, tags);
	}
	if (!finish(&o))
		return 0;
	*used = k;
	return o.len;
}

/* Append the first `n` bytes of `s` with newlines escaped as the two
 * characters "\n" and CRs dropped; in a service-check message also
 * "m:" -> "m\:" and '|' -> '/'. */
static void put_escaped(struct out *o, const char *s, size_t n, int message)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			put(o, "\\n", 2);
		else if (s[i] == '\r')
			continue;
		else if (message && s[i] == '|')
			put(o, "/", 1);
		else if (message && s[i] == 'm' && i + 1 < n && s[i + 1] == ':') {
			put(o, "m\\:", 3);
			i++;
		} else
			put(o, s + i, 1);
	}
}

/* Append "|<key><value>", the value with '|' and control characters as '_'. */
static void put_field(struct out *o, const char *key, const char *value)
{
	if (!value || !value[0])
		return;
	puts_(o, key);
	for (; *value; value++) {
		unsigned char c = (unsigned char)*value;
		put(o, c < 0x20 || c == 0x7f || c == '|' ? "_" : value, 1);
	}
}

/* Bytes put_escaped() writes for the first `n` bytes of `s` (not a message). */
static size_t escaped_len(const char *s, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += s[i] == '\n' ? 2 : s[i] == '\r' ? 0 : 1;
	return len;
}

/* Encode `e` with only the first `textlen` bytes of its text, followed by
 * DSD_SHORTENED when `shortened`. */
static size_t event_encode(char *dst, size_t cap, const struct dsd_event *e, size_t textlen,
                           int shortened)
{
	char head[64], ts[32];
	struct out o = { dst, cap, 0, 0 };
	size_t tlen = escaped_len(e->title, strlen(e->title));
	size_t xlen = escaped_len(e->text, textlen) + (shortened ? strlen(DSD_SHORTENED) : 0);

	if (!tlen)
		return 0;
	/* The lengths in the header count escaped bytes. */
	snprintf(head, sizeof head, "_e{%zu,%zu}:", tlen, xlen);
	puts_(&o, head);
	put_escaped(&o, e->title, strlen(e->title), 0);
	put(&o, "|", 1);
	put_escaped(&o, e->text, textlen, 0);
	if (shortened)
		puts_(&o, DSD_SHORTENED);
	if (e->timestamp > 0) {
		snprintf(ts, sizeof ts, "%lld", e->timestamp);
		put_field(&o, "|d:", ts);
	}
	put_field(&o, "|h:", e->hostname);
	put_field(&o, "|k:", e->aggregation_key);
	put_field(&o, "|p:", e->priority);
	put_field(&o, "|s:", e->source_type);
	put_field(&o, "|t:", e->alert_type);
	if (e->tags && e->tags[0]) {
		put(&o, "|#", 2);
		puts_(&o, e->tags);
	}
	return finish(&o);
}

size_t dsd_event(char *dst, size_t cap, const struct dsd_event *e)
{
	return event_encode(dst, cap, e, strlen(e->text), 0);
}

size_t dsd_event_fit(char *dst, size_t cap, const struct dsd_event *e, size_t *cut)
{
	size_t full = strlen(e->text), lo = 0, hi, n;

	*cut = 0;
	if ((n = event_encode(dst, cap, e, full, 0)) || !full)
		return n;
	if (!event_encode(dst, cap, e, 0, 1))
		return 0;
	/* The encoded length grows with the prefix: find the longest that
	 * fits.  lo always fits; full does not. */
	hi = full - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		if (event_encode(dst, cap, e, mid, 1))
			lo = mid;
		else
			hi = mid - 1;
	}
	while (lo > 0 && ((unsigned char)e->text[lo] & 0xc0) == 0x80)
		lo--;  /* not inside a UTF-8 character */
	*cut = full - lo;
	return event_encode(dst, cap, e, lo, 1);
}

size_t dsd_service_check(char *dst, size_t cap, const char *name, int status,
                         long long timestamp, const char *hostname,
                         const char *tags, const char *message)
{
	char num[32];
	struct out o = { dst, cap, 0, 0 };

	if (status < 0 || status > 3)
		return 0;
	puts_(&o, "_sc|");
	puts_(&o, name);
	snprintf(num, sizeof num, "|%d", status);
	puts_(&o, num);
	if (timestamp > 0) {
		snprintf(num, sizeof num, "%lld", timestamp);
		put_field(&o, "|d:", num);
	}
	put_field(&o, "|h:", hostname);
	if (tags && tags[0]) {
		put(&o, "|#", 2);
		puts_(&o, tags);
	}
	if (message && message[0]) {
		put(&o, "|m:", 3);
		put_escaped(&o, message, strlen(message), 1);
	}
	return finish(&o);
}

size_t dsd_pack(char *buf, size_t cap, size_t len, const char *line, size_t n)
{
	if (!n || len > cap || n + 1 > cap - len)
		return 0;
	memcpy(buf + len, line, n);
	buf[len + n] = '\n';
	return len + n + 1;
}

const char *dsd_tag_consumed(const char *tag)
{
	if (!strncmp(tag, "host:", 5))
		return "the agent takes a host:<name> tag as the host name of the sample, not as a tag";
	if (!strncmp(tag, "dd.internal.", 12))
		return "the agent consumes dd.internal.* tags (origin detection: entity id, container, "
		       "cardinality) and does not keep them as tags";
	return NULL;
}
