/*
 * plugins/path/attribution.c: forwarding loss and response rate per hop;
 * see attribution.h for the rule and how to read the figures.
 */
#include <math.h>
#include <stdint.h>

#include "attribution.h"

#define MAX_HOPS 255               /* TTLs at most */
#define ATTR_ONSET_FLOOR 0.01      /* loss rate (1 %) a hop before the onset is allowed for rate-limited
                                      misses, when the destination loses 4 % or more (else a quarter of it) */
#define ATTR_Z_CARRY 2.576         /* one-sided 99.5 %: a hop's misses significantly above the next
                                      hop's do not carry on downstream (strict: chance alone must
                                      rarely take a real onset's evidence away) */
#define ATTR_BOUND_LR 30.0         /* likelihood ratio at which a hop's own samples bound the onset: the
                                      loss the destination sees begins after it (0 misses of 17 at
                                      19 %, of 10 at 30 %).  Early, so that the misses of a
                                      rate-limited hop before it are not taken for the onset */
#define ATTR_CLEAN_LR 300.0        /* likelihood ratio at which a hop before the onset reads 0: its own
                                      samples show it clean of the destination's loss (0 misses of 29
                                      at 19 %, 1 of 44; 0 of 17 at 30 %).  Asked again every round as
                                      a window grows by about one sample a second, a hop that loses d
                                      reads clean by chance at most 1 / ATTR_CLEAN_LR of the time
                                      (Ville's inequality); at 30 the first hop past a 19 % link read
                                      0 for rounds in about 5 % of runs */
#define ATTR_LIMIT_P 0.01          /* chance below which a hop's misses are more than the destination's
                                      loss explains: a rate limit (attr_rate_limited) */
#define ATTR_BLAME_LR 10.0         /* likelihood ratio by which "the loss begins at or before the hop"
                                      must beat every later onset for the hop to read the loss: early,
                                      one miss of a rate-limited hop before the onset is no proof */
#define ATTR_LOCATE_MIN 0.05       /* destination loss (5 %) below which hops before the onset read 0
                                      without samples that show them clean */

/* A run of hops fitted with one loss rate. */
struct block {
	double lost;                   /* probes without a reply, summed over the run */
	double sent;                   /* probes sent, summed */
	unsigned start;                /* its hop nearest the destination, an index into kept[] */
};

/* `a` shows significantly more loss than `b` (one-sided, z deviations). */
static int above(const struct block *a, const struct block *b, double z)
{
	double pa = a->lost / a->sent, pb = b->lost / b->sent;
	double p = (a->lost + b->lost) / (a->sent + b->sent);
	double se = sqrt(p * (1 - p) * (1 / a->sent + 1 / b->sent));

	return se > 0 && pa - pb > z * se;
}

/* The log-likelihood ratio of `lost` of `sent` probes at loss rate d
 * against rate u (u < d): what a hop says for "the loss the destination
 * sees starts here or before".  Misses beyond what d explains are clipped:
 * a hop that answers less than it forwards (a rate limit) says no more for
 * d than a hop that loses exactly d. */
static double onset_llr(double lost, double sent, double d, double u)
{
	double cap = ceil(d * sent);

	if (lost > cap)
		lost = cap;
	return lost * log(d / u) + (sent - lost) * log((1 - d) / (1 - u));
}

/* `lost` of `sent` is significantly more than rate p (one-sided z test;
 * at p = 0 any loss is) */
static int excess(double lost, double sent, double p, double z)
{
	double se = sqrt(p * (1 - p) / sent);

	return lost / sent - p > z * se && lost / sent > p;
}

/*
 * A reached destination that lost d (its window) and hops before it:
 * where does that loss begin?  Each answering hop's own misses are
 * weighed as a log-likelihood ratio of "at d" against "at u" (u: the few
 * misses a rate limit or the budget leaves, ATTR_ONSET_FLOOR).  The onset
 * is the hop from which the sum of these ratios to the destination is
 * largest (a single change point; ties go to the later hop: none is
 * blamed without evidence), but never before a hop whose own misses bound
 * it (likelier at u by ATTR_BOUND_LR): loss that does not persist
 * downstream is not loss (mtr's rule).  Hops from the onset on get d, the
 * figure the destination's many probes back, once an onset at or before
 * them is likelier than any later one by ATTR_BLAME_LR, and no value
 * before that; hops before it get 0 when their own samples, or those of a
 * hop after them, show them clean (by ATTR_CLEAN_LR, ten times the bound:
 * a hop past the onset whose first samples happen to be clean reads no
 * value rather than 0), and no value while they are too few to tell (a
 * router answering 1/s gives few).  Below ATTR_LOCATE_MIN of loss the
 * difference is within a window's noise: hops before the onset read 0.  A
 * silent hop takes the figure of the next answering hop.
 */
static void attr_onset(const struct attr_in *in, size_t n, double z, struct attr_out *out)
{
	double d = (double)(in[n - 1].sent - in[n - 1].received) / in[n - 1].sent;
	double u = d / 4 < ATTR_ONSET_FLOOR ? d / 4 : ATTR_ONSET_FLOOR, s = 0, best = 0, carry, later = 0;
	double prof[MAX_HOPS];              /* candidate onsets: the summed ratios from it on; NAN: none */
	size_t onset = n - 1, next = n - 1;
	int clean_after = 0;                /* an answering hop between i and the onset is clean */

	if (d > 1 - 1e-9)
		d = 1 - 1e-9;
	for (size_t i = 0; i < n; i++)
		prof[i] = NAN;
	for (size_t i = n - 1; d > 0 && i-- > 0;) {
		struct block a, b;
		double e;
		if (out[i].state != ATTR_ANSWERED)
			continue;
		/* significantly more misses than the next answering hop: they do
		 * not carry on downstream, the hop says nothing of the onset */
		a = (struct block){ .lost = in[i].sent - in[i].received, .sent = in[i].sent };
		b = (struct block){ .lost = in[next].sent - in[next].received, .sent = in[next].sent };
		next = i;
		if (above(&a, &b, ATTR_Z_CARRY))
			continue;
		/* significantly more misses than the destination loses: no
		 * forwarding loss before it exceeds that, so the hop answers
		 * less than it forwards (its limit spent by another prober from
		 * our address: a second daemon, mtr), and its misses say
		 * nothing of where the loss begins either */
		if (excess(a.lost, a.sent, d, ATTR_Z_CARRY))
			continue;
		e = onset_llr(a.lost, a.sent, d, u);
		if (e <= -log(ATTR_BOUND_LR))
			break;  /* the loss begins after it */
		s += e;
		prof[i] = s;
		if (s > best) {
			best = s;
			onset = i;
		}
	}
	carry = 100.0 * d;
	for (size_t i = n - 1; i-- > 0;) {
		double level = i >= onset ? d : 0;
		/* later: the best onset after hop i (the destination's is 0) */
		if (i + 1 < n - 1 && !isnan(prof[i + 1]) && prof[i + 1] > later)
			later = prof[i + 1];
		if (out[i].state == ATTR_UNMEASURED)
			continue;
		if (out[i].state == ATTR_ANSWERED) {
			/* a hop is clean when its own samples or those of a hop
			 * after it (before the onset) show it; from the onset on
			 * it reads the loss once an onset at or before it beats
			 * every later one by ATTR_BLAME_LR */
			clean_after = clean_after || (i < onset &&
			              onset_llr(in[i].sent - in[i].received, in[i].sent, d, u) <= -log(ATTR_CLEAN_LR));
			if (i >= onset)
				carry = best - later >= log(ATTR_BLAME_LR) ? 100.0 * level : NAN;
			else
				carry = d < ATTR_LOCATE_MIN || clean_after ? 0 : NAN;
			out[i].limited = excess(in[i].sent - in[i].received, in[i].sent, level, z);
		}
		out[i].loss = carry;
	}
	out[n - 1].loss = 100.0 * d;
}

int attr_path(const struct attr_in *in, size_t n, int reached, double z, struct attr_out *out)
{
	struct block st[MAX_HOPS];     /* the fit so far, from the destination back: a stack of runs */
	unsigned kept[MAX_HOPS];       /* hops that answered, last TTL first */
	double fit[MAX_HOPS];          /* fitted loss rate per hop, NAN: none */
	unsigned nk = 0, ns = 0;
	double carry = NAN;

	if (n == 0 || n > MAX_HOPS)
		return -1;
	if (z <= 0)
		z = ATTR_Z_DEFAULT;
	for (size_t i = 0; i < n; i++)
		if (!in[i].unmeasured && in[i].received > in[i].sent)
			return -1;
	for (size_t i = 0; i < n; i++) {
		out[i] = (struct attr_out){ .state = ATTR_UNMEASURED, .response = NAN, .loss = NAN };
		if (in[i].unmeasured || !in[i].sent)
			continue;
		out[i].response = 100.0 * in[i].received / in[i].sent;
		out[i].state = in[i].received ? ATTR_ANSWERED : ATTR_UNKNOWN;
	}
	if (reached && out[n - 1].state == ATTR_ANSWERED) {
		attr_onset(in, n, z, out);
		return 0;
	}
	/*
	 * Not reached: no destination backs a figure.
	 * From the destination back, so that a hop is always compared with
	 * everything pooled after it.  A run is pooled with the run after it
	 * unless the two differ significantly: significantly more loss is
	 * dropped (limited: it does not persist), significantly less is a
	 * real step up in loss further on.  Pooling the runs that differ by
	 * noise alone, in both directions, keeps the estimate of a flat
	 * stretch unbiased.  A run without a single lost probe is never
	 * pooled upwards: it has shown no forwarding loss at all.
	 */
	for (size_t i = n; i-- > 0;) {
		fit[i] = NAN;
		if (out[i].state != ATTR_ANSWERED)
			continue;
		kept[nk] = (unsigned)i;
		st[ns++] = (struct block){ .lost = in[i].sent - in[i].received, .sent = in[i].sent, .start = nk };
		nk++;
		while (ns >= 2) {
			struct block *a = &st[ns - 1], *b = &st[ns - 2];
			if (a->lost / a->sent >= b->lost / b->sent && above(a, b, z)) {
				for (unsigned k = a->start; k < nk; k++)
					out[kept[k]].limited = 1;
			} else if (a->lost / a->sent >= b->lost / b->sent || (a->lost > 0 && !above(b, a, z))) {
				b->lost += a->lost;
				b->sent += a->sent;
			} else {
				break;
			}
			ns--;
		}
	}
	for (unsigned s = 0; s < ns; s++) {
		unsigned end = s + 1 < ns ? st[s + 1].start : nk;
		for (unsigned k = st[s].start; k < end; k++)
			if (!out[kept[k]].limited)
				fit[kept[k]] = 100.0 * st[s].lost / st[s].sent;
	}
	/* limited and silent hops take the loss of what answers after them */
	for (size_t i = n; i-- > 0;) {
		if (out[i].state == ATTR_UNMEASURED)
			continue;
		if (out[i].state == ATTR_ANSWERED && !out[i].limited)
			carry = fit[i];
		out[i].loss = carry;
	}
	return 0;
}

double attr_tail(unsigned lost, unsigned sent, double p)
{
	double term, sum = 0;

	if (lost == 0)
		return 1;
	if (lost > sent)
		return 0;
	if (p <= 0)
		return 0;
	if (p >= 1)
		return 1;
	/* P(X = lost), then the terms above it by their ratio */
	term = exp(lgamma(sent + 1.0) - lgamma(lost + 1.0) - lgamma(sent - lost + 1.0) + lost * log(p) +
	           (sent - lost) * log1p(-p));
	for (unsigned k = lost; k <= sent; k++) {
		sum += term;
		term *= (double)(sent - k) / (k + 1) * p / (1 - p);
	}
	return sum < 1 ? sum : 1;
}

int attr_rate_limited(unsigned lost, unsigned sent, double d)
{
	return lost > 0 && attr_tail(lost, sent, d) < ATTR_LIMIT_P;
}
