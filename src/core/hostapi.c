/*
 * hostapi.c: the host side of hopwatch.h, the functions plugins call: fd
 * watches and timers on the daemon's libev loop, raw sockets, the clock,
 * the instance's settings, and lines to the DogStatsD sink.  hw_done(),
 * which ends a round, lives with the rounds in instance.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "instance.h"

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct hw_io *io = (struct hw_io *)w;
	(void)loop;
	io->cb(io->arg, w->fd, ((revents & EV_READ) ? HW_READ : 0) | ((revents & EV_WRITE) ? HW_WRITE : 0));
}

hw_io *hw_io_new(hw_ctx *ctx, int fd, hw_io_cb cb, void *arg)
{
	struct hw_io *io = calloc(1, sizeof *io);

	if (!io)
		return NULL;
	ev_io_init(&io->w, io_cb, fd, 0);
	io->ctx = ctx;
	io->cb = cb;
	io->arg = arg;
	io->next = ctx->ios;
	if (ctx->ios)
		ctx->ios->prev = io;
	ctx->ios = io;
	return io;
}

void hw_io_want(hw_io *io, int events)
{
	int ev = ((events & HW_READ) ? EV_READ : 0) | ((events & HW_WRITE) ? EV_WRITE : 0);

	if (ev_is_active(&io->w) && (io->w.events & (EV_READ | EV_WRITE)) == ev)
		return;
	ev_io_stop(io->ctx->rt->loop, &io->w);
	if (ev) {
		ev_io_set(&io->w, io->w.fd, ev);
		ev_io_start(io->ctx->rt->loop, &io->w);
	}
}

void hw_io_free(hw_io *io)
{
	if (!io)
		return;
	ev_io_stop(io->ctx->rt->loop, &io->w);
	if (io->prev)
		io->prev->next = io->next;
	else
		io->ctx->ios = io->next;
	if (io->next)
		io->next->prev = io->prev;
	free(io);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hw_timer *t = (struct hw_timer *)w;
	(void)loop;
	(void)revents;
	t->cb(t->arg);
}

hw_timer *hw_timer_new(hw_ctx *ctx, hw_timer_cb cb, void *arg)
{
	struct hw_timer *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	ev_timer_init(&t->w, timer_cb, 0., 0.);
	t->ctx = ctx;
	t->cb = cb;
	t->arg = arg;
	t->next = ctx->timers;
	if (ctx->timers)
		ctx->timers->prev = t;
	ctx->timers = t;
	return t;
}

void hw_timer_arm(hw_timer *t, double after)
{
	struct ev_loop *loop = t->ctx->rt->loop;

	ev_timer_stop(loop, &t->w);
	/* relative to the real now, not the loop's cached time */
	ev_timer_set(&t->w, after < 0 ? 0. : after + (ev_time() - ev_now(loop)), 0.);
	ev_timer_start(loop, &t->w);
}

void hw_timer_stop(hw_timer *t)
{
	ev_timer_stop(t->ctx->rt->loop, &t->w);
}

void hw_timer_free(hw_timer *t)
{
	if (!t)
		return;
	ev_timer_stop(t->ctx->rt->loop, &t->w);
	if (t->prev)
		t->prev->next = t->next;
	else
		t->ctx->timers = t->next;
	if (t->next)
		t->next->prev = t->prev;
	free(t);
}

int hw_raw_socket(hw_ctx *ctx, int family, int protocol)
{
	int fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);

	if (fd >= 0)
		ctx->uses_raw = 1;
	return fd;
}

double hw_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

hw_target *const *hw_targets(hw_ctx *ctx, size_t *n)
{
	*n = ctx->nslots;
	return ctx->tptrs;
}

const char *hw_instance_name(const hw_ctx *ctx)
{
	return ctx->pc->name;
}

double hw_interval(const hw_ctx *ctx)
{
	return ctx->pc->interval;
}

double hw_timeout(const hw_ctx *ctx)
{
	return ctx->pc->timeout;
}

/* The ready tag list of a line about target `t` (NULL: the instance). */
static const char *tags_of(const hw_ctx *ctx, const hw_target *t)
{
	return t ? ((const struct target *)t)->tags : ctx->tags;
}

int hw_metric_wanted(const hw_ctx *ctx, const char *name)
{
	const struct probe_conf *pc = ctx->pc;
	const hw_metric_def *m = ctx->p->metrics;

	if (!pc->metric_on)
		return 1;
	/* the plugin passes the literal of its table: the pointer usually
	 * matches, and strcmp settles the rest (a dozen entries at most) */
	for (size_t k = 0; k < pc->nmetrics; k++)
		if (m[k].name == name)
			return pc->metric_on[k];
	for (size_t k = 0; k < pc->nmetrics; k++)
		if (!strcmp(m[k].name, name))
			return pc->metric_on[k];
	return 1;  /* not the plugin's (the core's own, e.g. dns.errors): always sent */
}

void hw_metric(hw_ctx *ctx, const hw_target *t, const char *name, hw_mtype type,
               const double *values, size_t n, const char *const *extra)
{
	if (!hw_metric_wanted(ctx, name))
		return;
	emit_metric(&ctx->rt->emit, tags_of(ctx, t), NULL, name, type, values, n, extra);
}

void hw_metric1(hw_ctx *ctx, const hw_target *t, const char *name, hw_mtype type,
                double value, const char *const *extra)
{
	hw_metric(ctx, t, name, type, &value, 1, extra);
}

void hw_service_check(hw_ctx *ctx, const hw_target *t, const char *name,
                      hw_status status, const char *message, const char *const *extra)
{
	emit_service_check(&ctx->rt->emit, tags_of(ctx, t), NULL, name, status, message, extra);
}

void hw_event(hw_ctx *ctx, const hw_target *t, const char *title, const char *text,
              hw_alert alert, const char *aggregation_key, const char *const *extra)
{
	emit_event(&ctx->rt->emit, tags_of(ctx, t), NULL, title, text, alert,
	           aggregation_key, extra);
}

void hw_change_report(hw_ctx *ctx, const hw_target *pub, const char *kind, const char *old_value,
                      const char *new_value)
{
	const struct target *t = (const struct target *)pub;

	if (ctx->rt->paths && kind && *kind)
		pathwatch_change(ctx->rt->paths, ctx->pc->name, t->id, pub->ip, kind,
		                 old_value ? old_value : "", new_value ? new_value : "", time(NULL));
}

const char *hw_hop_name(hw_ctx *ctx, const struct sockaddr *sa)
{
	return hopnames_get_sa(ctx->rt->names, sa, hw_mono());
}

void hw_path_report(hw_ctx *ctx, const hw_target *pub, const hw_path *path)
{
	const struct target *t = (const struct target *)pub;
	static struct path_change_names names;  /* 32 KB: off the stack */
	static char text[PATH_MAX_HOPS * 2 * (HOPNAME_MAX + INET6_ADDRSTRLEN + 16)];
	struct path_change chg;
	char title[512], key[600];

	if (!ctx->rt->paths || !pathwatch_trace(ctx->rt->paths, ctx->pc->name, t->id, pub->ip, path,
	                                        time(NULL), &chg, &names))
		return;
	HW_INFO(ctx, "path to %s changed at TTL %u", t->id, chg.first_diff_ttl);
	hw_metric1(ctx, pub, "path.changes", HW_COUNT, 1, NULL);
	snprintf(key, sizeof key, "%s/%s", ctx->pc->name, t->id);  /* aggregation key: one per target */
	if (pathwatch_event_title(title, sizeof title, t->id) && pathwatch_event_text(text, sizeof text, &chg, &names))
		hw_event(ctx, pub, title, text, HW_ALERT_WARNING, key, NULL);
}
