/*
 * t/fuzz/inetdiag.c: libFuzzer target for the inet_diag parser and what
 * the conn plugin does with its output.  The input is a netlink buffer:
 * every socket parsed from it goes into a dump, then again as destroy
 * notifications, then the interval is aggregated; malformed messages must
 * never crash or read past the buffer.  The first byte picks
 * max_destinations, so that folding into dest:other runs too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "inetdiag.h"
#include "../../plugins/conn/table.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	inetdiag_sock socks[64];
	conn_group g;
	inetdiag_msg m;
	size_t off = 1, n = 0;
	conn_table *t;
	conn_agg *a;
	long na;

	if (!size)
		return 0;
	while (n < 64 && inetdiag_next(data, size, &off, &m) > 0)
		if (m.kind == INETDIAG_SOCK)
			socks[n++] = m.sock;
	conn_groups_parse("10.0.0.0/8=ten,::/0=six", &g, 1, (char[64]){ 0 }, 64);
	if (!(t = conn_table_new(&g, 1)))
		return 0;
	conn_table_notify(t, data[0] & 1);
	conn_apply_dump(t, socks, n / 2, 1.0);
	conn_apply_dump(t, socks, n, 2.0);
	for (size_t k = 0; k < n; k += 2)
		conn_destroyed(t, &socks[k], 3.0);
	na = conn_aggregate(t, 1u + data[0] % 4, &a);
	if (na >= 0)
		conn_aggs_free(a, (size_t)na);
	conn_table_free(t);
	return 0;
}
