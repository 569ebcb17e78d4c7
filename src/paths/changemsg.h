/*
 * changemsg.h: the JSON message published on <prefix>path-changes for
 * every confirmed path change, written by the daemon (pathwatch.c) and read
 * back by `hopwatch watch`, both here.  Pure (no I/O); the JSON itself is
 * done by Jansson (libjansson, a Debian library), so escaping, UTF-8 and
 * number syntax are a well-tested parser's, not ours.  Round trips are
 * unit-tested in t/unit/changemsg.c and the reader is fuzzed
 * (t/fuzz/changemsg.c).
 *
 * The message, one JSON object (README "Path changes and Redis"):
 *   {"id":"<ms>-0","source":"web1","probe":"trace","target":"db:5432",
 *    "target_ip":"10.0.2.2","ts":1700000000,
 *    "old":["10.0.0.1",null,...],"new":[...],"first_diff_ttl":3}
 * old and new list the hops by TTL (index 0 is TTL 1), null for an unknown
 * hop.  When any hop has a name (hopnames.h), "old_names" and "new_names"
 * follow "first_diff_ttl": the names by TTL as old and new, null where none
 * is known (each written when its n is not 0); the reader takes each only
 * when it is as long as its path and names only known hops.  The reader is strict about the fields it knows (type, range, a hop
 * must be an IPv4 or IPv6 address) so that a garbled message is refused,
 * not half-printed, and skips fields it does not know, so that a newer
 * daemon adding one does not break an older CLI.  probe, target, old, new
 * and first_diff_ttl are required; id, source, target_ip and ts are not.
 */
#ifndef HW_CHANGEMSG_H
#define HW_CHANGEMSG_H

#include <arpa/inet.h>
#include <jansson.h>
#include <stddef.h>

#include "hopnames.h"
#include "keys.h"
#include "pathstore.h"

/* Room for any message changemsg_write makes of fields that fit below
 * (64 hops twice, each an address and a 253-character name). */
#define CHANGEMSG_MAX 98304

/* One change as published. */
struct change_msg {
	char id[32];                      /* the change stream entry's id, "<ms>-0"; "" when absent */
	char source[KEYS_NAME_MAX];       /* the host that saw it; "" when absent */
	char probe[KEYS_NAME_MAX];        /* probe instance name; never "" once read */
	char target[KEYS_NAME_MAX];       /* target as configured (keys.h); never "" once read */
	char target_ip[INET6_ADDRSTRLEN]; /* its address then; "" when absent */
	long long ts;                     /* Unix time (s) the trace ended; 0 when absent */
	struct path_change chg;           /* old and new path ("" unknown hop), first differing TTL (1-based) */
	struct path_names old_names;      /* names of chg.old_path's hops ("" none); n 0: none written/read */
	struct path_names new_names;      /* names of chg.new_path's hops, likewise */
};

/* Write `m` as one line of compact JSON into buf (NUL-terminated).
 * Returns its length, or 0 when it does not fit in `cap` bytes, a string
 * is not UTF-8, or memory ran out. */
size_t changemsg_write(char *buf, size_t cap, const struct change_msg *m);
/* A path as the message writes it: a JSON array of addresses, null for an
 * unknown hop (also the hop lists of `hopwatch --json`).  A new reference,
 * or NULL when out of memory or an address is not UTF-8. */
json_t *changemsg_path_json(const struct path_hops *h);
/* The names of the `n` hops of a path as a JSON array, null where none is
 * known (`nm` NULL or shorter: null).  A new reference, or NULL when out of
 * memory. */
json_t *changemsg_names_json(const struct path_names *nm, unsigned n);
/* Read a message.  0 and *m filled, or -1 when `json` is not one (not
 * JSON, trailing bytes, a duplicate key, a known field of the wrong type or
 * out of range, a hop that is not an address, a required field missing). */
int changemsg_read(const char *json, struct change_msg *m);

#endif
