/* statsd.c: the non-blocking DogStatsD sink (see statsd.h). */
#include <ctype.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "dogstatsd.h"
#include "hopwatch.h"
#include "statsd.h"

/* Seconds between reconnect attempts of a Unix socket, and between
 * re-resolutions of an agent host name (its address may move). */
#define STATSD_RETRY 1.0
#define STATSD_RERESOLVE 60.0
/* Sends accepted in a row after a refusal before the agent counts as
 * listening again: while nothing listens, each refusal clears the socket's
 * error and the next send is accepted, so refusals and acceptances
 * alternate; 3 in a row cannot happen then. */
#define STATSD_HEARD 3
/* Seconds between two log lines about dropped or shortened lines. */
#define STATSD_OVERSIZE_LOG 60.0

struct statsd {
	struct ev_loop *loop;        /* the daemon's loop */
	dns *dns;                    /* resolver for a UDP host name */
	dns_req *lookup;             /* pending lookup of the host name, or NULL */
	struct statsd_addr addr;     /* where to send */
	int fd;                      /* connected socket, -1 while there is none */
	double next_try;             /* ev_now() after which to reconnect (Unix) */
	int echo;                    /* also print lines to stdout */
	size_t max;                  /* datagram size limit, bytes */
	size_t len;                  /* bytes queued in buf, every line with its newline */
	double interval;             /* flush interval, seconds; 0: flusher instead of timer */
	double first;                /* ev_now() when the first line of buf was queued */
	ev_prepare flusher;          /* interval 0: flushes before the loop sleeps */
	ev_timer timer;              /* interval > 0: sends buf once its first line is due */
	ev_timer reresolve;          /* periodic lookup of addr.host */
	struct statsd_stats stats;   /* counters */
	int refused;                 /* 1 since a send was refused (nothing listens), until it answers */
	unsigned accepted;           /* sends accepted in a row since the last refusal */
	uint64_t refused_before;     /* stats.packets_refused before the logged refusal */
	double oversize_logged;      /* ev_now() of the last oversize log line, 0: never */
	uint64_t oversize_unlogged;  /* drops and cuts since that log line */
	char buf[STATSD_UNIX_MAX];   /* the datagram being filled */
};

int statsd_parse_url(const char *url, struct statsd_addr *a, char *err, size_t errlen)
{
	const char *p = url, *colon;
	char *end;
	unsigned long port = 8125;

	memset(a, 0, sizeof *a);
	if (!strncmp(p, "unix://", 7) || !strncmp(p, "unixgram://", 11)) {
		p = strstr(p, "://") + 3;
		if (p[0] != '/' || strlen(p) >= sizeof a->path) {
			snprintf(err, errlen, "Unix socket path must be absolute and shorter than %zu bytes",
			         sizeof a->path);
			return -1;
		}
		a->unix_socket = 1;
		strcpy(a->path, p);
		return 0;
	}
	if (!strncmp(p, "unixstream://", 13)) {
		snprintf(err, errlen, "unixstream:// is not supported; use unixgram:// (the agent's default)");
		return -1;
	}
	if (!strncmp(p, "udp://", 6))
		p += 6;
	else if (strstr(p, "://")) {
		snprintf(err, errlen, "unknown scheme in \"%s\": use udp://, unix:// or unixgram://", url);
		return -1;
	}
	if (p[0] == '[') {
		const char *close = strchr(p, ']');
		if (!close || close == p + 1 || (size_t)(close - p - 1) >= sizeof a->host) {
			snprintf(err, errlen, "bad IPv6 address in \"%s\"", url);
			return -1;
		}
		memcpy(a->host, p + 1, (size_t)(close - p - 1));
		colon = close[1] == ':' ? close + 1 : (close[1] ? close : NULL);
		if (close[1] && close[1] != ':') {
			snprintf(err, errlen, "unexpected text after ']' in \"%s\"", url);
			return -1;
		}
	} else {
		colon = strchr(p, ':');
		size_t hl = colon ? (size_t)(colon - p) : strlen(p);
		if (colon && strchr(colon + 1, ':')) {
			snprintf(err, errlen, "write an IPv6 address in brackets: udp://[::1]:8125");
			return -1;
		}
		if (!hl || hl >= sizeof a->host) {
			snprintf(err, errlen, "missing or too long host in \"%s\"", url);
			return -1;
		}
		memcpy(a->host, p, hl);
	}
	for (const char *h = a->host; *h; h++)
		if ((unsigned char)*h <= ' ' || strchr("|#,/\\\"'[]", *h)) {
			snprintf(err, errlen, "bad character in host \"%s\"", a->host);
			return -1;
		}
	if (colon) {
		errno = 0;
		port = strtoul(colon + 1, &end, 10);
		if (!isdigit((unsigned char)colon[1]) || *end || errno || port == 0 || port > 65535) {
			snprintf(err, errlen, "bad port in \"%s\" (1-65535)", url);
			return -1;
		}
	}
	a->port = (unsigned)port;
	return 0;
}

void statsd_default_url(char *buf, size_t len)
{
	const char *url = getenv("DD_DOGSTATSD_URL");
	const char *host = getenv("DD_AGENT_HOST");
	const char *port = getenv("DD_DOGSTATSD_PORT");

	if (url && url[0])
		snprintf(buf, len, "%s", url);
	else if (host && host[0])
		snprintf(buf, len, strchr(host, ':') && host[0] != '[' ? "udp://[%s]:%s" : "udp://%s:%s",
		         host, port && port[0] ? port : "8125");
	else
		snprintf(buf, len, "udp://127.0.0.1:8125");
}

size_t statsd_udp_max(int family, int mtu)
{
	int hdr = family == AF_INET6 ? 48 : 28;

	if (mtu <= hdr)
		return STATSD_UDP_MAX;
	if (mtu <= 1500)
		return (size_t)(mtu - hdr) < STATSD_UDP_MAX ? (size_t)(mtu - hdr) : STATSD_UDP_MAX;
	return (size_t)(mtu - hdr) < STATSD_UNIX_MAX ? (size_t)(mtu - hdr) : STATSD_UNIX_MAX;
}

/* The route MTU of connected UDP socket `fd` of `family`, or -1. */
static int route_mtu(int fd, int family)
{
	int mtu = -1;
	socklen_t len = sizeof mtu;

	if (family == AF_INET6 ? getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &len)
	                       : getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &len))
		return -1;
	return mtu;
}

/* Connect a non-blocking datagram socket to `sa`; -1 on failure. */
static int statsd_connect(const struct sockaddr *sa, socklen_t len)
{
	int fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, sa, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void statsd_resolved(void *arg, const struct sockaddr *sa, socklen_t len,
                            const char *error)
{
	struct statsd *s = arg;
	struct sockaddr_storage ss;
	size_t max;

	s->lookup = NULL;
	if (!sa) {
		HW_WARN(NULL, "statsd: cannot resolve %s: %s; dropping metrics until it resolves",
		        s->addr.host, error);
		return;
	}
	memcpy(&ss, sa, len);
	((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)s->addr.port);  /* same offset in v6 */
	if (s->fd >= 0)
		close(s->fd);
	s->fd = statsd_connect((struct sockaddr *)&ss, len);
	if (s->fd < 0) {
		HW_WARN(NULL, "statsd: cannot open a socket to %s: %s", s->addr.host, strerror(errno));
		return;
	}
	max = statsd_udp_max(ss.ss_family, route_mtu(s->fd, ss.ss_family));
	if (max != s->max) {
		HW_DEBUG(NULL, "statsd: datagrams to %s of up to %zu bytes (route MTU)", s->addr.host, max);
		if (s->len > max)
			statsd_flush(s);  /* packed for the old route: sent once as it is (rare: the agent moved) */
		s->max = max;
	}
}

/* (Re)open the socket when there is none; never blocks. */
static void statsd_open(struct statsd *s)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (s->addr.unix_socket) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		if (ev_now(s->loop) < s->next_try)
			return;
		s->next_try = ev_now(s->loop) + STATSD_RETRY;
		strcpy(sun.sun_path, s->addr.path);
		s->fd = statsd_connect((struct sockaddr *)&sun, sizeof sun);
		return;
	}
	if (dns_literal(s->addr.host, AF_UNSPEC, &ss, &len)) {
		statsd_resolved(s, (struct sockaddr *)&ss, len, NULL);
		return;
	}
	if (!s->lookup)
		s->lookup = dns_resolve(s->dns, s->addr.host, AF_UNSPEC, statsd_resolved, s);
}

static void statsd_reresolve_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct statsd *s = (struct statsd *)((char *)w - offsetof(struct statsd, reresolve));
	(void)loop;
	(void)revents;
	if (!s->lookup)
		s->lookup = dns_resolve(s->dns, s->addr.host, AF_UNSPEC, statsd_resolved, s);
}

static void statsd_prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct statsd *s = (struct statsd *)((char *)w - offsetof(struct statsd, flusher));
	(void)loop;
	(void)revents;
	statsd_flush(s);
}

/* The first line of buf is due: send; or, when buf was sent since (it
 * filled up) and holds younger lines, wait for the first of those. */
static void statsd_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct statsd *s = (struct statsd *)((char *)w - offsetof(struct statsd, timer));
	double left = s->first + s->interval - ev_now(loop);
	(void)revents;

	if (!s->len)
		return;
	if (left > 1e-3) {
		ev_timer_set(w, left, 0);
		ev_timer_start(loop, w);
		return;
	}
	statsd_flush(s);
}

statsd *statsd_new(struct ev_loop *loop, dns *d, const char *url, double flush_interval,
                   int echo, char *err, size_t errlen)
{
	struct statsd *s = calloc(1, sizeof *s);
	struct sockaddr_storage ss;
	socklen_t len;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (statsd_parse_url(url, &s->addr, err, errlen) < 0) {
		free(s);
		return NULL;
	}
	s->loop = loop;
	s->dns = d;
	s->fd = -1;
	s->echo = echo;
	s->max = s->addr.unix_socket ? STATSD_UNIX_MAX : STATSD_UDP_MAX;
	s->interval = flush_interval > 0 ? flush_interval : 0;
	ev_prepare_init(&s->flusher, statsd_prepare_cb);
	ev_init(&s->timer, statsd_timer_cb);
	if (!s->interval) {
		ev_prepare_start(loop, &s->flusher);
		ev_unref(loop);  /* the flusher alone must not keep the loop running */
	}
	ev_timer_init(&s->reresolve, statsd_reresolve_cb, STATSD_RERESOLVE, STATSD_RERESOLVE);
	if (!s->addr.unix_socket && !dns_literal(s->addr.host, AF_UNSPEC, &ss, &len)) {
		ev_timer_start(loop, &s->reresolve);
		ev_unref(loop);
	}
	statsd_open(s);
	return s;
}

size_t statsd_max_line(const statsd *s)
{
	return s->max - 1;
}

/* "udp://host:port" ("udp://[v6]:port") of the sink, into buf. */
static const char *udp_url(const struct statsd *s, char *buf, size_t cap)
{
	snprintf(buf, cap, strchr(s->addr.host, ':') ? "udp://[%s]:%u" : "udp://%s:%u", s->addr.host, s->addr.port);
	return buf;
}

const char *statsd_url(const statsd *s, char *buf, size_t cap)
{
	if (s->addr.unix_socket)
		snprintf(buf, cap, "unix://%s", s->addr.path);
	else
		udp_url(s, buf, cap);
	return buf;
}

void statsd_flush(statsd *s)
{
	char url[300];
	ssize_t n;

	if (!s->len)
		return;
	if (s->echo)
		fflush(stdout);
	if (s->fd < 0)
		statsd_open(s);
	n = s->fd >= 0 ? send(s->fd, s->buf, s->len, MSG_DONTWAIT | MSG_NOSIGNAL) : -1;
	if (n == (ssize_t)s->len) {
		s->stats.packets_sent++;
		s->stats.bytes_sent += s->len;
		if (s->refused && ++s->accepted >= STATSD_HEARD) {
			uint64_t k = s->stats.packets_refused - s->refused_before;
			HW_INFO(NULL, "statsd: %s answers again: DogStatsD lines are sent (%llu datagram%s refused "
			        "meanwhile)", udp_url(s, url, sizeof url), (unsigned long long)k, k == 1 ? "" : "s");
			s->refused = 0;
		}
	} else {
		s->stats.packets_dropped++;
		s->stats.bytes_dropped += s->len;
		/* A connected UDP socket reports the port unreachable of an
		 * earlier datagram as ECONNREFUSED on a later send. */
		if (s->fd >= 0 && !s->addr.unix_socket && errno == ECONNREFUSED) {
			s->accepted = 0;
			if (!s->refused) {
				HW_WARN(NULL, "statsd: nothing listens on %s: is the agent running? DogStatsD lines "
				        "are being dropped (counted in hopwatch.statsd.packets_refused; said again "
				        "when it answers)", udp_url(s, url, sizeof url));
				s->refused = 1;
				s->refused_before = s->stats.packets_refused;
			}
			s->stats.packets_refused++;
		}
		/* A Unix agent that went away leaves a dead socket: reconnect later. */
		if (s->fd >= 0 && s->addr.unix_socket && errno != EAGAIN && errno != EWOULDBLOCK) {
			close(s->fd);
			s->fd = -1;
		}
	}
	s->len = 0;
}

void statsd_line(statsd *s, const char *line, size_t len)
{
	size_t n;

	if (!len)
		return;
	if (len > statsd_max_line(s)) {
		statsd_dropped(s, "a line");
		return;
	}
	if (s->echo) {
		fwrite(line, 1, len, stdout);
		fputc('\n', stdout);
	}
	s->stats.metrics++;
	if (!(n = dsd_pack(s->buf, s->max, s->len, line, len))) {
		statsd_flush(s);
		n = dsd_pack(s->buf, s->max, 0, line, len);
	}
	if (!s->len && s->interval > 0) {
		s->first = ev_now(s->loop);
		if (!ev_is_active(&s->timer)) {
			ev_timer_set(&s->timer, s->interval, 0);
			ev_timer_start(s->loop, &s->timer);
		}
	}
	s->len = n;
}

/* Log `msg` about a dropped or shortened line, unless such a message was
 * logged in the last STATSD_OVERSIZE_LOG seconds. */
static void statsd_oversize_log(statsd *s, const char *msg)
{
	double now = ev_now(s->loop);

	s->oversize_unlogged++;
	if (s->oversize_logged && now - s->oversize_logged < STATSD_OVERSIZE_LOG)
		return;
	HW_WARN(NULL, "statsd: %s to fit a %zu-byte datagram (%llu line%s dropped or shortened "
	        "since the last such message; counted in hopwatch.statsd.lines_dropped and "
	        "events_shortened)", msg, s->max, (unsigned long long)s->oversize_unlogged,
	        s->oversize_unlogged == 1 ? "" : "s");
	s->oversize_logged = now;
	s->oversize_unlogged = 0;
}

void statsd_dropped(statsd *s, const char *what)
{
	char msg[300];

	s->stats.lines_dropped++;
	snprintf(msg, sizeof msg, "%.200s: line dropped: it is too long", what);
	statsd_oversize_log(s, msg);
}

void statsd_shortened(statsd *s, const char *title, size_t cut)
{
	char msg[300];

	s->stats.events_shortened++;
	snprintf(msg, sizeof msg, "event \"%.200s\": %zu bytes of its text left out", title, cut);
	statsd_oversize_log(s, msg);
}

int statsd_refused(const statsd *s)
{
	return s->refused;
}

const struct statsd_stats *statsd_get_stats(const statsd *s)
{
	return &s->stats;
}

void statsd_free(statsd *s)
{
	if (!s)
		return;
	statsd_flush(s);
	dns_cancel(s->lookup);
	if (ev_is_active(&s->flusher)) {
		ev_ref(s->loop);
		ev_prepare_stop(s->loop, &s->flusher);
	}
	ev_timer_stop(s->loop, &s->timer);
	if (ev_is_active(&s->reresolve)) {
		ev_ref(s->loop);
		ev_timer_stop(s->loop, &s->reresolve);
	}
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}
