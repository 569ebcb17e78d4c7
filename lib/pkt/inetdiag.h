/*
 * inetdiag.h: pure builder and parser of NETLINK_SOCK_DIAG / inet_diag
 * messages for TCP sockets (lib/pkt/inetdiag.c, in libhwpkt.a).
 *
 * No I/O, no state, no allocation.  The parser reads only inside
 * [buf, buf + len), checks every netlink and attribute length against what
 * is left, and takes a field of struct tcp_info only when the kernel's
 * INET_DIAG_INFO attribute is long enough to hold it (older kernels send a
 * shorter struct).
 */
#ifndef HOPWATCH_INETDIAG_H
#define HOPWATCH_INETDIAG_H

#include <stddef.h>
#include <stdint.h>

/* Bytes inetdiag_dump_request writes: nlmsghdr + inet_diag_req_v2. */
#define INETDIAG_REQ_LEN 72

/* TCP states as the kernel numbers them (include/net/tcp_states.h). */
enum inetdiag_state {
	INETDIAG_ESTABLISHED = 1, INETDIAG_SYN_SENT, INETDIAG_SYN_RECV, INETDIAG_FIN_WAIT1,
	INETDIAG_FIN_WAIT2, INETDIAG_TIME_WAIT, INETDIAG_CLOSE, INETDIAG_CLOSE_WAIT,
	INETDIAG_LAST_ACK, INETDIAG_LISTEN, INETDIAG_CLOSING, INETDIAG_NEW_SYN_RECV,
};

/* The figures of struct tcp_info that hopwatch reads (INET_DIAG_INFO). */
typedef struct inetdiag_tcpinfo {
	uint8_t state;            /* tcpi_state, an inetdiag_state */
	uint32_t rto_us;          /* tcpi_rto: retransmission timeout, µs */
	uint32_t last_data_recv_ms;  /* tcpi_last_data_recv: ms since data (or the SYN-ACK) was last received */
	uint32_t rtt_us;          /* tcpi_rtt: smoothed RTT, µs */
	uint32_t rttvar_us;       /* tcpi_rttvar: RTT mean deviation, µs */
	uint8_t retransmits;      /* tcpi_retransmits: consecutive unanswered retransmissions of the oldest segment (SYN included) */
	uint32_t total_retrans;   /* tcpi_total_retrans: segments retransmitted over the life of the socket */
	uint32_t segs_in;         /* tcpi_segs_in: segments received, RST included (0 when the kernel is too old) */
	uint64_t bytes_acked;     /* tcpi_bytes_acked: bytes of sequence space acked by the peer: data, plus 1 for our SYN (active open) and 1 for our FIN */
	uint64_t bytes_received;  /* tcpi_bytes_received: sequence space received in order: data, plus 1 for the peer's FIN */
	uint64_t bytes_sent;      /* tcpi_bytes_sent: data bytes sent, retransmissions included (Linux >= 4.19) */
	uint64_t bytes_retrans;   /* tcpi_bytes_retrans: data bytes retransmitted (Linux >= 4.19) */
	int has_bytes_sent;       /* 1 when the attribute held bytes_sent and bytes_retrans */
	uint32_t min_rtt_us;      /* tcpi_min_rtt: lowest RTT sample, µs; UINT32_MAX when the socket never took
	                             one (no SYN-ACK came: it never reached ESTABLISHED).  Kept by
	                             tcp_disconnect, which zeroes the ports and counters (Linux >= 4.10) */
	int has_min_rtt;          /* 1 when the attribute held min_rtt */
} inetdiag_tcpinfo;

/* One socket of a dump or of a destroy notification (struct inet_diag_msg). */
typedef struct inetdiag_sock {
	int family;               /* idiag_family: AF_INET or AF_INET6 */
	uint8_t state;            /* idiag_state, an inetdiag_state */
	uint64_t cookie;          /* idiag_cookie: the kernel's socket cookie, unique per boot and netns lifetime */
	uint8_t src[16], dst[16]; /* local and remote address: 4 bytes for AF_INET, 16 for AF_INET6 */
	uint16_t sport, dport;    /* local and remote port, host order */
	uint32_t uid;             /* idiag_uid: owner's uid */
	uint32_t inode;           /* idiag_inode: the socket's inode, 0 for orphans and TIME-WAIT */
	int has_info;             /* 1 when INET_DIAG_INFO was present and read */
	inetdiag_tcpinfo info;    /* valid when has_info */
} inetdiag_sock;

/* What one netlink message is. */
typedef enum inetdiag_kind {
	INETDIAG_SOCK,   /* a socket: `sock` is filled */
	INETDIAG_DONE,   /* NLMSG_DONE: the dump is over */
	INETDIAG_ERROR,  /* NLMSG_ERROR: `error` holds the (positive) errno, 0 for an ack */
	INETDIAG_OTHER,  /* a message type hopwatch does not read (NLMSG_NOOP...) */
} inetdiag_kind;

/* One parsed netlink message. */
typedef struct inetdiag_msg {
	inetdiag_kind kind;       /* what it is */
	uint16_t flags;           /* nlmsg_flags: NLM_F_DUMP_INTR (0x10) marks an inconsistent dump */
	uint32_t seq;             /* nlmsg_seq: the request's sequence number; 0 for notifications */
	int error;                /* INETDIAG_ERROR: errno, positive; 0 for an ack */
	inetdiag_sock sock;       /* INETDIAG_SOCK: the socket */
} inetdiag_msg;

/*
 * Write a SOCK_DIAG_BY_FAMILY dump request for every TCP socket of `family`
 * (AF_INET or AF_INET6) in every state, asking for INET_DIAG_INFO, with
 * sequence number `seq`.  Returns INETDIAG_REQ_LEN, or 0 when `cap` is too
 * small or the family unknown.
 */
size_t inetdiag_dump_request(void *buf, size_t cap, int family, uint32_t seq);

/*
 * Parse the netlink message at *off in buf[0..len) into `m`, and advance
 * *off past it (aligned).  Returns 1 for a message, 0 at the end of the
 * buffer, -1 when the message is malformed (its length runs past the
 * buffer, is shorter than its header, or a socket message is shorter than
 * struct inet_diag_msg or has a bad attribute): the rest of the buffer is
 * then unusable and *off is set to len.
 */
int inetdiag_next(const void *buf, size_t len, size_t *off, inetdiag_msg *m);

/* The field-standard name of a TCP state ("ESTABLISHED", "SYN-SENT"...); "UNKNOWN" when out of range. */
const char *inetdiag_state_name(unsigned state);

#endif /* HOPWATCH_INETDIAG_H */
