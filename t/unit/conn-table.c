/*
 * t/unit/conn-table.c: the conn plugin's connection table and aggregation
 * (plugins/conn/table.c, compiled in here: plugins are no library), driven
 * by made-up dumps and destroy notifications whose tcp_info figures follow
 * the kernel's accounting (SYN and FIN in bytes_acked, FIN in
 * bytes_received, counters zeroed and remote port cleared on a failed
 * connect).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/conn/table.c"
#include "test-lib.h"

/* A socket of `family` from local port lport to dst:dport. */
static inetdiag_sock sk(uint64_t cookie, unsigned state, uint16_t lport, const char *dst, uint16_t dport)
{
	inetdiag_sock s;

	memset(&s, 0, sizeof s);
	s.family = strchr(dst, ':') ? AF_INET6 : AF_INET;
	s.state = (uint8_t)state;
	s.cookie = cookie;
	inet_pton(s.family, dst, s.dst);
	s.sport = lport;
	s.dport = dport;
	s.has_info = 1;
	s.info.state = (uint8_t)state;
	s.info.has_bytes_sent = 1;
	return s;
}

/* Set the byte counters of an active opener that sent `sent` and received `rcvd` data bytes. */
static void bytes(inetdiag_sock *s, int active, uint64_t sent, uint64_t rcvd, int fin_out_acked, int fin_in)
{
	s->info.bytes_acked = sent + (uint64_t)(active ? 1 : 0) + (uint64_t)fin_out_acked;
	s->info.bytes_sent = sent;
	s->info.bytes_received = rcvd + (uint64_t)fin_in;
}

/* The aggregate for (dir, dest, port) in a[0..n), or NULL. */
static const conn_agg *find_agg(const conn_agg *a, long n, int dir, const char *dest, uint16_t port)
{
	for (long k = 0; k < n; k++)
		if (a[k].dir == dir && a[k].port == port && !strcmp(a[k].dest, dest))
			return &a[k];
	return NULL;
}

int main(void)
{
	conn_group groups[4];
	char err[200];
	conn_table *t;
	conn_agg *a;
	const conn_agg *g;
	inetdiag_sock d[8], x;
	conn_dest top[4];
	long n;

	/* ---- destination groups ---- */
	is_int(conn_groups_parse("10.0.0.0/8=internal, fd00::/8=lab ,10.1.0.0/16=db", groups, 4, err, sizeof err), 3,
	       "three groups");
	is_str(groups[1].name, "lab", "second group's name");
	is_int(groups[2].bits, 16, "prefix length");
	{
		static const char *const bad[] = {
			"10.0.0.0=x", "10.0.0.0/33=x", "10.0.0.0/8", "10.0.0.0/8=", "10.0.0/8=x", "fd00::/129=x",
			"10.0.0.0/8=a b", "10.0.0.0/x=y", "10.1.2.3/16=a,10.5.6.7/16=b,10.9.9.9/16=c,10.11.1.1/16=d,10.22.2.2/16=e",
		};
		for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
			ok(conn_groups_parse(bad[k], groups, 4, err, sizeof err) < 0 && strstr(err, "destinations:"),
			   "refused: %s (%s)", bad[k], err);
	}
	is_int(conn_groups_parse("", groups, 4, err, sizeof err), 0, "empty list");

	/* ---- baseline, then new connections ---- */
	conn_groups_parse("10.1.0.0/16=db", groups, 4, err, sizeof err);
	t = conn_table_new(groups, 1);
	conn_table_notify(t, 1);
	d[0] = sk(1, INETDIAG_LISTEN, 8080, "0.0.0.0", 0);
	d[1] = sk(2, INETDIAG_ESTABLISHED, 40000, "10.1.0.2", 5432);  /* existed before: baseline */
	bytes(&d[1], 1, 5000, 7000, 0, 0);
	ok(conn_apply_dump(t, d, 2, 1.0) == 0, "baseline dump applied");
	n = conn_aggregate(t, 100, &a);
	g = find_agg(a, n, CONN_OUT, "db", 5432);
	ok(g && g->established == 1 && g->opened == 0 && g->bytes_sent == 0 && g->bytes_received == 0,
	   "baseline: established, not opened, no bytes");
	conn_aggs_free(a, (size_t)n);

	/* conn 2 moves on; conn 3 is new outgoing in SYN-SENT; conn 4 incoming on 8080 */
	bytes(&d[1], 1, 5100, 7300, 0, 0);
	d[1].info.total_retrans = 2;
	d[1].info.rtt_us = 15000;
	d[1].info.rttvar_us = 1500;
	d[2] = sk(3, INETDIAG_SYN_SENT, 40001, "192.0.2.7", 443);
	d[3] = sk(4, INETDIAG_ESTABLISHED, 8080, "::ffff:198.51.100.9", 50000);
	d[3].family = AF_INET6;
	bytes(&d[3], 0, 300, 100, 0, 0);
	ok(conn_apply_dump(t, d, 4, 2.0) == 0, "second dump applied");
	/* conn 3 gets established between dumps: still opened once */
	d[2].state = d[2].info.state = INETDIAG_ESTABLISHED;
	bytes(&d[2], 1, 10, 20, 0, 0);
	ok(conn_apply_dump(t, d, 4, 2.5) == 0, "third dump applied");
	n = conn_aggregate(t, 100, &a);
	g = find_agg(a, n, CONN_OUT, "db", 5432);
	ok(g && g->bytes_sent == 100 && g->bytes_received == 300 && g->retransmits == 2, "deltas: 100 sent, 300 received, 2 retransmits");
	ok(g && g->nrtt == 1 && g->rtt[0] == 15.0 && g->rtt_var[0] == 1.5, "one RTT sample per connection, in ms");
	g = find_agg(a, n, CONN_OUT, "192.0.2.7", 443);
	ok(g && g->opened == 1 && g->established == 1 && g->bytes_sent == 10 && g->bytes_received == 20,
	   "SYN-SENT then ESTABLISHED: opened once; SYN not counted as a byte");
	g = find_agg(a, n, CONN_IN, "198.51.100.9", 8080);
	ok(g && g->opened == 1 && g->bytes_sent == 300 && g->bytes_received == 100,
	   "incoming on a listening port, IPv4-mapped address shown as IPv4, service port is local");
	conn_aggs_free(a, (size_t)n);

	/* ---- ends ---- */
	/* conn 2: graceful close seen by notification (our FIN acked, peer FIN received) */
	x = d[1];
	x.state = x.info.state = INETDIAG_CLOSE;
	bytes(&x, 1, 5150, 7400, 1, 1);
	conn_destroyed(t, &x, 3.0);
	/* conn 4: reset (established, our FIN never acked, not retransmitting) */
	x = d[3];
	x.state = INETDIAG_CLOSE;
	bytes(&x, 0, 300, 100, 0, 0);
	conn_destroyed(t, &x, 3.0);
	/* conn 5: refused between dumps: never seen, kernel cleared port and counters */
	x = sk(5, INETDIAG_CLOSE, 40002, "192.0.2.7", 0);
	conn_destroyed(t, &x, 3.0);
	/* conn 6: SYN timeout: SYN retransmitted */
	x = sk(6, INETDIAG_CLOSE, 40003, "192.0.2.8", 0);
	x.info.retransmits = 2;
	conn_destroyed(t, &x, 3.0);
	/* conn 7: established, ended while retransmitting: timeout */
	x = sk(7, INETDIAG_CLOSE, 40004, "192.0.2.8", 22);
	bytes(&x, 1, 10, 0, 0, 0);
	x.info.retransmits = 5;
	conn_destroyed(t, &x, 3.0);
	/* an unused socket closed: nothing */
	x = sk(8, INETDIAG_CLOSE, 0, "0.0.0.0", 0);
	conn_destroyed(t, &x, 3.0);
	/* a dump started before those ends still lists 2 and 4: not reopened */
	ok(conn_apply_dump(t, d, 4, 3.1) == 0, "dump listing ended sockets applied");
	n = conn_aggregate(t, 100, &a);
	g = find_agg(a, n, CONN_OUT, "db", 5432);
	ok(g && g->closed == 1 && g->opened == 0 && g->established == 0 && !g->failed[0] && !g->failed[1] && !g->failed[2],
	   "graceful close: closed once, no failure");
	ok(g && g->bytes_sent == 50 && g->bytes_received == 100, "final figures less SYN and FINs: 50 and 100 bytes");
	g = find_agg(a, n, CONN_IN, "198.51.100.9", 8080);
	ok(g && g->closed == 1 && g->failed[CONN_RESET] == 1, "reset counted");
	g = find_agg(a, n, CONN_OUT, "192.0.2.7", 0);
	ok(g && g->opened == 1 && g->closed == 1 && g->failed[CONN_REFUSED] == 1, "refused: opened, closed, failed");
	g = find_agg(a, n, CONN_OUT, "192.0.2.8", 0);
	ok(g && g->failed[CONN_TIMEOUT] == 1, "SYN timeout");
	g = find_agg(a, n, CONN_OUT, "192.0.2.8", 22);
	ok(g && g->failed[CONN_TIMEOUT] == 1 && !g->failed[CONN_RESET], "established, ended retransmitting: timeout");
	ok(!find_agg(a, n, CONN_OUT, "0.0.0.0", 0), "an unused socket is no connection");
	conn_aggs_free(a, (size_t)n);

	/* the active closer's TIME-WAIT shows up later: not counted again */
	x = sk(2, INETDIAG_TIME_WAIT, 40000, "10.1.0.2", 5432);
	x.has_info = 0;
	d[0] = sk(1, INETDIAG_LISTEN, 8080, "0.0.0.0", 0);
	ok(conn_apply_dump(t, d, 1, 4.0) == 0 && conn_apply_dump(t, &x, 1, 5.0) == 0, "TIME-WAIT dump applied");
	n = conn_aggregate(t, 100, &a);
	g = find_agg(a, n, CONN_OUT, "db", 5432);
	ok(!g || (g->opened == 0 && g->closed == 0), "TIME-WAIT of a counted end: nothing new");
	conn_aggs_free(a, (size_t)n);

	/* conn 3 vanishes from the dumps (no notification): closed, no failure */
	ok(conn_apply_dump(t, NULL, 0, 6.0) == 0, "empty dump applied");
	n = conn_aggregate(t, 100, &a);
	is_int(conn_table_size(t), 0, "every ended connection forgotten");
	conn_aggs_free(a, (size_t)n);
	conn_table_free(t);

	/* ---- dumps only: a TIME-WAIT never seen before was opened and closed ---- */
	t = conn_table_new(NULL, 0);
	ok(conn_apply_dump(t, NULL, 0, 1.0) == 0, "dumps-only baseline");
	x = sk(11, INETDIAG_TIME_WAIT, 40010, "192.0.2.9", 80);
	x.has_info = 0;
	conn_apply_dump(t, &x, 1, 2.0);
	n = conn_aggregate(t, 100, &a);
	g = find_agg(a, n, CONN_OUT, "192.0.2.9", 80);
	ok(g && g->opened == 1 && g->closed == 1, "dumps only: short connection seen through its TIME-WAIT");
	conn_aggs_free(a, (size_t)n);
	conn_apply_dump(t, &x, 1, 3.0);
	n = conn_aggregate(t, 100, &a);
	g = find_agg(a, n, CONN_OUT, "192.0.2.9", 80);
	ok(!g, "... and once only");
	conn_aggs_free(a, (size_t)n);
	/* a SYN-SENT that vanishes from the dumps: timeout */
	x = sk(12, INETDIAG_SYN_SENT, 40011, "192.0.2.10", 25);
	conn_apply_dump(t, &x, 1, 4.0);
	conn_apply_dump(t, NULL, 0, 5.0);
	n = conn_aggregate(t, 100, &a);
	g = find_agg(a, n, CONN_OUT, "192.0.2.10", 25);
	ok(g && g->failed[CONN_TIMEOUT] == 1 && g->opened == 1 && g->closed == 1, "dumps only: vanished SYN-SENT is a timeout");
	conn_aggs_free(a, (size_t)n);
	conn_table_free(t);

	/* ---- top destinations, folding into other ---- */
	t = conn_table_new(NULL, 0);
	conn_apply_dump(t, NULL, 0, 1.0);
	for (int k = 0; k < 5; k++) {
		char ip[32];
		snprintf(ip, sizeof ip, "192.0.2.%d", k + 1);
		d[k] = sk((uint64_t)(100 + k), INETDIAG_ESTABLISHED, (uint16_t)(41000 + k), ip, 443);
		bytes(&d[k], 1, (uint64_t)(k + 1) * 1000, 0, 0, 0);
	}
	conn_apply_dump(t, d, 5, 2.0);
	n = conn_aggregate(t, 3, &a);
	is_int(n, 4, "3 kept + other");
	ok(find_agg(a, n, CONN_OUT, "192.0.2.5", 443) && find_agg(a, n, CONN_OUT, "192.0.2.3", 443) &&
	   !find_agg(a, n, CONN_OUT, "192.0.2.2", 443), "the 3 with the most bytes are kept");
	g = find_agg(a, n, CONN_OUT, "other", 0);
	ok(g && g->bytes_sent == 3000 && g->established == 2 && g->opened == 2, "other: the 2 smallest, summed");
	conn_aggs_free(a, (size_t)n);
	is_int(conn_top_destinations(t, top, 4), 4, "top destinations: 4 asked");
	ok(top[0].bytes == 5000 && top[0].port == 443 && !memcmp(top[0].addr, "\xc0\x00\x02\x05", 4) &&
	   top[0].last_seen == 2.0 && top[3].bytes == 2000, "top destinations: most bytes first, with last-seen time");
	conn_table_free(t);

	/* ---- our own aborts (SO_LINGER 0), as the kernel reports them (issue 18) ----
	 * close() with SO_LINGER {1, 0} runs tcp_disconnect: the notification
	 * has state CLOSE, remote port 0 and every counter zeroed, but
	 * tcpi_min_rtt keeps the SYN-ACK's sample (a refused or unanswered
	 * connect has none: ~0U).  Figures as measured on Linux 6.18. */
	t = conn_table_new(NULL, 0);
	conn_table_notify(t, 1);
	conn_apply_dump(t, NULL, 0, 1.0);
	/* conn 20: connected and aborted between dumps (the tcp plugin's probe) */
	x = sk(20, INETDIAG_CLOSE, 42000, "192.0.2.20", 0);
	x.info.has_min_rtt = 1;
	x.info.min_rtt_us = 29;
	conn_destroyed(t, &x, 1.5);
	/* conn 21: refused between dumps: no RTT sample ever */
	x = sk(21, INETDIAG_CLOSE, 42001, "192.0.2.20", 0);
	x.info.has_min_rtt = 1;
	x.info.min_rtt_us = UINT32_MAX;
	conn_destroyed(t, &x, 1.5);
	/* conn 22: seen ESTABLISHED with data by a dump, then aborted */
	d[0] = sk(22, INETDIAG_ESTABLISHED, 42002, "192.0.2.21", 8443);
	bytes(&d[0], 1, 1000, 10, 0, 0);
	d[0].info.has_min_rtt = 1;
	d[0].info.min_rtt_us = 9;
	conn_apply_dump(t, d, 1, 2.0);
	x = sk(22, INETDIAG_CLOSE, 42002, "192.0.2.21", 0);
	x.info.has_min_rtt = 1;
	x.info.min_rtt_us = 9;
	conn_destroyed(t, &x, 2.5);
	/* conn 23: seen established, then the peer resets it (no tcp_disconnect: port kept) */
	d[1] = sk(23, INETDIAG_ESTABLISHED, 42003, "192.0.2.21", 8443);
	bytes(&d[1], 1, 50, 0, 0, 0);
	conn_apply_dump(t, d, 2, 2.6);
	x = d[1];
	x.state = x.info.state = INETDIAG_CLOSE;
	x.info.has_min_rtt = 1;
	x.info.min_rtt_us = 12;
	conn_destroyed(t, &x, 2.7);
	n = conn_aggregate(t, 100, &a);
	g = find_agg(a, n, CONN_OUT, "192.0.2.20", 0);
	ok(g && g->opened == 2 && g->closed == 2, "unseen abort and refusal: both opened and closed (port unknown: the kernel zeroed it)");
	ok(g && g->failed[CONN_REFUSED] == 1 && g->failed[CONN_RESET] == 0 && g->failed[CONN_TIMEOUT] == 0,
	   "the abort after the SYN-ACK (an RTT sample) is no failure; only the real refusal is refused");
	g = find_agg(a, n, CONN_OUT, "192.0.2.21", 8443);
	ok(g && g->opened == 2 && g->closed == 2 && g->bytes_sent == 1050,
	   "seen by a dump: its port is kept, and its bytes up to the dump");
	ok(g && g->failed[CONN_RESET] == 1 && g->failed[CONN_REFUSED] == 0,
	   "our abort of an established connection is no failure; the peer's reset is a reset");
	conn_aggs_free(a, (size_t)n);
	conn_table_free(t);
	return done_testing();
}
