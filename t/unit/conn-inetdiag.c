/*
 * t/unit/conn-inetdiag.c: the inet_diag builder and parser of lib/pkt
 * (inetdiag.c).  Messages are written here field by field from the kernel's
 * uapi structs, then cut, bent and mislabelled: the parser must read what
 * is there and refuse what runs past the buffer.
 */
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "inetdiag.h"
#include "test-lib.h"

/* Write one SOCK_DIAG_BY_FAMILY message into buf; info_len bytes of a
 * struct tcp_info `ti` (0: no INET_DIAG_INFO).  Returns its length. */
static size_t sock_msg(unsigned char *buf, uint16_t flags, uint32_t seq, int family, uint8_t state,
                       uint64_t cookie, const char *src, uint16_t sport, const char *dst, uint16_t dport,
                       const struct tcp_info *ti, size_t info_len)
{
	struct nlmsghdr nh = { 0 };
	struct inet_diag_msg dm;
	struct nlattr na;
	size_t len = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof dm);

	memset(&dm, 0, sizeof dm);
	dm.idiag_family = (uint8_t)family;
	dm.idiag_state = state;
	dm.id.idiag_sport = htons(sport);
	dm.id.idiag_dport = htons(dport);
	inet_pton(family, src, dm.id.idiag_src);
	inet_pton(family, dst, dm.id.idiag_dst);
	dm.id.idiag_cookie[0] = (uint32_t)cookie;
	dm.id.idiag_cookie[1] = (uint32_t)(cookie >> 32);
	dm.idiag_uid = 1000;
	dm.idiag_inode = 4242;
	memcpy(buf + NLMSG_HDRLEN, &dm, sizeof dm);
	if (info_len) {
		na.nla_type = INET_DIAG_INFO;
		na.nla_len = (uint16_t)(NLA_HDRLEN + info_len);
		memcpy(buf + len, &na, sizeof na);
		memcpy(buf + len + NLA_HDRLEN, ti, info_len);
		len += NLA_ALIGN(na.nla_len);
	}
	nh.nlmsg_len = (uint32_t)len;
	nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nh.nlmsg_flags = flags;
	nh.nlmsg_seq = seq;
	memcpy(buf, &nh, sizeof nh);
	return len;
}

/* A bare netlink message of `type` with a 4-byte payload `val`. */
static size_t ctl_msg(unsigned char *buf, uint16_t type, int32_t val)
{
	struct nlmsghdr nh = { 0 };

	nh.nlmsg_len = NLMSG_HDRLEN + 4;
	nh.nlmsg_type = type;
	nh.nlmsg_flags = NLM_F_MULTI;
	nh.nlmsg_seq = 7;
	memcpy(buf, &nh, sizeof nh);
	memcpy(buf + NLMSG_HDRLEN, &val, 4);
	return NLMSG_ALIGN(nh.nlmsg_len);
}

int main(void)
{
	unsigned char buf[4096], req[128];
	struct tcp_info ti;
	inetdiag_msg m;
	size_t len, off, n;

	/* The request: nlmsghdr + inet_diag_req_v2, checked byte by byte. */
	n = inetdiag_dump_request(req, sizeof req, AF_INET6, 9);
	is_int(n, 72, "request length");
	{
		static const unsigned char want[24] = {
			72, 0, 0, 0, 20, 0, 1, 3, 9, 0, 0, 0, 0, 0, 0, 0,  /* len, SOCK_DIAG_BY_FAMILY, REQUEST|DUMP, seq */
			10, 6, 2, 0, 0xff, 0xff, 0xff, 0xff,               /* AF_INET6, TCP, 1 << (INET_DIAG_INFO-1), all states */
		};
		ok(!memcmp(req, want, sizeof want), "request header and selector bytes");
	}
	is_int(inetdiag_dump_request(req, 71, AF_INET, 1), 0, "request: buffer too small");
	is_int(inetdiag_dump_request(req, sizeof req, AF_UNIX, 1), 0, "request: unknown family");

	/* A full IPv4 socket with tcp_info, then a DONE. */
	memset(&ti, 0, sizeof ti);
	ti.tcpi_state = 1;
	ti.tcpi_retransmits = 2;
	ti.tcpi_rtt = 15123;
	ti.tcpi_rto = 204000;
	ti.tcpi_last_data_recv = 42;
	ti.tcpi_rttvar = 456;
	ti.tcpi_total_retrans = 3;
	ti.tcpi_bytes_acked = 1001;
	ti.tcpi_bytes_received = 2000;
	ti.tcpi_segs_in = 12;
	ti.tcpi_bytes_sent = 1100;
	ti.tcpi_bytes_retrans = 100;
	len = sock_msg(buf, NLM_F_MULTI, 7, AF_INET, 1, 0x1122334455667788ull, "10.0.0.1", 40000,
	               "10.1.0.2", 443, &ti, sizeof ti);
	len += ctl_msg(buf + len, NLMSG_DONE, 0);
	off = 0;
	is_int(inetdiag_next(buf, len, &off, &m), 1, "socket message parsed");
	is_int(m.kind, INETDIAG_SOCK, "kind SOCK");
	is_int(m.seq, 7, "seq");
	ok(m.sock.cookie == 0x1122334455667788ull, "cookie from both halves");
	is_int(m.sock.family, AF_INET, "family");
	is_int(m.sock.state, INETDIAG_ESTABLISHED, "state");
	is_int(m.sock.sport, 40000, "local port, host order");
	is_int(m.sock.dport, 443, "remote port, host order");
	ok(!memcmp(m.sock.dst, "\x0a\x01\x00\x02", 4), "remote address");
	is_int(m.sock.inode, 4242, "inode");
	is_int(m.sock.has_info, 1, "tcp_info present");
	is_int(m.sock.info.rtt_us, 15123, "tcpi_rtt");
	is_int(m.sock.info.rttvar_us, 456, "tcpi_rttvar");
	is_int(m.sock.info.rto_us, 204000, "tcpi_rto");
	is_int(m.sock.info.last_data_recv_ms, 42, "tcpi_last_data_recv");
	is_int(m.sock.info.retransmits, 2, "tcpi_retransmits");
	is_int(m.sock.info.total_retrans, 3, "tcpi_total_retrans");
	is_int(m.sock.info.bytes_acked, 1001, "tcpi_bytes_acked");
	is_int(m.sock.info.bytes_received, 2000, "tcpi_bytes_received");
	is_int(m.sock.info.segs_in, 12, "tcpi_segs_in");
	is_int(m.sock.info.has_bytes_sent, 1, "bytes_sent present");
	is_int(m.sock.info.bytes_sent - m.sock.info.bytes_retrans, 1000, "unique bytes sent");
	is_int(inetdiag_next(buf, len, &off, &m), 1, "DONE parsed");
	is_int(m.kind, INETDIAG_DONE, "kind DONE");
	is_int(inetdiag_next(buf, len, &off, &m), 0, "end of buffer");

	/* IPv6, DUMP_INTR, and the tcp_info of an old kernel (ends before
	 * tcpi_bytes_acked): later fields stay 0, has_bytes_sent 0. */
	len = sock_msg(buf, NLM_F_MULTI | NLM_F_DUMP_INTR, 8, AF_INET6, 2, 5, "fd00::1", 1, "fd00:0:1::2", 80,
	               &ti, offsetof(struct tcp_info, tcpi_pacing_rate));
	off = 0;
	is_int(inetdiag_next(buf, len, &off, &m), 1, "IPv6 message parsed");
	ok(m.flags & NLM_F_DUMP_INTR, "DUMP_INTR flag kept");
	is_int(m.sock.state, INETDIAG_SYN_SENT, "SYN-SENT");
	ok(!memcmp(m.sock.dst + 14, "\x00\x02", 2) && m.sock.dst[0] == 0xfd, "IPv6 remote address");
	is_int(m.sock.info.rtt_us, 15123, "old kernel: tcpi_rtt still read");
	is_int(m.sock.info.bytes_acked, 0, "old kernel: no bytes_acked");
	is_int(m.sock.info.has_bytes_sent, 0, "old kernel: no bytes_sent");

	/* No INET_DIAG_INFO (TIME-WAIT) */
	len = sock_msg(buf, 0, 1, AF_INET, 6, 9, "127.0.0.1", 5, "127.0.0.1", 6, NULL, 0);
	off = 0;
	ok(inetdiag_next(buf, len, &off, &m) == 1 && !m.sock.has_info, "no INET_DIAG_INFO: has_info 0");

	/* NLMSG_ERROR carries -errno */
	len = ctl_msg(buf, NLMSG_ERROR, -1);
	off = 0;
	ok(inetdiag_next(buf, len, &off, &m) == 1 && m.kind == INETDIAG_ERROR && m.error == 1, "ERROR: errno 1");
	len = ctl_msg(buf, NLMSG_ERROR, INT32_MIN);
	off = 0;
	ok(inetdiag_next(buf, len, &off, &m) == 1 && m.error > 0, "ERROR: INT32_MIN does not overflow");
	len = ctl_msg(buf, NLMSG_NOOP, 0);
	off = 0;
	ok(inetdiag_next(buf, len, &off, &m) == 1 && m.kind == INETDIAG_OTHER, "NOOP: OTHER");

	/* Malformed: every cut of a good message is refused or ends cleanly,
	 * never read past. */
	len = sock_msg(buf, 0, 1, AF_INET, 1, 1, "10.0.0.1", 1, "10.0.0.2", 2, &ti, sizeof ti);
	{
		int bad = 0;
		for (size_t cut = 1; cut < len; cut++) {
			unsigned char *copy = malloc(cut);
			memcpy(copy, buf, cut);
			off = 0;
			if (inetdiag_next(copy, cut, &off, &m) != -1 || off != cut)
				bad++;
			free(copy);
		}
		is_int(bad, 0, "every truncation is refused and consumes the buffer");
	}
	{
		struct nlmsghdr nh;
		unsigned char b2[4096];
		memcpy(b2, buf, len);
		memcpy(&nh, b2, sizeof nh);
		nh.nlmsg_len = 8;
		memcpy(b2, &nh, sizeof nh);
		off = 0;
		is_int(inetdiag_next(b2, len, &off, &m), -1, "nlmsg_len shorter than its header");
		nh.nlmsg_len = (uint32_t)len + 4;
		memcpy(b2, &nh, sizeof nh);
		off = 0;
		is_int(inetdiag_next(b2, len, &off, &m), -1, "nlmsg_len past the buffer");
		memcpy(b2, buf, len);
		b2[NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct inet_diag_msg))] = 2;  /* nla_len 2 < 4 */
		b2[NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct inet_diag_msg)) + 1] = 0;
		off = 0;
		is_int(inetdiag_next(b2, len, &off, &m), -1, "attribute shorter than its header");
		memcpy(b2, buf, len);
		b2[NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct inet_diag_msg)) + 1] = 0x7f;  /* nla_len huge */
		off = 0;
		is_int(inetdiag_next(b2, len, &off, &m), -1, "attribute past the message");
		memcpy(b2, buf, len);
		b2[NLMSG_HDRLEN] = AF_UNIX;
		off = 0;
		is_int(inetdiag_next(b2, len, &off, &m), -1, "unknown family");
	}

	is_str(inetdiag_state_name(2), "SYN-SENT", "state name SYN-SENT");
	is_str(inetdiag_state_name(6), "TIME-WAIT", "state name TIME-WAIT");
	is_str(inetdiag_state_name(99), "UNKNOWN", "state name out of range");
	return done_testing();
}
