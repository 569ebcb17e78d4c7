/*
 * plugins/path/proto_udp.c: UDP probes (to port 33434 by default).
 *
 * Flow: one source port per instance (a bound socket holds it) and the
 * target's destination port.  Identity: raw mode carries the probe id in
 * the UDP checksum (id + 1, made exact by the payload's second word:
 * pkt_udp_build), which every ICMP error quotes and no router hashes;
 * the first payload word is the probe id too.  dgram mode cannot choose
 * the checksum (the kernel's): the first payload word is the probe id and
 * the second its complement, so the kernel's checksum never changes.  Then
 * the cookie and the fill pattern.
 *
 * Answers: ICMP errors only (port unreachable from the destination ends
 * the trace).  dgram mode reads them from the error queue, where the kernel
 * passes the quoted payload without the UDP header: a router quoting only
 * 8 bytes leaves nothing to match there (raw mode still matches it).
 */
#include <string.h>

#include "path.h"

static size_t udp_build(const struct tstate *ts, unsigned ttl, unsigned q, uint8_t *buf, size_t cap)
{
	const struct inst *in = ts->in;
	uint16_t pid = path_probe_id(ts, ttl, q), sport = path_sport(in, ts->family);
	size_t plen = (size_t)in->o->size;
	uint8_t pl[TX_BUF];

	if (in->raw) {
		path_payload(in, pid, 0, pl);
		return pkt_udp_build(buf, cap, ts->family, &ts->route.src, &ts->dst, sport, ts->dport,
		                     (uint16_t)(pid + 1), pl, plen, 2);
	}
	/* the datagram socket sends the payload (dgram_skip); the header is
	 * the kernel's, its checksum not ours to compare */
	if (cap < PKT_UDP_HDR_LEN + plen)
		return 0;
	pkt_put16(buf, sport);
	pkt_put16(buf + 2, ts->dport);
	pkt_put16(buf + 4, (uint16_t)(PKT_UDP_HDR_LEN + plen));
	pkt_put16(buf + 6, 0);
	path_payload(in, pid, (uint16_t)~pid, buf + PKT_UDP_HDR_LEN);
	return PKT_UDP_HDR_LEN + plen;
}

/* raw: an error quoting a UDP datagram from our source port. */
static int udp_match_icmp(const struct inst *in, const pkt_icmp *m, struct reply *r)
{
	const uint8_t *l4 = m->quote.l4;
	int rc = path_port_quote(in, m, IPPROTO_UDP, r);

	if (rc != M_OK)
		return rc;
	r->pid = (uint16_t)(pkt_get16(l4 + 6) - 1);
	r->skip = 0;
	return path_quote_reply(m, r);
}

/* dgram: the quoted payload from the error queue of the UDP socket. */
static int udp_match_errq(const struct inst *in, pkt_icmp_class cls, const pkt_ipaddr *dst, uint16_t port,
                          const uint8_t *buf, size_t len, struct reply *r)
{
	(void)in;
	if (len < 2)
		return M_BAD;  /* the router quoted only the header */
	r->pid = pkt_get16(buf);
	r->skip = 0;
	return path_errq_reply(cls, dst, port, buf, PKT_UDP_HDR_LEN, len, r);
}

const struct proto path_proto_udp = {
	.name = "udp",
	.port = 33434,
	.raw_ipproto = IPPROTO_UDP,
	.build = udp_build,
	.dgram_skip = PKT_UDP_HDR_LEN,
	.match_icmp = udp_match_icmp,
	.match_raw = NULL,   /* the raw UDP socket only sends */
	.match_errq = udp_match_errq,
	.match_dgram = NULL, /* a datagram from an open port: which probe it answers is unknown */
	.dest_icmp_error = 1, /* port unreachable */
};
