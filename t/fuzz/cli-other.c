/* t/fuzz/cli-other.c: libFuzzer target for the reader of <prefix>changes
 * messages in `hopwatch watch` (cli_other_read, src/cli/jsonout.c: anyone
 * who can PUBLISH on the channel feeds it): no crash on any input, and
 * what it reads, written back as JSON (cli_json_other), reads back to the
 * same fields.  The CLI's pure files are compiled into this one unit (the
 * core that other fuzz targets link has no cli_die). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.c"
#include "jsonout.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void cli_die(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char in[65536];
	static struct cli_other_change a, b;
	json_t *j;
	char *out;

	if (size >= sizeof in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (cli_other_read(in, &a) < 0)
		return 0;
	/* what was read came from valid JSON strings: it must write, and read back equal */
	if (!(j = cli_json_other(&a)) || !(out = json_dumps(j, JSON_COMPACT)))
		abort();
	json_decref(j);
	if (cli_other_read(out, &b) < 0 || memcmp(&a, &b, sizeof a))
		abort();
	free(out);
	return 0;
}
