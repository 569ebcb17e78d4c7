/* mesh.c: mesh groups in Redis, on the daemon's loop (see mesh.h).  What
 * is read is checked by meshreg.c (pure); this file does the heartbeats,
 * the reads, the results and feeds the instances. */
#include <ev.h>
#include <hiredis/hiredis.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "instance.h"
#include "keys.h"
#include "mesh.h"
#include "meshreg.h"
#include "redis.h"
#include "targets.h"

/* Seconds before a read that could not be sent (Redis not ready) is tried again. */
#define READ_RETRY 0.5
/* Seconds between two notes of one refused member address per instance. */
#define REFUSED_QUIET 600.
/* Refused (member, address) pairs remembered per instance for that. */
#define REFUSED_MAX 1024

/* A peer of one instance: a target the mesh gave it, and its latest result. */
struct peer {
	char name[MESH_NAME_MAX + 1];   /* the member */
	char ip[INET6_ADDRSTRLEN];      /* the address probed */
	char field[2 * MESH_NAME_MAX + 8]; /* its field in our results hash */
	double loss;                    /* this round so far: loss percent (100 until the plugin says) */
	double rtt;                     /* this round so far: average RTT ms, -1 when none */
	struct mesh_result res;         /* the last complete round */
	int has;                        /* res holds a round */
	int dirty;                      /* res not written yet */
};

/* One instance fed by a group. */
struct binding {
	struct hw_ctx *ctx;             /* the instance */
	struct mesh_cidr *allow;        /* its mesh_allow */
	size_t nallow;                  /* how many */
	struct peer *peers;             /* its current targets, sorted by ip */
	size_t npeers;                  /* how many */
	char **gone;                    /* results fields of peers that left: HDEL at the next write */
	size_t ngone;                   /* how many */
	uint64_t refused[REFUSED_MAX];  /* hashes of (member, address) pairs noted as refused */
	size_t nrefused;                /* used */
	double refused_reset;           /* ev_now() when refused was last emptied */
	struct binding *next;           /* the group's list */
};

/* One group this daemon is a member of. */
struct group {
	struct mesh *m;                 /* owner */
	char name[MESH_NAME_MAX + 1];   /* the group */
	redis *w;                       /* its writer: hash tag {name} */
	struct mesh_table table;        /* the members (meshreg.h) */
	int reading;                    /* a read is on its way */
	int fed;                        /* the instances were given the table at least once */
	ev_timer tick;                  /* heartbeat, results and read, every ttl/3 */
	ev_timer retry;                 /* a read that could not be sent */
	struct binding *bindings;       /* instances fed */
	unsigned joined;                /* members that joined in the current update (logged after it) */
	char joined_names[256];         /* the first of them, for that line */
	char joined_one[512];           /* the line of a single join: its addresses too */
	char members_key[1024];         /* <prefix>mesh:{G}:members */
	char entry[MESH_NAME_MAX + MESH_ID_LEN + 2]; /* our entry in it: "<name>:<id>" */
	char member_key[1024];          /* our registration */
	char results_key[1024];         /* our results */
};

struct mesh {
	struct ev_loop *loop;           /* the daemon's loop */
	char self[MESH_NAME_MAX + 1];   /* our member name */
	char id[MESH_ID_LEN + 1];       /* this run's id */
	char *prefix;                   /* redis.prefix */
	double ttl;                     /* mesh.ttl, seconds */
	struct strlist addresses;       /* mesh.addresses (copied) */
	struct strlist tags;            /* mesh.tags (copied) */
	int warned_noaddr;              /* "no address to register" was logged */
	int stopping;                   /* mesh_stopping was called: nothing more is deleted */
	struct group *groups;           /* one per group a probe names */
	size_t ngroups;                 /* how many */
};

static void group_read(struct group *g);

/* ---- notes from the member table ---- */

/* The addresses of a registration, comma-separated, for logs. */
static const char *addr_list(char *buf, size_t cap, const struct mesh_reg *r)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < r->n4 + r->n6 && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "",
		                        i < r->n4 ? r->v4[i] : r->v6[i - r->n4]);
	return buf;
}

static void table_note(void *arg, enum mesh_note what, const struct mesh_member *mm, const char *detail)
{
	struct group *g = arg;
	char a[512];

	switch (what) {
	case MESH_JOINED: {
		/* one line per update: a daemon starting in a big group sees every member join */
		size_t l = strlen(g->joined_names);
		if (!g->joined++)
			snprintf(g->joined_one, sizeof g->joined_one, "%s joined (%s)", mm->reg.name,
			         addr_list(a, sizeof a, &mm->reg));
		if (l + strlen(mm->reg.name) + 8 < sizeof g->joined_names)
			snprintf(g->joined_names + l, sizeof g->joined_names - l, "%s%s", l ? ", " : "", mm->reg.name);
		else if (!strstr(g->joined_names, "..."))
			snprintf(g->joined_names + l, sizeof g->joined_names - l, ", ...");
		break;
	}
	case MESH_LEFT:
		HW_INFO(NULL, "mesh %s: %s left (its registration expired)", g->name, mm->reg.name);
		break;
	case MESH_CHANGED:
		HW_INFO(NULL, "mesh %s: %s now registers %s", g->name, mm->reg.name, addr_list(a, sizeof a, &mm->reg));
		break;
	case MESH_RESTARTED:
		HW_INFO(NULL, "mesh %s: %s restarted (id %s; %s)", g->name, mm->reg.name, mm->reg.id,
		        addr_list(a, sizeof a, &mm->reg));
		break;
	case MESH_INVALID:
		HW_WARN(NULL, "mesh %s: ignoring the registration of \"%s\": %s (repeated at most every %gs)",
		        g->name, mm->reg.name, detail, g->table.quiet);
		break;
	case MESH_DUPLICATE:
		HW_ERROR(NULL, "mesh %s: two hosts register as \"%s\" (ids %s and %s): keeping the first's "
		         "addresses (%s) until it stops heartbeating; give each host its own hostname",
		         g->name, mm->reg.name, mm->reg.id, detail, addr_list(a, sizeof a, &mm->reg));
		break;
	case MESH_SELF_TAKEN:
		HW_ERROR(NULL, "mesh %s: another hopwatchd (id %s; ours is %s) registers as \"%s\" too: "
		         "two hosts share this name; give each its own hostname", g->name, detail, g->m->id,
		         g->m->self);
		break;
	}
}

/* ---- feeding the instances ---- */

/* FNV-1a of a member and an address, for the refused-address notes. */
static uint64_t pair_hash(const char *name, const char *ip)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *s = name; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h = (h ^ '|') * 1099511628211ULL;
	for (const char *s = ip; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Note once (per REFUSED_QUIET) that `ip` of `name` is not probed by `b`. */
static void note_refused(struct group *g, struct binding *b, const char *name, const char *ip, const char *why)
{
	uint64_t h = pair_hash(name, ip);
	double now = ev_now(g->m->loop);

	if (now - b->refused_reset > REFUSED_QUIET) {
		b->nrefused = 0;
		b->refused_reset = now;
	}
	for (size_t i = 0; i < b->nrefused; i++)
		if (b->refused[i] == h)
			return;
	if (b->nrefused < REFUSED_MAX)
		b->refused[b->nrefused++] = h;
	HW_WARN(b->ctx, "mesh %s: not probing %s of \"%s\": it %s", g->name, ip, name, why);
}

/* The first address of `n` in `addrs` that `b` may probe, or NULL. */
static const char *pick(struct group *g, struct binding *b, const char *name, const char *addrs,
                        size_t width, unsigned n)
{
	const char *found = NULL, *why;

	for (unsigned i = 0; i < n; i++) {
		const char *ip = addrs + i * width;
		if ((why = meshreg_addr_problem(ip, b->allow, b->nallow)))
			note_refused(g, b, name, ip, why);
		else if (!found)
			found = ip;
	}
	return found;
}

static int peer_cmp(const void *a, const void *b)
{
	return strcmp(((const struct peer *)a)->ip, ((const struct peer *)b)->ip);
}

/* The peer of `b` probed at `ip`, or NULL. */
static struct peer *peer_find(struct binding *b, const char *ip)
{
	struct peer key;

	snprintf(key.ip, sizeof key.ip, "%s", ip);
	return b->npeers ? bsearch(&key, b->peers, b->npeers, sizeof key, peer_cmp) : NULL;
}

/* Give instance `b` the group's current members as targets. */
static void feed(struct group *g, struct binding *b)
{
	const struct mesh_table *t = &g->table;
	const struct probe_conf *pc = b->ctx->pc;
	size_t cap = 2 * t->n + 1, n = 0;
	struct target_spec *specs = calloc(cap, sizeof *specs);
	const char **tagv = calloc(cap * (MESH_TAGS_MAX + 2), sizeof *tagv);
	char (*peertag)[MESH_NAME_MAX + 8] = calloc(cap, sizeof *peertag);
	struct peer *np = calloc(cap, sizeof *np);

	if (!specs || !tagv || !peertag || !np) {
		HW_ERROR(b->ctx, "mesh %s: out of memory for the targets", g->name);
		goto out;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct mesh_reg *r = &t->m[i].reg;
		const char *ip[2] = { NULL, NULL };
		if (!r->id[0])
			continue;  /* a name only noted (invalid, or ours) */
		if (pc->family != FAMILY_IPV6)
			ip[0] = pick(g, b, r->name, r->v4[0], sizeof r->v4[0], r->n4);
		if (pc->family != FAMILY_IPV4)
			ip[1] = pick(g, b, r->name, r->v6[0], sizeof r->v6[0], r->n6);
		for (int f = 0; f < 2; f++) {
			if (!ip[f])
				continue;
			const char **tv = tagv + n * (MESH_TAGS_MAX + 2);
			snprintf(peertag[n], sizeof peertag[n], "peer:%s", r->name);
			tv[0] = peertag[n];
			for (unsigned k = 0; k < r->ntags; k++)
				tv[k + 1] = r->tags[k];
			specs[n] = (struct target_spec){ ip[f], (uint16_t)pc->mesh_port, tv };
			snprintf(np[n].name, sizeof np[n].name, "%s", r->name);
			snprintf(np[n].ip, sizeof np[n].ip, "%s", ip[f]);
			/* both families of one peer: the IPv6 results under "<probe>/v6" */
			char probe[MESH_NAME_MAX + 8];
			snprintf(probe, sizeof probe, "%s%s", pc->name, f && pc->family == FAMILY_ANY ? "/v6" : "");
			keys_mesh_field(np[n].field, sizeof np[n].field, probe, r->name);
			np[n].loss = 100;
			np[n].rtt = -1;
			n++;
		}
	}
	qsort(np, n, sizeof *np, peer_cmp);
	/* results carry over; peers that left have their fields deleted */
	for (size_t i = 0; i < n; i++) {
		struct peer *old = peer_find(b, np[i].ip);
		if (old && !strcmp(old->field, np[i].field)) {
			np[i] = *old;
			old->field[0] = '\0';
		}
	}
	for (size_t i = 0; i < b->npeers; i++) {
		char **ng;
		if (!b->peers[i].field[0] || !b->peers[i].has)
			continue;
		if ((ng = realloc(b->gone, (b->ngone + 1) * sizeof *ng)) && (ng[b->ngone] = strdup(b->peers[i].field))) {
			b->gone = ng;
			b->ngone++;
		} else if (ng)
			b->gone = ng;
	}
	free(b->peers);
	b->peers = np;
	b->npeers = n;
	np = NULL;
	if (instance_set_targets(b->ctx, specs, n) < 0)
		HW_ERROR(b->ctx, "mesh %s: this instance takes no dynamic targets", g->name);
out:
	free(specs);
	free(tagv);
	free(peertag);
	free(np);
}

/* ---- Redis: heartbeat, results, reads ---- */

/* Add address text `ip` (of its family) to `r` unless it is there or full. */
static void add_addr(struct mesh_reg *r, const char *ip)
{
	int v6 = strchr(ip, ':') != NULL;
	unsigned *cnt = v6 ? &r->n6 : &r->n4;
	size_t width = v6 ? sizeof r->v6[0] : sizeof r->v4[0], len = strlen(ip);
	char *rows = v6 ? r->v6[0] : r->v4[0];

	if (*cnt >= MESH_ADDRS_MAX || len >= width)
		return;
	for (unsigned k = 0; k < *cnt; k++)
		if (!strcmp(rows + k * width, ip))
			return;
	memcpy(rows + (*cnt)++ * width, ip, len + 1);
}

/* This host's addresses: mesh.addresses, else those of its up interfaces
 * but loopback and link-local. */
static void own_addresses(struct mesh *m, struct mesh_reg *r)
{
	struct ifaddrs *ifa = NULL;

	for (size_t i = 0; i < m->addresses.n; i++)
		add_addr(r, m->addresses.v[i]);
	if (m->addresses.n || getifaddrs(&ifa) < 0)
		return;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		char ip[INET6_ADDRSTRLEN];
		int fam = i->ifa_addr ? i->ifa_addr->sa_family : 0;
		if ((fam != AF_INET && fam != AF_INET6) || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		const void *a = fam == AF_INET ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
		                               : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		if (inet_ntop(fam, a, ip, sizeof ip) && !meshreg_addr_problem(ip, NULL, 0))
			add_addr(r, ip);
	}
	freeifaddrs(ifa);
}

/* SET our registration, SADD our name, keep our results alive. */
static void heartbeat(struct group *g)
{
	struct mesh *m = g->m;
	struct mesh_reg r = { .ts = (long long)time(NULL) };
	char json[MESH_REG_MAX + 1], px[32];

	snprintf(r.name, sizeof r.name, "%s", m->self);
	snprintf(r.id, sizeof r.id, "%s", m->id);
	own_addresses(m, &r);
	for (size_t i = 0; i < m->tags.n && i < MESH_TAGS_MAX; i++)
		snprintf(r.tags[r.ntags++], sizeof r.tags[0], "%s", m->tags.v[i]);
	if (!r.n4 && !r.n6) {
		if (!m->warned_noaddr++)
			HW_WARN(NULL, "mesh %s: this host has no address to register (no up interface but loopback "
			        "and link-local): set mesh.addresses; probing the other members meanwhile", g->name);
		return;
	}
	m->warned_noaddr = 0;
	if (!meshreg_write(json, sizeof json, &r))
		return;
	snprintf(px, sizeof px, "%.0f", m->ttl * 1000);
	const char *set[] = { "SET", g->member_key, json, "PX", px };
	const char *sadd[] = { "SADD", g->members_key, g->entry };
	const char *exp[] = { "PEXPIRE", g->results_key, px };
	const struct redis_cmd cmds[] = { { 5, set }, { 3, sadd }, { 3, exp } };
	redis_command(g->w, "heartbeat", cmds, 3);
}

/* Write the results of the rounds that ended since the last write (every
 * result when the writer still holds an earlier write: it is replaced). */
static void write_results(struct group *g)
{
	struct redis_stats st = redis_get_stats(g->w);
	int all = st.queued > 0 || !st.connected;
	size_t n = 0, ngone = 0, cap = 2;
	char px[32];

	for (struct binding *b = g->bindings; b; b = b->next) {
		for (size_t i = 0; i < b->npeers; i++)
			cap += 2 * (b->peers[i].has && (all || b->peers[i].dirty));
		ngone += b->ngone;
	}
	if (cap == 2 && !ngone)
		return;
	const char **argv = calloc(cap, sizeof *argv), **hdel = calloc(ngone + 2, sizeof *hdel);
	char (*json)[256] = calloc(cap / 2, sizeof *json);
	if (!argv || !hdel || !json)
		goto out;
	argv[n++] = "HSET";
	argv[n++] = g->results_key;
	hdel[0] = "HDEL";
	hdel[1] = g->results_key;
	ngone = 2;
	for (struct binding *b = g->bindings; b; b = b->next) {
		for (size_t i = 0; i < b->npeers; i++) {
			struct peer *p = &b->peers[i];
			if (!p->has || !(all || p->dirty) || !meshreg_result_write(json[n / 2 - 1], sizeof json[0], &p->res))
				continue;
			argv[n++] = p->field;
			argv[n] = json[n / 2 - 1];
			n++;
			p->dirty = 0;
		}
		for (size_t i = 0; i < b->ngone; i++)
			hdel[ngone++] = b->gone[i];
	}
	snprintf(px, sizeof px, "%.0f", g->m->ttl * 1000);
	const char *exp[] = { "PEXPIRE", g->results_key, px };
	struct redis_cmd cmds[3];
	int nc = 0;
	if (n > 2)
		cmds[nc++] = (struct redis_cmd){ (int)n, argv };
	if (ngone > 2)
		cmds[nc++] = (struct redis_cmd){ (int)ngone, hdel };
	cmds[nc++] = (struct redis_cmd){ 3, exp };
	redis_command(g->w, "results", cmds, nc);
	for (struct binding *b = g->bindings; b; b = b->next) {
		for (size_t i = 0; i < b->ngone; i++)
			free(b->gone[i]);
		b->ngone = 0;
	}
out:
	free(argv);
	free(hdel);
	free(json);
}

/* Feed every instance of the group. */
static void feed_all(struct group *g)
{
	for (struct binding *b = g->bindings; b; b = b->next)
		feed(g, b);
	g->fed = 1;
}

/* A read between its two replies: the member set entries asked for. */
struct pending {
	struct group *g;                /* the group */
	size_t n;                       /* entries */
	char **names;                   /* "<name>:<id>", in the order of the MGET */
};

static void pending_free(struct pending *p)
{
	for (size_t i = 0; p && i < p->n; i++)
		free(p->names[i]);
	if (p)
		free(p->names);
	free(p);
}

/* Apply a complete read to the table, and feed the instances when it changed. */
static void apply_read(struct group *g, const struct mesh_read *rd, size_t n)
{
	int changed;

	g->joined = 0;
	g->joined_names[0] = '\0';
	changed = mesh_table_update(&g->table, rd, n, ev_now(g->m->loop));
	if (g->joined == 1)
		HW_INFO(NULL, "mesh %s: %s", g->name, g->joined_one);
	else if (g->joined)
		HW_INFO(NULL, "mesh %s: %u members joined (%s)", g->name, g->joined, g->joined_names);
	if (changed < 0)
		HW_ERROR(NULL, "mesh %s: out of memory for the member table", g->name);
	else if (changed > 0 || !g->fed)
		feed_all(g);
}

/* The registrations (MGET), in the order of the names asked. */
static void mget_reply(void *arg, const redisReply *rep)
{
	struct pending *p = arg;
	struct group *g = p->g;
	struct mesh_read *rd;

	g->reading = 0;
	if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != p->n) {
		if (rep)
			HW_WARN(NULL, "mesh %s: cannot read the registrations: %s", g->name,
			        rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
		pending_free(p);
		return;
	}
	char (*split)[2][MESH_NAME_MAX + 1] = calloc(p->n + 1, sizeof *split);
	if (!(rd = calloc(p->n + 1, sizeof *rd)) || !split) {
		free(rd);
		free(split);
		pending_free(p);
		return;
	}
	for (size_t i = 0; i < p->n; i++) {
		const redisReply *v = rep->element[i];
		meshreg_entry_split(p->names[i], split[i][0], split[i][1]);  /* checked when asked */
		rd[i].name = split[i][0];
		rd[i].id = split[i][1];
		rd[i].json = v->type == REDIS_REPLY_STRING ? v->str : NULL;
		rd[i].len = v->type == REDIS_REPLY_STRING ? v->len : 0;
		if (!rd[i].json) {
			/* expired: out of the set (a member that comes back adds itself again) */
			const char *srem[] = { "SREM", g->members_key, p->names[i] };
			const struct redis_cmd c = { 3, srem };
			redis_command(g->w, NULL, &c, 1);
		}
	}
	apply_read(g, rd, p->n);
	free(rd);
	free(split);
	pending_free(p);
}

/* The member names (SMEMBERS): then their registrations (MGET: one slot). */
static void members_reply(void *arg, const redisReply *rep)
{
	struct group *g = arg;
	struct pending *p = NULL;
	const char **argv = NULL;
	char (*keys)[1024] = NULL;

	if (!rep || rep->type != REDIS_REPLY_ARRAY) {
		g->reading = 0;
		if (rep)
			HW_WARN(NULL, "mesh %s: cannot read the members: %s", g->name,
			        rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
		return;
	}
	if (!(p = calloc(1, sizeof *p)) || !(p->names = calloc(rep->elements + 1, sizeof *p->names)) ||
	    !(argv = calloc(rep->elements + 1, sizeof *argv)) ||
	    !(keys = calloc(rep->elements + 1, sizeof *keys)))
		goto fail;
	p->g = g;
	argv[0] = "MGET";
	for (size_t i = 0; i < rep->elements; i++) {
		const redisReply *nm = rep->element[i];
		char name[MESH_NAME_MAX + 1], id[MESH_ID_LEN + 1];
		/* an entry that cannot be a member's is not read (nor removed: not ours to judge) */
		if (nm->type != REDIS_REPLY_STRING || meshreg_entry_split(nm->str, name, id) < 0 ||
		    !keys_mesh(keys[p->n], sizeof keys[0], KEYS_MESH_MEMBER, g->m->prefix, g->name, nm->str))
			continue;
		if (!(p->names[p->n] = strdup(nm->str)))
			goto fail;
		argv[p->n + 1] = keys[p->n];
		p->n++;
	}
	if (!p->n) {
		g->reading = 0;
		apply_read(g, NULL, 0);
		pending_free(p);
	} else if (redis_query(g->w, mget_reply, p, (int)p->n + 1, argv) < 0) {
		g->reading = 0;
		pending_free(p);
	}
	free(argv);
	free(keys);
	return;
fail:
	HW_ERROR(NULL, "mesh %s: out of memory for a read", g->name);
	g->reading = 0;
	pending_free(p);
	free(argv);
	free(keys);
}

/* Read the group; tried again shortly when Redis is not ready yet. */
static void group_read(struct group *g)
{
	const char *argv[] = { "SMEMBERS", g->members_key };

	if (g->reading)
		return;
	if (redis_query(g->w, members_reply, g, 2, argv) < 0) {
		ev_timer_stop(g->m->loop, &g->retry);
		ev_timer_set(&g->retry, READ_RETRY, 0.);
		ev_timer_start(g->m->loop, &g->retry);
		return;
	}
	g->reading = 1;
}

static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct group *g = (struct group *)((char *)w - offsetof(struct group, retry));
	(void)loop;
	(void)revents;
	group_read(g);
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct group *g = (struct group *)((char *)w - offsetof(struct group, tick));
	(void)loop;
	(void)revents;
	heartbeat(g);
	write_results(g);
	group_read(g);
}

/* ---- the API ---- */

/* The group named `name`, or NULL. */
static struct group *group_find(struct mesh *m, const char *name)
{
	for (size_t i = 0; m && i < m->ngroups; i++)
		if (!strcmp(m->groups[i].name, name))
			return &m->groups[i];
	return NULL;
}

/* Copy a string list; -1 when out of memory. */
static int strlist_copy(struct strlist *dst, const struct strlist *src)
{
	dst->n = 0;
	if (!(dst->v = calloc(src->n + 1, sizeof *dst->v)))
		return -1;
	for (; dst->n < src->n; dst->n++)
		if (!(dst->v[dst->n] = strdup(src->v[dst->n])))
			return -1;
	return 0;
}

static void strlist_release(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

mesh *mesh_new(struct ev_loop *loop, const struct hw_config *cfg, const char *self)
{
	struct mesh *m;
	unsigned char rnd[MESH_ID_LEN / 2];
	size_t want = 0;

	for (size_t i = 0; i < cfg->nprobes; i++)
		want += cfg->probes[i].mesh != NULL;
	if (!want)
		return NULL;
	if (!meshreg_name_ok(self)) {
		HW_ERROR(NULL, "mesh: this host's name \"%s\" cannot be a member name (1 to %d letters, digits, "
		         "'_', '.', '-'): set hostname; no mesh", self, MESH_NAME_MAX);
		return NULL;
	}
	if (!(m = calloc(1, sizeof *m)) || !(m->groups = calloc(want, sizeof *m->groups)) ||
	    !(m->prefix = strdup(cfg->redis.prefix)) || strlist_copy(&m->addresses, &cfg->mesh.addresses) < 0 ||
	    strlist_copy(&m->tags, &cfg->mesh.tags) < 0) {
		HW_ERROR(NULL, "mesh: out of memory");
		mesh_free(m);
		return NULL;
	}
	m->loop = loop;
	m->ttl = cfg->mesh.ttl;
	snprintf(m->self, sizeof m->self, "%s", self);
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		/* no entropy: the time and the pid still tell two daemons apart */
		uint64_t x = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid() << 20 ^ (uint64_t)(uintptr_t)m;
		memcpy(rnd, &x, sizeof rnd);
	}
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(m->id + 2 * i, 3, "%02x", rnd[i]);
	for (size_t i = 0; i < cfg->nprobes; i++) {
		const char *name = cfg->probes[i].mesh;
		struct group *g;
		if (!name || group_find(m, name))
			continue;
		g = &m->groups[m->ngroups++];
		g->m = m;
		snprintf(g->name, sizeof g->name, "%s", name);
		keys_mesh(g->members_key, sizeof g->members_key, KEYS_MESH_MEMBERS, m->prefix, name, NULL);
		snprintf(g->entry, sizeof g->entry, "%s:%s", self, m->id);
		keys_mesh(g->member_key, sizeof g->member_key, KEYS_MESH_MEMBER, m->prefix, name, g->entry);
		keys_mesh(g->results_key, sizeof g->results_key, KEYS_MESH_RESULTS, m->prefix, name, self);
		g->table = (struct mesh_table){ .ttl = m->ttl, .quiet = 60, .note = table_note, .arg = g };
		snprintf(g->table.self, sizeof g->table.self, "%s", self);
		snprintf(g->table.self_id, sizeof g->table.self_id, "%s", m->id);
		if (!(g->w = redis_new(loop, &cfg->redis, name, NULL, NULL))) {
			HW_ERROR(NULL, "mesh: out of memory");
			mesh_free(m);
			return NULL;
		}
		/* the first tick at once, the next ones spread so that daemons
		 * started together do not heartbeat together */
		double period = m->ttl / 3, first = period * (double)(rnd[0] ^ rnd[1] ^ (unsigned)i) / 256.;
		ev_timer_init(&g->tick, tick_cb, first, period);
		ev_timer_init(&g->retry, retry_cb, READ_RETRY, 0.);
		ev_timer_start(loop, &g->tick);
		heartbeat(g);   /* queued: written once connected */
		group_read(g);  /* retried every READ_RETRY until then */
		HW_INFO(NULL, "mesh %s: member \"%s\" (id %s), heartbeat every %gs, TTL %gs", name, self, m->id,
		        period, m->ttl);
	}
	return m;
}

void mesh_attach(mesh *m, struct hw_ctx *ctx)
{
	const struct probe_conf *pc = ctx->pc;
	struct group *g;
	struct binding *b;

	if (!pc->mesh)
		return;
	if (!(g = group_find(m, pc->mesh))) {
		HW_ERROR(ctx, "mesh %s: this daemon is not a member of it (a group added by a reload): restart "
		         "hopwatchd to join it", pc->mesh);
		return;
	}
	if (!(b = calloc(1, sizeof *b)) || (pc->mesh_allow.n && !(b->allow = calloc(pc->mesh_allow.n, sizeof *b->allow)))) {
		HW_ERROR(ctx, "mesh %s: out of memory", pc->mesh);
		free(b);
		return;
	}
	for (size_t i = 0; i < pc->mesh_allow.n; i++) {
		const char *why;
		if (meshreg_cidr_parse(pc->mesh_allow.v[i], &b->allow[b->nallow], &why) == 0)
			b->nallow++;
	}
	b->ctx = ctx;
	b->refused_reset = ev_now(m->loop);
	b->next = g->bindings;
	g->bindings = b;
	if (g->fed)
		feed(g, b);
}

/* Free a binding's own memory. */
static void binding_free(struct binding *b)
{
	for (size_t i = 0; i < b->ngone; i++)
		free(b->gone[i]);
	free(b->gone);
	free(b->peers);
	free(b->allow);
	free(b);
}

void mesh_detach(mesh *m, struct hw_ctx *ctx)
{
	struct group *g;

	if (!m || !ctx->pc->mesh || !(g = group_find(m, ctx->pc->mesh)))
		return;
	for (struct binding **bp = &g->bindings; *bp; bp = &(*bp)->next)
		if ((*bp)->ctx == ctx) {
			struct binding *b = *bp;
			const char **argv = calloc(b->npeers + b->ngone + 2, sizeof *argv);
			int n = 2;
			*bp = b->next;
			/* its results go with it (a reload that renames or drops the instance) */
			for (size_t i = 0; argv && i < b->npeers; i++)
				if (b->peers[i].has)
					argv[n++] = b->peers[i].field;
			for (size_t i = 0; argv && i < b->ngone; i++)
				argv[n++] = b->gone[i];
			if (argv && n > 2 && !m->stopping) {
				argv[0] = "HDEL";
				argv[1] = g->results_key;
				const struct redis_cmd c = { n, argv };
				redis_command(g->w, NULL, &c, 1);
			}
			free(argv);
			binding_free(b);
			return;
		}
}

void mesh_stopping(mesh *m)
{
	if (m)
		m->stopping = 1;
}

/* The peer of mesh instance `ctx` probed at t's address, or NULL. */
static struct peer *peer_of(mesh *m, struct hw_ctx *ctx, const hw_target *t)
{
	struct group *g;

	if (!m || !t || !ctx->pc->mesh || !(g = group_find(m, ctx->pc->mesh)))
		return NULL;
	for (struct binding *b = g->bindings; b; b = b->next)
		if (b->ctx == ctx)
			return peer_find(b, t->host);
	return NULL;
}

void mesh_metric(mesh *m, struct hw_ctx *ctx, const hw_target *t, const char *name,
                 const double *values, size_t n)
{
	const char *dot = strchr(name, '.');
	struct peer *p;
	double sum = 0;

	if (!dot || !n || !(p = peer_of(m, ctx, t)))
		return;
	if (!strcmp(dot, ".loss") && n == 1)
		p->loss = values[0];
	else if ((!strcmp(dot, ".rtt.avg") || !strcmp(name, "path.rtt")) && n == 1)
		p->rtt = values[0];
	else if (!strcmp(dot, ".rtt")) {
		/* the replies' RTTs: with one reply no rtt.avg follows */
		for (size_t i = 0; i < n; i++)
			sum += values[i];
		p->rtt = sum / (double)n;
	}
}

void mesh_check(mesh *m, struct hw_ctx *ctx, const hw_target *t, const char *name, hw_status status)
{
	struct peer *p;

	if (status == HW_UNKNOWN || !ctx->p->check || strcmp(name, ctx->p->check) || !(p = peer_of(m, ctx, t)))
		return;
	p->res = (struct mesh_result){ .loss = p->loss, .rtt = p->loss >= 100 ? -1 : p->rtt,
	                               .reached = status == HW_OK, .ts = (long long)time(NULL),
	                               .interval = ctx->pc->interval };
	snprintf(p->res.ip, sizeof p->res.ip, "%s", p->ip);
	p->has = p->dirty = 1;
	p->loss = 100;  /* the next round starts with nothing said */
	p->rtt = -1;
}

void mesh_free(mesh *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ngroups; i++) {
		struct group *g = &m->groups[i];
		ev_timer_stop(m->loop, &g->tick);
		ev_timer_stop(m->loop, &g->retry);
		redis_free(g->w);  /* a read on its way is called back (NULL) now */
		while (g->bindings) {
			struct binding *b = g->bindings;
			g->bindings = b->next;
			binding_free(b);
		}
		mesh_table_clear(&g->table);
	}
	free(m->groups);
	free(m->prefix);
	strlist_release(&m->addresses);
	strlist_release(&m->tags);
	free(m);
}
