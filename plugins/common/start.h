/*
 * start.h: the start() a probe plugin exports, for plugins whose own start
 * may fail halfway (plugins/common).  The host calls a plugin's stop()
 * only after a successful start(), so whatever a failed start left behind
 * must be freed by start() itself: hwc_start does that once for all.
 */
#ifndef HOPWATCH_COMMON_START_H
#define HOPWATCH_COMMON_START_H

#include "hopwatch.h"

/*
 * The body of a plugin's start(ctx, opts, state): call
 * start_fn(ctx, opts, &st); when it fails (returns < 0), call stop_fn(st)
 * on what it left in st (NULL, or a partial state: stop_fn must take
 * both) and set *state to NULL; else set *state to st.  Returns 0, or -1
 * (start_fn logged why).
 */
int hwc_start(hw_ctx *ctx, const void *opts, void **state,
              int (*start_fn)(hw_ctx *ctx, const void *opts, void **st), void (*stop_fn)(void *st));

#endif /* HOPWATCH_COMMON_START_H */
