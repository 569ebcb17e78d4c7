/*
 * route.h: the source address of a probe, asked of the kernel for the
 * probe's exact flow and pinned on every send (plugins/common, linked
 * into the plugins as libhwcommon.a).
 *
 * Why: a raw socket's probe carries a UDP or TCP checksum over a
 * pseudo-header with the source address in it, so the address must be
 * known before the send, and must be the one the kernel then puts in the
 * IP header.  Guessing it with connect() + getsockname() on a fresh UDP
 * socket is wrong behind a multipath route hashed on L4 ports
 * (fib_multipath_hash_policy 1 or 3): the guess hashes the UDP socket's
 * random port and may pick the other nexthop, with another source address;
 * the target then drops the probe for its bad checksum (field case
 * ecmp-raw-checksum).  So:
 *   1. hwc_route_flow asks the kernel (RTM_GETROUTE, rtnetlink(7)) for the
 *      route of exactly the probe's flow: protocol, source and destination
 *      ports (RTA_IP_PROTO, RTA_SPORT, RTA_DPORT, Linux >= 4.17), which
 *      hashes the multipath route as a socket of that flow would;
 *   2. hwc_sendmsg sends with that source address and output device in an
 *      IP_PKTINFO / IPV6_PKTINFO control message, so the packet carries the
 *      address its checksum was computed for whatever the raw socket's own
 *      route lookup (which does not see the ports) would have chosen.
 * A kernel without netlink route lookups (or with too old a one) falls
 * back to the connect() guess; the source is still pinned, so the
 * checksum is right, only the nexthop may differ from a real flow's.
 */
#ifndef HOPWATCH_COMMON_ROUTE_H
#define HOPWATCH_COMMON_ROUTE_H

#include <stdint.h>
#include <sys/socket.h>

#include "pkt.h"

/* The kernel's route for one flow, and what hwc_sendmsg pins. */
typedef struct hwc_route {
	int family;             /* AF_INET or AF_INET6; 0: nothing to pin (send as is) */
	pkt_ipaddr src;          /* source address of the flow (RTA_PREFSRC, or the configured source) */
	int ifindex;            /* output device of the flow (RTA_OIF); 0: not pinned */
	int guessed;            /* 1: the kernel could not be asked; src is the connect() guess */
} hwc_route;

/*
 * The route the kernel takes for the flow `proto` (IPPROTO_TCP, IPPROTO_UDP,
 * IPPROTO_ICMP[V6]) from port `sport` to `dst` port `dport`, of `family`.
 * `src`: the configured source address (the socket is bound to it), or NULL
 * for the kernel's choice.  Fills *r.  Returns 0, or the errno a connect()
 * of that flow would give: ENETUNREACH (no route), EHOSTUNREACH (an
 * unreachable route), EACCES (prohibit), EINVAL (blackhole), ...
 */
int hwc_route_flow(int family, const pkt_ipaddr *dst, const pkt_ipaddr *src, uint8_t proto,
                   uint16_t sport, uint16_t dport, hwc_route *r);

/*
 * sendmsg(2) of `len` bytes at `buf` to `to` on `fd` (a raw or datagram
 * socket of r->family), MSG_DONTWAIT, with the source address and device
 * of `r` pinned (IP_PKTINFO ipi_spec_dst / IPV6_PKTINFO ipi6_addr; r NULL
 * or r->family 0: not pinned) and, when `ttl` > 0, that TTL / hop limit
 * (IP_TTL / IPV6_HOPLIMIT): one socket serves every TTL of a traceroute.
 * Returns what sendmsg returns (-1 and errno on failure).
 */
ssize_t hwc_sendmsg(int fd, const void *buf, size_t len, const struct sockaddr *to, socklen_t tolen,
                    const hwc_route *r, int ttl);

#endif /* HOPWATCH_COMMON_ROUTE_H */
