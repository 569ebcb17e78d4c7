/* table.c: connection table and aggregation of the conn plugin (see table.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "table.h"

const char *const conn_fail_names[3] = { "refused", "reset", "timeout" };

/* One connection. */
struct conn {
	uint64_t cookie;        /* the kernel's socket cookie */
	struct conn *next;      /* hash chain */
	int family;             /* AF_INET or AF_INET6 (IPv4-mapped addresses become AF_INET) */
	uint8_t raddr[16];      /* remote address */
	uint16_t lport, rport;  /* local and remote port */
	uint8_t dir;            /* enum conn_dir, decided when first seen */
	uint8_t state;          /* last state seen */
	uint8_t established;    /* it was established at some point */
	uint8_t closed;         /* its end was counted: kept only as long as dumps still list it */
	uint8_t opened_now;     /* opened during the current interval */
	uint8_t closed_now;     /* closed during the current interval */
	int8_t fail;            /* enum conn_fail of its end, counted in the current interval */
	uint8_t has_rtt;        /* rtt_us holds a sample of the current interval */
	uint64_t gen;           /* last dump generation that listed it */
	uint64_t sent, rcvd;    /* data bytes counted so far (cumulative) */
	uint32_t retrans;       /* retransmitted segments counted so far (cumulative) */
	uint64_t d_sent, d_rcvd, d_retrans;  /* increments during the current interval */
	uint32_t rtt_us, rttvar_us;          /* last tcpi_rtt and tcpi_rttvar, µs */
	double last_seen;       /* monotonic seconds it was last listed or notified */
	const void *tag;        /* the tagger's answer when it was first seen */
};

struct conn_table {
	struct conn **bucket;   /* hash buckets by cookie */
	size_t nbucket;         /* power of two */
	size_t n;               /* connections held */
	uint64_t gen;           /* generation of the last applied dump */
	int dumped;             /* a first dump was applied: later cookies are new connections */
	int notify;             /* destroy notifications arrive: every close is seen with its final figures */
	uint8_t listen[65536 / 8];  /* local ports with a listening socket (last dump) */
	conn_group *groups;     /* destination groups */
	size_t ngroups;
	conn_dest *top;         /* outgoing destinations of the last interval, most bytes first */
	size_t ntop;
	const void *(*tagger)(void *, uint32_t);  /* process tags of a new connection, or NULL */
	void *tagger_arg;
};

static size_t hash(uint64_t cookie, size_t nbucket)
{
	return (size_t)((cookie * 0x9E3779B97F4A7C15ull) >> 32) & (nbucket - 1);
}

conn_table *conn_table_new(const conn_group *groups, size_t n)
{
	conn_table *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->nbucket = 1024;
	t->bucket = calloc(t->nbucket, sizeof *t->bucket);
	t->groups = n ? malloc(n * sizeof *groups) : NULL;
	if (!t->bucket || (n && !t->groups)) {
		conn_table_free(t);
		return NULL;
	}
	if (n)
		memcpy(t->groups, groups, n * sizeof *groups);
	t->ngroups = n;
	return t;
}

void conn_table_free(conn_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->bucket && i < t->nbucket; i++)
		for (struct conn *c = t->bucket[i], *nx; c; c = nx) {
			nx = c->next;
			free(c);
		}
	free(t->bucket);
	free(t->groups);
	free(t->top);
	free(t);
}

void conn_table_tagger(conn_table *t, const void *(*fn)(void *arg, uint32_t inode), void *arg)
{
	t->tagger = fn;
	t->tagger_arg = arg;
}

void conn_table_notify(conn_table *t, int on)
{
	t->notify = on;
}

size_t conn_table_size(const conn_table *t)
{
	return t->n;
}

static struct conn *find(const conn_table *t, uint64_t cookie)
{
	for (struct conn *c = t->bucket[hash(cookie, t->nbucket)]; c; c = c->next)
		if (c->cookie == cookie)
			return c;
	return NULL;
}

/* Double the buckets when the table is fuller than one per bucket. */
static void grow(conn_table *t)
{
	size_t nb = t->nbucket * 2;
	struct conn **b;

	if (t->n < t->nbucket || !(b = calloc(nb, sizeof *b)))
		return;  /* a full table still works, with longer chains */
	for (size_t i = 0; i < t->nbucket; i++)
		for (struct conn *c = t->bucket[i], *nx; c; c = nx) {
			size_t h = hash(c->cookie, nb);
			nx = c->next;
			c->next = b[h];
			b[h] = c;
		}
	free(t->bucket);
	t->bucket = b;
	t->nbucket = nb;
}

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* A new connection for socket `s`; NULL when out of memory. */
static struct conn *add(conn_table *t, const inetdiag_sock *s)
{
	struct conn *c = calloc(1, sizeof *c);
	size_t h;

	if (!c)
		return NULL;
	c->cookie = s->cookie;
	c->family = s->family;
	memcpy(c->raddr, s->dst, 16);
	if (s->family == AF_INET6 && !memcmp(s->dst, v4mapped, 12)) {
		c->family = AF_INET;
		memmove(c->raddr, s->dst + 12, 4);
		memset(c->raddr + 4, 0, 12);
	}
	c->lport = s->sport;
	c->rport = s->dport;
	c->fail = CONN_FAIL_NONE;
	if (t->tagger && s->inode)
		c->tag = t->tagger(t->tagger_arg, s->inode);
	/* We connected when it is in SYN-SENT or its local port listens. */
	c->dir = s->state != INETDIAG_SYN_SENT && (t->listen[s->sport / 8] & (1u << (s->sport % 8))) ? CONN_IN : CONN_OUT;
	h = hash(c->cookie, t->nbucket);
	c->next = t->bucket[h];
	t->bucket[h] = c;
	t->n++;
	grow(t);
	return c;
}

/* Data bytes sent: tcpi_bytes_acked less our SYN (1 once acked, active
 * open only) and our FIN (acked sequence space beyond the unique bytes). */
static uint64_t data_sent(const struct conn *c, const inetdiag_tcpinfo *i)
{
	uint64_t a = i->bytes_acked;

	if (c->dir == CONN_OUT && a)
		a--;
	if (i->has_bytes_sent && i->bytes_sent >= i->bytes_retrans && a > i->bytes_sent - i->bytes_retrans)
		a = i->bytes_sent - i->bytes_retrans;
	return a;
}

/* Whether our FIN was acknowledged: acked sequence space exceeds the data. */
static int fin_acked(const struct conn *c, const inetdiag_tcpinfo *i)
{
	uint64_t a = i->bytes_acked;

	if (c->dir == CONN_OUT && a)
		a--;
	return i->has_bytes_sent && i->bytes_sent >= i->bytes_retrans && a > i->bytes_sent - i->bytes_retrans;
}

/* Whether the peer's FIN was received, from the state (for CLOSE, the
 * final state of a destroyed socket: when ours was acknowledged too). */
static int fin_received(const struct conn *c, const inetdiag_tcpinfo *i, unsigned state)
{
	switch (state) {
	case INETDIAG_CLOSE_WAIT: case INETDIAG_LAST_ACK: case INETDIAG_CLOSING: case INETDIAG_TIME_WAIT:
		return i->bytes_received > 0;
	case INETDIAG_CLOSE:
		return i->bytes_received > 0 && fin_acked(c, i);
	default:
		return 0;
	}
}

/* Whether a socket took an RTT sample: only an answered SYN (a SYN-ACK,
 * which establishes it) or later ACKs give one; a refused connect (RST)
 * and an unanswered one never do.  tcp_disconnect keeps it. */
static int took_rtt(const inetdiag_tcpinfo *i)
{
	return i->has_min_rtt && i->min_rtt_us && i->min_rtt_us != UINT32_MAX;
}

/* Take the figures of `i` (state `state`), counting what grew. */
static void observe(struct conn *c, const inetdiag_tcpinfo *i, unsigned state, int baseline)
{
	uint64_t sent = data_sent(c, i), rcvd = i->bytes_received - (uint64_t)fin_received(c, i, state);

	/* A final state (CLOSE) says nothing of the past: data acknowledged,
	 * an accepted socket, or an RTT sample (the SYN-ACK) says it was up. */
	if (state != INETDIAG_SYN_SENT &&
	    (state != INETDIAG_CLOSE || i->bytes_acked > 0 || c->dir == CONN_IN || took_rtt(i)))
		c->established = 1;
	if (!baseline) {
		if (sent > c->sent)
			c->d_sent += sent - c->sent;
		if (rcvd > c->rcvd)
			c->d_rcvd += rcvd - c->rcvd;
		if (i->total_retrans > c->retrans)
			c->d_retrans += i->total_retrans - c->retrans;
	}
	if (sent > c->sent || baseline)
		c->sent = sent;
	if (rcvd > c->rcvd || baseline)
		c->rcvd = rcvd;
	if (i->total_retrans > c->retrans || baseline)
		c->retrans = i->total_retrans;
	if (c->established && i->rtt_us) {
		c->rtt_us = i->rtt_us;
		c->rttvar_us = i->rttvar_us;
		c->has_rtt = 1;
	}
}

/* Count the end of `c`: `s` is its destroy notification (final figures),
 * NULL when it only vanished from the dumps (or went to TIME-WAIT). */
static void end(struct conn *c, const inetdiag_sock *s, int graceful)
{
	const inetdiag_tcpinfo *fin = s && s->has_info ? &s->info : NULL;

	if (c->closed)
		return;
	c->closed = 1;
	c->closed_now = 1;
	if (!c->established && c->dir == CONN_OUT) {
		/* A connect the kernel failed is disconnected before it is freed:
		 * remote port and counters zeroed, tcpi_retransmits kept.  So:
		 * SYN retransmitted: timeout; an answer counted (segs_in), or
		 * zeroed without a retransmission: refused; else the
		 * application gave up in SYN-SENT: timeout. */
		if (!fin || fin->retransmits > 0)
			c->fail = CONN_TIMEOUT;
		else
			c->fail = fin->segs_in > 0 || s->dport == 0 ? CONN_REFUSED : CONN_TIMEOUT;
	} else if (fin && !graceful && fin->has_bytes_sent && !(s->dport == 0 && took_rtt(fin)))
		c->fail = fin->retransmits > 0 ? CONN_TIMEOUT : CONN_RESET;
	/* An established socket whose final remote port is 0 went through
	 * tcp_disconnect: our own abort (close with SO_LINGER 0, as health
	 * checkers and the tcp plugin do, or connect(AF_UNSPEC)).  A close we
	 * chose, not a failure; the kernel zeroed its counters. */
}

/* States that are not a connection of their own: listeners, unconnected
 * sockets and request sockets (the accepted socket gets its own cookie). */
static int skip_state(unsigned state)
{
	return state == INETDIAG_LISTEN || state == INETDIAG_CLOSE || state == INETDIAG_SYN_RECV ||
	       state == INETDIAG_NEW_SYN_RECV;
}

int conn_apply_dump(conn_table *t, const inetdiag_sock *socks, size_t n, double now)
{
	int baseline = !t->dumped;

	memset(t->listen, 0, sizeof t->listen);
	for (size_t k = 0; k < n; k++)
		if (socks[k].state == INETDIAG_LISTEN)
			t->listen[socks[k].sport / 8] |= (uint8_t)(1u << (socks[k].sport % 8));
	t->gen++;
	for (size_t k = 0; k < n; k++) {
		const inetdiag_sock *s = &socks[k];
		struct conn *c;
		if (skip_state(s->state))
			continue;
		if (!(c = find(t, s->cookie))) {
			if (!(c = add(t, s)))
				return -1;
			if (s->state == INETDIAG_TIME_WAIT) {
				/* Opened and closed since the last dump.  With destroy
				 * notifications it was counted then: only remember it. */
				c->closed = 1;
				c->established = 1;
				if (!baseline && !t->notify)
					c->opened_now = c->closed_now = 1;
			} else if (!baseline)
				c->opened_now = 1;
		}
		c->gen = t->gen;
		c->last_seen = now;
		if (c->closed)
			continue;
		c->state = s->state;
		if (s->has_info)
			observe(c, &s->info, s->state, baseline && !c->opened_now);
		if (s->state == INETDIAG_TIME_WAIT)
			end(c, NULL, 1);
	}
	/* Whatever the dump no longer holds has ended. */
	for (size_t b = 0; b < t->nbucket; b++)
		for (struct conn *c = t->bucket[b]; c; c = c->next)
			if (c->gen != t->gen && !c->closed)
				end(c, NULL, 0);
	t->dumped = 1;
	return 0;
}

void conn_destroyed(conn_table *t, const inetdiag_sock *s, double now)
{
	struct conn *c = find(t, s->cookie);
	int zero = 1;

	for (int k = 0; k < (s->family == AF_INET ? 4 : 16); k++)
		zero &= !s->dst[k];
	if (!c) {
		/* Never connected (a socket closed unused), or a listener; or
		 * before the baseline dump: it existed before it (and which
		 * ports listen, so its direction, is not known yet). */
		if ((zero && !s->dport) || (t->listen[s->sport / 8] & (1u << (s->sport % 8)) && zero) || !t->dumped)
			return;
		if (!(c = add(t, s)))
			return;
		c->opened_now = 1;
	}
	if (c->closed)
		return;
	c->last_seen = now;
	if (s->has_info)
		observe(c, &s->info, INETDIAG_CLOSE, 0);
	end(c, s, s->has_info && fin_acked(c, &s->info));
}

/* ---- aggregation ---- */

/* Whether `addr` (family) lies in group g. */
static int in_group(const conn_group *g, int family, const uint8_t *addr)
{
	unsigned full = g->bits / 8, rest = g->bits % 8;

	if (g->family != family)
		return 0;
	if (memcmp(g->prefix, addr, full))
		return 0;
	return !rest || ((g->prefix[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* The dest tag of `c`: the longest matching group, else the address. */
static void dest_name(const conn_table *t, const struct conn *c, char *buf, size_t len)
{
	const conn_group *best = NULL;

	for (size_t i = 0; i < t->ngroups; i++)
		if (in_group(&t->groups[i], c->family, c->raddr) && (!best || t->groups[i].bits > best->bits))
			best = &t->groups[i];
	if (best)
		snprintf(buf, len, "%s", best->name);
	else
		inet_ntop(c->family, c->raddr, buf, (socklen_t)len);
}

static void agg_clear(conn_agg *a);

/* Append v to a growable double array; -1 when out of memory. */
static int push(double **v, size_t n, double x)
{
	if (!(n & (n - 1)) || !n) {
		double *nv = realloc(*v, (n ? n * 2 : 4) * sizeof *nv);
		if (!nv)
			return -1;
		*v = nv;
	}
	(*v)[n] = x;
	return 0;
}

/* Add the interval of `c` to `a`; -1 when out of memory. */
static int add_conn(conn_agg *a, const struct conn *c)
{
	a->established += !c->closed && c->state == INETDIAG_ESTABLISHED;
	a->opened += c->opened_now;
	a->closed += c->closed_now;
	a->bytes_sent += c->d_sent;
	a->bytes_received += c->d_rcvd;
	a->retransmits += c->d_retrans;
	if (c->fail != CONN_FAIL_NONE)
		a->failed[c->fail]++;
	if (c->has_rtt) {
		if (push(&a->rtt, a->nrtt, c->rtt_us / 1000.) < 0 || push(&a->rtt_var, a->nrtt, c->rttvar_us / 1000.) < 0)
			return -1;
		a->nrtt++;
	}
	return 0;
}

/* Add aggregate b into a (b keeps its arrays); -1 when out of memory. */
static int merge(conn_agg *a, const conn_agg *b)
{
	a->established += b->established;
	a->opened += b->opened;
	a->closed += b->closed;
	a->bytes_sent += b->bytes_sent;
	a->bytes_received += b->bytes_received;
	a->retransmits += b->retransmits;
	for (int k = 0; k < 3; k++)
		a->failed[k] += b->failed[k];
	for (size_t k = 0; k < b->nrtt; k++) {
		if (push(&a->rtt, a->nrtt, b->rtt[k]) < 0 || push(&a->rtt_var, a->nrtt, b->rtt_var[k]) < 0)
			return -1;
		a->nrtt++;
	}
	return 0;
}

/* Whether `c` has anything to say for the interval. */
static int active(const struct conn *c)
{
	return !c->closed || c->closed_now;
}

static int by_bytes(const void *x, const void *y)
{
	const conn_agg *a = x, *b = y;
	uint64_t va = a->bytes_sent + a->bytes_received, vb = b->bytes_sent + b->bytes_received;

	if (va != vb)
		return va < vb ? 1 : -1;
	if (a->dir != b->dir)
		return a->dir - b->dir;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return strcmp(a->dest, b->dest);
}

static int dest_by_bytes(const void *x, const void *y)
{
	const conn_dest *a = x, *b = y;

	if (a->bytes != b->bytes)
		return a->bytes < b->bytes ? 1 : -1;
	return a->last_seen < b->last_seen ? 1 : a->last_seen > b->last_seen ? -1 : 0;
}

/* Index of the aggregate for (dir, dest, port) in a[0..n) through the
 * open-addressed index idx (cap slots, values index+1); adds it when new. */
static long agg_slot(conn_agg **a, size_t *n, size_t *cap, size_t *idx, size_t icap,
                     const struct conn *c, const char *dest)
{
	size_t h = 2166136261u;
	uint16_t port = c->dir == CONN_OUT ? c->rport : c->lport;

	for (const char *p = dest; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ port ^ ((size_t)c->dir << 20) ^ ((uintptr_t)c->tag >> 4)) & (icap - 1);
	for (; idx[h]; h = (h + 1) & (icap - 1)) {
		conn_agg *g = &(*a)[idx[h] - 1];
		if (g->dir == c->dir && g->port == port && g->tag == c->tag && !strcmp(g->dest, dest))
			return (long)(idx[h] - 1);
	}
	if (*n == *cap) {
		conn_agg *na = realloc(*a, (*cap ? *cap * 2 : 16) * sizeof *na);
		if (!na)
			return -1;
		*a = na;
		*cap = *cap ? *cap * 2 : 16;
	}
	memset(&(*a)[*n], 0, sizeof **a);
	(*a)[*n].dir = c->dir;
	(*a)[*n].port = port;
	(*a)[*n].tag = c->tag;
	snprintf((*a)[*n].dest, sizeof (*a)[*n].dest, "%s", dest);
	idx[h] = ++*n;
	return (long)(*n - 1);
}

/* Rebuild t->top from the outgoing connections of the interval: one entry
 * per (address, remote port), found through an open-addressed index so
 * that many destinations cost no more than many connections. */
static void build_top(conn_table *t)
{
	size_t n = 0, cap = 0, icap = 64;
	conn_dest *d = NULL;
	size_t *idx;

	while (icap < t->n * 2)
		icap *= 2;
	if (!(idx = calloc(icap, sizeof *idx)))
		return;  /* the last top stays */
	for (size_t b = 0; b < t->nbucket; b++)
		for (struct conn *c = t->bucket[b]; c; c = c->next) {
			size_t h = 2166136261u, k;
			if (c->dir != CONN_OUT || !active(c))
				continue;
			for (int i = 0; i < 16; i++)
				h = (h ^ c->raddr[i]) * 16777619u;
			h = (h ^ c->rport ^ ((size_t)c->family << 17)) & (icap - 1);
			for (; idx[h]; h = (h + 1) & (icap - 1))
				if (d[idx[h] - 1].port == c->rport && d[idx[h] - 1].family == c->family &&
				    !memcmp(d[idx[h] - 1].addr, c->raddr, 16))
					break;
			if (!idx[h]) {
				if (n == cap) {
					conn_dest *nd = realloc(d, (cap ? cap * 2 : 16) * sizeof *nd);
					if (!nd)
						goto out;
					d = nd;
					cap = cap ? cap * 2 : 16;
				}
				memset(&d[n], 0, sizeof *d);
				d[n].family = c->family;
				memcpy(d[n].addr, c->raddr, 16);
				d[n].port = c->rport;
				idx[h] = ++n;
			}
			k = idx[h] - 1;
			d[k].bytes += c->d_sent + c->d_rcvd;
			if (c->last_seen > d[k].last_seen)
				d[k].last_seen = c->last_seen;
		}
out:
	free(idx);
	if (n)
		qsort(d, n, sizeof *d, dest_by_bytes);
	free(t->top);
	t->top = d;
	t->ntop = n;
}

size_t conn_top_destinations(const conn_table *t, conn_dest *out, size_t max)
{
	size_t n = t->ntop < max ? t->ntop : max;

	if (n)
		memcpy(out, t->top, n * sizeof *out);
	return n;
}

/* Start a new interval: forget the connections whose end was counted and
 * that the last dump no longer listed; clear the interval's figures. */
static void next_interval(conn_table *t)
{
	for (size_t b = 0; b < t->nbucket; b++)
		for (struct conn **pc = &t->bucket[b]; *pc;) {
			struct conn *c = *pc;
			if (c->closed && c->gen != t->gen) {
				*pc = c->next;
				free(c);
				t->n--;
				continue;
			}
			c->opened_now = c->closed_now = 0;
			c->fail = CONN_FAIL_NONE;
			c->has_rtt = 0;
			c->d_sent = c->d_rcvd = c->d_retrans = 0;
			pc = &c->next;
		}
}

long conn_aggregate(conn_table *t, unsigned max_dest, conn_agg **out)
{
	size_t n = 0, cap = 0, icap = 64, keep;
	size_t *idx;
	conn_agg *a = NULL;
	char dest[64];

	*out = NULL;
	while (icap < t->n * 2)
		icap *= 2;
	if (!(idx = calloc(icap, sizeof *idx)))
		return -1;
	for (size_t b = 0; b < t->nbucket; b++)
		for (struct conn *c = t->bucket[b]; c; c = c->next) {
			long s;
			if (!active(c))
				continue;
			dest_name(t, c, dest, sizeof dest);
			if ((s = agg_slot(&a, &n, &cap, idx, icap, c, dest)) < 0 ||
			    add_conn(&a[s], c) < 0)
				goto oom;
		}
	free(idx);
	idx = NULL;
	if (n)
		qsort(a, n, sizeof *a, by_bytes);
	/* Fold all but the top max_dest into one "other" per direction. */
	keep = n;
	if (n > max_dest) {
		conn_agg other[2];
		memset(other, 0, sizeof other);
		for (int d = 0; d < 2; d++) {
			other[d].dir = d;
			snprintf(other[d].dest, sizeof other[d].dest, "other");
		}
		for (size_t k = max_dest; k < n; k++)
			if (merge(&other[a[k].dir], &a[k]) < 0) {
				agg_clear(&other[0]);
				agg_clear(&other[1]);
				goto oom;
			}
		for (size_t k = max_dest; k < n; k++)
			agg_clear(&a[k]);
		n = keep = max_dest;
		for (int d = 0; d < 2; d++)
			if (other[d].opened || other[d].closed || other[d].established || other[d].nrtt ||
			    other[d].bytes_sent || other[d].bytes_received || other[d].retransmits ||
			    other[d].failed[0] || other[d].failed[1] || other[d].failed[2])
				a[keep++] = other[d];  /* fits: n > max_dest, and cap >= n */
			else
				agg_clear(&other[d]);
	}
	build_top(t);
	next_interval(t);
	*out = a;
	return (long)keep;
oom:
	free(idx);
	conn_aggs_free(a, n);
	return -1;
}

/* Free the sample arrays of `a`. */
static void agg_clear(conn_agg *a)
{
	free(a->rtt);
	free(a->rtt_var);
	a->rtt = a->rtt_var = NULL;
}

void conn_aggs_free(conn_agg *a, size_t n)
{
	for (size_t k = 0; a && k < n; k++)
		agg_clear(&a[k]);
	free(a);
}

/* ---- destination groups ---- */

int conn_groups_parse(const char *text, conn_group *out, size_t max, char *err, size_t errlen)
{
	size_t n = 0;
	const char *p = text;

	while (p && *p) {
		char item[200], addr[64], *eq, *slash, *end;
		size_t len = strcspn(p, ",");
		conn_group g;
		long bits;
		memset(&g, 0, sizeof g);
		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		if (len >= sizeof item) {
			snprintf(err, errlen, "destinations: item too long");
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		while (len && (item[len - 1] == ' ' || item[len - 1] == '\t'))
			item[--len] = '\0';
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
		if (!len)
			continue;
		if (!(eq = strchr(item, '=')) || !(slash = memchr(item, '/', (size_t)(eq - item)))) {
			snprintf(err, errlen, "destinations: \"%s\" is not CIDR=name (10.0.0.0/8=internal)", item);
			return -1;
		}
		*eq = '\0';
		*slash = '\0';
		snprintf(addr, sizeof addr, "%s", item);
		g.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
		bits = strtol(slash + 1, &end, 10);
		if (inet_pton(g.family, addr, g.prefix) != 1 || end == slash + 1 || *end || bits < 0 ||
		    bits > (g.family == AF_INET ? 32 : 128)) {
			snprintf(err, errlen, "destinations: \"%s/%s\" is not an address/prefix length", addr, slash + 1);
			return -1;
		}
		g.bits = (unsigned)bits;
		if (!eq[1] || strlen(eq + 1) >= sizeof g.name || strspn(eq + 1,
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(eq + 1)) {
			snprintf(err, errlen, "destinations: name \"%s\": use 1 to 63 letters, digits, '_', '.' or '-'", eq + 1);
			return -1;
		}
		snprintf(g.name, sizeof g.name, "%s", eq + 1);
		if (n == max) {
			snprintf(err, errlen, "destinations: more than %zu groups", max);
			return -1;
		}
		out[n++] = g;
	}
	return (int)n;
}
