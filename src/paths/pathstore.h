/*
 * pathstore.h: the last confirmed path per (probe instance, target), and
 * path change detection.  No I/O: it is fed traces and says when a change
 * is confirmed; the caller sends the event and writes Redis.
 *
 * Rules (see pathdiff.h for what "compatible" means):
 * - the first trace of a key becomes its confirmed path, silently;
 * - a trace compatible with the confirmed path fills in its unknown hops
 *   and drops any candidate;
 * - an incompatible trace becomes (or, when compatible with it, confirms
 *   again) the candidate; once the candidate was seen in `confirm`
 *   consecutive traces it replaces the confirmed path: a change.
 */
#ifndef HW_PATHSTORE_H
#define HW_PATHSTORE_H

#include "hopwatch.h"

/* Longest path kept, in hops. */
#define PATH_MAX_HOPS HW_PATH_MAX_HOPS

/* Addresses of a path by TTL; "" for an unknown hop. */
struct path_hops {
	unsigned n;                                   /* hops held */
	char hop[PATH_MAX_HOPS][INET6_ADDRSTRLEN];    /* hop[i] answered at TTL i + 1 */
};

/* A confirmed change. */
struct path_change {
	struct path_hops old_path;   /* the path confirmed before */
	struct path_hops new_path;   /* the path confirmed now */
	unsigned first_diff_ttl;     /* first TTL where they differ (1-based) */
};

/* The store. */
typedef struct pathstore pathstore;

/* A store confirming changes after `confirm` (>= 1) consecutive traces. */
pathstore *pathstore_new(unsigned confirm);
/* Feed the trace `hops` of (probe, target).  Returns 1 and fills *chg when
 * it confirms a change, else 0 (also when out of memory). */
int pathstore_feed(pathstore *s, const char *probe, const char *target,
                   const struct path_hops *hops, struct path_change *chg);
/* Set the confirmed path of (probe, target), e.g. loaded from Redis at
 * start; any candidate is dropped.  Ignored for a key that confirmed a
 * change since start (the stored path is older than that).  0, or -1 when
 * out of memory. */
int pathstore_seed(pathstore *s, const char *probe, const char *target,
                   const struct path_hops *hops);
/* The confirmed path of (probe, target), or NULL. */
const struct path_hops *pathstore_get(const pathstore *s, const char *probe, const char *target);
/* Drop the entry of (probe, target), if any: a target that left (its
 * next trace, should it come back, is a first trace again). */
void pathstore_forget(pathstore *s, const char *probe, const char *target);
/* Free; NULL is fine. */
void pathstore_free(pathstore *s);

#endif
