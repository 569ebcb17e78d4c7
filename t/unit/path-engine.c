/*
 * t/unit/path-engine.c: the path plugin's trace engine, driven through the
 * host mock (t/mock/hostmock.c) on a fake clock, with a fake network: the
 * socket layer is replaced (struct path_io), each probe sent is recorded,
 * and the network answers it after its RTT with real reply bytes
 * (t/mock/pathsynth.c) that go through the ICMP matcher like a raw socket's.
 *
 * Covered: the destination gate (later queries wait until the
 * destination's TTL is known), stopping beyond the destination, the TTL
 * hint of the previous trace and its slack, a path longer than the hint,
 * silent hops and a silent destination, an unreachable router, late
 * replies, pacing (pps, round robin), the per-hop counts the engine
 * keeps for the next trace, and issue 13's pacing per responder: a hop
 * every target shares is probed at its budget's rate, not once per target,
 * and the others borrow its figures; queries of one TTL spread in time; a
 * hop out of budget with nothing to borrow has no loss value; the
 * destination is never held back by a router's budget; a router's first
 * tokens go to the targets still learning it; a learner's query 0 sent
 * out of budget takes a token only when answered; an end that answers
 * with rate-limited ICMP errors is paced by its own budget (a round
 * without its tokens has no figure of it), shared by the ends behind one
 * router once they show one limit; the destination presumed at the last
 * trace's TTL when only query 0 past it answered (no phantom hop); with
 * one query, the destination's probes past it in flight never its loss; tcp
 * sequence numbers that grow from trace to trace.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "test-lib.h"
#include "hostmock.h"
#include "pathsynth.h"
#include "path.h"
#include "budget.h"

extern const hw_plugin hopwatch_plugin;

/* ------------------------------------------------------------------ */
/* The fake network                                                     */

#define MAX_SENDS 4096

/* One probe that left. */
struct sent {
	unsigned target, ttl, q;   /* which */
	double at;                 /* fake clock seconds */
};

/* How the network answers a target's probes. */
struct net {
	unsigned dist;             /* TTL at which the destination answers; 0: never */
	uint64_t silent;           /* bit ttl - 1: the router at that TTL never answers */
	unsigned unreach_ttl;      /* a router there says "unreachable"; 0: none */
	double rtt;                /* seconds, every answer */
	int send_err;              /* every send fails with this errno (an unreachable route); 0: none */
	int dest_err;              /* 1: the destination answers with a port unreachable from itself
	                              (as to a udp probe: an ICMP error its kernel rate limits) */
	uint64_t lose_q0;          /* bit ttl - 1: query 0 at that TTL is lost, every trace */
	int one_host;              /* with dest_err: the destination is one host for every target that
	                              says so, answering our source 6, then 1 a second (host_allow) */
};

/* An answer on its way. */
struct pending {
	struct tstate *ts;         /* to which trace */
	unsigned ttl, q;           /* which probe */
	double due;                /* arrives at (fake clock) */
};

/* A Linux kernel's ICMP error limit for our address (its inet_peer): 6
 * tokens, one more a second. */
struct bucket {
	double tokens;             /* at t */
	double t;                  /* fake clock seconds */
};

/* Whether the bucket `b` has a token for an ICMP error at `now` (takes
 * it).  A token due at `now` counts: the probe reaches the router after
 * the budget's time. */
static int bucket_allow(struct bucket *b, double now)
{
	b->tokens += now - b->t;
	if (b->tokens > 6)
		b->tokens = 6;
	b->t = now;
	if (b->tokens < 1 - 1e-9)
		return 0;
	b->tokens -= 1;
	return 1;
}

/* The host every one_host destination is. */
static struct bucket host;
/* Routers by TTL (router()) when routers_limited: drained at time 0 by a
 * daemon just stopped (test_restart); else they answer everything. */
static struct bucket routers[HW_PATH_MAX_HOPS + 1];
static int routers_limited;

static struct sent sends[MAX_SENDS];
static size_t nsends;
static struct net nets[4];
static struct pending pend[MAX_SENDS];
static size_t npend;
static pkt_ipaddr me;          /* our address */

static pkt_ipaddr v4(const char *s)
{
	pkt_ipaddr a;
	memset(&a, 0, sizeof a);
	inet_pton(AF_INET, s, &a.v4);
	return a;
}

/* The router at `ttl` towards any target: 10.0.<ttl>.1. */
static pkt_ipaddr router(unsigned ttl)
{
	char s[32];
	snprintf(s, sizeof s, "10.0.%u.1", ttl);
	return v4(s);
}

static int fake_prepare(struct tstate *ts)
{
	ts->route.src = me;
	return 0;
}

static int fake_send(struct tstate *ts, unsigned ttl, unsigned q)
{
	struct pinfo *p = &ts->p[(ttl - 1) * (unsigned)ts->in->o->queries + q];
	const struct net *n = &nets[ts->t->index];
	int answers;

	p->tx_mono = hw_mono();
	p->tx_real = 0;
	if (nsends < MAX_SENDS)
		sends[nsends++] = (struct sent){ ts->t->index, ttl, q, hw_mono() };
	if (n->send_err)
		return n->send_err;
	answers = ((n->dist && ttl >= n->dist) || (n->unreach_ttl && ttl >= n->unreach_ttl) ||
	           !(n->silent >> (ttl - 1) & 1)) && !(q == 0 && (n->lose_q0 >> (ttl - 1) & 1));
	if (answers && n->one_host && n->dest_err && n->dist && ttl >= n->dist)
		answers = bucket_allow(&host, hw_mono());
	else if (answers && routers_limited && !(n->dist && ttl >= n->dist))
		answers = bucket_allow(&routers[ttl], hw_mono());
	if (answers && npend < MAX_SENDS)
		pend[npend++] = (struct pending){ ts, ttl, q, hw_mono() + n->rtt };
	return 0;
}

static void fake_drain(struct inst *in)
{
	(void)in;
}

static const struct path_io fake_io = { fake_prepare, fake_send, fake_drain };

/* Deliver the answer to probe (ttl, q) of ts as the network has it. */
static void answer(struct tstate *ts, unsigned ttl, unsigned q)
{
	struct inst *in = ts->in;
	const struct net *n = &nets[ts->t->index];
	uint8_t probe[TX_BUF], pkt[TX_BUF];
	size_t len = in->proto->build(ts, ttl, q, probe, sizeof probe), plen;
	struct reply r;
	pkt_ipaddr from;

	if (n->dist && ttl >= n->dist && (!n->unreach_ttl || n->dist < n->unreach_ttl) && n->dest_err) {
		plen = synth_error(pkt, sizeof pkt, AF_INET, &ts->dst, &me, 3, 3, IPPROTO_ICMP, &me, &ts->dst,
		                   probe, len, len);
	} else if (n->dist && ttl >= n->dist && (!n->unreach_ttl || n->dist < n->unreach_ttl)) {
		plen = synth_echo_reply(pkt, sizeof pkt, AF_INET, 1, &ts->dst, &me, probe, len);
	} else if (n->unreach_ttl && ttl >= n->unreach_ttl) {
		from = router(n->unreach_ttl);
		plen = synth_error(pkt, sizeof pkt, AF_INET, &from, &me, 3, 1, IPPROTO_ICMP, &me, &ts->dst,
		                   probe, len, len);
	} else {
		from = router(ttl);
		plen = synth_error(pkt, sizeof pkt, AF_INET, &from, &me, 11, 0, IPPROTO_ICMP, &me, &ts->dst,
		                   probe, len, len);
	}
	memset(&r, 0, sizeof r);
	r.family = AF_INET;
	r.rx_mono = hw_mono();
	path_on_icmp(in, pkt, plen, &r);
}

/* Run the host and the network up to `until` (fake seconds). */
static void run_until(double until)
{
	for (int guard = 0; guard < 1000000; guard++) {
		size_t first = npend;
		double tt = mock_next_due();

		for (size_t i = 0; i < npend; i++)
			if (first == npend || pend[i].due < pend[first].due)
				first = i;
		if (first < npend && pend[first].due <= until && pend[first].due <= tt) {
			struct pending pd = pend[first];
			pend[first] = pend[--npend];
			mock_set_time(pd.due);
			answer(pd.ts, pd.ttl, pd.q);
		} else if (tt <= until) {
			mock_run_until(tt);
		} else {
			break;
		}
	}
	mock_run_until(until);
}

/* ------------------------------------------------------------------ */
/* Set-up                                                               */

static struct opts o;
static struct inst *in;

/* The protocol setup_on gives the instance: P_ICMP unless a test says. */
static int mock_protocol = P_ICMP;

/* A raw instance (mock_protocol) over the `n` IPv4 targets `addrs` with
 * max_ttl, queries, pps; timeout 1 s. */
static void setup_on(const char *const *addrs, size_t n, int max_ttl, int queries, double pps)
{
	nsends = npend = 0;
	memset(nets, 0, sizeof nets);
	host = (struct bucket){ .tokens = 6 };
	memset(routers, 0, sizeof routers);
	routers_limited = 0;
	me = v4("198.51.100.1");
	o = (struct opts){ .protocol = mock_protocol, .max_ttl = max_ttl, .queries = queries, .size = 32,
	                   .mode = MODE_RAW, .pps = pps };
	if (path_inst_new(mock_setup(addrs, n, hopwatch_plugin.target_size, 60, 1), &o, &in) < 0)
		abort();
	in->io = &fake_io;
	in->raw = 1;
	/* a network nobody probed a moment ago: the routers' buckets full
	 * (test_restart: drained by a daemon just stopped) */
	budget_drained_at(in->budget, -INFINITY);
}

/* setup_on 192.0.2.1.. */
static void setup(size_t n, int max_ttl, int queries, double pps)
{
	static const char *const addrs[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4" };

	setup_on(addrs, n, max_ttl, queries, pps);
}

static void teardown(void)
{
	path_inst_free(in);
	in = NULL;
	mock_teardown();
}

static struct tstate *T(size_t i)
{
	return mock_target(i)->data;
}

/* Probes sent so far with query > 0, or with TTL > max. */
static size_t count_sends(int later_queries, unsigned ttl_above)
{
	size_t c = 0;
	for (size_t i = 0; i < nsends; i++)
		if ((later_queries && sends[i].q > 0) || (ttl_above && sends[i].ttl > ttl_above))
			c++;
	return c;
}

static unsigned max_ttl_sent(size_t from)
{
	unsigned m = 0;
	for (size_t i = from; i < nsends; i++)
		if (sends[i].ttl > m)
			m = sends[i].ttl;
	return m;
}

/* The highest TTL a query > 0 went to. */
static unsigned max_later_ttl(void)
{
	unsigned m = 0;
	for (size_t i = 0; i < nsends; i++)
		if (sends[i].q > 0 && sends[i].ttl > m)
			m = sends[i].ttl;
	return m;
}

static const char *hop_ip(const struct mock_path *p, unsigned ttl)
{
	return p && ttl >= 1 && ttl <= p->nhops ? p->hops[ttl - 1].ip : "(none)";
}

/* ------------------------------------------------------------------ */
/* Tests                                                                */

/* The gate, stopping beyond the destination, the hint and its slack. */
static void test_gate_and_hint(void)
{
	const struct mock_path *p;
	size_t before;

	setup(1, 10, 3, 1e6);
	nets[0] = (struct net){ .dist = 3, .rtt = 0.010 };
	path_run(in, mock_target(0));
	run_until(0.005);
	is_int(nsends, 10, "gate: before any answer, query 0 goes to every TTL 1..10");
	is_int(count_sends(1, 0), 0, "gate: no later query leaves before the destination is known");
	run_until(0.011);
	ok(T(0)->dest_ttl == 3 && T(0)->open, "gate: the destination answered at TTL 3 and opened the gate");
	is_int(count_sends(1, 0), 4, "gate: then query 1 to TTLs 1..3, query 2 to the destination at once");
	run_until(0.016);
	is_int(count_sends(1, 0), 6, "gate: query 2 of TTLs 1..2 a spread (5 ms) after query 1");
	run_until(5);
	is_int(mock_done, 1, "the trace ended once");
	is_int(nsends, 16, "beyond the destination: 10 + 6 probes in all");
	ok(max_later_ttl() == 3, "beyond the destination: no later query past TTL 3 (highest: %u)", max_later_ttl());
	p = mock_last_path();
	ok(p && p->reached && p->nhops == 3, "reported: reached in 3 hops");
	is_str(hop_ip(p, 1), "10.0.1.1", "hop 1");
	is_str(hop_ip(p, 2), "10.0.2.1", "hop 2");
	is_str(hop_ip(p, 3), "192.0.2.1", "hop 3 is the destination");
	ok(p && p->hops[0].sent == 3 && p->hops[0].received == 3 && p->hops[2].sent == 3 &&
	   p->hops[2].received == 3, "every hop: 3 sent, 3 received");
	is_double(mock_metric_last("path.reachable", 0, NULL), 1, 0, "path.reachable 1");
	is_double(mock_metric_last("path.loss", 0, NULL), 0, 0, "path.loss 0");
	is_double(mock_metric_last("path.hops", 0, NULL), 3, 0, "path.hops 3");
	is_double(mock_metric_last("path.rtt", 0, NULL), 10, 1e-6, "path.rtt 10 ms (fake clock)");
	is_double(mock_metric_last("path.can_reach", 0, NULL), HW_OK, 0, "path.can_reach OK");
	ok(T(0)->rcvd[1] == 3 && T(0)->rcvd[3] == 3 && T(0)->sent[3] == 3,
	   "per-hop counts: sent and received per TTL stay in the engine");
	ok(T(0)->last_set == 3 && path_addr_eq(AF_INET, &T(0)->last[0], &(pkt_ipaddr){ .v4 = router(1).v4 }),
	   "the responders before the destination are kept for the next one's pacing hook");

	/* trace 2: query 0 stops at the last destination (3) + 2 */
	before = nsends;
	mock_set_time(60);
	path_run(in, mock_target(0));
	run_until(60.005);
	is_int(nsends - before, 5, "hint: query 0 of the next trace probes TTLs 1..5 only");
	is_int(max_ttl_sent(before), 5, "hint: the last destination's TTL 3 + a slack of 2");
	run_until(65);
	is_int(mock_done, 2, "trace 2 ended");
	is_int(nsends - before, 11, "trace 2: 5 + 6 probes");

	/* trace 3: the path got longer than the hint + slack */
	nets[0].dist = 7;
	before = nsends;
	mock_set_time(120);
	path_run(in, mock_target(0));
	run_until(120.005);
	is_int(max_ttl_sent(before), 5, "longer path: query 0 first stops at the hint");
	run_until(125);
	p = mock_last_path();
	ok(p && p->reached && p->nhops == 7, "longer path: the rest followed once query 0 settled; reached in 7");
	is_int(max_ttl_sent(before), 10, "longer path: query 0 went up to max_ttl once query 0 settled");
	teardown();
}

/* One trace of one target over network n, to the end. */
static const struct mock_path *trace_with(struct net n, int max_ttl, int queries)
{
	setup(1, max_ttl, queries, 1e6);
	nets[0] = n;
	path_run(in, mock_target(0));
	run_until(10);
	return mock_last_path();
}

/* A silent hop costs one timeout; it is reported unknown, answering none
 * of its probes, with the loss of the hops after it (none), not 100%. */
static void test_silent_hop(void)
{
	const struct mock_path *p = trace_with((struct net){ .dist = 4, .silent = 1u << 1, .rtt = 0.010 }, 10, 3);

	ok(p && p->reached && p->nhops == 4, "silent hop: reached in 4 hops");
	ok(p && !p->hops[1].received && p->hops[1].sent == 3 && !p->hops[1].ip[0],
	   "silent hop: TTL 2 sent 3, received 0, no address");
	is_double(mock_metric_last("path.unknown_hops", 0, NULL), 1, 0, "path.unknown_hops 1");
	is_double(mock_metric_last("path.hop.response", 0, "hop:2"), 0, 0, "path.hop.response 0 at hop 2");
	is_double(mock_metric_last("path.hop.loss", 0, "hop:2"), 0, 0,
	          "path.hop.loss 0 at hop 2: the later hops lost nothing, so it forwards (not 100)");
	is_double(mock_metric_last("path.hop.loss", 0, "hop:3"), 0, 0, "path.hop.loss 0 at hop 3");
	ok(p && p->duration >= 1 && p->duration < 2, "silent hop: the trace took one timeout (%.3f s)",
	   p ? p->duration : -1);
	teardown();
}

/* A silent destination: not reached, every TTL probed, two timeouts. */
static void test_silent_destination(void)
{
	const struct mock_path *p = trace_with((struct net){ .dist = 0, .silent = ~3ull, .rtt = 0.010 }, 6, 2);

	ok(p && !p->reached && p->nhops == 2, "silent destination: not reached, last answer at TTL 2");
	is_int(nsends, 12, "silent destination: every TTL 1..6 got both queries");
	is_double(mock_metric_last("path.loss", 0, NULL), 100, 0, "path.loss 100");
	is_double(mock_metric_last("path.can_reach", 0, NULL), HW_CRITICAL, 0, "path.can_reach CRITICAL");
	ok(p && p->duration >= 2 && p->duration < 3, "silent destination: two timeouts (%.3f s)",
	   p ? p->duration : -1);
	teardown();
}

/* A router that says unreachable ends the trace there. */
static void test_unreachable(void)
{
	const struct mock_path *p = trace_with((struct net){ .dist = 0, .unreach_ttl = 2, .rtt = 0.010 }, 10, 3);

	ok(p && !p->reached && p->nhops == 2, "unreachable: not reached, stopped at TTL 2");
	/* query 0 at TTLs 2..10 all reached the router that says unreachable:
	 * 9 of its ICMP errors, past its burst of 6, so its later queries are
	 * out of its budget (an unreachable is rate-limited too) */
	is_int(count_sends(1, 0), 2, "unreachable: later queries only to TTL 1; the router's budget is spent");
	ok(p && p->hops[1].sent == 1 && p->hops[1].received == 1,
	   "unreachable: the router's figures over query 0 at TTL 2 only (not the burst past it)");
	teardown();
}

/* Every send fails (issue 14: each round reports): the trace still ends
 * at once, every probe tried and lost, the reason in the report. */
static void test_send_fails(void)
{
	const struct mock_path *p = trace_with((struct net){ .send_err = EHOSTUNREACH }, 3, 3);

	ok(p && !p->reached, "every send fails: the trace ends, not reached");
	is_int(nsends, 9, "every send fails: every TTL and query tried once");
	ok(p && p->duration < 0.1, "every send fails: no timeout waited (%.3f s)", p ? p->duration : -1);
	teardown();
}

/* An answer later than the timeout is not counted. */
static void test_late(void)
{
	const struct mock_path *p = trace_with((struct net){ .dist = 2, .rtt = 1.5 }, 3, 1);

	ok(p && !p->reached && p->nhops == 0, "late answers (1.5 s, timeout 1 s) count for nothing");
	teardown();
}

/* Pacing: pps 1000 is one probe per ms, round robin over the targets. */
static void test_pacing(void)
{
	int spaced = 1, alternate = 1;

	setup(2, 10, 1, 1000);
	nets[0] = nets[1] = (struct net){ .silent = ~0ull };
	path_run(in, mock_target(0));
	path_run(in, mock_target(1));
	run_until(0);
	is_int(nsends, 1, "pacing: one probe at once (a 1 ms bucket at 1000/s)");
	run_until(0.0095);
	is_int(nsends, 10, "pacing: 10 probes in the first 9.5 ms");
	for (size_t i = 1; i < nsends; i++) {
		if (sends[i].at - sends[i - 1].at < 0.001 - 1e-9)
			spaced = 0;
		if (sends[i].target == sends[i - 1].target)
			alternate = 0;
	}
	ok(spaced, "pacing: probes at least 1 ms apart");
	ok(alternate, "pacing: round robin over the two targets");
	run_until(10);
	is_int(nsends, 20, "pacing: every probe went in the end");
	is_int(mock_done, 2, "pacing: both traces ended");
	teardown();
}

/* Two targets of one address share a hash chain, and with the same trace
 * number the same probe ids: each reply still goes to its own trace. */
static void test_shared_address(void)
{
	static const char *const same[] = { "192.0.2.1", "192.0.2.1" };

	setup_on(same, 2, 5, 2, 1e6);
	nets[0] = (struct net){ .dist = 3, .rtt = 0.010 };
	nets[1] = (struct net){ .dist = 3, .silent = 1u << 0, .rtt = 0.020 };
	T(0)->gen = T(1)->gen = 7;
	path_run(in, mock_target(0));
	path_run(in, mock_target(1));
	run_until(10);
	is_int(mock_npaths, 2, "shared address: both traces reported");
	ok(mock_npaths == 2 && mock_paths[0].reached && mock_paths[1].reached, "shared address: both reached");
	/* the second still learns TTL 1 (silent for it): for a second the
	 * first leaves that router to it, so its query 1 there is skipped */
	ok(T(0)->rcvd[1] == 1 && T(0)->skip[1] == 1 && T(1)->rcvd[1] == 0 && T(0)->rcvd[3] == 2 &&
	   T(1)->rcvd[3] == 2,
	   "shared address: every answer counted for its own target (TTL 1 silent for the second)");
	is_double(mock_metric_last("path.rtt", 1, NULL), 20, 1e-6, "shared address: the second's own RTT");
	is_int(in->unmatched, 0, "shared address: nothing unmatched");
	teardown();
}


/* Metrics `name` of target `target` with `tag` (NULL: any) from index
 * `from` on. */
static size_t count_metrics(size_t from, const char *name, int target, const char *tag)
{
	size_t c = 0;
	for (size_t i = from; i < mock_nmetrics; i++)
		if (!strcmp(mock_metrics[i].name, name) && mock_metrics[i].target == target &&
		    (!tag || strstr(mock_metrics[i].tags, tag)))
			c++;
	return c;
}

/* A udp destination that never answered (its port unreachables may have
 * been spent by another prober just before): the first round without an
 * end has no figure of it; the next reads "not reached". */
static void test_udp_unfound(void)
{
	size_t m0;

	mock_protocol = P_UDP;
	setup(1, 6, 2, 1e6);
	mock_protocol = P_ICMP;
	nets[0] = (struct net){ .dist = 0, .silent = ~3ull, .rtt = 0.010 };
	mock_set_time(0);
	path_run(in, mock_target(0));
	run_until(5);
	is_int(count_metrics(0, "path.can_reach", 0, NULL), 0, "udp, no end ever: the first round has no path.can_reach");
	is_int(count_metrics(0, "path.loss", 0, NULL), 0, "udp, no end ever: nor path.loss");
	m0 = mock_nmetrics;
	mock_set_time(10);
	path_run(in, mock_target(0));
	run_until(15);
	ok(mock_nmetrics > m0 && mock_metric_last("path.can_reach", 0, NULL) == HW_CRITICAL,
	   "udp, no end ever: the second reads CRITICAL");
	is_double(mock_metric_last("path.loss", 0, NULL), 100, 0, "udp, no end ever: path.loss 100");
	teardown();
}

/* Sends at `ttl` from index `from` on. */
static size_t sends_at(size_t from, unsigned ttl)
{
	size_t c = 0;
	for (size_t i = from; i < nsends; i++)
		if (sends[i].ttl == ttl)
			c++;
	return c;
}

/* Four targets behind the same two routers, a round a second for 30 s:
 * the routers are probed at their budget's rate (a burst of 6, then about
 * 1/s), not 3 times per target and round, and every trace still shows
 * them, with figures borrowed from the probes of the others. */
static void test_budget_shared(void)
{
	struct budget_key k1 = budget_key_make(AF_INET, &(pkt_ipaddr){ .v4 = router(1).v4 });
	struct budget_info bi;
	int shown = 1, figured = 1, borrowed = 0;
	size_t n1;

	setup(4, 5, 3, 1e6);
	for (int i = 0; i < 4; i++)
		nets[i] = (struct net){ .dist = 3, .rtt = 0.010 };
	for (int r = 0; r < 30; r++) {
		mock_set_time(r);
		for (size_t i = 0; i < 4; i++)
			path_run(in, mock_target(i));
		run_until(r + 0.9);
	}
	is_int(mock_npaths, 120, "budget: 120 traces reported");
	n1 = sends_at(0, 1);
	ok(budget_state(in->budget, &k1, 30, &bi) == 0, "budget: router 1 is in the shared budget");
	ok(n1 <= 6 + 30 * bi.rate + 4, "budget: router 1 got %zu probes in 30 s (a burst of 6, then at most "
	   "%.2f/s, and one per target to learn it), not 360", n1, bi.rate);
	ok(n1 >= 30, "budget: and at least about one a second (%zu): it stays measured", n1);
	for (size_t i = 0; i < mock_npaths; i++) {
		const struct mock_path *p = &mock_paths[i];
		if (p->nhops != 3 || strcmp(p->hops[0].ip, "10.0.1.1") || strcmp(p->hops[1].ip, "10.0.2.1"))
			shown = 0;
		/* the first round's traces only learned hop 1: their single
		 * probe of it was sent before its router was known, and its
		 * answer is not a sample of the hop (its miss would not have
		 * been one either); later traces read the window */
		if (i < 4 ? !p->hops[0].figured || !isnan(p->hops[0].loss) || !isnan(p->hops[0].response)
		          : !p->hops[0].figured || isnan(p->hops[0].loss) || p->hops[0].loss != 0 ||
		            isnan(p->hops[0].response) || p->hops[0].response != 100)
			figured = 0;
		if (p->hops[0].sent == 0)
			borrowed++;
	}
	ok(shown, "budget: every trace shows routers 1 and 2 at TTLs 1 and 2");
	ok(figured, "budget: every trace after the first round has hop 1 at 0%% loss, 100%% response; the first "
	   "round's none");
	ok(borrowed >= 60, "budget: %d of 120 traces did not probe hop 1 and borrowed its figures", borrowed);
	is_double(mock_metric_last("path.loss", 3, NULL), 0, 0, "budget: the destination lost nothing");
	teardown();
}

/* A daemon restarted at once: the routers' buckets for our source are as
 * its predecessor left them, empty (6 tokens, one more a second).  One
 * target behind two such routers, 3 queries, a round every 2 s for 20 s.
 * Returns the traces after the first that show a hop answering less than
 * 100 % (a measured probe missed: the routers lose nothing); *figured:
 * the hop figures they show.  (The first trace finds both routers silent,
 * as they are to it; later a budget's gentle increase finds a router's
 * limit by a miss now and then, which is how it learns it.) */
static int restart_misses(int presume_drained, int *figured)
{
	int low = 0;

	setup(1, 5, 3, 1e6);
	routers_limited = 1;
	if (presume_drained)
		budget_drained_at(in->budget, 0);
	nets[0] = (struct net){ .dist = 3, .rtt = 0.010 };
	for (int r = 0; r < 10; r++) {
		mock_set_time(2 * r);
		path_run(in, mock_target(0));
		run_until(2 * r + 1.9);
	}
	*figured = 0;
	for (size_t i = 1; i < mock_npaths; i++) {
		int miss = 0;
		for (int h = 0; h < 2; h++)
			if (mock_paths[i].hops[h].figured && !isnan(mock_paths[i].hops[h].response)) {
				(*figured)++;
				miss |= mock_paths[i].hops[h].response < 100;
			}
		low += miss;
	}
	teardown();
	return low;
}

/* The budget presumes the routers drained when it was made (a process
 * restarted at once, issue 13): none of its measured probes meets an
 * empty bucket.  Presumed full, the first ones did, and their misses
 * stayed in the hops' windows: on a lossy path they read as loss of hops
 * that lose nothing for half a minute. */
static void test_restart(void)
{
	int figured, low = restart_misses(1, &figured);

	ok(low == 0, "restart: %d traces show a hop below 100 %% response (%d hop figures), want none", low,
	   figured);
	ok(figured >= 12, "restart: the hops are measured all the same (%d figures in 9 traces)", figured);
	low = restart_misses(0, &figured);
	ok(low > 0, "restart: presumed full, %d of 9 traces showed the drained routers' misses", low);
}

/* Queries of one TTL are spread in time before the destination; the
 * destination's are not held back. */
static void test_spread(void)
{
	double t1[3] = { -1, -1, -1 }, t3[3] = { -1, -1, -1 };
	int spread = 1;

	setup(1, 5, 3, 1e6);
	nets[0] = (struct net){ .dist = 3, .rtt = 0.010 };
	path_run(in, mock_target(0));
	run_until(5);
	for (size_t i = 0; i < nsends; i++) {
		if (sends[i].ttl == 1)
			t1[sends[i].q] = sends[i].at;
		if (sends[i].ttl == 3)
			t3[sends[i].q] = sends[i].at;
	}
	for (int q = 1; q < 3; q++)
		if (t1[q] < 0 || t1[q] - t1[q - 1] < SPREAD - 1e-9)
			spread = 0;
	ok(spread, "spread: queries 0, 1, 2 of TTL 1 left %.1f and %.1f ms apart (>= %.0f ms)",
	   (t1[1] - t1[0]) * 1e3, (t1[2] - t1[1]) * 1e3, SPREAD * 1e3);
	ok(t3[1] >= 0 && t3[1] == t3[2] && t3[1] - t3[0] < 0.0100001,
	   "spread: the destination's queries 1 and 2 left together as soon as it answered");
	teardown();
}

/* A hop whose router's budget is spent by others, with no fresh shared
 * figures to borrow, is not measured: no loss value, not 100.  The
 * destination goes at once all the same. */
static void test_out_of_budget(void)
{
	struct budget_key k1 = budget_key_make(AF_INET, &(pkt_ipaddr){ .v4 = router(1).v4 });
	const struct mock_path *p;
	size_t m0, s0;

	setup(1, 5, 3, 1e6);
	nets[0] = (struct net){ .dist = 3, .rtt = 0.010 };
	path_run(in, mock_target(0));
	run_until(5);
	/* much later (the shared figures are stale), another instance has
	 * spent router 1's budget */
	mock_set_time(300);
	for (int i = 0; i < 10; i++)
		budget_sent(in->budget, &k1, 300);
	m0 = mock_nmetrics;
	s0 = nsends;
	path_run(in, mock_target(0));
	run_until(305);
	p = mock_last_path();
	is_int(sends_at(s0, 1), 0, "out of budget: no probe to router 1");
	ok(p && p->reached && p->nhops == 3 && p->hops[0].sent == 0 && !p->hops[0].ip[0],
	   "out of budget: hop 1 unmeasured this round (no probe, no address)");
	ok(p && isnan(p->hops[0].loss) && isnan(p->hops[0].response),
	   "out of budget: hop 1 carries no loss and no response value");
	/* tags end with hop:<ttl> (no hop_ip by default); 3 hops: no hop:1x */
	is_int(count_metrics(m0, "path.hop.loss", 0, "hop:1"), 0, "out of budget: no path.hop.loss for hop 1");
	is_int(count_metrics(m0, "path.hop.loss", 0, "hop:2"), 1, "out of budget: hop 2 measured as usual");
	ok(sends_at(s0, 3) == 3 && p && p->hops[2].sent == 5 && p->hops[2].received == 5,
	   "out of budget: the destination got its 3 queries (and query 0 past it, at TTLs 4, 5: 5 of 5)");
	is_double(mock_metric_last("path.rtt", 0, NULL), 10, 1e-6, "out of budget: the destination's RTT 10 ms");
	is_double(mock_metric_last("path.loss", 0, NULL), 0, 0, "out of budget: the destination's loss 0");
	ok(p && p->duration < 0.05, "out of budget: the trace took %.1f ms, a round trip and the spread",
	   p ? p->duration * 1e3 : -1);
	teardown();
}

/* A router's first tokens go to the targets still learning it: the first
 * target's later queries there wait while three others ask for their
 * first answer (issue 13: flows at an ECMP fork, instances starting at
 * once, must not race for a Linux router's burst of 6). */
static void test_learners_first(void)
{
	setup(4, 3, 3, 1e6);
	for (int i = 0; i < 4; i++)
		nets[i] = (struct net){ .dist = 3, .rtt = 0.001 };
	path_run(in, mock_target(0));
	run_until(0.05);
	ok(T(0)->rcvd[1] == 1 && T(0)->skip[1] == 2,
	   "learners first: target 0 knows router 1, its queries 1 and 2 there wait (skipped)");
	for (int i = 1; i < 4; i++)
		path_run(in, mock_target((size_t)i));
	run_until(2);
	ok(T(1)->rcvd[1] >= 1 && T(2)->rcvd[1] >= 1 && T(3)->rcvd[1] >= 1,
	   "learners first: the three others got router 1's answer in their first trace");
	is_int(path_guess(AF_INET, 1)->nknow, 4, "learners first: every target knows TTL 1's router");
	/* once every target knows it, known hops use the tokens again */
	mock_set_time(60);
	path_run(in, mock_target(0));
	run_until(61);
	ok(T(0)->rcvd[1] >= 2, "learners first: when none is left to learn, queries of a known hop go (%u answered)",
	   (unsigned)T(0)->rcvd[1]);
	teardown();
}

/* The end of the path answers with ICMP errors (a udp destination's port
 * unreachable, rate-limited by its kernel like a router's time exceeded):
 * its probes are paid from its own budget; out of it, the round has no
 * figure of the end (never a false loss), and it is never probed past. */
static void test_end_budget(void)
{
	struct budget_key kd = budget_key_make(AF_INET, &(pkt_ipaddr){ .v4 = v4("192.0.2.1").v4 });
	struct budget_info bi;
	const struct mock_path *p;
	size_t m0, s0, np0;

	setup(1, 6, 3, 1e6);
	nets[0] = (struct net){ .dist = 3, .rtt = 0.010, .dest_err = 1 };
	path_run(in, mock_target(0));
	run_until(5);
	p = mock_last_path();
	/* the destination's budget starts empty (who spent its bucket just
	 * before is unknown): its 4 answers to query 0 take it no lower
	 * (they prove it had the tokens), and queries 1 and 2 there are
	 * skipped */
	ok(p && p->reached && p->nhops == 3 && p->hops[2].sent == 1 && p->hops[2].received == 1,
	   "end budget: trace 1 reached at 3; the destination's figures over query 0 at TTL 3");
	is_double(mock_metric_last("path.loss", 0, NULL), 0, 0,
	          "end budget: query 0 past the destination before it was known is not its loss");
	if (budget_state(in->budget, &kd, 5, &bi) < 0)
		memset(&bi, 0, sizeof bi);
	ok(bi.sent == 4 && bi.answered == 4 && bi.tokens > 4.9 && bi.tokens < 5.1,
	   "end budget: its 4 answers were taken from the destination's budget, which started empty, and "
	   "left no debt: 5 tokens 5 s later (sent %llu, answered %llu, tokens %.2f)", bi.sent, bi.answered,
	   bi.tokens);

	/* trace 2: a full bucket; query 0 stops at the destination (no slack
	 * past an end whose tokens are few) */
	mock_set_time(60);
	s0 = nsends;
	path_run(in, mock_target(0));
	run_until(65);
	p = mock_last_path();
	ok(p && p->reached && p->hops[2].sent == 3 && p->hops[2].received == 3 && max_ttl_sent(s0) == 3,
	   "end budget: trace 2: its 3 queries at TTL 3, nothing past it");

	/* trace 3: another instance has spent the destination's budget */
	mock_set_time(120);
	for (int i = 0; i < 10; i++)
		budget_sent(in->budget, &kd, 120);
	m0 = mock_nmetrics;
	s0 = nsends;
	np0 = mock_npaths;
	path_run(in, mock_target(0));
	run_until(125);
	ok(sends_at(s0, 3) + sends_at(s0, 4) + sends_at(s0, 5) + sends_at(s0, 6) == 0 && sends_at(s0, 1) == 3,
	   "end budget: out of it, nothing sent at or past the destination (nor up to max_ttl)");
	ok(mock_npaths == np0 && count_metrics(m0, "path.hop.loss", 0, "hop:3") == 0 &&
	   count_metrics(m0, "path.hop.rtt", 0, "hop:3") == 0 && count_metrics(m0, "path.hop.loss", 0, "hop:2") == 1,
	   "end budget: no figure of the end, the path store left alone; hop 2 measured as usual");
	ok(count_metrics(m0, "path.loss", 0, NULL) == 0 && count_metrics(m0, "path.rtt", 0, NULL) == 0 &&
	   count_metrics(m0, "path.can_reach", 0, NULL) == 0 && count_metrics(m0, "path.reachable", 0, NULL) == 0,
	   "end budget: no path.loss, path.rtt, path.reachable nor path.can_reach that round");
	is_int(count_metrics(m0, "path.hops", 0, NULL), 1, "end budget: path.hops still sent");

	/* trace 4: the budget refilled; the hint survived the unmeasured round */
	mock_set_time(200);
	s0 = nsends;
	path_run(in, mock_target(0));
	run_until(205);
	p = mock_last_path();
	ok(p && p->reached && p->hops[2].sent == 3 && max_ttl_sent(s0) == 3,
	   "end budget: refilled, measured again; query 0 stopped at the hint");

	/* trace 5: query 0 at TTL 3 lost: a keyed miss of the end cuts its rate */
	nets[0].lose_q0 = 1ull << 2;
	mock_set_time(300);
	path_run(in, mock_target(0));
	run_until(305);
	p = mock_last_path();
	if (budget_state(in->budget, &kd, 305, &bi) < 0)
		memset(&bi, 0, sizeof bi);
	ok(bi.backoffs == 1,
	   "end budget: a miss of the end within its budget backs it off (%llu)", bi.backoffs);
	ok(p && p->reached && p->nhops == 3 && p->hops[2].received == p->hops[2].sent - 1,
	   "end budget: that miss is the destination's (%u of %u), at TTL 3 still; its tokens stayed for the "
	   "other probes", p ? p->hops[2].received : 0, p ? p->hops[2].sent : 0);
	teardown();
}

/* The destination's probes at its TTL lost while query 0 past it is
 * answered: no phantom hop (the destination is presumed where the last
 * trace measured it), and its loss counts every probe of it. */
/* Trace 1 over a path of 3 hops, then trace 2 (60 s later) over `second`,
 * with `queries`; the path trace 2 reported. */
static const struct mock_path *after_three(int queries, struct net second)
{
	setup(1, 8, queries, 1e6);
	nets[0] = (struct net){ .dist = 3, .rtt = 0.010 };
	path_run(in, mock_target(0));
	run_until(5);
	nets[0] = second;
	mock_set_time(60);
	path_run(in, mock_target(0));
	run_until(65);
	return mock_last_path();
}

static void test_presumed_destination(void)
{
	const struct mock_path *p;

	p = after_three(3, (struct net){ .dist = 3, .rtt = 0.010, .lose_q0 = 1ull << 2 });
	ok(p && p->reached && p->nhops == 3 && !strcmp(hop_ip(p, 3), "192.0.2.1"),
	   "presumed: query 0 at 3 lost, 4 answered: still reached in 3 hops, no phantom hop");
	ok(p && p->hops[2].sent == 5 && p->hops[2].received == 4,
	   "presumed: the destination's 5 probes (3 at TTL 3, query 0 at 4, 5), 4 answered");
	is_double(mock_metric_last("path.loss", 0, NULL), 20, 1e-9, "presumed: path.loss 20 (1 of 5)");
	teardown();

	/* one query: nothing at TTL 3 answers; the measured distance wins once */
	p = after_three(1, (struct net){ .dist = 3, .rtt = 0.010, .lose_q0 = 1ull << 2 });
	ok(p && p->reached && p->nhops == 3 && p->hops[2].sent == 3 && p->hops[2].received == 2,
	   "presumed, one query: at 3 once (the last trace measured 3 itself), 2 of 3 answered");
	mock_set_time(120);
	path_run(in, mock_target(0));
	run_until(125);
	p = mock_last_path();
	ok(p && p->reached && p->nhops == 4,
	   "presumed twice: the farther TTL wins (a new silent hop at 3 shows by the second trace): %u hops",
	   p ? p->nhops : 0);
	teardown();

	/* a router at the presumed TTL: the path got longer */
	p = after_three(3, (struct net){ .dist = 4, .rtt = 0.010, .lose_q0 = 1ull << 2 });
	ok(p && p->reached && p->nhops == 4 && !strcmp(hop_ip(p, 3), "10.0.3.1"),
	   "presumed, then a router answers at 3: reached in 4, the router at 3");
	teardown();
}

/* A destination that stops answering: the trace keeps the last distance
 * (its next query 0 still stops 2 past it), and the probes of the
 * destination it lost enter the destination's window (its loss is not
 * read from the rounds that reached it only). */
static void test_not_reached_keeps_hint(void)
{
	const struct mock_path *p = after_three(3, (struct net){ .dist = 0, .silent = ~3ull, .rtt = 0.010 });
	unsigned sent = 0, rcvd = 0;
	size_t s0;

	ok(p && !p->reached && T(0)->hint == 3 && T(0)->hint_reached,
	   "not reached: the last distance (3) is kept");
	for (unsigned i = 0; i < DEST_WINDOW; i++) {
		sent += T(0)->dwin_sent[i];
		rcvd += T(0)->dwin_rcvd[i];
	}
	/* trace 1: 3 of 3 at TTL 3; trace 2: every probe at TTL >= 3 (every
	 * query at TTLs 3..8) lost */
	ok(sent == 3 + 6 * 3 && rcvd == 3, "not reached: its lost probes of the destination are in the window (%u of %u)",
	   sent - rcvd, sent);
	s0 = nsends;
	mock_set_time(120);
	path_run(in, mock_target(0));
	run_until(120.005);
	is_int(max_ttl_sent(s0), 5, "not reached: the next query 0 still stops at the last distance + 2");
	teardown();
}

/* Four addresses of one host traced over udp (port unreachables): the
 * host rate-limits them together, not per address.  Once an end misses a
 * probe sent within its own budget, the ends behind the router before it
 * share one budget: after that, no destination loss that is not real. */
static void test_one_host(void)
{
	struct budget_key r2 = budget_key_make(AF_INET, &(pkt_ipaddr){ .v4 = router(2).v4 });
	unsigned measured = 0, lost = 0, late = 0, critical = 0;

	setup(4, 6, 3, 1e6);
	for (int i = 0; i < 4; i++)
		nets[i] = (struct net){ .dist = 3, .rtt = 0.010, .dest_err = 1, .one_host = 1 };
	for (int r = 0; r < 60; r++) {
		size_t m0 = mock_nmetrics;
		mock_set_time(2.0 * r);
		for (size_t i = 0; i < 4; i++)
			path_run(in, mock_target(i));
		run_until(2.0 * r + 1.9);
		for (size_t i = m0; i < mock_nmetrics; i++) {
			if (!strcmp(mock_metrics[i].name, "path.can_reach") && mock_metrics[i].value != HW_OK)
				critical++;
			if (r < 20 || strcmp(mock_metrics[i].name, "path.loss"))
				continue;
			late++;
			measured += mock_metrics[i].value < 100;
			lost += mock_metrics[i].value > 0;
		}
	}
	ok(budget_ends_shared(in->budget, &r2), "one host: the ends behind router 2 share one budget");
	ok(late >= 20 && lost == 0, "one host: rounds 20..59: %u of them measured the end, %u read loss (none)",
	   late, lost);
	ok(measured == late, "one host: and every one of them reached it");
	diag("one host: %u CRITICAL before the ends were known to share", critical);
	teardown();
}

/* Target 0 learns router 1; 300 s later another instance has spent its
 * budget, and target 1 (router 1 silent for it when `silent`) sends its
 * query 0 there to learn it.  Returns the tokens of router 1 that trace
 * took; *sent and *rcvd: its probes to TTL 1 and their answers. */
static int learner_tokens(int silent, size_t *sent, unsigned *rcvd)
{
	struct budget_key k1 = budget_key_make(AF_INET, &(pkt_ipaddr){ .v4 = router(1).v4 });
	struct budget_info bi = { 0 }, bj = { 0 };
	size_t s0;

	setup(2, 3, 3, 1e6);
	nets[0] = nets[1] = (struct net){ .dist = 3, .rtt = 0.010 };
	nets[1].silent = silent ? 1u << 0 : 0;
	path_run(in, mock_target(0));
	run_until(5);
	mock_set_time(300);
	for (int i = 0; i < 10; i++)
		budget_sent(in->budget, &k1, 300);
	budget_state(in->budget, &k1, 300, &bi);
	s0 = nsends;
	path_run(in, mock_target(1));
	run_until(305);
	budget_state(in->budget, &k1, 305, &bj);
	*sent = sends_at(s0, 1);
	*rcvd = T(1)->rcvd[1];
	teardown();
	return (int)(bj.sent - bi.sent);
}

/* Issue 13: a learner's query 0 sent out of its router's budget takes a
 * token only when answered (a Linux router or a policer spends one only
 * on what it answers).  Taken up front, the unanswered ones ran the budget
 * into a debt that kept every target that knew the router off it for tens
 * of seconds, the hop's window frozen on its first round's outcomes. */
static void test_learner_debt(void)
{
	size_t sent;
	unsigned rcvd;
	int taken = learner_tokens(1, &sent, &rcvd);

	ok(sent == 1 && rcvd == 0, "learner debt: query 0 to router 1 went out of budget, unanswered");
	is_int(taken, 0, "learner debt: it took no token of router 1");
	taken = learner_tokens(0, &sent, &rcvd);
	ok(sent == 1 && rcvd == 1 && taken == 1, "learner debt: answered, it took one token of router 1 (%d)", taken);
}

/* An end that rate-limits its answers: the old end answering as a
 * transit router (the path got longer) no longer pays for the probes past
 * it; a first round whose end may have refused some probes has no figure
 * of it and leaves the path store alone. */
static void test_end_moves(void)
{
	const struct mock_path *p;
	size_t np0, m0;

	setup(1, 8, 3, 1e6);
	nets[0] = (struct net){ .dist = 2, .rtt = 0.010, .dest_err = 1 };
	path_run(in, mock_target(0));
	run_until(5);
	ok(T(0)->end_lim && T(0)->hint == 2, "end moves: trace 1 ends at TTL 2 (an ICMP error: paced)");
	nets[0].dist = 5;
	mock_set_time(60);
	path_run(in, mock_target(0));
	run_until(65);
	p = mock_last_path();
	ok(p && p->reached && p->nhops == 5 && !strcmp(hop_ip(p, 2), "10.0.2.1"),
	   "end moves: the old end answered as a router: found 3 TTLs further, reached in 5");
	teardown();

	/* first round: query 0 at the destination's TTL lost, one past it answered */
	setup(1, 8, 3, 1e6);
	nets[0] = (struct net){ .dist = 3, .rtt = 0.010, .dest_err = 1, .lose_q0 = 1ull << 2 };
	np0 = mock_npaths;
	m0 = mock_nmetrics;
	path_run(in, mock_target(0));
	run_until(5);
	ok(mock_npaths == np0 && count_metrics(m0, "path.loss", 0, NULL) == 0 &&
	   count_metrics(m0, "path.can_reach", 0, NULL) == 0,
	   "first round: the TTL before the end silent: no figure of the end, no path (no phantom hop)");
	nets[0].lose_q0 = 0;
	mock_set_time(60);
	path_run(in, mock_target(0));
	run_until(65);
	p = mock_last_path();
	ok(p && p->reached && p->nhops == 3 && mock_metric_last("path.loss", 0, NULL) == 0,
	   "first round: the next one finds the destination at 3, no loss");
	teardown();
}

/* With one query, the destination's probes past it (the last trace's TTL
 * + its slack) answer just after the first, once the trace ended: still in
 * flight then, they have no outcome and are never the destination's loss
 * (counted lost, they read 50 %). */
static void test_one_query_end(void)
{
	const struct mock_path *p;

	/* about 1 ms apart, so TTL 3's answer comes first; every time exact
	 * in binary (the fake clock does not move by less than a step) */
	setup(1, 10, 1, 1024);
	nets[0] = (struct net){ .dist = 3, .rtt = 0.25 };
	path_run(in, mock_target(0));
	run_until(5);
	for (int round = 1; round <= 3; round++) {
		mock_set_time(64.0 * round);
		path_run(in, mock_target(0));
		run_until(64.0 * round + 5);
		p = mock_last_path();
		ok(p && p->reached && p->nhops == 3 && p->hops[2].sent >= 1 &&
		   p->hops[2].received == p->hops[2].sent,
		   "one query, trace %d: the destination's probes with an outcome all answered (%u of %u)", round + 1,
		   p ? p->hops[2].received : 0, p ? p->hops[2].sent : 0);
		ok(mock_metric_last("path.loss", 0, NULL) == 0, "one query, trace %d: path.loss 0 (%g)", round + 1,
		   mock_metric_last("path.loss", 0, NULL));
	}
	is_int(mock_done, 4, "one query: 4 traces ended, once each");
	teardown();
}

/* tcp: the sequence numbers grow from trace to trace, over the wrap of the
 * trace number too, by less than a SYN/ACK's window (64 KB): a SYN of the
 * next trace falls in the window of a connection an earlier one left
 * half-open at the destination (it resets it: an answer). */
static void test_tcp_seq_grows(void)
{
	uint8_t b[TX_BUF];
	uint32_t seq = 0, prev = 0, worst = 0;
	int grows = 1;

	mock_protocol = P_TCP;
	setup(1, 4, 1, 1e6);
	mock_protocol = P_ICMP;
	nets[0] = (struct net){ .dist = 3, .rtt = 0.010 };
	for (int k = 0; k < 70; k++) {
		mock_set_time(4.0 * k);
		path_run(in, mock_target(0));
		if (in->proto->build(T(0), 3, 0, b, sizeof b) < 8)
			abort();
		seq = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
		if (k > 0) {
			uint32_t d = seq - prev;
			if (d == 0 || d > 65535)
				grows = 0;
			if (d > worst)
				worst = d;
		}
		prev = seq;
		run_until(4.0 * k + 3);
	}
	ok(grows, "tcp: 70 traces (the trace number wraps at %d): each SYN's sequence number above the last "
	   "trace's by 1 to 65535 (at most %u)", GEN_MOD, worst);
	teardown();
}

int main(void)
{
	test_send_fails();
	test_gate_and_hint();
	test_silent_hop();
	test_silent_destination();
	test_udp_unfound();
	test_unreachable();
	test_late();
	test_pacing();
	test_shared_address();
	test_budget_shared();
	test_spread();
	test_out_of_budget();
	test_learners_first();
	test_learner_debt();
	test_end_budget();
	test_presumed_destination();
	test_not_reached_keeps_hint();
	test_one_host();
	test_end_moves();
	test_one_query_end();
	test_tcp_seq_grows();
	test_restart();
	return done_testing();
}
