/*
 * ip.c: the one IPv4 and IPv6 header check of lib/pkt (pkt_private.h), used
 * by the ICMP, UDP and TCP parsers alike, so a fragment or a bad length is
 * refused the same way everywhere.
 */
#include "pkt_private.h"

#define IP4_MF 0x2000        /* flags: more fragments (RFC 791) */
#define IP4_OFFSET 0x1fff    /* fragment offset, 8-byte units */
#define IP6_NH_HOPOPTS 0     /* next header values of the extension headers (RFC 8200) */
#define IP6_NH_ROUTING 43
#define IP6_NH_FRAGMENT 44
#define IP6_NH_DSTOPTS 60

int pkt_ip4_header(const uint8_t *p, size_t len, int quoted, uint8_t proto, size_t *off, size_t *plen)
{
	size_t ihl, tot;
	uint16_t frag;

	if (len < PKT_IP4_MIN_HDR)
		return PKT_SHORT;
	if (p[0] >> 4 != 4)
		return PKT_BAD_IP;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < PKT_IP4_MIN_HDR)
		return PKT_BAD_IP;
	if (ihl > len)
		return PKT_SHORT;
	tot = pkt_get16(p + 2);
	if (tot < ihl)
		return PKT_BAD_IP;
	frag = pkt_get16(p + 6);
	if (frag & IP4_OFFSET)
		return PKT_BAD_IP;  /* a later fragment: no transport header */
	if (!quoted) {
		if (tot > len)
			return PKT_SHORT;
		if ((frag & IP4_MF) || p[9] != proto)
			return PKT_BAD_IP;
	}
	*off = ihl;
	*plen = (tot < len ? tot : len) - ihl;
	return 0;
}

/* Whether `nh` is an IPv6 extension header the quote walker can skip. */
static int ip6_ext(uint8_t nh)
{
	return nh == IP6_NH_HOPOPTS || nh == IP6_NH_ROUTING || nh == IP6_NH_FRAGMENT ||
	       nh == IP6_NH_DSTOPTS;
}

int pkt_ip6_header(const uint8_t *p, size_t len, int quoted, uint8_t proto, size_t *off, size_t *plen,
                   uint8_t *nh)
{
	size_t pl, o = PKT_IP6_HDR, end;
	uint8_t n;

	if (len < PKT_IP6_HDR)
		return PKT_SHORT;
	if (p[0] >> 4 != 6)
		return PKT_BAD_IP;
	pl = pkt_get16(p + 4);
	if (!quoted && PKT_IP6_HDR + pl > len)
		return PKT_SHORT;
	end = PKT_IP6_HDR + pl < len ? PKT_IP6_HDR + pl : len;
	n = p[6];
	if (!quoted) {
		if (n != proto)
			return PKT_BAD_IP;
	} else {
		while (ip6_ext(n)) {
			size_t hl;
			if (o + 8 > end)
				return PKT_SHORT;
			hl = n == IP6_NH_FRAGMENT ? 8 : ((size_t)p[o + 1] + 1) * 8;
			if (n == IP6_NH_FRAGMENT && (pkt_get16(p + o + 2) & 0xfff8))
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
