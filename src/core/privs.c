/*
 * privs.c: see privs.h.  Capabilities are set with the raw capget/capset
 * system calls (no libcap): version 3, two 32-bit words.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hopwatch.h"
#include "privs.h"

/* The capability sets of this process. */
struct caps {
	struct __user_cap_header_struct hdr;    /* version and pid (0: self) */
	struct __user_cap_data_struct data[2];  /* capabilities 0-31 and 32-63 */
};

static int caps_get(struct caps *c)
{
	memset(c, 0, sizeof *c);
	c->hdr.version = _LINUX_CAPABILITY_VERSION_3;
	return (int)syscall(SYS_capget, &c->hdr, c->data);
}

static int caps_set(struct caps *c)
{
	c->hdr.version = _LINUX_CAPABILITY_VERSION_3;
	c->hdr.pid = 0;
	return (int)syscall(SYS_capset, &c->hdr, c->data);
}

/* Bit of CAP_NET_RAW in its word. */
#define RAW_BIT (1u << (CAP_NET_RAW % 32))
#define RAW_WORD (CAP_NET_RAW / 32)

/* Whether CAP_NET_RAW is permitted now. */
static int raw_permitted(void)
{
	struct caps c;

	return caps_get(&c) == 0 && (c.data[RAW_WORD].permitted & RAW_BIT);
}

/* Shrink the bounding set to at most CAP_NET_RAW.  Needs CAP_SETPCAP in
 * the effective set, so it runs before setuid(); without it (an
 * unprivileged start) it fails harmlessly: there is nothing to bound. */
static void bounding_limit(int keep_raw)
{
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (cap != CAP_NET_RAW || !keep_raw)
			prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
}

/* Keep at most CAP_NET_RAW, permitted but not effective; clear the
 * ambient and inheritable sets. */
static int caps_limit(int keep_raw)
{
	struct caps c;

	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(c.data, 0, sizeof c.data);
	if (keep_raw)
		c.data[RAW_WORD].permitted = RAW_BIT;
	return caps_set(&c);
}

/* Why getpwnam() found no entry, from its errno: "no such user" for the
 * values that mean just that (getpwnam(3)), else the error. */
static const char *lookup_error(int e)
{
	return e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM ? "no such user" : strerror(e);
}

const char *privs_user_problem(const char *user)
{
	errno = 0;
	return getpwnam(user) ? NULL : lookup_error(errno);
}

int privs_drop(const char *user, int keep_raw)
{
	struct passwd *pw = NULL;

	keep_raw = keep_raw && raw_permitted();

	bounding_limit(keep_raw);
	if (user) {
		errno = 0;
		if (!(pw = getpwnam(user))) {
			HW_ERROR(NULL, "user \"%s\": %s", user, lookup_error(errno));
			return -1;
		}
		if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid) {
			/* keep the permitted set across setuid, to trim it below */
			if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
			    initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
			    setuid(pw->pw_uid) < 0) {
				HW_ERROR(NULL, "cannot become user \"%s\": %s", user, strerror(errno));
				return -1;
			}
			prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
			if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
				HW_ERROR(NULL, "could regain root after dropping to \"%s\": refusing to run", user);
				return -1;
			}
		}
	}
	if (caps_limit(keep_raw) < 0) {
		HW_ERROR(NULL, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		HW_ERROR(NULL, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	if (user)
		HW_INFO(NULL, "running as user %s (uid %u, gid %u)%s", user, (unsigned)pw->pw_uid,
		        (unsigned)pw->pw_gid, keep_raw ? "; CAP_NET_RAW kept for reloads, not effective" : "");
	return 0;
}

int privs_raw(int on)
{
	struct caps c;

	if (caps_get(&c) < 0 || !(c.data[RAW_WORD].permitted & RAW_BIT))
		return -1;
	if (on)
		c.data[RAW_WORD].effective |= RAW_BIT;
	else
		c.data[RAW_WORD].effective &= ~RAW_BIT;
	return caps_set(&c);
}
