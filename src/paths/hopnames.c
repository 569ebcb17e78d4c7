/* hopnames.c: see hopnames.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "hopnames.h"
#include "hopwatch.h"
#include "pkt_dns.h"

/* What an entry knows. */
enum { HN_PENDING = 1, HN_NAME, HN_NONE };

/* One address. */
struct hn_entry {
	int family;                  /* AF_INET or AF_INET6 */
	uint8_t addr[16];            /* the address (4 bytes used for IPv4) */
	int state;                   /* HN_NAME: `name` holds one; HN_NONE: no name; HN_PENDING: first lookup running */
	int running;                 /* a lookup runs (the first, or a refresh of an expired entry) */
	char *name;                  /* the name, or NULL; kept through a refresh and a failure */
	double expires;              /* monotonic seconds when the answer is stale */
	struct hn_entry *hnext;      /* hash chain */
	struct hn_entry *prev, *next;/* recency list, most recent first */
};

struct hopnames {
	struct hopnames_conf c;      /* settings (server not kept) */
	hopnames_start_fn start;     /* starts a lookup */
	void *arg;                   /* its argument */
	struct hn_entry **buckets;   /* hash table */
	size_t nbuckets;             /* a power of 2 */
	struct hn_entry *head, *tail;/* recency list */
	double tokens;               /* lookups that may start now (token bucket, at most `rate`) */
	double refilled;             /* when tokens were last refilled; < 0: never */
	struct hopnames_stats st;    /* counters */
};

int hopnames_valid(const char *name)
{
	size_t n = 0;

	if (!name)
		return 0;
	for (; name[n]; n++) {
		char c = name[n];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return n >= 1 && n <= HOPNAME_MAX - 1;
}

hopnames *hopnames_new(const struct hopnames_conf *c, hopnames_start_fn start, void *arg)
{
	struct hopnames *hn = calloc(1, sizeof *hn);

	if (!hn)
		return NULL;
	hn->c = *c;
	hn->c.server = NULL;
	hn->start = start;
	hn->arg = arg;
	hn->nbuckets = 16;
	while (hn->nbuckets < (size_t)c->cache_size)
		hn->nbuckets <<= 1;
	if (!(hn->buckets = calloc(hn->nbuckets, sizeof *hn->buckets))) {
		free(hn);
		return NULL;
	}
	hn->refilled = -1;
	return hn;
}

/* FNV-1a over the address. */
static size_t hn_hash(const struct hopnames *hn, int family, const uint8_t *addr)
{
	size_t len = family == AF_INET ? 4 : 16;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ addr[i]) * 16777619u;
	return (h ^ (uint32_t)family) & (hn->nbuckets - 1);
}

static struct hn_entry *hn_find(const struct hopnames *hn, int family, const uint8_t *addr)
{
	size_t len = family == AF_INET ? 4 : 16;

	for (struct hn_entry *e = hn->buckets[hn_hash(hn, family, addr)]; e; e = e->hnext)
		if (e->family == family && !memcmp(e->addr, addr, len))
			return e;
	return NULL;
}

static void hn_unlist(struct hopnames *hn, struct hn_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		hn->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		hn->tail = e->prev;
	e->prev = e->next = NULL;
}

static void hn_front(struct hopnames *hn, struct hn_entry *e)
{
	e->next = hn->head;
	if (hn->head)
		hn->head->prev = e;
	hn->head = e;
	if (!hn->tail)
		hn->tail = e;
}

static void hn_drop(struct hopnames *hn, struct hn_entry *e)
{
	struct hn_entry **pp = &hn->buckets[hn_hash(hn, e->family, e->addr)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	hn_unlist(hn, e);
	free(e->name);
	free(e);
	hn->st.entries--;
}

/* Whether a lookup may start now; takes its token when it may. */
static int hn_may_start(struct hopnames *hn, double now)
{
	if (hn->st.in_flight >= (size_t)hn->c.max_in_flight)
		return 0;
	if (hn->refilled < 0 || now < hn->refilled) {
		hn->tokens = hn->c.rate;
	} else {
		hn->tokens += (now - hn->refilled) * hn->c.rate;
		if (hn->tokens > hn->c.rate)
			hn->tokens = hn->c.rate;
	}
	hn->refilled = now;
	if (hn->tokens < 1)
		return 0;
	hn->tokens -= 1;
	return 1;
}

/* Seconds `ttl` kept within [min_ttl, max_ttl]. */
static double hn_bound(const struct hopnames *hn, double ttl)
{
	return ttl < hn->c.min_ttl ? hn->c.min_ttl : ttl > hn->c.max_ttl ? hn->c.max_ttl : ttl;
}

/* Start the lookup of `e`; on a synchronous failure it is a failed answer. */
static void hn_lookup(struct hopnames *hn, struct hn_entry *e, double now)
{
	char qname[PKT_DNS_REVERSE_MAX];

	e->running = 1;
	hn->st.in_flight++;
	hn->st.started++;
	pkt_dns_reverse_name(e->family, e->addr, qname, sizeof qname);
	if (hn->start(hn->arg, e->family, e->addr, qname) < 0)
		hopnames_answer(hn, e->family, e->addr, NULL, 0, now);
}

/* Whether `addr` is loopback (127/8, ::1) or unspecified: never asked
 * about (its name says nothing, and a loopback-only setup sends nothing). */
static int hn_local(int family, const uint8_t *addr)
{
	static const uint8_t zero[16], one[16] = { [15] = 1 };

	if (family == AF_INET)
		return addr[0] == 127 || !memcmp(addr, zero, 4);
	return !memcmp(addr, zero, 16) || !memcmp(addr, one, 16);
}

/* The cache's answer for (family, addr). */
static const char *hn_get(struct hopnames *hn, int family, const uint8_t *addr, double now)
{
	struct hn_entry *e;

	if (!hn || !hn->c.enabled || hn_local(family, addr))
		return NULL;
	if ((e = hn_find(hn, family, addr))) {
		hn_unlist(hn, e);
		hn_front(hn, e);
		if (!e->running && now >= e->expires) {
			if (hn_may_start(hn, now))
				hn_lookup(hn, e, now);
			else
				hn->st.deferred++;
		}
		return e->name;
	}
	if (!hn_may_start(hn, now)) {
		hn->st.deferred++;
		return NULL;
	}
	if (hn->st.entries >= (size_t)hn->c.cache_size) {
		struct hn_entry *old = hn->tail;
		while (old && old->running)
			old = old->prev;
		if (!old) {
			hn->tokens += 1;  /* not started after all */
			hn->st.deferred++;
			return NULL;
		}
		hn_drop(hn, old);
		hn->st.evicted++;
	}
	if (!(e = calloc(1, sizeof *e)))
		return NULL;
	e->family = family;
	memcpy(e->addr, addr, family == AF_INET ? 4 : 16);
	e->state = HN_PENDING;
	e->hnext = hn->buckets[hn_hash(hn, family, addr)];
	hn->buckets[hn_hash(hn, family, addr)] = e;
	hn_front(hn, e);
	hn->st.entries++;
	hn_lookup(hn, e, now);
	return NULL;
}

const char *hopnames_get(hopnames *hn, const char *ip, double now)
{
	uint8_t a[16];

	if (!ip || !*ip)
		return NULL;
	if (inet_pton(AF_INET, ip, a) == 1)
		return hn_get(hn, AF_INET, a, now);
	if (inet_pton(AF_INET6, ip, a) == 1)
		return hn_get(hn, AF_INET6, a, now);
	return NULL;
}

const char *hopnames_get_sa(hopnames *hn, const struct sockaddr *sa, double now)
{
	if (!sa)
		return NULL;
	if (sa->sa_family == AF_INET)
		return hn_get(hn, AF_INET, (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr, now);
	if (sa->sa_family == AF_INET6)
		return hn_get(hn, AF_INET6, (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr, now);
	return NULL;
}

void hopnames_answer(hopnames *hn, int family, const void *addr, const uint8_t *msg, size_t len,
                     double now)
{
	struct hn_entry *e = hn_find(hn, family, addr);
	pkt_dns_ptr p;

	if (!e || !e->running)
		return;
	e->running = 0;
	hn->st.in_flight--;
	if (msg && pkt_dns_ptr_read(msg, len, &p) == 0 && (p.rcode == 0 || p.rcode == 3)) {
		free(e->name);
		e->name = NULL;
		if (p.found && hopnames_valid(p.name) && (e->name = strdup(p.name))) {
			e->state = HN_NAME;
			e->expires = now + hn_bound(hn, p.ttl);
			hn->st.found++;
		} else {
			e->state = HN_NONE;
			e->expires = now + (p.has_ttl ? hn_bound(hn, p.ttl) : hn->c.negative_ttl);
			hn->st.none++;
		}
		return;
	}
	/* timeout, SERVFAIL, REFUSED, unreadable: a name known stays */
	if (e->state == HN_PENDING)
		e->state = HN_NONE;
	e->expires = now + hn->c.negative_ttl;
	hn->st.failed++;
}

struct hopnames_stats hopnames_get_stats(const hopnames *hn)
{
	return hn->st;
}

void hopnames_free(hopnames *hn)
{
	if (!hn)
		return;
	while (hn->head)
		hn_drop(hn, hn->head);
	free(hn->buckets);
	free(hn);
}

/* ------------------------------------------------------------------ */
/* The live resolver                                                    */

/* One running query. */
struct hn_query {
	struct hopnames_live *l;     /* owner */
	int family;                  /* the address asked about */
	uint8_t addr[16];
	dns_req *req;                /* the query */
	struct hn_query *prev, *next;/* running queries, freed with the owner */
};

struct hopnames_live {
	dns *d;                      /* the resolver channel of hop names */
	hopnames *hn;                /* the cache */
	struct hn_query *queries;    /* running */
};

static void live_answer(void *arg, const unsigned char *msg, size_t len, const char *error)
{
	struct hn_query *q = arg;
	struct hopnames_live *l = q->l;

	if (!msg)
		HW_DEBUG(NULL, "hop names: lookup failed: %s", error ? error : "no answer");
	if (q->prev)
		q->prev->next = q->next;
	else
		l->queries = q->next;
	if (q->next)
		q->next->prev = q->prev;
	hopnames_answer(l->hn, q->family, q->addr, msg, len, hw_mono());
	free(q);
}

static int live_start(void *arg, int family, const void *addr, const char *qname)
{
	struct hopnames_live *l = arg;
	struct hn_query *q = calloc(1, sizeof *q);

	if (!q)
		return -1;
	q->l = l;
	q->family = family;
	memcpy(q->addr, addr, family == AF_INET ? 4 : 16);
	if (!(q->req = dns_query(l->d, qname, PKT_DNS_PTR, live_answer, q))) {
		free(q);
		return -1;
	}
	q->next = l->queries;
	if (l->queries)
		l->queries->prev = q;
	l->queries = q;
	return 0;
}

hopnames_live *hopnames_live_new(struct ev_loop *loop, const struct hopnames_conf *c, char *err,
                                 size_t errlen)
{
	struct hopnames_live *l = calloc(1, sizeof *l);

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!(l->d = dns_new_with(loop, c->server, c->timeout, 2, err, errlen)) ||
	    !(l->hn = hopnames_new(c, live_start, l))) {
		if (l->d && !l->hn)
			snprintf(err, errlen, "out of memory");
		hopnames_live_free(l);
		return NULL;
	}
	return l;
}

hopnames *hopnames_live_cache(hopnames_live *l)
{
	return l ? l->hn : NULL;
}

void hopnames_live_free(hopnames_live *l)
{
	if (!l)
		return;
	dns_free(l->d);  /* no callback runs any more */
	while (l->queries) {
		struct hn_query *q = l->queries;
		l->queries = q->next;
		free(q);
	}
	hopnames_free(l->hn);
	free(l);
}
