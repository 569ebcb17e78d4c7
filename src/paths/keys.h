/*
 * keys.h: the Redis key schema, built and parsed here only (the daemon's
 * writer in pathwatch.c and redis.c, the CLI's reader in src/cli).  Pure:
 * no I/O.  Unit-tested in t/unit/keys.c.
 *
 *   <prefix>path:{<source>}:<probe>:<target>     hash: the last trace and the confirmed path
 *   <prefix>changes:{<source>}:<probe>:<target>  stream: one entry per confirmed change
 *   <prefix>path-changes                         channel: one JSON message per path change (changemsg.h)
 *   <prefix>changes                              channel: one JSON message per other change (hw_change_report)
 *   <prefix>mesh:{<group>}:members               set: "<name>:<id>" of a mesh group's members (meshreg.h)
 *   <prefix>mesh:{<group>}:member:<name>:<id>    string: a member's registration (JSON), expires after its TTL
 *   <prefix>mesh:{<group>}:results:<name>        hash: a member's latest result per "<probe>:<peer>" (JSON)
 *
 * Every key of a mesh group carries the group as its hash tag, so a Redis
 * Cluster keeps the whole group in one slot (one node, MGET works); a
 * group and a host of the same name share a slot, which is harmless.
 * <prefix> is redis.prefix; <source> the host that traced (hostname, else
 * the system's name), in braces so that it is a Redis Cluster hash tag and
 * a host's keys share a slot; <probe> the probe instance's name (no ':');
 * <target> the target as configured, with ":port" ("[v6]:port") when it
 * has one (it may hold ':').  A source never holds '}' (conf.c allows
 * letters, digits, '_', '.', '-'), so the first "}:" ends it.
 */
#ifndef HW_KEYS_H
#define HW_KEYS_H

#include <stddef.h>

/* Longest source, probe or target name handled, bytes with the NUL. */
#define KEYS_NAME_MAX 512

/* What a key is about. */
enum keys_kind {
	KEYS_PATH,      /* the path hash */
	KEYS_CHANGES,   /* the change stream */
};

/* The parts of a per-target key. */
struct keys_parts {
	char source[KEYS_NAME_MAX];  /* the host that traced */
	char probe[KEYS_NAME_MAX];   /* probe instance name */
	char target[KEYS_NAME_MAX];  /* target as configured */
};

/* The key of `kind` for (source, probe, target) into buf.  Returns its
 * length, or 0 (and "") when it does not fit in `cap` bytes with the NUL. */
size_t keys_target(char *buf, size_t cap, enum keys_kind kind, const char *prefix,
                   const char *source, const char *probe, const char *target);
/* The channel path changes are published on.  Length, or 0 when too long. */
size_t keys_channel(char *buf, size_t cap, const char *prefix);
/* The channel other changes (hw_change_report) are published on.  Length,
 * or 0 when too long. */
size_t keys_other_channel(char *buf, size_t cap, const char *prefix);
/* A SCAN MATCH pattern for every key of `kind` of `source` (NULL or "*":
 * every source); glob characters of prefix and source are escaped.
 * Length, or 0 when too long. */
size_t keys_pattern(char *buf, size_t cap, enum keys_kind kind, const char *prefix,
                    const char *source);
/* The keys of a mesh group. */
enum keys_mesh {
	KEYS_MESH_MEMBERS,  /* the set of member names (no member) */
	KEYS_MESH_MEMBER,   /* one member's registration */
	KEYS_MESH_RESULTS,  /* one member's results */
};

/* The mesh key of `kind` for `group` (and `member`: "<name>:<id>" for
 * KEYS_MESH_MEMBER, the name for KEYS_MESH_RESULTS, unused for
 * KEYS_MESH_MEMBERS) into buf.  Length, or 0 (and "") when it does not fit. */
size_t keys_mesh(char *buf, size_t cap, enum keys_mesh kind, const char *prefix, const char *group,
                 const char *member);
/* A SCAN MATCH pattern for every mesh group's member set
 * ("<prefix>mesh:{*}:members", the prefix's glob characters escaped).
 * Length, or 0 when too long. */
size_t keys_mesh_pattern(char *buf, size_t cap, const char *prefix);
/* The group of a member set key ("<prefix>mesh:{G}:members") into group
 * (KEYS_NAME_MAX bytes).  0, or -1 when it is no such key. */
int keys_mesh_group(const char *key, const char *prefix, char *group);
/* The field of a results hash: "<probe>:<peer>".  Length, or 0 when too long. */
size_t keys_mesh_field(char *buf, size_t cap, const char *probe, const char *peer);
/* Split a results field into probe and peer (each 1 to KEYS_NAME_MAX - 1
 * bytes, neither holding ':').  0, or -1 when it is not one. */
int keys_mesh_field_split(const char *field, char *probe, char *peer);

/* Split a key of `kind` under `prefix` into its parts.  0, or -1 when it
 * is not such a key (or a part is empty or longer than KEYS_NAME_MAX - 1). */
int keys_split(const char *key, enum keys_kind kind, const char *prefix, struct keys_parts *out);

#endif
