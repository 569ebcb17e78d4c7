/* t/plugins/badsize.c: right ABI number, wrong descriptor size (a plugin
 * built against a different hopwatch.h); the loader must refuse it. */
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
	.abi = HW_PLUGIN_ABI,
	.size = sizeof(hw_plugin) - 8,
	.name = "badsize",
	.start = start,
	.run = run,
	.stop = stop,
};
