/*
 * pace.h: a token bucket that paces a probe instance's sends to a rate
 * (plugins/common).  Pure: the caller passes the time (hw_mono() seconds,
 * or a fake clock in tests), so it is unit-tested without a loop.
 */
#ifndef HOPWATCH_COMMON_PACE_H
#define HOPWATCH_COMMON_PACE_H

/* A token bucket: one token per send. */
typedef struct hwc_bucket {
	double rate;             /* tokens per second (max_pps, pps); <= 0: no cap at all */
	double burst;            /* depth, tokens: sends that may go back to back (>= 1) */
	double tokens;           /* level now, tokens (may be fractional) */
	double at;               /* time of the last refill, seconds (the caller's clock) */
} hwc_bucket;

/* A full bucket of `rate` tokens per second, `depth` seconds of sends
 * deep (at least one token), at time `now`.  icmp uses 10 ms (bursts of
 * rate/100), path 1 ms (no bursts). */
void hwc_bucket_init(hwc_bucket *b, double rate, double depth, double now);

/* Take a token at time `now` (seconds): 1 when there is one (send now);
 * else 0 and *wait seconds until the next one (send then; never drop). */
int hwc_bucket_take(hwc_bucket *b, double now, double *wait);

/* Give back a token taken for a send that did not happen. */
void hwc_bucket_give_back(hwc_bucket *b);

#endif /* HOPWATCH_COMMON_PACE_H */
