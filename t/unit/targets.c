/* t/unit/targets.c: dynamic targets (src/core/targets.h) with a fake
 * source and a fake plugin on a real loop: slots kept, taken and freed,
 * forget only once a round has ended, rounds only for targets, the
 * max_targets cut, families, tags; then the destinations a conn instance
 * publishes (dests_update, pure) and hw_publish_destinations. */
#include <stdlib.h>
#include <string.h>

#include "instance.h"
#include "targets.h"
#include "test-lib.h"

#define SLOTS 3

/* Per-target state of the fake plugin. */
struct fstate {
	int marker;      /* set by the test: survives as long as the target keeps its slot */
	int bound;       /* run saw this state before (0 after forget) */
};

/* What the fake plugin saw. */
static struct {
	unsigned runs[SLOTS];       /* rounds started per slot */
	unsigned forgets[SLOTS];    /* forget calls per slot */
	char forgot_host[SLOTS][64];/* host of the last target forgotten per slot */
	int hold;                   /* 1: run leaves the round open (no hw_done) */
	hw_target *held;            /* the round left open */
	hw_ctx *ctx;                /* the instance */
	struct ev_loop *loop;       /* to stop it */
	unsigned stop_after;        /* runs after which the loop stops; 0: never */
	unsigned total;             /* runs so far */
} F;

static int fstart(hw_ctx *ctx, const void *opts, void **state)
{
	(void)opts;
	F.ctx = ctx;
	*state = &F;
	return 0;
}

static void frun(void *state, hw_target *t)
{
	struct fstate *fs = t->data;
	(void)state;
	fs->bound = 1;
	F.runs[t->index]++;
	F.total++;
	if (F.hold)
		F.held = t;
	else
		hw_done(F.ctx, t);
	if (F.stop_after && F.total >= F.stop_after)
		ev_break(F.loop, EVBREAK_ALL);
}

static void fforget(void *state, hw_target *t)
{
	(void)state;
	F.forgets[t->index]++;
	snprintf(F.forgot_host[t->index], sizeof F.forgot_host[t->index], "%s", t->host);
}

static void fstop(void *state)
{
	(void)state;
}

static const hw_plugin fake = {
	.abi = HW_PLUGIN_ABI, .size = sizeof(hw_plugin), .name = "fake",
	.target_size = sizeof(struct fstate), .port = HW_PORT_OPTIONAL,
	.start = fstart, .run = frun, .stop = fstop, .forget = fforget,
};

/* The slot holding host:port, or -1. */
static int slot_of(const struct hw_ctx *ctx, const char *host, uint16_t port)
{
	for (size_t i = 0; i < ctx->nslots; i++)
		if (ctx->targets[i].active && !strcmp(ctx->targets[i].pub.host, host) &&
		    ctx->targets[i].pub.port == port)
			return (int)i;
	return -1;
}

static void stop_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

/* Run the loop until `runs` more rounds started (or 5 s passed: a failure shows in the counts). */
static void run_rounds(struct ev_loop *loop, unsigned runs)
{
	ev_timer guard;

	ev_timer_init(&guard, stop_cb, 5., 0.);
	ev_timer_start(loop, &guard);
	F.stop_after = F.total + runs;
	ev_run(loop, 0);
	ev_timer_stop(loop, &guard);
	F.stop_after = 0;
}

/* One loop iteration, for the reap timer. */
static void spin(struct ev_loop *loop)
{
	ev_run(loop, EVRUN_NOWAIT);
}

static void test_destinations(void)
{
	struct destinations ds = { .max = 3 };
	hw_destination a[] = {
		{ "10.0.0.1", 443, 100 }, { "10.0.0.2", 80, 5000 }, { "10.0.0.1", 443, 1 }, { "10.0.0.3", 22, 0 },
	};
	hw_destination b[] = { { "10.0.0.4", 5432, 10 } };
	hw_destination c[] = { { "10.0.0.1", 443, 7 }, { "10.0.0.5", 53, 1 }, { "10.0.0.6", 53, 2 } };

	ok(dests_update(&ds, a, 4, 100, 60) == 0, "a publication is taken");
	is_int(ds.n, 3, "three destinations (the same address and port twice is one)");
	ok(!strcmp(ds.v[0].host, "10.0.0.2") && ds.v[0].port == 80, "the most bytes first");
	ok(!strcmp(ds.v[1].host, "10.0.0.1") && ds.v[1].bytes == 101, "bytes of one destination add up");
	ok(!strcmp(ds.v[2].host, "10.0.0.3") && ds.v[2].last_traffic == 100,
	   "a new destination without bytes counts as traffic now (its connection opened)");
	dests_update(&ds, b, 1, 130, 60);
	is_int(ds.n, 3, "max 3 entries: the one with the oldest traffic goes");
	ok(ds.v[0].port == 5432 && ds.v[0].bytes == 10, "the only one with bytes now comes first");
	dests_update(&ds, NULL, 0, 165, 60);
	is_int(ds.n, 1, "after 65 s without traffic the 100 s ones expire (expire 60 s)");
	ok(ds.n == 1 && ds.v[0].port == 5432, "the 130 s one stays");
	dests_update(&ds, NULL, 0, 190.5, 60);
	is_int(ds.n, 0, "and expires 60 s after its traffic");
	ds.max = 0;
	dests_update(&ds, c, 3, 200, 60);
	ok(ds.n == 3 && ds.v[0].bytes == 7 && ds.v[1].bytes == 2 && ds.v[2].bytes == 1, "ranked by bytes");
	free(ds.v);
}

int main(void)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct hw_config cfg = { .resolve_interval = 300 };
	struct probe_conf pc = { .name = "dyn", .plugin = "fake", .p = &fake, .interval = 0.05, .timeout = 0.01,
	                         .family = FAMILY_IPV4, .dynamic = 1, .max_targets = SLOTS, .expire = 60,
	                         .targets_from = "conns" };
	struct probe_conf fixed = { .name = "fixed", .plugin = "fake", .p = &fake, .interval = 1, .timeout = 0.01 };
	struct probe_conf src = { .name = "conns", .plugin = "fake", .p = &fake, .interval = 1, .timeout = 0.01 };
	struct runtime rt = { .loop = loop, .cfg = &cfg, .global_tags = "" };
	char err[256];
	struct hw_ctx *ctx, *fctx, *sctx;
	struct fstate *fs;
	const char *peer_tags[] = { "peer:db-1", NULL };
	int sa, sb, sc;
	size_t n;

	F.loop = loop;
	rt.dns = dns_new(loop, err, sizeof err);
	rt.emit.sink = statsd_new(loop, rt.dns, "udp://127.0.0.1:9", 0, 0, err, sizeof err);
	ok(rt.dns && rt.emit.sink, "resolver and sink");

	test_destinations();

	fctx = instance_new(&rt, &fixed);
	ok(fctx && instance_set_targets(fctx, NULL, 0) == -1, "an instance with configured targets refuses a source");
	instance_free(fctx);

	ctx = instance_new(&rt, &pc);
	ok(ctx != NULL, "a dynamic instance starts with no target");
	hw_targets(ctx, &n);
	is_int(n, SLOTS, "hw_targets lists max_targets slots");
	ok(!ctx->targets[0].pub.host[0] && !ctx->targets[0].pub.addrlen, "a free slot: host \"\", no address");
	instance_run(ctx);
	spin(loop);
	is_int(F.total, 0, "no target, no round");

	{
		struct target_spec s[] = { { "10.0.0.1", 443, NULL }, { "10.0.0.2", 0, peer_tags } };
		is_int(instance_set_targets(ctx, s, 2), 2, "two targets");
	}
	sa = slot_of(ctx, "10.0.0.1", 443);
	sb = slot_of(ctx, "10.0.0.2", 0);
	ok(sa >= 0 && sb >= 0 && sa != sb, "each in its slot");
	ok(sa >= 0 && ctx->targets[sa].pub.addrlen && !strcmp(ctx->targets[sa].pub.ip, "10.0.0.1") &&
	   ntohs(((struct sockaddr_in *)&ctx->targets[sa].pub.addr)->sin_port) == 443,
	   "a literal is placed at once, with its port");
	ok(sb >= 0 && strstr(ctx->targets[sb].tags, "peer:db-1") && strstr(ctx->targets[sb].tags, "target:10.0.0.2"),
	   "the source's tags are the target's");
	ok(sa >= 0 && !strcmp(ctx->targets[sa].id, "10.0.0.1:443"), "its path store key is host:port");
	run_rounds(loop, 6);
	ok(F.runs[sa] >= 2 && F.runs[sb] >= 2, "rounds go to both (%u, %u)", F.runs[sa], F.runs[sb]);
	is_int(F.runs[3 - sa - sb], 0, "and never to the free slot");
	fs = ctx->targets[sa].pub.data;
	fs->marker = 42;

	{
		struct target_spec s[] = { { "10.0.0.3", 80, NULL }, { "10.0.0.1", 443, NULL }, { "10.0.0.3", 80, NULL },
		                           { "::1", 80, NULL } };
		is_int(instance_set_targets(ctx, s, 4), 2,
		       "10.0.0.2 dropped, 10.0.0.3 added once, ::1 left out (family ipv4)");
	}
	ok(slot_of(ctx, "10.0.0.1", 443) == sa && fs->marker == 42, "a kept target keeps its slot and state");
	is_int(F.forgets[sb], 1, "the dropped one (not running) is forgotten at once");
	is_str(F.forgot_host[sb], "10.0.0.2", "forget saw it");
	sc = slot_of(ctx, "10.0.0.3", 80);
	ok(sc == sb, "the new one takes the first free slot: the one just freed");
	ok(!((struct fstate *)ctx->targets[sb].pub.data)->bound, "with its data zeroed");
	is_int(slot_of(ctx, "::1", 80), -1, "the other family is not a target");

	/* a target dropped while its round runs */
	memset(F.runs, 0, sizeof F.runs);
	F.hold = 1;
	F.held = NULL;
	run_rounds(loop, 1);
	F.hold = 0;
	ok(F.held != NULL, "a round is open");
	if (F.held) {
		unsigned idx = F.held->index;
		const char *keep = (int)idx == sa ? "10.0.0.3" : "10.0.0.1";
		uint16_t port = (int)idx == sa ? 80 : 443;
		struct target_spec s[] = { { keep, port, NULL } };
		unsigned before = F.forgets[idx];
		is_int(instance_set_targets(ctx, s, 1), 1, "its target is dropped");
		is_int(F.forgets[idx], before, "not forgotten while its round runs");
		ok(ctx->targets[idx].active && ctx->targets[idx].leaving, "it holds its slot, leaving");
		hw_done(ctx, F.held);
		is_int(F.forgets[idx], before, "not inside hw_done either");
		spin(loop);
		is_int(F.forgets[idx], before + 1, "forgotten on the next loop iteration");
		ok(!ctx->targets[idx].active, "and its slot is free");
	}

	/* more than max_targets */
	{
		struct target_spec s[] = { { "10.0.1.1", 0, NULL }, { "10.0.1.2", 0, NULL }, { "10.0.1.3", 0, NULL },
		                           { "10.0.1.4", 0, NULL }, { "10.0.1.5", 0, NULL } };
		is_int(instance_set_targets(ctx, s, 5), SLOTS, "five offered, three slots: three targets");
		ok(slot_of(ctx, "10.0.1.1", 0) >= 0 && slot_of(ctx, "10.0.1.3", 0) >= 0 && slot_of(ctx, "10.0.1.4", 0) < 0,
		   "the first max_targets are kept");
		ok(ctx->overflow_logged > 0, "and a warning said so");
		instance_set_targets(ctx, s, 5);
		is_int(ctx->overflow_hidden, 1, "the next one is held back (rate limit)");
	}
	memset(F.runs, 0, sizeof F.runs);
	run_rounds(loop, 6);
	ok(F.runs[0] && F.runs[1] && F.runs[2], "rounds reach all three slots (%u, %u, %u)", F.runs[0], F.runs[1],
	   F.runs[2]);
	is_int(instance_set_targets(ctx, NULL, 0), 0, "an empty set: no target");
	memset(F.runs, 0, sizeof F.runs);
	spin(loop);
	ok(!ev_is_active(&ctx->sched_timer), "and no round timer");

	/* a name goes through the core's resolver (c-ares: /etc/hosts here), never blocking */
	{
		struct target_spec s[] = { { "localhost", 0, NULL } };
		struct ev_timer guard;
		int sl;
		is_int(instance_set_targets(ctx, s, 1), 1, "a target given by name");
		sl = slot_of(ctx, "localhost", 0);
		ok(sl >= 0 && !ctx->targets[sl].pub.addrlen && ctx->targets[sl].lookup, "not placed yet: its lookup runs");
		ev_timer_init(&guard, stop_cb, 0.5, 0.);
		ev_timer_start(loop, &guard);
		for (int k = 0; k < 50 && sl >= 0 && !ctx->targets[sl].pub.addrlen && ev_is_active(&guard); k++)
			ev_run(loop, EVRUN_ONCE);
		ev_timer_stop(loop, &guard);
		ok(sl >= 0 && !strcmp(ctx->targets[sl].pub.ip, "127.0.0.1"), "then resolved (family ipv4): %s",
		   sl >= 0 ? ctx->targets[sl].pub.ip : "-");
		instance_set_targets(ctx, NULL, 0);
	}

	/* a conn instance publishing */
	sctx = instance_new(&rt, &src);
	{
		hw_destination d[] = { { "10.0.2.1", 443, 900 }, { "10.0.2.2", 8080, 50 } };
		hw_publish_destinations(sctx, d, 2);
		is_int(ctx->norder, 2, "published destinations become the targets of targets_from");
		ok(slot_of(ctx, "10.0.2.1", 443) >= 0 && slot_of(ctx, "10.0.2.2", 8080) >= 0, "with their remote ports");
		hw_publish_destinations(sctx, NULL, 0);
		is_int(ctx->norder, 2, "a quiet interval keeps them (expire 60 s)");
	}
	instance_free(sctx);
	instance_free(ctx);
	ok(rt.instances == NULL, "freed instances leave the runtime's list");
	statsd_free(rt.emit.sink);
	dns_free(rt.dns);
	return done_testing();
}
