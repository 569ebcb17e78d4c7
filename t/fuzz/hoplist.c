/* t/fuzz/hoplist.c: libFuzzer target for the stored hop-list parser (read
 * back from Redis at start) and the hop-name list parser (read by the CLI
 * from the path hash and the change stream): what parses must print back
 * identically. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pathwatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char in[PATH_MAX_HOPS * HOPNAME_MAX + 64], out[sizeof in];
	static struct path_names nm;
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
	if (pathwatch_parse_name_list(in, &nm) == 0) {
		pathwatch_name_list(out, sizeof out, &nm);
		if (strlen(in) == size && strcmp(in, out))
			abort();
		for (unsigned i = 0; i < nm.n; i++)
			if (nm.name[i][0] && !hopnames_valid(nm.name[i]))
				abort();
	}
	return 0;
}
