/*
 * hopnames.h: the names of hop addresses, by reverse DNS (PTR), cached.
 *
 * Hop names are display data: they appear in `hopwatch show` and
 * `history`, the path change event, the change message, the Redis path
 * hash and (when a path instance asks) the hop_name tag, but a path is
 * still its addresses alone (pathdiff.h), so a name that appears, changes
 * or goes never makes a change.
 *
 * Nothing here ever waits.  hopnames_get() answers from the cache at once:
 * the name, or NULL when there is none yet, and on a miss starts a lookup
 * whose answer serves the next caller.  A trace never waits for a name: its
 * first report shows addresses, the next ones names.
 *
 * Two parts:
 * - the cache (hopnames_new ... hopnames_answer): pure, no I/O and no
 *   clock of its own (every call takes `now`, monotonic seconds), so
 *   t/unit/hopnames.c drives it with a fake clock and a fake resolver;
 * - the live resolver (hopnames_live_*): a c-ares channel of its own
 *   (dns.h) on the daemon's loop, sending PTR queries (ares_query) and
 *   handing the raw answers to hopnames_answer, which reads them with
 *   lib/pkt (pkt_dns_ptr_read) to get the record's TTL.
 *
 * Lives in src/paths because the path store and the CLI's views are its
 * users; the core reaches it through the runtime for hw_hop_name().
 *
 * Bounds (defaults in conf.c's hop_names table, README "Hop names"):
 * - a name is kept for its record's TTL, raised to min_ttl and cut to
 *   max_ttl; an NXDOMAIN or NODATA answer with an SOA for the SOA's
 *   negative TTL (RFC 2308 5), bounded the same way; a failure (timeout,
 *   SERVFAIL, REFUSED, an unreadable answer) and an NXDOMAIN without SOA
 *   for negative_ttl.  After a failure a name already known is kept (the
 *   server is down, the name is not wrong); after an NXDOMAIN it goes.
 *   An expired name is still returned while its fresh lookup runs.
 * - at most cache_size addresses are held; beyond, the least recently
 *   asked one that has no lookup running is dropped;
 * - loopback (127/8, ::1) and unspecified addresses are never looked up;
 * - at most max_in_flight lookups run at once and at most `rate` start per
 *   second (a token bucket holding one second's worth): a miss beyond
 *   either is not looked up now, and is tried again by the next caller.
 */
#ifndef HW_HOPNAMES_H
#define HW_HOPNAMES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "hopwatch.h"

struct ev_loop;

/* Room for a name: 253 characters (RFC 1035 2.3.4 in text form) and NUL. */
#define HOPNAME_MAX 254

/* The names of a path's hops by TTL, beside its addresses (struct
 * path_hops): name[i] is hop i's (TTL i + 1), "" when none is known. */
struct path_names {
	unsigned n;                                   /* hops listed */
	char name[HW_PATH_MAX_HOPS][HOPNAME_MAX];     /* the names */
};

/* Settings (conf.h: hw_config.hop_names). */
struct hopnames_conf {
	int enabled;           /* 0: no lookups, no names */
	const char *server;    /* "addr", "addr:port" or "[v6]:port" to ask; NULL: resolv.conf's servers */
	double timeout;        /* seconds one try of a lookup waits (c-ares tries twice) */
	double min_ttl;        /* seconds a name or a negative answer is kept at least */
	double max_ttl;        /* seconds a name or a negative answer is kept at most */
	double negative_ttl;   /* seconds a failure, or an NXDOMAIN without SOA, is kept */
	int cache_size;        /* addresses held at most */
	int max_in_flight;     /* lookups running at once at most */
	double rate;           /* lookups started per second at most */
};

/* Counters since hopnames_new, for telemetry and tests. */
struct hopnames_stats {
	unsigned long long started;    /* lookups started */
	unsigned long long found;      /* answered with a name */
	unsigned long long none;       /* answered NXDOMAIN or NODATA (or an unusable name) */
	unsigned long long failed;     /* timed out, SERVFAIL, REFUSED, unreadable */
	unsigned long long deferred;   /* misses not looked up then: in_flight or rate limit */
	unsigned long long evicted;    /* addresses dropped for cache_size */
	size_t entries;                /* addresses held now */
	size_t in_flight;              /* lookups running now */
};

/* The cache. */
typedef struct hopnames hopnames;

/* Start looking up `qname` (the reverse name of `addr`, 4 or 16 bytes of
 * `family`).  The answer must come later through hopnames_answer, never
 * from inside this call.  Returns 0, or -1 when it could not start (it then
 * counts as a failure). */
typedef int (*hopnames_start_fn)(void *arg, int family, const void *addr, const char *qname);

/* A cache with settings `c` (copied; the server string is not used by the
 * cache) starting lookups through `start`.  NULL when out of memory. */
hopnames *hopnames_new(const struct hopnames_conf *c, hopnames_start_fn start, void *arg);
/* The name of `ip` (address text) as known at `now`, or NULL; on a miss or
 * an expired entry, starts a lookup when the bounds allow.  NULL also for
 * text that is not an address, and when names are off.  The pointer stays
 * valid until the next call into the cache. */
const char *hopnames_get(hopnames *hn, const char *ip, double now);
/* The same for an address (sockaddr_in or sockaddr_in6; port ignored). */
const char *hopnames_get_sa(hopnames *hn, const struct sockaddr *sa, double now);
/* The answer to the lookup of `addr`: `msg` (`len` bytes, the DNS
 * response), or NULL for a failure without one (timeout, refused).  An
 * address no longer held is ignored. */
void hopnames_answer(hopnames *hn, int family, const void *addr, const uint8_t *msg, size_t len,
                     double now);
/* Counters. */
struct hopnames_stats hopnames_get_stats(const hopnames *hn);
/* Free; NULL is fine.  The caller stops its resolver first. */
void hopnames_free(hopnames *hn);

/* Whether `name` is shown as a hop name: 1 to 253 characters of
 * [a-z0-9._-] (names with other octets, escaped by the parser, are not).
 * Also the CLI's check on names read from Redis.  Pure. */
int hopnames_valid(const char *name);

/* The live resolver: the cache with c-ares behind it on `loop`. */
typedef struct hopnames_live hopnames_live;

/* A cache and its resolver for `c`; NULL and a message in `err` when the
 * resolver cannot be made (a bad server address). */
hopnames_live *hopnames_live_new(struct ev_loop *loop, const struct hopnames_conf *c, char *err,
                                 size_t errlen);
/* Its cache, for hopnames_get (NULL for a NULL `l`). */
hopnames *hopnames_live_cache(hopnames_live *l);
/* Stop the resolver (no answer arrives any more), free all; NULL is fine. */
void hopnames_live_free(hopnames_live *l);

#endif
