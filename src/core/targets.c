/* targets.c: dynamic targets of an instance, and the destinations a conn
 * instance publishes to them (see targets.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instance.h"
#include "targets.h"

/* FNV-1a of a host and port. */
static size_t hostport_hash(const char *host, uint16_t port)
{
	size_t h = 2166136261u;

	for (; *host; host++)
		h = (h ^ (unsigned char)*host) * 16777619u;
	h = (h ^ (port & 0xff)) * 16777619u;
	return (h ^ (port >> 8)) * 16777619u;
}

/* The smallest power of two >= 2 * n, at least 16. */
static size_t table_size(size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	return cap;
}

void target_conf_free(struct target_conf *tc)
{
	free(tc->host);
	for (size_t i = 0; i < tc->tags.n; i++)
		free(tc->tags.v[i]);
	free(tc->tags.v);
	memset(tc, 0, sizeof *tc);
}

/* Give the leaving target `t` (no round open) back to the plugin and free
 * its slot: forget, zeroed data, no in-memory path, nothing owned. */
static void target_release(struct target *t)
{
	struct hw_ctx *ctx = t->ctx;
	unsigned index = t->pub.index;
	void *data = t->pub.data;

	dns_cancel(t->lookup);
	if (ctx->started && ctx->p->forget)
		ctx->p->forget(ctx->state, &t->pub);
	if (data)
		memset(data, 0, ctx->p->target_size);
	if (ctx->rt->paths && t->id)
		pathwatch_forget(ctx->rt->paths, ctx->pc->name, t->id);
	HW_DEBUG(ctx, "target %s left (slot %u)", t->id ? t->id : t->own.host, index);
	free(t->tags);
	free(t->id);
	target_conf_free(&t->own);
	memset(t, 0, sizeof *t);
	t->ctx = ctx;
	t->tc = &t->own;
	t->pub.host = "";
	t->pub.ip = t->ipbuf;
	t->pub.index = index;
	t->pub.data = data;
}

void targets_reap_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hw_ctx *ctx = (struct hw_ctx *)((char *)w - offsetof(struct hw_ctx, reap));
	(void)loop;
	(void)revents;

	for (size_t i = 0; i < ctx->nslots; i++)
		if (ctx->targets[i].leaving && !ctx->targets[i].running)
			target_release(&ctx->targets[i]);
}

/* Fill the free slot `t` with `spec`.  0, or -1 when it cannot be a
 * target (the slot stays free). */
static int target_fill(struct target *t, const struct target_spec *spec)
{
	struct hw_ctx *ctx = t->ctx;
	size_t ntags = 0;
	int placed;

	while (spec->tags && spec->tags[ntags])
		ntags++;
	if (!(t->own.host = strdup(spec->host)) || (ntags && !(t->own.tags.v = calloc(ntags, sizeof(char *)))))
		goto oom;
	for (; t->own.tags.n < ntags; t->own.tags.n++)
		if (!(t->own.tags.v[t->own.tags.n] = strdup(spec->tags[t->own.tags.n])))
			goto oom;
	t->own.port = spec->port;
	t->pub.host = t->own.host;
	t->pub.port = spec->port;
	if (asprintf(&t->id, !spec->port ? "%s" : strchr(spec->host, ':') ? "[%s]:%u" : "%s:%u", spec->host,
	             spec->port) < 0) {
		t->id = NULL;
		goto oom;
	}
	t->active = 1;
	if ((placed = target_place(t)) < 0) {
		HW_DEBUG(ctx, "target %s is not an address of the family this probe wants: left out", t->id);
		target_release(t);
		return -1;
	}
	if (!placed && target_tags(t) < 0)
		goto oom;
	target_lookup(t);
	HW_DEBUG(ctx, "target %s joined (slot %u)", t->id, t->pub.index);
	return 0;
oom:
	HW_ERROR(ctx, "out of memory for target %s: left out", spec->host);
	t->active = 1;
	target_release(t);
	return -1;
}

/* Room for the targets a log line names, and how many it names at most. */
#define LIST_NAMES_LEN 400
#define LIST_NAMES_MAX 8

/* Count one more target in *n and name it in `buf` (LIST_NAMES_LEN
 * bytes): the first LIST_NAMES_MAX, then "...". */
static void list_name(char *buf, size_t *n, const char *id)
{
	size_t len = strlen(buf);

	if (*n < LIST_NAMES_MAX)
		snprintf(buf + len, LIST_NAMES_LEN - len, "%s%s", *n ? " " : "", id ? id : "?");
	else if (*n == LIST_NAMES_MAX)
		snprintf(buf + len, LIST_NAMES_LEN - len, " ...");
	++*n;
}

/* Warn that `dropped` targets did not fit, rate-limited. */
static void overflow_warn(struct hw_ctx *ctx, size_t offered, size_t dropped)
{
	double now = hw_mono();

	if (ctx->overflow_logged && now - ctx->overflow_logged < OVERFLOW_LOG_EVERY) {
		ctx->overflow_hidden++;
		return;
	}
	HW_WARN(ctx, "%zu targets offered, max_targets is %zu: the first %zu are kept, %zu left out%s",
	        offered, ctx->nslots, offered - dropped, dropped,
	        ctx->overflow_hidden ? " (and so it was since the last such warning)" : "");
	ctx->overflow_logged = now;
	ctx->overflow_hidden = 0;
}

int instance_set_targets(struct hw_ctx *ctx, const struct target_spec *specs, size_t n)
{
	size_t cap = table_size(2 * ctx->nslots), want = 0, nnew = 0, dropped = 0, added = 0, gone = 0;
	size_t *tab, *news;
	unsigned char *wanted;
	char in[LIST_NAMES_LEN] = "", out[LIST_NAMES_LEN] = "";

	if (!ctx->dynamic)
		return -1;
	tab = calloc(cap, sizeof *tab);   /* slot + 1, or nslots + new spec's position + 1; 0: empty */
	news = calloc(ctx->nslots + 1, sizeof *news);
	wanted = calloc(ctx->nslots + 1, 1);
	if (!tab || !news || !wanted) {
		HW_ERROR(ctx, "out of memory: targets not updated");
		free(tab);
		free(news);
		free(wanted);
		return (int)ctx->norder;
	}
	for (size_t i = 0; i < ctx->nslots; i++) {
		const struct target *t = &ctx->targets[i];
		size_t h;
		if (!t->active)
			continue;
		for (h = hostport_hash(t->own.host, t->own.port) & (cap - 1); tab[h]; h = (h + 1) & (cap - 1))
			;
		tab[h] = i + 1;
	}
	/* which targets stay, which are new (duplicates ignored) */
	for (size_t k = 0; k < n; k++) {
		size_t h = hostport_hash(specs[k].host, specs[k].port) & (cap - 1), v;
		for (; (v = tab[h]); h = (h + 1) & (cap - 1)) {
			const char *host = v <= ctx->nslots ? ctx->targets[v - 1].own.host : specs[news[v - ctx->nslots - 1]].host;
			uint16_t port = v <= ctx->nslots ? ctx->targets[v - 1].own.port : specs[news[v - ctx->nslots - 1]].port;
			if (port == specs[k].port && !strcmp(host, specs[k].host))
				break;
		}
		if (v && (v > ctx->nslots || wanted[v - 1]))
			continue;  /* named twice */
		if (want == ctx->nslots) {
			dropped++;
			continue;
		}
		want++;
		if (v) {
			wanted[v - 1] = 1;
		} else {
			news[nnew] = k;
			tab[h] = ctx->nslots + ++nnew;
		}
	}
	/* the ones no longer wanted stop now, and leave once their round ends */
	for (size_t i = 0; i < ctx->nslots; i++) {
		struct target *t = &ctx->targets[i];
		if (!t->active)
			continue;
		if (wanted[i]) {
			t->leaving = 0;  /* back before it left */
			continue;
		}
		if (!t->leaving)
			list_name(out, &gone, t->id);
		t->leaving = 1;
		if (!t->running)
			target_release(t);
	}
	/* the new ones take the free slots */
	for (size_t i = 0, k = 0; k < nnew && i < ctx->nslots; i++)
		if (!ctx->targets[i].active && target_fill(&ctx->targets[i], &specs[news[k++]]) == 0)
			list_name(in, &added, ctx->targets[i].id);
	if (added < nnew)
		HW_DEBUG(ctx, "%zu new targets wait for a slot (their old ones' rounds still run)", nnew - added);
	if (dropped)
		overflow_warn(ctx, want + dropped, dropped);
	free(tab);
	free(news);
	free(wanted);
	instance_reschedule(ctx);
	if (added || gone)
		HW_INFO(ctx, "targets: %zu added%s%s%s, %zu gone%s%s%s, %zu now", added, added ? " (" : "", in,
		        added ? ")" : "", gone, gone ? " (" : "", out, gone ? ")" : "", ctx->norder);
	return (int)ctx->norder;
}

/* ------------------------------------------------------------------ */
/* Destinations                                                         */

/* Order of remembered destinations: most bytes, latest traffic, then host and port. */
static int dest_cmp(const void *a, const void *b)
{
	const struct dest_entry *x = a, *y = b;
	int c;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->last_traffic != y->last_traffic)
		return x->last_traffic > y->last_traffic ? -1 : 1;
	if ((c = strcmp(x->host, y->host)))
		return c;
	return (int)x->port - (int)y->port;
}

/* Latest traffic first, then dest_cmp's order. */
static int dest_recent_cmp(const void *a, const void *b)
{
	const struct dest_entry *x = a, *y = b;

	if (x->last_traffic != y->last_traffic)
		return x->last_traffic > y->last_traffic ? -1 : 1;
	return dest_cmp(a, b);
}

int dests_update(struct destinations *ds, const hw_destination *d, size_t n, double now, double expire)
{
	size_t cap = table_size(ds->n + n), keep = 0;
	size_t *tab = calloc(cap, sizeof *tab);   /* entry + 1; 0: empty */
	int rc = 0;

	if (!tab)
		return -1;
	for (size_t i = 0; i < ds->n; i++) {
		size_t h;
		ds->v[i].bytes = 0;
		for (h = hostport_hash(ds->v[i].host, ds->v[i].port) & (cap - 1); tab[h]; h = (h + 1) & (cap - 1))
			;
		tab[h] = i + 1;
	}
	for (size_t k = 0; k < n; k++) {
		size_t h = hostport_hash(d[k].host, d[k].port) & (cap - 1), v;
		struct dest_entry *e;
		if (strlen(d[k].host) >= sizeof e->host)
			continue;
		for (; (v = tab[h]); h = (h + 1) & (cap - 1))
			if (ds->v[v - 1].port == d[k].port && !strcmp(ds->v[v - 1].host, d[k].host))
				break;
		if (!v) {
			if (ds->n == ds->cap) {
				size_t nc = ds->cap ? ds->cap * 2 : 16;
				struct dest_entry *nv = realloc(ds->v, nc * sizeof *nv);
				if (!nv) {
					rc = -1;
					break;
				}
				ds->v = nv;
				ds->cap = nc;
			}
			e = &ds->v[ds->n++];
			memset(e, 0, sizeof *e);
			snprintf(e->host, sizeof e->host, "%s", d[k].host);
			e->port = d[k].port;
			tab[h] = ds->n;
			e->last_traffic = now;   /* new: a connection was opened */
		} else
			e = &ds->v[v - 1];
		e->bytes += d[k].bytes;
		if (d[k].bytes)
			e->last_traffic = now;
	}
	free(tab);
	for (size_t i = 0; i < ds->n; i++)
		if (now - ds->v[i].last_traffic <= expire)
			ds->v[keep++] = ds->v[i];
	ds->n = keep;
	if (ds->max && ds->n > ds->max) {
		/* keep the ones with the latest traffic */
		qsort(ds->v, ds->n, sizeof *ds->v, dest_recent_cmp);
		ds->n = ds->max;
	}
	if (ds->n)
		qsort(ds->v, ds->n, sizeof *ds->v, dest_cmp);
	return rc;
}

void destinations_free(struct destinations *ds)
{
	if (!ds)
		return;
	free(ds->v);
	free(ds);
}

/* Feed `ctx`'s publication to consumer `c`. */
static void feed(struct hw_ctx *c, const hw_destination *d, size_t n)
{
	struct target_spec *specs;

	if (!c->dests) {
		if (!(c->dests = calloc(1, sizeof *c->dests))) {
			HW_ERROR(c, "out of memory for the destinations of %s", c->pc->targets_from);
			return;
		}
		/* room to rank: the slots, and as many again waiting */
		c->dests->max = 4 * c->nslots;
	}
	if (dests_update(c->dests, d, n, hw_mono(), c->pc->expire) < 0)
		HW_ERROR(c, "out of memory: some destinations of %s left out", c->pc->targets_from);
	if (!(specs = calloc(c->dests->n + 1, sizeof *specs))) {
		HW_ERROR(c, "out of memory: targets not updated");
		return;
	}
	/* a plugin whose targets take no port (icmp) gets each address once */
	for (size_t i = 0; i < c->dests->n; i++)
		specs[i] = (struct target_spec){ .host = c->dests->v[i].host,
		                                 .port = c->p->port == HW_PORT_NONE ? 0 : c->dests->v[i].port };
	instance_set_targets(c, specs, c->dests->n);
	free(specs);
}

void hw_publish_destinations(hw_ctx *ctx, const hw_destination *d, size_t n)
{
	for (struct hw_ctx *c = ctx->rt->instances; c; c = c->rt_next)
		if (c->pc->targets_from && !strcmp(c->pc->targets_from, ctx->pc->name))
			feed(c, d, n);
}
