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
 * checks, logging, resolved target addresses, shared packet helpers) is here.
 *
 * Ownership rule, kept everywhere: whatever a plugin creates through this
 * API (hw_io, hw_timer) belongs to its probe instance.  The plugin may free
 * it early with the matching *_free; whatever is left when the instance
 * stops is freed by the host after the plugin's `stop` returns.  Strings and
 * arrays passed *into* the API are copied or used before the call returns;
 * the caller keeps ownership.  Pointers the API hands *out* (targets,
 * options) stay valid until the instance stops.
 */
#ifndef HOPWATCH_H
#define HOPWATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <netinet/in.h>

/* Bumped whenever anything in this header changes incompatibly. */
#define HW_PLUGIN_ABI 1

/* An opaque probe instance: one `probes` entry of the config. */
typedef struct hw_ctx hw_ctx;
/* An opaque fd watch owned by a probe instance. */
typedef struct hw_io hw_io;
/* An opaque one-shot timer owned by a probe instance. */
typedef struct hw_timer hw_timer;

/* ------------------------------------------------------------------ */
/* Targets                                                              */

/* One configured target of a probe instance, as the plugin sees it. */
typedef struct hw_target {
	const char *host;              /* host as configured (name or literal address) */
	uint16_t port;                 /* port from the config, 0 when none was given */
	const char *ip;                /* current address as text, "" until resolved */
	struct sockaddr_storage addr;  /* current address; port filled in when set */
	socklen_t addrlen;             /* length of addr, 0 until resolved */
	int family;                    /* AF_INET or AF_INET6, 0 until resolved */
	unsigned index;                /* position in the instance's target list, 0-based */
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
	/* Open sockets and set up; return 0, or -1 after logging why. */
	int (*start)(hw_ctx *ctx, const void *opts, void **state);
	/* Begin one round for `t`.  The plugin calls hw_done() when it ends. */
	void (*run)(void *state, hw_target *t);
	/* A target's address changed between rounds (t already holds the new one). May be NULL. */
	void (*readdress)(void *state, hw_target *t);
	/* Tear down: close sockets, free state.  Rounds still open are abandoned. */
	void (*stop)(void *state);
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
/* The instance's targets, in config order; *n receives the count. */
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
 * and when `t` is not NULL target:, target_ip:, the group tag and the
 * target's own tags; then `extra` (NULL-terminated "key:value" strings, may
 * be NULL), sanitised.  Non-finite values are dropped.
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

/* ------------------------------------------------------------------ */
/* Packet helpers (src/packet.c)                                        */
/*
 * Pure functions shared by the probe plugins: no I/O, no state, no
 * allocation.  Every parser reads only inside [pkt, pkt + len) and never
 * trusts a length field it has not checked against `len`.
 */
#include <time.h>

/* Partial Internet checksum (RFC 1071) of `len` bytes added to `sum`, for
 * checksums over several pieces (pseudo-headers): every piece but the last
 * must have an even length.  Finish with hw_inet_checksum_fold. */
uint32_t hw_inet_checksum_add(uint32_t sum, const void *data, size_t len);
/* Fold and complement a partial sum: the checksum in host order (store it
 * with htons()).  Over data that holds a correct checksum, the result is 0. */
uint16_t hw_inet_checksum_fold(uint32_t sum);
/* Checksum of one buffer: hw_inet_checksum_fold(hw_inet_checksum_add(0, data, len)). */
uint16_t hw_inet_checksum(const void *data, size_t len);

/* Length of the ICMP and ICMPv6 header before an echo payload, bytes. */
#define HW_ICMP_HDR_LEN 8

/*
 * Write an echo request of `family` (AF_INET: ICMP type 8; AF_INET6:
 * ICMPv6 type 128) with `id`, `seq` and `plen` bytes of `payload` into
 * `buf`.  AF_INET gets its checksum; AF_INET6 leaves it 0, because the
 * kernel fills it in on raw ICMPv6 and on ping sockets (it needs the
 * addresses of the pseudo-header).  On a ping socket the kernel also
 * replaces `id` with the socket's port.  Returns the length written
 * (HW_ICMP_HDR_LEN + plen), or 0 when `cap` is too small or the family is
 * unknown.
 */
size_t hw_icmp_echo_build(void *buf, size_t cap, int family, uint16_t id, uint16_t seq,
                          const void *payload, size_t plen);

/* What an ICMP message is, the same for both families. */
typedef enum hw_icmp_kind {
	HW_ICMP_OTHER,          /* a type the helpers do not interpret */
	HW_ICMP_ECHO_REPLY,     /* v4 type 0, v6 type 129 */
	HW_ICMP_ECHO_REQUEST,   /* v4 type 8, v6 type 128 */
	HW_ICMP_TIME_EXCEEDED,  /* v4 type 11, v6 type 3: quotes the packet */
	HW_ICMP_UNREACH,        /* v4 type 3, v6 type 1: quotes the packet */
	HW_ICMP_TOO_BIG,        /* v6 type 2 (v4 says it with UNREACH code 4): quotes the packet */
} hw_icmp_kind;

/* Address of either family, as it was in a packet. */
typedef union hw_ipaddr {
	struct in_addr v4;      /* AF_INET */
	struct in6_addr v6;     /* AF_INET6 */
} hw_ipaddr;

/* Partial sum of the pseudo-header (RFC 768/793, RFC 8200 8.1) of a
 * `proto` packet of `len` bytes from src to dst of `family`: add the
 * transport header and payload, then hw_inet_checksum_fold. */
uint32_t hw_inet_pseudo_sum(int family, const hw_ipaddr *src, const hw_ipaddr *dst,
                            uint8_t proto, size_t len);

/* The packet quoted by an ICMP error (an IP header and what followed). */
typedef struct hw_icmp_quote {
	int ok;                 /* 1: the quoted IP header was complete and valid; 0: the rest is unset */
	uint8_t proto;          /* its protocol / last next-header: IPPROTO_ICMP, IPPROTO_UDP, ... */
	uint8_t ttl;            /* its TTL / hop limit when the reporter saw it */
	uint16_t ip_id;         /* v4: its identification field; v6: 0 */
	hw_ipaddr src, dst;     /* its source and destination */
	const uint8_t *l4;      /* its transport header and payload, as far as quoted */
	size_t l4_len;          /* bytes at l4 (RFC 792 promises at least 8; may be fewer) */
	int echo;               /* 1: l4 is a complete echo request header of the quote's family */
	uint16_t echo_id;       /* echo: its identifier, host order */
	uint16_t echo_seq;      /* echo: its sequence number, host order */
} hw_icmp_quote;

/* One received ICMP or ICMPv6 message, taken apart by hw_icmp_parse.
 * Pointers point into the parsed buffer. */
typedef struct hw_icmp {
	int family;             /* AF_INET or AF_INET6 */
	hw_icmp_kind kind;      /* what it is */
	uint8_t type, code;     /* as on the wire */
	uint16_t id, seq;       /* echo request/reply: identifier and sequence, host order; else 0 */
	int has_ip;             /* 1 when an IP header preceded the message (fields below set) */
	uint8_t ttl;            /* has_ip: its TTL / hop limit */
	hw_ipaddr src, dst;     /* has_ip: its source and destination */
	const uint8_t *data;    /* echo: the payload after the 8-byte header; errors: the
	                           quoted packet; other: bytes after the 8-byte header */
	size_t data_len;        /* bytes at data */
	const uint8_t *ext;     /* errors with an RFC 4884 length: the extension structure
	                           (e.g. MPLS labels) after the quote; else NULL */
	size_t ext_len;         /* bytes at ext */
	hw_icmp_quote quote;    /* errors (TIME_EXCEEDED, UNREACH, TOO_BIG): the quoted packet */
} hw_icmp;

/* hw_icmp_parse results: 0 is success, these are failures. */
#define HW_PKT_SHORT     (-1)  /* truncated: shorter than a header or a length field says */
#define HW_PKT_BAD_IP    (-2)  /* IP header invalid: version, IHL, length, fragment, not ICMP */
#define HW_PKT_BAD_SUM   (-3)  /* ICMPv4 checksum wrong (ICMPv6 ones are the kernel's job) */
#define HW_PKT_BAD_ARG   (-4)  /* family not AF_INET/AF_INET6, or NULL pointers */

/*
 * Parse the message in `pkt`.  `has_ip`: the buffer starts with the IP
 * header, as raw IPv4 sockets deliver it (and packet captures of either
 * family); raw ICMPv6 and ping sockets of both families deliver the ICMP
 * message alone (has_ip 0).  With an IPv4 header, the header's total
 * length bounds the message and trailing bytes are ignored.  The ICMPv4
 * checksum is verified.  Messages of any type parse (kind tells which);
 * the caller decides what it wants.  Returns 0 and fills *m, or one of
 * HW_PKT_* (then *m is unspecified).
 */
int hw_icmp_parse(const void *pkt, size_t len, int family, int has_ip, hw_icmp *m);
/* Short English text of an hw_icmp_parse result ("truncated", ...). */
const char *hw_pkt_strerror(int code);

/*
 * The kernel's receive time of a datagram, CLOCK_REALTIME, from the control
 * data of `msg` as recvmsg/recvmmsg filled it: SCM_TIMESTAMPNS (enable
 * SO_TIMESTAMPNS), else SCM_TIMESTAMP (SO_TIMESTAMP).  Give the control
 * buffer at least HW_PKT_CMSG_SPACE bytes.  Returns 0, or -1 when there is
 * none (then *ts is untouched).
 */
int hw_pkt_rx_time(const struct msghdr *msg, struct timespec *ts);
/* Control buffer size enough for a timestamp plus a TTL/hop limit and pktinfo. */
#define HW_PKT_CMSG_SPACE 256

/* Length of a UDP header, bytes. */
#define HW_UDP_HDR_LEN 8

/* A UDP header taken apart (host order). */
typedef struct hw_udp_hdr {
	uint16_t sport, dport;  /* ports */
	uint16_t len;           /* length field: header plus payload, bytes */
	uint16_t sum;           /* checksum field as on the wire (0: none, IPv4 only) */
} hw_udp_hdr;

/*
 * Write a UDP datagram of `family` from src:sport to dst:dport into `buf`:
 * the header, then `plen` bytes of `payload`, with the 16-bit word at even
 * payload offset `fix_off` rewritten so that the checksum field comes out
 * as exactly `sum` (1..0xfffe) and is still correct.  Traceroute probes
 * carry their identity in that checksum: it lies in the 8 bytes every ICMP
 * error quotes, and no ECMP router hashes it (Paris traceroute).  Build on
 * a raw socket: a datagram socket's checksum is the kernel's (and on
 * veth/loopback, with offload, only a partial one).  Returns the length
 * written (HW_UDP_HDR_LEN + plen), or 0 when `cap` is too small, fix_off
 * is odd or not inside the payload, `sum` is 0 or 0xffff, or an argument
 * is bad.
 */
size_t hw_udp_build(void *buf, size_t cap, int family, const hw_ipaddr *src, const hw_ipaddr *dst,
                    uint16_t sport, uint16_t dport, uint16_t sum, const void *payload, size_t plen,
                    size_t fix_off);

/* Read the UDP header quoted by an ICMP error (hw_icmp_quote.l4, at least
 * 8 bytes).  Returns 0, HW_PKT_SHORT or HW_PKT_BAD_ARG. */
int hw_udp_quote_parse(const void *l4, size_t len, hw_udp_hdr *u);

/* ------------------------------------------------------------------ */
/* TCP packet helpers (src/tcppkt.c)                                    */
/*
 * Pure functions like the packet helpers above (same rules, same HW_PKT_*
 * results), for half-open SYN probes from a raw IPPROTO_TCP socket.
 */

/* TCP header flags. */
#define HW_TCP_FIN 0x01
#define HW_TCP_SYN 0x02
#define HW_TCP_RST 0x04
#define HW_TCP_PSH 0x08
#define HW_TCP_ACK 0x10

/* Length of the SYN hw_tcp_syn_build writes: header plus an MSS option. */
#define HW_TCP_SYN_LEN 24

/* A TCP header taken apart (host order). */
typedef struct hw_tcp_seg {
	int family;             /* AF_INET or AF_INET6 */
	int has_ip;             /* 1 when an IPv4 header preceded it (ttl, src, dst set) */
	uint8_t ttl;            /* has_ip: its TTL */
	hw_ipaddr src, dst;     /* has_ip: its source and destination */
	uint16_t sport, dport;  /* ports */
	uint32_t seq, ack;      /* sequence and acknowledgment numbers */
	uint8_t flags;          /* HW_TCP_* bits */
	uint16_t window;        /* receive window, unscaled */
	size_t hdr_len;         /* header length with options, bytes; 0 when not known */
	int sum_ok;             /* has_ip: 1 when the TCP checksum is right, else 0 */
} hw_tcp_seg;

/* Checksum of TCP segment `seg` (`len` bytes) from src to dst, pseudo-header
 * included: host order, store with htons().  Over a segment that holds a
 * correct checksum, the result is 0. */
uint16_t hw_tcp_checksum(int family, const hw_ipaddr *src, const hw_ipaddr *dst,
                         const void *seg, size_t len);

/*
 * Write a SYN (no IP header) from `sport` to `dport` with sequence `seq`,
 * window 65535 and one MSS option (`mss` bytes) into `buf`, checksummed for
 * src -> dst of `family`.  The kernel adds the IP header on a raw socket
 * without IP_HDRINCL; the addresses must be the ones it will use.  Returns
 * HW_TCP_SYN_LEN, or 0 when `cap` is too small or an argument is bad.
 */
size_t hw_tcp_syn_build(void *buf, size_t cap, int family, const hw_ipaddr *src,
                        const hw_ipaddr *dst, uint16_t sport, uint16_t dport, uint32_t seq,
                        uint16_t mss);

/*
 * Parse a segment as a raw IPPROTO_TCP socket delivers it: `has_ip` 1 for
 * IPv4 (the buffer starts with the IP header: the header is checked and
 * its total length bounds the segment), 0 for IPv6 (the TCP header alone).
 * With the IPv4 header the checksum is computed into sum_ok, but a wrong
 * one does not fail the parse: raw sockets see local traffic (loopback,
 * veth) before the checksum offload filled it in, so 0 there is normal.
 * Returns 0 and fills *s, or HW_PKT_*.
 */
int hw_tcp_parse(const void *pkt, size_t len, int family, int has_ip, hw_tcp_seg *s);

/*
 * Parse a quoted TCP header (hw_icmp_quote.l4, or the payload of an
 * IP_RECVERR error queue message): ports and seq need 8 bytes (all RFC 792
 * promises); ack, flags and window are filled when 20 are there (hdr_len
 * then 20, else 0).  Returns 0, HW_PKT_SHORT or HW_PKT_BAD_ARG.
 */
int hw_tcp_quote_parse(const void *l4, size_t len, hw_tcp_seg *s);

#endif /* HOPWATCH_H */
