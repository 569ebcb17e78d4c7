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

/* What every emitted line shares. */
struct emit {
	statsd *sink;         /* where lines go */
	char prefix[64];      /* metric prefix, sanitised */
	char hostname[256];   /* h: of events, "" to let the agent decide */
};

/* Metric `name` with `n` values, split over several lines when the values
 * do not fit in one datagram.  `tags_a` and `tags_b` are ready tag lists
 * (may be NULL); `extra` is NULL-terminated raw "key:value" tags. */
void emit_metric(const struct emit *e, const char *tags_a, const char *tags_b,
                 const char *name, hw_mtype type, const double *values, size_t n,
                 const char *const *extra);
/* Service check `name` (prefixed) with the same tag rules. */
void emit_service_check(const struct emit *e, const char *tags_a, const char *tags_b,
                        const char *name, hw_status status, const char *message,
                        const char *const *extra);
/* Event, source type "hopwatch", timestamped now. */
void emit_event(const struct emit *e, const char *tags_a, const char *tags_b,
                const char *title, const char *text, hw_alert alert,
                const char *aggregation_key, const char *const *extra);

#endif
