/*
 * pathwatch.h: what happens to a finished trace.  It feeds the path store
 * (pathstore.h), and when Redis is configured writes the latest trace of
 * every target and each confirmed change (PUBLISH, XADD, HSET) through
 * redis.h.  Lives across reloads, so a reload never loses a path.
 *
 * Redis layout (built and parsed in keys.h; <p> is redis.prefix, <s> this
 * host, a Cluster hash tag):
 *   <p>path:{<s>}:<probe>:<target>     hash: the last trace and confirmed path
 *   <p>changes:{<s>}:<probe>:<target>  stream: one entry per change
 *   <p>path-changes                    channel: one JSON message per change (changemsg.h)
 */
#ifndef HW_PATHWATCH_H
#define HW_PATHWATCH_H

#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "hopnames.h"
#include "hopwatch.h"
#include "pathstore.h"
#include "redis.h"

struct ev_loop;

/* The path watcher. */
typedef struct pathwatch pathwatch;

/* A watcher confirming changes after `confirm` traces, writing to Redis
 * when `rc` names a server (copied); `source` names this host. */
pathwatch *pathwatch_new(struct ev_loop *loop, unsigned confirm, const struct redis_conf *rc,
                         const char *source);
/* The names of the old and new hops of a change, from the cache when the
 * change was confirmed. */
struct path_change_names {
	struct path_names old_names;  /* by TTL, as chg.old_path */
	struct path_names new_names;  /* by TTL, as chg.new_path */
};

/* Take hop names from `hn` (NULL: none) for the Redis hash, the change
 * stream and message, and pathwatch_trace's `names`. */
void pathwatch_set_names(pathwatch *w, hopnames *hn);
/* Feed a trace of (probe, target) at address `ip`, taken at `ts`.
 * Returns 1 and fills *chg when it confirms a change, and then *names
 * (when not NULL) with the hop names known. */
int pathwatch_trace(pathwatch *w, const char *probe, const char *target, const char *ip,
                    const hw_path *p, time_t ts, struct path_change *chg,
                    struct path_change_names *names);
/* Store a change that is not a path's (hw_change_report): an entry of
 * kind `kind` in the change stream of (probe, target) and a JSON message
 * on <prefix>changes.  Nothing without Redis. */
void pathwatch_change(pathwatch *w, const char *probe, const char *target, const char *ip,
                      const char *kind, const char *old_value, const char *new_value, time_t ts);
/* Target `target` of `probe` left (a dynamic target): drop its path from
 * memory.  What Redis holds of it stays. */
void pathwatch_forget(pathwatch *w, const char *probe, const char *target);
/* The Redis writer's counters; 0 when there is no Redis. */
int pathwatch_redis_stats(const pathwatch *w, struct redis_stats *st);
/* Free; NULL is fine. */
void pathwatch_free(pathwatch *w);

/* Pure formatters, unit-tested in t/unit/pathwatch.c.  Each writes at most
 * `cap` bytes with a NUL and returns the length, or 0 when it did not fit. */

/* "a,*,c": addresses by TTL, '*' for unknown. */
size_t pathwatch_hop_list(char *buf, size_t cap, const struct path_hops *h);
/* Parse such a list back; -1 when it is not one. */
int pathwatch_parse_hop_list(const char *s, struct path_hops *h);
/* "r1.lab,,r3.lab": hop names by TTL, "" where none is known. */
size_t pathwatch_name_list(char *buf, size_t cap, const struct path_names *nm);
/* Parse such a list back; -1 when it is not one (a name that
 * hopnames_valid refuses, more than PATH_MAX_HOPS). */
int pathwatch_parse_name_list(const char *s, struct path_names *nm);
/* Hop i of `h` as the event and the CLI show it: "name (address)" when
 * `nm` (may be NULL) names it, else the address; "*" for an unknown hop,
 * "-" past the end (then `out` is not written). */
const char *pathwatch_hop_label(char *out, size_t cap, const struct path_hops *h,
                                const struct path_names *nm, unsigned i);
/* Title and text of the change event; a hop with a name in `names` (may
 * be NULL) reads "name (address)", as traceroute prints it. */
size_t pathwatch_event_title(char *buf, size_t cap, const char *target);
size_t pathwatch_event_text(char *buf, size_t cap, const struct path_change *chg,
                            const struct path_change_names *names);

#endif
