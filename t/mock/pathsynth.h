/*
 * t/mock/pathsynth.h: replies to traceroute probes, built byte by byte for
 * the path plugin's unit tests and fuzzer: ICMP errors quoting a probe,
 * echo replies, TCP answers, in the form a socket delivers them (a raw
 * IPv4 socket with the IP header; raw ICMPv6, ping sockets and raw IPv6
 * TCP without).  Pure: no I/O, no state.
 */
#ifndef HW_PATHSYNTH_H
#define HW_PATHSYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

/* Offset of the quoted transport header in a synth_error packet: 48 for
 * both families (v4: 20 IP + 8 ICMP + 20 quoted IP; v6: 8 + 40). */
#define SYNTH_QUOTE_OFF 48

/*
 * An ICMP error of `type`/`code` from `from` to `to` quoting a packet of
 * protocol `proto` from qsrc to qdst: its transport bytes `l4` (n bytes),
 * of which the first `quote` go in.  The quoted IP header states n.  v4:
 * with the outer IP header, checksummed; v6: the ICMPv6 message alone (its
 * checksum is the kernel's).  Returns the length, 0 when cap is too small.
 */
size_t synth_error(uint8_t *buf, size_t cap, int family, const pkt_ipaddr *from, const pkt_ipaddr *to,
                   uint8_t type, uint8_t code, uint8_t proto, const pkt_ipaddr *qsrc,
                   const pkt_ipaddr *qdst, const uint8_t *l4, size_t n, size_t quote);

/* The echo reply to echo request `req` (n bytes: header and payload):
 * v4 with an IP header from `from` to `to` when has_ip, else the ICMP
 * message alone.  Returns the length, 0 when cap is too small. */
size_t synth_echo_reply(uint8_t *buf, size_t cap, int family, int has_ip, const pkt_ipaddr *from,
                        const pkt_ipaddr *to, const uint8_t *req, size_t n);

/* The answer with `flags` (PKT_TCP_*) to SYN `syn` from `from` to `to`:
 * v4 with an IP header, v6 the TCP header alone.  Returns the length. */
size_t synth_tcp_answer(uint8_t *buf, size_t cap, int family, const pkt_ipaddr *from,
                        const pkt_ipaddr *to, const uint8_t *syn, uint8_t flags);

/* Make the outer ICMPv4 checksum of a synth packet (len bytes) right again
 * after a change; v6: nothing to do. */
void synth_fix(uint8_t *buf, size_t len, int family);

#endif /* HW_PATHSYNTH_H */
