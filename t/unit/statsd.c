/*
 * statsd.c: the DogStatsD sink (src/sink/statsd.h) and emit.c on top of it,
 * sending to a UDP socket on 127.0.0.1 that this test reads back.  Checks
 * that every datagram ends with a newline, that a full datagram goes out at
 * once and a partial one when its flush interval ends (or at the end of
 * the loop iteration with interval 0), that an event too long for a
 * datagram is shortened and counted, that lines that cannot fit are
 * counted, never lost silently, and that a non-finite value costs only
 * itself.  No timing is asserted: the loop runs until the sink has nothing
 * left to send, bounded by a receive timeout.
 */
#include <arpa/inet.h>
#include <ev.h>
#include <math.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emit.h"
#include "statsd.h"
#include "test-lib.h"

/* The receiving socket and the URL that reaches it. */
struct rx {
	int fd;          /* bound UDP socket on 127.0.0.1 */
	char url[64];    /* udp://127.0.0.1:<port> */
};

static int rx_open(struct rx *r)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sin;
	struct timeval tv = { 2, 0 };  /* bounds every blocking read */

	r->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (r->fd < 0 || bind(r->fd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
	    getsockname(r->fd, (struct sockaddr *)&sin, &len) < 0)
		return -1;
	setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	snprintf(r->url, sizeof r->url, "udp://127.0.0.1:%u", ntohs(sin.sin_port));
	return 0;
}

/* One datagram into buf (NUL-terminated); its length, or -1 when none is
 * waiting (`wait` 0) or none came within the timeout. */
static ssize_t rx_get(struct rx *r, char *buf, size_t cap, int wait)
{
	ssize_t n = recv(r->fd, buf, cap - 1, wait ? 0 : MSG_DONTWAIT);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Lines in a datagram: its newlines (each line has one). */
static size_t count_lines(const char *buf, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += buf[i] == '\n';
	return k;
}

/* Full datagrams go out at once, every line ended; interval 0 sends the
 * rest at the end of the loop iteration.  The sink is on loopback (route
 * MTU 65536): datagrams of up to STATSD_UNIX_MAX bytes (statsd_udp_max). */
static void test_packing(struct ev_loop *loop, struct rx *r)
{
	char err[256], buf[STATSD_UNIX_MAX + 1], line[100];
	statsd *s = statsd_new(loop, NULL, r->url, 0, 0, err, sizeof err);
	size_t lines = 0, dgrams = 0, per = STATSD_UNIX_MAX / 101, full = 100 / per, left = 100 - full * per;
	ssize_t n;

	ok(s != NULL, "packing: sink created (%s)", s ? r->url : err);
	if (!s)
		return;
	is_int(statsd_max_line(s), STATSD_UNIX_MAX - 1,
	       "packing: to loopback a line may take 8192 bytes less its newline");
	memset(line, 'a', sizeof line);
	memcpy(line, "m:1|g|#", 7);
	for (int i = 0; i < 100; i++)
		statsd_line(s, line, sizeof line);  /* 101 bytes each with '\n': 81 a datagram */
	while ((n = rx_get(r, buf, sizeof buf, 0)) > 0) {
		dgrams++;
		lines += count_lines(buf, (size_t)n);
		ok(n <= STATSD_UNIX_MAX && buf[n - 1] == '\n', "packing: datagram %zu: %zd bytes, last line ended",
		   dgrams, n);
	}
	ok(dgrams == full, "packing: %zu full datagram(s) went out before the loop ran (got %zu)", full, dgrams);
	ok(lines == full * per, "packing: %zu lines in them (%zu each; got %zu)", full * per, per, lines);
	ev_run(loop, EVRUN_NOWAIT);  /* the end of an iteration flushes */
	n = rx_get(r, buf, sizeof buf, 1);
	ok(n == (ssize_t)(left * 101) && count_lines(buf, (size_t)n) == left && buf[n - 1] == '\n',
	   "packing: the %zu left went out at the end of the loop iteration (%zd bytes)", left, n);
	ok(statsd_get_stats(s)->packets_sent == full + 1, "packing: %zu datagrams counted", full + 1);
	statsd_line(s, line, STATSD_UNIX_MAX);
	is_int(statsd_get_stats(s)->lines_dropped, 1, "packing: a line longer than a datagram is counted");
	statsd_free(s);
}

/* The datagram size that follows the route (statsd_udp_max): a table. */
static void test_udp_max(void)
{
	static const struct { int family, mtu; size_t want; const char *why; } t[] = {
		{ AF_INET, -1, 1432, "unknown MTU: 1432" },
		{ AF_INET, 0, 1432, "MTU 0 (no answer): 1432" },
		{ AF_INET, 1500, 1432, "Ethernet: 1432, whatever fits 1472" },
		{ AF_INET6, 1500, 1432, "Ethernet, IPv6: 1432 (1452 would fit)" },
		{ AF_INET, 1460, 1432, "MTU 1460: 1432 fits exactly" },
		{ AF_INET, 1400, 1372, "a tunnel of MTU 1400: 1372, never fragmented" },
		{ AF_INET6, 1280, 1232, "IPv6 minimum MTU: 1232" },
		{ AF_INET, 1501, 1473, "just above 1500: the route's own size" },
		{ AF_INET, 9000, 8192, "jumbo frames: the agent's buffer, 8192" },
		{ AF_INET, 65536, 8192, "loopback: 8192" },
		{ AF_INET6, 65536, 8192, "loopback, IPv6: 8192" },
		{ AF_INET, 20, 1432, "an MTU below the headers is nonsense: 1432" },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		ok(statsd_udp_max(t[i].family, t[i].mtu) == t[i].want, "udp_max: %s (got %zu)", t[i].why,
		   statsd_udp_max(t[i].family, t[i].mtu));
}

/* With an interval, a partial datagram waits for it, then goes out whole. */
static void test_interval(struct ev_loop *loop, struct rx *r)
{
	char err[256], buf[2048];
	statsd *s = statsd_new(loop, NULL, r->url, 0.05, 0, err, sizeof err);
	ssize_t n;

	if (!s) {
		ok(0, "interval: sink created: %s", err);
		return;
	}
	statsd_line(s, "a:1|c", 5);
	ev_run(loop, EVRUN_NOWAIT);
	statsd_line(s, "b:2|c", 5);
	is_int(rx_get(r, buf, sizeof buf, 0), -1, "interval: nothing sent before the interval ends");
	ev_run(loop, 0);  /* returns once the timer has sent and stopped */
	n = rx_get(r, buf, sizeof buf, 1);
	is_str(n > 0 ? buf : NULL, "a:1|c\nb:2|c\n", "interval: both lines in one datagram, both ended");
	is_int(rx_get(r, buf, sizeof buf, 0), -1, "interval: nothing more");
	statsd_free(s);
}

/* emit.c: events shortened and counted; lines that cannot fit counted.
 * The sink is on loopback: datagrams of up to STATSD_UNIX_MAX bytes. */
static void test_emit(struct ev_loop *loop, struct rx *r)
{
	static char text[8501], tags[7001], huge[1500], buf[STATSD_UNIX_MAX + 1];
	char err[256];
	statsd *s = statsd_new(loop, NULL, r->url, 0, 0, err, sizeof err);
	struct emit e = { .sink = s, .prefix = "hopwatch.", .hostname = "web-1" };
	const char *extra[] = { huge, NULL };
	double v[3] = { 1, NAN, 3 };
	ssize_t n;

	if (!s) {
		ok(0, "emit: sink created: %s", err);
		return;
	}
	memset(text, 'x', sizeof text - 1);
	memset(tags, 't', sizeof tags - 1);
	memset(huge, 'h', sizeof huge - 1);
	/* 8.5 KB of text under 7 KB of tags: shortened to fit */
	emit_event(&e, tags, NULL, "Path to 10.0.0.1 changed", text, HW_ALERT_WARNING, "p/10.0.0.1", NULL);
	statsd_flush(s);
	n = rx_get(r, buf, sizeof buf, 1);
	ok(n > 0 && n <= STATSD_UNIX_MAX && buf[n - 1] == '\n' && count_lines(buf, (size_t)n) == 1,
	   "emit: the long event went out in one datagram (%zd bytes)", n);
	ok(n > 0 && !strncmp(buf, "_e{24,", 6), "emit: title whole");
	ok(n > 0 && strstr(buf, "xxx...|d:") != NULL, "emit: text cut, marked with ...");
	ok(n > 7001 && !memcmp(buf + n - 1 - 7000, tags, 7000) && buf[n - 1 - 7001] == '#',
	   "emit: every tag kept");
	is_int(statsd_get_stats(s)->events_shortened, 1, "emit: counted in events_shortened");
	is_int(statsd_get_stats(s)->lines_dropped, 0, "emit: nothing dropped");

	/* title, fields and 8.5 KB of tags cannot fit even without text */
	emit_event(&e, tags, NULL, "T", "x", HW_ALERT_INFO, NULL, extra);
	emit_metric(&e, tags, NULL, "m", HW_GAUGE, v, 1, extra);
	emit_service_check(&e, tags, NULL, "c", HW_OK, "fine", extra);
	statsd_flush(s);
	is_int(rx_get(r, buf, sizeof buf, 0), -1, "emit: nothing sent for lines that cannot fit");
	is_int(statsd_get_stats(s)->lines_dropped, 3, "emit: event, metric and check counted as dropped");
	is_int(statsd_get_stats(s)->events_shortened, 1, "emit: a dropped event is not counted as shortened");

	/* a NaN costs only itself */
	emit_metric(&e, NULL, NULL, "d", HW_DISTRIBUTION, v, 3, NULL);
	statsd_flush(s);
	n = rx_get(r, buf, sizeof buf, 1);
	is_str(n > 0 ? buf : NULL, "hopwatch.d:1|d\nhopwatch.d:3|d\n", "emit: values around a NaN kept");
	statsd_free(s);
}

int main(void)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct rx r;

	if (rx_open(&r) < 0) {
		ok(0, "a UDP socket on 127.0.0.1");
		return done_testing();
	}
	test_udp_max();
	test_packing(loop, &r);
	test_interval(loop, &r);
	test_emit(loop, &r);
	close(r.fd);
	return done_testing();
}
