/*
 * plugins/path/attribution.h: which hop loses packets (issue 13).
 *
 * A hop's missing replies are not always lost packets: a router that
 * rate-limits or deprioritises the ICMP errors it originates answers fewer
 * probes while it forwards every packet.  The tell (mtr's rule of thumb):
 * loss at hop k is real only as far as the hops after it, up to the
 * destination, lose too.  So for each hop of one path this computes two
 * figures from the probes sent to it and the replies it gave:
 *
 *   response  the share of its probes the hop answered, percent:
 *             100 * received / sent.  Says how the router treats ICMP;
 *             says nothing about forwarding.
 *   loss      forwarding loss up to this hop that persists downstream,
 *             percent: an estimate of the share of packets lost on the
 *             way to hop k, made only from loss that the later hops and
 *             the destination show as well.
 *
 * How `loss` is estimated when the destination was reached.  True
 * forwarding loss can only grow along the path, and the destination's
 * loss d (its window: many probes, echo replies are not rate limited) is
 * the figure users alert on.  The question is where d begins (the onset):
 *   - each answering hop's own misses are weighed as a log-likelihood
 *     ratio of "lost at d" against "lost at a floor" (the few misses a rate
 *     limit leaves: 1 %, or d / 4 when smaller); misses beyond what d
 *     explains count no more than d's, and a hop with significantly more
 *     misses than the next answering hop or than d (99.5 %) counts for
 *     nothing: they do not carry on downstream (mtr's rule), and no
 *     forwarding loss before the destination exceeds d (such a hop's
 *     limit is spent by another prober from our address: a second
 *     daemon, mtr);
 *   - the onset is the hop from which the summed ratios up to the
 *     destination are largest (ties to the later hop: no hop is blamed
 *     without evidence), never before a hop whose own samples bound it
 *     (likelier at the floor by a ratio of 30: 0 misses of 17 at 19 %);
 *   - hops from the onset on read d once the onset at or before them is
 *     likelier than any later one by a ratio of 10 (one early miss of a
 *     rate-limited hop is no proof), no value before; hops before it
 *     read 0 once their own
 *     samples, or those of a hop after them, show them clean (a ratio of
 *     300: 0 misses of 29 at 19 %, 1 of 44, 0 of 17 at 30 %: a hop that
 *     loses d reads clean by chance in at most 1 of 300 windows of a
 *     growing run), and carry no value before that (too few samples to tell; a Linux router
 *     answers about 1 probe a second per source).  Where d is under 5 %,
 *     hops before the onset read 0 without that proof.
 * Feed every hop the counts of a window of rounds (the engine's shared
 * hop windows): a hop's own samples are few, the onset pools them all.
 * When the destination was not reached, the hops are fitted from the last
 * answering hop back: each hop's loss rate (100 - response) is compared
 * with the runs of hops after it, pooled, by a one-sided two-proportion
 * z-test at `z` (ATTR_Z_DEFAULT: 1.645, 95 %): significantly more loss is
 * not forwarding loss (the hop is `limited`), significantly less is a
 * real step, within the noise is pooled.
 *
 * Hops that carry no loss value (NAN): a hop that was not measured in the
 * round (out of budget, or nothing sent), and a silent hop with no
 * answering hop after it.  A silent hop (probes sent, none answered) is
 * `unknown`: its response is 0, and its loss is that of the hops after it
 * (a router that never answers may forward perfectly well), never 100 by
 * itself.
 */
#ifndef HW_PATH_ATTRIBUTION_H
#define HW_PATH_ATTRIBUTION_H

#include <stddef.h>

/* The default significance of the test above: one-sided 95 %. */
#define ATTR_Z_DEFAULT 1.645

/* What one hop got in the round (or the window of rounds) to attribute. */
struct attr_in {
	unsigned sent;                /* probes sent to this TTL */
	unsigned received;            /* replies from this TTL (<= sent) */
	int unmeasured;               /* nonzero: not measured (out of budget); counts ignored */
};

/* What a hop is, for the reader. */
enum attr_state {
	ATTR_ANSWERED,                /* answered at least once */
	ATTR_UNKNOWN,                 /* probes sent, none answered: a silent hop */
	ATTR_UNMEASURED,              /* not measured: no figure at all */
};

/* The figures of one hop. */
struct attr_out {
	enum attr_state state;        /* see enum attr_state */
	double response;              /* percent of probes answered, 0..100; NAN when unmeasured */
	double loss;                  /* percent, forwarding loss persisting downstream, 0..100; NAN: no value */
	int limited;                  /* 1: it answered significantly less than it forwards (rate limit):
	                                 its miss rate above its loss by more than `z` deviations */
};

/*
 * Attribute the loss along one path: `in[0..n-1]` are TTLs 1..n; when
 * `reached` is nonzero, in[n-1] is the destination.  `z` is the one-sided
 * significance in standard deviations (ATTR_Z_DEFAULT; <= 0 takes the
 * default).  Writes out[0..n-1].  Returns 0, or -1 when n is 0 or above
 * 255, or an input has received > sent.  Allocates nothing.
 */
int attr_path(const struct attr_in *in, size_t n, int reached, double z, struct attr_out *out);

/* The chance of `lost` or more misses of `sent` probes that are each lost
 * with probability p (the binomial upper tail), 0..1; 1 when lost is 0. */
double attr_tail(unsigned lost, unsigned sent, double p);

/* Whether a hop that missed `lost` of its last `sent` measured probes is
 * rate limiting (or was probed beyond its limit) rather than losing what
 * the destination loses, `d` (0..1, its window): the misses are more
 * than d explains at 1 % (ATTR_LIMIT_P).  With d 0, any miss.  The
 * engine's budget backs off on this evidence only, not on forwarding
 * loss, which backing off cannot help. */
int attr_rate_limited(unsigned lost, unsigned sent, double d);

#endif
