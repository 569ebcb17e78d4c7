/*
 * status.h: what hopwatchd tells systemd about itself (sd_notify), made
 * pure so that it is table-tested (t/unit/status.c): the STATUS= text that
 * `systemctl status` shows, and the watchdog period from the environment
 * systemd sets for WatchdogSec=.  daemon.c sends them over NOTIFY_SOCKET.
 */
#ifndef HW_STATUS_H
#define HW_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Redis as the status line tells it. */
enum status_redis {
	STATUS_NO_REDIS,        /* none configured */
	STATUS_REDIS_UP,        /* connected and authenticated */
	STATUS_REDIS_DOWN,      /* configured, not connected */
};

/* What the status line is made of. */
struct status {
	size_t probes;           /* probe instances running */
	size_t targets;          /* their targets, all instances */
	enum status_redis redis; /* Redis state */
	size_t redis_queued;     /* writes waiting for Redis (shown when it is down) */
	uint64_t drops;          /* since start: datagrams dropped, lines dropped, Redis changes dropped */
	const char *refused_url; /* the DogStatsD URL nothing listens on, or NULL */
};

/* "1,200": `n` with a comma every three digits, into buf. */
void status_thousands(char *buf, size_t cap, uint64_t n);
/* The STATUS= text (without "STATUS="), e.g. "3 probes, 1,200 targets,
 * Redis connected, 0 drops", with "nothing listens on URL" when
 * refused_url is set.  Returns the length, as snprintf does. */
int status_format(char *buf, size_t cap, const struct status *st);
/* The watchdog period in microseconds from WATCHDOG_USEC and WATCHDOG_PID
 * (either may be NULL): 0 when there is no watchdog, the value is not a
 * positive number, or WATCHDOG_PID names another process than `self`. */
uint64_t status_watchdog_usec(const char *usec, const char *pid, pid_t self);

#endif
