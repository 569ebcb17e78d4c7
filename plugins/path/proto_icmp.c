/*
 * plugins/path/proto_icmp.c: ICMP echo probes (RFC 792, RFC 4443).
 *
 * Flow: the echo identifier (raw: one per target, the instance's random
 * base + the target's index; dgram: the ping socket's port, which the
 * kernel writes) and a constant checksum.  Identity: the sequence number
 * is the probe id, and the first payload word its one's complement, so
 * the sum, and the checksum, never change (Paris traceroute).  Then the
 * instance's cookie and a fill pattern up to `size` bytes.
 *
 * Answers: an echo reply from the destination (code 0, the whole payload
 * back), or an ICMP error quoting the echo request.
 */
#include "path.h"

static size_t icmp_build(const struct tstate *ts, unsigned ttl, unsigned q, uint8_t *buf, size_t cap)
{
	const struct inst *in = ts->in;
	uint16_t pid = path_probe_id(ts, ttl, q);
	uint8_t pl[TX_BUF];

	path_payload(in, (uint16_t)~pid, 0, pl);
	return pkt_icmp_echo_build(buf, cap, ts->family, in->raw ? ts->ident : path_sport(in, ts->family),
	                           pid, pl, (size_t)in->o->size);
}

/* ICMPv6 checksums are the kernel's (they cover a pseudo-header). */
static uint32_t icmp_skip(int family)
{
	return family == AF_INET6 ? 0xcu : 0;
}

/* An echo reply m from the replier r->from. */
static int echo_reply(const pkt_icmp *m, struct reply *r)
{
	if (m->code != 0)
		return M_BAD;  /* RFC 792 / RFC 4443: an echo reply has code 0 */
	r->kind = R_DEST;
	r->dst = r->from;
	r->port = 0;
	r->pid = m->seq;
	/* identifier, sequence and payload; type and checksum differ from
	 * the request's.  m->data follows the 8-byte header in the packet. */
	r->cmp = CMP_WHOLE;
	r->bytes = m->data - PKT_ICMP_HDR_LEN + 4;
	r->off = 4;
	r->len = m->data_len + 4;
	r->skip = 0;
	return M_OK;
}

/* raw: echo replies and errors on the raw ICMP socket; the identifier
 * tells ours from other programs' pings. */
static int icmp_match_icmp(const struct inst *in, const pkt_icmp *m, struct reply *r)
{
	if (m->kind == PKT_ICMP_ECHO_REPLY)
		return (uint16_t)(m->id - in->ident_base) < in->ntargets ? echo_reply(m, r) : M_FOREIGN;
	if (m->kind != PKT_ICMP_TIME_EXCEEDED && m->kind != PKT_ICMP_UNREACH)
		return M_FOREIGN;
	if (m->quote.proto != (r->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6))
		return M_FOREIGN;
	if (!m->quote.echo)
		return M_FOREIGN;  /* an echo cut short: whose cannot be told */
	if ((uint16_t)(m->quote.echo_id - in->ident_base) >= in->ntargets)
		return M_FOREIGN;  /* another program's ping */
	r->port = 0;
	r->pid = m->quote.echo_seq;
	r->skip = icmp_skip(r->family);
	r->sum_proto = r->skip ? IPPROTO_ICMPV6 : 0;
	return path_quote_reply(m, r);
}

/* dgram: the quoted echo request (header, then payload) from the error
 * queue of the ping socket. */
static int icmp_match_errq(const struct inst *in, pkt_icmp_class cls, const pkt_ipaddr *dst, uint16_t port,
                           const uint8_t *buf, size_t len, struct reply *r)
{
	(void)in;
	(void)port;
	if (len < PKT_ICMP_HDR_LEN)
		return M_BAD;
	r->pid = pkt_get16(buf + 6);
	r->skip = icmp_skip(r->family);
	return path_errq_reply(cls, dst, 0, buf, 0, len, r);
}

/* dgram: an echo reply read from the ping socket (no IP header). */
static int icmp_match_dgram(const struct inst *in, const uint8_t *buf, size_t len, struct reply *r)
{
	pkt_icmp m;

	(void)in;
	if (pkt_icmp_parse(buf, len, r->family, 0, &m) < 0 || m.kind != PKT_ICMP_ECHO_REPLY)
		return M_BAD;
	return echo_reply(&m, r);
}

const struct proto path_proto_icmp = {
	.name = "icmp",
	.port = 0,
	.raw_ipproto = 0,
	.build = icmp_build,
	.dgram_skip = 0,
	.match_icmp = icmp_match_icmp,
	.match_raw = NULL,
	.match_errq = icmp_match_errq,
	.match_dgram = icmp_match_dgram,
};
