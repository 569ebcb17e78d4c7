/*
 * plugins/path/report.c: what a finished trace says: its hops, metrics,
 * the service check, and the trace handed to the core's path store.
 *
 * Metrics per trace (the core adds the prefix and the target tags; all
 * carry protocol:<p>):
 *   path.hops          gauge: hops to the destination, or to the last
 *                      responding hop when it was not reached
 *   path.reachable     gauge: 1 when the destination answered, else 0
 *   path.rtt           gauge, ms: the destination's average RTT (when reached)
 *   path.loss          gauge, percent: of the probes of the destination (at
 *                      its TTL, and those sent past it once it was known;
 *                      100 when not reached)
 * A round whose every probe of the end of the path was out of the end's
 * budget (it answers with rate-limited ICMP errors: a udp destination)
 * sends none of path.reachable, path.rtt, path.loss and path.can_reach,
 * and no figure of the end hop: the round did not measure them.  Its
 * hops' path.hop.loss is attributed against the destination's window,
 * and left out while that window is empty.
 *   path.unknown_hops  gauge: hops up to path.hops that never answered
 *   path.duration      gauge, ms: how long the trace took
 *   path.hop.rtt       gauge, ms, per answering hop, tags hop:<ttl>,
 *                      hop_ip:<address>, and with tag_hop_name hop_name:<name>
 *                      once the host knows it (hw_hop_name; same for loss
 *                      and response)
 *   path.hop.loss      gauge, percent, per hop, tags hop:<ttl>,
 *                      hop_ip:<address or unknown>: forwarding loss up to
 *                      the hop that persists downstream (attribution.h:
 *                      mtr's rule, over the hop's shared window of
 *                      probes); at the destination its own loss this
 *                      trace.  Not sent when the hop has no value this
 *                      round (not measured: out of budget, address unknown;
 *                      or too few samples of its own to tell whether the
 *                      destination's loss begins before it)
 *   path.hop.response  gauge, percent, per hop, same tags: the share of the
 *                      probes to the hop it answered (over the shared
 *                      window of SHARE_WINDOW probes of every target that
 *                      crosses it; at the destination this trace's).  A
 *                      router that rate-limits or deprioritises ICMP reads
 *                      low here and not in path.hop.loss
 * A hop this trace did not probe (its responder's budget spent by other
 * targets, Doubletree) borrows the figures the instance holds for it: its
 * address is this target's own last answer there (or, on a TTL where every
 * target so far saw the same router, that one), its RTT the last answers'.
 *   path.can_reach     service check: OK when reached, else CRITICAL
 * Instance level (every min(interval, 10 s) and at stop):
 *   path.unmatched     count: replies that looked like ours but were not
 *                      (malformed, forged, truncated, stale)
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "attribution.h"
#include "path.h"
#include "stats.h"

void path_flush_counters(struct inst *in)
{
	if (in->unmatched)
		hw_metric1(in->ctx, NULL, "path.unmatched", HW_COUNT, (double)in->unmatched, NULL);
	in->unmatched = 0;
}

/* The responder of ts at ttl: the address most of its own replies came
 * from (the first one on a tie) into *a; 0 when none answered. */
static int own_responder(const struct tstate *ts, unsigned ttl, pkt_ipaddr *a)
{
	unsigned qn = (unsigned)ts->in->o->queries, best = 0;
	const struct pinfo *p = &ts->p[(ttl - 1) * qn];

	for (unsigned i = 0; i < qn; i++) {
		unsigned same = 0;
		if (p[i].state != PS_ANSWERED)
			continue;
		for (unsigned k = 0; k < qn; k++)
			if (p[k].state == PS_ANSWERED && path_addr_eq(ts->family, &p[k].from, &p[i].from))
				same++;
		if (same > best) {
			best = same;
			*a = p[i].from;
		}
	}
	return best > 0;
}

/* h's received count and RTT figures from the `n` RTTs at rtt (ms, NAN
 * for a probe not answered, in the order the probes went). */
static void hop_rtts(hw_hop *h, const double *rtt, size_t n)
{
	hwc_rtt st;

	h->received = (unsigned)hwc_rtt_stats(rtt, n, &st, NULL);
	if (h->received) {
		h->rtt_min = st.min;
		h->rtt_avg = st.avg;
		h->rtt_max = st.max;
		h->rtt_stddev = st.stddev;
		h->rtt_jitter = st.jitter;
	}
}

void path_make_hop(const struct tstate *ts, unsigned ttl, hw_hop *h)
{
	unsigned qn = (unsigned)ts->in->o->queries;
	const struct pinfo *p = &ts->p[(ttl - 1) * qn];
	double rtt[MAX_QUERIES] = { 0 };
	pkt_ipaddr from;

	memset(h, 0, sizeof *h);
	h->sent = (unsigned)ts->sent[ttl] - ts->skip[ttl];
	h->response = h->loss = NAN;
	for (unsigned i = 0; i < qn; i++)
		rtt[i] = p[i].state == PS_ANSWERED ? p[i].rtt : NAN;
	hop_rtts(h, rtt, qn);
	if (own_responder(ts, ttl, &from))
		inet_ntop(ts->family, &from, h->ip, sizeof h->ip);
}

/* Whether probe index i of ts is one of the end of its path at TTL n:
 * every probe at n, and those sent past n as probes of the end
 * (pinfo.dside: past the destination they reach the same host).  Probes
 * past n sent before the end was known are not: a burst of them to a
 * destination that rate limits its answers (the first trace's query 0
 * at every TTL) would read as its loss. */
static int end_probe(const struct tstate *ts, size_t i, unsigned n)
{
	unsigned ttl = (unsigned)(i / (unsigned)ts->in->o->queries) + 1;

	/* a probe past the end still in flight has no outcome: the trace
	 * ends once the end itself answered, and the probes sent past it
	 * with it answer microseconds later (counted lost, one query read
	 * 50 % on a clean path).  Waiting for them instead read 19 % loss as
	 * 6 %: a round whose probe at the end was lost then found the
	 * destination farther, at loss 0.  Left out, the probes counted
	 * still depend on the end's own outcome: with one query, lost / sent
	 * over many rounds is right, but the mean of the rounds' path.loss
	 * reads low under loss (8.5 % for 19 %, as before this) */
	return (ttl == n || (ttl > n && ts->p[i].dside)) && ts->p[i].state != PS_WAIT;
}

/* Probes of ts at or past the last trace's destination (hint) sent as
 * probes of it (pinfo.dside) and not answered this trace. */
static unsigned end_lost(const struct tstate *ts)
{
	size_t np = (size_t)ts->in->o->max_ttl * (unsigned)ts->in->o->queries;
	unsigned lost = 0;

	for (size_t i = (size_t)(ts->hint - 1) * (unsigned)ts->in->o->queries; i < np; i++)
		if (ts->p[i].dside && ts->p[i].state == PS_EXPIRED)
			lost++;
	return lost;
}

/* Push one trace's counts of the destination into ts's window (the last
 * DEST_WINDOW traces that probed it); nothing when it sent none. */
static void dest_window_add(struct tstate *ts, unsigned sent, unsigned rcvd)
{
	if (!sent)
		return;
	ts->dwin_sent[ts->dwin_i] = (uint16_t)sent;
	ts->dwin_rcvd[ts->dwin_i] = (uint16_t)rcvd;
	ts->dwin_i = (ts->dwin_i + 1) % DEST_WINDOW;
}

/* The figures of the end of ts's path at TTL n (the destination, or the
 * router that said unreachable) into *h: over every probe of the end this
 * trace (end_probe), RTTs in send order; its address the first answer's. */
static void end_hop(const struct tstate *ts, unsigned n, hw_hop *h)
{
	size_t np = (size_t)ts->in->o->max_ttl * (unsigned)ts->in->o->queries, k = 0;
	double rtt[HW_PATH_MAX_HOPS * MAX_QUERIES];

	memset(h, 0, sizeof *h);
	h->response = h->loss = NAN;
	for (size_t i = (size_t)(n - 1) * (unsigned)ts->in->o->queries; i < np; i++)
		if (end_probe(ts, i, n) && ts->p[i].state != PS_UNSENT && ts->p[i].state != PS_SKIPPED)
			h->sent++;  /* failed sends included: sent and lost */
	for (unsigned j = 0; j < ts->norder; j++) {
		const struct pinfo *p = &ts->p[ts->order[j]];
		if (!end_probe(ts, ts->order[j], n))
			continue;
		rtt[k++] = p->state == PS_ANSWERED ? p->rtt : NAN;
		if (p->state == PS_ANSWERED && !h->ip[0])
			inet_ntop(ts->family, &p->from, h->ip, sizeof h->ip);
	}
	hop_rtts(h, rtt, k);
}

/* The RTT metrics of hop `h`, which answered: its mean, and mtr's Best,
 * Wrst, StDev and Jttr when selected (off by default). */
static void path_hop_rtt_metrics(hw_ctx *ctx, const hw_target *t, const hw_hop *h, const char *const *htags)
{
	hw_metric1(ctx, t, "path.hop.rtt", HW_GAUGE, h->rtt_avg, htags);
	hw_metric1(ctx, t, "path.hop.rtt.min", HW_GAUGE, h->rtt_min, htags);
	hw_metric1(ctx, t, "path.hop.rtt.max", HW_GAUGE, h->rtt_max, htags);
	hw_metric1(ctx, t, "path.hop.rtt.stddev", HW_GAUGE, h->rtt_stddev, htags);
	hw_metric1(ctx, t, "path.hop.jitter", HW_GAUGE, h->rtt_jitter, htags);
}

/* Seconds a shared hop's last answer may be old for a target to borrow
 * it: 3 rounds, and at least a minute (instances sharing a router share
 * its budget: each may get a token of it rarely). */
static double share_age(const struct inst *in)
{
	double a = 3 * hw_interval(in->ctx) + in->timeout;

	return a > 60 ? a : 60;
}

/*
 * The figures of intermediate hop `ttl` (before the destination or the
 * router that said unreachable) of ts: its address when this trace did not
 * get one but may borrow it, the RTT then, and what the attribution gets
 * (the hop's shared window; a silent hop's own measured probes).
 * Returns 1 when its address is one this target never saw itself (the
 * router every other target saw at this TTL).
 */
static int figure_hop(const struct tstate *ts, unsigned ttl, hw_hop *h, struct attr_in *ai, double now)
{
	const struct inst *in = ts->in;
	const struct shop *s = NULL;
	pkt_ipaddr a;
	int known = own_responder(ts, ttl, &a), own = known || (ts->last_set >> (ttl - 1) & 1);

	if (!known && ((own && (a = ts->last[ttl - 1], 1)) || path_borrow(ts, ttl, &a))) {
		/* not answered this round: borrow what the other traces saw */
		s = path_shop_find(in, ts->family, ttl, &a);
		if (s && s->nrtt && s->answered_at >= now - share_age(in)) {
			hwc_rtt st;
			known = 1;
			inet_ntop(ts->family, &a, h->ip, sizeof h->ip);
			/* the ring's order is not the send order once it wrapped:
			 * jitter over it is still a difference of answers close
			 * in time */
			hwc_rtt_stats(s->rtt, s->nrtt, &st, NULL);
			h->rtt_min = st.min;
			h->rtt_max = st.max;
			h->rtt_avg = st.avg;
			h->rtt_stddev = st.stddev;
			h->rtt_jitter = st.jitter;
		}
	} else if (known) {
		s = path_shop_find(in, ts->family, ttl, &a);
	}
	*ai = (struct attr_in){ .unmeasured = 1 };
	if (known && s && s->n) {
		*ai = (struct attr_in){ .sent = s->n, .received = path_shop_answers(s) };
	} else if (!known && ts->meas[ttl] && path_guess(ts->family, ttl)->family != ts->family) {
		/* a silent hop: no target ever got an answer at this TTL (where
		 * some did, this target's misses are its router's rate limit or
		 * a budget that guessed wrong: not measured) */
		*ai = (struct attr_in){ .sent = ts->meas[ttl] };
	}
	return known && !own;
}

/* "hop_name:<name>" of address text `ip` into tag, when the host knows
 * the name; 0 when it does not (yet). */
static int hop_name_tag(hw_ctx *ctx, const char *ip, char *tag, size_t cap)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	const char *name;

	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1)
		s4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1)
		s6->sin6_family = AF_INET6;
	else
		return 0;
	if (!(name = hw_hop_name(ctx, (struct sockaddr *)&ss)))
		return 0;
	snprintf(tag, cap, "hop_name:%s", name);
	return 1;
}

/* The highest TTL (1..n) of hops whose address is known; 0: none. */
static unsigned last_known(const hw_hop *hops, unsigned n)
{
	while (n && !hops[n - 1].ip[0])
		n--;
	return n;
}

void path_report(struct tstate *ts)
{
	struct inst *in = ts->in;
	hw_ctx *ctx = in->ctx;
	const hw_target *t = ts->t;
	hw_hop hops[HW_PATH_MAX_HOPS];
	unsigned n = 0, unknown = 0, e = path_eff_lim(ts), k;
	double dur = hw_mono() - ts->t0;
	char ptag[32], htag[32], iptag[INET6_ADDRSTRLEN + 8], ntag[16 + 256], msg[512];
	struct attr_in ai[HW_PATH_MAX_HOPS];
	struct attr_out ao[HW_PATH_MAX_HOPS];
	uint8_t inferred[HW_PATH_MAX_HOPS];  /* 1: the hop's address is other targets' (not this one's) */
	double now = hw_mono();
	const char *tags[] = { ptag, NULL }, *htags[] = { ptag, htag, iptag, NULL, NULL };
	/* unmeasured: every probe of the end was out of its budget (a udp
	 * destination answers 1/s): the end is the last trace's, borrowed
	 * like a shared hop's, and this round has no figure of it */
	int unmeasured = path_end_unmeasured(ts);
	/* drained: a trace that never found its end, not reached, while the
	 * destination answered other traces' probes with rate-limited ICMP
	 * errors: its probes went unanswered for the limit (many flows to
	 * one udp destination starting at once); no figure of the end */
	unsigned behind = 0;
	int drained = !unmeasured && path_end_drained(ts, &behind);
	int unfound = !ts->end_seen && !ts->dest_ttl && !ts->stop_ttl;
	int no_end = unmeasured || drained, learning = 0;
	/* kept: no figure of the end this round, which the last trace
	 * reached: the path and the attribution are the last trace's end and
	 * the destination's window (a round drained by a shared limit is no
	 * trace that stopped at its last answering hop: fitted so, its
	 * routers' rate-limit misses read as forwarding loss) */
	int kept = unmeasured || (drained && ts->hint_reached);
	int reached = ts->dest_ttl != 0 || (kept && ts->hint_reached);
	int ended = reached || ts->stop_ttl;  /* n is the end of the path */
	pkt_ipaddr a;
	hw_path path;

	snprintf(ptag, sizeof ptag, "protocol:%s", in->proto->name);
	if (ts->dest_ttl)
		n = ts->dest_ttl;
	else if (ts->stop_ttl)
		n = ts->stop_ttl;
	else if (kept)
		n = ts->hint;
	else
		/* not reached: up to the last hop that answered, or that was
		 * skipped out of its router's budget (borrowed) before the end */
		for (unsigned ttl = 1; ttl <= e; ttl++)
			if (ts->rcvd[ttl] || (ts->skip[ttl] && (!ts->hint || ttl < ts->hint)))
				n = ttl;
	ended = ended || kept;
	/* not reached where the last trace reached it: the probes of the
	 * destination this round, none answered, are in its window too
	 * (left out, a udp destination probed once or twice a round would
	 * lose only in the rounds that reached it: loss read too low) */
	if (!ended && !drained && ts->hint_reached)
		dest_window_add(ts, end_lost(ts), 0);
	for (unsigned ttl = 1; ttl <= n; ttl++) {
		hw_hop *h = &hops[ttl - 1];
		inferred[ttl - 1] = 0;
		if (ttl < n || !ended) {
			path_make_hop(ts, ttl, h);
			inferred[ttl - 1] = (uint8_t)figure_hop(ts, ttl, h, &ai[ttl - 1], now);
		} else if (kept) {
			memset(h, 0, sizeof *h);
			h->response = h->loss = NAN;
			inet_ntop(ts->family, &ts->end_addr, h->ip, sizeof h->ip);
		} else {
			end_hop(ts, n, h);
			/* learning: the first end this target found answers with
			 * rate-limited ICMP errors, and some of its probes, or
			 * every probe of the TTL before it, went unanswered:
			 * before its budget knew the end (a restart after
			 * another prober, many targets on one host at once), a
			 * miss is as likely its limit as loss, and the silent
			 * TTL as likely the end refusing as a silent router.  No
			 * figure of it this round, nor a path; the next one
			 * paces it */
			if (!ts->hint && ts->end_lim &&
			    (h->received < h->sent || (n > 1 && !ts->rcvd[n - 1] && ts->sent[n - 1] > ts->skip[n - 1]))) {
				learning = 1;
				*h = (hw_hop){ .response = NAN, .loss = NAN };
				inet_ntop(ts->family, &ts->end_addr, h->ip, sizeof h->ip);
			}
		}
		h->figured = 1;
	}
	no_end = no_end || learning;
	if (n && ended) {
		hw_hop *d = &hops[n - 1];
		struct attr_in *da = &ai[n - 1];
		/* the destination's counts over the last traces feed the
		 * attribution; its own figures are this trace's */
		if (ts->dest_ttl && !learning)
			dest_window_add(ts, d->sent, d->received);
		if (reached) {
			*da = (struct attr_in){ 0 };
			for (unsigned i = 0; i < DEST_WINDOW; i++) {
				da->sent += ts->dwin_sent[i];
				da->received += ts->dwin_rcvd[i];
			}
			da->unmeasured = !da->sent;
		} else {
			*da = (struct attr_in){ .sent = d->sent, .received = d->received, .unmeasured = !d->sent };
		}
	}
	if (n && attr_path(ai, n, reached, 0, ao) < 0)
		for (unsigned i = 0; i < n; i++)
			ao[i] = (struct attr_out){ .state = ATTR_UNMEASURED, .response = NAN, .loss = NAN };
	/* no figure of the end this round, and none of the destination
	 * before (a round that never found its end, or kept before any had
	 * a figure): nothing backs a loss figure.  Fitted as a trace that
	 * stopped at its last answering hop, the routers' rate-limit misses
	 * read as loss (60 % at every hop of udp targets of one host after a
	 * restart, trial 13c) */
	if (n && (reached ? ai[n - 1].unmeasured : no_end))
		for (unsigned i = 0; i < n; i++)
			ao[i].loss = NAN;
	for (unsigned ttl = 1; ttl <= n; ttl++) {
		hw_hop *h = &hops[ttl - 1];
		h->response = ao[ttl - 1].response;
		h->loss = ao[ttl - 1].loss;
		if (ttl < n && ai[ttl - 1].sent && h->ip[0] && inet_pton(ts->family, h->ip, &a) == 1)
			path_shop_level(in, ts->family, ttl, &a, h->loss);  /* the budget's reference */
		/* mtr's rule as a bound: forwarding loss up to a hop persists to
		 * the destination, so it is never above the destination's (over
		 * the same window); misses of the hop alone (its rate limit,
		 * the budget finding it) are not loss */
		if (reached && ttl < n && !isnan(h->loss) && !ai[n - 1].unmeasured) {
			double dl = 100.0 * (ai[n - 1].sent - ai[n - 1].received) / ai[n - 1].sent;
			if (h->loss > dl)
				h->loss = dl;
		}
		if (ttl == n && ended) {
			/* the end of the path: its own figures this trace */
			h->response = h->sent ? 100.0 * h->received / h->sent : NAN;
			h->loss = h->sent ? 100.0 - h->response : NAN;
		}
		if (!h->ip[0])
			unknown++;
		snprintf(htag, sizeof htag, "hop:%u", ttl);
		snprintf(iptag, sizeof iptag, "hop_ip:%.*s", (int)sizeof h->ip - 1, h->ip[0] ? h->ip : "unknown");
		/* optional tags, packed: the list ends at its first NULL */
		size_t nt = 2;
		if (in->o->tag_hop_ip)
			htags[nt++] = iptag;
		if (in->o->tag_hop_name && hop_name_tag(ctx, h->ip, ntag, sizeof ntag))
			htags[nt++] = ntag;
		htags[nt] = NULL;
		if (h->ip[0] && !(no_end && ended && ttl == n))
			path_hop_rtt_metrics(ctx, t, h, htags);
		if (!isnan(h->response))
			hw_metric1(ctx, t, "path.hop.response", HW_GAUGE, h->response, htags);
		if (!isnan(h->loss))
			hw_metric1(ctx, t, "path.hop.loss", HW_GAUGE, h->loss, htags);
	}
	hw_metric1(ctx, t, "path.hops", HW_GAUGE, n, tags);
	hw_metric1(ctx, t, "path.unknown_hops", HW_GAUGE, unknown, tags);
	hw_metric1(ctx, t, "path.duration", HW_GAUGE, dur * 1e3, tags);
	if (!no_end)
		hw_metric1(ctx, t, "path.reachable", HW_GAUGE, reached, tags);
	if (no_end) {
		if (!ts->told_unmeasured)
			HW_INFO(ctx, "target %s (%s): the end of its path (%s) rate-limits the ICMP errors it "
			        "answers with and had no token left: some rounds have no figure of it (no "
			        "path.loss, path.rtt nor path.can_reach)%s", t->host, t->ip,
			        kept || learning ? hops[n - 1].ip : t->ip,
			        in->proto->dest_icmp_error ? "; trace it less often, with fewer queries, or over "
			        "icmp or tcp" : "");
		ts->told_unmeasured = 1;
	} else if (reached) {
		const hw_hop *d = &hops[n - 1];
		double loss = d->sent ? 100.0 * (d->sent - d->received) / d->sent : 0;
		hw_metric1(ctx, t, "path.rtt", HW_GAUGE, d->rtt_avg, tags);
		hw_metric1(ctx, t, "path.loss", HW_GAUGE, loss, tags);
		snprintf(msg, sizeof msg, "%s reached in %u hops (%u unknown), rtt %.3f ms, loss %.0f%%",
		         t->ip, n, unknown, d->rtt_avg, loss);
	} else {
		hw_metric1(ctx, t, "path.loss", HW_GAUGE, 100, tags);
		if (ts->stop_ttl)
			snprintf(msg, sizeof msg, "%s not reached: %s at TTL %u says unreachable",
			         t->ip, hops[n - 1].ip, n);
		else if ((k = last_known(hops, n)))
			snprintf(msg, sizeof msg, "%s not reached within %d hops: last answer from %s at TTL %u",
			         t->ip, in->o->max_ttl, hops[k - 1].ip, k);
		else
			snprintf(msg, sizeof msg, "%s not reached: no hop answered%s%s", t->ip,
			         ts->send_err ? "; sending failed: " : "", ts->send_err ? strerror(ts->send_err) : "");
	}
	if (!no_end)
		hw_service_check(ctx, t, "path.can_reach", reached ? HW_OK : HW_CRITICAL, msg, tags);
	/* an address this target never saw itself is not its path: the path
	 * store gets it unknown (which matches any address), so that a flow
	 * that turns out to take another ECMP branch is no path change */
	for (unsigned ttl = 1; ttl <= n; ttl++)
		if (inferred[ttl - 1])
			hops[ttl - 1].ip[0] = '\0';
	/* a round without a figure of its end leaves the path store alone:
	 * its end (and whether it was reached) would be the last one's */
	path = (hw_path){ .protocol = in->proto->name, .nhops = n, .hops = hops, .reached = reached,
	                  .duration = dur };
	if (!no_end)
		hw_path_report(ctx, t, &path);
	ts->end_fresh = !no_end && ended;
	/* where the next trace's path ends (the destination, or the router
	 * that said unreachable): its query 0 there is never held back by a
	 * router's budget.  A trace that found no end (not reached, or not
	 * measured) keeps the last one: the best guess of the distance, and
	 * the end's budget still applies there (a destination that rate
	 * limits its answers, drained by other traces, is not "not reached") */
	ts->end_unfound = unfound ? ts->end_unfound + 1 : 0;
	if (ts->dest_ttl || ts->stop_ttl) {
		ts->hint = ts->dest_ttl ? ts->dest_ttl : ts->stop_ttl;
		ts->hint_reached = ts->dest_ttl != 0;
	}
	if (ts->dest_ttl)
		path_dest_seen(ts);
	if (behind)
		path_end_presume(ts, behind + 1);
}
