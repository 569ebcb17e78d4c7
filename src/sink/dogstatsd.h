/*
 * dogstatsd.h: the DogStatsD encoder.  Pure functions: they write into a
 * caller's buffer and do no I/O, so they are tested byte for byte
 * (t/unit/dogstatsd.c) and fuzzed.
 *
 * Every encoder returns the number of bytes written, without a NUL (one is
 * added when room remains), or 0 when the message does not fit in `cap`
 * bytes or cannot be encoded (non-finite value); nothing partial is
 * ever returned as success.
 */
#ifndef HW_DOGSTATSD_H
#define HW_DOGSTATSD_H

#include <stddef.h>

/* Longest text of one number from dsd_format_number, with its NUL. */
#define DSD_NUMBER_MAX 32

/* Write `v` as plain decimal ("12.5", "-3", "0.000125"; at most 6
 * fractional digits, trailing zeros dropped; whole numbers from 1e12 on)
 * whatever the locale.  Returns the length, or 0 for NaN, infinities and
 * |v| >= 9e18. */
size_t dsd_format_number(char *buf, double v);

/* Copy `src` as a metric-name fragment: [A-Za-z0-9_.] kept, all else '_'.
 * Returns the length written, 0 when it does not fit. */
size_t dsd_sanitize_name(char *dst, size_t cap, const char *src);

/* Copy `src` as one tag: '|', ',', '#', control characters -> '_'; a ':'
 * before any other character (an empty key) -> '_'.  Same return rule. */
size_t dsd_sanitize_tag(char *dst, size_t cap, const char *src);

/* Append tag `tag` (sanitised) to the comma-separated list in dst[0..len),
 * adding the comma.  Returns the new length, or `len` unchanged (nothing
 * appended) when it does not fit or `tag` is empty. */
size_t dsd_tags_append(char *dst, size_t cap, size_t len, const char *tag);

/*
 * One metric line "<name>:<v1>[:<v2>...]|<type>[|#<tags>]".  `name` is used
 * as given (already sanitised), `tags` is a ready list or "" / NULL.  Packs
 * as many of the `n` values as fit (types other than "s" only; at least
 * one) and stores their count in *used.  Packing stops before a non-finite
 * value, so the values ahead of it are never lost; 0 when values[0] itself
 * is non-finite or not even one value fits.
 */
size_t dsd_metric(char *dst, size_t cap, const char *name, const char *type,
                  const double *values, size_t n, size_t *used, const char *tags);

/* Fields of an event beyond title and text; NULL/0 fields are left out. */
struct dsd_event {
	const char *title;            /* raw title; newlines escaped by the encoder */
	const char *text;             /* raw text; newlines escaped by the encoder */
	long long timestamp;          /* d: unix seconds, 0 to omit */
	const char *hostname;         /* h: */
	const char *aggregation_key;  /* k: */
	const char *priority;         /* p: "normal" or "low" */
	const char *source_type;      /* s: */
	const char *alert_type;       /* t: "error", "warning", "info" or "success" */
	const char *tags;             /* ready tag list */
};

/* "_e{<title bytes>,<text bytes>}:<title>|<text>|d:..|h:..|k:..|p:..|s:..|t:..|#.." */
size_t dsd_event(char *dst, size_t cap, const struct dsd_event *e);

/* Appended to the text of an event that dsd_event_fit shortened. */
#define DSD_SHORTENED "..."

/*
 * dsd_event, but an event too long for `cap` is shortened rather than
 * refused: its text (never the title, fields or tags) is cut to the longest
 * prefix that fits with DSD_SHORTENED after it, on a UTF-8 character
 * boundary.  *cut gets the bytes of raw text left out (0: sent whole).
 * Returns 0, with *cut 0, when even an empty text does not fit or the
 * title is empty.
 */
size_t dsd_event_fit(char *dst, size_t cap, const struct dsd_event *e, size_t *cut);

/* "_sc|<name>|<status>[|d:<ts>][|h:<host>][|#<tags>][|m:<message>]"; the
 * message has newlines as "\n", "m:" as "m\:" and '|' as '/'. */
size_t dsd_service_check(char *dst, size_t cap, const char *name, int status,
                         long long timestamp, const char *hostname,
                         const char *tags, const char *message);

/*
 * Append one line (`n` bytes, no newline; n >= 1) and the '\n' that ends
 * it to the datagram buf[0..len) of `cap` bytes: every line of a datagram
 * is terminated, the last too, as the official clients do (the agent's
 * dogstatsd_eol_required drops an unterminated last line).  Returns the
 * new length, or 0 when line and newline do not fit in what is left.
 */
size_t dsd_pack(char *buf, size_t cap, size_t len, const char *line, size_t n);

/* Why the agent would not keep `tag` as a tag, or NULL when it would:
 * "host:<name>" becomes the sample's host name, and "dd.internal.*" tags
 * (entity id, container id, cardinality) are consumed by origin detection. */
const char *dsd_tag_consumed(const char *tag);

#endif
