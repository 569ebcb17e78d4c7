/* dns.c: c-ares driven by libev watchers (see dns.h). */
#include <arpa/inet.h>
#include <ares.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "hopwatch.h"

/* Most sockets c-ares keeps open at once (it uses one or two per server). */
#define DNS_MAX_SOCKS 16

struct dns_sock {
	ev_io io;        /* watcher for one c-ares socket; io.fd < 0 when unused */
	struct dns *d;   /* back pointer for the callback */
};

struct dns {
	struct ev_loop *loop;                 /* the daemon's loop */
	ares_channel channel;                 /* c-ares state */
	ev_timer timer;                       /* drives c-ares retransmits and timeouts */
	struct dns_sock socks[DNS_MAX_SOCKS]; /* watched sockets */
	ev_timer later;                       /* delivers answers c-ares gave synchronously */
	struct dns_req *done;                 /* those answers, waiting for `later` */
	int closing;                          /* set by dns_free: no more callbacks */
};

struct dns_req {
	dns_cb cb;                    /* NULL once cancelled (and for a dns_query) */
	dns_raw_cb raw_cb;            /* a dns_query's callback; NULL once cancelled */
	void *arg;                    /* callback argument */
	struct dns *d;                /* owning resolver */
	int in_resolve;               /* set while dns_resolve() runs */
	struct sockaddr_storage ss;   /* a synchronous answer, kept for `later` */
	socklen_t sslen;              /* its length, 0 when it was an error */
	const char *error;            /* a synchronous error (static text) */
	unsigned char *msg;           /* a dns_query's synchronous answer, or NULL */
	size_t msglen;                /* its length */
	struct dns_req *next;         /* link in dns.done */
};

/* Hand the answer to the caller and free the request. */
static void dns_deliver(struct dns_req *r, const struct sockaddr *sa, socklen_t len,
                        const char *error)
{
	if (r->cb && !r->d->closing)
		r->cb(r->arg, sa, len, error);
	free(r);
}

/* Hand a dns_query's answer to the caller and free the request. */
static void dns_deliver_raw(struct dns_req *r, const unsigned char *msg, size_t len, const char *error)
{
	if (r->raw_cb && !r->d->closing)
		r->raw_cb(r->arg, msg, len, error);
	free(r->msg);
	free(r);
}

/* Keep an answer given from inside the call that asked for it, for `later`. */
static void dns_defer(struct dns_req *r)
{
	r->next = r->d->done;
	r->d->done = r;
	if (!ev_is_active(&r->d->later))
		ev_timer_start(r->d->loop, &r->d->later);
}

static void dns_later_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dns *d = (struct dns *)((char *)w - offsetof(struct dns, later));
	struct dns_req *list = d->done;
	(void)loop;
	(void)revents;

	d->done = NULL;
	while (list) {
		struct dns_req *r = list;
		list = r->next;
		if (r->raw_cb || r->msg)
			dns_deliver_raw(r, r->msg, r->msglen, r->error);
		else
			dns_deliver(r, r->sslen ? (struct sockaddr *)&r->ss : NULL, r->sslen, r->error);
	}
}

static void dns_rearm(struct dns *d)
{
	struct timeval tv, *tvp;

	ev_timer_stop(d->loop, &d->timer);
	tvp = ares_timeout(d->channel, NULL, &tv);
	if (tvp) {
		ev_timer_set(&d->timer, (double)tvp->tv_sec + tvp->tv_usec / 1e6, 0.);
		ev_timer_start(d->loop, &d->timer);
	}
}

static void dns_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct dns_sock *s = (struct dns_sock *)w;
	(void)loop;
	ares_process_fd(s->d->channel,
	                (revents & EV_READ) ? w->fd : ARES_SOCKET_BAD,
	                (revents & EV_WRITE) ? w->fd : ARES_SOCKET_BAD);
	dns_rearm(s->d);
}

static void dns_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dns *d = (struct dns *)((char *)w - offsetof(struct dns, timer));
	(void)loop;
	(void)revents;
	ares_process_fd(d->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	dns_rearm(d);
}

/* c-ares tells which sockets to watch for what. */
static void dns_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns *d = data;
	struct dns_sock *s = NULL, *free_slot = NULL;

	for (int i = 0; i < DNS_MAX_SOCKS; i++) {
		if (d->socks[i].io.fd == fd)
			s = &d->socks[i];
		else if (!free_slot && d->socks[i].io.fd < 0)
			free_slot = &d->socks[i];
	}
	if (!s) {
		if (!readable && !writable)
			return;
		if (!free_slot) {
			HW_ERROR(NULL, "dns: more than %d resolver sockets; lookups may stall", DNS_MAX_SOCKS);
			return;
		}
		s = free_slot;
	}
	ev_io_stop(d->loop, &s->io);
	if (readable || writable) {
		ev_io_set(&s->io, fd, (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0));
		ev_io_start(d->loop, &s->io);
	} else {
		ev_io_set(&s->io, -1, 0);
	}
}

dns *dns_new(struct ev_loop *loop, char *err, size_t errlen)
{
	return dns_new_with(loop, NULL, 0, 0, err, errlen);
}

dns *dns_new_with(struct ev_loop *loop, const char *server, double timeout, int tries, char *err,
                  size_t errlen)
{
	static int lib_ready;
	struct ares_options opts;
	struct dns *d;
	int rc;

	if (!lib_ready) {
		if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
			snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
			return NULL;
		}
		lib_ready = 1;
	}
	if (!(d = calloc(1, sizeof *d))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->loop = loop;
	for (int i = 0; i < DNS_MAX_SOCKS; i++) {
		ev_io_init(&d->socks[i].io, dns_io_cb, -1, 0);
		d->socks[i].d = d;
	}
	ev_timer_init(&d->timer, dns_timer_cb, 0., 0.);
	ev_timer_init(&d->later, dns_later_cb, 0., 0.);
	memset(&opts, 0, sizeof opts);
	opts.sock_state_cb = dns_sock_state;
	opts.sock_state_cb_data = d;
	opts.timeout = (int)(timeout * 1000 + 0.5);
	opts.tries = tries;
	rc = ares_init_options(&d->channel, &opts, ARES_OPT_SOCK_STATE_CB |
	                       (timeout > 0 ? ARES_OPT_TIMEOUTMS : 0) | (tries > 0 ? ARES_OPT_TRIES : 0));
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		free(d);
		return NULL;
	}
	if (server && (rc = ares_set_servers_ports_csv(d->channel, server)) != ARES_SUCCESS) {
		snprintf(err, errlen, "DNS server \"%s\": %s", server, ares_strerror(rc));
		ares_destroy(d->channel);
		free(d);
		return NULL;
	}
	return d;
}

static void dns_addrinfo_cb(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct dns_req *r = arg;
	struct ares_addrinfo_node *n = NULL;
	(void)timeouts;

	const char *error = NULL;

	if (status == ARES_SUCCESS && res)
		for (n = res->nodes; n; n = n->ai_next)
			if (n->ai_family == AF_INET || n->ai_family == AF_INET6)
				break;
	if (!n)
		error = status == ARES_SUCCESS ? "no address of the wanted family"
		                               : ares_strerror(status);
	if (r->in_resolve) {
		/* Answered from inside dns_resolve (hosts file, bad name): keep
		 * the promise that callbacks never run before it returns. */
		if (n && n->ai_addrlen <= sizeof r->ss) {
			memcpy(&r->ss, n->ai_addr, n->ai_addrlen);
			r->sslen = n->ai_addrlen;
		}
		r->error = error;
		dns_defer(r);
	} else {
		dns_deliver(r, n ? n->ai_addr : NULL, n ? n->ai_addrlen : 0, error);
	}
	if (res)
		ares_freeaddrinfo(res);
}

dns_req *dns_resolve(dns *d, const char *host, int family, dns_cb cb, void *arg)
{
	struct ares_addrinfo_hints hints;
	struct dns_req *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->cb = cb;
	r->arg = arg;
	r->d = d;
	r->in_resolve = 1;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = family;
	hints.ai_flags = ARES_AI_NOSORT;
	ares_getaddrinfo(d->channel, host, NULL, &hints, dns_addrinfo_cb, r);
	r->in_resolve = 0;
	dns_rearm(d);
	return r;
}

static void dns_query_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct dns_req *r = arg;
	const char *error = abuf && alen > 0 ? NULL : ares_strerror(status);
	(void)timeouts;

	if (r->in_resolve) {
		if (abuf && alen > 0 && (r->msg = malloc((size_t)alen))) {
			memcpy(r->msg, abuf, (size_t)alen);
			r->msglen = (size_t)alen;
		}
		r->error = r->msg ? NULL : error ? error : "out of memory";
		dns_defer(r);
	} else {
		dns_deliver_raw(r, abuf && alen > 0 ? abuf : NULL, abuf && alen > 0 ? (size_t)alen : 0, error);
	}
}

dns_req *dns_query(dns *d, const char *name, int type, dns_raw_cb cb, void *arg)
{
	struct dns_req *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->raw_cb = cb;
	r->arg = arg;
	r->d = d;
	r->in_resolve = 1;
	ares_query(d->channel, name, 1 /* C_IN */, type, dns_query_cb, r);
	r->in_resolve = 0;
	dns_rearm(d);
	return r;
}

void dns_cancel(dns_req *r)
{
	if (r)
		r->cb = NULL, r->raw_cb = NULL;
}

void dns_free(dns *d)
{
	if (!d)
		return;
	d->closing = 1;
	ares_destroy(d->channel);  /* runs every pending callback with ARES_EDESTRUCTION */
	while (d->done) {
		struct dns_req *r = d->done;
		d->done = r->next;
		free(r->msg);
		free(r);
	}
	ev_timer_stop(d->loop, &d->later);
	for (int i = 0; i < DNS_MAX_SOCKS; i++)
		ev_io_stop(d->loop, &d->socks[i].io);
	ev_timer_stop(d->loop, &d->timer);
	free(d);
}

int dns_literal(const char *host, int family, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	if (family != AF_INET6) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
			sin->sin_family = AF_INET;
			*len = sizeof *sin;
			return 1;
		}
	}
	if (family != AF_INET) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
			sin6->sin6_family = AF_INET6;
			*len = sizeof *sin6;
			return 1;
		}
	}
	return 0;
}
