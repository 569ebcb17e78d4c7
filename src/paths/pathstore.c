/* pathstore.c: see pathstore.h. */
#include <stdlib.h>
#include <string.h>

#include "pathdiff.h"
#include "pathstore.h"

/* One (probe, target) entry. */
struct entry {
	char *probe;                 /* probe instance name */
	char *target;                /* target as configured */
	struct path_hops confirmed;  /* the last confirmed path */
	struct path_hops cand;       /* a different path seen lately */
	unsigned cand_seen;          /* consecutive traces matching cand; 0: none */
	unsigned changes;            /* changes confirmed since start */
	struct entry *next;          /* hash chain */
};

struct pathstore {
	unsigned confirm;            /* traces needed to confirm a change */
	struct entry **buckets;      /* hash table */
	size_t nbuckets;             /* its size, a power of two */
	size_t n;                    /* entries */
};

pathstore *pathstore_new(unsigned confirm)
{
	struct pathstore *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->confirm = confirm ? confirm : 1;
	s->nbuckets = 64;
	if (!(s->buckets = calloc(s->nbuckets, sizeof *s->buckets))) {
		free(s);
		return NULL;
	}
	return s;
}

static size_t key_hash(const char *probe, const char *target)
{
	size_t h = 2166136261u;

	for (; *probe; probe++)
		h = (h ^ (unsigned char)*probe) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (; *target; target++)
		h = (h ^ (unsigned char)*target) * 16777619u;
	return h;
}

static struct entry *lookup(const struct pathstore *s, const char *probe, const char *target)
{
	struct entry *e = s->buckets[key_hash(probe, target) & (s->nbuckets - 1)];

	while (e && (strcmp(e->probe, probe) || strcmp(e->target, target)))
		e = e->next;
	return e;
}

/* Double the table when it is full. */
static void grow(struct pathstore *s)
{
	size_t nb = s->nbuckets * 2;
	struct entry **b = calloc(nb, sizeof *b);

	if (!b)
		return;  /* keep the longer chains */
	for (size_t i = 0; i < s->nbuckets; i++)
		while (s->buckets[i]) {
			struct entry *e = s->buckets[i];
			size_t k = key_hash(e->probe, e->target) & (nb - 1);
			s->buckets[i] = e->next;
			e->next = b[k];
			b[k] = e;
		}
	free(s->buckets);
	s->buckets = b;
	s->nbuckets = nb;
}

/* The entry of (probe, target), created empty when new; NULL when out of memory. */
static struct entry *get_or_add(struct pathstore *s, const char *probe, const char *target, int *created)
{
	struct entry *e = lookup(s, probe, target);
	size_t k;

	*created = 0;
	if (e)
		return e;
	if (!(e = calloc(1, sizeof *e)) || !(e->probe = strdup(probe)) || !(e->target = strdup(target))) {
		if (e)
			free(e->probe);
		free(e);
		return NULL;
	}
	if (s->n >= s->nbuckets)
		grow(s);
	k = key_hash(probe, target) & (s->nbuckets - 1);
	e->next = s->buckets[k];
	s->buckets[k] = e;
	s->n++;
	*created = 1;
	return e;
}

/* path_diff() of two stored paths: 0 when compatible, else the first
 * TTL where they name different addresses. */
static unsigned diff(const struct path_hops *a, const struct path_hops *b)
{
	const char *pa[PATH_MAX_HOPS], *pb[PATH_MAX_HOPS];

	for (unsigned i = 0; i < a->n; i++)
		pa[i] = a->hop[i];
	for (unsigned i = 0; i < b->n; i++)
		pb[i] = b->hop[i];
	return path_diff(pa, a->n, pb, b->n);
}

/* Fill unknown hops of `into` from the compatible `from`, and extend it
 * up to the last hop `from` knows (trailing unknowns teach nothing). */
static void learn(struct path_hops *into, const struct path_hops *from)
{
	unsigned known = from->n;

	while (known && !from->hop[known - 1][0])
		known--;
	for (unsigned i = 0; i < known; i++)
		if (i >= into->n || !into->hop[i][0])
			memcpy(into->hop[i], from->hop[i], sizeof into->hop[i]);
	if (known > into->n)
		into->n = known;
}

int pathstore_feed(pathstore *s, const char *probe, const char *target,
                   const struct path_hops *hops, struct path_change *chg)
{
	int created;
	struct entry *e = get_or_add(s, probe, target, &created);

	if (!e)
		return 0;
	if (created) {
		e->confirmed = *hops;
		return 0;
	}
	if (!diff(&e->confirmed, hops)) {
		learn(&e->confirmed, hops);
		e->cand_seen = 0;
		return 0;
	}
	if (e->cand_seen && !diff(&e->cand, hops)) {
		learn(&e->cand, hops);
		e->cand_seen++;
	} else {
		e->cand = *hops;
		e->cand_seen = 1;
	}
	if (e->cand_seen < s->confirm)
		return 0;
	chg->old_path = e->confirmed;
	chg->new_path = e->cand;
	chg->first_diff_ttl = diff(&e->confirmed, &e->cand);
	e->confirmed = e->cand;
	e->cand_seen = 0;
	e->changes++;
	return 1;
}

int pathstore_seed(pathstore *s, const char *probe, const char *target,
                   const struct path_hops *hops)
{
	int created;
	struct entry *e = get_or_add(s, probe, target, &created);

	if (!e)
		return -1;
	if (e->changes)
		return 0;  /* a change since start already moved past the stored path */
	e->confirmed = *hops;
	e->cand_seen = 0;
	return 0;
}

const struct path_hops *pathstore_get(const pathstore *s, const char *probe, const char *target)
{
	const struct entry *e = lookup(s, probe, target);

	return e ? &e->confirmed : NULL;
}

void pathstore_forget(pathstore *s, const char *probe, const char *target)
{
	for (struct entry **pe = &s->buckets[key_hash(probe, target) & (s->nbuckets - 1)]; *pe; pe = &(*pe)->next)
		if (!strcmp((*pe)->probe, probe) && !strcmp((*pe)->target, target)) {
			struct entry *e = *pe;
			*pe = e->next;
			free(e->probe);
			free(e->target);
			free(e);
			s->n--;
			return;
		}
}

void pathstore_free(pathstore *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nbuckets; i++)
		while (s->buckets[i]) {
			struct entry *e = s->buckets[i];
			s->buckets[i] = e->next;
			free(e->probe);
			free(e->target);
			free(e);
		}
	free(s->buckets);
	free(s);
}
