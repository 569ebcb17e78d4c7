/*
 * hwxfer: TCP transfers of known sizes for the conn plugin's tests.
 *
 *   hwxfer serve [-T SECONDS] [-R] [-p PIDFILE] PORT REPLY
 *       listen on [::]:PORT (IPv4 and IPv6).  Each connection: read until
 *       EOF, send REPLY bytes, close.  -R: instead send REPLY bytes, then
 *       reset the connection (SO_LINGER 0) without reading.
 *   hwxfer connect [-k SECONDS] [-s SYNCNT] HOST PORT COUNT SEND
 *       COUNT connections one after the other: send SEND bytes, shut the
 *       sending side, read until EOF (after -k SECONDS), close.  Prints
 *       "sent S received R ok N refused N reset N timeout N other N".
 *       -s sets TCP_SYNCNT (SYN retransmissions before a timeout).
 *   hwxfer hold [-T SECONDS] [-p PIDFILE] HOST PORT NPORTS COUNT
 *       listen on HOST:PORT..PORT+NPORTS-1 and hold COUNT established
 *       connections to them (both ends in this process, reset at exit so
 *       that no TIME-WAIT is left) for SECONDS
 *       (default 60); the pid file is written once all are up.  Needs
 *       2 * COUNT descriptors (RLIMIT_NOFILE, raised to its hard limit).
 *       For benchmarks.
 *
 * Exit status 0 unless the arguments or the setup were bad (1, 2).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char chunk[65536];

static int usage(void)
{
	fprintf(stderr, "usage: hwxfer serve [-T S] [-R] [-p PIDFILE] PORT REPLY\n"
	                "       hwxfer connect [-k S] [-s SYNCNT] HOST PORT COUNT SEND\n"
	                "       hwxfer hold [-T S] [-p PIDFILE] HOST PORT NPORTS COUNT\n");
	return 2;
}

/* Write n bytes; -1 on error. */
static int send_n(int fd, long long n)
{
	while (n > 0) {
		ssize_t w = send(fd, chunk, n < (long long)sizeof chunk ? (size_t)n : sizeof chunk, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		n -= w;
	}
	return 0;
}

/* Read until EOF; the count, or -1 with errno. */
static long long read_all(int fd)
{
	long long total = 0;

	for (;;) {
		ssize_t r = recv(fd, chunk, sizeof chunk, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return total;
		total += r;
	}
}

/* Write our pid to `path` (NULL: nothing); -1 when it cannot. */
static int write_pid(const char *path)
{
	FILE *f;

	if (!path)
		return 0;
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f) == 0 ? 0 : -1;
}

static int serve(int argc, char **argv)
{
	double life = 600;
	int reset = 0, opt, fd, off = 0, one = 1;
	const char *pidfile = NULL;
	struct sockaddr_in6 sa;
	long long reply;
	time_t end;

	while ((opt = getopt(argc, argv, "T:Rp:")) != -1)
		switch (opt) {
		case 'T': life = atof(optarg); break;
		case 'R': reset = 1; break;
		case 'p': pidfile = optarg; break;
		default: return usage();
		}
	if (argc - optind != 2)
		return usage();
	reply = atoll(argv[optind + 1]);
	memset(&sa, 0, sizeof sa);
	sa.sin6_family = AF_INET6;
	sa.sin6_port = htons((uint16_t)atoi(argv[optind]));
	sa.sin6_addr = in6addr_any;
	if ((fd = socket(AF_INET6, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1024) < 0) {
		perror("hwxfer: listen");
		return 1;
	}
	if (write_pid(pidfile) < 0)
		return 1;
	end = time(NULL) + (time_t)life;
	while (time(NULL) < end) {
		struct pollfd p = { fd, POLLIN, 0 };
		int c;
		if (poll(&p, 1, 500) <= 0 || (c = accept(fd, NULL, NULL)) < 0)
			continue;
		if (reset) {
			struct linger l = { 1, 0 };
			send_n(c, reply);
			usleep(200000);  /* the data reaches the peer first */
			setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
		} else {
			read_all(c);
			send_n(c, reply);
		}
		close(c);
	}
	return 0;
}

static int connect_many(int argc, char **argv)
{
	double keep = 0;
	int syncnt = 0, opt;
	long count, ok = 0, refused = 0, reset = 0, timedout = 0, other = 0;
	long long send_bytes, sent = 0, received = 0;
	struct addrinfo hints, *ai;

	while ((opt = getopt(argc, argv, "k:s:")) != -1)
		switch (opt) {
		case 'k': keep = atof(optarg); break;
		case 's': syncnt = atoi(optarg); break;
		default: return usage();
		}
	if (argc - optind != 4)
		return usage();
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(argv[optind], argv[optind + 1], &hints, &ai)) {
		fprintf(stderr, "hwxfer: bad address\n");
		return 2;
	}
	count = atol(argv[optind + 2]);
	send_bytes = atoll(argv[optind + 3]);
	for (long i = 0; i < count; i++) {
		int fd = socket(ai->ai_family, SOCK_STREAM, 0);
		long long got;
		if (fd < 0)
			return 1;
		if (syncnt)
			setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &syncnt, sizeof syncnt);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			if (errno == ECONNREFUSED)
				refused++;
			else if (errno == ETIMEDOUT)
				timedout++;
			else
				other++;
			close(fd);
			continue;
		}
		if (send_n(fd, send_bytes) < 0) {
			errno == ECONNRESET || errno == EPIPE ? reset++ : other++;
			close(fd);
			continue;
		}
		sent += send_bytes;
		if (keep > 0)
			usleep((useconds_t)(keep * 1e6));
		shutdown(fd, SHUT_WR);
		got = read_all(fd);
		if (got < 0)
			errno == ECONNRESET ? reset++ : other++;
		else {
			received += got;
			ok++;
		}
		close(fd);
	}
	freeaddrinfo(ai);
	printf("sent %lld received %lld ok %ld refused %ld reset %ld timeout %ld other %ld\n",
	       sent, received, ok, refused, reset, timedout, other);
	return 0;
}

static int hold(int argc, char **argv)
{
	double life = 60;
	const char *pidfile = NULL;
	int opt, nports, *lfd, one = 1;
	long count, made = 0;
	struct sockaddr_storage ss;
	socklen_t slen;
	struct rlimit rl;
	struct addrinfo hints, *ai;

	while ((opt = getopt(argc, argv, "T:p:")) != -1)
		switch (opt) {
		case 'T': life = atof(optarg); break;
		case 'p': pidfile = optarg; break;
		default: return usage();
		}
	if (argc - optind != 4)
		return usage();
	nports = atoi(argv[optind + 2]);
	count = atol(argv[optind + 3]);
	if (nports < 1 || nports > 64 || count < 1)
		return usage();
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_max < (rlim_t)(2 * count + 100)) {
		fprintf(stderr, "hwxfer: %ld connections need %ld descriptors; the hard limit is %lu\n", count,
		        2 * count + 100, (unsigned long)rl.rlim_max);
		return 1;
	}
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(argv[optind], argv[optind + 1], &hints, &ai))
		return 2;
	lfd = calloc((size_t)nports, sizeof *lfd);
	for (int k = 0; k < nports; k++) {
		memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
		slen = ai->ai_addrlen;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)(atoi(argv[optind + 1]) + k));  /* same offset in v6 */
		if ((lfd[k] = socket(ai->ai_family, SOCK_STREAM, 0)) < 0 ||
		    setsockopt(lfd[k], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
		    bind(lfd[k], (struct sockaddr *)&ss, slen) < 0 || listen(lfd[k], 4096) < 0) {
			perror("hwxfer: listen");
			return 1;
		}
	}
	for (; made < count; made++) {
		int k = (int)(made % nports), c, a;
		memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)(atoi(argv[optind + 1]) + k));
		if ((c = socket(ai->ai_family, SOCK_STREAM, 0)) < 0 ||
		    connect(c, (struct sockaddr *)&ss, ai->ai_addrlen) < 0 || (a = accept(lfd[k], NULL, NULL)) < 0) {
			fprintf(stderr, "hwxfer: connection %ld: %s\n", made, strerror(errno));
			return 1;
		}
		{
			/* both ends are held open until exit, then reset: no TIME-WAIT left */
			struct linger l = { 1, 0 };
			setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
			setsockopt(a, SOL_SOCKET, SO_LINGER, &l, sizeof l);
		}
	}
	if (write_pid(pidfile) < 0)
		return 1;
	fprintf(stderr, "hwxfer: holding %ld connections\n", made);
	sleep((unsigned)life);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	memset(chunk, 'x', sizeof chunk);
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "serve"))
		return serve(argc - 1, argv + 1);
	if (!strcmp(argv[1], "connect"))
		return connect_many(argc - 1, argv + 1);
	if (!strcmp(argv[1], "hold"))
		return hold(argc - 1, argv + 1);
	return usage();
}
