/*
 * plugins/path/attribution.c: forwarding loss and response rate per hop;
 * see attribution.h for the rule and how to read the figures.
 */
#include <math.h>

#include "attribution.h"

#define MAX_HOPS 255               /* TTLs at most */

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
	/*
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
		out[i] = (struct attr_out){ .state = ATTR_UNMEASURED, .response = NAN, .loss = NAN };
		if (in[i].unmeasured || !in[i].sent)
			continue;
		out[i].response = 100.0 * in[i].received / in[i].sent;
		out[i].state = in[i].received ? ATTR_ANSWERED : ATTR_UNKNOWN;
		if (!in[i].received)
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
	if (reached && out[n - 1].state == ATTR_ANSWERED)
		out[n - 1].loss = 100.0 - out[n - 1].response;
	return 0;
}
