/*
 * cluster.c: key slots, the slot map and redirections of Redis Cluster
 * (see cluster.h).  Pure: no I/O.
 */
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

uint16_t cluster_crc16(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint16_t crc = 0;
	for (size_t i = 0; i < len; i++) {
		crc ^= (uint16_t)(p[i] << 8);
		for (int b = 0; b < 8; b++)
			crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
	}
	return crc;
}

unsigned cluster_key_slot(const char *key, size_t len)
{
	const char *open = memchr(key, '{', len);
	if (open) {
		size_t rest = len - (size_t)(open - key) - 1;
		const char *close = memchr(open + 1, '}', rest);
		if (close && close > open + 1) {
			key = open + 1;
			len = (size_t)(close - key);
		}
	}
	return cluster_crc16(key, len) % CLUSTER_SLOTS;
}

void cluster_map_clear(cluster_map *m)
{
	memset(m->owner, 0, sizeof m->owner);
	m->nnodes = 0;
	m->covered = 0;
}

int cluster_map_node(cluster_map *m, const char *host, int port)
{
	size_t hl = strlen(host);
	if (!hl || hl >= CLUSTER_HOST_MAX || port < 1 || port > 65535)
		return -1;
	for (unsigned i = 0; i < m->nnodes; i++)
		if (m->nodes[i].port == port && !strcmp(m->nodes[i].host, host))
			return (int)i;
	if (m->nnodes == CLUSTER_NODES_MAX)
		return -1;
	memcpy(m->nodes[m->nnodes].host, host, hl + 1);
	m->nodes[m->nnodes].port = port;
	return (int)m->nnodes++;
}

int cluster_map_assign(cluster_map *m, unsigned first, unsigned last, int node)
{
	if (first > last || last >= CLUSTER_SLOTS || node < 0 || (unsigned)node >= m->nnodes)
		return -1;
	for (unsigned s = first; s <= last; s++) {
		if (!m->owner[s])
			m->covered++;
		m->owner[s] = (uint16_t)(node + 1);
	}
	return 0;
}

const cluster_node *cluster_map_owner(const cluster_map *m, unsigned slot)
{
	if (slot >= CLUSTER_SLOTS || !m->owner[slot])
		return NULL;
	return &m->nodes[m->owner[slot] - 1];
}

int cluster_map_load(cluster_map *m, const cluster_range *ranges, size_t n,
                     const char *default_host)
{
	cluster_map_clear(m);
	for (size_t i = 0; i < n; i++) {
		const cluster_range *r = &ranges[i];
		const char *host = r->host;
		if (!host || !*host || !strcmp(host, "?"))
			host = default_host ? default_host : "";
		if (r->first < 0 || r->last < r->first || r->last >= CLUSTER_SLOTS ||
		    r->port < 1 || r->port > 65535)
			goto bad;
		int node = cluster_map_node(m, host, (int)r->port);
		if (node < 0 || cluster_map_assign(m, (unsigned)r->first, (unsigned)r->last, node) < 0)
			goto bad;
	}
	return (int)n;
bad:
	cluster_map_clear(m);
	return -1;
}

int cluster_parse_redirect(const char *err, cluster_redirect *r)
{
	const char *p;
	if (!strncmp(err, "MOVED ", 6)) {
		r->ask = 0;
		p = err + 6;
	} else if (!strncmp(err, "ASK ", 4)) {
		r->ask = 1;
		p = err + 4;
	} else {
		return -1;
	}
	if (*p < '0' || *p > '9')
		return -1;
	char *end;
	unsigned long slot = strtoul(p, &end, 10);
	if (slot >= CLUSTER_SLOTS || *end != ' ')
		return -1;
	const char *ep = end + 1;
	const char *colon = strrchr(ep, ':');
	if (!colon || !colon[1] || strchr(colon, ' '))
		return -1;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (*end || colon[1] < '0' || colon[1] > '9' || port < 1 || port > 65535)
		return -1;
	size_t hl = (size_t)(colon - ep);
	if (hl >= 2 && ep[0] == '[' && ep[hl - 1] == ']') {
		ep++;
		hl -= 2;
	}
	if (hl >= CLUSTER_HOST_MAX || memchr(ep, ' ', hl))
		return -1;
	memcpy(r->to.host, ep, hl);
	r->to.host[hl] = '\0';
	r->to.port = (int)port;
	r->slot = (unsigned)slot;
	return 0;
}
