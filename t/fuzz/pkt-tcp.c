/* t/fuzz/pkt-tcp.c: libFuzzer target for the TCP segment and quote parsers. */
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pkt_tcp_seg s;

	if (!size)
		return 0;
	pkt_tcp_parse(data + 1, size - 1, (data[0] & 1) ? AF_INET6 : AF_INET, !(data[0] & 1), &s);
	pkt_tcp_quote_parse(data + 1, size - 1, &s);
	return 0;
}
