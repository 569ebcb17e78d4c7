/*
 * t/unit/path-budget.c: the per-responder probe budget of the path plugin
 * (plugins/path/budget.c, linked with the path objects), driven by a fake
 * clock: the safe start (Linux: 6 at once, then 1/s), sharing between
 * traces, additive increase only while probing at the limit, one
 * multiplicative back-off per loss event, no back-off for a responder that
 * never answered, bounds, the LRU bound of the table, and a simulated
 * Linux router (its inetpeer bucket) that a prober obeying the budget
 * never sees drop a reply.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "budget.h"
#include "test-lib.h"

static struct budget_key v4(uint32_t host)
{
	uint32_t a = htonl(host);

	return budget_key_make(AF_INET, &a);
}

static void test_cfg(void)
{
	struct budget_cfg c;

	budget_cfg_default(&c);
	is_double(c.rate0, 1.0, 0, "default: 1 token a second (Linux icmp_ratelimit 1000 ms)");
	is_double(c.burst, 6.0, 0, "default: a bucket of 6 (Linux's burst)");
	is_double(c.rate_max, 1000.0, 0, "default: at most 1000/s (icmp_msgs_per_sec)");
	ok(c.backoff > 0 && c.backoff < 1, "default back-off is a factor below 1");
	ok(c.rate_min > 0 && c.rate_min <= c.rate0, "default floor is above 0 and below the start");
	is_int((long long)c.max_entries, 65536, "default table bound");

	struct budget_cfg bad = c;
	bad.backoff = 1;
	ok(!budget_new(&bad), "back-off 1 is refused");
	bad = c, bad.rate0 = 0;
	ok(!budget_new(&bad), "a start rate of 0 is refused");
	bad = c, bad.rate0 = 2000;
	ok(!budget_new(&bad), "a start rate above the ceiling is refused");
	bad = c, bad.burst = 0.5;
	ok(!budget_new(&bad), "a bucket below one token is refused");
	bad = c, bad.max_entries = 0;
	ok(!budget_new(&bad), "an empty table is refused");
	bad = c, bad.increase = -1;
	ok(!budget_new(&bad), "a negative increase is refused");
}

static void test_keys(void)
{
	unsigned char a6[16] = { 0xfd, 0, 0, 1 }, b6[16] = { 0xfd, 0, 0, 2 };
	uint32_t a4 = htonl(0x0a000002);
	struct budget_key k4 = budget_key_make(AF_INET, &a4), k6 = budget_key_make(AF_INET6, a6),
	                  k6b = budget_key_make(AF_INET6, b6);
	struct budget *b = budget_new(NULL);
	struct budget_info in;

	ok(b != NULL, "budget_new(NULL) makes a budget with the defaults");
	is_int(k4.addr[4], 0, "an IPv4 key is zero past its 4 bytes");
	budget_sent(b, &k4, 0);
	budget_sent(b, &k6, 0);
	budget_sent(b, &k6, 0);
	is_int((long long)budget_count(b), 2, "one entry per responder, v4 and v6 apart");
	ok(budget_state(b, &k6, 0, &in) == 0 && in.sent == 2, "v6 responder: 2 sent");
	ok(budget_state(b, &k4, 0, &in) == 0 && in.sent == 1, "v4 responder: 1 sent");
	is_int(budget_state(b, &k6b, 0, &in), -1, "an unknown responder has no state");
	is_double(budget_when(b, &k6b, 7.5), 7.5, 0, "an unknown responder may be probed now");
	budget_free(b);
	budget_free(NULL);
}

/* The bucket: 6 at once, then one a second; budget_when is exact. */
static void test_bucket(void)
{
	struct budget *b = budget_new(NULL);
	struct budget_key r1 = v4(0x0a000002);
	struct budget_info in;
	double now = 100;
	int i;

	for (i = 0; i < 6; i++) {
		ok(budget_when(b, &r1, now) == now, "token %d of the burst: now", i + 1);
		budget_sent(b, &r1, now);
	}
	is_double(budget_when(b, &r1, now), now + 1, 1e-9, "the 7th waits one second");
	is_double(budget_when(b, &r1, now + 0.25), now + 1, 1e-9, "asked later, still at +1 s");
	budget_state(b, &r1, now + 0.25, &in);
	is_double(in.tokens, 0.25, 1e-9, "a quarter token after 0.25 s");
	is_double(budget_when(b, &r1, now + 3), now + 3, 0, "after 3 s it may go");
	budget_state(b, &r1, now + 60, &in);
	is_double(in.tokens, 6, 1e-9, "an idle bucket fills up to the burst, not beyond");

	/* a caller that does not wait goes into debt and waits longer */
	now = 200;
	for (i = 0; i < 8; i++)
		budget_sent(b, &r1, now);
	is_double(budget_when(b, &r1, now), now + 3, 1e-9, "2 tokens of debt: 3 s until the next");
	/* a clock going back refills nothing and breaks nothing */
	is_double(budget_when(b, &r1, now - 10), now - 10 + 3, 1e-9, "clock back: no refill");
	budget_free(b);
}

/* Known hops leave the reserve (2 tokens) to learners. */
static void test_reserve(void)
{
	struct budget *b = budget_new(NULL);
	struct budget_key r1 = v4(0x0a000003);
	struct budget_cfg c;
	double now = 10;
	int i;

	is_double(budget_when_keep(b, &r1, now), now, 0, "reserve: an unknown responder may be probed now");
	for (i = 0; i < 4; i++) {
		ok(budget_when_keep(b, &r1, now) == now, "reserve: known-hop probe %d of 4 goes now", i + 1);
		budget_sent(b, &r1, now);
	}
	is_double(budget_when_keep(b, &r1, now), now + 1, 1e-9, "reserve: the 5th waits for 3 tokens (1 s)");
	ok(budget_when(b, &r1, now) == now, "reserve: a learner still finds a token now");
	budget_sent(b, &r1, now);
	budget_sent(b, &r1, now);
	is_double(budget_when(b, &r1, now), now + 1, 1e-9, "reserve: the learners took the last 2");
	is_double(budget_when_keep(b, &r1, now), now + 3, 1e-9, "reserve: known hops wait for 3 tokens again");
	budget_free(b);
	budget_cfg_default(&c);
	c.reserve = c.burst;
	ok(budget_new(&c) == NULL, "reserve: a reserve of the whole burst is refused");
	c.reserve = -1;
	ok(budget_new(&c) == NULL, "reserve: a negative reserve is refused");
}

/* One responder, many traces: the budget is theirs together. */
static void test_shared(void)
{
	struct budget *b = budget_shared_get(-10), *b2 = budget_shared_get(0);
	struct budget_key r1 = v4(0x0a000002);
	int sent = 0;

	ok(b && b == b2, "every instance gets the same process-wide budget");
	/* 20 traces want TTL 1 at t=0, 10 s after the budget was made: 6 go
	 * now, the others wait their turn */
	for (int t = 0; t < 20; t++)
		if (budget_when(b, &r1, 0) <= 0) {
			budget_sent(b, &r1, 0);
			sent++;
		}
	is_int(sent, 6, "20 traces through one first hop: 6 probes at once, not 20");
	budget_shared_put(b2);
	is_int((long long)budget_count(b), 1, "one reference given back: still there");
	budget_shared_put(b);
	b = budget_shared_get(50);
	is_int((long long)budget_count(b), 0, "the last reference frees it: a new one is empty");
	is_double(budget_when(b, &r1, 50), 51, 1e-9, "a new shared budget presumes the routers drained when made");
	budget_shared_put(b);
}

/* A budget presumed drained at t: routers first met after it hold what
 * they refilled since (a daemon restarted at once, issue 13). */
static void test_drained(void)
{
	struct budget *b = budget_new(NULL);
	struct budget_key r1 = v4(0x0a000002), r2 = v4(0x0a000003), r3 = v4(0x0a000004);
	struct budget_info in;

	budget_drained_at(b, 100);
	is_double(budget_when(b, &r1, 100), 101, 1e-9, "drained at 100: a router unknown at 100 has its first token at 101");
	is_double(budget_when_keep(b, &r1, 100.5), 103, 1e-9, "a known hop's probe waits for 1 + reserve tokens: 103");
	budget_sent(b, &r2, 102.5);
	budget_state(b, &r2, 102.5, &in);
	is_double(in.tokens, 1.5, 1e-9, "first met at 102.5: 2.5 tokens refilled, one taken");
	budget_sent(b, &r3, 200);
	budget_state(b, &r3, 200, &in);
	is_double(in.tokens, 5, 1e-9, "first met 100 s later: a full bucket of 6, one taken");
	/* answers to probes not paid from the budget prove the tokens */
	for (int i = 0; i < 6; i++)
		budget_spent(b, &r1, 100.2);
	budget_state(b, &r1, 100.2, &in);
	ok(in.sent == 6 && in.tokens == 0, "6 learners answered at 100.2: no debt (tokens %.2f)", in.tokens);
	is_double(budget_when_keep(b, &r1, 100.2), 103.2, 1e-9, "known hops wait for 3 tokens from then on");
	budget_spent(b, &r3, 200);
	budget_state(b, &r3, 200, &in);
	is_double(in.tokens, 4, 1e-9, "budget_spent takes one token where there is one");
	budget_free(b);
}

/* 10,000 probes of `r`, each sent as soon as budget_when allows from
 * `now` on and answered at once with `grow`; returns the time then. */
static double at_limit(struct budget *b, const struct budget_key *r, double now, enum budget_grow grow)
{
	for (int i = 0; i < 10000; i++) {
		now = budget_when(b, r, now);
		budget_sent(b, r, now);
		budget_answered(b, r, now, now, grow);
	}
	return now;
}

/* Gentle increase: only while the budget holds probing back. */
static void test_increase(void)
{
	struct budget_cfg c;
	struct budget *b;
	struct budget_key r = v4(0x0a010002);
	struct budget_info in;
	double now = 0;

	budget_cfg_default(&c);
	c.increase = 0.5;
	b = budget_new(&c);

	/* idle probing (1 every 10 s): all answered, the bucket never drains */
	for (int i = 0; i < 50; i++, now += 10) {
		budget_sent(b, &r, now);
		budget_answered(b, &r, now, now + 0.001, BUDGET_GROW);
	}
	budget_state(b, &r, now, &in);
	is_double(in.rate, 1.0, 0, "answers while the bucket is full raise nothing");
	is_int((long long)in.answered, 50, "50 answers counted");

	/* pressing: send whenever budget_when allows, every reply comes back */
	double t0 = now;
	while (now < t0 + 10) {
		double w = budget_when(b, &r, now);
		if (w > now) {
			now = w;
			continue;
		}
		budget_sent(b, &r, now);
		budget_answered(b, &r, now, now, BUDGET_GROW);
	}
	budget_state(b, &r, now, &in);
	diag("rate after 10 s at the limit: %.3f/s", in.rate);
	ok(in.rate > 3.5 && in.rate < 7.5, "10 s at the limit, all answered: about +0.5/s per s (1 -> ~6)");
	ok(in.backoffs == 0, "no back-off without a miss");

	/* the ceiling */
	c.rate_max = 2;
	budget_free(b);
	b = budget_new(&c);
	now = 0;
	now = at_limit(b, &r, now, BUDGET_GROW);
	budget_state(b, &r, now, &in);
	is_double(in.rate, 2, 0, "the rate stops at rate_max");
	budget_free(b);

	/* the end of a path recovers from a back-off up to rate0, never past */
	b = budget_new(NULL);
	now = 0;
	budget_sent(b, &r, now);
	budget_answered(b, &r, now, now + 0.001, BUDGET_SAFE);
	budget_sent(b, &r, 1);
	budget_missed(b, &r, 1, 2);
	budget_state(b, &r, 2, &in);
	is_double(in.rate, 0.5, 1e-12, "recover: a miss halved the end's rate");
	now = 2;
	now = at_limit(b, &r, now, BUDGET_SAFE);
	budget_state(b, &r, now, &in);
	is_double(in.rate, 1.0, 0, "recover: back to rate0 (1/s) at the limit, not past it");
	budget_free(b);

	/* a rate learned past rate0 on a lossless path drops to rate0 at
	 * the first answer on a lossy one */
	b = budget_new(NULL);
	now = 0;
	now = at_limit(b, &r, now, BUDGET_GROW);
	budget_state(b, &r, now, &in);
	ok(in.rate > 2, "safe: grown to %.2f/s on a lossless path", in.rate);
	budget_answered(b, &r, now, now, BUDGET_SAFE);
	budget_state(b, &r, now, &in);
	is_double(in.rate, 1.0, 0, "safe: down to rate0 (1/s) at the first answer on a lossy one");
	budget_free(b);
}

/* Quick back-off: once per loss event, only for a responder that answered. */
static void test_backoff(void)
{
	struct budget *b = budget_new(NULL);
	struct budget_key silent = v4(0x0a020002), r = v4(0x0a030002);
	struct budget_info in;

	for (int i = 0; i < 20; i++)
		budget_missed(b, &silent, i, i + 1);
	budget_state(b, &silent, 30, &in);
	is_double(in.rate, 1.0, 0, "a responder that never answered keeps the start rate");
	is_int((long long)in.missed, 20, "its misses are counted");
	is_int((long long)in.backoffs, 0, "and cause no back-off");

	/* r answered; then 6 probes sent at t=10 all miss at t=11 */
	budget_sent(b, &r, 0);
	budget_answered(b, &r, 0, 0.001, BUDGET_GROW);
	for (int i = 0; i < 6; i++)
		budget_sent(b, &r, 10);
	for (int i = 0; i < 6; i++)
		budget_missed(b, &r, 10, 11);
	budget_state(b, &r, 11, &in);
	is_double(in.rate, 0.5, 1e-12, "one burst of misses halves the rate once");
	is_int((long long)in.backoffs, 1, "one back-off for one loss event");
	is_double(in.tokens, 0, 1e-12, "and empties the bucket");
	is_double(budget_when(b, &r, 11), 13, 1e-9, "next probe in 1 / 0.5 s");

	/* a probe sent after the cut that misses again: a second event */
	budget_sent(b, &r, 13);
	budget_missed(b, &r, 13, 14);
	budget_state(b, &r, 14, &in);
	is_double(in.rate, 0.25, 1e-12, "a new miss after the cut halves again");
	budget_sent(b, &r, 20);
	budget_missed(b, &r, 20, 21);
	budget_state(b, &r, 21, &in);
	is_double(in.rate, 0.25, 1e-12, "never below rate_min");
	is_int((long long)in.backoffs, 3, "three cuts counted");
	budget_free(b);
}

/*
 * A Linux router seen from one source: the inetpeer bucket (6 tokens, one
 * more every `ms`), as icmpv4_xrlim_allow.  A prober that sends whenever
 * the budget lets it, with the budget fed by what the router does, gets
 * almost every reply, and still finds about the router's rate.
 */
struct router {
	double tokens, t, per;     /* tokens at t; seconds per token */
};

static int router_allows(struct router *rt, double now)
{
	rt->tokens += (now - rt->t) / rt->per;
	if (rt->tokens > 6)
		rt->tokens = 6;
	rt->t = now;
	if (rt->tokens < 1)
		return 0;
	rt->tokens -= 1;
	return 1;
}

static void simulate(double per, double secs, double *answered_share, double *rate)
{
	struct budget *b = budget_new(NULL);
	struct budget_key k = v4(0x0a040002);
	struct router rt = { .tokens = 6, .t = 0, .per = per };
	struct budget_info in;
	double now = 0;
	unsigned long sent = 0, got = 0;

	while (now < secs) {
		double w = budget_when(b, &k, now);
		if (w > now) {
			now = w;
			continue;
		}
		budget_sent(b, &k, now);
		sent++;
		if (router_allows(&rt, now)) {
			got++;
			budget_answered(b, &k, now, now + 0.0005, BUDGET_GROW);
		} else {
			budget_missed(b, &k, now, now);
		}
		now += 0.001;
	}
	budget_state(b, &k, now, &in);
	*answered_share = (double)got / (double)sent;
	*rate = (double)sent / secs;
	budget_free(b);
}

static void test_linux_router(void)
{
	double share, rate;

	simulate(1.0, 300, &share, &rate);
	diag("Linux default router: %.1f%% answered at %.2f probes/s", 100 * share, rate);
	ok(share >= 0.85, "a default Linux router (1/s): at least 85%% of probes answered");
	ok(rate >= 0.6 && rate <= 1.3, "and it is probed at about its rate of 1/s");

	/* a router that allows 20/s: the budget climbs towards it */
	simulate(0.05, 300, &share, &rate);
	diag("20/s router: %.1f%% answered at %.2f probes/s", 100 * share, rate);
	ok(share >= 0.85, "a 20/s router: at least 85%% answered");
	ok(rate >= 8, "and the budget learns a rate well above the safe start");
}

/* The table is bounded: the least recently used responder makes room. */
static void test_lru(void)
{
	struct budget_cfg c;
	struct budget *b;
	struct budget_info in;
	struct budget_key k;

	budget_cfg_default(&c);
	c.max_entries = 1000;
	b = budget_new(&c);
	for (uint32_t i = 0; i < 50000; i++) {
		k = v4(0x0b000000 + i);
		budget_sent(b, &k, i * 0.001);
		/* responder 0 is used all the time: it stays */
		k = v4(0x0a000002);
		if (i % 100 == 0)
			budget_sent(b, &k, i * 0.001);
	}
	is_int((long long)budget_count(b), 1000, "50,000 responders: the table holds 1000");
	k = v4(0x0a000002);
	ok(budget_state(b, &k, 50, &in) == 0 && in.sent == 500, "a responder in use is kept, its counts too");
	k = v4(0x0b000000 + 49999);
	ok(budget_state(b, &k, 50, &in) == 0, "the newest is there");
	k = v4(0x0b000000 + 10);
	is_int(budget_state(b, &k, 50, &in), -1, "an old one was dropped");
	/* a dropped responder comes back safe */
	budget_sent(b, &k, 60);
	budget_state(b, &k, 60, &in);
	ok(in.rate == 1.0 && in.sent == 1, "back with the safe start rate and fresh counts");
	/* every lookup still finds what is there: walk the whole table */
	int found = 0;
	for (uint32_t i = 0; i < 50000; i++) {
		k = v4(0x0b000000 + i);
		found += budget_state(b, &k, 60, &in) == 0;
	}
	is_int(found, 999, "1000 slots: responder 0 and 999 of the many (the revived one among them)");
	budget_free(b);
}

/* The ends behind a router sharing one limit: not on the misses of one
 * end (loss), but once two ends missed within BUDGET_SHARE_WINDOW; their
 * group then starts empty, not with a fresh burst. */
static void test_ends_share(void)
{
	struct budget *b = budget_new(NULL);
	struct budget_key r = v4(0x0a030002), d1 = v4(0xac110001), d2 = v4(0xac110002);
	struct budget_key g = budget_key_group(AF_INET, r.addr);
	struct budget_info in;

	ok(memcmp(&g, &r, sizeof g) != 0 && memcmp(&g, &d1, sizeof g) != 0, "ends share: a group key is no address key");
	ok(!budget_ends_shared(b, &r), "ends share: not shared at first");
	budget_sent(b, &d2, 0);
	budget_answered(b, &d2, 0, 0.01, BUDGET_SAFE);
	budget_sent(b, &d2, 1);
	budget_missed_end(b, &d2, 1, 2);  /* rate 0.5, tokens stay */
	ok(budget_state(b, &d2, 2, &in) == 0 && in.rate == 0.5 && in.tokens > 4,
	   "ends share: an end's miss halves its rate and leaves its tokens (%.2f)", in.tokens);
	ok(!budget_ends_share(b, &r, &d1, 2) && !budget_ends_share(b, &r, &d1, 5),
	   "ends share: misses of one end alone (loss) mark nothing");
	ok(!budget_ends_share(b, &r, &d2, 20), "ends share: another end, 15 s later: nothing");
	ok(budget_ends_share(b, &r, &d1, 25) && budget_ends_shared(b, &r),
	   "ends share: two ends within 10 s: the ends behind the router share one limit");
	ok(budget_state(b, &g, 25, &in) == 0 && in.rate == 1 && in.tokens == 0,
	   "ends share: the group starts empty at the rate of the end that missed (%.2f, %.2f)", in.rate, in.tokens);
	is_double(budget_when(b, &g, 25), 26, 1e-9, "ends share: its next token in 1 s, not at once");
	budget_sent(b, &g, 26);
	ok(budget_ends_share(b, &r, &d2, 30) && budget_state(b, &g, 30, &in) == 0 && in.sent == 1,
	   "ends share: marking again keeps the group");
	budget_free(b);
}

int main(void)
{
	test_cfg();
	test_keys();
	test_bucket();
	test_reserve();
	test_shared();
	test_drained();
	test_increase();
	test_backoff();
	test_linux_router();
	test_lru();
	test_ends_share();
	return done_testing();
}
