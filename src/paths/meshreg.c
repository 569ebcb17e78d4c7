/* meshreg.c: registrations, allow-lists, results and the member table of
 * a mesh group (see meshreg.h).  Pure. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshreg.h"

/* Whether every byte of `s` (1 to max bytes) is alphanumeric or in `extra`. */
static int word_ok(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr(extra, *s)))
			return 0;
	return 1;
}

int meshreg_name_ok(const char *s)
{
	return word_ok(s, MESH_NAME_MAX, "_.-");
}

int meshreg_tag_ok(const char *s)
{
	return word_ok(s, MESH_TAG_MAX, "_.:/-");
}

/* Whether `ip` is the canonical text of an address of `family`. */
static int canonical(int family, const char *ip)
{
	unsigned char a[16];
	char back[INET6_ADDRSTRLEN];

	return inet_pton(family, ip, a) == 1 && inet_ntop(family, a, back, sizeof back) &&
	       !strcmp(back, ip);
}

/* A JSON array of up to `max` strings of at most `width` - 1 bytes, each
 * passing `check`, into rows of `width` bytes. */
static int read_strings(json_t *a, const char *key, unsigned max, size_t width, char *rows,
                        unsigned *n, int (*check)(int, const char *), int arg, char *why, size_t wl)
{
	size_t i;
	json_t *v;

	*n = 0;
	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > max) {
		snprintf(why, wl, "%s is not a list of at most %u strings", key, max);
		return -1;
	}
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);
		if (!s || strlen(s) >= width || !check(arg, s)) {
			snprintf(why, wl, "%s[%zu]: %s%.60s%s is not %s", key, i, s ? "\"" : "", s ? s : "a string",
			         s ? "\"" : "", arg == AF_INET ? "an IPv4 address" : arg == AF_INET6 ? "an IPv6 address"
			                                                                      : "a valid tag");
			return -1;
		}
		memcpy(rows + i * width, s, strlen(s) + 1);
	}
	*n = (unsigned)json_array_size(a);
	return 0;
}

/* read_strings' check for tags. */
static int tag_check(int unused, const char *s)
{
	(void)unused;
	return meshreg_tag_ok(s);
}

/* Load an object of at most MESH_REG_MAX bytes whose keys are all in
 * `keys`; NULL with why otherwise. */
static json_t *load_object(const char *json, size_t len, const char *const *keys, char *why, size_t wl)
{
	json_error_t err;
	json_t *o, *v;
	const char *k;

	if (len > MESH_REG_MAX) {
		snprintf(why, wl, "longer than %d bytes", MESH_REG_MAX);
		return NULL;
	}
	if (!(o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err)) || !json_is_object(o)) {
		snprintf(why, wl, "not a JSON object");
		json_decref(o);
		return NULL;
	}
	json_object_foreach(o, k, v) {
		size_t i;
		for (i = 0; keys[i] && strcmp(keys[i], k); i++)
			;
		if (!keys[i]) {
			snprintf(why, wl, "unknown key \"%.40s\"", k);
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

int meshreg_parse(const char *json, size_t len, const char *name, struct mesh_reg *out, char *why,
                  size_t wl)
{
	static const char *const keys[] = { "v", "name", "id", "ipv4", "ipv6", "tags", "ts", NULL };
	json_t *o = load_object(json, len, keys, why, wl);
	const char *s;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (!o)
		return -1;
	if (json_integer_value(json_object_get(o, "v")) != 1 || !json_is_integer(json_object_get(o, "v")))
		snprintf(why, wl, "v is not 1");
	else if (!(s = json_string_value(json_object_get(o, "name"))) || !meshreg_name_ok(s))
		snprintf(why, wl, "name is missing or not a name");
	else if (strcmp(s, name))
		snprintf(why, wl, "name \"%s\" is not the key's \"%s\"", s, name);
	else if (strcpy(out->name, s), !(s = json_string_value(json_object_get(o, "id"))) ||
	         strlen(s) != MESH_ID_LEN || strspn(s, "0123456789abcdef") != MESH_ID_LEN)
		snprintf(why, wl, "id is not %d lowercase hex digits", MESH_ID_LEN);
	else if (strcpy(out->id, s), !json_is_integer(json_object_get(o, "ts")) ||
	         (out->ts = json_integer_value(json_object_get(o, "ts"))) < 0)
		snprintf(why, wl, "ts is not a time");
	else if (read_strings(json_object_get(o, "ipv4"), "ipv4", MESH_ADDRS_MAX, INET_ADDRSTRLEN, out->v4[0],
	                      &out->n4, canonical, AF_INET, why, wl) < 0 ||
	         read_strings(json_object_get(o, "ipv6"), "ipv6", MESH_ADDRS_MAX, INET6_ADDRSTRLEN, out->v6[0],
	                      &out->n6, canonical, AF_INET6, why, wl) < 0 ||
	         read_strings(json_object_get(o, "tags"), "tags", MESH_TAGS_MAX, MESH_TAG_MAX + 1, out->tags[0],
	                      &out->ntags, tag_check, 0, why, wl) < 0)
		;
	else if (!out->n4 && !out->n6)
		snprintf(why, wl, "no address");
	else
		rc = 0;
	json_decref(o);
	return rc;
}

/* Dump `o` (consumed) into buf: its length, or 0.  Numbers with 6
 * significant digits: a µs of RTT, and no float noise (0.0390000004699687)
 * from figures a plugin kept as float. */
static size_t dump(char *buf, size_t cap, json_t *o)
{
	size_t n = o ? json_dumpb(o, buf, cap ? cap - 1 : 0, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : 0;

	json_decref(o);
	if (!n || n >= cap) {
		if (cap)
			buf[0] = '\0';
		return 0;
	}
	buf[n] = '\0';
	return n;
}

size_t meshreg_write(char *buf, size_t cap, const struct mesh_reg *r)
{
	json_t *o = json_object(), *a4 = json_array(), *a6 = json_array(), *tg = json_array();

	for (unsigned i = 0; i < r->n4 && i < MESH_ADDRS_MAX; i++)
		json_array_append_new(a4, json_string(r->v4[i]));
	for (unsigned i = 0; i < r->n6 && i < MESH_ADDRS_MAX; i++)
		json_array_append_new(a6, json_string(r->v6[i]));
	for (unsigned i = 0; i < r->ntags && i < MESH_TAGS_MAX; i++)
		json_array_append_new(tg, json_string(r->tags[i]));
	if (o) {
		json_object_set_new(o, "v", json_integer(1));
		json_object_set_new(o, "name", json_string(r->name));
		json_object_set_new(o, "id", json_string(r->id));
		json_object_set_new(o, "ipv4", a4);
		json_object_set_new(o, "ipv6", a6);
		json_object_set_new(o, "tags", tg);
		json_object_set_new(o, "ts", json_integer(r->ts));
	} else {
		json_decref(a4);
		json_decref(a6);
		json_decref(tg);
	}
	return dump(buf, cap, o);
}

int meshreg_cidr_parse(const char *s, struct mesh_cidr *out, const char **why)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t al = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long bits;
	char *end;

	memset(out, 0, sizeof *out);
	*why = "is not an address or a CIDR such as 10.0.0.0/8 or fd00::/8";
	if (!al || al >= sizeof addr)
		return -1;
	memcpy(addr, s, al);
	addr[al] = '\0';
	if (inet_pton(AF_INET, addr, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, out->addr) == 1)
		out->family = AF_INET6;
	else
		return -1;
	unsigned max = out->family == AF_INET ? 32 : 128;
	if (!slash) {
		out->bits = max;
		return 0;
	}
	if (slash[1] < '0' || slash[1] > '9' || (bits = strtoul(slash + 1, &end, 10)) > max || *end ||
	    (slash[1] == '0' && slash[2])) {
		*why = "has a prefix length that is not a number from 0 to 32 (IPv4) or 128 (IPv6)";
		return -1;
	}
	out->bits = (unsigned)bits;
	for (unsigned b = out->bits; b < max; b++)
		if (out->addr[b / 8] & (0x80 >> (b % 8))) {
			*why = "has bits set after its prefix length (write the network address, e.g. 10.0.0.0/8)";
			return -1;
		}
	return 0;
}

/* Whether `a` (of c's family) falls in c. */
static int cidr_has(const struct mesh_cidr *c, const unsigned char *a)
{
	unsigned full = c->bits / 8, rest = c->bits % 8;

	return !memcmp(c->addr, a, full) && (!rest || !((c->addr[full] ^ a[full]) & (0xff00 >> rest)));
}

const char *meshreg_addr_problem(const char *ip, const struct mesh_cidr *allow, size_t n)
{
	unsigned char a[16];
	int fam = strchr(ip, ':') ? AF_INET6 : AF_INET;
	static const unsigned char zero[16];

	if (inet_pton(fam, ip, a) != 1)
		return "is not an address";
	if (fam == AF_INET) {
		if (!memcmp(a, zero, 4))
			return "is unspecified";
		if (a[0] >= 224)
			return a[0] < 240 ? "is multicast" : "is reserved or broadcast";
	} else {
		if (!memcmp(a, zero, 16))
			return "is unspecified";
		if (a[0] == 0xff)
			return "is multicast";
		if (!memcmp(a, zero, 10) && a[10] == 0xff && a[11] == 0xff)
			return "is IPv4-mapped (register the IPv4 address)";
	}
	if (n) {
		for (size_t i = 0; i < n; i++)
			if (allow[i].family == fam && cidr_has(&allow[i], a))
				return NULL;
		return "is outside mesh_allow";
	}
	if (fam == AF_INET ? a[0] == 127 : (!memcmp(a, zero, 15) && a[15] == 1))
		return "is loopback (allow it with mesh_allow)";
	if (fam == AF_INET ? (a[0] == 169 && a[1] == 254) : (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return "is link-local (allow it with mesh_allow)";
	return NULL;
}

size_t meshreg_result_write(char *buf, size_t cap, const struct mesh_result *r)
{
	json_t *o = json_object();

	if (o) {
		json_object_set_new(o, "loss", json_real(r->loss));
		json_object_set_new(o, "rtt", r->rtt >= 0 ? json_real(r->rtt) : json_null());
		json_object_set_new(o, "reached", json_integer(!!r->reached));
		json_object_set_new(o, "ts", json_integer(r->ts));
		json_object_set_new(o, "interval", json_real(r->interval));
		json_object_set_new(o, "ip", json_string(r->ip));
	}
	return dump(buf, cap, o);
}

int meshreg_result_parse(const char *json, size_t len, struct mesh_result *out, char *why, size_t wl)
{
	static const char *const keys[] = { "loss", "rtt", "reached", "ts", "interval", "ip", NULL };
	json_t *o = load_object(json, len, keys, why, wl), *rtt;
	const char *ip;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (!o)
		return -1;
	rtt = json_object_get(o, "rtt");
	out->loss = json_number_value(json_object_get(o, "loss"));
	out->rtt = json_is_number(rtt) ? json_number_value(rtt) : -1;
	out->reached = (int)json_integer_value(json_object_get(o, "reached"));
	out->ts = json_integer_value(json_object_get(o, "ts"));
	out->interval = json_number_value(json_object_get(o, "interval"));
	ip = json_string_value(json_object_get(o, "ip"));
	if (!json_is_number(json_object_get(o, "loss")) || !(out->loss >= 0 && out->loss <= 100))
		snprintf(why, wl, "loss is not a percentage");
	else if (!rtt || (!json_is_null(rtt) && !(json_is_number(rtt) && out->rtt >= 0 && out->rtt < 1e7)))
		snprintf(why, wl, "rtt is not a time in ms or null");
	else if (!json_is_integer(json_object_get(o, "reached")) || (out->reached != 0 && out->reached != 1))
		snprintf(why, wl, "reached is not 0 or 1");
	else if (!json_is_integer(json_object_get(o, "ts")) || out->ts < 0)
		snprintf(why, wl, "ts is not a time");
	else if (!json_is_number(json_object_get(o, "interval")) || !(out->interval > 0 && out->interval <= 86400))
		snprintf(why, wl, "interval is not a duration");
	else if (!ip || strlen(ip) >= sizeof out->ip ||
	         !(canonical(AF_INET, ip) || canonical(AF_INET6, ip)))
		snprintf(why, wl, "ip is not an address");
	else {
		strcpy(out->ip, ip);
		rc = 0;
	}
	json_decref(o);
	return rc;
}

/* ---- the member table ---- */

/* The member named `name`, or where it would go (*at). */
static struct mesh_member *find(struct mesh_table *t, const char *name, size_t *at)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(t->m[mid].reg.name, name);
		if (!c)
			return &t->m[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return NULL;
}

/* Whether two registrations give the same targets (addresses and tags). */
static int same_targets(const struct mesh_reg *a, const struct mesh_reg *b)
{
	return a->n4 == b->n4 && a->n6 == b->n6 && a->ntags == b->ntags &&
	       !memcmp(a->v4, b->v4, sizeof a->v4[0] * a->n4) && !memcmp(a->v6, b->v6, sizeof a->v6[0] * a->n6) &&
	       !memcmp(a->tags, b->tags, sizeof a->tags[0] * a->ntags);
}

/* A rate-limited note about `m`: given when `why` differs from the last
 * one, or `quiet` seconds after it. */
static void note_limited(struct mesh_table *t, struct mesh_member *m, enum mesh_note what,
                         const char *why, double now)
{
	if (!strcmp(m->why, why) && m->noted && now - m->noted < t->quiet)
		return;
	snprintf(m->why, sizeof m->why, "%s", why);
	m->noted = now;
	if (t->note)
		t->note(t->arg, what, m, why);
}

/* Where notes about names that are no member live: invalid registrations
 * of new names and our own name taken, kept in the table with no
 * registration (reg.id ""): not a target. */
static struct mesh_member *shadow(struct mesh_table *t, const char *name, size_t at)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct mesh_member *nm = realloc(t->m, cap * sizeof *nm);
		if (!nm)
			return NULL;
		t->m = nm;
		t->cap = cap;
	}
	memmove(&t->m[at + 1], &t->m[at], (t->n - at) * sizeof *t->m);
	t->n++;
	memset(&t->m[at], 0, sizeof t->m[at]);
	snprintf(t->m[at].reg.name, sizeof t->m[at].reg.name, "%s", name);
	return &t->m[at];
}

int meshreg_entry_split(const char *entry, char *name, char *id)
{
	const char *colon = strrchr(entry, ':');
	size_t nl;

	if (!colon || (nl = (size_t)(colon - entry)) > MESH_NAME_MAX || strlen(colon + 1) != MESH_ID_LEN ||
	    strspn(colon + 1, "0123456789abcdef") != MESH_ID_LEN)
		return -1;
	memcpy(name, entry, nl);
	name[nl] = '\0';
	if (!meshreg_name_ok(name))
		return -1;
	memcpy(id, colon + 1, MESH_ID_LEN + 1);
	return 0;
}

/* Parse entry rd into reg, checking its id against the entry's; 0 or -1 with why. */
static int entry_parse(const struct mesh_read *rd, struct mesh_reg *reg, char *why, size_t wl)
{
	if (meshreg_parse(rd->json, rd->len, rd->name, reg, why, wl) < 0)
		return -1;
	if (strcmp(reg->id, rd->id)) {
		snprintf(why, wl, "id %s is not the key's %s", reg->id, rd->id);
		return -1;
	}
	return 0;
}

int mesh_table_update(struct mesh_table *t, const struct mesh_read *rd, size_t n, double now)
{
	int changed = 0;
	struct mesh_reg reg;
	char why[160];

	for (size_t i = 0; i < t->n; i++)
		t->m[i].mark = t->m[i].present = 0;
	/* first the adopted ids: a second id of a name must know whether the first is still there */
	for (size_t i = 0; i < n; i++) {
		struct mesh_member *m;
		size_t at;
		if (!rd[i].json || !meshreg_name_ok(rd[i].name) || !(m = find(t, rd[i].name, &at)) ||
		    !m->reg.id[0] || strcmp(m->reg.id, rd[i].id))
			continue;
		m->mark = 1;
		if (entry_parse(&rd[i], &reg, why, sizeof why) < 0) {
			/* the adopted registration turned to garbage: kept for a TTL, then gone */
			note_limited(t, m, MESH_INVALID, why, now);
			m->present = m->mark = now - m->seen < t->ttl;
			continue;
		}
		m->present = 1;
		m->seen = now;
		if (!same_targets(&m->reg, &reg)) {
			changed = 1;
			m->reg = reg;
			if (t->note)
				t->note(t->arg, MESH_CHANGED, m, NULL);
		}
		m->reg = reg;
	}
	for (size_t i = 0; i < n; i++) {
		struct mesh_member *m;
		size_t at = 0;
		int ok;

		if (!rd[i].json || !meshreg_name_ok(rd[i].name))
			continue;  /* expired (or a name that cannot be a key of ours: ignored) */
		if ((m = find(t, rd[i].name, &at)) && m->reg.id[0] && !strcmp(m->reg.id, rd[i].id))
			continue;  /* the adopted one: done above */
		ok = entry_parse(&rd[i], &reg, why, sizeof why) == 0;
		if (!m && !(m = shadow(t, rd[i].name, at)))
			return -1;
		m->mark = 1;
		if (!ok) {
			note_limited(t, m, MESH_INVALID, why, now);
			continue;
		}
		if (!strcmp(reg.name, t->self)) {
			if (strcmp(reg.id, t->self_id))
				note_limited(t, m, MESH_SELF_TAKEN, reg.id, now);
			continue;
		}
		if (m->reg.id[0] && m->present) {
			/* two hosts claim the name: keep the one adopted first */
			note_limited(t, m, MESH_DUPLICATE, reg.id, now);
			continue;
		}
		enum mesh_note what = m->reg.id[0] ? MESH_RESTARTED : MESH_JOINED;
		changed |= what == MESH_JOINED || !same_targets(&m->reg, &reg);
		m->reg = reg;
		m->seen = now;
		m->present = 1;
		m->why[0] = '\0';
		if (t->note)
			t->note(t->arg, what, m, NULL);
	}
	/* members not read are gone (their key expired, or left the set) */
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct mesh_member *m = &t->m[i];
		if (m->reg.id[0] && !m->present) {
			changed = 1;
			if (t->note)
				t->note(t->arg, MESH_LEFT, m, NULL);
			m->reg.id[0] = '\0';  /* kept below as a note only, if it still is one */
		}
		if (m->present || ((m->mark || now - m->noted < t->quiet) && m->noted))
			t->m[k++] = *m;
	}
	t->n = k;
	return changed;
}

void mesh_table_clear(struct mesh_table *t)
{
	free(t->m);
	t->m = NULL;
	t->n = t->cap = 0;
}
