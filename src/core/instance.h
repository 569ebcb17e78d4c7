/*
 * instance.h: a running probe instance (struct hw_ctx) and its targets.
 * In the core, a "probe" is one configured instance (a `probes` entry, the
 * tag probe:<name>); what a plugin sends on the wire is a request.
 *
 * instance.c owns the lifecycle, the addresses and the round timer (it asks
 * rounds.h, a pure leaf, when each round starts); hostapi.c implements the hw_*
 * functions of hopwatch.h that plugins call.  hostapi.c uses instance.c's
 * structures; instance.c calls hostapi.c's hw_* functions; nothing calls back.
 */
#ifndef HW_INSTANCE_H
#define HW_INSTANCE_H

#include <arpa/inet.h>
#include <ev.h>
#include <stdint.h>

#include "conf.h"
#include "dns.h"
#include "emit.h"
#include "hopwatch.h"
#include "pathwatch.h"
#include "rounds.h"

/* What every instance of one daemon shares. */
struct runtime {
	struct ev_loop *loop;        /* the only loop */
	dns *dns;                    /* resolver */
	struct emit emit;            /* metric prefix, sink */
	const struct hw_config *cfg; /* the configuration the instances come from */
	char *global_tags;           /* ready tag list: global tags (and entity id) */
	pathwatch *paths;            /* path store and Redis writer; outlives reloads */
	hopnames *names;             /* hop name cache (hw_hop_name); NULL when hop_names is off */
	struct hw_ctx *instances;    /* every instance of this configuration, through hw_ctx.rt_next */
};

/* The core side of one target. */
struct target {
	hw_target pub;               /* what the plugin sees; first, so the two convert */
	struct hw_ctx *ctx;          /* owning instance */
	const struct target_conf *tc;/* its configuration */
	char *tags;                  /* ready tag list: the instance's, then target, port, target_ip, group, own tags */
	char *id;                    /* "host" or "host:port" ("[v6]:port"): its key in the path store */
	int running;                 /* a round started and hw_done() not yet called */
	dns_req *lookup;             /* pending resolution, or NULL */
	int lookup_failed;           /* the last lookup failed (logged once per failure streak) */
	int pinned;                  /* a name the plugin gave an address in start(): never looked up */
	char lookup_error[96];       /* why it failed (c-ares' text), for the round's service check */
	struct sockaddr_storage next;/* an address learnt while a round ran */
	socklen_t nextlen;           /* its length; 0: nothing pending */
	char ipbuf[INET6_ADDRSTRLEN];/* storage behind pub.ip */
	int active;                  /* the slot holds a target (always, for a configured target) */
	int leaving;                 /* dynamic: its source dropped it; released once its round ends */
	struct target_conf own;      /* dynamic: what tc points to (host and tags owned here) */
};

/* A fd watch a plugin asked for (hw_io_new). */
struct hw_io {
	ev_io w;                     /* the libev watcher */
	struct hw_ctx *ctx;          /* owner */
	hw_io_cb cb;                 /* plugin callback */
	void *arg;                   /* its argument */
	struct hw_io *prev, *next;   /* owner's list */
};

/* A timer a plugin asked for (hw_timer_new). */
struct hw_timer {
	ev_timer w;                  /* the libev watcher */
	struct hw_ctx *ctx;          /* owner */
	hw_timer_cb cb;              /* plugin callback */
	void *arg;                   /* its argument */
	struct hw_timer *prev, *next;/* owner's list */
};

/* One running probe instance. */
struct hw_ctx {
	struct runtime *rt;          /* shared daemon state */
	const struct probe_conf *pc; /* its configuration */
	const hw_plugin *p;          /* its plugin */
	void *state;                 /* what p->start returned */
	int started;                 /* p->start succeeded, so p->stop is due */
	int uses_raw;                /* the plugin opened a raw socket (hw_raw_socket) */
	struct target *targets;      /* nslots targets */
	size_t nslots;               /* pc->ntargets, or pc->max_targets slots for a dynamic instance */
	size_t *order;               /* dynamic: the slots rounds go to (active, not leaving), ascending */
	size_t norder;               /* entries in order: the schedule's target count */
	int dynamic;                 /* targets come from a source (targets.h), not the config */
	double overflow_logged;      /* hw_mono() of the last "more targets than slots" warning; 0: never */
	unsigned long overflow_hidden; /* such warnings left out since (rate limit) */
	ev_timer reap;               /* dynamic: releases the leaving targets whose round ended */
	struct destinations *dests;  /* targets_from: the destinations remembered (targets.c) */
	struct hw_ctx *rt_next;      /* next instance in rt->instances */
	hw_target **tptrs;           /* pointers to targets[i].pub, for hw_targets() */
	void *tdata;                 /* one block of per-target plugin state */
	char *tags;                  /* ready tag list: probe:<name>, instance tags, global tags */
	ev_timer sched_timer;        /* fires at the next round start */
	struct sched sched;          /* which target's round starts when (rounds.h) */
	ev_timer reresolve;          /* periodic re-resolution of named targets */
	struct hw_io *ios;           /* watches the plugin holds */
	struct hw_timer *timers;     /* timers the plugin holds */
};

/* Create instance `pc`: targets, tags, then p->start (sockets).  NULL after
 * logging why. */
struct hw_ctx *instance_new(struct runtime *rt, const struct probe_conf *pc);
/* Begin resolving and scheduling rounds. */
void instance_run(struct hw_ctx *ctx);
/* Stop: p->stop, then free whatever the plugin still held; NULL is fine. */
void instance_free(struct hw_ctx *ctx);

/* For targets.c, which changes the targets of a dynamic instance. */

/* Rebuild t->tags from its configuration and current address; 0, or -1
 * when out of memory. */
int target_tags(struct target *t);
/* Start looking the name of `t` up (a literal needs none: see target_place). */
void target_lookup(struct target *t);
/* Give `t` its address when its host is a literal of the instance's
 * family: 1; 0 when it is a name (to look up); -1 when it is a literal
 * of the other family. */
int target_place(struct target *t);
/* The set of slots that get rounds (ctx->order) changed: rebuild it and
 * spread the rounds over the interval again. */
void instance_reschedule(struct hw_ctx *ctx);

#endif
