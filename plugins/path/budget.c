/*
 * plugins/path/budget.c: per-responder ICMP probe budget; see budget.h.
 *
 * The table: a fixed array of max_entries slots, a chained hash over them
 * (slot indices; the smallest power of two of buckets >= 2 * max_entries)
 * and an LRU list through the slots.  Everything is allocated by budget_new, so
 * the memory is bounded by max_entries whatever the number of responders.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "budget.h"

#define NIL UINT32_MAX             /* no slot */

/* One responder. */
struct entry {
	struct budget_key key;         /* the responder */
	double rate;                   /* tokens/s */
	double tokens;                 /* at `t`; below 0 is debt */
	double t;                      /* caller's clock, s: when `tokens` was last brought up to date */
	double cut_t;                  /* caller's clock, s: last back-off; -inf: never */
	double answered_at;            /* caller's clock, s: last answer; -inf: never */
	unsigned long long sent, answered, missed, backoffs; /* counts, see struct budget_info */
	int ends_shared;               /* budget_ends_share marked it */
	struct budget_key end_miss;    /* the last end behind it that missed within its budget */
	double end_miss_t;             /* caller's clock, s: when; -inf: never */
	double end_ok_t;               /* caller's clock, s: an end behind it last answered; -inf: never */
	uint32_t hnext;                /* next slot in the hash chain */
	uint32_t prev, next;           /* LRU list: prev is more recent */
};

struct budget {
	struct budget_cfg cfg;         /* a copy of the knobs */
	struct entry *e;               /* cfg.max_entries slots */
	uint32_t *head;                /* hash buckets: first slot of each chain */
	uint32_t mask;                 /* buckets - 1 */
	uint32_t used;                 /* slots in use: e[0 .. used-1] */
	uint32_t mru, lru;             /* ends of the LRU list */
	unsigned refs;                 /* references of the shared budget */
	double drained_at;             /* caller's clock, s: every bucket presumed empty then
	                                  (budget_drained_at); -inf: full buckets */
};

static struct budget *shared;      /* budget_shared_get's, NULL until the first call */

void budget_cfg_default(struct budget_cfg *c)
{
	*c = (struct budget_cfg){
		.rate0 = 1.0,
		.burst = 6.0,
		.rate_min = 0.25,
		.rate_max = 1000.0,
		.increase = 0.05,
		.backoff = 0.5,
		.reserve = 2.0,
		.max_entries = 65536,
	};
}

static int cfg_ok(const struct budget_cfg *c)
{
	return c->rate_min > 0 && c->rate_max >= c->rate_min && c->rate0 >= c->rate_min &&
	       c->rate0 <= c->rate_max && c->burst >= 1 && c->backoff > 0 && c->backoff < 1 &&
	       c->increase >= 0 && c->reserve >= 0 && c->reserve <= c->burst - 1 && c->max_entries > 0 &&
	       c->max_entries < NIL;
}

struct budget *budget_new(const struct budget_cfg *c)
{
	struct budget_cfg d;
	struct budget *b;
	size_t nb = 2;

	if (!c) {
		budget_cfg_default(&d);
		c = &d;
	}
	if (!cfg_ok(c))
		return NULL;
	while (nb < 2 * c->max_entries && nb < ((size_t)1 << 31))
		nb <<= 1;
	b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->cfg = *c;
	b->e = calloc(c->max_entries, sizeof *b->e);
	b->head = malloc(nb * sizeof *b->head);
	if (!b->e || !b->head) {
		budget_free(b);
		return NULL;
	}
	memset(b->head, 0xff, nb * sizeof *b->head);
	b->mask = (uint32_t)(nb - 1);
	b->mru = b->lru = NIL;
	b->drained_at = -INFINITY;
	return b;
}

void budget_free(struct budget *b)
{
	if (!b)
		return;
	free(b->e);
	free(b->head);
	free(b);
}

struct budget *budget_shared_get(double now)
{
	if (!shared && (shared = budget_new(NULL)) != NULL)
		budget_drained_at(shared, now);
	if (shared)
		shared->refs++;
	return shared;
}

void budget_drained_at(struct budget *b, double t)
{
	b->drained_at = t;
}

void budget_shared_put(struct budget *b)
{
	if (!b || b != shared || --shared->refs)
		return;
	budget_free(shared);
	shared = NULL;
}

struct budget_key budget_key_make(int family, const void *addr)
{
	struct budget_key k;

	memset(&k, 0, sizeof k);
	k.family = (unsigned char)family;
	memcpy(k.addr, addr, family == AF_INET6 ? 16 : 4);
	return k;
}

struct budget_key budget_key_group(int family, const void *addr)
{
	struct budget_key k = budget_key_make(family, addr);

	k.family |= 0x80;  /* AF_INET and AF_INET6 are below 0x80 */
	return k;
}

/* FNV-1a over the family and the address. */
static uint32_t hash(const struct budget_key *k)
{
	uint32_t h = 2166136261u;

	h = (h ^ k->family) * 16777619u;
	for (size_t i = 0; i < sizeof k->addr; i++)
		h = (h ^ k->addr[i]) * 16777619u;
	return h;
}

static int same(const struct budget_key *a, const struct budget_key *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, sizeof a->addr);
}

/* The slot of `k`, or NIL. */
static uint32_t find(const struct budget *b, const struct budget_key *k)
{
	uint32_t i = b->head[hash(k) & b->mask];

	while (i != NIL && !same(&b->e[i].key, k))
		i = b->e[i].hnext;
	return i;
}

static void lru_unlink(struct budget *b, uint32_t i)
{
	struct entry *e = &b->e[i];

	if (e->prev != NIL)
		b->e[e->prev].next = e->next;
	else
		b->mru = e->next;
	if (e->next != NIL)
		b->e[e->next].prev = e->prev;
	else
		b->lru = e->prev;
}

static void lru_front(struct budget *b, uint32_t i)
{
	struct entry *e = &b->e[i];

	e->prev = NIL;
	e->next = b->mru;
	if (b->mru != NIL)
		b->e[b->mru].prev = i;
	b->mru = i;
	if (b->lru == NIL)
		b->lru = i;
}

static void hash_unlink(struct budget *b, uint32_t i)
{
	uint32_t *p = &b->head[hash(&b->e[i].key) & b->mask];

	while (*p != i)
		p = &b->e[*p].hnext;
	*p = b->e[i].hnext;
}

/* The tokens a responder first met at `now` is presumed to hold: a full
 * bucket, or what it refilled at rate0 since b->drained_at. */
static double fresh_tokens(const struct budget *b, double now)
{
	double t = (now - b->drained_at) * b->cfg.rate0;

	return t < b->cfg.burst ? (t > 0 ? t : 0) : b->cfg.burst;
}

/* The slot of `k`, made (with the safe initial state) when new, and moved
 * to the front of the LRU list.  A full table gives up its least recently
 * used slot. */
static struct entry *touch(struct budget *b, const struct budget_key *k, double now)
{
	uint32_t i = find(b, k), h;

	if (i != NIL) {
		lru_unlink(b, i);
		lru_front(b, i);
		return &b->e[i];
	}
	if (b->used < b->cfg.max_entries) {
		i = b->used++;
	} else {
		i = b->lru;
		lru_unlink(b, i);
		hash_unlink(b, i);
	}
	h = hash(k) & b->mask;
	b->e[i] = (struct entry){ .key = *k, .rate = b->cfg.rate0, .tokens = fresh_tokens(b, now), .t = now,
	                          .cut_t = -INFINITY, .answered_at = -INFINITY, .end_miss_t = -INFINITY, .end_ok_t = -INFINITY,
	                          .hnext = b->head[h] };
	b->head[h] = i;
	lru_front(b, i);
	return &b->e[i];
}

/* Tokens of `e` at `now` (the bucket refills at `rate`, up to `burst`);
 * a clock that went back refills nothing. */
static double tokens_at(const struct budget *b, const struct entry *e, double now)
{
	double t = e->tokens;

	if (now > e->t)
		t += (now - e->t) * e->rate;
	return t < b->cfg.burst ? t : b->cfg.burst;
}

static void refill(struct budget *b, struct entry *e, double now)
{
	e->tokens = tokens_at(b, e, now);
	if (now > e->t)
		e->t = now;
}

/* The earliest time, never before `now`, at which the bucket of `k`
 * holds `need` tokens (an unknown responder: fresh_tokens). */
static double when_holds(const struct budget *b, const struct budget_key *k, double now, double need)
{
	uint32_t i = find(b, k);
	double t = i == NIL ? fresh_tokens(b, now) : tokens_at(b, &b->e[i], now);
	double rate = i == NIL ? b->cfg.rate0 : b->e[i].rate;

	if (t >= need)
		return now;
	return now + (need - t) / rate;
}

double budget_when(const struct budget *b, const struct budget_key *k, double now)
{
	return when_holds(b, k, now, 1);
}

double budget_when_keep(const struct budget *b, const struct budget_key *k, double now)
{
	return when_holds(b, k, now, 1 + b->cfg.reserve);
}

void budget_end_seen(struct budget *b, const struct budget_key *k, double now)
{
	if (find(b, k) == NIL)
		touch(b, k, now)->tokens = 0;
}

void budget_sent(struct budget *b, const struct budget_key *k, double now)
{
	struct entry *e = touch(b, k, now);

	refill(b, e, now);
	e->tokens -= 1;
	e->sent++;
}

void budget_spent(struct budget *b, const struct budget_key *k, double now)
{
	struct entry *e = touch(b, k, now);

	refill(b, e, now);
	e->tokens = e->tokens >= 1 ? e->tokens - 1 : 0;
	e->sent++;
}

void budget_answered(struct budget *b, const struct budget_key *k, double sent_at, double now,
                     enum budget_grow grow)
{
	struct entry *e = touch(b, k, now);
	double cap = grow == BUDGET_SAFE ? b->cfg.rate0 : b->cfg.rate_max;

	refill(b, e, now);
	e->answered++;
	e->answered_at = now;
	if (e->rate > cap)
		e->rate = cap;
	/* a probe sent before the last cut says nothing about the new rate */
	if (e->rate < cap && e->tokens < 1 + b->cfg.reserve && sent_at >= e->cut_t) {
		e->rate += b->cfg.increase / e->rate;
		if (e->rate > cap)
			e->rate = cap;
	}
}

/* budget_missed and budget_missed_end: `empty` the bucket or not. */
static void missed(struct budget *b, const struct budget_key *k, double sent_at, double now, int empty)
{
	struct entry *e = touch(b, k, now);

	refill(b, e, now);
	e->missed++;
	if (!e->answered || sent_at < e->cut_t)
		return;
	e->rate *= b->cfg.backoff;
	if (e->rate < b->cfg.rate_min)
		e->rate = b->cfg.rate_min;
	if (empty && e->tokens > 0)
		e->tokens = 0;
	e->cut_t = now;
	e->backoffs++;
}

void budget_missed(struct budget *b, const struct budget_key *k, double sent_at, double now)
{
	missed(b, k, sent_at, now, 1);
}

void budget_missed_end(struct budget *b, const struct budget_key *k, double sent_at, double now)
{
	missed(b, k, sent_at, now, 0);
}

int budget_ends_share(struct budget *b, const struct budget_key *k, const struct budget_key *from, double now)
{
	struct budget_key g = budget_key_group(k->family, k->addr);
	struct entry *r = touch(b, k, now), *e, *f;
	int other = r->end_miss_t >= now - BUDGET_SHARE_WINDOW && !same(&r->end_miss, from);

	r->end_miss = *from;
	r->end_miss_t = now;
	if (r->ends_shared || !other)
		return r->ends_shared;
	r->ends_shared = 1;
	if (find(b, &g) != NIL)
		return 1;
	f = touch(b, from, now);
	refill(b, f, now);
	e = touch(b, &g, now);  /* may not reuse f's slot: f is the most recent */
	e->rate = f->rate;
	e->tokens = 0;  /* the host just refused: its bucket is empty */
	e->cut_t = f->cut_t;
	e->answered = f->answered;
	e->answered_at = f->answered_at;
	return 1;
}

int budget_ends_shared(const struct budget *b, const struct budget_key *k)
{
	uint32_t i = find(b, k);

	return i != NIL && b->e[i].ends_shared;
}

void budget_end_behind(struct budget *b, const struct budget_key *k, double now)
{
	touch(b, k, now)->end_ok_t = now;
}

double budget_end_behind_at(const struct budget *b, const struct budget_key *k)
{
	uint32_t i = find(b, k);

	return i != NIL ? b->e[i].end_ok_t : -INFINITY;
}

int budget_state(const struct budget *b, const struct budget_key *k, double now, struct budget_info *out)
{
	uint32_t i = find(b, k);
	const struct entry *e;

	if (i == NIL)
		return -1;
	e = &b->e[i];
	*out = (struct budget_info){ .rate = e->rate, .tokens = tokens_at(b, e, now), .sent = e->sent,
	                             .answered = e->answered, .missed = e->missed, .backoffs = e->backoffs,
	                             .answered_at = e->answered_at };
	return 0;
}

size_t budget_count(const struct budget *b)
{
	return b->used;
}
