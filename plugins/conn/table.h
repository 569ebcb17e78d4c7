/*
 * table.h: the conn plugin's connection table and aggregation, pure (no
 * I/O, no host calls, time passed in), so that t/unit/conn-table.c drives
 * it with made-up sockets.
 *
 * One table per watched network namespace.  Connections are told apart by
 * the kernel's socket cookie.  A dump (both families) is applied whole with
 * conn_apply_dump, never half: a dump marked NLM_F_DUMP_INTR is dropped by
 * the caller and retried.  Destroy notifications go to conn_destroyed.
 * conn_aggregate then sums the interval per (direction, destination,
 * service port) and starts the next interval.
 *
 * Counting rules (each connection counted once, whatever states it passes):
 *  - opened: a cookie first seen after the namespace's first dump;
 *  - closed: when a destroy notification names it, when a dump shows it in
 *    TIME-WAIT, or when a dump no longer holds it;
 *  - bytes: data bytes, from tcpi_bytes_acked less our SYN (active open)
 *    and our FIN (at most the unique bytes sent, tcpi_bytes_sent less
 *    tcpi_bytes_retrans), and tcpi_bytes_received less the peer's FIN;
 *    counted as deltas between observations, never negative;
 *  - failed: refused (never established; the SYN got an answer, a RST:
 *    tcpi_segs_in > 0), timeout (never established and no answer, or
 *    established and ended while retransmitting), reset (established and
 *    ended with our FIN unacknowledged while not retransmitting);
 *  - established, for a socket first seen in its destroy notification
 *    (state CLOSE): data acknowledged, an accepted socket, or an RTT
 *    sample (tcpi_min_rtt: the SYN-ACK gave one; a refused or unanswered
 *    connect never has one);
 *  - our own abort is no failure: an established socket whose final
 *    remote port is 0 went through tcp_disconnect (close with SO_LINGER 0,
 *    or connect(AF_UNSPEC)), which also zeroes its counters; unless a dump
 *    saw it, its port is unknown.
 */
#ifndef HOPWATCH_CONN_TABLE_H
#define HOPWATCH_CONN_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "inetdiag.h"

/* Direction of a connection. */
enum conn_dir { CONN_OUT = 0, CONN_IN = 1 };
/* Failure reasons, the index of conn_agg.failed. */
enum conn_fail { CONN_FAIL_NONE = -1, CONN_REFUSED = 0, CONN_RESET = 1, CONN_TIMEOUT = 2 };
/* Names of the failure reasons, as tagged: "refused", "reset", "timeout". */
extern const char *const conn_fail_names[3];

/* A destination group: addresses in prefix/bits are tagged dest:<name>. */
typedef struct conn_group {
	int family;             /* AF_INET or AF_INET6 */
	uint8_t prefix[16];     /* network address, 4 or 16 bytes */
	unsigned bits;          /* prefix length */
	char name[64];          /* the dest: tag value */
} conn_group;

/* One aggregate of an interval: what is emitted with its tags. */
typedef struct conn_agg {
	int dir;                /* enum conn_dir */
	char dest[64];          /* group name, remote address as text, or "other" */
	uint16_t port;          /* service port: remote (outgoing), local (incoming); 0 for "other" */
	const void *tag;        /* the tagger's answer for its connections (process tags), NULL when none */
	unsigned established;   /* connections in ESTABLISHED at the end of the interval (gauge) */
	unsigned opened;        /* connections opened during the interval */
	unsigned closed;        /* connections closed during the interval */
	uint64_t bytes_sent;    /* data bytes acknowledged by the peer during the interval */
	uint64_t bytes_received;/* data bytes received in order during the interval */
	uint64_t retransmits;   /* segments retransmitted during the interval (tcpi_total_retrans deltas) */
	unsigned failed[3];     /* failed connections by enum conn_fail */
	double *rtt;            /* tcpi_rtt of each connection, ms (one sample per connection and interval) */
	double *rtt_var;        /* tcpi_rttvar of the same connections, ms */
	size_t nrtt;            /* samples in rtt and rtt_var */
} conn_agg;

/* An outgoing destination, for the top-destinations list. */
typedef struct conn_dest {
	int family;             /* AF_INET or AF_INET6 */
	uint8_t addr[16];       /* remote address (IPv4-mapped IPv6 given as IPv4) */
	uint16_t port;          /* remote port */
	uint64_t bytes;         /* data bytes sent plus received during the last interval */
	double last_seen;       /* monotonic seconds the destination was last seen with a connection */
} conn_dest;

/* The table of one namespace (opaque). */
typedef struct conn_table conn_table;

/* A new, empty table using `groups` (n entries, copied); NULL when out of memory. */
conn_table *conn_table_new(const conn_group *groups, size_t n);
/* Free the table; NULL is fine. */
void conn_table_free(conn_table *t);

/* Say whether destroy notifications arrive for this namespace (on: 1):
 * then a TIME-WAIT socket first seen in a dump was counted already. */
void conn_table_notify(conn_table *t, int on);

/* Have `fn(arg, inode)` give each new connection with a socket inode an
 * opaque tag (its process's tags), aggregated apart; NULL: none. */
void conn_table_tagger(conn_table *t, const void *(*fn)(void *arg, uint32_t inode), void *arg);

/* Apply one complete, consistent dump of `n` sockets (both families) seen
 * at monotonic time `now`.  Returns 0, or -1 when out of memory (the dump
 * is then not applied). */
int conn_apply_dump(conn_table *t, const inetdiag_sock *socks, size_t n, double now);
/* A destroy notification for `s` (its final tcp_info) at time `now`.  One
 * of a socket no dump listed is ignored until the first dump was applied
 * (the baseline: it existed before). */
void conn_destroyed(conn_table *t, const inetdiag_sock *s, double now);

/*
 * Sum the interval into aggregates, keep the `max_dest` aggregates with the
 * most bytes and fold the others into dest "other" (per direction), then
 * start a new interval.  *out receives a malloc'ed array (free it with
 * conn_aggs_free), the return value its length; -1 when out of memory.
 */
long conn_aggregate(conn_table *t, unsigned max_dest, conn_agg **out);
/* Free what conn_aggregate returned. */
void conn_aggs_free(conn_agg *a, size_t n);

/* Write up to `max` outgoing destinations (address, remote port) of the
 * last aggregated interval into `out`, the most bytes first; returns how
 * many.  Meant for dynamic path targets. */
size_t conn_top_destinations(const conn_table *t, conn_dest *out, size_t max);

/* Number of connections the table holds now (alive and closed ones not yet forgotten). */
size_t conn_table_size(const conn_table *t);

/*
 * Parse a destination-group list "CIDR=name,CIDR=name" (spaces allowed
 * around items) into at most `max` groups.  Returns the count, or -1 with a
 * message in err naming the bad item.  Pure.
 */
int conn_groups_parse(const char *text, conn_group *out, size_t max, char *err, size_t errlen);

#endif /* HOPWATCH_CONN_TABLE_H */
