/*
 * dnsload: a paced DNS query load (a small dnsperf) for bench/dns.sh.
 *
 *   dnsload -s ADDR [-p PORT] [-r RATE] [-d SECONDS] [-n NAMES] [-S SOCKETS]
 *
 * Sends RATE queries a second (default 10000) for SECONDS (default 10) to
 * ADDR:PORT (IPv4 or IPv6, port 53), type A, for names "qN.load.test" with
 * N cycling through NAMES (default 100) distinct values, from SOCKETS
 * (default 16) UDP sockets, so from as many client ports.  Sending is paced
 * every millisecond from CLOCK_MONOTONIC deadlines, so a slow tick catches
 * up instead of drifting.  Responses are read on the same sockets; one
 * whose id and socket match a query in flight counts as received.  Waits
 * one second after the last query, then prints:
 *
 *   sent N received M late_or_unknown K
 *
 * Standalone (t/tools): the query is written out here (RFC 1035 4.1).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOCKS 256

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A query for "q<n>.load.test" A with `id`; returns its length. */
static size_t query(uint8_t *b, uint16_t id, unsigned n)
{
	char label[16];
	size_t len = 12, l = (size_t)snprintf(label, sizeof label, "q%u", n);

	memset(b, 0, 12);
	b[0] = (uint8_t)(id >> 8), b[1] = (uint8_t)id;
	b[2] = 0x01;    /* RD */
	b[5] = 1;       /* one question */
	b[len++] = (uint8_t)l;
	memcpy(b + len, label, l);
	len += l;
	memcpy(b + len, "\4load\4test\0\0\1\0\1", 15);
	return len + 15;
}

int main(int argc, char **argv)
{
	const char *addr = NULL;
	unsigned port = 53, rate = 10000, secs = 10, names = 100, nsock = 16;
	unsigned long sent = 0, received = 0, unknown = 0;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fds[MAX_SOCKS], opt;
	/* per socket, which ids are in flight: one bit each */
	static uint8_t inflight[MAX_SOCKS][65536 / 8];
	double start, end, next;
	uint8_t buf[1500];

	while ((opt = getopt(argc, argv, "s:p:r:d:n:S:")) != -1) {
		switch (opt) {
		case 's': addr = optarg; break;
		case 'p': port = (unsigned)atoi(optarg); break;
		case 'r': rate = (unsigned)atoi(optarg); break;
		case 'd': secs = (unsigned)atoi(optarg); break;
		case 'n': names = (unsigned)atoi(optarg); break;
		case 'S': nsock = (unsigned)atoi(optarg); break;
		default: goto usage;
		}
	}
	if (!addr || !rate || !names || !nsock || nsock > MAX_SOCKS || !port || port > 65535)
		goto usage;
	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in6);
	} else {
		goto usage;
	}
	for (unsigned i = 0; i < nsock; i++) {
		int big = 1 << 20;
		fds[i] = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&ss, sl) < 0) {
			perror("dnsload: socket");
			return 1;
		}
		setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	}
	start = next = mono();
	end = start + secs;
	for (;;) {
		double now = mono();
		/* every millisecond, the queries due by now */
		if (now < end) {
			unsigned long due = (unsigned long)((now - start) * rate);
			while (sent < due) {
				unsigned s = (unsigned)(sent % nsock);
				uint16_t id = (uint16_t)(sent / nsock);
				size_t n = query(buf, id, (unsigned)(sent % names));
				if (send(fds[s], buf, n, 0) < 0 && errno != EAGAIN && errno != ENOBUFS && errno != ECONNREFUSED) {
					perror("dnsload: send");
					return 1;
				}
				inflight[s][id >> 3] |= (uint8_t)(1 << (id & 7));
				sent++;
			}
			next += 0.001;
		} else if (now >= end + 1.0) {
			break;
		} else {
			next = now + 0.01;
		}
		for (unsigned s = 0; s < nsock; s++) {
			ssize_t r;
			while ((r = recv(fds[s], buf, sizeof buf, 0)) >= 12) {
				uint16_t id = (uint16_t)(buf[0] << 8 | buf[1]);
				if ((buf[2] & 0x80) && (inflight[s][id >> 3] & (1 << (id & 7)))) {
					inflight[s][id >> 3] &= (uint8_t)~(1 << (id & 7));
					received++;
				} else {
					unknown++;
				}
			}
		}
		now = mono();
		if (next > now) {
			struct timespec ts = { 0, (long)((next - now) * 1e9) };
			nanosleep(&ts, NULL);
		}
	}
	printf("sent %lu received %lu late_or_unknown %lu\n", sent, received, unknown);
	return 0;
usage:
	fprintf(stderr, "usage: dnsload -s ADDR [-p PORT] [-r RATE] [-d SECONDS] [-n NAMES] [-S SOCKETS]\n");
	return 2;
}
