/*
 * redis.h: the asynchronous Redis writer behind the path store (hiredis
 * on the daemon's libev loop).  Commands are queued and written in order;
 * each stays queued until Redis acknowledged it, so a connection lost
 * half-way resends it (at least once).  While Redis is down the daemon goes
 * on: commands wait in memory, reconnects back off exponentially, and
 * beyond `queue` kept changes the oldest is dropped and counted.  Nothing
 * is written before the stored paths were read back at start.
 * Commands with a coalescing key (the latest trace of a target) replace an
 * unsent one with the same key instead of piling up.  Those queue rules are
 * redisq.h's (pure); this file does the hiredis I/O on the loop.
 */
#ifndef HW_REDIS_H
#define HW_REDIS_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

struct ev_loop;
struct redisReply;

/* The writer. */
typedef struct redis redis;

/* Called once per stored path found at connection time: the probe, the
 * target and the "confirmed" field of its path hash (comma-separated
 * addresses, "*" for unknown). */
typedef void (*redis_seed_cb)(void *arg, const char *probe, const char *target, const char *hops);

/* What the writer did, since it was created. */
struct redis_stats {
	int connected;          /* 1 while connected and authenticated */
	size_t queued;          /* units (a change, a latest trace) waiting or unacknowledged */
	uint64_t dropped;       /* changes dropped because the queue was full */
	uint64_t errors;        /* commands Redis answered with an error */
};

/* A writer for the settings `rc` (copied), storing under keys of `source`
 * (this host, or a mesh group: the hash tag of every key it writes).  It
 * connects at once and, on its first connection, calls `seed` for every
 * path it finds (`seed` NULL: nothing is read first).  NULL when out of
 * memory. */
redis *redis_new(struct ev_loop *loop, const struct redis_conf *rc, const char *source,
                 redis_seed_cb seed, void *seed_arg);
/* Its settings. */
const struct redis_conf *redis_conf(const redis *r);
/* One command: argc words. */
struct redis_cmd {
	int argc;                    /* words */
	const char *const *argv;     /* the words */
};

/* Queue `n` (1 to 4) commands as one unit, written together and kept
 * until all are acknowledged.  `coalesce` NULL: an ordered unit (a
 * change), counted against redis.queue; else it replaces the commands of
 * an unsent unit queued with the same key (the latest trace of a target). */
void redis_command(redis *r, const char *coalesce, const struct redis_cmd *cmds, int n);
/* The reply to redis_query: hiredis' reply, valid during the call only,
 * or NULL when the connection was lost (or the writer freed) first. */
typedef void (*redis_reply_cb)(void *arg, const struct redisReply *reply);
/* Send one read (argc words) now, on the writer's connection, outside the
 * queue: it is not resent, the caller asks again later.  For the mesh's
 * member lists (mesh.c).  0 when sent (cb is then called exactly once),
 * -1 when not connected and ready, or out of memory (cb is not called). */
int redis_query(redis *r, redis_reply_cb cb, void *arg, int argc, const char *const *argv);
/* Counters. */
struct redis_stats redis_get_stats(const redis *r);
/* Disconnect and free; unsent commands are lost (logged).  NULL is fine. */
void redis_free(redis *r);

#endif
