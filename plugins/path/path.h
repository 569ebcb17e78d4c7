/*
 * plugins/path/path.h: private to the path plugin (the .c files beside it).
 *
 * The plugin is split by job (see the comment at the top of engine.c for
 * the trace algorithm):
 *   plugin.c      settings, validation, start/stop, the exported descriptor
 *   engine.c      trace state, TTL scheduling, the destination gate,
 *                 timeouts, the pacing hook, the reply->trace hash
 *   proto_icmp.c, proto_udp.c, proto_tcp.c
 *                 building probes and taking replies apart, one struct
 *                 proto each; the engine never switches on the protocol
 *   match.c       what every matcher shares: the strict byte comparison
 *                 of a reply against the rebuilt probe, quote rules, and
 *                 delivery to the engine
 *   recv.c        a received packet taken apart by the protocol's
 *                 matchers and delivered (no socket)
 *   report.c      hops, metrics, service check, hw_path_report
 *   sockets.c     opening sockets per mode, sending, reading (raw, error
 *                 queue), on plugins/common's helpers (route, sock, rx)
 * The engine reaches sockets only through struct path_io, so unit tests
 * (t/unit/path-*.c with the host mock t/mock/hostmock.c) drive it with a
 * fake clock, captured sends and synthetic replies.
 */
#ifndef HW_PATH_H
#define HW_PATH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "hopwatch.h"
#include "flush.h"
#include "pace.h"
#include "pkt.h"
#include "route.h"

/* ------------------------------------------------------------------ */
/* Limits and defaults: the one commented place                         */

#define MAX_QUERIES 16       /* probes per TTL at most: 4 bits of the probe id */
#define GEN_MOD 63           /* trace numbers in the probe id: 6 bits, never 63 (keeps id + 1 < 0xffff) */
#define PAYLOAD_MIN 8        /* probe id word, its fix word, 4-byte cookie */
#define HINT_SLACK 2         /* TTLs past the last trace's destination query 0 still probes (none
                                past an end that rate-limits its answers: tstate.end_lim) */
#define RX_BUDGET 256        /* datagrams read per socket and wakeup (hwc_rx_drain) */
#define RCVBUF (1 << 20)     /* kernel receive buffer of every receiving socket, bytes */
#define TX_BUF 2048          /* send buffer, bytes */
#define PACE_DEPTH 0.001     /* pacing bucket depth, seconds of sends: 1 ms, no bursts */
#define SEND_TRIES 3         /* sendmsg attempts: a pending ICMP error fails one send */
#define QUOTE_RFC4884 128    /* bytes of the original datagram an RFC 4884 error quotes at least */
#define SPREAD 0.005         /* seconds at least between two queries of one TTL before the destination */
#define SHARE_WINDOW 32      /* measured probes per shared hop its response and loss are figured over (at
                                most 64: the bits of struct shop).  How fast a change of loss shows: at
                                a sample a second, a loss that starts at a hop reads there in half the
                                rounds after ~15 s (64: ~27 s, the hop reading 0 meanwhile).  Holds the
                                29 clean samples a clean verdict takes at 19 % (attribution.c:
                                ATTR_CLEAN_LR); a hop with a miss in it reads no value instead */
#define SHARE_RTTS 8         /* answers per shared hop its attributed RTT is figured over */
#define SHARE_SLOTS 4096     /* shared hops (TTL, responder) an instance keeps, a power of two */
#define SHARE_PROBE 8        /* slots looked at per lookup; the stalest is replaced when all are taken */
#define DEST_WINDOW 8        /* traces of a target whose destination counts feed the attribution */
#define DEST_MIN 10          /* probes the destination window must hold for its loss to count */
#define LOSSY_DEST 5.0       /* percent the destination loses (its window) from which the budget
                                no longer raises a router's rate on answers of that path: a miss
                                past the limit would hide among the forwarding losses */
#define REFILL_GRACE 6.0     /* seconds after the process started in which a trace of a destination
                                that answers with ICMP errors (udp) and never answered says nothing
                                of it: the routers' and hosts' buckets a prober that just stopped
                                (a daemon restarted at once) drained refill their burst of 6 at 1/s
                                (Linux) */
#define INFER_MIN 5          /* traces that must agree on a TTL's responder before others may borrow it */

enum proto_id { P_ICMP, P_UDP, P_TCP };
enum mode { MODE_AUTO, MODE_DGRAM, MODE_RAW };
extern const char *const path_protocols[];  /* "icmp", "udp", "tcp", by enum proto_id */

/* Settings of one instance, filled by the host from plugin.c's table. */
struct opts {
	int protocol;            /* enum proto_id */
	int max_ttl;             /* highest TTL probed */
	int queries;             /* probes per TTL and trace */
	int port;                /* udp/tcp destination port; 0: the target's, else the protocol's default */
	int size;                /* icmp/udp payload bytes after the transport header */
	const char *source;      /* address to send from, or NULL */
	int mode;                /* enum mode */
	double pps;              /* probes per second for the whole instance */
	int tag_hop_ip;          /* 1: per-hop metrics carry hop_ip:<address> too (unbounded contexts) */
	int tag_hop_name;        /* 1: per-hop metrics also carry hop_name:<PTR name> (hw_hop_name) */
};

/* ------------------------------------------------------------------ */
/* State                                                                */

/* What became of one probe of the running trace. */
enum { PS_UNSENT, PS_WAIT, PS_ANSWERED, PS_EXPIRED,
       PS_SKIPPED };         /* not sent: its responder's budget was spent (unmeasured) */
/* What the pacing hook says about a probe. */
enum { PACE_GO, PACE_SKIP, PACE_WAIT };
/* What a reply says about its probe's TTL. */
enum { R_HOP, R_DEST, R_STOP };

/* One probe of the running trace of a target. */
struct pinfo {
	double tx_mono;          /* hw_mono() just before the send, seconds */
	double tx_real;          /* CLOCK_REALTIME at the same moment, seconds; 0: not read */
	double rtt;              /* ms; NAN until answered */
	pkt_ipaddr from;         /* the responder, when answered */
	pkt_ipaddr key;          /* keyed: the responder whose budget paid for it */
	uint8_t state;           /* PS_* */
	uint8_t keyed;           /* 1: a token of key's budget was taken for it */
	uint8_t measured;        /* 1: sent within its responder's budget (or to an unknown one): its
	                            outcome says something about the hop; 0: sent over budget to learn
	                            the hop's address, its miss says nothing */
	uint8_t dside;           /* 1: sent at or past the end of the path as the trace knew it then
	                            (dest_side()): a probe of the destination (or of the router that
	                            said unreachable) whatever its TTL; keyed, it was paid for from the
	                            end's budget (key: tstate.end_addr), or with group from the budget
	                            the ends behind router `key` share (budget_key_group) */
	uint8_t group;           /* see dside */
};

/*
 * A hop several targets share (Doubletree): one (TTL, responder) pair,
 * fed by the probes of every target of every instance whose trace reaches
 * that responder at that TTL.  A target that did not probe the hop in a round
 * (its budget was spent by others) is given these figures instead.
 * TTL 0 is no hop but a destination (Doubletree's stop set): where the last
 * trace of any target found `addr` (dist, lim), the distance a trace that
 * never found its own end starts from.
 */
struct shop {
	unsigned char family;    /* AF_INET, AF_INET6; 0: a free slot */
	unsigned char ttl;       /* the TTL */
	pkt_ipaddr addr;         /* the responder */
	uint64_t bits;           /* outcomes of its last measured probes, bit 0 the newest: 1 answered */
	unsigned n;              /* outcomes in bits, at most SHARE_WINDOW */
	double rtt[SHARE_RTTS];  /* ms, the last answers' RTTs, a ring */
	unsigned nrtt, rtt_i;    /* RTTs in the ring, next slot */
	double seen;             /* hw_mono() of the last update, seconds */
	double answered_at;      /* hw_mono() of the last answer, seconds; 0: none */
	double level;            /* percent: the forwarding loss the last report attributed to the
	                            hop (attribution.h); NAN: none yet.  Its misses above it are the
	                            router's rate limit, which the budget backs off on */
	unsigned char dist;      /* TTL 0: the TTL the destination answered at (tstate.dest_ttl) */
	unsigned char lim;       /* TTL 0: it answered with an ICMP error (tstate.end_lim) */
};

/* What the process knows of the responders at one TTL of one family, over
 * the targets of every instance (path_guess). */
struct tguess {
	pkt_ipaddr addr;         /* the responder most answers named */
	unsigned char family;    /* its family; 0: none yet */
	unsigned agree;          /* traces whose first answer at this TTL named addr */
	unsigned nknow;          /* targets whose own answer at this TTL was counted, any address */
	int diverse;             /* 1: traces saw different responders here (ECMP): never borrowed */
	double ident_until;      /* hw_mono() until which targets that know the router here (or may
	                            borrow it) send it nothing: a learner probed it within a second */
};

struct inst;
struct dconn;

/* Per-target state (hw_target.data). */
struct tstate {
	struct inst *in;         /* owner */
	hw_target *t;            /* the target */
	struct tstate *hnext;    /* next in the reply hash bucket */
	int hashed;              /* in the reply hash under the key below */
	struct pinfo *p;         /* max_ttl * queries probes, index (ttl - 1) * queries + query */
	uint16_t *order;         /* probe indices in send order: the timeout FIFO */
	unsigned norder, ohead;  /* entries in order, first one not yet expired or settled */
	uint8_t sent[HW_PATH_MAX_HOPS + 1];  /* probes sent (or failed) per TTL, this trace */
	uint8_t rcvd[HW_PATH_MAX_HOPS + 1];  /* probes answered per TTL, this trace */
	uint8_t wait[HW_PATH_MAX_HOPS + 1];  /* probes waiting per TTL */
	uint8_t skip[HW_PATH_MAX_HOPS + 1];  /* probes not sent per TTL: out of budget (counted in sent[]) */
	uint8_t meas[HW_PATH_MAX_HOPS + 1];  /* probes sent measured per TTL (struct pinfo.measured) */
	uint16_t dwin_sent[DEST_WINDOW];     /* probes at the destination's TTL, last traces, a ring */
	uint16_t dwin_rcvd[DEST_WINDOW];     /* replies of the destination, same traces */
	unsigned dwin_i;                     /* next slot of the ring */
	pkt_ipaddr *last;        /* max_ttl entries: the responder per TTL this target's own probes saw
	                            last (kept across traces that did not probe the TTL) */
	uint64_t last_set;       /* bit ttl - 1: last[ttl - 1] is known */
	uint64_t told;           /* bit ttl - 1: this target's answer at the TTL was counted in path_guess */
	hw_timer *timer;         /* the oldest waiting probe's deadline */
	unsigned gen;            /* trace number */
	uint16_t ident;          /* raw icmp: this target's echo identifier */
	uint16_t key;            /* tcp: high half of the sequence numbers of this trace (random at the
	                            first trace, + 1 each time the trace number wraps GEN_MOD) */
	uint16_t dport;          /* udp/tcp: destination port this trace; icmp: 0 */
	int family;              /* address family this trace */
	pkt_ipaddr dst;          /* the target's address this trace */
	hwc_route route;         /* raw udp/tcp: the kernel's route of this trace's flow (sock_prepare):
	                            route.src is our source address (the checksums cover it),
	                            pinned on every send with the device; else family 0 */
	unsigned lim;            /* highest TTL this trace probes (for now) */
	unsigned dest_ttl;       /* lowest TTL the destination answered; 0: not yet */
	unsigned stop_ttl;       /* lowest TTL a router said unreachable; 0: none */
	unsigned hint;           /* TTL where the previous trace ended (destination, or the router
	                            that said unreachable); 0: unknown */
	int hint_reached;        /* 1: that end was the destination */
	int hint_firm;           /* 1: the destination answered a probe of that TTL itself (not a
	                            distance presumed from the trace before, see dest_far) */
	unsigned dest_far;       /* the destination answered only past hint while nothing answered at
	                            hint yet: the lowest such TTL; dest_ttl is then hint (presumed: its
	                            probes there were lost); 0: not so */
	int end_lim;             /* 1: the end of the path answered with an ICMP error (CMP_QUOTE),
	                            which its kernel rate limits like a router's time exceeded (a udp
	                            destination's port unreachable, a router's net unreachable; Linux:
	                            a burst of 6, then 1/s per source): probes there are paid from
	                            end_addr's budget.  0: an echo reply, SYN/ACK or RST, not limited */
	pkt_ipaddr end_addr;     /* end_lim: the address that answers at the end */
	int told_unmeasured;     /* 1: a round without the end's figures was logged for this target */
	int end_fresh;           /* 1: the last round had a figure of its end: its probes of an end that
	                            rate-limits leave the budget's reserve to targets that had none */
	int end_seen;            /* 1: the end of this target's path answered one of its own probes once
	                            (a hint borrowed from other targets' traces is no such answer) */
	unsigned end_unfound;    /* rounds in a row that found no end of a path whose end never
	                            answered (end_seen 0); the first has no figure of it
	                            (path_end_drained) */
	int end_shared_miss;     /* 1: a probe of the end paid from the end's own budget missed this
	                            round while the ends behind its router turned out to share one
	                            limit (budget_ends_share): that limit, not loss, explains it */
	unsigned q0_wait;        /* query-0 probes still waiting */
	int open;                /* the destination gate: queries after the first may go */
	int active;              /* a trace runs */
	int queued;              /* in the send ring */
	int send_err;            /* errno of the last failed send of this trace, 0: none */
	unsigned dconn;          /* udp dgram: 1 + index in its family's dc of this trace's socket (a
	                            hint, checked on use; sockets.c); 0: none yet */
	unsigned failed;         /* sends that failed this trace */
	double t0;               /* hw_mono() when the trace started */
};

/* A trace of ts found its destination at dest_ttl: remember it for the
 * traces of every target to that address that never found their own
 * (struct shop, TTL 0). */
void path_dest_seen(struct tstate *ts);

/* ts never found its end, but the ends behind the hop before `ttl`
 * answer others: presume its destination at `ttl` like theirs, answering
 * with rate-limited ICMP errors (its next probes there are paid from its
 * budget, or the one the ends behind that hop share; a miss within it is
 * "not reached"). */
void path_end_presume(struct tstate *ts, unsigned ttl);

/* The process-wide knowledge of the responders at `ttl` for `family`
 * (struct tguess), shared by every instance; never NULL. */
struct tguess *path_guess(int family, unsigned ttl);

/* Whether the end of ts's path (as the trace knows it now) was probed
 * out of budget only: the previous trace's end is known (hint), nothing
 * else ended this one, and every probe at or past hint was skipped
 * (its responder's budget spent): the round has no figure of its end. */
int path_end_unmeasured(const struct tstate *ts);

/* Whether ts found no end this round for a limit its end shares with
 * other ends (tstate.end_shared_miss; *behind 0), or, its end never
 * having answered it (tstate.end_seen; a hint borrowed from other traces
 * is no answer) and none answering now, probed a
 * destination that answers with ICMP errors (struct
 * proto.dest_icmp_error) in the first such round in a row
 * (tstate.end_unfound) or the process's first REFILL_GRACE seconds, or
 * one that answered other traces and either answered one while this
 * trace ran or has no token left, or whose last answering hop has ends
 * behind it that answered within BUDGET_SHARE_WINDOW (budget_end_behind):
 * the destination refused this trace's probes for its rate limit most
 * likely (a trace that never found its end cannot tell, and says nothing
 * of it rather than "not reached").  *behind is then the TTL of that hop
 * in the last case (the destination is
 * presumably right after it, as the others are: the next round is paced
 * there, and a miss within its budget then is "not reached"), else 0. */
int path_end_drained(const struct tstate *ts, unsigned *behind);

/* The sockets of one address family. */
struct fam {
	struct inst *in;         /* owner */
	int family;              /* AF_INET or AF_INET6 */
	int fd;                  /* sends (dgram: also receives): ping, UDP or raw socket; -1: none */
	int rfd;                 /* raw mode udp/tcp: the raw ICMP socket that receives; -1: none */
	hw_io *io, *rio;         /* read watches of fd and rfd */
	uint16_t sport;          /* udp/tcp: our source port; dgram icmp: the echo identifier */
	struct dconn **dc;       /* udp dgram: the connected socket of each (destination, port) (sockets.c) */
	unsigned ndc;            /* entries in dc */
};

/*
 * The socket layer as the engine sees it (sockets.c: path_sock_io; unit
 * tests put their own).  Every function returns at once.
 */
struct path_io {
	/* Before a trace of ts: whether its family can be sent, and (raw
	 * udp/tcp) the route of its flow into ts->route (the source
	 * address).  Returns 0 or an errno (ENETUNREACH, ... of the route). */
	int (*prepare)(struct tstate *ts);
	/* Send probe (ttl, q) of ts, setting its tx_mono (and tx_real)
	 * just before the send.  Returns 0 when it left, else an errno. */
	int (*send)(struct tstate *ts, unsigned ttl, unsigned q);
	/* Read and deliver whatever replies are queued now. */
	void (*drain)(struct inst *in);
};

struct proto;

/* A probe instance. */
struct inst {
	hw_ctx *ctx;             /* host handle */
	const struct opts *o;    /* settings */
	const struct proto *proto;  /* the protocol's build and match functions */
	const struct path_io *io;   /* the socket layer */
	int raw;                 /* 1: raw mode, 0: dgram mode */
	double timeout;          /* seconds a probe waits */
	size_t ntargets;         /* targets */
	struct tstate **tsv;     /* per-target state by index */
	struct tstate **htab;    /* reply hash: (family, dst, port, trace number) -> trace */
	size_t hmask;            /* buckets - 1 (a power of two) */
	struct pinfo *pool;      /* ntargets * max_ttl * queries probes */
	uint16_t *opool;         /* ntargets * max_ttl * queries send-order slots */
	pkt_ipaddr *lpool;       /* ntargets * max_ttl last-trace responders */
	struct fam f4, f6;       /* sockets per family */
	int holder;              /* raw udp/tcp: socket holding the source port; -1 */
	uint16_t ident_base;     /* raw icmp: echo identifier of target 0 */
	unsigned char cookie[4]; /* random; in every payload */
	uint32_t rng;            /* hwc_rng state (probe identities, cookie) */
	struct tstate **ring;    /* round-robin send ring, ntargets entries */
	size_t rhead, rn;        /* its head and length */
	hw_timer *send_timer;    /* next send */
	int send_armed;          /* send_timer is armed */
	hwc_bucket bucket;       /* pacing: `pps` tokens per second, PACE_DEPTH deep */
	hwc_flusher flusher;     /* reports the instance counters (path_flush_counters) */
	struct budget *budget;   /* the per-responder ICMP budget, process-wide (budget.h) */
	struct shop *shops;      /* SHARE_SLOTS shared hops (Doubletree), process-wide: every instance's */
	uint64_t unmatched;      /* replies that failed a check, since the last flush */
	unsigned char tx[TX_BUF];/* send buffer */
	unsigned char rb[TX_BUF];/* matchers: the probe rebuilt for comparison */
};

/* ------------------------------------------------------------------ */
/* Replies and protocols                                                */

/* What a matcher says about a packet. */
enum { M_OK, M_FOREIGN, M_BAD };

/* How the bytes a reply carries of our probe are compared (match.c). */
enum {
	CMP_WHOLE,   /* an echo: exactly the probe from `off` to its end */
	CMP_QUOTE,   /* an ICMP error's quote: a prefix cut where a quoting rule cuts */
	CMP_FIELDS,  /* fields the matcher placed at their probe offsets (a TCP answer) */
	CMP_UNACKED, /* a bare RST (lib/pkt's pkt_tcp_table): the ports at their offsets, no
	                probe id; it answers a probe of the trace by addresses and ports */
};

/*
 * One reply taken apart by a protocol matcher: which probe it claims to
 * answer (the hash key and the probe id), and the bytes of ours it
 * carries, which match.c compares with the probe rebuilt.
 */
struct reply {
	int family;              /* AF_INET or AF_INET6 */
	pkt_ipaddr dst;          /* the probe's destination: the quoted one, or the replier */
	uint16_t port;           /* the probe's destination port (udp, tcp); icmp: 0 */
	uint16_t pid;            /* probe id: trace number, query, TTL (engine.c) */
	pkt_ipaddr from;         /* the responder */
	int kind;                /* R_HOP, R_DEST or R_STOP */
	int cmp;                 /* CMP_* */
	const uint8_t *bytes;    /* our probe's bytes as the reply carries them (L4 offsets) */
	size_t off;              /* probe offset of bytes[0] */
	size_t len;              /* bytes at `bytes` */
	uint32_t skip;           /* bit i: probe byte i (< 32) is not compared (the kernel writes it) */
	long iplen;              /* CMP_QUOTE: the quoted IP length field (v4 total, v6 payload); -1: none */
	uint8_t sum_proto;       /* CMP_QUOTE: a whole quote must carry a right checksum of this
	                            protocol over the quoted addresses (the skipped checksum the
	                            kernel wrote); 0: not checked */
	pkt_ipaddr qsrc;         /* CMP_QUOTE: the quoted source address (raw mode) */
	uint8_t fields[8];       /* CMP_FIELDS: storage `bytes` may point to */
	double rx_real;          /* kernel receive time, CLOCK_REALTIME seconds; 0: unknown */
	double rx_mono;          /* hw_mono() when read */
};

/*
 * A protocol: how its probes are built and how replies are taken apart.
 * Matchers are pure: they read the packet and the instance's constants
 * (cookie, ports, identifiers), fill *r and return M_OK, M_FOREIGN (not
 * ours: ignored) or M_BAD (carries our flow but is wrong: path.unmatched).
 * A NULL matcher means the protocol gets no such packets.
 */
struct proto {
	const char *name;        /* "icmp", "udp", "tcp" */
	uint16_t port;           /* default destination port; 0: the protocol has none */
	int raw_ipproto;         /* raw mode send socket protocol; 0: the ICMP socket sends */
	/* Write probe (ttl, q) of ts as it goes on the wire (the transport
	 * header and payload; the kernel adds the IP header) into buf.  The
	 * same probe always builds the same bytes.  Returns the length, or 0. */
	size_t (*build)(const struct tstate *ts, unsigned ttl, unsigned q, uint8_t *buf, size_t cap);
	/* Bytes of a built probe a datagram socket sends (its payload): skipped header length. */
	size_t dgram_skip;
	/* Matchers get r with family, from (the packet's source) and the
	 * receive times filled in. */
	/* An ICMP message from a raw ICMP socket (an echo reply, or an error
	 * whose quote parsed: m->quote.ok) */
	int (*match_icmp)(const struct inst *in, const pkt_icmp *m, struct reply *r);
	/* A segment from the raw socket of the protocol (tcp: SYN/ACK or RST) */
	int (*match_raw)(const struct inst *in, const uint8_t *buf, size_t len, struct reply *r);
	/* dgram: an ICMP error from the error queue: its class `cls` (one
	 * path_error_kind takes), the probe's destination and port
	 * (msg_name), and the bytes of the quote the kernel passes */
	int (*match_errq)(const struct inst *in, pkt_icmp_class cls, const pkt_ipaddr *dst, uint16_t port,
	                  const uint8_t *buf, size_t len, struct reply *r);
	/* dgram: a datagram read from the socket (icmp: an echo reply) */
	int (*match_dgram)(const struct inst *in, const uint8_t *buf, size_t len, struct reply *r);
	/* 1: the destination answers with an ICMP error (udp: port
	 * unreachable), which its kernel rate limits like a router's (Linux:
	 * 6, then 1/s per source); 0: with an echo reply, SYN/ACK or RST */
	int dest_icmp_error;
};

extern const struct proto path_proto_icmp, path_proto_udp, path_proto_tcp;

/* ------------------------------------------------------------------ */
/* Functions shared between the files                                   */

/* engine.c */
/* Allocate an instance for `ctx` and its targets: state, pools, timers,
 * hash; no socket (in->io is the caller's).  Returns 0, or -1 after
 * logging (then *out may hold a partial instance for path_inst_free). */
int path_inst_new(hw_ctx *ctx, const struct opts *o, struct inst **out);
/* Free what path_inst_new made (sockets are sockets.c's); NULL is fine. */
void path_inst_free(struct inst *in);
/* plugin run(): start a trace of t. */
void path_run(void *state, hw_target *t);
/* plugin readdress(): t got a new address. */
void path_readdress(void *state, hw_target *t);
/* hw_plugin.forget: a dynamic target leaves (its trace is over): out of
 * the reply hash and the send ring, its responder votes withdrawn, its
 * timer freed. */
void path_forget(void *state, hw_target *t);
/* The probe id of (ttl, q) in the running trace of ts. */
uint16_t path_probe_id(const struct tstate *ts, unsigned ttl, unsigned q);
/* The running (or last) trace a reply names: hash lookup on (family, dst,
 * port, trace number of pid), then the probe, which must have been sent.
 * `after`: NULL, or the trace found before, to go on with the next one
 * (targets sharing an address).  NULL when none; else *ttl, *q set. */
struct tstate *path_find(struct inst *in, const struct reply *r, struct tstate *after, unsigned *ttl,
                         unsigned *q);
/* Probe (ttl, q) of ts got reply r (already checked): count it. */
void path_answered(struct tstate *ts, unsigned ttl, unsigned q, const struct reply *r);
/* The highest TTL that matters now (limit, destination or unreachable). */
unsigned path_eff_lim(const struct tstate *ts);
/* The shared hop (ttl, addr of family) of the instance, or NULL. */
const struct shop *path_shop_find(const struct inst *in, int family, unsigned ttl, const pkt_ipaddr *addr);
/* Note the forwarding loss the report attributed to the shared hop
 * (ttl, addr of family), percent or NAN (struct shop.level). */
void path_shop_level(struct inst *in, int family, unsigned ttl, const pkt_ipaddr *addr, double level);
/* Answered probes in the window of shared hop s (of its s->n). */
unsigned path_shop_answers(const struct shop *s);
/* Whether target ts may be given the responder other targets agree on at
 * ttl (Doubletree: no own answer, the TTL not an ECMP fork); into *a. */
int path_borrow(const struct tstate *ts, unsigned ttl, pkt_ipaddr *a);

/* match.c */
/* Deliver a matched reply: find its probe, compare, count or reject. */
void path_deliver(struct inst *in, struct reply *r);
/* What an ICMP error of class `cls` (lib/pkt's classification table) from
 * `from` says about a probe to `dst`: R_HOP (time exceeded), R_DEST (port
 * or host unreachable, prohibited, no route, from the target itself),
 * R_STOP (the same from another host: the trace stops there), or -1 when
 * it is not about the path (too big, other, none). */
int path_error_kind(int family, pkt_icmp_class cls, const pkt_ipaddr *from, const pkt_ipaddr *dst);
/* Fill r from the quote of error m (raw mode): dst, kind, bytes, iplen;
 * the caller sets port, pid and skip.  Returns M_OK, or M_FOREIGN when the
 * error is not about the path. */
int path_quote_reply(const pkt_icmp *m, struct reply *r);
/* udp, tcp (raw): whether error m quotes an `ipproto` segment from our
 * source port; sets r->port to its destination port.  Returns M_OK,
 * M_FOREIGN (not our flow) or M_BAD (quoting fewer than 8 bytes). */
int path_port_quote(const struct inst *in, const pkt_icmp *m, int ipproto, struct reply *r);
/* Fill r from an error queue message (dgram mode): kind from the error's
 * class `cls`, dst, port, and the quote: `len` bytes at `b`, from probe
 * offset `off`.  Returns M_OK, or M_FOREIGN when the error is not about
 * the path. */
int path_errq_reply(pkt_icmp_class cls, const pkt_ipaddr *dst, uint16_t port, const uint8_t *b,
                    size_t off, size_t len, struct reply *r);
/* The source port (udp, tcp) or echo identifier (dgram icmp) of `family`. */
uint16_t path_sport(const struct inst *in, int family);
/* Put the probe's payload (probe id word `w0`, word `w1`, cookie, fill)
 * of the instance's size into pl. */
void path_payload(const struct inst *in, uint16_t w0, uint16_t w1, uint8_t *pl);
/* Address bytes of a family (4 or 16), and equality of two addresses. */
size_t path_alen(int family);
int path_addr_eq(int family, const pkt_ipaddr *a, const pkt_ipaddr *b);

/* report.c */
/* The trace of ts is over: metrics, service check, path store. */
void path_report(struct tstate *ts);
/* Hop `ttl` of the trace of ts into *h (from the probe table). */
void path_make_hop(const struct tstate *ts, unsigned ttl, hw_hop *h);
/* Send and reset the instance counters (path.unmatched). */
void path_flush_counters(struct inst *in);

/* recv.c.  The path_on_* functions take one packet apart and deliver it,
 * without a socket (unit tests and fuzzers call them); r comes with
 * family, from (the packet's source as recvmsg gave it) and receive times. */
/* raw mode: a packet of the raw ICMP socket (v4: with its IP header). */
void path_on_icmp(struct inst *in, const uint8_t *buf, size_t len, struct reply *r);
/* dgram mode: an error queue message: ICMP type and code (ee_type,
 * ee_code), the probe's destination and port (msg_name), the quote as the
 * kernel passes it; r->from is SO_EE_OFFENDER. */
void path_on_errq(struct inst *in, uint8_t type, uint8_t code, const pkt_ipaddr *dst, uint16_t port,
                  const uint8_t *buf, size_t len, struct reply *r);
/* raw mode: a segment of the protocol's raw socket (tcp). */
void path_on_raw(struct inst *in, const uint8_t *buf, size_t len, struct reply *r);
/* dgram mode: a datagram of the socket (a ping socket's echo reply). */
void path_on_dgram(struct inst *in, const uint8_t *buf, size_t len, struct reply *r);

/* sockets.c: the socket layer (on plugins/common's helpers). */
extern const struct path_io path_sock_io;
/* Read every socket of the instance (struct path_io.drain). */
void path_drain_all(struct inst *in);
/* The fd watch callback of a family's sockets. */
void path_readable_cb(void *arg, int fd, int revents);
/* Open the sockets of every family the targets need.  Returns 0 or -1. */
int path_sockets_open(struct inst *in);
/* Close them. */
void path_sockets_close(struct inst *in);
/* The family's sockets, or NULL when it has none. */
struct fam *path_fam_of(struct inst *in, int family);
/* The address inside a sockaddr of `family`; 0 when it is not of that family. */
int path_sa_addr(const struct sockaddr *sa, socklen_t len, int family, pkt_ipaddr *a);
/* Seconds of a timespec. */
double path_ts_sec(const struct timespec *ts);

#endif /* HW_PATH_H */
