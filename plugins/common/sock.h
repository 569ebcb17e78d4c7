/*
 * sock.h: the sockets of the probe plugins (plugins/common): opening ICMP
 * sockets (ping or raw) with the errors that say how to fix a refusal,
 * holding a source port, the receive filters (ICMP type filters, classic
 * BPF port filters) and the options of every receiving socket.  Logs with
 * the HW_* macros of hopwatch.h; never touches the loop.
 */
#ifndef HOPWATCH_COMMON_SOCK_H
#define HOPWATCH_COMMON_SOCK_H

#include <stddef.h>
#include <stdint.h>

#include "hopwatch.h"

/* The ping_group_range sysctl as text ("1 0", tabs made spaces), for
 * messages, in buf (len bytes); "unknown" when it cannot be read.
 * Returns buf. */
const char *hwc_ping_range(char *buf, size_t len);

/* "IPv4" or "IPv6": the family's name in messages. */
const char *hwc_family_name(int family);

/* How to open an ICMP socket: the `mode` setting of icmp and path. */
enum hwc_icmp_mode {
	HWC_AUTO,                /* a ping socket when ping_group_range allows, else raw */
	HWC_DGRAM,               /* a ping socket (SOCK_DGRAM, IPPROTO_ICMP[V6]) only */
	HWC_RAW,                 /* a raw socket (CAP_NET_RAW) only */
};

/*
 * Open a non-blocking ICMP socket of `family` for `mode`: a ping socket
 * first (auto, dgram), then a raw one (auto, raw; through hw_raw_socket,
 * so it works after the privilege drop).  *raw is 1 when it is raw.  On
 * failure, logs at HW_LOG_ERR (`need`: a target has that family) or
 * HW_LOG_WARNING why, and how to allow it (ping_group_range, CAP_NET_RAW,
 * the other mode); `raw_what` names the raw sockets in that message ("a
 * raw ICMP socket").  Returns the fd, or -1.
 */
int hwc_icmp_open(hw_ctx *ctx, int family, enum hwc_icmp_mode mode, int need, const char *raw_what,
                  int *raw);

/* Log why a ping socket of `family` was refused (`err`) and how to allow
 * it, at `level`; `hint` ends the message (", or set mode = \"raw\"" or ""). */
void hwc_log_ping_refused(hw_ctx *ctx, int level, int family, int err, const char *hint);
/* Log why raw sockets (`what`: "a raw ICMP socket") of `family` were
 * refused (`err`) and how to allow them, at `level`; `hint` ends it. */
void hwc_log_raw_refused(hw_ctx *ctx, int level, int family, const char *what, int err, const char *hint);

/* Pass only ICMP(v6) types `types` (a bit per type; bit 0 = type 0, ...:
 * for ICMPv6, bit n = type 128 + n when n < 32, errors 1-4 by
 * HWC_PASS6_*) to raw ICMP socket `fd` (ICMP_FILTER, ICMP6_FILTER).
 * Returns 0, or -1 with errno. */
int hwc_icmp_filter(int fd, int family, uint32_t types4, uint32_t pass6);
#define HWC_PASS6_UNREACH 1u      /* ICMPv6 type 1 */
#define HWC_PASS6_TOO_BIG 2u      /* ICMPv6 type 2 */
#define HWC_PASS6_TIME_EXCEEDED 4u /* ICMPv6 type 3 */
#define HWC_PASS6_ECHO_REPLY 8u   /* ICMPv6 type 129 */

/* Attach a classic BPF filter to raw TCP or UDP socket `fd` of `family`
 * that passes only segments to local port `port` (the transport header
 * follows the IPv4 header a raw IPv4 socket sees, or starts at 0 for
 * IPv6).  Returns 0, or -1 with errno. */
int hwc_filter_dport(int fd, int family, uint16_t port);
/* Attach a BPF filter that drops everything: a raw socket that only sends.
 * Returns 0, or -1 with errno. */
int hwc_filter_none(int fd);

/* Options of every socket that receives probe answers: SO_TIMESTAMPNS
 * (kernel receive times, pkt_rx_time) and a receive buffer of `rcvbuf`
 * bytes (SO_RCVBUFFORCE, else SO_RCVBUF capped by rmem_max).  Returns 0,
 * or -1 with errno when SO_TIMESTAMPNS failed (RTTs then come from user
 * space). */
int hwc_rx_opts(int fd, int rcvbuf);

/*
 * Bind `fd` of `family` to address `source` (the `source` setting, text)
 * when it is an address of that family, port 0; `always`: bind to the
 * any-address even without one (a ping socket gets its identifier so, a
 * UDP socket its port).  Logs the failure.  Returns 0 or -1.
 */
int hwc_bind_source(hw_ctx *ctx, int fd, int family, const char *source, int always);

/* The local port of socket `fd`, host order; 0 when it has none. */
uint16_t hwc_local_port(int fd);

/*
 * Hold a source port for an instance, in a way that receives nothing and
 * listens nowhere (issue 15): bind a socket of `type` (SOCK_STREAM: a TCP
 * port, SOCK_DGRAM: a UDP port) to port 0 of every address, dual-stack
 * when the host has IPv6, so that the kernel gives the port to no other
 * socket (every ephemeral port choice, every bind to the any-address
 * conflicts with it), and keep it open:
 *   TCP: bound, never listen()ed: not a listener (ss -l does not list it);
 *        a segment to the port finds no socket and is answered with RST
 *        by the kernel (what a SYN probe's SYN/ACK needs);
 *   UDP: connected to itself over loopback ([::1] or 127.0.0.1, the same
 *        port), so it is not a listener either and accepts datagrams only
 *        from itself, which sends none; on top, a BPF filter that drops
 *        everything and the smallest receive buffer.  Datagrams from
 *        other hosts find no socket (the kernel answers port unreachable,
 *        as for a closed port); nobody can fill a queue.  When loopback
 *        cannot be reached (lo down), it stays unconnected with the
 *        filter (a warning says so): it still receives nothing.
 * Connecting binds the UDP socket to the loopback address: an explicit
 * bind() of another socket to a non-loopback address and this port is
 * then possible (no ephemeral choice gives the port away).  Returns the fd
 * and sets *port (host order); -1 (logged) when it cannot.
 */
int hwc_hold_port(hw_ctx *ctx, int type, uint16_t *port);

/*
 * Make bound UDP socket `fd` (its port `port`) receive nothing and listen
 * nowhere, as hwc_hold_port does with its UDP socket: a drop-all filter,
 * the smallest receive buffer, connected to itself over loopback.
 * Returns 0, or -1 with errno when it could not connect (the filter is on
 * all the same: it drops everything, but ss -l lists it).
 */
int hwc_udp_quiet(int fd, uint16_t port);

/*
 * A UDP socket of `family` that sends to exactly `to` (connect) from port
 * `sport` of `source` (the `source` setting, text; NULL or of the other
 * family: any address), for unprivileged traces (path udp dgram): the
 * kernel hands a connected UDP socket the ICMP errors that quote a
 * datagram of its own flow only, so each destination's socket gets its
 * own errors on its error queue (IP_RECVERR / IPV6_RECVERR), and, being
 * connected, it is no listener and takes datagrams only from `to` (which
 * a drop-all filter drops: the errors do not pass filters).  SO_REUSEADDR
 * lets the sockets of every destination share `sport` (they differ in
 * their peer), and the socket that first bound it
 * (hwc_udp_quiet) must have it too.  Non-blocking, close-on-exec,
 * receive options of hwc_rx_opts(`rcvbuf`).  Returns the fd, or -1 with
 * errno.
 */
int hwc_udp_connected(int family, const char *source, uint16_t sport, const struct sockaddr *to,
                      socklen_t tolen, int rcvbuf);

#endif /* HOPWATCH_COMMON_SOCK_H */
