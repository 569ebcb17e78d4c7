/*
 * pathforge: answers traceroute probes with forged and truncated ICMP
 * errors, for the path plugin's tests.  Run it as root in the namespace of
 * a destination that does not answer the probes itself (echo ignored, the
 * UDP/TCP port filtered): it sees every IPv4 packet arriving there on a
 * packet socket (before the firewall), and for each ICMP echo request, UDP
 * datagram or TCP SYN sends to its source, from the destination's address:
 *
 *   trunc   time exceeded quoting the IP header and only 4 bytes of L4
 *   iphdr   time exceeded quoting 12 bytes of the IP header
 *   csum    time exceeded quoting the probe, with a wrong ICMP checksum
 *   ihl     time exceeded quoting the probe with a quoted IHL of 3
 *   seq     time exceeded quoting the probe with L4 bytes 6-7 (echo
 *           sequence, TCP sequence) changed; not sent for UDP, where they
 *           are the checksum: a NAT rewrites it, so a changed one is no
 *           sign of forgery, and an unprivileged (IP_RECVERR) reader never
 *           sees the UDP header at all (the kernel strips it)
 *   pid     time exceeded quoting the probe with L4 bytes 8-9 (the first
 *           payload word of ICMP and UDP) changed
 *   cookie  time exceeded quoting the probe with L4 bytes 12-15 (payload
 *           bytes 4-7 of ICMP and UDP) flipped
 *   dst     time exceeded quoting the probe with another destination
 *   tiny    a 4-byte ICMP time exceeded
 *   unreach port unreachable quoting the probe with bytes 6-9 changed
 *
 *   pathforge [-t SECONDS] [-r READYFILE] [-n MAX]
 *
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

enum { V_TRUNC, V_IPHDR, V_CSUM, V_IHL, V_SEQ, V_PID, V_COOKIE, V_DST, V_TINY, V_UNREACH, V_N };

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (; n > 1; p += 2, n -= 2)
		s += (uint32_t)(p[0] << 8 | p[1]);
	if (n)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Send variant `v` about probe `pkt` (an IPv4 packet of len bytes, its
 * header `ihl` bytes) on raw socket `fd`; 1 when sent. */
static int forge(int fd, const uint8_t *pkt, size_t len, size_t ihl, int v)
{
	uint8_t out[20 + 8 + 60 + QUOTE_L4], *icmp = out + 20, *q = icmp + 8;
	size_t ql = ihl + (len - ihl < QUOTE_L4 ? len - ihl : QUOTE_L4), n;
	struct sockaddr_in to = { .sin_family = AF_INET };

	memset(out, 0, sizeof out);
	memcpy(q, pkt, ql);
	switch (v) {
	case V_TRUNC: ql = ihl + 4; break;
	case V_IPHDR: ql = 12; break;
	case V_IHL: q[0] = 0x43; break;
	case V_SEQ:
		if (q[9] == IPPROTO_UDP)
			return 0;
		q[ihl + 6] ^= 0x04;
		q[ihl + 7] ^= 0x01;
		break;
	case V_PID: if (ql >= ihl + 10) { q[ihl + 8] ^= 0x04; q[ihl + 9] ^= 0x01; } break;
	case V_COOKIE: for (size_t i = ihl + 12; i < ihl + 16 && i < ql; i++) q[i] ^= 0xff; break;
	case V_DST: q[19] ^= 0x01; break;
	case V_UNREACH: q[ihl + 6] ^= 0x10; q[ihl + 9] ^= 0x10; break;
	default: break;
	}
	icmp[0] = v == V_UNREACH ? 3 : 11;
	icmp[1] = v == V_UNREACH ? 3 : 0;
	n = v == V_TINY ? 4 : 8 + ql;
	if (v != V_TINY) {
		uint16_t s = csum(icmp, n);
		if (v == V_CSUM)
			s ^= 0x5555;
		icmp[2] = (uint8_t)(s >> 8);
		icmp[3] = (uint8_t)s;
	}
	/* our IP header: from the probe's destination back to its source */
	out[0] = 0x45;
	out[2] = (uint8_t)((20 + n) >> 8);
	out[3] = (uint8_t)(20 + n);
	out[8] = 64;
	out[9] = IPPROTO_ICMP;
	memcpy(out + 12, pkt + 16, 4);
	memcpy(out + 16, pkt + 12, 4);
	memcpy(&to.sin_addr, pkt + 12, 4);
	return sendto(fd, out, 20 + n, 0, (struct sockaddr *)&to, sizeof to) > 0;
}

int main(int argc, char **argv)
{
	double seconds = 60, end;
	const char *ready = NULL;
	long max = -1, probes = 0, forged = 0;
	int opt, ps, raw;

	while ((opt = getopt(argc, argv, "t:r:n:")) != -1) {
		switch (opt) {
		case 't': seconds = atof(optarg); break;
		case 'r': ready = optarg; break;
		case 'n': max = atol(optarg); break;
		default:
			fprintf(stderr, "usage: pathforge [-t SECONDS] [-r READYFILE] [-n MAX]\n");
			return 2;
		}
	}
	ps = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	raw = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (ps < 0 || raw < 0) {
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
		ssize_t n;
		size_t ihl;
		int want;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recvfrom(ps, pkt, sizeof pkt, 0, (struct sockaddr *)&from, &fl);
		if (n < 20 || from.sll_pkttype == PACKET_OUTGOING || (pkt[0] >> 4) != 4)
			continue;
		ihl = (size_t)(pkt[0] & 15) * 4;
		if (ihl < 20 || (size_t)n < ihl + 8)
			continue;
		want = (pkt[9] == IPPROTO_ICMP && pkt[ihl] == 8) || pkt[9] == IPPROTO_UDP ||
		       (pkt[9] == IPPROTO_TCP && (size_t)n >= ihl + 14 && (pkt[ihl + 13] & 0x12) == 0x02);
		if (!want)
			continue;
		probes++;
		for (int v = 0; v < V_N; v++)
			forged += forge(raw, pkt, (size_t)n, ihl, v);
	}
	printf("probes %ld forged %ld\n", probes, forged);
	return 0;
}
