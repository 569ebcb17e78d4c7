/*
 * plugins/path/recv.c: taking a received packet apart and dispatching it:
 * the protocol's matcher (struct proto) says which probe it answers, then
 * path_deliver checks it against the probe and tells the engine.  No
 * socket here: sockets.c reads them (raw sockets; the IP_RECVERR /
 * IPV6_RECVERR error queue of ping and UDP sockets, where the responder is
 * SO_EE_OFFENDER, the probe's destination the message's address, and the
 * payload what the router quoted of ours) and calls the path_on_*
 * functions, which unit tests and the fuzzer call too.
 */
#include <string.h>

#include "path.h"

/* Count or deliver what a matcher said. */
static void finish(struct inst *in, int rc, struct reply *r)
{
	if (rc == M_OK)
		path_deliver(in, r);
	else if (rc == M_BAD)
		in->unmatched++;
}

void path_on_icmp(struct inst *in, const uint8_t *buf, size_t len, struct reply *r)
{
	pkt_icmp m;
	int rc;

	/* path.unmatched counts only packets that carry our identity (a
	 * matcher says so); a raw socket also sees every other program's
	 * ICMP, and what cannot be parsed cannot be shown to be ours. */
	if ((rc = pkt_icmp_parse(buf, len, r->family, r->family == AF_INET, &m)) < 0) {
		HW_DEBUG(in->ctx, "ignored a malformed ICMP packet of %zu bytes: %s", len, pkt_strerror(rc));
		return;
	}
	if (r->family == AF_INET)
		r->from = m.src;
	if ((m.kind == PKT_ICMP_TIME_EXCEEDED || m.kind == PKT_ICMP_UNREACH) && !m.quote.ok)
		return;  /* an error quoting no usable header: nobody's we can tell */
	finish(in, in->proto->match_icmp(in, &m, r), r);
}

void path_on_errq(struct inst *in, uint8_t type, uint8_t code, const pkt_ipaddr *dst, uint16_t port,
                  const uint8_t *buf, size_t len, struct reply *r)
{
	pkt_icmp_class cls = pkt_icmp_classify(r->family, type, code);

	if (path_error_kind(r->family, cls, &r->from, dst) < 0)
		return;  /* too big, parameter problem, reassembly: not about the path */
	finish(in, in->proto->match_errq(in, cls, dst, port, buf, len, r), r);
}

void path_on_raw(struct inst *in, const uint8_t *buf, size_t len, struct reply *r)
{
	if (in->proto->match_raw)
		finish(in, in->proto->match_raw(in, buf, len, r), r);
}

void path_on_dgram(struct inst *in, const uint8_t *buf, size_t len, struct reply *r)
{
	if (in->proto->match_dgram)
		finish(in, in->proto->match_dgram(in, buf, len, r), r);
}
