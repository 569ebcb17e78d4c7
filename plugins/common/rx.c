/*
 * rx.c: the bounded receive loop of rx.h.
 */
#include <errno.h>

#include "hopwatch.h"
#include "pkt.h"
#include "rx.h"

int hwc_rx_drain(int fd, int errqueue, int budget, hwc_rx_fn fn, void *arg)
{
	int got = 0;

	for (int i = 0; i < budget; i++) {
		uint8_t buf[HWC_RX_BUF];
		union { unsigned char b[PKT_CMSG_SPACE]; struct cmsghdr align; } ctl;
		struct sockaddr_storage from;
		struct iovec iov = { buf, sizeof buf };
		struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov,
		                      .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
		hwc_rx rx;
		ssize_t n = recvmsg(fd, &msg, (errqueue ? MSG_ERRQUEUE : 0) | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errqueue)
				break;
			if (errno == EBADF || errno == ENOTSOCK || errno == EFAULT || errno == EINVAL)
				break;  /* not going to get better */
			continue;  /* a pending ICMP error reported here: it is in the error queue */
		}
		rx = (hwc_rx){ .buf = buf, .len = (size_t)n, .truncated = !!(msg.msg_flags & MSG_TRUNC),
		               .msg = &msg, .rx_mono = hw_mono() };
		fn(arg, &rx);
		got++;
	}
	return got;
}
