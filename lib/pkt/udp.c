/*
 * udp.c: UDP probes whose checksum carries their identity, and the UDP
 * header quoted by ICMP errors (RFC 768).  See pkt.h.
 */
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "pkt_private.h"

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
	pkt_put16(p, sport);
	pkt_put16(p + 2, dport);
	pkt_put16(p + 4, (uint16_t)len);
	pkt_put16(p + 6, 0);
	memcpy(p + PKT_UDP_HDR_LEN, payload, plen);
	pkt_put16(p + PKT_UDP_HDR_LEN + fix_off, 0);
	/* Valid means: the one's complement sum of pseudo-header, header with
	 * `sum` in it, and payload with `fix` in it is 0xffff.  With S the sum
	 * of everything else, fix = ~(S + sum): then S + sum + fix = 0xffff. */
	s = pkt_inet_checksum_add(pkt_inet_pseudo_sum(family, src, dst, IPPROTO_UDP, len), p, len);
	s += sum;
	fix = pkt_inet_checksum_fold(s);
	pkt_put16(p + PKT_UDP_HDR_LEN + fix_off, fix);
	pkt_put16(p + 6, sum);
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
	u->sport = pkt_get16(p);
	u->dport = pkt_get16(p + 2);
	u->len = pkt_get16(p + 4);
	u->sum = pkt_get16(p + 6);
	return 0;
}
