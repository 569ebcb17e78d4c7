/*
 * t/mock/hostmock.h: a fake host for plugin unit tests (like collectd's
 * plugin_mock.c).  It defines every hw_* function of include/hopwatch.h, so
 * a plugin's objects link into a test program without the daemon: timers
 * run on a fake clock the test advances, fd watches are recorded and never
 * polled, raw sockets are refused (EPERM), and metrics, service checks and
 * traced paths are captured for the test to read.  One host, one instance:
 * mock_setup() resets everything.
 */
#ifndef HW_HOSTMOCK_H
#define HW_HOSTMOCK_H

#include <stddef.h>

#include "hopwatch.h"

/* One captured metric or service check (first value only). */
struct mock_metric {
	char name[64];           /* name as the plugin gave it (no prefix) */
	int check;               /* 1: a service check (value is its status) */
	double value;            /* first value, or the status */
	char tags[256];          /* the extra tags, comma-separated */
	int target;              /* index of the target, -1: none */
};

/* One captured hw_path_report. */
struct mock_path {
	int target;              /* index of the target */
	char protocol[8];        /* "icmp", "udp", "tcp" */
	unsigned nhops;          /* hops */
	hw_hop hops[HW_PATH_MAX_HOPS];  /* copied */
	int reached;             /* 1: destination answered */
	double duration;         /* seconds */
};

/* Reset the host: `n` targets from literal addresses (targets[i], "" for
 * an unresolved one), each with target_size bytes of zeroed plugin data;
 * the instance's interval and timeout in seconds; the clock at 0. */
hw_ctx *mock_setup(const char *const *targets, size_t n, size_t target_size, double interval,
                   double timeout);
/* Free the targets and every timer and watch left; the end of a test. */
void mock_teardown(void);
/* Target i. */
hw_target *mock_target(size_t i);

/* The fake CLOCK_MONOTONIC of hw_mono(), seconds. */
double mock_now(void);
/* Move the clock to t (never backwards) without firing timers. */
void mock_set_time(double t);
/* Due time of the earliest armed timer; INFINITY when none. */
double mock_next_due(void);
/* Fire the timers due up to `until` in due order, the clock following
 * each; then the clock is at `until`.  Returns the timers fired. */
unsigned mock_run_until(double until);

/* Captured output since mock_setup. */
extern struct mock_metric *mock_metrics;   /* every metric, in order */
extern size_t mock_nmetrics;               /* how many */
extern struct mock_path *mock_paths;       /* every reported path */
extern size_t mock_npaths;                 /* how many */
extern unsigned mock_done;                 /* hw_done calls */
/* Last value of metric `name` of target `target` (-1: instance) whose tags
 * contain `tag` (NULL: any); NAN when there is none. */
double mock_metric_last(const char *name, int target, const char *tag);
/* The last reported path, or NULL. */
const struct mock_path *mock_last_path(void);

#endif /* HW_HOSTMOCK_H */
