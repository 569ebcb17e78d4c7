/*
 * t/unit/conn-procs.c: socket inode -> process tags (plugins/conn/procs.c,
 * compiled in here) over a fake /proc tree made in a temporary directory,
 * and the container-id parser of /proc/PID/cgroup text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/conn/procs.c"
#include "test-lib.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char root[64];

/* Write text into root/rel. */
static void put_file(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", root, rel);
	if ((f = fopen(path, "w"))) {
		fputs(text, f);
		fclose(f);
	}
}

/* Make root/rel a directory. */
static void dir(const char *rel)
{
	char path[256];

	snprintf(path, sizeof path, "%s/%s", root, rel);
	mkdir(path, 0755);
}

/* Make root/rel a symlink to target. */
static void link_to(const char *rel, const char *target)
{
	char path[256];

	snprintf(path, sizeof path, "%s/%s", root, rel);
	if (symlink(target, path) < 0)
		diag("symlink %s: failed", path);
}

int main(void)
{
	static const struct { const char *text; const char *want; } cg[] = {
		{ "0::/system.slice/docker-" ID ".scope\n", ID },
		{ "0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-" ID ".scope\n", ID },
		{ "12:memory:/docker/" ID "\n11:cpu:/docker/" ID "\n", ID },
		{ "0::/kubepods/burstable/pod8e1f/" ID "\n", ID },
		{ "0::/user.slice/user-1000.slice/session-2.scope\n", NULL },
		{ "0::/docker/" ID "0\n", NULL },                       /* 65 hex digits */
		{ "0::/docker/" "123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" "\n", NULL },  /* 63 */
		{ "", NULL },
	};
	char out[80];
	conn_procs *p;
	const conn_proc *a, *b, *c;

	for (size_t k = 0; k < sizeof cg / sizeof *cg; k++) {
		int r = conn_cgroup_container(cg[k].text, out, sizeof out);
		if (cg[k].want)
			ok(r == 0 && !strcmp(out, cg[k].want), "cgroup %zu: container id found", k);
		else
			is_int(r, -1, "cgroup: no container id");
	}

	snprintf(root, sizeof root, "/tmp/hw-procs.XXXXXX");
	if (!mkdtemp(root))
		return 1;
	dir("100"); dir("100/fd"); dir("200"); dir("200/fd"); dir("300"); dir("self"); dir("self/fd");
	put_file("100/comm", "nginx\n");
	put_file("100/cgroup", "0::/system.slice/docker-" ID ".scope\n");
	link_to("100/fd/3", "socket:[555]");
	link_to("100/fd/4", "/dev/null");
	link_to("100/fd/5", "socket:[556]");
	put_file("200/comm", "curl\n");
	put_file("200/cgroup", "0::/user.slice\n");
	link_to("200/fd/5", "socket:[777]");
	put_file("300/comm", "nofd\n");
	link_to("self/fd/9", "socket:[888]");

	p = conn_procs_new(root);
	a = conn_procs_lookup(p, 555);
	ok(a && !strcmp(a->comm, "nginx") && !strcmp(a->container, ID), "socket 555: nginx in its container");
	is_int(conn_procs_scans(p), 1, "one scan");
	b = conn_procs_lookup(p, 556);
	ok(b == a, "another socket of the same process: the same tags");
	c = conn_procs_lookup(p, 777);
	ok(c && !strcmp(c->comm, "curl") && !c->container[0], "socket 777: curl, no container");
	ok(!conn_procs_lookup(p, 888), "a non-numeric /proc entry is no process");
	ok(!conn_procs_lookup(p, 999), "unknown socket: none");
	ok(!conn_procs_lookup(p, 0), "inode 0: none");
	is_int(conn_procs_scans(p), 1, "misses rescan at most once per dump");
	/* a new process appears; the next dump finds it */
	dir("400"); dir("400/fd");
	put_file("400/comm", "redis-server\n");
	link_to("400/fd/7", "socket:[999]");
	ok(!conn_procs_lookup(p, 999), "same dump: not rescanned");
	conn_procs_next_dump(p);
	a = conn_procs_lookup(p, 999);
	ok(a && !strcmp(a->comm, "redis-server"), "next dump: found");
	is_int(conn_procs_scans(p), 2, "two scans");
	conn_procs_free(p);
	{
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
		if (system(cmd) != 0)
			diag("could not remove %s", root);
	}
	return done_testing();
}
