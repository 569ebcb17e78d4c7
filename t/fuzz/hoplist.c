/* t/fuzz/hoplist.c: libFuzzer target for the stored hop-list parser (read
 * back from Redis at start): what parses must print back identically. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pathwatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[4096], out[sizeof(struct path_hops)];
	struct path_hops h;

	if (size >= sizeof in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (pathwatch_parse_hop_list(in, &h) == 0) {
		pathwatch_hop_list(out, sizeof out, &h);
		if (strlen(in) == size && strcmp(in, out))
			abort();
	}
	return 0;
}
