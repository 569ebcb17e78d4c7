/*
 * dns.h: asynchronous name resolution with c-ares on the daemon's libev
 * loop.  No call here blocks; literal addresses never reach c-ares.
 */
#ifndef HW_DNS_H
#define HW_DNS_H

#include <sys/socket.h>

struct ev_loop;

/* A resolver bound to one loop. */
typedef struct dns dns;
/* One pending lookup; becomes invalid once its callback ran or it was cancelled. */
typedef struct dns_req dns_req;

/* Result of a lookup: `sa` (port 0) on success, else NULL and a message. */
typedef void (*dns_cb)(void *arg, const struct sockaddr *sa, socklen_t salen,
                       const char *error);

/* A resolver using the system's resolv.conf and hosts file; NULL and a
 * message in err on failure. */
dns *dns_new(struct ev_loop *loop, char *err, size_t errlen);
/* A resolver of its own for dns_query: asking `server` ("addr",
 * "addr:port", "[v6]:port"; NULL: resolv.conf's servers), each try waiting
 * `timeout` seconds (0: c-ares' default), `tries` tries (0: default).  NULL
 * and a message in err on failure (a server that is no address). */
dns *dns_new_with(struct ev_loop *loop, const char *server, double timeout, int tries, char *err,
                  size_t errlen);
/* Look `host` up; `family` is AF_INET, AF_INET6 or AF_UNSPEC (first answer
 * wins).  The callback runs later, from the loop, never from inside this
 * call; NULL only when out of memory. */
dns_req *dns_resolve(dns *d, const char *host, int family, dns_cb cb, void *arg);
/* The answer to dns_query: the response `msg` (`len` bytes) as the server
 * sent it, whatever its rcode; or msg NULL and a message (c-ares' text: a
 * timeout, no server answering, SERVFAIL or REFUSED from every server). */
typedef void (*dns_raw_cb)(void *arg, const unsigned char *msg, size_t len, const char *error);
/* Ask for `name` (the whole name: no search list) of `type` (class IN)
 * with ares_query.  The callback runs later, from the loop, never from
 * inside this call; NULL only when out of memory. */
dns_req *dns_query(dns *d, const char *name, int type, dns_raw_cb cb, void *arg);
/* The callback of `r` will not run; NULL is fine. */
void dns_cancel(dns_req *r);
/* Free; no callback runs any more, not even for pending lookups. */
void dns_free(dns *d);

/* When `host` is a literal address of `family` (or AF_UNSPEC), fill `ss`
 * (port 0) and return 1; else 0.  Pure. */
int dns_literal(const char *host, int family, struct sockaddr_storage *ss, socklen_t *len);

#endif
