/*
 * conf.h: the configuration.  conf_load() reads a libconfig file, checks
 * every value (type, range, unknown keys, duplicates, plugins) and reports
 * each problem as "file:line: setting: what is wrong", naming the value as
 * written.  Numbers are read exactly (64 bits) from their literals, which
 * libconfig 1.5 cuts to 32 bits; everything start-up would refuse, short of
 * opening sockets, is refused here, so `hopwatchd -t` says it.  The
 * defaults of all core settings live in one table in conf.c; those of each
 * plugin in its own options table.
 */
#ifndef HW_CONF_H
#define HW_CONF_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "hopnames.h"
#include "hopwatch.h"

/* A list of strings (tags). */
struct strlist {
	char **v;   /* the strings */
	size_t n;   /* how many */
};

/* One target of a probe instance as configured. */
struct target_conf {
	char *host;           /* name or literal address */
	uint16_t port;        /* 0 when none */
	char *group;          /* group name (becomes tag group:<name>), or NULL */
	struct strlist tags;  /* the target's own tags */
};

/* Address family wanted for a probe instance's targets. */
enum conf_family { FAMILY_ANY, FAMILY_IPV4, FAMILY_IPV6 };

/* One `probes` entry. */
struct probe_conf {
	char *name;                  /* unique instance name */
	char *plugin;                /* plugin name */
	const hw_plugin *p;          /* the loaded plugin */
	double interval;             /* seconds between rounds of a target */
	double timeout;              /* seconds a request (one packet) waits for its answer */
	int family;                  /* enum conf_family */
	struct strlist tags;         /* instance tags */
	struct target_conf *targets; /* targets in config order */
	size_t ntargets;             /* how many */
	void *opts;                  /* plugin options struct (p->options_size bytes) */
	unsigned char *metric_on;    /* per entry of p->metrics: 1 when this instance sends it
	                                (metrics, metrics_add, metrics_exclude); NULL: no table */
	size_t nmetrics;             /* entries of p->metrics, the length of metric_on */
	const char *targets_from;    /* name of the instance whose destinations are the targets, or NULL */
	int dynamic;                 /* targets come at run time from a source (targets.h), not `targets` */
	int max_targets;             /* dynamic: target slots; the source's targets beyond are left out */
	double expire;               /* targets_from: seconds a destination stays a target without traffic */
	const char *from_where;      /* targets_from: "file:line: probes[i].targets_from", for messages */
};

/* The whole configuration. */
struct hw_config {
	double interval;             /* default seconds between rounds */
	double timeout;              /* default seconds to wait for an answer */
	double resolve_interval;     /* seconds between re-resolutions of host names */
	const char *prefix;          /* prepended to every metric and check name */
	const char *plugin_dir;      /* where <plugin>.so files are */
	const char *user;            /* user to drop privileges to, or NULL */
	const char *hostname;        /* this host's name in events and Redis, NULL: gethostname() */
	const char *include_dir;     /* directory of extra *.conf files with probes, or NULL */
	struct strlist tags;         /* global tags */
	struct {
		const char *url;           /* sink URL; NULL: DD_* environment or udp://127.0.0.1:8125 */
		int echo;                  /* print every line sent to stdout */
		double telemetry_interval; /* seconds between self-telemetry, 0: off */
		double flush_interval;     /* seconds a line may wait for a fuller datagram, 0: none */
	} statsd;                    /* DogStatsD sink */
	struct redis_conf {
		const char *host;          /* Redis host; NULL (and no socket): Redis is off */
		int port;                  /* its TCP port */
		const char *socket;        /* Unix socket path, instead of host and port */
		const char *user;          /* ACL user for AUTH, or NULL */
		const char *password;      /* password for AUTH, or NULL */
		int db;                    /* database number (SELECT) */
		double connect_timeout;    /* seconds a connection attempt may take */
		double command_timeout;    /* seconds a reply may take before reconnecting */
		const char *prefix;        /* prepended to every key and channel */
		int history;               /* approximate length cap of each change stream */
		int queue;                 /* changes held while Redis is down; oldest dropped beyond */
		struct strlist sentinels;  /* Sentinel: "host:port" of each sentinel ("[v6]:port"); empty: none */
		const char *master_name;   /* Sentinel: the name the sentinels monitor the primary under */
	} redis;                     /* Redis path store; see redis.h */
	int path_confirm;            /* consecutive traces that confirm a path change */
	struct hopnames_conf hop_names; /* reverse DNS of hop addresses; see hopnames.h */
	struct {
		int level;                 /* index into the level words: error warning info debug */
		int syslog;                /* 0: stderr, 1: syslog */
	} log;                       /* logging */
	struct probe_conf *probes;   /* probe instances */
	size_t nprobes;              /* how many */
	char **pool;                 /* every string above is owned here */
	size_t npool;                /* strings in pool */
};

/* The log level words, in the order of hw_config.log.level. */
extern const char *const conf_log_levels[];

/* Load and check `file`.  `plugin_dir`, when not NULL, overrides the
 * setting.  Every problem is logged with file:line; NULL when there was
 * any (or out of memory).  conf_load(NULL, ...) returns the defaults.
 * Looks up `user` (getpwnam) and loads the plugins the probes name. */
struct hw_config *conf_load(const char *file, const char *plugin_dir);
/* Load and check only the core settings of `file` (everything but
 * `probes` and the files of include_dir), loading no plugin: for readers
 * of `redis` and `hostname` such as the CLI.  `probes` is not checked at
 * all, so a file valid for this may still be refused by conf_load.
 * NULL after logging each problem; conf_load_core(NULL) is the defaults. */
struct hw_config *conf_load_core(const char *file);
/* Free a configuration; NULL is fine. */
void conf_free(struct hw_config *c);

/* A number literal of the config, as written and exactly as meant. */
struct conf_number {
	char text[32];   /* the literal as written; a longer one is cut and ends in "..." */
	int is_float;    /* 1: written as a float (with '.' or an exponent) */
	int fits;        /* integers: the value fits in 64 bits; floats: it is finite */
	long long i;     /* an integer's value, when it fits */
	double d;        /* a float's value; an integer's, converted (+-HUGE_VAL when it does not fit) */
};

/* Read the number literal `text` (`len` bytes, libconfig syntax: "42",
 * "-7", "0x1F", "10L", "1.5e3") exactly.  libconfig 1.5 cuts integers to
 * 32 bits and keeps no text, so the loader reads the literals itself.
 * Returns 0, or -1 when it is not a number literal.  Pure. */
int conf_parse_number(const char *text, size_t len, struct conf_number *n);
/* Parse a duration "1.5", "250ms", "2s", "5m", "1h" into seconds.
 * Returns 0, or -1 when it is not one.  Pure. */
int conf_parse_duration(const char *s, double *seconds);
/* Split "host", "host:port", "[v6]" or "[v6]:port" (a bare IPv6 literal
 * has no port).  Returns 0, or -1 with a reason.  Pure. */
int conf_parse_hostport(const char *s, char *host, size_t hostlen, uint16_t *port,
                        const char **why);
/* Whether target `host` can be what it looks like: a host made of digits
 * and dots must be an IPv4 address, one with ':' an IPv6 address, and an
 * address must be of `family` (enum conf_family).  Returns NULL, or what
 * is wrong ("is not an IPv4 address ...").  Pure. */
const char *conf_host_problem(const char *host, int family);
/* Set the fields of `base` described by `opts` to their defaults.  Returns
 * NULL, or the name of the option whose default does not parse.  `c` owns
 * the strings.  Used for plugin tables and the core's. */
const char *conf_apply_defaults(struct hw_config *c, const hw_option *opts, void *base);
/* Describe the settings of `opts`, one per line of tab-separated fields:
 * scope (where the setting is written: "global", "statsd", "redis", "log",
 * "probes", "plugin NAME"), name, type ("duration", "integer", "number",
 * "boolean", "string", "list of strings", "one of a, b"), default ("" when
 * unset), range ("1 to 100", "0.01s to 86400s", "" when none) and the
 * meaning.  `hopwatchd -L` prints these; contrib/man/settings.awk makes
 * the settings of hopwatch.conf(5) of them. */
void conf_describe(FILE *f, const char *scope, const hw_option *opts);
/* Describe the metrics of a plugin's table `m` in conf_describe's format,
 * one line each: scope, "metric NAME", "metric, TYPE", "on" or "off" (sent
 * by default or only when selected), "tags: T" ("" when none), meaning. */
void conf_describe_metrics(FILE *f, const char *scope, const hw_metric_def *m);
/* Whether metric pattern `pat` matches `name`: equal, or `pat` ends in
 * ".*" and `name` begins with what comes before the "*" ("path.hop.*"
 * matches "path.hop.rtt").  Pure. */
int conf_metric_match(const char *pat, const char *name);
/* conf_describe every core setting: the global, statsd, redis and log
 * settings and the core keys of a probe instance, with the ones no table
 * holds (tags, probes, name, plugin, targets). */
void conf_describe_core(FILE *f);

#endif
