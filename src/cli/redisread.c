/* redisread.c: the CLI's blocking Redis reads (see cli.h): hiredis
 * connections with the connect and command timeouts of the configuration,
 * commands that die with a clear message on any failure, and the SCAN of
 * the path and change keys.  A CLI has nothing else to do while it waits.
 *
 * Where Redis is: redis.host/port or socket as configured (-H, -p, -s), or
 * Redis Sentinel (redis.sentinels and redis.master_name, --sentinel and
 * --master-name): the sentinels are asked in turn for the primary (SENTINEL
 * get-master-addr-by-name), and the server named must say it is a primary
 * (ROLE), as hopwatchd does.
 *
 * Redis Cluster: after connecting, CLUSTER SLOTS tells a plain server (an
 * error) from a cluster node (the slot map, cluster.c).  In a cluster,
 * SCAN runs on every primary of the map (each node holds only its own
 * keys; one source's keys too, split between two nodes while its slot
 * migrates); each key is
 * read from the primary of its slot (one connection per primary, opened
 * when first needed); MOVED and ASK replies are followed on a connection
 * of their own (so a pipeline under way is not disturbed), a few times at
 * most.  SUBSCRIBE stays on the first node: a cluster delivers PUBLISH to
 * every node.  A node that cannot be reached stops the command with its
 * address and the slots it serves. */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "cli.h"
#include "cluster.h"
#include "keys.h"

/* Keys asked per SCAN call. */
#define SCAN_COUNT "1000"
/* Redirections (MOVED, ASK) followed for one command before giving up. */
#define REDIRECTS_MAX 5

static redisContext *conn;      /* the connection: the server, the sentinels' primary, or the first cluster node */
static char where[600];         /* "host:port" or "unix:path" of conn, for messages */
static const struct redis_conf *conf;   /* the settings of rr_connect, for the cluster's other nodes */
static cluster_map *map;        /* the slot map when conn is a cluster node, else NULL */
static redisContext *nodes[CLUSTER_NODES_MAX];  /* a connection to each primary of map, NULL until used */

int cli_one_source(const struct cli_opts *o)
{
	return !strpbrk(o->source, "*?[");
}

int cli_source_matches(const struct cli_opts *o, const char *source)
{
	return cli_one_source(o) ? !strcmp(source, o->source) : !fnmatch(o->source, source, 0);
}

const char *rr_where(void)
{
	return where;
}

int rr_cluster_primaries(void)
{
	return map ? (int)map->nnodes : 0;
}

static struct timeval tv_of(double s)
{
	struct timeval tv;

	tv.tv_sec = (time_t)s;
	tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
	if (!tv.tv_sec && !tv.tv_usec)
		tv.tv_usec = 1;  /* 0 would mean "no timeout" */
	return tv;
}

/* The reason of an I/O failure of c, with a clearer word for a timeout. */
static const char *io_error_of(const redisContext *c)
{
	if (c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK))
		return "no reply within the command timeout";
	return c->errstr[0] ? c->errstr : "connection lost";
}

static const char *io_error(void)
{
	return io_error_of(conn);
}

/* "host:port", "[v6]:port" into buf. */
static void host_port(char *buf, size_t cap, const char *host, int port)
{
	snprintf(buf, cap, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
}

/* Die for an error reply `r` to the command `fmt` at `at`. */
static void die_refused(const char *at, const char *fmt, const redisReply *r) __attribute__((noreturn));
static void die_refused(const char *at, const char *fmt, const redisReply *r)
{
	if (!strncmp(r->str, "NOAUTH", 6))
		cli_die("Redis at %s: %s (give a password with -a or redis.password)", at, r->str);
	cli_die("Redis at %s refused \"%.*s\": %s", at, (int)strcspn(fmt, " "), fmt, r->str);
}

redisReply *rr_cmd(const char *fmt, ...)
{
	redisReply *r;
	va_list ap;

	va_start(ap, fmt);
	r = redisvCommand(conn, fmt, ap);
	va_end(ap);
	if (!r)
		cli_die("Redis at %s: %s", where, io_error());
	if (r->type == REDIS_REPLY_ERROR)
		die_refused(where, fmt, r);
	return r;
}

/* Connect to `host`:`port` (or the Unix socket `sock`), AUTH and SELECT as
 * rc says; the connection, or NULL with the reason in err.  `at` gets
 * "host:port" or "unix:path".  `refused` is set when Redis answered but
 * refused AUTH or SELECT. */
static redisContext *open_one(const struct redis_conf *rc, const char *host, int port, const char *sock,
                              char *at, size_t atcap, char *err, size_t cap, int *refused)
{
	redisContext *c;
	redisReply *r;

	*refused = 0;
	if (sock) {
		snprintf(at, atcap, "unix:%s", sock);
		c = redisConnectUnixWithTimeout(sock, tv_of(rc->connect_timeout));
	} else {
		host_port(at, atcap, host, port);
		c = redisConnectWithTimeout(host, port, tv_of(rc->connect_timeout));
	}
	if (!c) {
		snprintf(err, cap, "cannot connect to Redis at %s: out of memory", at);
		return NULL;
	}
	if (c->err) {
		snprintf(err, cap, "cannot connect to Redis at %s: %s", at, c->errstr);
		goto fail;
	}
	if (redisSetTimeout(c, tv_of(rc->command_timeout)) != REDIS_OK) {
		snprintf(err, cap, "Redis at %s: cannot set the command timeout: %s", at, c->errstr);
		goto fail;
	}
	if (rc->password) {
		r = rc->user ? redisCommand(c, "AUTH %s %s", rc->user, rc->password)
		             : redisCommand(c, "AUTH %s", rc->password);
		if (!r) {
			snprintf(err, cap, "Redis at %s: %s", at, io_error_of(c));
			goto fail;
		}
		if (r->type == REDIS_REPLY_ERROR) {
			snprintf(err, cap, "Redis at %s refused AUTH%s%s: %s (check -u/-a or redis.user/redis.password)",
			         at, rc->user ? " as " : "", rc->user ? rc->user : "", r->str);
			freeReplyObject(r);
			*refused = 1;
			goto fail;
		}
		freeReplyObject(r);
	}
	if (rc->db) {
		if (!(r = redisCommand(c, "SELECT %d", rc->db))) {
			snprintf(err, cap, "Redis at %s: %s", at, io_error_of(c));
			goto fail;
		}
		if (r->type == REDIS_REPLY_ERROR) {
			snprintf(err, cap, "Redis at %s refused \"SELECT\": %s%s", at, r->str,
			         strncmp(r->str, "NOAUTH", 6) ? "" : " (give a password with -a or redis.password)");
			freeReplyObject(r);
			*refused = 1;
			goto fail;
		}
		freeReplyObject(r);
	}
	return c;
fail:
	redisFree(c);
	return NULL;
}

/* Sentinel: ask the sentinels of rc in turn where the primary of
 * rc->master_name is, and connect to the first primary named that says it
 * is one (ROLE).  The connection, or NULL with every sentinel's answer in
 * err. */
static redisContext *open_sentinel(const struct redis_conf *rc, char *err, size_t cap, int *refused)
{
	size_t len = 0;

	err[0] = '\0';
	*refused = 0;
	for (size_t i = 0; i < rc->sentinels.n; i++) {
		char host[CLUSTER_HOST_MAX], sw[CLUSTER_HOST_MAX + 16], why[2048] = "";
		const char *bad = NULL;
		uint16_t port;
		redisContext *s, *c;
		redisReply *r;

		if (conf_parse_hostport(rc->sentinels.v[i], host, sizeof host, &port, &bad) < 0 || !port) {
			snprintf(why, sizeof why, "sentinel \"%s\": %s", rc->sentinels.v[i], bad ? bad : "no port");
			goto next;
		}
		host_port(sw, sizeof sw, host, port);
		s = redisConnectWithTimeout(host, port, tv_of(rc->connect_timeout));
		if (!s || s->err || redisSetTimeout(s, tv_of(rc->command_timeout)) != REDIS_OK) {
			snprintf(why, sizeof why, "sentinel %s: %s", sw, s ? s->errstr : "out of memory");
			if (s)
				redisFree(s);
			goto next;
		}
		r = redisCommand(s, "SENTINEL get-master-addr-by-name %s", rc->master_name);
		if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
		    r->element[1]->type != REDIS_REPLY_STRING || strlen(r->element[0]->str) >= sizeof host ||
		    atoi(r->element[1]->str) < 1 || atoi(r->element[1]->str) > 65535) {
			snprintf(why, sizeof why, "sentinel %s: %s \"%s\"", sw,
			         !r ? io_error_of(s) : r->type == REDIS_REPLY_ERROR ? r->str : "knows no primary named",
			         rc->master_name);
			freeReplyObject(r);
			redisFree(s);
			goto next;
		}
		snprintf(host, sizeof host, "%s", r->element[0]->str);
		port = (uint16_t)atoi(r->element[1]->str);
		freeReplyObject(r);
		redisFree(s);
		if (!(c = open_one(rc, host, port, NULL, where, sizeof where, why, sizeof why, refused))) {
			char w2[sizeof why];
			memcpy(w2, why, sizeof w2);
			snprintf(why, sizeof why, "sentinel %s named %s as the primary of \"%.100s\": %.1000s", sw, where,
			         rc->master_name, w2);
			if (*refused) {
				snprintf(err, cap, "%s", why);
				return NULL;  /* AUTH or SELECT: another sentinel will not help */
			}
			goto next;
		}
		r = redisCommand(c, "ROLE");
		if (r && r->type == REDIS_REPLY_ARRAY && r->elements && r->element[0]->type == REDIS_REPLY_STRING &&
		    !strcmp(r->element[0]->str, "master")) {
			freeReplyObject(r);
			return c;
		}
		snprintf(why, sizeof why, "sentinel %s named %s as the primary of \"%s\", but it is %s", sw, where,
		         rc->master_name, r && r->type == REDIS_REPLY_ARRAY && r->elements &&
		         r->element[0]->type == REDIS_REPLY_STRING ? r->element[0]->str : "no server that answers ROLE");
		freeReplyObject(r);
		redisFree(c);
next:
		if (len < cap)
			len += (size_t)snprintf(err + len, cap - len, "%s%s", len ? "; " : "", why);
	}
	if (!rc->sentinels.n)
		snprintf(err, cap, "no sentinel configured");
	return NULL;
}

/* Forget the cluster's slot map and close its connections. */
static void cluster_close(void)
{
	for (unsigned i = 0; map && i < map->nnodes; i++) {
		if (nodes[i])
			redisFree(nodes[i]);
		nodes[i] = NULL;
	}
	free(map);
	map = NULL;
}

/* Ask conn for CLUSTER SLOTS: a plain server refuses it (map stays NULL);
 * a cluster node gives the map.  0, or -1 with the reason in err. */
static int learn_slots(char *err, size_t cap)
{
	redisReply *r = redisCommand(conn, "CLUSTER SLOTS");
	cluster_range *ranges;
	size_t n = 0;
	char host[CLUSTER_HOST_MAX];

	if (!r) {
		snprintf(err, cap, "Redis at %s: %s", where, io_error());
		return -1;
	}
	if (r->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(r);  /* "cluster support disabled": a plain server */
		return 0;
	}
	if (!(map = calloc(1, sizeof *map)) || !(ranges = calloc(r->elements + 1, sizeof *ranges)))
		cli_die("out of memory");
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements < 3 || e->element[0]->type != REDIS_REPLY_INTEGER ||
		    e->element[1]->type != REDIS_REPLY_INTEGER || e->element[2]->type != REDIS_REPLY_ARRAY ||
		    e->element[2]->elements < 2 || e->element[2]->element[0]->type != REDIS_REPLY_STRING ||
		    e->element[2]->element[1]->type != REDIS_REPLY_INTEGER)
			continue;  /* a range without a usable primary */
		ranges[n++] = (cluster_range){ e->element[0]->integer, e->element[1]->integer,
		                               e->element[2]->element[0]->str, e->element[2]->element[1]->integer };
	}
	/* an empty endpoint means "the address you reached me by" */
	snprintf(host, sizeof host, "%s", conf->host ? conf->host : "127.0.0.1");
	if (cluster_map_load(map, ranges, n, host) < 0 || !map->nnodes) {
		snprintf(err, cap, "Redis at %s is a cluster node, but its slot map (CLUSTER SLOTS) is %s", where,
		         n ? "not valid" : "empty: no primary serves any slot");
		free(ranges);
		freeReplyObject(r);
		cluster_close();
		return -1;
	}
	free(ranges);
	freeReplyObject(r);
	return 0;
}

/* Connect as rc says (a sentinel's primary, or host:port or the socket),
 * then learn whether it is a cluster.  0, or -1 with the reason in err
 * (nothing left open). */
static int try_connect(const struct redis_conf *rc, char *err, size_t cap, int *refused)
{
	conf = rc;
	if (rc->sentinels.n)
		conn = open_sentinel(rc, err, cap, refused);
	else
		conn = open_one(rc, rc->host, rc->port, rc->socket, where, sizeof where, err, cap, refused);
	if (!conn)
		return -1;
	if (learn_slots(err, cap) < 0) {
		redisFree(conn);
		conn = NULL;
		return -1;
	}
	return 0;
}

void rr_connect(const struct redis_conf *rc)
{
	char err[4096];
	int refused;

	if (try_connect(rc, err, sizeof err, &refused) < 0)
		cli_die("%s", err);
}

int rr_reconnect(const struct redis_conf *rc, char *err, size_t cap)
{
	cluster_node known[16];
	unsigned nknown = 0;
	int refused;

	/* a cluster: when the first node is gone, any other node will do */
	for (unsigned i = 0; map && i < map->nnodes && nknown < sizeof known / sizeof known[0]; i++)
		known[nknown++] = map->nodes[i];
	rr_close();
	if (!try_connect(rc, err, cap, &refused) || refused)
		return refused ? -1 : 0;
	for (unsigned i = 0; i < nknown; i++) {
		struct redis_conf other = *rc;
		other.host = known[i].host;
		other.port = known[i].port;
		other.socket = NULL;
		if (!try_connect(&other, err, cap, &refused)) {
			conf = rc;
			return 0;
		}
	}
	conf = rc;
	return -1;
}

/* The primary of key `key` in the cluster: its index in map->nodes, dying
 * when no node serves the slot. */
static int owner_of(const char *key, unsigned *slot)
{
	const cluster_node *n;

	*slot = cluster_key_slot(key, strlen(key));
	if (!(n = cluster_map_owner(map, *slot)))
		cli_die("Redis Cluster at %s: no primary serves slot %u (of key %s): the cluster is down or being "
		        "resharded", where, *slot, key);
	return (int)(n - map->nodes);
}

/* How many slots node i serves, for messages. */
static unsigned slots_of(int i)
{
	unsigned k = 0;

	for (unsigned s = 0; s < CLUSTER_SLOTS; s++)
		k += map->owner[s] == (uint16_t)(i + 1);
	return k;
}

/* The connection to primary i of the map, opened when first needed; dies
 * naming the node when it cannot be reached. */
static redisContext *node_conn(int i, const char *why)
{
	char at[CLUSTER_HOST_MAX + 16], err[1024];
	int refused;

	if (nodes[i])
		return nodes[i];
	if (!(nodes[i] = open_one(conf, map->nodes[i].host, map->nodes[i].port, NULL, at, sizeof at, err, sizeof err,
	                          &refused)))
		cli_die("Redis Cluster node %s (a primary serving %u of %d slots) %s: %s%s", at, slots_of(i),
		        CLUSTER_SLOTS, why, err,
		        refused ? "" : " (the node is down: the cluster may be failing over, try again shortly)");
	return nodes[i];
}

/* "host:port" of primary i of the cluster, or where conn goes (i < 0). */
static const char *node_name(int i)
{
	static char at[CLUSTER_HOST_MAX + 16];

	if (i < 0)
		return where;
	host_port(at, sizeof at, map->nodes[i].host, map->nodes[i].port);
	return at;
}

/* Die for a lost connection of cluster node i (or conn). */
static void die_io(redisContext *c, int i) __attribute__((noreturn));
static void die_io(redisContext *c, int i)
{
	if (i < 0)
		cli_die("Redis at %s: %s", where, io_error_of(c));
	cli_die("Redis Cluster node %s (a primary serving %u of %d slots): %s", node_name(i), slots_of(i),
	        CLUSTER_SLOTS, io_error_of(c));
}

/* Run the command once more where a MOVED or ASK error `r` points, on a
 * connection of its own, following further redirections; the reply (not an
 * error), or death.  The map learns a MOVED slot's new owner. */
static redisReply *follow(redisReply *r, const char *fmt, va_list ap)
{
	for (int hops = 0;; hops++) {
		cluster_redirect rd;
		char at[CLUSTER_HOST_MAX + 16], err[1024];
		redisContext *c;
		redisReply *a;
		va_list aq;
		int refused;

		if (r->type != REDIS_REPLY_ERROR || cluster_parse_redirect(r->str, &rd) < 0)
			return r;
		if (hops >= REDIRECTS_MAX)
			cli_die("Redis Cluster at %s: still redirected after %d hops (%s): resharding under way, try again",
			        where, REDIRECTS_MAX, r->str);
		if (!rd.to.host[0])
			snprintf(rd.to.host, sizeof rd.to.host, "%s", conf->host ? conf->host : "127.0.0.1");
		freeReplyObject(r);
		if (!rd.ask) {
			int n = cluster_map_node(map, rd.to.host, rd.to.port);
			if (n >= 0)
				cluster_map_assign(map, rd.slot, rd.slot, n);
		}
		if (!(c = open_one(conf, rd.to.host, rd.to.port, NULL, at, sizeof at, err, sizeof err, &refused)))
			cli_die("Redis Cluster node %s (%s slot %u): %s", at, rd.ask ? "importing" : "now serving",
			        rd.slot, err);
		if (rd.ask && (!(a = redisCommand(c, "ASKING")) || a->type == REDIS_REPLY_ERROR))
			cli_die("Redis Cluster node %s refused ASKING: %s", at, a ? a->str : io_error_of(c));
		if (rd.ask)
			freeReplyObject(a);
		va_copy(aq, ap);
		r = redisvCommand(c, fmt, aq);
		va_end(aq);
		if (!r)
			cli_die("Redis Cluster node %s: %s", at, io_error_of(c));
		redisFree(c);
	}
}

redisReply *rr_key_cmd(const char *key, const char *fmt, ...)
{
	redisContext *c = conn;
	redisReply *r;
	va_list ap, aq;
	unsigned slot;
	int i = -1;

	if (map) {
		i = owner_of(key, &slot);
		c = node_conn(i, "cannot be reached");
	}
	va_start(ap, fmt);
	va_copy(aq, ap);
	r = redisvCommand(c, fmt, aq);
	va_end(aq);
	if (!r)
		die_io(c, i);
	if (map)
		r = follow(r, fmt, ap);
	va_end(ap);
	if (r->type == REDIS_REPLY_ERROR)
		die_refused(node_name(i), fmt, r);
	return r;
}

/* The connection each appended key command went to, oldest first. */
static struct { int *node; size_t head, n, cap; } pending;

void rr_key_append(const char *key, const char *fmt, ...)
{
	redisContext *c = conn;
	va_list ap;
	unsigned slot;
	int i = -1, rc;

	if (map) {
		i = owner_of(key, &slot);
		c = node_conn(i, "cannot be reached");
	}
	if (pending.n == pending.cap) {
		pending.cap = pending.cap ? pending.cap * 2 : 64;
		if (!(pending.node = realloc(pending.node, pending.cap * sizeof *pending.node)))
			cli_die("out of memory");
	}
	pending.node[pending.n++] = i;
	va_start(ap, fmt);
	rc = redisvAppendCommand(c, fmt, ap);
	va_end(ap);
	if (rc != REDIS_OK)
		cli_die("out of memory");
}

redisReply *rr_key_reply(const char *fmt, ...)
{
	redisContext *c;
	redisReply *r;
	va_list ap;
	int i;

	if (pending.head >= pending.n)
		cli_die("internal error: no command waits for a reply");
	i = pending.node[pending.head++];
	if (pending.head == pending.n)
		pending.head = pending.n = 0;
	c = i < 0 ? conn : nodes[i];
	if (redisGetReply(c, (void **)&r) != REDIS_OK)
		die_io(c, i);
	va_start(ap, fmt);
	if (map)
		r = follow(r, fmt, ap);
	va_end(ap);
	return r;
}

void rr_append(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = redisvAppendCommand(conn, fmt, ap);
	va_end(ap);
	if (r != REDIS_OK)
		cli_die("out of memory");
}

int rr_wait(double seconds, redisReply **r, char *err, size_t cap)
{
	*r = NULL;
	if (seconds <= 0) {
		if (redisSetTimeout(conn, (struct timeval){ 0, 0 }) != REDIS_OK)
			cli_die("Redis at %s: cannot clear the timeout", where);
	} else if (redisSetTimeout(conn, tv_of(seconds)) != REDIS_OK) {
		cli_die("Redis at %s: cannot set a timeout", where);
	}
	if (redisGetReply(conn, (void **)r) != REDIS_OK) {
		if (seconds > 0 && conn->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		snprintf(err, cap, "%s", conn->err == REDIS_ERR_EOF ? "the server closed the connection" : io_error());
		*r = NULL;
		return -1;
	}
	return 1;
}

void rr_close(void)
{
	cluster_close();
	if (conn)
		redisFree(conn);
	conn = NULL;
}


void strv_add(struct strv *s, const char *str)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		if (!(s->v = realloc(s->v, s->cap * sizeof *s->v)))
			cli_die("out of memory");
	}
	if (!(s->v[s->n++] = strdup(str)))
		cli_die("out of memory");
}

void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(struct strv *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof *s->v, cmp_str);
}

/* SCAN connection c (conn, or primary i of the cluster) for `pattern`,
 * adding every key to `all`. */
static void scan_into(redisContext *c, int i, const char *pattern, struct strv *all)
{
	char cursor[64] = "0";

	do {
		redisReply *r = redisCommand(c, "SCAN %s MATCH %s COUNT " SCAN_COUNT, cursor, pattern);
		if (!r)
			die_io(c, i);
		if (r->type == REDIS_REPLY_ERROR) {
			if (i < 0)
				die_refused(where, "SCAN", r);
			cli_die("Redis Cluster node %s refused SCAN: %s", node_name(i), r->str);
		}
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
		    r->element[1]->type != REDIS_REPLY_ARRAY)
			cli_die("Redis at %s: unexpected SCAN reply", node_name(i));
		snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
		for (size_t k = 0; k < r->element[1]->elements; k++)
			if (r->element[1]->element[k]->type == REDIS_REPLY_STRING)
				strv_add(all, r->element[1]->element[k]->str);
		freeReplyObject(r);
	} while (strcmp(cursor, "0"));
}

struct strv rr_scan(const char *pattern)
{
	struct strv all = { 0 };

	if (!map) {
		scan_into(conn, -1, pattern, &all);
	} else {
		/* every primary, for one slot too: while it migrates, its keys
		 * are split between two nodes */
		for (unsigned i = 0; i < map->nnodes; i++)
			scan_into(node_conn((int)i, "cannot be reached to list its keys"), (int)i, pattern, &all);
	}
	strv_sort(&all);
	return all;
}

struct strv rr_keys(const struct cli_opts *o, enum keys_kind kind, const char *probe, const char *target)
{
	char pattern[4 * KEYS_NAME_MAX];
	struct keys_parts kp;
	struct strv keys = { 0 }, all = { 0 };

	/* a pattern of sources: every source's keys, filtered below */
	if (!keys_pattern(pattern, sizeof pattern, kind, o->rc.prefix, cli_one_source(o) ? o->source : "*"))
		cli_die("the prefix or the source is too long");
	all = rr_scan(pattern);
	for (size_t i = 0; i < all.n; i++) {
		/* SCAN may return a key twice */
		if (i && !strcmp(all.v[i], all.v[i - 1]))
			continue;
		if (keys_split(all.v[i], kind, o->rc.prefix, &kp) < 0 ||
		    !cli_source_matches(o, kp.source) ||
		    (probe && strcmp(kp.probe, probe)) || (target && strcmp(kp.target, target)))
			continue;
		strv_add(&keys, all.v[i]);
	}
	strv_free(&all);
	return keys;
}

struct strv rr_path_keys(const struct cli_opts *o, const char *probe, const char *target)
{
	return rr_keys(o, KEYS_PATH, probe, target);
}

const char *rr_field(const redisReply *r, const char *name)
{
	for (size_t i = 0; i + 1 < r->elements; i += 2)
		if (r->element[i]->type == REDIS_REPLY_STRING && !strcmp(r->element[i]->str, name) &&
		    r->element[i + 1]->type == REDIS_REPLY_STRING)
			return r->element[i + 1]->str;
	return "";
}
