/*
 * t/unit/common-route.c: source selection of plugins/common (route.c)
 * where it is testable without a namespace: the kernel's answer for
 * loopback flows (t/t5020-tcp-ecmp.sh tests it across a multipath route),
 * and a pinned send over loopback carries the pinned source.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <unistd.h>

#include "route.h"
#include "test-lib.h"

int main(void)
{
	pkt_ipaddr dst, src;
	hwc_route r;
	unsigned lo = if_nametoindex("lo");
	char buf[INET6_ADDRSTRLEN];
	int fd, rc;

	inet_pton(AF_INET, "127.0.0.1", &dst.v4);
	rc = hwc_route_flow(AF_INET, &dst, NULL, IPPROTO_TCP, 40000, 7, &r);
	is_int(rc, 0, "a TCP flow to 127.0.0.1 has a route");
	is_str(inet_ntop(AF_INET, &r.src, buf, sizeof buf), "127.0.0.1", "its source is 127.0.0.1");
	ok(r.family == AF_INET && r.guessed == 0, "asked of the kernel, not guessed");
	is_int(r.ifindex, lo, "through lo");

	/* a configured source is kept (and asked for: RTA_SRC) */
	inet_pton(AF_INET, "127.0.0.2", &src.v4);
	inet_pton(AF_INET, "127.0.0.3", &dst.v4);
	rc = hwc_route_flow(AF_INET, &dst, &src, IPPROTO_UDP, 40000, 33434, &r);
	ok(rc == 0 && !memcmp(&r.src.v4, &src.v4, 4), "a configured source 127.0.0.2 is kept");

	/* IPv6 loopback, when the host has IPv6 */
	inet_pton(AF_INET6, "::1", &dst.v6);
	rc = hwc_route_flow(AF_INET6, &dst, NULL, IPPROTO_TCP, 40000, 7, &r);
	if (rc == 0) {
		is_str(inet_ntop(AF_INET6, &r.src, buf, sizeof buf), "::1", "IPv6: the source of ::1 is ::1");
		ok(r.guessed == 0, "IPv6: asked of the kernel");
	} else {
		diag("no IPv6 here (%s): skipped", strerror(rc));
	}
	is_int(hwc_route_flow(AF_UNIX, &dst, NULL, IPPROTO_TCP, 1, 2, &r), EAFNOSUPPORT, "AF_UNIX: refused");

	/* a pinned send over loopback arrives from the pinned source */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	{
		struct sockaddr_in a = { .sin_family = AF_INET };
		socklen_t al = sizeof a;
		int rx = socket(AF_INET, SOCK_DGRAM, 0);
		char b[8];
		inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
		bind(rx, (struct sockaddr *)&a, sizeof a);
		getsockname(rx, (struct sockaddr *)&a, &al);
		inet_pton(AF_INET, "127.0.0.1", &dst.v4);
		hwc_route_flow(AF_INET, &dst, NULL, IPPROTO_UDP, 0, ntohs(a.sin_port), &r);
		inet_pton(AF_INET, "127.0.0.9", &r.src.v4);  /* any loopback address is ours */
		ok(hwc_sendmsg(fd, "pin", 3, (struct sockaddr *)&a, sizeof a, &r, 7) == 3, "pinned send with TTL 7");
		al = sizeof a;
		ok(recvfrom(rx, b, sizeof b, MSG_DONTWAIT, (struct sockaddr *)&a, &al) == 3 &&
		   !strcmp(inet_ntop(AF_INET, &a.sin_addr, buf, sizeof buf), "127.0.0.9"),
		   "it arrives from the pinned source 127.0.0.9 (%s)", buf);
		close(rx);
	}
	close(fd);
	return done_testing();
}
