/*
 * targets.h: dynamic targets.  An instance with a dynamic source (a
 * `targets_from` instance, a mesh group) gets its targets at run time
 * instead of from `targets`:
 *
 *  - it has pc->max_targets slots, allocated once with their plugin data
 *    (hw_target.index and .data never move); a slot is free or holds one
 *    target; rounds go to the targets only, spread over the interval as
 *    for configured ones (instance_reschedule, rounds.h's sched_resize);
 *  - a source calls instance_set_targets with its whole current set: a
 *    target already held (same host and port) keeps its slot, address and
 *    plugin state; a new one takes a free slot and is placed like a
 *    configured target (a literal at once, a name through the core's
 *    c-ares resolver, never blocking); one no longer in the set stops
 *    getting rounds at once and is released once its open round has ended
 *    (never while it runs): the plugin's `forget`, then the core zeroes its
 *    data, drops its in-memory path (its stored path stays in Redis) and
 *    frees the slot;
 *  - more targets than slots: the first max_targets are kept, and a
 *    warning says so (the first time, then at most every OVERFLOW_LOG_EVERY).
 *
 * A conn instance feeds the instances whose targets_from names it through
 * hw_publish_destinations: the destinations are remembered per consumer
 * (struct destinations, pure, below) until they have had no traffic for the
 * consumer's `expire`, ranked by bytes, and the first max_targets become
 * its targets (port: the remote port; none for a plugin whose targets
 * take none, such as icmp: then each address once).
 */
#ifndef HW_TARGETS_H
#define HW_TARGETS_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "hopwatch.h"

/* Seconds between two "more targets than slots" warnings of an instance. */
#define OVERFLOW_LOG_EVERY 600.

struct hw_ctx;

/* One target a source wants. */
struct target_spec {
	const char *host;          /* literal address or name (copied) */
	uint16_t port;             /* port, 0 when none */
	const char *const *tags;   /* extra tags ("peer:db-1"), NULL-terminated, copied; NULL: none */
};

/*
 * Make specs[0..n) the targets of dynamic instance `ctx` (see above).
 * Specs with the same host and port as an earlier one are ignored; a
 * literal of the other family than the instance's `family` is left out
 * (logged at debug level).  Returns the number of targets now getting
 * rounds, or -1 when `ctx` is not dynamic (nothing changes).  Out of
 * memory for a new target: it is left out, logged.
 */
int instance_set_targets(struct hw_ctx *ctx, const struct target_spec *specs, size_t n);

/* ctx->reap's callback: release the leaving targets whose round ended. */
void targets_reap_cb(struct ev_loop *loop, ev_timer *w, int revents);
/* Free the strings a dynamic target's own configuration holds, and zero it. */
void target_conf_free(struct target_conf *tc);

/* ------------------------------------------------------------------ */
/* Destinations remembered for one targets_from consumer (pure)         */

/* One remembered destination. */
struct dest_entry {
	char host[46];             /* address as text (INET6_ADDRSTRLEN) */
	uint16_t port;             /* remote port */
	uint64_t bytes;            /* bytes in the last publication (0: none, or absent from it) */
	double last_traffic;       /* clock (seconds) of the last publication with bytes, or of its first */
};

/* The destinations a consumer remembers. */
struct destinations {
	struct dest_entry *v;      /* entries, most bytes first after dests_update */
	size_t n, cap;             /* entries, allocated */
	size_t max;                /* most entries kept: the ones longest without traffic go first */
};

/* Merge publication d[0..n) seen at `now` (seconds) into `ds`: a listed
 * destination is (re)marked with its bytes, and with traffic now when it
 * has bytes or is new; one not listed keeps its last traffic time with 0
 * bytes; then entries without traffic for more than `expire` seconds are
 * dropped, the rest sorted by bytes (most first), then by last traffic
 * (latest first), then by host and port, and cut to ds->max.  A host
 * longer than an address is skipped.  0, or -1 when out of memory (`ds`
 * then holds what fitted). */
int dests_update(struct destinations *ds, const hw_destination *d, size_t n, double now, double expire);
/* Free a consumer's destinations; NULL is fine. */
void destinations_free(struct destinations *ds);

#endif
