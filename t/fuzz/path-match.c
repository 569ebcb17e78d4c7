/*
 * t/fuzz/path-match.c: libFuzzer target for the path plugin's reply
 * *matchers*, not only the parser.  Each input runs against an instance
 * with a fixed set of probes in flight (two targets, TTLs 1..4, two
 * queries, deterministic cookie, identifiers and sequence keys), through
 * the host mock (t/mock/hostmock.c).
 *
 *   byte 0   protocol, mode and family (one of 10)
 *   byte 1   entry point: raw ICMP socket, error queue, raw protocol
 *            socket, dgram socket; bit 2: the packet's source is the
 *            target (else another address)
 *   byte 2-3 error queue: ICMP type and code
 *   the rest the packet
 *
 * Whatever the input, the engine's books must stay consistent: a probe
 * is answered at most once, only if it was sent, answers never exceed
 * sends per TTL, and a destination TTL is one that was probed.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "hostmock.h"
#include "path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const hw_plugin hopwatch_plugin;

static int fz_prepare(struct tstate *ts)
{
	memset(&ts->route, 0, sizeof ts->route);
	ts->route.src.v4.s_addr = htonl(0xc6336401);  /* 198.51.100.1 (v6: the same first bytes) */
	return 0;
}

static int fz_send(struct tstate *ts, unsigned ttl, unsigned q)
{
	ts->p[(ttl - 1) * (unsigned)ts->in->o->queries + q].tx_mono = hw_mono();
	return 0;
}

static void fz_drain(struct inst *in)
{
	(void)in;
}

static const struct path_io fz_io = { fz_prepare, fz_send, fz_drain };

/* Abort unless the books of ts are consistent. */
static void check(const struct tstate *ts, const struct opts *o)
{
	unsigned qn = (unsigned)o->queries;

	for (unsigned ttl = 1; ttl <= (unsigned)o->max_ttl; ttl++) {
		unsigned answered = 0;
		for (unsigned q = 0; q < qn; q++) {
			const struct pinfo *p = &ts->p[(ttl - 1) * qn + q];
			if (p->state == PS_ANSWERED)
				answered++;
			if (p->state != PS_UNSENT && q >= ts->sent[ttl])
				abort();
		}
		if (answered != ts->rcvd[ttl] || ts->rcvd[ttl] > ts->sent[ttl])
			abort();
	}
	if (ts->dest_ttl > (unsigned)o->max_ttl || (ts->dest_ttl && !ts->sent[ts->dest_ttl]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct { int protocol, raw, family; } modes[] = {
		{ P_ICMP, 1, AF_INET }, { P_ICMP, 1, AF_INET6 }, { P_ICMP, 0, AF_INET }, { P_ICMP, 0, AF_INET6 },
		{ P_UDP, 1, AF_INET }, { P_UDP, 1, AF_INET6 }, { P_UDP, 0, AF_INET }, { P_UDP, 0, AF_INET6 },
		{ P_TCP, 1, AF_INET }, { P_TCP, 1, AF_INET6 },
	};
	static const char *const v4[] = { "192.0.2.1", "192.0.2.2" }, *const v6[] = { "2001:db8::1", "2001:db8::2" };
	struct opts o;
	struct inst *in;
	struct reply r;
	const uint8_t *pkt = data + 4;
	size_t len = size - 4, m;
	int family;

	if (size < 4)
		return 0;
	m = data[0] % (sizeof modes / sizeof *modes);
	family = modes[m].family;
	o = (struct opts){ .protocol = modes[m].protocol, .max_ttl = 4, .queries = 2, .size = 16,
	                   .mode = modes[m].raw ? MODE_RAW : MODE_DGRAM, .pps = 1e6 };
	if (path_inst_new(mock_setup(family == AF_INET ? v4 : v6, 2, hopwatch_plugin.target_size, 60, 1),
	                  &o, &in) < 0)
		abort();
	in->io = &fz_io;
	in->raw = modes[m].raw;
	in->f4.sport = in->f6.sport = 40000;
	memcpy(in->cookie, (const uint8_t[]){ 0xc0, 0x0c, 0x1e, 0x55 }, 4);
	in->ident_base = 1000;
	in->rng = 1;
	for (size_t i = 0; i < 2; i++) {
		struct tstate *ts = mock_target(i)->data;
		ts->ident = (uint16_t)(1000 + i);
		ts->gen = 0;
		path_run(in, mock_target(i));
	}
	mock_run_until(0.001);
	memset(&r, 0, sizeof r);
	r.family = family;
	r.rx_mono = hw_mono();
	if (data[1] & 4)
		r.from = ((struct tstate *)mock_target(0)->data)->dst;
	else
		memcpy(&r.from, pkt, len < sizeof r.from ? len : sizeof r.from);
	switch (data[1] & 3) {
	case 0:
		if (in->raw)
			path_on_icmp(in, pkt, len, &r);
		break;
	case 1:
		if (!in->raw)
			path_on_errq(in, data[2], data[3], &((struct tstate *)mock_target(0)->data)->dst,
			             ((struct tstate *)mock_target(0)->data)->dport, pkt, len, &r);
		break;
	case 2:
		if (in->raw)
			path_on_raw(in, pkt, len, &r);
		break;
	default:
		if (!in->raw)
			path_on_dgram(in, pkt, len, &r);
		break;
	}
	for (size_t i = 0; i < 2; i++)
		check(mock_target(i)->data, &o);
	mock_run_until(10);  /* the traces end and report */
	path_inst_free(in);
	mock_teardown();
	return 0;
}
