/*
 * emit-bench: throughput of hopwatchd's DogStatsD path (emit.c, the
 * dogstatsd.c encoder and the statsd.c sender) in isolation.
 *
 *   emit-bench [-n METRICS] [-v VALUES] [-T TARGETS] [-s]
 *   emit-bench -p SECONDS -u URL [-T TARGETS] [-F FLUSH]
 *
 * Pushes METRICS metrics (default 1,000,000) through emit_metric with the
 * tags hopwatchd itself puts on an icmp metric (instance list plus target
 * list, cycling over TARGETS targets), each with VALUES values (1: a
 * gauge; more: one distribution line holding them all, as icmp.rtt), or
 * with -s service checks instead (as icmp.can_reach), into a UDP sink on
 * 127.0.0.1 (the loopback of whatever network namespace it runs in).  A
 * second thread drains the receiving socket so that nothing is dropped
 * for want of a reader.
 *
 * Prints one line of "key=value" pairs:
 *   metrics        metrics pushed
 *   seconds        wall time of the push loop
 *   metrics_per_s  METRICS / seconds
 *   cpu_ns_per_metric  CPU time of the pushing thread per metric (ns)
 *   lines_per_metric   DogStatsD lines per metric (> 1 when values split)
 *   dgrams_per_metric  datagrams sent per metric
 *   bytes_per_metric   payload bytes per metric
 *   dropped        datagrams the sender dropped
 *   received       datagrams the draining thread read
 *
 * With -p it is paced instead, like hopwatchd with an icmp instance of
 * `count 1` at 1 Hz: for SECONDS seconds each of TARGETS targets has a
 * round every second (start times spread evenly over the second, one
 * ev_timer per target, as src/core/rounds.c does), and each round emits
 * the ten lines icmp sends, with hopwatchd's tags, to the DogStatsD sink at
 * URL (udp://... or unix://...; a separate receiver such as bench/dsd-sum
 * reads it) with statsd.flush_interval FLUSH seconds (default 0.1; 0:
 * flush at the end of every loop iteration).  It prints:
 *   lines dgrams dropped seconds
 *   lines_per_dgram    lines per datagram sent
 *   dgrams_per_s       datagrams sent per second
 *   bytes_per_dgram    payload bytes per datagram sent
 *   cpu_ns_per_line    CPU time of the sender per line (ns)
 */
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "emit.h"
#include "statsd.h"

#define DRAIN_BATCH 64

static atomic_int draining = 1;
static atomic_ullong received;

/* Read and forget datagrams until told to stop. */
static void *drain(void *arg)
{
	int fd = *(int *)arg;
	static char bufs[DRAIN_BATCH][2048];
	struct mmsghdr msgs[DRAIN_BATCH];
	struct iovec iov[DRAIN_BATCH];

	for (int i = 0; i < DRAIN_BATCH; i++) {
		iov[i] = (struct iovec){ bufs[i], sizeof bufs[i] };
		memset(&msgs[i], 0, sizeof msgs[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (atomic_load(&draining)) {
		int n = recvmmsg(fd, msgs, DRAIN_BATCH, MSG_WAITFORONE, NULL);
		if (n > 0)
			atomic_fetch_add(&received, (unsigned long long)n);
	}
	return NULL;
}

/* One target of the paced mode: its timer and its tag list. */
struct ptarget {
	ev_timer timer;          /* a round every second */
	const struct emit *e;    /* the sink */
	const char *tags;        /* instance + target tags, as hopwatchd joins them */
	unsigned long round;     /* rounds done */
};

/* One round of an icmp target with count 1: its ten lines. */
static void round_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ptarget *t = (struct ptarget *)w;
	double rtt = 0.2 + (double)(t->round++ % 1000) / 997.0;
	static const char *const gauges[] = { "icmp.rtt.min", "icmp.rtt.avg", "icmp.rtt.max" };
	(void)loop;
	(void)revents;

	emit_metric(t->e, t->tags, NULL, "icmp.rtt", HW_DISTRIBUTION, &rtt, 1, NULL);
	for (size_t i = 0; i < 3; i++)
		emit_metric(t->e, t->tags, NULL, gauges[i], HW_GAUGE, &rtt, 1, NULL);
	double zero = 0, one = 1;
	emit_metric(t->e, t->tags, NULL, "icmp.rtt.stddev", HW_GAUGE, &zero, 1, NULL);
	emit_metric(t->e, t->tags, NULL, "icmp.jitter", HW_GAUGE, &zero, 1, NULL);
	emit_metric(t->e, t->tags, NULL, "icmp.loss", HW_GAUGE, &zero, 1, NULL);
	emit_metric(t->e, t->tags, NULL, "icmp.sent", HW_COUNT, &one, 1, NULL);
	emit_metric(t->e, t->tags, NULL, "icmp.received", HW_COUNT, &one, 1, NULL);
	emit_service_check(t->e, t->tags, NULL, "icmp.can_reach", HW_OK, NULL, NULL);
}

static void stop_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static double seconds(clockid_t c);

/* -p: paced rounds for `secs` seconds to `url`; prints one key=value line. */
static int paced(const char *url, unsigned long ntargets, double secs, double flush)
{
	struct ev_loop *loop = ev_default_loop(0);
	char err[256];
	statsd *s = statsd_new(loop, NULL, url, flush, 0, err, sizeof err);
	struct ptarget *t = calloc(ntargets, sizeof *t);
	ev_timer stop;

	if (!s || !t) {
		fprintf(stderr, "emit-bench: %s\n", s ? "out of memory" : err);
		return 1;
	}
	struct emit e = { .sink = s };
	strcpy(e.prefix, "hopwatch.");
	for (unsigned long i = 0; i < ntargets; i++) {
		unsigned long k = i + 1;
		char *tags;
		if (asprintf(&tags, "probe:bench,team:net,env:bench,target:172.17.%lu.%lu,"
		             "target_ip:172.17.%lu.%lu,group:bench",
		             k / 256 % 256, k % 256, k / 256 % 256, k % 256) < 0)
			return 1;
		t[i].e = &e;
		t[i].tags = tags;
		ev_timer_init(&t[i].timer, round_cb, (double)i / (double)ntargets, 1.0);
		ev_timer_start(loop, &t[i].timer);
	}
	ev_timer_init(&stop, stop_cb, secs, 0);
	ev_timer_start(loop, &stop);
	double w0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
	ev_run(loop, 0);
	statsd_flush(s);
	double w = seconds(CLOCK_MONOTONIC) - w0, c = seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
	const struct statsd_stats *st = statsd_get_stats(s);
	double dg = st->packets_sent ? (double)st->packets_sent : 1;
	printf("lines=%llu dgrams=%llu dropped=%llu seconds=%.3f lines_per_dgram=%.2f "
	       "dgrams_per_s=%.0f bytes_per_dgram=%.0f cpu_ns_per_line=%.0f\n",
	       (unsigned long long)st->metrics, (unsigned long long)st->packets_sent,
	       (unsigned long long)st->packets_dropped, w, (double)st->metrics / dg,
	       (double)st->packets_sent / w, (double)st->bytes_sent / dg,
	       st->metrics ? c * 1e9 / (double)st->metrics : 0);
	for (unsigned long i = 0; i < ntargets; i++) {
		ev_timer_stop(loop, &t[i].timer);
		free((char *)t[i].tags);
	}
	free(t);
	statsd_free(s);
	return 0;
}

static double seconds(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long n = 1000000, ntargets = 1000;
	int nvalues = 1, checks = 0, opt, one = 1, rcvbuf = 64 << 20;
	char err[256], url[64];

	const char *sink_url = NULL;
	double pace = 0, flush = 0.1;

	while ((opt = getopt(argc, argv, "n:v:T:sp:u:F:")) != -1) {
		switch (opt) {
		case 'p': pace = atof(optarg); break;
		case 'u': sink_url = optarg; break;
		case 'F': flush = atof(optarg); break;
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 'v': nvalues = atoi(optarg); break;
		case 'T': ntargets = strtoul(optarg, NULL, 10); break;
		case 's': checks = 1; break;
		default:
			fprintf(stderr, "usage: emit-bench [-n METRICS] [-v VALUES] [-T TARGETS] [-s]\n"
			        "       emit-bench -p SECONDS -u URL [-T TARGETS] [-F FLUSH]\n");
			return 2;
		}
	}
	if (pace > 0)
		return sink_url && ntargets && flush >= 0 ? paced(sink_url, ntargets, pace, flush) : 2;
	if (!n || nvalues < 1 || nvalues > 1000 || !ntargets)
		return 2;

	/* the sink's receiving end, on an ephemeral loopback port */
	int rfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t slen = sizeof sin;
	if (rfd < 0 || bind(rfd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
	    getsockname(rfd, (struct sockaddr *)&sin, &slen) < 0) {
		perror("emit-bench: receiver");
		return 1;
	}
	if (setsockopt(rfd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
		setsockopt(rfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	struct timeval tv = { 0, 100000 };
	setsockopt(rfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	(void)one;
	pthread_t th;
	pthread_create(&th, NULL, drain, &rfd);

	struct ev_loop *loop = ev_default_loop(0);
	snprintf(url, sizeof url, "udp://127.0.0.1:%u", ntohs(sin.sin_port));
	statsd *s = statsd_new(loop, NULL, url, 0, 0, err, sizeof err);
	if (!s) {
		fprintf(stderr, "emit-bench: %s\n", err);
		return 1;
	}
	struct emit e = { .sink = s };
	strcpy(e.prefix, "hopwatch.");

	/* Tags as hopwatchd builds them for `probe:p` and target 172.17.x.y. */
	const char *itags = "probe:bench,team:net,env:bench";
	char **ttags = calloc(ntargets, sizeof *ttags);
	for (unsigned long i = 0; i < ntargets; i++) {
		unsigned long k = i + 1;
		if (asprintf(&ttags[i], "target:172.17.%lu.%lu,target_ip:172.17.%lu.%lu,group:bench",
		             k / 256 % 256, k % 256, k / 256 % 256, k % 256) < 0)
			return 1;
	}
	double *values = malloc(sizeof *values * (size_t)nvalues);
	static const char *const names[] = { "icmp.rtt.avg", "icmp.loss", "icmp.jitter", "icmp.rtt.max" };

	double w0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_THREAD_CPUTIME_ID);
	for (unsigned long i = 0; i < n; i++) {
		const char *tt = ttags[i % ntargets];
		if (checks) {
			emit_service_check(&e, itags, tt, "icmp.can_reach", HW_OK,
			                   "5 of 5 echo requests answered", NULL);
			continue;
		}
		for (int v = 0; v < nvalues; v++)
			values[v] = 0.05 + (double)((i * 7 + (unsigned long)v * 13) % 1000) / 997.0;
		if (nvalues == 1)
			emit_metric(&e, itags, tt, names[i % 4], HW_GAUGE, values, 1, NULL);
		else
			emit_metric(&e, itags, tt, "icmp.rtt", HW_DISTRIBUTION, values, (size_t)nvalues, NULL);
	}
	statsd_flush(s);
	double w = seconds(CLOCK_MONOTONIC) - w0, c = seconds(CLOCK_THREAD_CPUTIME_ID) - c0;

	/* let the drain thread catch up with what is in flight */
	for (int i = 0; i < 50; i++) {
		if (atomic_load(&received) >= statsd_get_stats(s)->packets_sent)
			break;
		usleep(20000);
	}
	atomic_store(&draining, 0);
	pthread_join(th, NULL);

	const struct statsd_stats *st = statsd_get_stats(s);
	printf("metrics=%lu seconds=%.3f metrics_per_s=%.0f cpu_ns_per_metric=%.0f "
	       "lines_per_metric=%.3f dgrams_per_metric=%.5f bytes_per_metric=%.1f "
	       "dropped=%llu received=%llu\n",
	       n, w, (double)n / w, c * 1e9 / (double)n,
	       (double)st->metrics / (double)n, (double)st->packets_sent / (double)n,
	       (double)st->bytes_sent / (double)n, (unsigned long long)st->packets_dropped,
	       atomic_load(&received));
	statsd_free(s);
	for (unsigned long i = 0; i < ntargets; i++)
		free(ttags[i]);
	free(ttags);
	free(values);
	return 0;
}
