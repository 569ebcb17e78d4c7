/*
 * statsd.h: the DogStatsD sink.  Lines are packed into datagrams of at most
 * 1432 bytes (UDP), 8192 (UDP on a route whose MTU is above 1500, such as
 * loopback's: statsd_udp_max) or 8192 (Unix datagram socket), each line ended by a
 * newline, the last one too.  A datagram is sent when the next line would
 * not fit, and otherwise once its first line has waited the flush interval
 * (statsd.flush_interval, 100 ms by default as in the official clients;
 * 0: at the end of every loop iteration).  No line waits longer than the
 * interval.  Sending never blocks: a datagram that cannot go out now
 * (EAGAIN, refused, no socket yet) is dropped and counted.
 */
#ifndef HW_STATSD_H
#define HW_STATSD_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

struct ev_loop;

/* Largest datagram per transport: UDP so that a 1500-byte MTU never
 * fragments, a Unix socket the agent's default dogstatsd_buffer_size
 * (Datadog's DogStatsD docs, https://docs.datadoghq.com/developers/dogstatsd/high_throughput/). */
#define STATSD_UDP_MAX 1432
#define STATSD_UNIX_MAX 8192

/* The largest UDP datagram payload to send on a route whose MTU is `mtu`
 * bytes (getsockopt IP_MTU / IPV6_MTU of the connected socket; <= 0:
 * unknown) for `family` (AF_INET: 28 bytes of IPv4 and UDP headers,
 * AF_INET6: 48): STATSD_UDP_MAX when unknown or when the route's MTU is
 * 1500 or less (so no 1500-byte link on the way fragments it), less on a
 * smaller MTU; on a route with a larger MTU (loopback: 65536, jumbo
 * frames) what fits it, up to STATSD_UNIX_MAX, the agent's default
 * dogstatsd_buffer_size, which applies to UDP too.  Pure. */
size_t statsd_udp_max(int family, int mtu);

/* Where the sink sends; filled by statsd_parse_url. */
struct statsd_addr {
	int unix_socket;    /* 1: Unix datagram socket at `path`; 0: UDP to host:port */
	char host[256];     /* UDP host name or literal address */
	unsigned port;      /* UDP port */
	char path[108];     /* Unix socket path */
};

/* What the sink did, since it was created. */
struct statsd_stats {
	uint64_t packets_sent;     /* datagrams the kernel accepted */
	uint64_t packets_dropped;  /* datagrams dropped: EAGAIN, refused, no socket */
	uint64_t packets_refused;  /* of those, UDP sends refused: nothing listens on the port */
	uint64_t bytes_sent;       /* payload bytes accepted */
	uint64_t bytes_dropped;    /* payload bytes dropped */
	uint64_t metrics;          /* lines queued (metrics, events, service checks) */
	uint64_t lines_dropped;    /* lines not sent because they cannot fit a datagram */
	uint64_t events_shortened; /* events sent with their text cut to fit a datagram */
};

/* The sink. */
typedef struct statsd statsd;

/* Parse "udp://host:port", "host:port", "udp://[v6]:port", "unix:///path"
 * or "unixgram:///path" (port defaults to 8125).  Returns 0, or -1 with a
 * message.  Pure. */
int statsd_parse_url(const char *url, struct statsd_addr *a, char *err, size_t errlen);

/* The URL to use when the config names none: DD_DOGSTATSD_URL, else
 * DD_AGENT_HOST with DD_DOGSTATSD_PORT, else udp://127.0.0.1:8125.
 * Written to buf. */
void statsd_default_url(char *buf, size_t len);

/* A sink for `url`; host names resolve through `d`.  A datagram that is not
 * full goes out `flush_interval` seconds after its first line was queued
 * (0: at the end of the loop iteration).  With `echo` every line is also
 * printed to stdout.  NULL and a message on a bad URL. */
statsd *statsd_new(struct ev_loop *loop, dns *d, const char *url, double flush_interval,
                   int echo, char *err, size_t errlen);
/* Longest line the sink takes, in bytes without its newline: the datagram
 * size less one. */
size_t statsd_max_line(const statsd *s);
/* Queue one line (no newline).  One longer than statsd_max_line is not
 * sent; it is counted and logged as by statsd_dropped. */
void statsd_line(statsd *s, const char *line, size_t len);
/* Count a line that could not be encoded to fit a datagram (`what`: its
 * metric name or event title) in stats.lines_dropped; log it, at most once
 * a minute with the count since the last log line. */
void statsd_dropped(statsd *s, const char *what);
/* Count an event whose text was cut by `cut` bytes to fit, in
 * stats.events_shortened; logged like statsd_dropped. */
void statsd_shortened(statsd *s, const char *title, size_t cut);
/* Send what is queued now. */
void statsd_flush(statsd *s);
/* 1 while nothing listens on the UDP port (sends are refused; logged once
 * when it starts and once when the agent answers again), else 0. */
int statsd_refused(const statsd *s);
/* Where the sink sends, as a URL ("udp://host:port", "unix:///path"), into buf. */
const char *statsd_url(const statsd *s, char *buf, size_t cap);
/* Counters so far. */
const struct statsd_stats *statsd_get_stats(const statsd *s);
/* Flush and free; NULL is fine. */
void statsd_free(statsd *s);

#endif
