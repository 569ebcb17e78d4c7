/* t/plugins/badabi.c: a plugin built for another ABI; the loader must
 * refuse it before calling anything (start would abort the process). */
#include <stdlib.h>

#include "hopwatch.h"

static int start(hw_ctx *ctx, const void *opts, void **state)
{
	(void)ctx; (void)opts; (void)state;
	abort();
}
static void run(void *state, hw_target *t) { (void)state; (void)t; abort(); }
static void stop(void *state) { (void)state; abort(); }

HW_PLUGIN_EXPORT = {
	.abi = HW_PLUGIN_ABI + 1,
	.size = sizeof(hw_plugin),
	.name = "badabi",
	.start = start,
	.run = run,
	.stop = stop,
};
