/*
 * plugins/tcp.c: TCP handshake latency (SYN -> SYN/ACK or RST) to
 * host:port targets.  "Is the database slow, or is the network?"
 *
 * Each round sends `count` probes to the target, `spacing` apart; each
 * probe waits at most the instance `timeout` for its answer.  Results:
 *   open         the handshake completed (connect) / a SYN/ACK came (syn)
 *   refused      an RST came, with ACK or bare: the host answered, nothing
 *                listens; it has an RTT
 *   timeout      nothing came within `timeout` (a filtered port, a lost packet)
 *   unreachable  an ICMP or ICMPv6 error came back (unreachable of any code,
 *                admin-prohibited, time exceeded), or no route here; the
 *                service check names its class
 *   error        a local failure (out of fds or ports, ...): nothing was sent
 * Segments and ICMP errors are classified by lib/pkt's one table
 * (pkt_tcp_answer, pkt_icmp_classify, pkt_icmp_answer), in both modes.
 *
 * mode = "connect" (default, no privileges): a non-blocking connect() per
 *   probe.  The RTT runs from just before connect() to the moment the
 *   socket turns writable (handshake done, or refused).  The socket is
 *   closed at once with SO_LINGER {1, 0}: an established connection is
 *   reset, so no TIME_WAIT piles up; the service sees an accept and an RST.
 *   TCP_SYNCNT is set to the SYN retransmissions the kernel would make
 *   within `timeout` (at least 1, the kernel minimum), so the kernel never
 *   retransmits for longer than we wait; we close at the timeout anyway.
 *   A retransmitted SYN that is then answered gives the RTT an application
 *   would see (from the first SYN), not the network RTT.
 *   File descriptors: one per probe in flight, so at most `count` per
 *   target (fewer when spacing > timeout), closed on answer or timeout.
 *   Each socket has IP_RECVERR / IPV6_RECVERR: an ICMP error about the SYN
 *   waits in its error queue at once (and wakes the socket), so it is
 *   classified when it comes, in both families (without it the kernel may
 *   report an ICMPv6 error only at the next SYN retransmission, 1 s
 *   later), and an ICMP port unreachable is told from an RST (both leave
 *   ECONNREFUSED).  A bare RST (no ACK) is dropped by the kernel in
 *   SYN-SENT (RFC 793 3.9, RFC 5961 3.2), so connect mode reports it as a
 *   timeout: only syn mode sees it.
 *
 * mode = "syn" (CAP_NET_RAW): half-open probes from a raw IPPROTO_TCP
 *   socket per family; we build the TCP header (with an MSS option), the
 *   kernel builds the IP header.  Replies are matched by ports and by
 *   ack == our seq + 1; the sequence number carries the probe's slot, so
 *   matching is O(1).  A bare RST (no ACK, ack 0: firewalls, load balancers)
 *   names no sequence number: it answers the oldest probe in flight to its
 *   source address and port, found in O(1) in a hash of the targets whose
 *   round runs.  The handshake is never completed: our kernel has no
 *   socket for the SYN/ACK and answers it with an RST, which the service
 *   sees as a dropped half-open connection (nothing reaches accept()).
 *   Source port: one per instance, picked by the kernel when a dummy TCP
 *   socket is bound to port 0 (IPv6 dual-stack when possible) and held
 *   while the instance runs, so no other socket can be given that port.
 *   ICMP unreachables come back through IP_RECVERR / IPV6_RECVERR on the
 *   raw sockets, matched by the sequence number of the quoted TCP header.
 *   Without CAP_NET_RAW the instance does not start (a clear error).
 *
 * Metrics (the core adds the prefix and the target tags), per round:
 *   tcp.rtt          distribution, ms, one value per answered probe
 *   tcp.rtt.min/avg/max  gauges, ms, only when something answered
 *   tcp.loss         gauge, percent of sent probes without an answer
 *                    (refused is an answer; unreachable is not)
 *   tcp.sent, tcp.received  counts
 *   tcp.results      count tagged result:<kind>, one line per kind seen
 *   tcp.can_connect  service check: OK when a probe found the port open,
 *                    CRITICAL otherwise (UNKNOWN when nothing could be
 *                    sent), the reason in the message
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "hopwatch.h"
#include "pkt.h"
#include "rng.h"
#include "round.h"
#include "route.h"
#include "rx.h"
#include "sock.h"
#include "stats.h"

/* Most probes per round: the probe slot must fit the sequence number's
 * low 24 bits (100,000 targets * 100 probes < 2^24). */
#define MAX_COUNT 100
/* Datagrams read per raw socket, queue and wakeup, at most. */
#define RX_BUDGET 256
/* Timers may fire this much early (seconds) and still count as due. */
#define SLACK 0.0002

enum mode { MODE_CONNECT, MODE_SYN };
enum result { R_OPEN, R_REFUSED, R_TIMEOUT, R_UNREACHABLE, R_ERROR, R_N };
static const char *const result_name[R_N] = { "open", "refused", "timeout", "unreachable", "error" };

/* Settings, filled by the host from the table below. */
struct opts {
	int mode;            /* enum mode */
	int count;           /* probes per round */
	double spacing;      /* seconds between two probes of a round */
};

static const char *const modes[] = { "connect", "syn", NULL };

#define O(f) offsetof(struct opts, f)
static const hw_option options[] = {
	{ "mode", HW_OPT_ENUM, O(mode), "connect", 0, 0, modes,
	  "connect (default): non-blocking connect(), no privileges; syn: half-open SYN from a raw socket, needs CAP_NET_RAW" },
	{ "count", HW_OPT_INT, O(count), "3", 1, MAX_COUNT, NULL,
	  "probes per target and round (default 3, at most 100)" },
	{ "spacing", HW_OPT_DURATION, O(spacing), "200ms", 0.001, 60, NULL,
	  "time between two probes of a round (default 200ms)" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
#undef O

struct probe;
struct tstate;

/* One probe of a round: in flight from send until its answer or timeout. */
struct slot {
	struct tstate *ts;   /* its target */
	int fd;              /* connect mode: its socket; -1 when none */
	hw_io *io;           /* connect mode: watch on fd */
	double t0;           /* hw_mono() just before the SYN left, seconds */
	double t0r;          /* syn mode: the same instant in CLOCK_REALTIME, seconds */
	double rtt;          /* answer time - t0, ms; NAN when none */
	uint32_t seq;        /* syn mode: sequence number of our SYN */
	unsigned char busy;  /* in flight */
};

/* Per-target state (hw_target.data). */
struct tstate {
	struct probe *pr;    /* instance */
	hw_target *t;        /* the target */
	struct slot *slot;   /* `count` slots, in pr->slots */
	hw_timer *timer;     /* next send or next timeout, whichever is first */
	int started;         /* probes started this round */
	int pending;         /* probes in flight */
	int sent;            /* probes that left (started minus local errors) */
	double next;         /* hw_mono() when the next probe is due */
	unsigned res[R_N];   /* results this round */
	int err[R_N];        /* errno of the first probe of each result, for the message */
	pkt_icmp_class ucls; /* class of the first unreachable this round (the reason) */
	struct tstate *hnext;/* syn mode: next in pr->htab's bucket */
	int hashed;          /* syn mode: in pr->htab (its round runs) */
	hwc_route route;     /* syn mode: the kernel's route (source address, device) for this
	                        round's flow; pinned on every SYN, so the checksum is right */
	int src_err;         /* syn mode: errno when there is none (no route), else 0 */
};

/* Instance state. */
struct probe {
	hw_ctx *ctx;         /* host handle */
	const struct opts *o;/* settings */
	double timeout;      /* seconds a probe waits */
	size_t ntargets;     /* targets of the instance */
	struct slot *slots;  /* ntargets * count slots */
	int syncnt;          /* TCP_SYNCNT for connect mode */
	unsigned long errors;/* local errors so far (log throttling) */
	/* syn mode */
	int raw4, raw6;      /* raw IPPROTO_TCP sockets; -1 when none */
	hw_io *io4, *io6;    /* their read watches */
	int holder;          /* dummy TCP socket holding the source port */
	uint16_t sport;      /* that port, host order */
	uint32_t rng;        /* hwc_rng state for the sequence numbers */
	struct tstate **htab;/* syn mode: targets whose round runs, by (family, address, port),
	                        for bare RSTs */
	size_t hmask;        /* buckets - 1 (a power of two) */
};

/* ------------------------------------------------------------------ */
/* Rounds                                                               */

static void tick(void *arg);
static void hash_in(struct tstate *ts);
static void hash_out(struct tstate *ts);

/* Log a local error, but only the first few and then every 1000th. */
static void local_error(struct probe *pr, const hw_target *t, const char *what, int err)
{
	pr->errors++;
	if (pr->errors <= 5 || pr->errors % 1000 == 0)
		HW_WARN(pr->ctx, "target %s:%u: %s: %s (%lu local errors so far)", t->host, t->port, what,
		        strerror(err), pr->errors);
}

/* Record the result of slot `s` and take it out of flight. */
static void finish(struct slot *s, enum result r, double now, int err)
{
	struct tstate *ts = s->ts;

	if (!s->busy)
		return;
	s->busy = 0;
	ts->pending--;
	ts->res[r]++;
	if ((r == R_OPEN || r == R_REFUSED) && now >= s->t0)
		s->rtt = (now - s->t0) * 1e3;
	if (!ts->err[r])
		ts->err[r] = err;
	if (s->io) {
		hw_io_free(s->io);
		s->io = NULL;
	}
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
}

/* Slot `s` was answered by an ICMP error of class `cls` (or, with no
 * packet, a local route said `err`): unreachable, the first one's class
 * kept for the message. */
static void unreachable(struct slot *s, double now, int err, pkt_icmp_class cls)
{
	if (s->busy && !s->ts->res[R_UNREACHABLE])
		s->ts->ucls = cls;
	finish(s, R_UNREACHABLE, now, err);
}

/* The reason text of what did not find the port open: "2 refused (RST);
 * 1 no answer within 1s". */
static void reason(const struct tstate *ts, char *buf, size_t len)
{
	const struct probe *pr = ts->pr;
	size_t n = 0;

	buf[0] = '\0';
	if (ts->res[R_REFUSED])
		n += (size_t)snprintf(buf + n, len - n, "%u refused (connection refused: RST)", ts->res[R_REFUSED]);
	if (ts->res[R_UNREACHABLE] && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s%u unreachable (%s: %s)", n ? "; " : "",
		                      ts->res[R_UNREACHABLE], pkt_icmp_class_name(ts->ucls),
		                      ts->err[R_UNREACHABLE] ? strerror(ts->err[R_UNREACHABLE]) : "ICMP unreachable");
	if (ts->res[R_TIMEOUT] && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s%u no answer within %gs", n ? "; " : "",
		                      ts->res[R_TIMEOUT], pr->timeout);
	if (ts->res[R_ERROR] && n < len)
		snprintf(buf + n, len - n, "%s%u local error (%s)", n ? "; " : "", ts->res[R_ERROR],
		         ts->err[R_ERROR] ? strerror(ts->err[R_ERROR]) : "unknown");
}

/* The round of `ts` is over: send what it found, free the target. */
static void round_end(struct tstate *ts)
{
	struct probe *pr = ts->pr;
	hw_ctx *ctx = pr->ctx;
	const hw_target *t = ts->t;
	double rtt[MAX_COUNT], v[MAX_COUNT];
	hwc_rtt st_rtt;
	size_t n;
	char msg[400], why[300], tag[32];
	const char *extra[] = { tag, NULL };
	hw_status st;

	for (int i = 0; i < pr->o->count; i++)
		rtt[i] = ts->slot[i].rtt;
	n = hwc_rtt_stats(rtt, (size_t)pr->o->count, &st_rtt, v);
	if (n)
		hw_metric(ctx, t, "tcp.rtt", HW_DISTRIBUTION, v, n, NULL);
	/* one answer: min = avg = max = tcp.rtt's value (issue 16) */
	if (n > 1) {
		hw_metric1(ctx, t, "tcp.rtt.min", HW_GAUGE, st_rtt.min, NULL);
		hw_metric1(ctx, t, "tcp.rtt.avg", HW_GAUGE, st_rtt.avg, NULL);
		hw_metric1(ctx, t, "tcp.rtt.max", HW_GAUGE, st_rtt.max, NULL);
	}
	if (ts->sent)
		hw_metric1(ctx, t, "tcp.loss", HW_GAUGE, 100.0 * (double)(ts->sent - (int)n) / ts->sent, NULL);
	/* off by default: loss and tcp.results say the same */
	hw_metric1(ctx, t, "tcp.sent", HW_COUNT, ts->sent, NULL);
	hw_metric1(ctx, t, "tcp.received", HW_COUNT, (double)n, NULL);
	/* result:open is every answered probe, the values of tcp.rtt but
	 * the refused ones: counted like the others */
	for (int r = 0; r < R_N; r++)
		if (ts->res[r]) {
			snprintf(tag, sizeof tag, "result:%s", result_name[r]);
			hw_metric1(ctx, t, "tcp.results", HW_COUNT, ts->res[r], extra);
		}
	reason(ts, why, sizeof why);
	if (ts->res[R_OPEN]) {
		st = HW_OK;
		if (ts->res[R_OPEN] == (unsigned)pr->o->count)
			snprintf(msg, sizeof msg, "port open: %u of %d probes answered, avg %.3f ms",
			         ts->res[R_OPEN], pr->o->count, st_rtt.avg);
		else
			snprintf(msg, sizeof msg, "port open: %u of %d probes; others: %s",
			         ts->res[R_OPEN], pr->o->count, why);
	} else if (!ts->sent) {
		st = HW_UNKNOWN;
		snprintf(msg, sizeof msg, "no probe could be sent: %s", why);
	} else {
		st = HW_CRITICAL;
		snprintf(msg, sizeof msg, "not open: %d probes: %s", pr->o->count, why);
	}
	hw_service_check(ctx, t, "tcp.can_connect", st, msg, NULL);
	hash_out(ts);
	hw_done(ctx, ts->t);
}

/* connect mode: one message of a probe socket's error queue (hwc_rx_drain
 * callback; `arg` is the slot): an ICMP error about our SYN, classified by
 * the table like syn mode's (on_error). */
static void connect_errq(void *arg, const hwc_rx *rx)
{
	struct slot *s = arg;
	pkt_errq e;

	if (pkt_errqueue_parse(rx->msg, &e) < 0 ||
	    (e.origin != SO_EE_ORIGIN_ICMP && e.origin != SO_EE_ORIGIN_ICMP6) ||
	    pkt_icmp_answer(e.cls) != PKT_ANS_UNREACHABLE)
		return;
	unreachable(s, rx->rx_mono, e.err ? e.err : pkt_icmp_class_errno(e.cls), e.cls);
}

/* connect mode: the socket of slot `arg` became writable, or has an error
 * (SO_ERROR, or an ICMP error in its queue). */
static void connect_cb(void *arg, int fd, int revents)
{
	struct slot *s = arg;
	struct tstate *ts = s->ts;
	double now = hw_mono();
	int err = 0;
	socklen_t len = sizeof err;
	(void)revents;

	/* an ICMP error first: ECONNREFUSED is an RST only when none came */
	hwc_rx_drain(fd, 1, 4, connect_errq, s);
	if (!s->busy) {
		tick(ts);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	switch (err) {
	case 0:
		/* writable with no error: connected; or a wakeup for an error
		 * queue message that was not about reachability */
		{
			struct sockaddr_storage peer;
			socklen_t plen = sizeof peer;
			if (getpeername(fd, (struct sockaddr *)&peer, &plen) < 0)
				return;  /* still connecting */
		}
		finish(s, R_OPEN, now, 0);
		break;
	case ECONNREFUSED:
		finish(s, R_REFUSED, now, 0);
		break;
	case ETIMEDOUT:
		finish(s, R_TIMEOUT, now, 0);
		break;
	case EINPROGRESS: case EALREADY: case EAGAIN:
		return;  /* spurious wakeup: still connecting */
	default:
		/* EHOSTUNREACH, ENETUNREACH, EACCES, ...: left by an ICMP error
		 * we could not read, or a local route */
		unreachable(s, now, err, pkt_errno_class(err));
		break;
	}
	tick(ts);
}

/* connect mode: start the probe in slot `s`; the result is recorded when
 * the probe cannot even start. */
static void send_connect(struct probe *pr, struct tstate *ts, struct slot *s)
{
	const hw_target *t = ts->t;
	struct linger lg = { 1, 0 };
	int fd, rc, one = 1;

	fd = socket(t->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0) {
		local_error(pr, t, "socket", errno);
		finish(s, R_ERROR, 0, errno);
		ts->sent--;
		return;
	}
	s->fd = fd;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &pr->syncnt, sizeof pr->syncnt);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (t->family == AF_INET)
		setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof one);
	else
		setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof one);
	s->t0 = hw_mono();
	rc = connect(fd, (const struct sockaddr *)&t->addr, t->addrlen);
	if (rc == 0) {
		finish(s, R_OPEN, hw_mono(), 0);
		return;
	}
	switch (errno) {
	case EINPROGRESS:
		if (!(s->io = hw_io_new(pr->ctx, fd, connect_cb, s))) {
			local_error(pr, t, "watch", ENOMEM);
			finish(s, R_ERROR, 0, ENOMEM);
			ts->sent--;
			return;
		}
		hw_io_want(s->io, HW_WRITE);
		return;
	case ECONNREFUSED:
		finish(s, R_REFUSED, hw_mono(), 0);
		return;
	case ENETUNREACH: case EHOSTUNREACH: case EACCES: case EPERM:
		/* no route here, a reject or prohibit route: no packet left,
		 * but the target cannot be reached all the same */
		unreachable(s, 0, errno, pkt_errno_class(errno));
		return;
	default:
		/* EADDRNOTAVAIL (out of ephemeral ports), ENOBUFS, ... */
		local_error(pr, t, "connect", errno);
		finish(s, R_ERROR, 0, errno);
		ts->sent--;
		return;
	}
}

static void send_syn(struct probe *pr, struct tstate *ts, struct slot *s);
static int route_for(const struct probe *pr, const hw_target *t, hwc_route *r);

/* Send probe number ts->started of the round. */
static void send_next(struct tstate *ts, double now)
{
	struct probe *pr = ts->pr;
	struct slot *s = &ts->slot[ts->started++];

	s->busy = 1;
	s->rtt = NAN;
	s->t0 = now;
	ts->pending++;
	ts->sent++;
	ts->next = now + pr->o->spacing;
	if (pr->o->mode == MODE_SYN)
		send_syn(pr, ts, s);
	else
		send_connect(pr, ts, s);
}

/* Time out what is due, send what is due, then end the round or sleep
 * until the next of both. */
static void tick(void *arg)
{
	struct tstate *ts = arg;
	struct probe *pr = ts->pr;
	double now = hw_mono(), wake = INFINITY;

	for (int i = 0; i < ts->started; i++) {
		struct slot *s = &ts->slot[i];
		if (s->busy && now + SLACK >= s->t0 + pr->timeout)
			finish(s, R_TIMEOUT, now, 0);
	}
	if (ts->started < pr->o->count && now + SLACK >= ts->next)
		send_next(ts, now);
	if (ts->started == pr->o->count && !ts->pending) {
		hw_timer_stop(ts->timer);
		round_end(ts);
		return;
	}
	if (ts->started < pr->o->count)
		wake = ts->next;
	for (int i = 0; i < ts->started; i++)
		if (ts->slot[i].busy && ts->slot[i].t0 + pr->timeout < wake)
			wake = ts->slot[i].t0 + pr->timeout;
	hw_timer_arm(ts->timer, wake - hw_mono());
}

/* Tie the state of target slot `t` to the instance (its probe slots, its
 * timer): at start, and again in run after a dynamic target's data was
 * zeroed (forget).  0, or -1 when out of memory. */
static int tstate_bind(struct probe *pr, hw_target *t)
{
	struct tstate *ts = t->data;

	ts->pr = pr;
	ts->t = t;
	ts->slot = &pr->slots[t->index * (size_t)pr->o->count];
	for (int k = 0; k < pr->o->count; k++)
		ts->slot[k] = (struct slot){ .ts = ts, .fd = -1 };
	return (ts->timer = hw_timer_new(pr->ctx, tick, ts)) ? 0 : -1;
}

/* A dynamic target leaves (its round is over): its timer goes, and
 * nothing of it stays in flight or in the syn-mode table. */
static void forget(void *state, hw_target *t)
{
	struct probe *pr = state;
	struct tstate *ts = t->data;

	if (!ts->pr)
		return;  /* never ran */
	hash_out(ts);
	for (int k = 0; k < pr->o->count; k++)
		finish(&ts->slot[k], R_TIMEOUT, 0, 0);
	hw_timer_free(ts->timer);
}

static void run(void *state, hw_target *t)
{
	struct probe *pr = state;
	struct tstate *ts = t->data;

	if (!ts->pr && tstate_bind(pr, t) < 0) {
		HW_ERROR(pr->ctx, "target %s: out of memory", t->host);
		hw_done(pr->ctx, t);
		return;
	}

	ts->started = ts->pending = ts->sent = 0;
	memset(ts->err, 0, sizeof ts->err);
	memset(ts->res, 0, sizeof ts->res);
	ts->ucls = PKT_IC_NONE;
	for (int i = 0; i < pr->o->count; i++)
		ts->slot[i].rtt = NAN;
	if (pr->o->mode == MODE_SYN) {
		ts->src_err = route_for(pr, t, &ts->route);
		hash_in(ts);
	}
	ts->next = hw_mono();
	tick(ts);
}

/* ------------------------------------------------------------------ */
/* syn mode                                                             */

/* The raw socket of `family`, -1 when none. */
static int raw_fd(const struct probe *pr, int family)
{
	return family == AF_INET ? pr->raw4 : pr->raw6;
}

/* The kernel's route for this round's flow to t: TCP from our held port
 * to the target's port.  Its source address goes into the checksum and,
 * pinned, into the IP header (route.h: multipath routes hashed on ports).
 * Returns 0, or an errno (no route). */
static int route_for(const struct probe *pr, const hw_target *t, hwc_route *r)
{
	pkt_ipaddr dst;

	if (t->family == AF_INET)
		dst.v4 = ((const struct sockaddr_in *)&t->addr)->sin_addr;
	else
		dst.v6 = ((const struct sockaddr_in6 *)&t->addr)->sin6_addr;
	return hwc_route_flow(t->family, &dst, NULL, IPPROTO_TCP, pr->sport, t->port, r);
}

/* syn mode: send the SYN of slot `s`. */
static void send_syn(struct probe *pr, struct tstate *ts, struct slot *s)
{
	const hw_target *t = ts->t;
	uint8_t pkt[PKT_TCP_SYN_LEN];
	struct sockaddr_storage to;
	pkt_ipaddr dst;
	struct timespec rt;
	size_t len, g = (size_t)(s - pr->slots);
	int fd = raw_fd(pr, t->family), err = 0;
	ssize_t rc;

	if (fd < 0) {
		local_error(pr, t, "no raw socket for this address family", EAFNOSUPPORT);
		finish(s, R_ERROR, 0, EAFNOSUPPORT);
		ts->sent--;
		return;
	}
	if (ts->src_err) {
		/* no route from here: like connect(), nothing leaves */
		if (pkt_errno_class(ts->src_err) != PKT_IC_NONE)
			unreachable(s, 0, ts->src_err, pkt_errno_class(ts->src_err));
		else {
			local_error(pr, t, "source address", ts->src_err);
			finish(s, R_ERROR, 0, ts->src_err);
			ts->sent--;
		}
		return;
	}
	memcpy(&to, &t->addr, t->addrlen);
	if (t->family == AF_INET) {
		((struct sockaddr_in *)&to)->sin_port = 0;
		dst.v4 = ((const struct sockaddr_in *)&t->addr)->sin_addr;
	} else {
		/* a raw IPv6 socket reads sin6_port as the protocol */
		((struct sockaddr_in6 *)&to)->sin6_port = 0;
		dst.v6 = ((const struct sockaddr_in6 *)&t->addr)->sin6_addr;
	}
	/* the slot in the low 24 bits finds the probe; 8 random bits tell
	 * this probe from the slot's earlier ones */
	s->seq = (hwc_rng_next(&pr->rng) & 0xff000000u) | (uint32_t)g;
	len = pkt_tcp_syn_build(pkt, sizeof pkt, t->family, &ts->route.src, &dst, pr->sport, t->port, s->seq,
	                       t->family == AF_INET ? 1460 : 1440);
	for (int attempt = 0; attempt < 2; attempt++) {
		clock_gettime(CLOCK_REALTIME, &rt);
		s->t0 = hw_mono();
		s->t0r = (double)rt.tv_sec + rt.tv_nsec / 1e9;
		rc = hwc_sendmsg(fd, pkt, len, (const struct sockaddr *)&to, t->addrlen, &ts->route, 0);
		if (rc >= 0)
			return;
		err = errno;
		if (pkt_errno_class(err) == PKT_IC_NONE)
			break;
		/* maybe an earlier probe's ICMP error, reported late: once more */
	}
	if (pkt_icmp_answer(pkt_errno_class(err)) == PKT_ANS_UNREACHABLE) {
		unreachable(s, 0, err, pkt_errno_class(err));
		return;
	}
	local_error(pr, t, "sendto", err);
	finish(s, R_ERROR, 0, err);
	ts->sent--;
}

/* The slot a reply acknowledging `seq`+1 (or quoting `seq`) belongs to,
 * if it is in flight to `family` address `from` port `port`; else NULL. */
static struct slot *match(struct probe *pr, uint32_t seq, int family, const pkt_ipaddr *from,
                          uint16_t port)
{
	size_t g = seq & 0xffffffu;
	struct slot *s;
	const hw_target *t;

	if (g >= pr->ntargets * (size_t)pr->o->count)
		return NULL;
	s = &pr->slots[g];
	if (!s->busy || s->seq != seq)
		return NULL;
	t = s->ts->t;
	if (t->family != family || t->port != port)
		return NULL;
	if (family == AF_INET ? memcmp(&((const struct sockaddr_in *)&t->addr)->sin_addr, &from->v4, 4)
	                      : memcmp(&((const struct sockaddr_in6 *)&t->addr)->sin6_addr, &from->v6, 16))
		return NULL;
	return s;
}

/* Bucket of (family, address, port) in pr->htab (FNV-1a). */
static size_t hbucket(const struct probe *pr, int family, const void *addr, uint16_t port)
{
	const uint8_t *a = addr;
	uint32_t h = 2166136261u;

	h = (h ^ (uint32_t)family) * 16777619u;
	for (size_t i = 0; i < (family == AF_INET ? 4u : 16u); i++)
		h = (h ^ a[i]) * 16777619u;
	h = (h ^ port) * 16777619u;
	return h & pr->hmask;
}

/* The address bytes of target t (4 or 16). */
static const void *taddr(const hw_target *t)
{
	return t->family == AF_INET ? (const void *)&((const struct sockaddr_in *)&t->addr)->sin_addr
	                            : (const void *)&((const struct sockaddr_in6 *)&t->addr)->sin6_addr;
}

/* syn mode: put ts in the hash of running rounds (its address of this round). */
static void hash_in(struct tstate *ts)
{
	struct probe *pr = ts->pr;
	size_t b = hbucket(pr, ts->t->family, taddr(ts->t), ts->t->port);

	ts->hnext = pr->htab[b];
	pr->htab[b] = ts;
	ts->hashed = 1;
}

/* syn mode: take ts out of the hash (its round ended). */
static void hash_out(struct tstate *ts)
{
	struct probe *pr = ts->pr;
	struct tstate **pp;

	if (!ts->hashed)
		return;
	for (pp = &pr->htab[hbucket(pr, ts->t->family, taddr(ts->t), ts->t->port)]; *pp; pp = &(*pp)->hnext)
		if (*pp == ts) {
			*pp = ts->hnext;
			break;
		}
	ts->hashed = 0;
}

/* A bare RST from `family` address `from` port `port` names no sequence
 * number: the oldest probe in flight to that address and port, of any
 * target whose round runs; NULL when there is none. */
static struct slot *match_unacked(struct probe *pr, int family, const pkt_ipaddr *from, uint16_t port)
{
	struct slot *best = NULL;

	for (struct tstate *ts = pr->htab[hbucket(pr, family, from, port)]; ts; ts = ts->hnext) {
		if (ts->t->family != family || ts->t->port != port ||
		    memcmp(taddr(ts->t), from, family == AF_INET ? 4 : 16))
			continue;
		for (int i = 0; i < ts->started; i++)
			if (ts->slot[i].busy && (!best || ts->slot[i].t0 < best->t0))
				best = &ts->slot[i];
	}
	return best;
}

/* The family of a received datagram or error: its msg_name's (the sender,
 * or for an error the probe's destination); 0 when there is none. */
static int rx_family(const hwc_rx *rx)
{
	const struct sockaddr *sa = rx->msg->msg_name;

	if (rx->msg->msg_namelen < sizeof(struct sockaddr_in))
		return 0;
	if (sa->sa_family == AF_INET6 && rx->msg->msg_namelen < sizeof(struct sockaddr_in6))
		return 0;
	return sa->sa_family;
}

/* One message of a raw socket's error queue: an ICMP error about a SYN
 * (hwc_rx_drain callback; `arg` is the probe). */
static void on_error(void *arg, const hwc_rx *rx)
{
	struct probe *pr = arg;
	int family = rx_family(rx);
	pkt_errq e;
	pkt_tcp_seg q;
	pkt_ipaddr dst;
	struct slot *s;

	if (pkt_errqueue_parse(rx->msg, &e) < 0 ||
	    (e.origin != SO_EE_ORIGIN_ICMP && e.origin != SO_EE_ORIGIN_ICMP6))
		return;
	/* too big / fragmentation needed: not about reachability */
	if (pkt_icmp_answer(e.cls) != PKT_ANS_UNREACHABLE)
		return;
	if (pkt_tcp_quote_parse(rx->buf, rx->len, &q) < 0 || q.sport != pr->sport)
		return;
	if (family == AF_INET)
		dst.v4 = ((const struct sockaddr_in *)rx->msg->msg_name)->sin_addr;
	else if (family == AF_INET6)
		dst.v6 = ((const struct sockaddr_in6 *)rx->msg->msg_name)->sin6_addr;
	else
		return;
	if (!(s = match(pr, q.seq, family, &dst, q.dport)))
		return;
	if (hw_log_enabled(HW_LOG_DEBUG)) {
		char who[INET6_ADDRSTRLEN] = "?";
		if (e.offender_family)
			inet_ntop(e.offender_family, &e.offender, who, sizeof who);
		HW_DEBUG(pr->ctx, "target %s:%u: ICMP type %u code %u (%s) from %s", s->ts->t->host,
		         s->ts->t->port, e.type, e.code, pkt_icmp_class_name(e.cls), who);
	}
	unreachable(s, hw_mono(), e.err ? e.err : pkt_icmp_class_errno(e.cls), e.cls);
	tick(s->ts);
}

/* One segment on a raw TCP socket (filtered to our port): a SYN/ACK or an
 * RST answering a SYN (hwc_rx_drain callback; `arg` is the probe). */
static void on_segment(void *arg, const hwc_rx *rx)
{
	struct probe *pr = arg;
	int family = rx_family(rx);
	struct timespec rt;
	pkt_tcp_seg seg;
	pkt_ipaddr src;
	struct slot *s;
	const pkt_tcp_row *a;
	double now = rx->rx_mono, rtt;

	if (!family || pkt_tcp_parse(rx->buf, rx->len, family, family == AF_INET, &seg) < 0 ||
	    seg.dport != pr->sport || !(a = pkt_tcp_answer(seg.flags)))
		return;
	if (family == AF_INET)
		src = seg.src;
	else
		src.v6 = ((const struct sockaddr_in6 *)rx->msg->msg_name)->sin6_addr;
	s = a->acked ? match(pr, seg.ack - 1, family, &src, seg.sport)
	             : match_unacked(pr, family, &src, seg.sport);
	if (!s)
		return;
	/* the kernel's receive time when there is one: the loop's own
	 * delays do not count then */
	if (pkt_rx_time(rx->msg, &rt) == 0) {
		rtt = (double)rt.tv_sec + rt.tv_nsec / 1e9 - s->t0r;
		if (rtt >= 0 && rtt <= now - s->t0 + 0.001)
			now = s->t0 + rtt;
	}
	finish(s, a->ans == PKT_ANS_OPEN ? R_OPEN : R_REFUSED, now, 0);
	tick(s->ts);
}

/* syn mode: a raw socket has replies (or errors) to read: the errors
 * first, then a bounded batch of segments. */
static void raw_cb(void *arg, int fd, int revents)
{
	(void)revents;
	hwc_rx_drain(fd, 1, RX_BUDGET, on_error, arg);
	hwc_rx_drain(fd, 0, RX_BUDGET, on_segment, arg);
}

/* Open a raw TCP socket of `family`; -1 when the family is not there. */
static int raw_open(struct probe *pr, int family, int *fatal)
{
	int fd = hw_raw_socket(pr->ctx, family, IPPROTO_TCP), one = 1;

	*fatal = 0;
	if (fd < 0) {
		if (errno == EPERM || errno == EACCES) {
			HW_ERROR(pr->ctx, "mode \"syn\" needs CAP_NET_RAW for a raw TCP socket (%s): "
			         "run hopwatchd as root or give it cap_net_raw, or use mode \"connect\"",
			         strerror(errno));
			*fatal = 1;
		} else if (errno != EAFNOSUPPORT) {
			HW_ERROR(pr->ctx, "raw TCP socket (%s): %s", family == AF_INET ? "IPv4" : "IPv6",
			         strerror(errno));
			*fatal = 1;
		}
		return -1;
	}
	if (family == AF_INET) {
		setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof one);
	} else {
		int off = 16;  /* the kernel fills the TCP checksum too */
		setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof one);
		setsockopt(fd, SOL_IPV6, IPV6_CHECKSUM, &off, sizeof off);
	}
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
	/* accept only segments to our port */
	if (hwc_filter_dport(fd, family, pr->sport) < 0)
		HW_WARN(pr->ctx, "socket filter: %s: every TCP segment will be read", strerror(errno));
	return fd;
}

static int syn_start(struct probe *pr)
{
	int fatal;

	hwc_rng_seed(&pr->rng);
	if ((pr->holder = hwc_hold_port(pr->ctx, SOCK_STREAM, &pr->sport)) < 0)
		return -1;
	pr->raw4 = raw_open(pr, AF_INET, &fatal);
	if (fatal)
		return -1;
	pr->raw6 = raw_open(pr, AF_INET6, &fatal);
	if (fatal)
		return -1;
	if (pr->raw4 < 0 && pr->raw6 < 0) {
		HW_ERROR(pr->ctx, "no raw TCP socket could be opened");
		return -1;
	}
	if ((pr->raw4 >= 0 && !(pr->io4 = hw_io_new(pr->ctx, pr->raw4, raw_cb, pr))) ||
	    (pr->raw6 >= 0 && !(pr->io6 = hw_io_new(pr->ctx, pr->raw6, raw_cb, pr)))) {
		HW_ERROR(pr->ctx, "out of memory");
		return -1;
	}
	if (pr->io4)
		hw_io_want(pr->io4, HW_READ);
	if (pr->io6)
		hw_io_want(pr->io6, HW_READ);
	HW_INFO(pr->ctx, "syn mode: source port %u (held by a bound socket)", pr->sport);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Instance                                                             */

static const char *validate(const void *opts, double interval, double timeout)
{
	const struct opts *o = opts;
	const char *why = hwc_round_fits(o->count, o->spacing, timeout, interval);

	if (why)
		return why;
	return NULL;
}

/* SYN retransmissions the kernel makes within `timeout`: it resends after
 * 1 s, then 2 s, 4 s, ... more (initial RTO 1 s); at least 1, the minimum. */
static int syncnt_for(double timeout)
{
	int n = 0;
	double at = 1;

	while (n < 127 && at < timeout) {
		n++;
		at = at * 2 + 1;
	}
	return n < 1 ? 1 : n;
}

static void stop(void *state)
{
	struct probe *pr = state;

	if (!pr)
		return;
	for (size_t i = 0; pr->slots && i < pr->ntargets * (size_t)pr->o->count; i++) {
		struct slot *s = &pr->slots[i];
		hw_io_free(s->io);
		if (s->fd >= 0)
			close(s->fd);
	}
	hw_io_free(pr->io4);
	hw_io_free(pr->io6);
	if (pr->raw4 >= 0)
		close(pr->raw4);
	if (pr->raw6 >= 0)
		close(pr->raw6);
	if (pr->holder >= 0)
		close(pr->holder);
	free(pr->slots);
	free(pr->htab);
	free(pr);
}

static int start(hw_ctx *ctx, const void *opts, void **state)
{
	struct probe *pr = calloc(1, sizeof *pr);
	hw_target *const *tv;
	size_t n;

	if (!pr) {
		HW_ERROR(ctx, "out of memory");
		return -1;
	}
	pr->ctx = ctx;
	pr->o = opts;
	pr->raw4 = pr->raw6 = pr->holder = -1;
	pr->timeout = hw_timeout(ctx);
	pr->syncnt = syncnt_for(pr->timeout);
	tv = hw_targets(ctx, &n);
	pr->ntargets = n;
	if (!(pr->slots = calloc(n * (size_t)pr->o->count, sizeof *pr->slots))) {
		HW_ERROR(ctx, "out of memory for %zu targets", n);
		stop(pr);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (tstate_bind(pr, tv[i]) < 0) {
			HW_ERROR(ctx, "out of memory");
			stop(pr);
			return -1;
		}
	if (pr->o->mode == MODE_SYN) {
		for (pr->hmask = 1; pr->hmask < 2 * n; pr->hmask <<= 1)
			;
		if (!(pr->htab = calloc(pr->hmask--, sizeof *pr->htab))) {
			HW_ERROR(ctx, "out of memory for %zu targets", n);
			stop(pr);
			return -1;
		}
	}
	if (pr->o->mode == MODE_SYN && syn_start(pr) < 0) {
		stop(pr);
		return -1;
	}
	HW_INFO(ctx, "tcp %s probes: %zu targets, %d per round %gs apart, timeout %gs",
	        modes[pr->o->mode], n, pr->o->count, pr->o->spacing, pr->timeout);
	*state = pr;
	return 0;
}

/* What the plugin sends (hw_metric_def; README "What is sent"). */
static const hw_metric_def metrics[] = {
	{ "tcp.rtt", HW_DISTRIBUTION, 1, "", "ms, SYN to SYN-ACK or RST, one value per answer in one line" },
	{ "tcp.rtt.min", HW_GAUGE, 1, "", "ms, lowest RTT of a round with 2 or more answers" },
	{ "tcp.rtt.avg", HW_GAUGE, 1, "", "ms, mean RTT of a round with 2 or more answers" },
	{ "tcp.rtt.max", HW_GAUGE, 1, "", "ms, highest RTT of a round with 2 or more answers" },
	{ "tcp.loss", HW_GAUGE, 1, "", "percent of the probes sent without an answer; rounds that sent" },
	{ "tcp.sent", HW_COUNT, 0, "", "probes sent in the round; every round" },
	{ "tcp.received", HW_COUNT, 0, "", "probes answered (SYN-ACK or RST); every round" },
	{ "tcp.results", HW_COUNT, 1, "result", "probes by result: open, refused, timeout, unreachable, error" },
	{ NULL, 0, 0, NULL, NULL },
};

HW_PLUGIN_EXPORT = {
	.abi = HW_PLUGIN_ABI,
	.size = sizeof(hw_plugin),
	.name = "tcp",
	.options = options,
	.options_size = sizeof(struct opts),
	.target_size = sizeof(struct tstate),
	.forget = forget,
	.port = HW_PORT_REQUIRED,
	.validate = validate,
	.start = start,
	.run = run,
	.readdress = NULL,
	.stop = stop,
	.check = "tcp.can_connect",
	.metrics = metrics,
};
