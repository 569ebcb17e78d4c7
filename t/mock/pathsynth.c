/* t/mock/pathsynth.c: see pathsynth.h. */
#include <string.h>
#include <sys/socket.h>

#include "pathsynth.h"

/* An IP header (v4 20 bytes, checksummed; v6 40) carrying plen bytes. */
static size_t ip_header(uint8_t *p, int family, const pkt_ipaddr *src, const pkt_ipaddr *dst,
                        uint8_t proto, size_t plen)
{
	if (family == AF_INET) {
		memset(p, 0, 20);
		p[0] = 0x45;
		pkt_put16(p + 2, 20 + plen);
		p[8] = 64;
		p[9] = proto;
		memcpy(p + 12, &src->v4, 4);
		memcpy(p + 16, &dst->v4, 4);
		pkt_put16(p + 10, pkt_inet_checksum(p, 20));
		return 20;
	}
	memset(p, 0, 40);
	p[0] = 0x60;
	pkt_put16(p + 4, plen);
	p[6] = proto;
	p[7] = 64;
	memcpy(p + 8, &src->v6, 16);
	memcpy(p + 24, &dst->v6, 16);
	return 40;
}

void synth_fix(uint8_t *buf, size_t len, int family)
{
	if (family != AF_INET || len < 28)
		return;
	buf[22] = buf[23] = 0;
	pkt_put16(buf + 22, pkt_inet_checksum(buf + 20, len - 20));
}

size_t synth_error(uint8_t *buf, size_t cap, int family, const pkt_ipaddr *from, const pkt_ipaddr *to,
                   uint8_t type, uint8_t code, uint8_t proto, const pkt_ipaddr *qsrc,
                   const pkt_ipaddr *qdst, const uint8_t *l4, size_t n, size_t quote)
{
	size_t hl = family == AF_INET ? 20 : 0, len = SYNTH_QUOTE_OFF + quote;
	uint8_t *icmp = buf + hl;

	if (quote > n || cap < len)
		return 0;
	if (hl)
		ip_header(buf, family, from, to, IPPROTO_ICMP, len - hl);
	memset(icmp, 0, 8);
	icmp[0] = type;
	icmp[1] = code;
	ip_header(icmp + 8, family, qsrc, qdst, proto, n);
	memcpy(buf + SYNTH_QUOTE_OFF, l4, quote);
	synth_fix(buf, len, family);
	return len;
}

size_t synth_echo_reply(uint8_t *buf, size_t cap, int family, int has_ip, const pkt_ipaddr *from,
                        const pkt_ipaddr *to, const uint8_t *req, size_t n)
{
	size_t hl = has_ip && family == AF_INET ? 20 : 0;
	uint8_t *icmp = buf + hl;

	if (n < 8 || cap < hl + n)
		return 0;
	if (hl)
		ip_header(buf, family, from, to, IPPROTO_ICMP, n);
	memcpy(icmp, req, n);
	icmp[0] = family == AF_INET ? 0 : 129;
	icmp[1] = 0;
	icmp[2] = icmp[3] = 0;
	if (family == AF_INET)
		pkt_put16(icmp + 2, pkt_inet_checksum(icmp, n));
	return hl + n;
}

size_t synth_tcp_answer(uint8_t *buf, size_t cap, int family, const pkt_ipaddr *from,
                        const pkt_ipaddr *to, const uint8_t *syn, uint8_t flags)
{
	size_t hl = family == AF_INET ? 20 : 0;
	uint8_t *t = buf + hl;
	uint32_t ack = pkt_get32(syn + 4) + 1;

	if (cap < hl + 20)
		return 0;
	if (hl)
		ip_header(buf, family, from, to, IPPROTO_TCP, 20);
	memset(t, 0, 20);
	memcpy(t, syn + 2, 2);      /* from the SYN's destination port */
	memcpy(t + 2, syn, 2);      /* to its source port */
	pkt_put16(t + 4, 0x1234);
	pkt_put16(t + 6, 0x5678);
	pkt_put16(t + 8, ack >> 16);
	pkt_put16(t + 10, ack & 0xffff);
	t[12] = 5 << 4;
	t[13] = flags;
	pkt_put16(t + 14, 65535);
	pkt_put16(t + 16, pkt_tcp_checksum(family, from, to, t, 20));
	return hl + 20;
}
