/*
 * privs.h: shedding privileges once every privileged socket is open.
 *
 * After start-up hopwatchd keeps no capability in its effective set.
 * CAP_NET_RAW, when it had it and a probe uses raw sockets, stays in the
 * permitted set only, so that a reload can raise it for the moment it
 * opens new raw sockets; every
 * other capability, the ambient and inheritable sets and (when allowed)
 * the bounding set are cleared, and no_new_privs is set.
 */
#ifndef HW_PRIVS_H
#define HW_PRIVS_H

/* Become `user` (NULL: stay who we are; else its uid, gid and groups) and
 * limit capabilities as above, keeping CAP_NET_RAW permitted only when
 * `keep_raw` (a probe uses a raw socket).  Returns 0, or -1 after logging
 * why: the caller must then exit rather than go on with privileges. */
int privs_drop(const char *user, int keep_raw);

/* Whether `user` can be looked up as privs_drop() will: NULL, or why not
 * ("no such user", or the lookup's error).  conf_load checks it, so that
 * `hopwatchd -t` refuses what the start would. */
const char *privs_user_problem(const char *user);

/* Raise (on 1) or lower (0) CAP_NET_RAW in the effective set, when it is
 * permitted; -1 when it is not. */
int privs_raw(int on);

#endif
