/*
 * rx.h: the receive loop of the probe plugins (plugins/common): read a
 * socket's datagrams, or its error queue (IP_RECVERR / IPV6_RECVERR), in a
 * bounded batch, each with its sender, control data and receive time.
 */
#ifndef HOPWATCH_COMMON_RX_H
#define HOPWATCH_COMMON_RX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define HWC_RX_BUF 2048      /* bytes per datagram read; longer ones arrive with MSG_TRUNC */

/* One datagram (or error queue message) as read. */
typedef struct hwc_rx {
	const uint8_t *buf;      /* its bytes (an error queue message: the quoted packet's payload) */
	size_t len;              /* bytes at buf */
	int truncated;           /* 1: longer than HWC_RX_BUF (MSG_TRUNC); buf holds the start */
	const struct msghdr *msg;/* the recvmsg header: msg_name (sender, or the probe's destination
	                            for an error), control data (pkt_rx_time, pkt_errqueue_parse) */
	double rx_mono;          /* hw_mono() right after the read, seconds */
} hwc_rx;

/* What the loop hands each datagram to. */
typedef void (*hwc_rx_fn)(void *arg, const hwc_rx *rx);

/*
 * Read up to `budget` datagrams from non-blocking-read socket `fd`
 * (`errqueue` 1: its error queue, MSG_ERRQUEUE) and call fn(arg, rx) for
 * each.  Stops at EAGAIN, at the budget (so one busy socket cannot starve
 * the loop; the fd stays readable and the loop calls back), or, on the
 * error queue, at any error.  On the normal queue, an error that a pending
 * ICMP error left (IP_RECVERR reports it once, on the next call) is
 * skipped: the error itself waits in the error queue.  Returns the number
 * of datagrams handed to fn.
 */
int hwc_rx_drain(int fd, int errqueue, int budget, hwc_rx_fn fn, void *arg);

#endif /* HOPWATCH_COMMON_RX_H */
