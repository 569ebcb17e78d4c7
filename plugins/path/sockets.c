/*
 * plugins/path/sockets.c: the path plugin's socket layer (struct path_io:
 * prepare, send, drain) and opening the sockets of each mode, per instance
 * and family, not per target:
 *   icmp dgram  one ping socket (SOCK_DGRAM, IPPROTO_ICMP[V6]): needs the
 *               group in net.ipv4.ping_group_range, no capability;
 *   icmp raw    one raw ICMP socket: sends and receives;
 *   udp dgram   one UDP socket per destination and port, connected to
 *               it, all from one source port (SO_REUSEADDR): the kernel
 *               hands a connected socket the ICMP errors quoting its own
 *               flow, on its error queue, and a connected socket is no
 *               listener (issue 15: ss -l lists none); the socket that
 *               took the port is connected to itself over loopback
 *               (hwc_udp_quiet); every one drops every datagram (a
 *               drop-all filter; the error queue does not pass filters);
 *               no privilege at all;
 *   udp raw     a raw UDP socket to send (it reads nothing: a drop-all
 *               filter), a raw ICMP socket to receive, a UDP socket
 *               holding the source port (hwc_hold_port: receives nothing,
 *               not listening);
 *   tcp raw     a raw TCP socket (SYN out, SYN/ACK or RST in, filtered on
 *               our port), a raw ICMP socket, a bound TCP socket holding
 *               the port (never listening).  tcp has no unprivileged mode (a connect() per
 *               probe needs a source port per probe: not one flow).
 *   mode auto: icmp takes ping sockets when allowed, else raw; udp and
 *   tcp take raw when CAP_NET_RAW allows, else (udp) dgram.  The log says
 *   which.  The TTL of each probe travels as IP_TTL / IPV6_HOPLIMIT
 *   control data of its sendmsg, so one socket serves every TTL.
 *
 * Source address (raw udp/tcp): the UDP/TCP checksum covers it, so before
 * each trace the kernel is asked for the route of exactly the trace's flow
 * (protocol, source port, destination and port: hwc_route_flow), and every
 * probe pins that source address and device (hwc_sendmsg), so the checksum
 * is right behind a multipath route hashed on L4 too (field case
 * ecmp-raw-checksum).
 *
 * Reading: raw sockets, and for dgram the IP_RECVERR / IPV6_RECVERR error
 * queue first, then the datagrams (hwc_rx_drain, pkt_errqueue_parse); each
 * packet goes to recv.c's path_on_*.  Receive times are the kernel's
 * (SO_TIMESTAMPNS, on the error queue too).  What the probe plugins share
 * (opening, filters, port holding, the receive loop) is plugins/common's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "path.h"
#include "route.h"
#include "rx.h"
#include "sock.h"

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

int path_sa_addr(const struct sockaddr *sa, socklen_t len, int family, pkt_ipaddr *a)
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

double path_ts_sec(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

static double real_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return path_ts_sec(&ts);
}

struct fam *path_fam_of(struct inst *in, int family)
{
	struct fam *f = family == AF_INET ? &in->f4 : family == AF_INET6 ? &in->f6 : NULL;
	return f && f->fd >= 0 ? f : NULL;
}

/* ------------------------------------------------------------------ */
/* Reading: raw sockets and the error queue (the packets go to recv.c)  */

/* A reply of family f as read: receive times and sender filled in.
 * Returns 0 when the datagram was truncated: counted as unmatched when
 * the socket receives only our traffic (`own`: ping and UDP sockets, error
 * queues), ignored on a raw socket, where it is another program's (ours
 * always fit the buffer). */
static int rx_reply(struct fam *f, const hwc_rx *rx, struct reply *r, int own)
{
	struct timespec ts;

	memset(r, 0, sizeof *r);
	r->family = f->family;
	r->rx_mono = rx->rx_mono;
	if (pkt_rx_time(rx->msg, &ts) == 0)
		r->rx_real = path_ts_sec(&ts);
	if (rx->truncated) {
		if (own)
			f->in->unmatched++;
		return 0;
	}
	path_sa_addr(rx->msg->msg_name, rx->msg->msg_namelen, f->family, &r->from);
	return 1;
}

/* What one drain hands each packet to: recv.c's path_on_icmp (raw ICMP
 * socket), path_on_raw (tcp's raw socket) or path_on_dgram (ping or UDP
 * socket). */
struct reader {
	struct fam *f;           /* the family read */
	void (*on)(struct inst *in, const uint8_t *buf, size_t len, struct reply *r);
};

/* A packet (hwc_rx_drain callback; `arg` is a struct reader). */
static void on_packet(void *arg, const hwc_rx *rx)
{
	const struct reader *rd = arg;
	struct reply r;

	if (rx_reply(rd->f, rx, &r, rd->on == path_on_dgram))
		rd->on(rd->f->in, rx->buf, rx->len, &r);
}

/* udp dgram: the socket connected to one (destination, port). */
struct dconn {
	struct fam *f;           /* the family it belongs to */
	pkt_ipaddr dst;          /* the destination */
	uint16_t dport;          /* its port */
	int fd;                  /* connected UDP socket (hwc_udp_connected) */
	hw_io *io;               /* its read watch (the error queue) */
	double sent;             /* hw_mono() of its last send: drained while replies may come */
};

/* Connected sockets kept per family; beyond, the one unused longest is
 * closed for a new destination (a trace of it may lose late replies). */
#define DCONN_MAX 4096
/* Receive buffer of each connected socket: the error queue of one
 * target's trace (max_ttl * queries errors at most) fits. */
#define DCONN_RCVBUF (256 << 10)

/* Read up to RX_BUDGET packets of fd, each to `on`. */
static void drain_fd(struct fam *f, int fd, void (*on)(struct inst *, const uint8_t *, size_t, struct reply *))
{
	struct reader rd = { f, on };

	hwc_rx_drain(fd, 0, RX_BUDGET, on_packet, &rd);
}

/* dgram mode: one message of the error queue of f's socket: the responder
 * is SO_EE_OFFENDER, the probe's destination and port the message's
 * address, the payload what the router quoted of ours. */
static void on_errq(void *arg, const hwc_rx *rx)
{
	struct fam *f = arg;
	struct inst *in = f->in;
	const struct msghdr *msg = rx->msg;
	struct reply r;
	pkt_errq e;
	pkt_ipaddr dst;

	if (!rx_reply(f, rx, &r, 1))
		return;
	if (pkt_errqueue_parse(msg, &e) < 0 || (e.origin != SO_EE_ORIGIN_ICMP && e.origin != SO_EE_ORIGIN_ICMP6))
		return;  /* a local error: the failed send said it already */
	if (!path_sa_addr(msg->msg_name, msg->msg_namelen, f->family, &dst) || e.offender_family != f->family) {
		in->unmatched++;
		return;
	}
	r.from = e.offender;
	path_on_errq(in, e.type, e.code, &dst,
	             ntohs(((const struct sockaddr_in *)msg->msg_name)->sin_port), /* same offset in v6 */
	             rx->buf, rx->len, &r);
}

/* The error queue of one connected udp dgram socket (its datagrams
 * are dropped by its filter). */
static void dconn_drain(struct dconn *d)
{
	hwc_rx_drain(d->fd, 1, RX_BUDGET, on_errq, d->f);
}

static void dconn_readable_cb(void *arg, int fd, int revents)
{
	(void)fd;
	(void)revents;
	dconn_drain(arg);
}

static void drain_fam(struct fam *f)
{
	struct inst *in = f->in;

	if (f->fd < 0)
		return;
	if (!in->raw) {
		/* udp: only the sockets a probe may still be answered on */
		double since = hw_mono() - in->timeout - 1;
		for (unsigned i = 0; i < f->ndc; i++)
			if (f->dc[i]->sent >= since)
				dconn_drain(f->dc[i]);
		hwc_rx_drain(f->fd, 1, RX_BUDGET, on_errq, f);
		drain_fd(f, f->fd, path_on_dgram);
		return;
	}
	if (!in->proto->raw_ipproto) {
		drain_fd(f, f->fd, path_on_icmp);  /* the raw ICMP socket sends and receives */
		return;
	}
	if (in->proto->match_raw)
		drain_fd(f, f->fd, path_on_raw);
	if (f->rfd >= 0)
		drain_fd(f, f->rfd, path_on_icmp);
}

void path_drain_all(struct inst *in)
{
	drain_fam(&in->f4);
	drain_fam(&in->f6);
}

void path_readable_cb(void *arg, int fd, int revents)
{
	(void)fd;
	(void)revents;
	drain_fam(arg);
}

/* ------------------------------------------------------------------ */
/* The socket layer the engine sees                                     */

/* The connected socket of ts's (destination, port), opened when new;
 * NULL and errno when it cannot be. */
static struct dconn *dconn_of(struct tstate *ts, struct fam *f)
{
	struct inst *in = ts->in;
	size_t alen = ts->family == AF_INET ? sizeof ts->dst.v4 : sizeof ts->dst.v6;
	struct sockaddr_storage to;
	struct dconn *d;
	unsigned i = ts->dconn - 1, old = 0;

	if (ts->dconn && i < f->ndc && f->dc[i]->dport == ts->dport && !memcmp(&f->dc[i]->dst, &ts->dst, alen))
		return f->dc[i];
	for (i = 0; i < f->ndc; i++) {
		if (f->dc[i]->dport == ts->dport && !memcmp(&f->dc[i]->dst, &ts->dst, alen)) {
			ts->dconn = i + 1;
			return f->dc[i];
		}
		if (f->dc[i]->sent < f->dc[old]->sent)
			old = i;
	}
	memcpy(&to, &ts->t->addr, ts->t->addrlen);
	((struct sockaddr_in *)&to)->sin_port = htons(ts->dport);  /* same offset in v6 */
	int fd = hwc_udp_connected(f->family, in->o->source, f->sport, (struct sockaddr *)&to, ts->t->addrlen,
	                           DCONN_RCVBUF);
	if (fd < 0)
		return NULL;
	if (f->ndc == DCONN_MAX) {
		d = f->dc[old];  /* reuse the one unused longest */
		hw_io_free(d->io);
		close(d->fd);
		i = old;
	} else {
		struct dconn **dc = realloc(f->dc, (f->ndc + 1) * sizeof *dc);
		if (!dc || !(d = calloc(1, sizeof *d))) {
			if (dc)
				f->dc = dc;
			close(fd);
			errno = ENOMEM;
			return NULL;
		}
		f->dc = dc;
		i = f->ndc++;
		f->dc[i] = d;
	}
	*d = (struct dconn){ .f = f, .dst = ts->dst, .dport = ts->dport, .fd = fd, .sent = hw_mono() };
	if (!(d->io = hw_io_new(in->ctx, fd, dconn_readable_cb, d))) {
		close(fd);
		d->fd = -1;
		d->sent = -1e9;
		d->dport = 0;  /* matches no trace (ports start at 1) */
		errno = ENOMEM;
		return NULL;
	}
	hw_io_want(d->io, HW_READ);
	ts->dconn = i + 1;
	return d;
}

/* Close the connected sockets of f. */
static void dconn_close_all(struct fam *f)
{
	for (unsigned i = 0; i < f->ndc; i++) {
		hw_io_free(f->dc[i]->io);
		if (f->dc[i]->fd >= 0)
			close(f->dc[i]->fd);
		free(f->dc[i]);
	}
	free(f->dc);
	f->dc = NULL;
	f->ndc = 0;
}

static int sock_prepare(struct tstate *ts)
{
	struct inst *in = ts->in;
	struct fam *f = path_fam_of(in, ts->family);
	pkt_ipaddr src;
	int have_src;

	memset(&ts->route, 0, sizeof ts->route);
	if (!f)
		return EAFNOSUPPORT;
	if (!in->raw && in->proto->raw_ipproto == IPPROTO_UDP)
		return dconn_of(ts, f) ? 0 : errno;
	if (!in->raw || !in->proto->raw_ipproto)
		return 0;  /* the kernel writes what depends on the source address */
	/* the source of exactly this flow, as the bound socket (if any) has it */
	have_src = in->o->source && inet_pton(ts->family, in->o->source, &src) == 1;
	return hwc_route_flow(ts->family, &ts->dst, have_src ? &src : NULL, (uint8_t)in->proto->raw_ipproto,
	                      f->sport, ts->dport, &ts->route);
}

static int sock_send(struct tstate *ts, unsigned ttl, unsigned q)
{
	struct inst *in = ts->in;
	struct fam *f = path_fam_of(in, ts->family);
	struct pinfo *p = &ts->p[(ttl - 1) * (unsigned)in->o->queries + q];
	size_t skip = in->raw ? 0 : in->proto->dgram_skip, len;
	struct sockaddr_storage to;
	struct dconn *d = NULL;
	int err = 0, fd;

	if (!f)
		return EAFNOSUPPORT;
	if (!in->raw && in->proto->raw_ipproto == IPPROTO_UDP && !(d = dconn_of(ts, f)))
		return errno;
	fd = d ? d->fd : f->fd;
	if (!(len = in->proto->build(ts, ttl, q, in->tx, TX_BUF)) || len < skip)
		return EINVAL;
	memcpy(&to, &ts->t->addr, ts->t->addrlen);
	/* raw sockets: a raw IPv6 socket reads sin6_port as the protocol;
	 * same offset in v4 and v6 */
	((struct sockaddr_in *)&to)->sin_port = in->raw ? 0 : htons(ts->dport);
	for (int attempt = 0; attempt < SEND_TRIES; attempt++) {
		p->tx_real = real_now();
		p->tx_mono = hw_mono();
		if (hwc_sendmsg(fd, in->tx + skip, len - skip, (const struct sockaddr *)&to, ts->t->addrlen,
		                in->raw ? &ts->route : NULL, (int)ttl) >= 0) {
			if (d)
				d->sent = p->tx_mono;
			return 0;
		}
		err = errno;
		/* an earlier probe's ICMP error, reported by this call: again */
		if (pkt_errno_class(err) == PKT_IC_NONE && err != EINTR)
			break;
	}
	return err;
}

const struct path_io path_sock_io = {
	.prepare = sock_prepare,
	.send = sock_send,
	.drain = path_drain_all,
};

/* ------------------------------------------------------------------ */
/* Opening sockets                                                      */

/* A raw ICMP socket of `family` passing echo replies and the errors we
 * read; -1 and errno when it cannot be opened. */
static int raw_icmp_open(struct inst *in, int family)
{
	int fd = hw_raw_socket(in->ctx, family, family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);

	if (fd < 0)
		return -1;
	/* v4: echo reply (0), unreachable (3), time exceeded (11) */
	if (hwc_icmp_filter(fd, family, 1u << 0 | 1u << 3 | 1u << 11,
	                    HWC_PASS6_ECHO_REPLY | HWC_PASS6_UNREACH | HWC_PASS6_TIME_EXCEEDED) < 0)
		HW_WARN(in->ctx, "%s: ICMP filter: %s", hwc_family_name(family), strerror(errno));
	hwc_rx_opts(fd, RCVBUF);
	return fd;
}

/* Open the raw sockets of family f for the instance's protocol.  Returns
 * 0, or an errno (nothing left open). */
static int raw_open(struct fam *f)
{
	struct inst *in = f->in;
	int family = f->family, err;

	if (!in->proto->raw_ipproto) {
		if ((f->fd = raw_icmp_open(in, family)) < 0)
			return errno;
		return 0;
	}
	f->fd = hw_raw_socket(in->ctx, family, in->proto->raw_ipproto);
	if (f->fd < 0)
		return errno;
	if ((f->rfd = raw_icmp_open(in, family)) < 0) {
		err = errno;
		close(f->fd);
		f->fd = -1;
		return err;
	}
	/* udp: sends only (it would get a copy of every UDP datagram); tcp:
	 * only segments to our port */
	if (in->proto->raw_ipproto == IPPROTO_UDP ? hwc_filter_none(f->fd) < 0
	                                         : hwc_filter_dport(f->fd, family, f->sport) < 0)
		HW_WARN(in->ctx, "%s: socket filter: %s", hwc_family_name(family), strerror(errno));
	if (in->proto->raw_ipproto == IPPROTO_TCP)
		hwc_rx_opts(f->fd, RCVBUF);
	if (family == AF_INET6 && in->proto->raw_ipproto == IPPROTO_TCP) {
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
	               in->proto->raw_ipproto == IPPROTO_UDP ? IPPROTO_UDP
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
	/* udp: this socket takes the source port, which the connected socket
	 * of each destination then shares (SO_REUSEADDR on every one); it
	 * receives nothing (hwc_udp_quiet, after the bind) */
	if (in->proto->raw_ipproto == IPPROTO_UDP && setsockopt(f->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on))
		HW_WARN(in->ctx, "%s: SO_REUSEADDR: %s", hwc_family_name(family), strerror(errno));
	hwc_rx_opts(f->fd, RCVBUF);
	return 0;
}

static void fam_close(struct fam *f)
{
	dconn_close_all(f);
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
	const char *fam = hwc_family_name(f->family);
	int lvl = need ? HW_LOG_ERR : HW_LOG_WARNING, derr = 0, rerr = 0;
	int try_raw, try_dgram;
	char what[64];

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
			hwc_log_ping_refused(in->ctx, lvl, f->family, derr, try_raw ? "" : ", or set mode = \"raw\"");
		else if (try_dgram)
			hw_log(in->ctx, lvl, "%s: cannot open a UDP socket with IP_RECVERR: %s", fam, strerror(derr));
		snprintf(what, sizeof what, "raw %s and ICMP sockets", in->proto->name);
		if (try_raw)
			hwc_log_raw_refused(in->ctx, lvl, f->family, what, rerr,
			                    o->protocol == P_TCP ? " (protocol tcp has no unprivileged mode)"
			                    : try_dgram ? "" : ", or set mode = \"dgram\"");
		return -1;
	}
	*decided = 1;
	if (!in->raw) {
		if (hwc_bind_source(in->ctx, f->fd, f->family, o->source, 1) < 0)
			return -1;
		f->sport = hwc_local_port(f->fd);  /* UDP source port / ping identifier */
		if (in->proto->raw_ipproto == IPPROTO_UDP && hwc_udp_quiet(f->fd, f->sport) < 0)
			HW_WARN(in->ctx, "%s: the socket holding UDP port %u cannot connect to itself over loopback "
			        "(%s): it stays unconnected, listed as listening, but drops everything it is sent",
			        fam, (unsigned)f->sport, strerror(errno));
	} else if (hwc_bind_source(in->ctx, f->fd, f->family, o->source, 0) < 0) {
		return -1;
	}
	if (!(f->io = hw_io_new(in->ctx, f->fd, path_readable_cb, f)) ||
	    (f->rfd >= 0 && !(f->rio = hw_io_new(in->ctx, f->rfd, path_readable_cb, f)))) {
		HW_ERROR(in->ctx, "out of memory");
		return -1;
	}
	if (in->raw && in->proto->raw_ipproto && !in->proto->match_raw)
		hw_io_want(f->io, 0);  /* the send socket reads nothing */
	else
		hw_io_want(f->io, HW_READ);
	if (f->rio)
		hw_io_want(f->rio, HW_READ);
	return 0;
}


int path_sockets_open(struct inst *in)
{
	const struct opts *o = in->o;
	int has4 = 0, has6 = 0, named = 0, decided = 0, rc = 0;
	hw_target *const *tv;
	size_t n;

	tv = hw_targets(in->ctx, &n);
	for (size_t i = 0; i < n; i++) {
		if (tv[i]->family == AF_INET)
			has4 = 1;
		else if (tv[i]->family == AF_INET6)
			has6 = 1;
		else
			named = 1;
	}
	if (n && (o->protocol == P_TCP || (o->protocol == P_UDP && o->mode != MODE_DGRAM))) {
		/* the source port is needed before the TCP filter is made; a
		 * dgram fallback of udp binds its own sockets instead */
		uint16_t port;
		if ((in->holder = hwc_hold_port(in->ctx, o->protocol == P_TCP ? SOCK_STREAM : SOCK_DGRAM,
		                                &port)) < 0)
			return -1;
		in->f4.sport = in->f6.sport = port;
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
	if (rc < 0 || (in->f4.fd < 0 && in->f6.fd < 0 && n))
		return -1;
	if (!in->raw && in->holder >= 0) {
		close(in->holder);  /* udp fell back to dgram: its own sockets hold their ports */
		in->holder = -1;
	}
	return 0;
}

void path_sockets_close(struct inst *in)
{
	fam_close(&in->f4);
	fam_close(&in->f6);
	if (in->holder >= 0)
		close(in->holder);
	in->holder = -1;
}
