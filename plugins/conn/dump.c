/* dump.c: assembling a sock_diag dump (see dump.h). */
#include <linux/netlink.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "dump.h"

void conn_dump_begin(conn_dump *d, uint32_t seq, int retry)
{
	d->family = AF_INET;
	d->seq = seq;
	d->intr = 0;
	d->error = 0;
	d->n = 0;
	d->tries = retry ? d->tries + 1 : 1;
}

enum conn_dump_step conn_dump_feed(conn_dump *d, const inetdiag_msg *m)
{
	if (m->seq != d->seq)
		return CONN_DUMP_MORE;
	if (m->flags & NLM_F_DUMP_INTR)
		d->intr = 1;
	switch (m->kind) {
	case INETDIAG_SOCK:
		if (d->n == d->cap) {
			size_t cap = d->cap ? d->cap * 2 : 1024;
			inetdiag_sock *s = realloc(d->socks, cap * sizeof *s);
			if (!s)
				return CONN_DUMP_FAILED;
			d->socks = s;
			d->cap = cap;
		}
		d->socks[d->n++] = m->sock;
		return CONN_DUMP_MORE;
	case INETDIAG_ERROR:
		if (!m->error)
			return CONN_DUMP_MORE;
		d->error = m->error;
		return CONN_DUMP_FAILED;
	case INETDIAG_DONE:
		if (d->family == AF_INET) {
			d->family = AF_INET6;
			return CONN_DUMP_SEND_V6;
		}
		if (!d->intr)
			return CONN_DUMP_COMPLETE;
		return d->tries < CONN_DUMP_TRIES ? CONN_DUMP_RETRY : CONN_DUMP_GIVE_UP;
	default:
		return CONN_DUMP_MORE;
	}
}

void conn_dump_free(conn_dump *d)
{
	free(d->socks);
	d->socks = NULL;
	d->n = d->cap = 0;
}
