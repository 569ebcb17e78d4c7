/* instance.c: probe instance lifecycle, target addresses and the round
 * timer (see instance.h; when a round starts is rounds.h's decision). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dogstatsd.h"
#include "instance.h"
#include "targets.h"

/* Longest ready tag list of an instance or a target. */
#define TAGS_MAX 2048

/* A heap copy of a ready tag list built from `tags` (NULL-terminated). */
static char *tag_list(const char *const *tags)
{
	char buf[TAGS_MAX];
	size_t len = 0;

	buf[0] = '\0';
	for (; *tags; tags++)
		len = dsd_tags_append(buf, sizeof buf, len, *tags);
	return strdup(buf);
}

int target_tags(struct target *t)
{
	char host[300], port[16], ip[64], group[300];
	const char *list[8 + 64 + 1];
	size_t n = 0;
	char *tags, *own;

	snprintf(host, sizeof host, "target:%s", t->tc->host);
	list[n++] = host;
	if (t->tc->port) {
		snprintf(port, sizeof port, "port:%u", t->tc->port);
		list[n++] = port;
	}
	/* a target given as an address: target_ip would repeat target (issue 16) */
	if (t->pub.ip[0] && strcmp(t->pub.ip, t->tc->host)) {
		snprintf(ip, sizeof ip, "target_ip:%s", t->pub.ip);
		list[n++] = ip;
	}
	if (t->tc->group) {
		snprintf(group, sizeof group, "group:%s", t->tc->group);
		list[n++] = group;
	}
	for (size_t i = 0; i < t->tc->tags.n && i < 64; i++)
		list[n++] = t->tc->tags.v[i];
	list[n] = NULL;
	if (!(own = tag_list(list)))
		return -1;
	/* The instance's list first, so that every line of the target needs
	 * this one string (emit.c then copies nothing). */
	n = (size_t)asprintf(&tags, "%s,%s", t->ctx->tags, own);
	free(own);
	if (n == (size_t)-1)
		return -1;
	free(t->tags);
	t->tags = tags;
	return 0;
}

/* Make `sa` the address of `t` now (the port from the config is kept). */
static void target_set_addr(struct target *t, const struct sockaddr *sa, socklen_t len)
{
	const void *raw = sa->sa_family == AF_INET ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
	                                           : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;

	memcpy(&t->pub.addr, sa, len);
	t->pub.addrlen = len;
	t->pub.family = sa->sa_family;
	((struct sockaddr_in *)&t->pub.addr)->sin_port = htons(t->tc->port);  /* same offset in v6 */
	inet_ntop(sa->sa_family, raw, t->ipbuf, sizeof t->ipbuf);
	if (target_tags(t) < 0)
		HW_ERROR(t->ctx, "target %s: out of memory for its tags", t->tc->host);
}

/* Whether `sa` is the address `t` has now. */
static int same_addr(const struct target *t, const struct sockaddr *sa, socklen_t len)
{
	if (t->pub.addrlen != len || t->pub.family != sa->sa_family)
		return 0;
	if (sa->sa_family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)sa)->sin_addr,
		               &((const struct sockaddr_in *)&t->pub.addr)->sin_addr, sizeof(struct in_addr));
	return !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr,
	               &((const struct sockaddr_in6 *)&t->pub.addr)->sin6_addr, sizeof(struct in6_addr));
}

/* A new address for `t`: take it now, or after the running round. */
static void target_readdress(struct target *t, const struct sockaddr *sa, socklen_t len)
{
	struct hw_ctx *ctx = t->ctx;
	char old[INET6_ADDRSTRLEN];

	if (!t->pub.addrlen) {
		target_set_addr(t, sa, len);
		HW_DEBUG(ctx, "target %s resolved to %s", t->tc->host, t->pub.ip);
		return;
	}
	snprintf(old, sizeof old, "%s", t->pub.ip);
	if (t->running) {
		memcpy(&t->next, sa, len);
		t->nextlen = len;
		return;
	}
	target_set_addr(t, sa, len);
	HW_INFO(ctx, "target %s moved from %s to %s", t->tc->host, old, t->pub.ip);
	hw_metric1(ctx, &t->pub, "dns.changes", HW_COUNT, 1, NULL);
	if (ctx->p->readdress)
		ctx->p->readdress(ctx->state, &t->pub);
}

void hw_done(hw_ctx *ctx, hw_target *pub)
{
	struct target *t = (struct target *)pub;

	if (!t->running)
		return;
	t->running = 0;
	if (t->leaving) {
		/* released from the loop, not inside the plugin's own call */
		ev_timer_start(ctx->rt->loop, &ctx->reap);
		return;
	}
	/* an address learnt while the round ran applies now */
	if (t->nextlen) {
		struct sockaddr_storage ss = t->next;
		socklen_t len = t->nextlen;
		t->nextlen = 0;
		target_readdress(t, (struct sockaddr *)&ss, len);
	}
}

/* Start (or skip) the round of target `i`: a target whose previous round
 * still runs is skipped, counted (hopwatch.probe.overruns) and reported
 * UNKNOWN in the plugin's service check, never stacked; one without an address yet waits for the resolver, and once a
 * lookup of its name has failed, each of its rounds reports the plugin's
 * service check CRITICAL with the reason (no network metric: nothing was
 * measured).  A name that stops resolving after it did keeps its last
 * address and is probed as before (target_resolved). */
static void round_start(struct hw_ctx *ctx, size_t i)
{
	struct target *t = &ctx->targets[ctx->order ? ctx->order[i] : i];

	if (t->running) {
		HW_DEBUG(ctx, "target %s: previous round still running; skipped", t->tc->host);
		hw_metric1(ctx, &t->pub, "probe.overruns", HW_COUNT, 1, NULL);
		/* the skipped round still reports: nothing was measured for it */
		if (ctx->p->check)
			hw_service_check(ctx, &t->pub, ctx->p->check, HW_UNKNOWN,
			                 "round skipped: the previous round still runs (sends held back by max_pps "
			                 "or pps, or a round longer than the interval)", NULL);
		return;
	}
	if (!t->pub.addrlen) {
		/* not resolved: hopwatch.dns.errors counts the lookups */
		if (t->lookup_failed && ctx->p->check) {
			char msg[256];
			snprintf(msg, sizeof msg, "cannot resolve %s: %s", t->tc->host, t->lookup_error);
			hw_service_check(ctx, &t->pub, ctx->p->check, HW_CRITICAL, msg, NULL);
		}
		return;
	}
	t->running = 1;
	ctx->p->run(ctx->state, &t->pub);
}

/* The round timer: start every round due now, then sleep until the next. */
static void round_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hw_ctx *ctx = (struct hw_ctx *)((char *)w - offsetof(struct hw_ctx, sched_timer));
	double now = hw_mono();
	size_t i;
	(void)revents;

	while (ctx->sched.n && sched_next(&ctx->sched, now, &i))
		round_start(ctx, i);
	if (!ctx->sched.n)
		return;  /* no target left: instance_reschedule starts the timer again */
	/* libev counts from its cached loop time, which lags the clock by
	 * however long this iteration has run so far: add that lag. */
	ev_timer_set(w, sched_wait(&ctx->sched, hw_mono()) + (ev_time() - ev_now(loop)), 0.);
	ev_timer_start(loop, w);
}

static void target_resolved(void *arg, const struct sockaddr *sa, socklen_t len, const char *error)
{
	struct target *t = arg;

	t->lookup = NULL;
	if (!sa) {
		if (!t->lookup_failed)
			HW_WARN(t->ctx, "target %s: cannot resolve: %s%s", t->tc->host, error,
			        t->pub.addrlen ? "; keeping the last address" : "; not probed until it resolves");
		t->lookup_failed = 1;
		snprintf(t->lookup_error, sizeof t->lookup_error, "%s", error ? error : "lookup failed");
		hw_metric1(t->ctx, &t->pub, "dns.errors", HW_COUNT, 1, NULL);
		return;
	}
	if (t->lookup_failed)
		HW_INFO(t->ctx, "target %s resolves again", t->tc->host);
	t->lookup_failed = 0;
	if (!same_addr(t, sa, len))
		target_readdress(t, sa, len);
}

/* The family wanted for `ctx`'s names. */
static int wanted_family(const struct hw_ctx *ctx)
{
	return ctx->pc->family == FAMILY_IPV4 ? AF_INET : ctx->pc->family == FAMILY_IPV6 ? AF_INET6 : AF_UNSPEC;
}

void target_lookup(struct target *t)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (!t->active || t->leaving || t->lookup || t->pinned || dns_literal(t->tc->host, AF_UNSPEC, &ss, &len))
		return;
	t->lookup = dns_resolve(t->ctx->rt->dns, t->tc->host, wanted_family(t->ctx), target_resolved, t);
}

int target_place(struct target *t)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (dns_literal(t->tc->host, wanted_family(t->ctx), &ss, &len)) {
		target_set_addr(t, (struct sockaddr *)&ss, len);
		return 1;
	}
	return dns_literal(t->tc->host, AF_UNSPEC, &ss, &len) ? -1 : 0;
}

/* Look every named target up (again). */
static void resolve_all(struct hw_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nslots; i++)
		target_lookup(&ctx->targets[i]);
}

void instance_reschedule(struct hw_ctx *ctx)
{
	double now = hw_mono();
	size_t n = 0;

	for (size_t i = 0; i < ctx->nslots; i++)
		if (ctx->targets[i].active && !ctx->targets[i].leaving)
			ctx->order[n++] = i;
	ctx->norder = n;
	if (!ev_is_active(&ctx->reresolve))
		return;  /* not running yet: instance_run schedules */
	if (!n) {
		ctx->sched.n = 0;
		ev_timer_stop(ctx->rt->loop, &ctx->sched_timer);
		return;
	}
	if (!ctx->sched.n)
		sched_init(&ctx->sched, ctx->pc->interval, n, now);
	else
		sched_resize(&ctx->sched, n, now);
	ev_timer_stop(ctx->rt->loop, &ctx->sched_timer);
	ev_timer_set(&ctx->sched_timer, sched_wait(&ctx->sched, now), 0.);
	ev_timer_start(ctx->rt->loop, &ctx->sched_timer);
}

static void reresolve_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	resolve_all((struct hw_ctx *)((char *)w - offsetof(struct hw_ctx, reresolve)));
}

struct hw_ctx *instance_new(struct runtime *rt, const struct probe_conf *pc)
{
	struct hw_ctx *ctx = calloc(1, sizeof *ctx);
	const char *tags[1 + 64 + 64 + 1];
	char probe[80];
	size_t n = 0, tsize = pc->p->target_size, nslots = pc->dynamic ? (size_t)pc->max_targets : pc->ntargets;

	if (!ctx)
		return NULL;
	ctx->rt = rt;
	ctx->pc = pc;
	ctx->p = pc->p;
	ctx->dynamic = pc->dynamic;
	ctx->nslots = nslots;
	ctx->rt_next = rt->instances;
	rt->instances = ctx;
	ev_timer_init(&ctx->sched_timer, round_timer_cb, 0., 0.);
	ev_timer_init(&ctx->reresolve, reresolve_cb, rt->cfg->resolve_interval, rt->cfg->resolve_interval);
	ev_timer_init(&ctx->reap, targets_reap_cb, 0., 0.);
	snprintf(probe, sizeof probe, "probe:%s", pc->name);
	tags[n++] = probe;
	for (size_t i = 0; i < pc->tags.n; i++)
		tags[n++] = pc->tags.v[i];
	tags[n] = NULL;
	ctx->tags = tag_list(tags);
	ctx->targets = calloc(nslots, sizeof *ctx->targets);
	ctx->tptrs = calloc(nslots, sizeof *ctx->tptrs);
	ctx->tdata = tsize ? calloc(nslots, tsize) : NULL;
	ctx->order = ctx->dynamic ? calloc(nslots, sizeof *ctx->order) : NULL;
	if (!ctx->tags || (nslots && (!ctx->targets || !ctx->tptrs || (tsize && !ctx->tdata))) ||
	    (ctx->dynamic && !ctx->order)) {
		HW_ERROR(ctx, "out of memory for %zu targets", nslots);
		instance_free(ctx);
		return NULL;
	}
	if (rt->global_tags[0]) {
		size_t a = strlen(ctx->tags), b = strlen(rt->global_tags);
		char *all = malloc(a + b + 2);
		if (all) {
			snprintf(all, a + b + 2, "%s,%s", ctx->tags, rt->global_tags);
			free(ctx->tags);
			ctx->tags = all;
		}
	}
	for (size_t i = 0; i < nslots; i++) {
		struct target *t = &ctx->targets[i];
		int placed;
		t->ctx = ctx;
		t->pub.ip = t->ipbuf;
		t->pub.index = (unsigned)i;
		t->pub.data = tsize ? (char *)ctx->tdata + i * tsize : NULL;
		ctx->tptrs[i] = &t->pub;
		if (ctx->dynamic) {
			/* a free slot until the source fills it (targets.c) */
			t->tc = &t->own;
			t->pub.host = "";
			continue;
		}
		t->active = 1;
		t->tc = &pc->targets[i];
		t->pub.host = t->tc->host;
		t->pub.port = t->tc->port;
		if (asprintf(&t->id, !t->tc->port ? "%s" : strchr(t->tc->host, ':') ? "[%s]:%u" : "%s:%u",
		             t->tc->host, t->tc->port) < 0) {
			t->id = NULL;
			HW_ERROR(ctx, "out of memory");
			instance_free(ctx);
			return NULL;
		}
		if ((placed = target_place(t)) < 0) {
			HW_ERROR(ctx, "target %s is not an address of the family this probe wants", t->tc->host);
			instance_free(ctx);
			return NULL;
		} else if (!placed && target_tags(t) < 0) {
			HW_ERROR(ctx, "out of memory");
			instance_free(ctx);
			return NULL;
		}
	}
	for (size_t i = 0; i < pc->ntargets && !ctx->dynamic; i++)
		ctx->targets[i].pinned = !ctx->targets[i].pub.addrlen;
	if (pc->p->start(ctx, pc->opts, &ctx->state) < 0) {
		HW_ERROR(ctx, "plugin %s could not start", pc->plugin);
		instance_free(ctx);
		return NULL;
	}
	for (size_t i = 0; i < pc->ntargets && !ctx->dynamic; i++)
		ctx->targets[i].pinned &= ctx->targets[i].pub.addrlen != 0;
	ctx->started = 1;
	return ctx;
}

void instance_run(struct hw_ctx *ctx)
{
	resolve_all(ctx);
	ev_timer_start(ctx->rt->loop, &ctx->reresolve);
	if (ctx->dynamic) {
		/* the plugin's own start line counts the slots as targets */
		if (ctx->pc->targets_from)
			HW_INFO(ctx, "targets from %s: up to %zu at once (max_targets: the slots the plugin counts as "
			        "targets), each until %gs without traffic (expire)", ctx->pc->targets_from, ctx->nslots,
			        ctx->pc->expire);
		instance_reschedule(ctx);  /* targets a source gave before the run */
		return;
	}
	if (!ctx->pc->ntargets)
		return;
	sched_init(&ctx->sched, ctx->pc->interval, ctx->pc->ntargets, hw_mono());
	ev_timer_start(ctx->rt->loop, &ctx->sched_timer);  /* slot 0 is due now */
}

void instance_free(struct hw_ctx *ctx)
{
	if (!ctx)
		return;
	for (struct hw_ctx **pp = &ctx->rt->instances; *pp; pp = &(*pp)->rt_next)
		if (*pp == ctx) {
			*pp = ctx->rt_next;
			break;
		}
	ev_timer_stop(ctx->rt->loop, &ctx->sched_timer);
	ev_timer_stop(ctx->rt->loop, &ctx->reresolve);
	ev_timer_stop(ctx->rt->loop, &ctx->reap);
	if (ctx->started)
		ctx->p->stop(ctx->state);
	while (ctx->ios)
		hw_io_free(ctx->ios);
	while (ctx->timers)
		hw_timer_free(ctx->timers);
	for (size_t i = 0; ctx->targets && i < ctx->nslots; i++) {
		dns_cancel(ctx->targets[i].lookup);
		free(ctx->targets[i].tags);
		free(ctx->targets[i].id);
		target_conf_free(&ctx->targets[i].own);
	}
	destinations_free(ctx->dests);
	free(ctx->order);
	free(ctx->targets);
	free(ctx->tptrs);
	free(ctx->tdata);
	free(ctx->tags);
	free(ctx);
}
