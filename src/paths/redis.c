/* redis.c: the asynchronous Redis writer, hiredis on the libev loop (see
 * redis.h); what is queued, resent and dropped is redisq.c's, and slot
 * arithmetic for Redis Cluster is cluster.c's.
 *
 * Redis Cluster: every key of this host carries the same hash tag
 * ({source}), so all of them live in one slot, served by one primary, and
 * one connection to that primary is all the writer needs (PUBLISH works on
 * any node).  After AUTH and SELECT the writer asks CLUSTER SLOTS: a
 * server without cluster support says so and is used as it is; a cluster
 * node gives the slot map, and when another node serves our slot the
 * writer moves there before it reads or writes anything.  A MOVED reply
 * (resharding, failover) moves it to the node named; ASK (our slot is being
 * migrated) and CLUSTERDOWN/TRYAGAIN make it reconnect a moment later; in
 * every case the items not acknowledged are written again (redisq), so no
 * change is lost and changes stay in order.  When the node it used is
 * gone, it tries the other nodes it knows from the last slot map, then the
 * configured one.
 *
 * Redis Sentinel (redis.sentinels, redis.master_name): before each
 * connection the writer asks a sentinel where the primary is (SENTINEL
 * get-master-addr-by-name), trying the sentinels in turn, and checks with
 * ROLE that the server it reached really is a primary (a sentinel that
 * lies, or answers mid-failover, is passed over).  The connection to the
 * sentinel then stays SUBSCRIBEd to +switch-master, so a failover moves
 * the writer at once; READONLY from a demoted primary and a lost
 * connection make it ask again. */
#include <ev.h>
#include <hiredis/adapters/libev.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "hopwatch.h"
#include "keys.h"
#include "redisq.h"
#include "redis.h"

/* Reconnect backoff, seconds: doubles from the first to the last. */
#define BACKOFF_MIN 0.5
#define BACKOFF_MAX 30.0
/* The last in cluster mode: a failover takes a few seconds (the node
 * timeout and an election), and each retry asks another node. */
#define BACKOFF_MAX_CLUSTER 2.0
/* Keys asked per SCAN call when loading stored paths. */
#define SCAN_COUNT "500"
/* Redirections followed at once in a row; beyond, the backoff applies
 * (two nodes that keep sending us to each other during a resharding). */
#define REDIRECTS_MAX 5

struct redis {
	struct ev_loop *loop;        /* the daemon's loop */
	struct redis_conf rc;        /* settings, strings owned */
	char *source;                /* this host, the hash tag of our keys */
	redis_seed_cb seed;          /* called for each stored path */
	void *seed_arg;              /* its argument */
	int seeded;                  /* stored paths were loaded (nothing is written before) */
	redisAsyncContext *ac;       /* the connection, or NULL */
	uintptr_t conn;              /* id of the connection; stale callbacks carry an older one */
	int ready;                   /* connected, and AUTH and SELECT accepted */
	int setup_failed;            /* AUTH or SELECT was refused on this connection */
	unsigned refusals;           /* connections in a row whose AUTH, SELECT or PING was refused:
	                                only the first of a streak is logged */
	char refusal[128];           /* the error logged for the streak: another one is logged too */
	struct redisq q;             /* what waits to be written or acknowledged (redisq.h) */
	size_t inflight;             /* commands written and not yet answered */
	double progress;             /* ev_now() of the last reply or of the first write since idle */
	double backoff;              /* next reconnect delay */
	ev_timer retry;              /* reconnect */
	ev_timer watchdog;           /* connect and command timeouts */
	double connect_started;      /* ev_now() of the pending connect, 0 when none */
	struct redis_stats st;       /* counters */
	/* Redis Cluster (see the top of this file) */
	char host[CLUSTER_HOST_MAX]; /* TCP host of the next connection (starts as redis.host) */
	int port;                    /* its port */
	unsigned slot;               /* the slot of our keys, from the hash tag {source} */
	int cluster;                 /* 1 while the server is a cluster node */
	cluster_map *map;            /* the last slot map (cluster mode), else NULL */
	unsigned next_node;          /* rotates over map nodes when a node is unreachable */
	int redirect;                /* the next reconnect follows a redirection: no backoff */
	int redirects;               /* redirections followed in a row */
	/* Redis Sentinel (see the top of this file) */
	cluster_node *sentinels;     /* redis.sentinels, parsed; NULL when none */
	unsigned nsentinels;         /* how many */
	unsigned next_sentinel;      /* the one asked next (rotates) */
	redisAsyncContext *sac;      /* connection to a sentinel: the question, then +switch-master */
	int resolved;                /* host:port is what a sentinel said the primary is now */
	double sentinel_started;     /* ev_now() of the pending question, 0 when none */
};

static void redis_connect(struct redis *r);
static void redis_item_reply(redisAsyncContext *ac, void *reply, void *priv);
static void sentinel_drop(struct redis *r);
static void slots_reply(redisAsyncContext *ac, void *reply, void *priv);
static void role_reply(redisAsyncContext *ac, void *reply, void *priv);

/* Drop the connection (if any) and reconnect after the backoff. */
static void redis_lost(struct redis *r, const char *why)
{
	redisAsyncContext *ac = r->ac;

	if (why)
		HW_WARN(NULL, "redis: %s; retrying in %.1fs (%zu commands kept)", why, r->backoff, r->q.n);
	r->ac = NULL;
	r->ready = 0;
	r->st.connected = 0;
	r->conn++;              /* callbacks of the old connection are ignored from now on */
	redisq_rewind(&r->q);   /* everything unacknowledged is written again */
	r->inflight = 0;
	r->connect_started = 0;
	if (ac)
		redisAsyncFree(ac);
	if (r->redirect && r->redirects++ < REDIRECTS_MAX) {
		/* a redirection: go there now, whatever the backoff */
		r->redirect = 0;
		ev_timer_stop(r->loop, &r->retry);
		ev_timer_set(&r->retry, 0., 0.);
		ev_timer_start(r->loop, &r->retry);
		return;
	}
	r->redirect = 0;
	if (!ev_is_active(&r->retry)) {
		double max = r->cluster ? BACKOFF_MAX_CLUSTER : BACKOFF_MAX;
		ev_timer_set(&r->retry, r->backoff, 0.);
		ev_timer_start(r->loop, &r->retry);
		r->backoff = r->backoff * 2 > max ? max : r->backoff * 2;
	}
}

/* Where the connection goes next: host:port (a redirection, the owner of
 * our slot).  An empty host keeps the current one (the specification's
 * unknown endpoint: the node that answered). */
static void redis_target(struct redis *r, const char *host, int port)
{
	if (*host)
		snprintf(r->host, sizeof r->host, "%s", host);
	r->port = port;
}

/* The node we used cannot be reached: in cluster mode, try the next node
 * of the last slot map, and the configured one after them all. */
static void redis_next_node(struct redis *r)
{
	if (r->nsentinels) {
		r->resolved = 0;  /* ask a sentinel again: there may have been a failover */
		return;
	}
	if (!r->map || !r->map->nnodes || r->rc.socket)
		return;
	unsigned i = r->next_node++ % (r->map->nnodes + 1);
	if (i < r->map->nnodes)
		redis_target(r, r->map->nodes[i].host, r->map->nodes[i].port);
	else
		redis_target(r, r->rc.host, r->rc.port);
}

/* Called from hiredis callbacks: freeing the context there is not allowed,
 * so only forget it (hiredis frees it) and schedule the reconnect. */
static void redis_gone(struct redis *r, const char *why)
{
	r->ac = NULL;
	redis_lost(r, why);
}

/* Write every unsent item, once the stored paths were read back: our own
 * first writes must not be what the seeding reads. */
static void redis_pump(struct redis *r)
{
	struct redisq_item *it;

	if (!r->ready || !r->seeded)
		return;
	for (; (it = redisq_unsent(&r->q)); redisq_sent(&r->q))
		for (int i = 0; i < it->ncmd; i++) {
			if (redisAsyncFormattedCommand(r->ac, redis_item_reply, (void *)r->conn,
			                               it->cmd[i], it->len[i]) != REDIS_OK)
				return;
			if (!r->inflight++)
				r->progress = ev_now(r->loop);
		}
}

/* Errors after which the same command will work later: keep it and
 * reconnect rather than lose it. */
static int transient(const char *err)
{
	static const char *const words[] = { "LOADING", "BUSY", "OOM", "NOAUTH", "MASTERDOWN",
	                                     "TRYAGAIN", "READONLY", "CLUSTERDOWN", NULL };
	for (int i = 0; words[i]; i++)
		if (!strncmp(err, words[i], strlen(words[i])))
			return 1;
	return 0;
}

/* The reply to the oldest written item. */
static void redis_item_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct redis *r = ac->data;
	redisReply *rep = reply;

	if (!r || (uintptr_t)priv != r->conn || !rep)
		return;  /* an old connection's, or freed */
	r->progress = ev_now(r->loop);
	if (r->inflight)
		r->inflight--;
	cluster_redirect rd;
	if (rep->type == REDIS_REPLY_ERROR && !cluster_parse_redirect(rep->str, &rd)) {
		/* not written: follow, and everything unacknowledged is written again */
		if (rd.ask) {
			HW_INFO(NULL, "redis: slot %u is migrating (ASK %s:%d); writing again shortly",
			        rd.slot, rd.to.host, rd.to.port);
		} else {
			HW_INFO(NULL, "redis: slot %u moved to %s:%d; following", rd.slot,
			        rd.to.host[0] ? rd.to.host : r->host, rd.to.port);
			redis_target(r, rd.to.host, rd.to.port);
			r->redirect = 1;
		}
		r->conn++;
		redisAsyncDisconnect(ac);
		return;
	}
	if (rep->type == REDIS_REPLY_ERROR && transient(rep->str)) {
		HW_WARN(NULL, "redis: %s; reconnecting to write it again", rep->str);
		if (!strncmp(rep->str, "READONLY", 8))
			redis_next_node(r);  /* a demoted primary: find the new one */
		r->conn++;  /* ignore the rest of this connection's replies */
		redisAsyncDisconnect(ac);
		return;
	}
	/* A replayed XADD (resent after a lost connection) is refused for its
	 * id: it was written already, which is what we wanted. */
	if (rep->type == REDIS_REPLY_ERROR && !strstr(rep->str, "equal or smaller")) {
		r->st.errors++;
		HW_WARN(NULL, "redis: command refused: %s", rep->str);
	}
	r->redirects = 0;  /* written where it belongs: redirections may be followed at once again */
	redisq_ack(&r->q);
}

/* Seed the path store from one stored path hash. */
static void seed_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct redis *r = ac->data;
	redisReply *rep = reply;
	char *key = priv;
	struct keys_parts k;

	if (r && rep && rep->type == REDIS_REPLY_STRING && !keys_split(key, KEYS_PATH, r->rc.prefix, &k) &&
	    !strcmp(k.source, r->source))
		r->seed(r->seed_arg, k.probe, k.target, rep->str);
	free(key);
}

/* Every stored path was read: writing may begin. */
static void seeded_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct redis *r = ac->data;

	if (!r || (uintptr_t)priv != r->conn || !reply)
		return;
	r->seeded = 1;
	redis_pump(r);
}

/* One page of SCAN over our path keys. */
static void scan_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct redis *r = ac->data;
	redisReply *rep = reply, *keys;
	char pattern[4 * KEYS_NAME_MAX];

	if (!r || (uintptr_t)priv != r->conn || !rep)
		return;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
	    rep->element[0]->type != REDIS_REPLY_STRING || rep->element[1]->type != REDIS_REPLY_ARRAY) {
		HW_WARN(NULL, "redis: cannot load stored paths: %s",
		        rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected SCAN reply");
		r->seeded = 1;  /* write anyway: a stored path that cannot be read cannot be kept */
		redis_pump(r);
		return;
	}
	keys = rep->element[1];
	for (size_t i = 0; i < keys->elements; i++) {
		char *key;
		if (keys->element[i]->type != REDIS_REPLY_STRING || !(key = strdup(keys->element[i]->str)))
			continue;
		if (redisAsyncCommand(ac, seed_reply, key, "HGET %s confirmed", key) != REDIS_OK)
			free(key);
	}
	if (!strcmp(rep->element[0]->str, "0")) {
		/* replies come in order: this one follows the last HGET */
		redisAsyncCommand(ac, seeded_reply, priv, "PING");
		return;
	}
	keys_pattern(pattern, sizeof pattern, KEYS_PATH, r->rc.prefix, r->source);
	redisAsyncCommand(ac, scan_reply, priv, "SCAN %s MATCH %s COUNT " SCAN_COUNT,
	                  rep->element[0]->str, pattern);
}

/* AUTH, SELECT or the PING after them refused (`err`): a configuration
 * problem worth saying loudly, once per streak of refused connections
 * (the retries after the backoff would repeat it; a different error is
 * said too) and once per connection (a refused AUTH makes SELECT refused
 * too). */
static void setup_refused(struct redis *r, const char *err)
{
	if (!r->setup_failed && (!r->refusals || strncmp(r->refusal, err, sizeof r->refusal - 1))) {
		HW_ERROR(NULL, "redis: %s (check redis.user, redis.password and redis.db); retrying with backoff, "
		         "not logged again until it works or the error changes", err);
		snprintf(r->refusal, sizeof r->refusal, "%s", err);
	}
	r->setup_failed = 1;
}

/* AUTH and SELECT: a refusal is a configuration problem worth saying loudly. */
static void setup_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct redis *r = ac->data;
	redisReply *rep = reply;

	if (!r || (uintptr_t)priv != r->conn || !rep || rep->type != REDIS_REPLY_ERROR)
		return;
	setup_refused(r, rep->str);
}

/* The PING after AUTH and SELECT: the connection is usable unless they
 * were refused.  Nothing queued is written before this, so a wrong
 * password cannot eat queued changes. */
static void ready_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct redis *r = ac->data;

	if (!r || (uintptr_t)priv != r->conn || !reply)
		return;
	r->inflight = 0;
	if (((redisReply *)reply)->type == REDIS_REPLY_ERROR)
		setup_refused(r, ((redisReply *)reply)->str);  /* e.g. NOAUTH: a password is needed, none is set */
	if (r->setup_failed) {
		r->refusals++;
		redisAsyncDisconnect(ac);  /* disconnect_cb reconnects after the backoff */
		return;
	}
	/* connected only now: AUTH and SELECT were accepted */
	char after[64] = "";
	if (r->refusals)
		snprintf(after, sizeof after, " (logged in after %u refused connections)", r->refusals);
	if (r->rc.socket && !r->cluster)
		HW_INFO(NULL, "redis: connected to %s%s", r->rc.socket, after);
	else
		HW_INFO(NULL, "redis: connected to %s:%d%s", r->host, r->port, after);
	r->refusals = 0;
	r->inflight = 1;  /* ROLE or CLUSTER SLOTS: the watchdog gives up if it never comes */
	r->progress = ev_now(r->loop);
	if (r->nsentinels)
		redisAsyncCommand(ac, role_reply, priv, "ROLE");
	else
		redisAsyncCommand(ac, slots_reply, priv, "CLUSTER SLOTS");
}

/* Sentinel mode: the server a sentinel named must be a primary. */
static void role_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct redis *r = ac->data;
	redisReply *rep = reply;

	if (!r || (uintptr_t)priv != r->conn || !rep)
		return;
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements >= 1 &&
	    rep->element[0]->type == REDIS_REPLY_STRING && !strcmp(rep->element[0]->str, "master")) {
		redisAsyncCommand(ac, slots_reply, priv, "CLUSTER SLOTS");
		return;
	}
	HW_WARN(NULL, "redis: %s:%d is %s, not the primary of \"%s\" (a sentinel that is wrong, or a "
	        "failover under way); asking another sentinel", r->host, r->port,
	        rep->type == REDIS_REPLY_ARRAY && rep->elements && rep->element[0]->type == REDIS_REPLY_STRING
	                ? rep->element[0]->str : "no server that answers ROLE",
	        r->rc.master_name);
	r->resolved = 0;
	r->conn++;
	redisAsyncDisconnect(ac);  /* reconnects after the backoff */
}

/* The connection serves our keys: read the stored paths once, then write. */
static void redis_usable(struct redis *r, redisAsyncContext *ac, void *priv)
{
	char pattern[4 * KEYS_NAME_MAX];

	r->ready = 1;
	r->st.connected = 1;
	r->backoff = BACKOFF_MIN;
	if (!r->seeded && !r->seed)
		r->seeded = 1;  /* a writer that loads nothing (a mesh group's) */
	if (!r->seeded) {
		keys_pattern(pattern, sizeof pattern, KEYS_PATH, r->rc.prefix, r->source);
		redisAsyncCommand(ac, scan_reply, priv, "SCAN 0 MATCH %s COUNT " SCAN_COUNT, pattern);
	}
	redis_pump(r);  /* waits for the seeding on the first connection */
}

/* The reply to CLUSTER SLOTS: not a cluster (an error), or the slot map;
 * when another node serves our slot, move there first. */
static void slots_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct redis *r = ac->data;
	redisReply *rep = reply;

	if (!r || (uintptr_t)priv != r->conn || !rep)
		return;
	r->inflight = 0;
	if (rep->type != REDIS_REPLY_ARRAY) {
		r->cluster = 0;  /* "cluster support disabled": a plain server */
		redis_usable(r, ac, priv);
		return;
	}
	if (!r->map && !(r->map = malloc(sizeof *r->map))) {
		HW_ERROR(NULL, "redis: out of memory for the cluster slot map");
		r->conn++;
		redisAsyncDisconnect(ac);
		return;
	}
	cluster_range ranges[CLUSTER_NODES_MAX];
	size_t n = 0;
	for (size_t i = 0; i < rep->elements && n < CLUSTER_NODES_MAX; i++) {
		redisReply *e = rep->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements < 3 ||
		    e->element[0]->type != REDIS_REPLY_INTEGER || e->element[1]->type != REDIS_REPLY_INTEGER ||
		    e->element[2]->type != REDIS_REPLY_ARRAY || e->element[2]->elements < 2 ||
		    e->element[2]->element[0]->type != REDIS_REPLY_STRING ||
		    e->element[2]->element[1]->type != REDIS_REPLY_INTEGER)
			continue;  /* a range without a usable primary */
		ranges[n++] = (cluster_range){ e->element[0]->integer, e->element[1]->integer,
		                               e->element[2]->element[0]->str,
		                               e->element[2]->element[1]->integer };
	}
	const cluster_node *owner = NULL;
	if (cluster_map_load(r->map, ranges, n, r->host) >= 0)
		owner = cluster_map_owner(r->map, r->slot);
	if (!r->cluster)
		HW_INFO(NULL, "redis: a cluster of %u primaries (%u of %d slots served); our keys are in slot %u",
		        r->map->nnodes, r->map->covered, CLUSTER_SLOTS, r->slot);
	r->cluster = 1;
	if (!owner) {
		r->conn++;
		HW_WARN(NULL, "redis: no node serves slot %u yet (cluster down or resharding)", r->slot);
		redisAsyncDisconnect(ac);  /* reconnect after the backoff and ask again */
		return;
	}
	if (owner->port != r->port || strcmp(owner->host, r->host)) {
		HW_INFO(NULL, "redis: slot %u is served by %s:%d; moving there", r->slot, owner->host,
		        owner->port);
		redis_target(r, owner->host, owner->port);
		r->redirect = 1;
		r->conn++;
		redisAsyncDisconnect(ac);
		return;
	}
	redis_usable(r, ac, priv);
}

static void connect_cb(const redisAsyncContext *cac, int status)
{
	struct redis *r = cac->data;
	redisAsyncContext *ac = r ? r->ac : NULL;
	char db[16];

	if (!r || cac != ac)
		return;
	r->connect_started = 0;
	if (status != REDIS_OK) {
		redis_next_node(r);
		redis_gone(r, cac->errstr[0] ? cac->errstr : "cannot connect");
		return;
	}
	/* "connected" is said once AUTH and SELECT are accepted (ready_reply) */
	r->setup_failed = 0;
	r->inflight = 1;  /* the PING below: the watchdog gives up if it never comes */
	r->progress = ev_now(r->loop);
	if (r->rc.password) {
		if (r->rc.user)
			redisAsyncCommand(ac, setup_reply, (void *)r->conn, "AUTH %s %s",
			                  r->rc.user, r->rc.password);
		else
			redisAsyncCommand(ac, setup_reply, (void *)r->conn, "AUTH %s", r->rc.password);
	}
	if (r->rc.db) {
		snprintf(db, sizeof db, "%d", r->rc.db);
		redisAsyncCommand(ac, setup_reply, (void *)r->conn, "SELECT %s", db);
	}
	redisAsyncCommand(ac, ready_reply, (void *)r->conn, "PING");
}

static void disconnect_cb(const redisAsyncContext *ac, int status)
{
	struct redis *r = ac->data;

	if (!r || ac != r->ac)
		return;
	if (status != REDIS_OK && !r->redirect)
		redis_next_node(r);
	/* REDIS_OK: we closed it ourselves, and said why when we did */
	redis_gone(r, status == REDIS_OK ? NULL : (ac->errstr[0] ? ac->errstr : "connection lost"));
}

/* The sentinel connection is no longer wanted (or is gone). */
static void sentinel_drop(struct redis *r)
{
	redisAsyncContext *sac = r->sac;

	r->sac = NULL;
	r->sentinel_started = 0;
	if (sac) {
		sac->data = NULL;
		redisAsyncFree(sac);
	}
}

/* The sentinel asked last, for messages. */
static const cluster_node *sentinel_asked(const struct redis *r)
{
	return &r->sentinels[(r->next_sentinel + r->nsentinels - 1) % r->nsentinels];
}

/* A message on +switch-master: "<name> <old-ip> <old-port> <new-ip> <new-port>". */
static void switch_reply(redisAsyncContext *sac, void *reply, void *priv)
{
	struct redis *r = sac->data;
	redisReply *rep = reply;
	char name[256], oldh[CLUSTER_HOST_MAX], newh[CLUSTER_HOST_MAX];
	int oldp, newp;
	(void)priv;

	if (!r || !rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 3 ||
	    rep->element[0]->type != REDIS_REPLY_STRING || strcmp(rep->element[0]->str, "message") ||
	    rep->element[2]->type != REDIS_REPLY_STRING)
		return;
	if (sscanf(rep->element[2]->str, "%255s %255s %d %255s %d", name, oldh, &oldp, newh, &newp) != 5 ||
	    strcmp(name, r->rc.master_name) || newp < 1 || newp > 65535)
		return;
	if (newp == r->port && !strcmp(newh, r->host))
		return;
	HW_INFO(NULL, "redis: sentinel: \"%s\" switched from %s:%d to %s:%d; following", name, oldh, oldp,
	        newh, newp);
	redis_target(r, newh, newp);
	r->resolved = 1;
	if (r->ac) {
		r->redirect = 1;
		r->conn++;
		redisAsyncDisconnect(r->ac);  /* disconnect_cb reconnects at once, to the new primary */
	}
}

/* The answer to SENTINEL get-master-addr-by-name: [ip, port], or nil. */
static void master_addr_reply(redisAsyncContext *sac, void *reply, void *priv)
{
	struct redis *r = sac->data;
	redisReply *rep = reply;
	const cluster_node *s;
	char why[512];
	long port;
	(void)priv;

	if (!r || !rep)
		return;
	s = sentinel_asked(r);
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
	    rep->element[0]->type == REDIS_REPLY_STRING && rep->element[1]->type == REDIS_REPLY_STRING &&
	    (port = strtol(rep->element[1]->str, NULL, 10)) >= 1 && port <= 65535 &&
	    strlen(rep->element[0]->str) < CLUSTER_HOST_MAX) {
		if (!r->resolved || strcmp(r->host, rep->element[0]->str) || r->port != (int)port)
			HW_INFO(NULL, "redis: sentinel %s:%d: the primary of \"%s\" is %s:%ld", s->host, s->port,
			        r->rc.master_name, rep->element[0]->str, port);
		redis_target(r, rep->element[0]->str, (int)port);
		r->resolved = 1;
		r->sentinel_started = 0;
		redisAsyncCommand(sac, switch_reply, NULL, "SUBSCRIBE +switch-master");
		redis_connect(r);
		return;
	}
	snprintf(why, sizeof why, "sentinel %s:%d %s \"%s\"", s->host, s->port,
	         rep->type == REDIS_REPLY_ERROR ? rep->str : "does not know a primary named",
	         r->rc.master_name);
	sentinel_drop(r);
	redis_lost(r, why);  /* the next sentinel, after the backoff */
}

static void sentinel_connect_cb(const redisAsyncContext *cac, int status)
{
	struct redis *r = cac->data;

	if (!r || cac != r->sac || status == REDIS_OK)
		return;
	char why[512];
	const cluster_node *s = sentinel_asked(r);
	snprintf(why, sizeof why, "sentinel %s:%d: %s", s->host, s->port,
	         cac->errstr[0] ? cac->errstr : "cannot connect");
	r->sac = NULL;  /* hiredis frees it */
	r->sentinel_started = 0;
	if (!r->resolved)
		redis_lost(r, why);
}

static void sentinel_disconnect_cb(const redisAsyncContext *cac, int status)
{
	struct redis *r = cac->data;
	(void)status;

	if (!r || cac != r->sac)
		return;
	r->sac = NULL;  /* hiredis frees it; a failover is still seen through READONLY or a lost primary */
	r->sentinel_started = 0;
	if (!r->resolved) {
		const cluster_node *s = sentinel_asked(r);
		char why[512];
		snprintf(why, sizeof why, "sentinel %s:%d closed the connection", s->host, s->port);
		redis_lost(r, why);
	}
}

/* Ask the next sentinel where the primary is; redis_connect follows. */
static void sentinel_ask(struct redis *r)
{
	const cluster_node *s = &r->sentinels[r->next_sentinel++ % r->nsentinels];
	redisAsyncContext *sac;

	sentinel_drop(r);
	if (!(sac = redisAsyncConnect(s->host, s->port)) || sac->err) {
		char why[512];
		snprintf(why, sizeof why, "sentinel %s:%d: %s", s->host, s->port, sac ? sac->errstr : "out of memory");
		if (sac)
			redisAsyncFree(sac);
		redis_lost(r, why);
		return;
	}
	sac->data = r;
	r->sac = sac;
	r->sentinel_started = ev_now(r->loop);
	redisLibevAttach(r->loop, sac);
	redisAsyncSetConnectCallback(sac, sentinel_connect_cb);
	redisAsyncSetDisconnectCallback(sac, sentinel_disconnect_cb);
	redisAsyncCommand(sac, master_addr_reply, NULL, "SENTINEL get-master-addr-by-name %s", r->rc.master_name);
}

static void redis_connect(struct redis *r)
{
	if (r->nsentinels && !r->resolved) {
		sentinel_ask(r);
		return;
	}
	const struct redis_conf *c = &r->rc;
	redisAsyncContext *ac = c->socket && !r->cluster ? redisAsyncConnectUnix(c->socket)
	                                                 : redisAsyncConnect(r->host, r->port);

	if (!ac) {
		redis_lost(r, "out of memory");
		return;
	}
	if (ac->err) {
		char why[256];
		snprintf(why, sizeof why, "cannot connect: %s", ac->errstr);
		redisAsyncFree(ac);
		redis_next_node(r);
		redis_lost(r, why);
		return;
	}
	ac->data = r;
	r->ac = ac;
	r->connect_started = ev_now(r->loop);
	redisLibevAttach(r->loop, ac);
	redisAsyncSetConnectCallback(ac, connect_cb);
	redisAsyncSetDisconnectCallback(ac, disconnect_cb);
}

static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct redis *r = (struct redis *)((char *)w - offsetof(struct redis, retry));
	(void)loop;
	(void)revents;
	redis_connect(r);
}

/* Enforce connect_timeout and command_timeout. */
static void watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct redis *r = (struct redis *)((char *)w - offsetof(struct redis, watchdog));
	double now = ev_now(loop);
	(void)revents;

	if (r->sac && r->sentinel_started && now - r->sentinel_started > r->rc.connect_timeout) {
		const cluster_node *s = sentinel_asked(r);
		char why[512];
		snprintf(why, sizeof why, "sentinel %s:%d did not answer within connect_timeout", s->host, s->port);
		sentinel_drop(r);
		redis_lost(r, why);
	} else if (r->ac && r->connect_started && now - r->connect_started > r->rc.connect_timeout) {
		redis_next_node(r);
		redis_lost(r, "connect timed out");
	}
	else if (r->ac && r->inflight && now - r->progress > r->rc.command_timeout)
		redis_lost(r, "no reply within command_timeout");
}

/* Copies of the strings of `rc`; -1 when out of memory. */
static int conf_copy(struct redis_conf *dst, const struct redis_conf *src)
{
	const char **fields[] = { &dst->host, &dst->socket, &dst->user, &dst->password, &dst->prefix,
	                          &dst->master_name };

	*dst = *src;
	dst->sentinels = (struct strlist){ NULL, 0 };  /* parsed into struct redis instead */
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		*fields[i] = NULL;
	const char *from[] = { src->host, src->socket, src->user, src->password, src->prefix,
	                       src->master_name };
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (from[i] && !(*fields[i] = strdup(from[i])))
			return -1;
	return 0;
}

/* Free what conf_copy made. */
static void conf_release(struct redis_conf *rc)
{
	free((char *)rc->host);
	free((char *)rc->socket);
	free((char *)rc->user);
	free((char *)rc->password);
	free((char *)rc->prefix);
	free((char *)rc->master_name);
}

const struct redis_conf *redis_conf(const redis *r)
{
	return &r->rc;
}

redis *redis_new(struct ev_loop *loop, const struct redis_conf *rc, const char *source,
                 redis_seed_cb seed, void *seed_arg)
{
	struct redis *r = calloc(1, sizeof *r);
	double tick;

	if (!r)
		return NULL;
	if (!(r->source = strdup(source)) || conf_copy(&r->rc, rc) < 0) {
		conf_release(&r->rc);
		free(r->source);
		free(r);
		return NULL;
	}
	r->loop = loop;
	r->seed = seed;
	r->seed_arg = seed_arg;
	r->backoff = BACKOFF_MIN;
	r->conn = 1;
	r->q.limit = rc->queue > 0 ? (size_t)rc->queue : 1;
	if (rc->host)
		redis_target(r, rc->host, rc->port);
	if (rc->sentinels.n && !(r->sentinels = calloc(rc->sentinels.n, sizeof *r->sentinels))) {
		redis_free(r);
		return NULL;
	}
	for (size_t i = 0; i < rc->sentinels.n; i++) {
		uint16_t port;
		const char *why;
		if (conf_parse_hostport(rc->sentinels.v[i], r->sentinels[r->nsentinels].host,
		                        sizeof r->sentinels[0].host, &port, &why) == 0 && port)
			r->sentinels[r->nsentinels++].port = port;
	}
	char tag[KEYS_NAME_MAX + 2];
	int tl = snprintf(tag, sizeof tag, "{%s}", source);
	r->slot = cluster_key_slot(tag, tl > 0 && (size_t)tl < sizeof tag ? (size_t)tl : 0);
	ev_timer_init(&r->retry, retry_cb, 0., 0.);
	tick = rc->command_timeout < rc->connect_timeout ? rc->command_timeout : rc->connect_timeout;
	ev_timer_init(&r->watchdog, watchdog_cb, tick / 2, tick / 2);
	ev_timer_start(loop, &r->watchdog);
	redis_connect(r);
	return r;
}

void redis_command(redis *r, const char *coalesce, const struct redis_cmd *cmds, int n)
{
	char *enc[REDISQ_ITEM_MAX_CMDS];
	size_t len[REDISQ_ITEM_MAX_CMDS];

	if (n < 1 || n > REDISQ_ITEM_MAX_CMDS)
		return;
	for (int i = 0; i < n; i++) {
		int l = redisFormatCommandArgv(&enc[i], cmds[i].argc, (const char **)cmds[i].argv, NULL);
		if (l < 0) {
			while (i--)
				free(enc[i]);
			return;
		}
		len[i] = (size_t)l;
	}
	if (redisq_push(&r->q, coalesce, enc, len, n) == REDISQ_DROPPED &&
	    (r->q.dropped == 1 || r->q.dropped % 1000 == 0))
		HW_WARN(NULL, "redis: queue full (%d); dropped the oldest change (%llu so far)",
		        r->rc.queue, (unsigned long long)r->q.dropped);
	redis_pump(r);
}

/* A redis_query on its way. */
struct query {
	struct redis *r;             /* the writer */
	uintptr_t conn;              /* the connection it was sent on */
	redis_reply_cb cb;           /* the caller's callback */
	void *arg;                   /* its argument */
};

static void query_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct query *q = priv;
	(void)ac;

	/* a lost connection or a freed writer calls this with NULL */
	q->cb(q->arg, q->r->conn == q->conn ? reply : NULL);
	free(q);
}

int redis_query(redis *r, redis_reply_cb cb, void *arg, int argc, const char *const *argv)
{
	struct query *q;

	if (!r->ready || !r->seeded || !r->ac || !(q = malloc(sizeof *q)))
		return -1;
	*q = (struct query){ r, r->conn, cb, arg };
	if (redisAsyncCommandArgv(r->ac, query_reply, q, argc, (const char **)argv, NULL) != REDIS_OK) {
		free(q);
		return -1;
	}
	return 0;
}

struct redis_stats redis_get_stats(const redis *r)
{
	struct redis_stats s = r->st;

	s.queued = r->q.n;
	s.dropped = r->q.dropped;
	return s;
}

void redis_free(redis *r)
{
	if (!r)
		return;
	ev_timer_stop(r->loop, &r->retry);
	ev_timer_stop(r->loop, &r->watchdog);
	if (r->q.n)
		HW_WARN(NULL, "redis: %zu commands not written at exit", r->q.n);
	if (r->ac) {
		redisAsyncContext *ac = r->ac;
		r->ac = NULL;
		ac->data = NULL;
		redisAsyncFree(ac);
	}
	sentinel_drop(r);
	free(r->sentinels);
	redisq_clear(&r->q);
	free(r->map);
	conf_release(&r->rc);
	free(r->source);
	free(r);
}
