/*
 * procs.h: process and container tags of sockets for the conn plugin
 * (process_tags = true).  A socket's inode is mapped to the process that
 * holds it by reading /proc/PID/fd links ("socket:[INODE]"), at most once
 * per dump and only when a new socket is not in the map of the last scan
 * (which holds the sockets alive then); the comm and container id
 * (/proc/PID/cgroup) of each process holding a socket are read during the
 * scan and interned, so a connection keeps one pointer.  Reading another user's /proc/PID/fd needs that user, or
 * CAP_SYS_PTRACE: sockets of processes that cannot be read stay untagged.
 */
#ifndef HOPWATCH_CONN_PROCS_H
#define HOPWATCH_CONN_PROCS_H

#include <stddef.h>
#include <stdint.h>

/* The tags of one process; interned: one pointer per distinct pair. */
typedef struct conn_proc {
	char comm[32];          /* /proc/PID/comm, "" when unknown */
	char container[80];     /* container id from /proc/PID/cgroup, "" when none */
} conn_proc;

/* The mapper (opaque). */
typedef struct conn_procs conn_procs;

/* A mapper reading `root` ("/proc"; tests pass a fake tree); NULL when out of memory. */
conn_procs *conn_procs_new(const char *root);
/* Free it and every conn_proc it handed out. */
void conn_procs_free(conn_procs *p);
/* A new dump begins: the next cache miss may scan /proc again. */
void conn_procs_next_dump(conn_procs *p);
/* The tags of the process holding socket `inode`, or NULL (inode 0, not
 * found, or unreadable).  Valid until conn_procs_free. */
const conn_proc *conn_procs_lookup(conn_procs *p, uint32_t inode);
/* Scans of /proc done so far (for the debug log and the benchmark). */
unsigned long conn_procs_scans(const conn_procs *p);
/* Wall time of the last scan, ms (CLOCK_MONOTONIC). */
double conn_procs_scan_ms(const conn_procs *p);

/* The container id in the text of a /proc/PID/cgroup file: the last run of
 * exactly 64 hex digits in a path (docker-<id>.scope, cri-containerd-<id>,
 * /docker/<id>, /kubepods/.../<id>), written to out; 0 when found, -1 when
 * none.  Pure. */
int conn_cgroup_container(const char *text, char *out, size_t len);

#endif /* HOPWATCH_CONN_PROCS_H */
