/*
 * pathforge: answers traceroute probes with forged, mutated and truncated
 * ICMP errors and echo replies, for the path plugin's tests (t6030).  Run
 * it as root in the namespace of a destination that does not answer the
 * probes itself (echo ignored, the UDP/TCP port filtered): it sees every
 * IPv4 and IPv6 packet arriving there on a packet socket (before the
 * firewall), and for each ICMP echo request, UDP datagram or TCP SYN sends
 * every variant below to its source, from the destination's address.  A
 * variant that hopwatch counted would add a hop past the last router or
 * reach the destination: none may.
 *
 * ICMP errors (time exceeded, code 0, unless said) quoting the probe:
 *   trunc   the IP header and only 4 bytes of L4
 *   cutN    the IP header and N bytes of L4, N = 9..15 (inside the probe
 *           id word, its fix word and every offset of the cookie) and 20
 *   iphdr   12 bytes of the IP header
 *   csum    a wrong ICMP checksum (v6 too: the header is built here)
 *   ihl     a quoted IPv4 IHL of 3; IPv6: a quoted version of 4
 *   len     the quoted IP length field one more than sent
 *   big     1200 bytes more than sent, and a length field saying so
 *   sport   L4 bytes 0-1 changed (source port; ICMP type and code), sent
 *           as a port unreachable (issue 15: tcp checked only dport)
 *   dport   L4 bytes 2-3 changed (destination port; ICMP checksum)
 *   seq     L4 bytes 6-7 changed (echo sequence, TCP sequence); not for
 *           UDP, where they are the checksum: a NAT rewrites it and an
 *           IP_RECVERR reader never sees the UDP header
 *   pid     L4 bytes 8-9 changed (the first payload word of ICMP and UDP)
 *   cookie  L4 bytes 12-15 flipped (payload bytes 4-7 of ICMP and UDP)
 *   dst     another quoted destination
 *   code    time exceeded code 1 (fragment reassembly)
 *   tiny    a 4-byte ICMP message
 *   unreach port unreachable quoting the probe with bytes 6-9 changed
 * Echo replies, for echo requests only:
 *   e0, e2, e4, e5, e6, e7  a payload of that many bytes (cut inside the
 *           probe id word and the cookie)
 *   ebig    1200 bytes more payload than sent
 *   ecode   code 1
 *   ecookie the cookie flipped
 *   ecsum   a wrong checksum
 *
 *   pathforge [-t SECONDS] [-r READYFILE] [-n MAX] [-x NAME,...] [-o NAME]
 *
 * -x leaves out the variants named (a reader that cannot tell them from a
 * true reply: see t6030), -o sends only the one named.
 * It stops after SECONDS (default 60) or MAX probes, and prints
 * "probes N forged N" on exit.  Exit: 0 done, 1 system error, 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define QUOTE_L4 64          /* L4 bytes quoted by the full variants */
#define BIG 1200             /* bytes the oversize variants add */

enum {
	V_TRUNC, V_CUT9, V_CUT10, V_CUT11, V_CUT12, V_CUT13, V_CUT14, V_CUT15, V_CUT20, V_IPHDR, V_CSUM,
	V_IHL, V_LEN, V_BIG, V_SPORT, V_DPORT, V_SEQ, V_PID, V_COOKIE, V_DST, V_CODE, V_TINY, V_UNREACH,
	V_ERRORS,  /* the echo reply variants follow */
	V_E0 = V_ERRORS, V_E2, V_E4, V_E5, V_E6, V_E7, V_EBIG, V_ECODE, V_ECOOKIE, V_ECSUM, V_N
};

/* Variant names, by V_*, for -x. */
static const char *const names[V_N] = {
	"trunc", "cut9", "cut10", "cut11", "cut12", "cut13", "cut14", "cut15", "cut20", "iphdr", "csum",
	"ihl", "len", "big", "sport", "dport", "seq", "pid", "cookie", "dst", "code", "tiny", "unreach",
	"e0", "e2", "e4", "e5", "e6", "e7", "ebig", "ecode", "ecookie", "ecsum",
};

/* One probe as seen on the wire. */
struct probe {
	int v6;                  /* IPv6, else IPv4 */
	const uint8_t *pkt;      /* its IP packet */
	size_t len;              /* bytes */
	size_t ihl;              /* its IP header length (v6: 40, no extension headers) */
	uint8_t proto;           /* its L4 protocol */
};

static uint32_t sum_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		s += (uint32_t)(p[0] << 8 | p[1]);
	if (n)
		s += (uint32_t)p[0] << 8;
	return s;
}

static uint16_t sum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Write the IP header of an ICMP message of n bytes (at out + hl) from the
 * probe's destination back to its source, and the message's checksum
 * (wrong when `bad`); returns the packet's length. */
static size_t finish(uint8_t *out, const struct probe *p, size_t n, int bad)
{
	size_t hl = p->v6 ? 40 : 20;
	uint8_t *icmp = out + hl;
	uint32_t s = 0;
	uint16_t c;

	memset(out, 0, hl);
	if (p->v6) {
		out[0] = 0x60;
		put16(out + 4, n);
		out[6] = IPPROTO_ICMPV6;
		out[7] = 64;
		memcpy(out + 8, p->pkt + 24, 16);
		memcpy(out + 24, p->pkt + 8, 16);
		/* pseudo-header: addresses, length, next header */
		s = sum_add(0, out + 8, 32);
		s += (uint32_t)n + IPPROTO_ICMPV6;
	} else {
		out[0] = 0x45;
		put16(out + 2, hl + n);
		out[8] = 64;
		out[9] = IPPROTO_ICMP;
		memcpy(out + 12, p->pkt + 16, 4);
		memcpy(out + 16, p->pkt + 12, 4);
	}
	icmp[2] = icmp[3] = 0;
	c = sum_fold(sum_add(s, icmp, n));
	if (bad)
		c ^= 0x5555;
	put16(icmp + 2, c);
	return hl + n;
}

/* Build variant v (an error) about probe p into out; returns its length, 0: none. */
static size_t forge_error(uint8_t *out, const struct probe *p, int v)
{
	static const size_t cuts[] = { [V_CUT9] = 9, [V_CUT10] = 10, [V_CUT11] = 11, [V_CUT12] = 12,
	                               [V_CUT13] = 13, [V_CUT14] = 14, [V_CUT15] = 15, [V_CUT20] = 20 };
	size_t hl = p->v6 ? 40 : 20, ih = p->ihl, l4 = p->len - ih;
	uint8_t *icmp = out + hl, *q = icmp + 8;
	size_t ql = ih + (l4 < QUOTE_L4 ? l4 : QUOTE_L4), lenf = p->v6 ? 4 : 2;
	int unreach = v == V_UNREACH || v == V_SPORT;

	memset(icmp, 0, 8 + 60 + QUOTE_L4 + BIG);
	memcpy(q, p->pkt, ql);
	switch (v) {
	case V_TRUNC: ql = ih + 4; break;
	case V_CUT9: case V_CUT10: case V_CUT11: case V_CUT12: case V_CUT13: case V_CUT14: case V_CUT15:
	case V_CUT20:
		if (l4 <= cuts[v])
			return 0;
		ql = ih + cuts[v];
		break;
	case V_IPHDR: ql = 12; break;
	case V_IHL: q[0] = p->v6 ? 0x40 : 0x43; break;
	case V_LEN: put16(q + lenf, (size_t)(q[lenf] << 8 | q[lenf + 1]) + 1); break;
	case V_BIG:
		if (ql != p->len)
			return 0;  /* the quote is cut anyway */
		memset(q + ql, 0x5a, BIG);
		ql += BIG;
		put16(q + lenf, (size_t)(q[lenf] << 8 | q[lenf + 1]) + BIG);
		break;
	case V_SPORT: q[ih] ^= 0x04; q[ih + 1] ^= 0x01; break;
	case V_DPORT: q[ih + 2] ^= 0x04; q[ih + 3] ^= 0x01; break;
	case V_SEQ:
		if (p->proto == IPPROTO_UDP)
			return 0;
		q[ih + 6] ^= 0x04;
		q[ih + 7] ^= 0x01;
		break;
	case V_PID: if (ql >= ih + 10) { q[ih + 8] ^= 0x04; q[ih + 9] ^= 0x01; } break;
	case V_COOKIE: for (size_t i = ih + 12; i < ih + 16 && i < ql; i++) q[i] ^= 0xff; break;
	case V_DST: q[p->v6 ? 39 : 19] ^= 0x01; break;
	case V_UNREACH: q[ih + 6] ^= 0x10; q[ih + 9] ^= 0x10; break;
	default: break;
	}
	if (p->v6) {
		icmp[0] = unreach ? 1 : 3;
		icmp[1] = unreach ? 4 : v == V_CODE;
	} else {
		icmp[0] = unreach ? 3 : 11;
		icmp[1] = unreach ? 3 : v == V_CODE;
	}
	return finish(out, p, v == V_TINY ? 4 : 8 + ql, v == V_CSUM);
}

/* Build variant v (an echo reply) to echo request p into out; 0: none. */
static size_t forge_echo(uint8_t *out, const struct probe *p, int v)
{
	static const size_t keep[] = { [V_E0] = 0, [V_E2] = 2, [V_E4] = 4, [V_E5] = 5, [V_E6] = 6, [V_E7] = 7 };
	size_t hl = p->v6 ? 40 : 20, l4 = p->len - p->ihl, n = l4;
	uint8_t *icmp = out + hl;

	if (l4 < 16 || l4 > 1400)
		return 0;
	memcpy(icmp, p->pkt + p->ihl, l4);
	icmp[0] = p->v6 ? 129 : 0;
	switch (v) {
	case V_E0: case V_E2: case V_E4: case V_E5: case V_E6: case V_E7: n = 8 + keep[v]; break;
	case V_EBIG: memset(icmp + l4, 0x5a, BIG); n = l4 + BIG; break;
	case V_ECODE: icmp[1] = 1; break;
	case V_ECOOKIE: for (size_t i = 12; i < 16; i++) icmp[i] ^= 0xff; break;
	default: break;
	}
	return finish(out, p, n, v == V_ECSUM);
}

/* Send variant v about probe p; 1 when sent. */
static int forge(int fd4, int fd6, const struct probe *p, int v)
{
	static uint8_t out[40 + 8 + 60 + QUOTE_L4 + BIG + 1500];
	int echo = (p->v6 ? p->proto == IPPROTO_ICMPV6 && p->pkt[p->ihl] == 128
	                  : p->proto == IPPROTO_ICMP && p->pkt[p->ihl] == 8);
	size_t n = v < V_ERRORS ? forge_error(out, p, v) : echo ? forge_echo(out, p, v) : 0;

	if (!n)
		return 0;
	if (p->v6) {
		struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
		memcpy(&to.sin6_addr, p->pkt + 8, 16);
		return sendto(fd6, out, n, 0, (struct sockaddr *)&to, sizeof to) > 0;
	} else {
		struct sockaddr_in to = { .sin_family = AF_INET };
		memcpy(&to.sin_addr, p->pkt + 12, 4);
		return sendto(fd4, out, n, 0, (struct sockaddr *)&to, sizeof to) > 0;
	}
}

/* Whether pkt (n bytes) is a probe: an echo request, a UDP datagram or a
 * TCP SYN; fills *p. */
static int is_probe(const uint8_t *pkt, size_t n, struct probe *p)
{
	*p = (struct probe){ .pkt = pkt, .len = n };
	if (n >= 20 && pkt[0] >> 4 == 4) {
		p->ihl = (size_t)(pkt[0] & 15) * 4;
		p->proto = pkt[9];
		p->len = (size_t)(pkt[2] << 8 | pkt[3]);  /* without the frame's padding */
		if (p->ihl < 20 || p->len > n || p->len < p->ihl + 8)
			return 0;
	} else if (n >= 48 && pkt[0] >> 4 == 6) {
		p->v6 = 1;
		p->ihl = 40;
		p->proto = pkt[6];
		p->len = (size_t)(pkt[4] << 8 | pkt[5]) + 40;
		if (p->len > n || p->len < 48)
			return 0;
	} else {
		return 0;
	}
	if (p->proto == (p->v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP))
		return pkt[p->ihl] == (p->v6 ? 128 : 8);
	if (p->proto == IPPROTO_UDP)
		return 1;
	return p->proto == IPPROTO_TCP && n >= p->ihl + 14 && (pkt[p->ihl + 13] & 0x12) == 0x02;
}

int main(int argc, char **argv)
{
	double seconds = 60, end;
	const char *ready = NULL;
	long max = -1, probes = 0, forged = 0;
	int opt, ps, raw4, raw6, skip[V_N] = { 0 };

	while ((opt = getopt(argc, argv, "t:r:n:x:o:")) != -1) {
		switch (opt) {
		case 't': seconds = atof(optarg); break;
		case 'r': ready = optarg; break;
		case 'n': max = atol(optarg); break;
		case 'x':
		case 'o':
			for (int v = 0; v < V_N; v++) {
				char list[256];
				int named = 0;
				snprintf(list, sizeof list, ",%s,", optarg);
				for (char *at = list; (at = strstr(at, names[v])); at++)
					named |= at[-1] == ',' && at[strlen(names[v])] == ',';
				skip[v] = opt == 'x' ? skip[v] || named : !named;
			}
			break;
		default:
			fprintf(stderr, "usage: pathforge [-t SECONDS] [-r READYFILE] [-n MAX] [-x NAME,...] [-o NAME]\n");
			return 2;
		}
	}
	ps = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	raw4 = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	raw6 = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);  /* IPV6_HDRINCL: our header, our checksum */
	if (ps < 0 || raw4 < 0 || raw6 < 0) {
		perror("pathforge: socket");
		return 1;
	}
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f)
			fclose(f);
	}
	end = mono() + seconds;
	while (mono() < end && (max < 0 || probes < max)) {
		struct pollfd pfd = { ps, POLLIN, 0 };
		uint8_t pkt[2048];
		struct sockaddr_ll from;
		socklen_t fl = sizeof from;
		struct probe p;
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recvfrom(ps, pkt, sizeof pkt, 0, (struct sockaddr *)&from, &fl);
		if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING || from.sll_ifindex == 1 ||
		    !is_probe(pkt, (size_t)n, &p))
			continue;
		probes++;
		for (int v = 0; v < V_N; v++)
			if (!skip[v])
				forged += forge(raw4, raw6, &p, v);
	}
	printf("probes %ld forged %ld\n", probes, forged);
	return 0;
}
