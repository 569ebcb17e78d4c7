/* privs.h: dropping root after every privileged socket is open. */
#ifndef HW_PRIVS_H
#define HW_PRIVS_H

/* Become `user` (its uid, gid and supplementary groups), lose every
 * capability and set no_new_privs.  Returns 0, or -1 after logging why;
 * the caller must not go on as root then. */
int privs_drop(const char *user);

#endif
