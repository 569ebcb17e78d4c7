/*
 * hopwatch.h: the one header a hopwatch probe plugin includes.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * `hopwatch_plugin`, a const struct hw_plugin (use HW_PLUGIN_EXPORT).  The
 * daemon checks its `abi` and `size` fields before it calls anything in it.
 *
 * The daemon owns the event loop.  A plugin never sees libev: it asks the
 * host for fd watches and timers through the functions below, and the host
 * calls back.  Everything else a probe needs (metrics, events, service
 * checks, logging, resolved target addresses, traced paths) is here.  Packet
 * code is not: it lives in lib/pkt (pkt.h), a static library linked into
 * the plugins that need it, so changing it never changes this ABI.
 *
 * Ownership rule, kept everywhere: whatever a plugin creates through this
 * API (hw_io, hw_timer) belongs to its probe instance.  The plugin may free
 * it early with the matching *_free; whatever is left when the instance
 * stops is freed by the host after the plugin's `stop` returns.  Strings and
 * arrays passed *into* the API are copied or used before the call returns;
 * the caller keeps ownership.  Pointers the API hands *out* (targets,
 * options) stay valid until the instance stops; a dynamic target's host
 * and ip strings only until its `forget` returns (see hw_target).
 */
#ifndef HOPWATCH_H
#define HOPWATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <netinet/in.h>

/* Bumped whenever anything in this header changes incompatibly.
 * 2: the packet helpers left for lib/pkt (issue 12).
 * 3: hw_hop gained response, loss and figured (issue 13: forwarding loss
 *    reported apart from the share of probes a hop answered); hw_plugin
 *    gained `check` (issue 14: a status every round); hw_change_report
 *    (a plugin's other changes stored like path changes).
 * 4: hw_plugin gained `metrics` (the metrics a plugin sends, for the
 *    per-instance selection `metrics`/`metrics_add`/`metrics_exclude`,
 *    issue 16), hw_metric_wanted(); hw_hop gained rtt_stddev and
 *    rtt_jitter (mtr's per-hop StDev and Jitter); hw_hop_name (hop names,
 *    reverse DNS cached by the host); dynamic targets (issue 18):
 *    hw_plugin gained `forget` and `default_interval`;
 *    hw_publish_destinations.
 * 5: hw_plugin gained `port_use` (whether targets carry a port follows a
 *    setting: the path plugin's icmp has none, its udp and tcp do). */
#define HW_PLUGIN_ABI 5

/* An opaque probe instance: one `probes` entry of the config. */
typedef struct hw_ctx hw_ctx;
/* An opaque fd watch owned by a probe instance. */
typedef struct hw_io hw_io;
/* An opaque one-shot timer owned by a probe instance. */
typedef struct hw_timer hw_timer;

/* ------------------------------------------------------------------ */
/* Targets                                                              */

/*
 * One target of a probe instance, as the plugin sees it.
 *
 * Configured targets (`targets = [...]`) are fixed for the instance's life.
 * An instance with a dynamic source (`targets_from`, a mesh group) instead
 * has max_targets preallocated slots: hw_targets() lists them all, index
 * and data never move, and a slot is either free (host "", addrlen 0; run
 * is never called for it) or holds one target.  When the source drops a
 * target, the host waits for its open round to end (never while it runs),
 * calls the plugin's `forget`, zeroes the target_size bytes at data and
 * frees the slot; a later target may take it, starting from zeroed data.
 * So per-target state the plugin sets up in start (pointers into its own
 * arrays, timers) must be set up again when run finds zeroed data.
 */
typedef struct hw_target {
	const char *host;              /* host as configured or given by the source (name or literal
	                                  address); "" for a free slot */
	uint16_t port;                 /* port from the config or the source, 0 when none was given */
	const char *ip;                /* current address as text, "" until resolved */
	struct sockaddr_storage addr;  /* current address; port filled in when set */
	socklen_t addrlen;             /* length of addr, 0 until resolved */
	int family;                    /* AF_INET or AF_INET6, 0 until resolved */
	unsigned index;                /* position in the instance's target list (slot), 0-based */
	void *data;                    /* plugin per-target state: target_size zeroed bytes */
} hw_target;

/* ------------------------------------------------------------------ */
/* Plugin settings                                                      */

/* Type of one plugin setting; decides how the config value is read. */
typedef enum hw_opt_type {
	HW_OPT_INT,       /* integer -> int */
	HW_OPT_DOUBLE,    /* number -> double */
	HW_OPT_DURATION,  /* seconds as a number, or a string "250ms", "1.5s", "2m" -> double seconds */
	HW_OPT_BOOL,      /* true/false -> int 0/1 */
	HW_OPT_STRING,    /* string -> const char * (NULL when the default is NULL) */
	HW_OPT_ENUM,      /* one of `choices` -> int index into choices */
} hw_opt_type;

/*
 * One setting a plugin accepts inside its probe instance.  The host reads,
 * type-checks and range-checks it, rejects unknown keys, and fills the
 * plugin's options struct at `offset`.  Errors name file:line and the key.
 */
typedef struct hw_option {
	const char *name;             /* key in the probe instance, e.g. "count" */
	hw_opt_type type;             /* how to read it */
	size_t offset;                /* offsetof() in the plugin's options struct */
	const char *def;              /* default, written as in the config ("3", "200ms", "auto"); NULL: none */
	double min, max;              /* inclusive bounds for INT, DOUBLE, DURATION */
	const char *const *choices;   /* HW_OPT_ENUM: NULL-terminated allowed words */
	const char *doc;              /* one line of help: meaning and unit */
} hw_option;

/* Whether the targets of a plugin carry a port. */
typedef enum hw_port_use {
	HW_PORT_NONE,      /* "host:port" is an error */
	HW_PORT_OPTIONAL,  /* port may be given; 0 when not */
	HW_PORT_REQUIRED,  /* every target must have a port */
} hw_port_use;

/* ------------------------------------------------------------------ */
/* The plugin descriptor                                                */

/*
 * What a plugin exports.  Callbacks run on the daemon's only thread and must
 * never block.  `state` is whatever `start` stored.
 */
typedef struct hw_plugin {
	uint32_t abi;                 /* HW_PLUGIN_ABI this plugin was built against */
	uint32_t size;                /* sizeof(struct hw_plugin) it was built with */
	const char *name;             /* must equal the file name without ".so" */
	const hw_option *options;     /* settings table, ended by an entry with name NULL */
	size_t options_size;          /* sizeof the struct the settings fill */
	size_t target_size;           /* bytes of per-target state (hw_target.data), may be 0 */
	hw_port_use port;             /* port use of targets */
	/* Cross-field checks after every setting was read; return NULL when
	 * fine, else a static message naming the settings involved.  May be NULL. */
	const char *(*validate)(const void *opts, double interval, double timeout);
	/* Open sockets and set up; return 0, or -1 after logging why.  A
	 * target given by a name the plugin resolves itself (the dns plugin's
	 * "system") gets addr, addrlen and family from start: the core then
	 * never looks that name up. */
	int (*start)(hw_ctx *ctx, const void *opts, void **state);
	/* Begin one round for `t`.  The plugin calls hw_done() when it ends.
	 * NULL: the plugin watches the host, takes no targets (the config
	 * refuses them) and schedules itself with hw_timer_* from start. */
	void (*run)(void *state, hw_target *t);
	/* A target's address changed between rounds (t already holds the new one). May be NULL. */
	void (*readdress)(void *state, hw_target *t);
	/* Tear down: close sockets, free state.  Rounds still open are abandoned. */
	void (*stop)(void *state);
	/* The service check that ends every round of a target ("icmp.can_reach").
	 * For a round the host cannot start (the target's name does not
	 * resolve, or has no address of the configured family) the host sends
	 * it itself: CRITICAL, "cannot resolve HOST: REASON", the network
	 * metrics left out.  NULL: the plugin has none, and such rounds report
	 * only hopwatch.dns.errors. */
	const char *check;
	/* (ABI 4) Every metric the plugin sends (hw_metric_def, under
	 * Output), ended by an entry with name NULL; the core drops the ones
	 * an instance did not select before they are encoded.  NULL: no
	 * table, every metric is sent and the instance refuses the selection
	 * settings. */
	const struct hw_metric_def *metrics;
	/* ABI 4.  Target `t` leaves a dynamic instance (its round ended):
	 * free whatever its per-target state holds (timers, sockets, memory
	 * outside t->data) and drop every reference to it; the host then
	 * zeroes t->data.  Non-NULL also declares that the plugin takes
	 * dynamic targets: the config refuses targets_from for a plugin
	 * without it.  May be NULL. */
	void (*forget)(void *state, hw_target *t);
	/* ABI 4.  Seconds between rounds when neither the probe instance nor
	 * the file's top level sets `interval` (instead of the built-in 60 s;
	 * 0: that one); 0.01 to 86400. */
	double default_interval;
	/* ABI 5.  Whether the targets carry a port under settings `opts`
	 * (read before the targets): the `port` field when NULL.  A target
	 * that breaks it is refused with its file:line. */
	hw_port_use (*port_use)(const void *opts);
} hw_plugin;

/* Name of the one symbol a plugin exports. */
#define HW_PLUGIN_SYMBOL "hopwatch_plugin"

/* Define the exported descriptor: HW_PLUGIN_EXPORT = { ... }; */
#define HW_PLUGIN_EXPORT \
	__attribute__((visibility("default"))) const hw_plugin hopwatch_plugin

/* ------------------------------------------------------------------ */
/* Event loop access                                                    */

/* Readiness bits for hw_io_want and the io callback. */
#define HW_READ  1
#define HW_WRITE 2

/* Called when the fd is ready; `revents` holds HW_READ and/or HW_WRITE. */
typedef void (*hw_io_cb)(void *arg, int fd, int revents);
/* Called when a timer expires. */
typedef void (*hw_timer_cb)(void *arg);

/* Watch `fd` (not owned: the plugin closes it).  Starts with no interest;
 * call hw_io_want.  Returns NULL only when out of memory. */
hw_io *hw_io_new(hw_ctx *ctx, int fd, hw_io_cb cb, void *arg);
/* Set the interest to `events` (HW_READ|HW_WRITE, 0 for none); idempotent. */
void hw_io_want(hw_io *io, int events);
/* Stop watching and free; NULL is fine. */
void hw_io_free(hw_io *io);

/* A stopped one-shot timer.  Returns NULL only when out of memory. */
hw_timer *hw_timer_new(hw_ctx *ctx, hw_timer_cb cb, void *arg);
/* (Re)arm to fire once, `after` seconds from now; replaces any earlier arming. */
void hw_timer_arm(hw_timer *t, double after);
/* Disarm; idempotent. */
void hw_timer_stop(hw_timer *t);
/* Disarm and free; NULL is fine. */
void hw_timer_free(hw_timer *t);

/* Open a raw socket (SOCK_RAW, non-blocking, close-on-exec) of `family`
 * and `protocol`: the one way plugins open raw sockets, so that the daemon
 * keeps CAP_NET_RAW (permitted, not effective) only when a probe uses one.
 * Returns the fd, or -1 with errno (EPERM: no CAP_NET_RAW). */
int hw_raw_socket(hw_ctx *ctx, int family, int protocol);

/* Monotonic seconds (CLOCK_MONOTONIC), read now, not cached. */
double hw_mono(void);

/* ------------------------------------------------------------------ */
/* Rounds                                                               */

/* The round started by run(t) is over; the scheduler may start the next. */
void hw_done(hw_ctx *ctx, hw_target *t);
/* The instance's targets, in config order, or all its slots when its
 * targets are dynamic (see hw_target); *n receives the count. */
hw_target *const *hw_targets(hw_ctx *ctx, size_t *n);
/* The instance name (the `name` setting). */
const char *hw_instance_name(const hw_ctx *ctx);
/* The instance's `interval` and `timeout`, in seconds. */
double hw_interval(const hw_ctx *ctx);
double hw_timeout(const hw_ctx *ctx);

/* ------------------------------------------------------------------ */
/* Output                                                               */

/* DogStatsD metric types the host can send. */
typedef enum hw_mtype {
	HW_GAUGE,         /* g */
	HW_COUNT,         /* c */
	HW_HISTOGRAM,     /* h */
	HW_DISTRIBUTION,  /* d */
	HW_TIMER,         /* ms */
} hw_mtype;

/*
 * One metric a plugin sends, in its `metrics` table: the names users may
 * list in an instance's `metrics`, `metrics_add` and `metrics_exclude`
 * settings (the core refuses any other name with file:line), and what the
 * README's metric table and hopwatch.conf(5) are checked against.
 */
typedef struct hw_metric_def {
	const char *name;             /* as passed to hw_metric, without the prefix: "icmp.rtt" */
	hw_mtype type;                /* the type it is sent with (icmp.rtt: the rtt_type default) */
	int on;                       /* 1: sent unless excluded; 0: only when selected (off by default) */
	const char *tags;             /* tags beyond the target's, comma-separated ("result", "hop"); "" none */
	const char *doc;              /* one line: what it holds, its unit, when a round sends it */
} hw_metric_def;

/* Service check statuses. */
typedef enum hw_status {
	HW_OK = 0, HW_WARNING = 1, HW_CRITICAL = 2, HW_UNKNOWN = 3,
} hw_status;

/* Event alert types. */
typedef enum hw_alert {
	HW_ALERT_INFO, HW_ALERT_SUCCESS, HW_ALERT_WARNING, HW_ALERT_ERROR,
} hw_alert;

/*
 * Send metric `name` (the host prepends the metric prefix, "hopwatch." by
 * default) with `n` values.  Several values go out packed in one line where
 * the type allows.  Tags: the global and instance tags, probe:<instance>,
 * and when `t` is not NULL target:, target_ip: (a target given by name
 * only), the group tag and the target's own tags; then `extra`
 * (NULL-terminated "key:value" strings, may be NULL), sanitised.
 * Non-finite values are dropped, and so is a metric of the plugin's
 * `metrics` table the instance did not select.
 */
void hw_metric(hw_ctx *ctx, const hw_target *t, const char *name, hw_mtype type,
               const double *values, size_t n, const char *const *extra);
/* One value; the common case. */
void hw_metric1(hw_ctx *ctx, const hw_target *t, const char *name, hw_mtype type,
                double value, const char *const *extra);
/* Service check `name` (prefixed) with the same tags as hw_metric. */
void hw_service_check(hw_ctx *ctx, const hw_target *t, const char *name,
                      hw_status status, const char *message, const char *const *extra);
/* Event with the same tags; `aggregation_key` may be NULL; source type is "hopwatch". */
void hw_event(hw_ctx *ctx, const hw_target *t, const char *title, const char *text,
              hw_alert alert, const char *aggregation_key, const char *const *extra);
/* (ABI 4) Whether the instance sends metric `name` (a name of the
 * plugin's `metrics` table; 1 for a name the table lacks): a plugin asks
 * before it computes a figure only an unselected metric needs.  hw_metric
 * drops unselected metrics itself, so asking is never required.  Cheap:
 * a lookup in the plugin's table. */
int hw_metric_wanted(const hw_ctx *ctx, const char *name);

/* ------------------------------------------------------------------ */
/* Logging: one family, prefixed with the instance name                 */

/* Log levels, most severe first (syslog's order). */
enum { HW_LOG_ERR = 3, HW_LOG_WARNING = 4, HW_LOG_INFO = 6, HW_LOG_DEBUG = 7 };

/* Log a message for `ctx` (NULL: the core). */
void hw_log(const hw_ctx *ctx, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Whether `level` would be logged: skip expensive formatting when not. */
int hw_log_enabled(int level);

#define HW_ERROR(ctx, ...) hw_log((ctx), HW_LOG_ERR, __VA_ARGS__)
#define HW_WARN(ctx, ...)  hw_log((ctx), HW_LOG_WARNING, __VA_ARGS__)
#define HW_INFO(ctx, ...)  hw_log((ctx), HW_LOG_INFO, __VA_ARGS__)
#define HW_DEBUG(ctx, ...) \
	do { if (hw_log_enabled(HW_LOG_DEBUG)) hw_log((ctx), HW_LOG_DEBUG, __VA_ARGS__); } while (0)

/* ------------------------------------------------------------------ */
/* Traced paths: handed to the core path store                          */

/* Longest path the core keeps, in hops (max_ttl may not exceed it). */
#define HW_PATH_MAX_HOPS 64

/* One hop of a finished trace. */
typedef struct hw_hop {
	char ip[INET6_ADDRSTRLEN];   /* responder's address as text; "" when none answered */
	unsigned sent;               /* probes sent with this TTL */
	unsigned received;           /* replies for this TTL */
	double rtt_min;              /* ms over the replies; 0 when none */
	double rtt_avg;              /* ms */
	double rtt_max;              /* ms */
	/* Set by plugins that tell forwarding loss from ICMP rate limiting
	 * (the path plugin), when `figured` is 1; else the core reads loss as
	 * (sent - received) / sent. */
	double response;             /* percent of the probes to this hop it answered; NAN: not measured */
	double loss;                 /* percent, forwarding loss up to this hop that persists downstream
	                                (mtr's rule); NAN: no value (not measured this round) */
	int figured;                 /* 1: response and loss are the plugin's */
	/* (ABI 4) mtr's StDev and Jitter of the hop, over this trace's
	 * replies for its TTL (plugins/common/stats.c); 0 with fewer than 2. */
	double rtt_stddev;           /* ms, population standard deviation of the replies' RTTs */
	double rtt_jitter;           /* ms, mean absolute difference of consecutive replies' RTTs */
} hw_hop;

/* A finished trace. */
typedef struct hw_path {
	const char *protocol;        /* "icmp", "udp" or "tcp" */
	unsigned nhops;              /* hops listed: hops[0] is TTL 1, the last the destination if reached */
	const hw_hop *hops;          /* the hops */
	int reached;                 /* 1 when the destination answered */
	double duration;             /* seconds the trace took */
} hw_path;

/* Hand a finished trace of `t` to the path store: path change detection
 * (event and hopwatch.path.changes), and Redis when configured.  Copied. */
void hw_path_report(hw_ctx *ctx, const hw_target *t, const hw_path *path);

/*
 * Hand a change of something else a plugin watches (a DNS answer set, ...)
 * to the change store, the way hw_path_report does for paths.  The
 * plugin sends its own event; this stores the change: with Redis, one
 * entry in the target's change stream (<prefix>changes:{<host>}:<probe>:
 * <target>, fields kind, ts, target_ip, old, new) and one JSON message on
 * <prefix>changes ({"id","source","probe","target","target_ip","ts",
 * "kind","old","new"}).  `kind` is a word naming what changed
 * ("dns_answer"); `old_value` and `new_value` are the plugin's text ("" for
 * none).  Copied; nothing happens without Redis.
 */
void hw_change_report(hw_ctx *ctx, const hw_target *t, const char *kind, const char *old_value,
                      const char *new_value);

/*
 * The name of hop address `sa` (sockaddr_in or sockaddr_in6, port
 * ignored) from the host's reverse DNS cache (PTR, README "Hop names"), or
 * NULL when none is known yet, there is none, or hop_names is off.  Never
 * blocks: a miss starts a lookup (bounded in number and rate) whose answer
 * serves a later call.  The name is lower case, 1 to 253 characters of
 * [a-z0-9._-]; copy it before the next call into the host.
 */
const char *hw_hop_name(hw_ctx *ctx, const struct sockaddr *sa);

/* ------------------------------------------------------------------ */
/* Destinations: what a host-watching plugin publishes as targets       */

/* One destination the host talked to. */
typedef struct hw_destination {
	const char *host;            /* remote address as text (a literal, never a name) */
	uint16_t port;               /* remote port (the service port of an outgoing connection) */
	uint64_t bytes;              /* data bytes sent plus received over the publisher's last interval */
} hw_destination;

/*
 * Publish the outgoing destinations the host talked to over the plugin's
 * last interval, the most bytes first (`n` may be 0).  The host feeds
 * them, as targets, to every instance whose `targets_from` names this one
 * (keeping each until it has had no traffic for that instance's
 * `expire`, at most its `max_targets`); nothing happens when none does.
 * Copied.
 */
void hw_publish_destinations(hw_ctx *ctx, const hw_destination *d, size_t n);

#endif /* HOPWATCH_H */
