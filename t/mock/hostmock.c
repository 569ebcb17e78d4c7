/*
 * t/mock/hostmock.c: the fake host of hostmock.h.  Single-threaded, no I/O.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostmock.h"

struct hw_ctx {
	double interval, timeout;     /* seconds */
};

struct hw_timer {
	hw_timer_cb cb;               /* callback */
	void *arg;                    /* its argument */
	int armed;                    /* 1: fires at `due` */
	double due;                   /* fake clock seconds */
	unsigned long seq;            /* arming order: ties fire in it */
	struct hw_timer *next;        /* every timer of the host */
};

struct hw_io {
	int fd, events;               /* watched fd and interest (never polled) */
	struct hw_io *next;           /* every watch of the host */
};

static struct hw_ctx ctx;
static double now;
static unsigned long arm_seq;
static struct hw_timer *timers;
static struct hw_io *ios;
static hw_target *tv;
static hw_target **tpv;
static size_t ntv;

struct mock_metric *mock_metrics;
size_t mock_nmetrics;
struct mock_path *mock_paths;
size_t mock_npaths;
unsigned mock_done;

hw_ctx *mock_setup(const char *const *targets, size_t n, size_t target_size, double interval,
                   double timeout)
{
	mock_teardown();
	ctx = (struct hw_ctx){ interval, timeout };
	now = 0;
	tv = calloc(n + 1, sizeof *tv);
	tpv = calloc(n + 1, sizeof *tpv);
	ntv = n;
	for (size_t i = 0; i < n; i++) {
		hw_target *t = &tv[i];
		struct sockaddr_in *a4 = (struct sockaddr_in *)&t->addr;
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&t->addr;

		t->host = targets[i];
		t->ip = targets[i];
		t->index = (unsigned)i;
		t->data = calloc(1, target_size + 1);
		if (inet_pton(AF_INET, targets[i], &a4->sin_addr) == 1) {
			t->family = a4->sin_family = AF_INET;
			t->addrlen = sizeof *a4;
		} else if (inet_pton(AF_INET6, targets[i], &a6->sin6_addr) == 1) {
			t->family = a6->sin6_family = AF_INET6;
			t->addrlen = sizeof *a6;
		} else {
			t->ip = "";
		}
		tpv[i] = t;
	}
	return &ctx;
}

void mock_teardown(void)
{
	while (timers) {
		struct hw_timer *t = timers;
		timers = t->next;
		free(t);
	}
	while (ios) {
		struct hw_io *io = ios;
		ios = io->next;
		free(io);
	}
	for (size_t i = 0; i < ntv; i++)
		free(tv[i].data);
	free(tv);
	free(tpv);
	tv = NULL;
	tpv = NULL;
	ntv = 0;
	free(mock_metrics);
	free(mock_paths);
	mock_metrics = NULL;
	mock_paths = NULL;
	mock_nmetrics = mock_npaths = 0;
	mock_done = 0;
}

hw_target *mock_target(size_t i)
{
	return i < ntv ? &tv[i] : NULL;
}

double mock_now(void)
{
	return now;
}

void mock_set_time(double t)
{
	if (t > now)
		now = t;
}

/* The armed timer to fire first: earliest due, then earliest armed. */
static struct hw_timer *first_due(void)
{
	struct hw_timer *best = NULL;

	for (struct hw_timer *t = timers; t; t = t->next)
		if (t->armed && (!best || t->due < best->due || (t->due == best->due && t->seq < best->seq)))
			best = t;
	return best;
}

double mock_next_due(void)
{
	struct hw_timer *t = first_due();
	return t ? t->due : INFINITY;
}

unsigned mock_run_until(double until)
{
	unsigned fired = 0;
	struct hw_timer *t;

	while ((t = first_due()) && t->due <= until && fired < 1000000) {
		mock_set_time(t->due);
		t->armed = 0;
		fired++;
		t->cb(t->arg);
	}
	mock_set_time(until);
	return fired;
}

double mock_metric_last(const char *name, int target, const char *tag)
{
	for (size_t i = mock_nmetrics; i-- > 0;) {
		const struct mock_metric *m = &mock_metrics[i];
		if (!strcmp(m->name, name) && m->target == target && (!tag || strstr(m->tags, tag)))
			return m->value;
	}
	return NAN;
}

const struct mock_path *mock_last_path(void)
{
	return mock_npaths ? &mock_paths[mock_npaths - 1] : NULL;
}

/* ------------------------------------------------------------------ */
/* The host API                                                         */

hw_io *hw_io_new(hw_ctx *c, int fd, hw_io_cb cb, void *arg)
{
	struct hw_io *io = calloc(1, sizeof *io);

	(void)c;
	(void)cb;
	(void)arg;
	if (!io)
		return NULL;
	io->fd = fd;
	io->next = ios;
	ios = io;
	return io;
}

void hw_io_want(hw_io *io, int events)
{
	io->events = events;
}

void hw_io_free(hw_io *io)
{
	for (struct hw_io **pp = &ios; *pp; pp = &(*pp)->next)
		if (*pp == io) {
			*pp = io->next;
			free(io);
			return;
		}
}

hw_timer *hw_timer_new(hw_ctx *c, hw_timer_cb cb, void *arg)
{
	struct hw_timer *t = calloc(1, sizeof *t);

	(void)c;
	if (!t)
		return NULL;
	t->cb = cb;
	t->arg = arg;
	t->next = timers;
	timers = t;
	return t;
}

void hw_timer_arm(hw_timer *t, double after)
{
	t->armed = 1;
	t->due = now + (after > 0 ? after : 0);
	/* a wait too short to move the clock (a bucket short of a token by
	 * a rounding error) moves it by the least step, as a real clock
	 * would have moved: else it fired again and again at one instant */
	if (after > 0 && t->due <= now)
		t->due = nextafter(now, INFINITY);
	t->seq = ++arm_seq;
}

void hw_timer_stop(hw_timer *t)
{
	t->armed = 0;
}

void hw_timer_free(hw_timer *t)
{
	for (struct hw_timer **pp = &timers; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			free(t);
			return;
		}
}

int hw_raw_socket(hw_ctx *c, int family, int protocol)
{
	(void)c;
	(void)family;
	(void)protocol;
	errno = EPERM;
	return -1;
}

double hw_mono(void)
{
	return now;
}

void hw_done(hw_ctx *c, hw_target *t)
{
	(void)c;
	(void)t;
	mock_done++;
}

hw_target *const *hw_targets(hw_ctx *c, size_t *n)
{
	(void)c;
	*n = ntv;
	return tpv;
}

const char *hw_instance_name(const hw_ctx *c)
{
	(void)c;
	return "mock";
}

double hw_interval(const hw_ctx *c)
{
	return c->interval;
}

double hw_timeout(const hw_ctx *c)
{
	return c->timeout;
}

/* Capture one metric or service check. */
static void capture(const hw_target *t, const char *name, int check, double value, const char *const *extra)
{
	struct mock_metric *m, *grown = realloc(mock_metrics, (mock_nmetrics + 1) * sizeof *grown);

	if (!grown)
		abort();
	mock_metrics = grown;
	m = &mock_metrics[mock_nmetrics++];
	memset(m, 0, sizeof *m);
	snprintf(m->name, sizeof m->name, "%s", name);
	m->check = check;
	m->value = value;
	m->target = t ? (int)t->index : -1;
	for (size_t i = 0; extra && extra[i]; i++) {
		size_t l = strlen(m->tags);
		snprintf(m->tags + l, sizeof m->tags - l, "%s%s", l ? "," : "", extra[i]);
	}
}

void hw_metric(hw_ctx *c, const hw_target *t, const char *name, hw_mtype type, const double *values,
               size_t n, const char *const *extra)
{
	(void)c;
	(void)type;
	if (n)
		capture(t, name, 0, values[0], extra);
}

/* The fake host selects every metric: the tests see all a plugin sends. */
int hw_metric_wanted(const hw_ctx *c, const char *name)
{
	(void)c;
	(void)name;
	return 1;
}

void hw_metric1(hw_ctx *c, const hw_target *t, const char *name, hw_mtype type, double value,
                const char *const *extra)
{
	hw_metric(c, t, name, type, &value, 1, extra);
}

void hw_service_check(hw_ctx *c, const hw_target *t, const char *name, hw_status status,
                      const char *message, const char *const *extra)
{
	(void)c;
	(void)message;
	capture(t, name, 1, status, extra);
}

void hw_event(hw_ctx *c, const hw_target *t, const char *title, const char *text, hw_alert alert,
              const char *aggregation_key, const char *const *extra)
{
	(void)c;
	(void)text;
	(void)alert;
	(void)aggregation_key;
	capture(t, title, 0, 0, extra);
}

void hw_log(const hw_ctx *c, int level, const char *fmt, ...)
{
	va_list ap;

	(void)c;
	if (!getenv("HW_MOCK_LOG"))
		return;
	printf("# log %d: ", level);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int hw_log_enabled(int level)
{
	return level <= HW_LOG_INFO || getenv("HW_MOCK_LOG");
}

const char *hw_hop_name(hw_ctx *c, const struct sockaddr *sa)
{
	(void)c;
	(void)sa;
	return NULL;
}

void hw_path_report(hw_ctx *c, const hw_target *t, const hw_path *path)
{
	struct mock_path *p, *grown = realloc(mock_paths, (mock_npaths + 1) * sizeof *grown);

	(void)c;
	if (!grown)
		abort();
	mock_paths = grown;
	p = &mock_paths[mock_npaths++];
	memset(p, 0, sizeof *p);
	p->target = (int)t->index;
	snprintf(p->protocol, sizeof p->protocol, "%s", path->protocol);
	p->nhops = path->nhops < HW_PATH_MAX_HOPS ? path->nhops : HW_PATH_MAX_HOPS;
	memcpy(p->hops, path->hops, p->nhops * sizeof *p->hops);
	p->reached = path->reached;
	p->duration = path->duration;
}
