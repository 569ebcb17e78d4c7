/* procs.c: socket inode -> process tags (see procs.h). */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "procs.h"

/* Most distinct processes (comm, container) kept; later ones stay untagged. */
#define MAX_PROCS 4096

/* One socket inode -> process mapping of the last scan. */
struct ino_ent {
	uint32_t inode;              /* 0: empty slot */
	const conn_proc *proc;       /* its process's tags */
};

struct conn_procs {
	char root[256];              /* "/proc" */
	struct ino_ent *map;         /* open addressing, cap slots */
	size_t cap, n;
	conn_proc **procs;           /* interned tags */
	size_t nprocs;
	int scanned;                 /* a scan ran during this dump */
	unsigned long scans;         /* scans so far */
	double scan_ms;              /* wall time of the last scan, ms */
};

conn_procs *conn_procs_new(const char *root)
{
	conn_procs *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	snprintf(p->root, sizeof p->root, "%s", root);
	p->cap = 1024;
	p->map = calloc(p->cap, sizeof *p->map);
	p->procs = calloc(MAX_PROCS, sizeof *p->procs);
	if (!p->map || !p->procs) {
		conn_procs_free(p);
		return NULL;
	}
	return p;
}

void conn_procs_free(conn_procs *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nprocs; i++)
		free(p->procs[i]);
	free(p->procs);
	free(p->map);
	free(p);
}

void conn_procs_next_dump(conn_procs *p)
{
	p->scanned = 0;
}

unsigned long conn_procs_scans(const conn_procs *p)
{
	return p->scans;
}

double conn_procs_scan_ms(const conn_procs *p)
{
	return p->scan_ms;
}

/* CLOCK_MONOTONIC in ms. */
static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t slot(uint32_t inode, size_t cap)
{
	return (size_t)(inode * 2654435761u) & (cap - 1);
}

static struct ino_ent *find(const conn_procs *p, uint32_t inode)
{
	for (size_t i = slot(inode, p->cap);; i = (i + 1) & (p->cap - 1))
		if (!p->map[i].inode || p->map[i].inode == inode)
			return &p->map[i];
}

/* Remember inode -> proc; the map grows at half full. */
static void put(conn_procs *p, uint32_t inode, const conn_proc *proc)
{
	struct ino_ent *e;

	if ((p->n + 1) * 2 > p->cap) {
		size_t ncap = p->cap * 2;
		struct ino_ent *old = p->map, *nm = calloc(ncap, sizeof *nm);
		if (!nm)
			return;
		p->map = nm;
		for (size_t i = 0; i < p->cap; i++)
			if (old[i].inode) {
				size_t k = slot(old[i].inode, ncap);
				while (nm[k].inode)
					k = (k + 1) & (ncap - 1);
				nm[k] = old[i];
			}
		p->cap = ncap;
		free(old);
	}
	e = find(p, inode);
	if (!e->inode)
		p->n++;
	e->inode = inode;
	e->proc = proc;
}

int conn_cgroup_container(const char *text, char *out, size_t len)
{
	const char *best = NULL;

	for (const char *s = text; *s; s++) {
		size_t run = 0;
		while (isxdigit((unsigned char)s[run]))
			run++;
		if (run == 64 && (s == text || !isalnum((unsigned char)s[-1])))
			best = s;
		if (run)
			s += run - 1;
	}
	if (!best || len < 65)
		return -1;
	memcpy(out, best, 64);
	out[64] = '\0';
	return 0;
}

/* Read up to len-1 bytes of root/pid/name into buf; -1 when unreadable. */
static int read_small(const conn_procs *p, const char *pid, const char *name, char *buf, size_t len)
{
	char path[512];
	ssize_t got;
	int fd;

	snprintf(path, sizeof path, "%s/%s/%s", p->root, pid, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	got = read(fd, buf, len - 1);
	close(fd);
	if (got < 0)
		return -1;
	buf[got] = '\0';
	return 0;
}

/* The interned tags of process `pid`; NULL when unreadable or full. */
static const conn_proc *proc_of(conn_procs *p, const char *pid)
{
	char cg[4096];
	conn_proc q;

	memset(&q, 0, sizeof q);
	if (read_small(p, pid, "comm", q.comm, sizeof q.comm) < 0)
		return NULL;
	q.comm[strcspn(q.comm, "\n")] = '\0';
	if (read_small(p, pid, "cgroup", cg, sizeof cg) == 0)
		conn_cgroup_container(cg, q.container, sizeof q.container);
	for (size_t i = 0; i < p->nprocs; i++)
		if (!strcmp(p->procs[i]->comm, q.comm) && !strcmp(p->procs[i]->container, q.container))
			return p->procs[i];
	if (p->nprocs == MAX_PROCS || !(p->procs[p->nprocs] = malloc(sizeof q)))
		return NULL;
	*p->procs[p->nprocs] = q;
	return p->procs[p->nprocs++];
}

/* Map every socket inode of every readable process. */
static void scan(conn_procs *p)
{
	DIR *d = opendir(p->root), *fds;
	struct dirent *de, *fe;

	p->scans++;
	/* The map is the sockets alive now: closed ones never pile up. */
	memset(p->map, 0, p->cap * sizeof *p->map);
	p->n = 0;
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[600];
		const conn_proc *proc = NULL;
		int looked = 0;
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof path, "%s/%s/fd", p->root, de->d_name);
		if (!(fds = opendir(path)))
			continue;  /* gone, or another user's without CAP_SYS_PTRACE */
		while ((fe = readdir(fds))) {
			char link[64], lp[900];
			ssize_t n;
			unsigned long ino;
			if (fe->d_name[0] == '.')
				continue;
			snprintf(lp, sizeof lp, "%s/%s", path, fe->d_name);
			if ((n = readlink(lp, link, sizeof link - 1)) < 8)
				continue;
			link[n] = '\0';
			if (sscanf(link, "socket:[%lu]", &ino) != 1 || !ino || ino > UINT32_MAX)
				continue;
			if (!looked) {
				proc = proc_of(p, de->d_name);
				looked = 1;
			}
			if (proc)
				put(p, (uint32_t)ino, proc);
		}
		closedir(fds);
	}
	closedir(d);
}

const conn_proc *conn_procs_lookup(conn_procs *p, uint32_t inode)
{
	struct ino_ent *e;

	if (!inode)
		return NULL;
	e = find(p, inode);
	if (e->inode)
		return e->proc;
	if (p->scanned)
		return NULL;
	p->scanned = 1;
	p->scan_ms = mono_ms();
	scan(p);
	p->scan_ms = mono_ms() - p->scan_ms;
	e = find(p, inode);
	return e->inode ? e->proc : NULL;
}
