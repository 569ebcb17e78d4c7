/*
 * plugins/path/recv.c: reading the sockets and handing each packet to the
 * protocol's matcher (struct proto), then the engine (path_deliver).
 *
 * raw mode reads every ICMP message on a raw ICMP socket (and, for tcp,
 * the raw TCP socket, filtered on our port).  dgram mode reads IP_RECVERR /
 * IPV6_RECVERR messages from the error queue of its ping or UDP socket
 * (the kernel has matched the socket): the responder is SO_EE_OFFENDER,
 * the probe's destination the message's address, and the payload what the
 * router quoted of ours; then the socket's datagrams (echo replies).
 *
 * Time: RTT = the kernel's receive timestamp (SO_TIMESTAMPNS, on the error
 * queue too) minus CLOCK_REALTIME read just before the send; the monotonic
 * difference when the wall clock stepped (engine.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/errqueue.h>

#include "path.h"

/* What reads from a socket: the raw ICMP one, the raw protocol one (tcp),
 * or the dgram one (ping or UDP). */
enum { RD_ICMP, RD_RAW, RD_DGRAM };

/* Count or deliver what a matcher said. */
static void finish(struct inst *in, int rc, struct reply *r)
{
	if (rc == M_OK)
		path_deliver(in, r);
	else if (rc == M_BAD)
		in->unmatched++;
}

void path_on_icmp(struct inst *in, const uint8_t *buf, size_t len, struct reply *r)
{
	pkt_icmp m;
	int rc;

	if ((rc = pkt_icmp_parse(buf, len, r->family, r->family == AF_INET, &m)) < 0) {
		HW_DEBUG(in->ctx, "dropped a malformed ICMP packet of %zu bytes: %s", len, pkt_strerror(rc));
		in->unmatched++;
		return;
	}
	if (r->family == AF_INET)
		r->from = m.src;
	if ((m.kind == PKT_ICMP_TIME_EXCEEDED || m.kind == PKT_ICMP_UNREACH) && !m.quote.ok) {
		in->unmatched++;  /* an error quoting no usable header: nobody's */
		return;
	}
	finish(in, in->proto->match_icmp(in, &m, r), r);
}

void path_on_errq(struct inst *in, uint8_t type, uint8_t code, const pkt_ipaddr *dst, uint16_t port,
                  const uint8_t *buf, size_t len, struct reply *r)
{
	pkt_icmp_kind kind;

	if (r->family == AF_INET)
		kind = type == 11 ? PKT_ICMP_TIME_EXCEEDED : type == 3 ? PKT_ICMP_UNREACH : PKT_ICMP_OTHER;
	else
		kind = type == 3 ? PKT_ICMP_TIME_EXCEEDED : type == 1 ? PKT_ICMP_UNREACH : PKT_ICMP_OTHER;
	if (kind == PKT_ICMP_OTHER)
		return;  /* too big, parameter problem: not about the path */
	finish(in, in->proto->match_errq(in, kind, code, dst, port, buf, len, r), r);
}

void path_on_raw(struct inst *in, const uint8_t *buf, size_t len, struct reply *r)
{
	if (in->proto->match_raw)
		finish(in, in->proto->match_raw(in, buf, len, r), r);
}

void path_on_dgram(struct inst *in, const uint8_t *buf, size_t len, struct reply *r)
{
	if (in->proto->match_dgram)
		finish(in, in->proto->match_dgram(in, buf, len, r), r);
}

/* dgram mode: one message of the error queue of f's socket. */
static void on_errq(struct fam *f, const uint8_t *buf, size_t len, const struct msghdr *msg, struct reply *r)
{
	struct inst *in = f->in;
	const struct sock_extended_err *ee = NULL;
	pkt_ipaddr dst;

	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c))
		if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		    (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR))
			ee = (const struct sock_extended_err *)CMSG_DATA(c);
	if (!ee || (ee->ee_origin != SO_EE_ORIGIN_ICMP && ee->ee_origin != SO_EE_ORIGIN_ICMP6))
		return;  /* a local error: the failed send said it already */
	if (!path_sa_addr(msg->msg_name, msg->msg_namelen, f->family, &dst) ||
	    !path_sa_addr(SO_EE_OFFENDER(ee), sizeof(struct sockaddr_in6), f->family, &r->from)) {
		in->unmatched++;
		return;
	}
	path_on_errq(in, ee->ee_type, ee->ee_code, &dst,
	             ntohs(((const struct sockaddr_in *)msg->msg_name)->sin_port), /* same offset in v6 */
	             buf, len, r);
}

/* Read up to RX_BUDGET datagrams from fd (flags: MSG_ERRQUEUE or 0). */
static void drain_fd(struct fam *f, int fd, int what, int flags)
{
	struct inst *in = f->in;

	for (int i = 0; i < RX_BUDGET; i++) {
		uint8_t buf[RX_BUF], ctl[PKT_CMSG_SPACE];
		struct sockaddr_storage from;
		struct iovec iov = { buf, sizeof buf };
		struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov,
		                      .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl };
		struct timespec rx;
		struct reply r;
		ssize_t n = recvmsg(fd, &msg, flags | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (flags)
				return;
			continue;  /* a pending ICMP error reported here: it waits in the queue */
		}
		memset(&r, 0, sizeof r);
		r.family = f->family;
		r.rx_mono = hw_mono();
		if (pkt_rx_time(&msg, &rx) == 0)
			r.rx_real = path_ts_sec(&rx);
		if (msg.msg_flags & MSG_TRUNC) {
			in->unmatched++;
			continue;
		}
		path_sa_addr((struct sockaddr *)&from, msg.msg_namelen, f->family, &r.from);
		if (what == RD_ICMP)
			path_on_icmp(in, buf, (size_t)n, &r);
		else if (what == RD_RAW)
			path_on_raw(in, buf, (size_t)n, &r);
		else if (flags)
			on_errq(f, buf, (size_t)n, &msg, &r);
		else
			path_on_dgram(in, buf, (size_t)n, &r);
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
	if (!in->proto->raw_ipproto) {
		drain_fd(f, f->fd, RD_ICMP, 0);  /* the raw ICMP socket sends and receives */
		return;
	}
	if (in->proto->match_raw)
		drain_fd(f, f->fd, RD_RAW, 0);
	if (f->rfd >= 0)
		drain_fd(f, f->rfd, RD_ICMP, 0);
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
