/* redisread.c: the CLI's blocking Redis reads (see cli.h): one hiredis
 * connection with the connect and command timeouts of the configuration,
 * commands that die with a clear message on any failure, and the SCAN of
 * the path keys.  A CLI has nothing else to do while it waits. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "cli.h"
#include "keys.h"

/* Keys asked per SCAN call. */
#define SCAN_COUNT "1000"

static redisContext *conn;      /* the connection */
static char where[600];         /* "host:port" or "unix:path", for messages */

const char *rr_where(void)
{
	return where;
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

/* The reason of an I/O failure, with a clearer word for a timeout. */
static const char *io_error(void)
{
	if (conn->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK))
		return "no reply within the command timeout";
	return conn->errstr[0] ? conn->errstr : "connection lost";
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
	if (r->type == REDIS_REPLY_ERROR) {
		if (!strncmp(r->str, "NOAUTH", 6))
			cli_die("Redis at %s: %s (give a password with -a or redis.password)", where, r->str);
		cli_die("Redis at %s refused \"%.*s\": %s", where, (int)strcspn(fmt, " "), fmt, r->str);
	}
	return r;
}

/* Connect, AUTH and SELECT; 0, or -1 with the reason in err (nothing left
 * open).  `refused` is set when Redis answered but refused AUTH or SELECT. */
static int try_connect(const struct redis_conf *rc, char *err, size_t cap, int *refused)
{
	redisReply *r;

	*refused = 0;
	if (rc->socket) {
		snprintf(where, sizeof where, "unix:%s", rc->socket);
		conn = redisConnectUnixWithTimeout(rc->socket, tv_of(rc->connect_timeout));
	} else {
		snprintf(where, sizeof where, strchr(rc->host, ':') ? "[%s]:%d" : "%s:%d", rc->host, rc->port);
		conn = redisConnectWithTimeout(rc->host, rc->port, tv_of(rc->connect_timeout));
	}
	if (!conn) {
		snprintf(err, cap, "cannot connect to Redis at %s: out of memory", where);
		return -1;
	}
	if (conn->err) {
		snprintf(err, cap, "cannot connect to Redis at %s: %s", where, conn->errstr);
		goto fail;
	}
	if (redisSetTimeout(conn, tv_of(rc->command_timeout)) != REDIS_OK) {
		snprintf(err, cap, "Redis at %s: cannot set the command timeout: %s", where, conn->errstr);
		goto fail;
	}
	if (rc->password) {
		r = rc->user ? redisCommand(conn, "AUTH %s %s", rc->user, rc->password)
		             : redisCommand(conn, "AUTH %s", rc->password);
		if (!r) {
			snprintf(err, cap, "Redis at %s: %s", where, io_error());
			goto fail;
		}
		if (r->type == REDIS_REPLY_ERROR) {
			snprintf(err, cap, "Redis at %s refused AUTH%s%s: %s (check -u/-a or redis.user/redis.password)",
			         where, rc->user ? " as " : "", rc->user ? rc->user : "", r->str);
			freeReplyObject(r);
			*refused = 1;
			goto fail;
		}
		freeReplyObject(r);
	}
	if (rc->db) {
		if (!(r = redisCommand(conn, "SELECT %d", rc->db))) {
			snprintf(err, cap, "Redis at %s: %s", where, io_error());
			goto fail;
		}
		if (r->type == REDIS_REPLY_ERROR) {
			snprintf(err, cap, "Redis at %s refused \"SELECT\": %s%s", where, r->str,
			         strncmp(r->str, "NOAUTH", 6) ? "" : " (give a password with -a or redis.password)");
			freeReplyObject(r);
			*refused = 1;
			goto fail;
		}
		freeReplyObject(r);
	}
	return 0;
fail:
	redisFree(conn);
	conn = NULL;
	return -1;
}

void rr_connect(const struct redis_conf *rc)
{
	char err[1024];
	int refused;

	if (try_connect(rc, err, sizeof err, &refused) < 0)
		cli_die("%s", err);
}

int rr_reconnect(const struct redis_conf *rc, char *err, size_t cap)
{
	int refused;

	rr_close();
	return try_connect(rc, err, cap, &refused);
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

redisReply *rr_reply(void)
{
	redisReply *r;

	if (redisGetReply(conn, (void **)&r) != REDIS_OK)
		cli_die("Redis at %s: %s", where, io_error());
	return r;
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

struct strv rr_path_keys(const struct cli_opts *o, const char *probe, const char *target)
{
	char pattern[4 * KEYS_NAME_MAX];
	struct keys_parts kp;
	struct strv keys = { 0 }, all = { 0 };
	char cursor[64] = "0";

	if (!keys_pattern(pattern, sizeof pattern, KEYS_PATH, o->rc.prefix, o->source))
		cli_die("the prefix or the source is too long");
	do {
		redisReply *r = rr_cmd("SCAN %s MATCH %s COUNT " SCAN_COUNT, cursor, pattern);
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
		    r->element[1]->type != REDIS_REPLY_ARRAY)
			cli_die("Redis at %s: unexpected SCAN reply", where);
		snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
		for (size_t i = 0; i < r->element[1]->elements; i++)
			if (r->element[1]->element[i]->type == REDIS_REPLY_STRING)
				strv_add(&all, r->element[1]->element[i]->str);
		freeReplyObject(r);
	} while (strcmp(cursor, "0"));
	strv_sort(&all);
	for (size_t i = 0; i < all.n; i++) {
		/* SCAN may return a key twice */
		if (i && !strcmp(all.v[i], all.v[i - 1]))
			continue;
		if (keys_split(all.v[i], KEYS_PATH, o->rc.prefix, &kp) < 0 ||
		    (strcmp(o->source, "*") && strcmp(kp.source, o->source)) ||
		    (probe && strcmp(kp.probe, probe)) || (target && strcmp(kp.target, target)))
			continue;
		strv_add(&keys, all.v[i]);
	}
	strv_free(&all);
	return keys;
}

const char *rr_field(const redisReply *r, const char *name)
{
	for (size_t i = 0; i + 1 < r->elements; i += 2)
		if (r->element[i]->type == REDIS_REPLY_STRING && !strcmp(r->element[i]->str, name) &&
		    r->element[i + 1]->type == REDIS_REPLY_STRING)
			return r->element[i + 1]->str;
	return "";
}
