/*
 * t/unit/hopnames.c: the hop name cache (src/paths/hopnames.h) with a fake
 * clock and a fake resolver: names kept for their record's TTL within
 * min_ttl and max_ttl, negative answers (SOA, failures), a name kept
 * through a failure, the size bound (least recently used out, running
 * lookups kept), the in-flight bound and the rate limit.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopnames.h"
#include "pkt_dns.h"
#include "test-lib.h"

/* The fake resolver: the lookups started, in order. */
static struct {
	int family;
	uint8_t addr[16];
	char qname[PKT_DNS_REVERSE_MAX];
} started[4096];
static size_t nstarted;
static int refuse_start;   /* 1: the start hook fails */

static int fake_start(void *arg, int family, const void *addr, const char *qname)
{
	(void)arg;
	if (refuse_start)
		return -1;
	if (nstarted < sizeof started / sizeof started[0]) {
		started[nstarted].family = family;
		memcpy(started[nstarted].addr, addr, family == AF_INET ? 4 : 16);
		snprintf(started[nstarted].qname, sizeof started[nstarted].qname, "%s", qname);
	}
	nstarted++;
	return 0;
}

/* Append the wire form of `name` (taken from a query lib/pkt builds). */
static size_t wire_name(uint8_t *p, const char *name)
{
	uint8_t q[600];
	size_t n = pkt_dns_query_build(q, sizeof q, 0, name, PKT_DNS_PTR, 0, 0);

	memcpy(p, q + 12, n - 16);
	return n - 16;
}

static size_t put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = (uint8_t)v;
	return 4;
}

/* A response to the PTR query of `qname`: rcode, and a PTR to `ptr` with
 * `ttl` when ptr is not NULL, else an SOA (TTL soa_ttl, MINIMUM soa_min)
 * in authority when soa_ttl is not 0. */
static size_t answer(uint8_t *b, const char *qname, int rcode, const char *ptr, uint32_t ttl,
                     uint32_t soa_ttl, uint32_t soa_min)
{
	size_t n = 12, rd;
	memset(b, 0, 12);
	b[0] = 0x12, b[2] = 0x81, b[3] = (uint8_t)(0x80 | rcode);
	b[5] = 1;
	n += wire_name(b + n, qname);
	b[n++] = 0, b[n++] = 12, b[n++] = 0, b[n++] = 1;
	if (ptr) {
		b[7] = 1;
		b[n++] = 0xc0, b[n++] = 12;
		b[n++] = 0, b[n++] = 12, b[n++] = 0, b[n++] = 1;
		n += put32(b + n, ttl);
		rd = n;
		n += 2;
		n += wire_name(b + n, ptr);
		b[rd] = (uint8_t)((n - rd - 2) >> 8), b[rd + 1] = (uint8_t)(n - rd - 2);
	} else if (soa_ttl) {
		b[9] = 1;
		n += wire_name(b + n, "arpa");
		b[n++] = 0, b[n++] = 6, b[n++] = 0, b[n++] = 1;
		n += put32(b + n, soa_ttl);
		rd = n;
		n += 2;
		n += wire_name(b + n, "ns.lab");
		n += wire_name(b + n, "admin.lab");
		n += put32(b + n, 1);
		n += put32(b + n, 3600);
		n += put32(b + n, 600);
		n += put32(b + n, 86400);
		n += put32(b + n, soa_min);
		b[rd] = (uint8_t)((n - rd - 2) >> 8), b[rd + 1] = (uint8_t)(n - rd - 2);
	}
	return n;
}

/* Answer started lookup `i` with a PTR. */
static void give(hopnames *hn, size_t i, const char *ptr, uint32_t ttl, double now)
{
	uint8_t b[1024];
	size_t n = answer(b, started[i].qname, 0, ptr, ttl, 0, 0);
	hopnames_answer(hn, started[i].family, started[i].addr, b, n, now);
}

static const struct hopnames_conf base = {
	.enabled = 1, .timeout = 1, .min_ttl = 60, .max_ttl = 86400, .negative_ttl = 300,
	.cache_size = 16, .max_in_flight = 4, .rate = 10,
};

int main(void)
{
	struct hopnames_conf c = base;
	hopnames *hn = hopnames_new(&c, fake_start, NULL);
	struct hopnames_stats st;
	uint8_t b[1024];
	size_t n;
	double now = 1000;
	char ip[32];

	/* a miss starts one lookup and returns NULL at once */
	ok(hopnames_get(hn, "10.0.0.1", now) == NULL, "a miss: no name yet");
	is_int(nstarted, 1, "one lookup started");
	is_str(started[0].qname, "1.0.0.10.in-addr.arpa", "for the reverse name");
	ok(hopnames_get(hn, "10.0.0.1", now) == NULL && nstarted == 1, "asked again while it runs: no second lookup");
	ok(hopnames_get(hn, "fd00::1", now) == NULL && nstarted == 2, "IPv6: a lookup");
	ok(!strcmp(started[1].qname + 64, "ip6.arpa") && started[1].qname[0] == '1', "IPv6 reverse name");
	ok(hopnames_get(hn, "127.0.0.1", now) == NULL && hopnames_get(hn, "127.9.0.1", now) == NULL &&
	   hopnames_get(hn, "::1", now) == NULL && hopnames_get(hn, "0.0.0.0", now) == NULL && nstarted == 2,
	   "loopback and unspecified addresses: never looked up");
	ok(hopnames_get(hn, "not an address", now) == NULL && hopnames_get(hn, "", now) == NULL && nstarted == 2,
	   "text that is no address: nothing started");

	/* the answer, with its TTL */
	give(hn, 0, "r1.lab", 300, now);
	is_str(hopnames_get(hn, "10.0.0.1", now + 1), "r1.lab", "the name once answered");
	is_str(hopnames_get(hn, "10.0.0.1", now + 299), "r1.lab", "kept until its TTL (300 s)");
	is_int(nstarted, 2, "no lookup before the TTL ends");
	is_str(hopnames_get(hn, "10.0.0.1", now + 300), "r1.lab", "expired: still shown while it is looked up again");
	is_int(nstarted, 3, "expired: looked up again");
	give(hn, 2, "r1b.lab", 3, now + 301);
	is_str(hopnames_get(hn, "10.0.0.1", now + 302), "r1b.lab", "the fresh name");
	is_str(hopnames_get(hn, "10.0.0.1", now + 301 + 59), "r1b.lab", "TTL 3 s raised to min_ttl (60 s)");
	is_int(nstarted, 3, "no lookup within min_ttl");
	hopnames_get(hn, "10.0.0.1", now + 301 + 60);
	is_int(nstarted, 4, "looked up again after min_ttl");

	/* a failure keeps a known name for negative_ttl; NXDOMAIN drops it */
	hopnames_answer(hn, started[3].family, started[3].addr, NULL, 0, now + 400);
	is_str(hopnames_get(hn, "10.0.0.1", now + 401), "r1b.lab", "a failure (timeout) keeps the known name");
	hopnames_get(hn, "10.0.0.1", now + 400 + 299);
	is_int(nstarted, 4, "and is not retried within negative_ttl (300 s)");
	hopnames_get(hn, "10.0.0.1", now + 400 + 300);
	is_int(nstarted, 5, "retried after negative_ttl");
	n = answer(b, started[4].qname, 3, NULL, 0, 3600, 120);
	hopnames_answer(hn, started[4].family, started[4].addr, b, n, now + 700);
	ok(hopnames_get(hn, "10.0.0.1", now + 701) == NULL, "NXDOMAIN: the name goes");
	hopnames_get(hn, "10.0.0.1", now + 700 + 119);
	is_int(nstarted, 5, "NXDOMAIN cached for the SOA's negative TTL (min(3600, 120) s)");
	hopnames_get(hn, "10.0.0.1", now + 700 + 120);
	is_int(nstarted, 6, "looked up again after it");

	/* NXDOMAIN without SOA, SERVFAIL: negative_ttl; an unusable name: none */
	n = answer(b, started[1].qname, 3, NULL, 0, 0, 0);
	hopnames_answer(hn, started[1].family, started[1].addr, b, n, now + 800);
	hopnames_get(hn, "fd00::1", now + 800 + 299);
	is_int(nstarted, 6, "NXDOMAIN without SOA: negative_ttl");
	hopnames_get(hn, "fd00::1", now + 800 + 300);
	is_int(nstarted, 7, "then looked up again");
	n = answer(b, started[6].qname, 2, NULL, 0, 0, 0);
	hopnames_answer(hn, started[6].family, started[6].addr, b, n, now + 1100);
	ok(hopnames_get(hn, "fd00::1", now + 1101) == NULL && nstarted == 7, "SERVFAIL: no name, cached");
	st = hopnames_get_stats(hn);
	is_int(st.failed, 2, "failures counted (timeout, SERVFAIL)");
	is_int(st.none, 2, "NXDOMAINs counted");
	is_int(st.found, 2, "names counted");
	hopnames_get(hn, "10.0.0.7", now + 1200);
	give(hn, nstarted - 1, "bad name.lab", 300, now + 1200);
	ok(hopnames_get(hn, "10.0.0.7", now + 1201) == NULL, "a name with a space (escaped \\032) is not shown");
	hopnames_get(hn, "10.0.0.8", now + 1200);
	give(hn, nstarted - 1, "R8.Lab", 999999, now + 1200);
	is_str(hopnames_get(hn, "10.0.0.8", now + 1201), "r8.lab", "names are lower case");
	hopnames_get(hn, "10.0.0.8", now + 1200 + 86399);
	hopnames_get(hn, "10.0.0.8", now + 1200 + 86400);
	ok(nstarted == 10, "TTL 999999 s cut to max_ttl (1 d)");
	hopnames_free(hn);

	/* in flight and rate: 4 at once, 10 a second */
	nstarted = 0;
	hn = hopnames_new(&c, fake_start, NULL);
	now = 0;
	for (int i = 1; i <= 8; i++) {
		snprintf(ip, sizeof ip, "10.1.0.%d", i);
		hopnames_get(hn, ip, now);
	}
	is_int(nstarted, 4, "8 misses at once: max_in_flight (4) lookups");
	is_int(hopnames_get_stats(hn).deferred, 4, "the other 4 deferred, not queued");
	for (size_t i = 0; i < 4; i++)
		give(hn, i, "x.lab", 300, now);
	for (int i = 5; i <= 8; i++) {
		snprintf(ip, sizeof ip, "10.1.0.%d", i);
		hopnames_get(hn, ip, now);
	}
	is_int(nstarted, 8, "once answered, the deferred are looked up by the next caller");
	for (size_t i = 4; i < 8; i++)
		give(hn, i, "x.lab", 300, now);
	c.max_in_flight = 1000;
	c.cache_size = 1000;
	hopnames_free(hn);
	nstarted = 0;
	hn = hopnames_new(&c, fake_start, NULL);
	for (int i = 0; i < 50; i++) {
		snprintf(ip, sizeof ip, "10.2.0.%d", i);
		hopnames_get(hn, ip, 0);
	}
	is_int(nstarted, 10, "50 misses in one instant: rate 10/s lets 10 start");
	for (int s = 1; s <= 4; s++)
		for (int i = 0; i < 50; i++) {
			snprintf(ip, sizeof ip, "10.2.0.%d", i);
			hopnames_get(hn, ip, s * 0.5);
		}
	is_int(nstarted, 30, "2 s later, 20 more: 10 a second");
	hopnames_free(hn);

	/* size: 16 addresses; the least recently asked goes, running ones stay */
	c = base;
	c.rate = 1000;
	c.max_in_flight = 1000;
	nstarted = 0;
	hn = hopnames_new(&c, fake_start, NULL);
	for (int i = 0; i < 16; i++) {
		snprintf(ip, sizeof ip, "10.3.0.%d", i);
		hopnames_get(hn, ip, 0);
		give(hn, (size_t)i, "h.lab", 300, 0);
	}
	is_str(hopnames_get(hn, "10.3.0.0", 1), "h.lab", "10.3.0.0 asked again: most recent");
	hopnames_get(hn, "10.3.0.99", 2);
	st = hopnames_get_stats(hn);
	ok(st.entries == 16 && st.evicted == 1, "a 17th address: one dropped, 16 held");
	is_str(hopnames_get(hn, "10.3.0.0", 3), "h.lab", "the recently asked one stays");
	ok(hopnames_get(hn, "10.3.0.1", 3) == NULL && nstarted == 18, "the least recently asked one went (asked anew)");
	hopnames_free(hn);
	c.cache_size = 16;
	nstarted = 0;
	hn = hopnames_new(&c, fake_start, NULL);
	for (int i = 0; i < 20; i++) {
		snprintf(ip, sizeof ip, "10.4.0.%d", i);
		hopnames_get(hn, ip, 0);
	}
	st = hopnames_get_stats(hn);
	ok(nstarted == 16 && st.entries == 16 && st.evicted == 0 && st.deferred == 4,
	   "16 lookups running fill the cache: none dropped, the rest deferred");
	hopnames_free(hn);

	/* a start that fails counts as a failure; off: nothing at all */
	nstarted = 0;
	refuse_start = 1;
	hn = hopnames_new(&c, fake_start, NULL);
	ok(hopnames_get(hn, "10.5.0.1", 0) == NULL && hopnames_get_stats(hn).failed == 1 &&
	   hopnames_get_stats(hn).in_flight == 0, "a lookup that cannot start: a failure, nothing in flight");
	hopnames_free(hn);
	refuse_start = 0;
	c.enabled = 0;
	hn = hopnames_new(&c, fake_start, NULL);
	ok(hopnames_get(hn, "10.5.0.1", 0) == NULL && nstarted == 0, "enabled false: no lookup");
	hopnames_free(hn);
	ok(hopnames_get(NULL, "10.5.0.1", 0) == NULL, "no cache: NULL");

	ok(hopnames_valid("r1.lab-x_y.0") && !hopnames_valid("") && !hopnames_valid("R1") &&
	   !hopnames_valid("a,b") && !hopnames_valid("a\\032b"), "valid names: [a-z0-9._-], 1 to 253");
	return done_testing();
}
