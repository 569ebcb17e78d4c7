/*
 * cmsg.c: find one control message of a recvmsg(2) result, never reading
 * outside the control buffer (pkt_private.h).  The kernel's control data is
 * trusted to be well formed, but the fuzzers and the unit tests hand over
 * anything, so every length is checked.
 */
#include <string.h>
#include <sys/socket.h>

#include "pkt_private.h"

const void *pkt_cmsg_find(const struct msghdr *msg, int level, int type, size_t min, size_t *len)
{
	const unsigned char *base, *end;

	if (!msg || !msg->msg_control || msg->msg_controllen < sizeof(struct cmsghdr))
		return NULL;
	base = msg->msg_control;
	end = base + msg->msg_controllen;
	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg); c;
	     c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		const unsigned char *d = CMSG_DATA(c);
		size_t n;

		if (c->cmsg_len < CMSG_LEN(0) || c->cmsg_len > (size_t)(end - (const unsigned char *)c))
			return NULL;  /* a header that lies about its length: stop */
		n = c->cmsg_len - CMSG_LEN(0);
		if (c->cmsg_level != level || c->cmsg_type != type || n < min)
			continue;
		if (len)
			*len = n;
		return d;
	}
	return NULL;
}
