/*
 * t/unit/conn-dump.c: assembling a sock_diag dump (plugins/conn/dump.c,
 * compiled in here).  An interrupted dump (NLM_F_DUMP_INTR in any message,
 * either family) is retried whole and its sockets never handed out; three
 * in a row give up; stale messages of an abandoned try are ignored; a
 * kernel error fails the dump.
 */
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>

#include "../../plugins/conn/dump.c"
#include "test-lib.h"

static inetdiag_msg msg(inetdiag_kind kind, uint32_t seq, uint16_t flags, uint64_t cookie)
{
	inetdiag_msg m;

	memset(&m, 0, sizeof m);
	m.kind = kind;
	m.seq = seq;
	m.flags = flags;
	m.sock.cookie = cookie;
	return m;
}

/* Feed a v4 socket, DONE, a v6 socket (flags), DONE; return the last step. */
static enum conn_dump_step both(conn_dump *d, uint16_t v6flags, uint64_t base)
{
	inetdiag_msg m = msg(INETDIAG_SOCK, d->seq, NLM_F_MULTI, base + 1);

	conn_dump_feed(d, &m);
	m = msg(INETDIAG_DONE, d->seq, NLM_F_MULTI, 0);
	if (conn_dump_feed(d, &m) != CONN_DUMP_SEND_V6)
		return CONN_DUMP_FAILED;
	d->seq++;  /* the caller sends the IPv6 request with a new number */
	m = msg(INETDIAG_SOCK, d->seq, NLM_F_MULTI | v6flags, base + 2);
	conn_dump_feed(d, &m);
	m = msg(INETDIAG_DONE, d->seq, NLM_F_MULTI, 0);
	return conn_dump_feed(d, &m);
}

int main(void)
{
	conn_dump d;
	inetdiag_msg m;

	memset(&d, 0, sizeof d);
	conn_dump_begin(&d, 10, 0);
	is_int(both(&d, 0, 100), CONN_DUMP_COMPLETE, "a clean dump completes");
	ok(d.n == 2 && d.socks[0].cookie == 101 && d.socks[1].cookie == 102, "with both families' sockets");

	/* interrupted in the IPv6 part: retried, the first try's sockets dropped */
	conn_dump_begin(&d, 20, 0);
	is_int(both(&d, NLM_F_DUMP_INTR, 200), CONN_DUMP_RETRY, "DUMP_INTR: retry");
	conn_dump_begin(&d, 30, 1);
	is_int(d.n, 0, "a retry starts empty: nothing half-counted");
	m = msg(INETDIAG_SOCK, 21, NLM_F_MULTI, 999);
	is_int(conn_dump_feed(&d, &m), CONN_DUMP_MORE, "a stale message of the last try...");
	is_int(d.n, 0, "... is ignored");
	is_int(both(&d, 0, 300), CONN_DUMP_COMPLETE, "the retry completes");
	ok(d.n == 2 && d.socks[0].cookie == 301, "with its own sockets only");

	/* three interrupted tries in a row: give up */
	conn_dump_begin(&d, 40, 0);
	is_int(both(&d, NLM_F_DUMP_INTR, 400), CONN_DUMP_RETRY, "try 1 interrupted");
	conn_dump_begin(&d, 50, 1);
	is_int(both(&d, NLM_F_DUMP_INTR, 500), CONN_DUMP_RETRY, "try 2 interrupted");
	conn_dump_begin(&d, 60, 1);
	is_int(both(&d, NLM_F_DUMP_INTR, 600), CONN_DUMP_GIVE_UP, "try 3 interrupted: give up");
	conn_dump_begin(&d, 70, 0);
	is_int(d.tries, 1, "the next interval starts counting again");

	/* errors */
	m = msg(INETDIAG_ERROR, 70, 0, 0);
	m.error = 0;
	is_int(conn_dump_feed(&d, &m), CONN_DUMP_MORE, "an ack is no error");
	m.error = 13;
	is_int(conn_dump_feed(&d, &m), CONN_DUMP_FAILED, "EACCES fails the dump");
	is_int(d.error, 13, "with its errno");
	conn_dump_free(&d);
	return done_testing();
}
