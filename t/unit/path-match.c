/*
 * t/unit/path-match.c: build/match round trips of every protocol and mode
 * of the path plugin, IPv4 and IPv6, through the host mock.  A probe is
 * built and sent (captured), the reply a router or the destination would
 * send is synthesized byte by byte (t/mock/pathsynth.c) and fed to the
 * same entry point a socket read uses (path_on_icmp, path_on_errq,
 * path_on_raw, path_on_dgram).  Every mutated variant must leave the probe
 * unanswered (issue 15): each byte of what the reply carries of ours
 * changed, every truncation no quoting rule makes (so every offset of the
 * cookie), a quote longer than sent or stating another length, another
 * quoted destination, an ICMP code that is no answer, an echo reply with
 * no payload, a cut one or 1,200 bytes too long, a TCP answer with the
 * wrong ports or acknowledgment number.  Then the true reply must count.
 * A bare RST (issue 14) counts by addresses and ports alone.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "test-lib.h"
#include "hostmock.h"
#include "pathsynth.h"
#include "path.h"

extern const hw_plugin hopwatch_plugin;

#define SPORT 40000          /* our source port / ping identifier in the tests */
#define HOP_TTL 2            /* the probe routers answer */
#define DEST_TTL 4           /* the probe the destination answers */

/* One protocol, mode and family under test. */
struct tmode {
	const char *name;        /* for the test names */
	int protocol;            /* P_* */
	int raw;                 /* 1: raw sockets, 0: dgram (error queue) */
	int family;              /* AF_INET, AF_INET6 */
};

static struct opts o;
static struct inst *in;
static const struct tmode *M;
static pkt_ipaddr me, hop;

static pkt_ipaddr addr(int family, const char *s)
{
	pkt_ipaddr a;
	memset(&a, 0, sizeof a);
	inet_pton(family, s, &a);
	return a;
}

static int fake_prepare(struct tstate *ts)
{
	ts->route.src = me;
	return 0;
}

static int fake_send(struct tstate *ts, unsigned ttl, unsigned q)
{
	struct pinfo *p = &ts->p[(ttl - 1) * (unsigned)ts->in->o->queries + q];
	p->tx_mono = hw_mono();
	return 0;
}

static void fake_drain(struct inst *i)
{
	(void)i;
}

static const struct path_io fake_io = { fake_prepare, fake_send, fake_drain };

static struct tstate *TS(void)
{
	return mock_target(0)->data;
}

/* A trace of mode m under way: probes at TTLs 1..4 wait. */
static void setup(const struct tmode *m)
{
	const char *target = m->family == AF_INET ? "192.0.2.1" : "2001:db8::1";

	M = m;
	me = addr(m->family, m->family == AF_INET ? "198.51.100.1" : "2001:db8:1::1");
	hop = addr(m->family, m->family == AF_INET ? "10.0.2.1" : "2001:db8:2::1");
	o = (struct opts){ .protocol = m->protocol, .max_ttl = DEST_TTL, .queries = 1, .size = 32,
	                   .mode = m->raw ? MODE_RAW : MODE_DGRAM, .pps = 1e6 };
	if (path_inst_new(mock_setup(&target, 1, hopwatch_plugin.target_size, 60, 1), &o, &in) < 0)
		abort();
	in->io = &fake_io;
	in->raw = m->raw;
	in->f4.sport = in->f6.sport = SPORT;
	path_run(in, mock_target(0));
	mock_run_until(0);
}

static void teardown(void)
{
	path_inst_free(in);
	in = NULL;
	mock_teardown();
}

/* State of the probe at ttl. */
static int state(unsigned ttl)
{
	return TS()->p[ttl - 1].state;
}

/* The probe at ttl as it leaves: its transport bytes as built, and for
 * ICMPv6 the checksum the kernel fills in. */
static size_t probe(unsigned ttl, uint8_t *buf)
{
	size_t n = in->proto->build(TS(), ttl, 0, buf, TX_BUF);

	if (M->protocol == P_ICMP && M->family == AF_INET6) {
		uint16_t c = pkt_inet_checksum_fold(pkt_inet_checksum_add(
			pkt_inet_pseudo_sum(AF_INET6, &me, &TS()->dst, IPPROTO_ICMPV6, n), buf, n));
		buf[2] = (uint8_t)(c >> 8);
		buf[3] = (uint8_t)c;
	}
	return n;
}

static struct reply fresh(const pkt_ipaddr *from)
{
	struct reply r;
	memset(&r, 0, sizeof r);
	r.family = M->family;
	r.from = *from;
	r.rx_mono = hw_mono();
	return r;
}

/* ------------------------------------------------------------------ */
/* ICMP errors                                                          */

/* A mutation of an error: what to change before it is fed. */
struct emut {
	uint8_t type, code;      /* ICMP type and code */
	size_t quote;            /* transport bytes quoted */
	long flip;               /* quoted transport byte to change; -1: none */
	long iplen_add;          /* added to the quoted IP length field */
	size_t extra;            /* bytes appended to the quote (stated in the length field) */
	int other_dst;           /* quote another destination */
};

/* The type of a time exceeded (0) or port unreachable (1) of the family. */
static uint8_t icmp_type(int unreach)
{
	if (M->family == AF_INET)
		return unreach ? 3 : 11;
	return unreach ? 1 : 3;
}

/* Feed the error about probe `ttl` from `from`, mutated by e. */
static void feed_error(unsigned ttl, const pkt_ipaddr *from, const struct emut *e)
{
	uint8_t l4[TX_BUF + 1300], pkt[TX_BUF + 1400];
	size_t n = probe(ttl, l4), all = n + e->extra, len;
	pkt_ipaddr dst = TS()->dst;
	uint8_t ipproto = M->protocol == P_UDP ? IPPROTO_UDP : M->protocol == P_TCP ? IPPROTO_TCP
	                  : M->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	struct reply r = fresh(from);

	memset(l4 + n, 0x5a, e->extra);
	if (e->flip >= 0)
		l4[e->flip] ^= 0x21;
	if (e->other_dst)
		((uint8_t *)&dst)[path_alen(M->family) - 1] ^= 1;
	if (!M->raw) {
		/* the error queue: the quote after the transport header (udp)
		 * or from it (icmp); the kernel keeps the IP header */
		size_t skip = in->proto->dgram_skip, q = e->quote + e->extra;
		if (q < skip)
			return;  /* the kernel would not pass it */
		path_on_errq(in, e->type, e->code, &dst, TS()->dport,
		             l4 + skip, q - skip, &r);
		return;
	}
	len = synth_error(pkt, sizeof pkt, M->family, from, &me, e->type, e->code, ipproto, &me, &dst, l4,
	                  all, e->quote + e->extra);
	if (e->iplen_add) {
		size_t at = M->family == AF_INET ? 20 + 8 + 2 : 8 + 4;
		unsigned v = (unsigned)(pkt[at] << 8 | pkt[at + 1]) + (unsigned)e->iplen_add;
		pkt[at] = (uint8_t)(v >> 8);
		pkt[at + 1] = (uint8_t)v;
		synth_fix(pkt, len, M->family);
	}
	path_on_icmp(in, pkt, len, &r);
}

/* Bytes of the probe the kernel writes that the reader cannot check: the
 * ICMPv6 checksum in the error queue (raw mode checks a whole quote's
 * checksum over the quoted addresses); dgram udp: the UDP header the
 * kernel keeps. */
static int kernels(size_t i)
{
	if (!M->raw && M->family == AF_INET6 && M->protocol == P_ICMP && (i == 2 || i == 3))
		return 1;
	return !M->raw && M->protocol == P_UDP && i < PKT_UDP_HDR_LEN;
}

/* A quote cut at q of an n-byte probe that a quoting rule makes. */
static int legal_cut(size_t q, size_t n)
{
	return q == 8 || q == n;
}

/* Every bad variant of an error about probe `ttl` from `from` leaves it
 * unanswered; then the true one counts, with `want` its kind. */
static void errors(unsigned ttl, const pkt_ipaddr *from, int unreach, int want_dest)
{
	uint8_t l4[TX_BUF];
	size_t n = probe(ttl, l4), bad = 0;
	uint8_t type = icmp_type(unreach), code = unreach ? (M->family == AF_INET ? 3 : 4) : 0;
	struct emut e = { type, code, n, -1, 0, 0, 0 };
	long first = -1;

	for (size_t i = 0; i < n; i++) {
		if (kernels(i))
			continue;
		e.flip = (long)i;
		feed_error(ttl, from, &e);
		if (state(ttl) != PS_WAIT && !bad++)
			first = (long)i;
	}
	e.flip = -1;
	ok(!bad, "%s: no quote with a byte changed counts (%zu did, first at %ld)", M->name, bad, first);
	for (size_t q = 0; q < n; q++) {
		if (legal_cut(q, n))
			continue;
		e.quote = q;
		feed_error(ttl, from, &e);
		if (state(ttl) != PS_WAIT && !bad++)
			first = (long)q;
	}
	e.quote = n;
	ok(!bad, "%s: no quote cut at 0..%zu (but 8) counts, cookie offsets included (first %ld)", M->name,
	   n - 1, first);
	if (M->raw) {
		e.extra = 1200;
		feed_error(ttl, from, &e);
		ok(state(ttl) == PS_WAIT, "%s: a quote of 1200 bytes more than sent does not count", M->name);
		e.extra = 0;
		e.iplen_add = 1;
		feed_error(ttl, from, &e);
		e.iplen_add = -1;
		feed_error(ttl, from, &e);
		ok(state(ttl) == PS_WAIT, "%s: a quoted IP length of one more or less does not count", M->name);
		e.iplen_add = 0;
	}
	e.other_dst = 1;
	feed_error(ttl, from, &e);
	ok(state(ttl) == PS_WAIT, "%s: a quote of another destination does not count", M->name);
	e.other_dst = 0;
	if (!unreach) {
		e.code = 1;
		feed_error(ttl, from, &e);
		ok(state(ttl) == PS_WAIT, "%s: time exceeded code 1 (reassembly) does not count", M->name);
		e.code = 0;
	}
	ok(in->unmatched > 0, "%s: the bad ones show as path.unmatched (%llu)", M->name,
	   (unsigned long long)in->unmatched);
	feed_error(ttl, from, &e);
	ok(state(ttl) == PS_ANSWERED && path_addr_eq(M->family, &TS()->p[ttl - 1].from, from),
	   "%s: the true %s counts", M->name, unreach ? "unreachable" : "time exceeded");
	if (want_dest)
		ok(TS()->dest_ttl == ttl, "%s: the destination is reached at TTL %u", M->name, ttl);
}

/* An 8-byte quote (RFC 792) of probe `ttl` counts: raw modes, and the
 * ping socket's error queue. */
static void short_quote(unsigned ttl)
{
	uint8_t l4[TX_BUF];
	struct emut e = { icmp_type(0), 0, 8, -1, 0, 0, 0 };

	probe(ttl, l4);
	feed_error(ttl, &hop, &e);
	ok(state(ttl) == PS_ANSWERED, "%s: a quote of the 8 bytes RFC 792 promises counts", M->name);
}

/* ------------------------------------------------------------------ */
/* Direct answers                                                       */

/* Feed an echo reply to probe `ttl` from the destination: `code`, the
 * payload cut to `plen` bytes (or longer), byte `flip` changed. */
static void feed_echo(unsigned ttl, uint8_t code, size_t plen, long flip, const pkt_ipaddr *from)
{
	uint8_t req[TX_BUF + 1300], pkt[TX_BUF + 1400];
	size_t n = probe(ttl, req), len;
	struct reply r = fresh(from);

	memset(req + n, 0x5a, sizeof req - n);
	len = synth_echo_reply(pkt, sizeof pkt, M->family, M->raw, from, &me, req, 8 + plen);
	if (flip >= 0)
		pkt[len - (8 + plen) + (size_t)flip] ^= 0x21;
	pkt[len - (8 + plen) + 1] = code;
	if (M->family == AF_INET) {
		size_t at = len - (8 + plen);
		pkt[at + 2] = pkt[at + 3] = 0;
		uint16_t s = pkt_inet_checksum(pkt + at, 8 + plen);
		pkt[at + 2] = (uint8_t)(s >> 8);
		pkt[at + 3] = (uint8_t)s;
	}
	if (M->raw)
		path_on_icmp(in, pkt, len, &r);
	else
		path_on_dgram(in, pkt, len, &r);
}

static void echoes(unsigned ttl)
{
	size_t size = (size_t)o.size, bad = 0;
	const pkt_ipaddr dst = TS()->dst;
	long first = -1;

	feed_echo(ttl, 0, 0, -1, &dst);
	ok(state(ttl) == PS_WAIT, "%s: an echo reply with no payload does not count", M->name);
	for (size_t p = 1; p < size; p++) {
		feed_echo(ttl, 0, p, -1, &dst);
		if (state(ttl) != PS_WAIT && !bad++)
			first = (long)p;
	}
	ok(!bad, "%s: no echo reply cut at 1..%zu payload bytes counts, cookie offsets included (first %ld)",
	   M->name, size - 1, first);
	feed_echo(ttl, 0, size + 1200, -1, &dst);
	ok(state(ttl) == PS_WAIT, "%s: an echo reply 1200 bytes longer than sent does not count", M->name);
	for (unsigned c = 1; c < 256; c++)
		feed_echo(ttl, (uint8_t)c, size, -1, &dst);
	ok(state(ttl) == PS_WAIT, "%s: no echo reply with a code 1..255 counts", M->name);
	for (size_t i = 4; i < 8 + size; i++) {
		feed_echo(ttl, 0, size, (long)i, &dst);
		if (state(ttl) != PS_WAIT && !bad++)
			first = (long)i;
	}
	ok(!bad, "%s: no echo reply with a byte of identifier, sequence or payload changed counts (first %ld)",
	   M->name, first);
	if (M->raw) {
		feed_echo(ttl, 0, size, -1, &hop);
		ok(state(ttl) == PS_WAIT, "%s: an echo reply from another address does not count", M->name);
	}
	feed_echo(ttl, 0, size, -1, &dst);
	ok(state(ttl) == PS_ANSWERED && TS()->dest_ttl == ttl, "%s: the true echo reply counts: reached",
	   M->name);
}

/* Feed a TCP answer with `flags` to probe `ttl` (without PKT_TCP_ACK its
 * ack is 0); change byte `flip` of its TCP header (the checksum follows). */
static void feed_tcp(unsigned ttl, uint8_t flags, long flip)
{
	uint8_t syn[TX_BUF], pkt[128];
	const pkt_ipaddr dst = TS()->dst;
	size_t len, hl = M->family == AF_INET ? 20 : 0;
	struct reply r = fresh(&dst);

	probe(ttl, syn);
	len = synth_tcp_answer(pkt, sizeof pkt, M->family, &dst, &me, syn, flags);
	if (!(flags & PKT_TCP_ACK))
		memset(pkt + hl + 8, 0, 4);  /* no ACK flag, ack 0: a bare RST as firewalls send it */
	if (flip >= 0)
		pkt[hl + (size_t)flip] ^= 0x21;
	pkt[hl + 16] = pkt[hl + 17] = 0;
	{
		uint16_t c = pkt_tcp_checksum(M->family, &dst, &me, pkt + hl, len - hl);
		pkt[hl + 16] = (uint8_t)(c >> 8);
		pkt[hl + 17] = (uint8_t)c;
	}
	path_on_raw(in, pkt, len, &r);
}

static void tcp_answers(unsigned ttl)
{
	size_t bad = 0;
	long first = -1;

	for (long i = 0; i < 4; i++) {  /* ports */
		feed_tcp(ttl, PKT_TCP_SYN | PKT_TCP_ACK, i);
		if (state(ttl) != PS_WAIT && !bad++)
			first = i;
	}
	for (long i = 8; i < 12; i++) {  /* acknowledgment number */
		feed_tcp(ttl, PKT_TCP_SYN | PKT_TCP_ACK, i);
		if (state(ttl) != PS_WAIT && !bad++)
			first = i;
	}
	ok(!bad, "%s: no SYN/ACK with other ports or acknowledgment counts (first byte %ld)", M->name, first);
	feed_tcp(ttl, PKT_TCP_SYN, -1);
	feed_tcp(ttl, PKT_TCP_ACK, -1);
	ok(state(ttl) == PS_WAIT, "%s: a SYN or a bare ACK does not count", M->name);
	feed_tcp(ttl, PKT_TCP_SYN | PKT_TCP_ACK, -1);
	ok(state(ttl) == PS_ANSWERED && TS()->dest_ttl == ttl, "%s: the true SYN/ACK counts: reached", M->name);
}

/* lib/pkt's bare RST row: no probe id, so it is given by addresses and
 * ports to the highest waiting TTL; the destination's TTL comes out right
 * even when a router's time exceeded arrives after it. */
static void bare_rsts(void)
{
	size_t bad = 0;

	for (long i = 0; i < 4; i++) {  /* ports */
		feed_tcp(DEST_TTL, PKT_TCP_RST, i);
		for (unsigned t = 1; t <= DEST_TTL; t++)
			bad += state(t) != PS_WAIT;
	}
	ok(!bad && !TS()->dest_ttl, "%s: a bare RST with other ports does not count", M->name);
	feed_tcp(DEST_TTL, PKT_TCP_RST, -1);
	ok(state(DEST_TTL) == PS_ANSWERED && TS()->dest_ttl == DEST_TTL,
	   "%s: a bare RST answers the highest waiting TTL: reached at TTL %d", M->name, DEST_TTL);
	feed_tcp(DEST_TTL - 1, PKT_TCP_RST, -1);
	ok(state(DEST_TTL - 1) == PS_ANSWERED && TS()->dest_ttl == DEST_TTL - 1 && state(HOP_TTL) == PS_WAIT,
	   "%s: the next bare RST answers the next lower TTL, not a router's", M->name);
}

/* ------------------------------------------------------------------ */

int main(void)
{
	static const struct tmode modes[] = {
		{ "icmp raw v4", P_ICMP, 1, AF_INET }, { "icmp raw v6", P_ICMP, 1, AF_INET6 },
		{ "icmp dgram v4", P_ICMP, 0, AF_INET }, { "icmp dgram v6", P_ICMP, 0, AF_INET6 },
		{ "udp raw v4", P_UDP, 1, AF_INET }, { "udp raw v6", P_UDP, 1, AF_INET6 },
		{ "udp dgram v4", P_UDP, 0, AF_INET }, { "udp dgram v6", P_UDP, 0, AF_INET6 },
		{ "tcp raw v4", P_TCP, 1, AF_INET }, { "tcp raw v6", P_TCP, 1, AF_INET6 },
	};

	for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
		const struct tmode *m = &modes[i];

		setup(m);
		errors(HOP_TTL, &hop, 0, 0);
		if (m->raw || m->protocol == P_ICMP)
			short_quote(HOP_TTL - 1);
		if (m->protocol == P_ICMP)
			echoes(DEST_TTL);
		else if (m->protocol == P_UDP)
			errors(DEST_TTL, &TS()->dst, 1, 1);
		else
			tcp_answers(DEST_TTL);
		teardown();
		if (m->protocol == P_TCP) {
			setup(m);
			bare_rsts();
			teardown();
		}
	}
	return done_testing();
}
