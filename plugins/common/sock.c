/*
 * sock.c: opening and filtering the probe plugins' sockets (sock.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <linux/filter.h>
#include <sys/socket.h>

#include "sock.h"

/* Not in every libc's headers: <linux/icmp.h> (raw IPv4 receive filter). */
#define RAW_SOL 255          /* SOL_RAW */
#define RAW_ICMP_FILTER 1    /* ICMP_FILTER: bit set = type blocked */

const char *hwc_ping_range(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");

	snprintf(buf, len, "unknown");
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
	for (char *p = buf; *p; p++)
		if (*p == '\t')
			*p = ' ';
	return buf;
}

const char *hwc_family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

void hwc_log_ping_refused(hw_ctx *ctx, int level, int family, int err, const char *hint)
{
	char range[64];

	hw_log(ctx, level,
	       "%s: cannot open an ICMP datagram (ping) socket: %s; the process's group (gid %u) must be "
	       "in net.ipv4.ping_group_range (now \"%s\"): sysctl -w net.ipv4.ping_group_range=\"0 "
	       "2147483647\"%s",
	       hwc_family_name(family), strerror(err), (unsigned)getegid(), hwc_ping_range(range, sizeof range),
	       hint);
}

void hwc_log_raw_refused(hw_ctx *ctx, int level, int family, const char *what, int err, const char *hint)
{
	hw_log(ctx, level,
	       "%s: cannot open %s: %s; run as root or grant CAP_NET_RAW (setcap cap_net_raw+ep "
	       "hopwatchd, or AmbientCapabilities=CAP_NET_RAW)%s",
	       hwc_family_name(family), what, strerror(err), hint);
}

int hwc_icmp_open(hw_ctx *ctx, int family, enum hwc_icmp_mode mode, int need, const char *raw_what,
                  int *raw)
{
	int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int fd = -1, derr = 0, rerr = 0, level = need ? HW_LOG_ERR : HW_LOG_WARNING;

	*raw = 0;
	if (mode != HWC_RAW) {
		fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
		if (fd < 0)
			derr = errno;
	}
	if (fd < 0 && mode != HWC_DGRAM) {
		fd = hw_raw_socket(ctx, family, proto);
		if (fd < 0)
			rerr = errno;
		else
			*raw = 1;
	}
	if (fd >= 0)
		return fd;
	if (derr == EAFNOSUPPORT || rerr == EAFNOSUPPORT) {
		hw_log(ctx, level, "%s: this kernel has no %s (%s)", hwc_family_name(family),
		       hwc_family_name(family), strerror(EAFNOSUPPORT));
		return -1;
	}
	if (mode != HWC_RAW)
		hwc_log_ping_refused(ctx, level, family, derr, mode == HWC_AUTO ? "" : ", or set mode = \"raw\"");
	if (mode != HWC_DGRAM)
		hwc_log_raw_refused(ctx, level, family, raw_what, rerr,
		                    mode == HWC_AUTO ? "" : ", or set mode = \"dgram\"");
	errno = rerr ? rerr : derr;
	return -1;
}

int hwc_icmp_filter(int fd, int family, uint32_t types4, uint32_t pass6)
{
	struct icmp6_filter f;

	if (family == AF_INET) {
		uint32_t block = ~types4;
		return setsockopt(fd, RAW_SOL, RAW_ICMP_FILTER, &block, sizeof block);
	}
	ICMP6_FILTER_SETBLOCKALL(&f);
	if (pass6 & HWC_PASS6_UNREACH)
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
	if (pass6 & HWC_PASS6_TOO_BIG)
		ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &f);
	if (pass6 & HWC_PASS6_TIME_EXCEEDED)
		ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f);
	if (pass6 & HWC_PASS6_ECHO_REPLY)
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
	return setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f);
}

int hwc_filter_dport(int fd, int family, uint16_t port)
{
	struct sock_filter f4[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),          /* X = IPv4 header length */
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),           /* A = destination port */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_filter f6[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 2),           /* A = destination port */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = family == AF_INET ? (struct sock_fprog){ 5, f4 } : (struct sock_fprog){ 4, f6 };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

int hwc_filter_none(int fd)
{
	struct sock_filter none[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog prog = { 1, none };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

int hwc_rx_opts(int fd, int rcvbuf)
{
	int on = 1, rc = setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on), err = errno;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);  /* capped: best effort */
	errno = err;
	return rc;
}

int hwc_bind_source(hw_ctx *ctx, int fd, int family, const char *source, int always)
{
	struct sockaddr_storage ss;
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	int have;

	memset(&ss, 0, sizeof ss);
	ss.ss_family = (sa_family_t)family;
	have = source && inet_pton(family, source, family == AF_INET
	                           ? (void *)&((struct sockaddr_in *)&ss)->sin_addr
	                           : (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr) == 1;
	if ((have || always) && bind(fd, (struct sockaddr *)&ss, len) < 0) {
		HW_ERROR(ctx, "%s: binding to %s: %s", hwc_family_name(family), have ? source : "any address",
		         strerror(errno));
		return -1;
	}
	return 0;
}

uint16_t hwc_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);  /* same offset in v6 */
}

int hwc_udp_quiet(int fd, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int v = 1;

	hwc_filter_none(fd);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);  /* the kernel's minimum */
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 me = { .sin6_family = AF_INET6, .sin6_port = htons(port),
		                           .sin6_addr = IN6ADDR_LOOPBACK_INIT };
		if (connect(fd, (struct sockaddr *)&me, sizeof me) == 0)
			return 0;
		/* no IPv6 loopback (disabled): 127.0.0.1, v4-mapped */
		inet_pton(AF_INET6, "::ffff:127.0.0.1", &me.sin6_addr);
		return connect(fd, (struct sockaddr *)&me, sizeof me);
	} else {
		struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(port),
		                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		return connect(fd, (struct sockaddr *)&me, sizeof me);
	}
}

int hwc_hold_port(hw_ctx *ctx, int type, uint16_t *port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	int zero = 0, fd = socket(AF_INET6, type | SOCK_CLOEXEC, 0);

	if (fd >= 0) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
		if (bind(fd, (struct sockaddr *)&a6, sizeof a6) < 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0 && ((fd = socket(AF_INET, type | SOCK_CLOEXEC, 0)) < 0 ||
	               bind(fd, (struct sockaddr *)&a4, sizeof a4) < 0)) {
		HW_ERROR(ctx, "cannot bind a %s socket to hold a source port: %s",
		         type == SOCK_DGRAM ? "UDP" : "TCP", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!(*port = hwc_local_port(fd))) {
		HW_ERROR(ctx, "getsockname: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (type == SOCK_DGRAM && hwc_udp_quiet(fd, *port) < 0)
		HW_WARN(ctx, "the socket holding UDP port %u cannot connect to itself over loopback (%s): it "
		        "stays unconnected, listed as listening, but drops everything it is sent",
		        (unsigned)*port, strerror(errno));
	return fd;
}

int hwc_udp_connected(int family, const char *source, uint16_t sport, const struct sockaddr *to,
                      socklen_t tolen, int rcvbuf)
{
	struct sockaddr_storage ss;
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	int on = 1, err, fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);

	if (fd < 0)
		return -1;
	memset(&ss, 0, sizeof ss);
	ss.ss_family = (sa_family_t)family;
	if (source)
		inet_pton(family, source, family == AF_INET ? (void *)&((struct sockaddr_in *)&ss)->sin_addr
		                                            : (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr);
	((struct sockaddr_in *)&ss)->sin_port = htons(sport);  /* same offset in v6 */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
	    (family == AF_INET ? setsockopt(fd, SOL_IP, IP_RECVERR, &on, sizeof on)
	                       : setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &on, sizeof on)) < 0 ||
	    hwc_filter_none(fd) < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 || connect(fd, to, tolen) < 0)
		goto fail;
	hwc_rx_opts(fd, rcvbuf);
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}
