/*
 * flush.c: periodic reports of instance counters (flush.h).
 */
#include "flush.h"

/* The period: the interval, but at least every HWC_FLUSH_MAX seconds. */
static double period(hw_ctx *ctx)
{
	double every = hw_interval(ctx);

	return every < HWC_FLUSH_MAX ? every : HWC_FLUSH_MAX;
}

static void tick(void *arg)
{
	hwc_flusher *f = arg;

	f->flush(f->arg);
	hw_timer_arm(f->timer, period(f->ctx));
}

int hwc_flusher_start(hwc_flusher *f, hw_ctx *ctx, void (*flush)(void *arg), void *arg)
{
	*f = (hwc_flusher){ .ctx = ctx, .flush = flush, .arg = arg };
	if (!(f->timer = hw_timer_new(ctx, tick, f)))
		return -1;
	hw_timer_arm(f->timer, period(ctx));
	return 0;
}

void hwc_flusher_stop(hwc_flusher *f)
{
	if (!f->timer)
		return;
	f->flush(f->arg);
	hw_timer_free(f->timer);
	f->timer = NULL;
}
