/*
 * cluster.h: the pure part of Redis Cluster support (the Redis Cluster
 * specification, "Keys distribution model" and "Redirection and
 * resharding").  hiredis 0.14 knows nothing of clusters, so the writer and
 * the CLI keep this much themselves: which slot a key hashes to, which
 * node serves a slot, and what a MOVED or ASK error says.  No I/O, no
 * allocation beyond the map itself; every reply is checked before use.
 */
#ifndef HW_CLUSTER_H
#define HW_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

/* Hash slots of a cluster (the specification's fixed 16384). */
#define CLUSTER_SLOTS 16384
/* Longest node host name or address kept, bytes with the NUL. */
#define CLUSTER_HOST_MAX 256
/* Most distinct primaries a map holds (a 1,000-node cluster fits). */
#define CLUSTER_NODES_MAX 1024

/* CRC16-CCITT (XMODEM: poly 0x1021, init 0) of `len` bytes, the checksum
 * the specification uses for key slots; crc16("123456789") = 0x31C3. */
uint16_t cluster_crc16(const void *buf, size_t len);

/* The hash slot (0..16383) of key `key` of `len` bytes: CRC16 mod 16384
 * of the key, or of its hash tag when it has one (the bytes between the
 * first '{' and the first '}' after it, when there is at least one). */
unsigned cluster_key_slot(const char *key, size_t len);

/* One node: where to connect. */
typedef struct cluster_node {
	char host[CLUSTER_HOST_MAX];  /* address or name as the cluster reports it */
	int port;                     /* TCP port, 1..65535 */
} cluster_node;

/* Which primary serves each slot. */
typedef struct cluster_map {
	uint16_t owner[CLUSTER_SLOTS];       /* index into nodes + 1; 0: slot not served */
	cluster_node nodes[CLUSTER_NODES_MAX]; /* the primaries, each once */
	unsigned nnodes;                     /* entries used in nodes */
	unsigned covered;                    /* slots with an owner (16384: the whole space) */
} cluster_map;

/* Empty the map: no slot served. */
void cluster_map_clear(cluster_map *m);

/* Index (0-based) of host:port in m->nodes, added when new; -1 when the
 * table is full or host is too long or empty, or port out of range. */
int cluster_map_node(cluster_map *m, const char *host, int port);

/* Give slots first..last (inclusive, first <= last < 16384) to node
 * `node` (an index from cluster_map_node).  Returns 0, or -1 when the
 * range or the index is invalid (then nothing changed). */
int cluster_map_assign(cluster_map *m, unsigned first, unsigned last, int node);

/* The node serving `slot`, or NULL when no node does. */
const cluster_node *cluster_map_owner(const cluster_map *m, unsigned slot);

/*
 * Fill `m` from a CLUSTER SLOTS reply, given as the slot ranges it lists:
 * each range is {first, last, host, port} of its primary (the first node
 * entry; the replicas after it are ignored).  `default_host` stands in for
 * an empty host or "?" (the specification: the node's own endpoint is
 * unknown, "use the address you reached me by").  The map is cleared
 * first.  Returns the number of ranges taken, or -1 when a range is
 * invalid (then the map is empty).
 */
typedef struct cluster_range {
	long long first, last;        /* slot range, as in the reply */
	const char *host;             /* the primary's endpoint, as in the reply */
	long long port;               /* its port, as in the reply */
} cluster_range;
int cluster_map_load(cluster_map *m, const cluster_range *ranges, size_t n,
                     const char *default_host);

/* What a redirection error says. */
typedef struct cluster_redirect {
	int ask;                      /* 1: ASK (this one command, after ASKING); 0: MOVED (the map changed) */
	unsigned slot;                /* the slot, 0..16383 */
	cluster_node to;              /* where to send it; host "" means the node that answered */
} cluster_redirect;

/* Parse the text of an error reply, "MOVED 3999 127.0.0.1:6381" or
 * "ASK 3999 [::1]:6381" / "ASK 3999 ::1:6381" (the port is after the last
 * ':').  Returns 0 and fills *r, or -1 when the text is no redirection. */
int cluster_parse_redirect(const char *err, cluster_redirect *r);

#endif
