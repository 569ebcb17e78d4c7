/*
 * flush.h: the periodic report of an instance's own counters (unmatched,
 * late, throttled replies ...), which are not tied to a target's round
 * (plugins/common).  Every min(interval, HWC_FLUSH_MAX) seconds, and once
 * more at stop.
 */
#ifndef HOPWATCH_COMMON_FLUSH_H
#define HOPWATCH_COMMON_FLUSH_H

#include "hopwatch.h"

#define HWC_FLUSH_MAX 10.0   /* seconds between two reports of instance counters, at most */

/* A periodic flush of instance counters. */
typedef struct hwc_flusher {
	hw_ctx *ctx;             /* the instance */
	hw_timer *timer;         /* fires every period; NULL when not started */
	void (*flush)(void *arg);/* sends the counters gathered since the last call, then zeroes them */
	void *arg;               /* its argument */
} hwc_flusher;

/* Call flush(arg) every min(hw_interval(ctx), HWC_FLUSH_MAX) seconds from
 * now on.  Returns 0, or -1 when out of memory (nothing started). */
int hwc_flusher_start(hwc_flusher *f, hw_ctx *ctx, void (*flush)(void *arg), void *arg);

/* Flush once more (what was counted since the last period) and stop.
 * Safe on a flusher that never started (then nothing is flushed). */
void hwc_flusher_stop(hwc_flusher *f);

#endif /* HOPWATCH_COMMON_FLUSH_H */
