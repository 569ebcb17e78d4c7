/*
 * t/unit/pkt-tcp.c: the TCP packet helpers of lib/pkt (tcp.c).
 * The expected bytes were computed independently (Python struct and its
 * own RFC 1071 sum), so the pseudo-headers are checked, not only that
 * the helpers agree with themselves.
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "pkt.h"
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

int main(void)
{
	uint8_t buf[128], want[128];
	pkt_ipaddr s4, d4, s6, d6;
	pkt_tcp_seg seg;
	size_t n, wn;

	inet_pton(AF_INET, "10.0.0.1", &s4.v4);
	inet_pton(AF_INET, "10.1.0.2", &d4.v4);
	inet_pton(AF_INET6, "fd00::1", &s6.v6);
	inet_pton(AF_INET6, "fd00:0:1::2", &d6.v6);

	/* SYN, IPv4 */
	n = pkt_tcp_syn_build(buf, sizeof buf, AF_INET, &s4, &d4, 40000, 7001, 0x01020304, 1460);
	wn = unhex("9c401b5901020304000000006002ffffc8830000020405b4", want);
	is_int(n, PKT_TCP_SYN_LEN, "IPv4 SYN length");
	ok(n == wn && !memcmp(buf, want, wn), "IPv4 SYN bytes and checksum");
	is_int(pkt_tcp_checksum(AF_INET, &s4, &d4, buf, n), 0, "IPv4 SYN checksums to 0");
	is_int(pkt_tcp_checksum(AF_INET, &d6, &d4, buf, n) == 0, 0, "another source address does not");

	/* SYN, IPv6 */
	n = pkt_tcp_syn_build(buf, sizeof buf, AF_INET6, &s6, &d6, 40000, 443, 0xdeadbeef, 1440);
	wn = unhex("9c4001bbdeadbeef000000006002ffff629c0000020405a0", want);
	ok(n == wn && !memcmp(buf, want, wn), "IPv6 SYN bytes and checksum");

	/* bad arguments */
	is_int(pkt_tcp_syn_build(buf, PKT_TCP_SYN_LEN - 1, AF_INET, &s4, &d4, 1, 2, 3, 4), 0, "SYN: too small a buffer");
	is_int(pkt_tcp_syn_build(buf, sizeof buf, AF_UNIX, &s4, &d4, 1, 2, 3, 4), 0, "SYN: unknown family");

	/* a SYN/ACK as a raw IPv4 socket delivers it */
	wn = unhex("45000028123440003f0615990a0100020a0000011b599c4011223344010203055012721029b80000", want);
	is_int(pkt_tcp_parse(want, wn, AF_INET, 1, &seg), 0, "SYN/ACK parses");
	is_int(seg.sport, 7001, "sport");
	is_int(seg.dport, 40000, "dport");
	is_int(seg.seq, 0x11223344, "seq");
	is_int(seg.ack, 0x01020305, "ack");
	is_int(seg.flags, PKT_TCP_SYN | PKT_TCP_ACK, "flags");
	is_int(seg.window, 29200, "window");
	is_int(seg.ttl, 63, "ttl");
	is_int(seg.hdr_len, 20, "header length");
	ok(!memcmp(&seg.src.v4, &d4.v4, 4) && !memcmp(&seg.dst.v4, &s4.v4, 4), "addresses");
	is_int(seg.sum_ok, 1, "checksum right");
	want[wn - 5] ^= 1;
	is_int(pkt_tcp_parse(want, wn, AF_INET, 1, &seg), 0, "a wrong checksum still parses");
	is_int(seg.sum_ok, 0, "but says so");
	want[wn - 5] ^= 1;
	/* every truncation is refused, never read past */
	{
		size_t parsed = 0;
		for (size_t k = 0; k < wn; k++)
			if (pkt_tcp_parse(want, k, AF_INET, 1, &seg) == 0) {
				diag("truncated to %zu bytes, it parses", k);
				parsed++;
			}
		ok(parsed == 0, "none of the %zu truncations of the SYN/ACK parses", wn);
	}
	/* MF set: the first fragment of a bigger datagram is refused too */
	want[6] = 0x20;
	is_int(pkt_tcp_parse(want, wn, AF_INET, 1, &seg), PKT_BAD_IP, "MF set (a first fragment)");
	want[6] = 0x40;
	is_int(pkt_tcp_parse(want, wn, AF_INET, 1, &seg), 0, "DF alone is fine");
	want[9] = 17;
	is_int(pkt_tcp_parse(want, wn, AF_INET, 1, &seg), PKT_BAD_IP, "not TCP");
	want[9] = 6;
	want[6] = 0x00; want[7] = 0x10;
	is_int(pkt_tcp_parse(want, wn, AF_INET, 1, &seg), PKT_BAD_IP, "a later fragment");
	want[6] = 0x40; want[7] = 0;
	want[32] = 0x40;  /* data offset 16 bytes */
	is_int(pkt_tcp_parse(want, wn, AF_INET, 1, &seg), PKT_SHORT, "data offset below 20");
	want[32] = 0x50;
	/* IPv6: the TCP header alone */
	is_int(pkt_tcp_parse(want + 20, wn - 20, AF_INET6, 0, &seg), 0, "TCP header alone (IPv6)");
	is_int(seg.ack, 0x01020305, "IPv6: ack");
	is_int(seg.has_ip, 0, "IPv6: no IP header");
	is_int(pkt_tcp_parse(want, wn, AF_INET6, 1, &seg), PKT_BAD_ARG, "IPv6 with an IP header: refused");

	/* quotes: 8 bytes are enough for ports and seq */
	n = pkt_tcp_syn_build(buf, sizeof buf, AF_INET, &s4, &d4, 40000, 7001, 0x01020304, 1460);
	is_int(pkt_tcp_quote_parse(buf, 8, &seg), 0, "8-byte quote");
	ok(seg.sport == 40000 && seg.dport == 7001 && seg.seq == 0x01020304 && seg.hdr_len == 0,
	   "8-byte quote: ports and seq, no header length");
	is_int(pkt_tcp_quote_parse(buf, n, &seg), 0, "full quote");
	ok(seg.flags == PKT_TCP_SYN && seg.hdr_len == 20, "full quote: flags");
	is_int(pkt_tcp_quote_parse(buf, 7, &seg), PKT_SHORT, "7-byte quote");
	return done_testing();
}
