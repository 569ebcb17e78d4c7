/*
 * tcp.c: TCP SYN build and segment parse (lib/pkt, see pkt.h), for syn mode of the
 * tcp plugin and TCP traceroutes.
 *
 * Pure functions: no I/O, no state, no allocation.  Fields are read and
 * written byte by byte, so nothing depends on alignment or byte order, and
 * every read is checked against the length first.  The checksum is the one
 * of checksum.c, the IPv4 header check the one of ip.c.
 */
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "pkt_private.h"

uint16_t pkt_tcp_checksum(int family, const pkt_ipaddr *src, const pkt_ipaddr *dst,
                         const void *seg, size_t len)
{
	return pkt_inet_checksum_fold(pkt_inet_checksum_add(pkt_inet_pseudo_sum(family, src, dst, IPPROTO_TCP, len), seg, len));
}

size_t pkt_tcp_syn_build(void *buf, size_t cap, int family, const pkt_ipaddr *src,
                        const pkt_ipaddr *dst, uint16_t sport, uint16_t dport, uint32_t seq,
                        uint16_t mss)
{
	uint8_t *p = buf;

	if (!buf || !src || !dst || cap < PKT_TCP_SYN_LEN || (family != AF_INET && family != AF_INET6))
		return 0;
	memset(p, 0, PKT_TCP_SYN_LEN);
	pkt_put16(p, sport);
	pkt_put16(p + 2, dport);
	pkt_put32(p + 4, seq);
	/* ack 0 */
	p[12] = (PKT_TCP_SYN_LEN / 4) << 4;   /* data offset, in 32-bit words */
	p[13] = PKT_TCP_SYN;
	pkt_put16(p + 14, 65535);                /* window */
	/* checksum (16) and urgent pointer (18) 0 for now */
	p[20] = 2;                           /* option MSS, length 4 */
	p[21] = 4;
	pkt_put16(p + 22, mss);
	pkt_put16(p + 16, pkt_tcp_checksum(family, src, dst, p, PKT_TCP_SYN_LEN));
	return PKT_TCP_SYN_LEN;
}

/* Fill the header fields of `s` from the TCP header at p (len checked). */
static int tcp_header(const uint8_t *p, size_t len, pkt_tcp_seg *s)
{
	size_t off;

	if (len < PKT_TCP_MIN_HDR)
		return PKT_SHORT;
	off = (size_t)(p[12] >> 4) * 4;
	if (off < PKT_TCP_MIN_HDR || off > len)
		return PKT_SHORT;
	s->sport = pkt_get16(p);
	s->dport = pkt_get16(p + 2);
	s->seq = pkt_get32(p + 4);
	s->ack = pkt_get32(p + 8);
	s->flags = p[13];
	s->window = pkt_get16(p + 14);
	s->hdr_len = off;
	return 0;
}

int pkt_tcp_parse(const void *pkt, size_t len, int family, int has_ip, pkt_tcp_seg *s)
{
	const uint8_t *p = pkt;
	int rc;

	if (!pkt || !s || (family != AF_INET && family != AF_INET6) || (has_ip && family != AF_INET))
		return PKT_BAD_ARG;
	memset(s, 0, sizeof *s);
	s->family = family;
	if (has_ip) {
		size_t off, plen;
		if ((rc = pkt_ip4_header(p, len, 0, IPPROTO_TCP, &off, &plen)) < 0)
			return rc;
		s->has_ip = 1;
		s->ttl = p[8];
		memcpy(&s->src.v4, p + 12, 4);
		memcpy(&s->dst.v4, p + 16, 4);
		p += off;
		len = plen;
	}
	if ((rc = tcp_header(p, len, s)) < 0)
		return rc;
	if (has_ip)
		s->sum_ok = pkt_tcp_checksum(AF_INET, &s->src, &s->dst, p, len) == 0;
	return 0;
}

int pkt_tcp_quote_parse(const void *l4, size_t len, pkt_tcp_seg *s)
{
	const uint8_t *p = l4;

	if (!l4 || !s)
		return PKT_BAD_ARG;
	memset(s, 0, sizeof *s);
	if (len < 8)
		return PKT_SHORT;
	s->sport = pkt_get16(p);
	s->dport = pkt_get16(p + 2);
	s->seq = pkt_get32(p + 4);
	if (len >= PKT_TCP_MIN_HDR) {
		s->ack = pkt_get32(p + 8);
		s->flags = p[13];
		s->window = pkt_get16(p + 14);
		s->hdr_len = PKT_TCP_MIN_HDR;
	}
	return 0;
}
