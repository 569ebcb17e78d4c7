/*
 * redisq.h: the Redis writer's queue, pure (no hiredis, no loop, no clock):
 * what is kept, in which order it is written, what a reply acknowledges,
 * what a lost connection resends, what coalesces and what is dropped when
 * full.  redis.c does the I/O around it.  Unit-tested without a server in
 * t/unit/redisq.c.
 *
 * An item is a unit of 1 to REDISQ_ITEM_MAX_CMDS encoded commands that
 * stand or fall together (a change: XADD, HSET, PUBLISH).  Items are
 * written oldest first and leave the queue only when Redis answered every
 * command of the item (replies come in order, so each reply is the oldest
 * written item's).  After a lost connection every item still queued is
 * written again from the oldest (at least once).
 *
 * - Coalescing: an item with a key (the latest trace of a target) replaces
 *   the commands of an unsent item with the same key and as many commands,
 *   which keeps its place; it is never dropped and not counted in `limit`.
 * - Ordered items (no key: changes) are counted; when `limit` of them are
 *   queued, a new one drops the oldest unsent ordered item (written ones
 *   stay: their replies are on the way) and counts it in `dropped`.
 */
#ifndef HW_REDISQ_H
#define HW_REDISQ_H

#include <stddef.h>
#include <stdint.h>

/* Most commands in one item (a change is XADD, HSET and PUBLISH). */
#define REDISQ_ITEM_MAX_CMDS 4

/* One queued unit. */
struct redisq_item {
	char *cmd[REDISQ_ITEM_MAX_CMDS];   /* the encoded commands (RESP), owned, freed with free() */
	size_t len[REDISQ_ITEM_MAX_CMDS];  /* their lengths, bytes */
	int ncmd;                          /* how many */
	int acked;                         /* replies received for it on this connection */
	char *coalesce;                    /* coalescing key (owned), or NULL for an ordered item */
	struct redisq_item *next;          /* the next younger item */
};

/* The queue.  Zero it, then set `limit`. */
struct redisq {
	struct redisq_item *head;    /* oldest item, the one the next reply is for */
	struct redisq_item *tail;    /* youngest item */
	struct redisq_item *unsent;  /* oldest item not yet written on this connection, or NULL */
	size_t n;                    /* items queued */
	size_t nordered;             /* of which ordered (no coalescing key) */
	size_t limit;                /* ordered items kept before the oldest unsent is dropped (>= 1) */
	uint64_t dropped;            /* ordered items dropped since the queue was made */
};

/* What redisq_push did. */
enum redisq_pushed {
	REDISQ_ERROR = -1,      /* out of memory or a bad count: nothing queued, cmd freed */
	REDISQ_QUEUED = 0,      /* appended */
	REDISQ_COALESCED = 1,   /* replaced the commands of an unsent item with the same key */
	REDISQ_DROPPED = 2,     /* appended after dropping the oldest unsent ordered item */
};

/* Queue the `n` encoded commands cmd[0..n-1] (malloc'd; the queue takes
 * them in every case) of lengths len[], as one item with coalescing key
 * `coalesce` (copied; NULL: ordered). */
enum redisq_pushed redisq_push(struct redisq *q, const char *coalesce, char **cmd, const size_t *len,
                               int n);
/* The oldest unsent item, or NULL; redisq_sent() once all of its
 * commands were handed to the connection. */
struct redisq_item *redisq_unsent(const struct redisq *q);
/* The oldest unsent item was written: the next one is unsent now. */
void redisq_sent(struct redisq *q);
/* A reply to a written command arrived: it is the oldest item's; once all
 * of its commands are answered the item leaves the queue.  Returns 1 when
 * an item left, 0 otherwise (also on an empty queue). */
int redisq_ack(struct redisq *q);
/* The connection was lost: every item still queued is unsent again and
 * its replies are forgotten. */
void redisq_rewind(struct redisq *q);
/* Free every item. */
void redisq_clear(struct redisq *q);

#endif
