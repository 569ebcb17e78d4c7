/*
 * pkt.h: hopwatch's packet library (lib/pkt, linked statically into the
 * probe plugins as libhwpkt.a).  It is not part of the plugin ABI: changing
 * a struct here never forces an HW_PLUGIN_ABI bump.
 *
 * Pure functions: no I/O, no state, no allocation.  Every parser reads only
 * inside [pkt, pkt + len) and never trusts a length field it has not checked
 * against `len`.
 *
 * Files: checksum.c (RFC 1071 sums, pseudo-headers), ip.c (the one IPv4
 * and IPv6 header check), icmp.c (echo build, ICMP parse, the ICMP error
 * classification table), udp.c, tcp.c, errqueue.c (IP_RECVERR /
 * IPV6_RECVERR messages), rxtime.c (receive timestamps), cmsg.c (control
 * message lookup); pkt_private.h holds what they share.
 */
#ifndef HOPWATCH_PKT_H
#define HOPWATCH_PKT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <time.h>

/* Byte access in network order that depends neither on alignment nor on
 * host byte order: the one copy for lib/pkt and the plugins.  `p` must
 * point to 2 (16-bit) or 4 (32-bit) readable / writable bytes. */

/* The big-endian (network order) 16-bit value at p, in host order. */
static inline uint16_t pkt_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The big-endian (network order) 32-bit value at p, in host order. */
static inline uint32_t pkt_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Store v (host order) at p, big-endian. */
static inline void pkt_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Store v (host order) at p, big-endian. */
static inline void pkt_put32(uint8_t *p, uint32_t v)
{
	pkt_put16(p, (uint16_t)(v >> 16));
	pkt_put16(p + 2, (uint16_t)v);
}

/* Partial Internet checksum (RFC 1071) of `len` bytes added to `sum`, for
 * checksums over several pieces (pseudo-headers): every piece but the last
 * must have an even length.  Finish with pkt_inet_checksum_fold. */
uint32_t pkt_inet_checksum_add(uint32_t sum, const void *data, size_t len);
/* Fold and complement a partial sum: the checksum in host order (store it
 * with htons()).  Over data that holds a correct checksum, the result is 0. */
uint16_t pkt_inet_checksum_fold(uint32_t sum);
/* Checksum of one buffer: pkt_inet_checksum_fold(pkt_inet_checksum_add(0, data, len)). */
uint16_t pkt_inet_checksum(const void *data, size_t len);

/* Length of the ICMP and ICMPv6 header before an echo payload, bytes. */
#define PKT_ICMP_HDR_LEN 8

/*
 * Write an echo request of `family` (AF_INET: ICMP type 8; AF_INET6:
 * ICMPv6 type 128) with `id`, `seq` and `plen` bytes of `payload` into
 * `buf`.  AF_INET gets its checksum; AF_INET6 leaves it 0, because the
 * kernel fills it in on raw ICMPv6 and on ping sockets (it needs the
 * addresses of the pseudo-header).  On a ping socket the kernel also
 * replaces `id` with the socket's port.  Returns the length written
 * (PKT_ICMP_HDR_LEN + plen), or 0 when `cap` is too small or the family is
 * unknown.
 */
size_t pkt_icmp_echo_build(void *buf, size_t cap, int family, uint16_t id, uint16_t seq,
                          const void *payload, size_t plen);

/* What an ICMP message is, the same for both families. */
typedef enum pkt_icmp_kind {
	PKT_ICMP_OTHER,          /* a type the helpers do not interpret */
	PKT_ICMP_ECHO_REPLY,     /* v4 type 0, v6 type 129 */
	PKT_ICMP_ECHO_REQUEST,   /* v4 type 8, v6 type 128 */
	PKT_ICMP_TIME_EXCEEDED,  /* v4 type 11, v6 type 3: quotes the packet */
	PKT_ICMP_UNREACH,        /* v4 type 3, v6 type 1: quotes the packet */
	PKT_ICMP_TOO_BIG,        /* v6 type 2 (v4 says it with UNREACH code 4): quotes the packet */
} pkt_icmp_kind;

/* Address of either family, as it was in a packet. */
typedef union pkt_ipaddr {
	struct in_addr v4;      /* AF_INET */
	struct in6_addr v6;     /* AF_INET6 */
} pkt_ipaddr;

/* Partial sum of the pseudo-header (RFC 768/793, RFC 8200 8.1) of a
 * `proto` packet of `len` bytes from src to dst of `family`: add the
 * transport header and payload, then pkt_inet_checksum_fold. */
uint32_t pkt_inet_pseudo_sum(int family, const pkt_ipaddr *src, const pkt_ipaddr *dst,
                            uint8_t proto, size_t len);

/*
 * What an ICMP message means for the probe it quotes: one table for every
 * probe (icmp, tcp, path), the raw-socket and the IP_RECVERR paths alike.
 */
typedef enum pkt_icmp_class {
	PKT_IC_NONE,            /* not an error about a probe: echo and other informational types */
	PKT_IC_TIME_EXCEEDED,   /* v4 11/0, v6 3/0: the TTL / hop limit ran out at a router (a hop) */
	PKT_IC_PORT_UNREACH,    /* v4 3/3 and 3/2, v6 1/4: the destination itself answered: no such
	                           port (or protocol) */
	PKT_IC_HOST_UNREACH,    /* v4 3/1,5,7,8,12, v6 1/2,3,7: a router could not deliver to the host */
	PKT_IC_PROHIBITED,      /* v4 3/9,10,13 (and the policy codes 14,15), v6 1/1,5,6: a filter said no */
	PKT_IC_NO_ROUTE,        /* v4 3/0,6,11 (net unreachable), v6 1/0: a router has no route */
	PKT_IC_TOO_BIG,         /* v4 3/4 (fragmentation needed, DF set), v6 2: packet too big; about
	                           the MTU, not about reachability */
	PKT_IC_OTHER,           /* another error: parameter problem, reassembly time exceeded,
	                           redirect, source quench, unknown codes */
} pkt_icmp_class;

/* One row of the classification table. */
typedef struct pkt_icmp_row {
	int family;             /* AF_INET (ICMP) or AF_INET6 (ICMPv6) */
	uint8_t type, code;     /* as on the wire */
	pkt_icmp_class cls;      /* what it means */
} pkt_icmp_row;

/* The table itself (RFC 792, RFC 1812 5.2.7.1, RFC 4443 section 3), for
 * documentation and tests; pkt_icmp_classify reads it. */
extern const pkt_icmp_row pkt_icmp_table[];
/* Rows in pkt_icmp_table. */
extern const size_t pkt_icmp_table_len;

/* The class of ICMP message (type, code) of `family`: a row of the table;
 * else PKT_IC_TOO_BIG for any ICMPv6 type 2, PKT_IC_OTHER for another
 * error type (v4 3, 4, 5, 11, 12; v6 0-127), PKT_IC_NONE for the rest
 * and for an unknown family. */
pkt_icmp_class pkt_icmp_classify(int family, uint8_t type, uint8_t code);

/* The class of an errno that a socket with IP_RECVERR (or connect(), or a
 * local route) reports: EHOSTUNREACH, EHOSTDOWN, ENONET: HOST_UNREACH;
 * ENETUNREACH: NO_ROUTE; ECONNREFUSED: PORT_UNREACH; EACCES, EPERM:
 * PROHIBITED; EMSGSIZE: TOO_BIG; EPROTO: OTHER; anything else PKT_IC_NONE,
 * which means: not left behind by an ICMP error (a local failure).  The
 * kernel's own mapping is icmp_err_convert / icmpv6_err_convert; an errno
 * cannot tell TIME_EXCEEDED from HOST_UNREACH (both EHOSTUNREACH). */
pkt_icmp_class pkt_errno_class(int err);

/* The errno that stands for class `c` in messages (strerror): the one the
 * kernel reports for the class's usual code; 0 for PKT_IC_NONE. */
int pkt_icmp_class_errno(pkt_icmp_class c);

/* Short name of class `c` for tags and reasons: "time_exceeded",
 * "port_unreachable", "host_unreachable", "prohibited", "no_route",
 * "too_big", "other" or "none".  Static storage. */
const char *pkt_icmp_class_name(pkt_icmp_class c);

/* The packet quoted by an ICMP error (an IP header and what followed). */
typedef struct pkt_icmp_quote {
	int ok;                 /* 1: the quoted IP header was complete and valid; 0: the rest is unset */
	uint8_t proto;          /* its protocol / last next-header: IPPROTO_ICMP, IPPROTO_UDP, ... */
	uint8_t ttl;            /* its TTL / hop limit when the reporter saw it */
	uint16_t ip_id;         /* v4: its identification field; v6: 0 */
	pkt_ipaddr src, dst;     /* its source and destination */
	const uint8_t *l4;      /* its transport header and payload, as far as quoted */
	size_t l4_len;          /* bytes at l4 (RFC 792 promises at least 8; may be fewer) */
	int echo;               /* 1: l4 is a complete echo request header of the quote's family */
	uint16_t echo_id;       /* echo: its identifier, host order */
	uint16_t echo_seq;      /* echo: its sequence number, host order */
} pkt_icmp_quote;

/* One received ICMP or ICMPv6 message, taken apart by pkt_icmp_parse.
 * Pointers point into the parsed buffer. */
typedef struct pkt_icmp {
	int family;             /* AF_INET or AF_INET6 */
	pkt_icmp_kind kind;      /* what it is */
	uint8_t type, code;     /* as on the wire */
	pkt_icmp_class cls;      /* what it means for the probe it quotes (pkt_icmp_classify) */
	uint16_t id, seq;       /* echo request/reply: identifier and sequence, host order; else 0 */
	int has_ip;             /* 1 when an IP header preceded the message (fields below set) */
	uint8_t ttl;            /* has_ip: its TTL / hop limit */
	pkt_ipaddr src, dst;     /* has_ip: its source and destination */
	const uint8_t *data;    /* echo: the payload after the 8-byte header; errors: the
	                           quoted packet; other: bytes after the 8-byte header */
	size_t data_len;        /* bytes at data */
	const uint8_t *ext;     /* errors with an RFC 4884 length: the extension structure
	                           (e.g. MPLS labels) after the quote; else NULL */
	size_t ext_len;         /* bytes at ext */
	pkt_icmp_quote quote;    /* errors (TIME_EXCEEDED, UNREACH, TOO_BIG): the quoted packet */
} pkt_icmp;

/* pkt_icmp_parse results: 0 is success, these are failures. */
#define PKT_SHORT     (-1)  /* truncated: shorter than a header or a length field says */
#define PKT_BAD_IP    (-2)  /* IP header invalid: version, IHL, length, fragment, not ICMP */
#define PKT_BAD_SUM   (-3)  /* ICMPv4 checksum wrong (ICMPv6 ones are the kernel's job) */
#define PKT_BAD_ARG   (-4)  /* family not AF_INET/AF_INET6, or NULL pointers */
#define PKT_NOT_FOUND (-5)  /* pkt_errqueue_parse: no IP_RECVERR / IPV6_RECVERR message */

/*
 * Parse the message in `pkt`.  `has_ip`: the buffer starts with the IP
 * header, as raw IPv4 sockets deliver it (and packet captures of either
 * family); raw ICMPv6 and ping sockets of both families deliver the ICMP
 * message alone (has_ip 0).  With an IPv4 header, the header's total
 * length bounds the message and trailing bytes are ignored.  The ICMPv4
 * checksum is verified.  Messages of any type parse (kind tells which);
 * the caller decides what it wants.  Returns 0 and fills *m, or one of
 * PKT_* (then *m is unspecified).
 */
int pkt_icmp_parse(const void *pkt, size_t len, int family, int has_ip, pkt_icmp *m);
/* Short English text of an pkt_icmp_parse result ("truncated", ...). */
const char *pkt_strerror(int code);

/*
 * The kernel's receive time of a datagram, CLOCK_REALTIME, from the control
 * data of `msg` as recvmsg/recvmmsg filled it: SCM_TIMESTAMPNS (enable
 * SO_TIMESTAMPNS), else SCM_TIMESTAMP (SO_TIMESTAMP).  Give the control
 * buffer at least PKT_CMSG_SPACE bytes.  Returns 0, or -1 when there is
 * none, or when its sub-second part is out of range (not a time the
 * kernel writes); then *ts is untouched.
 */
int pkt_rx_time(const struct msghdr *msg, struct timespec *ts);
/* Control buffer size enough for a timestamp plus a TTL/hop limit and
 * pktinfo, or an extended error with its offender address. */
#define PKT_CMSG_SPACE 256

/* One error queue message (recvmsg with MSG_ERRQUEUE on a socket with
 * IP_RECVERR / IPV6_RECVERR), from struct sock_extended_err. */
typedef struct pkt_errq {
	int family;             /* AF_INET: an IP_RECVERR message; AF_INET6: IPV6_RECVERR */
	int err;                /* ee_errno: the errno the error stands for */
	uint8_t origin;         /* ee_origin: SO_EE_ORIGIN_LOCAL, _ICMP, _ICMP6, ... */
	uint8_t type, code;     /* ee_type, ee_code: the ICMP type and code (origin ICMP/ICMP6) */
	uint32_t info;          /* ee_info: the MTU for too big / fragmentation needed, else 0 */
	int offender_family;    /* AF_INET or AF_INET6 when the offender below is set; else 0 */
	pkt_ipaddr offender;     /* SO_EE_OFFENDER: who sent the ICMP error (a hop or the target) */
	pkt_icmp_class cls;      /* origin ICMP/ICMP6: pkt_icmp_classify of type and code;
	                           origin LOCAL: pkt_errno_class(err); else PKT_IC_NONE */
} pkt_errq;

/*
 * Take apart the error of `msg`, filled by recvmsg(fd, msg, MSG_ERRQUEUE):
 * its IP_RECVERR or IPV6_RECVERR control message (an IPv6 socket reports
 * errors of IPv4-mapped traffic as IP_RECVERR).  The quoted payload is in
 * msg's iovec and the probe's destination in msg_name: the caller reads
 * them.  Returns 0 and fills *e, PKT_NOT_FOUND when there is no such
 * control message (or it is too short), or PKT_BAD_ARG.
 */
int pkt_errqueue_parse(const struct msghdr *msg, pkt_errq *e);

/* Length of a UDP header, bytes. */
#define PKT_UDP_HDR_LEN 8

/* A UDP header taken apart (host order). */
typedef struct pkt_udp_hdr {
	uint16_t sport, dport;  /* ports */
	uint16_t len;           /* length field: header plus payload, bytes */
	uint16_t sum;           /* checksum field as on the wire (0: none, IPv4 only) */
} pkt_udp_hdr;

/*
 * Write a UDP datagram of `family` from src:sport to dst:dport into `buf`:
 * the header, then `plen` bytes of `payload`, with the 16-bit word at even
 * payload offset `fix_off` rewritten so that the checksum field comes out
 * as exactly `sum` (1..0xfffe) and is still correct.  Traceroute probes
 * carry their identity in that checksum: it lies in the 8 bytes every ICMP
 * error quotes, and no ECMP router hashes it (Paris traceroute).  Build on
 * a raw socket: a datagram socket's checksum is the kernel's (and on
 * veth/loopback, with offload, only a partial one).  Returns the length
 * written (PKT_UDP_HDR_LEN + plen), or 0 when `cap` is too small, fix_off
 * is odd or not inside the payload, `sum` is 0 or 0xffff, or an argument
 * is bad.
 */
size_t pkt_udp_build(void *buf, size_t cap, int family, const pkt_ipaddr *src, const pkt_ipaddr *dst,
                    uint16_t sport, uint16_t dport, uint16_t sum, const void *payload, size_t plen,
                    size_t fix_off);

/* Read the UDP header quoted by an ICMP error (pkt_icmp_quote.l4, at least
 * 8 bytes).  Returns 0, PKT_SHORT or PKT_BAD_ARG. */
int pkt_udp_quote_parse(const void *l4, size_t len, pkt_udp_hdr *u);

/* ------------------------------------------------------------------ */
/* TCP packet helpers (lib/pkt/tcp.c)                                    */
/*
 * Pure functions like the packet helpers above (same rules, same PKT_*
 * results), for half-open SYN probes from a raw IPPROTO_TCP socket.
 */

/* TCP header flags. */
#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_PSH 0x08
#define PKT_TCP_ACK 0x10

/* Length of the SYN pkt_tcp_syn_build writes: header plus an MSS option. */
#define PKT_TCP_SYN_LEN 24

/* A TCP header taken apart (host order). */
typedef struct pkt_tcp_seg {
	int family;             /* AF_INET or AF_INET6 */
	int has_ip;             /* 1 when an IPv4 header preceded it (ttl, src, dst set) */
	uint8_t ttl;            /* has_ip: its TTL */
	pkt_ipaddr src, dst;     /* has_ip: its source and destination */
	uint16_t sport, dport;  /* ports */
	uint32_t seq, ack;      /* sequence and acknowledgment numbers */
	uint8_t flags;          /* PKT_TCP_* bits */
	uint16_t window;        /* receive window, unscaled */
	size_t hdr_len;         /* header length with options, bytes; 0 when not known */
	int sum_ok;             /* has_ip: 1 when the TCP checksum is right, else 0 */
} pkt_tcp_seg;

/* Checksum of TCP segment `seg` (`len` bytes) from src to dst, pseudo-header
 * included: host order, store with htons().  Over a segment that holds a
 * correct checksum, the result is 0. */
uint16_t pkt_tcp_checksum(int family, const pkt_ipaddr *src, const pkt_ipaddr *dst,
                         const void *seg, size_t len);

/*
 * Write a SYN (no IP header) from `sport` to `dport` with sequence `seq`,
 * window 65535 and one MSS option (`mss` bytes) into `buf`, checksummed for
 * src -> dst of `family`.  The kernel adds the IP header on a raw socket
 * without IP_HDRINCL; the addresses must be the ones it will use.  Returns
 * PKT_TCP_SYN_LEN, or 0 when `cap` is too small or an argument is bad.
 */
size_t pkt_tcp_syn_build(void *buf, size_t cap, int family, const pkt_ipaddr *src,
                        const pkt_ipaddr *dst, uint16_t sport, uint16_t dport, uint32_t seq,
                        uint16_t mss);

/*
 * Parse a segment as a raw IPPROTO_TCP socket delivers it: `has_ip` 1 for
 * IPv4 (the buffer starts with the IP header: the header is checked and
 * its total length bounds the segment), 0 for IPv6 (the TCP header alone).
 * With the IPv4 header the checksum is computed into sum_ok, but a wrong
 * one does not fail the parse: raw sockets see local traffic (loopback,
 * veth) before the checksum offload filled it in, so 0 there is normal.
 * Returns 0 and fills *s, or PKT_*.
 */
int pkt_tcp_parse(const void *pkt, size_t len, int family, int has_ip, pkt_tcp_seg *s);

/*
 * Parse a quoted TCP header (pkt_icmp_quote.l4, or the payload of an
 * IP_RECVERR error queue message): ports and seq need 8 bytes (all RFC 792
 * promises); ack, flags and window are filled when 20 are there (hdr_len
 * then 20, else 0).  Returns 0, PKT_SHORT or PKT_BAD_ARG.
 */
int pkt_tcp_quote_parse(const void *l4, size_t len, pkt_tcp_seg *s);

/* ------------------------------------------------------------------ */
/* What an answer means: the one table for every probe (lib/pkt/answer.c) */
/*
 * Every answer a probe can get is classified here, the same way for the
 * icmp and tcp plugins, every mode and both families (the path plugin
 * reads the same rows for its destination):
 *   SYN/ACK                       open
 *   RST+ACK                       refused (the destination answered)
 *   bare RST (no ACK flag, ack 0) refused: firewalls and load balancers
 *                                 send it; it names no sequence number, so
 *                                 it is matched by addresses and ports
 *   ICMP/ICMPv6 errors            pkt_icmp_table -> unreachable, with the
 *                                 class as the reason (time exceeded too:
 *                                 the probe died on the way); too big is
 *                                 about the MTU and not an answer
 *   nothing within the timeout    timeout (the caller's clock)
 */

/* The end-to-end result an answer gives a probe. */
typedef enum pkt_answer {
	PKT_ANS_NONE,           /* not an answer to a probe: ignore it */
	PKT_ANS_OPEN,           /* tcp: a SYN/ACK, the port is open; icmp: an echo reply */
	PKT_ANS_REFUSED,        /* a TCP reset: the destination answered, nothing listens */
	PKT_ANS_UNREACHABLE,    /* an ICMP error: the probe did not arrive (reason: its class) */
} pkt_answer;

/* One TCP row of the table: a segment answering a SYN. */
typedef struct pkt_tcp_row {
	uint8_t mask, flags;    /* the row matches a segment with (flags & mask) == flags */
	pkt_answer ans;         /* what it means */
	int acked;              /* 1: its ack number is our sequence number + 1 (RFC 793
	                           3.4), so it names the probe; 0: it names none (a bare
	                           RST): match it by addresses and ports */
	const char *name;       /* "syn_ack", "rst_ack", "bare_rst" */
} pkt_tcp_row;

/* The TCP rows, first match wins, for documentation and tests. */
extern const pkt_tcp_row pkt_tcp_table[];
/* Rows in pkt_tcp_table. */
extern const size_t pkt_tcp_table_len;

/* The row of a segment with TCP `flags` (PKT_TCP_*) answering a SYN, or
 * NULL when it is no answer (a bare ACK, a SYN, data). */
const pkt_tcp_row *pkt_tcp_answer(uint8_t flags);

/* The result an ICMP error of class `c` gives an end-to-end probe:
 * PKT_ANS_NONE for PKT_IC_NONE and PKT_IC_TOO_BIG (the MTU, not
 * reachability), PKT_ANS_UNREACHABLE for every other class. */
pkt_answer pkt_icmp_answer(pkt_icmp_class c);

/* Short name of answer `a` for result tags: "none", "open", "refused",
 * "unreachable".  Static storage. */
const char *pkt_answer_name(pkt_answer a);

#endif /* HOPWATCH_PKT_H */
