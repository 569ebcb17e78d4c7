/*
 * t/unit/pkt-icmp.c: lib/pkt/icmp.c: checksum, echo builder,
 * ICMP/ICMPv6 parser and receive timestamps.
 *
 * The parser gets a table of packets, each with what it must say; then
 * every valid packet is cut at every length and a stream of pseudo-random
 * and mutated packets is thrown at it.  Each parse works on an exact-size
 * heap copy, so AddressSanitizer (make SANITIZE=1) sees any read past the
 * end, and every successful result is checked to point inside the buffer.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "pkt.h"
#include "test-lib.h"

/* ------------------------------------------------------------------ */
/* Packet construction                                                  */

/* A packet under construction. */
struct pkt {
	uint8_t b[512];          /* bytes */
	size_t n;                /* bytes used */
};

static void put(struct pkt *p, const void *d, size_t n)
{
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void put8(struct pkt *p, unsigned v)
{
	p->b[p->n++] = (uint8_t)v;
}

static void put16(struct pkt *p, unsigned v)
{
	put8(p, v >> 8);
	put8(p, v);
}

static void zeros(struct pkt *p, size_t n)
{
	memset(p->b + p->n, 0, n);
	p->n += n;
}

/* IPv4 header of `ihl` words, total length `tot`, protocol, addresses. */
static void ip4(struct pkt *p, unsigned ihl, unsigned tot, unsigned proto, unsigned ttl,
                const char *src, const char *dst, unsigned frag)
{
	size_t start = p->n;
	struct in_addr a;

	put8(p, 0x40 | ihl);
	put8(p, 0);
	put16(p, tot);
	put16(p, 0x1234);        /* id */
	put16(p, frag);
	put8(p, ttl);
	put8(p, proto);
	put16(p, 0);
	inet_pton(AF_INET, src, &a);
	put(p, &a, 4);
	inet_pton(AF_INET, dst, &a);
	put(p, &a, 4);
	for (unsigned i = 5; i < ihl; i++) {
		put8(p, 1);          /* NOP options */
		put8(p, 1);
		put8(p, 1);
		put8(p, 1);
	}
	uint16_t c = pkt_inet_checksum(p->b + start, p->n - start);
	p->b[start + 10] = (uint8_t)(c >> 8);
	p->b[start + 11] = (uint8_t)c;
}

/* IPv6 header with payload length `pl` and next header `nh`. */
static void ip6(struct pkt *p, unsigned pl, unsigned nh, unsigned hlim, const char *src, const char *dst)
{
	struct in6_addr a;

	put8(p, 0x60);
	put8(p, 0);
	put16(p, 0);
	put16(p, pl);
	put8(p, nh);
	put8(p, hlim);
	inet_pton(AF_INET6, src, &a);
	put(p, &a, 16);
	inet_pton(AF_INET6, dst, &a);
	put(p, &a, 16);
}

/* ICMP header: type, code, the two 16-bit words after the checksum. */
static void icmp(struct pkt *p, unsigned type, unsigned code, unsigned w1, unsigned w2)
{
	put8(p, type);
	put8(p, code);
	put16(p, 0);
	put16(p, w1);
	put16(p, w2);
}

/* Fill in the ICMPv4 checksum of the message starting at `off`. */
static void sum4(struct pkt *p, size_t off)
{
	uint16_t c;

	p->b[off + 2] = p->b[off + 3] = 0;
	c = pkt_inet_checksum(p->b + off, p->n - off);
	p->b[off + 2] = (uint8_t)(c >> 8);
	p->b[off + 3] = (uint8_t)c;
}

/* ------------------------------------------------------------------ */
/* Checksum and builder                                                 */

static void test_checksum(void)
{
	/* RFC 1071 section 3's example: the sum is ddf2, so the checksum 220d */
	static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	static const uint8_t odd[] = { 0x01, 0x02, 0x03 };  /* 0x0102 + 0x0300 */
	uint8_t buf[64];

	is_int(pkt_inet_checksum(rfc, sizeof rfc), 0x220d, "checksum: RFC 1071 example");
	is_int(pkt_inet_checksum(odd, sizeof odd), (uint16_t)~0x0402, "checksum: odd length pads with zero");
	is_int(pkt_inet_checksum(NULL, 0), 0xffff, "checksum: empty buffer");
	is_int(pkt_inet_checksum_fold(pkt_inet_checksum_add(pkt_inet_checksum_add(0, rfc, 4), rfc + 4, 4)),
	       0x220d, "checksum: in two even pieces equals in one");
	memset(buf, 0xff, sizeof buf);
	is_int(pkt_inet_checksum(buf, sizeof buf), 0, "checksum: all ones (carries fold)");
	/* a buffer holding its correct checksum sums to 0 */
	memcpy(buf, rfc, sizeof rfc);
	buf[8] = 0x22;
	buf[9] = 0x0d;
	is_int(pkt_inet_checksum(buf, 10), 0, "checksum: verifies to 0 with the checksum in place");
}

static void test_build(void)
{
	uint8_t buf[64], payload[16];
	pkt_icmp m;
	size_t n;

	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)(0xa0 + i);
	n = pkt_icmp_echo_build(buf, sizeof buf, AF_INET, 0x1234, 0xbeef, payload, sizeof payload);
	is_int(n, 24, "build v4: length");
	ok(buf[0] == 8 && buf[1] == 0, "build v4: type 8 code 0");
	ok(buf[4] == 0x12 && buf[5] == 0x34 && buf[6] == 0xbe && buf[7] == 0xef, "build v4: id and seq in network order");
	ok(!memcmp(buf + 8, payload, sizeof payload), "build v4: payload copied");
	is_int(pkt_inet_checksum(buf, n), 0, "build v4: checksum valid");
	is_int(pkt_icmp_parse(buf, n, AF_INET, 0, &m), 0, "build v4: parses");
	ok(m.kind == PKT_ICMP_ECHO_REQUEST && m.id == 0x1234 && m.seq == 0xbeef && m.data_len == 16,
	   "build v4: parses back to the same request");

	n = pkt_icmp_echo_build(buf, sizeof buf, AF_INET6, 7, 9, payload, 4);
	is_int(n, 12, "build v6: length");
	ok(buf[0] == 128 && buf[2] == 0 && buf[3] == 0, "build v6: type 128, checksum left 0 for the kernel");

	is_int(pkt_icmp_echo_build(buf, 23, AF_INET, 1, 1, payload, 16), 0, "build: cap one byte short refused");
	is_int(pkt_icmp_echo_build(buf, 24, AF_INET, 1, 1, payload, 16), 24, "build: exact cap fits");
	is_int(pkt_icmp_echo_build(buf, 7, AF_INET, 1, 1, NULL, 0), 0, "build: cap below the header refused");
	is_int(pkt_icmp_echo_build(buf, sizeof buf, AF_UNIX, 1, 1, NULL, 0), 0, "build: unknown family refused");
	is_int(pkt_icmp_echo_build(buf, sizeof buf, AF_INET, 1, 1, NULL, 0), 8, "build: empty payload");
	is_int(pkt_icmp_echo_build(buf, sizeof buf, AF_INET, 1, 1, NULL, 4), 0, "build: NULL payload with a length refused");
}

/* ------------------------------------------------------------------ */
/* Parser table                                                         */

/* One parser case and what it must yield. */
struct pcase {
	const char *name;
	struct pkt p;            /* the packet */
	int family, has_ip;      /* how it is parsed */
	int rc;                  /* expected result */
	pkt_icmp_kind kind;       /* when rc == 0: */
	int type, code, id, seq; /* as on the wire; id/seq for echo */
	int data_len;            /* expected data_len */
	int quote_ok;            /* errors: quote.ok */
	int quote_proto;         /* quote_ok: its protocol */
	int quote_echo;          /* quote_ok: an echo request inside */
	int qid, qseq;           /* ... with these */
	int l4_len;              /* quote_ok: transport bytes */
	int ext_len;             /* RFC 4884 extension bytes */
	int ttl;                 /* has_ip: outer TTL */
	int truncation_fails;    /* every shorter prefix must fail */
};

#define NCASES 48
static struct pcase cases[NCASES];
static int ncases;

static struct pcase *add_case(const char *name, int family, int has_ip, int rc)
{
	struct pcase *c;

	if (ncases == NCASES) {
		printf("Bail out! more than NCASES (%d) cases\n", NCASES);
		exit(1);
	}
	c = &cases[ncases++];
	memset(c, 0, sizeof *c);
	c->name = name;
	c->family = family;
	c->has_ip = has_ip;
	c->rc = rc;
	c->id = c->seq = -1;
	c->quote_proto = c->qid = c->qseq = c->l4_len = -1;
	return c;
}

/* Case: a v4 port unreachable (no outer IP header) quoting a UDP datagram
 * whose IP header has fragment field `frag`; `quote_ok`: its quote parses. */
static void port_unreach_udp(const char *name, unsigned frag, int quote_ok)
{
	struct pcase *c = add_case(name, AF_INET, 0, 0);

	icmp(&c->p, 3, 3, 0, 0);
	ip4(&c->p, 5, frag ? 1500 : 60, 17, 3, "192.0.2.2", "203.0.113.9", frag);
	put16(&c->p, 40000);
	put16(&c->p, 33434);
	put16(&c->p, 40);
	put16(&c->p, 0);
	sum4(&c->p, 0);
	c->kind = PKT_ICMP_UNREACH, c->type = 3, c->code = 3, c->data_len = 28, c->quote_ok = quote_ok;
	if (quote_ok)
		c->quote_proto = 17, c->quote_echo = 0, c->l4_len = 8;
}

static void build_cases(void)
{
	struct pcase *c;
	size_t off;

	/* v4 echo reply, ICMP only (ping socket) */
	c = add_case("v4 echo reply, no IP header", AF_INET, 0, 0);
	icmp(&c->p, 0, 0, 0x4242, 7);
	zeros(&c->p, 4);
	put(&c->p, "payload!", 8);
	sum4(&c->p, 0);
	c->kind = PKT_ICMP_ECHO_REPLY, c->id = 0x4242, c->seq = 7, c->data_len = 12;

	/* v4 echo reply with IP header (raw socket) */
	c = add_case("v4 echo reply, IP header", AF_INET, 1, 0);
	ip4(&c->p, 5, 20 + 16, 1, 61, "192.0.2.1", "192.0.2.2", 0);
	icmp(&c->p, 0, 0, 1, 65535);
	put(&c->p, "abcdefgh", 8);
	sum4(&c->p, 20);
	c->kind = PKT_ICMP_ECHO_REPLY, c->id = 1, c->seq = 65535, c->data_len = 8, c->ttl = 61;
	c->truncation_fails = 1;

	c = add_case("v4 echo reply, IP options (IHL 7)", AF_INET, 1, 0);
	ip4(&c->p, 7, 28 + 8, 1, 64, "192.0.2.1", "192.0.2.2", 0);
	icmp(&c->p, 0, 0, 2, 3);
	sum4(&c->p, 28);
	c->kind = PKT_ICMP_ECHO_REPLY, c->id = 2, c->seq = 3, c->data_len = 0, c->ttl = 64;
	c->truncation_fails = 1;

	c = add_case("v4 IP total length below the buffer: trailing bytes ignored", AF_INET, 1, 0);
	ip4(&c->p, 5, 20 + 12, 1, 64, "192.0.2.1", "192.0.2.2", 0);
	icmp(&c->p, 0, 0, 2, 3);
	put(&c->p, "wxyz", 4);
	sum4(&c->p, 20);
	put(&c->p, "TRAILER!", 8);  /* link padding: not part of the message */
	c->kind = PKT_ICMP_ECHO_REPLY, c->id = 2, c->seq = 3, c->data_len = 4, c->ttl = 64;

	c = add_case("v4 IHL 4 (below minimum)", AF_INET, 1, PKT_BAD_IP);
	ip4(&c->p, 5, 28, 1, 64, "192.0.2.1", "192.0.2.2", 0);
	icmp(&c->p, 0, 0, 1, 1);
	c->p.b[0] = 0x44;

	c = add_case("v4 IHL 15 past the end", AF_INET, 1, PKT_SHORT);
	ip4(&c->p, 5, 28, 1, 64, "192.0.2.1", "192.0.2.2", 0);
	icmp(&c->p, 0, 0, 1, 1);
	c->p.b[0] = 0x4f;

	c = add_case("v4 version 6 in an IPv4 header", AF_INET, 1, PKT_BAD_IP);
	ip4(&c->p, 5, 28, 1, 64, "192.0.2.1", "192.0.2.2", 0);
	icmp(&c->p, 0, 0, 1, 1);
	c->p.b[0] = 0x65;

	c = add_case("v4 total length beyond the buffer", AF_INET, 1, PKT_SHORT);
	ip4(&c->p, 5, 100, 1, 64, "192.0.2.1", "192.0.2.2", 0);
	icmp(&c->p, 0, 0, 1, 1);
	sum4(&c->p, 20);

	c = add_case("v4 total length below the header", AF_INET, 1, PKT_BAD_IP);
	ip4(&c->p, 5, 12, 1, 64, "192.0.2.1", "192.0.2.2", 0);
	icmp(&c->p, 0, 0, 1, 1);

	c = add_case("v4 fragment", AF_INET, 1, PKT_BAD_IP);
	ip4(&c->p, 5, 28, 1, 64, "192.0.2.1", "192.0.2.2", 0x2000);
	icmp(&c->p, 0, 0, 1, 1);
	sum4(&c->p, 20);

	c = add_case("v4 later fragment", AF_INET, 1, PKT_BAD_IP);
	ip4(&c->p, 5, 28, 1, 64, "192.0.2.1", "192.0.2.2", 0x0001);
	icmp(&c->p, 0, 0, 1, 1);
	sum4(&c->p, 20);

	c = add_case("v4 DF only: not a fragment", AF_INET, 1, 0);
	ip4(&c->p, 5, 28, 1, 64, "192.0.2.1", "192.0.2.2", 0x4000);
	icmp(&c->p, 0, 0, 1, 1);
	sum4(&c->p, 20);
	c->kind = PKT_ICMP_ECHO_REPLY, c->type = 0, c->id = 1, c->seq = 1, c->data_len = 0, c->ttl = 64;

	c = add_case("v4 protocol UDP", AF_INET, 1, PKT_BAD_IP);
	ip4(&c->p, 5, 28, 17, 64, "192.0.2.1", "192.0.2.2", 0);
	icmp(&c->p, 0, 0, 1, 1);

	c = add_case("v4 bad checksum", AF_INET, 0, PKT_BAD_SUM);
	icmp(&c->p, 0, 0, 5, 6);
	put(&c->p, "data", 4);
	sum4(&c->p, 0);
	c->p.b[9] ^= 0x40;

	c = add_case("v4 other type (timestamp reply)", AF_INET, 0, 0);
	icmp(&c->p, 14, 0, 5, 6);
	zeros(&c->p, 12);
	sum4(&c->p, 0);
	c->kind = PKT_ICMP_OTHER, c->type = 14, c->data_len = 12;

	c = add_case("v4 echo request", AF_INET, 0, 0);
	icmp(&c->p, 8, 0, 9, 10);
	sum4(&c->p, 0);
	c->kind = PKT_ICMP_ECHO_REQUEST, c->type = 8, c->id = 9, c->seq = 10, c->data_len = 0;

	/* time exceeded from a router, quoting our echo request */
	c = add_case("v4 time exceeded quoting an echo request", AF_INET, 1, 0);
	ip4(&c->p, 5, 20 + 8 + 28, 1, 250, "198.51.100.1", "192.0.2.2", 0);
	off = c->p.n;
	icmp(&c->p, 11, 0, 0, 0);
	ip4(&c->p, 5, 84, 1, 1, "192.0.2.2", "203.0.113.9", 0);
	icmp(&c->p, 8, 0, 0x7777, 0x0102);
	sum4(&c->p, off);
	c->kind = PKT_ICMP_TIME_EXCEEDED, c->type = 11, c->data_len = 28, c->ttl = 250;
	c->quote_ok = 1, c->quote_proto = 1, c->quote_echo = 1, c->qid = 0x7777, c->qseq = 0x0102, c->l4_len = 8;
	c->truncation_fails = 1;

	port_unreach_udp("v4 port unreachable quoting UDP", 0, 1);

	/* the quote may be a first fragment (MF set): its transport header is
	 * there; a later fragment quoted carries none: no quote */
	port_unreach_udp("v4 port unreachable quoting a first fragment (MF)", 0x2000, 1);
	port_unreach_udp("v4 port unreachable quoting a later fragment", 0x00b9, 0);

	c = add_case("v4 time exceeded, quote cut inside its IP header", AF_INET, 0, 0);
	icmp(&c->p, 11, 0, 0, 0);
	ip4(&c->p, 5, 84, 1, 1, "192.0.2.2", "203.0.113.9", 0);
	c->p.n -= 10;
	sum4(&c->p, 0);
	c->kind = PKT_ICMP_TIME_EXCEEDED, c->type = 11, c->data_len = 10, c->quote_ok = 0;

	c = add_case("v4 time exceeded, quote with bad IHL", AF_INET, 0, 0);
	icmp(&c->p, 11, 0, 0, 0);
	ip4(&c->p, 5, 84, 1, 1, "192.0.2.2", "203.0.113.9", 0);
	icmp(&c->p, 8, 0, 1, 2);
	c->p.b[8] = 0x43;
	sum4(&c->p, 0);
	c->kind = PKT_ICMP_TIME_EXCEEDED, c->type = 11, c->data_len = 28, c->quote_ok = 0;

	/* RFC 4884: 128-byte quote (length 32 words) then an extension */
	c = add_case("v4 time exceeded with an RFC 4884 extension", AF_INET, 0, 0);
	icmp(&c->p, 11, 0, 0x0020, 0);  /* byte 5 = 32 words */
	ip4(&c->p, 5, 128, 1, 1, "192.0.2.2", "203.0.113.9", 0);
	icmp(&c->p, 8, 0, 3, 4);
	zeros(&c->p, 100);
	put8(&c->p, 0x20);  /* extension header version 2 */
	zeros(&c->p, 7);
	sum4(&c->p, 0);
	c->kind = PKT_ICMP_TIME_EXCEEDED, c->type = 11, c->data_len = 128, c->ext_len = 8;
	c->quote_ok = 1, c->quote_proto = 1, c->quote_echo = 1, c->qid = 3, c->qseq = 4, c->l4_len = 108;

	/* IPv6: no checksum check, no IP header from sockets */
	c = add_case("v6 echo reply", AF_INET6, 0, 0);
	icmp(&c->p, 129, 0, 0xabcd, 0x0001);
	put(&c->p, "0123456789", 10);
	c->kind = PKT_ICMP_ECHO_REPLY, c->type = 129, c->id = 0xabcd, c->seq = 1, c->data_len = 10;

	c = add_case("v6 echo reply with IPv6 header", AF_INET6, 1, 0);
	ip6(&c->p, 12, 58, 57, "2001:db8::1", "2001:db8::2");
	icmp(&c->p, 129, 0, 1, 2);
	put(&c->p, "abcd", 4);
	c->kind = PKT_ICMP_ECHO_REPLY, c->type = 129, c->id = 1, c->seq = 2, c->data_len = 4, c->ttl = 57;
	c->truncation_fails = 1;

	c = add_case("v6 header whose next header is not ICMPv6", AF_INET6, 1, PKT_BAD_IP);
	ip6(&c->p, 8, 17, 57, "2001:db8::1", "2001:db8::2");
	icmp(&c->p, 129, 0, 1, 2);

	c = add_case("v6 header of version 4", AF_INET6, 1, PKT_BAD_IP);
	ip6(&c->p, 8, 58, 57, "2001:db8::1", "2001:db8::2");
	icmp(&c->p, 129, 0, 1, 2);
	c->p.b[0] = 0x40;

	c = add_case("v6 payload length beyond the buffer", AF_INET6, 1, PKT_SHORT);
	ip6(&c->p, 200, 58, 57, "2001:db8::1", "2001:db8::2");
	icmp(&c->p, 129, 0, 1, 2);

	c = add_case("v6 time exceeded quoting an echo request", AF_INET6, 0, 0);
	icmp(&c->p, 3, 0, 0, 0);
	ip6(&c->p, 16, 58, 1, "2001:db8::2", "2001:db8:ffff::9");
	icmp(&c->p, 128, 0, 0x5555, 0x0aaa);
	zeros(&c->p, 8);
	c->kind = PKT_ICMP_TIME_EXCEEDED, c->type = 3, c->data_len = 56;
	c->quote_ok = 1, c->quote_proto = 58, c->quote_echo = 1, c->qid = 0x5555, c->qseq = 0x0aaa, c->l4_len = 16;

	c = add_case("v6 unreachable quoting UDP behind a hop-by-hop header", AF_INET6, 0, 0);
	icmp(&c->p, 1, 4, 0, 0);
	ip6(&c->p, 16, 0, 1, "2001:db8::2", "2001:db8:ffff::9");
	put8(&c->p, 17);    /* hop-by-hop: next header UDP, length 0 (8 bytes) */
	put8(&c->p, 0);
	zeros(&c->p, 6);
	put16(&c->p, 40000);
	put16(&c->p, 33434);
	put16(&c->p, 8);
	put16(&c->p, 0);
	c->kind = PKT_ICMP_UNREACH, c->type = 1, c->code = 4, c->data_len = 56;
	c->quote_ok = 1, c->quote_proto = 17, c->quote_echo = 0, c->l4_len = 8;

	c = add_case("v6 unreachable, extension header cut off", AF_INET6, 0, 0);
	icmp(&c->p, 1, 4, 0, 0);
	ip6(&c->p, 16, 60, 1, "2001:db8::2", "2001:db8:ffff::9");
	put8(&c->p, 17);
	put8(&c->p, 4);     /* claims 40 bytes; only 4 follow */
	zeros(&c->p, 2);
	c->kind = PKT_ICMP_UNREACH, c->type = 1, c->code = 4, c->data_len = 44, c->quote_ok = 0;

	c = add_case("v6 packet too big", AF_INET6, 0, 0);
	icmp(&c->p, 2, 0, 0, 1280);
	ip6(&c->p, 1400, 58, 5, "2001:db8::2", "2001:db8:ffff::9");
	icmp(&c->p, 128, 0, 1, 1);
	c->kind = PKT_ICMP_TOO_BIG, c->type = 2, c->data_len = 48;
	c->quote_ok = 1, c->quote_proto = 58, c->quote_echo = 1, c->qid = 1, c->qseq = 1, c->l4_len = 8;

	c = add_case("v6 other type (neighbour solicitation)", AF_INET6, 0, 0);
	icmp(&c->p, 135, 0, 0, 0);
	zeros(&c->p, 16);
	c->kind = PKT_ICMP_OTHER, c->type = 135, c->data_len = 16;

	c = add_case("v4 ICMP shorter than its header", AF_INET, 0, PKT_SHORT);
	put8(&c->p, 0);
	put8(&c->p, 0);
	put16(&c->p, 0xffff);
}

/* Parse `len` bytes of `src` from an exact-size heap copy; check that a
 * successful result points inside it.  Returns the parse result. */
static int parse_copy(const uint8_t *src, size_t len, int family, int has_ip, pkt_icmp *m,
                      int *inside)
{
	uint8_t *b = malloc(len ? len : 1);
	int rc;

	memcpy(b, src, len);
	rc = pkt_icmp_parse(b, len, family, has_ip, m);
	*inside = 1;
	if (rc == 0) {
		const uint8_t *end = b + len;
		if (m->data < b || m->data > end || m->data_len > (size_t)(end - m->data))
			*inside = 0;
		if (m->ext && (m->ext < b || m->ext_len > (size_t)(end - m->ext)))
			*inside = 0;
		if (m->quote.ok && (m->quote.l4 < m->data || m->quote.l4 > m->data + m->data_len ||
		                    m->quote.l4_len > (size_t)(m->data + m->data_len - m->quote.l4)))
			*inside = 0;
	}
	free(b);
	return rc;
}

static void test_parse_table(void)
{
	char n[200];

	for (int i = 0; i < ncases; i++) {
		const struct pcase *c = &cases[i];
		pkt_icmp m;
		int inside, rc = parse_copy(c->p.b, c->p.n, c->family, c->has_ip, &m, &inside);

		snprintf(n, sizeof n, "%s: result %s", c->name, pkt_strerror(c->rc));
		if (!is_int(rc, c->rc, n) || rc != 0)
			continue;
		ok(inside, "%s: pointers inside the buffer", c->name);
		ok(m.family == c->family && m.kind == c->kind, "%s: kind %d", c->name, c->kind);
		ok(m.type == c->type && m.code == c->code, "%s: type %d code %d", c->name, c->type, c->code);
		if (c->id >= 0)
			ok(m.id == c->id && m.seq == c->seq, "%s: id %d seq %d", c->name, c->id, c->seq);
		else
			ok(m.id == 0 && m.seq == 0, "%s: no id/seq outside echo", c->name);
		snprintf(n, sizeof n, "%s: data_len", c->name);
		is_int(m.data_len, c->data_len, n);
		snprintf(n, sizeof n, "%s: extension bytes", c->name);
		is_int(m.ext ? m.ext_len : 0, c->ext_len, n);
		if (c->has_ip) {
			snprintf(n, sizeof n, "%s: outer TTL", c->name);
			is_int(m.ttl, c->ttl, n);
		}
		if (c->kind == PKT_ICMP_TIME_EXCEEDED || c->kind == PKT_ICMP_UNREACH || c->kind == PKT_ICMP_TOO_BIG) {
			snprintf(n, sizeof n, "%s: quote ok", c->name);
			is_int(m.quote.ok, c->quote_ok, n);
			if (c->quote_ok) {
				ok(m.quote.proto == c->quote_proto && (int)m.quote.l4_len == c->l4_len,
				   "%s: quote proto %d, %d transport bytes (got %d, %zu)", c->name, c->quote_proto,
				   c->l4_len, m.quote.proto, m.quote.l4_len);
				ok(m.quote.echo == c->quote_echo &&
				   (!c->quote_echo || (m.quote.echo_id == c->qid && m.quote.echo_seq == c->qseq)),
				   "%s: quoted echo request %s", c->name, c->quote_echo ? "found" : "absent");
			}
		}
	}
}

static void test_quote_addresses(void)
{
	pkt_icmp m;
	char a[INET6_ADDRSTRLEN];
	int inside;

	for (int i = 0; i < ncases; i++) {
		const struct pcase *c = &cases[i];
		if (strcmp(c->name, "v4 time exceeded quoting an echo request") &&
		    strcmp(c->name, "v6 time exceeded quoting an echo request"))
			continue;
		parse_copy(c->p.b, c->p.n, c->family, c->has_ip, &m, &inside);
		inet_ntop(c->family, &m.quote.dst, a, sizeof a);
		is_str(a, c->family == AF_INET ? "203.0.113.9" : "2001:db8:ffff::9", "quote: destination address");
		inet_ntop(c->family, &m.quote.src, a, sizeof a);
		is_str(a, c->family == AF_INET ? "192.0.2.2" : "2001:db8::2", "quote: source address");
		if (c->family == AF_INET) {
			inet_ntop(AF_INET, &m.src, a, sizeof a);
			is_str(a, "198.51.100.1", "outer source address of a raw v4 packet");
			is_int(m.quote.ttl, 1, "quote: TTL as the router saw it");
			is_int(m.quote.ip_id, 0x1234, "quote: IPv4 identification");
		}
	}
}

/* Every prefix of every valid packet: never a crash or a pointer out of
 * bounds, and for packets whose lengths are all in headers, a failure. */
static void test_truncation(void)
{
	for (int i = 0; i < ncases; i++) {
		const struct pcase *c = &cases[i];
		int bad_inside = 0, wrongly_ok = 0;

		if (c->rc != 0)
			continue;
		for (size_t len = 0; len < c->p.n; len++) {
			pkt_icmp m;
			int inside, rc = parse_copy(c->p.b, len, c->family, c->has_ip, &m, &inside);
			if (!inside)
				bad_inside++;
			if (rc == 0 && (len < PKT_ICMP_HDR_LEN || c->truncation_fails))
				wrongly_ok++;
		}
		ok(!bad_inside && !wrongly_ok, "%s: cut at each of %zu lengths: %s", c->name, c->p.n,
		   c->truncation_fails ? "always refused" : "no header-less success, all in bounds");
		if (bad_inside || wrongly_ok)
			diag("out of bounds %d, accepted when it must fail %d", bad_inside, wrongly_ok);
	}
}

/* Deterministic pseudo-random bytes and mutations of the table's packets. */
static void test_random(void)
{
	uint64_t x = 0x9e3779b97f4a7c15u;
	int bad = 0, okays = 0;

	for (int iter = 0; iter < 200000; iter++) {
		uint8_t b[160];
		size_t len;
		int family = iter & 1 ? AF_INET6 : AF_INET, has_ip = (iter >> 1) & 1, inside;
		pkt_icmp m;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		if (iter % 3) {
			/* mutate a table packet: flip a few bytes, cut anywhere */
			const struct pcase *c = &cases[x % (uint64_t)ncases];
			len = c->p.n < sizeof b ? c->p.n : sizeof b;
			memcpy(b, c->p.b, len);
			family = c->family;
			has_ip = c->has_ip;
			for (int k = 0; k < 3; k++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				if (len)
					b[x % len] ^= (uint8_t)(x >> 32);
			}
			len = (size_t)((x >> 40) % (len + 1));
		} else {
			len = (size_t)(x % sizeof b);
			for (size_t k = 0; k < len; k++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				b[k] = (uint8_t)x;
			}
			if (has_ip && len)
				b[0] = family == AF_INET ? (uint8_t)(0x45 + (b[0] & 3)) : 0x60;
		}
		if (parse_copy(b, len, family, has_ip, &m, &inside) == 0)
			okays++;
		if (!inside)
			bad++;
	}
	is_int(bad, 0, "200000 random and mutated packets: every result inside its buffer");
	diag("%d of them parsed", okays);
}

static void test_bad_args(void)
{
	pkt_icmp m;
	uint8_t b[16] = { 0 };

	is_int(pkt_icmp_parse(b, sizeof b, AF_UNIX, 0, &m), PKT_BAD_ARG, "parse: unknown family");
	is_int(pkt_icmp_parse(NULL, 0, AF_INET, 0, &m), PKT_BAD_ARG, "parse: NULL packet");
	is_int(pkt_icmp_parse(b, sizeof b, AF_INET, 0, NULL), PKT_BAD_ARG, "parse: NULL result");
	is_str(pkt_strerror(PKT_SHORT), "truncated", "strerror: truncated");
	is_str(pkt_strerror(12345), "unknown error", "strerror: unknown code");
}

/* ------------------------------------------------------------------ */
/* Timestamps                                                           */

static void test_rx_time(void)
{
	union {
		char buf[PKT_CMSG_SPACE];
		struct cmsghdr align;
	} u;
	struct msghdr mh;
	struct cmsghdr *c;
	struct timespec ts = { 0, 0 }, want = { 1700000000, 123456789 };
	struct timeval tv = { 1700000001, 654321 };
	int one = 1;

	memset(&mh, 0, sizeof mh);
	is_int(pkt_rx_time(&mh, &ts), -1, "rx_time: no control data");
	is_int(pkt_rx_time(NULL, &ts), -1, "rx_time: NULL msghdr");

	/* an unrelated cmsg, then SCM_TIMESTAMPNS */
	memset(&u, 0, sizeof u);
	mh.msg_control = u.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof one) + CMSG_SPACE(sizeof want);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_TTL;
	c->cmsg_len = CMSG_LEN(sizeof one);
	memcpy(CMSG_DATA(c), &one, sizeof one);
	c = CMSG_NXTHDR(&mh, c);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_TIMESTAMPNS;
	c->cmsg_len = CMSG_LEN(sizeof want);
	memcpy(CMSG_DATA(c), &want, sizeof want);
	ok(pkt_rx_time(&mh, &ts) == 0 && ts.tv_sec == want.tv_sec && ts.tv_nsec == want.tv_nsec,
	   "rx_time: SCM_TIMESTAMPNS after another cmsg");

	/* SCM_TIMESTAMP (microseconds) */
	memset(&u, 0, sizeof u);
	mh.msg_controllen = CMSG_SPACE(sizeof tv);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_TIMESTAMP;
	c->cmsg_len = CMSG_LEN(sizeof tv);
	memcpy(CMSG_DATA(c), &tv, sizeof tv);
	ok(pkt_rx_time(&mh, &ts) == 0 && ts.tv_sec == tv.tv_sec && ts.tv_nsec == 654321000L,
	   "rx_time: SCM_TIMESTAMP converted to ns");
	/* sub-second fields no kernel writes (t8100 found * 1000 overflowing) */
	{
		struct timeval bad = { 1, -1 };
		memcpy(CMSG_DATA(c), &bad, sizeof bad);
		ts = (struct timespec){ 7, 7 };
		ok(pkt_rx_time(&mh, &ts) == -1 && ts.tv_sec == 7, "rx_time: SCM_TIMESTAMP usec -1 refused");
		bad.tv_usec = 1000000;
		memcpy(CMSG_DATA(c), &bad, sizeof bad);
		ok(pkt_rx_time(&mh, &ts) == -1, "rx_time: SCM_TIMESTAMP usec 1000000 refused");
		c->cmsg_type = SCM_TIMESTAMPNS;
		c->cmsg_len = CMSG_LEN(sizeof want);
		memcpy(CMSG_DATA(c), &(struct timespec){ 1, 1000000000L }, sizeof want);
		ok(pkt_rx_time(&mh, &ts) == -1 && ts.tv_sec == 7, "rx_time: SCM_TIMESTAMPNS nsec 1e9 refused");
		c->cmsg_type = SCM_TIMESTAMP;
		c->cmsg_len = CMSG_LEN(sizeof tv);
	}

	/* sub-second parts no kernel writes (the fuzzer's overflow of
	 * tv_usec * 1000): refused, the result untouched */
	{
		struct timeval bad = { .tv_sec = 1, .tv_usec = 1000000L };
		struct timespec badns = { .tv_sec = 1, .tv_nsec = -1 };
		memcpy(CMSG_DATA(c), &bad, sizeof bad);
		ts.tv_sec = 42;
		ok(pkt_rx_time(&mh, &ts) == -1 && ts.tv_sec == 42, "rx_time: SCM_TIMESTAMP usec 1000000 refused");
		bad.tv_usec = (long)1 << 60;
		memcpy(CMSG_DATA(c), &bad, sizeof bad);
		is_int(pkt_rx_time(&mh, &ts), -1, "rx_time: SCM_TIMESTAMP usec 2^60 refused");
		mh.msg_controllen = CMSG_SPACE(sizeof badns);
		c->cmsg_type = SCM_TIMESTAMPNS;
		c->cmsg_len = CMSG_LEN(sizeof badns);
		memcpy(CMSG_DATA(c), &badns, sizeof badns);
		ok(pkt_rx_time(&mh, &ts) == -1 && ts.tv_sec == 42, "rx_time: SCM_TIMESTAMPNS nsec -1 refused");
	}

	/* only an unrelated cmsg */
	memset(&u, 0, sizeof u);
	mh.msg_controllen = CMSG_SPACE(sizeof one);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_TTL;
	c->cmsg_len = CMSG_LEN(sizeof one);
	ts.tv_sec = 42;
	ok(pkt_rx_time(&mh, &ts) == -1 && ts.tv_sec == 42, "rx_time: none found, result untouched");

	/* a timestamp cmsg too short to hold one */
	memset(&u, 0, sizeof u);
	mh.msg_controllen = CMSG_SPACE(4);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_TIMESTAMPNS;
	c->cmsg_len = CMSG_LEN(4);
	is_int(pkt_rx_time(&mh, &ts), -1, "rx_time: short SCM_TIMESTAMPNS ignored");
}

/* ------------------------------------------------------------------ */
/* UDP probes with a chosen checksum                                    */

/* Whether `d` (len bytes) from src to dst checks out against an
 * independent pseudo-header sum. */
static int udp_valid(int family, const pkt_ipaddr *src, const pkt_ipaddr *dst, const uint8_t *d, size_t len)
{
	uint8_t ph[40] = { 0 };
	size_t n;

	if (family == AF_INET) {
		memcpy(ph, &src->v4, 4);
		memcpy(ph + 4, &dst->v4, 4);
		ph[9] = 17;
		ph[10] = (uint8_t)(len >> 8);
		ph[11] = (uint8_t)len;
		n = 12;
	} else {
		memcpy(ph, &src->v6, 16);
		memcpy(ph + 16, &dst->v6, 16);
		ph[34] = (uint8_t)(len >> 8);
		ph[35] = (uint8_t)len;
		ph[39] = 17;
		n = 40;
	}
	return pkt_inet_checksum_fold(pkt_inet_checksum_add(pkt_inet_checksum_add(0, ph, n), d, len)) == 0;
}

static void test_udp(void)
{
	pkt_ipaddr s4, d4, s6, d6;
	uint8_t payload[64], buf[128];
	unsigned bad = 0, runs = 0;
	uint32_t x = 12345;
	pkt_udp_hdr u;

	inet_pton(AF_INET, "10.0.0.1", &s4.v4);
	inet_pton(AF_INET, "192.0.2.77", &d4.v4);
	inet_pton(AF_INET6, "fd00::1", &s6.v6);
	inet_pton(AF_INET6, "2001:db8::dead:beef", &d6.v6);
	for (int fam = 0; fam < 2; fam++)
		for (unsigned sum = 1; sum < 0xffff; sum += 37) {
			int family = fam ? AF_INET6 : AF_INET;
			size_t plen = 4 + (sum % 29) * 2, off = (sum % (plen / 2)) * 2, n;
			for (size_t i = 0; i < plen; i++) {
				x ^= x << 13, x ^= x >> 17, x ^= x << 5;
				payload[i] = (uint8_t)x;
			}
			n = pkt_udp_build(buf, sizeof buf, family, fam ? &s6 : &s4, fam ? &d6 : &d4, 33000,
			                 33434, (uint16_t)sum, payload, plen, off);
			runs++;
			if (n != 8 + plen || (buf[6] << 8 | buf[7]) != (int)sum ||
			    !udp_valid(family, fam ? &s6 : &s4, fam ? &d6 : &d4, buf, n) ||
			    memcmp(buf + 8, payload, off) || memcmp(buf + 8 + off + 2, payload + off + 2, plen - off - 2) ||
			    pkt_udp_quote_parse(buf, n, &u) != 0 || u.sport != 33000 || u.dport != 33434 ||
			    u.len != n || u.sum != sum)
				bad++;
		}
	ok(!bad, "udp build: %u of %u datagrams (both families, every 37th checksum) carry exactly "
	   "the checksum asked for, are valid, and only the fix word changed", runs - bad, runs);
	is_int((long long)pkt_udp_build(buf, sizeof buf, AF_INET, &s4, &d4, 1, 2, 0, payload, 8, 0), 0,
	       "udp build: checksum 0 (\"none\") refused");
	is_int((long long)pkt_udp_build(buf, sizeof buf, AF_INET, &s4, &d4, 1, 2, 0xffff, payload, 8, 0), 0,
	       "udp build: checksum 0xffff refused");
	is_int((long long)pkt_udp_build(buf, sizeof buf, AF_INET, &s4, &d4, 1, 2, 5, payload, 8, 3), 0,
	       "udp build: odd fix offset refused");
	is_int((long long)pkt_udp_build(buf, sizeof buf, AF_INET, &s4, &d4, 1, 2, 5, payload, 8, 8), 0,
	       "udp build: fix word outside the payload refused");
	is_int((long long)pkt_udp_build(buf, 15, AF_INET, &s4, &d4, 1, 2, 5, payload, 8, 0), 0,
	       "udp build: buffer too small refused");
	is_int((long long)pkt_udp_build(buf, sizeof buf, AF_UNIX, &s4, &d4, 1, 2, 5, payload, 8, 0), 0,
	       "udp build: unknown family refused");
	is_int(pkt_udp_quote_parse(buf, 7, &u), PKT_SHORT, "udp quote: 7 bytes are too short");
	is_int(pkt_udp_quote_parse(NULL, 8, &u), PKT_BAD_ARG, "udp quote: NULL refused");
}

int main(void)
{
	test_checksum();
	test_build();
	build_cases();
	test_parse_table();
	test_quote_addresses();
	test_truncation();
	test_random();
	test_bad_args();
	test_rx_time();
	test_udp();
	return done_testing();
}
