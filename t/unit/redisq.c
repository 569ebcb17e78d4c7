/* t/unit/redisq.c: the Redis writer's queue (src/paths/redisq.h) without a
 * server: write order, acknowledgement, resend after a lost connection,
 * coalescing, and drop-oldest when full. */
#include <stdlib.h>
#include <string.h>

#include "redisq.h"
#include "test-lib.h"

/* Push an item of the commands named in `words` (space-separated). */
static enum redisq_pushed push(struct redisq *q, const char *key, const char *words)
{
	char *cmd[REDISQ_ITEM_MAX_CMDS], copy[256], *save, *w;
	size_t len[REDISQ_ITEM_MAX_CMDS];
	int n = 0;

	strcpy(copy, words);
	for (w = strtok_r(copy, " ", &save); w && n < REDISQ_ITEM_MAX_CMDS; w = strtok_r(NULL, " ", &save)) {
		cmd[n] = strdup(w);
		len[n] = strlen(w);
		n++;
	}
	return redisq_push(q, key, cmd, len, n);
}

/* Write everything unsent, as redis_pump does; the commands, space-separated, into out. */
static const char *pump(struct redisq *q)
{
	static char out[1024];
	struct redisq_item *it;

	out[0] = '\0';
	for (; (it = redisq_unsent(q)); redisq_sent(q))
		for (int i = 0; i < it->ncmd; i++) {
			if (out[0])
				strcat(out, " ");
			strncat(out, it->cmd[i], it->len[i]);
		}
	return out;
}

/* `n` replies. */
static int ack(struct redisq *q, int n)
{
	int left = 0;

	while (n--)
		left += redisq_ack(q);
	return left;
}

int main(void)
{
	struct redisq q = { .limit = 3 };

	/* Order and acknowledgement. */
	is_int(push(&q, NULL, "XADD1 HSET1 PUB1"), REDISQ_QUEUED, "a change: queued");
	is_int(push(&q, "trace:a", "HSETa1"), REDISQ_QUEUED, "a trace: queued");
	is_int(q.n, 2, "two items");
	is_int(q.nordered, 1, "one of them ordered");
	is_str(pump(&q), "XADD1 HSET1 PUB1 HSETa1", "written oldest first, an item's commands together");
	is_str(pump(&q), "", "nothing left unsent");
	is_int(ack(&q, 2), 0, "two replies of three: the change stays");
	is_int(ack(&q, 1), 1, "the third: the change leaves");
	is_int(q.n, 1, "one item left");
	is_int(q.nordered, 0, "no ordered item left");

	/* A lost connection: the unacknowledged trace and what came since are written again. */
	push(&q, NULL, "XADD2 HSET2 PUB2");
	is_str(pump(&q), "XADD2 HSET2 PUB2", "the new change written");
	redisq_rewind(&q);
	is_str(pump(&q), "HSETa1 XADD2 HSET2 PUB2", "after a lost connection: all of it again, in order");
	is_int(ack(&q, 1), 1, "the trace acknowledged");
	ack(&q, 1);
	redisq_rewind(&q);
	is_str(pump(&q), "XADD2 HSET2 PUB2", "replies of the lost connection are forgotten: the whole change again");
	is_int(ack(&q, 3), 1, "acknowledged");
	is_int(q.n, 0, "empty");
	ok(!q.head && !q.tail && !q.unsent, "empty queue: no head, tail or unsent");
	is_int(ack(&q, 1), 0, "a reply on an empty queue is harmless");

	/* Coalescing: only unsent items with the same key and as many commands. */
	push(&q, "trace:a", "A1");
	push(&q, NULL, "C1");
	is_int(push(&q, "trace:a", "A2"), REDISQ_COALESCED, "a newer trace of a replaces the unsent one");
	is_int(push(&q, "trace:b", "B1"), REDISQ_QUEUED, "another target's trace is queued");
	is_int(push(&q, "trace:a", "A3 X"), REDISQ_QUEUED, "a different number of commands is not coalesced");
	is_str(pump(&q), "A2 C1 B1 A3 X", "the replaced trace kept its place, before the change");
	is_int(push(&q, "trace:b", "B2"), REDISQ_QUEUED, "a written trace is not replaced: B2 queued");
	is_str(pump(&q), "B2", "B2 written after B1");
	redisq_clear(&q);
	is_int(q.n, 0, "cleared");

	/* Full: the oldest unsent ordered item goes; written ones and traces stay. */
	push(&q, NULL, "C1");
	is_str(pump(&q), "C1", "C1 written");
	push(&q, "trace:a", "A1");
	push(&q, NULL, "C2");
	push(&q, NULL, "C3");
	is_int(q.nordered, 3, "three changes: at the limit");
	is_int(push(&q, NULL, "C4"), REDISQ_DROPPED, "a fourth change drops one");
	is_int(q.dropped, 1, "dropped counted");
	is_int(q.nordered, 3, "still three changes");
	is_str(pump(&q), "A1 C3 C4", "C2, the oldest unsent change, went; C1 (written) and the trace stay");
	is_int(push(&q, NULL, "C5"), REDISQ_QUEUED, "all written: nothing to drop, C5 is kept anyway");
	is_int(q.nordered, 4, "four changes, over the limit until replies come");
	is_int(q.dropped, 1, "no more dropped");
	for (int i = 0; i < 3; i++)
		push(&q, "trace:t", "T");
	is_int(q.n, 6, "traces never count against the limit nor drop changes");
	is_int(ack(&q, 1), 1, "C1 acknowledged");
	is_int(ack(&q, 1), 1, "A1 acknowledged");
	redisq_clear(&q);

	/* A bad count: nothing queued, the commands freed (ASan sees leaks). */
	{
		char *cmd[REDISQ_ITEM_MAX_CMDS + 1];
		size_t len[REDISQ_ITEM_MAX_CMDS + 1] = { 0 };
		for (int i = 0; i < REDISQ_ITEM_MAX_CMDS + 1; i++)
			cmd[i] = strdup("x");
		is_int(redisq_push(&q, NULL, cmd, len, REDISQ_ITEM_MAX_CMDS + 1), REDISQ_ERROR, "too many commands refused");
		is_int(q.n, 0, "nothing queued");
	}
	return done_testing();
}
