/*
 * rounds.h: when each target's round starts.  (Not "sched.h": on the
 * include path that would shadow the system <sched.h> <pthread.h> needs.)
 * Pure: no loop, no clock, no instance; the caller passes the time (CLOCK_MONOTONIC seconds, hw_mono())
 * and starts the rounds it is told to.  Unit-tested with a fake clock in
 * t/unit/rounds.c.
 *
 * Target k of n starts at base + k * interval / n, then every interval:
 * starts are spread evenly so that thousands of targets never burst, and
 * one timer per instance serves all of its targets.  Slot number s (from 0)
 * is due at base + s * interval / n and belongs to target s mod n.  After a
 * sleep longer than an interval (suspend, a stopped process) the backlog is
 * not fired: the schedule resumes at the present slot.
 */
#ifndef HW_ROUNDS_H
#define HW_ROUNDS_H

#include <stddef.h>
#include <stdint.h>

/* Starts closer together than this (seconds) are due at the same wakeup,
 * so that a timer firing a little early does not cost a second wakeup. */
#define SCHED_SLACK 0.0005

/* The schedule of one instance's targets. */
struct sched {
	double interval;   /* seconds between two rounds of one target (> 0) */
	size_t n;          /* targets (> 0) */
	double step;       /* seconds between two consecutive slots: interval / n */
	double base;       /* clock reading (seconds) at which slot 0 is due */
	uint64_t seq;      /* next slot to hand out: slots handed out or skipped so far */
};

/* Begin a schedule of `n` targets (> 0) every `interval` seconds (> 0),
 * slot 0 due at `now`. */
void sched_init(struct sched *s, double interval, size_t n, double now);
/* The target count became `n` (> 0): keep the rotation (slot numbers go
 * on, so no target is favoured), spread the next slots `interval / n`
 * apart, and bring the next one forward to at most one new step from
 * `now`, so that a new target waits no longer than that. */
void sched_resize(struct sched *s, size_t n, double now);
/* The next slot due at `now` (within SCHED_SLACK): returns 1 and sets
 * *target to the index (0 to n-1) of the target whose round starts, or 0
 * when no slot is due.  Call it until it returns 0.  A backlog of more
 * than an interval is skipped, never fired. */
int sched_next(struct sched *s, double now, size_t *target);
/* Seconds from `now` until the next slot is due; 0 when it is due already. */
double sched_wait(const struct sched *s, double now);

#endif
