/* privs.c: see privs.h. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "hopwatch.h"
#include "privs.h"

int privs_drop(const char *user)
{
	struct passwd *pw;

	errno = 0;
	if (!(pw = getpwnam(user))) {
		HW_ERROR(NULL, "user \"%s\": %s", user, errno ? strerror(errno) : "no such user");
		return -1;
	}
	if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid)
		goto done;  /* already that user (started by systemd as User=) */
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		HW_ERROR(NULL, "cannot become user \"%s\": %s", user, strerror(errno));
		return -1;
	}
	/* setuid() from root to another uid clears every capability set unless
	 * SECBIT_KEEP_CAPS is on; verify instead of trusting it. */
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		HW_ERROR(NULL, "could regain root after dropping to \"%s\": refusing to run", user);
		return -1;
	}
done:
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		HW_ERROR(NULL, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	HW_INFO(NULL, "running as user %s (uid %u, gid %u)", user, (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
	return 0;
}
