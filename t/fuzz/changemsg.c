/* t/fuzz/changemsg.c: libFuzzer target for the change message reader of
 * `hopwatch watch` (anyone who can PUBLISH on the channel feeds it): no
 * crash on any input, and what it reads writes back to a message that
 * reads back to the same fields. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "changemsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char in[CHANGEMSG_MAX], out[CHANGEMSG_MAX];
	static struct change_msg a, b;

	if (size >= sizeof in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (changemsg_read(in, &a) < 0)
		return 0;
	/* what was read is UTF-8 and fits: it must write, and read back equal */
	if (!changemsg_write(out, sizeof out, &a) || changemsg_read(out, &b) < 0 || memcmp(&a, &b, sizeof a))
		abort();
	return 0;
}
