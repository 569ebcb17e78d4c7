/*
 * hwlisten: tiny TCP listener for the hopwatch test network.  It accepts
 * every connection and closes it at once, so a TCP probe sees a completed
 * handshake.
 *
 * Usage:
 *   hwlisten [-T SECONDS] [-p PIDFILE] [-d] PORT...
 *
 *   PORT  listened on [::]:PORT with IPV6_V6ONLY off, so IPv4 and IPv6 (up
 *         to 16 ports)
 *   -T    exit after SECONDS (float; default 600, 0 = no limit)
 *   -p    write the pid to PIDFILE once every port listens
 *   -d    daemonize once every port listens (stderr is kept)
 *
 * On SIGTERM/SIGINT or at the time limit it prints
 *   hwlisten: accepted N
 * to stderr and exits 0.  Exit status 1 means a setup error, 2 usage.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS 16

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void usage(void)
{
	fprintf(stderr, "usage: hwlisten [-T secs] [-p pidfile] [-d] PORT...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double lifetime = 600;
	const char *pidfile = NULL;
	int daemonize = 0, opt;
	struct pollfd pfd[MAX_PORTS];
	int nfds = 0;
	unsigned long accepted = 0;

	while ((opt = getopt(argc, argv, "T:p:d")) != -1) {
		switch (opt) {
		case 'T': lifetime = atof(optarg); break;
		case 'p': pidfile = optarg; break;
		case 'd': daemonize = 1; break;
		default: usage();
		}
	}
	if (optind >= argc || argc - optind > MAX_PORTS || lifetime < 0)
		usage();
	for (int i = optind; i < argc; i++) {
		int port = atoi(argv[i]), one = 1, zero = 0;
		if (port <= 0 || port > 65535)
			usage();
		int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
					   .sin6_port = htons((uint16_t)port),
					   .sin6_addr = IN6ADDR_ANY_INIT };
		if (fd < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0 ||
		    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1024) < 0) {
			fprintf(stderr, "hwlisten: port %d: %s\n", port, strerror(errno));
			return 1;
		}
		pfd[nfds].fd = fd;
		pfd[nfds].events = POLLIN;
		nfds++;
	}

	if (daemonize) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("hwlisten: fork");
			return 1;
		}
		if (pid > 0)
			_exit(0);
		setsid();
	}
	/* written by the process that stays; the sockets already listen, so
	 * connections made after the pidfile appears are accepted */
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");
		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
			perror("hwlisten: pidfile");
			return 1;
		}
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int64_t end = lifetime > 0 ? now_ms() + (int64_t)(lifetime * 1000) : INT64_MAX;
	while (!stop) {
		int64_t t = now_ms();
		if (t >= end)
			break;
		int timeout = end - t > 1000 ? 1000 : (int)(end - t);
		int n = poll(pfd, (nfds_t)nfds, timeout);
		if (n < 0 && errno != EINTR) {
			perror("hwlisten: poll");
			break;
		}
		for (int i = 0; n > 0 && i < nfds; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			for (int k = 0; k < 256; k++) {
				int c = accept4(pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
				if (c < 0)
					break;
				accepted++;
				close(c);
			}
		}
	}
	fprintf(stderr, "hwlisten: accepted %lu\n", accepted);
	if (pidfile)
		unlink(pidfile);
	return 0;
}
