/*
 * pathdiff.h: comparing two traced paths.  Pure functions, unit-tested in
 * t/unit/pathdiff.c.  A path is the list of responder addresses by TTL
 * (index 0 is TTL 1); an unknown hop ("" or NULL: no reply, a silent or
 * rate-limited router) matches any address, and so does a hop past the end
 * of the shorter path, so that loss alone never looks like a change.
 */
#ifndef HW_PATHDIFF_H
#define HW_PATHDIFF_H

/* The first TTL (1-based) at which `a` and `b` name different known
 * addresses; 0 when they are compatible. */
unsigned path_diff(const char *const *a, unsigned na, const char *const *b, unsigned nb);

#endif
