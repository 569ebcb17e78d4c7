/* t/fuzz/meshreg.c: libFuzzer target for what a mesh member reads from
 * Redis (anyone who can write to it feeds these): registrations and
 * results.  No crash on any input, and what reads writes back to JSON that
 * reads back the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meshreg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[MESH_REG_MAX + 1], why[160];
	static struct mesh_reg a, b;
	static struct mesh_result ra, rb;

	if (meshreg_parse((const char *)data, size, "h", &a, why, sizeof why) == 0 &&
	    (!meshreg_write(out, sizeof out, &a) ||
	     meshreg_parse(out, strlen(out), "h", &b, why, sizeof why) < 0 || memcmp(&a, &b, sizeof a)))
		abort();
	if (meshreg_result_parse((const char *)data, size, &ra, why, sizeof why) == 0 &&
	    (!meshreg_result_write(out, sizeof out, &ra) ||
	     meshreg_result_parse(out, strlen(out), &rb, why, sizeof why) < 0 || memcmp(&ra, &rb, sizeof ra)))
		abort();
	return 0;
}
