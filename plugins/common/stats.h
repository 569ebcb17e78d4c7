/*
 * stats.h: the RTT statistics of one round of probes (plugins/common).
 * Pure; unit-tested.
 */
#ifndef HOPWATCH_COMMON_STATS_H
#define HOPWATCH_COMMON_STATS_H

#include <stddef.h>

/* Statistics over the answered probes of a round; all in the unit of the
 * input (the plugins use ms). */
typedef struct hwc_rtt {
	size_t n;                /* answered probes: values that were not NAN */
	double min, max, avg;    /* n > 0: smallest, largest, arithmetic mean */
	double stddev;           /* n > 0: population standard deviation (divides by n, as ping(8)) */
	double jitter;           /* n > 0: mean absolute difference of consecutive answered RTTs
	                            (RFC 3550 6.4.1's D, without its smoothing); 0 when n == 1 */
} hwc_rtt;

/*
 * Statistics of `count` RTTs at `v`, in send order, NAN for a probe without
 * an answer.  When `packed` is not NULL, the answered values are also
 * copied there, in order (room for `count`), for a distribution metric.
 * Returns s->n.
 */
size_t hwc_rtt_stats(const double *v, size_t count, hwc_rtt *s, double *packed);

#endif /* HOPWATCH_COMMON_STATS_H */
