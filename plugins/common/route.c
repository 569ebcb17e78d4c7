/*
 * route.c: the source address of a probe's exact flow, from the kernel's
 * routing table, and sends that pin it (route.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "route.h"

#ifndef RTA_IP_PROTO  /* Linux 4.17 headers */
#define RTA_IP_PROTO 27
#define RTA_SPORT 28
#define RTA_DPORT 29
#endif

/* Bytes of an address of `family`. */
static size_t alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* Append attribute `type` with `len` bytes of `data` to the netlink
 * message that starts `buf` (`cap` bytes).  Returns 0, or -1 when it does
 * not fit. */
static int add_attr(unsigned char *buf, size_t cap, unsigned short type, const void *data, size_t len)
{
	struct nlmsghdr h;
	struct rtattr a = { .rta_len = (unsigned short)RTA_LENGTH(len), .rta_type = type };
	size_t at;

	memcpy(&h, buf, sizeof h);
	at = NLMSG_ALIGN(h.nlmsg_len);
	if (at + RTA_SPACE(len) > cap)
		return -1;
	memcpy(buf + at, &a, sizeof a);
	memcpy(buf + at + RTA_LENGTH(0), data, len);
	h.nlmsg_len = (uint32_t)(at + RTA_SPACE(len));
	memcpy(buf, &h, sizeof h);
	return 0;
}

/*
 * Ask the kernel (RTM_GETROUTE) for the route of the flow.  Returns 0 and
 * fills r->src / r->ifindex; a positive errno of the route (ENETUNREACH,
 * ...); or -1 when the kernel could not be asked (no netlink, too old).
 */
static int ask_kernel(int family, const pkt_ipaddr *dst, const pkt_ipaddr *src, uint8_t proto,
                      uint16_t sport, uint16_t dport, hwc_route *r)
{
	union {
		struct {
			struct nlmsghdr h;
			struct rtmsg rt;
		} m;
		unsigned char b[512];
	} req;
	union { char b[4096]; struct nlmsghdr align; } ans;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	uint16_t sp = htons(sport), dp = htons(dport);
	int fd, got_src = 0, rc = -1;
	ssize_t n;

	memset(&req, 0, sizeof req);
	req.m.h.nlmsg_len = NLMSG_LENGTH(sizeof req.m.rt);
	req.m.h.nlmsg_type = RTM_GETROUTE;
	req.m.h.nlmsg_flags = NLM_F_REQUEST;
	req.m.h.nlmsg_seq = 1;
	req.m.rt.rtm_family = (unsigned char)family;
	req.m.rt.rtm_dst_len = (unsigned char)(alen(family) * 8);
	if (add_attr(req.b, sizeof req.b, RTA_DST, dst, alen(family)) < 0 ||
	    (src && add_attr(req.b, sizeof req.b, RTA_SRC, src, alen(family)) < 0) ||
	    add_attr(req.b, sizeof req.b, RTA_IP_PROTO, &proto, 1) < 0 ||
	    add_attr(req.b, sizeof req.b, RTA_SPORT, &sp, 2) < 0 ||
	    add_attr(req.b, sizeof req.b, RTA_DPORT, &dp, 2) < 0)
		return -1;
	if (src)
		req.m.rt.rtm_src_len = (unsigned char)(alen(family) * 8);
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) < 0)
		return -1;
	/* rtnetlink answers within the send: the reply is queued already */
	if (sendto(fd, req.b, req.m.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0 ||
	    (n = recv(fd, ans.b, sizeof ans.b, MSG_DONTWAIT)) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	for (struct nlmsghdr *h = &ans.align; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof *e))
				return -1;
			/* EINVAL/EOPNOTSUPP for attributes an old kernel lacks would
			 * read as a blackhole: only route errors count as answers */
			if (e->error == -ENETUNREACH || e->error == -EHOSTUNREACH || e->error == -EACCES ||
			    e->error == -EPERM)
				return -e->error;
			return -1;
		}
		if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
			continue;
		{
			struct rtmsg *rt = NLMSG_DATA(h);
			int alen_left = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *rt));
			for (struct rtattr *a = RTM_RTA(rt); RTA_OK(a, alen_left); a = RTA_NEXT(a, alen_left)) {
				size_t dl = RTA_PAYLOAD(a);
				if (a->rta_type == RTA_OIF && dl >= 4)
					memcpy(&r->ifindex, RTA_DATA(a), 4);
				else if (a->rta_type == RTA_PREFSRC && dl >= alen(family)) {
					memcpy(&r->src, RTA_DATA(a), alen(family));
					got_src = 1;
				}
			}
			if (rt->rtm_type == RTN_BLACKHOLE)
				return EINVAL;
		}
		rc = 0;
		break;
	}
	if (rc == 0 && src) {
		memcpy(&r->src, src, alen(family));  /* bound: the kernel keeps it */
		got_src = 1;
	}
	return rc == 0 && got_src ? 0 : -1;
}

/* The old guess: what a connected UDP socket gets.  Returns 0 or an errno. */
static int guess(int family, const pkt_ipaddr *dst, uint16_t dport, pkt_ipaddr *out)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return errno;
	memset(&ss, 0, sizeof ss);
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		((struct sockaddr_in *)&ss)->sin_addr = dst->v4;
		((struct sockaddr_in *)&ss)->sin_port = htons(dport ? dport : 9);
		len = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&ss)->sin6_addr = dst->v6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(dport ? dport : 9);
		len = sizeof(struct sockaddr_in6);
	}
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		err = errno;
	len = sizeof ss;
	if (!err && getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		err = errno;
	close(fd);
	if (err)
		return err;
	if (family == AF_INET)
		out->v4 = ((struct sockaddr_in *)&ss)->sin_addr;
	else
		out->v6 = ((struct sockaddr_in6 *)&ss)->sin6_addr;
	return 0;
}

int hwc_route_flow(int family, const pkt_ipaddr *dst, const pkt_ipaddr *src, uint8_t proto,
                   uint16_t sport, uint16_t dport, hwc_route *r)
{
	int rc;

	memset(r, 0, sizeof *r);
	if ((family != AF_INET && family != AF_INET6) || !dst)
		return EAFNOSUPPORT;
	rc = ask_kernel(family, dst, src, proto, sport, dport, r);
	if (rc > 0)
		return rc;
	if (rc < 0) {
		memset(r, 0, sizeof *r);
		r->guessed = 1;
		if (src)
			memcpy(&r->src, src, alen(family));
		else if ((rc = guess(family, dst, dport, &r->src)) != 0)
			return rc;
	}
	r->family = family;
	return 0;
}

ssize_t hwc_sendmsg(int fd, const void *buf, size_t len, const struct sockaddr *to, socklen_t tolen,
                    const hwc_route *r, int ttl)
{
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_name = (void *)to, .msg_namelen = tolen, .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	size_t used = 0;
	int family = to->sa_family;

	memset(&cbuf, 0, sizeof cbuf);
	msg.msg_control = cbuf.b;
	msg.msg_controllen = sizeof cbuf.b;
	c = CMSG_FIRSTHDR(&msg);
	if (r && r->family == family) {
		if (family == AF_INET) {
			struct in_pktinfo pi = { .ipi_ifindex = r->ifindex, .ipi_spec_dst = r->src.v4 };
			c->cmsg_level = IPPROTO_IP;
			c->cmsg_type = IP_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof pi);
			memcpy(CMSG_DATA(c), &pi, sizeof pi);
			used += CMSG_SPACE(sizeof pi);
		} else {
			struct in6_pktinfo pi = { .ipi6_addr = r->src.v6, .ipi6_ifindex = (unsigned)r->ifindex };
			c->cmsg_level = IPPROTO_IPV6;
			c->cmsg_type = IPV6_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof pi);
			memcpy(CMSG_DATA(c), &pi, sizeof pi);
			used += CMSG_SPACE(sizeof pi);
		}
		c = CMSG_NXTHDR(&msg, c);
	}
	if (ttl > 0 && c) {
		c->cmsg_level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
		c->cmsg_type = family == AF_INET ? IP_TTL : IPV6_HOPLIMIT;
		c->cmsg_len = CMSG_LEN(sizeof ttl);
		memcpy(CMSG_DATA(c), &ttl, sizeof ttl);
		used += CMSG_SPACE(sizeof ttl);
	}
	msg.msg_controllen = used;
	if (!used)
		msg.msg_control = NULL;
	return sendmsg(fd, &msg, MSG_DONTWAIT);
}
