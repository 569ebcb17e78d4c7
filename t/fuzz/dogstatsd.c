/* t/fuzz/dogstatsd.c: libFuzzer target for the DogStatsD encoder and
 * sanitisers.  The input is split at NUL bytes into a name, a tag, a title,
 * a text and a message; whatever comes out must be one line: no newline,
 * no '|' or ',' or '#' inside a sanitised tag, lengths as returned; a
 * shortened event fits its cap, keeps its tags, and packs with its newline. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dogstatsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort if `s` (length n; the encoders add a NUL only when room remains)
 * holds a raw newline or a NUL. */
static void one_line(const char *s, size_t n)
{
	if (memchr(s, '\n', n) || memchr(s, '\0', n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[5][512], name[512], tag[512], tags[1024], out[1600];
	double values[4] = { 1.5, -2, 0.000001, 1e13 };
	size_t k = 0, pos = 0, used, n;

	memset(in, 0, sizeof in);
	for (size_t i = 0; i < size && k < 5; i++) {
		if (!data[i] || pos == sizeof in[0] - 1) {
			k++;
			pos = 0;
			continue;
		}
		in[k][pos++] = (char)data[i];
	}
	name[0] = '\0';
	if ((n = dsd_sanitize_name(name, sizeof name, in[0])))
		for (size_t i = 0; i < n; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.", name[i]))
				abort();
	if ((n = dsd_sanitize_tag(tag, sizeof tag, in[1])) && strpbrk(tag, "|,#\n"))
		abort();
	n = dsd_tags_append(tags, sizeof tags, 0, in[1]);
	tags[n] = '\0';
	if (!name[0])
		strcpy(name, "x");
	if ((n = dsd_metric(out, sizeof out, name, "d", values, 4, &used, tags)))
		one_line(out, n);
	struct dsd_event e = { .title = in[2], .text = in[3], .aggregation_key = in[4],
	                       .alert_type = "info", .tags = tags };
	if ((n = dsd_event(out, sizeof out, &e)))
		one_line(out, n);
	/* shortening: at most cap bytes, one line, the tags kept whole, and
	 * nothing cut when the whole event fits */
	{
		char fit[1600], dgram[1700];
		size_t cap = 8 + size % 400, cut, whole = dsd_event(fit, cap, &e), m, d;
		if ((m = dsd_event_fit(fit, cap, &e, &cut))) {
			one_line(fit, m);
			if (m > cap || (whole && (cut || m != whole)) || (!whole && !cut))
				abort();
			if (tags[0] && (m < strlen(tags) || memcmp(fit + m - strlen(tags), tags, strlen(tags))))
				abort();
			/* packed: every line ends with '\n' */
			if (!(d = dsd_pack(dgram, sizeof dgram, 0, fit, m)) || d != m + 1 || dgram[m] != '\n')
				abort();
		} else if (whole || cut) {
			abort();
		}
	}
	if ((n = dsd_service_check(out, sizeof out, name, (int)(size % 5), 0, in[4], tags, in[3]))) {
		one_line(out, n);
		const char *m = memmem(out, n, "|m:", 3);
		if (m && memchr(m + 3, '|', n - (size_t)(m + 3 - out)))
			abort();
	}
	return 0;
}
