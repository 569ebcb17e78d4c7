/*
 * answer.c: the one table of what an answer means for a probe (see pkt.h):
 * the TCP segments that answer a SYN (RFC 793 3.4 and 3.9 "SYN-SENT"), and
 * the end-to-end result of each ICMP class of icmp.c's table.
 */
#include <stddef.h>

#include "pkt_private.h"

const pkt_tcp_row pkt_tcp_table[] = {
	/* SYN+ACK, no RST: the handshake's second segment: open */
	{ PKT_TCP_SYN | PKT_TCP_ACK | PKT_TCP_RST, PKT_TCP_SYN | PKT_TCP_ACK, PKT_ANS_OPEN, 1, "syn_ack" },
	/* RST+ACK: what a host sends when nothing listens (RFC 793 3.4: "If
	 * the incoming segment has no ACK field ... <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
	 * <CTL=RST,ACK>") */
	{ PKT_TCP_RST | PKT_TCP_ACK, PKT_TCP_RST | PKT_TCP_ACK, PKT_ANS_REFUSED, 1, "rst_ack" },
	/* RST without ACK (ack 0): firewalls and load balancers; a kernel in
	 * SYN-SENT drops it (RFC 793 3.9), so connect() never sees one */
	{ PKT_TCP_RST | PKT_TCP_ACK, PKT_TCP_RST, PKT_ANS_REFUSED, 0, "bare_rst" },
};
const size_t pkt_tcp_table_len = sizeof pkt_tcp_table / sizeof pkt_tcp_table[0];

const pkt_tcp_row *pkt_tcp_answer(uint8_t flags)
{
	for (size_t i = 0; i < pkt_tcp_table_len; i++)
		if ((flags & pkt_tcp_table[i].mask) == pkt_tcp_table[i].flags)
			return &pkt_tcp_table[i];
	return NULL;
}

pkt_answer pkt_icmp_answer(pkt_icmp_class c)
{
	return c == PKT_IC_NONE || c == PKT_IC_TOO_BIG ? PKT_ANS_NONE : PKT_ANS_UNREACHABLE;
}

const char *pkt_answer_name(pkt_answer a)
{
	switch (a) {
	case PKT_ANS_OPEN: return "open";
	case PKT_ANS_REFUSED: return "refused";
	case PKT_ANS_UNREACHABLE: return "unreachable";
	default: return "none";
	}
}
