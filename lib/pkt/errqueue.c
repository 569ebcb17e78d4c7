/*
 * errqueue.c: one message of a socket's error queue (IP_RECVERR,
 * IPV6_RECVERR: ip(7), ipv6(7), linux/errqueue.h) taken apart, and what its
 * ICMP error means for the probe it quotes (the table of icmp.c).  See
 * pkt.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/errqueue.h>

#include "pkt_private.h"

int pkt_errqueue_parse(const struct msghdr *msg, pkt_errq *e)
{
	const unsigned char *d;
	struct sock_extended_err ee;
	size_t n;

	if (!msg || !e)
		return PKT_BAD_ARG;
	memset(e, 0, sizeof *e);
	if ((d = pkt_cmsg_find(msg, SOL_IP, IP_RECVERR, sizeof ee, &n)))
		e->family = AF_INET;
	else if ((d = pkt_cmsg_find(msg, SOL_IPV6, IPV6_RECVERR, sizeof ee, &n)))
		e->family = AF_INET6;
	else
		return PKT_NOT_FOUND;
	memcpy(&ee, d, sizeof ee);
	e->err = (int)ee.ee_errno;
	e->origin = ee.ee_origin;
	e->type = ee.ee_type;
	e->code = ee.ee_code;
	e->info = ee.ee_info;
	/* SO_EE_OFFENDER: the sender of the ICMP error, right after the struct */
	if (n >= sizeof ee + sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;
		memcpy(&sin, d + sizeof ee, sizeof sin);
		if (sin.sin_family == AF_INET) {
			e->offender_family = AF_INET;
			e->offender.v4 = sin.sin_addr;
		} else if (sin.sin_family == AF_INET6 && n >= sizeof ee + sizeof(struct sockaddr_in6)) {
			struct sockaddr_in6 sin6;
			memcpy(&sin6, d + sizeof ee, sizeof sin6);
			e->offender_family = AF_INET6;
			e->offender.v6 = sin6.sin6_addr;
		}
	}
	switch (ee.ee_origin) {
	case SO_EE_ORIGIN_ICMP:
		e->cls = pkt_icmp_classify(AF_INET, ee.ee_type, ee.ee_code);
		break;
	case SO_EE_ORIGIN_ICMP6:
		e->cls = pkt_icmp_classify(AF_INET6, ee.ee_type, ee.ee_code);
		break;
	case SO_EE_ORIGIN_LOCAL:
		e->cls = pkt_errno_class(e->err);  /* e.g. EMSGSIZE: the route's MTU */
		break;
	default:
		e->cls = PKT_IC_NONE;  /* timestamps, zero copy: not about a probe */
		break;
	}
	return 0;
}
