/*
 * query.c: mode = "query" of the dns plugin: ask each target `name` of
 * `type` every interval through c-ares, driven by the host's hw_io and
 * hw_timer (the plugin never sees libev, nor blocks: no getaddrinfo).
 *
 * One c-ares channel per target: c-ares 1.18 sends a query to the servers
 * of its channel, and ares_set_servers refuses to change them while a query
 * is pending, so targets of one instance cannot share a channel without
 * waiting for each other.  A target has at most one query in flight (the
 * scheduler never overlaps rounds), which also tells which transport
 * answered: when c-ares opens a TCP socket during the query (a truncated
 * UDP answer, RFC 7766 5), the answer came over TCP.
 *
 * The query is built by lib/pkt (pkt_dns_query_build; c-ares sets the
 * id) and sent with ares_send, so the rcode and the records come back raw
 * (ARES_FLAG_NOCHECKRESP: SERVFAIL and REFUSED are answers here, not a
 * reason to try another server).  c-ares checks that the answer's id and
 * question are ours and comes from the server's connected socket.  One
 * try (ARES_OPT_TRIES 1) of `timeout` per server: a lost query is a
 * timeout, not a retransmission.
 *
 * RTT: hw_mono() from just before ares_send to the callback, which c-ares
 * makes from ares_process_fd in the io callback as the answer is read: the
 * time an application would wait, TCP fallback (and its handshake) included.
 */
#include <ares.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pkt_dns.h"
#include "dnsprobe.h"

/* Sockets one channel may hold at once: UDP and TCP to one server, or to
 * every resolver of resolv.conf (c-ares reads at most a few). */
#define QUERY_SOCKS 8
/* Longest query we build: a 255-octet name, header, question, OPT. */
#define QUERY_MAX 300

struct query;

/* One socket c-ares asked us to watch. */
struct qsock {
	int fd;                /* -1: slot free */
	hw_io *io;             /* its watch */
	struct qtarget *qt;    /* back pointer for the callback */
};

/* Per target state. */
struct qtarget {
	struct query *q;       /* the instance */
	hw_target *t;          /* the target */
	ares_channel ch;       /* its channel; valid when ch_ok */
	int ch_ok;             /* ares_init_options succeeded */
	int system;            /* target "system": the channel keeps resolv.conf's servers */
	struct sockaddr_storage server; /* the server the channel has now (not system) */
	hw_timer *timer;       /* drives c-ares' timeouts (ares_timeout) */
	struct qsock socks[QUERY_SOCKS]; /* watched sockets */
	int busy;              /* a query is in flight */
	int used_tcp;          /* the query in flight opened a TCP socket */
	double sent;           /* hw_mono() at ares_send, seconds */
	char *answers;         /* the last answer set (sorted, ", "-joined), NULL before the first */
};

/* The instance. */
struct query {
	hw_ctx *ctx;
	const struct dns_opts *o;
	uint8_t qbuf[QUERY_MAX];   /* the query, built once */
	size_t qlen;               /* its length */
	uint16_t qtype;            /* its type */
	struct qtarget *qt;        /* one per target */
	size_t n;                  /* targets */
	char *expect[64];          /* expect split at commas, trimmed */
	size_t nexpect;            /* entries in expect */
	int lib_ready;             /* ares_library_init succeeded */
};

static void rearm(struct qtarget *qt)
{
	struct timeval tv, *tvp;

	if (!qt->ch_ok)
		return;
	tvp = ares_timeout(qt->ch, NULL, &tv);
	if (tvp)
		hw_timer_arm(qt->timer, (double)tvp->tv_sec + tvp->tv_usec / 1e6);
	else
		hw_timer_stop(qt->timer);
}

static void io_cb(void *arg, int fd, int revents)
{
	struct qsock *s = arg;
	struct qtarget *qt = s->qt;

	ares_process_fd(qt->ch, (revents & HW_READ) ? fd : ARES_SOCKET_BAD,
	                (revents & HW_WRITE) ? fd : ARES_SOCKET_BAD);
	rearm(qt);
}

static void timer_cb(void *arg)
{
	struct qtarget *qt = arg;

	ares_process_fd(qt->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	rearm(qt);
}

/* c-ares says which sockets to watch for what. */
static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct qtarget *qt = data;
	struct qsock *s = NULL, *free_slot = NULL;

	for (int i = 0; i < QUERY_SOCKS; i++) {
		if (qt->socks[i].fd == fd)
			s = &qt->socks[i];
		else if (!free_slot && qt->socks[i].fd < 0)
			free_slot = &qt->socks[i];
	}
	if (!s) {
		int type = 0;
		socklen_t tl = sizeof type;
		if (!readable && !writable)
			return;
		if (!free_slot) {
			HW_ERROR(qt->q->ctx, "target %s: more than %d c-ares sockets; the query may time out",
			         qt->t->host, QUERY_SOCKS);
			return;
		}
		s = free_slot;
		if (!(s->io = hw_io_new(qt->q->ctx, fd, io_cb, s))) {
			HW_ERROR(qt->q->ctx, "out of memory");
			return;
		}
		s->fd = fd;
		if (qt->busy && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_STREAM)
			qt->used_tcp = 1;
	}
	if (readable || writable) {
		hw_io_want(s->io, (readable ? HW_READ : 0) | (writable ? HW_WRITE : 0));
	} else {
		hw_io_free(s->io);
		s->io = NULL;
		s->fd = -1;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The answer section of `msg` as text: rdata of every record, sorted and
 * deduplicated, joined with ", " into a new string (NULL: out of memory).
 * *n receives the number of records read. */
static char *answer_set(const uint8_t *msg, size_t len, const pkt_dns_msg *m, unsigned *n)
{
	char **v = calloc(m->ancount ? m->ancount : 1, sizeof *v);
	char text[PKT_DNS_RDATA_MAX], *out;
	size_t off = m->an_off, total = 1, k = 0;

	*n = 0;
	if (!v)
		return NULL;
	for (unsigned i = 0; i < m->ancount; i++) {
		pkt_dns_rr rr;
		if (pkt_dns_rr_read(msg, len, &off, &rr) < 0)
			break;
		(*n)++;
		if (pkt_dns_rdata_text(msg, len, &rr, text, sizeof text) < 0)
			continue;
		if (!(v[k] = strdup(text)))
			break;
		total += strlen(text) + 2;
		k++;
	}
	qsort(v, k, sizeof *v, cmp_str);
	if ((out = malloc(total))) {
		size_t o = 0;
		out[0] = '\0';
		for (size_t i = 0; i < k; i++) {
			if (i && !strcmp(v[i], v[i - 1]))
				continue;
			o += (size_t)sprintf(out + o, "%s%s", o ? ", " : "", v[i]);
		}
	}
	for (size_t i = 0; i < k; i++)
		free(v[i]);
	free(v);
	return out;
}

/* Whether `set` (", "-joined) holds `want`, or its TXT form "\"want\"". */
static int set_has(const char *set, const char *want)
{
	size_t wl = strlen(want);

	for (const char *p = set; *p;) {
		const char *e = strstr(p, ", ");
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if ((l == wl && !memcmp(p, want, wl)) ||
		    (l == wl + 2 && p[0] == '"' && p[l - 1] == '"' && !memcmp(p + 1, want, wl)))
			return 1;
		p += l + (e ? 2 : 0);
	}
	return 0;
}

/* A failed query: count `metric` (tagged error:`error` unless NULL), say
 * why in the service check. */
static void report_failure(struct qtarget *qt, const char *metric, const char *error, const char *why)
{
	struct query *q = qt->q;
	char tag[64], msg[256];
	const char *tags[] = { tag, NULL };

	snprintf(tag, sizeof tag, "error:%s", error ? error : "");
	hw_metric1(q->ctx, qt->t, metric, HW_COUNT, 1, error ? tags : NULL);
	snprintf(msg, sizeof msg, "%s %s: %s", q->o->name, dns_type_words[q->o->type], why);
	hw_service_check(q->ctx, qt->t, "dns.can_resolve", HW_CRITICAL, msg, NULL);
}

/* The answer set changed from `old` to `now`: the event and the count. */
static void report_change(struct qtarget *qt, const char *old, const char *now)
{
	struct query *q = qt->q;
	char title[400], key[400], *text = NULL;

	snprintf(title, sizeof title, "DNS answer changed: %s %s at %s", q->o->name, dns_type_words[q->o->type],
	         qt->t->host);
	snprintf(key, sizeof key, "dns:%s:%s:%s", qt->t->host, q->o->name, dns_type_words[q->o->type]);
	if (asprintf(&text, "old: %s\nnew: %s", *old ? old : "(none)", *now ? now : "(none)") < 0)
		text = NULL;
	hw_event(q->ctx, qt->t, title, text ? text : "answer changed", HW_ALERT_INFO, key, NULL);
	hw_metric1(q->ctx, qt->t, "dns.answer_changes", HW_COUNT, 1, NULL);
	hw_change_report(q->ctx, qt->t, "dns_answer", old, now);
	HW_INFO(q->ctx, "%s", title);
	free(text);
}

/* A response came: RTT, rcode, answers, change, service check. */
static void report_answer(struct qtarget *qt, const uint8_t *abuf, size_t alen, double rtt_ms)
{
	struct query *q = qt->q;
	pkt_dns_msg m;
	char rc[32], rtag[48], ttag[24], msg[512], *set;
	const char *tags[] = { rtag, ttag, NULL };
	unsigned n;
	int r = pkt_dns_parse(abuf, alen, &m);

	if (r < 0 || !m.qr || m.qtype != q->qtype) {
		report_failure(qt, "dns.query_errors", "malformed", "the response does not parse");
		return;
	}
	snprintf(rtag, sizeof rtag, "rcode:%s", pkt_dns_rcode_name(m.rcode, rc, sizeof rc));
	snprintf(ttag, sizeof ttag, "transport:%s", qt->used_tcp ? "tcp" : "udp");
	hw_metric1(q->ctx, qt->t, "dns.rtt", HW_DISTRIBUTION, rtt_ms, tags);
	hw_metric1(q->ctx, qt->t, "dns.responses", HW_COUNT, 1, tags);
	set = answer_set(abuf, alen, &m, &n);
	hw_metric1(q->ctx, qt->t, "dns.answers", HW_GAUGE, n, NULL);
	if (!set) {
		HW_ERROR(q->ctx, "out of memory");
		return;
	}
	/* A change is between two answers with the same rcode meaning: a
	 * server that fails for a round (SERVFAIL) does not change the data. */
	if (m.rcode == 0 || m.rcode == 3) {
		if (qt->answers && strcmp(qt->answers, set))
			report_change(qt, qt->answers, set);
		free(qt->answers);
		qt->answers = set;
		set = NULL;
	}
	if (m.rcode != dns_rcode_values[q->o->rcode]) {
		snprintf(msg, sizeof msg, "%s %s: rcode %s, expected %s", q->o->name, dns_type_words[q->o->type],
		         rtag + 6, dns_rcode_words[q->o->rcode]);
		hw_service_check(q->ctx, qt->t, "dns.can_resolve", HW_CRITICAL, msg, NULL);
		free(set);
		return;
	}
	for (size_t i = 0; i < q->nexpect; i++)
		if (!set_has(qt->answers ? qt->answers : set, q->expect[i])) {
			snprintf(msg, sizeof msg, "%s %s: the answer lacks %s", q->o->name, dns_type_words[q->o->type],
			         q->expect[i]);
			hw_service_check(q->ctx, qt->t, "dns.can_resolve", HW_CRITICAL, msg, NULL);
			free(set);
			return;
		}
	snprintf(msg, sizeof msg, "%s %s: %s in %.3f ms", q->o->name, dns_type_words[q->o->type], rtag + 6, rtt_ms);
	hw_service_check(q->ctx, qt->t, "dns.can_resolve", HW_OK, msg, NULL);
	free(set);
}

static void answer_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct qtarget *qt = arg;
	double rtt_ms = (hw_mono() - qt->sent) * 1e3;
	(void)timeouts;

	if (status == ARES_EDESTRUCTION)
		return;   /* the instance stops: no round to finish */
	qt->busy = 0;
	if (status == ARES_SUCCESS && abuf && alen > 0)
		report_answer(qt, abuf, (size_t)alen, rtt_ms);
	else if (status == ARES_ETIMEOUT)
		report_failure(qt, "dns.timeouts", NULL, "no response within the timeout");
	else if (status == ARES_ECONNREFUSED)
		report_failure(qt, "dns.query_errors", "refused", "the server refused (port closed, ICMP unreachable)");
	else
		report_failure(qt, "dns.query_errors", "other", ares_strerror(status));
	hw_done(qt->q->ctx, qt->t);
}

/* Point the channel of `qt` at the target's current address. */
static int set_server(struct qtarget *qt)
{
	struct ares_addr_port_node node;
	const hw_target *t = qt->t;
	uint16_t port = t->port ? t->port : 53;
	int rc;

	memset(&node, 0, sizeof node);
	node.family = t->family;
	if (t->family == AF_INET)
		node.addr.addr4 = ((const struct sockaddr_in *)&t->addr)->sin_addr;
	else
		memcpy(&node.addr.addr6, &((const struct sockaddr_in6 *)&t->addr)->sin6_addr, 16);
	node.udp_port = node.tcp_port = port;
	if ((rc = ares_set_servers_ports(qt->ch, &node)) != ARES_SUCCESS) {
		HW_ERROR(qt->q->ctx, "target %s: c-ares: %s", t->host, ares_strerror(rc));
		return -1;
	}
	qt->server = t->addr;
	return 0;
}

void query_run(void *state, hw_target *t)
{
	struct query *q = state;
	struct qtarget *qt = &q->qt[t->index];

	if (!qt->ch_ok || qt->busy) {
		hw_done(q->ctx, t);
		return;
	}
	if (!qt->system && memcmp(&qt->server, &t->addr, sizeof qt->server) && set_server(qt) < 0) {
		report_failure(qt, "dns.query_errors", "other", "cannot set the server");
		hw_done(q->ctx, t);
		return;
	}
	qt->busy = 1;
	qt->used_tcp = q->o->transport == TRANSPORT_TCP;
	qt->sent = hw_mono();
	ares_send(qt->ch, q->qbuf, (int)q->qlen, answer_cb, qt);
	if (qt->ch_ok)
		rearm(qt);
}

/* Split the expect setting at commas into q->expect. */
static int split_expect(struct query *q)
{
	const char *p = q->o->expect;

	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		while (l && (*p == ' ' || *p == '\t'))
			p++, l--;
		while (l && (p[l - 1] == ' ' || p[l - 1] == '\t'))
			l--;
		if (l) {
			if (q->nexpect == sizeof q->expect / sizeof q->expect[0]) {
				HW_ERROR(q->ctx, "expect: more than %zu values", q->nexpect);
				return -1;
			}
			if (!(q->expect[q->nexpect++] = strndup(p, l)))
				return -1;
		}
		p = e ? e + 1 : NULL;
	}
	return 0;
}

/* Target "system": the first resolver of resolv.conf, as c-ares read it,
 * becomes the target's address (the core never looks "system" up). */
static void system_addr(struct qtarget *qt)
{
	struct ares_addr_port_node *list = NULL;
	hw_target *t = qt->t;

	if (ares_get_servers_ports(qt->ch, &list) != ARES_SUCCESS || !list) {
		HW_WARN(qt->q->ctx, "target system: no resolver in resolv.conf");
		return;
	}
	memset(&t->addr, 0, sizeof t->addr);
	if (list->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&t->addr;
		sin->sin_family = AF_INET;
		sin->sin_addr = list->addr.addr4;
		sin->sin_port = htons(list->udp_port ? (uint16_t)list->udp_port : 53);
		t->addrlen = sizeof *sin;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t->addr;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, &list->addr.addr6, 16);
		sin6->sin6_port = htons(list->udp_port ? (uint16_t)list->udp_port : 53);
		t->addrlen = sizeof *sin6;
	}
	t->family = list->family;
	ares_free_data(list);
}

/* Set up the channel of one target. */
static int channel_start(struct query *q, struct qtarget *qt)
{
	struct ares_options ao;
	int rc;

	memset(&ao, 0, sizeof ao);
	ao.flags = ARES_FLAG_NOCHECKRESP | (q->o->transport == TRANSPORT_TCP ? ARES_FLAG_USEVC : 0);
	ao.timeout = (int)(hw_timeout(q->ctx) * 1000 + 0.5);
	ao.tries = 1;
	ao.sock_state_cb = sock_state;
	ao.sock_state_cb_data = qt;
	rc = ares_init_options(&qt->ch, &ao, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB);
	if (rc != ARES_SUCCESS) {
		HW_ERROR(q->ctx, "target %s: c-ares: %s", qt->t->host, ares_strerror(rc));
		return -1;
	}
	qt->ch_ok = 1;
	return 0;
}

int query_start(hw_ctx *ctx, const struct dns_opts *o, void **state)
{
	struct query *q = calloc(1, sizeof *q);
	hw_target *const *tv;
	int rc;

	if (!q) {
		HW_ERROR(ctx, "out of memory");
		return -1;
	}
	q->ctx = ctx;
	q->o = o;
	*state = q;
	if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		HW_ERROR(ctx, "c-ares: %s", ares_strerror(rc));
		query_stop(q);
		return -1;
	}
	q->lib_ready = 1;
	q->qtype = pkt_dns_type_code(dns_type_words[o->type]);
	q->qlen = pkt_dns_query_build(q->qbuf, sizeof q->qbuf, 0, o->name, q->qtype, o->recursion,
	                              (uint16_t)o->edns);
	if (!q->qlen || split_expect(q) < 0) {
		HW_ERROR(ctx, "name \"%s\": cannot build the query", o->name);
		query_stop(q);
		return -1;
	}
	tv = hw_targets(ctx, &q->n);
	if (!(q->qt = calloc(q->n, sizeof *q->qt))) {
		HW_ERROR(ctx, "out of memory for %zu targets", q->n);
		query_stop(q);
		return -1;
	}
	for (size_t i = 0; i < q->n; i++) {
		struct qtarget *qt = &q->qt[i];
		qt->q = q;
		qt->t = tv[i];
		for (int k = 0; k < QUERY_SOCKS; k++)
			qt->socks[k].fd = -1, qt->socks[k].qt = qt;
		qt->system = !strcmp(tv[i]->host, "system");
		if (!(qt->timer = hw_timer_new(ctx, timer_cb, qt)) || channel_start(q, qt) < 0) {
			query_stop(q);
			return -1;
		}
		if (qt->system)
			system_addr(qt);
	}
	HW_INFO(ctx, "dns queries for %s %s: %zu targets over %s, timeout %gs", o->name, dns_type_words[o->type],
	        q->n, o->transport == TRANSPORT_TCP ? "TCP" : "UDP (TCP when truncated)", hw_timeout(ctx));
	return 0;
}

void query_stop(void *state)
{
	struct query *q = state;

	if (!q)
		return;
	for (size_t i = 0; q->qt && i < q->n; i++) {
		struct qtarget *qt = &q->qt[i];
		if (qt->ch_ok)
			ares_destroy(qt->ch);   /* callbacks run with ARES_EDESTRUCTION */
		qt->ch_ok = 0;
		free(qt->answers);
	}
	for (size_t i = 0; i < q->nexpect; i++)
		free(q->expect[i]);
	free(q->qt);
	if (q->lib_ready)
		ares_library_cleanup();
	free(q);
}
