/*
 * t/unit/cluster.c: Redis Cluster key slots, the slot map and redirection
 * parsing (src/paths/cluster.h).  The expected slots were read from a real
 * redis-server 7.0 in cluster mode (CLUSTER KEYSLOT), not computed here.
 */
#include <string.h>

#include "cluster.h"
#include "test-lib.h"

static const struct { const char *key; unsigned slot; } slots[] = {
	{ "123456789", 12739 },
	{ "foo", 12182 },
	{ "bar", 5061 },
	{ "somekey", 11058 },
	{ "foo{hash_tag}", 2515 },
	{ "bar{hash_tag}", 2515 },
	{ "{user1000}.following", 3443 },
	{ "{user1000}.followers", 3443 },
	{ "foo{}{bar}", 8363 },          /* empty tag: the whole key */
	{ "foo{{bar}}zap", 4015 },       /* tag is "{bar" */
	{ "foo{bar}{zap}", 5061 },       /* first tag only: "bar" */
	{ "{}", 15257 },
	{ "{", 4092 },
	{ "}", 12090 },
	{ "", 0 },
	{ "hopwatch:{web-1}:path:icmp:10.0.0.1", 15366 },
	{ "hopwatch:{web-1}:changes", 15366 },
	{ "a{b", 13340 },                /* no closing brace */
	{ "x}{y}", 12222 },
	{ "h\xc3\xa9llo", 11061 },       /* bytes, not characters */
};

static const struct {
	const char *err;
	int ok, ask;
	unsigned slot;
	const char *host;
	int port;
} redirects[] = {
	{ "MOVED 3999 127.0.0.1:6381", 0, 0, 3999, "127.0.0.1", 6381 },
	{ "ASK 3999 127.0.0.1:6381", 0, 1, 3999, "127.0.0.1", 6381 },
	{ "MOVED 0 ::1:7000", 0, 0, 0, "::1", 7000 },
	{ "MOVED 16383 [fd00::5]:7000", 0, 0, 16383, "fd00::5", 7000 },
	{ "MOVED 15741 redis-2.internal:6379", 0, 0, 15741, "redis-2.internal", 6379 },
	{ "MOVED 12 :6380", 0, 0, 12, "", 6380 },   /* unknown endpoint: the node that answered */
	{ "MOVED 16384 127.0.0.1:6381", -1, 0, 0, NULL, 0 },
	{ "MOVED -1 127.0.0.1:6381", -1, 0, 0, NULL, 0 },
	{ "MOVED 12 127.0.0.1", -1, 0, 0, NULL, 0 },
	{ "MOVED 12 127.0.0.1:", -1, 0, 0, NULL, 0 },
	{ "MOVED 12 127.0.0.1:0", -1, 0, 0, NULL, 0 },
	{ "MOVED 12 127.0.0.1:65536", -1, 0, 0, NULL, 0 },
	{ "MOVED 12 127.0.0.1:63x", -1, 0, 0, NULL, 0 },
	{ "MOVED 12  127.0.0.1:6379", -1, 0, 0, NULL, 0 },
	{ "MOVED12 127.0.0.1:6379", -1, 0, 0, NULL, 0 },
	{ "moved 12 127.0.0.1:6379", -1, 0, 0, NULL, 0 },
	{ "ERR unknown command", -1, 0, 0, NULL, 0 },
	{ "CLUSTERDOWN The cluster is down", -1, 0, 0, NULL, 0 },
	{ "", -1, 0, 0, NULL, 0 },
};

int main(void)
{
	ok(cluster_crc16("123456789", 9) == 0x31C3, "crc16 check value of the specification");
	for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
		is_int(cluster_key_slot(slots[i].key, strlen(slots[i].key)), slots[i].slot, slots[i].key);

	for (size_t i = 0; i < sizeof redirects / sizeof redirects[0]; i++) {
		cluster_redirect r;
		memset(&r, 0, sizeof r);
		int rc = cluster_parse_redirect(redirects[i].err, &r);
		is_int(rc, redirects[i].ok, redirects[i].err);
		if (rc == 0 && redirects[i].ok == 0) {
			ok(r.ask == redirects[i].ask && r.slot == redirects[i].slot &&
			   !strcmp(r.to.host, redirects[i].host) && r.to.port == redirects[i].port,
			   "fields of %s: ask %d slot %u %s port %d", redirects[i].err, r.ask, r.slot,
			   r.to.host, r.to.port);
		}
	}

	static cluster_map m;
	cluster_range three[] = {
		{ 0, 5460, "127.0.0.1", 7000 },
		{ 5461, 10922, "127.0.0.1", 7001 },
		{ 10923, 16383, "", 7002 },
	};
	is_int(cluster_map_load(&m, three, 3, "10.9.9.9"), 3, "three primaries load");
	is_int(m.covered, CLUSTER_SLOTS, "every slot covered");
	is_int(m.nnodes, 3, "three nodes");
	const cluster_node *n = cluster_map_owner(&m, 5461);
	ok(n && n->port == 7001 && !strcmp(n->host, "127.0.0.1"), "slot 5461 on 7001");
	n = cluster_map_owner(&m, 16383);
	ok(n && n->port == 7002 && !strcmp(n->host, "10.9.9.9"), "empty endpoint is the default host");
	n = cluster_map_owner(&m, cluster_key_slot("hopwatch:{web-1}:changes", 24));
	ok(n && n->port == 7002, "a host's keys on the owner of its hash tag");

	cluster_range twice[] = {
		{ 0, 100, "a", 1 }, { 101, 200, "b", 2 }, { 201, 300, "a", 1 },
	};
	is_int(cluster_map_load(&m, twice, 3, NULL), 3, "a node with two ranges");
	is_int(m.nnodes, 2, "counted once");
	is_int(m.covered, 301, "301 slots covered");
	ok(cluster_map_owner(&m, 301) == NULL, "an uncovered slot has no owner");
	ok(cluster_map_owner(&m, CLUSTER_SLOTS) == NULL, "slot 16384 does not exist");

	/* a MOVED moves one slot: the map follows it */
	int b = cluster_map_node(&m, "b", 2);
	is_int(cluster_map_assign(&m, 250, 250, b), 0, "reassign one slot");
	ok(cluster_map_owner(&m, 250)->port == 2 && m.covered == 301, "moved, coverage unchanged");
	is_int(cluster_map_assign(&m, 302, 302, 7), -1, "unknown node index refused");
	is_int(cluster_map_assign(&m, 10, 5, b), -1, "reversed range refused");
	is_int(cluster_map_assign(&m, 0, CLUSTER_SLOTS, b), -1, "range past the last slot refused");

	cluster_range bad[][1] = {
		{ { -1, 10, "a", 1 } }, { { 10, 5, "a", 1 } }, { { 0, 16384, "a", 1 } },
		{ { 0, 10, "a", 0 } }, { { 0, 10, "a", 65536 } }, { { 0, 10, "", 1 } },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ok(cluster_map_load(&m, bad[i], 1, NULL) == -1 && m.covered == 0 && m.nnodes == 0,
		   "bad range %zu refused, the map left empty", i);
	}
	char longhost[CLUSTER_HOST_MAX + 1];
	memset(longhost, 'h', sizeof longhost - 1);
	longhost[sizeof longhost - 1] = '\0';
	is_int(cluster_map_node(&m, longhost, 1), -1, "an over-long host refused");
	return done_testing();
}
