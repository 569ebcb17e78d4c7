/*
 * rxtime.c: the kernel's receive timestamp of a datagram (SO_TIMESTAMPNS,
 * SO_TIMESTAMP control messages, socket(7)).  See pkt.h.
 */
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "pkt_private.h"

int pkt_rx_time(const struct msghdr *msg, struct timespec *ts)
{
	const void *d;
	struct timeval tv;

	if ((d = pkt_cmsg_find(msg, SOL_SOCKET, SCM_TIMESTAMPNS, sizeof *ts, NULL))) {
		struct timespec t;
		memcpy(&t, d, sizeof t);  /* nanoseconds: the best there is */
		if (t.tv_nsec < 0 || t.tv_nsec > 999999999L)
			return -1;  /* not what a kernel writes */
		*ts = t;
		return 0;
	}
	if (!(d = pkt_cmsg_find(msg, SOL_SOCKET, SCM_TIMESTAMP, sizeof tv, NULL)))
		return -1;
	memcpy(&tv, d, sizeof tv);
	if (tv.tv_usec < 0 || tv.tv_usec > 999999L)
		return -1;  /* not what a kernel writes (and * 1000 could overflow) */
	ts->tv_sec = tv.tv_sec;
	ts->tv_nsec = tv.tv_usec * 1000L;
	return 0;
}
