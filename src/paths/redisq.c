/* redisq.c: the Redis writer's queue (see redisq.h). */
#include <stdlib.h>
#include <string.h>

#include "redisq.h"

static void item_free(struct redisq_item *it)
{
	for (int i = 0; i < it->ncmd; i++)
		free(it->cmd[i]);
	free(it->coalesce);
	free(it);
}

/* Unlink `it`, which follows `prev` (NULL: it is the head), and free it. */
static void unlink_item(struct redisq *q, struct redisq_item *prev, struct redisq_item *it)
{
	if (q->unsent == it)
		q->unsent = it->next;
	if (prev)
		prev->next = it->next;
	else
		q->head = it->next;
	if (q->tail == it)
		q->tail = prev;
	q->n--;
	if (!it->coalesce)
		q->nordered--;
	item_free(it);
}

/* Drop the oldest unsent ordered item; 1 when there was one. */
static int drop_oldest(struct redisq *q)
{
	struct redisq_item *prev = NULL, *it = q->head;

	while (it && it != q->unsent) {
		prev = it;
		it = it->next;
	}
	for (; it; prev = it, it = it->next)
		if (!it->coalesce) {
			unlink_item(q, prev, it);
			q->dropped++;
			return 1;
		}
	return 0;
}

/* Swap the commands of `it` into the unsent item with its key; 1 when
 * there was one (it then holds the old commands). */
static int coalesce(struct redisq *q, struct redisq_item *it)
{
	for (struct redisq_item *old = q->unsent; old; old = old->next) {
		if (!old->coalesce || strcmp(old->coalesce, it->coalesce) || old->ncmd != it->ncmd)
			continue;
		for (int i = 0; i < it->ncmd; i++) {
			char *c = old->cmd[i];
			size_t l = old->len[i];
			old->cmd[i] = it->cmd[i];
			old->len[i] = it->len[i];
			it->cmd[i] = c;
			it->len[i] = l;
		}
		return 1;
	}
	return 0;
}

enum redisq_pushed redisq_push(struct redisq *q, const char *key, char **cmd, const size_t *len, int n)
{
	struct redisq_item *it = n >= 1 && n <= REDISQ_ITEM_MAX_CMDS ? calloc(1, sizeof *it) : NULL;
	enum redisq_pushed r = REDISQ_QUEUED;

	if (!it) {
		for (int i = 0; i < n; i++)
			free(cmd[i]);
		return REDISQ_ERROR;
	}
	for (int i = 0; i < n; i++) {
		it->cmd[i] = cmd[i];
		it->len[i] = len[i];
	}
	it->ncmd = n;
	if (key && !(it->coalesce = strdup(key))) {
		item_free(it);
		return REDISQ_ERROR;
	}
	if (key && coalesce(q, it)) {
		item_free(it);
		return REDISQ_COALESCED;
	}
	if (!key && q->nordered >= q->limit && drop_oldest(q))
		r = REDISQ_DROPPED;
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	if (!q->unsent)
		q->unsent = it;
	q->n++;
	if (!key)
		q->nordered++;
	return r;
}

struct redisq_item *redisq_unsent(const struct redisq *q)
{
	return q->unsent;
}

void redisq_sent(struct redisq *q)
{
	if (q->unsent)
		q->unsent = q->unsent->next;
}

int redisq_ack(struct redisq *q)
{
	if (!q->head || ++q->head->acked < q->head->ncmd)
		return 0;
	unlink_item(q, NULL, q->head);
	return 1;
}

void redisq_rewind(struct redisq *q)
{
	q->unsent = q->head;
	for (struct redisq_item *it = q->head; it; it = it->next)
		it->acked = 0;
}

void redisq_clear(struct redisq *q)
{
	while (q->head)
		unlink_item(q, NULL, q->head);
}
