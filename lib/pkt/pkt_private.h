/*
 * pkt_private.h: what the files of lib/pkt share and nothing outside
 * lib/pkt may use (the public API is pkt.h): header sizes and the one
 * IPv4 and IPv6 header check of the library.
 */
#ifndef HOPWATCH_PKT_PRIVATE_H
#define HOPWATCH_PKT_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

#define PKT_IP4_MIN_HDR 20   /* IPv4 header without options, bytes (RFC 791) */
#define PKT_IP6_HDR 40       /* fixed IPv6 header, bytes (RFC 8200) */
#define PKT_TCP_MIN_HDR 20   /* TCP header without options, bytes (RFC 793) */

/*
 * Check the IPv4 header at p (len bytes) and give the offset (*off) and
 * the length (*plen) of what it carries (RFC 791).  Refused (PKT_BAD_IP):
 * a version other than 4, an IHL below 5, a total length below the
 * header, and any fragment that does not start the datagram (fragment
 * offset not 0): it carries no transport header.
 * `quoted` 0: a packet as received: it must be whole (total length <= len,
 * PKT_SHORT otherwise), unfragmented (MF set is refused too: the transport
 * payload is incomplete) and of protocol `proto`.
 * `quoted` 1: the packet quoted by an ICMP error, which may stop early
 * (*plen is bounded by len) and may be the first fragment of a bigger
 * datagram (MF set); `proto` is not checked.
 * Returns 0, PKT_SHORT or PKT_BAD_IP.
 */
int pkt_ip4_header(const uint8_t *p, size_t len, int quoted, uint8_t proto, size_t *off, size_t *plen);

/*
 * Check the IPv6 header at p (RFC 8200).  `quoted` 0: the payload length
 * must fit in len and the next header must be `proto` directly.  `quoted`
 * 1: the extension headers (hop-by-hop, routing, fragment, destination
 * options) are walked; a fragment header of a non-first fragment ends the
 * walk with *nh 44 (no transport header follows).  Sets *off to the
 * upper-layer header, *nh to its type and *plen to its bytes (bounded by
 * len).  Returns 0, PKT_SHORT or PKT_BAD_IP.
 */
int pkt_ip6_header(const uint8_t *p, size_t len, int quoted, uint8_t proto, size_t *off, size_t *plen,
                   uint8_t *nh);

struct msghdr;

/*
 * The data of the first control message of `level` and `type` in `msg`
 * (as recvmsg filled it) that holds at least `min` bytes; its length in
 * *len (when len is not NULL).  NULL when there is none, or when a
 * header's length would reach past msg_controllen (the walk stops there).
 */
const void *pkt_cmsg_find(const struct msghdr *msg, int level, int type, size_t min, size_t *len);

#endif /* HOPWATCH_PKT_PRIVATE_H */
