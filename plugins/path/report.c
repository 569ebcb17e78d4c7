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
 *                      hop_ip:<address>
 *   path.hop.loss      gauge, percent, per hop, tags hop:<ttl>,
 *                      hop_ip:<address or unknown>
 *   path.can_reach     service check: OK when reached, else CRITICAL
 * Instance level (every min(interval, 10 s) and at stop):
 *   path.unmatched     count: replies that looked like ours but were not
 *                      (malformed, forged, truncated, stale)
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "path.h"
#include "stats.h"

void path_flush_counters(struct inst *in)
{
	if (in->unmatched)
		hw_metric1(in->ctx, NULL, "path.unmatched", HW_COUNT, (double)in->unmatched, NULL);
	in->unmatched = 0;
}

void path_make_hop(const struct tstate *ts, unsigned ttl, hw_hop *h)
{
	unsigned qn = (unsigned)ts->in->o->queries, best = 0;
	const struct pinfo *p = &ts->p[(ttl - 1) * qn];
	double rtt[MAX_QUERIES] = { 0 };
	hwc_rtt st;

	memset(h, 0, sizeof *h);
	h->sent = ts->sent[ttl];
	for (unsigned i = 0; i < qn; i++)
		rtt[i] = p[i].state == PS_ANSWERED ? p[i].rtt : NAN;
	h->received = (unsigned)hwc_rtt_stats(rtt, qn, &st, NULL);
	if (h->received) {
		h->rtt_min = st.min;
		h->rtt_avg = st.avg;
		h->rtt_max = st.max;
	}
	for (unsigned i = 0; i < qn; i++) {
		unsigned same = 0;
		if (p[i].state != PS_ANSWERED)
			continue;
		/* the responder: the address most replies came from (the
		 * first one on a tie) */
		for (unsigned k = 0; k < qn; k++)
			if (p[k].state == PS_ANSWERED && path_addr_eq(ts->family, &p[k].from, &p[i].from))
				same++;
		if (same > best) {
			best = same;
			inet_ntop(ts->family, &p[i].from, h->ip, sizeof h->ip);
		}
	}
}

void path_report(struct tstate *ts)
{
	struct inst *in = ts->in;
	hw_ctx *ctx = in->ctx;
	const hw_target *t = ts->t;
	hw_hop hops[HW_PATH_MAX_HOPS];
	unsigned n = 0, unknown = 0, e = path_eff_lim(ts);
	double dur = hw_mono() - ts->t0;
	char ptag[32], htag[32], iptag[INET6_ADDRSTRLEN + 8], msg[512];
	const char *tags[] = { ptag, NULL }, *htags[] = { ptag, htag, iptag, NULL };
	int reached = ts->dest_ttl != 0;
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
	for (unsigned ttl = 1; ttl <= n; ttl++) {
		hw_hop *h = &hops[ttl - 1];
		path_make_hop(ts, ttl, h);
		if (!h->received)
			unknown++;
		snprintf(htag, sizeof htag, "hop:%u", ttl);
		snprintf(iptag, sizeof iptag, "hop_ip:%.*s", (int)sizeof h->ip - 1, h->received ? h->ip : "unknown");
		if (h->received)
			hw_metric1(ctx, t, "path.hop.rtt", HW_GAUGE, h->rtt_avg, htags);
		if (h->sent)
			hw_metric1(ctx, t, "path.hop.loss", HW_GAUGE,
			           100.0 * (h->sent - h->received) / h->sent, htags);
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
	path = (hw_path){ .protocol = in->proto->name, .nhops = n, .hops = hops, .reached = reached,
	                  .duration = dur };
	hw_path_report(ctx, t, &path);
	ts->hint = reached ? ts->dest_ttl : 0;
}
