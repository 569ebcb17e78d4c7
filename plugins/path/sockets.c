/*
 * plugins/path/sockets.c: the path plugin's socket layer (struct path_io:
 * prepare, send, drain) and opening the sockets of each mode, per instance
 * and family, not per target:
 *   icmp dgram  one ping socket (SOCK_DGRAM, IPPROTO_ICMP[V6]): needs the
 *               group in net.ipv4.ping_group_range, no capability;
 *   icmp raw    one raw ICMP socket: sends and receives;
 *   udp dgram   one UDP socket; no privilege at all;
 *   udp raw     a raw UDP socket to send (it reads nothing: a drop-all
 *               filter), a raw ICMP socket to receive, a bound UDP socket
 *               holding the source port;
 *   tcp raw     a raw TCP socket (SYN out, SYN/ACK or RST in, filtered on
 *               our port), a raw ICMP socket, a bound TCP socket holding
 *               the port.  tcp has no unprivileged mode (a connect() per
 *               probe needs a source port per probe: not one flow).
 *   mode auto: icmp takes ping sockets when allowed, else raw; udp and
 *   tcp take raw when CAP_NET_RAW allows, else (udp) dgram.  The log says
 *   which.  The TTL of each probe travels as IP_TTL / IPV6_HOPLIMIT
 *   control data of its sendmsg, so one socket serves every TTL.
 *
 * Reading: raw sockets, and for dgram the IP_RECVERR / IPV6_RECVERR error
 * queue first, then the datagrams; each packet goes to recv.c's path_on_*.
 * Receive times are the kernel's (SO_TIMESTAMPNS, on the error queue too).
 *
 * The helpers duplicated with plugins/icmp.c and plugins/tcp.c live here
 * together (source_for, hold_port, icmp_errno, rnd, take_token, ping_range,
 * the BPF filters, the error queue read loop): plugins/common's versions
 * replace them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "path.h"

/* Not in every libc's headers: <linux/icmp.h> (raw IPv4 receive filter). */
#define RAW_SOL 255          /* SOL_RAW */
#define RAW_ICMP_FILTER 1    /* ICMP_FILTER: bit set = type blocked */

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

uint32_t path_rnd(struct inst *in)
{
	uint32_t x = in->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return in->rng = x;
}

void path_seed(struct inst *in)
{
	if (getrandom(&in->rng, sizeof in->rng, GRND_NONBLOCK) != sizeof in->rng || !in->rng)
		in->rng = (uint32_t)(hw_mono() * 1e9) ^ (uint32_t)getpid() ^ 1;
}

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

/* Whether an errno of sendmsg is one an ICMP error leaves behind on a
 * socket with IP_RECVERR: reported once, by the next call. */
static int icmp_errno(int err)
{
	return err == EHOSTUNREACH || err == ENETUNREACH || err == ECONNREFUSED || err == EHOSTDOWN ||
	       err == ENONET || err == EPROTO || err == EACCES || err == EPERM || err == EMSGSIZE;
}

/* Take a pacing token at `now`; else 0 and *wait seconds until one. */
int path_take_token(struct inst *in, double now, double *wait)
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
	if (!err && !path_sa_addr((struct sockaddr *)&ss, len, t->family, src))
		err = EAFNOSUPPORT;
	return err;
}

/* ------------------------------------------------------------------ */
/* Reading: raw sockets and the error queue (the packets go to recv.c)  */

/* What reads from a socket: the raw ICMP one, the raw protocol one (tcp),
 * or the dgram one (ping or UDP). */
enum { RD_ICMP, RD_RAW, RD_DGRAM };

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

/* ------------------------------------------------------------------ */
/* The socket layer the engine sees                                     */

static int sock_prepare(struct tstate *ts)
{
	struct inst *in = ts->in;

	if (!path_fam_of(in, ts->family))
		return EAFNOSUPPORT;
	if (in->raw && in->proto->raw_ipproto)
		return source_for(in, ts->t, &ts->src);
	return 0;
}

static int sock_send(struct tstate *ts, unsigned ttl, unsigned q)
{
	struct inst *in = ts->in;
	struct fam *f = path_fam_of(in, ts->family);
	struct pinfo *p = &ts->p[(ttl - 1) * (unsigned)in->o->queries + q];
	size_t skip = in->raw ? 0 : in->proto->dgram_skip, len;
	struct sockaddr_storage to;
	union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } cbuf;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *c;
	int hops = (int)ttl, err = 0;

	if (!f)
		return EAFNOSUPPORT;
	if (!(len = in->proto->build(ts, ttl, q, in->tx, TX_BUF)) || len < skip)
		return EINVAL;
	memcpy(&to, &ts->t->addr, ts->t->addrlen);
	/* raw sockets: a raw IPv6 socket reads sin6_port as the protocol;
	 * same offset in v4 and v6 */
	((struct sockaddr_in *)&to)->sin_port = in->raw ? 0 : htons(ts->dport);
	iov = (struct iovec){ in->tx + skip, len - skip };
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

const struct path_io path_sock_io = {
	.prepare = sock_prepare,
	.send = sock_send,
	.drain = path_drain_all,
};

/* ------------------------------------------------------------------ */
/* Opening sockets                                                      */

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
	if (in->proto->raw_ipproto == IPPROTO_UDP) {
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
			       fam, in->proto->name, strerror(rerr),
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
