/*
 * plugins/path/engine.c: the trace engine of the path plugin.  No socket,
 * no packet format: it sends through struct path_io and hears replies that
 * match.c has checked (path_answered).
 *
 * One round of a target is one trace: `queries` probes at every TTL from 1
 * to `max_ttl`, each waiting up to the instance `timeout`.
 *
 * Parallel, not serial.  Query 0 goes out for every TTL at once (paced, see
 * below); queries 1.. follow as soon as the destination's TTL is known, or
 * once query 0 has settled (all answered or timed out), and only up to the
 * destination's TTL: the destination gate (ts->open).  A responsive path is
 * traced in about two round trips to its farthest hop plus the sending
 * time; a silent hop costs one timeout, a silent destination two.  Holding
 * the later queries back until the destination is known keeps the probes
 * that reach the destination (all TTLs past it) to a few: destinations
 * rate-limit their port unreachables (Linux: a burst of 6, then 1/s), so a
 * burst of 60 would read as loss.  For the same reason query 0 of a trace
 * stops at the previous trace's destination TTL + HINT_SLACK; when the path
 * got longer than that, the rest of the TTLs follow once query 0 has
 * settled.  Nothing is sent beyond the destination's TTL (or the TTL of a
 * router that said unreachable) once it is known.
 *
 * Pacing: every send goes through one hook, pace() below, which decides
 * whether and when probe (target, TTL, query) may go: the instance's token
 * bucket (`pps`, 1 ms deep: never a burst), round robin over the targets
 * that have something to send, and before the destination the budget of
 * the router expected to answer (budget.h), shared by every trace and
 * instance of the process.  A probe out of its router's budget is not
 * sent: the trace borrows the figures other targets' probes got from that
 * hop (Doubletree; struct shop, report.c).  Queries of one TTL before the
 * destination leave SPREAD apart.  The destination is never held back by
 * a router's budget; an end that answers with ICMP errors (a udp
 * destination, a router saying unreachable) is paid from its own budget,
 * and a round without its tokens has no figure of it (report.c).  Every
 * probe at or past the destination counts for it; its probes at its TTL
 * lost while one past it answered, it is presumed where the last trace
 * measured it (dest_far).  A trace that never found its end starts from
 * where another trace found the same destination (struct shop, TTL 0).
 * Send times are read at the actual send (struct path_io.send).
 *
 * Replies find their trace in O(1): a hash keyed by what every matcher
 * extracts from a reply (family, the probe's destination address and
 * port, and the trace number carried in the probe id), chained through
 * tstate.hnext; a trace is (re)hashed when it starts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "rng.h"
#include "budget.h"
#include "attribution.h"

/* ------------------------------------------------------------------ */
/* Probe ids and the reply hash                                         */

/* Probe id: trace number mod GEN_MOD (6 bits), query (4), TTL - 1 (6). */
uint16_t path_probe_id(const struct tstate *ts, unsigned ttl, unsigned q)
{
	return (uint16_t)((ts->gen % GEN_MOD) << 10 | q << 6 | (ttl - 1));
}

/* The probe of the running trace of ts with id `pid`, if it is one. */
static struct pinfo *probe_of(struct tstate *ts, uint16_t pid, unsigned *ttl, unsigned *q)
{
	const struct opts *o = ts->in->o;
	unsigned g = pid >> 10, qq = (pid >> 6) & 15, tt = (pid & 63) + 1;

	if (g != ts->gen % GEN_MOD || qq >= (unsigned)o->queries || tt > (unsigned)o->max_ttl)
		return NULL;
	*ttl = tt;
	*q = qq;
	return &ts->p[(tt - 1) * (unsigned)o->queries + qq];
}

/* Bucket of a reply key (FNV-1a over family, address, port, trace number). */
static size_t hkey(const struct inst *in, int family, const pkt_ipaddr *dst, uint16_t port, unsigned gen)
{
	const uint8_t *a = (const uint8_t *)dst;
	uint32_t h = 2166136261u;

	h = (h ^ (uint32_t)family) * 16777619u;
	for (size_t i = 0; i < path_alen(family); i++)
		h = (h ^ a[i]) * 16777619u;
	h = (h ^ port) * 16777619u;
	h = (h ^ gen) * 16777619u;
	return h & in->hmask;
}

static void unhash(struct tstate *ts)
{
	struct inst *in = ts->in;
	struct tstate **pp;

	if (!ts->hashed)
		return;
	pp = &in->htab[hkey(in, ts->family, &ts->dst, ts->dport, ts->gen % GEN_MOD)];
	while (*pp && *pp != ts)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = ts->hnext;
	ts->hnext = NULL;
	ts->hashed = 0;
}

static void rehash(struct tstate *ts)
{
	struct inst *in = ts->in;
	size_t b = hkey(in, ts->family, &ts->dst, ts->dport, ts->gen % GEN_MOD);

	ts->hnext = in->htab[b];
	in->htab[b] = ts;
	ts->hashed = 1;
}

struct tstate *path_find(struct inst *in, const struct reply *r, struct tstate *after, unsigned *ttl,
                         unsigned *q)
{
	struct tstate *ts = after ? after->hnext : in->htab[hkey(in, r->family, &r->dst, r->port, r->pid >> 10)];

	/* targets sharing address, port and trace number share a chain */
	for (; ts; ts = ts->hnext) {
		struct pinfo *p;
		if (ts->family != r->family || ts->dport != r->port || !path_addr_eq(r->family, &ts->dst, &r->dst))
			continue;
		if ((p = probe_of(ts, r->pid, ttl, q)) && p->state != PS_UNSENT)
			return ts;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Hops shared by many traces (Doubletree) and the responders per TTL    */

/* The shared hop table of the process: every instance crossing a router
 * at a TTL feeds and reads one window (as the budget, one per process),
 * so that instances of one target each (several protocols, one source)
 * still pool their samples of a router answering 1/s.  One reference
 * per instance; the last one frees it. */
static struct shop *shops_shared;
static unsigned shops_refs;
/* What every instance of the process knows of the responders per TTL, one
 * table per family: which router a TTL reaches is the same for every
 * instance from this host (Doubletree), save an ECMP fork (diverse) or
 * another source address; it lives and dies with the shared hop table. */
static struct tguess guess_tab[2][HW_PATH_MAX_HOPS + 1];
/* hw_mono() when the process's first path instance was made (REFILL_GRACE) */
static double path_born = NAN;

/* Targets of every instance: what tguess.nknow counts towards */
static size_t guess_targets;

static struct shop *shops_get(void)
{
	if (!shops_shared)
		shops_shared = calloc(SHARE_SLOTS, sizeof *shops_shared);
	if (shops_shared)
		shops_refs++;
	return shops_shared;
}

static void shops_put(struct shop *s)
{
	if (!s || s != shops_shared || --shops_refs)
		return;
	free(shops_shared);
	shops_shared = NULL;
	memset(guess_tab, 0, sizeof guess_tab);
}

struct tguess *path_guess(int family, unsigned ttl)
{
	return &guess_tab[family == AF_INET6][ttl];
}

/* First slot of (family, ttl, addr) in the shared hop table (FNV-1a). */
static size_t shop_hash(int family, unsigned ttl, const pkt_ipaddr *a)
{
	const uint8_t *b = (const uint8_t *)a;
	uint32_t h = 2166136261u;

	h = (h ^ (uint32_t)family) * 16777619u;
	h = (h ^ ttl) * 16777619u;
	for (size_t i = 0; i < path_alen(family); i++)
		h = (h ^ b[i]) * 16777619u;
	return h & (SHARE_SLOTS - 1);
}

/* The slot of (family, ttl, addr); with `make`, a new one when it has
 * none (the stalest of its SHARE_PROBE slots is replaced), else NULL. */
static struct shop *shop_get(const struct inst *in, int family, unsigned ttl, const pkt_ipaddr *a, int make)
{
	size_t h = shop_hash(family, ttl, a), stale = SIZE_MAX;
	struct shop *s;

	if (!in->shops)
		return NULL;
	for (size_t i = 0; i < SHARE_PROBE; i++) {
		size_t k = (h + i) & (SHARE_SLOTS - 1);
		s = &in->shops[k];
		if (s->family == family && s->ttl == ttl && path_addr_eq(family, &s->addr, a))
			return s;
		if (!s->family) {
			stale = k;
			break;  /* slots are never freed: the entry is not further on */
		}
		if (stale == SIZE_MAX || s->seen < in->shops[stale].seen)
			stale = k;
	}
	if (!make)
		return NULL;
	s = &in->shops[stale];
	*s = (struct shop){ .family = (unsigned char)family, .ttl = (unsigned char)ttl, .addr = *a, .level = NAN };
	return s;
}

void path_shop_level(struct inst *in, int family, unsigned ttl, const pkt_ipaddr *addr, double level)
{
	struct shop *s = shop_get(in, family, ttl, addr, 0);

	if (s)
		s->level = level;
}

unsigned path_shop_answers(const struct shop *s)
{
	uint64_t mask = s->n >= 64 ? ~0ull : (1ull << s->n) - 1;

	return (unsigned)__builtin_popcountll(s->bits & mask);
}

const struct shop *path_shop_find(const struct inst *in, int family, unsigned ttl, const pkt_ipaddr *addr)
{
	return shop_get(in, family, ttl, addr, 0);
}

void path_end_presume(struct tstate *ts, unsigned ttl)
{
	ts->hint = ttl;
	ts->hint_reached = ts->end_lim = 1;
	ts->end_addr = ts->dst;
}

void path_dest_seen(struct tstate *ts)
{
	struct shop *s = shop_get(ts->in, ts->family, 0, &ts->dst, 1);

	if (!s)
		return;
	s->dist = (unsigned char)ts->dest_ttl;
	s->lim = (unsigned char)ts->end_lim;
	s->seen = hw_mono();
}

/* A probe of hop (ttl, a) was answered after rtt_ms, or not.  Only a
 * measured probe's outcome enters the window (response, loss); every
 * answer's RTT counts, and lets other targets borrow the hop (an answer
 * to a learner's probe sent over budget is a true answer all the same). */
static void shop_note(struct inst *in, int family, unsigned ttl, const pkt_ipaddr *a, int answered,
                      int measured, double rtt_ms, double now)
{
	struct shop *s = shop_get(in, family, ttl, a, 1);

	if (!s)
		return;
	if (measured) {
		s->bits = s->bits << 1 | (answered ? 1u : 0u);
		if (s->n < SHARE_WINDOW)
			s->n++;
	}
	s->seen = now;
	if (answered) {
		s->answered_at = now;
		s->rtt[s->rtt_i] = rtt_ms;
		s->rtt_i = (s->rtt_i + 1) % SHARE_RTTS;
		if (s->nrtt < SHARE_RTTS)
			s->nrtt++;
	}
}

/* ts's own probe at ttl was answered by router `from` (not the
 * destination): count it towards the responder the targets agree on. */
static void guess_note(struct tstate *ts, unsigned ttl, const pkt_ipaddr *from)
{
	struct tguess *g = path_guess(ts->family, ttl);
	uint64_t bit = 1ull << (ttl - 1);

	if (ts->told & bit)
		return;
	ts->told |= bit;
	g->nknow++;
	if (!g->family) {
		g->addr = *from;
		g->family = (unsigned char)ts->family;
		g->agree = 1;
	} else if (g->family == ts->family && path_addr_eq(ts->family, &g->addr, from)) {
		g->agree++;
	} else {
		g->diverse = 1;
	}
}

int path_borrow(const struct tstate *ts, unsigned ttl, pkt_ipaddr *a)
{
	const struct tguess *g = path_guess(ts->family, ttl);

	if (g->family != ts->family || g->diverse || g->agree < INFER_MIN)
		return 0;
	*a = g->addr;
	return 1;
}

/* ------------------------------------------------------------------ */
/* The trace                                                            */

static void wake(struct tstate *ts);
static const pkt_ipaddr *own_hop(const struct tstate *ts, unsigned ttl);

/* The router before the end of ts's path (the destination's or the
 * unreachable router's TTL, else the last trace's end) as this target's
 * own probes saw it, else as every target agrees (path_borrow), into *r;
 * 0 when unknown. */
static int end_router(const struct tstate *ts, pkt_ipaddr *r)
{
	unsigned e = ts->dest_ttl ? ts->dest_ttl : ts->stop_ttl ? ts->stop_ttl : ts->hint;
	const pkt_ipaddr *a;

	if (e < 2)
		return 0;
	if ((a = own_hop(ts, e - 1))) {
		*r = *a;
		return 1;
	}
	return path_borrow(ts, e - 1, r);
}

/* Who pays for a probe of ts's end now: the end's own budget (into *addr
 * its address, *group 0), or, once the ends behind the router before it
 * share one limit (budget_ends_share), theirs (*addr the router, *group 1). */
static struct budget_key end_payer(const struct tstate *ts, pkt_ipaddr *addr, int *group)
{
	pkt_ipaddr r;

	*group = 0;
	*addr = ts->end_addr;
	if (end_router(ts, &r)) {
		struct budget_key rk = budget_key_make(ts->family, &r);
		if (budget_ends_shared(ts->in->budget, &rk)) {
			*group = 1;
			*addr = r;
			return budget_key_group(ts->family, &r);
		}
	}
	return budget_key_make(ts->family, &ts->end_addr);
}

/* The budget probe p of ts was paid from (keyed). */
static struct budget_key paid_key(const struct tstate *ts, const struct pinfo *p)
{
	return p->group ? budget_key_group(ts->family, &p->key) : budget_key_make(ts->family, &p->key);
}

unsigned path_eff_lim(const struct tstate *ts)
{
	unsigned e = ts->lim;

	if (ts->dest_ttl && ts->dest_ttl < e)
		e = ts->dest_ttl;
	if (ts->stop_ttl && ts->stop_ttl < e)
		e = ts->stop_ttl;
	return e;
}

/* Whether `ttl` is at or past the destination (or the router that said
 * unreachable): probes there are never held back by a router's budget
 * nor spread, so the destination's own RTT and loss are never degraded. */
static int dest_side(const struct tstate *ts, unsigned ttl)
{
	if (ts->dest_ttl)
		return ttl >= ts->dest_ttl;
	if (ts->stop_ttl && ttl >= ts->stop_ttl)
		return 1;
	return ts->hint && ttl >= ts->hint;
}

/* The next probe to send: TTL and query, by query then TTL, and into *at
 * the time it may go (`now` when at once); 0 when none is left.  Queries after the first wait for the
 * destination gate; before the destination, a TTL's next query waits
 * SPREAD after its previous one (queries of one TTL are spread in time,
 * not sent in one burst).  A probe that may go now is preferred. */
static int next_probe(const struct tstate *ts, double now, unsigned *ttl, unsigned *q, double *at)
{
	unsigned e = path_eff_lim(ts), qn = (unsigned)ts->in->o->queries, bt = 0, bq = 0;
	double bat = 0;

	for (unsigned t = 1; t <= e; t++) {
		unsigned c = ts->sent[t];
		double a = now;
		int ready, bready = bt && bat <= now;
		if (c >= qn || (c > 0 && !ts->open))
			continue;
		if (c > 0 && !dest_side(ts, t)) {
			const struct pinfo *prev = &ts->p[(t - 1) * qn + c - 1];
			if (prev->state != PS_SKIPPED && prev->tx_mono + SPREAD > now)
				a = prev->tx_mono + SPREAD;
		}
		ready = a <= now;
		if (!bt || (ready && !bready) || (ready && bready && c < bq) || (!ready && !bready && a < bat)) {
			bt = t;
			bq = c;
			bat = a;
		}
		if (ready && !c)
			break;
	}
	if (!bt)
		return 0;
	*ttl = bt;
	*q = bq;
	*at = bat;
	return 1;
}

/* Whether ts has anything left to send (now or later). */
static int has_next(const struct tstate *ts)
{
	unsigned ttl, q;
	double at;

	return next_probe(ts, hw_mono(), &ttl, &q, &at);
}

int path_end_unmeasured(const struct tstate *ts)
{
	unsigned e = path_eff_lim(ts);

	if (!ts->hint || ts->dest_ttl || ts->stop_ttl || ts->hint > e || !ts->skip[ts->hint])
		return 0;
	for (unsigned t = ts->hint; t <= e; t++)
		if (ts->sent[t] != ts->skip[t])
			return 0;
	return 1;
}

/* Whether the budget `k` answered others and is spent, or answered one
 * while ts ran (path_end_drained). */
static int spent_on_others(const struct tstate *ts, const struct budget_key *k)
{
	struct budget_info bi;

	return budget_state(ts->in->budget, k, hw_mono(), &bi) == 0 && bi.answered &&
	       (bi.answered_at >= ts->t0 || bi.tokens < 1);
}

int path_end_drained(const struct tstate *ts, unsigned *behind)
{
	struct budget_key k = budget_key_make(ts->family, &ts->dst);
	unsigned n = 0;

	*behind = 0;
	if (ts->dest_ttl || ts->stop_ttl)
		return 0;
	/* its end missed for a limit it shares with other ends (another
	 * address of the same host spent it, while this end was still paid
	 * from a budget of its own): no figure of the end, not "not reached" */
	if (ts->end_shared_miss)
		return 1;
	if (!ts->in->proto->dest_icmp_error || ts->end_seen)
		return 0;
	/* the first round that finds no end answering with ICMP errors (a
	 * udp destination) where none ever answered, or any such round in
	 * the process's first REFILL_GRACE seconds: its host and the routers
	 * before it may have been drained by another prober (a daemon
	 * restarted at once: no hop at all answered a udp trace in its first
	 * rounds), and nothing in this process knows their limits yet.  A
	 * destination that is down reads "not reached" after that */
	if (!ts->end_unfound || hw_mono() - path_born < REFILL_GRACE || spent_on_others(ts, &k))
		return 1;
	/* the last hop that answered, or was skipped out of its budget */
	for (unsigned t = 1; t <= path_eff_lim(ts); t++)
		if (ts->rcvd[t] || ts->skip[t])
			n = t;
	const pkt_ipaddr *a = n ? own_hop(ts, n) : NULL;
	pkt_ipaddr r;
	if (!a && n && path_borrow(ts, n, &r))
		a = &r;
	if (!a)
		return 0;
	/* ends behind that hop answered other traces lately: the network
	 * behind it is up, and its ends refused this trace for their limit */
	k = budget_key_make(ts->family, a);
	if (budget_end_behind_at(ts->in->budget, &k) < hw_mono() - BUDGET_SHARE_WINDOW)
		return 0;
	*behind = n;
	return 1;
}

/* Open the gate for the later queries once query 0 has settled; probe
 * the TTLs past the hint too when the destination is still unknown (not
 * when the end was only skipped: nothing says the path got longer). */
static void check_gate(struct tstate *ts)
{
	unsigned e = path_eff_lim(ts);

	if (ts->open || ts->q0_wait)
		return;
	for (unsigned t = 1; t <= e; t++)
		if (!ts->sent[t])
			return;
	ts->open = 1;
	if (!ts->dest_ttl && !ts->stop_ttl && ts->lim < (unsigned)ts->in->o->max_ttl && !path_end_unmeasured(ts))
		ts->lim = (unsigned)ts->in->o->max_ttl;
}

/* Remember the responder this trace's own probes saw at every TTL before
 * the destination, for the next traces' pacing hook and for borrowing the
 * shared figures of that hop; a TTL not answered this time keeps what an
 * earlier trace saw (its budget may have been spent by other targets). */
static void remember_hops(struct tstate *ts)
{
	unsigned e = path_eff_lim(ts), qn = (unsigned)ts->in->o->queries;

	if (ts->dest_ttl) {
		/* at and past the destination: nothing to remember */
		for (unsigned ttl = ts->dest_ttl; ttl <= (unsigned)ts->in->o->max_ttl; ttl++)
			ts->last_set &= ~(1ull << (ttl - 1));
		e = ts->dest_ttl - 1;
	}
	for (unsigned ttl = 1; ttl <= e; ttl++)
		for (unsigned q = 0; q < qn; q++) {
			const struct pinfo *p = &ts->p[(ttl - 1) * qn + q];
			if (p->state == PS_ANSWERED) {
				ts->last[ttl - 1] = p->from;
				ts->last_set |= 1ull << (ttl - 1);
				break;
			}
		}
}

/* End the trace when nothing is left to send or wait for. */
static void maybe_finish(struct tstate *ts)
{
	unsigned e;

	if (!ts->active)
		return;
	check_gate(ts);
	if (has_next(ts))
		return;
	e = path_eff_lim(ts);
	for (unsigned t = 1; t <= e; t++)
		if (ts->wait[t])
			return;
	ts->active = 0;
	hw_timer_stop(ts->timer);
	if (ts->dest_far) {
		/* nothing answered where the destination was presumed: its
		 * probes there lost, or a silent router that made the path
		 * longer.  The distance the last trace measured itself wins
		 * once; presumed twice, the farther TTL does (a new silent
		 * hop shows by the second trace) */
		if (!ts->hint_firm)
			ts->dest_ttl = ts->dest_far;
		ts->dest_far = 0;
		ts->hint_firm = 0;
	} else if (!path_end_unmeasured(ts)) {
		ts->hint_firm = ts->dest_ttl && ts->rcvd[ts->dest_ttl];
	}
	path_report(ts);
	remember_hops(ts);
	hw_done(ts->in->ctx, ts->t);
}

/* Arm the trace's timer for its oldest waiting probe. */
static void arm_timeout(struct tstate *ts)
{
	while (ts->ohead < ts->norder && ts->p[ts->order[ts->ohead]].state != PS_WAIT)
		ts->ohead++;
	if (ts->ohead < ts->norder)
		hw_timer_arm(ts->timer, ts->p[ts->order[ts->ohead]].tx_mono + ts->in->timeout - hw_mono());
	else
		hw_timer_stop(ts->timer);
}

/* A probe is settled (answered or expired): bookkeeping. */
static void settle(struct tstate *ts, struct pinfo *p, unsigned ttl, unsigned q, int state)
{
	p->state = (uint8_t)state;
	ts->wait[ttl]--;
	if (state == PS_ANSWERED)
		ts->rcvd[ttl]++;
	if (q == 0)
		ts->q0_wait--;
}

/* The loss of ts's destination over its last traces, percent; NAN while
 * they hold fewer than DEST_MIN probes (the path's loss is not known). */
static double dest_loss(const struct tstate *ts)
{
	unsigned sent = 0, rcvd = 0;

	for (unsigned i = 0; i < DEST_WINDOW; i++) {
		sent += ts->dwin_sent[i];
		rcvd += ts->dwin_rcvd[i];
	}
	return sent >= DEST_MIN ? 100.0 * (sent - rcvd) / sent : NAN;
}

/* Whether this trace's settled probes of the end that were paid from its
 * budget (keyed, dside) missed more than the destination's loss explains
 * (attr_rate_limited): evidence of the end's rate limit, which its
 * budget backs off on.  While that loss is not known, any miss. */
static int end_limited(const struct tstate *ts)
{
	unsigned sent = 0, lost = 0;
	double d = dest_loss(ts);

	for (unsigned j = 0; j < ts->norder; j++) {
		const struct pinfo *p = &ts->p[ts->order[j]];
		if (!p->keyed || !p->dside || (p->state != PS_ANSWERED && p->state != PS_EXPIRED))
			continue;
		sent++;
		lost += p->state == PS_EXPIRED;
	}
	return isnan(d) || attr_rate_limited(lost, sent, d / 100);
}

void path_answered(struct tstate *ts, unsigned ttl, unsigned q, const struct reply *r)
{
	struct pinfo *p = &ts->p[(ttl - 1) * (unsigned)ts->in->o->queries + q];
	double rtt = r->rx_mono - p->tx_mono;

	if (p->state != PS_WAIT || !ts->active)
		return;  /* a duplicate, late, or past the destination of a finished trace */
	if (r->rx_real > 0 && p->tx_real > 0 && r->rx_real - p->tx_real >= 0 &&
	    r->rx_real - p->tx_real <= rtt + 0.001)
		rtt = r->rx_real - p->tx_real;
	if (rtt > ts->in->timeout)
		return;  /* late: its expiry is just not processed yet */
	settle(ts, p, ttl, q, PS_ANSWERED);
	p->rtt = rtt * 1e3;
	p->from = r->from;
	if (r->kind != R_HOP) {
		ts->end_lim = r->cmp == CMP_QUOTE;
		ts->end_addr = r->from;
		ts->end_seen = 1;
	}
	if (r->kind == R_HOP || r->cmp == CMP_QUOTE) {
		/* an ICMP error (time exceeded, or unreachable at the end of
		 * the path): its sender's kernel rate limits it */
		pkt_ipaddr a = r->from;
		int group = 0;
		struct budget_key k = r->kind == R_HOP ? budget_key_make(ts->family, &r->from) : end_payer(ts, &a, &group);
		double now = hw_mono();
		/* an end: its budget starts empty when new, and the network
		 * behind the router before it is up */
		if (r->kind != R_HOP) {
			pkt_ipaddr rt;
			budget_end_seen(ts->in->budget, &k, now);
			if (end_router(ts, &rt)) {
				struct budget_key rk = budget_key_make(ts->family, &rt);
				budget_end_behind(ts->in->budget, &rk, now);
			}
		}
		/* a probe not paid for from this budget (unknown, or the path
		 * moved) used one of its tokens all the same, which it had */
		if (!p->keyed || p->group != group || !path_addr_eq(ts->family, &p->key, &a))
			budget_spent(ts->in->budget, &k, now);
		/* a router's rate grows only where a miss past the limit
		 * would show: on a path that loses little.  On a lossy one
		 * (or while its loss is not known) it is held at the safe
		 * start, brought down to it from above: a miss past the
		 * limit would read as the onset of the loss there, and a
		 * hop that read it would be probed faster still.  The end's
		 * rate likewise (every miss of the end reads as the
		 * destination's loss) */
		budget_answered(ts->in->budget, &k, p->tx_mono, now,
		                r->kind == R_HOP && dest_loss(ts) < LOSSY_DEST ? BUDGET_GROW : BUDGET_SAFE);
		/* the hop's window counts an answer only where it would have
		 * counted the miss: a probe paid from this responder's budget.
		 * A miss of a probe sent to a router not known yet is nobody's;
		 * counting its answers alone made every hop's window start
		 * with a first round's burst of answers and none of the
		 * misses around them (6 clean samples of a hop past a 19 %
		 * link: t6100's hop 5 then read clean after 11 more) */
		if (r->kind == R_HOP)
			shop_note(ts->in, ts->family, ttl, &r->from, 1,
			          p->measured && p->keyed && path_addr_eq(ts->family, &p->key, &r->from), p->rtt, now);
	}
	if (r->kind == R_HOP) {
		guess_note(ts, ttl, &r->from);
		/* a router at or past the last end: the path goes on past it,
		 * the old end's budget no longer pays for the probes there */
		if (ts->hint && ttl >= ts->hint && !ts->dest_ttl && !ts->stop_ttl)
			ts->end_lim = 0;
		/* a router where the destination was presumed: the path got
		 * longer, the destination is where it answered */
		if (ts->dest_far && ttl >= ts->dest_ttl) {
			ts->dest_ttl = ts->dest_far;
			ts->dest_far = 0;
		}
	}
	if (r->kind == R_DEST && ts->hint_reached && ttl > ts->hint && !ts->rcvd[ts->hint] &&
	    (!ts->dest_ttl || ts->dest_ttl > ts->hint || ts->dest_far)) {
		/* past the last trace's destination while nothing answered
		 * there yet: presume the destination is still there (its
		 * probes there lost) until a router answers at that TTL */
		if (!ts->dest_far || ttl < ts->dest_far)
			ts->dest_far = ttl;
		ts->dest_ttl = ts->hint;
		ts->open = 1;
	} else if (r->kind == R_DEST && (!ts->dest_ttl || ttl <= ts->dest_ttl)) {
		ts->dest_ttl = ttl;
		ts->dest_far = 0;
		ts->open = 1;
	} else if (r->kind == R_STOP && (!ts->stop_ttl || ttl < ts->stop_ttl)) {
		ts->stop_ttl = ttl;
		ts->open = 1;
	}
	if (hw_log_enabled(HW_LOG_DEBUG)) {
		char a[INET6_ADDRSTRLEN];
		inet_ntop(ts->family, &r->from, a, sizeof a);
		HW_DEBUG(ts->in->ctx, "target %s: ttl %u query %u: %s %s %.3f ms", ts->t->host, ttl, q,
		         r->kind == R_DEST ? "destination" : r->kind == R_STOP ? "unreachable from" : "hop",
		         a, p->rtt);
	}
	check_gate(ts);
	wake(ts);
	maybe_finish(ts);
}

static void timeout_cb(void *arg)
{
	struct tstate *ts = arg;
	struct inst *in = ts->in;
	unsigned qn = (unsigned)in->o->queries;
	double now;

	/* read the clock, then what is queued: a reply that arrived before a
	 * deadline <= now is read before its probe is declared lost */
	now = hw_mono();
	in->io->drain(in);
	if (!ts->active)
		return;
	while (ts->ohead < ts->norder) {
		unsigned i = ts->order[ts->ohead];
		struct pinfo *p = &ts->p[i];
		if (p->state == PS_WAIT) {
			if (p->tx_mono + in->timeout > now)
				break;
			settle(ts, p, i / qn + 1, i % qn, PS_EXPIRED);
			if (p->keyed && p->dside) {
				/* a miss of the end within its budget.  When more
				 * than the destination's loss explains (any miss
				 * while that is not known yet): its limit, and the
				 * budget backs off (its tokens stay for the round's
				 * other probes of it: budget.h).  Within its own budget,
				 * another address of the same host may have spent
				 * the limit: two ends behind one router that miss
				 * so share one budget from now on, whatever the
				 * destination's loss (which those very misses
				 * raise: 7 udp traces of one host drained by a
				 * daemon just stopped read 100 % where its limit
				 * was shared) */
				struct budget_key k = paid_key(ts, p);
				pkt_ipaddr rt;
				if (end_limited(ts))
					budget_missed_end(in->budget, &k, p->tx_mono, now);
				if (!p->group && end_router(ts, &rt)) {
					struct budget_key rk = budget_key_make(ts->family, &rt);
					if (budget_ends_share(in->budget, &rk, &k, now))
						ts->end_shared_miss = 1;
				}
			} else if (p->keyed && !p->dside) {
				/* a miss of a known responder: the hop's shared
				 * figures count it when it was sent within the
				 * budget, and the budget backs off only on
				 * evidence of a rate limit: the hop's window misses
				 * more than its forwarding loss can explain.  On a
				 * path that reached, that is the destination's
				 * loss (no hop loses more than the destination:
				 * loss persists downstream), not the figure the
				 * last report attributed to the hop: a hop past
				 * the onset whose first samples happened to be
				 * clean read 0, and its first miss cut its rate to
				 * the floor (t6100: 1 sample in 4 s for the rest
				 * of the run).  On a path that did not reach, the
				 * hop's attributed loss.  On a lossless path, any
				 * miss; nothing while neither is known: the
				 * budget starts at a safe rate.
				 * Backing off on forwarding loss, which it cannot
				 * help, would starve the hops past a lossy link of
				 * the samples that locate it.  An unmeasured probe
				 * (sent out of budget to learn the hop, or keyed by
				 * the other branch of an ECMP fork) was expected to
				 * go unanswered: its miss says nothing */
				struct budget_key k = budget_key_make(ts->family, &p->key);
				struct shop *sh = NULL;
				if (p->measured) {
					shop_note(in, ts->family, i / qn + 1, &p->key, 0, 1, NAN, now);
					sh = shop_get(in, ts->family, i / qn + 1, &p->key, 0);
				}
				double d = dest_loss(ts);
				double level = !sh ? NAN : ts->hint_reached && !isnan(d) ? d : sh->level;
				if (!isnan(level) && attr_rate_limited(sh->n - path_shop_answers(sh), sh->n, level / 100))
					budget_missed(in->budget, &k, p->tx_mono, now);
			}
		}
		ts->ohead++;
	}
	check_gate(ts);
	wake(ts);
	maybe_finish(ts);
	if (ts->active)
		arm_timeout(ts);
}

/* ------------------------------------------------------------------ */
/* Sending and the pacing hook                                          */

/* What the pacing hook decided beyond yes or no. */
struct pace_out {
	double wait;             /* PACE_WAIT: seconds before asking again */
	int keyed;               /* PACE_GO: a token of key's budget was taken */
	int measured;            /* PACE_GO: within the budget (struct pinfo.measured) */
	int dside;               /* PACE_GO: a probe of the end of the path (struct pinfo.dside) */
	int group;               /* PACE_GO, keyed: key is the router the ends behind it share (pinfo.group) */
	pkt_ipaddr key;          /* keyed: the responder expected to answer */
};

/*
 * The pacing hook: may probe (ts, ttl, q) go out at `now`?  `last_hop` is
 * the responder this target's own probes saw at this TTL (NULL: none yet),
 * the best guess of which router this probe will reach.  Returns
 *   PACE_GO    it goes (what it used is taken; *po says how it counts);
 *   PACE_SKIP  it is not sent: its responder's budget is spent, and the
 *              hop is known (this target's own earlier answer, or the one
 *              every target agrees on): the round borrows the hop's shared
 *              figures instead (Doubletree), and the probe is unmeasured;
 *   PACE_WAIT  the instance's pps bucket is empty: ask again after
 *              po->wait seconds.
 * Two limits apply:
 *   - the instance's token bucket of `pps` (1 ms deep: never a burst);
 *   - before the destination, the budget of the responder (budget.h): a
 *     token bucket per router, shared by every trace and instance of the
 *     process, learned from what the router answers (gentle increase,
 *     quick back-off).  The responder is last_hop, else the one the other
 *     targets saw at this TTL; none known: the probe goes (an unknown
 *     router is learned by probing it).  A learner (neither this target
 *     nor the instance knows the hop: ECMP branches differ per flow, and
 *     are never borrowed) may take every token; a probe of a known hop
 *     leaves the budget's reserve (budget_when_keep) for the learners of
 *     other instances, and for a second after a learner probed a TTL the
 *     targets that know its router send it nothing: its first tokens go
 *     to learning, not to more queries of a target that knows it (at an
 *     ECMP fork, only the targets of the router the learners are paid
 *     from hold off: the others measure their own branch, within its
 *     budget and reserve, or the fork has no figures until every flow
 *     learned its branch, a minute with 200 flows).  Query
 *     0 of a learner goes even out of budget, to learn the hop's address,
 *     but is not measured: its miss is not counted against the hop, and
 *     it takes a token of the budget only when answered.  A
 *     probe keyed by the other targets' router at an ECMP fork is not
 *     measured either (it may reach the other branch).
 * At and past the end of the path (dest_side) no router's budget applies:
 * the destination's own RTT and loss are never degraded by the routers'
 * limits.  Only an end that answers with an ICMP error (a udp
 * destination's port unreachable, a router's unreachable: tstate.end_lim)
 * is paced, by its own budget: a probe it has no token for is skipped
 * (PACE_SKIP), since its miss would read as the destination's loss.
 */
static int pace(struct inst *in, const struct tstate *ts, unsigned ttl, unsigned q,
                const pkt_ipaddr *last_hop, double now, struct pace_out *po)
{
	struct tguess *g = path_guess(ts->family, ttl);
	struct budget_key bk;
	pkt_ipaddr k, tmp;
	int have = 0, learner = 0;

	*po = (struct pace_out){ .measured = 1, .dside = dest_side(ts, ttl) };
	if (po->dside && ts->end_lim) {
		bk = end_payer(ts, &k, &po->group);
		have = 1;
	} else if (!po->dside) {
		/* a learner: neither this target nor the instance knows the
		 * hop (an ECMP branch is never borrowed); it may take the
		 * tokens the others leave in reserve */
		learner = !last_hop && !path_borrow(ts, ttl, &tmp);
		if (last_hop) {
			k = *last_hop;
			have = 1;
		} else if (g->family == ts->family) {
			k = g->addr;
			have = 1;
			/* at an ECMP fork the other targets' router may be the
			 * other branch: its miss would be counted against the
			 * wrong hop */
			if (g->diverse)
				po->measured = 0;
		}
		if (have && path_addr_eq(ts->family, &k, &ts->dst))
			have = 0;
	}
	if (have && po->dside) {
		/* an end several targets share (one host, many addresses or
		 * flows): a target that had its figure last round leaves the
		 * reserve to those that had none, or the first in the send
		 * order would take every token */
		if ((ts->end_fresh ? budget_when_keep(in->budget, &bk, now) : budget_when(in->budget, &bk, now)) > now)
			return PACE_SKIP;
	} else if (have) {
		bk = budget_key_make(ts->family, &k);
		if ((learner ? budget_when(in->budget, &bk, now) : budget_when_keep(in->budget, &bk, now)) > now ||
		    (!learner && now < g->ident_until && g->nknow < guess_targets &&
		     (!g->diverse || path_addr_eq(ts->family, &k, &g->addr)))) {
			if (!learner || q > 0)
				return PACE_SKIP;
			/* to learn the hop's address: unmeasured, and no token
			 * taken up front (the router has none to spend on it:
			 * a Linux router or a policer spends one only on what it
			 * answers; path_answered takes it then).  Taken up
			 * front, the learners' misses ran the budget into a
			 * debt that kept every known target off the router for
			 * tens of seconds, its window frozen on a first round's
			 * rate-limited misses (issue 13) */
			po->measured = 0;
			have = 0;
		}
	}
	if (!hwc_bucket_take(&in->bucket, now, &po->wait))
		return PACE_WAIT;
	if (have) {
		budget_sent(in->budget, &bk, now);
		po->keyed = 1;
		po->key = k;
	}
	/* for a second the targets that know this TTL's router (at an ECMP
	 * fork: the router the learners are paid from) leave its tokens to
	 * those still learning it (each flow must ask its own ECMP branch;
	 * the first tokens of a router go to learning, not to more queries
	 * of a target that knows it already) */
	if (learner && g->nknow < guess_targets && (!g->family || g->family == ts->family))
		g->ident_until = now + 1;
	return PACE_GO;
}

/* Send probe (ttl, q) of ts (next_probe chose it, pace let it go). */
static void send_one(struct tstate *ts, unsigned ttl, unsigned q, const struct pace_out *po)
{
	unsigned idx = (ttl - 1) * (unsigned)ts->in->o->queries + q;
	struct pinfo *p = &ts->p[idx];
	int err;

	ts->sent[ttl]++;
	p->keyed = (uint8_t)po->keyed;
	p->key = po->key;
	p->measured = (uint8_t)po->measured;
	p->dside = (uint8_t)po->dside;
	p->group = (uint8_t)po->group;
	if (po->measured)
		ts->meas[ttl]++;
	if ((err = ts->in->io->send(ts, ttl, q)) != 0) {
		p->state = PS_EXPIRED;  /* sent and lost, as far as the hop goes */
		p->keyed = 0;
		ts->failed++;
		if (ts->send_err != err)
			HW_DEBUG(ts->in->ctx, "target %s (%s): sending with ttl %u: %s", ts->t->host, ts->t->ip,
			         ttl, strerror(err));
		ts->send_err = err;
		return;
	}
	p->state = PS_WAIT;
	ts->wait[ttl]++;
	if (q == 0)
		ts->q0_wait++;
	ts->order[ts->norder++] = (uint16_t)idx;
	if (ts->norder - ts->ohead == 1)
		arm_timeout(ts);
}

/* Probe (ttl, q) of ts is not sent: out of its responder's budget. */
static void skip_one(struct tstate *ts, unsigned ttl, unsigned q)
{
	ts->p[(ttl - 1) * (unsigned)ts->in->o->queries + q].state = PS_SKIPPED;
	ts->sent[ttl]++;
	ts->skip[ttl]++;
}

/* Put ts at the end of the send ring. */
static void enqueue(struct inst *in, struct tstate *ts)
{
	in->ring[(in->rhead + in->rn) % in->ntargets] = ts;
	in->rn++;
	ts->queued = 1;
}

/* The responder this target's own probes saw at ttl: an answer of this
 * trace, else the last trace's; NULL when it never saw one (a learner). */
static const pkt_ipaddr *own_hop(const struct tstate *ts, unsigned ttl)
{
	unsigned qn = (unsigned)ts->in->o->queries;

	for (unsigned q = 0; ts->rcvd[ttl] && q < qn; q++)
		if (ts->p[(ttl - 1) * qn + q].state == PS_ANSWERED)
			return &ts->p[(ttl - 1) * qn + q].from;
	return ts->last_set & 1ull << (ttl - 1) ? &ts->last[ttl - 1] : NULL;
}

/* Send what the pacing hook allows, round robin over the traces with
 * something to send; a trace whose next probe must wait (its spread) goes
 * to the back of the ring.  Arm the timer for the rest: the pps bucket's
 * wait, or the soonest spread. */
static void pump(struct inst *in)
{
	double now = hw_mono(), soonest = INFINITY;
	size_t pass = in->rn;  /* traces to look at before all are known to wait */

	in->send_armed = 0;
	while (in->rn && pass) {
		struct tstate *ts = in->ring[in->rhead];
		struct pace_out po;
		unsigned ttl, q;
		double at;
		int r = PACE_GO;

		in->rhead = (in->rhead + 1) % in->ntargets;
		in->rn--;
		ts->queued = 0;
		if (!ts->active || !next_probe(ts, now, &ttl, &q, &at)) {
			pass = in->rn;
			continue;
		}
		if (at > now) {
			/* its next query waits for its spread: the next trace */
			if (at < soonest)
				soonest = at;
			enqueue(in, ts);
			pass--;
			continue;
		}
		r = pace(in, ts, ttl, q, own_hop(ts, ttl), now, &po);
		if (r == PACE_WAIT) {
			/* back at the head: it goes first when the bucket refills */
			in->rhead = (in->rhead + in->ntargets - 1) % in->ntargets;
			in->ring[in->rhead] = ts;
			in->rn++;
			ts->queued = 1;
			hw_timer_arm(in->send_timer, po.wait);
			in->send_armed = 1;
			return;
		}
		if (r == PACE_SKIP)
			skip_one(ts, ttl, q);
		else
			send_one(ts, ttl, q, &po);
		/* the gate first: when the last query-0 send failed, nothing
		 * waits, and the later queries may go now (issue 14) */
		check_gate(ts);
		if (has_next(ts))
			enqueue(in, ts);
		maybe_finish(ts);  /* when the last sends all failed, or were skipped */
		pass = in->rn;
		now = hw_mono();
	}
	if (in->rn) {
		hw_timer_arm(in->send_timer, soonest > now ? soonest - now : 0);
		in->send_armed = 1;
	}
}

static void send_cb(void *arg)
{
	pump(arg);
}

/* ts may have something to send: queue it and make sure the pump runs. */
static void wake(struct tstate *ts)
{
	struct inst *in = ts->in;

	if (!ts->active || ts->queued || !has_next(ts))
		return;
	enqueue(in, ts);
	if (!in->send_armed) {
		hw_timer_arm(in->send_timer, 0);
		in->send_armed = 1;
	}
}

/* ------------------------------------------------------------------ */
/* Rounds                                                               */

/* Tie the state of target slot `t` to the instance (its probe pools, echo
 * identifier, timer): at start, and again in path_run after a dynamic
 * target's data was zeroed (path_forget).  0, or -1 when out of memory. */
static int tstate_bind(struct inst *in, hw_target *t)
{
	struct tstate *ts = t->data;
	size_t np = (size_t)in->o->max_ttl * (size_t)in->o->queries, i = t->index;

	ts->in = in;
	ts->t = t;
	ts->p = in->pool + i * np;
	ts->order = in->opool + i * np;
	ts->last = in->lpool + i * (size_t)in->o->max_ttl;
	ts->ident = (uint16_t)(in->ident_base + i);
	ts->gen = hwc_rng_next(&in->rng) % GEN_MOD;  /* so that a restart does not reuse the ids at once */
	ts->key = (uint16_t)hwc_rng_next(&in->rng);
	in->tsv[i] = ts;
	return (ts->timer = hw_timer_new(in->ctx, timeout_cb, ts)) ? 0 : -1;
}

void path_forget(void *state, hw_target *t)
{
	struct inst *in = state;
	struct tstate *ts = t->data;
	size_t k = 0;

	if (!ts->in)
		return;  /* never ran since its data was zeroed */
	unhash(ts);
	/* out of the send ring (only a trace with something to send is in it) */
	for (size_t i = 0; ts->queued && i < in->rn; i++) {
		struct tstate *x = in->ring[(in->rhead + i) % in->ntargets];
		if (x != ts)
			in->ring[(in->rhead + k++) % in->ntargets] = x;
	}
	if (ts->queued)
		in->rn = k;
	/* its votes for the responders the targets agree on */
	for (unsigned ttl = 1; ttl <= (unsigned)in->o->max_ttl && ttl <= HW_PATH_MAX_HOPS; ttl++) {
		struct tguess *g = path_guess(ts->family, ttl);
		uint64_t bit = 1ull << (ttl - 1);
		if ((ts->told & bit) && g->nknow)
			g->nknow--;
		if ((ts->told & bit) && (ts->last_set & bit) && g->agree && g->family == ts->family &&
		    path_addr_eq(ts->family, &g->addr, &ts->last[ttl - 1]))
			g->agree--;
	}
	hw_timer_free(ts->timer);
}

void path_run(void *state, hw_target *t)
{
	struct inst *in = state;
	struct tstate *ts = t->data;
	const struct opts *o = in->o;
	size_t np = (size_t)o->max_ttl * (size_t)o->queries;
	int err;

	if (!ts->in && tstate_bind(in, t) < 0) {
		HW_ERROR(in->ctx, "target %s: out of memory", t->host);
		hw_done(in->ctx, t);
		return;
	}

	unhash(ts);
	ts->gen++;
	/* tcp: the sequence numbers grow from trace to trace (by 1024 a trace,
	 * key + 1 where the trace number wraps), never by more than a SYN/ACK's
	 * window (about 64 KB).  A destination still holding the half-open
	 * connection of an earlier trace (our reset of its SYN/ACK was lost)
	 * takes the next SYN as in its window and resets it: an RST+ACK of
	 * that SYN, an answer.  A SYN out of the window would draw a bare ACK
	 * of the old one, at most 2 a second (tcp_invalid_ratelimit), and the
	 * trace's SYNs to the destination would go unanswered. */
	if (ts->gen % GEN_MOD == 0)
		ts->key++;
	memset(ts->sent, 0, sizeof ts->sent);
	memset(ts->rcvd, 0, sizeof ts->rcvd);
	memset(ts->wait, 0, sizeof ts->wait);
	memset(ts->skip, 0, sizeof ts->skip);
	memset(ts->meas, 0, sizeof ts->meas);
	for (size_t i = 0; i < np; i++)
		ts->p[i] = (struct pinfo){ .rtt = NAN, .state = PS_UNSENT };
	ts->norder = ts->ohead = 0;
	ts->dest_ttl = ts->stop_ttl = ts->q0_wait = ts->dest_far = 0;
	ts->open = 0;
	ts->end_shared_miss = 0;
	ts->failed = 0;
	ts->send_err = 0;
	ts->family = t->family;
	memset(&ts->dst, 0, sizeof ts->dst);
	path_sa_addr((const struct sockaddr *)&t->addr, t->addrlen, t->family, &ts->dst);
	ts->dport = in->proto->port ? (uint16_t)(o->port ? o->port : t->port ? t->port : in->proto->port) : 0;
	ts->lim = (unsigned)o->max_ttl;
	if (!ts->hint) {
		/* never found its end: start from where other traces found this
		 * destination (a guess: past it the trace goes on as usual) */
		const struct shop *s = shop_get(in, ts->family, 0, &ts->dst, 0);
		if (s && s->dist) {
			ts->hint = s->dist;
			ts->hint_reached = 1;
			ts->hint_firm = 0;
			ts->end_lim = s->lim;
			ts->end_addr = ts->dst;
		}
	}
	/* query 0 stops HINT_SLACK past the last end, to see a longer path
	 * at once; at an end that rate-limits its answers (end_lim) those
	 * probes would spend its few tokens: a longer path shows there once
	 * query 0 settles (a router answers at the old end's TTL) */
	if (ts->hint && ts->hint + (ts->end_lim ? 0 : HINT_SLACK) < ts->lim)
		ts->lim = ts->hint + (ts->end_lim ? 0 : HINT_SLACK);
	ts->t0 = hw_mono();
	ts->active = 1;
	rehash(ts);
	if ((err = in->io->prepare(ts)) != 0) {
		/* nothing can be sent: every probe counts as sent and lost */
		ts->send_err = err;
		for (unsigned ttl = 1; ttl <= ts->lim; ttl++)
			ts->sent[ttl] = (uint8_t)o->queries;
		for (size_t i = 0; i < np; i++)
			ts->p[i].state = PS_EXPIRED;
		ts->open = 1;
		HW_DEBUG(in->ctx, "target %s (%s): %s", t->host, t->ip, strerror(err));
		maybe_finish(ts);
		return;
	}
	wake(ts);
}

void path_readdress(void *state, hw_target *t)
{
	struct inst *in = state;
	struct tstate *ts = t->data;

	ts->hint = 0;  /* a new address: its distance is unknown */
	ts->hint_reached = ts->hint_firm = ts->end_lim = 0;
	ts->last_set = 0;
	ts->told = 0;
	memset(ts->dwin_sent, 0, sizeof ts->dwin_sent);
	memset(ts->dwin_rcvd, 0, sizeof ts->dwin_rcvd);
	if (!path_fam_of(in, t->family))
		HW_WARN(in->ctx, "target %s now resolves to %s, but there is no IPv%c socket",
		        t->host, t->ip, t->family == AF_INET ? '4' : '6');
}

/* The instance counters' report (hwc_flusher callback; `arg` is the instance). */
static void flush_cb(void *arg)
{
	path_flush_counters(arg);
}

int path_inst_new(hw_ctx *ctx, const struct opts *o, struct inst **out)
{
	static const struct proto *const protos[] = { &path_proto_icmp, &path_proto_udp, &path_proto_tcp };
	struct inst *in = calloc(1, sizeof *in);
	hw_target *const *tv;
	size_t np = (size_t)o->max_ttl * (size_t)o->queries, nb = 16;
	*out = in;
	if (!in) {
		HW_ERROR(ctx, "out of memory");
		return -1;
	}
	in->ctx = ctx;
	in->o = o;
	in->proto = protos[o->protocol];
	in->holder = -1;
	in->timeout = hw_timeout(ctx);
	in->f4 = (struct fam){ .in = in, .family = AF_INET, .fd = -1, .rfd = -1 };
	in->f6 = (struct fam){ .in = in, .family = AF_INET6, .fd = -1, .rfd = -1 };
	hwc_rng_seed(&in->rng);
	for (int i = 0; i < 4; i++)
		in->cookie[i] = (unsigned char)hwc_rng_next(&in->rng);
	in->ident_base = (uint16_t)hwc_rng_next(&in->rng);
	tv = hw_targets(ctx, &in->ntargets);
	while (nb < 2 * in->ntargets)
		nb *= 2;
	in->hmask = nb - 1;
	in->htab = calloc(nb, sizeof *in->htab);
	in->tsv = calloc(in->ntargets + 1, sizeof *in->tsv);
	in->ring = calloc(in->ntargets + 1, sizeof *in->ring);
	in->pool = calloc(in->ntargets * np + 1, sizeof *in->pool);
	in->opool = calloc(in->ntargets * np + 1, sizeof *in->opool);
	in->lpool = calloc(in->ntargets * (size_t)o->max_ttl + 1, sizeof *in->lpool);
	in->send_timer = hw_timer_new(ctx, send_cb, in);
	in->shops = shops_get();
	if (in->shops)
		guess_targets += in->ntargets;
	if (isnan(path_born))
		path_born = hw_mono();
	in->budget = budget_shared_get(hw_mono());
	if (!in->htab || !in->tsv || !in->ring || !in->pool || !in->opool || !in->lpool ||
	    !in->send_timer || !in->shops || !in->budget) {
		HW_ERROR(ctx, "out of memory for %zu targets", in->ntargets);
		return -1;
	}
	for (size_t i = 0; i < in->ntargets; i++)
		if (tstate_bind(in, tv[i]) < 0) {
			HW_ERROR(ctx, "out of memory");
			return -1;
		}
	hwc_bucket_init(&in->bucket, o->pps, PACE_DEPTH, hw_mono());
	if (hwc_flusher_start(&in->flusher, ctx, flush_cb, in) < 0) {
		HW_ERROR(ctx, "out of memory");
		return -1;
	}
	return 0;
}

void path_inst_free(struct inst *in)
{
	if (!in)
		return;
	hwc_flusher_stop(&in->flusher);  /* the last counters; nothing when it never started */
	for (size_t i = 0; in->tsv && i < in->ntargets; i++)
		if (in->tsv[i])
			hw_timer_free(in->tsv[i]->timer);
	hw_timer_free(in->send_timer);
	free(in->htab);
	free(in->ring);
	free(in->pool);
	free(in->opool);
	free(in->lpool);
	if (in->shops)
		guess_targets -= in->ntargets;
	shops_put(in->shops);
	budget_shared_put(in->budget);
	free(in->tsv);
	free(in);
}
