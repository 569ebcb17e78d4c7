/* t/fuzz/pkt-icmp.c: libFuzzer target for the ICMP/ICMPv6 parser.  The first
 * byte picks the family and whether an IP header leads; every field the
 * parser hands out must lie inside the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless [p, p + n) lies inside [base, base + size). */
static void inside(const uint8_t *base, size_t size, const uint8_t *p, size_t n)
{
	if (p && (p < base || p > base + size || n > (size_t)(base + size - p)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pkt_icmp m;

	if (!size)
		return 0;
	int family = (data[0] & 1) ? AF_INET6 : AF_INET;
	int has_ip = (data[0] >> 1) & 1;
	if (pkt_icmp_parse(data + 1, size - 1, family, has_ip, &m) == 0) {
		inside(data + 1, size - 1, m.data, m.data_len);
		inside(data + 1, size - 1, m.ext, m.ext_len);
		if (m.quote.ok)
			inside(data + 1, size - 1, m.quote.l4, m.quote.l4_len);
	}
	return 0;
}
