/*
 * icmpforge: answers hopwatch's echo requests with forged replies, for the
 * icmp plugin's tests.  Run it as root inside a test namespace where the
 * kernel does not answer pings itself (net.ipv4.icmp_echo_ignore_all=1,
 * net.ipv6.icmp.echo_ignore_all=1).
 *
 *   icmpforge [-4] [-6] [-n COUNT] [-t SECONDS] [-r READYFILE]
 *             [-s SPOOF4] [-S SPOOF6] [-L MS] [-g]
 *
 * It reads echo requests on raw sockets and, for each of the first COUNT
 * requests of a family that carry a payload of at least 24 bytes (cookie,
 * serial, time: the icmp plugin's layout), sends to its sender, in order:
 *
 *   cookie  the right reply with the cookie's first byte flipped
 *   seq     the right payload under another sequence number
 *   future  a serial never sent (payload serial and sequence + 1000000)
 *   short   the right header with the payload cut to 12 bytes
 *   id      another ICMP identifier (a ping socket never sees it)
 *   csum    (IPv4) a bad checksum (a ping socket never sees it)
 *   tiny    (IPv4) a 4-byte ICMP message (a ping socket never sees it)
 *   spoof   the right reply, but from SPOOF4/SPOOF6 (when given)
 *   good    the right reply: the request's id, sequence and payload
 *   dup     the right reply once more
 *
 * -g sends only good and dup; -L MS delays good and dup by MS
 * milliseconds (to make them late).  At exit it prints one line per family:
 * "v4 requests N cookie N seq N ..." with how many of each it sent.
 * Exit: 0 done (COUNT requests of every family answered, or -t passed),
 * 1 system error, 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD_MIN 24       /* cookie 8, serial 8, time 8 */
#define PENDING_MAX 4096     /* delayed replies held at once */

enum { V_COOKIE, V_SEQ, V_FUTURE, V_SHORT, V_ID, V_CSUM, V_TINY, V_SPOOF, V_GOOD, V_DUP, V_N };
static const char *const vname[V_N] = {
	"cookie", "seq", "future", "short", "id", "csum", "tiny", "spoof", "good", "dup",
};

/* One family's sockets and counts. */
struct fam {
	int family;              /* AF_INET or AF_INET6 */
	int fd;                  /* raw socket reading requests and sending replies; -1: off */
	int spoof_fd;            /* raw socket bound to the spoof address; -1: none */
	unsigned requests;       /* requests answered */
	unsigned sent[V_N];      /* replies sent, by variant */
};

/* A reply held back by -L. */
struct pending {
	double when;             /* monotonic seconds to send at */
	struct fam *f;           /* its family */
	struct sockaddr_storage to;
	socklen_t tolen;
	unsigned char pkt[1500];
	size_t len;
	int variant;
};

static struct pending pend[PENDING_MAX];
static size_t npend;

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint16_t csum(const unsigned char *p, size_t n)
{
	uint32_t s = 0;
	for (; n >= 2; p += 2, n -= 2)
		s += (uint32_t)(p[0] << 8 | p[1]);
	if (n)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Set the ICMPv4 checksum; ICMPv6 ones the kernel fills in. */
static void fix_sum(struct fam *f, unsigned char *p, size_t n)
{
	if (f->family != AF_INET || n < 4)
		return;
	p[2] = p[3] = 0;
	uint16_t c = csum(p, n);
	p[2] = (unsigned char)(c >> 8);
	p[3] = (unsigned char)c;
}

static void send_one(struct fam *f, int fd, const struct sockaddr_storage *to, socklen_t tolen,
                     const unsigned char *p, size_t n, int variant)
{
	if (sendto(fd, p, n, 0, (const struct sockaddr *)to, tolen) < 0)
		fprintf(stderr, "icmpforge: sending %s: %s\n", vname[variant], strerror(errno));
	else
		f->sent[variant]++;
}

static void hold(struct fam *f, const struct sockaddr_storage *to, socklen_t tolen,
                 const unsigned char *p, size_t n, int variant, double delay)
{
	if (npend == PENDING_MAX || n > sizeof pend[0].pkt)
		return;
	struct pending *q = &pend[npend++];
	q->when = mono() + delay;
	q->f = f;
	q->to = *to;
	q->tolen = tolen;
	memcpy(q->pkt, p, n);
	q->len = n;
	q->variant = variant;
}

/* Answer the echo request `req` (ICMP message, n bytes) from `from`. */
static void answer(struct fam *f, const unsigned char *req, size_t n,
                   const struct sockaddr_storage *from, socklen_t fromlen, int good_only, double delay)
{
	unsigned char r[1500], x[1500];
	uint16_t seq;
	uint64_t serial = 0;

	if (n > sizeof r)
		return;
	memcpy(r, req, n);
	r[0] = f->family == AF_INET ? 0 : 129;  /* echo reply */
	r[1] = 0;
	fix_sum(f, r, n);
	seq = (uint16_t)(r[6] << 8 | r[7]);
	for (int i = 0; i < 8; i++)
		serial = serial << 8 | r[8 + 8 + i];
	f->requests++;

	if (!good_only) {
		memcpy(x, r, n);                             /* cookie */
		x[8] ^= 0xff;
		fix_sum(f, x, n);
		send_one(f, f->fd, from, fromlen, x, n, V_COOKIE);

		memcpy(x, r, n);                             /* seq */
		x[6] ^= 0x80;
		fix_sum(f, x, n);
		send_one(f, f->fd, from, fromlen, x, n, V_SEQ);

		memcpy(x, r, n);                             /* future */
		{
			uint64_t s = serial + 1000000;
			for (int i = 7; i >= 0; i--, s >>= 8)
				x[16 + i] = (unsigned char)s;
			s = serial + 1000000;
			x[6] = (unsigned char)(s >> 8);
			x[7] = (unsigned char)s;
		}
		fix_sum(f, x, n);
		send_one(f, f->fd, from, fromlen, x, n, V_FUTURE);

		memcpy(x, r, 8 + 12);                        /* short */
		fix_sum(f, x, 8 + 12);
		send_one(f, f->fd, from, fromlen, x, 8 + 12, V_SHORT);

		memcpy(x, r, n);                             /* id */
		x[5] ^= 1;
		fix_sum(f, x, n);
		send_one(f, f->fd, from, fromlen, x, n, V_ID);

		if (f->family == AF_INET) {
			memcpy(x, r, n);                     /* csum */
			x[2] ^= 0x5a;
			send_one(f, f->fd, from, fromlen, x, n, V_CSUM);

			memcpy(x, r, 4);                     /* tiny */
			fix_sum(f, x, 4);
			send_one(f, f->fd, from, fromlen, x, 4, V_TINY);
		}
		if (f->spoof_fd >= 0)
			send_one(f, f->spoof_fd, from, fromlen, r, n, V_SPOOF);
	}
	(void)seq;
	if (delay > 0) {
		hold(f, from, fromlen, r, n, V_GOOD, delay);
		hold(f, from, fromlen, r, n, V_DUP, delay);
	} else {
		send_one(f, f->fd, from, fromlen, r, n, V_GOOD);
		send_one(f, f->fd, from, fromlen, r, n, V_DUP);
	}
}

/* Read one packet from f->fd and answer it when it is a request. */
static void on_readable(struct fam *f, unsigned max, int good_only, double delay)
{
	unsigned char buf[2048];
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof from;
	ssize_t n = recvfrom(f->fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);
	const unsigned char *m = buf;
	size_t len;

	if (n <= 0)
		return;
	len = (size_t)n;
	if (f->family == AF_INET) {
		size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
		if (len < ihl + 8)
			return;
		m += ihl;
		len -= ihl;
		if (m[0] != 8)
			return;
	} else if (len < 8 || m[0] != 128) {
		return;
	}
	if (len < 8 + PAYLOAD_MIN || f->requests >= max)
		return;
	answer(f, m, len, &from, fromlen, good_only, delay);
}

static int open_raw(int family, const char *spoof)
{
	int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);

	if (fd < 0) {
		fprintf(stderr, "icmpforge: raw socket: %s\n", strerror(errno));
		exit(1);
	}
	if (spoof) {
		struct sockaddr_storage ss;
		socklen_t len;
		memset(&ss, 0, sizeof ss);
		ss.ss_family = (sa_family_t)family;
		if (family == AF_INET) {
			len = sizeof(struct sockaddr_in);
			if (inet_pton(AF_INET, spoof, &((struct sockaddr_in *)&ss)->sin_addr) != 1)
				goto bad;
		} else {
			len = sizeof(struct sockaddr_in6);
			if (inet_pton(AF_INET6, spoof, &((struct sockaddr_in6 *)&ss)->sin6_addr) != 1)
				goto bad;
		}
		if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
			fprintf(stderr, "icmpforge: bind %s: %s\n", spoof, strerror(errno));
			exit(1);
		}
		/* only for sending: never read */
		shutdown(fd, SHUT_RD);
		return fd;
	bad:
		fprintf(stderr, "icmpforge: bad address %s\n", spoof);
		exit(2);
	}
	if (family == AF_INET6) {
		struct icmp6_filter flt;
		ICMP6_FILTER_SETBLOCKALL(&flt);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REQUEST, &flt);
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &flt, sizeof flt);
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct fam f4 = { AF_INET, -1, -1, 0, { 0 } }, f6 = { AF_INET6, -1, -1, 0, { 0 } };
	const char *ready = NULL, *spoof4 = NULL, *spoof6 = NULL;
	unsigned max = 10;
	double lifetime = 10, delay = 0, end;
	int opt, use4 = 0, use6 = 0, good_only = 0;

	while ((opt = getopt(argc, argv, "46n:t:r:s:S:L:g")) != -1) {
		switch (opt) {
		case '4': use4 = 1; break;
		case '6': use6 = 1; break;
		case 'n': max = (unsigned)strtoul(optarg, NULL, 10); break;
		case 't': lifetime = atof(optarg); break;
		case 'r': ready = optarg; break;
		case 's': spoof4 = optarg; break;
		case 'S': spoof6 = optarg; break;
		case 'L': delay = atof(optarg) / 1e3; break;
		case 'g': good_only = 1; break;
		default:
			fprintf(stderr, "usage: icmpforge [-4] [-6] [-n COUNT] [-t SECONDS] [-r READYFILE] "
			                "[-s SPOOF4] [-S SPOOF6] [-L MS] [-g]\n");
			return 2;
		}
	}
	if (!use4 && !use6)
		use4 = use6 = 1;
	if (use4) {
		f4.fd = open_raw(AF_INET, NULL);
		if (spoof4)
			f4.spoof_fd = open_raw(AF_INET, spoof4);
	}
	if (use6) {
		f6.fd = open_raw(AF_INET6, NULL);
		if (spoof6)
			f6.spoof_fd = open_raw(AF_INET6, spoof6);
	}
	if (ready) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			close(fd);
	}
	end = mono() + lifetime;
	for (;;) {
		struct pollfd p[2] = { { f4.fd, POLLIN, 0 }, { f6.fd, POLLIN, 0 } };
		double now = mono(), next = end;
		int done = (!use4 || f4.requests >= max) && (!use6 || f6.requests >= max);

		if (now >= end || (done && !npend))
			break;
		for (size_t i = 0; i < npend;) {
			if (pend[i].when <= now) {
				send_one(pend[i].f, pend[i].f->fd, &pend[i].to, pend[i].tolen, pend[i].pkt,
				         pend[i].len, pend[i].variant);
				pend[i] = pend[--npend];
			} else {
				next = pend[i].when < next ? pend[i].when : next;
				i++;
			}
		}
		if (poll(p, 2, (int)((next - now) * 1000) + 1) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & POLLIN)
			on_readable(&f4, max, good_only, delay);
		if (p[1].revents & POLLIN)
			on_readable(&f6, max, good_only, delay);
	}
	for (int k = 0; k < 2; k++) {
		struct fam *f = k ? &f6 : &f4;
		if (f->fd < 0)
			continue;
		printf("%s requests %u", k ? "v6" : "v4", f->requests);
		for (int v = 0; v < V_N; v++)
			printf(" %s %u", vname[v], f->sent[v]);
		printf("\n");
	}
	return 0;
}
