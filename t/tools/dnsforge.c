/*
 * dnsforge: forged DNS responses for the dns plugin's passive-mode test
 * (t9110).  Run as root in the client's namespace:
 *
 *   dnsforge CLIENT SERVER OTHER      (IPv4 addresses)
 *
 * It sends two real queries from CLIENT:40053 to SERVER:53 (whose port 53
 * the test filters, so the server never answers): "forge1.test" A with id
 * 0x1111 and "forge2.test" A with id 0x2222.  Then, through a raw socket
 * (IP_HDRINCL, so any source address), responses to CLIENT:
 *   1. for forge1 from SERVER:53 with id 0x1112        (wrong id)
 *   2. for forge1 from SERVER:53 asking "forge9.test"  (wrong question)
 *   3. for forge1 from OTHER:53                        (wrong server)
 *   4. for forge1 from SERVER:53 to port 40054         (wrong client port)
 *   5. for forge2 from SERVER:53, all right            (must match)
 * So a passive watcher must count 2 queries, 4 unmatched responses, one
 * NOERROR response for forge2.test and one timeout for forge1.test.
 * Standalone: the wire format is written out here (RFC 1035 4.1).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CPORT 40053

/* A DNS message for `name` A (query, or response with one A 192.0.2.1). */
static size_t dns_msg(uint8_t *b, uint16_t id, const char *name, int response)
{
	size_t n = 12;
	const char *s = name;

	memset(b, 0, 12);
	b[0] = (uint8_t)(id >> 8), b[1] = (uint8_t)id;
	b[2] = response ? 0x81 : 0x01;        /* QR, RD */
	b[3] = response ? 0x80 : 0x00;        /* RA, rcode 0 */
	b[5] = 1;                             /* qdcount */
	b[7] = response ? 1 : 0;              /* ancount */
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		b[n++] = (uint8_t)l;
		memcpy(b + n, s, l);
		n += l;
		s += l + (dot ? 1 : 0);
	}
	b[n++] = 0;
	b[n++] = 0, b[n++] = 1, b[n++] = 0, b[n++] = 1;  /* A IN */
	if (response) {
		static const uint8_t an[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1 };
		memcpy(b + n, an, sizeof an);
		n += sizeof an;
	}
	return n;
}

/* Send `dns` as UDP from src:sport to dst:dport through raw socket `fd`. */
static int forge(int fd, const char *src, uint16_t sport, const char *dst, uint16_t dport,
                 const uint8_t *dns, size_t dlen)
{
	uint8_t p[600];
	size_t tot = 20 + 8 + dlen;
	struct sockaddr_in to;

	memset(p, 0, 28);
	p[0] = 0x45;
	p[2] = (uint8_t)(tot >> 8), p[3] = (uint8_t)tot;
	p[6] = 0x40;                           /* DF */
	p[8] = 64;                             /* TTL */
	p[9] = IPPROTO_UDP;
	if (inet_pton(AF_INET, src, p + 12) != 1 || inet_pton(AF_INET, dst, p + 16) != 1)
		return -1;
	p[20] = (uint8_t)(sport >> 8), p[21] = (uint8_t)sport;
	p[22] = (uint8_t)(dport >> 8), p[23] = (uint8_t)dport;
	p[24] = (uint8_t)((8 + dlen) >> 8), p[25] = (uint8_t)(8 + dlen);
	/* UDP checksum 0: none (RFC 768, IPv4); the kernel fills the IP one */
	memcpy(p + 28, dns, dlen);
	memset(&to, 0, sizeof to);
	to.sin_family = AF_INET;
	memcpy(&to.sin_addr, p + 16, 4);
	return sendto(fd, p, tot, 0, (struct sockaddr *)&to, sizeof to) == (ssize_t)tot ? 0 : -1;
}

int main(int argc, char **argv)
{
	uint8_t m[512];
	struct sockaddr_in a;
	struct timespec gap = { 0, 20 * 1000 * 1000 };
	int u, r, on = 1;
	size_t n;

	if (argc != 4) {
		fprintf(stderr, "usage: dnsforge CLIENT SERVER OTHER\n");
		return 2;
	}
	u = socket(AF_INET, SOCK_DGRAM, 0);
	r = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (u < 0 || r < 0 || setsockopt(r, IPPROTO_IP, IP_HDRINCL, &on, sizeof on) < 0) {
		perror("dnsforge: socket");
		return 1;
	}
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(CPORT);
	inet_pton(AF_INET, argv[1], &a.sin_addr);
	if (bind(u, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("dnsforge: bind");
		return 1;
	}
	a.sin_port = htons(53);
	if (inet_pton(AF_INET, argv[2], &a.sin_addr) != 1) {
		fprintf(stderr, "dnsforge: bad server address\n");
		return 2;
	}
	n = dns_msg(m, 0x1111, "forge1.test", 0);
	if (sendto(u, m, n, 0, (struct sockaddr *)&a, sizeof a) < 0)
		perror("dnsforge: query 1");
	n = dns_msg(m, 0x2222, "forge2.test", 0);
	if (sendto(u, m, n, 0, (struct sockaddr *)&a, sizeof a) < 0)
		perror("dnsforge: query 2");
	nanosleep(&gap, NULL);
	n = dns_msg(m, 0x1112, "forge1.test", 1);
	if (forge(r, argv[2], 53, argv[1], CPORT, m, n) < 0)
		perror("dnsforge: wrong id");
	n = dns_msg(m, 0x1111, "forge9.test", 1);
	if (forge(r, argv[2], 53, argv[1], CPORT, m, n) < 0)
		perror("dnsforge: wrong question");
	n = dns_msg(m, 0x1111, "forge1.test", 1);
	if (forge(r, argv[3], 53, argv[1], CPORT, m, n) < 0)
		perror("dnsforge: wrong server");
	if (forge(r, argv[2], 53, argv[1], CPORT + 1, m, n) < 0)
		perror("dnsforge: wrong port");
	n = dns_msg(m, 0x2222, "forge2.test", 1);
	if (forge(r, argv[2], 53, argv[1], CPORT, m, n) < 0)
		perror("dnsforge: right one");
	printf("dnsforge: 2 queries, 4 forged responses, 1 right one\n");
	return 0;
}
