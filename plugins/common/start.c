/*
 * start.c: a plugin's start() with the clean-up of a failed start (start.h).
 */
#include "start.h"

int hwc_start(hw_ctx *ctx, const void *opts, void **state,
              int (*start_fn)(hw_ctx *ctx, const void *opts, void **st), void (*stop_fn)(void *st))
{
	void *st = NULL;

	if (start_fn(ctx, opts, &st) < 0) {
		stop_fn(st);
		*state = NULL;
		return -1;
	}
	*state = st;
	return 0;
}
