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
 *   path.loss          gauge, percent: of the probes at the destination's
 *                      TTL (100 when not reached)
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

void path_make_hop(const struct tstate *ts, unsigned ttl, hw_hop *h)
{
	unsigned qn = (unsigned)ts->in->o->queries;
	const struct pinfo *p = &ts->p[(ttl - 1) * qn];
	double rtt[MAX_QUERIES] = { 0 };
	pkt_ipaddr from;
	hwc_rtt st;

	memset(h, 0, sizeof *h);
	h->sent = (unsigned)ts->sent[ttl] - ts->skip[ttl];
	h->response = h->loss = NAN;
	for (unsigned i = 0; i < qn; i++)
		rtt[i] = p[i].state == PS_ANSWERED ? p[i].rtt : NAN;
	h->received = (unsigned)hwc_rtt_stats(rtt, qn, &st, NULL);
	if (h->received) {
		h->rtt_min = st.min;
		h->rtt_avg = st.avg;
		h->rtt_max = st.max;
		h->rtt_stddev = st.stddev;
		h->rtt_jitter = st.jitter;
	}
	if (own_responder(ts, ttl, &from))
		inet_ntop(ts->family, &from, h->ip, sizeof h->ip);
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
	} else if (!known && ts->meas[ttl] && in->guess[ttl].family != ts->family) {
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

void path_report(struct tstate *ts)
{
	struct inst *in = ts->in;
	hw_ctx *ctx = in->ctx;
	const hw_target *t = ts->t;
	hw_hop hops[HW_PATH_MAX_HOPS];
	unsigned n = 0, unknown = 0, e = path_eff_lim(ts);
	double dur = hw_mono() - ts->t0;
	char ptag[32], htag[32], iptag[INET6_ADDRSTRLEN + 8], ntag[16 + 256], msg[512];
	struct attr_in ai[HW_PATH_MAX_HOPS];
	struct attr_out ao[HW_PATH_MAX_HOPS];
	uint8_t inferred[HW_PATH_MAX_HOPS];  /* 1: the hop's address is other targets' (not this one's) */
	double now = hw_mono();
	const char *tags[] = { ptag, NULL }, *htags[] = { ptag, htag, iptag, NULL, NULL };
	int reached = ts->dest_ttl != 0;
	pkt_ipaddr a;
	hw_path path;

	snprintf(ptag, sizeof ptag, "protocol:%s", in->proto->name);
	if (reached)
		n = ts->dest_ttl;
	else if (ts->stop_ttl)
		n = ts->stop_ttl;
	else
		for (unsigned ttl = 1; ttl <= e; ttl++)
			if (ts->rcvd[ttl])
				n = ttl;
	if (reached) {
		/* the destination's counts over the last traces feed the
		 * attribution; its own figures are this trace's */
		ts->dwin_sent[ts->dwin_i] = (uint16_t)(ts->sent[n] - ts->skip[n]);
		ts->dwin_rcvd[ts->dwin_i] = ts->rcvd[n];
		ts->dwin_i = (ts->dwin_i + 1) % DEST_WINDOW;
	}
	for (unsigned ttl = 1; ttl <= n; ttl++) {
		hw_hop *h = &hops[ttl - 1];
		path_make_hop(ts, ttl, h);
		h->figured = 1;
		inferred[ttl - 1] = 0;
		if (ttl < n || (!reached && !ts->stop_ttl)) {
			inferred[ttl - 1] = (uint8_t)figure_hop(ts, ttl, h, &ai[ttl - 1], now);
		} else if (reached) {
			ai[ttl - 1] = (struct attr_in){ 0 };
			for (unsigned i = 0; i < DEST_WINDOW; i++) {
				ai[ttl - 1].sent += ts->dwin_sent[i];
				ai[ttl - 1].received += ts->dwin_rcvd[i];
			}
			ai[ttl - 1].unmeasured = !ai[ttl - 1].sent;
		} else {
			ai[ttl - 1] = (struct attr_in){ .sent = h->sent, .received = h->received, .unmeasured = !h->sent };
		}
	}
	if (n && attr_path(ai, n, reached, 0, ao) < 0)
		for (unsigned i = 0; i < n; i++)
			ao[i] = (struct attr_out){ .state = ATTR_UNMEASURED, .response = NAN, .loss = NAN };
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
		if (ttl == n && (reached || ts->stop_ttl)) {
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
		if (h->ip[0])
			path_hop_rtt_metrics(ctx, t, h, htags);
		if (!isnan(h->response))
			hw_metric1(ctx, t, "path.hop.response", HW_GAUGE, h->response, htags);
		if (!isnan(h->loss))
			hw_metric1(ctx, t, "path.hop.loss", HW_GAUGE, h->loss, htags);
	}
	hw_metric1(ctx, t, "path.hops", HW_GAUGE, n, tags);
	hw_metric1(ctx, t, "path.reachable", HW_GAUGE, reached, tags);
	hw_metric1(ctx, t, "path.unknown_hops", HW_GAUGE, unknown, tags);
	hw_metric1(ctx, t, "path.duration", HW_GAUGE, dur * 1e3, tags);
	if (reached) {
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
		else if (n)
			snprintf(msg, sizeof msg, "%s not reached within %d hops: last answer from %s at TTL %u",
			         t->ip, in->o->max_ttl, hops[n - 1].ip, n);
		else
			snprintf(msg, sizeof msg, "%s not reached: no hop answered%s%s", t->ip,
			         ts->send_err ? "; sending failed: " : "", ts->send_err ? strerror(ts->send_err) : "");
	}
	hw_service_check(ctx, t, "path.can_reach", reached ? HW_OK : HW_CRITICAL, msg, tags);
	/* an address this target never saw itself is not its path: the path
	 * store gets it unknown (which matches any address), so that a flow
	 * that turns out to take another ECMP branch is no path change */
	for (unsigned ttl = 1; ttl <= n; ttl++)
		if (inferred[ttl - 1])
			hops[ttl - 1].ip[0] = '\0';
	path = (hw_path){ .protocol = in->proto->name, .nhops = n, .hops = hops, .reached = reached,
	                  .duration = dur };
	hw_path_report(ctx, t, &path);
	/* where the next trace's path ends (the destination, or the router
	 * that said unreachable): its query 0 there is never held back */
	ts->hint = reached ? ts->dest_ttl : ts->stop_ttl;
}
