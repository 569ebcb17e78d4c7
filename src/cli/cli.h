/*
 * cli.h: `hopwatch`, the read-only command-line reader of what hopwatchd
 * keeps in Redis (key schema in keys.h, change messages in changemsg.h):
 * the stored paths, the last trace of one target, its change history, and
 * changes as they are published.  It loads no plugin and runs no loop.
 *
 *   options.c    main: the command line, -c (conf_load_core), exit status
 *   commands.c   paths, show, history, watch
 *   redisread.c  the blocking Redis connection and reads (hiredis)
 *   format.c     text layout: ages, times, RTTs, list fields, path diffs
 *   jsonout.c    --json: the values of the documented schema (Jansson)
 *   dashboard.c  dashboard: a Datadog dashboard from the widget table of each plugin
 *
 * t/t7030-cli.sh runs every command end to end against a real Redis.
 */
#ifndef HW_CLI_H
#define HW_CLI_H

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdio.h>
#include <time.h>

#include "conf.h"
#include "pathstore.h"

/* What the command line (and -c) asked. */
struct cli_opts {
	struct redis_conf rc;   /* where Redis is and how to log in; the timeouts are seconds */
	const char *source;     /* whose paths (a host name); "*" every host's */
	const char *probe;      /* --probe: only this probe instance, or NULL */
	const char *target;     /* TARGET as configured ("host" or "host:port"), or NULL */
	long count;             /* --count: history's last N changes, watch's exit after N; 0: no limit */
	double timeout;         /* --timeout: watch's exit after this many seconds; 0: none */
	int json;               /* --json: one JSON document (watch: one object a line), hopwatch(1) */
};

/* options.c */

/* Print "hopwatch: <message>" on stderr and exit with status 1. */
void cli_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* commands.c: each returns the exit status (0, or 1 when watch timed out
 * before --count changes came); every failure dies (status 1). */

/* Every stored path of the source: probe, target, hops, reached, ages. */
int cmd_paths(const struct cli_opts *o);
/* The last trace of o->target as a table, and the confirmed path when it differs. */
int cmd_show(const struct cli_opts *o);
/* The recorded changes of o->target, oldest first, as diffs. */
int cmd_history(const struct cli_opts *o);
/* Changes as they are published, filtered by source, probe and target. */
int cmd_watch(const struct cli_opts *o);

/* redisread.c: one blocking connection; every failure dies with a message
 * naming where Redis is. */

/* A growing list of strings. */
struct strv {
	char **v;     /* the strings (owned) */
	size_t n;     /* how many */
	size_t cap;   /* room */
};

/* Connect with rc's connect and command timeouts, AUTH and SELECT. */
void rr_connect(const struct redis_conf *rc);
/* Where Redis is, for messages: "host:port", "[v6]:port" or "unix:path". */
const char *rr_where(void);
/* Run a command and return its reply (freeReplyObject it); dies on an I/O
 * error and on an error reply. */
redisReply *rr_cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Queue a command for pipelining; its reply comes from rr_reply(). */
void rr_append(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The next reply (of rr_append, or a pushed message), within the command timeout. */
redisReply *rr_reply(void);
/* Wait up to `seconds` (<= 0: for ever) for the next reply: 1 and *r set
 * (freeReplyObject it), 0 when none came in time, -1 when the connection
 * is lost (the reason in err; rr_reconnect it).  The connection's timeout
 * is changed for good. */
int rr_wait(double seconds, redisReply **r, char *err, size_t cap);
/* Close the connection and connect again as rr_connect did; 0, or -1 with
 * the reason in err (and no connection: call it again later). */
int rr_reconnect(const struct redis_conf *rc, char *err, size_t cap);
/* Close the connection; nothing when there is none. */
void rr_close(void);
/* The path hash keys of o->source (or every source) matching probe and
 * target (NULL: any), sorted, each once. */
struct strv rr_path_keys(const struct cli_opts *o, const char *probe, const char *target);
/* One field of an HGETALL reply (or a stream entry's fields), or "" when absent. */
const char *rr_field(const redisReply *r, const char *name);
/* Add a copy of `str` to `s`; dies when out of memory. */
void strv_add(struct strv *s, const char *str);
/* Sort `s` (strcmp order). */
void strv_sort(struct strv *s);
/* Free the strings of `s` and empty it. */
void strv_free(struct strv *s);

/* format.c */

/* "42s", "3m 5s", "2h 7m", "5d 3h", "2h" (no zero second unit); negative
 * ages (clock skew) are 0s. */
void cli_format_age(char *buf, size_t cap, long long secs);
/* "2024-05-01 12:00:05" in local time, for Unix time `ts` (seconds). */
void cli_format_time(char *buf, size_t cap, long long ts);
/* "2024-05-01 12:00:05 (3m05s ago)" for a Unix time written in `ts`, or
 * "never" when it is empty or not a number. */
void cli_format_when(char *buf, size_t cap, const char *ts, time_t now);
/* Field `i` (0-based) of the comma-separated list `s` into buf ("" when
 * the list is shorter); empty fields are kept.  Returns 1 when it exists. */
int cli_list_field(const char *s, unsigned i, char *buf, size_t cap);
/* Number of fields of a comma-separated list; 0 for "". */
unsigned cli_list_len(const char *s);
/* An RTT in ms with 3 significant digits, as mtr users read them: "0.052",
 * "1.23", "12.3", "123"; "?" for a negative or NaN value.  No unit. */
void cli_format_rtt(char *buf, size_t cap, double ms);
/* Whether TTL i + 1 changed from o to n: both hops known and different
 * (an unknown hop or one past the end matches any, as in pathdiff.h). */
int cli_hop_changed(const struct path_hops *o, const struct path_hops *n, unsigned i);
/* The names of path `to` taken from another path of the same target:
 * hop i of `to` gets the name `fnm` gives the same address in `from`. */
void cli_names_by_address(const struct path_hops *from, const struct path_names *fnm,
                          const struct path_hops *to, struct path_names *out);
/* Print the TTL rows of old -> new, every changed hop (cli_hop_changed)
 * and TTL `first` marked '>' and "->"; hops read as pathwatch_hop_label with the
 * names `on` and `nn` (either may be NULL). */
void cli_print_diff(FILE *f, const struct path_hops *o, const struct path_hops *n, unsigned first,
                    const char *oname, const char *nname, const struct path_names *on,
                    const struct path_names *nn);

/* jsonout.c: the pieces of --json (schema in hopwatch(1), JSON OUTPUT);
 * hop lists are changemsg_path_json's (changemsg.h).  Each returns a new
 * reference, or NULL when memory ran out. */

/* A number stored as text ("1.5"), or null when `s` is empty or not one. */
json_t *cli_json_number(const char *s);
/* A Unix time stored as text, as an integer, or null when empty or not one. */
json_t *cli_json_time(const char *s);
/* One change: id (null when unknown), source (null when unknown), probe,
 * target, target_ip (null when unknown), ts (null when unknown),
 * first_diff_ttl, changed_ttls (every TTL marked in the text diff), old,
 * new, old_names, new_names (as long as old and new, null where no name
 * is known; `on` and `nn` may be NULL). */
json_t *cli_json_change(const char *source, const char *probe, const char *target, const char *ip,
                        long long ts, const char *id, const struct path_hops *o, const struct path_hops *n,
                        unsigned first, const struct path_names *on, const struct path_names *nn);
/* Write `v` compactly on one line of stdout, flush, and drop the reference;
 * dies when it cannot (NULL: memory ran out). */
void cli_json_print(json_t *v);

/* dashboard.c */

/* The Datadog dashboard (dashboard API JSON) of `cfg`: with `file` (the
 * -c configuration, whose probes it reads) a group per probe instance,
 * else a group per plugin hopwatch knows, filtered by $probe; the
 * daemon's own groups first.  With `file`, a path instance of at most 8
 * targets has its per-hop widgets once per target.  Dies on a
 * configuration it cannot read. */
json_t *cli_dashboard(const struct hw_config *cfg, const char *file);

#endif
