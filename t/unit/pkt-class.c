/*
 * t/unit/pkt-class.c: the ICMP error classification of lib/pkt (icmp.c),
 * the errno mapping of the IP_RECVERR path, and the error queue parser
 * (errqueue.c), and the TCP rows and end-to-end answers of answer.c.
 *
 * The expected classes are written out here from the RFCs (RFC 792, RFC
 * 1812 5.2.7.1, RFC 4443 section 3), not read from the library's table:
 * each row of the table is checked against this independent list, and the
 * list must cover the table exactly.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "pkt.h"
#include "test-lib.h"

struct want {
	int family;
	int type, code;
	pkt_icmp_class cls;
	const char *name;       /* pkt_icmp_class_name */
	int err;                /* pkt_icmp_class_errno */
};

static const struct want rows[] = {
	{ AF_INET, 11, 0, PKT_IC_TIME_EXCEEDED, "time_exceeded", EHOSTUNREACH },
	{ AF_INET, 11, 1, PKT_IC_OTHER, "other", EPROTO },
	{ AF_INET, 3, 0, PKT_IC_NO_ROUTE, "no_route", ENETUNREACH },
	{ AF_INET, 3, 1, PKT_IC_HOST_UNREACH, "host_unreachable", EHOSTUNREACH },
	{ AF_INET, 3, 2, PKT_IC_PORT_UNREACH, "port_unreachable", ECONNREFUSED },
	{ AF_INET, 3, 3, PKT_IC_PORT_UNREACH, "port_unreachable", ECONNREFUSED },
	{ AF_INET, 3, 4, PKT_IC_TOO_BIG, "too_big", EMSGSIZE },
	{ AF_INET, 3, 5, PKT_IC_HOST_UNREACH, "host_unreachable", EHOSTUNREACH },
	{ AF_INET, 3, 6, PKT_IC_NO_ROUTE, "no_route", ENETUNREACH },
	{ AF_INET, 3, 7, PKT_IC_HOST_UNREACH, "host_unreachable", EHOSTUNREACH },
	{ AF_INET, 3, 8, PKT_IC_HOST_UNREACH, "host_unreachable", EHOSTUNREACH },
	{ AF_INET, 3, 9, PKT_IC_PROHIBITED, "prohibited", EACCES },
	{ AF_INET, 3, 10, PKT_IC_PROHIBITED, "prohibited", EACCES },
	{ AF_INET, 3, 11, PKT_IC_NO_ROUTE, "no_route", ENETUNREACH },
	{ AF_INET, 3, 12, PKT_IC_HOST_UNREACH, "host_unreachable", EHOSTUNREACH },
	{ AF_INET, 3, 13, PKT_IC_PROHIBITED, "prohibited", EACCES },
	{ AF_INET, 3, 14, PKT_IC_PROHIBITED, "prohibited", EACCES },
	{ AF_INET, 3, 15, PKT_IC_PROHIBITED, "prohibited", EACCES },
	{ AF_INET6, 3, 0, PKT_IC_TIME_EXCEEDED, "time_exceeded", EHOSTUNREACH },
	{ AF_INET6, 3, 1, PKT_IC_OTHER, "other", EPROTO },
	{ AF_INET6, 1, 0, PKT_IC_NO_ROUTE, "no_route", ENETUNREACH },
	{ AF_INET6, 1, 1, PKT_IC_PROHIBITED, "prohibited", EACCES },
	{ AF_INET6, 1, 2, PKT_IC_HOST_UNREACH, "host_unreachable", EHOSTUNREACH },
	{ AF_INET6, 1, 3, PKT_IC_HOST_UNREACH, "host_unreachable", EHOSTUNREACH },
	{ AF_INET6, 1, 4, PKT_IC_PORT_UNREACH, "port_unreachable", ECONNREFUSED },
	{ AF_INET6, 1, 5, PKT_IC_PROHIBITED, "prohibited", EACCES },
	{ AF_INET6, 1, 6, PKT_IC_PROHIBITED, "prohibited", EACCES },
	{ AF_INET6, 1, 7, PKT_IC_HOST_UNREACH, "host_unreachable", EHOSTUNREACH },
	{ AF_INET6, 2, 0, PKT_IC_TOO_BIG, "too_big", EMSGSIZE },
};
#define NROWS (sizeof rows / sizeof rows[0])

/* Messages outside the table: informational ones, other errors, unknown codes. */
static const struct want outside[] = {
	{ AF_INET, 0, 0, PKT_IC_NONE, "none", 0 },          /* echo reply */
	{ AF_INET, 8, 0, PKT_IC_NONE, "none", 0 },          /* echo request */
	{ AF_INET, 13, 0, PKT_IC_NONE, "none", 0 },         /* timestamp */
	{ AF_INET, 12, 0, PKT_IC_OTHER, "other", EPROTO },  /* parameter problem */
	{ AF_INET, 5, 1, PKT_IC_OTHER, "other", EPROTO },   /* redirect */
	{ AF_INET, 3, 16, PKT_IC_OTHER, "other", EPROTO },  /* an unknown unreachable code */
	{ AF_INET, 11, 2, PKT_IC_OTHER, "other", EPROTO },
	{ AF_INET6, 128, 0, PKT_IC_NONE, "none", 0 },       /* echo request */
	{ AF_INET6, 129, 0, PKT_IC_NONE, "none", 0 },       /* echo reply */
	{ AF_INET6, 135, 0, PKT_IC_NONE, "none", 0 },       /* neighbor solicitation */
	{ AF_INET6, 4, 1, PKT_IC_OTHER, "other", EPROTO },  /* parameter problem: next header */
	{ AF_INET6, 1, 8, PKT_IC_OTHER, "other", EPROTO },  /* an unknown unreachable code */
	{ AF_INET6, 2, 7, PKT_IC_TOO_BIG, "too_big", EMSGSIZE },  /* too big: the code is ignored */
	{ AF_INET6, 100, 0, PKT_IC_OTHER, "other", EPROTO },/* unassigned error type (< 128) */
	{ AF_UNIX, 3, 3, PKT_IC_NONE, "none", 0 },          /* not a family */
};

/* The errnos a pending ICMP error leaves on a socket, and local ones. */
static const struct { int err; pkt_icmp_class cls; } errnos[] = {
	{ EHOSTUNREACH, PKT_IC_HOST_UNREACH }, { EHOSTDOWN, PKT_IC_HOST_UNREACH },
	{ ENONET, PKT_IC_HOST_UNREACH }, { ENETUNREACH, PKT_IC_NO_ROUTE },
	{ ECONNREFUSED, PKT_IC_PORT_UNREACH }, { EACCES, PKT_IC_PROHIBITED },
	{ EPERM, PKT_IC_PROHIBITED }, { EMSGSIZE, PKT_IC_TOO_BIG }, { EPROTO, PKT_IC_OTHER },
	{ 0, PKT_IC_NONE }, { EAGAIN, PKT_IC_NONE }, { ENOBUFS, PKT_IC_NONE },
	{ EADDRNOTAVAIL, PKT_IC_NONE }, { EINVAL, PKT_IC_NONE }, { EINTR, PKT_IC_NONE },
};

static void check(const struct want *w, const char *what)
{
	pkt_icmp_class c = pkt_icmp_classify(w->family, (uint8_t)w->type, (uint8_t)w->code);
	const char *fam = w->family == AF_INET ? "v4" : w->family == AF_INET6 ? "v6" : "AF_UNIX";

	ok(c == w->cls && !strcmp(pkt_icmp_class_name(c), w->name) && pkt_icmp_class_errno(c) == w->err,
	   "%s %s type %d code %d: %s (got %s, errno %d)", what, fam, w->type, w->code, w->name,
	   pkt_icmp_class_name(c), pkt_icmp_class_errno(c));
}

/* Fill `buf` as recvmsg(MSG_ERRQUEUE) would: one RECVERR control message
 * (level/type) with `ee` and an offender of `off_family` (0: none). */
static void errq_msg(struct msghdr *msg, void *buf, size_t cap, int level, int type,
                     const struct sock_extended_err *ee, int off_family, const char *off)
{
	size_t olen = off_family == AF_INET ? sizeof(struct sockaddr_in)
	            : off_family == AF_INET6 ? sizeof(struct sockaddr_in6) : 0;
	struct cmsghdr *c;

	memset(buf, 0, cap);
	memset(msg, 0, sizeof *msg);
	msg->msg_control = buf;
	msg->msg_controllen = CMSG_SPACE(sizeof *ee + olen);
	c = CMSG_FIRSTHDR(msg);
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(sizeof *ee + olen);
	memcpy(CMSG_DATA(c), ee, sizeof *ee);
	if (off_family == AF_INET) {
		struct sockaddr_in sin = { .sin_family = AF_INET };
		inet_pton(AF_INET, off, &sin.sin_addr);
		memcpy(CMSG_DATA(c) + sizeof *ee, &sin, sizeof sin);
	} else if (off_family == AF_INET6) {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
		inet_pton(AF_INET6, off, &sin6.sin6_addr);
		memcpy(CMSG_DATA(c) + sizeof *ee, &sin6, sizeof sin6);
	}
}

static void test_errqueue(void)
{
	union { unsigned char b[PKT_CMSG_SPACE]; struct cmsghdr align; } buf;
	struct sock_extended_err ee;
	struct msghdr msg;
	pkt_errq e;
	char who[INET6_ADDRSTRLEN];

	/* an IPv4 port unreachable from 10.0.0.9 */
	ee = (struct sock_extended_err){ .ee_errno = ECONNREFUSED, .ee_origin = SO_EE_ORIGIN_ICMP,
	                                 .ee_type = 3, .ee_code = 3 };
	errq_msg(&msg, buf.b, sizeof buf.b, SOL_IP, IP_RECVERR, &ee, AF_INET, "10.0.0.9");
	is_int(pkt_errqueue_parse(&msg, &e), 0, "IP_RECVERR parses");
	ok(e.family == AF_INET && e.err == ECONNREFUSED && e.type == 3 && e.code == 3 &&
	   e.cls == PKT_IC_PORT_UNREACH, "IP_RECVERR: family, errno, type, code, class");
	ok(e.offender_family == AF_INET && !strcmp(inet_ntop(AF_INET, &e.offender.v4, who, sizeof who),
	   "10.0.0.9"), "IP_RECVERR: the offender");

	/* an IPv6 time exceeded from fd00::1 */
	ee = (struct sock_extended_err){ .ee_errno = EHOSTUNREACH, .ee_origin = SO_EE_ORIGIN_ICMP6,
	                                 .ee_type = 3, .ee_code = 0 };
	errq_msg(&msg, buf.b, sizeof buf.b, SOL_IPV6, IPV6_RECVERR, &ee, AF_INET6, "fd00::1");
	is_int(pkt_errqueue_parse(&msg, &e), 0, "IPV6_RECVERR parses");
	ok(e.family == AF_INET6 && e.cls == PKT_IC_TIME_EXCEEDED && e.offender_family == AF_INET6 &&
	   !strcmp(inet_ntop(AF_INET6, &e.offender.v6, who, sizeof who), "fd00::1"),
	   "IPV6_RECVERR: time exceeded from fd00::1");

	/* too big, with the MTU in ee_info */
	ee = (struct sock_extended_err){ .ee_errno = EMSGSIZE, .ee_origin = SO_EE_ORIGIN_ICMP,
	                                 .ee_type = 3, .ee_code = 4, .ee_info = 1400 };
	errq_msg(&msg, buf.b, sizeof buf.b, SOL_IP, IP_RECVERR, &ee, AF_INET, "10.0.0.1");
	ok(pkt_errqueue_parse(&msg, &e) == 0 && e.cls == PKT_IC_TOO_BIG && e.info == 1400,
	   "fragmentation needed: too big, MTU 1400");

	/* a local error has no offender; its class comes from the errno */
	ee = (struct sock_extended_err){ .ee_errno = EMSGSIZE, .ee_origin = SO_EE_ORIGIN_LOCAL };
	errq_msg(&msg, buf.b, sizeof buf.b, SOL_IP, IP_RECVERR, &ee, 0, NULL);
	ok(pkt_errqueue_parse(&msg, &e) == 0 && e.cls == PKT_IC_TOO_BIG && e.offender_family == 0,
	   "a local EMSGSIZE: too big, no offender");

	/* not an error message at all */
	ee = (struct sock_extended_err){ .ee_errno = EHOSTUNREACH, .ee_origin = SO_EE_ORIGIN_ICMP };
	errq_msg(&msg, buf.b, sizeof buf.b, SOL_SOCKET, SO_TIMESTAMPNS, &ee, 0, NULL);
	is_int(pkt_errqueue_parse(&msg, &e), PKT_NOT_FOUND, "another control message: not found");
	/* a header that claims more than the buffer holds is not read */
	errq_msg(&msg, buf.b, sizeof buf.b, SOL_IP, IP_RECVERR, &ee, AF_INET, "10.0.0.1");
	msg.msg_controllen = CMSG_LEN(sizeof ee);  /* the offender is cut off */
	ok(pkt_errqueue_parse(&msg, &e) == PKT_NOT_FOUND, "a control message cut short: not found");
	msg.msg_controllen = CMSG_SPACE(sizeof ee);
	((struct cmsghdr *)buf.b)->cmsg_len = CMSG_LEN(sizeof ee);
	ok(pkt_errqueue_parse(&msg, &e) == 0 && e.offender_family == 0,
	   "an error without room for the offender: parsed, no offender");
	msg.msg_control = NULL;
	is_int(pkt_errqueue_parse(&msg, &e), PKT_NOT_FOUND, "no control buffer");
	is_int(pkt_errqueue_parse(NULL, &e), PKT_BAD_ARG, "NULL message");
}

/* The TCP rows (answer.c), from RFC 793 3.4 and 3.9: every combination
 * of the flags that matter, and what a probe makes of it. */
static void test_tcp_rows(void)
{
	static const struct {
		uint8_t flags;
		pkt_answer ans;     /* PKT_ANS_NONE: no row */
		int acked;
		const char *name;
	} want[] = {
		{ PKT_TCP_SYN | PKT_TCP_ACK, PKT_ANS_OPEN, 1, "syn_ack" },
		{ PKT_TCP_SYN | PKT_TCP_ACK | PKT_TCP_PSH, PKT_ANS_OPEN, 1, "syn_ack" },
		{ PKT_TCP_RST | PKT_TCP_ACK, PKT_ANS_REFUSED, 1, "rst_ack" },
		{ PKT_TCP_RST | PKT_TCP_ACK | PKT_TCP_SYN, PKT_ANS_REFUSED, 1, "rst_ack" },
		{ PKT_TCP_RST, PKT_ANS_REFUSED, 0, "bare_rst" },
		{ PKT_TCP_RST | PKT_TCP_FIN, PKT_ANS_REFUSED, 0, "bare_rst" },
		{ PKT_TCP_SYN, PKT_ANS_NONE, 0, NULL },     /* a simultaneous open: no answer */
		{ PKT_TCP_ACK, PKT_ANS_NONE, 0, NULL },     /* a bare ACK */
		{ PKT_TCP_FIN | PKT_TCP_ACK, PKT_ANS_NONE, 0, NULL },
		{ 0, PKT_ANS_NONE, 0, NULL },
	};
	static const struct {
		pkt_icmp_class cls;
		pkt_answer ans;
	} icmp[] = {
		{ PKT_IC_NONE, PKT_ANS_NONE }, { PKT_IC_TOO_BIG, PKT_ANS_NONE },
		{ PKT_IC_TIME_EXCEEDED, PKT_ANS_UNREACHABLE }, { PKT_IC_PORT_UNREACH, PKT_ANS_UNREACHABLE },
		{ PKT_IC_HOST_UNREACH, PKT_ANS_UNREACHABLE }, { PKT_IC_PROHIBITED, PKT_ANS_UNREACHABLE },
		{ PKT_IC_NO_ROUTE, PKT_ANS_UNREACHABLE }, { PKT_IC_OTHER, PKT_ANS_UNREACHABLE },
	};

	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const pkt_tcp_row *r = pkt_tcp_answer(want[i].flags);
		if (want[i].ans == PKT_ANS_NONE)
			ok(!r, "tcp flags 0x%02x: no answer", want[i].flags);
		else
			ok(r && r->ans == want[i].ans && r->acked == want[i].acked && !strcmp(r->name, want[i].name),
			   "tcp flags 0x%02x: %s, %s, %s", want[i].flags, want[i].name, pkt_answer_name(want[i].ans),
			   want[i].acked ? "names the probe by its ack" : "names no probe");
	}
	ok(pkt_tcp_table_len == 3, "the tcp rows are SYN/ACK, RST+ACK and bare RST (has %zu)", pkt_tcp_table_len);
	for (size_t i = 0; i < sizeof icmp / sizeof icmp[0]; i++)
		ok(pkt_icmp_answer(icmp[i].cls) == icmp[i].ans, "icmp class %s: %s",
		   pkt_icmp_class_name(icmp[i].cls), pkt_answer_name(icmp[i].ans));
}

int main(void)
{
	size_t covered = 0;

	for (size_t i = 0; i < NROWS; i++)
		check(&rows[i], "table");
	for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
		check(&outside[i], "outside the table");
	/* the table holds exactly the rows above: nothing more, nothing less */
	for (size_t i = 0; i < pkt_icmp_table_len; i++)
		for (size_t k = 0; k < NROWS; k++)
			if (pkt_icmp_table[i].family == rows[k].family && pkt_icmp_table[i].type == rows[k].type &&
			    pkt_icmp_table[i].code == rows[k].code)
				covered++;
	ok(covered == NROWS && pkt_icmp_table_len == NROWS, "the table has the %zu rows the RFCs give (has %zu)",
	   NROWS, pkt_icmp_table_len);
	for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
		ok(pkt_errno_class(errnos[i].err) == errnos[i].cls, "errno %d (%s): %s", errnos[i].err,
		   strerror(errnos[i].err), pkt_icmp_class_name(errnos[i].cls));
	test_errqueue();
	test_tcp_rows();
	return done_testing();
}
