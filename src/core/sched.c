/*
 * sched.c: when each target's round starts.  Target k of n starts at
 * base + k * interval / n, then every interval: starts are spread evenly
 * so that thousands of targets never burst, and one timer per instance
 * serves all of its targets.  A target whose previous round still runs is
 * skipped and counted (hopwatch.probe.overruns), never stacked.
 */
#include <math.h>

#include "instance.h"

/* Starts closer together than this share one timer wakeup. */
#define SCHED_SLACK 0.0005

/* Start (or skip) round number `seq` of `ctx`. */
static void sched_one(struct hw_ctx *ctx, uint64_t seq)
{
	struct target *t = &ctx->targets[seq % ctx->pc->ntargets];

	if (t->running) {
		HW_DEBUG(ctx, "target %s: previous round still running; skipped", t->tc->host);
		hw_metric1(ctx, &t->pub, "probe.overruns", HW_COUNT, 1, NULL);
		return;
	}
	if (!t->pub.addrlen)
		return;  /* not resolved yet: counted by the resolver */
	t->running = 1;
	ctx->p->run(ctx->state, &t->pub);
}

static void sched_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hw_ctx *ctx = (struct hw_ctx *)((char *)w - offsetof(struct hw_ctx, sched));
	double step = ctx->pc->interval / (double)ctx->pc->ntargets, now = hw_mono(), next;
	(void)revents;

	/* Asleep for more than an interval (suspend, stopped process): do not
	 * fire the backlog, resume at the present slot. */
	if (now - (ctx->base + (double)ctx->seq * step) > ctx->pc->interval)
		ctx->seq = (uint64_t)floor((now - ctx->base) / step);
	while (ctx->base + (double)ctx->seq * step <= now + SCHED_SLACK) {
		sched_one(ctx, ctx->seq);
		ctx->seq++;
	}
	/* libev counts from its cached loop time, which lags the clock by
	 * however long this iteration has run so far: add that lag. */
	next = ctx->base + (double)ctx->seq * step - hw_mono() + (ev_time() - ev_now(loop));
	ev_timer_set(w, next > 0 ? next : 0., 0.);
	ev_timer_start(loop, w);
}

void sched_start(struct hw_ctx *ctx)
{
	if (!ctx->pc->ntargets)
		return;
	ctx->base = hw_mono();
	ctx->seq = 0;
	ev_timer_init(&ctx->sched, sched_cb, 0., 0.);
	ev_timer_start(ctx->rt->loop, &ctx->sched);
}

void sched_stop(struct hw_ctx *ctx)
{
	ev_timer_stop(ctx->rt->loop, &ctx->sched);
}
