/* inetdiag.c: inet_diag request builder and message parser (see inetdiag.h). */
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "inetdiag.h"

_Static_assert(INETDIAG_REQ_LEN == NLMSG_LENGTH(sizeof(struct inet_diag_req_v2)), "request length");

size_t inetdiag_dump_request(void *buf, size_t cap, int family, uint32_t seq)
{
	struct nlmsghdr nh;
	struct inet_diag_req_v2 req;

	if (cap < INETDIAG_REQ_LEN || (family != AF_INET && family != AF_INET6))
		return 0;
	memset(&nh, 0, sizeof nh);
	memset(&req, 0, sizeof req);
	nh.nlmsg_len = INETDIAG_REQ_LEN;
	nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nh.nlmsg_seq = seq;
	req.sdiag_family = (uint8_t)family;
	req.sdiag_protocol = IPPROTO_TCP;
	req.idiag_ext = 1u << (INET_DIAG_INFO - 1);
	req.idiag_states = ~0u;  /* every state, TIME-WAIT and SYN-RECV included */
	memcpy(buf, &nh, sizeof nh);
	memcpy((char *)buf + NLMSG_HDRLEN, &req, sizeof req);
	return INETDIAG_REQ_LEN;
}

/* Copy field `f` of struct tcp_info from `a` (alen bytes) into `dst` when
 * the attribute holds all of it; return whether it did. */
#define TI_GET(dst, a, alen, f)                                                       \
	((alen) >= offsetof(struct tcp_info, f) + sizeof((struct tcp_info *)0)->f      \
	 ? (memcpy(&(dst), (const char *)(a) + offsetof(struct tcp_info, f),          \
	           sizeof((struct tcp_info *)0)->f), 1)                                \
	 : 0)

/* Read the struct tcp_info of INET_DIAG_INFO (alen bytes at a). */
static void read_tcpinfo(const void *a, size_t alen, inetdiag_tcpinfo *ti)
{
	memset(ti, 0, sizeof *ti);
	TI_GET(ti->state, a, alen, tcpi_state);
	TI_GET(ti->retransmits, a, alen, tcpi_retransmits);
	TI_GET(ti->rto_us, a, alen, tcpi_rto);
	TI_GET(ti->last_data_recv_ms, a, alen, tcpi_last_data_recv);
	TI_GET(ti->rtt_us, a, alen, tcpi_rtt);
	TI_GET(ti->rttvar_us, a, alen, tcpi_rttvar);
	TI_GET(ti->total_retrans, a, alen, tcpi_total_retrans);
	TI_GET(ti->bytes_acked, a, alen, tcpi_bytes_acked);
	TI_GET(ti->bytes_received, a, alen, tcpi_bytes_received);
	TI_GET(ti->segs_in, a, alen, tcpi_segs_in);
	ti->has_min_rtt = TI_GET(ti->min_rtt_us, a, alen, tcpi_min_rtt);
	ti->has_bytes_sent = TI_GET(ti->bytes_sent, a, alen, tcpi_bytes_sent) &
	                     TI_GET(ti->bytes_retrans, a, alen, tcpi_bytes_retrans);
}

/* Parse the inet_diag_msg payload (plen bytes at p); -1 when malformed. */
static int read_sock(const unsigned char *p, size_t plen, inetdiag_sock *s)
{
	struct inet_diag_msg dm;
	size_t off, alen = 0;

	memset(s, 0, sizeof *s);
	if (plen < sizeof dm)
		return -1;
	memcpy(&dm, p, sizeof dm);
	if (dm.idiag_family != AF_INET && dm.idiag_family != AF_INET6)
		return -1;
	s->family = dm.idiag_family;
	s->state = dm.idiag_state;
	s->cookie = (uint64_t)dm.id.idiag_cookie[0] | (uint64_t)dm.id.idiag_cookie[1] << 32;
	memcpy(s->src, dm.id.idiag_src, s->family == AF_INET ? 4 : 16);
	memcpy(s->dst, dm.id.idiag_dst, s->family == AF_INET ? 4 : 16);
	s->sport = ntohs(dm.id.idiag_sport);
	s->dport = ntohs(dm.id.idiag_dport);
	s->uid = dm.idiag_uid;
	s->inode = dm.idiag_inode;
	for (off = NLMSG_ALIGN(sizeof dm); off + sizeof(struct nlattr) <= plen; off += NLA_ALIGN(alen)) {
		struct nlattr na;
		memcpy(&na, p + off, sizeof na);
		alen = na.nla_len;
		if (alen < sizeof na || alen > plen - off)
			return -1;
		if ((na.nla_type & NLA_TYPE_MASK) == INET_DIAG_INFO) {
			read_tcpinfo(p + off + NLA_HDRLEN, alen - NLA_HDRLEN, &s->info);
			s->has_info = alen - NLA_HDRLEN >= offsetof(struct tcp_info, tcpi_rtt) + 4;
		}
		if (NLA_ALIGN(alen) >= plen - off)
			break;
	}
	return 0;
}

int inetdiag_next(const void *buf, size_t len, size_t *off, inetdiag_msg *m)
{
	const unsigned char *p = (const unsigned char *)buf + *off;
	size_t left = len > *off ? len - *off : 0;
	struct nlmsghdr nh;

	memset(m, 0, sizeof *m);
	if (left < sizeof nh) {
		if (left) {
			*off = len;
			return -1;
		}
		return 0;
	}
	memcpy(&nh, p, sizeof nh);
	if (nh.nlmsg_len < NLMSG_HDRLEN || nh.nlmsg_len > left) {
		*off = len;
		return -1;
	}
	m->flags = nh.nlmsg_flags;
	m->seq = nh.nlmsg_seq;
	*off += NLMSG_ALIGN(nh.nlmsg_len) < left ? NLMSG_ALIGN(nh.nlmsg_len) : left;
	switch (nh.nlmsg_type) {
	case NLMSG_DONE:
		m->kind = INETDIAG_DONE;
		return 1;
	case NLMSG_ERROR: {
		int32_t err;
		if (nh.nlmsg_len < NLMSG_HDRLEN + sizeof err) {
			*off = len;
			return -1;
		}
		memcpy(&err, p + NLMSG_HDRLEN, sizeof err);
		m->kind = INETDIAG_ERROR;
		m->error = err == INT32_MIN ? INT32_MAX : err < 0 ? -(int)err : (int)err;
		return 1;
	}
	case SOCK_DIAG_BY_FAMILY:
		if (read_sock(p + NLMSG_HDRLEN, nh.nlmsg_len - NLMSG_HDRLEN, &m->sock) < 0) {
			*off = len;
			return -1;
		}
		m->kind = INETDIAG_SOCK;
		return 1;
	default:
		m->kind = INETDIAG_OTHER;
		return 1;
	}
}

const char *inetdiag_state_name(unsigned state)
{
	static const char *const names[] = {
		"UNKNOWN", "ESTABLISHED", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT",
		"CLOSE", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING", "NEW-SYN-RECV",
	};

	return state < sizeof names / sizeof *names ? names[state] : "UNKNOWN";
}
