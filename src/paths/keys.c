/* keys.c: the Redis key schema (see keys.h). */
#include <stdio.h>
#include <string.h>

#include "keys.h"

/* The word of a kind in its keys. */
static const char *kind_word(enum keys_kind kind)
{
	return kind == KEYS_CHANGES ? "changes" : "path";
}

/* Close a snprintf into buf: its length, or 0 and "" when it did not fit. */
static size_t fit(char *buf, size_t cap, int n)
{
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			buf[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

size_t keys_target(char *buf, size_t cap, enum keys_kind kind, const char *prefix,
                   const char *source, const char *probe, const char *target)
{
	return fit(buf, cap, snprintf(buf, cap, "%s%s:{%s}:%s:%s", prefix, kind_word(kind), source, probe, target));
}

size_t keys_channel(char *buf, size_t cap, const char *prefix)
{
	return fit(buf, cap, snprintf(buf, cap, "%spath-changes", prefix));
}

size_t keys_other_channel(char *buf, size_t cap, const char *prefix)
{
	return fit(buf, cap, snprintf(buf, cap, "%schanges", prefix));
}

/* Append `s` to buf at *len with the glob characters of SCAN MATCH
 * escaped; *len becomes cap when it does not fit. */
static void add_escaped(char *buf, size_t cap, size_t *len, const char *s)
{
	for (; *s && *len < cap; s++) {
		if (strchr("*?[]\\", *s))
			buf[(*len)++] = '\\';
		if (*len < cap)
			buf[(*len)++] = *s;
	}
}

size_t keys_pattern(char *buf, size_t cap, enum keys_kind kind, const char *prefix,
                    const char *source)
{
	size_t len = 0;

	add_escaped(buf, cap, &len, prefix);
	add_escaped(buf, cap, &len, kind_word(kind));
	add_escaped(buf, cap, &len, ":{");
	if (!source || !strcmp(source, "*")) {
		if (len < cap)
			buf[len++] = '*';
	} else {
		add_escaped(buf, cap, &len, source);
	}
	if (len + 3 >= cap) {
		if (cap)
			buf[0] = '\0';
		return 0;
	}
	memcpy(buf + len, "}:*", 4);
	return len + 3;
}

/* Copy `n` bytes of `s` into a part; -1 when empty or too long. */
static int part(char *dst, const char *s, size_t n)
{
	if (!n || n >= KEYS_NAME_MAX)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int keys_split(const char *key, enum keys_kind kind, const char *prefix, struct keys_parts *out)
{
	const char *word = kind_word(kind), *s, *end, *colon;
	size_t pl = strlen(prefix), wl = strlen(word);

	if (strncmp(key, prefix, pl) || strncmp(key + pl, word, wl) || strncmp(key + pl + wl, ":{", 2))
		return -1;
	s = key + pl + wl + 2;
	if (!(end = strstr(s, "}:")) || part(out->source, s, (size_t)(end - s)) < 0)
		return -1;
	s = end + 2;
	if (!(colon = strchr(s, ':')) || part(out->probe, s, (size_t)(colon - s)) < 0 ||
	    part(out->target, colon + 1, strlen(colon + 1)) < 0)
		return -1;
	return 0;
}

size_t keys_mesh(char *buf, size_t cap, enum keys_mesh kind, const char *prefix, const char *group,
                 const char *member)
{
	if (kind == KEYS_MESH_MEMBERS)
		return fit(buf, cap, snprintf(buf, cap, "%smesh:{%s}:members", prefix, group));
	return fit(buf, cap, snprintf(buf, cap, "%smesh:{%s}:%s:%s", prefix, group,
	                              kind == KEYS_MESH_MEMBER ? "member" : "results", member));
}

size_t keys_mesh_field(char *buf, size_t cap, const char *probe, const char *peer)
{
	return fit(buf, cap, snprintf(buf, cap, "%s:%s", probe, peer));
}

int keys_mesh_field_split(const char *field, char *probe, char *peer)
{
	const char *colon = strchr(field, ':');

	if (!colon || strchr(colon + 1, ':') || part(probe, field, (size_t)(colon - field)) < 0 ||
	    part(peer, colon + 1, strlen(colon + 1)) < 0)
		return -1;
	return 0;
}

size_t keys_mesh_pattern(char *buf, size_t cap, const char *prefix)
{
	size_t len = 0;

	add_escaped(buf, cap, &len, prefix);
	if (len + sizeof "mesh:{*}:members" > cap) {
		if (cap)
			buf[0] = '\0';
		return 0;
	}
	memcpy(buf + len, "mesh:{*}:members", sizeof "mesh:{*}:members");
	return len + sizeof "mesh:{*}:members" - 1;
}

int keys_mesh_group(const char *key, const char *prefix, char *group)
{
	size_t pl = strlen(prefix), kl = strlen(key), tail = strlen("}:members");

	if (strncmp(key, prefix, pl) || strncmp(key + pl, "mesh:{", 6) || kl < pl + 6 + tail ||
	    strcmp(key + kl - tail, "}:members"))
		return -1;
	return part(group, key + pl + 6, kl - pl - 6 - tail);
}
