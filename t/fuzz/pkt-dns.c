/* t/fuzz/pkt-dns.c: libFuzzer target for the DNS message parser (lib/pkt
 * dns.c).  The first byte picks the entry: a bare DNS message (header,
 * questions, every record and its rdata text, as the dns plugin reads an
 * answer, and as a PTR answer the way hop names read one) or a captured
 * IP packet (as passive mode reads one).  Whatever
 * the parser hands out must lie inside the input, and every name and text
 * must end inside its buffer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* by path: src/core/dns.h (the core resolver) shadows it on the include path */
#include "pkt_dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless [p, p + n) lies inside [base, base + size). */
static void inside(const uint8_t *base, size_t size, const uint8_t *p, size_t n)
{
	if (p && (p < base || p > base + size || n > (size_t)(base + size - p)))
		abort();
}

/* Walk a message as the plugin does: every record, every rdata as text. */
static void walk(const uint8_t *msg, size_t len)
{
	pkt_dns_msg m;
	pkt_dns_rr rr;
	pkt_dns_ptr ptr;
	char text[PKT_DNS_RDATA_MAX];
	size_t off;

	if (pkt_dns_ptr_read(msg, len, &ptr) == 0 &&
	    (strlen(ptr.name) >= sizeof ptr.name || (ptr.found && !ptr.name[0]) || (ptr.found && !ptr.has_ttl)))
		abort();
	if (pkt_dns_parse(msg, len, &m) != 0)
		return;
	if (m.an_off > len || strlen(m.qname) >= sizeof m.qname)
		abort();
	off = m.an_off;
	for (unsigned i = 0; i < m.ancount && off < len; i++) {
		size_t before = off;
		if (pkt_dns_rr_read(msg, len, &off, &rr) != 0)
			break;
		if (off <= before || off > len)
			abort();
		inside(msg, len, msg + rr.rdata_off, rr.rdlen);
		if (pkt_dns_rdata_text(msg, len, &rr, text, sizeof text) >= 0 && strlen(text) >= sizeof text)
			abort();
		pkt_dns_domain_cut(rr.name, 2, text, sizeof text);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pkt_dns_pkt p;

	if (!size)
		return 0;
	if (data[0] & 1) {
		if (pkt_dns_pkt_parse(data + 1, size - 1, &p) == 0) {
			inside(data + 1, size - 1, p.dns, p.dns_len);
			walk(p.dns, p.dns_len);
		}
	} else {
		walk(data + 1, size - 1);
	}
	return 0;
}
