/*
 * plugins/path/proto_tcp.c: TCP SYN probes (raw sockets only).
 *
 * Flow: one source port per instance (a bound TCP socket holds it) and the
 * target's port.  Identity: the SYN's sequence number, its low 16 bits the
 * probe id, its high 16 bits ts->key (random at the first trace, then + 1
 * where the trace number wraps: the numbers grow from trace to trace, see
 * path_run).  The SYN is never completed: our kernel resets the SYN/ACK.
 *
 * Answers (lib/pkt's pkt_tcp_table): a SYN/ACK or RST+ACK from the
 * destination acknowledging our sequence number + 1, to our port from its;
 * a bare RST (no ACK, so no sequence number of ours: match.c gives it to a
 * probe by addresses and ports); or an ICMP error quoting the SYN from our
 * source port.
 */
#include "path.h"

static size_t tcp_build(const struct tstate *ts, unsigned ttl, unsigned q, uint8_t *buf, size_t cap)
{
	return pkt_tcp_syn_build(buf, cap, ts->family, &ts->route.src, &ts->dst, path_sport(ts->in, ts->family),
	                         ts->dport, (uint32_t)ts->key << 16 | path_probe_id(ts, ttl, q),
	                         ts->family == AF_INET ? 1460 : 1440);
}

/* The kernel fills the TCP checksum of IPv6 (IPV6_CHECKSUM): bytes 16-17. */
static uint32_t tcp_skip(int family)
{
	return family == AF_INET6 ? 3u << 16 : 0;
}

/* raw: an error quoting a SYN; issue 15: the quoted source port must be ours. */
static int tcp_match_icmp(const struct inst *in, const pkt_icmp *m, struct reply *r)
{
	const uint8_t *l4 = m->quote.l4;
	int rc = path_port_quote(in, m, IPPROTO_TCP, r);

	if (rc != M_OK)
		return rc;
	r->pid = pkt_get16(l4 + 6);  /* the sequence number's low half */
	r->skip = tcp_skip(r->family);
	r->sum_proto = r->skip ? IPPROTO_TCP : 0;
	return path_quote_reply(m, r);
}

/* raw: a segment on the raw TCP socket (its filter passes our port). */
static int tcp_match_raw(const struct inst *in, const uint8_t *buf, size_t len, struct reply *r)
{
	pkt_tcp_seg s;
	const pkt_tcp_row *a;

	if (pkt_tcp_parse(buf, len, r->family, r->family == AF_INET, &s) < 0 ||
	    s.dport != path_sport(in, r->family) || !(a = pkt_tcp_answer(s.flags)))
		return M_FOREIGN;
	if (r->family == AF_INET)
		r->from = s.src;
	r->kind = R_DEST;
	r->dst = r->from;
	r->port = s.sport;
	r->pid = (uint16_t)(s.ack - 1);
	/* the SYN's ports and sequence number, where the SYN has them */
	pkt_put16(r->fields, s.dport);
	pkt_put16(r->fields + 2, s.sport);
	pkt_put16(r->fields + 4, (uint16_t)((s.ack - 1) >> 16));
	pkt_put16(r->fields + 6, (uint16_t)(s.ack - 1));
	r->cmp = a->acked ? CMP_FIELDS : CMP_UNACKED;
	r->bytes = r->fields;
	r->off = 0;
	r->len = a->acked ? 8 : 4;
	r->skip = 0;
	return M_OK;
}

const struct proto path_proto_tcp = {
	.name = "tcp",
	.port = 80,
	.raw_ipproto = IPPROTO_TCP,
	.build = tcp_build,
	.dgram_skip = 0,
	.match_icmp = tcp_match_icmp,
	.match_raw = tcp_match_raw,
	.match_errq = NULL,  /* tcp has no dgram mode */
	.match_dgram = NULL,
};
