/*
 * checksum.c: the Internet checksum (RFC 1071) and the pseudo-headers of
 * UDP and TCP (RFC 768, RFC 793; IPv6: RFC 8200 section 8.1).  See pkt.h.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include "pkt_private.h"

uint32_t pkt_inet_checksum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = sum;

	for (; len >= 2; p += 2, len -= 2)
		s += pkt_get16(p);
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

uint32_t pkt_inet_pseudo_sum(int family, const pkt_ipaddr *src, const pkt_ipaddr *dst,
                            uint8_t proto, size_t len)
{
	uint8_t tail[8] = { 0 };
	uint32_t sum;

	if (family == AF_INET) {
		sum = pkt_inet_checksum_add(0, &src->v4, 4);
		sum = pkt_inet_checksum_add(sum, &dst->v4, 4);
		tail[1] = proto;
		pkt_put16(tail + 2, (uint16_t)len);
		return pkt_inet_checksum_add(sum, tail, 4);
	}
	sum = pkt_inet_checksum_add(0, &src->v6, 16);
	sum = pkt_inet_checksum_add(sum, &dst->v6, 16);
	pkt_put32(tail, (uint32_t)len);  /* 32-bit upper-layer length */
	tail[7] = proto;
	return pkt_inet_checksum_add(sum, tail, 8);
}
