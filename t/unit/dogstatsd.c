/*
 * dogstatsd.c: the DogStatsD encoder (src/sink/dogstatsd.h), byte for byte.
 * Expected lines follow Datadog's DogStatsD datagram format
 * (https://docs.datadoghq.com/developers/dogstatsd/datagram_shell/); every encoder is also driven
 * to its `cap` boundary, where it must either write the whole line or
 * return 0.
 */
#include <math.h>
#include <string.h>

#include "dogstatsd.h"
#include "emit.h"
#include "statsd.h"
#include "test-lib.h"

/* Longest line of a UDP datagram: its size less the newline. */
#define STATSD_LINE_ROOM (STATSD_UDP_MAX - 1)

/* Filler for output buffers: shows bytes an encoder should not touch. */
#define JUNK 0x5a

/* Check an encoder result: `n` bytes in `buf` that must equal `want`
 * (NULL: the encoder must have refused, n == 0). */
static void is_line(const char *buf, size_t n, const char *want, const char *name)
{
	char label[256], copy[1024];

	if (!want) {
		snprintf(label, sizeof label, "%s: refused", name);
		is_int(n, 0, label);
		return;
	}
	snprintf(label, sizeof label, "%s: length", name);
	is_int(n, strlen(want), label);
	/* Compare exactly n bytes: at cap == length there is no NUL. */
	if (n && n < sizeof copy) {
		memcpy(copy, buf, n);
		copy[n] = '\0';
	}
	is_str(n && n < sizeof copy ? copy : NULL, want, name);
}

static void test_format_number(void)
{
	static const struct {
		double v;           /* input */
		const char *want;   /* text, NULL when refused */
	} cases[] = {
		{ 0, "0" },
		{ -0.0, "0" },
		{ 1, "1" },
		{ -3, "-3" },
		{ 0.5, "0.5" },
		{ -0.5, "-0.5" },
		{ 12.345678, "12.345678" },
		{ 1.2345678, "1.234568" },            /* rounded to 6 places */
		{ 0.9999999, "1" },                   /* rounding carries into the integer */
		{ -0.9999999, "-1" },
		{ 0.000125, "0.000125" },
		{ 1e-6, "0.000001" },
		{ 1e-7, "0" },                        /* below the 6th place */
		{ -1e-7, "0" },                       /* no "-0" */
		{ 2.5, "2.5" },
		{ 2.10, "2.1" },                      /* trailing zeros trimmed */
		{ 100, "100" },
		{ 1500.25, "1500.25" },
		{ 1e12, "1000000000000" },            /* from 1e12 on: whole numbers */
		{ 1e12 + 0.4, "1000000000000" },
		{ -1e12, "-1000000000000" },
		{ 1e15, "1000000000000000" },
		{ 8.5e18, "8500000000000000000" },
		{ 9e18, NULL },                       /* would overflow long long soon */
		{ -9e18, NULL },
		{ NAN, NULL },
		{ INFINITY, NULL },
		{ -INFINITY, NULL },
	};
	char buf[DSD_NUMBER_MAX], label[64];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n;
		memset(buf, JUNK, sizeof buf);
		n = dsd_format_number(buf, cases[i].v);
		snprintf(label, sizeof label, "format_number(%.17g)", cases[i].v);
		is_line(buf, n, cases[i].want, label);
	}
	/* Just below 1e12 the decimals are kept; v * 1e6 is past 2^53 there,
	 * so scaling the whole value adds noise digits. */
	memset(buf, JUNK, sizeof buf);
	is_line(buf, dsd_format_number(buf, 999999999999.5), "999999999999.5",
	        "format_number(999999999999.5)");
	memset(buf, JUNK, sizeof buf);
	is_line(buf, dsd_format_number(buf, 1700000000.25), "1700000000.25",
	        "format_number(1700000000.25): a unix time with decimals");
	/* The longest text fits DSD_NUMBER_MAX with its NUL. */
	ok(dsd_format_number(buf, -8.99e18) < DSD_NUMBER_MAX && strlen(buf) < DSD_NUMBER_MAX,
	   "format_number: longest number fits DSD_NUMBER_MAX");
}

static void test_metrics(void)
{
	static const struct {
		const char *name, *type;
		double v[4];
		size_t n;             /* values given */
		const char *tags;     /* NULL, "" or a list */
		size_t cap;           /* 0: a large buffer */
		const char *want;     /* NULL: refused */
		size_t used;          /* values packed */
	} cases[] = {
		{ "hopwatch.up", "g", { 1 }, 1, NULL, 0, "hopwatch.up:1|g", 1 },
		{ "hopwatch.up", "g", { 1 }, 1, "", 0, "hopwatch.up:1|g", 1 },
		{ "hopwatch.up", "g", { -2.5 }, 1, "env:prod", 0, "hopwatch.up:-2.5|g|#env:prod", 1 },
		{ "sent", "c", { 3 }, 1, NULL, 0, "sent:3|c", 1 },
		{ "sent", "c", { 3 }, 1, "a:b,c", 0, "sent:3|c|#a:b,c", 1 },
		{ "rtt", "h", { 12.5 }, 1, NULL, 0, "rtt:12.5|h", 1 },
		{ "rtt", "h", { 12.5, 13 }, 2, "t:x", 0, "rtt:12.5:13|h|#t:x", 2 },
		{ "rtt", "d", { 1, 2, 3 }, 3, NULL, 0, "rtt:1:2:3|d", 3 },
		{ "rtt", "d", { 0.25 }, 1, "target:10.0.0.1", 0, "rtt:0.25|d|#target:10.0.0.1", 1 },
		{ "rtt", "ms", { 0.25, 1.5 }, 2, NULL, 0, "rtt:0.25:1.5|ms", 2 },
		{ "rtt", "ms", { 7 }, 1, "a", 0, "rtt:7|ms|#a", 1 },
		{ "ips", "s", { 1, 2, 3 }, 3, NULL, 0, "ips:1|s", 1 },  /* sets never pack */
		{ "ips", "s", { 4 }, 1, "a:b", 0, "ips:4|s|#a:b", 1 },
		/* the cap boundary: "x:1:2:3:4|d|#a:b" is 16 bytes */
		{ "x", "d", { 1, 2, 3, 4 }, 4, "a:b", 17, "x:1:2:3:4|d|#a:b", 4 },
		{ "x", "d", { 1, 2, 3, 4 }, 4, "a:b", 16, "x:1:2:3:4|d|#a:b", 4 },
		{ "x", "d", { 1, 2, 3, 4 }, 4, "a:b", 15, "x:1:2:3|d|#a:b", 3 },
		{ "x", "d", { 1, 2, 3, 4 }, 4, "a:b", 14, "x:1:2:3|d|#a:b", 3 },
		{ "x", "d", { 1, 2, 3, 4 }, 4, "a:b", 13, "x:1:2|d|#a:b", 2 },
		{ "x", "d", { 1, 2, 3, 4 }, 4, "a:b", 10, "x:1|d|#a:b", 1 },
		{ "x", "d", { 1, 2, 3, 4 }, 4, "a:b", 9, NULL, 0 },    /* not even one value */
		{ "x", "d", { 1, 2, 3, 4 }, 4, NULL, 9, "x:1:2:3|d", 3 },
		{ "x", "d", { 1 }, 0, NULL, 0, NULL, 0 },              /* no values */
		{ "x", "g", { NAN }, 1, NULL, 0, NULL, 0 },
		{ "x", "g", { INFINITY }, 1, NULL, 0, NULL, 0 },
		{ "x", "d", { 1, NAN }, 2, NULL, 0, "x:1|d", 1 },      /* packing stops before NaN */
		{ "x", "d", { NAN, 1 }, 2, NULL, 0, NULL, 0 },         /* the caller skips values[0] */
		{ "a.much.too.long.metric.name", "g", { 1 }, 1, NULL, 10, NULL, 0 },
	};
	char buf[64], label[128];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t cap = cases[i].cap ? cases[i].cap : sizeof buf - 1, used = 99, n;
		memset(buf, JUNK, sizeof buf);
		n = dsd_metric(buf, cap, cases[i].name, cases[i].type, cases[i].v, cases[i].n, &used,
		               cases[i].tags);
		snprintf(label, sizeof label, "metric %zu (%s|%s, %zu values, cap %zu)", i,
		         cases[i].name, cases[i].type, cases[i].n, cap);
		is_line(buf, n, cases[i].want, label);
		snprintf(label, sizeof label, "metric %zu: *used", i);
		is_int(used, cases[i].used, label);
		ok((unsigned char)buf[cap] == JUNK, "metric %zu: nothing written at or past cap", i);
	}

	/* A suffix that can never fit: a value is never written in its place. */
	{
		char tags[200];
		size_t used = 99;
		double v[2] = { 1, 2 };
		memset(tags, 'a', sizeof tags - 1);
		tags[sizeof tags - 1] = '\0';
		is_int(dsd_metric(buf, sizeof buf, "m", "d", v, 2, &used, tags), 0,
		       "metric: tags longer than cap refused");
		is_int(used, 0, "metric: tags longer than cap: *used 0");
	}
	/* Exactly fitting without room for the NUL: the NUL is left out. */
	{
		double v[1] = { 1 };
		size_t used;
		memset(buf, JUNK, sizeof buf);
		is_int(dsd_metric(buf, 5, "m", "g", v, 1, &used, NULL), 5, "metric: cap == length");
		ok(!memcmp(buf, "m:1|g", 5) && (unsigned char)buf[5] == JUNK,
		   "metric: cap == length writes no NUL past cap");
	}
}

static void test_sanitize(void)
{
	static const struct {
		int tag;              /* 1: dsd_sanitize_tag, 0: dsd_sanitize_name */
		const char *in, *want;
	} cases[] = {
		{ 0, "hopwatch.rtt_ms.Avg9", "hopwatch.rtt_ms.Avg9" },
		{ 0, "a|b", "a_b" },
		{ 0, "a#b", "a_b" },
		{ 0, "a,b", "a_b" },
		{ 0, "a\nb", "a_b" },
		{ 0, "a:b", "a_b" },
		{ 0, "a b-c/d@e", "a_b_c_d_e" },
		{ 0, "caf\xc3\xa9", "caf__" },            /* each UTF-8 byte */
		{ 1, "env:prod", "env:prod" },
		{ 1, "url:http://x:80/", "url:http://x:80/" },  /* ':' inside kept */
		{ 1, ":x", "_x" },                        /* empty key */
		{ 1, "::", "_:" },
		{ 1, "a|b", "a_b" },
		{ 1, "a,b", "a_b" },
		{ 1, "a#b", "a_b" },
		{ 1, "a\nb", "a_b" },
		{ 1, "a\rb\tc\x7f", "a_b_c_" },
		{ 1, "|#,\n", "____" },
		{ 1, "a b-c/d@e", "a b-c/d@e" },
		{ 1, "host:caf\xc3\xa9", "host:caf\xc3\xa9" },  /* UTF-8 kept */
	};
	char buf[64], label[128];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n;
		memset(buf, JUNK, sizeof buf);
		n = cases[i].tag ? dsd_sanitize_tag(buf, sizeof buf, cases[i].in)
		                 : dsd_sanitize_name(buf, sizeof buf, cases[i].in);
		snprintf(label, sizeof label, "sanitize_%s %zu", cases[i].tag ? "tag" : "name", i);
		is_line(buf, n, cases[i].want, label);
	}
	/* Both need room for the NUL. */
	is_int(dsd_sanitize_name(buf, 4, "abc"), 3, "sanitize_name: cap = length + 1 fits");
	is_int(dsd_sanitize_name(buf, 3, "abc"), 0, "sanitize_name: cap = length refused");
	is_int(dsd_sanitize_tag(buf, 4, "a:b"), 3, "sanitize_tag: cap = length + 1 fits");
	is_int(dsd_sanitize_tag(buf, 3, "a:b"), 0, "sanitize_tag: cap = length refused");
}

static void test_tags_append(void)
{
	char buf[32];
	size_t len = 0;

	buf[0] = '\0';
	len = dsd_tags_append(buf, sizeof buf, len, "env:prod");
	is_line(buf, len, "env:prod", "tags_append: first tag, no comma");
	len = dsd_tags_append(buf, sizeof buf, len, "b");
	is_line(buf, len, "env:prod,b", "tags_append: comma before the second");
	len = dsd_tags_append(buf, sizeof buf, len, "");
	is_line(buf, len, "env:prod,b", "tags_append: empty tag ignored");
	len = dsd_tags_append(buf, sizeof buf, len, ":k|v,w");
	is_line(buf, len, "env:prod,b,_k_v_w", "tags_append: tag sanitised");

	/* "a:1,b" + "," + "xy" + NUL needs 9 bytes. */
	strcpy(buf, "a:1,b");
	is_line(buf, dsd_tags_append(buf, 9, 5, "xy"), "a:1,b,xy", "tags_append: exact fit");
	strcpy(buf, "a:1,b");
	memset(buf + 6, JUNK, sizeof buf - 6);
	is_int(dsd_tags_append(buf, 8, 5, "xy"), 5, "tags_append: overflow keeps the length");
	is_str(buf, "a:1,b", "tags_append: overflow leaves the list unchanged");
	strcpy(buf, "a:1,b");
	is_int(dsd_tags_append(buf, 6, 5, "x"), 5, "tags_append: no room for the comma");
	is_str(buf, "a:1,b", "tags_append: no room for the comma: unchanged");
	buf[0] = '\0';
	is_int(dsd_tags_append(buf, 3, 0, "abc"), 0, "tags_append: first tag too long");
	is_str(buf, "", "tags_append: first tag too long: still empty");
}

static void test_events(void)
{
	/* Title "Pfad geändert ✓" is 18 bytes; the text, with its newline sent
	 * as two characters, is 6 + 3 + 9 + 2 + 12 = 32 bytes. */
	static const char utf8_title[] = "Pfad ge\xc3\xa4ndert \xe2\x9c\x93";
	static const char utf8_text[] = "hop 3 \xe2\x86\x92 10.0.0.1\nwas 10.0.0.2";
	static const struct {
		const char *label;
		struct dsd_event e;
		const char *want;
	} cases[] = {
		{ "plain", { .title = "T", .text = "hello" }, "_e{1,5}:T|hello" },
		{ "empty text", { .title = "T", .text = "" }, "_e{1,0}:T|" },
		{ "UTF-8 and newline", { .title = utf8_title, .text = utf8_text },
		  "_e{18,32}:Pfad ge\xc3\xa4ndert \xe2\x9c\x93|hop 3 \xe2\x86\x92 10.0.0.1\\nwas 10.0.0.2" },
		{ "newline in title", { .title = "a\nb", .text = "c" }, "_e{4,1}:a\\nb|c" },
		{ "CR dropped", { .title = "T", .text = "a\r\nb" }, "_e{1,4}:T|a\\nb" },
		{ "'|' in text counted", { .title = "T", .text = "a|b" }, "_e{1,3}:T|a|b" },
		{ "every field",
		  { .title = "T", .text = "x", .timestamp = 1700000000, .hostname = "h1",
		    .aggregation_key = "k1", .priority = "low", .source_type = "hopwatch",
		    .alert_type = "error", .tags = "a:b,c" },
		  "_e{1,1}:T|x|d:1700000000|h:h1|k:k1|p:low|s:hopwatch|t:error|#a:b,c" },
		{ "some fields", { .title = "T", .text = "x", .priority = "normal", .alert_type = "success" },
		  "_e{1,1}:T|x|p:normal|t:success" },
		{ "empty and zero fields left out",
		  { .title = "T", .text = "x", .timestamp = 0, .hostname = "", .tags = "" },
		  "_e{1,1}:T|x" },
		{ "negative timestamp left out", { .title = "T", .text = "x", .timestamp = -5 }, "_e{1,1}:T|x" },
		{ "field values sanitised",
		  { .title = "T", .text = "x", .hostname = "a|b", .aggregation_key = "k\nl",
		    .source_type = "s\x7f" },
		  "_e{1,1}:T|x|h:a_b|k:k_l|s:s_" },
		{ "empty title refused", { .title = "", .text = "x" }, NULL },
	};
	char buf[512];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(buf, JUNK, sizeof buf);
		is_line(buf, dsd_event(buf, sizeof buf, &cases[i].e), cases[i].want, cases[i].label);
	}

	/* Overflow: refused, never truncated. */
	{
		struct dsd_event e = { .title = "title", .text = "some text", .hostname = "host" };
		const char *want = "_e{5,9}:title|some text|h:host";
		size_t len = strlen(want);
		is_int(dsd_event(buf, len - 1, &e), 0, "event: one byte short refused");
		is_int(dsd_event(buf, 10, &e), 0, "event: tiny cap refused");
		memset(buf, JUNK, sizeof buf);
		is_line(buf, dsd_event(buf, len + 1, &e), want, "event: cap = length + 1 fits");
		is_line(buf, dsd_event(buf, len, &e), want, "event: cap = length fits, as for metrics");
	}
	/* A long event near a UDP datagram: 1400 bytes of text fit in 1432. */
	{
		static char text[1401];
		static char big[1432];
		struct dsd_event e = { .title = "t", .text = text };
		memset(text, 'x', sizeof text - 1);
		is_int(dsd_event(big, sizeof big, &e), strlen("_e{1,1400}:t|") + 1400,
		       "event: 1413-byte event fits a 1432-byte datagram");
		is_int(dsd_event(big, 1412, &e), 0, "event: 1413-byte event, cap 1412: refused");
	}
}

static void test_service_checks(void)
{
	static const struct {
		const char *label, *name;
		int status;
		long long ts;
		const char *host, *tags, *msg, *want;
	} cases[] = {
		{ "ok", "hopwatch.up", 0, 0, NULL, NULL, NULL, "_sc|hopwatch.up|0" },
		{ "warning", "hopwatch.up", 1, 0, NULL, NULL, NULL, "_sc|hopwatch.up|1" },
		{ "critical", "hopwatch.up", 2, 0, NULL, NULL, NULL, "_sc|hopwatch.up|2" },
		{ "unknown", "hopwatch.up", 3, 0, NULL, NULL, NULL, "_sc|hopwatch.up|3" },
		{ "status -1", "hopwatch.up", -1, 0, NULL, NULL, NULL, NULL },
		{ "status 4", "hopwatch.up", 4, 0, NULL, NULL, NULL, NULL },
		{ "every field, m: last", "c", 2, 1700000000, "h1", "a:b,c", "down",
		  "_sc|c|2|d:1700000000|h:h1|#a:b,c|m:down" },
		{ "empty fields left out", "c", 0, 0, "", "", "", "_sc|c|0" },
		{ "host sanitised", "c", 0, 0, "a|b\n", NULL, NULL, "_sc|c|0|h:a_b_" },
		{ "message newline", "c", 1, 0, NULL, NULL, "line1\nline2", "_sc|c|1|m:line1\\nline2" },
		{ "message CR dropped", "c", 1, 0, NULL, NULL, "a\r\nb", "_sc|c|1|m:a\\nb" },
		{ "message m:", "c", 1, 0, NULL, NULL, "m:x", "_sc|c|1|m:m\\:x" },
		{ "message m: inside", "c", 1, 0, NULL, NULL, "rm: 2 m:", "_sc|c|1|m:rm\\: 2 m\\:" },
		{ "message m alone", "c", 1, 0, NULL, NULL, "m m", "_sc|c|1|m:m m" },
		{ "message '|'", "c", 2, 0, NULL, "t", "a|b|", "_sc|c|2|#t|m:a/b/" },
	};
	char buf[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(buf, JUNK, sizeof buf);
		is_line(buf, dsd_service_check(buf, sizeof buf, cases[i].name, cases[i].status, cases[i].ts,
		                               cases[i].host, cases[i].tags, cases[i].msg),
		        cases[i].want, cases[i].label);
	}
	/* "_sc|c|0|m:m\:" is 13 bytes: exact fit, then one short. */
	memset(buf, JUNK, sizeof buf);
	is_line(buf, dsd_service_check(buf, 13, "c", 0, 0, NULL, NULL, "m:"), "_sc|c|0|m:m\\:",
	        "service check: cap = length fits");
	is_int(dsd_service_check(buf, 12, "c", 0, 0, NULL, NULL, "m:"), 0,
	       "service check: one byte short refused");
	is_int(dsd_service_check(buf, 5, "hopwatch.up", 0, 0, NULL, NULL, NULL), 0,
	       "service check: name past cap refused");
}


/* dsd_event_fit: the text is cut, never the title, fields or tags. */
static void test_event_fit(void)
{
	/* "_e{1,9}:T|some text|h:host" is 26 bytes; with "x..." as text it is
	 * "_e{1,4}:T|x...|h:host", 21 bytes; with "..." alone 20. */
	static const char utf8[] = "ab\xc3\xa4\xe2\x86\x92";   /* a b ä → : 2+2+3 bytes */
	static const struct {
		const char *label, *title, *text, *host, *tags;
		size_t cap;          /* buffer given */
		const char *want;    /* NULL: refused */
		size_t cut;          /* raw text bytes left out */
	} cases[] = {
		{ "fits whole", "T", "some text", "host", NULL, 26, "_e{1,9}:T|some text|h:host", 0 },
		{ "one short: cut", "T", "some text", "host", NULL, 25, "_e{1,8}:T|some ...|h:host", 4 },
		{ "cut to one byte", "T", "some text", "host", NULL, 21, "_e{1,4}:T|s...|h:host", 8 },
		{ "cut to nothing", "T", "some text", "host", NULL, 20, "_e{1,3}:T|...|h:host", 9 },
		{ "not even the marker", "T", "some text", "host", NULL, 19, NULL, 0 },
		{ "tags kept whole", "T", "abcdefgh", NULL, "a:b,c", 22, "_e{1,5}:T|ab...|#a:b,c", 6 },
		{ "empty text that does not fit", "Title", "", NULL, NULL, 8, NULL, 0 },
		{ "empty title refused", "", "x", NULL, NULL, 100, NULL, 0 },
		/* the header's text length loses a digit (10 -> 9): a byte spare */
		{ "length digits change", "T", "0123456789", NULL, NULL, 20, "_e{1,9}:T|012345...", 4 },
		/* a newline goes out as two bytes: whole or not at all */
		{ "escaped newline fits", "T", "ab\ncdef", NULL, NULL, 17, "_e{1,7}:T|ab\\n...", 4 },
		{ "escaped newline left out", "T", "ab\ncdef", NULL, NULL, 16, "_e{1,5}:T|ab...", 5 },
		/* UTF-8: never half a character */
		{ "UTF-8 whole", "T", utf8, NULL, NULL, 17, "_e{1,7}:T|ab\xc3\xa4\xe2\x86\x92", 0 },
		{ "UTF-8 cut inside a-umlaut backs off", "T", utf8, NULL, NULL, 16, "_e{1,5}:T|ab...", 5 },
		{ "UTF-8 cut after one byte", "T", utf8, NULL, NULL, 14, "_e{1,4}:T|a...", 6 },
		{ "UTF-8 after the arrow", "T", "\xe2\x86\x92xyzw", NULL, NULL, 16, "_e{1,6}:T|\xe2\x86\x92...", 4 },
		{ "UTF-8 cut inside the arrow backs off", "T", "\xe2\x86\x92xyzw", NULL, NULL, 15, "_e{1,3}:T|...", 7 },
	};
	char buf[128], label[160];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dsd_event e = { .title = cases[i].title, .text = cases[i].text,
		                       .hostname = cases[i].host, .tags = cases[i].tags };
		size_t cut = 99, n;
		memset(buf, JUNK, sizeof buf);
		n = dsd_event_fit(buf, cases[i].cap, &e, &cut);
		snprintf(label, sizeof label, "event_fit: %s", cases[i].label);
		is_line(buf, n, cases[i].want, label);
		snprintf(label, sizeof label, "event_fit: %s: bytes cut", cases[i].label);
		is_int(cut, cases[i].cut, label);
		ok((unsigned char)buf[cases[i].cap] == JUNK, "event_fit: %s: nothing past cap", cases[i].label);
	}
	/* A 1.5 KB path-change event under 1.3 KB of tags in a UDP datagram:
	 * sent shortened to exactly the datagram's line room. */
	{
		static char text[1501], tags[1301], big[STATSD_LINE_ROOM + 1];
		struct dsd_event e = { .title = "Path to 10.0.0.1 changed", .text = text, .tags = tags,
		                       .timestamp = 1700000000, .source_type = "hopwatch",
		                       .alert_type = "warning" };
		size_t cut, n;
		memset(text, 'x', sizeof text - 1);
		memset(tags, 't', sizeof tags - 1);
		n = dsd_event_fit(big, STATSD_LINE_ROOM, &e, &cut);
		is_int(n, STATSD_LINE_ROOM, "event_fit: 1.5 KB event under 1.3 KB of tags fills the line room");
		ok(cut > 1400 && cut < 1500, "event_fit: most of the 1500-byte text left out (%zu)", cut);
		ok(n && !memcmp(big + n - 1301 - 1, "|#t", 3), "event_fit: the tags are all there");
	}
}

/* dsd_pack: every line ends with a newline, the last one too. */
static void test_pack(void)
{
	static const struct {
		const char *label, *before, *line;
		size_t cap;
		const char *want;    /* NULL: does not fit */
	} cases[] = {
		{ "first line", "", "a:1|c", 64, "a:1|c\n" },
		{ "second line", "a:1|c\n", "b:2|g", 64, "a:1|c\nb:2|g\n" },
		{ "exact fit", "a:1|c\n", "b:2|g", 12, "a:1|c\nb:2|g\n" },
		{ "no room for the newline", "a:1|c\n", "b:2|g", 11, NULL },
		{ "line alone exactly", "", "b:2|g", 6, "b:2|g\n" },
		{ "line alone too long", "", "b:2|g", 5, NULL },
		{ "empty line refused", "a:1|c\n", "", 64, NULL },
	};
	char buf[80], label[128];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = strlen(cases[i].before), n;
		memset(buf, JUNK, sizeof buf);
		memcpy(buf, cases[i].before, len);
		n = dsd_pack(buf, cases[i].cap, len, cases[i].line, strlen(cases[i].line));
		snprintf(label, sizeof label, "pack: %s", cases[i].label);
		is_line(buf, n, cases[i].want, label);
		if (!cases[i].want)
			ok((unsigned char)buf[len] == JUNK, "pack: %s: nothing written", cases[i].label);
		ok((unsigned char)buf[cases[i].cap] == JUNK,
		   "pack: %s: nothing past cap", cases[i].label);
	}
	/* Filling a UDP datagram with 10-byte lines: 130 lines of 11 bytes
	 * with their newline, 1430 bytes; the 131st does not fit. */
	{
		static char dgram[STATSD_UDP_MAX];
		size_t len = 0, lines = 0, n;
		while ((n = dsd_pack(dgram, sizeof dgram, len, "abc:1234|g", 10))) {
			len = n;
			lines++;
		}
		is_int(lines, 130, "pack: 130 ten-byte lines in 1432 bytes");
		is_int(len, 1430, "pack: 1430 bytes used");
		ok(dgram[len - 1] == '\n' && dgram[10] == '\n', "pack: every line ended, the last too");
	}
}

/* dsd_tag_consumed and the tag room rule (emit.h). */
static void test_tags_rules(void)
{
	static const struct {
		const char *tag;
		int consumed;
	} cases[] = {
		{ "host:web-1", 1 }, { "host:", 1 }, { "dd.internal.entity_id:abc", 1 },
		{ "dd.internal.card:high", 1 }, { "hostname:web-1", 0 }, { "host", 0 },
		{ "env:host:x", 0 }, { "dd.internalx:1", 0 }, { "Host:x", 0 }, { "dd.service:x", 0 },
	};
	const char *const list[] = { "a:b", NULL, "", "cde" };

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ok(!dsd_tag_consumed(cases[i].tag) == !cases[i].consumed, "tag \"%s\" %s by the agent",
		   cases[i].tag, cases[i].consumed ? "consumed" : "kept");
	is_int(emit_tags_room(STATSD_UDP_MAX), 1432 - 1 - 512, "tag room: UDP 919 bytes");
	is_int(emit_tags_room(STATSD_UNIX_MAX), 2047, "tag room: Unix 2047 bytes (core lists)");
	is_int(emit_tags_len(0, list, 4), 7, "tags_len: \"a:b,cde\", NULL and \"\" skipped");
	is_int(emit_tags_len(5, list, 1), 9, "tags_len: after a 5-byte list, a comma");
	is_int(emit_tags_len(0, list, 0), 0, "tags_len: none");
}

int main(void)
{
	test_format_number();
	test_metrics();
	test_sanitize();
	test_tags_append();
	test_events();
	test_service_checks();
	test_event_fit();
	test_pack();
	test_tags_rules();
	return done_testing();
}
