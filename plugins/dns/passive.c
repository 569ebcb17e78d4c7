/*
 * passive.c: mode = "passive" of the dns plugin, in the manner of
 * Datadog's CNM DNS monitoring: the host's own DNS traffic, seen on an
 * AF_PACKET socket (CAP_NET_RAW), gives latency, timeouts and rcodes per
 * server and per domain, without sending anything.
 *
 * Capture: one AF_PACKET socket (all interfaces, or `interface`), with a
 * classic BPF filter in the kernel that passes only UDP and TCP with port
 * 53 at either end, IPv4 (not later fragments) and IPv6 (no extension
 * headers).  It reads the network header through SKF_NET_OFF, so one
 * program serves every link type.  Loopback shows each packet twice
 * (outgoing, then incoming): the outgoing copy is skipped there.  The
 * kernel stamps each packet (SO_TIMESTAMPNS): latency is response stamp
 * minus query stamp, both taken by the same clock at the same layer.
 *
 * Matching: a query (QR 0, to port 53) is remembered under client address
 * and port, server address, transaction id and question (name, type,
 * class); a response (QR 1, from port 53) matches only when all of those
 * agree, so a forged or stray response (wrong id, question or server) is
 * never matched: it counts as dns.unmatched.  A query still unanswered
 * after `timeout` is a timeout.  DNS over TCP counts when a segment holds
 * a whole length-prefixed message (RFC 7766 8), which is how queries and
 * most answers travel; a message split over segments is not seen.
 *
 * Targets are the servers watched: an address, or 0.0.0.0 / :: for every
 * server of that family; a query goes to the first target that names its
 * server exactly, else to the wildcard of its family, else is ignored.  A
 * round of a target sends what it saw since its last round: per server
 * and per domain (the question name cut to `labels` labels), the busiest
 * `max_domains` domains by queries, the rest folded into domain:other.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pkt_dns.h"
#include "dnsprobe.h"

/* Queries remembered at once; beyond that new ones are not tracked and
 * count as dns.capture_drops (a flood, or a server that never answers). */
#define PENDING_MAX 65536
/* Buckets of the pending table (a power of two). */
#define PENDING_BUCKETS 16384
/* Buckets of a target's aggregate table (a power of two). */
#define AGG_BUCKETS 256
/* Packets read per readiness callback before the loop gets a turn. */
#define READ_BURST 256
/* Kernel receive buffer asked for, bytes: 10,000 queries/s bursts. */
#define RCVBUF_BYTES (4 << 20)
/* Longest capture kept of one packet, bytes. */
#define SNAP_LEN 65535
/* Rcodes counted one by one; larger ones share the last slot. */
#define RCODES 24

/* Who asked whom what: the matching key (RFC 1035 7.3: id, question and
 * server; plus the client's address and port, as CNM does). */
struct key {
	int family;             /* AF_INET or AF_INET6 */
	pkt_ipaddr client;      /* the querier */
	pkt_ipaddr server;      /* the server asked */
	uint16_t cport;         /* the querier's port */
	uint16_t id;            /* transaction id */
	uint16_t qtype, qclass; /* question type and class */
	uint8_t proto;          /* IPPROTO_UDP or IPPROTO_TCP */
};

/* A query waiting for its response. */
struct pend {
	struct key k;               /* its key */
	char *qname;                /* its question name (text form) */
	uint32_t hash;              /* hash of key and name */
	double ts;                  /* kernel time it was seen, CLOCK_REALTIME seconds */
	unsigned tidx;              /* target it counts for */
	struct pend *hnext;         /* bucket chain */
	struct pend *prev, *next;   /* age list, oldest first */
};

/* What one target saw for one (server, domain) since its last round. */
struct agg {
	char server[INET6_ADDRSTRLEN]; /* server address as text */
	char *domain;               /* the name cut to `labels` labels */
	unsigned queries;           /* queries seen */
	unsigned rcodes[RCODES];    /* responses by rcode (RCODES-1: that or above) */
	unsigned timeouts;          /* queries that timed out */
	double *rtt;                /* latencies, ms */
	size_t nrtt, caprtt;        /* used and allocated entries of rtt */
	struct agg *next;           /* bucket chain */
};

/* Per target state. */
struct ptarget {
	struct agg *buckets[AGG_BUCKETS]; /* (server, domain) table */
	size_t nagg;                /* entries in it */
	unsigned unmatched;         /* responses for this target's servers that matched nothing */
};

/* The instance. */
struct passive {
	hw_ctx *ctx;
	const struct dns_opts *o;
	int fd;                     /* the AF_PACKET socket, -1 when none */
	hw_io *io;                  /* its watch */
	hw_timer *sweep;            /* fires at the oldest query's timeout */
	double timeout;             /* seconds */
	hw_target *const *tv;       /* the targets */
	size_t n;                   /* how many */
	struct ptarget *pt;         /* one per target */
	struct pend *buckets[PENDING_BUCKETS]; /* pending queries by hash */
	struct pend *oldest, *newest; /* age list */
	size_t npending;            /* queries pending */
	unsigned untracked;         /* queries not tracked: PENDING_MAX reached */
	uint8_t *pkt;               /* receive buffer, SNAP_LEN bytes */
};

/* FNV-1a over `n` bytes, continuing from `h`. */
static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t key_hash(const struct key *k, const char *qname)
{
	uint32_t h = 2166136261u;
	size_t al = k->family == AF_INET ? 4 : 16;

	h = fnv(h, &k->client, al);
	h = fnv(h, &k->server, al);
	h = fnv(h, &k->cport, sizeof k->cport);
	h = fnv(h, &k->id, sizeof k->id);
	h = fnv(h, &k->qtype, sizeof k->qtype);
	return fnv(h, qname, strlen(qname));
}

static int key_eq(const struct key *a, const struct key *b)
{
	size_t al = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && a->proto == b->proto && a->cport == b->cport && a->id == b->id &&
	       a->qtype == b->qtype && a->qclass == b->qclass && !memcmp(&a->client, &b->client, al) &&
	       !memcmp(&a->server, &b->server, al);
}

/* The target that watches `server`, or -1. */
static long target_for(const struct passive *p, int family, const pkt_ipaddr *server)
{
	long wildcard = -1;

	for (size_t i = 0; i < p->n; i++) {
		const hw_target *t = p->tv[i];
		const void *a = family == AF_INET ? (const void *)&((const struct sockaddr_in *)&t->addr)->sin_addr
		                                  : (const void *)&((const struct sockaddr_in6 *)&t->addr)->sin6_addr;
		size_t al = family == AF_INET ? 4 : 16;
		static const uint8_t zero[16];
		if (t->family != family)
			continue;
		if (!memcmp(a, server, al))
			return (long)i;
		if (wildcard < 0 && !memcmp(a, zero, al))
			wildcard = (long)i;
	}
	return wildcard;
}

/* The aggregate of (server, name cut to labels) in target `tidx`, made
 * when new; NULL when out of memory. */
static struct agg *agg_get(struct passive *p, unsigned tidx, int family, const pkt_ipaddr *server,
                           const char *qname)
{
	struct ptarget *pt = &p->pt[tidx];
	char domain[PKT_DNS_NAME_MAX], srv[INET6_ADDRSTRLEN];
	uint32_t h;
	struct agg *a;

	pkt_dns_domain_cut(qname, (unsigned)p->o->labels, domain, sizeof domain);
	inet_ntop(family, server, srv, sizeof srv);
	h = fnv(fnv(2166136261u, srv, strlen(srv)), domain, strlen(domain)) & (AGG_BUCKETS - 1);
	for (a = pt->buckets[h]; a; a = a->next)
		if (!strcmp(a->server, srv) && !strcmp(a->domain, domain))
			return a;
	if (!(a = calloc(1, sizeof *a)) || !(a->domain = strdup(domain))) {
		free(a);
		return NULL;
	}
	memcpy(a->server, srv, sizeof srv);
	a->next = pt->buckets[h];
	pt->buckets[h] = a;
	pt->nagg++;
	return a;
}

static void agg_rtt(struct agg *a, double ms)
{
	if (a->nrtt == a->caprtt) {
		size_t cap = a->caprtt ? a->caprtt * 2 : 16;
		double *v = realloc(a->rtt, cap * sizeof *v);
		if (!v)
			return;
		a->rtt = v;
		a->caprtt = cap;
	}
	a->rtt[a->nrtt++] = ms;
}

static void pend_unlink(struct passive *p, struct pend *e)
{
	struct pend **pp = &p->buckets[e->hash & (PENDING_BUCKETS - 1)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	if (e->prev)
		e->prev->next = e->next;
	else
		p->oldest = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		p->newest = e->prev;
	p->npending--;
	free(e->qname);
	free(e);
}

static double realtime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Count every query older than the timeout as timed out; arm the sweep
 * for the next one. */
static void sweep(struct passive *p, double now)
{
	while (p->oldest && p->oldest->ts + p->timeout <= now) {
		struct pend *e = p->oldest;
		struct agg *a = agg_get(p, e->tidx, e->k.family, &e->k.server, e->qname);
		if (a)
			a->timeouts++;
		pend_unlink(p, e);
	}
	if (p->oldest)
		hw_timer_arm(p->sweep, p->oldest->ts + p->timeout - now + 0.001);
	else
		hw_timer_stop(p->sweep);
}

static void sweep_cb(void *arg)
{
	struct passive *p = arg;

	sweep(p, realtime_now());
}

/* One DNS message from a captured packet. */
static void handle(struct passive *p, const pkt_dns_pkt *pk, double ts)
{
	pkt_dns_msg m;
	struct key k;
	struct pend *e;
	long tidx;
	uint32_t h;

	if (pkt_dns_parse(pk->dns, pk->dns_len, &m) < 0)
		return;
	memset(&k, 0, sizeof k);
	k.family = pk->family;
	k.proto = pk->proto;
	k.id = m.id;
	k.qtype = m.qtype;
	k.qclass = m.qclass;
	if (!m.qr && pk->dport == 53) {
		k.client = pk->src;
		k.server = pk->dst;
		k.cport = pk->sport;
	} else if (m.qr && pk->sport == 53) {
		k.client = pk->dst;
		k.server = pk->src;
		k.cport = pk->dport;
	} else {
		return;
	}
	if ((tidx = target_for(p, k.family, &k.server)) < 0)
		return;
	h = key_hash(&k, m.qname);
	for (e = p->buckets[h & (PENDING_BUCKETS - 1)]; e; e = e->hnext)
		if (e->hash == h && key_eq(&e->k, &k) && !strcmp(e->qname, m.qname))
			break;
	if (!m.qr) {
		struct agg *a;
		if (e)
			return;   /* a retransmission with the same id: timed from the first */
		if (!(a = agg_get(p, (unsigned)tidx, k.family, &k.server, m.qname)))
			return;
		a->queries++;
		if (p->npending >= PENDING_MAX || !(e = calloc(1, sizeof *e)) || !(e->qname = strdup(m.qname))) {
			free(e);
			p->untracked++;
			return;
		}
		e->k = k;
		e->hash = h;
		e->ts = ts;
		e->tidx = (unsigned)tidx;
		e->hnext = p->buckets[h & (PENDING_BUCKETS - 1)];
		p->buckets[h & (PENDING_BUCKETS - 1)] = e;
		e->prev = p->newest;
		if (p->newest)
			p->newest->next = e;
		else
			p->oldest = e;
		p->newest = e;
		p->npending++;
		if (p->npending == 1)
			hw_timer_arm(p->sweep, p->timeout + 0.001);
		return;
	}
	if (!e) {
		p->pt[tidx].unmatched++;
		return;
	}
	{
		struct agg *a = agg_get(p, e->tidx, k.family, &k.server, e->qname);
		if (a) {
			a->rcodes[m.rcode < RCODES - 1 ? m.rcode : RCODES - 1]++;
			agg_rtt(a, (ts - e->ts) * 1e3);
		}
	}
	pend_unlink(p, e);
}

/* Network header offset in a frame of link type `hatype`, or -1. */
static long net_offset(const uint8_t *f, size_t len, unsigned short hatype)
{
	size_t off = 14;

	switch (hatype) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:
		/* 802.1Q / 802.1ad tags the driver left in the frame */
		while (off + 4 <= len && ((f[off - 2] == 0x81 && f[off - 1] == 0x00) || (f[off - 2] == 0x88 && f[off - 1] == 0xa8)))
			off += 4;
		return off <= len ? (long)off : -1;
	case ARPHRD_NONE:
	case ARPHRD_IPGRE:
	case ARPHRD_TUNNEL:
	case ARPHRD_TUNNEL6:
	case ARPHRD_SIT:
#ifdef ARPHRD_RAWIP
	case ARPHRD_RAWIP:
#endif
		return 0;
	default:
		return -1;
	}
}

static void read_cb(void *arg, int fd, int revents)
{
	struct passive *p = arg;
	(void)revents;

	for (int i = 0; i < READ_BURST; i++) {
		struct sockaddr_ll sll;
		char cbuf[PKT_CMSG_SPACE];
		struct iovec iov = { p->pkt, SNAP_LEN };
		struct msghdr msg = { &sll, sizeof sll, &iov, 1, cbuf, sizeof cbuf, 0 };
		struct timespec ts;
		pkt_dns_pkt pk;
		ssize_t r = recvmsg(fd, &msg, MSG_DONTWAIT);
		long off;

		if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				HW_WARN(p->ctx, "capture: %s", strerror(errno));
			return;
		}
		if (sll.sll_pkttype == PACKET_OUTGOING && sll.sll_hatype == ARPHRD_LOOPBACK)
			continue;   /* seen again as it comes in */
		if ((off = net_offset(p->pkt, (size_t)r, sll.sll_hatype)) < 0)
			continue;
		if (pkt_dns_pkt_parse(p->pkt + off, (size_t)r - (size_t)off, &pk) < 0)
			continue;
		if (pkt_rx_time(&msg, &ts) < 0)
			clock_gettime(CLOCK_REALTIME, &ts);
		handle(p, &pk, (double)ts.tv_sec + ts.tv_nsec / 1e9);
	}
}

/* Order of aggregates for a round: by domain, then server. */
static int cmp_agg_domain(const void *a, const void *b)
{
	const struct agg *x = *(struct agg *const *)a, *y = *(struct agg *const *)b;
	int c = strcmp(x->domain, y->domain);

	return c ? c : strcmp(x->server, y->server);
}

/* A domain and its queries, to rank domains. */
struct rank {
	const char *domain;    /* points into an agg */
	unsigned queries;      /* over every server */
};

static int cmp_rank(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;

	if (x->queries != y->queries)
		return x->queries < y->queries ? 1 : -1;
	return strcmp(x->domain, y->domain);
}

/* Send one (server, domain) line set for target `t`. */
static void emit(struct passive *p, hw_target *t, const char *server, const char *domain, const struct agg *sum,
                 const double *rtt, size_t nrtt)
{
	char stag[INET6_ADDRSTRLEN + 8], dtag[PKT_DNS_NAME_MAX + 8], rtag[32], rc[16];
	const char *tags[] = { stag, dtag, NULL, NULL };

	snprintf(stag, sizeof stag, "server:%s", server);
	snprintf(dtag, sizeof dtag, "domain:%s", domain);
	hw_metric1(p->ctx, t, "dns.queries", HW_COUNT, sum->queries, tags);
	if (sum->timeouts)
		hw_metric1(p->ctx, t, "dns.timeouts", HW_COUNT, sum->timeouts, tags);
	if (nrtt)
		hw_metric(p->ctx, t, "dns.rtt", HW_DISTRIBUTION, rtt, nrtt, tags);
	tags[2] = rtag;
	for (int r = 0; r < RCODES; r++)
		if (sum->rcodes[r]) {
			snprintf(rtag, sizeof rtag, "rcode:%s",
			         r == RCODES - 1 ? "other" : pkt_dns_rcode_name(r, rc, sizeof rc));
			hw_metric1(p->ctx, t, "dns.responses", HW_COUNT, sum->rcodes[r], tags);
		}
}

/* Add `a` into `sum` (counts) and its latencies into rtt[*n]. */
static void fold(struct agg *sum, const struct agg *a, double *rtt, size_t *n)
{
	sum->queries += a->queries;
	sum->timeouts += a->timeouts;
	for (int r = 0; r < RCODES; r++)
		sum->rcodes[r] += a->rcodes[r];
	if (a->nrtt)
		memcpy(rtt + *n, a->rtt, a->nrtt * sizeof *rtt);
	*n += a->nrtt;
}

void passive_run(void *state, hw_target *t)
{
	struct passive *p = state;
	struct ptarget *pt = &p->pt[t->index];
	struct agg **v = NULL;
	struct rank *rk = NULL;
	double *rtt = NULL;
	char *kept = NULL;
	size_t n = 0, nr = 0, total = 0;

	sweep(p, realtime_now());
	if (t->index == 0) {
		struct tpacket_stats st;
		socklen_t sl = sizeof st;
		/* reading the counters resets them */
		if (getsockopt(p->fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl) == 0 && st.tp_drops + p->untracked)
			hw_metric1(p->ctx, NULL, "dns.capture_drops", HW_COUNT, st.tp_drops + p->untracked, NULL);
		p->untracked = 0;
	}
	if (pt->unmatched)
		hw_metric1(p->ctx, t, "dns.unmatched", HW_COUNT, pt->unmatched, NULL);
	pt->unmatched = 0;
	if (!pt->nagg) {
		hw_done(p->ctx, t);
		return;
	}
	v = malloc(pt->nagg * sizeof *v);
	rk = malloc(pt->nagg * sizeof *rk);
	kept = malloc(pt->nagg);
	for (int b = 0; v && b < AGG_BUCKETS; b++)
		for (struct agg *a = pt->buckets[b]; a; a = a->next) {
			v[n++] = a;
			total += a->nrtt;
		}
	rtt = malloc((total ? total : 1) * sizeof *rtt);
	if (!v || !rk || !rtt || !kept) {
		HW_ERROR(p->ctx, "out of memory: a round of %s is lost", t->host);
		goto out;
	}
	/* rank domains by queries over all servers; keep the top max_domains */
	qsort(v, n, sizeof *v, cmp_agg_domain);
	for (size_t i = 0; i < n; i++) {
		if (!nr || strcmp(rk[nr - 1].domain, v[i]->domain))
			rk[nr++] = (struct rank){ v[i]->domain, 0 };
		rk[nr - 1].queries += v[i]->queries;
	}
	qsort(rk, nr, sizeof *rk, cmp_rank);
	/* rank entries point into the aggregates: decide every one first */
	for (size_t i = 0; i < n; i++) {
		kept[i] = 0;
		for (size_t r = 0; r < nr && r < (size_t)p->o->max_domains; r++)
			if (!strcmp(rk[r].domain, v[i]->domain))
				kept[i] = 1;
	}
	for (size_t i = 0; i < n; i++) {
		/* kept domains go out one (server, domain) at a time */
		struct agg sum = { .queries = 0 };
		size_t k = 0;
		if (!kept[i])
			continue;
		fold(&sum, v[i], rtt, &k);
		emit(p, t, v[i]->server, v[i]->domain, &sum, rtt, k);
	}
	/* the rest: domain:other, one per server */
	for (size_t i = 0; i < n; i++) {
		struct agg sum = { .queries = 0 };
		size_t k = 0;
		if (kept[i])
			continue;
		for (size_t j = i; j < n; j++)
			if (!kept[j] && !strcmp(v[j]->server, v[i]->server)) {
				fold(&sum, v[j], rtt, &k);
				kept[j] = 1;   /* sent */
			}
		emit(p, t, v[i]->server, "other", &sum, rtt, k);
	}
out:
	/* a new table for the next round */
	for (int b = 0; b < AGG_BUCKETS; b++) {
		while (pt->buckets[b]) {
			struct agg *a = pt->buckets[b];
			pt->buckets[b] = a->next;
			free(a->domain);
			free(a->rtt);
			free(a);
		}
	}
	pt->nagg = 0;
	free(v);
	free(rk);
	free(rtt);
	free(kept);
	hw_done(p->ctx, t);
}

/* Load the BPF program: UDP or TCP, port 53 at either end, IPv4 (no later
 * fragment) or IPv6 (UDP/TCP right after the fixed header). */
static int attach_filter(int fd)
{
	/* SKF_NET_OFF: offsets from the network header, whatever the link */
#define NET(k) ((uint32_t)(SKF_NET_OFF + (k)))
	struct sock_filter code[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_PROTOCOL)),
		/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 10),
		/* 2: IPv4 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, NET(9)),
		/* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 1, 0),
		/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 16),
		/* 5 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, NET(6)),
		/* 6: a later fragment has no ports */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 14, 0),
		/* 7 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, NET(0)),
		/* 8 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf),
		/* 9 */ BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 2),
		/* 10: X = IHL * 4 */ BPF_STMT(BPF_MISC | BPF_TAX, 0),
		/* 11 */ BPF_JUMP(BPF_JMP | BPF_JA, 5, 0, 0),
		/* 12: IPv6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 8),
		/* 13 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, NET(6)),
		/* 14 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 1, 0),
		/* 15 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 5),
		/* 16: X = fixed header */ BPF_STMT(BPF_LDX | BPF_W | BPF_IMM, 40),
		/* 17: source port */ BPF_STMT(BPF_LD | BPF_H | BPF_IND, NET(0)),
		/* 18 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 53, 3, 0),
		/* 19: destination port */ BPF_STMT(BPF_LD | BPF_H | BPF_IND, NET(2)),
		/* 20 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 53, 1, 0),
		/* 21: drop */ BPF_STMT(BPF_RET | BPF_K, 0),
		/* 22: keep */ BPF_STMT(BPF_RET | BPF_K, SNAP_LEN),
	};
#undef NET
	struct sock_fprog prog = { sizeof code / sizeof code[0], code };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

int passive_start(hw_ctx *ctx, const struct dns_opts *o, void **state)
{
	struct passive *p = calloc(1, sizeof *p);
	int on = 1, rcvbuf = RCVBUF_BYTES;

	if (!p) {
		HW_ERROR(ctx, "out of memory");
		return -1;
	}
	p->ctx = ctx;
	p->o = o;
	p->fd = -1;
	p->timeout = hw_timeout(ctx);
	*state = p;
	p->tv = hw_targets(ctx, &p->n);
	for (size_t i = 0; i < p->n; i++)
		if (!p->tv[i]->addrlen || (p->tv[i]->port && p->tv[i]->port != 53)) {
			HW_ERROR(ctx, "target %s: passive targets are server addresses on port 53 "
			         "(0.0.0.0 or :: for every server of a family)", p->tv[i]->host);
			passive_stop(p);
			return -1;
		}
	if (!(p->pt = calloc(p->n, sizeof *p->pt)) || !(p->pkt = malloc(SNAP_LEN)) ||
	    !(p->sweep = hw_timer_new(ctx, sweep_cb, p))) {
		HW_ERROR(ctx, "out of memory");
		passive_stop(p);
		return -1;
	}
	if ((p->fd = hw_raw_socket(ctx, AF_PACKET, htons(ETH_P_ALL))) < 0) {
		HW_ERROR(ctx, "AF_PACKET socket: %s%s", strerror(errno),
		         errno == EPERM ? " (passive mode needs CAP_NET_RAW)" : "");
		passive_stop(p);
		return -1;
	}
	if (attach_filter(p->fd) < 0) {
		HW_ERROR(ctx, "BPF filter: %s", strerror(errno));
		passive_stop(p);
		return -1;
	}
	if (o->interface) {
		struct sockaddr_ll sll;
		memset(&sll, 0, sizeof sll);
		sll.sll_family = AF_PACKET;
		sll.sll_protocol = htons(ETH_P_ALL);
		if (!(sll.sll_ifindex = (int)if_nametoindex(o->interface)) ||
		    bind(p->fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
			HW_ERROR(ctx, "interface %s: %s", o->interface, strerror(errno));
			passive_stop(p);
			return -1;
		}
	}
	setsockopt(p->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
	if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
		setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	/* packets queued before the filter was attached: drop them */
	while (recv(p->fd, p->pkt, SNAP_LEN, MSG_DONTWAIT) >= 0)
		;
	if (!(p->io = hw_io_new(ctx, p->fd, read_cb, p))) {
		HW_ERROR(ctx, "out of memory");
		passive_stop(p);
		return -1;
	}
	hw_io_want(p->io, HW_READ);
	HW_INFO(ctx, "dns passive capture on %s: %zu targets, timeout %gs, %d labels, top %d domains",
	        o->interface ? o->interface : "every interface", p->n, p->timeout, o->labels, o->max_domains);
	return 0;
}

void passive_stop(void *state)
{
	struct passive *p = state;

	if (!p)
		return;
	while (p->oldest)
		pend_unlink(p, p->oldest);
	for (size_t i = 0; p->pt && i < p->n; i++)
		for (int b = 0; b < AGG_BUCKETS; b++)
			while (p->pt[i].buckets[b]) {
				struct agg *a = p->pt[i].buckets[b];
				p->pt[i].buckets[b] = a->next;
				free(a->domain);
				free(a->rtt);
				free(a);
			}
	if (p->fd >= 0)
		close(p->fd);
	free(p->pt);
	free(p->pkt);
	free(p);
}
