/* redis.c: see redis.h. */
#include <ev.h>
#include <hiredis/adapters/libev.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopwatch.h"
#include "redis.h"

/* Reconnect backoff, seconds: doubles from the first to the last. */
#define BACKOFF_MIN 0.5
#define BACKOFF_MAX 30.0
/* Keys asked per SCAN call when loading stored paths. */
#define SCAN_COUNT "500"

/* One queued command, RESP-encoded. */
struct item {
	char *cmd;               /* the encoded command */
	size_t len;              /* its length */
	char *coalesce;          /* coalescing key, or NULL for an ordered command */
	struct item *next;       /* queue link */
};

struct redis {
	struct ev_loop *loop;        /* the daemon's loop */
	struct redis_conf rc;        /* settings, strings owned */
	char *source;                /* this host, the hash tag of our keys */
	redis_seed_cb seed;          /* called for each stored path */
	void *seed_arg;              /* its argument */
	int seeded;                  /* stored paths were loaded */
	redisAsyncContext *ac;       /* the connection, or NULL */
	uintptr_t conn;              /* id of the connection; stale callbacks carry an older one */
	int ready;                   /* connected, and AUTH and SELECT accepted */
	int setup_failed;            /* AUTH or SELECT was refused on this connection */
	struct item *head, *tail;    /* queue, oldest first */
	struct item *unsent;         /* first item not yet written on this connection */
	size_t nqueued;              /* items in the queue */
	size_t nordered;             /* of which ordered (no coalescing key) */
	size_t inflight;             /* commands written and not yet answered */
	double progress;             /* ev_now() of the last reply or of the first write since idle */
	double backoff;              /* next reconnect delay */
	ev_timer retry;              /* reconnect */
	ev_timer watchdog;           /* connect and command timeouts */
	double connect_started;      /* ev_now() of the pending connect, 0 when none */
	struct redis_stats st;       /* counters */
};

static void redis_connect(struct redis *r);
static void redis_item_reply(redisAsyncContext *ac, void *reply, void *priv);

/* Drop the connection (if any) and reconnect after the backoff. */
static void redis_lost(struct redis *r, const char *why)
{
	redisAsyncContext *ac = r->ac;

	if (why)
		HW_WARN(NULL, "redis: %s; retrying in %.1fs (%zu commands kept)", why, r->backoff, r->nqueued);
	r->ac = NULL;
	r->ready = 0;
	r->st.connected = 0;
	r->conn++;              /* callbacks of the old connection are ignored from now on */
	r->unsent = r->head;    /* everything unacknowledged is written again */
	r->inflight = 0;
	r->connect_started = 0;
	if (ac)
		redisAsyncFree(ac);
	if (!ev_is_active(&r->retry)) {
		ev_timer_set(&r->retry, r->backoff, 0.);
		ev_timer_start(r->loop, &r->retry);
		r->backoff = r->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : r->backoff * 2;
	}
}

/* Called from hiredis callbacks: freeing the context there is not allowed,
 * so only forget it (hiredis frees it) and schedule the reconnect. */
static void redis_gone(struct redis *r, const char *why)
{
	r->ac = NULL;
	redis_lost(r, why);
}

/* Write every unsent item. */
static void redis_pump(struct redis *r)
{
	if (!r->ready)
		return;
	for (; r->unsent; r->unsent = r->unsent->next) {
		if (redisAsyncFormattedCommand(r->ac, redis_item_reply, (void *)r->conn,
		                               r->unsent->cmd, r->unsent->len) != REDIS_OK)
			return;
		if (!r->inflight++)
			r->progress = ev_now(r->loop);
	}
}

/* Remove the oldest item (answered). */
static void pop_head(struct redis *r)
{
	struct item *it = r->head;

	if (!it)
		return;
	if (r->unsent == it)
		r->unsent = it->next;
	r->head = it->next;
	if (!r->head)
		r->tail = NULL;
	r->nqueued--;
	if (!it->coalesce)
		r->nordered--;
	free(it->cmd);
	free(it->coalesce);
	free(it);
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
	if (rep->type == REDIS_REPLY_ERROR) {
		r->st.errors++;
		HW_WARN(NULL, "redis: command refused: %s", rep->str);
	}
	pop_head(r);
}

/* Seed the path store from one stored path hash. */
static void seed_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct redis *r = ac->data;
	redisReply *rep = reply;
	char *key = priv, *probe, *target;
	size_t pl;

	if (r && rep && rep->type == REDIS_REPLY_STRING) {
		/* key: <prefix>path:{<source>}:<probe>:<target> */
		pl = strlen(r->rc.prefix) + strlen("path:{") + strlen(r->source) + strlen("}:");
		probe = key + pl;
		if (strlen(key) > pl && (target = strchr(probe, ':'))) {
			*target++ = '\0';
			r->seed(r->seed_arg, probe, target, rep->str);
		}
	}
	free(key);
}

/* One page of SCAN over our path keys. */
static void scan_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct redis *r = ac->data;
	redisReply *rep = reply, *keys;
	char pattern[512];

	if (!r || (uintptr_t)priv != r->conn || !rep)
		return;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
	    rep->element[0]->type != REDIS_REPLY_STRING || rep->element[1]->type != REDIS_REPLY_ARRAY) {
		HW_WARN(NULL, "redis: cannot load stored paths: %s",
		        rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected SCAN reply");
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
		r->seeded = 1;
		return;
	}
	snprintf(pattern, sizeof pattern, "%spath:{%s}:*", r->rc.prefix, r->source);
	redisAsyncCommand(ac, scan_reply, priv, "SCAN %s MATCH %s COUNT " SCAN_COUNT,
	                  rep->element[0]->str, pattern);
}

/* AUTH and SELECT: a refusal is a configuration problem worth saying loudly. */
static void setup_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct redis *r = ac->data;
	redisReply *rep = reply;

	if (!r || (uintptr_t)priv != r->conn || !rep || rep->type != REDIS_REPLY_ERROR)
		return;
	HW_ERROR(NULL, "redis: %s (check redis.user, redis.password and redis.db)", rep->str);
	r->setup_failed = 1;
}

/* The PING after AUTH and SELECT: the connection is usable unless they
 * were refused.  Nothing queued is written before this, so a wrong
 * password cannot eat queued changes. */
static void ready_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct redis *r = ac->data;
	char pattern[512];

	if (!r || (uintptr_t)priv != r->conn || !reply)
		return;
	r->inflight = 0;
	if (r->setup_failed) {
		redisAsyncDisconnect(ac);  /* disconnect_cb reconnects after the backoff */
		return;
	}
	r->ready = 1;
	r->st.connected = 1;
	r->backoff = BACKOFF_MIN;
	if (!r->seeded) {
		snprintf(pattern, sizeof pattern, "%spath:{%s}:*", r->rc.prefix, r->source);
		redisAsyncCommand(ac, scan_reply, priv, "SCAN 0 MATCH %s COUNT " SCAN_COUNT, pattern);
	}
	redis_pump(r);
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
		redis_gone(r, cac->errstr[0] ? cac->errstr : "cannot connect");
		return;
	}
	HW_INFO(NULL, "redis: connected to %s", r->rc.socket ? r->rc.socket : r->rc.host);
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
	redis_gone(r, status == REDIS_OK ? "disconnected" : (ac->errstr[0] ? ac->errstr : "connection lost"));
}

static void redis_connect(struct redis *r)
{
	const struct redis_conf *c = &r->rc;
	redisAsyncContext *ac = c->socket ? redisAsyncConnectUnix(c->socket)
	                                        : redisAsyncConnect(c->host, c->port);

	if (!ac) {
		redis_lost(r, "out of memory");
		return;
	}
	if (ac->err) {
		char why[256];
		snprintf(why, sizeof why, "cannot connect: %s", ac->errstr);
		redisAsyncFree(ac);
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

	if (r->ac && r->connect_started && now - r->connect_started > r->rc.connect_timeout)
		redis_lost(r, "connect timed out");
	else if (r->ac && r->inflight && now - r->progress > r->rc.command_timeout)
		redis_lost(r, "no reply within command_timeout");
}

/* Copies of the strings of `rc`; -1 when out of memory. */
static int conf_copy(struct redis_conf *dst, const struct redis_conf *src)
{
	const char **fields[] = { &dst->host, &dst->socket, &dst->user, &dst->password, &dst->prefix };

	*dst = *src;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (*fields[i] && !(*fields[i] = strdup(*fields[i])))
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
	ev_timer_init(&r->retry, retry_cb, 0., 0.);
	tick = rc->command_timeout < rc->connect_timeout ? rc->command_timeout : rc->connect_timeout;
	ev_timer_init(&r->watchdog, watchdog_cb, tick / 2, tick / 2);
	ev_timer_start(loop, &r->watchdog);
	redis_connect(r);
	return r;
}

/* Drop the oldest unsent ordered item to make room; written ones stay,
 * their replies are on the way. */
static void drop_oldest(struct redis *r)
{
	struct item *prev = NULL, *it = r->head;

	while (it && it != r->unsent) {
		prev = it;
		it = it->next;
	}
	for (; it; prev = it, it = it->next) {
		if (it->coalesce)
			continue;
		if (r->unsent == it)
			r->unsent = it->next;
		if (prev)
			prev->next = it->next;
		else
			r->head = it->next;
		if (r->tail == it)
			r->tail = prev;
		r->nqueued--;
		r->nordered--;
		r->st.dropped++;
		free(it->cmd);
		free(it);
		return;
	}
}

void redis_command(redis *r, const char *coalesce, int argc, const char *const *argv)
{
	struct item *it;
	char *cmd;
	int len = redisFormatCommandArgv(&cmd, argc, (const char **)argv, NULL);

	if (len < 0)
		return;
	if (coalesce)
		for (it = r->unsent; it; it = it->next)
			if (it->coalesce && !strcmp(it->coalesce, coalesce)) {
				free(it->cmd);
				it->cmd = cmd;
				it->len = (size_t)len;
				return;
			}
	if (!coalesce && r->nordered >= (size_t)r->rc.queue) {
		drop_oldest(r);
		if (r->st.dropped == 1 || r->st.dropped % 1000 == 0)
			HW_WARN(NULL, "redis: queue full (%d); dropped the oldest change (%llu so far)",
			        r->rc.queue, (unsigned long long)r->st.dropped);
	}
	if (!(it = calloc(1, sizeof *it)) || (coalesce && !(it->coalesce = strdup(coalesce)))) {
		free(it);
		free(cmd);
		return;
	}
	it->cmd = cmd;
	it->len = (size_t)len;
	if (r->tail)
		r->tail->next = it;
	else
		r->head = it;
	r->tail = it;
	if (!r->unsent)
		r->unsent = it;
	r->nqueued++;
	if (!coalesce)
		r->nordered++;
	redis_pump(r);
}

struct redis_stats redis_get_stats(const redis *r)
{
	struct redis_stats s = r->st;

	s.queued = r->nqueued;
	return s;
}

void redis_free(redis *r)
{
	if (!r)
		return;
	ev_timer_stop(r->loop, &r->retry);
	ev_timer_stop(r->loop, &r->watchdog);
	if (r->nqueued)
		HW_WARN(NULL, "redis: %zu commands not written at exit", r->nqueued);
	if (r->ac) {
		redisAsyncContext *ac = r->ac;
		r->ac = NULL;
		ac->data = NULL;
		redisAsyncFree(ac);
	}
	while (r->head)
		pop_head(r);
	conf_release(&r->rc);
	free(r->source);
	free(r);
}
