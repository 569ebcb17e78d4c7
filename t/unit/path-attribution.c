/*
 * t/unit/path-attribution.c: loss attribution of the path plugin
 * (plugins/path/attribution.c, linked with the path objects).  Tables of exact
 * cases (lossless, rate-limited hops, silent hops, unmeasured hops, loss
 * from hop k on, unreached destinations, bad input), then simulated rounds
 * with a seeded generator: real loss from a hop on is estimated without
 * bias, a rate-limiting router gets no loss, in rounds of 3 queries; and
 * the engine's windows round after round (a router answering 6, then 1 a
 * round): 10 % each way and 30 % from a hop on, a silent router.
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
	{ "noisy real loss from hop 3: the destination's figure from the onset on, not a minimum", 1, 5,
	  { { 100, 100, 0 }, { 100, 100, 0 }, { 100, 76, 0 }, { 100, 84, 0 }, { 100, 79, 0 } },
	  { 0, 0, 21, 21, 21 }, { 100, 100, 76, 84, 79 }, { 0 }, { A, A, A, A, A } },
	{ "20% lost from hop 3, hop 4 also rate-limits (50%)", 1, 5,
	  { { 100, 100, 0 }, { 100, 100, 0 }, { 100, 80, 0 }, { 100, 40, 0 }, { 100, 80, 0 } },
	  { 0, 0, 20, 20, 20 }, { 100, 100, 80, 40, 80 }, { 0, 0, 0, 1, 0 }, { A, A, A, A, A } },
	{ "19% lost from hop 4; hops 1-3 answer half (another prober spends their limit): no value, not 19", 1, 6,
	  { { 32, 16, 0 }, { 32, 16, 0 }, { 32, 16, 0 }, { 32, 26, 0 }, { 32, 26, 0 }, { 100, 81, 0 } },
	  { -1, -1, -1, 19, 19, 19 }, { 50, 50, 50, 81.25, 81.25, 81 }, { 1, 1, 1, 0, 0, 0 }, { A, A, A, A, A, A } },
	{ "silent hop 2: unknown, loss of the hops after it (0), not 100", 1, 5,
	  { { 3, 3, 0 }, { 3, 0, 0 }, { 3, 3, 0 }, { 3, 3, 0 }, { 3, 3, 0 } },
	  { 0, 0, 0, 0, 0 }, { 100, 0, 100, 100, 100 }, { 0 }, { A, K, A, A, A } },
	{ "destination loses 1 of 3, 15 answers a hop: clean before it", 1, 3,
	  { { 15, 15, 0 }, { 15, 15, 0 }, { 3, 2, 0 } },
	  { 0, 0, 100.0 / 3 }, { 100, 100, 100.0 * 2 / 3 }, { 0 }, { A, A, A } },
	{ "loss from hop 2 on, 60 clean answers at hop 1: 0 there", 1, 3,
	  { { 60, 60, 0 }, { 30, 25, 0 }, { 30, 27, 0 } },
	  { 0, 10, 10 }, { 100, 100.0 * 25 / 30, 90 }, { 0 }, { A, A, A } },
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
	{ "destination loses 1 of 3, 3 answers a hop: too few to tell where, no value before it", 1, 3,
	  { { 3, 3, 0 }, { 3, 3, 0 }, { 3, 2, 0 } },
	  { -1, -1, 100.0 / 3 }, { 100, 100, 100.0 * 2 / 3 }, { 0 }, { A, A, A } },
	{ "loss from hop 2 on: the destination's 10, not hop 2's noisier 16.7; 30 clean answers too few", 1, 3,
	  { { 30, 30, 0 }, { 30, 25, 0 }, { 30, 27, 0 } },
	  { -1, 10, 10 }, { 100, 100.0 * 25 / 30, 90 }, { 0 }, { A, A, A } },
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

/* The binomial tail and the rate-limit evidence the budget backs off on. */
static void test_tail(void)
{
	is_double(attr_tail(0, 10, 0.2), 1, 0, "no miss: tail 1");
	is_double(attr_tail(10, 10, 0.5), 1.0 / 1024, 1e-12, "10 of 10 at 1/2: 2^-10");
	is_double(attr_tail(3, 10, 0.19), 1 - 0.1215766546 - 0.2851798 - 0.3010231, 1e-6, "3 of 10 at 19%%");
	is_double(attr_tail(1, 5, 0), 0, 0, "any miss at 0 loss: 0");
	is_double(attr_tail(6, 5, 0.5), 0, 0, "more misses than probes: 0");
	ok(attr_rate_limited(1, 20, 0), "lossless path: a single miss is a rate limit");
	ok(!attr_rate_limited(0, 20, 0), "no miss, no rate limit");
	ok(!attr_rate_limited(3, 10, 0.19), "3 of 10 where the destination loses 19%%: forwarding loss");
	ok(!attr_rate_limited(9, 32, 0.19), "9 of 32 at 19%%: still forwarding loss");
	ok(attr_rate_limited(14, 32, 0.19), "14 of 32 at 19%%: more than the loss explains");
	ok(attr_rate_limited(3, 10, 0.01), "3 of 10 at 1%%: a rate limit");
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

/*
 * The engine's windows, round after round (t6100's lab): `nh` TTLs, the
 * last the destination.  A router answers its burst of 6 probes in the
 * first round, then one a round (Linux: 1/s per source, rounds 1 s
 * apart), into a window of its last 32 outcomes (SHARE_WINDOW); the
 * destination answers every one of `dq` probes a round, over a window of
 * 8 rounds (DEST_WINDOW).  A probe to a TTL >= `from` is dropped with
 * `fwd` on the way and its reply with `back`; hop `silent` answers
 * nothing, hop `lim` only `resp` of what reaches it.  `rounds` rounds,
 * `runs` times: the mean per hop into mean[], and the share of rounds in
 * which each hop read above `high` percent into over[].  With `warm`, the
 * loss starts after that many lossless rounds (windows full of clean
 * samples), and only rounds `count` and later from its start are counted.
 */
struct wsim {
	unsigned nh, from, silent, lim, dq, rounds, runs, warm, count;
	double fwd, back, resp, high;
};
static void simulate_windows(const struct wsim *w, double mean[8], double over[8], double valued[8])
{
	double sum[8] = { 0 }, cnt[8] = { 0 }, hi[8] = { 0 }, tot = 0;

	for (unsigned run = 0; run < w->runs; run++) {
		uint64_t bits[8] = { 0 };       /* window of outcomes, bit 0 the newest (hops) */
		unsigned nwin[8] = { 0 }, dsent[8] = { 0 }, drcvd[8] = { 0 };
		for (unsigned r = 0; r < w->warm + w->rounds; r++) {
			struct attr_in in[8];
			struct attr_out out[8];
			int lossy = r >= w->warm;
			for (unsigned h = 0; h + 1 < w->nh; h++) {
				for (unsigned k = 0; k < (r ? 1u : 6u); k++) {
					int ans = h + 1 != w->silent;
					if (h + 1 >= w->from && lossy)
						ans = ans && uniform() >= w->fwd && uniform() >= w->back;
					if (h + 1 == w->lim)
						ans = ans && uniform() < w->resp;
					bits[h] = bits[h] << 1 | (uint64_t)ans;
					if (nwin[h] < 32)
						nwin[h]++;
				}
				in[h] = (struct attr_in){ .sent = nwin[h],
				                          .received = (unsigned)__builtin_popcountll(bits[h] & ((1ull << nwin[h]) - 1)) };
			}
			dsent[r % 8] = w->dq;
			drcvd[r % 8] = 0;
			for (unsigned k = 0; k < w->dq; k++)
				drcvd[r % 8] += w->nh >= w->from && lossy ? uniform() >= w->fwd && uniform() >= w->back : 1;
			in[w->nh - 1] = (struct attr_in){ 0 };
			for (unsigned i = 0; i < 8; i++) {
				in[w->nh - 1].sent += dsent[i];
				in[w->nh - 1].received += drcvd[i];
			}
			if (!in[w->nh - 1].received || r < w->warm + w->count)
				continue;  /* not reached, or not counted */
			attr_path(in, w->nh, 1, 0, out);
			tot++;
			for (unsigned h = 0; h < w->nh; h++)
				if (!isnan(out[h].loss)) {
					sum[h] += out[h].loss;
					cnt[h]++;
					hi[h] += out[h].loss > w->high;
				}
		}
	}
	for (unsigned h = 0; h < w->nh; h++) {
		mean[h] = cnt[h] ? sum[h] / cnt[h] : NAN;
		over[h] = cnt[h] ? hi[h] / cnt[h] : NAN;
		valued[h] = tot ? 100 * cnt[h] / tot : 0;
	}
}

static void test_windows(void)
{
	double m[8], o[8], v[8];
	struct wsim w;

	/* t6100: 10 % each way into hop 4 of 6, 10 queries, 11 rounds */
	w = (struct wsim){ .nh = 6, .from = 4, .fwd = 0.1, .back = 0.1, .dq = 10, .rounds = 11,
	                   .runs = 400, .high = 1 };
	for (unsigned r = 6; r <= 30; r += 4) {
		w.rounds = r;
		simulate_windows(&w, m, o, v);
		diag("rounds %u: %.2f %.2f %.2f %.2f %.2f %.2f; rounds with a value at hops 3, 4, 5: %.0f %.0f %.0f %%",
		     r, m[0], m[1], m[2], m[3], m[4], m[5], v[2], v[3], v[4]);
	}
	w.rounds = 11;
	simulate_windows(&w, m, o, v);
	diag("10%% each way from hop 4: %.2f %.2f %.2f %.2f %.2f %.2f; hops 1..3 above 1%%: %.1f %.1f %.1f %%",
	     m[0], m[1], m[2], m[3], m[4], m[5], 100 * o[0], 100 * o[1], 100 * o[2]);
	ok(m[0] <= 1 && m[1] <= 1 && m[2] <= 1, "windows, 10%% each way from hop 4: hops 1..3 at most 1%%");
	ok(fabs(m[3] - 19) <= 3 && fabs(m[4] - 19) <= 3 && fabs(m[5] - 19) <= 3,
	   "and hops 4, 5 and the destination 19 +- 3, with 6 + 1 a round probes per hop");
	/* a hop reads the loss once its samples prove the onset at or before
	 * it (ATTR_BLAME_LR): with one sample a round, hop 4 cannot in the
	 * first rounds */
	ok(v[3] >= 50 && v[4] >= 80, "hops 4 and 5 have a value in 50 and 80 %% of the rounds or more (%.0f, %.0f)",
	   v[3], v[4]);

	/* t6010: 30 % one way below hop 2 of 5, 10 queries, 6 rounds */
	w = (struct wsim){ .nh = 5, .from = 3, .fwd = 0.3, .dq = 10, .rounds = 6, .runs = 1000, .high = 0 };
	simulate_windows(&w, m, o, v);
	diag("30%% from hop 3: %.2f %.2f %.2f %.2f %.2f; hops 1, 2 above 0: %.1f %.1f %%",
	     m[0], m[1], m[2], m[3], m[4], 100 * o[0], 100 * o[1]);
	ok(o[0] == 0 && o[1] == 0, "windows, 30%% from hop 3: hops 1, 2 at exactly 0 in every round");
	ok(fabs(m[2] - 30) <= 5 && fabs(m[3] - 30) <= 5 && fabs(m[4] - 30) <= 5, "hops 3..5 at 30 +- 5");

	/* a silent router at hop 4 of 6, lossless: no loss anywhere */
	w = (struct wsim){ .nh = 6, .from = 9, .silent = 4, .dq = 3, .rounds = 11, .runs = 100, .high = 0 };
	simulate_windows(&w, m, o, v);
	ok(o[0] == 0 && o[1] == 0 && o[2] == 0 && o[3] == 0 && o[4] == 0 && o[5] == 0,
	   "windows, silent hop 4: every hop at 0 in every round, the silent one too");

	/* a silent router at hop 4 with 10 % each way into it: hop 4 takes
	 * the loss after it */
	w = (struct wsim){ .nh = 6, .from = 4, .silent = 4, .fwd = 0.1, .back = 0.1, .dq = 10, .rounds = 11,
	                   .runs = 400, .high = 1 };
	simulate_windows(&w, m, o, v);
	diag("silent hop 4, 10%% each way into it: %.2f %.2f %.2f %.2f %.2f %.2f",
	     m[0], m[1], m[2], m[3], m[4], m[5]);
	ok(m[0] <= 1 && m[1] <= 1 && m[2] <= 1 && fabs(m[3] - 19) <= 3 && fabs(m[4] - 19) <= 3,
	   "windows, silent hop 4 and 19%% from it: 0 before, 19 +- 3 from hop 4 on");

	/* lossless, hop 2 answers 70 % of its budgeted probes (the budget
	 * overshoots its rate limit): no loss anywhere */
	w = (struct wsim){ .nh = 6, .from = 9, .lim = 2, .resp = 0.7, .dq = 10, .rounds = 11, .runs = 100 };
	simulate_windows(&w, m, o, v);
	ok(o[0] == 0 && o[1] == 0 && o[2] == 0 && o[5] == 0, "windows, hop 2 rate-limited, lossless: 0 everywhere");

	/* 10 % each way from hop 4 and hop 2 answering 85 %: hop 2 not blamed */
	w = (struct wsim){ .nh = 6, .from = 4, .fwd = 0.1, .back = 0.1, .lim = 2, .resp = 0.95, .dq = 10,
	                   .rounds = 30, .runs = 400, .high = 1 };
	simulate_windows(&w, m, o, v);
	diag("19%% from hop 4, hop 2 answers 95%%, 30 rounds: %.2f %.2f %.2f %.2f %.2f %.2f; hops 2, 3 above 1%% "
	     "in %.1f %.1f %% of their %.0f %.0f %% of rounds with a value", m[0], m[1], m[2], m[3], m[4], m[5],
	     100 * o[1], 100 * o[2], v[1], v[2]);
	/* until hop 3's own samples bound the onset (17 of them), a miss of
	 * hop 2 may look like the onset of the loss; it reads the loss only
	 * where the evidence proves it (ATTR_BLAME_LR) */
	ok(m[0] <= 1 && m[1] <= 2 && m[2] <= 2,
	   "windows, 19%% from hop 4, hop 2 answering 95%% throughout: hops 1..3 at most 2%%");
	ok(fabs(m[3] - 19) <= 3 && fabs(m[4] - 19) <= 3, "and hops 4, 5 at 19 +- 3");

	/* the loss starts after 60 lossless rounds (windows full of clean
	 * samples): from 15 to 30 rounds after its start, hop 4 reads the
	 * loss in most rounds and 0 in few; the hops before it never read it */
	w = (struct wsim){ .nh = 6, .from = 4, .fwd = 0.1, .back = 0.1, .dq = 10, .warm = 60, .count = 15,
	                   .rounds = 30, .runs = 400, .high = 1 };
	simulate_windows(&w, m, o, v);
	diag("19%% from hop 4 after 60 clean rounds, rounds 15..29 of it: hop 4 reads it in %.0f %%, 0 in %.0f %%",
	     v[3] * o[3], v[3] * (1 - o[3]));
	ok(v[3] * o[3] >= 50 && v[3] * (1 - o[3]) <= 15 && (isnan(o[2]) || o[2] == 0) && (isnan(o[0]) || o[0] == 0),
	   "windows, a loss that starts with the windows full of clean samples: hop 4 shows it within about 15 "
	   "rounds, hops 1..3 never");
}

int main(void)
{
	test_table();
	test_bad();
	test_tail();
	test_simulated();
	test_windows();
	return done_testing();
}
