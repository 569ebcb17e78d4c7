/*
 * conn.c: the conn plugin.  Every interval it dumps every TCP socket of
 * each watched network namespace (IPv4 then IPv6) over one non-blocking
 * NETLINK_SOCK_DIAG socket, applies the dump whole to the namespace's
 * connection table (table.c), and emits one set of hopwatch.conn.* lines
 * per (direction, destination, service port).  Where the kernel lets it
 * (CAP_NET_ADMIN), a second socket joins SKNLGRP_INET_TCP_DESTROY and
 * SKNLGRP_INET6_TCP_DESTROY, so every connection that ends is seen with
 * its final struct tcp_info, also between dumps.
 *
 * It takes no targets (run is NULL): an instance-wide hw_timer drives it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hopwatch.h"
#include "dump.h"
#include "inetdiag.h"
#include "procs.h"
#include "table.h"

/* Most destination groups and watched namespaces one instance takes. */
#define MAX_GROUPS 256
#define MAX_NETNS 64
/* Most destinations published per namespace and interval (dynamic targets). */
#define MAX_PUBLISHED 1024
/* Receive buffer asked for the destroy notifications, bytes. */
#define NOTIFY_RCVBUF (4 << 20)

/* Settings, filled by the host from the table below. */
struct opts {
	const char *destinations;  /* "CIDR=name,..." destination groups; NULL: none */
	int max_destinations;      /* aggregates kept per interval and namespace; the rest is dest:other */
	int notifications;         /* 0 auto: destroy notifications when allowed; 1 off */
	const char *netns;         /* comma-separated namespaces: "self" or a path (/var/run/netns/x, /proc/PID/ns/net) */
	int process_tags;          /* tag connections with comm: and container_id: of their process */
};

static const char *const notify_choices[] = { "auto", "off", NULL };

/* Every default of the conn plugin, in one place. */
static const hw_option options[] = {
	{ "destinations", HW_OPT_STRING, offsetof(struct opts, destinations), NULL, 0, 0, NULL,
	  "destination groups, \"CIDR=name,...\": remote addresses in CIDR are tagged dest:name" },
	{ "max_destinations", HW_OPT_INT, offsetof(struct opts, max_destinations), "100", 1, 10000, NULL,
	  "aggregates (direction, dest, port) kept per interval, most bytes first; the rest is dest:other" },
	{ "notifications", HW_OPT_ENUM, offsetof(struct opts, notifications), "auto", 0, 0, notify_choices,
	  "socket-destroy notifications: auto (when CAP_NET_ADMIN allows) or off (dumps only)" },
	{ "netns", HW_OPT_STRING, offsetof(struct opts, netns), "self", 0, 0, NULL,
	  "namespaces to watch, comma-separated: self, or a path (needs CAP_SYS_ADMIN), tagged netns:<name>" },
	{ "process_tags", HW_OPT_BOOL, offsetof(struct opts, process_tags), "false", 0, 0, NULL,
	  "tag connections with comm: and container_id: of the process holding the socket (scans /proc/*/fd for new sockets)" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

/* One watched network namespace. */
struct ns {
	struct probe *pr;          /* back pointer */
	char name[64];             /* netns: tag value; "" for the daemon's own namespace */
	char path[256];            /* its path; "" for self */
	ino_t ino;                 /* inode of the namespace when opened (to notice a new one at the path) */
	int gone;                  /* the path vanished: not watched until it comes back */
	ino_t tried;               /* inode at the path when opening it last failed: not retried */
	int fd;                    /* the dump socket, -1 when closed */
	int nfd;                   /* the destroy-notification socket, -1 when none */
	hw_io *io, *nio;           /* their watches */
	conn_table *table;         /* its connections */
	int dumping;               /* a dump runs */
	uint32_t seq;              /* last request sequence number used */
	double started;            /* monotonic start of the dump */
	conn_dump dump;            /* the dump being read */
};

/* Instance state. */
struct probe {
	hw_ctx *ctx;               /* host handle */
	const struct opts *o;      /* settings */
	hw_timer *tick;            /* the interval timer */
	conn_group groups[MAX_GROUPS];
	size_t ngroups;
	conn_procs *procs;         /* socket -> process tags, when process_tags */
	struct ns *ns;             /* watched namespaces */
	size_t nns;
	unsigned char buf[1 << 16];  /* receive buffer of the dump sockets */
	unsigned char nbuf[1 << 16]; /* receive buffer of the destroy-notification sockets */
	conn_dest top[MAX_PUBLISHED];/* publish(): one namespace's top destinations */
};

/* Split the comma-separated `list` into trimmed words, calling
 * fn(word, arg) for each; stops at and returns fn's first nonzero. */
static int each_word(const char *list, int (*fn)(const char *, void *), void *arg)
{
	while (list && *list) {
		char w[300];
		size_t len;
		int r;
		list += strspn(list, " \t");
		len = strcspn(list, ",");
		snprintf(w, sizeof w, "%.*s", (int)(len < sizeof w ? len : sizeof w - 1), list);
		while (*w && (w[strlen(w) - 1] == ' ' || w[strlen(w) - 1] == '\t'))
			w[strlen(w) - 1] = '\0';
		list += len + (list[len] == ',');
		if (*w && (r = fn(w, arg)))
			return r;
	}
	return 0;
}

/* The netns: tag value of a path: /proc/PID/ns/net gives pidPID, else the basename. */
static void ns_name(const char *path, char *buf, size_t len)
{
	const char *b = strrchr(path, '/');
	size_t pl = strlen(path);

	if (!strncmp(path, "/proc/", 6) && pl > 13 && !strcmp(path + pl - 7, "/ns/net"))
		snprintf(buf, len, "pid%.*s", (int)(pl - 13), path + 6);
	else
		snprintf(buf, len, "%s", b ? b + 1 : path);
}

static char verr[300];  /* the message validate returns */

static int check_ns(const char *w, void *arg)
{
	size_t *n = arg;

	if (strcmp(w, "self") && w[0] != '/') {
		snprintf(verr, sizeof verr, "netns: \"%s\" is neither self nor an absolute path", w);
		return 1;
	}
	if (strlen(w) >= sizeof((struct ns *)0)->path || ++*n > MAX_NETNS) {
		snprintf(verr, sizeof verr, "netns: \"%s\" is too long, or more than %d namespaces", w, MAX_NETNS);
		return 1;
	}
	return 0;
}

static const char *validate(const void *opts, double interval, double timeout)
{
	const struct opts *o = opts;
	conn_group g[MAX_GROUPS];
	size_t n = 0;
	char err[200];
	(void)interval;
	(void)timeout;

	if (o->destinations && conn_groups_parse(o->destinations, g, MAX_GROUPS, err, sizeof err) < 0) {
		snprintf(verr, sizeof verr, "%s", err);
		return verr;
	}
	if (each_word(o->netns, check_ns, &n))
		return verr;
	return n ? NULL : "netns: name at least one namespace (self for the daemon's own)";
}

/* ---- sockets ---- */

/* Open the sockets of `n` in the current namespace. */
static int open_sockets(struct ns *n, int notify)
{
	struct sockaddr_nl sa;
	int buf = NOTIFY_RCVBUF;

	n->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (n->fd < 0)
		return -1;
	n->nfd = -1;
	if (!notify)
		return 0;
	n->nfd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	memset(&sa, 0, sizeof sa);
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = (1u << (SKNLGRP_INET_TCP_DESTROY - 1)) | (1u << (SKNLGRP_INET6_TCP_DESTROY - 1));
	if (n->nfd >= 0 && setsockopt(n->nfd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) < 0)
		setsockopt(n->nfd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
	if (n->nfd < 0 || bind(n->nfd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		HW_WARN(n->pr->ctx, "%s%s: no socket-destroy notifications (%s%s): dumps only, so connections "
		        "shorter than an interval are missed and the last bytes of a closed one are not counted",
		        n->name[0] ? "netns " : "namespace", n->name[0] ? n->name : " self", strerror(errno),
		        errno == EPERM ? ": they need CAP_NET_ADMIN" : "");
		if (n->nfd >= 0)
			close(n->nfd);
		n->nfd = -1;
	}
	return 0;
}

static void close_sockets(struct ns *n)
{
	hw_io_free(n->io);
	hw_io_free(n->nio);
	n->io = n->nio = NULL;
	if (n->fd >= 0)
		close(n->fd);
	if (n->nfd >= 0)
		close(n->nfd);
	n->fd = n->nfd = -1;
	n->dumping = 0;
}

static void dump_cb(void *arg, int fd, int revents);
static void notify_cb(void *arg, int fd, int revents);

/* Enter the namespace at n->path (self: stay), open the sockets, come back. */
static int ns_open(struct ns *n, int self_fd)
{
	struct probe *pr = n->pr;
	struct stat st;
	int fd = -1, ok;

	if (n->path[0]) {
		if ((fd = open(n->path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0) {
			HW_ERROR(pr->ctx, "netns %s: cannot open %s: %s", n->name, n->path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (setns(fd, CLONE_NEWNET) < 0) {
			HW_ERROR(pr->ctx, "netns %s: cannot enter %s: %s%s", n->name, n->path, strerror(errno),
			         errno == EPERM ? ": watching another namespace needs CAP_SYS_ADMIN; without it "
			                          "only netns = \"self\" (the daemon's own namespace) works" : "");
			close(fd);
			return -1;
		}
		n->ino = st.st_ino;
	}
	ok = open_sockets(n, pr->o->notifications == 0);
	if (ok < 0)
		HW_ERROR(pr->ctx, "%s%s: NETLINK_SOCK_DIAG socket: %s", n->name[0] ? "netns " : "",
		         n->name[0] ? n->name : "self", strerror(errno));
	if (fd >= 0) {
		if (setns(self_fd, CLONE_NEWNET) < 0) {
			HW_ERROR(pr->ctx, "cannot come back to the daemon's namespace: %s", strerror(errno));
			ok = -1;
		}
		close(fd);
	}
	if (ok < 0) {
		close_sockets(n);
		return -1;
	}
	if (!(n->io = hw_io_new(pr->ctx, n->fd, dump_cb, n)) ||
	    (n->nfd >= 0 && !(n->nio = hw_io_new(pr->ctx, n->nfd, notify_cb, n)))) {
		HW_ERROR(pr->ctx, "out of memory");
		close_sockets(n);
		return -1;
	}
	hw_io_want(n->io, HW_READ);
	if (n->nio)
		hw_io_want(n->nio, HW_READ);
	conn_table_notify(n->table, n->nfd >= 0);
	HW_INFO(pr->ctx, "watching TCP connections in %s%s (%s)", n->name[0] ? "netns " : "the daemon's namespace",
	        n->name, n->nfd >= 0 ? "dumps and destroy notifications" : "dumps only");
	return 0;
}

/* ---- emission ---- */

/* Emit the interval of `n`. */
static void emit(struct ns *n)
{
	struct probe *pr = n->pr;
	conn_agg *a;
	long na = conn_aggregate(n->table, (unsigned)pr->o->max_destinations, &a);

	if (na < 0) {
		HW_ERROR(pr->ctx, "out of memory aggregating connections");
		return;
	}
	for (long k = 0; k < na; k++) {
		char dir[24], dest[80], port[24], netns[80], reason[24], comm[48], cont[100];
		const char *tags[8];
		const conn_proc *proc = a[k].tag;
		conn_agg *g = &a[k];
		size_t nt = 0;
		snprintf(dir, sizeof dir, "direction:%s", g->dir == CONN_OUT ? "outgoing" : "incoming");
		tags[nt++] = dir;
		snprintf(dest, sizeof dest, "dest:%s", g->dest);
		tags[nt++] = dest;
		if (g->port)
			snprintf(port, sizeof port, "port:%u", g->port);
		else  /* folded, or a failed connect the kernel cleared before any dump saw it */
			snprintf(port, sizeof port, "port:%s", strcmp(g->dest, "other") ? "unknown" : "other");
		tags[nt++] = port;
		if (n->name[0]) {
			snprintf(netns, sizeof netns, "netns:%s", n->name);
			tags[nt++] = netns;
		}
		if (proc && proc->comm[0]) {
			snprintf(comm, sizeof comm, "comm:%s", proc->comm);
			tags[nt++] = comm;
		}
		if (proc && proc->container[0]) {
			snprintf(cont, sizeof cont, "container_id:%s", proc->container);
			tags[nt++] = cont;
		}
		tags[nt] = NULL;
		hw_metric1(pr->ctx, NULL, "conn.established", HW_GAUGE, g->established, tags);
		hw_metric1(pr->ctx, NULL, "conn.opened", HW_COUNT, g->opened, tags);
		hw_metric1(pr->ctx, NULL, "conn.closed", HW_COUNT, g->closed, tags);
		hw_metric1(pr->ctx, NULL, "conn.bytes_sent", HW_COUNT, (double)g->bytes_sent, tags);
		hw_metric1(pr->ctx, NULL, "conn.bytes_received", HW_COUNT, (double)g->bytes_received, tags);
		hw_metric1(pr->ctx, NULL, "conn.retransmits", HW_COUNT, (double)g->retransmits, tags);
		if (g->nrtt) {
			hw_metric(pr->ctx, NULL, "conn.rtt", HW_DISTRIBUTION, g->rtt, g->nrtt, tags);
			hw_metric(pr->ctx, NULL, "conn.rtt_var", HW_DISTRIBUTION, g->rtt_var, g->nrtt, tags);
		}
		for (int r = 0; r < 3; r++) {
			if (!g->failed[r])
				continue;
			snprintf(reason, sizeof reason, "reason:%s", conn_fail_names[r]);
			tags[nt] = reason;
			tags[nt + 1] = NULL;
			hw_metric1(pr->ctx, NULL, "conn.failed", HW_COUNT, g->failed[r], tags);
		}
	}
	conn_aggs_free(a, (size_t)na);
}

/* Publish the top outgoing destinations of every watched namespace (their
 * last interval) to the instances that take their targets from this one.
 * Left out: loopback (no path to trace), and connections whose remote
 * port the kernel cleared (refused, or aborted by us, such as the tcp
 * plugin's own probes: not a destination the application uses). */
static void publish(struct probe *pr)
{
	hw_destination *d = calloc(pr->nns * MAX_PUBLISHED + 1, sizeof *d);
	char (*text)[INET6_ADDRSTRLEN] = calloc(pr->nns * MAX_PUBLISHED + 1, sizeof *text);
	size_t nd = 0;

	if (!d || !text) {
		HW_ERROR(pr->ctx, "out of memory publishing destinations");
		free(d);
		free(text);
		return;
	}
	for (size_t i = 0; i < pr->nns; i++) {
		size_t n = pr->ns[i].table && !pr->ns[i].gone ? conn_top_destinations(pr->ns[i].table, pr->top, MAX_PUBLISHED) : 0;
		for (size_t k = 0; k < n; k++) {
			const conn_dest *c = &pr->top[k];
			static const uint8_t v6lo[16] = { [15] = 1 };
			if ((c->family == AF_INET && c->addr[0] == 127) ||
			    (c->family == AF_INET6 && !memcmp(c->addr, v6lo, 16)) || !c->port)
				continue;  /* loopback, or a port the kernel cleared (port:unknown) */
			inet_ntop(c->family, c->addr, text[nd], sizeof text[nd]);
			d[nd] = (hw_destination){ .host = text[nd], .port = c->port, .bytes = c->bytes };
			nd++;
		}
	}
	hw_publish_destinations(pr->ctx, d, nd);
	free(d);
	free(text);
}

/* ---- dumps ---- */

/* Send the dump request for n->dump.family with a new sequence number. */
static void dump_send(struct ns *n)
{
	unsigned char req[INETDIAG_REQ_LEN];
	size_t len;

	n->dump.seq = ++n->seq;
	len = inetdiag_dump_request(req, sizeof req, n->dump.family, n->dump.seq);
	if (send(n->fd, req, len, 0) != (ssize_t)len) {
		HW_ERROR(n->pr->ctx, "%s: sock_diag dump request: %s", n->name[0] ? n->name : "self", strerror(errno));
		n->dumping = 0;
	}
}

/* Start a try of the dump of `n` (IPv4 first); `retry`: after an inconsistent one. */
static void dump_start(struct ns *n, int retry)
{
	n->dumping = 1;
	if (!retry)
		n->started = hw_mono();
	conn_dump_begin(&n->dump, n->seq + 1, retry);
	dump_send(n);
}

static void notify_cb(void *arg, int fd, int revents);

/* Both families are dumped, consistently: apply and emit. */
static void dump_done(struct ns *n)
{
	struct probe *pr = n->pr;
	double took = hw_mono() - n->started;

	n->dumping = 0;
	if (pr->procs)
		conn_procs_next_dump(pr->procs);
	if (conn_apply_dump(n->table, n->dump.socks, n->dump.n, hw_mono()) < 0) {
		HW_ERROR(pr->ctx, "out of memory applying a dump of %zu sockets", n->dump.n);
		return;
	}
	HW_DEBUG(pr->ctx, "%s: dump of %zu sockets in %.3f ms, %zu connections tracked, %lu /proc scans so far "
	         "(last %.3f ms)", n->name[0] ? n->name : "self", n->dump.n, took * 1e3, conn_table_size(n->table),
	         pr->procs ? conn_procs_scans(pr->procs) : 0ul, pr->procs ? conn_procs_scan_ms(pr->procs) : 0.);
	emit(n);
	publish(pr);
}

/* Act on the step the dump asks for after a message. */
static void dump_step(struct ns *n, enum conn_dump_step step)
{
	const char *name = n->name[0] ? n->name : "self";

	switch (step) {
	case CONN_DUMP_MORE:
		return;
	case CONN_DUMP_SEND_V6:
		dump_send(n);
		return;
	case CONN_DUMP_COMPLETE:
	case CONN_DUMP_RETRY:
		/* Destroy notifications queued before the end of the dump come
		 * first, so that a socket of the dump already destroyed stays ended. */
		if (n->nfd >= 0)
			notify_cb(n, n->nfd, HW_READ);
		if (step == CONN_DUMP_COMPLETE) {
			dump_done(n);
		} else {
			HW_DEBUG(n->pr->ctx, "%s: dump interrupted (NLM_F_DUMP_INTR): retrying", name);
			dump_start(n, 1);
		}
		return;
	case CONN_DUMP_GIVE_UP:
		HW_WARN(n->pr->ctx, "%s: %d dumps in a row were interrupted (NLM_F_DUMP_INTR): interval skipped, "
		        "nothing half-counted", name, CONN_DUMP_TRIES);
		break;
	case CONN_DUMP_FAILED:
		HW_WARN(n->pr->ctx, "%s: sock_diag dump failed: %s", name,
		        n->dump.error ? strerror(n->dump.error) : "out of memory");
		break;
	}
	n->dumping = 0;
}

/* One datagram of `fd` into `buf` (`len` bytes), EINTR retried; -1 with errno. */
static ssize_t recv_some(int fd, unsigned char *buf, size_t len)
{
	ssize_t got;

	do
		got = recv(fd, buf, len, MSG_DONTWAIT);
	while (got < 0 && errno == EINTR);
	return got;
}

/* The one receive loop of both sockets of `n`: read every datagram queued
 * on `fd` into `buf` (`len` bytes) and hand each sock_diag message to
 * `msg`.  `trouble(n, err)` hears of a receive error (errno) or, err 0, of
 * a malformed datagram (the rest of it is skipped), and returns 1 to go on
 * reading, 0 to stop.  Returns when nothing is queued any more. */
static void recv_all(struct ns *n, int fd, unsigned char *buf, size_t len,
                     void (*msg)(struct ns *n, const inetdiag_msg *m), int (*trouble)(struct ns *n, int err))
{
	for (;;) {
		ssize_t got = recv_some(fd, buf, len);
		size_t off = 0;
		inetdiag_msg m;
		int r;
		if (got < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || !trouble(n, errno))
				return;
			continue;
		}
		while ((r = inetdiag_next(buf, (size_t)got, &off, &m)) > 0)
			msg(n, &m);
		if (r < 0 && !trouble(n, 0))
			return;
	}
}

/* A message of the dump socket: the dump under way, if any, takes it. */
static void dump_msg(struct ns *n, const inetdiag_msg *m)
{
	if (n->dumping)
		dump_step(n, conn_dump_feed(&n->dump, m));
}

/* The dump socket failed, or sent a malformed message: the dump is abandoned. */
static int dump_trouble(struct ns *n, int err)
{
	const char *name = n->name[0] ? n->name : "self";

	if (err)
		HW_WARN(n->pr->ctx, "%s: sock_diag receive: %s%s", name, strerror(err),
		        n->dumping ? "; dump abandoned" : "");
	else if (n->dumping)
		HW_WARN(n->pr->ctx, "%s: malformed sock_diag message: dump abandoned", name);
	n->dumping = 0;
	return !err;  /* a malformed datagram: read on, for the next dump's replies */
}

static void dump_cb(void *arg, int fd, int revents)
{
	struct ns *n = arg;
	(void)revents;

	recv_all(n, fd, n->pr->buf, sizeof n->pr->buf, dump_msg, dump_trouble);
}

/* A destroy notification: the connection ends with these final figures. */
static void notify_msg(struct ns *n, const inetdiag_msg *m)
{
	if (m->kind == INETDIAG_SOCK)
		conn_destroyed(n->table, &m->sock, hw_mono());
}

/* The notification socket overflowed (read on), failed (stop) or sent a
 * malformed datagram (skipped). */
static int notify_trouble(struct ns *n, int err)
{
	const char *name = n->name[0] ? n->name : "self";

	if (err == ENOBUFS)
		HW_WARN(n->pr->ctx, "%s: destroy notifications overflowed: some ends are seen by the next dump only", name);
	else if (err)
		HW_WARN(n->pr->ctx, "%s: destroy notifications: %s", name, strerror(err));
	else
		HW_DEBUG(n->pr->ctx, "%s: malformed destroy notification: skipped", name);
	return err == ENOBUFS || !err;
}

/* Its own buffer: dump_step drains the notifications in the middle of a
 * dump datagram, whose parsing must not be overwritten. */
static void notify_cb(void *arg, int fd, int revents)
{
	struct ns *n = arg;
	(void)revents;

	recv_all(n, fd, n->pr->nbuf, sizeof n->pr->nbuf, notify_msg, notify_trouble);
}

/* The table's tagger: the process tags of a socket inode. */
static const void *proc_tag(void *arg, uint32_t inode)
{
	return conn_procs_lookup(arg, inode);
}

/* Whether the namespace of `n` is still at its path; logs changes. */
static int ns_present(struct ns *n)
{
	struct stat st;

	if (!n->path[0])
		return 1;
	if (stat(n->path, &st) == 0 && (n->fd < 0 || st.st_ino == n->ino)) {
		if (n->gone && st.st_ino != n->tried) {
			int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
			if (self >= 0 && ns_open(n, self) == 0) {
				HW_INFO(n->pr->ctx, "netns %s is back at %s", n->name, n->path);
				n->gone = 0;
			} else {
				n->tried = st.st_ino;
			}
			if (self >= 0)
				close(self);
		}
		return !n->gone;
	}
	if (!n->gone)
		HW_WARN(n->pr->ctx, "netns %s disappeared from %s (%s): no longer watched; watched again if it comes back",
		        n->name, n->path, errno ? strerror(errno) : "another namespace is there now");
	n->gone = 1;
	close_sockets(n);
	conn_table_free(n->table);
	if ((n->table = conn_table_new(n->pr->groups, n->pr->ngroups)) && n->pr->procs)
		conn_table_tagger(n->table, proc_tag, n->pr->procs);
	return 0;
}

static void tick_cb(void *arg)
{
	struct probe *pr = arg;

	hw_timer_arm(pr->tick, hw_interval(pr->ctx));
	for (size_t i = 0; i < pr->nns; i++) {
		struct ns *n = &pr->ns[i];
		errno = 0;
		if (!ns_present(n) || n->fd < 0 || !n->table)
			continue;
		if (n->dumping) {
			HW_WARN(pr->ctx, "%s: the last dump did not end within an interval: restarted",
			        n->name[0] ? n->name : "self");
		}
		dump_start(n, 0);
	}
}

/* Add namespace word `w` to the probe. */
static int add_ns(const char *w, void *arg)
{
	struct probe *pr = arg;
	struct ns *n = &pr->ns[pr->nns++];

	n->pr = pr;
	n->fd = n->nfd = -1;
	if (strcmp(w, "self")) {
		snprintf(n->path, sizeof n->path, "%s", w);
		ns_name(w, n->name, sizeof n->name);
	}
	return 0;
}

static void stop(void *state)
{
	struct probe *pr = state;

	for (size_t i = 0; i < pr->nns; i++) {
		close_sockets(&pr->ns[i]);
		conn_table_free(pr->ns[i].table);
		conn_dump_free(&pr->ns[i].dump);
	}
	free(pr->ns);
	conn_procs_free(pr->procs);
	hw_timer_free(pr->tick);
	free(pr);
}

static int start(hw_ctx *ctx, const void *opts, void **state)
{
	struct probe *pr = calloc(1, sizeof *pr);
	char err[200];
	int self, opened = 0;
	int ng;

	if (!pr || !(pr->ns = calloc(MAX_NETNS, sizeof *pr->ns))) {
		free(pr);
		HW_ERROR(ctx, "out of memory");
		return -1;
	}
	pr->ctx = ctx;
	pr->o = opts;
	ng = pr->o->destinations ? conn_groups_parse(pr->o->destinations, pr->groups, MAX_GROUPS, err, sizeof err) : 0;
	if (ng < 0) {
		HW_ERROR(ctx, "%s", err);
		stop(pr);
		return -1;
	}
	pr->ngroups = (size_t)ng;
	if (pr->o->process_tags && !(pr->procs = conn_procs_new("/proc"))) {
		HW_ERROR(ctx, "out of memory");
		stop(pr);
		return -1;
	}
	each_word(pr->o->netns, add_ns, pr);
	if ((self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0) {
		HW_ERROR(ctx, "cannot open /proc/self/ns/net: %s", strerror(errno));
		stop(pr);
		return -1;
	}
	for (size_t i = 0; i < pr->nns; i++) {
		struct ns *n = &pr->ns[i];
		if (!(n->table = conn_table_new(pr->groups, pr->ngroups))) {
			HW_ERROR(ctx, "out of memory");
			break;
		}
		if (pr->procs)
			conn_table_tagger(n->table, proc_tag, pr->procs);
		if (ns_open(n, self) == 0) {
			opened++;
		} else {
			struct stat st;
			n->gone = 1;
			n->tried = n->path[0] && stat(n->path, &st) == 0 ? st.st_ino : 0;
		}
	}
	close(self);
	if (!opened || !(pr->tick = hw_timer_new(ctx, tick_cb, pr))) {
		HW_ERROR(ctx, "no namespace could be watched");
		stop(pr);
		return -1;
	}
	hw_timer_arm(pr->tick, 0);  /* the first dump is the baseline */
	*state = pr;
	return 0;
}

/* What an interval sends per aggregate (direction, dest, port); the
 * figures are struct tcp_info's (linux/tcp.h) and the kernel's states. */
static const hw_metric_def metrics[] = {
	{ "conn.established", HW_GAUGE, 1, "direction,dest,port", "connections in ESTABLISHED at the dump" },
	{ "conn.opened", HW_COUNT, 1, "direction,dest,port", "connections first seen since the last interval" },
	{ "conn.closed", HW_COUNT, 1, "direction,dest,port", "connections gone since the last interval" },
	{ "conn.bytes_sent", HW_COUNT, 1, "direction,dest,port", "data bytes the peer acknowledged (tcpi_bytes_acked delta, less SYN and FIN)" },
	{ "conn.bytes_received", HW_COUNT, 1, "direction,dest,port", "bytes received (tcpi_bytes_received delta)" },
	{ "conn.retransmits", HW_COUNT, 1, "direction,dest,port", "segments retransmitted (tcpi_total_retrans delta)" },
	{ "conn.rtt", HW_DISTRIBUTION, 1, "direction,dest,port", "ms, tcpi_rtt of each connection with a sample" },
	{ "conn.rtt_var", HW_DISTRIBUTION, 1, "direction,dest,port", "ms, tcpi_rttvar of each connection with a sample" },
	{ "conn.failed", HW_COUNT, 1, "direction,dest,port,reason", "failed connections by reason: refused, reset, timeout" },
	{ NULL, 0, 0, NULL, NULL },
};

HW_PLUGIN_EXPORT = {
	.abi = HW_PLUGIN_ABI,
	.size = sizeof(hw_plugin),
	.name = "conn",
	.options = options,
	.options_size = sizeof(struct opts),
	.target_size = 0,
	.port = HW_PORT_NONE,
	.validate = validate,
	.start = start,
	.run = NULL,
	.readdress = NULL,
	.stop = stop,
	.metrics = metrics,
	.default_interval = 10,  /* issue 18: a dump every 10 s unless the instance says otherwise */
};
