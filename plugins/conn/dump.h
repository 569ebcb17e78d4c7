/*
 * dump.h: one sock_diag dump of a namespace (IPv4, then IPv6), assembled
 * from netlink messages.  Pure: the caller sends the requests and reads the
 * socket; this keeps the sockets and says what to do next, so that a dump
 * the kernel flags inconsistent (NLM_F_DUMP_INTR) is retried whole and
 * never half-applied.  Tested by t/unit/conn-dump.c.
 */
#ifndef HOPWATCH_CONN_DUMP_H
#define HOPWATCH_CONN_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include "inetdiag.h"

/* Tries of a dump the kernel flagged inconsistent before the interval is skipped. */
#define CONN_DUMP_TRIES 3

/* What the caller does after a message. */
enum conn_dump_step {
	CONN_DUMP_MORE,      /* keep reading */
	CONN_DUMP_SEND_V6,   /* IPv4 is done: send the IPv6 request with d->seq */
	CONN_DUMP_COMPLETE,  /* both done and consistent: apply d->socks[0..d->n) */
	CONN_DUMP_RETRY,     /* inconsistent: conn_dump_begin again and resend */
	CONN_DUMP_GIVE_UP,   /* inconsistent CONN_DUMP_TRIES times: skip this interval */
	CONN_DUMP_FAILED,    /* the kernel answered an error (d->error), or out of memory (d->error 0) */
};

/* A dump in progress. */
typedef struct conn_dump {
	int family;              /* family being dumped: AF_INET, then AF_INET6 */
	uint32_t seq;            /* sequence number of the request in flight */
	int intr;                /* a message of this try carried NLM_F_DUMP_INTR */
	int tries;               /* tries of this interval's dump so far, the current one included */
	int error;               /* CONN_DUMP_FAILED: the kernel's errno, 0 for out of memory */
	inetdiag_sock *socks;    /* sockets of this try, both families */
	size_t n, cap;           /* used and allocated entries of socks */
} conn_dump;

/* Start a try of the dump: IPv4 first, request sequence number `seq`.
 * `retry` 0 starts a new interval's dump (tries back to 1). */
void conn_dump_begin(conn_dump *d, uint32_t seq, int retry);
/* Take one parsed message; returns the next step.  Messages of another
 * sequence number (the rest of an abandoned try) are ignored. */
enum conn_dump_step conn_dump_feed(conn_dump *d, const inetdiag_msg *m);
/* Free the sockets kept. */
void conn_dump_free(conn_dump *d);

#endif /* HOPWATCH_CONN_DUMP_H */
