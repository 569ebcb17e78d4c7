/*
 * icmp.c: checksums, ICMP/ICMPv6 echo build and parse, UDP probes and receive
 * timestamps (lib/pkt, see pkt.h).
 *
 * Pure functions: no I/O, no state, no allocation.  Multi-byte fields are
 * read byte by byte (get16/get32), so no parser depends on alignment or
 * host byte order, and every read is checked against the length first.
 */
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>

#include "pkt.h"

/* ICMP and ICMPv6 types the parser names (netinet headers differ between
 * libcs; the numbers are the RFCs'). */
enum {
	ICMP4_ECHO_REPLY = 0, ICMP4_UNREACH = 3, ICMP4_ECHO = 8, ICMP4_TIME_EXCEEDED = 11,
	ICMP6_UNREACH = 1, ICMP6_TOO_BIG = 2, ICMP6_TIME_EXCEEDED = 3,
	ICMP6_ECHO = 128, ICMP6_ECHO_REPLY = 129,
};

#define IP4_MIN_HDR 20   /* IPv4 header without options, bytes */
#define IP6_HDR 40       /* fixed IPv6 header, bytes */
#define IP6_NH_ICMP 58   /* next header value of ICMPv6 */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint32_t pkt_inet_checksum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = sum;

	for (; len >= 2; p += 2, len -= 2)
		s += get16(p);
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t pkt_inet_checksum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t pkt_inet_checksum(const void *data, size_t len)
{
	return pkt_inet_checksum_fold(pkt_inet_checksum_add(0, data, len));
}

size_t pkt_icmp_echo_build(void *buf, size_t cap, int family, uint16_t id, uint16_t seq,
                          const void *payload, size_t plen)
{
	uint8_t *p = buf;

	if (!buf || (plen && !payload) || (family != AF_INET && family != AF_INET6) ||
	    cap < PKT_ICMP_HDR_LEN || plen > cap - PKT_ICMP_HDR_LEN)
		return 0;
	p[0] = family == AF_INET ? ICMP4_ECHO : ICMP6_ECHO;
	p[1] = 0;
	put16(p + 2, 0);
	put16(p + 4, id);
	put16(p + 6, seq);
	if (plen)
		memcpy(p + PKT_ICMP_HDR_LEN, payload, plen);
	if (family == AF_INET)
		put16(p + 2, pkt_inet_checksum(p, PKT_ICMP_HDR_LEN + plen));
	return PKT_ICMP_HDR_LEN + plen;
}

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

/*
 * Check the IPv4 header at p (len bytes) and give the offset and length
 * of what it carries.  `quoted`: inside an ICMP error, where the quote may
 * stop early (the total length may exceed what is there) and fragments
 * are fine; otherwise the header must be whole, unfragmented and ICMP.
 */
static int ip4_header(const uint8_t *p, size_t len, int quoted, size_t *off, size_t *plen)
{
	size_t ihl, tot;

	if (len < IP4_MIN_HDR)
		return PKT_SHORT;
	if (p[0] >> 4 != 4)
		return PKT_BAD_IP;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < IP4_MIN_HDR)
		return PKT_BAD_IP;
	if (ihl > len)
		return PKT_SHORT;
	tot = get16(p + 2);
	if (tot < ihl)
		return PKT_BAD_IP;
	if (!quoted) {
		if (tot > len)
			return PKT_SHORT;
		if ((get16(p + 6) & 0x3fff) != 0)  /* MF or a fragment offset */
			return PKT_BAD_IP;
		if (p[9] != IPPROTO_ICMP)
			return PKT_BAD_IP;
	}
	*off = ihl;
	*plen = (tot < len ? tot : len) - ihl;
	return 0;
}

/* Whether `nh` is an IPv6 extension header the quote walker can skip. */
static int ip6_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60;  /* hop-by-hop, routing, fragment, dest opts */
}

/*
 * Check the IPv6 header at p and walk its extension headers.  Sets *off to
 * the upper-layer header, *nh to its type and *plen to its bytes (bounded
 * by len).  Not quoted: the payload length must fit and the next header
 * must be ICMPv6 directly.
 */
static int ip6_header(const uint8_t *p, size_t len, int quoted, size_t *off, size_t *plen,
                      uint8_t *nh)
{
	size_t pl, o = IP6_HDR, end;
	uint8_t n;

	if (len < IP6_HDR)
		return PKT_SHORT;
	if (p[0] >> 4 != 6)
		return PKT_BAD_IP;
	pl = get16(p + 4);
	if (!quoted && IP6_HDR + pl > len)
		return PKT_SHORT;
	end = IP6_HDR + pl < len ? IP6_HDR + pl : len;
	n = p[6];
	if (!quoted) {
		if (n != IP6_NH_ICMP)
			return PKT_BAD_IP;
	} else {
		while (ip6_ext(n)) {
			size_t hl;
			if (o + 8 > end)
				return PKT_SHORT;
			hl = n == 44 ? 8 : ((size_t)p[o + 1] + 1) * 8;
			if (n == 44 && (get16(p + o + 2) & 0xfff8))
				break;  /* not the first fragment: no upper-layer header follows */
			n = p[o];
			o += hl;
			if (o > end)
				return PKT_SHORT;
		}
	}
	*off = o;
	*plen = end - o;
	*nh = n;
	return 0;
}

/* Take apart the packet quoted by an ICMP error. */
static void parse_quote(int family, const uint8_t *q, size_t len, pkt_icmp_quote *qt)
{
	size_t off, plen;
	uint8_t nh;

	memset(qt, 0, sizeof *qt);
	if (family == AF_INET) {
		if (ip4_header(q, len, 1, &off, &plen) < 0)
			return;
		qt->proto = q[9];
		qt->ttl = q[8];
		qt->ip_id = get16(q + 4);
		memcpy(&qt->src.v4, q + 12, 4);
		memcpy(&qt->dst.v4, q + 16, 4);
	} else {
		if (ip6_header(q, len, 1, &off, &plen, &nh) < 0)
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
	     (family == AF_INET6 && qt->proto == IP6_NH_ICMP && qt->l4[0] == ICMP6_ECHO))) {
		qt->echo = 1;
		qt->echo_id = get16(qt->l4 + 4);
		qt->echo_seq = get16(qt->l4 + 6);
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
			if ((rc = ip4_header(p, len, 0, &off, &ilen)) < 0)
				return rc;
			m->ttl = p[8];
			memcpy(&m->src.v4, p + 12, 4);
			memcpy(&m->dst.v4, p + 16, 4);
		} else {
			uint8_t nh;
			if ((rc = ip6_header(p, len, 0, &off, &ilen, &nh)) < 0)
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
	m->data = p + PKT_ICMP_HDR_LEN;
	m->data_len = ilen - PKT_ICMP_HDR_LEN;
	switch (m->kind) {
	case PKT_ICMP_ECHO_REPLY:
	case PKT_ICMP_ECHO_REQUEST:
		m->id = get16(p + 4);
		m->seq = get16(p + 6);
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
	default: return "unknown error";
	}
}

int pkt_rx_time(const struct msghdr *msg, struct timespec *ts)
{
	int found = 0;

	if (!msg || !msg->msg_control || msg->msg_controllen < sizeof(struct cmsghdr))
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg); c;
	     c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof *ts)) {
			memcpy(ts, CMSG_DATA(c), sizeof *ts);
			return 0;  /* the best there is */
		}
		if (c->cmsg_type == SCM_TIMESTAMP && c->cmsg_len >= CMSG_LEN(sizeof(struct timeval)) &&
		    !found) {
			struct timeval tv;
			memcpy(&tv, CMSG_DATA(c), sizeof tv);
			ts->tv_sec = tv.tv_sec;
			ts->tv_nsec = tv.tv_usec * 1000L;
			found = 1;
		}
	}
	return found ? 0 : -1;
}

uint32_t pkt_inet_pseudo_sum(int family, const pkt_ipaddr *src, const pkt_ipaddr *dst,
                            uint8_t proto, size_t len)
{
	uint8_t tail[8] = { 0 };
	uint32_t sum;

	if (family == AF_INET) {
		sum = pkt_inet_checksum_add(0, &src->v4, 4);
		sum = pkt_inet_checksum_add(sum, &dst->v4, 4);
		tail[1] = proto;
		put16(tail + 2, (uint16_t)len);
		return pkt_inet_checksum_add(sum, tail, 4);
	}
	sum = pkt_inet_checksum_add(0, &src->v6, 16);
	sum = pkt_inet_checksum_add(sum, &dst->v6, 16);
	tail[2] = (uint8_t)(len >> 8);  /* 32-bit length; a packet is < 64 KiB */
	tail[3] = (uint8_t)len;
	tail[7] = proto;
	return pkt_inet_checksum_add(sum, tail, 8);
}

size_t pkt_udp_build(void *buf, size_t cap, int family, const pkt_ipaddr *src, const pkt_ipaddr *dst,
                    uint16_t sport, uint16_t dport, uint16_t sum, const void *payload, size_t plen,
                    size_t fix_off)
{
	uint8_t *p = buf;
	size_t len = PKT_UDP_HDR_LEN + plen;
	uint32_t s;
	uint16_t fix;

	if (!buf || !src || !dst || (plen && !payload) || (family != AF_INET && family != AF_INET6) ||
	    cap < PKT_UDP_HDR_LEN || plen > cap - PKT_UDP_HDR_LEN || len > 0xffff ||
	    (fix_off & 1) || fix_off + 2 > plen || sum == 0 || sum == 0xffff)
		return 0;
	put16(p, sport);
	put16(p + 2, dport);
	put16(p + 4, (uint16_t)len);
	put16(p + 6, 0);
	memcpy(p + PKT_UDP_HDR_LEN, payload, plen);
	put16(p + PKT_UDP_HDR_LEN + fix_off, 0);
	/* Valid means: the one's complement sum of pseudo-header, header with
	 * `sum` in it, and payload with `fix` in it is 0xffff.  With S the sum
	 * of everything else, fix = ~(S + sum): then S + sum + fix = 0xffff. */
	s = pkt_inet_checksum_add(pkt_inet_pseudo_sum(family, src, dst, IPPROTO_UDP, len), p, len);
	s += sum;
	fix = pkt_inet_checksum_fold(s);
	put16(p + PKT_UDP_HDR_LEN + fix_off, fix);
	put16(p + 6, sum);
	return len;
}

int pkt_udp_quote_parse(const void *l4, size_t len, pkt_udp_hdr *u)
{
	const uint8_t *p = l4;

	if (!l4 || !u)
		return PKT_BAD_ARG;
	memset(u, 0, sizeof *u);
	if (len < PKT_UDP_HDR_LEN)
		return PKT_SHORT;
	u->sport = get16(p);
	u->dport = get16(p + 2);
	u->len = get16(p + 4);
	u->sum = get16(p + 6);
	return 0;
}
