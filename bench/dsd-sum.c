/*
 * dsd-sum: a fast, summing UDP metrics sink for bench/.
 *
 *   dsd-sum -u HOST:PORT | -U PATH [-t SECONDS] [-o FILE] [-r READY]
 *           [-W PREFIX -N COUNT -c FILE]
 *
 * -U listens on a Unix datagram socket (the agent's unixgram://) instead.
 * Receives DogStatsD (hopwatchd) or Graphite plaintext (collectd's
 * write_graphite) datagrams until SIGTERM/SIGINT or -t seconds, keeps no
 * line, and at the end writes one summary (to -o FILE or stdout):
 *
 *   datagrams N
 *   bytes N
 *   lines N
 *   rcvbuf_drops N          datagrams the kernel dropped (socket full)
 *   cpu_s S                 CPU time this process used, user + system, seconds
 *   metric NAME LINES VALUES SUM
 *
 * NAME is the DogStatsD metric name, "_sc|NAME|STATUS" for a service
 * check, or the last dot-separated component of a Graphite path
 * ("ping_droprate").  LINES counts lines, VALUES the values in them
 * (several per DogStatsD distribution line), SUM their sum.
 *
 * With -W, -N and -c it also watches for lines whose name starts with
 * PREFIX (service checks included) and notes the distinct values of their
 * `target:` tag; once COUNT distinct targets were seen it writes the
 * CLOCK_REALTIME time (seconds, as `date +%s.%N`) to FILE, so a script can
 * tell when every target finished its first round (bench/paths.sh), and
 * the summary gets "targets_seen N" and "complete_at T".
 *
 * Unlike t/tools/dsd-recv, nothing is validated and nothing is written per
 * line: at 200,000 lines a second the sink must cost less than the sender,
 * or it would drop datagrams and make the sender's counts look wrong.
 * Exit: 0, or 1 on a system error, 2 on a usage error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64            /* datagrams per recvmmsg */
#define DGRAM_MAX 65536     /* largest datagram read; longer ones are cut */
#define NAME_MAX_LEN 240    /* longest key kept, bytes */
#define TABLE_SIZE 4096     /* hash slots (power of two); more names are counted as "(other)" */
#define RCVBUF (64 << 20)   /* receive buffer asked for, bytes */
#define SEEN_SIZE 65536     /* slots of the distinct-target set (power of two) */
#define TARGET_MAX 63       /* longest target tag value kept, bytes */

/* One metric name and what was seen of it. */
struct entry {
	char name[NAME_MAX_LEN + 1];  /* key, "" for an empty slot */
	uint64_t lines;               /* lines with this key */
	uint64_t values;              /* values in those lines */
	double sum;                   /* sum of the values */
};

static struct entry table[TABLE_SIZE];
static struct entry other = { .name = "(other)" };
static volatile sig_atomic_t stopping;

/* -W/-N/-c: which lines count, how many targets make "complete", where to
 * say so, and the distinct target values seen so far. */
static const char *watch_prefix;
static size_t watch_plen;
static unsigned long watch_count;
static const char *watch_file;
static char seen[SEEN_SIZE][TARGET_MAX + 1];
static unsigned long nseen;
static double complete_at;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* The entry of name[0..len), created when new. */
static struct entry *lookup(const char *name, size_t len)
{
	uint64_t h = 1469598103934665603ull;  /* FNV-1a */

	if (len > NAME_MAX_LEN)
		len = NAME_MAX_LEN;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211ull;
	for (size_t i = 0; i < TABLE_SIZE; i++) {
		struct entry *e = &table[(h + i) & (TABLE_SIZE - 1)];
		if (!e->name[0]) {
			memcpy(e->name, name, len);
			e->name[len] = '\0';
			return e;
		}
		if (!strncmp(e->name, name, len) && !e->name[len])
			return e;
	}
	return &other;
}

static double realtime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Note the target:VALUE tag of a watched line [p, end). */
static void watch(const char *p, const char *end)
{
	const char *name = p[0] == '_' && end - p > 4 ? p + 4 : p, *t;
	uint64_t h = 1469598103934665603ull;
	size_t len;

	if ((size_t)(end - name) < watch_plen || memcmp(name, watch_prefix, watch_plen))
		return;
	for (t = p; t + 8 <= end; t++)
		if ((t[-1] == '#' || t[-1] == ',') && !memcmp(t, "target:", 7))
			break;
	if (t + 8 > end)
		return;
	t += 7;
	for (len = 0; t + len < end && t[len] != ',' && t[len] != '|' && len < TARGET_MAX; len++)
		h = (h ^ (unsigned char)t[len]) * 1099511628211ull;
	for (size_t i = 0; i < SEEN_SIZE; i++) {
		char *slot = seen[(h + i) & (SEEN_SIZE - 1)];
		if (!slot[0]) {
			memcpy(slot, t, len);
			slot[len] = '\0';
			if (++nseen == watch_count) {
				FILE *f = fopen(watch_file, "w");
				complete_at = realtime();
				if (f) {
					fprintf(f, "%.6f\n", complete_at);
					fclose(f);
				}
			}
			return;
		}
		if (!strncmp(slot, t, len) && !slot[len])
			return;
	}
}

/* Account one line [p, end). */
static void line(const char *p, const char *end)
{
	const char *bar = memchr(p, '|', (size_t)(end - p));
	struct entry *e;
	char *stop;

	if (end == p)
		return;
	if (watch_prefix && p + 1 < end)
		watch(p, end);
	if (end - p > 4 && !memcmp(p, "_sc|", 4)) {
		/* _sc|NAME|STATUS|...: key "_sc|NAME|STATUS" */
		const char *b2 = memchr(p + 4, '|', (size_t)(end - p - 4));
		const char *b3 = b2 ? memchr(b2 + 1, '|', (size_t)(end - b2 - 1)) : NULL;
		e = lookup(p, (size_t)((b3 ? b3 : end) - p));
		e->lines++;
		return;
	}
	if (p[0] == '_') {  /* events */
		e = lookup("_e", 2);
		e->lines++;
		return;
	}
	if (bar) {
		/* DogStatsD NAME:V1[:V2...]|TYPE|... */
		const char *colon = memchr(p, ':', (size_t)(bar - p));
		if (!colon)
			return;
		e = lookup(p, (size_t)(colon - p));
		e->lines++;
		for (const char *v = colon + 1; v < bar;) {
			double d = strtod(v, &stop);
			if (stop == v)
				break;
			e->values++;
			e->sum += d;
			v = stop + 1;
		}
		return;
	}
	/* Graphite PATH VALUE TIMESTAMP: key is the last path component up
	 * to a '-' (collectd: TYPE-TYPE_INSTANCE, "ping_droprate-10_0_0_1") */
	const char *sp = memchr(p, ' ', (size_t)(end - p)), *dot = sp, *dash;
	if (!sp)
		return;
	while (dot > p && dot[-1] != '.')
		dot--;
	dash = memchr(dot, '-', (size_t)(sp - dot));
	e = lookup(dot, (size_t)((dash ? dash : sp) - dot));
	e->lines++;
	double d = strtod(sp + 1, &stop);
	if (stop != sp + 1) {
		e->values++;
		e->sum += d;
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: dsd-sum -u HOST:PORT | -U PATH [-t SECONDS] [-o FILE] [-r READY]"
	        " [-W PREFIX -N COUNT -c FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *udp = NULL, *unix_path = NULL, *out_path = NULL, *ready = NULL;
	unsigned lifetime = 0;
	uint64_t datagrams = 0, bytes = 0, lines = 0, drops = 0;
	static char bufs[BATCH][DGRAM_MAX];
	static char ctl[BATCH][CMSG_SPACE(sizeof(uint32_t))];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	int opt, fd, one = 1, rcvbuf = RCVBUF;

	while ((opt = getopt(argc, argv, "u:U:t:o:r:W:N:c:")) != -1) {
		switch (opt) {
		case 'u': udp = optarg; break;
		case 'U': unix_path = optarg; break;
		case 't': lifetime = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'o': out_path = optarg; break;
		case 'r': ready = optarg; break;
		case 'W': watch_prefix = optarg; watch_plen = strlen(optarg); break;
		case 'N': watch_count = strtoul(optarg, NULL, 10); break;
		case 'c': watch_file = optarg; break;
		default: return usage();
		}
	}
	if (!udp == !unix_path || optind != argc || (watch_prefix && (!watch_count || !watch_file)))
		return usage();

	if (unix_path) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		if (strlen(unix_path) >= sizeof sun.sun_path)
			return usage();
		strcpy(sun.sun_path, unix_path);
		unlink(unix_path);
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
			perror("dsd-sum: socket/bind");
			return 1;
		}
	} else {
		char host[256];
		const char *colon = strrchr(udp, ':');
		if (!colon || (size_t)(colon - udp) >= sizeof host)
			return usage();
		memcpy(host, udp, (size_t)(colon - udp));
		host[colon - udp] = '\0';
		struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST }, *ai;
		if (getaddrinfo(host, colon + 1, &hints, &ai)) {
			fprintf(stderr, "dsd-sum: bad address %s\n", udp);
			return 2;
		}
		fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			perror("dsd-sum: socket/bind");
			return 1;
		}
		freeaddrinfo(ai);
	}
	/* as root the limit of net.core.rmem_max does not apply */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
	struct timeval tv = { 0, 200000 };  /* wake up to see signals and the lifetime */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f)
			fclose(f);
	}

	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stopping) {
		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ bufs[i], DGRAM_MAX };
			msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1,
			                                   .msg_control = ctl[i],
			                                   .msg_controllen = sizeof ctl[i] };
		}
		int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			perror("dsd-sum: recvmmsg");
			return 1;
		}
		for (int i = 0; i < n; i++) {
			const char *p = bufs[i], *end = p + msgs[i].msg_len;
			datagrams++;
			bytes += msgs[i].msg_len;
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c;
			     c = CMSG_NXTHDR(&msgs[i].msg_hdr, c))
				if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
					uint32_t d;
					memcpy(&d, CMSG_DATA(c), sizeof d);
					if (d > drops)
						drops = d;
				}
			while (p < end) {
				const char *nl = memchr(p, '\n', (size_t)(end - p));
				const char *le = nl ? nl : end;
				line(p, le);
				lines++;
				p = le + 1;
			}
		}
		if (lifetime) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - t0.tv_sec >= (time_t)lifetime)
				break;
		}
	}

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	if (unix_path)
		unlink(unix_path);
	FILE *out = out_path ? fopen(out_path, "w") : stdout;
	if (!out) {
		perror("dsd-sum: output");
		return 1;
	}
	fprintf(out, "datagrams %llu\nbytes %llu\nlines %llu\nrcvbuf_drops %llu\ncpu_s %.6f\n",
	        (unsigned long long)datagrams, (unsigned long long)bytes,
	        (unsigned long long)lines, (unsigned long long)drops,
	        (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	        (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	if (watch_prefix)
		fprintf(out, "targets_seen %lu\ncomplete_at %.6f\n", nseen, complete_at);
	for (size_t i = 0; i < TABLE_SIZE; i++)
		if (table[i].name[0])
			fprintf(out, "metric %s %llu %llu %.17g\n", table[i].name,
			        (unsigned long long)table[i].lines,
			        (unsigned long long)table[i].values, table[i].sum);
	if (other.lines)
		fprintf(out, "metric %s %llu %llu %.17g\n", other.name,
		        (unsigned long long)other.lines, (unsigned long long)other.values, other.sum);
	return fclose(out) ? 1 : 0;
}
