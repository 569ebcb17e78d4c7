/*
 * plugins/path.c: parallel, flow-stable traceroute (ICMP echo, UDP, TCP
 * SYN) with hop-by-hop latency and loss, and path change detection by the
 * core (hw_path_report).
 *
 * One round of a target is one trace: `queries` probes at every TTL from 1
 * to `max_ttl`, each waiting up to the instance `timeout`.
 *
 * Parallel, not serial.  Query 0 goes out for every TTL at once (paced, see
 * below); queries 1.. follow as soon as the destination's TTL is known, or
 * once query 0 has settled (all answered or timed out), and only up to the
 * destination's TTL.  A responsive path is traced in about two round trips
 * to its farthest hop plus the sending time; a silent hop costs one timeout,
 * a silent destination two.  Holding the later queries back until the
 * destination is known keeps the probes that reach the destination (all
 * TTLs past it) to a few: destinations rate-limit their port unreachables
 * (Linux: a burst of 6, then 1/s), so a burst of 60 would read as loss.
 * For the same reason query 0 of a trace stops at the previous trace's
 * destination TTL + HINT_SLACK; when the path got longer than that, the
 * rest of the TTLs follow once query 0 has settled.
 *
 * Pacing: the instance sends at most `pps` probes per second, round robin
 * over the targets that have something to send (a token bucket 1 ms deep:
 * never a burst).  Send times are read at the actual send.
 *
 * Flow stability (Paris traceroute): every probe of a target keeps the
 * fields per-flow ECMP hashes on: addresses, protocol, ports, and for ICMP
 * the identifier and the checksum.  The probe's identity (a 16-bit probe
 * id: trace number mod 63, query, TTL) is carried where routers do not
 * hash and every ICMP error quotes (the first 8 bytes of the transport
 * header):
 *   icmp  the echo sequence number; a payload word holds its one's
 *         complement, so the checksum never changes;
 *   udp   raw: the UDP checksum (id + 1), made exact by a payload word
 *         (pkt_udp_build); dgram: the first payload word, with its
 *         complement next to it so the kernel's checksum never changes;
 *   tcp   the SYN's sequence number (16 random bits per trace above it).
 * Flow identity, fixed for the instance's lifetime, so 50 traces of one
 * target are one flow and two instances are two flows: raw icmp: an echo
 * identifier per target (a random instance base + the target's index);
 * dgram icmp: the ping socket's port (the kernel's identifier); udp and tcp:
 * one source port per instance (a bound socket holds it), the destination
 * port of the target.
 *
 * Matching.  raw mode reads every ICMP error on a raw ICMP socket and
 * parses it with pkt_icmp_parse: the quoted packet must be our protocol, to
 * the target's address (the quoted source is not checked: a NAT on the way
 * may have rewritten it), with our identifier or ports, and a probe id of
 * the running trace whose probe still waits; where the quote reaches the
 * payload, the instance's random cookie must be there too.  dgram mode
 * reads IP_RECVERR / IPV6_RECVERR messages from the error queue of its
 * ping or UDP socket (the kernel has matched the socket): the responder is
 * SO_EE_OFFENDER, the target the message's address, and the payload what
 * the router quoted of ours: for icmp the echo header (sequence = probe id),
 * for udp our payload (its first word = probe id).  A UDP probe in dgram
 * mode is therefore only matched when the router quotes more than the 8
 * bytes of the UDP header (Linux and RFC 1812 routers quote up to 576
 * bytes; a router quoting 8 bytes shows as unknown there): use raw mode,
 * or protocol icmp, where that matters.
 * Replies that fail any check are never counted (path.unmatched counts
 * the malformed ones and the ones carrying our flow identity).
 *
 * Sockets (per instance and family, not per target):
 *   icmp dgram  one ping socket (SOCK_DGRAM, IPPROTO_ICMP[V6]): needs the
 *               group in net.ipv4.ping_group_range, no capability;
 *   icmp raw    one raw ICMP socket: sends and receives;
 *   udp dgram   one UDP socket; no privilege at all;
 *   udp raw     a raw UDP socket to send (it reads nothing: a drop-all
 *               filter), a raw ICMP socket to receive, a bound UDP socket
 *               holding the source port;
 *   tcp raw     a raw TCP socket (SYN out, SYN/ACK or RST in, filtered on
 *               our port), a raw ICMP socket, a bound TCP socket holding
 *               the port.  The SYN is never completed: our kernel resets
 *               the SYN/ACK.  tcp has no unprivileged mode (a connect()
 *               per probe needs a source port per probe: not one flow).
 *   mode auto: icmp takes ping sockets when allowed, else raw; udp and
 *   tcp take raw when CAP_NET_RAW allows, else (udp) dgram.  The log says
 *   which.  The TTL of each probe travels as IP_TTL / IPV6_HOPLIMIT
 *   control data of its sendmsg, so one socket serves every TTL.
 *
 * Time: RTT = the kernel's receive timestamp (SO_TIMESTAMPNS, on the error
 * queue too) minus CLOCK_REALTIME read just before the send; the monotonic
 * difference when the wall clock stepped.
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
#include <errno.h>
#include <linux/errqueue.h>
#include <linux/filter.h>
#include <math.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hopwatch.h"
#include "pkt.h"

/* Not in every libc's headers: <linux/icmp.h> (raw IPv4 receive filter). */
#define RAW_SOL 255          /* SOL_RAW */
#define RAW_ICMP_FILTER 1    /* ICMP_FILTER: bit set = type blocked */

#define MAX_QUERIES 16       /* probes per TTL at most: 4 bits of the probe id */
#define GEN_MOD 63           /* trace numbers in the probe id: 6 bits, never 63 (keeps id + 1 < 0xffff) */
#define PAYLOAD_MIN 8        /* probe id word, its fix word, 4-byte cookie */
#define HINT_SLACK 2         /* TTLs past the last trace's destination query 0 still probes */
#define RX_BUDGET 256        /* datagrams read per socket and wakeup */
#define RX_BUF 2048          /* receive buffer, bytes */
#define TX_BUF 2048          /* send buffer, bytes */
#define FLUSH_MAX 10.0       /* seconds between instance counter reports, at most */
#define SEND_TRIES 3         /* sendmsg attempts: a pending ICMP error fails one send */

enum proto { P_ICMP, P_UDP, P_TCP };
enum mode { MODE_AUTO, MODE_DGRAM, MODE_RAW };
static const char *const protocols[] = { "icmp", "udp", "tcp", NULL };
static const char *const modes[] = { "auto", "dgram", "raw", NULL };

/* ------------------------------------------------------------------ */
/* Settings                                                             */

/* Settings of one instance, filled by the host from the table below. */
struct opts {
	int protocol;            /* enum proto */
	int max_ttl;             /* highest TTL probed */
	int queries;             /* probes per TTL and trace */
	int port;                /* udp/tcp destination port; 0: the target's, else 33434 / 80 */
	int size;                /* icmp/udp payload bytes after the transport header */
	const char *source;      /* address to send from, or NULL */
	int mode;                /* enum mode */
	double pps;              /* probes per second for the whole instance */
};

#define O(f) offsetof(struct opts, f)
static const hw_option options[] = {
	{ "protocol", HW_OPT_ENUM, O(protocol), "icmp", 0, 0, protocols,
	  "icmp (echo, default), udp (to port 33434 and up: an unreachable ends the trace) or tcp "
	  "(SYN to the port, raw sockets only); the interval is the global one (60s by default)" },
	{ "max_ttl", HW_OPT_INT, O(max_ttl), "30", 1, HW_PATH_MAX_HOPS, NULL,
	  "highest TTL / hop limit probed (default 30, at most 64)" },
	{ "queries", HW_OPT_INT, O(queries), "3", 1, MAX_QUERIES, NULL,
	  "probes per TTL and trace: RTT min/avg/max and loss per hop (default 3, at most 16)" },
	{ "port", HW_OPT_INT, O(port), "0", 0, 65535, NULL,
	  "udp/tcp destination port; 0 (default): the target's port, else 33434 (udp) or 80 (tcp)" },
	{ "size", HW_OPT_INT, O(size), "32", PAYLOAD_MIN, 1400, NULL,
	  "icmp/udp payload bytes after the 8-byte header (default 32, at least 8); tcp sends a bare SYN" },
	{ "source", HW_OPT_STRING, O(source), NULL, 0, 0, NULL,
	  "IPv4 or IPv6 address to send from; unset: the kernel picks" },
	{ "mode", HW_OPT_ENUM, O(mode), "auto", 0, 0, modes,
	  "auto (default: icmp ping sockets when ping_group_range allows, udp/tcp raw when CAP_NET_RAW "
	  "allows, else the other), dgram (no capability: ICMP errors from the socket error queue) "
	  "or raw (CAP_NET_RAW; tcp needs it)" },
	{ "pps", HW_OPT_DOUBLE, O(pps), "2000", 1, 1000000, NULL,
	  "probes per second for the whole instance, paced evenly (default 2000: 500 us apart)" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
#undef O

/* ------------------------------------------------------------------ */
/* State                                                                */

/* What became of one probe of the running trace. */
enum { PS_UNSENT, PS_WAIT, PS_ANSWERED, PS_EXPIRED };
/* What a reply says about its probe's TTL. */
enum { R_HOP, R_DEST, R_STOP };

/* One probe of the running trace of a target. */
struct pinfo {
	double tx_mono;          /* hw_mono() just before the send, seconds */
	double tx_real;          /* CLOCK_REALTIME at the same moment, seconds */
	double rtt;              /* ms; NAN until answered */
	pkt_ipaddr from;          /* the responder, when answered */
	uint8_t state;           /* PS_* */
};

struct inst;

/* Per-target state (hw_target.data). */
struct tstate {
	struct inst *in;         /* owner */
	hw_target *t;            /* the target */
	struct pinfo *p;         /* max_ttl * queries probes, index (ttl - 1) * queries + query */
	uint16_t *order;         /* probe indices in send order: the timeout FIFO */
	unsigned norder, ohead;  /* entries in order, first one not yet expired or settled */
	uint8_t sent[HW_PATH_MAX_HOPS + 1];  /* probes sent (or failed) per TTL, this trace */
	uint8_t wait[HW_PATH_MAX_HOPS + 1];  /* probes waiting per TTL */
	hw_timer *timer;         /* the oldest waiting probe's deadline */
	unsigned gen;            /* trace number */
	uint16_t ident;          /* raw icmp: this target's echo identifier */
	uint16_t key;            /* tcp: high half of the sequence numbers of this trace */
	uint16_t dport;          /* udp/tcp: destination port this trace */
	int family;              /* address family this trace */
	pkt_ipaddr dst;           /* the target's address this trace */
	pkt_ipaddr src;           /* raw udp/tcp: our address towards it (checksums) */
	unsigned lim;            /* highest TTL this trace probes (for now) */
	unsigned dest_ttl;       /* lowest TTL the destination answered; 0: not yet */
	unsigned stop_ttl;       /* lowest TTL a router said unreachable; 0: none */
	unsigned hint;           /* destination TTL of the previous trace; 0: unknown */
	unsigned q0_wait;        /* query-0 probes still waiting */
	int open;                /* queries after the first may go */
	int active;              /* a trace runs */
	int queued;              /* in the send ring */
	int send_err;            /* errno of the last failed send of this trace, 0: none */
	unsigned failed;         /* sends that failed this trace */
	double t0;               /* hw_mono() when the trace started */
};

/* The sockets of one address family. */
struct fam {
	struct inst *in;         /* owner */
	int family;              /* AF_INET or AF_INET6 */
	int fd;                  /* sends (dgram: also receives): ping, UDP or raw socket; -1: none */
	int rfd;                 /* raw mode udp/tcp: the raw ICMP socket that receives; -1: none */
	hw_io *io, *rio;         /* read watches of fd and rfd */
	uint16_t sport;          /* udp/tcp: our source port; dgram icmp: the echo identifier */
};

/* A probe instance. */
struct inst {
	hw_ctx *ctx;             /* host handle */
	const struct opts *o;    /* settings */
	int raw;                 /* 1: raw mode, 0: dgram mode */
	double timeout;          /* seconds a probe waits */
	size_t ntargets;         /* targets */
	struct tstate **tsv;     /* per-target state by index */
	struct pinfo *pool;      /* ntargets * max_ttl * queries probes */
	uint16_t *opool;         /* ntargets * max_ttl * queries send-order slots */
	struct fam f4, f6;       /* sockets per family */
	int holder;              /* raw udp/tcp: socket holding the source port; -1 */
	uint16_t ident_base;     /* raw icmp: echo identifier of target 0 */
	unsigned char cookie[4]; /* random; in every payload */
	uint32_t rng;            /* xorshift state */
	struct tstate **ring;    /* round-robin send ring, ntargets entries */
	size_t rhead, rn;        /* its head and length */
	hw_timer *send_timer;    /* next send */
	int send_armed;          /* send_timer is armed */
	double tokens;           /* pacing bucket level */
	double tokens_at;        /* hw_mono() of its last refill */
	double burst;            /* bucket depth */
	hw_timer *flush_timer;   /* instance counters */
	uint64_t unmatched;      /* replies that failed a check, since the last flush */
	unsigned char tx[TX_BUF];/* send buffer */
	unsigned char pl[TX_BUF];/* payload scratch */
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t rnd(struct inst *in)
{
	uint32_t x = in->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return in->rng = x;
}

static size_t alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

static int addr_eq(int family, const pkt_ipaddr *a, const pkt_ipaddr *b)
{
	return !memcmp(a, b, alen(family));
}

/* The address inside a sockaddr of `family`; 0 when it is not of that family. */
static int sa_addr(const struct sockaddr *sa, socklen_t len, int family, pkt_ipaddr *a)
{
	if (sa->sa_family != family)
		return 0;
	if (family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in))
		a->v4 = ((const struct sockaddr_in *)sa)->sin_addr;
	else if (family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6))
		a->v6 = ((const struct sockaddr_in6 *)sa)->sin6_addr;
	else
		return 0;
	return 1;
}

static const char *proto_name(const struct inst *in)
{
	return protocols[in->o->protocol];
}

static struct fam *fam_of(struct inst *in, int family)
{
	struct fam *f = family == AF_INET ? &in->f4 : family == AF_INET6 ? &in->f6 : NULL;
	return f && f->fd >= 0 ? f : NULL;
}

static double ts_sec(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

static double real_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts_sec(&ts);
}

/* Probe id: trace number mod GEN_MOD (6 bits), query (4), TTL - 1 (6). */
static uint16_t probe_id(const struct tstate *ts, unsigned ttl, unsigned q)
{
	return (uint16_t)((ts->gen % GEN_MOD) << 10 | q << 6 | (ttl - 1));
}

/* The probe of the running trace of `ts` with id `pid`, if it is one. */
static struct pinfo *probe_of(struct tstate *ts, uint16_t pid, unsigned *ttl, unsigned *q)
{
	const struct opts *o = ts->in->o;
	unsigned g = pid >> 10, qq = (pid >> 6) & 15, tt = (pid & 63) + 1;

	if (g != ts->gen % GEN_MOD || qq >= (unsigned)o->queries || tt > (unsigned)o->max_ttl)
		return NULL;
	*ttl = tt;
	*q = qq;
	return &ts->p[(tt - 1) * (unsigned)o->queries + qq];
}

/* ------------------------------------------------------------------ */
/* Validation                                                           */

static const char *validate(const void *opts, double interval, double timeout)
{
	const struct opts *o = opts;
	unsigned char buf[sizeof(struct in6_addr)];

	if (o->protocol == P_TCP && o->mode == MODE_DGRAM)
		return "protocol \"tcp\" needs raw sockets (CAP_NET_RAW): set mode = \"raw\" or \"auto\"";
	if (o->protocol == P_ICMP && o->port)
		return "port is for protocol \"udp\" or \"tcp\"; icmp has none";
	if ((double)o->max_ttl * o->queries / o->pps + 2 * timeout >= interval)
		return "max_ttl * queries / pps + 2 * timeout must be less than interval: a trace (its "
		       "sending, then at most two timeouts) must end before the next one starts";
	if (o->source && inet_pton(AF_INET, o->source, buf) != 1 && inet_pton(AF_INET6, o->source, buf) != 1)
		return "source must be a literal IPv4 or IPv6 address";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Reporting                                                            */

static void flush_counters(struct inst *in)
{
	if (in->unmatched)
		hw_metric1(in->ctx, NULL, "path.unmatched", HW_COUNT, (double)in->unmatched, NULL);
	in->unmatched = 0;
}

static void flush_cb(void *arg)
{
	struct inst *in = arg;
	double every = hw_interval(in->ctx);

	flush_counters(in);
	hw_timer_arm(in->flush_timer, every < FLUSH_MAX ? every : FLUSH_MAX);
}

/* The highest TTL that matters now: the trace's limit, or the destination
 * or the unreachable router when one is known. */
static unsigned eff_lim(const struct tstate *ts)
{
	unsigned e = ts->lim;

	if (ts->dest_ttl && ts->dest_ttl < e)
		e = ts->dest_ttl;
	if (ts->stop_ttl && ts->stop_ttl < e)
		e = ts->stop_ttl;
	return e;
}

/* Build hop `ttl` of the trace into *h. */
static void make_hop(const struct tstate *ts, unsigned ttl, hw_hop *h)
{
	unsigned qn = (unsigned)ts->in->o->queries, best = 0;
	const struct pinfo *p = &ts->p[(ttl - 1) * qn];
	double sum = 0;

	memset(h, 0, sizeof *h);
	h->sent = ts->sent[ttl];
	for (unsigned i = 0; i < qn; i++) {
		unsigned same = 0;
		if (p[i].state != PS_ANSWERED)
			continue;
		h->received++;
		sum += p[i].rtt;
		if (h->received == 1 || p[i].rtt < h->rtt_min)
			h->rtt_min = p[i].rtt;
		if (h->received == 1 || p[i].rtt > h->rtt_max)
			h->rtt_max = p[i].rtt;
		/* the responder: the address most replies came from (the
		 * first one on a tie) */
		for (unsigned k = 0; k < qn; k++)
			if (p[k].state == PS_ANSWERED && addr_eq(ts->family, &p[k].from, &p[i].from))
				same++;
		if (same > best) {
			best = same;
			inet_ntop(ts->family, &p[i].from, h->ip, sizeof h->ip);
		}
	}
	if (h->received)
		h->rtt_avg = sum / h->received;
}

/* The trace of `ts` is over: metrics, service check, path store. */
static void report(struct tstate *ts)
{
	struct inst *in = ts->in;
	hw_ctx *ctx = in->ctx;
	const hw_target *t = ts->t;
	hw_hop hops[HW_PATH_MAX_HOPS];
	unsigned n = 0, unknown = 0, e = eff_lim(ts);
	double dur = hw_mono() - ts->t0;
	char ptag[32], htag[32], iptag[INET6_ADDRSTRLEN + 8], msg[512];
	const char *tags[] = { ptag, NULL }, *htags[] = { ptag, htag, iptag, NULL };
	int reached = ts->dest_ttl != 0;
	hw_path path;

	snprintf(ptag, sizeof ptag, "protocol:%s", proto_name(in));
	if (reached)
		n = ts->dest_ttl;
	else if (ts->stop_ttl)
		n = ts->stop_ttl;
	else
		for (unsigned ttl = 1; ttl <= e; ttl++)
			for (unsigned q = 0; q < (unsigned)in->o->queries; q++)
				if (ts->p[(ttl - 1) * (unsigned)in->o->queries + q].state == PS_ANSWERED)
					n = ttl;
	for (unsigned ttl = 1; ttl <= n; ttl++) {
		hw_hop *h = &hops[ttl - 1];
		make_hop(ts, ttl, h);
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
		hw_metric1(ctx, t, "path.rtt", HW_GAUGE, d->rtt_avg, tags);
		hw_metric1(ctx, t, "path.loss", HW_GAUGE, d->sent ? 100.0 * (d->sent - d->received) / d->sent : 0, tags);
		snprintf(msg, sizeof msg, "%s reached in %u hops (%u unknown), rtt %.3f ms, loss %.0f%%",
		         t->ip, n, unknown, d->rtt_avg, d->sent ? 100.0 * (d->sent - d->received) / d->sent : 0);
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
	path = (hw_path){ .protocol = proto_name(in), .nhops = n, .hops = hops, .reached = reached,
	                  .duration = dur };
	hw_path_report(ctx, t, &path);
	ts->hint = reached ? ts->dest_ttl : 0;
}

/* ------------------------------------------------------------------ */
/* The trace                                                            */

static void wake(struct tstate *ts);

/* The next probe to send: TTL and query, by query then TTL; 0 when none
 * may go now. */
static int next_probe(const struct tstate *ts, unsigned *ttl, unsigned *q)
{
	unsigned e = eff_lim(ts), best = (unsigned)ts->in->o->queries, bt = 0;

	for (unsigned t = 1; t <= e; t++) {
		unsigned c = ts->sent[t];
		if (c >= best || (c > 0 && !ts->open))
			continue;
		best = c;
		bt = t;
		if (!c)
			break;
	}
	if (!bt)
		return 0;
	*ttl = bt;
	*q = best;
	return 1;
}

/* Open the gate for the later queries once query 0 has settled; probe
 * the TTLs past the hint too when the destination is still unknown. */
static void check_gate(struct tstate *ts)
{
	unsigned e = eff_lim(ts);

	if (ts->open || ts->q0_wait)
		return;
	for (unsigned t = 1; t <= e; t++)
		if (!ts->sent[t])
			return;
	ts->open = 1;
	if (!ts->dest_ttl && !ts->stop_ttl && ts->lim < (unsigned)ts->in->o->max_ttl)
		ts->lim = (unsigned)ts->in->o->max_ttl;
}

/* End the trace when nothing is left to send or wait for. */
static void maybe_finish(struct tstate *ts)
{
	unsigned e, ttl, q;

	if (!ts->active)
		return;
	check_gate(ts);
	if (next_probe(ts, &ttl, &q))
		return;
	e = eff_lim(ts);
	for (unsigned t = 1; t <= e; t++)
		if (ts->wait[t])
			return;
	ts->active = 0;
	hw_timer_stop(ts->timer);
	report(ts);
	hw_done(ts->in->ctx, ts->t);
}

/* Arm the trace's timer for its oldest waiting probe. */
static void arm_timeout(struct tstate *ts)
{
	while (ts->ohead < ts->norder && ts->p[ts->order[ts->ohead]].state != PS_WAIT)
		ts->ohead++;
	if (ts->ohead < ts->norder)
		hw_timer_arm(ts->timer, ts->p[ts->order[ts->ohead]].tx_mono + ts->in->timeout - hw_mono());
	else
		hw_timer_stop(ts->timer);
}

/* A probe is settled (answered or expired): bookkeeping. */
static void settle(struct tstate *ts, struct pinfo *p, unsigned ttl, unsigned q, int state)
{
	p->state = (uint8_t)state;
	ts->wait[ttl]--;
	if (q == 0)
		ts->q0_wait--;
}

/* Probe (ttl, q) of `ts` got a reply of kind R_* from `from`, which the
 * kernel received at rx_real (CLOCK_REALTIME, 0: unknown) / rx_mono. */
static void answered(struct tstate *ts, struct pinfo *p, unsigned ttl, unsigned q, int kind,
                     const pkt_ipaddr *from, double rx_real, double rx_mono)
{
	double rtt = rx_mono - p->tx_mono;

	if (p->state != PS_WAIT || !ts->active)
		return;  /* a duplicate, late, or past the destination of a finished trace */
	if (rx_real > 0 && rx_real - p->tx_real >= 0 && rx_real - p->tx_real <= rtt + 0.001)
		rtt = rx_real - p->tx_real;
	if (rtt > ts->in->timeout)
		return;  /* late: its expiry is just not processed yet */
	settle(ts, p, ttl, q, PS_ANSWERED);
	p->rtt = rtt * 1e3;
	memcpy(&p->from, from, alen(ts->family));
	if (kind == R_DEST && (!ts->dest_ttl || ttl < ts->dest_ttl)) {
		ts->dest_ttl = ttl;
		ts->open = 1;
	} else if (kind == R_STOP && (!ts->stop_ttl || ttl < ts->stop_ttl)) {
		ts->stop_ttl = ttl;
		ts->open = 1;
	}
	if (hw_log_enabled(HW_LOG_DEBUG)) {
		char a[INET6_ADDRSTRLEN];
		inet_ntop(ts->family, from, a, sizeof a);
		HW_DEBUG(ts->in->ctx, "target %s: ttl %u query %u: %s %s %.3f ms", ts->t->host, ttl, q,
		         kind == R_DEST ? "destination" : kind == R_STOP ? "unreachable from" : "hop", a,
		         p->rtt);
	}
	check_gate(ts);
	wake(ts);
	maybe_finish(ts);
}

static void drain_all(struct inst *in);

static void timeout_cb(void *arg)
{
	struct tstate *ts = arg;
	struct inst *in = ts->in;
	unsigned qn = (unsigned)in->o->queries;
	double now;

	/* read the clock, then what is queued: a reply that arrived before a
	 * deadline <= now is read before its probe is declared lost */
	now = hw_mono();
	drain_all(in);
	if (!ts->active)
		return;
	while (ts->ohead < ts->norder) {
		unsigned i = ts->order[ts->ohead];
		struct pinfo *p = &ts->p[i];
		if (p->state == PS_WAIT) {
			if (p->tx_mono + in->timeout > now)
				break;
			settle(ts, p, i / qn + 1, i % qn, PS_EXPIRED);
		}
		ts->ohead++;
	}
	check_gate(ts);
	wake(ts);
	maybe_finish(ts);
	if (ts->active)
		arm_timeout(ts);
}

/* ------------------------------------------------------------------ */
/* Sending                                                              */

/* Whether an errno of sendmsg is one an ICMP error leaves behind on a
 * socket with IP_RECVERR: reported once, by the next call. */
static int icmp_errno(int err)
{
	return err == EHOSTUNREACH || err == ENETUNREACH || err == ECONNREFUSED || err == EHOSTDOWN ||
	       err == ENONET || err == EPROTO || err == EACCES || err == EPERM || err == EMSGSIZE;
}

/* Send probe (ttl, q) of `ts`.  Returns 0 when it left, else an errno. */
static int send_probe(struct tstate *ts, unsigned ttl, unsigned q)
{
	struct inst *in = ts->in;
	const struct opts *o = in->o;
	struct fam *f = fam_of(in, ts->family);
	uint16_t pid = probe_id(ts, ttl, q);
	unsigned char *pl = in->pl;
	size_t plen = (size_t)o->size, len = 0;
	struct sockaddr_storage to;
	union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } cbuf;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *c;
	struct pinfo *p = &ts->p[(ttl - 1) * (unsigned)o->queries + q];
	int hops = (int)ttl, err = 0;

	if (!f)
		return EAFNOSUPPORT;
	memcpy(pl + 4, in->cookie, 4);
	for (size_t i = PAYLOAD_MIN; i < plen; i++)
		pl[i] = (unsigned char)(0x40 + i);
	memcpy(&to, &ts->t->addr, ts->t->addrlen);
	switch (o->protocol) {
	case P_ICMP:
		/* the sequence is the probe id; its complement keeps the sum,
		 * and so the checksum, the same for every probe */
		put16(pl, (uint16_t)~pid);
		put16(pl + 2, 0);
		len = pkt_icmp_echo_build(in->tx, TX_BUF, ts->family, in->raw ? ts->ident : f->sport, pid, pl, plen);
		((struct sockaddr_in *)&to)->sin_port = 0;  /* same offset in v6 */
		break;
	case P_UDP:
		if (in->raw) {
			put16(pl, pid);
			len = pkt_udp_build(in->tx, TX_BUF, ts->family, &ts->src, &ts->dst, f->sport, ts->dport,
			                   (uint16_t)(pid + 1), pl, plen, 2);
			/* a raw IPv6 socket reads sin6_port as the protocol */
			((struct sockaddr_in *)&to)->sin_port = 0;
		} else {
			put16(pl, pid);
			put16(pl + 2, (uint16_t)~pid);
			memcpy(in->tx, pl, plen);
			len = plen;
			((struct sockaddr_in *)&to)->sin_port = htons(ts->dport);
		}
		break;
	case P_TCP:
		len = pkt_tcp_syn_build(in->tx, TX_BUF, ts->family, &ts->src, &ts->dst, f->sport, ts->dport,
		                       (uint32_t)ts->key << 16 | pid, ts->family == AF_INET ? 1460 : 1440);
		((struct sockaddr_in *)&to)->sin_port = 0;
		break;
	}
	if (!len)
		return EINVAL;
	iov = (struct iovec){ in->tx, len };
	memset(&cbuf, 0, sizeof cbuf);
	msg = (struct msghdr){ .msg_name = &to, .msg_namelen = ts->t->addrlen, .msg_iov = &iov,
	                       .msg_iovlen = 1, .msg_control = cbuf.b, .msg_controllen = sizeof cbuf.b };
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = ts->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	c->cmsg_type = ts->family == AF_INET ? IP_TTL : IPV6_HOPLIMIT;
	c->cmsg_len = CMSG_LEN(sizeof hops);
	memcpy(CMSG_DATA(c), &hops, sizeof hops);
	for (int attempt = 0; attempt < SEND_TRIES; attempt++) {
		p->tx_real = real_now();
		p->tx_mono = hw_mono();
		if (sendmsg(f->fd, &msg, MSG_DONTWAIT) >= 0)
			return 0;
		err = errno;
		/* an earlier probe's ICMP error, reported by this call: again */
		if (!icmp_errno(err) && err != EINTR)
			break;
	}
	return err;
}

/* Send the next probe of `ts`. */
static void send_next(struct tstate *ts)
{
	unsigned ttl, q, idx;
	struct pinfo *p;
	int err;

	if (!next_probe(ts, &ttl, &q))
		return;
	idx = (ttl - 1) * (unsigned)ts->in->o->queries + q;
	p = &ts->p[idx];
	ts->sent[ttl]++;
	if ((err = send_probe(ts, ttl, q)) != 0) {
		p->state = PS_EXPIRED;  /* sent and lost, as far as the hop goes */
		ts->failed++;
		if (ts->send_err != err)
			HW_DEBUG(ts->in->ctx, "target %s (%s): sending with ttl %u: %s", ts->t->host, ts->t->ip,
			         ttl, strerror(err));
		ts->send_err = err;
		return;
	}
	p->state = PS_WAIT;
	ts->wait[ttl]++;
	if (q == 0)
		ts->q0_wait++;
	ts->order[ts->norder++] = (uint16_t)idx;
	if (ts->norder - ts->ohead == 1)
		arm_timeout(ts);
}

/* Take a pacing token at `now`; else 0 and *wait seconds until one. */
static int take_token(struct inst *in, double now, double *wait)
{
	in->tokens += (now - in->tokens_at) * in->o->pps;
	if (in->tokens > in->burst)
		in->tokens = in->burst;
	in->tokens_at = now;
	if (in->tokens >= 1) {
		in->tokens -= 1;
		return 1;
	}
	*wait = (1 - in->tokens) / in->o->pps;
	return 0;
}

/* Send what the pacing allows, round robin over the traces with
 * something to send; arm the timer for the rest. */
static void pump(struct inst *in)
{
	double wait;

	in->send_armed = 0;
	while (in->rn) {
		struct tstate *ts;
		unsigned ttl, q;

		if (!take_token(in, hw_mono(), &wait)) {
			hw_timer_arm(in->send_timer, wait);
			in->send_armed = 1;
			return;
		}
		ts = in->ring[in->rhead];
		in->rhead = (in->rhead + 1) % in->ntargets;
		in->rn--;
		ts->queued = 0;
		if (!ts->active)
			continue;
		send_next(ts);
		if (next_probe(ts, &ttl, &q)) {
			in->ring[(in->rhead + in->rn) % in->ntargets] = ts;
			in->rn++;
			ts->queued = 1;
		}
		check_gate(ts);
		maybe_finish(ts);  /* when the last sends all failed */
	}
}

static void send_cb(void *arg)
{
	pump(arg);
}

/* `ts` may have something to send: queue it and make sure the pump runs. */
static void wake(struct tstate *ts)
{
	struct inst *in = ts->in;
	unsigned ttl, q;

	if (!ts->active || ts->queued || !next_probe(ts, &ttl, &q))
		return;
	in->ring[(in->rhead + in->rn) % in->ntargets] = ts;
	in->rn++;
	ts->queued = 1;
	if (!in->send_armed) {
		hw_timer_arm(in->send_timer, 0);
		in->send_armed = 1;
	}
}

/* ------------------------------------------------------------------ */
/* Receiving                                                            */

/* The running trace to `family` address `dst` (and `port` when >= 0) whose
 * probe `pid` waits (or was answered); NULL when none. */
static struct tstate *trace_to(struct inst *in, int family, const pkt_ipaddr *dst, int port,
                               uint16_t pid, struct pinfo **pp, unsigned *ttl, unsigned *q)
{
	for (size_t i = 0; i < in->ntargets; i++) {
		struct tstate *ts = in->tsv[i];
		if (ts->family != family || !addr_eq(family, &ts->dst, dst) ||
		    (port >= 0 && ts->dport != port))
			continue;
		if ((*pp = probe_of(ts, pid, ttl, q)) && (*pp)->state != PS_UNSENT)
			return ts;
	}
	return NULL;
}

/* Kind of an error of type/code from `from` about a probe to `ts`. */
static int error_kind(const struct tstate *ts, pkt_icmp_kind kind, const pkt_ipaddr *from)
{
	if (kind == PKT_ICMP_TIME_EXCEEDED)
		return R_HOP;
	return addr_eq(ts->family, from, &ts->dst) ? R_DEST : R_STOP;
}

/* Whether the quoted payload at `pl` (n bytes; whatever the router quoted)
 * is consistent with probe id `pid` at payload offset `at` and our cookie. */
static int payload_ok(const struct inst *in, const uint8_t *pl, size_t n, int at, uint16_t pid)
{
	if (at >= 0 && n >= (size_t)at + 2 && get16(pl + at) != pid)
		return 0;
	return n < 8 || !memcmp(pl + 4, in->cookie, 4);
}

/* raw mode: one ICMP message from the raw ICMP socket of `f`. */
static void handle_icmp(struct fam *f, const uint8_t *buf, size_t len, const pkt_ipaddr *src_hint,
                        double rx_real, double rx_mono)
{
	struct inst *in = f->in;
	const struct opts *o = in->o;
	struct tstate *ts = NULL;
	struct pinfo *p = NULL;
	unsigned ttl, q;
	pkt_ipaddr from;
	pkt_icmp m;
	int rc;

	if ((rc = pkt_icmp_parse(buf, len, f->family, f->family == AF_INET, &m)) < 0) {
		HW_DEBUG(in->ctx, "dropped a malformed ICMP packet of %zu bytes: %s", len, pkt_strerror(rc));
		in->unmatched++;
		return;
	}
	if (f->family == AF_INET)
		from = m.src;
	else
		from = *src_hint;
	if (m.kind == PKT_ICMP_ECHO_REPLY) {
		uint16_t idx = (uint16_t)(m.id - in->ident_base);
		if (o->protocol != P_ICMP || idx >= in->ntargets)
			return;  /* another program's */
		ts = in->tsv[idx];
		if (!(p = probe_of(ts, m.seq, &ttl, &q)) || p->state == PS_UNSENT ||
		    !addr_eq(f->family, &from, &ts->dst) || ts->family != f->family ||
		    !payload_ok(in, m.data, m.data_len, 0, (uint16_t)~m.seq)) {
			in->unmatched++;
			return;
		}
		answered(ts, p, ttl, q, R_DEST, &from, rx_real, rx_mono);
		return;
	}
	if (m.kind != PKT_ICMP_TIME_EXCEEDED && m.kind != PKT_ICMP_UNREACH)
		return;
	if (!m.quote.ok) {
		in->unmatched++;  /* an error quoting no usable header: nobody's */
		return;
	}
	switch (o->protocol) {
	case P_ICMP: {
		uint16_t idx, pid;
		const uint8_t *pl;
		size_t pn;
		if (!m.quote.echo) {
			if (m.quote.proto == (f->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6))
				in->unmatched++;  /* an echo cut short */
			return;
		}
		pid = m.quote.echo_seq;
		pl = m.quote.l4 + PKT_ICMP_HDR_LEN;
		pn = m.quote.l4_len - PKT_ICMP_HDR_LEN;
		idx = (uint16_t)(m.quote.echo_id - in->ident_base);
		if (idx < in->ntargets) {
			ts = in->tsv[idx];
			if (ts->family != f->family || !addr_eq(f->family, &m.quote.dst, &ts->dst) ||
			    !(p = probe_of(ts, pid, &ttl, &q)) || p->state == PS_UNSENT)
				ts = NULL;
		} else if (pn >= PAYLOAD_MIN) {
			/* not our identifier: a NAT may have rewritten it (and the
			 * source); our whole payload header still says whose */
			ts = trace_to(in, f->family, &m.quote.dst, -1, pid, &p, &ttl, &q);
			if (!ts || memcmp(pl + 4, in->cookie, 4))
				return;  /* another program's ping */
		} else {
			return;  /* another program's ping */
		}
		if (!ts || !payload_ok(in, pl, pn, 0, (uint16_t)~pid)) {
			in->unmatched++;
			return;
		}
		break;
	}
	case P_UDP: {
		pkt_udp_hdr u;
		if (m.quote.proto != IPPROTO_UDP)
			return;
		if (pkt_udp_quote_parse(m.quote.l4, m.quote.l4_len, &u) < 0) {
			in->unmatched++;
			return;
		}
		{
			const uint8_t *pl = m.quote.l4 + PKT_UDP_HDR_LEN;
			size_t pn = m.quote.l4_len - PKT_UDP_HDR_LEN;
			uint16_t pid = (uint16_t)(u.sum - 1);
			/* The checksum carries the probe id for routers that quote
			 * 8 bytes.  When the payload is there, it says the same
			 * and wins: a NAT that rewrote our source address and port
			 * rewrote the checksum with them. */
			if (pn >= PAYLOAD_MIN && !memcmp(pl + 4, in->cookie, 4))
				pid = get16(pl);
			else if (u.sport != f->sport)
				return;  /* not our flow */
			if (u.len != PKT_UDP_HDR_LEN + (size_t)o->size ||
			    !(ts = trace_to(in, f->family, &m.quote.dst, u.dport, pid, &p, &ttl, &q)) ||
			    !payload_ok(in, pl, pn, 0, pid)) {
				in->unmatched++;
				return;
			}
		}
		break;
	}
	case P_TCP: {
		pkt_tcp_seg s;
		if (m.quote.proto != IPPROTO_TCP)
			return;
		if (pkt_tcp_quote_parse(m.quote.l4, m.quote.l4_len, &s) < 0) {
			in->unmatched++;
			return;
		}
		/* the sequence number's 16 random bits per trace say whose
		 * it is, also when a NAT rewrote our source port */
		if (!(ts = trace_to(in, f->family, &m.quote.dst, s.dport, (uint16_t)s.seq, &p, &ttl, &q)) ||
		    (s.seq >> 16) != ts->key) {
			if (s.sport == f->sport)
				in->unmatched++;
			return;
		}
		break;
	}
	}
	answered(ts, p, ttl, q, error_kind(ts, m.kind, &from), &from, rx_real, rx_mono);
}

/* dgram mode: one message of the error queue of `f`'s socket. */
static void handle_errq(struct fam *f, const uint8_t *buf, size_t len, const struct msghdr *msg,
                        double rx_real, double rx_mono)
{
	struct inst *in = f->in;
	const struct sock_extended_err *ee = NULL;
	struct tstate *ts;
	struct pinfo *p;
	pkt_ipaddr dst, from;
	unsigned ttl, q;
	pkt_icmp_kind kind;
	uint16_t pid;
	int port = -1;

	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c))
		if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		    (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR))
			ee = (const struct sock_extended_err *)CMSG_DATA(c);
	if (!ee || (ee->ee_origin != SO_EE_ORIGIN_ICMP && ee->ee_origin != SO_EE_ORIGIN_ICMP6))
		return;  /* a local error: the failed send said it already */
	if (f->family == AF_INET)
		kind = ee->ee_type == 11 ? PKT_ICMP_TIME_EXCEEDED : ee->ee_type == 3 && ee->ee_code != 4 ? PKT_ICMP_UNREACH : PKT_ICMP_OTHER;
	else
		kind = ee->ee_type == 3 ? PKT_ICMP_TIME_EXCEEDED : ee->ee_type == 1 ? PKT_ICMP_UNREACH : PKT_ICMP_OTHER;
	if (kind == PKT_ICMP_OTHER)
		return;  /* too big, parameter problem: not about the path */
	if (!sa_addr(msg->msg_name, msg->msg_namelen, f->family, &dst) ||
	    !sa_addr(SO_EE_OFFENDER(ee), sizeof(struct sockaddr_in6), f->family, &from)) {
		in->unmatched++;
		return;
	}
	if (in->o->protocol == P_ICMP) {
		/* the quoted echo request: header, then our payload */
		if (len < PKT_ICMP_HDR_LEN || get16(buf + 4) != f->sport) {
			in->unmatched++;
			return;
		}
		pid = get16(buf + 6);
		if (!payload_ok(in, buf + PKT_ICMP_HDR_LEN, len - PKT_ICMP_HDR_LEN, 0, (uint16_t)~pid)) {
			in->unmatched++;
			return;
		}
	} else {
		/* the quoted UDP payload: the probe id first */
		if (len < 2) {
			in->unmatched++;  /* the router quoted only the header */
			return;
		}
		pid = get16(buf);
		if (!payload_ok(in, buf, len, 2, (uint16_t)~pid)) {
			in->unmatched++;
			return;
		}
		port = ntohs(((const struct sockaddr_in *)msg->msg_name)->sin_port);  /* same offset in v6 */
	}
	if (!(ts = trace_to(in, f->family, &dst, port, pid, &p, &ttl, &q))) {
		in->unmatched++;
		return;
	}
	answered(ts, p, ttl, q, error_kind(ts, kind, &from), &from, rx_real, rx_mono);
}

/* dgram icmp: an echo reply on the ping socket. */
static void handle_echo(struct fam *f, const uint8_t *buf, size_t len, const pkt_ipaddr *from,
                        double rx_real, double rx_mono)
{
	struct inst *in = f->in;
	struct tstate *ts;
	struct pinfo *p;
	unsigned ttl, q;
	pkt_icmp m;

	if (pkt_icmp_parse(buf, len, f->family, 0, &m) < 0 || m.kind != PKT_ICMP_ECHO_REPLY ||
	    !payload_ok(in, m.data, m.data_len, 0, (uint16_t)~m.seq) ||
	    !(ts = trace_to(in, f->family, from, -1, m.seq, &p, &ttl, &q))) {
		in->unmatched++;
		return;
	}
	answered(ts, p, ttl, q, R_DEST, from, rx_real, rx_mono);
}

/* raw tcp: a segment on the raw TCP socket (filtered to our port). */
static void handle_tcp(struct fam *f, const uint8_t *buf, size_t len, const pkt_ipaddr *src_hint,
                       double rx_real, double rx_mono)
{
	struct inst *in = f->in;
	struct tstate *ts;
	struct pinfo *p;
	unsigned ttl, q;
	pkt_tcp_seg s;
	pkt_ipaddr from;

	if (pkt_tcp_parse(buf, len, f->family, f->family == AF_INET, &s) < 0 || s.dport != f->sport ||
	    !(s.flags & PKT_TCP_ACK) || !(s.flags & (PKT_TCP_SYN | PKT_TCP_RST)))
		return;
	from = f->family == AF_INET ? s.src : *src_hint;
	if (!(ts = trace_to(in, f->family, &from, s.sport, (uint16_t)(s.ack - 1), &p, &ttl, &q)) ||
	    ((s.ack - 1) >> 16) != ts->key) {
		in->unmatched++;
		return;
	}
	answered(ts, p, ttl, q, R_DEST, &from, rx_real, rx_mono);
}

/* What reads from a socket: the raw ICMP one, the raw TCP one, or the
 * dgram one (ping or UDP, error queue first). */
enum { RD_ICMP, RD_TCP, RD_DGRAM };

/* Read up to RX_BUDGET datagrams from `fd` (flags: MSG_ERRQUEUE or 0). */
static void drain_fd(struct fam *f, int fd, int what, int flags)
{
	for (int i = 0; i < RX_BUDGET; i++) {
		uint8_t buf[RX_BUF], ctl[PKT_CMSG_SPACE];
		struct sockaddr_storage from;
		struct iovec iov = { buf, sizeof buf };
		struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov,
		                      .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl };
		struct timespec rx;
		double rx_real = 0, rx_mono;
		pkt_ipaddr src;
		ssize_t n = recvmsg(fd, &msg, flags | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (flags)
				return;
			continue;  /* a pending ICMP error reported here: it waits in the queue */
		}
		rx_mono = hw_mono();
		if (pkt_rx_time(&msg, &rx) == 0)
			rx_real = ts_sec(&rx);
		if (msg.msg_flags & MSG_TRUNC) {
			f->in->unmatched++;
			continue;
		}
		memset(&src, 0, sizeof src);
		sa_addr((struct sockaddr *)&from, msg.msg_namelen, f->family, &src);
		switch (what) {
		case RD_ICMP:
			handle_icmp(f, buf, (size_t)n, &src, rx_real, rx_mono);
			break;
		case RD_TCP:
			handle_tcp(f, buf, (size_t)n, &src, rx_real, rx_mono);
			break;
		default:
			if (flags)
				handle_errq(f, buf, (size_t)n, &msg, rx_real, rx_mono);
			else if (f->in->o->protocol == P_ICMP)
				handle_echo(f, buf, (size_t)n, &src, rx_real, rx_mono);
			/* udp: a datagram from an open port; which probe it
			 * answers is unknown: ignored */
			break;
		}
	}
}

static void drain_fam(struct fam *f)
{
	struct inst *in = f->in;

	if (f->fd < 0)
		return;
	if (!in->raw) {
		drain_fd(f, f->fd, RD_DGRAM, MSG_ERRQUEUE);
		drain_fd(f, f->fd, RD_DGRAM, 0);
		return;
	}
	if (in->o->protocol == P_ICMP)
		drain_fd(f, f->fd, RD_ICMP, 0);
	else {
		if (in->o->protocol == P_TCP)
			drain_fd(f, f->fd, RD_TCP, 0);
		if (f->rfd >= 0)
			drain_fd(f, f->rfd, RD_ICMP, 0);
	}
}

static void drain_all(struct inst *in)
{
	drain_fam(&in->f4);
	drain_fam(&in->f6);
}

static void readable_cb(void *arg, int fd, int revents)
{
	(void)fd;
	(void)revents;
	drain_fam(arg);
}

/* ------------------------------------------------------------------ */
/* Rounds                                                               */

/* Our address towards t: what the kernel will put in the IP header, and
 * what the UDP/TCP checksum covers.  A connected UDP socket tells it
 * without sending anything.  Returns 0, or an errno. */
static int source_for(const struct inst *in, const hw_target *t, pkt_ipaddr *src)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fd, err = 0;

	if (in->o->source && inet_pton(t->family, in->o->source, src) == 1)
		return 0;
	if ((fd = socket(t->family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return errno;
	if (connect(fd, (const struct sockaddr *)&t->addr, t->addrlen) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		err = errno;
	close(fd);
	if (!err && !sa_addr((struct sockaddr *)&ss, len, t->family, src))
		err = EAFNOSUPPORT;
	return err;
}

static void run(void *state, hw_target *t)
{
	struct inst *in = state;
	struct tstate *ts = t->data;
	const struct opts *o = in->o;
	size_t np = (size_t)o->max_ttl * (size_t)o->queries;
	int err = 0;

	ts->gen++;
	memset(ts->sent, 0, sizeof ts->sent);
	memset(ts->wait, 0, sizeof ts->wait);
	for (size_t i = 0; i < np; i++)
		ts->p[i] = (struct pinfo){ .rtt = NAN, .state = PS_UNSENT };
	ts->norder = ts->ohead = 0;
	ts->dest_ttl = ts->stop_ttl = ts->q0_wait = 0;
	ts->open = 0;
	ts->failed = 0;
	ts->send_err = 0;
	ts->family = t->family;
	sa_addr((const struct sockaddr *)&t->addr, t->addrlen, t->family, &ts->dst);
	ts->dport = (uint16_t)(o->port ? o->port : t->port ? t->port : o->protocol == P_TCP ? 80 : 33434);
	ts->key = (uint16_t)rnd(in);
	ts->lim = (unsigned)o->max_ttl;
	if (ts->hint && ts->hint + HINT_SLACK < ts->lim)
		ts->lim = ts->hint + HINT_SLACK;
	ts->t0 = hw_mono();
	ts->active = 1;
	if (!fam_of(in, t->family))
		err = EAFNOSUPPORT;
	else if (in->raw && o->protocol != P_ICMP)
		err = source_for(in, t, &ts->src);
	if (err) {
		/* nothing can be sent: every probe counts as sent and lost */
		ts->send_err = err;
		for (unsigned ttl = 1; ttl <= ts->lim; ttl++)
			ts->sent[ttl] = (uint8_t)o->queries;
		for (size_t i = 0; i < np; i++)
			ts->p[i].state = PS_EXPIRED;
		ts->open = 1;
		HW_DEBUG(in->ctx, "target %s (%s): %s", t->host, t->ip, strerror(err));
		maybe_finish(ts);
		return;
	}
	wake(ts);
}

static void readdress(void *state, hw_target *t)
{
	struct inst *in = state;
	struct tstate *ts = t->data;

	ts->hint = 0;  /* a new address: its distance is unknown */
	if (!fam_of(in, t->family))
		HW_WARN(in->ctx, "target %s now resolves to %s, but there is no IPv%c socket",
		        t->host, t->ip, t->family == AF_INET ? '4' : '6');
}

/* ------------------------------------------------------------------ */
/* Sockets                                                              */

/* The ping_group_range sysctl as text, for messages. */
static const char *ping_range(char *buf, size_t len)
{
	FILE *fp = fopen("/proc/sys/net/ipv4/ping_group_range", "r");

	snprintf(buf, len, "unknown");
	if (fp) {
		if (fgets(buf, (int)len, fp))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(fp);
	}
	for (char *p = buf; *p; p++)
		if (*p == '\t')
			*p = ' ';
	return buf;
}

/* Bind `fd` of `family` to the source address (when it is of that family)
 * and port 0; `always`: bind even without a source.  Returns 0 or -1. */
static int bind_source(struct inst *in, int fd, int family, int always)
{
	struct sockaddr_storage ss;
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	int have;

	memset(&ss, 0, sizeof ss);
	ss.ss_family = (sa_family_t)family;
	have = in->o->source && inet_pton(family, in->o->source, family == AF_INET
	                                  ? (void *)&((struct sockaddr_in *)&ss)->sin_addr
	                                  : (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr) == 1;
	if ((have || always) && bind(fd, (struct sockaddr *)&ss, len) < 0) {
		HW_ERROR(in->ctx, "IPv%c: binding to %s: %s", family == AF_INET ? '4' : '6',
		         have ? in->o->source : "any address", strerror(errno));
		return -1;
	}
	return 0;
}

/* The local port of `fd`. */
static uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);  /* same offset in v6 */
}

/* Common options of every socket that receives. */
static void rx_opts(int fd)
{
	int on = 1, v = 1 << 20;

	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
}

/* A raw ICMP socket of `family` passing echo replies and the errors we
 * read; -1 and errno when it cannot be opened. */
static int raw_icmp_open(struct inst *in, int family)
{
	int fd = hw_raw_socket(in->ctx, family, family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);

	if (fd < 0)
		return -1;
	if (family == AF_INET) {
		uint32_t block = ~(1u << 0 | 1u << 3 | 1u << 11);  /* echo reply, unreachable, time exceeded */
		if (setsockopt(fd, RAW_SOL, RAW_ICMP_FILTER, &block, sizeof block) < 0)
			HW_WARN(in->ctx, "IPv4: ICMP_FILTER: %s", strerror(errno));
	} else {
		struct icmp6_filter flt;
		ICMP6_FILTER_SETBLOCKALL(&flt);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &flt);
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &flt);
		ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &flt);
		if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &flt, sizeof flt) < 0)
			HW_WARN(in->ctx, "IPv6: ICMP6_FILTER: %s", strerror(errno));
	}
	rx_opts(fd);
	return fd;
}

/* Attach a classic BPF program to `fd`; a warning when it fails. */
static void attach_filter(struct inst *in, int fd, struct sock_filter *code, unsigned short n)
{
	struct sock_fprog prog = { n, code };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0)
		HW_WARN(in->ctx, "socket filter: %s", strerror(errno));
}

/* Hold a UDP or TCP source port for the instance: bind a socket (dual
 * stack when the host has IPv6) to port 0 and keep it.  Returns 0 or -1. */
static int hold_port(struct inst *in, int type)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	int zero = 0;

	in->holder = socket(AF_INET6, type | SOCK_CLOEXEC, 0);
	if (in->holder >= 0) {
		setsockopt(in->holder, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
		if (bind(in->holder, (struct sockaddr *)&a6, sizeof a6) < 0) {
			close(in->holder);
			in->holder = -1;
		}
	}
	if (in->holder < 0 && ((in->holder = socket(AF_INET, type | SOCK_CLOEXEC, 0)) < 0 ||
	                       bind(in->holder, (struct sockaddr *)&a4, sizeof a4) < 0)) {
		HW_ERROR(in->ctx, "cannot bind a %s socket to hold a source port: %s",
		         type == SOCK_DGRAM ? "UDP" : "TCP", strerror(errno));
		return -1;
	}
	if (type == SOCK_DGRAM) {
		int v = 1;  /* it reads nothing: keep what may queue there small */
		setsockopt(in->holder, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
	}
	in->f4.sport = in->f6.sport = local_port(in->holder);
	return in->f4.sport ? 0 : -1;
}

/* Open the raw sockets of family f for the instance's protocol.  Returns
 * 0, or an errno (nothing left open). */
static int raw_open(struct fam *f)
{
	struct inst *in = f->in;
	int family = f->family, err;

	if (in->o->protocol == P_ICMP) {
		if ((f->fd = raw_icmp_open(in, family)) < 0)
			return errno;
		return 0;
	}
	f->fd = hw_raw_socket(in->ctx, family, in->o->protocol == P_UDP ? IPPROTO_UDP : IPPROTO_TCP);
	if (f->fd < 0)
		return errno;
	if ((f->rfd = raw_icmp_open(in, family)) < 0) {
		err = errno;
		close(f->fd);
		f->fd = -1;
		return err;
	}
	if (in->o->protocol == P_UDP) {
		/* sends only: it would get a copy of every UDP datagram */
		struct sock_filter none[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
		attach_filter(in, f->fd, none, 1);
	} else {
		/* only segments to our port: the TCP header follows the IPv4
		 * header (raw IPv4 sockets see it), or starts at 0 for IPv6 */
		struct sock_filter f4[] = {
			BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
			BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, f->sport, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, 0xffff),
			BPF_STMT(BPF_RET | BPF_K, 0),
		};
		struct sock_filter f6[] = {
			BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 2),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, f->sport, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, 0xffff),
			BPF_STMT(BPF_RET | BPF_K, 0),
		};
		if (family == AF_INET)
			attach_filter(in, f->fd, f4, 5);
		else
			attach_filter(in, f->fd, f6, 4);
		rx_opts(f->fd);
	}
	if (family == AF_INET6 && in->o->protocol == P_TCP) {
		int off = 16;  /* the kernel fills the TCP checksum of IPv6 (ours is right too) */
		setsockopt(f->fd, IPPROTO_IPV6, IPV6_CHECKSUM, &off, sizeof off);
	}
	return 0;
}

/* Open the dgram socket of family f (ping or UDP).  Returns 0 or an errno. */
static int dgram_open(struct fam *f)
{
	struct inst *in = f->in;
	int family = f->family, on = 1;

	f->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	               in->o->protocol == P_UDP ? IPPROTO_UDP
	                                        : family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (f->fd < 0)
		return errno;
	if (family == AF_INET ? setsockopt(f->fd, SOL_IP, IP_RECVERR, &on, sizeof on)
	                      : setsockopt(f->fd, SOL_IPV6, IPV6_RECVERR, &on, sizeof on)) {
		int err = errno;
		close(f->fd);
		f->fd = -1;
		return err;
	}
	rx_opts(f->fd);
	return 0;
}

static void fam_close(struct fam *f)
{
	hw_io_free(f->io);
	hw_io_free(f->rio);
	f->io = f->rio = NULL;
	if (f->fd >= 0)
		close(f->fd);
	if (f->rfd >= 0)
		close(f->rfd);
	f->fd = f->rfd = -1;
}

/* Open the sockets of family `f` in the instance's mode; when the mode is
 * auto, decide it (in->raw) with the first family.  `need`: a target has
 * that family, so failing is an error (else a warning).  Returns 0 or -1. */
static int fam_open(struct fam *f, int need, int *decided)
{
	struct inst *in = f->in;
	const struct opts *o = in->o;
	const char *fam = f->family == AF_INET ? "IPv4" : "IPv6";
	int lvl = need ? HW_LOG_ERR : HW_LOG_WARNING, derr = 0, rerr = 0;
	int try_raw, try_dgram;
	char range[64];

	if (*decided) {
		try_raw = in->raw;
		try_dgram = !in->raw;
	} else {
		try_raw = o->mode != MODE_DGRAM;
		try_dgram = o->mode != MODE_RAW && o->protocol != P_TCP;
	}
	/* auto: icmp prefers ping sockets (they see only our replies); udp
	 * prefers raw (its matching survives 8-byte quotes) */
	if (try_dgram && (!try_raw || o->protocol == P_ICMP)) {
		if ((derr = dgram_open(f)) == 0)
			in->raw = 0;
		else if (try_raw && (rerr = raw_open(f)) == 0)
			in->raw = 1;
	} else if (try_raw) {
		if ((rerr = raw_open(f)) == 0)
			in->raw = 1;
		else if (try_dgram && (derr = dgram_open(f)) == 0)
			in->raw = 0;
	}
	if (f->fd < 0) {
		if (derr == EAFNOSUPPORT || rerr == EAFNOSUPPORT) {
			hw_log(in->ctx, lvl, "%s: this kernel has no %s (%s)", fam, fam, strerror(EAFNOSUPPORT));
			return -1;
		}
		if (try_dgram && o->protocol == P_ICMP)
			hw_log(in->ctx, lvl,
			       "%s: cannot open an ICMP datagram (ping) socket: %s; the process's group (gid %u) "
			       "must be in net.ipv4.ping_group_range (now \"%s\"): sysctl -w "
			       "net.ipv4.ping_group_range=\"0 2147483647\"%s",
			       fam, strerror(derr), (unsigned)getegid(), ping_range(range, sizeof range),
			       try_raw ? "" : ", or set mode = \"raw\"");
		else if (try_dgram)
			hw_log(in->ctx, lvl, "%s: cannot open a UDP socket with IP_RECVERR: %s", fam, strerror(derr));
		if (try_raw)
			hw_log(in->ctx, lvl,
			       "%s: cannot open raw %s and ICMP sockets: %s; run as root or grant CAP_NET_RAW "
			       "(setcap cap_net_raw+ep hopwatchd, or AmbientCapabilities=CAP_NET_RAW)%s",
			       fam, protocols[o->protocol], strerror(rerr),
			       o->protocol == P_TCP ? " (protocol tcp has no unprivileged mode)"
			       : try_dgram ? "" : ", or set mode = \"dgram\"");
		return -1;
	}
	*decided = 1;
	if (!in->raw) {
		if (bind_source(in, f->fd, f->family, 1) < 0)
			return -1;
		f->sport = local_port(f->fd);  /* UDP source port / ping identifier */
	} else if (bind_source(in, f->fd, f->family, 0) < 0) {
		return -1;
	}
	if (!(f->io = hw_io_new(in->ctx, f->fd, readable_cb, f)) ||
	    (f->rfd >= 0 && !(f->rio = hw_io_new(in->ctx, f->rfd, readable_cb, f)))) {
		HW_ERROR(in->ctx, "out of memory");
		return -1;
	}
	if (in->raw && o->protocol == P_UDP)
		hw_io_want(f->io, 0);  /* the send socket reads nothing */
	else
		hw_io_want(f->io, HW_READ);
	if (f->rio)
		hw_io_want(f->rio, HW_READ);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                           */

static void stop(void *state)
{
	struct inst *in = state;

	if (!in)
		return;
	flush_counters(in);
	for (size_t i = 0; in->tsv && i < in->ntargets; i++)
		if (in->tsv[i])
			hw_timer_free(in->tsv[i]->timer);
	fam_close(&in->f4);
	fam_close(&in->f6);
	if (in->holder >= 0)
		close(in->holder);
	hw_timer_free(in->send_timer);
	hw_timer_free(in->flush_timer);
	free(in->ring);
	free(in->pool);
	free(in->opool);
	free(in->tsv);
	free(in);
}

static int start_inst(hw_ctx *ctx, const struct opts *o, struct inst **out)
{
	struct inst *in = calloc(1, sizeof *in);
	hw_target *const *tv;
	size_t np = (size_t)o->max_ttl * (size_t)o->queries;
	int has4 = 0, has6 = 0, named = 0, decided = 0, rc = 0;
	double interval = hw_interval(ctx), every, trace;

	if (!in) {
		HW_ERROR(ctx, "out of memory");
		return -1;
	}
	*out = in;
	in->ctx = ctx;
	in->o = o;
	in->holder = -1;
	in->timeout = hw_timeout(ctx);
	in->f4 = (struct fam){ .in = in, .family = AF_INET, .fd = -1, .rfd = -1 };
	in->f6 = (struct fam){ .in = in, .family = AF_INET6, .fd = -1, .rfd = -1 };
	if (getrandom(&in->rng, sizeof in->rng, GRND_NONBLOCK) != sizeof in->rng || !in->rng)
		in->rng = (uint32_t)(hw_mono() * 1e9) ^ (uint32_t)getpid() ^ 1;
	for (int i = 0; i < 4; i++)
		in->cookie[i] = (unsigned char)rnd(in);
	in->ident_base = (uint16_t)rnd(in);
	tv = hw_targets(ctx, &in->ntargets);
	in->tsv = calloc(in->ntargets + 1, sizeof *in->tsv);
	in->ring = calloc(in->ntargets + 1, sizeof *in->ring);
	in->pool = calloc(in->ntargets * np + 1, sizeof *in->pool);
	in->opool = calloc(in->ntargets * np + 1, sizeof *in->opool);
	in->send_timer = hw_timer_new(ctx, send_cb, in);
	in->flush_timer = hw_timer_new(ctx, flush_cb, in);
	if (!in->tsv || !in->ring || !in->pool || !in->opool || !in->send_timer || !in->flush_timer) {
		HW_ERROR(ctx, "out of memory for %zu targets", in->ntargets);
		return -1;
	}
	for (size_t i = 0; i < in->ntargets; i++) {
		struct tstate *ts = tv[i]->data;
		ts->in = in;
		ts->t = tv[i];
		ts->p = in->pool + i * np;
		ts->order = in->opool + i * np;
		ts->ident = (uint16_t)(in->ident_base + i);
		ts->gen = rnd(in) % GEN_MOD;  /* so that a restart does not reuse the ids at once */
		if (!(ts->timer = hw_timer_new(ctx, timeout_cb, ts))) {
			HW_ERROR(ctx, "out of memory");
			return -1;
		}
		in->tsv[i] = ts;
		if (tv[i]->family == AF_INET)
			has4 = 1;
		else if (tv[i]->family == AF_INET6)
			has6 = 1;
		else
			named = 1;
	}
	if (in->ntargets && (o->protocol == P_TCP || (o->protocol == P_UDP && o->mode != MODE_DGRAM))) {
		/* the source port is needed before the TCP filter is made; a
		 * dgram fallback of udp binds its own sockets instead */
		if (hold_port(in, o->protocol == P_TCP ? SOCK_STREAM : SOCK_DGRAM) < 0)
			return -1;
	}
	/* A name may resolve to either family: open both now, while
	 * privileged; one the kernel lacks is only a warning then. */
	if (has4 || named)
		rc |= fam_open(&in->f4, has4, &decided) < 0 && has4 ? -1 : 0;
	if (in->f4.fd < 0)
		fam_close(&in->f4);
	if (has6 || named)
		rc |= fam_open(&in->f6, has6, &decided) < 0 && has6 ? -1 : 0;
	if (in->f6.fd < 0)
		fam_close(&in->f6);
	if (rc < 0 || (in->f4.fd < 0 && in->f6.fd < 0 && in->ntargets))
		return -1;
	if (!in->raw && in->holder >= 0) {
		close(in->holder);  /* udp fell back to dgram: its own sockets hold their ports */
		in->holder = -1;
	}
	in->burst = o->pps / 1000 > 1 ? o->pps / 1000 : 1;  /* 1 ms worth: no bursts */
	in->tokens = in->burst;
	in->tokens_at = hw_mono();
	every = interval < FLUSH_MAX ? interval : FLUSH_MAX;
	hw_timer_arm(in->flush_timer, every);
	trace = (double)in->ntargets * (double)np / o->pps;
	if (trace > interval)
		HW_WARN(ctx, "%zu targets * max_ttl %d * queries %d at pps %g take %.1fs to send, more than "
		        "the interval %gs: traces will run late and be skipped", in->ntargets, o->max_ttl,
		        o->queries, o->pps, trace, interval);
	HW_INFO(ctx, "path: protocol %s, %s sockets (%s), %zu targets, max_ttl %d, %d queries, "
	        "timeout %gs, every %gs, %g probes/s%s",
	        proto_name(in), in->raw ? "raw" : o->protocol == P_ICMP ? "ping (dgram)" : "datagram",
	        in->raw ? "CAP_NET_RAW" : "unprivileged, ICMP errors from the socket error queue",
	        in->ntargets, o->max_ttl, o->queries, in->timeout, interval, o->pps,
	        o->mode == MODE_AUTO ? ", chosen by mode auto" : "");
	return 0;
}

/* The host calls stop() only after a successful start: clean up here. */
static int start(hw_ctx *ctx, const void *opts, void **state)
{
	struct inst *in = NULL;

	if (start_inst(ctx, opts, &in) < 0) {
		stop(in);
		*state = NULL;
		return -1;
	}
	*state = in;
	return 0;
}

HW_PLUGIN_EXPORT = {
	.abi = HW_PLUGIN_ABI,
	.size = sizeof(hw_plugin),
	.name = "path",
	.options = options,
	.options_size = sizeof(struct opts),
	.target_size = sizeof(struct tstate),
	.port = HW_PORT_OPTIONAL,
	.validate = validate,
	.start = start,
	.run = run,
	.readdress = readdress,
	.stop = stop,
};
