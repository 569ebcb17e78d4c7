/*
 * plugins/path/budget.h: the probe budget per responding router (issue 13).
 *
 * Routers rate-limit the ICMP errors they originate.  Linux: per
 * destination host a token bucket of 6 that refills one token every
 * net.ipv4.icmp_ratelimit ms (1000), and icmp_msgs_per_sec (1000) for the
 * whole router; vendor routers police time exceeded in the control plane
 * (often around 10/s for the whole box).  A probe sent when the router
 * has no token left is forwarded no further and answered by nobody: it
 * reads as loss that does not exist.
 *
 * A budget is one token bucket per responder address, shared by every
 * trace and every instance in the process that crosses that responder
 * (Doubletree's point: hops near the source are shared by many traces).
 * The engine asks budget_when() before it sends a probe whose TTL the
 * responder answered last time, reports the send (budget_sent) and the
 * outcome (budget_answered, budget_missed).  The rate is learned from what
 * the responder actually does:
 *   - it starts where Linux's default is safe: 1 token a second, a bucket
 *     of 6 (budget_cfg.rate0, .burst), filled at that rate from the
 *     budget's start (budget_drained_at): what the routers were asked
 *     before it is unknown;
 *   - probes that measure a hop already known leave `reserve` tokens in
 *     the bucket for the targets and instances still learning it
 *     (budget_when_keep): the first tokens are never raced for;
 *   - every answer that comes while the bucket is drained down to the
 *     reserve (the budget, not the engine, is what holds probing back)
 *     raises the rate by
 *     `increase / rate` tokens/s, so probing at the limit raises it by
 *     `increase` tokens/s per second: gentle additive increase;
 *   - a missed reply from a responder that answered before multiplies the
 *     rate by `backoff` and empties the bucket, at most once per window:
 *     misses of probes sent before the last back-off are the same event;
 *   - a responder that never answered keeps its rate (a silent router
 *     says nothing about its limit).
 * The rate stays within [rate_min, rate_max].
 *
 * The table is bounded: at most `max_entries` responders; the least
 * recently used one is dropped to make room.  A dropped responder comes
 * back with the safe initial rate.
 *
 * Time is whatever monotonic clock the caller passes, in seconds (tests
 * pass a fake one).  Not thread-safe: one event loop owns it.
 */
#ifndef HW_PATH_BUDGET_H
#define HW_PATH_BUDGET_H

#include <stddef.h>

/* A responder's address: the key of the table. */
struct budget_key {
	unsigned char family;         /* AF_INET or AF_INET6; with 0x80: a group (budget_key_group) */
	unsigned char addr[16];       /* network order; IPv4 in the first 4 bytes, the rest 0 */
};

/* The knobs; budget_cfg_default() fills the defaults given here. */
struct budget_cfg {
	double rate0;                 /* tokens/s a new responder starts with: 1 (Linux: 1 per 1000 ms) */
	double burst;                 /* bucket depth, tokens: 6 (Linux's inetpeer burst) */
	double rate_min;              /* tokens/s, floor of the back-off: 0.25 */
	double rate_max;              /* tokens/s, ceiling of the increase: 1000 (Linux icmp_msgs_per_sec) */
	double increase;              /* tokens/s gained per second of probing at the limit, all answered: 0.05 */
	double backoff;               /* factor applied to the rate on a miss, 0 < backoff < 1: 0.5 */
	double reserve;               /* tokens that probes of hops already known leave in the bucket for
	                                 learners (budget_when_keep), 0 <= reserve <= burst - 1: 2 */
	size_t max_entries;           /* responders kept at most (least recently used dropped): 65536 */
};

/* What the budget knows of one responder (budget_state). */
struct budget_info {
	double rate;                  /* tokens/s now */
	double tokens;                /* tokens in the bucket at the time asked (may be below 0: debt) */
	unsigned long long sent;      /* probes reported by budget_sent */
	unsigned long long answered;  /* replies reported by budget_answered */
	unsigned long long missed;    /* probes reported by budget_missed */
	unsigned long long backoffs;  /* times the rate was cut */
	double answered_at;           /* caller's clock, s: the last budget_answered; -inf: never */
};

struct budget;

/* Fill `c` with the defaults listed in struct budget_cfg. */
void budget_cfg_default(struct budget_cfg *c);

/* A new, empty budget with a copy of `c` (NULL: the defaults).  Returns
 * NULL when `c` is invalid (a rate or burst not > 0, rate0 outside
 * [rate_min, rate_max], backoff not in (0, 1), increase < 0, max_entries
 * 0) or memory is short.  The table is allocated here, once. */
struct budget *budget_new(const struct budget_cfg *c);

/* Free `b` and everything in it; NULL is fine. */
void budget_free(struct budget *b);

/* The process-wide budget every path instance shares: made with the
 * defaults on the first call, its buckets presumed drained at `now`
 * (budget_drained_at), one reference per call; NULL when out of memory.
 * Give each reference back with budget_shared_put(); the last one frees
 * it. */
struct budget *budget_shared_get(double now);
void budget_shared_put(struct budget *b);

/* Presume every responder's bucket empty at `t` (the caller's clock, s):
 * one first met at `now` starts with rate0 * (now - t) tokens, at most
 * `burst`, instead of a full bucket.  A new budget knows nothing of what
 * was asked of the routers before it: a daemon restarted at once finds
 * their buckets for its source as its predecessor left them, drained.
 * Presumed full, the first measured probes of every router missed, and
 * those misses read as loss at hops that lose nothing for as long as
 * they stayed in the hop's window (half a minute: issue 13).  A budget
 * starts with -inf: full buckets. */
void budget_drained_at(struct budget *b, double t);

/* A key for `family` (AF_INET, AF_INET6) from the 4 or 16 bytes at
 * `addr` (network order). */
struct budget_key budget_key_make(int family, const void *addr);

/* The key of the budget the ends of paths behind router `addr` share
 * once their limit shows to be one (budget_ends_share): a host answering
 * on several addresses rate-limits its ICMP errors per source, not per
 * address (Linux: its inet_peer of our address), so a budget per address
 * would spend its limit once per address.  Never equal to a
 * budget_key_make key. */
struct budget_key budget_key_group(int family, const void *addr);

/* The end `from` behind router `k` missed a probe sent within its own
 * budget: loss, or another address of the same host spent the limit.
 * When another end behind `k` did the same within the last
 * BUDGET_SHARE_WINDOW seconds (loss at one end is not the tell; two
 * addresses refused together are), the ends behind `k` are marked as
 * sharing one limit: from then on the engine pays their probes from
 * budget_key_group(k), whose bucket starts empty at `from`'s rate (the
 * limit just ran into, not a fresh burst).  Makes the entry when new;
 * forgotten with it (LRU).  Returns 1 when marked (now or before). */
#define BUDGET_SHARE_WINDOW 10.0
int budget_ends_share(struct budget *b, const struct budget_key *k, const struct budget_key *from, double now);

/* Whether budget_ends_share marked router `k`. */
int budget_ends_shared(const struct budget *b, const struct budget_key *k);

/* An end behind router `k` (the TTL after it) answered at `now`: the
 * network behind `k` is up.  Makes the entry when new. */
void budget_end_behind(struct budget *b, const struct budget_key *k, double now);

/* When an end behind router `k` last answered (budget_end_behind), the
 * caller's clock in seconds; -inf: never, or `k` is not in the table. */
double budget_end_behind_at(const struct budget *b, const struct budget_key *k);

/* The earliest time (seconds, the caller's clock), never before `now`, at
 * which a probe answered by `k` may go out: `now` when the bucket holds a
 * token, else when it will.  An unknown responder holds what it refilled
 * since budget_drained_at (a full bucket by default).  Changes nothing. */
double budget_when(const struct budget *b, const struct budget_key *k, double now);

/* The same for a probe that measures a hop already known (to the target
 * or to the instance): the bucket must hold 1 + reserve tokens, so that a
 * target or an instance that does not know the router yet (a new flow at
 * an ECMP fork, an instance that just started) finds its tokens at once
 * instead of racing for them and waiting a timeout.  The learners'
 * budget_when() may take the reserve.  Changes nothing. */
double budget_when_keep(const struct budget *b, const struct budget_key *k, double now);

/* `k` answered as the end of a path (an ICMP error it rate-limits): make
 * its entry when new, with an empty bucket (who else asked it how much
 * just before is unknown: a daemon that just stopped, other tools; a
 * fresh burst would read as the destination's loss).  Nothing when it
 * exists. */
void budget_end_seen(struct budget *b, const struct budget_key *k, double now);

/* A probe whose reply `k` is expected to send went out at `now`: one
 * token taken (the bucket may go into debt when the caller did not wait
 * for budget_when).  Makes the entry when new; a full table drops its
 * least recently used entry to make room, so this cannot fail. */
void budget_sent(struct budget *b, const struct budget_key *k, double now);

/* `k` answered, at `now`, a probe not paid from its budget (sent before
 * the router was known, out of budget to learn it, or along a path that
 * moved): it spent a token on it, which proves it had one.  One token
 * taken, the bucket no lower than empty: presumed drained
 * (budget_drained_at), a router that answers a first round's learners
 * was not, and their answers are no debt.  Makes the entry when new. */
void budget_spent(struct budget *b, const struct budget_key *k, double now);

/* Where an answer takes a responder's rate (budget_answered). */
enum budget_grow {
	BUDGET_GROW,                  /* up to rate_max */
	BUDGET_SAFE,                  /* to rate0: back up to it at most, and down to it from
	                                 above.  Where a miss past the limit cannot be told from
	                                 loss: the end of a path (its every miss reads as the
	                                 destination's loss), a router on a path that loses
	                                 packets (its misses read as the onset of that loss) */
};

/* `k` answered a probe sent at `sent_at`: counts, and as `grow` says
 * (enum budget_grow) raises the rate when the bucket holds less than
 * 1 + reserve tokens at `now` (the engine is probing `k` as fast as the
 * budget lets it; see the top of this file) and the probe went out after
 * the last back-off.  With BUDGET_SAFE a rate above rate0 drops to it
 * at once: a rate learned on a lossless path, past the limit now and
 * then, would make misses that read as loss once the path loses
 * packets (trial 13c: hops 1..3 read a loss that began at hop 4, their
 * rates raised further because they read it). */
void budget_answered(struct budget *b, const struct budget_key *k, double sent_at, double now,
                     enum budget_grow grow);

/* The probe sent to `k` at `sent_at` timed out at `now`: counts, and cuts
 * the rate (and empties the bucket) when `k` answered before and no cut
 * happened since `sent_at`. */
void budget_missed(struct budget *b, const struct budget_key *k, double sent_at, double now);

/* The same for the end of a path: the rate is cut, the tokens stay.  A
 * miss of the end may be loss as well as its limit, and the trace's
 * other probes of it are the round's only samples of the destination:
 * emptied, a round would end on the one lost probe ("not reached"). */
void budget_missed_end(struct budget *b, const struct budget_key *k, double sent_at, double now);

/* What the budget holds for `k` at `now`, into *out.  0, or -1 when `k`
 * is not in the table.  Does not count as a use for the LRU order. */
int budget_state(const struct budget *b, const struct budget_key *k, double now, struct budget_info *out);

/* Responders in the table now. */
size_t budget_count(const struct budget *b);

#endif
