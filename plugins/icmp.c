/*
 * plugins/icmp.c: ICMP echo ("ping") probe, exact at thousands of targets.
 *
 * A round of a target sends `count` echo requests `spacing` apart; each
 * waits up to the instance timeout.  The round ends (and is reported) as
 * soon as every request of it is answered or has timed out.
 *
 * Design, and why:
 * - Sockets: one per address family for all targets of the instance
 *   (collectd and Telegraf open one per host and run out of fds).  Ping
 *   sockets (SOCK_DGRAM, IPPROTO_ICMP[V6]) when allowed, else raw ones.
 * - Matching: every probe gets a 64-bit serial per socket.  The ICMP
 *   sequence is its low 16 bits, and the payload carries an 8-byte random
 *   instance cookie plus the whole serial.  Outstanding probes live in a
 *   direct-indexed window of slots (serial mod window size, a power of two
 *   up to 65536): a reply is matched in O(1) by its slot, then checked
 *   against the full serial (the generation), the cookie, the ICMP id and
 *   the source address the probe went to.
 * - ICMP errors (issue 14): an unreachable or time exceeded quoting one of
 *   our requests (the raw socket's filter passes them; a ping socket
 *   queues them with IP_RECVERR / IPV6_RECVERR) ends that request at once
 *   as result:unreachable, classified by lib/pkt's one table
 *   (pkt_icmp_classify, pkt_icmp_answer); the first one's class and
 *   sender go into the service check.  icmp.results breaks the round down
 *   (reply, unreachable, timeout, error), like tcp.results.
 * - Timeouts: the timeout is the same for every probe, so probes expire in
 *   send order.  The window is therefore also the timeout queue: a FIFO of
 *   serials [tail, next) whose head is the oldest deadline.  One timer per
 *   instance fires at the head's deadline.  A dead target only ever waits
 *   for its own probes: nothing blocks behind it.
 * - Sending: two FIFOs and one timer per instance.  `runq` holds targets
 *   whose round just started (due at once); `spq` holds targets whose next
 *   request is due `spacing` after their previous actual send.  Both are
 *   ordered by due time by construction (due times are now, or now plus a
 *   constant), so the earlier head of the two is always the next send.  A
 *   token bucket caps the instance at `max_pps`: a send over the cap waits
 *   for a token (it is delayed, never dropped) and its send time is read
 *   at the actual send, so its RTT is unaffected.
 * - Time: RTT = kernel receive timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME)
 *   minus CLOCK_REALTIME read just before sendto().  When that difference
 *   is negative or absurd (the wall clock stepped), the monotonic
 *   difference measured in user space is used instead.  Deadlines and
 *   spacing use CLOCK_MONOTONIC (hw_mono).
 * - Receiving: recvmmsg() in batches of RX_BATCH, MSG_DONTWAIT, until
 *   EAGAIN (bounded per wakeup so sends are not starved).  The timeout
 *   timer drains the sockets before it expires anything, so a reply that
 *   arrived in time is never counted lost because it was still queued.
 *
 * Counters of odd replies:
 * - icmp.duplicates: a second reply to an answered probe;
 * - icmp.late: a reply to our probe that came after its timeout;
 *   both are attributed to the target (its tags) when the probe's slot
 *   still holds it, and sent with that target's next report; when the slot
 *   was reused already they go out with instance tags only.
 * - icmp.unmatched: instance tags only: echo replies that carry this
 *   instance's identity (the identifier, and the random cookie at the
 *   start of the payload) but are not a valid reply to any probe sent:
 *   malformed, truncated, bad checksum, a payload of another size, a
 *   sequence/serial never sent, or a source other than the probe's
 *   target (spoofed).  Every counter here counts only such packets: one
 *   without the identity (another program's ping, of any size or shape,
 *   larger than the receive buffer too) is ignored (issue 14).
 * - icmp.throttled: instance tags only: times a due request had to wait
 *   for a max_pps token (it is sent later, never dropped);
 * - icmp.send_errors: per target, requests sendto() refused in the round
 *   (no route, ...); they count as sent and lost.
 *   Instance-level counters are sent every min(interval, 10 s) and at stop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <math.h>
#include <net/if.h>
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
#include "flush.h"
#include "pace.h"
#include "round.h"
#include "rng.h"
#include "rx.h"
#include "sock.h"
#include "start.h"
#include "stats.h"

#define RX_BATCH 64          /* datagrams per recvmmsg call */
#define RX_CALLS_MAX 16      /* recvmmsg calls per wakeup before yielding to the loop */
#define COOKIE_LEN 8         /* random bytes per instance at the start of each payload */
#define PAYLOAD_MIN 24       /* cookie, 64-bit serial, 64-bit send time (ns) */
#define IP4_HDR_MAX 60       /* largest IPv4 header a raw socket hands us */
#define WINDOW_MAX 65536     /* slots per socket: the 16-bit sequence space */
#define WINDOW_MIN 256       /* slots per socket at least */
#define RTT_SLACK 1.0        /* seconds past the timeout a kernel RTT may read before it is absurd */
#define RCVBUF_BYTES (4 << 20) /* receive buffer asked for, bytes */

/* ------------------------------------------------------------------ */
/* Settings                                                             */

enum { MODE_AUTO = HWC_AUTO, MODE_DGRAM = HWC_DGRAM, MODE_RAW = HWC_RAW };
static const char *const modes[] = { "auto", "dgram", "raw", NULL };
static const char *const rtt_types[] = { "d", "h", "ms", NULL };
static const hw_mtype rtt_mtypes[] = { HW_DISTRIBUTION, HW_HISTOGRAM, HW_TIMER };

/* Settings of one instance, filled by the host from the table below. */
struct opts {
	int count;               /* echo requests per round */
	double spacing;          /* seconds between two requests of a round */
	int size;                /* payload bytes after the 8-byte ICMP header */
	int rtt_type;            /* index into rtt_types: type of icmp.rtt */
	int mode;                /* MODE_*: which sockets */
	int tos;                 /* IPv4 TOS / IPv6 traffic class byte; 0: leave */
	int ttl;                 /* IPv4 TTL / IPv6 hop limit; 0: system default */
	const char *source;      /* address to send from, or NULL */
	const char *interface;   /* device to bind to, or NULL */
	double max_pps;          /* echo requests per second for the instance; 0: no cap */
};

#define O(f) offsetof(struct opts, f)
static const hw_option options[] = {
	{ "count", HW_OPT_INT, O(count), "5", 1, 100, NULL,
	  "echo requests per target per round (default 5)" },
	{ "spacing", HW_OPT_DURATION, O(spacing), "1s", 0, 3600, NULL,
	  "time between two echo requests of a round to one target (default 1s)" },
	{ "size", HW_OPT_INT, O(size), "56", PAYLOAD_MIN, 9000, NULL,
	  "payload bytes after the 8-byte ICMP header (default 56, min 24: cookie, serial, send time)" },
	{ "rtt_type", HW_OPT_ENUM, O(rtt_type), "d", 0, 0, rtt_types,
	  "DogStatsD type of icmp.rtt: d (distribution, default), h (histogram) or ms (timer)" },
	{ "mode", HW_OPT_ENUM, O(mode), "auto", 0, 0, modes,
	  "auto (ping sockets when net.ipv4.ping_group_range allows, else raw), dgram or raw (CAP_NET_RAW)" },
	{ "tos", HW_OPT_INT, O(tos), "0", 0, 255, NULL,
	  "IPv4 TOS / IPv6 traffic class byte of the requests (default 0)" },
	{ "ttl", HW_OPT_INT, O(ttl), "0", 0, 255, NULL,
	  "IPv4 TTL / IPv6 hop limit of the requests; 0: the system default (default 0)" },
	{ "source", HW_OPT_STRING, O(source), NULL, 0, 0, NULL,
	  "IPv4 or IPv6 address to send from (binds the socket of that family); unset: the kernel picks" },
	{ "interface", HW_OPT_STRING, O(interface), NULL, 0, 0, NULL,
	  "network device to send through (SO_BINDTODEVICE); unset: the routing table decides" },
	{ "max_pps", HW_OPT_DOUBLE, O(max_pps), "10000", 0, 10000000, NULL,
	  "most echo requests per second for the whole instance, excess ones wait; 0: no cap (default 10000)" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
#undef O

/* What the plugin sends (hw_metric_def; README "What is sent"). */
static const hw_metric_def metrics[] = {
	{ "icmp.rtt", HW_DISTRIBUTION, 1, "", "ms, one value per reply in one line (type: rtt_type)" },
	{ "icmp.rtt.min", HW_GAUGE, 1, "", "ms, lowest RTT of a round with 2 or more replies" },
	{ "icmp.rtt.avg", HW_GAUGE, 1, "", "ms, mean RTT of a round with 2 or more replies" },
	{ "icmp.rtt.max", HW_GAUGE, 1, "", "ms, highest RTT of a round with 2 or more replies" },
	{ "icmp.rtt.stddev", HW_GAUGE, 1, "", "ms, population standard deviation, rounds with 2 or more replies" },
	{ "icmp.jitter", HW_GAUGE, 1, "", "ms, mean difference of consecutive RTTs, rounds with 2 or more replies" },
	{ "icmp.loss", HW_GAUGE, 1, "", "percent of the round's requests without a reply; every round" },
	{ "icmp.sent", HW_COUNT, 0, "", "requests of the round (the count setting); every round" },
	{ "icmp.received", HW_COUNT, 0, "", "replies of the round; every round" },
	{ "icmp.results", HW_COUNT, 1, "result", "requests without a reply, by result: unreachable, timeout, error" },
	{ "icmp.send_errors", HW_COUNT, 1, "", "requests the kernel refused to send; rounds with some" },
	{ "icmp.duplicates", HW_COUNT, 1, "", "duplicate replies; rounds with some" },
	{ "icmp.late", HW_COUNT, 1, "", "replies after the timeout; when some came" },
	{ "icmp.unmatched", HW_COUNT, 1, "", "replies matching no request of the instance; no target tags" },
	{ "icmp.throttled", HW_COUNT, 1, "", "requests delayed by max_pps; no target tags" },
	{ NULL, 0, 0, NULL, NULL },
};

/* ------------------------------------------------------------------ */
/* State                                                                */

/* What became of one probe. */
enum { SLOT_FREE, SLOT_WAIT, SLOT_ANSWERED, SLOT_EXPIRED, SLOT_FAILED, SLOT_UNREACH };

struct tstate;

/* One probe in a socket's window, at index serial & (window - 1). */
struct slot {
	uint64_t serial;         /* probe serial on its socket; 0: never used */
	struct tstate *ts;       /* its target */
	struct timespec tx;      /* CLOCK_REALTIME read just before sendto */
	double tx_mono;          /* CLOCK_MONOTONIC, same moment: base of its deadline, seconds */
	uint16_t index;          /* its position in the round, 0-based */
	uint8_t state;           /* SLOT_* */
};

struct probe;

/* One socket (one address family) and its window of probes. */
struct sock {
	struct probe *pr;        /* owner */
	int fd;                  /* the socket, -1 when not open */
	int family;              /* AF_INET or AF_INET6 */
	int raw;                 /* 1: raw socket; 0: ping socket */
	uint16_t ident;          /* ICMP identifier: ping socket's port, or ours when raw */
	hw_io *io;               /* read watch */
	struct slot *slots;      /* window, `wsize` slots */
	uint64_t wsize;          /* slots, a power of two */
	uint64_t next;           /* serial of the next probe; serials start at 1 */
	uint64_t tail;           /* oldest serial still in the window (its deadline not passed) */
	/* recvmmsg batch */
	struct mmsghdr msgs[RX_BATCH];
	struct iovec iov[RX_BATCH];
	struct sockaddr_storage from[RX_BATCH];
	unsigned char *bufs;     /* RX_BATCH * buflen bytes */
	size_t buflen;           /* bytes per datagram buffer */
	unsigned char ctrl[RX_BATCH][PKT_CMSG_SPACE];
};

/* Per target state (hw_target.data). */
struct tstate {
	struct probe *pr;        /* owner */
	hw_target *t;            /* the target */
	double *rtt;             /* `count` RTTs of this round in ms, in send order; NAN: none */
	int active;              /* a round runs */
	uint16_t next;           /* requests of the round sent (or failed) so far */
	uint16_t pending;        /* requests sent whose answer or timeout is still due */
	uint16_t received;       /* replies of the round */
	uint16_t failed;         /* requests sendto() refused this round */
	int send_errno;          /* last sendto() error of the round, 0: none */
	uint32_t dups;           /* duplicate replies since the last report */
	uint32_t late;           /* late replies since the last report */
	uint16_t unreach;        /* requests an ICMP error answered this round (lib/pkt's table) */
	pkt_icmp_class ucls;     /* the first one's class (the reason) */
	int ufamily;             /* AF_INET/AF_INET6 when uoff is known, else 0 */
	pkt_ipaddr uoff;         /* the first one's sender (a router, or the target) */
};

/* A queued send: target and when it is due (hw_mono seconds). */
struct qent {
	struct tstate *ts;
	double due;
};

/* FIFO ring of queued sends, ordered by due time by construction. */
struct fifo {
	struct qent *v;          /* cap entries */
	size_t cap, head, n;     /* capacity, index of the oldest, count */
};

/* One probe instance. */
struct probe {
	hw_ctx *ctx;             /* host handle */
	const struct opts *o;    /* settings */
	double timeout;          /* seconds a request waits for its reply */
	size_t ntargets;         /* targets */
	struct tstate **tsv;     /* per target state, by index */
	double *rtts;            /* ntargets * count RTT cells behind tstate.rtt */
	struct sock s4, s6;      /* one socket per family */
	unsigned char cookie[COOKIE_LEN]; /* random, identifies this instance's payloads */
	unsigned char *tx;       /* send buffer: header + payload */
	size_t txlen;            /* bytes of a request */
	struct fifo runq;        /* rounds whose first request is due */
	struct fifo spq;         /* rounds whose next request is due spacing after the last */
	hw_timer *send_timer;    /* next send or token */
	hw_timer *timeout_timer; /* oldest deadline of both windows */
	hwc_flusher flusher;     /* instance-level counters, every min(interval, 10 s) */
	double timeout_armed;    /* deadline timeout_timer is armed for; 0: not armed */
	hwc_bucket bucket;       /* max_pps pacing, 10 ms deep */
	int blocked;             /* a send waits for a window slot */
	uint64_t unmatched;      /* instance counters since the last flush */
	uint64_t late;           /* late replies not attributable to a target */
	int want_spread;         /* the instance sends one of icmp.rtt.min/avg/max/stddev, icmp.jitter */
	uint64_t throttled;      /* sends max_pps delayed */
	int rx_errno;            /* last receive error logged, to log each kind once */
};

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

static struct sock *sock_for(struct probe *pr, int family)
{
	struct sock *s = family == AF_INET ? &pr->s4 : family == AF_INET6 ? &pr->s6 : NULL;
	return s && s->fd >= 0 ? s : NULL;
}

/* Whether `sa` (a received source) is the address of target `t`. */
static int from_target(const struct sockaddr_storage *sa, socklen_t len, const hw_target *t)
{
	if (sa->ss_family != t->family)
		return 0;
	if (t->family == AF_INET)
		return len >= sizeof(struct sockaddr_in) &&
		       !memcmp(&((const struct sockaddr_in *)sa)->sin_addr,
		               &((const struct sockaddr_in *)&t->addr)->sin_addr, sizeof(struct in_addr));
	return len >= sizeof(struct sockaddr_in6) &&
	       !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr,
	               &((const struct sockaddr_in6 *)&t->addr)->sin6_addr, sizeof(struct in6_addr));
}

static int fifo_init(struct fifo *f, size_t cap)
{
	f->cap = cap ? cap : 1;
	f->head = f->n = 0;
	return (f->v = calloc(f->cap, sizeof *f->v)) ? 0 : -1;
}

static void fifo_push(struct fifo *f, struct tstate *ts, double due)
{
	/* each target is in at most one queue once: never full */
	f->v[(f->head + f->n) % f->cap] = (struct qent){ ts, due };
	f->n++;
}

static struct qent *fifo_head(struct fifo *f)
{
	return f->n ? &f->v[f->head] : NULL;
}

static void fifo_pop(struct fifo *f)
{
	f->head = (f->head + 1) % f->cap;
	f->n--;
}

/* ------------------------------------------------------------------ */
/* Validation                                                           */

static const char *validate(const void *opts, double interval, double timeout)
{
	const struct opts *o = opts;
	unsigned char buf[sizeof(struct in6_addr)];
	const char *why = hwc_round_fits(o->count, o->spacing, timeout, interval);

	if (why)
		return why;
	if (o->source && inet_pton(AF_INET, o->source, buf) != 1 && inet_pton(AF_INET6, o->source, buf) != 1)
		return "source must be a literal IPv4 or IPv6 address";
	if (o->interface && strlen(o->interface) >= IFNAMSIZ)
		return "interface: a network device name is at most 15 bytes";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Reporting                                                            */

/* The round of `ts` is over: report it and tell the host. */
static void report(struct tstate *ts)
{
	struct probe *pr = ts->pr;
	hw_ctx *ctx = pr->ctx;
	hw_target *t = ts->t;
	int count = pr->o->count;
	double v[100];
	hwc_rtt st;
	size_t n = hwc_rtt_stats(ts->rtt, (size_t)count, &st, v);
	char msg[320], why[96];

	if (n)
		hw_metric(ctx, t, "icmp.rtt", rtt_mtypes[pr->o->rtt_type], v, n, NULL);
	/* One reply: min = avg = max = the RTT just sent, stddev 0, and no
	 * jitter was seen: those lines would repeat icmp.rtt (issue 16). */
	if (n > 1 && pr->want_spread) {
		hw_metric1(ctx, t, "icmp.rtt.min", HW_GAUGE, st.min, NULL);
		hw_metric1(ctx, t, "icmp.rtt.avg", HW_GAUGE, st.avg, NULL);
		hw_metric1(ctx, t, "icmp.rtt.max", HW_GAUGE, st.max, NULL);
		hw_metric1(ctx, t, "icmp.rtt.stddev", HW_GAUGE, st.stddev, NULL);
		hw_metric1(ctx, t, "icmp.jitter", HW_GAUGE, st.jitter, NULL);
	}
	hw_metric1(ctx, t, "icmp.loss", HW_GAUGE, 100. * (double)(count - (int)n) / count, NULL);
	/* off by default: count is the setting and loss gives received */
	hw_metric1(ctx, t, "icmp.sent", HW_COUNT, count, NULL);
	hw_metric1(ctx, t, "icmp.received", HW_COUNT, (double)n, NULL);
	if (ts->failed)
		hw_metric1(ctx, t, "icmp.send_errors", HW_COUNT, ts->failed, NULL);
	if (ts->dups)
		hw_metric1(ctx, t, "icmp.duplicates", HW_COUNT, ts->dups, NULL);
	if (ts->late)
		hw_metric1(ctx, t, "icmp.late", HW_COUNT, ts->late, NULL);
	ts->dups = ts->late = 0;
	{
		/* the replies are icmp.received (and icmp.rtt's values): only
		 * what went wrong is counted here */
		const double res[] = { ts->unreach, count - (int)n - ts->unreach - ts->failed, ts->failed };
		static const char *const name[] = { "result:unreachable", "result:timeout", "result:error" };
		for (int i = 0; i < 3; i++)
			if (res[i] > 0) {
				const char *extra[] = { name[i], NULL };
				hw_metric1(ctx, t, "icmp.results", HW_COUNT, res[i], extra);
			}
	}
	why[0] = '\0';
	if (ts->unreach) {
		char who[INET6_ADDRSTRLEN] = "";
		if (ts->ufamily)
			inet_ntop(ts->ufamily, &ts->uoff, who, sizeof who);
		snprintf(why, sizeof why, "; %u unreachable (%s%s%s)", ts->unreach, pkt_icmp_class_name(ts->ucls),
		         who[0] ? " from " : "", who);
	}
	if (n == 1)  /* min = avg = max: said once */
		snprintf(msg, sizeof msg, "%d of %d echo requests to %s lost%s; rtt %.3f ms", count - 1, count, t->ip,
		         why, st.avg);
	else if (n)
		snprintf(msg, sizeof msg, "%d of %d echo requests to %s lost%s; rtt min/avg/max %.3f/%.3f/%.3f ms",
		         count - (int)n, count, t->ip, why, st.min, st.avg, st.max);
	else
		snprintf(msg, sizeof msg, "%d of %d echo requests to %s lost%s%s%s", count, count, t->ip, why,
		         ts->send_errno ? "; sending failed: " : "",
		         ts->send_errno ? strerror(ts->send_errno) : "");
	hw_service_check(ctx, t, "icmp.can_reach", n ? HW_OK : HW_CRITICAL, msg, NULL);
}

/* End the round of `ts` when every request of it is settled. */
static void maybe_finish(struct tstate *ts)
{
	if (!ts->active || ts->next < ts->pr->o->count || ts->pending)
		return;
	ts->active = 0;
	report(ts);
	hw_done(ts->pr->ctx, ts->t);
}

/* Send the instance-level counters gathered since the last call
 * (hwc_flusher callback; `arg` is the probe). */
static void flush_counters(void *arg)
{
	struct probe *pr = arg;

	if (pr->unmatched)
		hw_metric1(pr->ctx, NULL, "icmp.unmatched", HW_COUNT, (double)pr->unmatched, NULL);
	if (pr->late)
		hw_metric1(pr->ctx, NULL, "icmp.late", HW_COUNT, (double)pr->late, NULL);
	if (pr->throttled)
		hw_metric1(pr->ctx, NULL, "icmp.throttled", HW_COUNT, (double)pr->throttled, NULL);
	pr->unmatched = pr->late = pr->throttled = 0;
}

/* ------------------------------------------------------------------ */
/* Receiving                                                            */

/* Whether datagram buf (len bytes as read, maybe cut) of socket `s` is an
 * echo reply that carries this instance's identity: our identifier and our
 * cookie at the start of the payload.  Read before anything is parsed,
 * so a packet of another program is ignored whatever its size or shape. */
static int ours(const struct sock *s, const unsigned char *buf, size_t len)
{
	size_t off = 0;

	if (s->raw && s->family == AF_INET) {
		if (len < 20 || buf[0] >> 4 != 4)
			return 0;
		off = (size_t)(buf[0] & 15) * 4;  /* IHL: the IP header the raw socket keeps */
	}
	if (len < off + PKT_ICMP_HDR_LEN + COOKIE_LEN ||
	    buf[off] != (s->family == AF_INET ? 0 : 129) ||          /* echo reply, RFC 792 / RFC 4443 */
	    (s->raw && (unsigned)(buf[off + 4] << 8 | buf[off + 5]) != s->ident))
		return 0;  /* a ping socket: the kernel matched the identifier */
	return !memcmp(buf + off + PKT_ICMP_HDR_LEN, s->pr->cookie, COOKIE_LEN);
}

/* An ICMP error of class `cls` from `off` (family `offf`, 0: unknown)
 * quoting our echo request `seq` (identifier already checked) to `dst`,
 * with `q` (qlen bytes) of its payload: the request is answered,
 * unreachable, when it waits and all of that is ours.  Anything else is
 * ignored (another program's request, a stale one): no counter moves. */
static void on_icmp_error(struct sock *s, uint16_t seq, const struct sockaddr_storage *dst, socklen_t dstlen,
                          const unsigned char *q, size_t qlen, pkt_icmp_class cls, int offf,
                          const pkt_ipaddr *off)
{
	struct slot *sl = &s->slots[seq & (s->wsize - 1)];
	struct tstate *ts = sl->ts;

	if (pkt_icmp_answer(cls) != PKT_ANS_UNREACHABLE || sl->state != SLOT_WAIT ||
	    (uint16_t)sl->serial != seq || !from_target(dst, dstlen, ts->t))
		return;
	/* as much of the cookie and serial as the router quoted (RFC 792
	 * promises only the 8-byte header; Linux quotes up to 576 bytes) */
	for (size_t i = 0; i < qlen && i < COOKIE_LEN + 8; i++)
		if (q[i] != (i < COOKIE_LEN ? s->pr->cookie[i] : (unsigned char)(sl->serial >> (8 * (COOKIE_LEN + 7 - i)))))
			return;
	sl->state = SLOT_UNREACH;
	if (!ts->unreach++) {
		ts->ucls = cls;
		ts->ufamily = offf;
		if (offf)
			ts->uoff = *off;
	}
	ts->pending--;
	maybe_finish(ts);
}

/* raw mode: an ICMP error read on the raw socket (IPv4 with its IP
 * header; IPv6 without, its sender in `from`): about one of our requests
 * when it quotes one with our identifier. */
static void raw_error(struct sock *s, const unsigned char *buf, size_t len, const struct sockaddr_storage *from)
{
	struct sockaddr_storage dst;
	pkt_icmp m;
	size_t alen = s->family == AF_INET ? 4 : 16;

	if (pkt_icmp_parse(buf, len, s->family, s->family == AF_INET, &m) < 0 ||
	    (m.kind != PKT_ICMP_UNREACH && m.kind != PKT_ICMP_TIME_EXCEEDED) || !m.quote.ok ||
	    !m.quote.echo || m.quote.echo_id != s->ident)
		return;
	memset(&dst, 0, sizeof dst);
	dst.ss_family = (sa_family_t)s->family;
	memcpy(s->family == AF_INET ? (void *)&((struct sockaddr_in *)&dst)->sin_addr
	                            : (void *)&((struct sockaddr_in6 *)&dst)->sin6_addr, &m.quote.dst, alen);
	if (s->family == AF_INET6)
		m.src.v6 = from->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)from)->sin6_addr : in6addr_any;
	on_icmp_error(s, m.quote.echo_seq, &dst, sizeof dst, m.quote.l4 + PKT_ICMP_HDR_LEN,
	              m.quote.l4_len - PKT_ICMP_HDR_LEN, m.cls, s->family, &m.src);
}

/* dgram mode: one message of the ping socket's error queue (hwc_rx_drain
 * callback; `arg` is the socket): the kernel quotes our echo request
 * (header and payload) and names its destination in msg_name. */
static void dgram_error(void *arg, const hwc_rx *rx)
{
	struct sock *s = arg;
	pkt_errq e;

	if (pkt_errqueue_parse(rx->msg, &e) < 0 || (e.origin != SO_EE_ORIGIN_ICMP && e.origin != SO_EE_ORIGIN_ICMP6) ||
	    rx->len < PKT_ICMP_HDR_LEN || (unsigned)(rx->buf[4] << 8 | rx->buf[5]) != s->ident)
		return;
	on_icmp_error(s, (uint16_t)(rx->buf[6] << 8 | rx->buf[7]), rx->msg->msg_name, rx->msg->msg_namelen,
	              rx->buf + PKT_ICMP_HDR_LEN, rx->len - PKT_ICMP_HDR_LEN, e.cls, e.offender_family,
	              &e.offender);
}

/* One datagram from socket `s`, received at `rx_mono`. */
static void handle_reply(struct sock *s, const unsigned char *buf, size_t len, int truncated,
                         const struct sockaddr_storage *from, socklen_t fromlen,
                         const struct msghdr *mh, double rx_mono)
{
	struct probe *pr = s->pr;
	struct timespec rx;
	struct slot *sl;
	struct tstate *ts;
	uint64_t serial;
	pkt_icmp m;
	double rtt;
	int rc;

	if (!ours(s, buf, len)) {
		if (s->raw)
			raw_error(s, buf, len, from);  /* an ICMP error about one of our requests? */
		return;  /* another program's, or not an echo reply: not ours to count */
	}
	if (truncated) {
		pr->unmatched++;
		return;
	}
	if ((rc = pkt_icmp_parse(buf, len, s->family, s->raw && s->family == AF_INET, &m)) < 0) {
		HW_DEBUG(pr->ctx, "dropped a malformed ICMP packet of %zu bytes: %s", len, pkt_strerror(rc));
		pr->unmatched++;
		return;
	}
	if (m.kind != PKT_ICMP_ECHO_REPLY)
		return;  /* raw: filtered out already; ping sockets deliver only replies */
	if (m.id != s->ident) {
		if (!s->raw)
			pr->unmatched++;  /* the kernel matched on it: should not happen */
		return;                /* raw: another program's ping */
	}
	if (m.data_len != (size_t)pr->o->size || memcmp(m.data, pr->cookie, COOKIE_LEN)) {
		pr->unmatched++;
		return;
	}
	serial = get64(m.data + COOKIE_LEN);
	if (!serial || serial >= s->next || (uint16_t)serial != m.seq) {
		pr->unmatched++;
		return;
	}
	sl = &s->slots[serial & (s->wsize - 1)];
	if (sl->serial != serial) {
		/* ours, but its slot holds a newer probe: very late */
		pr->late++;
		return;
	}
	ts = sl->ts;
	if (!from_target(from, fromlen, ts->t)) {
		pr->unmatched++;
		return;
	}
	switch (sl->state) {
	case SLOT_WAIT:
		rtt = -1;
		if (pkt_rx_time(mh, &rx) == 0)
			rtt = ts_diff(&rx, &sl->tx);
		if (rtt < 0 || rtt > pr->timeout + RTT_SLACK)
			rtt = rx_mono - sl->tx_mono;  /* no timestamp, or the wall clock stepped */
		if (rtt > pr->timeout) {
			ts->late++;  /* its expiry is just not processed yet: it stays lost */
			return;
		}
		sl->state = SLOT_ANSWERED;
		ts->rtt[sl->index] = rtt * 1e3;
		ts->received++;
		ts->pending--;
		maybe_finish(ts);
		return;
	case SLOT_ANSWERED:
		ts->dups++;
		return;
	case SLOT_EXPIRED:
		ts->late++;
		return;
	default:
		pr->unmatched++;  /* a reply to a request sendto() refused */
		return;
	}
}

/* Read everything queued on `s`, RX_BATCH datagrams per system call. */
static void drain(struct sock *s)
{
	struct probe *pr = s->pr;

	if (s->fd < 0)
		return;
	if (!s->raw)  /* the ICMP errors first (IP_RECVERR), as the timeout timer relies on */
		hwc_rx_drain(s->fd, 1, RX_BATCH, dgram_error, s);
	for (int call = 0; call < RX_CALLS_MAX; call++) {
		int n;
		double rx_mono;

		for (int i = 0; i < RX_BATCH; i++) {
			struct msghdr *mh = &s->msgs[i].msg_hdr;
			mh->msg_name = &s->from[i];
			mh->msg_namelen = sizeof s->from[i];
			mh->msg_iov = &s->iov[i];
			mh->msg_iovlen = 1;
			mh->msg_control = s->ctrl[i];
			mh->msg_controllen = sizeof s->ctrl[i];
			mh->msg_flags = 0;
		}
		n = recvmmsg(s->fd, s->msgs, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EINTR || (!s->raw && pkt_errno_class(errno) != PKT_IC_NONE))
				continue;  /* an ICMP error reported once here: it waits in the error queue */
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != pr->rx_errno) {
				pr->rx_errno = errno;
				HW_WARN(pr->ctx, "receiving ICMP%s: %s", s->family == AF_INET ? "" : "v6",
				        strerror(errno));
			}
			return;
		}
		rx_mono = hw_mono();
		for (int i = 0; i < n; i++) {
			struct msghdr *mh = &s->msgs[i].msg_hdr;
			handle_reply(s, s->iov[i].iov_base, s->msgs[i].msg_len,
			             !!(mh->msg_flags & MSG_TRUNC), &s->from[i], mh->msg_namelen, mh, rx_mono);
		}
		if (n < RX_BATCH)
			return;
	}
}

static void readable_cb(void *arg, int fd, int revents)
{
	(void)fd;
	(void)revents;
	drain(arg);
}

/* ------------------------------------------------------------------ */
/* Timeouts                                                             */

/* Arm the timeout timer for the oldest deadline of both windows. */
static void arm_timeout(struct probe *pr)
{
	double first = INFINITY;
	struct sock *ss[2] = { &pr->s4, &pr->s6 };

	for (int i = 0; i < 2; i++) {
		struct sock *s = ss[i];
		if (s->fd >= 0 && s->tail < s->next) {
			double d = s->slots[s->tail & (s->wsize - 1)].tx_mono + pr->timeout;
			first = d < first ? d : first;
		}
	}
	if (isinf(first)) {
		hw_timer_stop(pr->timeout_timer);
		pr->timeout_armed = 0;
	} else if (first != pr->timeout_armed) {
		hw_timer_arm(pr->timeout_timer, first - hw_mono());
		pr->timeout_armed = first;
	}
}

static void pump(struct probe *pr);

static void timeout_cb(void *arg)
{
	struct probe *pr = arg;
	struct sock *ss[2] = { &pr->s4, &pr->s6 };
	double now;

	pr->timeout_armed = 0;
	/* A reply that came in time may still wait in the socket: read the
	 * clock first, then drain, so that every reply that arrived before a
	 * deadline <= now is read before that probe is declared lost. */
	now = hw_mono();
	drain(&pr->s4);
	drain(&pr->s6);
	for (int i = 0; i < 2; i++) {
		struct sock *s = ss[i];
		while (s->fd >= 0 && s->tail < s->next) {
			struct slot *sl = &s->slots[s->tail & (s->wsize - 1)];
			if (sl->tx_mono + pr->timeout > now)
				break;
			s->tail++;
			if (sl->state == SLOT_WAIT) {
				sl->state = SLOT_EXPIRED;
				sl->ts->pending--;
				maybe_finish(sl->ts);
			}
		}
	}
	arm_timeout(pr);
	if (pr->blocked)
		pump(pr);
}

/* ------------------------------------------------------------------ */
/* Sending                                                              */

/* Send request number ts->next of the round of `ts`.  Returns 0, or -1
 * when the socket's window is full (nothing happened; try again later). */
static int send_next(struct probe *pr, struct tstate *ts)
{
	struct sock *s = sock_for(pr, ts->t->family);
	const hw_target *t = ts->t;
	struct slot *sl;
	unsigned char *pl;
	size_t len;

	if (s && s->next - s->tail >= s->wsize)
		return -1;
	if (!s) {
		ts->failed++;
		ts->send_errno = EAFNOSUPPORT;
		ts->next++;
		return 0;
	}
	sl = &s->slots[s->next & (s->wsize - 1)];
	*sl = (struct slot){ .serial = s->next, .ts = ts, .index = ts->next, .state = SLOT_WAIT };
	s->next++;
	ts->next++;
	pl = pr->tx + PKT_ICMP_HDR_LEN;
	put64(pl + COOKIE_LEN, sl->serial);
	sl->tx_mono = hw_mono();
	clock_gettime(CLOCK_REALTIME, &sl->tx);
	put64(pl + COOKIE_LEN + 8, (uint64_t)sl->tx.tv_sec * 1000000000u + (uint64_t)sl->tx.tv_nsec);
	len = pkt_icmp_echo_build(pr->tx, pr->txlen, s->family, s->ident, (uint16_t)sl->serial,
	                         pl, (size_t)pr->o->size);
	if (sendto(s->fd, pr->tx, len, MSG_DONTWAIT, (const struct sockaddr *)&t->addr, t->addrlen) < 0) {
		sl->state = SLOT_FAILED;
		ts->failed++;
		if (ts->send_errno != errno)
			HW_DEBUG(pr->ctx, "sending to %s (%s): %s", t->host, t->ip, strerror(errno));
		ts->send_errno = errno;
	} else {
		ts->pending++;
	}
	return 0;
}

/* Send whatever is due, in due order, within max_pps; then arm the send
 * timer for the next due send or token. */
static void pump(struct probe *pr)
{
	double wait = INFINITY, now = hw_mono();
	int sent = 0;

	pr->blocked = 0;
	for (;;) {
		struct qent *a = fifo_head(&pr->runq), *b = fifo_head(&pr->spq), *e;
		struct fifo *q;
		struct tstate *ts;
		double w;

		if (a && (!b || a->due <= b->due))
			e = a, q = &pr->runq;
		else
			e = b, q = &pr->spq;
		if (!e)
			break;
		if (e->due > now) {
			wait = e->due - now;
			break;
		}
		if (!hwc_bucket_take(&pr->bucket, now, &w)) {
			wait = w;
			pr->throttled++;
			break;
		}
		ts = e->ts;
		if (send_next(pr, ts) < 0) {
			hwc_bucket_give_back(&pr->bucket);  /* not used */
			pr->blocked = 1;  /* the timeout timer frees slots and calls back */
			break;
		}
		sent = 1;
		fifo_pop(q);
		if (ts->next < pr->o->count)
			fifo_push(&pr->spq, ts, hw_mono() + pr->o->spacing);
		else
			maybe_finish(ts);
		now = hw_mono();
	}
	if (sent)
		arm_timeout(pr);
	if (isinf(wait) || pr->blocked)
		hw_timer_stop(pr->send_timer);
	else
		hw_timer_arm(pr->send_timer, wait);
}

static void send_cb(void *arg)
{
	pump(arg);
}

/* ------------------------------------------------------------------ */
/* Rounds                                                               */

/* Tie the state of target slot `t` to the instance: at start, and again
 * in run after a dynamic target's data was zeroed (forget). */
static void tstate_bind(struct probe *pr, hw_target *t)
{
	struct tstate *ts = t->data;

	ts->pr = pr;
	ts->t = t;
	ts->rtt = pr->rtts + t->index * (size_t)pr->o->count;
	pr->tsv[t->index] = ts;
}

static void run(void *state, hw_target *t)
{
	struct probe *pr = state;
	struct tstate *ts = t->data;

	if (!ts->pr)
		tstate_bind(pr, t);
	ts->active = 1;
	ts->next = ts->pending = ts->received = ts->failed = ts->unreach = 0;
	ts->send_errno = 0;
	for (int i = 0; i < pr->o->count; i++)
		ts->rtt[i] = NAN;
	fifo_push(&pr->runq, ts, hw_mono());
	pump(pr);
}

static void readdress(void *state, hw_target *t)
{
	struct probe *pr = state;

	/* nothing is outstanding between rounds: the next request simply goes
	 * to the new address, and late replies from the old one are refused */
	if (!sock_for(pr, t->family))
		HW_WARN(pr->ctx, "target %s now resolves to %s, but there is no IPv%c socket",
		        t->host, t->ip, t->family == AF_INET ? '4' : '6');
}

/* ------------------------------------------------------------------ */
/* Sockets                                                              */

static void sock_close(struct sock *s);

/* Open the socket of `s->family`.  `need`: a target has that family for
 * sure, so failing is an error; else a warning.  Returns 0 or -1. */
static int sock_setup(struct probe *pr, struct sock *s, int need)
{
	const struct opts *o = pr->o;
	int family = s->family, fd, raw;
	const char *fam = hwc_family_name(family);
	static uint16_t next_ident;  /* raw identifiers: distinct across this process's instances */

	if ((fd = hwc_icmp_open(pr->ctx, family, (enum hwc_icmp_mode)o->mode, need, "a raw ICMP socket",
	                        &raw)) < 0)
		return -1;
	s->fd = fd;
	s->raw = raw;
	if (hwc_rx_opts(fd, RCVBUF_BYTES) < 0)
		HW_WARN(pr->ctx, "%s: SO_TIMESTAMPNS: %s; RTTs are measured in user space", fam, strerror(errno));
	if (o->tos && (family == AF_INET ? setsockopt(fd, IPPROTO_IP, IP_TOS, &o->tos, sizeof o->tos)
	                                 : setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &o->tos, sizeof o->tos)) < 0) {
		HW_ERROR(pr->ctx, "%s: tos %d: %s", fam, o->tos, strerror(errno));
		return -1;
	}
	if (o->ttl && (family == AF_INET ? setsockopt(fd, IPPROTO_IP, IP_TTL, &o->ttl, sizeof o->ttl)
	                                 : setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &o->ttl, sizeof o->ttl)) < 0) {
		HW_ERROR(pr->ctx, "%s: ttl %d: %s", fam, o->ttl, strerror(errno));
		return -1;
	}
	if (o->interface &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->interface, (socklen_t)strlen(o->interface)) < 0) {
		HW_ERROR(pr->ctx, "%s: interface \"%s\": %s%s", fam, o->interface, strerror(errno),
		         errno == EPERM ? " (binding to a device needs CAP_NET_RAW on this kernel)" : "");
		return -1;
	}
	if (s->raw) {
		/* pass echo replies (ICMP type 0, ICMPv6 type 129) and the
		 * errors that can answer a request: unreachable (3 / 1) and
		 * time exceeded (11 / 3), classified by lib/pkt's table */
		if (hwc_icmp_filter(fd, family, 1u << 0 | 1u << 3 | 1u << 11,
		                    HWC_PASS6_ECHO_REPLY | HWC_PASS6_UNREACH | HWC_PASS6_TIME_EXCEEDED) < 0) {
			if (family == AF_INET) {
				HW_WARN(pr->ctx, "IPv4: ICMP_FILTER: %s", strerror(errno));
			} else {
				HW_ERROR(pr->ctx, "IPv6: ICMP6_FILTER: %s", strerror(errno));
				return -1;
			}
		}
		if (!next_ident) {
			uint32_t r;
			hwc_rng_seed(&r);
			next_ident = (uint16_t)r ? (uint16_t)r : 1;
		}
		s->ident = next_ident++;
	}
	/* Bind: to the source address when it is of this family; and always
	 * a ping socket, whose port is the ICMP identifier the kernel uses. */
	if (hwc_bind_source(pr->ctx, fd, family, o->source, !s->raw) < 0)
		return -1;
	if (!s->raw && !(s->ident = hwc_local_port(fd))) {
		HW_ERROR(pr->ctx, "%s: getsockname: %s", fam, strerror(errno));
		return -1;
	}
	if (!s->raw) {
		/* ICMP errors about our requests into the error queue, at once */
		int one = 1;
		if (family == AF_INET ? setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof one)
		                      : setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof one))
			HW_WARN(pr->ctx, "%s: IP_RECVERR: %s; ICMP errors end as timeouts", fam, strerror(errno));
	}
	s->buflen = (size_t)o->size + PKT_ICMP_HDR_LEN + IP4_HDR_MAX + 64;
	if (!(s->bufs = malloc(RX_BATCH * s->buflen)))
		return -1;
	for (int i = 0; i < RX_BATCH; i++) {
		s->iov[i].iov_base = s->bufs + (size_t)i * s->buflen;
		s->iov[i].iov_len = s->buflen;
	}
	if (!(s->io = hw_io_new(pr->ctx, fd, readable_cb, s)))
		return -1;
	hw_io_want(s->io, HW_READ);
	HW_INFO(pr->ctx, "%s: %s socket, ICMP id %u", fam,
	        s->raw ? "raw" : "unprivileged ping (dgram)", (unsigned)s->ident);
	return 0;
}

static void sock_close(struct sock *s)
{
	hw_io_free(s->io);
	s->io = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->bufs);
	free(s->slots);
	s->bufs = NULL;
	s->slots = NULL;
}

/* sock_setup, leaving nothing open when it fails. */
static int sock_open(struct probe *pr, struct sock *s, int need)
{
	if (sock_setup(pr, s, need) == 0)
		return 0;
	sock_close(s);
	s->raw = 0;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                           */

/* A dynamic target leaves (its round is over): its odd replies are
 * reported, and its window slots let go of it, so that a late reply is
 * never counted for the next target of the slot. */
static void forget(void *state, hw_target *t)
{
	struct probe *pr = state;
	struct tstate *ts = t->data;

	if (ts->dups)
		hw_metric1(pr->ctx, t, "icmp.duplicates", HW_COUNT, ts->dups, NULL);
	if (ts->late)
		hw_metric1(pr->ctx, t, "icmp.late", HW_COUNT, ts->late, NULL);
	for (int i = 0; i < 2; i++) {
		struct sock *s = i ? &pr->s6 : &pr->s4;
		for (uint64_t k = 0; s->slots && k < s->wsize; k++)
			if (s->slots[k].ts == ts)
				s->slots[k] = (struct slot){ .state = SLOT_FREE };
	}
}

static void stop(void *state)
{
	struct probe *pr = state;

	if (!pr)
		return;
	hwc_flusher_stop(&pr->flusher);
	/* odd replies seen after a target's last report */
	for (size_t i = 0; pr->tsv && i < pr->ntargets; i++) {
		struct tstate *ts = pr->tsv[i];
		if (ts && ts->dups)
			hw_metric1(pr->ctx, ts->t, "icmp.duplicates", HW_COUNT, ts->dups, NULL);
		if (ts && ts->late)
			hw_metric1(pr->ctx, ts->t, "icmp.late", HW_COUNT, ts->late, NULL);
	}
	sock_close(&pr->s4);
	sock_close(&pr->s6);
	hw_timer_free(pr->send_timer);
	hw_timer_free(pr->timeout_timer);
	free(pr->runq.v);
	free(pr->spq.v);
	free(pr->rtts);
	free(pr->tsv);
	free(pr->tx);
	free(pr);
}

static int start_probe(hw_ctx *ctx, const void *opts, void **out)
{
	const struct opts *o = opts;
	struct probe *pr = calloc(1, sizeof *pr);
	hw_target *const *tv;
	int has4 = 0, has6 = 0, named = 0, rc = 0;
	uint64_t window = WINDOW_MIN;
	double interval = hw_interval(ctx);

	if (!pr) {
		HW_ERROR(ctx, "out of memory");
		return -1;
	}
	*out = pr;
	pr->ctx = ctx;
	pr->o = o;
	pr->want_spread = 0;
	for (size_t i = 1; i <= 5; i++)  /* metrics[1..5]: the round's spread */
		pr->want_spread |= hw_metric_wanted(ctx, metrics[i].name);
	pr->timeout = hw_timeout(ctx);
	pr->s4 = (struct sock){ .pr = pr, .fd = -1, .family = AF_INET, .next = 1, .tail = 1 };
	pr->s6 = (struct sock){ .pr = pr, .fd = -1, .family = AF_INET6, .next = 1, .tail = 1 };
	tv = hw_targets(ctx, &pr->ntargets);
	if (getrandom(pr->cookie, sizeof pr->cookie, GRND_NONBLOCK) != sizeof pr->cookie) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		put64(pr->cookie, (uint64_t)now.tv_nsec * 2654435761u ^ (uint64_t)now.tv_sec ^ (uint64_t)getpid() << 32);
	}
	/* window: every request of every target may be outstanding at once */
	while (window < WINDOW_MAX && window < pr->ntargets * (uint64_t)o->count)
		window *= 2;
	pr->txlen = PKT_ICMP_HDR_LEN + (size_t)o->size;
	pr->tsv = calloc(pr->ntargets + 1, sizeof *pr->tsv);
	pr->rtts = calloc(pr->ntargets * (size_t)o->count + 1, sizeof *pr->rtts);
	pr->tx = calloc(1, pr->txlen);
	if (!pr->tsv || !pr->rtts || !pr->tx || fifo_init(&pr->runq, pr->ntargets) < 0 ||
	    fifo_init(&pr->spq, pr->ntargets) < 0) {
		HW_ERROR(ctx, "out of memory for %zu targets", pr->ntargets);
		return -1;
	}
	memcpy(pr->tx + PKT_ICMP_HDR_LEN, pr->cookie, COOKIE_LEN);
	for (size_t i = PAYLOAD_MIN; i < (size_t)o->size; i++)
		pr->tx[PKT_ICMP_HDR_LEN + i] = (unsigned char)i;  /* ping(8)'s filler */
	for (size_t i = 0; i < pr->ntargets; i++) {
		tstate_bind(pr, tv[i]);
		if (tv[i]->family == AF_INET)
			has4 = 1;
		else if (tv[i]->family == AF_INET6)
			has6 = 1;
		else
			named = 1;  /* not resolved yet: either family */
	}
	/* A name may resolve to either family, so both sockets are opened
	 * now, while privileged; one the kernel lacks is only a warning then. */
	if (has4 || named)
		rc |= sock_open(pr, &pr->s4, has4) < 0 && has4 ? -1 : 0;
	if (has6 || named)
		rc |= sock_open(pr, &pr->s6, has6) < 0 && has6 ? -1 : 0;
	if (rc < 0 || (pr->s4.fd < 0 && pr->s6.fd < 0 && pr->ntargets))
		return -1;
	for (int i = 0; i < 2; i++) {
		struct sock *s = i ? &pr->s6 : &pr->s4;
		if (s->fd >= 0 && !(s->slots = calloc(window, sizeof *s->slots))) {
			HW_ERROR(ctx, "out of memory for %llu probe slots", (unsigned long long)window);
			return -1;
		}
		s->wsize = window;
	}
	pr->send_timer = hw_timer_new(ctx, send_cb, pr);
	pr->timeout_timer = hw_timer_new(ctx, timeout_cb, pr);
	if (!pr->send_timer || !pr->timeout_timer || hwc_flusher_start(&pr->flusher, ctx, flush_counters, pr) < 0) {
		HW_ERROR(ctx, "out of memory");
		return -1;
	}
	hwc_bucket_init(&pr->bucket, o->max_pps, 0.01, hw_mono());  /* 10 ms worth */
	if (o->max_pps > 0 && (double)pr->ntargets * o->count / interval > o->max_pps)
		HW_WARN(ctx, "%zu targets * count %d every %gs is %.0f requests/s, more than max_pps %g: "
		        "rounds will run late and be skipped", pr->ntargets, o->count, interval,
		        (double)pr->ntargets * o->count / interval, o->max_pps);
	HW_INFO(ctx, "icmp: %zu targets, %d requests %gs apart every %gs, timeout %gs, %d-byte payload, "
	        "max_pps %g", pr->ntargets, o->count, o->spacing, interval, pr->timeout, o->size, o->max_pps);
	return 0;
}

/* The host calls stop() only after a successful start: hwc_start frees
 * what a failed start left. */
static int start(hw_ctx *ctx, const void *opts, void **state)
{
	return hwc_start(ctx, opts, state, start_probe, stop);
}

HW_PLUGIN_EXPORT = {
	.abi = HW_PLUGIN_ABI,
	.size = sizeof(hw_plugin),
	.name = "icmp",
	.options = options,
	.options_size = sizeof(struct opts),
	.target_size = sizeof(struct tstate),
	.forget = forget,
	.port = HW_PORT_NONE,
	.validate = validate,
	.start = start,
	.run = run,
	.readdress = readdress,
	.stop = stop,
	.check = "icmp.can_reach",
	.metrics = metrics,
};
