/*
 * plugins/path/match.c: what the protocol matchers share.  A reply counts
 * only when every field hopwatch chose matches the probe it names: the
 * protocol's matcher takes the packet apart (struct reply: the hash key, the
 * probe id, the bytes of ours it carries), the engine finds the probe in
 * O(1) (path_find), and path_deliver rebuilds that probe and compares it
 * byte for byte with what the reply carries: identifier, sequence, ports,
 * checksum, probe id, cookie and the rest of the payload.  Lengths are
 * strict too:
 *   an echo reply carries exactly the payload we sent (RFC 792, RFC 4443);
 *   an ICMP error's quote says the length we sent (the quoted IPv4 total
 *   length or IPv6 payload length), never holds more, and is cut only
 *   where a quoting rule cuts: after the 8 transport bytes RFC 792
 *   promises, or past QUOTE_RFC4884 bytes of the datagram (RFC 4884 quotes
 *   at least 128, RFC 1812 routers up to 576 bytes in all, RFC 4443 up to
 *   1280).  A quote cut anywhere else (halfway through the payload word or
 *   the cookie) is not a router's.
 * The quoted source address is not compared: a NAT rewrites it.
 *
 * A bare RST (CMP_UNACKED) names no probe: it comes from the destination's
 * address and port to our port, and nothing else of ours is in it.  It is
 * given to the waiting probe of that trace with the highest TTL (the
 * oldest of those).  That probe reached the destination too: only probes
 * at the destination's TTL D or above draw a reset, every reset has its own
 * such probe, so while resets come in, some probe at D or above still
 * waits, and the highest waiting TTL is never below D.  The destination's
 * TTL comes out exact, whatever routers answer or stay silent below it and
 * in whatever order their errors arrive; a reset's RTT is measured from a
 * probe of the same trace sent at most a pacing step from its own.
 */
#include <string.h>

#include "path.h"

size_t path_alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

int path_addr_eq(int family, const pkt_ipaddr *a, const pkt_ipaddr *b)
{
	return !memcmp(a, b, path_alen(family));
}

uint16_t path_sport(const struct inst *in, int family)
{
	return family == AF_INET ? in->f4.sport : in->f6.sport;
}

void path_payload(const struct inst *in, uint16_t w0, uint16_t w1, uint8_t *pl)
{
	pkt_put16(pl, w0);
	pkt_put16(pl + 2, w1);
	memcpy(pl + 4, in->cookie, 4);
	for (size_t i = PAYLOAD_MIN; i < (size_t)in->o->size; i++)
		pl[i] = (uint8_t)(0x40 + i);
}

int path_error_kind(int family, pkt_icmp_class cls, const pkt_ipaddr *from, const pkt_ipaddr *dst)
{
	/* lib/pkt's one answer table, as the icmp and tcp plugins read it */
	if (cls == PKT_IC_TIME_EXCEEDED)
		return R_HOP;
	if (cls == PKT_IC_OTHER || pkt_icmp_answer(cls) != PKT_ANS_UNREACHABLE)
		return -1;  /* too big (the size, not the path), reassembly, parameter problem, none */
	return path_addr_eq(family, from, dst) ? R_DEST : R_STOP;
}

int path_quote_reply(const pkt_icmp *m, struct reply *r)
{
	size_t hl = (size_t)(m->quote.l4 - m->data);  /* the quoted IP header(s) */
	int k = path_error_kind(r->family, m->cls, &r->from, &m->quote.dst);

	if (k < 0)
		return M_FOREIGN;
	r->kind = k;
	r->dst = m->quote.dst;
	r->qsrc = m->quote.src;
	r->cmp = CMP_QUOTE;
	r->bytes = m->quote.l4;
	r->off = 0;
	r->len = m->quote.l4_len;
	/* the transport bytes the quoted header says follow it */
	if (r->family == AF_INET)
		r->iplen = (long)pkt_get16(m->data + 2) - (long)hl;
	else
		r->iplen = (long)pkt_get16(m->data + 4) - (long)(hl - 40);
	return M_OK;
}

int path_port_quote(const struct inst *in, const pkt_icmp *m, int ipproto, struct reply *r)
{
	if (m->kind != PKT_ICMP_TIME_EXCEEDED && m->kind != PKT_ICMP_UNREACH)
		return M_FOREIGN;
	if (m->quote.proto != ipproto)
		return M_FOREIGN;
	if (m->quote.l4_len < 8)
		return M_FOREIGN;  /* less than RFC 792 promises: whose cannot be told */
	if (pkt_get16(m->quote.l4) != path_sport(in, r->family))
		return M_FOREIGN;  /* not our flow */
	r->port = pkt_get16(m->quote.l4 + 2);
	return M_OK;
}

int path_errq_reply(pkt_icmp_class cls, const pkt_ipaddr *dst, uint16_t port, const uint8_t *b,
                    size_t off, size_t len, struct reply *r)
{
	int k = path_error_kind(r->family, cls, &r->from, dst);

	if (k < 0)
		return M_FOREIGN;
	r->kind = k;
	r->dst = *dst;
	r->port = port;
	r->cmp = CMP_QUOTE;
	r->bytes = b;
	r->off = off;
	r->len = len;
	r->iplen = -1;  /* the kernel keeps the quoted IP header */
	r->sum_proto = 0;  /* and with it the addresses a checksum covers */
	return M_OK;
}

/* Whether a quote of `got` transport bytes of an `n`-byte probe stops
 * where a quoting rule stops (see the top of this file). */
static int cut_ok(int family, size_t got, size_t n)
{
	if (got == n || got == 8)
		return 1;
	return got < n && (family == AF_INET ? 20 : 40) + got >= QUOTE_RFC4884;
}

/* Whether reply r carries probe `pr` (n bytes as built). */
static int same(const struct reply *r, const uint8_t *pr, size_t n)
{
	if (r->off > n || r->len > n - r->off)
		return 0;  /* more than we sent */
	switch (r->cmp) {
	case CMP_WHOLE:
		if (r->off + r->len != n)
			return 0;
		break;
	case CMP_QUOTE:
		if ((r->iplen >= 0 && (size_t)r->iplen != n) || !cut_ok(r->family, r->off + r->len, n))
			return 0;
		/* a checksum the kernel wrote is not compared with ours, but a
		 * whole quote must hold a right one (RFC 4443 2.3, RFC 8200 8.1) */
		if (r->sum_proto && !r->off && r->len == n &&
		    pkt_inet_checksum_fold(pkt_inet_checksum_add(pkt_inet_pseudo_sum(r->family, &r->qsrc, &r->dst,
		                                                                     r->sum_proto, n),
		                                                 r->bytes, n)) != 0)
			return 0;
		break;
	default:
		break;
	}
	for (size_t i = 0; i < r->len; i++) {
		size_t at = r->off + i;
		if (at < 32 && (r->skip >> at & 1))
			continue;
		if (r->bytes[i] != pr[at])
			return 0;
	}
	return 1;
}

/* A bare RST r: the running trace to its source address and port, and
 * its waiting probe of the highest TTL (the oldest of those). */
static void deliver_unacked(struct inst *in, struct reply *r)
{
	const unsigned nq = (unsigned)in->o->queries, nt = (unsigned)in->o->max_ttl;

	for (size_t i = 0; in->proto == &path_proto_tcp && i < in->ntargets; i++) {
		struct tstate *ts = in->tsv[i];
		unsigned bt = 0, bq = 0;
		const struct pinfo *best = NULL;

		if (!ts->active || ts->family != r->family || ts->dport != r->port ||
		    !path_addr_eq(r->family, &ts->dst, &r->dst))
			continue;
		for (unsigned t = nt; t >= 1 && !best; t--)
			for (unsigned q = 0; q < nq; q++) {
				const struct pinfo *p = &ts->p[(t - 1) * nq + q];
				if (p->state == PS_WAIT && (!best || p->tx_mono < best->tx_mono)) {
					best = p;
					bt = t;
					bq = q;
				}
			}
		if (best) {
			path_answered(ts, bt, bq, r);
			return;
		}
	}
	in->unmatched++;
}

void path_deliver(struct inst *in, struct reply *r)
{
	struct tstate *ts = NULL;
	unsigned ttl, q;
	size_t n;

	if (r->cmp == CMP_UNACKED) {
		deliver_unacked(in, r);
		return;
	}

	/* the first probe of the chain the reply carries, byte for byte */
	while ((ts = path_find(in, r, ts, &ttl, &q)))
		if ((n = in->proto->build(ts, ttl, q, in->rb, sizeof in->rb)) && same(r, in->rb, n)) {
			path_answered(ts, ttl, q, r);
			return;
		}
	in->unmatched++;
}
