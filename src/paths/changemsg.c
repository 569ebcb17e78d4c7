/* changemsg.c: the published change message, written and read with
 * Jansson (see changemsg.h). */
#include <jansson.h>
#include <limits.h>
#include <string.h>

#include "changemsg.h"

/* A JSON array of the `n` strings at(src, i), null for "". */
static json_t *list_json(unsigned n, const char *(*at)(const void *src, unsigned i), const void *src)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < n; i++)
		if (json_array_append_new(a, at(src, i)[0] ? json_string(at(src, i)) : json_null()) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static const char *hop_at(const void *src, unsigned i)
{
	return ((const struct path_hops *)src)->hop[i];
}

static const char *name_at(const void *src, unsigned i)
{
	return ((const struct path_names *)src)->name[i];
}

json_t *changemsg_path_json(const struct path_hops *h)
{
	return list_json(h->n, hop_at, h);
}

json_t *changemsg_names_json(const struct path_names *nm, unsigned n)
{
	static const struct path_names none;

	return list_json(n, name_at, nm && nm->n >= n ? nm : &none);
}

size_t changemsg_write(char *buf, size_t cap, const struct change_msg *m)
{
	/* "s" refuses a string that is not UTF-8, "o" takes the arrays over;
	 * keys are written in this order (Jansson keeps insertion order). */
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:o*,s:o*,s:I}", "id", m->id, "source", m->source,
	                      "probe", m->probe, "target", m->target, "target_ip", m->target_ip,
	                      "ts", (json_int_t)m->ts, "old", changemsg_path_json(&m->chg.old_path),
	                      "new", changemsg_path_json(&m->chg.new_path),
	                      "first_diff_ttl", (json_int_t)m->chg.first_diff_ttl);
	size_t len;

	if (cap)
		buf[0] = '\0';
	if (!o || !json_is_array(json_object_get(o, "old")) || !json_is_array(json_object_get(o, "new"))) {
		json_decref(o);
		return 0;
	}
	if ((m->old_names.n && json_object_set_new(o, "old_names", changemsg_names_json(&m->old_names, m->old_names.n)) < 0) ||
	    (m->new_names.n && json_object_set_new(o, "new_names", changemsg_names_json(&m->new_names, m->new_names.n)) < 0)) {
		json_decref(o);
		return 0;
	}
	len = json_dumpb(o, buf, cap, JSON_COMPACT);
	json_decref(o);
	if (!len || len >= cap) {
		if (cap)
			buf[0] = '\0';
		return 0;
	}
	buf[len] = '\0';
	return len;
}

/* Copy string member `key` of `o` into dst (cap bytes).  0 when it is a
 * string that fits or is absent and not `required`; else -1. */
static int get_string(json_t *o, const char *key, char *dst, size_t cap, int required)
{
	json_t *v = json_object_get(o, key);
	size_t n;

	if (!v)
		return required ? -1 : 0;
	if (!json_is_string(v) || (n = json_string_length(v)) >= cap || (required && !n))
		return -1;
	memcpy(dst, json_string_value(v), n);  /* no NUL inside: JSON_ALLOW_NUL is not given */
	dst[n] = '\0';
	return 0;
}

/* Integer member `key` from lo to hi into *v; absent is 0 unless `required`. */
static int get_int(json_t *o, const char *key, long long lo, long long hi, long long *v, int required)
{
	json_t *j = json_object_get(o, key);

	*v = 0;
	if (!j)
		return required ? -1 : 0;
	if (!json_is_integer(j) || json_integer_value(j) < lo || json_integer_value(j) > hi)
		return -1;
	*v = json_integer_value(j);
	return 0;
}

/* Whether `s` is an IPv4 or IPv6 address. */
static int is_address(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, s, &a4) == 1 || inet_pton(AF_INET6, s, &a6) == 1;
}

/* Array member `key` of `o`: addresses and nulls, into h. */
static int get_path(json_t *o, const char *key, struct path_hops *h)
{
	json_t *a = json_object_get(o, key), *e;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) > PATH_MAX_HOPS)
		return -1;
	json_array_foreach(a, i, e) {
		if (json_is_null(e)) {
			h->hop[i][0] = '\0';
			continue;
		}
		if (!json_is_string(e) || json_string_length(e) >= sizeof h->hop[i])
			return -1;
		memcpy(h->hop[i], json_string_value(e), json_string_length(e) + 1);
		if (!is_address(h->hop[i]))
			return -1;
	}
	h->n = (unsigned)json_array_size(a);
	return 0;
}

/* Optional array member `key`: names and nulls, exactly as many as the
 * path has hops; absent leaves nm empty. */
static int get_names(json_t *o, const char *key, const struct path_hops *h, struct path_names *nm)
{
	json_t *a = json_object_get(o, key), *e;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) != h->n)
		return -1;
	json_array_foreach(a, i, e) {
		if (json_is_null(e))
			continue;
		if (!json_is_string(e) || json_string_length(e) >= sizeof nm->name[i])
			return -1;
		memcpy(nm->name[i], json_string_value(e), json_string_length(e) + 1);
		if (!hopnames_valid(nm->name[i]) || !h->hop[i][0])
			return -1;
	}
	nm->n = h->n;
	return 0;
}

int changemsg_read(const char *json, struct change_msg *m)
{
	json_t *o;
	long long ttl;
	int bad;

	memset(m, 0, sizeof *m);
	/* The EOF check (on by default) refuses bytes after the object. */
	if (!(o = json_loads(json, JSON_REJECT_DUPLICATES, NULL)))
		return -1;
	bad = !json_is_object(o) ||
	      get_string(o, "id", m->id, sizeof m->id, 0) < 0 ||
	      get_string(o, "source", m->source, sizeof m->source, 0) < 0 ||
	      get_string(o, "probe", m->probe, sizeof m->probe, 1) < 0 ||
	      get_string(o, "target", m->target, sizeof m->target, 1) < 0 ||
	      get_string(o, "target_ip", m->target_ip, sizeof m->target_ip, 0) < 0 ||
	      get_int(o, "ts", 0, LLONG_MAX, &m->ts, 0) < 0 ||
	      get_path(o, "old", &m->chg.old_path) < 0 || get_path(o, "new", &m->chg.new_path) < 0 ||
	      get_int(o, "first_diff_ttl", 1, PATH_MAX_HOPS, &ttl, 1) < 0 ||
	      get_names(o, "old_names", &m->chg.old_path, &m->old_names) < 0 ||
	      get_names(o, "new_names", &m->chg.new_path, &m->new_names) < 0;
	json_decref(o);
	if (bad) {
		memset(m, 0, sizeof *m);
		return -1;
	}
	m->chg.first_diff_ttl = (unsigned)ttl;
	return 0;
}
