/* mesh.c: `hopwatch mesh [GROUP]`: read a mesh group's registrations and
 * results from Redis (keys.h, meshreg.h) and show them (meshview.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "keys.h"
#include "meshview.h"

/* Every mesh group with a member set (SCAN of <prefix>mesh:{*}:members). */
static struct strv mesh_groups(const struct cli_opts *o)
{
	struct strv groups = { 0 }, keys;
	char pattern[4 * KEYS_NAME_MAX], g[KEYS_NAME_MAX];

	if (!keys_mesh_pattern(pattern, sizeof pattern, o->rc.prefix))
		cli_die("mesh: the key prefix is too long");
	keys = rr_scan(pattern);  /* sorted, so a group's key twice is adjacent */
	for (size_t i = 0; i < keys.n; i++)
		if ((!i || strcmp(keys.v[i], keys.v[i - 1])) && !keys_mesh_group(keys.v[i], o->rc.prefix, g) &&
		    meshreg_name_ok(g))
			strv_add(&groups, g);
	strv_free(&keys);
	strv_sort(&groups);
	return groups;
}

static int reg_cmp(const void *a, const void *b)
{
	const struct mesh_reg *x = a, *y = b;
	int c = strverscmp(x->name, y->name);

	return c ? c : strcmp(x->id, y->id);
}

/* Members by name only, for bsearch: in natural order (m2 before m10). */
static int name_cmp(const void *a, const void *b)
{
	return strverscmp(((const struct mesh_reg *)a)->name, ((const struct mesh_reg *)b)->name);
}

static int cell_cmp(const void *a, const void *b)
{
	const struct meshview_cell *x = a, *y = b;
	int c = strcmp(x->probe, y->probe);

	if (c)
		return c;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->to < y->to ? -1 : x->to > y->to;
}

/* Read group `name` into v (free with view_free): members in natural
 * order of their names (m2 before m10). */
static void read_view(const struct cli_opts *o, const char *name, struct meshview *v)
{
	char key[1024];
	redisReply *names, *regs;

	memset(v, 0, sizeof *v);
	v->group = name;
	keys_mesh(key, sizeof key, KEYS_MESH_MEMBERS, o->rc.prefix, name, NULL);
	names = rr_key_cmd(key, "SMEMBERS %s", key);
	if (names->type != REDIS_REPLY_ARRAY)
		cli_die("Redis at %s: unexpected SMEMBERS reply", rr_where());
	if (!(v->members = calloc(names->elements + 1, sizeof *v->members)) ||
	    !(v->invalid = calloc(names->elements + 1, sizeof *v->invalid)))
		cli_die("out of memory");
	for (size_t i = 0; i < names->elements; i++) {
		const redisReply *nm = names->element[i];
		char why[160], mname[MESH_NAME_MAX + 1], id[MESH_ID_LEN + 1];
		struct mesh_reg *r = &v->members[v->n];
		if (nm->type != REDIS_REPLY_STRING)
			continue;
		if (meshreg_entry_split(nm->str, mname, id) < 0 ||
		    !keys_mesh(key, sizeof key, KEYS_MESH_MEMBER, o->rc.prefix, name, nm->str)) {
			struct meshview_invalid *x = &v->invalid[v->ninvalid++];
			snprintf(x->name, sizeof x->name, "%.*s", MESH_NAME_MAX, nm->str);
			snprintf(x->why, sizeof x->why, "not a member entry (name:id)");
			continue;
		}
		regs = rr_key_cmd(key, "GET %s", key);
		if (regs->type == REDIS_REPLY_STRING) {
			int bad = meshreg_parse(regs->str, regs->len, mname, r, why, sizeof why) < 0;
			if (!bad && strcmp(r->id, id)) {
				snprintf(why, sizeof why, "id %s is not the key's %s", r->id, id);
				bad = 1;
			}
			if (!bad) {
				v->n++;
			} else {
				struct meshview_invalid *x = &v->invalid[v->ninvalid++];
				snprintf(x->name, sizeof x->name, "%s", mname);
				snprintf(x->why, sizeof x->why, "%s", why);
			}
		}  /* nil: expired, not shown */
		freeReplyObject(regs);
	}
	freeReplyObject(names);
	qsort(v->members, v->n, sizeof *v->members, reg_cmp);
	/* two hosts under one name: the first (by id) is shown, the others listed as invalid */
	size_t kept = 0;
	for (size_t i = 0; i < v->n; i++) {
		if (kept && !strcmp(v->members[kept - 1].name, v->members[i].name)) {
			struct meshview_invalid *x = &v->invalid[v->ninvalid++];
			snprintf(x->name, sizeof x->name, "%s", v->members[i].name);
			snprintf(x->why, sizeof x->why, "id %s registers a name id %s registers too (two hosts claim it)",
			         v->members[i].id, v->members[kept - 1].id);
			continue;
		}
		v->members[kept++] = v->members[i];
	}
	v->n = kept;
	for (size_t i = 0; i < v->n; i++) {
		redisReply *h;
		keys_mesh(key, sizeof key, KEYS_MESH_RESULTS, o->rc.prefix, name, v->members[i].name);
		h = rr_key_cmd(key, "HGETALL %s", key);
		if (h->type != REDIS_REPLY_ARRAY)
			cli_die("Redis at %s: unexpected HGETALL reply", rr_where());
		struct meshview_cell *nc = realloc(v->cells, (v->ncells + h->elements / 2 + 1) * sizeof *nc);
		if (!nc)
			cli_die("out of memory");
		v->cells = nc;
		for (size_t k = 0; k + 1 < h->elements; k += 2) {
			const redisReply *f = h->element[k], *val = h->element[k + 1];
			char probe[KEYS_NAME_MAX], peer[KEYS_NAME_MAX], why[160];
			struct meshview_cell *c = &v->cells[v->ncells];
			struct mesh_reg want;
			const struct mesh_reg *to;
			if (f->type != REDIS_REPLY_STRING || val->type != REDIS_REPLY_STRING ||
			    keys_mesh_field_split(f->str, probe, peer) < 0 || strlen(probe) >= sizeof c->probe ||
			    strlen(peer) >= sizeof want.name)
				continue;
			if (o->probe && strcmp(probe, o->probe) &&
			    !(!strncmp(probe, o->probe, strlen(o->probe)) && !strcmp(probe + strlen(o->probe), "/v6")))
				continue;
			strcpy(want.name, peer);
			/* a peer that is no member now (it left) is not shown */
			if (!(to = bsearch(&want, v->members, v->n, sizeof want, name_cmp)) || to == &v->members[i] ||
			    meshreg_result_parse(val->str, val->len, &c->r, why, sizeof why) < 0)
				continue;
			strcpy(c->probe, probe);
			c->from = i;
			c->to = (size_t)(to - v->members);
			v->ncells++;
		}
		freeReplyObject(h);
	}
	qsort(v->cells, v->ncells, sizeof *v->cells, cell_cmp);
}

static void view_free(struct meshview *v)
{
	free(v->members);
	free(v->invalid);
	free(v->cells);
}

/* Whether to colour: stdout is a terminal that takes colour. */
static int want_color(void)
{
	const char *term = getenv("TERM");

	return isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && !(term && !strcmp(term, "dumb"));
}

int cmd_mesh(const struct cli_opts *o, const char *group)
{
	struct strv groups = { 0 };
	json_t *all = NULL;
	time_t now = time(NULL);
	int color = want_color();

	if (group) {
		if (!meshreg_name_ok(group))
			cli_die("mesh: \"%s\" is not a group name (letters, digits, '_', '.', '-')", group);
		char key[1024];
		keys_mesh(key, sizeof key, KEYS_MESH_MEMBERS, o->rc.prefix, group, NULL);
		redisReply *r = rr_key_cmd(key, "EXISTS %s", key);
		long long there = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
		freeReplyObject(r);
		if (!there) {
			groups = mesh_groups(o);
			if (!groups.n)
				cli_die("mesh: no group \"%s\" in Redis at %s, and no other mesh group", group, rr_where());
			fprintf(stderr, "hopwatch: mesh: no group \"%s\" in Redis at %s; groups:", group, rr_where());
			for (size_t i = 0; i < groups.n; i++)
				fprintf(stderr, " %s", groups.v[i]);
			fputc('\n', stderr);
			strv_free(&groups);
			return 1;
		}
		strv_add(&groups, group);
	} else {
		groups = mesh_groups(o);
		if (!groups.n)
			cli_die("mesh: no mesh group in Redis at %s (a probe with mesh = \"GROUP\" makes one)", rr_where());
	}
	/* --json: GROUP named, its document; else an array of every group's */
	if (o->json && !group && !(all = json_array()))
		cli_die("out of memory");
	for (size_t i = 0; i < groups.n; i++) {
		struct meshview v;
		read_view(o, groups.v[i], &v);
		if (o->json) {
			json_t *doc = meshview_json(&v, now);
			if (!doc)
				cli_die("out of memory");
			if (all)
				json_array_append_new(all, doc);
			else
				cli_json_print(doc);
		} else {
			if (i)
				putchar('\n');
			meshview_text(stdout, &v, now, color);
		}
		view_free(&v);
	}
	if (all)
		cli_json_print(all);
	strv_free(&groups);
	return 0;
}
