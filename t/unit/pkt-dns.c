/*
 * t/unit/pkt-dns.c: the DNS message parser and query builder of lib/pkt
 * (dns.c).  The wire bytes were written independently (a few lines of
 * Python struct following RFC 1035 4.1 by hand), so the parser is checked
 * against the RFC, not against the builder.
 */
#include <arpa/inet.h>
#include <stdlib.h>

/* by path: src/core/dns.h (the core resolver) shadows it on the include path */
#include "pkt_dns.h"
#include "test-lib.h"

/* hex text -> bytes; returns the length */
static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;
	for (; h[0] && h[1]; h += 2) {
		char b[3] = { h[0], h[1], 0 };
		out[n++] = (uint8_t)strtoul(b, NULL, 16);
	}
	return n;
}

/* A response with every record type the plugin formats, compressed:
 * www.example.com CNAME web.example.com; web A 192.0.2.7; MX 10 mail;
 * TXT "hello" "a \"b\"\\"; SRV 1 2 5353 srv; AAAA 2001:db8::1; an SOA
 * in authority; OPT with extended rcode 1 (so rcode 16, BADVERS). */
static const char resp_hex[] =
	"beef8180000100060001000103777777076578616d706c6503636f6d0000050001c00c000500010000012c"
	"000603776562c010c02d000100010000003c0004c0000207c010000f00010000003c0009000a046d61696c"
	"c010c010001000010000003c000d0568656c6c6f0661202262225cc010002100010000003c000c00010002"
	"14e903737276c010c010001c00010000003c001020010db8000000000000000000000001c0100006000100"
	"000e100026026e73c0100a686f73746d6173746572c01078a3f17500000e1000000258000151800000012c"
	"00002904d0010000000000";

/* Table: messages that must be refused, and with what. */
static const struct {
	const char *hex;
	int want;
	const char *why;
} bad[] = {
	{ "1234010000010000000000", PKT_SHORT, "shorter than a header" },
	{ "123401000000000000000000", PKT_DNS_BAD_MSG, "no question" },
	{ "123429000001000000000000016100000100 01", PKT_DNS_BAD_MSG, "opcode 5 (UPDATE)" },
	{ "123401000001000000000000c00c00010001", PKT_DNS_BAD_NAME, "pointer to itself" },
	{ "123401000001000000000000c00e0000010001", PKT_DNS_BAD_NAME, "forward pointer" },
	{ "12340100000100000000000001610000", PKT_SHORT, "question without type and class" },
	{ "1234010000010000000000000161", PKT_SHORT, "name runs off the end" },
	{ "123401000001000000000000416100000100 01", PKT_DNS_BAD_NAME, "label type 0x40" },
	{ "123401000001000000000000816100000100 01", PKT_DNS_BAD_NAME, "label type 0x80" },
	{ "1234818000010001000000000161000001000101610001000100000e100004c000", PKT_SHORT,
	  "A rdata past the end" },
	{ "1234818000010005000000000161000001000101610001000100000e100004c0000207", PKT_SHORT,
	  "ancount 5 with one answer" },
};

int main(void)
{
	uint8_t buf[2048], want[2048];
	char text[PKT_DNS_RDATA_MAX], tmp[16];
	pkt_dns_msg m;
	pkt_dns_rr rr;
	size_t n, wn, off;

	/* query build: RFC 1035 4.1.1/4.1.2, independently encoded */
	n = pkt_dns_query_build(buf, sizeof buf, 0x1234, "www.Example.com", PKT_DNS_A, 1, 0);
	wn = unhex("12340100000100000000000003777777074578616d706c6503636f6d0000010001", want);
	ok(n == wn && !memcmp(buf, want, wn), "query for www.Example.com A, RD");
	is_int(pkt_dns_query_build(buf, sizeof buf, 1, "www.example.com.", PKT_DNS_A, 1, 0), wn,
	       "a final dot changes nothing");
	n = pkt_dns_query_build(buf, sizeof buf, 7, "a.b", PKT_DNS_TXT, 0, 1232);
	is_int(n, 12 + 5 + 4 + 11, "EDNS query length");
	is_int(buf[11], 1, "EDNS: arcount 1");
	ok(buf[n - 11] == 0 && buf[n - 10] == 0 && buf[n - 9] == 41 && buf[n - 8] == 0x04 && buf[n - 7] == 0xd0,
	   "EDNS: root OPT with 1232 bytes (RFC 6891 6.1.2)");
	is_int(pkt_dns_query_build(buf, sizeof buf, 1, "a..b", PKT_DNS_A, 1, 0), 0, "empty label refused");
	is_int(pkt_dns_query_build(buf, sizeof buf, 1, ".a", PKT_DNS_A, 1, 0), 0, "leading dot refused");
	memset(text, 'x', 64);
	text[64] = 0;
	is_int(pkt_dns_query_build(buf, sizeof buf, 1, text, PKT_DNS_A, 1, 0), 0, "64-octet label refused");
	text[63] = 0;
	ok(pkt_dns_query_build(buf, sizeof buf, 1, text, PKT_DNS_A, 1, 0) > 0, "63-octet label taken");
	{
		char big[600];
		size_t k = 0;
		for (int i = 0; i < 128; i++)
			big[k++] = 'a', big[k++] = '.';
		big[k - 1] = 0;   /* 128 labels of 1: 257 octets on the wire */
		is_int(pkt_dns_query_build(buf, sizeof buf, 1, big, PKT_DNS_A, 1, 0), 0, "name over 255 octets refused");
	}
	n = pkt_dns_query_build(buf, sizeof buf, 1, "a\\.b\\065", PKT_DNS_A, 1, 0);
	ok(n == 12 + 6 + 4 && buf[12] == 4 && !memcmp(buf + 13, "a.bA", 4), "escapes \\. and \\DDD");
	is_int(pkt_dns_query_build(buf, 20, 1, "www.example.com", PKT_DNS_A, 1, 0), 0, "too small a buffer");
	n = pkt_dns_query_build(buf, sizeof buf, 9, ".", PKT_DNS_NS, 1, 0);
	ok(n == 17 && buf[12] == 0, "the root");
	is_int(pkt_dns_parse(buf, n, &m), 0, "the root query parses");
	is_str(m.qname, ".", "root name text");

	/* the full response */
	wn = unhex(resp_hex, want);
	is_int(pkt_dns_parse(want, wn, &m), 0, "response parses");
	is_int(m.id, 0xbeef, "id");
	is_int(m.qr, 1, "qr");
	is_int(m.rd, 1, "rd");
	is_int(m.ra, 1, "ra");
	is_int(m.tc, 0, "tc");
	is_str(m.qname, "www.example.com", "qname");
	is_int(m.qtype, PKT_DNS_CNAME, "qtype");
	is_int(m.qclass, 1, "qclass");
	is_int(m.ancount, 6, "ancount");
	is_int(m.edns, 1, "OPT found");
	is_int(m.edns_size, 1232, "OPT payload size");
	is_int(m.rcode, 16, "extended rcode: 1 << 4 | 0 (RFC 6891 6.1.3)");
	is_str(pkt_dns_rcode_name(m.rcode, tmp, sizeof tmp), "badvers", "rcode 16 is badvers");
	{
		static const struct { uint16_t type; const char *text; } rows[] = {
			{ PKT_DNS_CNAME, "web.example.com" },
			{ PKT_DNS_A, "192.0.2.7" },
			{ PKT_DNS_MX, "10 mail.example.com" },
			{ PKT_DNS_TXT, "\"hello\" \"a \\\"b\\\"\\\\\"" },
			{ PKT_DNS_SRV, "1 2 5353 srv.example.com" },
			{ PKT_DNS_AAAA, "2001:db8::1" },
			{ PKT_DNS_SOA, "ns.example.com hostmaster.example.com 2024010101 3600 600 86400 300" },
		};
		off = m.an_off;
		for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
			int r = pkt_dns_rr_read(want, wn, &off, &rr);
			is_int(r, 0, "record reads");
			is_int(rr.type, rows[i].type, "record type");
			ok(pkt_dns_rdata_text(want, wn, &rr, text, sizeof text) > 0, "rdata formats");
			is_str(text, rows[i].text, "rdata text");
		}
		is_str(rr.name, "example.com", "owner name through a pointer");
		is_int(rr.ttl, 3600, "SOA TTL");
	}
	/* every truncation is refused, never read past (ASan watches) */
	{
		int bad_ok = 0;
		for (size_t k = 0; k < wn; k++) {
			uint8_t *cut = malloc(k ? k : 1);
			memcpy(cut, want, k);
			if (pkt_dns_parse(cut, k, &m) == 0)
				bad_ok++;
			free(cut);
		}
		is_int(bad_ok, 0, "no truncation of the response parses");
	}
	/* TC set: records may be missing */
	want[2] |= 2;
	is_int(pkt_dns_parse(want, 33, &m), 0, "TC response with the question only parses");
	is_int(m.tc, 1, "tc");
	want[2] &= (uint8_t)~2;

	/* the refusals */
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char h[256];
		size_t k = 0;
		for (const char *c = bad[i].hex; *c; c++)
			if (*c != ' ')
				h[k++] = *c;
		h[k] = 0;
		n = unhex(h, buf);
		is_int(pkt_dns_parse(buf, n, &m), bad[i].want, bad[i].why);
	}
	/* a pointer chain that goes back each time still ends */
	{
		size_t k = unhex("123401000001000000000000"
		                 "0161c00cc00e" /* 12: "a" -> 12 would loop; 14: ptr to 12 */, buf);
		off = 14;
		is_int(pkt_dns_name(buf, k, &off, text, sizeof text), PKT_DNS_BAD_NAME,
		       "a -> pointer back to itself through a label is a loop, refused");
	}
	/* a name of 127 pointers stays within 255 and ends */
	{
		size_t k = 12;
		memset(buf, 0, 12);
		buf[k++] = 1, buf[k++] = 'z', buf[k++] = 0;
		for (int i = 0; i < 200; i++) {
			buf[k] = 1, buf[k + 1] = 'y';
			buf[k + 2] = 0xc0 | (uint8_t)((k - (i ? 4 : 3)) >> 8);
			buf[k + 3] = (uint8_t)(k - (i ? 4 : 3));
			k += 4;
		}
		off = k - 4;
		is_int(pkt_dns_name(buf, k, &off, text, sizeof text), PKT_DNS_BAD_NAME,
		       "200 chained labels: over 255 octets, refused");
		off = 15;
		ok(pkt_dns_name(buf, k, &off, text, sizeof text) > 0 && !strcmp(text, "y.z"), "one link: y.z");
	}
	/* escaping in names */
	{
		size_t k = unhex("03412e5c00", buf);
		off = 0;
		ok(pkt_dns_name(buf, k, &off, text, sizeof text) > 0, "odd octets parse");
		is_str(text, "a\\.\\\\", "upper case lowered, dot and backslash escaped");
		k = unhex("020a2000", buf);
		off = 0;
		pkt_dns_name(buf, k, &off, text, sizeof text);
		is_str(text, "\\010\\032", "control and space as \\DDD");
	}
	/* rdata that does not hold what its type says */
	{
		n = pkt_dns_query_build(buf, sizeof buf, 1, "x", PKT_DNS_A, 1, 0);
		/* append an A record with 3 bytes of rdata */
		memcpy(buf + n, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x01\x00\x03\x01\x02\x03", 15);
		buf[7] = 1;
		is_int(pkt_dns_parse(buf, n + 15, &m), 0, "A with 3 bytes of rdata: the message parses");
		off = m.an_off;
		is_int(pkt_dns_rr_read(buf, n + 15, &off, &rr), 0, "the record reads");
		is_int(pkt_dns_rdata_text(buf, n + 15, &rr, text, sizeof text), PKT_SHORT, "but its rdata is refused");
		rr.type = 99;  /* unknown type: RFC 3597 form */
		ok(pkt_dns_rdata_text(buf, n + 15, &rr, text, sizeof text) > 0, "unknown type formats");
		is_str(text, "\\# 3 010203", "as \\# len hex");
	}

	/* names, codes and cuts */
	is_int(pkt_dns_type_code("aaaa"), 28, "AAAA is 28");
	is_int(pkt_dns_type_code("SRV"), 33, "SRV is 33");
	is_int(pkt_dns_type_code("OPT"), 0, "OPT is not a query type here");
	is_int(pkt_dns_type_code("ANY"), 0, "ANY unknown");
	is_str(pkt_dns_type_name(15), "MX", "15 is MX");
	ok(pkt_dns_type_name(41) == NULL, "41 has no query mnemonic");
	is_str(pkt_dns_rcode_name(0, tmp, sizeof tmp), "noerror", "rcode 0");
	is_str(pkt_dns_rcode_name(2, tmp, sizeof tmp), "servfail", "rcode 2");
	is_str(pkt_dns_rcode_name(3, tmp, sizeof tmp), "nxdomain", "rcode 3");
	is_str(pkt_dns_rcode_name(5, tmp, sizeof tmp), "refused", "rcode 5");
	is_str(pkt_dns_rcode_name(12, tmp, sizeof tmp), "rcode12", "unassigned rcode 12");
	{
		static const struct { const char *name; unsigned labels; const char *want; } cuts[] = {
			{ "a.b.example.com", 2, "example.com" },
			{ "a.b.example.com", 3, "b.example.com" },
			{ "example.com", 2, "example.com" },
			{ "example.com", 5, "example.com" },
			{ "a.b.example.com", 0, "a.b.example.com" },
			{ "x.a\\.b.com", 2, "a\\.b.com" },
			{ "com", 1, "com" },
			{ ".", 2, "." },
		};
		for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
			pkt_dns_domain_cut(cuts[i].name, cuts[i].labels, text, sizeof text);
			is_str(text, cuts[i].want, cuts[i].name);
		}
	}

	/* DNS in captured packets */
	{
		pkt_dns_pkt p;
		char a[INET6_ADDRSTRLEN];
		/* IPv4/UDP 10.0.0.1:40000 -> 10.1.0.2:53, the query above (33 bytes) */
		wn = unhex("4500003d0000400040110000" "0a000001" "0a010002" "9c40003500290000"
		           "12340100000100000000000003777777074578616d706c6503636f6d0000010001", want);
		is_int(pkt_dns_pkt_parse(want, wn, &p), 0, "IPv4 UDP parses");
		is_int(p.family, AF_INET, "family");
		is_int(p.proto, IPPROTO_UDP, "UDP");
		is_int(p.sport, 40000, "sport");
		is_int(p.dport, 53, "dport");
		is_str(inet_ntop(AF_INET, &p.dst.v4, a, sizeof a), "10.1.0.2", "dst");
		is_int(p.dns_len, 33, "DNS length from the UDP length");
		is_int(pkt_dns_parse(p.dns, p.dns_len, &m), 0, "and the DNS inside parses");
		for (size_t k = 0; k < wn; k++)
			if (pkt_dns_pkt_parse(want, k, &p) == 0) {
				ok(0, "truncated packet parses at %zu", k);
				break;
			}
		want[6] = 0x20;   /* MF: a first fragment */
		is_int(pkt_dns_pkt_parse(want, wn, &p), PKT_BAD_IP, "fragment refused");
		want[6] = 0x40;
		want[25] = 0xff;  /* UDP length 0x29 -> 0xff: past the packet */
		is_int(pkt_dns_pkt_parse(want, wn, &p), PKT_SHORT, "UDP length past the packet refused");
		/* IPv6/TCP fd00::53:53 -> fd00::1:40001, a 2-byte prefixed message */
		wn = unhex("6000000000370640" "fd000000000000000000000000000053" "fd000000000000000000000000000001"
		           "00359c410000000100000001501800ff00000000"
		           "0021" "12348180000100000000000003777777074578616d706c6503636f6d0000010001", want);
		is_int(pkt_dns_pkt_parse(want, wn, &p), 0, "IPv6 TCP parses");
		is_int(p.family, AF_INET6, "family 6");
		is_int(p.proto, IPPROTO_TCP, "TCP");
		is_int(p.sport, 53, "sport 53");
		is_int(p.dns_len, 33, "length from the TCP prefix (RFC 7766 8)");
		is_int(pkt_dns_parse(p.dns, p.dns_len, &m), 0, "the DNS inside parses");
		is_int(m.qr, 1, "a response");
		want[60] = 0x00, want[61] = 0x40;   /* announces 64 bytes: continues later */
		is_int(pkt_dns_pkt_parse(want, wn, &p), PKT_SHORT, "a message split over segments is refused");
		is_int(pkt_dns_pkt_parse(want, 0, &p), PKT_SHORT, "empty");
		want[0] = 0x50;
		is_int(pkt_dns_pkt_parse(want, wn, &p), PKT_BAD_IP, "IP version 5");
	}
	/* reverse names (RFC 1035 3.5, RFC 3596 2.5) */
	{
		uint8_t a4[4] = { 10, 0, 0, 1 }, a6[16];
		char rn[PKT_DNS_REVERSE_MAX];
		inet_pton(AF_INET6, "fd00:1::2:30", a6);
		is_int(pkt_dns_reverse_name(AF_INET, a4, rn, sizeof rn), 21, "IPv4 reverse name length");
		is_str(rn, "1.0.0.10.in-addr.arpa", "IPv4 reverse name");
		ok(pkt_dns_reverse_name(AF_INET6, a6, rn, sizeof rn) == 72 &&
		   !strcmp(rn, "0.3.0.0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.0.0.d.f.ip6.arpa"),
		   "IPv6 reverse name: 32 nibbles, lowest first, then ip6.arpa");
		is_int(pkt_dns_reverse_name(AF_UNIX, a4, rn, sizeof rn), 0, "another family: 0");
		is_int(pkt_dns_reverse_name(AF_INET, a4, rn, 20), 0, "too small a buffer: 0");
	}

	/* PTR answers, written by hand (struct.pack after RFC 1035 4.1 and
	 * RFC 2308 3; see each row) */
	{
		static const struct {
			const char *hex, *why, *name;
			int ret, found, has_ttl, rcode;
			uint32_t ttl;
		} ptrs[] = {
			{ "00018180000100010000000001310130013002313007696e2d61646472046172706100000c0001c00c000c00010000012c0008027231036c616200", "PTR, owner compressed to the question", "r1.lab", 0, 1, 1, 0, 300 },
			{ "0002818000010002000000000135013201300331393207696e2d61646472046172706100000c0001013504302d3235013201300331393207696e2d61646472046172706100000c000100000078000e04486f7374074578616d706c6500c00c0005000100000258001d013504302d3235013201300331393207696e2d61646472046172706100", "RFC 2317 CNAME after its PTR: followed; TTL the lower", "host.example", 0, 1, 1, 0, 120 },
			{ "00038183000100000001000001310130013002313007696e2d61646472046172706100000c000107696e2d616464720461727061000006000100000e100027026e73036c6162000561646d696e036c6162000000000100000e1000000258000151800000003c", "NXDOMAIN with SOA: min(SOA TTL 3600, MINIMUM 60)", "", 0, 0, 1, 3, 60 },
			{ "00048183000100000000000001310130013002313007696e2d61646472046172706100000c0001", "NXDOMAIN without SOA: no negative TTL", "", 0, 0, 0, 3, 0 },
			{ "00058180000100010001000001310130013002313007696e2d61646472046172706100000c000101320130013002313007696e2d61646472046172706100000c00010000012c0008027232036c616200046172706100000600010000001e0027026e73036c6162000561646d696e036c6162000000000100000e1000000258000151800000003c", "a PTR of another owner only (NODATA), SOA TTL 30 < MINIMUM", "", 0, 0, 1, 0, 30 },
			{ "0006818000010002000000000161046172706100000c00010161046172706100000500010000003c000801620461727061000162046172706100000500010000003c00080161046172706100", "a CNAME loop ends, nothing found", "", 0, 0, 0, 0, 0 },
			{ "00070100000100000000000001310130013002313007696e2d61646472046172706100000c0001", "a query, not a response", "", PKT_DNS_BAD_MSG, 0, 0, 0, 0 },
			{ "00088180000100000000000001310130013002313007696e2d6164647204617270610000010001", "a question of type A", "", PKT_DNS_BAD_MSG, 0, 0, 0, 0 },
			{ "00098180000100010000000001310130013002313007696e2d61646472046172706100000c0001c00c000c00010000012c000a027231036c6162007878", "PTR rdata longer than its name", "", PKT_DNS_BAD_NAME, 0, 0, 0, 0 },
			{ "000a8183000100000001000001310130013002313007696e2d61646472046172706100000c0001046172706100000600010000001e0012016100016200000000000000000000000000", "SOA whose fixed fields are cut", "", PKT_SHORT, 0, 0, 0, 0 },
		};
		for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++) {
			pkt_dns_ptr p;
			size_t pn = unhex(ptrs[i].hex, buf);
			int r = pkt_dns_ptr_read(buf, pn, &p);
			if (!ok(r == ptrs[i].ret && (r < 0 || (p.found == ptrs[i].found && p.has_ttl == ptrs[i].has_ttl &&
			   p.rcode == ptrs[i].rcode && (!p.has_ttl || p.ttl == ptrs[i].ttl) &&
			   !strcmp(p.name, ptrs[i].name))),
			   "PTR answer: %s", ptrs[i].why))
				diag("ret %d found %d has_ttl %d rcode %d ttl %u name \"%s\"", r, p.found, p.has_ttl,
				     p.rcode, (unsigned)p.ttl, p.name);
			for (size_t cut = 0; cut < pn && ptrs[i].ret == 0; cut++)
				if (pkt_dns_ptr_read(buf, cut, &p) == 0 && p.found) {
					ok(0, "PTR answer cut to %zu bytes still found: %s", cut, ptrs[i].why);
					break;
				}
		}
	}

	return done_testing();
}
