/*
 * icmp.c: ICMP and ICMPv6 echo build and parse, the packets ICMP errors
 * quote, and the one table of what an ICMP error means for a probe
 * (RFC 792, RFC 1812 section 5.2.7.1, RFC 4443).  See pkt.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "pkt_private.h"

/* ICMP and ICMPv6 types the parser names (netinet headers differ between
 * libcs; the numbers are the RFCs'). */
enum {
	ICMP4_ECHO_REPLY = 0, ICMP4_UNREACH = 3, ICMP4_ECHO = 8, ICMP4_TIME_EXCEEDED = 11,
	ICMP4_PARAMPROB = 12,
	ICMP6_UNREACH = 1, ICMP6_TOO_BIG = 2, ICMP6_TIME_EXCEEDED = 3, ICMP6_PARAMPROB = 4,
	ICMP6_ECHO = 128, ICMP6_ECHO_REPLY = 129,
};

size_t pkt_icmp_echo_build(void *buf, size_t cap, int family, uint16_t id, uint16_t seq,
                          const void *payload, size_t plen)
{
	uint8_t *p = buf;

	if (!buf || (plen && !payload) || (family != AF_INET && family != AF_INET6) ||
	    cap < PKT_ICMP_HDR_LEN || plen > cap - PKT_ICMP_HDR_LEN)
		return 0;
	p[0] = family == AF_INET ? ICMP4_ECHO : ICMP6_ECHO;
	p[1] = 0;
	pkt_put16(p + 2, 0);
	pkt_put16(p + 4, id);
	pkt_put16(p + 6, seq);
	if (plen)
		memcpy(p + PKT_ICMP_HDR_LEN, payload, plen);
	if (family == AF_INET)
		pkt_put16(p + 2, pkt_inet_checksum(p, PKT_ICMP_HDR_LEN + plen));
	return PKT_ICMP_HDR_LEN + plen;
}

/* ------------------------------------------------------------------ */
/* What an ICMP message means for a probe                               */

/* Every (family, type, code) the library interprets; the rest is
 * PKT_IC_NONE (informational types) or PKT_IC_OTHER (other errors). */
const pkt_icmp_row pkt_icmp_table[] = {
	/* ICMPv4 (RFC 792; codes 6-15: RFC 1122 3.2.2.1, RFC 1812 5.2.7.1) */
	{ AF_INET, ICMP4_TIME_EXCEEDED, 0, PKT_IC_TIME_EXCEEDED },  /* TTL exceeded in transit */
	{ AF_INET, ICMP4_TIME_EXCEEDED, 1, PKT_IC_OTHER },          /* fragment reassembly time exceeded */
	{ AF_INET, ICMP4_UNREACH, 0, PKT_IC_NO_ROUTE },        /* net unreachable: a router has no route */
	{ AF_INET, ICMP4_UNREACH, 1, PKT_IC_HOST_UNREACH },    /* host unreachable */
	{ AF_INET, ICMP4_UNREACH, 2, PKT_IC_PORT_UNREACH },    /* protocol unreachable: the destination answered */
	{ AF_INET, ICMP4_UNREACH, 3, PKT_IC_PORT_UNREACH },    /* port unreachable: the destination answered */
	{ AF_INET, ICMP4_UNREACH, 4, PKT_IC_TOO_BIG },         /* fragmentation needed and DF set */
	{ AF_INET, ICMP4_UNREACH, 5, PKT_IC_HOST_UNREACH },    /* source route failed */
	{ AF_INET, ICMP4_UNREACH, 6, PKT_IC_NO_ROUTE },        /* destination network unknown */
	{ AF_INET, ICMP4_UNREACH, 7, PKT_IC_HOST_UNREACH },    /* destination host unknown */
	{ AF_INET, ICMP4_UNREACH, 8, PKT_IC_HOST_UNREACH },    /* source host isolated (obsolete) */
	{ AF_INET, ICMP4_UNREACH, 9, PKT_IC_PROHIBITED },      /* network administratively prohibited */
	{ AF_INET, ICMP4_UNREACH, 10, PKT_IC_PROHIBITED },     /* host administratively prohibited */
	{ AF_INET, ICMP4_UNREACH, 11, PKT_IC_NO_ROUTE },       /* network unreachable for TOS */
	{ AF_INET, ICMP4_UNREACH, 12, PKT_IC_HOST_UNREACH },   /* host unreachable for TOS */
	{ AF_INET, ICMP4_UNREACH, 13, PKT_IC_PROHIBITED },     /* communication administratively prohibited */
	{ AF_INET, ICMP4_UNREACH, 14, PKT_IC_PROHIBITED },     /* host precedence violation (a policy) */
	{ AF_INET, ICMP4_UNREACH, 15, PKT_IC_PROHIBITED },     /* precedence cutoff in effect (a policy) */
	/* ICMPv6 (RFC 4443 section 3) */
	{ AF_INET6, ICMP6_TIME_EXCEEDED, 0, PKT_IC_TIME_EXCEEDED }, /* hop limit exceeded in transit */
	{ AF_INET6, ICMP6_TIME_EXCEEDED, 1, PKT_IC_OTHER },         /* fragment reassembly time exceeded */
	{ AF_INET6, ICMP6_UNREACH, 0, PKT_IC_NO_ROUTE },       /* no route to destination */
	{ AF_INET6, ICMP6_UNREACH, 1, PKT_IC_PROHIBITED },     /* administratively prohibited */
	{ AF_INET6, ICMP6_UNREACH, 2, PKT_IC_HOST_UNREACH },   /* beyond scope of source address */
	{ AF_INET6, ICMP6_UNREACH, 3, PKT_IC_HOST_UNREACH },   /* address unreachable */
	{ AF_INET6, ICMP6_UNREACH, 4, PKT_IC_PORT_UNREACH },   /* port unreachable: the destination answered */
	{ AF_INET6, ICMP6_UNREACH, 5, PKT_IC_PROHIBITED },     /* source address failed ingress/egress policy */
	{ AF_INET6, ICMP6_UNREACH, 6, PKT_IC_PROHIBITED },     /* reject route to destination */
	{ AF_INET6, ICMP6_UNREACH, 7, PKT_IC_HOST_UNREACH },   /* error in source routing header */
	{ AF_INET6, ICMP6_TOO_BIG, 0, PKT_IC_TOO_BIG },        /* packet too big (code is always 0) */
};
const size_t pkt_icmp_table_len = sizeof pkt_icmp_table / sizeof pkt_icmp_table[0];

/* Whether `type` of `family` is an error message (one that quotes a packet). */
static int is_error_type(int family, uint8_t type)
{
	if (family == AF_INET)
		return type == ICMP4_UNREACH || type == ICMP4_TIME_EXCEEDED || type == ICMP4_PARAMPROB ||
		       type == 4 /* source quench */ || type == 5 /* redirect */;
	return type < 128;  /* RFC 4443 2.1: error messages are types 0-127 */
}

pkt_icmp_class pkt_icmp_classify(int family, uint8_t type, uint8_t code)
{
	for (size_t i = 0; i < pkt_icmp_table_len; i++) {
		const pkt_icmp_row *r = &pkt_icmp_table[i];
		if (r->family == family && r->type == type && r->code == code)
			return r->cls;
	}
	if (family == AF_INET6 && type == ICMP6_TOO_BIG)
		return PKT_IC_TOO_BIG;  /* whatever the code: the sender must ignore it (RFC 4443 3.2) */
	if ((family == AF_INET || family == AF_INET6) && is_error_type(family, type))
		return PKT_IC_OTHER;
	return PKT_IC_NONE;
}

pkt_icmp_class pkt_errno_class(int err)
{
	switch (err) {
	case EHOSTUNREACH: case EHOSTDOWN: case ENONET:
		return PKT_IC_HOST_UNREACH;
	case ENETUNREACH:
		return PKT_IC_NO_ROUTE;
	case ECONNREFUSED:
		return PKT_IC_PORT_UNREACH;
	case EACCES: case EPERM:
		return PKT_IC_PROHIBITED;
	case EMSGSIZE:
		return PKT_IC_TOO_BIG;
	case EPROTO:
		return PKT_IC_OTHER;
	default:
		return PKT_IC_NONE;
	}
}

int pkt_icmp_class_errno(pkt_icmp_class c)
{
	switch (c) {
	case PKT_IC_TIME_EXCEEDED: return EHOSTUNREACH;  /* what the kernel reports for it */
	case PKT_IC_PORT_UNREACH: return ECONNREFUSED;
	case PKT_IC_HOST_UNREACH: return EHOSTUNREACH;
	case PKT_IC_PROHIBITED: return EACCES;
	case PKT_IC_NO_ROUTE: return ENETUNREACH;
	case PKT_IC_TOO_BIG: return EMSGSIZE;
	case PKT_IC_OTHER: return EPROTO;
	default: return 0;
	}
}

const char *pkt_icmp_class_name(pkt_icmp_class c)
{
	switch (c) {
	case PKT_IC_NONE: return "none";
	case PKT_IC_TIME_EXCEEDED: return "time_exceeded";
	case PKT_IC_PORT_UNREACH: return "port_unreachable";
	case PKT_IC_HOST_UNREACH: return "host_unreachable";
	case PKT_IC_PROHIBITED: return "prohibited";
	case PKT_IC_NO_ROUTE: return "no_route";
	case PKT_IC_TOO_BIG: return "too_big";
	default: return "other";
	}
}

/* ------------------------------------------------------------------ */
/* Parsing                                                              */

/* The kind of ICMP `type` in `family`. */
static pkt_icmp_kind kind_of(int family, uint8_t type)
{
	if (family == AF_INET)
		switch (type) {
		case ICMP4_ECHO_REPLY: return PKT_ICMP_ECHO_REPLY;
		case ICMP4_ECHO: return PKT_ICMP_ECHO_REQUEST;
		case ICMP4_TIME_EXCEEDED: return PKT_ICMP_TIME_EXCEEDED;
		case ICMP4_UNREACH: return PKT_ICMP_UNREACH;
		default: return PKT_ICMP_OTHER;
		}
	switch (type) {
	case ICMP6_ECHO_REPLY: return PKT_ICMP_ECHO_REPLY;
	case ICMP6_ECHO: return PKT_ICMP_ECHO_REQUEST;
	case ICMP6_TIME_EXCEEDED: return PKT_ICMP_TIME_EXCEEDED;
	case ICMP6_UNREACH: return PKT_ICMP_UNREACH;
	case ICMP6_TOO_BIG: return PKT_ICMP_TOO_BIG;
	default: return PKT_ICMP_OTHER;
	}
}

/* Take apart the packet quoted by an ICMP error. */
static void parse_quote(int family, const uint8_t *q, size_t len, pkt_icmp_quote *qt)
{
	size_t off, plen;
	uint8_t nh;

	memset(qt, 0, sizeof *qt);
	if (family == AF_INET) {
		if (pkt_ip4_header(q, len, 1, 0, &off, &plen) < 0)
			return;
		qt->proto = q[9];
		qt->ttl = q[8];
		qt->ip_id = pkt_get16(q + 4);
		memcpy(&qt->src.v4, q + 12, 4);
		memcpy(&qt->dst.v4, q + 16, 4);
	} else {
		if (pkt_ip6_header(q, len, 1, 0, &off, &plen, &nh) < 0)
			return;
		qt->proto = nh;
		qt->ttl = q[7];
		memcpy(&qt->src.v6, q + 8, 16);
		memcpy(&qt->dst.v6, q + 24, 16);
	}
	qt->ok = 1;
	qt->l4 = q + off;
	qt->l4_len = plen;
	if (plen >= PKT_ICMP_HDR_LEN &&
	    ((family == AF_INET && qt->proto == IPPROTO_ICMP && qt->l4[0] == ICMP4_ECHO) ||
	     (family == AF_INET6 && qt->proto == IPPROTO_ICMPV6 && qt->l4[0] == ICMP6_ECHO))) {
		qt->echo = 1;
		qt->echo_id = pkt_get16(qt->l4 + 4);
		qt->echo_seq = pkt_get16(qt->l4 + 6);
	}
}

int pkt_icmp_parse(const void *pkt, size_t len, int family, int has_ip, pkt_icmp *m)
{
	const uint8_t *p = pkt;
	size_t off = 0, ilen = len;
	int rc;

	if (!pkt || !m || (family != AF_INET && family != AF_INET6))
		return PKT_BAD_ARG;
	memset(m, 0, sizeof *m);
	m->family = family;
	if (has_ip) {
		m->has_ip = 1;
		if (family == AF_INET) {
			if ((rc = pkt_ip4_header(p, len, 0, IPPROTO_ICMP, &off, &ilen)) < 0)
				return rc;
			m->ttl = p[8];
			memcpy(&m->src.v4, p + 12, 4);
			memcpy(&m->dst.v4, p + 16, 4);
		} else {
			uint8_t nh;
			if ((rc = pkt_ip6_header(p, len, 0, IPPROTO_ICMPV6, &off, &ilen, &nh)) < 0)
				return rc;
			m->ttl = p[7];
			memcpy(&m->src.v6, p + 8, 16);
			memcpy(&m->dst.v6, p + 24, 16);
		}
		p += off;
	}
	if (ilen < PKT_ICMP_HDR_LEN)
		return PKT_SHORT;
	if (family == AF_INET && pkt_inet_checksum(p, ilen) != 0)
		return PKT_BAD_SUM;
	m->type = p[0];
	m->code = p[1];
	m->kind = kind_of(family, p[0]);
	m->cls = pkt_icmp_classify(family, p[0], p[1]);
	m->data = p + PKT_ICMP_HDR_LEN;
	m->data_len = ilen - PKT_ICMP_HDR_LEN;
	switch (m->kind) {
	case PKT_ICMP_ECHO_REPLY:
	case PKT_ICMP_ECHO_REQUEST:
		m->id = pkt_get16(p + 4);
		m->seq = pkt_get16(p + 6);
		break;
	case PKT_ICMP_TIME_EXCEEDED:
	case PKT_ICMP_UNREACH:
	case PKT_ICMP_TOO_BIG: {
		/* RFC 4884: length of the quote in 32-bit words (v4, byte 5) or
		 * 64-bit words (v6, byte 4); 0 means no extension structure. */
		size_t words = family == AF_INET ? p[5] : m->kind == PKT_ICMP_TOO_BIG ? 0 : p[4];
		size_t qlen = words * (family == AF_INET ? 4 : 8);
		if (qlen && qlen < m->data_len) {
			m->ext = m->data + qlen;
			m->ext_len = m->data_len - qlen;
			m->data_len = qlen;
		}
		parse_quote(family, m->data, m->data_len, &m->quote);
		break;
	}
	default:
		break;
	}
	return 0;
}

const char *pkt_strerror(int code)
{
	switch (code) {
	case 0: return "ok";
	case PKT_SHORT: return "truncated";
	case PKT_BAD_IP: return "bad IP header";
	case PKT_BAD_SUM: return "bad checksum";
	case PKT_BAD_ARG: return "bad argument";
	case PKT_NOT_FOUND: return "no such control message";
	default: return "unknown error";
	}
}
