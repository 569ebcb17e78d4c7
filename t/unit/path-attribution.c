/*
 * t/unit/path-attribution.c: loss attribution of the path plugin
 * (plugins/path/attribution.c, linked with the path objects).  Tables of exact
 * cases (lossless, rate-limited hops, silent hops, unmeasured hops, loss
 * from hop k on, unreached destinations, bad input), then simulated rounds
 * with a seeded generator: real loss from a hop on is estimated without
 * bias, a rate-limiting router gets no loss, in rounds of 3 queries.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "attribution.h"
#include "test-lib.h"

#define NAN_OR(x) (isnan(x) ? -1.0 : (x))

/* in: "sent/received" per hop, "-" unmeasured; loss: want per hop, -1 = NAN */
struct tcase {
	const char *name;
	int reached;
	unsigned n;
	struct attr_in in[8];
	double loss[8];
	double response[8];
	int limited[8];
	enum attr_state state[8];
};

#define U { 0, 0, 1 }              /* unmeasured */
#define A ATTR_ANSWERED
#define K ATTR_UNKNOWN
#define M ATTR_UNMEASURED

static const struct tcase cases[] = {
	{ "lossless, 5 hops", 1, 5,
	  { { 3, 3, 0 }, { 3, 3, 0 }, { 3, 3, 0 }, { 3, 3, 0 }, { 3, 3, 0 } },
	  { 0, 0, 0, 0, 0 }, { 100, 100, 100, 100, 100 }, { 0 }, { A, A, A, A, A } },
	{ "rate-limited hop 2 (2 of 30 answered): response 6.7, loss 0", 1, 5,
	  { { 30, 30, 0 }, { 30, 2, 0 }, { 30, 30, 0 }, { 30, 30, 0 }, { 30, 30, 0 } },
	  { 0, 0, 0, 0, 0 }, { 100, 100.0 * 2 / 30, 100, 100, 100 }, { 0, 1, 0, 0, 0 }, { A, A, A, A, A } },
	{ "hops 1-4 rate-limited, destination clean (the issue's lab)", 1, 5,
	  { { 30, 3, 0 }, { 30, 4, 0 }, { 30, 2, 0 }, { 30, 5, 0 }, { 30, 30, 0 } },
	  { 0, 0, 0, 0, 0 }, { 10, 100.0 * 4 / 30, 100.0 * 2 / 30, 100.0 * 5 / 30, 100 }, { 1, 1, 1, 1, 0 },
	  { A, A, A, A, A } },
	{ "one miss of 3 at hop 2, 9 answers after: not loss", 1, 5,
	  { { 3, 3, 0 }, { 3, 2, 0 }, { 3, 3, 0 }, { 3, 3, 0 }, { 3, 3, 0 } },
	  { 0, 0, 0, 0, 0 }, { 100, 100.0 * 2 / 3, 100, 100, 100 }, { 0, 1, 0, 0, 0 }, { A, A, A, A, A } },
	{ "20% lost from hop 3 on, every hop answers what arrives", 1, 5,
	  { { 100, 100, 0 }, { 100, 100, 0 }, { 100, 80, 0 }, { 100, 80, 0 }, { 100, 80, 0 } },
	  { 0, 0, 20, 20, 20 }, { 100, 100, 80, 80, 80 }, { 0 }, { A, A, A, A, A } },
	{ "noisy real loss from hop 3 is pooled, not minimised", 1, 5,
	  { { 100, 100, 0 }, { 100, 100, 0 }, { 100, 76, 0 }, { 100, 84, 0 }, { 100, 79, 0 } },
	  { 0, 0, 100.0 * 61 / 300, 100.0 * 61 / 300, 21 }, { 100, 100, 76, 84, 79 }, { 0 }, { A, A, A, A, A } },
	{ "20% lost from hop 3, hop 4 also rate-limits (50%)", 1, 5,
	  { { 100, 100, 0 }, { 100, 100, 0 }, { 100, 80, 0 }, { 100, 40, 0 }, { 100, 80, 0 } },
	  { 0, 0, 20, 20, 20 }, { 100, 100, 80, 40, 80 }, { 0, 0, 0, 1, 0 }, { A, A, A, A, A } },
	{ "silent hop 2: unknown, loss of the hops after it (0), not 100", 1, 5,
	  { { 3, 3, 0 }, { 3, 0, 0 }, { 3, 3, 0 }, { 3, 3, 0 }, { 3, 3, 0 } },
	  { 0, 0, 0, 0, 0 }, { 100, 0, 100, 100, 100 }, { 0 }, { A, K, A, A, A } },
	{ "silent hop 2 before 20% loss from hop 3: 20", 1, 4,
	  { { 100, 100, 0 }, { 100, 0, 0 }, { 100, 80, 0 }, { 100, 80, 0 } },
	  { 0, 20, 20, 20 }, { 100, 0, 80, 80 }, { 0 }, { A, K, A, A } },
	{ "hop 2 out of budget: no figures for it, others unchanged", 1, 4,
	  { { 3, 3, 0 }, U, { 3, 3, 0 }, { 3, 3, 0 } },
	  { 0, -1, 0, 0 }, { 100, -1, 100, 100 }, { 0 }, { A, M, A, A } },
	{ "out of budget with sent counts: the flag wins", 1, 3,
	  { { 3, 3, 0 }, { 3, 0, 1 }, { 3, 3, 0 } },
	  { 0, -1, 0 }, { 100, -1, 100 }, { 0 }, { A, M, A } },
	{ "nothing sent to hop 2: unmeasured, not silent", 1, 3,
	  { { 3, 3, 0 }, { 0, 0, 0 }, { 3, 3, 0 } },
	  { 0, -1, 0 }, { 100, -1, 100 }, { 0 }, { A, M, A } },
	{ "destination loses 1 of 3: its own figure, and hops before pool with it", 1, 3,
	  { { 3, 3, 0 }, { 3, 3, 0 }, { 3, 2, 0 } },
	  { 0, 0, 100.0 / 3 }, { 100, 100, 100.0 * 2 / 3 }, { 0 }, { A, A, A } },
	{ "destination keeps its own loss even when pooled with a hop", 1, 3,
	  { { 30, 30, 0 }, { 30, 25, 0 }, { 30, 27, 0 } },
	  { 0, 100.0 * 8 / 60, 10 }, { 100, 100.0 * 25 / 30, 90 }, { 0 }, { A, A, A } },
	{ "not reached, trace ends in silence: silent tail has no loss value", 0, 5,
	  { { 3, 3, 0 }, { 3, 3, 0 }, { 3, 0, 0 }, { 3, 0, 0 }, { 3, 0, 0 } },
	  { 0, 0, -1, -1, -1 }, { 100, 100, 0, 0, 0 }, { 0 }, { A, A, K, K, K } },
	{ "not reached, the last answering hop keeps its own figure", 0, 3,
	  { { 3, 3, 0 }, { 3, 3, 0 }, { 3, 1, 0 } },
	  { 0, 0, 100.0 * 2 / 3 }, { 100, 100, 100.0 / 3 }, { 0 }, { A, A, A } },
	{ "a single hop, the destination", 1, 1,
	  { { 5, 4, 0 } }, { 20 }, { 80 }, { 0 }, { A } },
	{ "all unmeasured", 1, 2,
	  { U, U }, { -1, -1 }, { -1, -1 }, { 0 }, { M, M } },
};

static void test_table(void)
{
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		const struct tcase *t = &cases[c];
		struct attr_out out[8];
		int good = attr_path(t->in, t->n, t->reached, 0, out) == 0;

		for (unsigned i = 0; good && i < t->n; i++) {
			good = fabs(NAN_OR(out[i].loss) - t->loss[i]) < 1e-9 &&
			       fabs(NAN_OR(out[i].response) - t->response[i]) < 1e-9 &&
			       out[i].limited == t->limited[i] && out[i].state == t->state[i];
			if (!good)
				diag("hop %u: loss %g (want %g), response %g (want %g), limited %d (%d), state %d (%d)",
				     i + 1, out[i].loss, t->loss[i], out[i].response, t->response[i],
				     out[i].limited, t->limited[i], (int)out[i].state, (int)t->state[i]);
		}
		ok(good, "%s", t->name);
	}
}

static void test_bad(void)
{
	struct attr_in in[256] = { { 3, 4, 0 } };
	struct attr_out out[256];

	is_int(attr_path(in, 1, 1, 0, out), -1, "received above sent is refused");
	in[0] = (struct attr_in){ 3, 3, 0 };
	is_int(attr_path(in, 0, 1, 0, out), -1, "no hop is refused");
	is_int(attr_path(in, 256, 1, 0, out), -1, "256 hops are refused");
	for (int i = 0; i < 255; i++)
		in[i] = (struct attr_in){ 3, 3, 0 };
	is_int(attr_path(in, 255, 1, 0, out), 0, "255 hops are fine");
	ok(out[254].loss == 0 && out[0].loss == 0, "and lossless");
}

/* xorshift64*: the same numbers on every run */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

/*
 * `rounds` rounds of `q` queries to 5 TTLs (TTL 5 the destination): each
 * probe to a TTL >= `from` is dropped with `drop` each way; hop `lim`
 * (0: none) answers only `resp` of the probes that reach it.  Means over
 * rounds of the per-round loss, per hop, into mean[].
 */
static void simulate(unsigned rounds, unsigned q, unsigned from, double drop, unsigned lim, double resp,
                     double mean[5], double *limited_share)
{
	double sum[5] = { 0 };
	unsigned cnt[5] = { 0 }, lims = 0;

	for (unsigned r = 0; r < rounds; r++) {
		struct attr_in in[5];
		struct attr_out out[5];
		for (unsigned h = 0; h < 5; h++) {
			in[h] = (struct attr_in){ .sent = q };
			for (unsigned k = 0; k < q; k++) {
				int arrives = h + 1 < from || (uniform() >= drop && uniform() >= drop);
				if (arrives && (h + 1 != lim || uniform() < resp))
					in[h].received++;
			}
		}
		attr_path(in, 5, 1, 0, out);
		for (unsigned h = 0; h < 5; h++)
			if (!isnan(out[h].loss)) {
				sum[h] += out[h].loss;
				cnt[h]++;
			}
		lims += lim && out[lim - 1].limited;
	}
	for (unsigned h = 0; h < 5; h++)
		mean[h] = cnt[h] ? sum[h] / cnt[h] : NAN;
	*limited_share = (double)lims / rounds;
}

static void test_simulated(void)
{
	double m[5], ls;

	/* 10% each way from hop 3 on: 1 - 0.9^2 = 19%; 30 probes per hop
	 * (a window of 10 rounds of 3 queries, as the engine should feed) */
	simulate(1000, 30, 3, 0.1, 0, 1, m, &ls);
	diag("19%% from hop 3, 30 probes: %.2f %.2f %.2f %.2f %.2f", m[0], m[1], m[2], m[3], m[4]);
	ok(m[0] <= 1 && m[1] <= 1, "hops before the drop: at most 1%% loss");
	ok(fabs(m[2] - 19) <= 3 && fabs(m[3] - 19) <= 3 && fabs(m[4] - 19) <= 3,
	   "hops from the drop on and the destination: 19 +- 3 (no bias from a minimum)");
	/* one round of 3 queries alone: the test has little power, and an
	 * upward fluctuation of real loss can read as a rate limit */
	simulate(2000, 3, 3, 0.1, 0, 1, m, &ls);
	diag("19%% from hop 3, 3 probes: %.2f %.2f %.2f %.2f %.2f", m[0], m[1], m[2], m[3], m[4]);
	ok(m[0] <= 1 && m[1] <= 1, "3 probes: hops before the drop at most 1%%");
	ok(fabs(m[4] - 19) <= 3, "3 probes: the destination's own figure 19 +- 3");
	ok(m[2] >= 5 && m[2] <= m[3] + 3 && m[3] <= m[4] + 3, "3 probes: loss shows from the drop on, biased low");

	/* lossless, hop 2 answers 30% (a rate limit): no loss anywhere */
	simulate(2000, 3, 9, 0, 2, 0.3, m, &ls);
	diag("hop 2 answers 30%%, 3 queries: %.2f %.2f %.2f %.2f %.2f; flagged limited %.0f%%",
	     m[0], m[1], m[2], m[3], m[4], 100 * ls);
	ok(m[1] <= 5, "a rate-limited hop (30%% answered) gets at most 5%% mean loss in rounds of 3");
	ok(m[0] <= 1 && m[2] <= 2 && m[3] <= 2 && m[4] == 0, "the others at most 2%% (pooling noise), the destination none");

	/* the same pooled over 10 rounds (30 probes): the test has power */
	simulate(500, 30, 9, 0, 2, 0.3, m, &ls);
	diag("hop 2 answers 30%%, 30 probes: %.2f; flagged limited %.0f%%", m[1], 100 * ls);
	ok(m[1] <= 0.5, "with 30 probes a round, under 0.5%% loss");
	ok(ls >= 0.99, "and flagged limited in 99%% of rounds");

	/* a 19% loss from hop 3 and hop 4 answering half of what arrives */
	simulate(1000, 30, 3, 0.1, 4, 0.5, m, &ls);
	diag("19%% from hop 3, hop 4 answers 50%%: %.2f %.2f %.2f %.2f %.2f", m[0], m[1], m[2], m[3], m[4]);
	ok(m[0] <= 1 && m[1] <= 1, "before the drop: none");
	ok(fabs(m[2] - 19) <= 3 && fabs(m[3] - 19) <= 3 && fabs(m[4] - 19) <= 3,
	   "from the drop on, the rate-limited hop included: 19 +- 3");
}

int main(void)
{
	test_table();
	test_bad();
	test_simulated();
	return done_testing();
}
