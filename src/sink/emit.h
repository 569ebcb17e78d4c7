/*
 * emit.h: turning a measurement into DogStatsD lines.  Composes the full
 * name (prefix + name) and tag list (ready-made instance and target tag
 * strings, plus per-call extras), encodes with dogstatsd.c and queues the
 * lines on the sink.  Holds no per-call allocation.
 */
#ifndef HW_EMIT_H
#define HW_EMIT_H

#include <stddef.h>

#include "hopwatch.h"
#include "statsd.h"

/*
 * The tag room rule.  The fixed tags of a line (global tags, DD_ENTITY_ID's
 * tag, probe:<instance>, instance tags, and for a target target:, port:,
 * target_ip:, group: and its own tags) may take at most
 * emit_tags_room(datagram) bytes, so that every metric line fits one
 * datagram with room for its name, values and the tags a plugin adds
 * (EMIT_LINE_RESERVE).  conf_load refuses a configuration that breaks it,
 * with file:line.  What still does not fit at run time (an event's long
 * text, long plugin tags) is never dropped silently: an event's text is
 * shortened (statsd.events_shortened), any other line is dropped and
 * counted (statsd.lines_dropped), and both are logged at most once a
 * minute.
 */
/* Bytes of a line kept free of fixed tags: the prefixed name (up to 255),
 * ":", values, "|type", "|#", and the tags a plugin adds per line. */
#define EMIT_LINE_RESERVE 512
/* Longest fixed tag list whatever the transport, bytes: instance.c builds
 * each ready list in a 2048-byte buffer. */
#define EMIT_FIXED_TAGS_MAX 2047

/* Most bytes the fixed tags of a line may take for a sink of `datagram`
 * bytes (STATSD_UDP_MAX: 919; STATSD_UNIX_MAX: 2047). */
size_t emit_tags_room(size_t datagram);
/* Length of the tag list of `len` bytes after `n` more raw tags (NULL or
 * "" skipped), commas included; tags are sanitised byte for byte, so this
 * is the length that goes out.  Pure. */
size_t emit_tags_len(size_t len, const char *const *tags, size_t n);

/* What every emitted line shares. */
struct emit {
	statsd *sink;         /* where lines go */
	char prefix[64];      /* metric prefix, sanitised */
	char hostname[256];   /* h: of events, "" to let the agent decide */
};

/* Metric `name` with `n` values, split over several lines when the values
 * do not fit in one datagram; non-finite values are left out.  `tags_a`
 * and `tags_b` are ready tag lists (may be NULL); `extra` is
 * NULL-terminated raw "key:value" tags.  A line that cannot fit is dropped
 * and counted (statsd_dropped). */
void emit_metric(const struct emit *e, const char *tags_a, const char *tags_b,
                 const char *name, hw_mtype type, const double *values, size_t n,
                 const char *const *extra);
/* Service check `name` (prefixed) with the same tag rules. */
void emit_service_check(const struct emit *e, const char *tags_a, const char *tags_b,
                        const char *name, hw_status status, const char *message,
                        const char *const *extra);
/* Event, source type "hopwatch", timestamped now.  One too long for a
 * datagram has its text shortened (dsd_event_fit) and is counted. */
void emit_event(const struct emit *e, const char *tags_a, const char *tags_b,
                const char *title, const char *text, hw_alert alert,
                const char *aggregation_key, const char *const *extra);

#endif
