/*
 * dnsprobe.h: what the files of the dns plugin share (plugins/dns/).
 * dns.c holds the settings and the descriptor, query.c the active mode
 * (c-ares on the daemon's loop), passive.c the AF_PACKET watcher.
 */
#ifndef HW_DNSPROBE_H
#define HW_DNSPROBE_H

#include "hopwatch.h"

/* Values of the `mode` setting. */
enum dns_mode { MODE_QUERY, MODE_PASSIVE };
/* Values of the `transport` setting. */
enum dns_transport { TRANSPORT_UDP, TRANSPORT_TCP };

/* The instance's settings, filled by the host from the options table in
 * dns.c (where every default lives). */
struct dns_opts {
	int mode;             /* enum dns_mode */
	const char *name;     /* query: the name asked for (setting query_name) */
	int type;             /* query: index into dns_type_words (A, AAAA, ...; setting query_type) */
	int transport;        /* query: enum dns_transport */
	int rcode;            /* query: index into dns_rcode_words: the rcode that means healthy */
	const char *expect;   /* query: comma-separated values the answer must hold; NULL: none */
	int recursion;        /* query: 1 sets RD (RFC 1035 4.1.1) */
	int edns;             /* query: EDNS UDP payload size to advertise, bytes; 0: no OPT record */
	const char *interface;/* passive: capture on this interface only; NULL: all */
	int labels;           /* passive: domains are cut to this many labels; 0 keeps names whole */
	int max_domains;      /* passive: domains kept per interval and target; the rest is domain:other */
};

/* Query type words of the `type` setting, in dns_opts.type order. */
extern const char *const dns_type_words[];
/* Rcode words of the `rcode` setting, in dns_opts.rcode order; their
 * numbers are in dns_rcode_values. */
extern const char *const dns_rcode_words[];
extern const int dns_rcode_values[];

/* Query mode (query.c): same contract as the hw_plugin callbacks. */
int query_start(hw_ctx *ctx, const struct dns_opts *o, void **state);
void query_run(void *state, hw_target *t);
void query_stop(void *state);

/* Passive mode (passive.c): same contract as the hw_plugin callbacks;
 * a round of a target sends what was seen for it since the last one. */
int passive_start(hw_ctx *ctx, const struct dns_opts *o, void **state);
void passive_run(void *state, hw_target *t);
void passive_stop(void *state);

#endif /* HW_DNSPROBE_H */
