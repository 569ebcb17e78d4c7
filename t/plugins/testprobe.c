/*
 * t/plugins/testprobe.c: a deterministic probe for the core's tests.  Each
 * round emits, for its target, what the settings ask, then ends after
 * `hold` seconds through a host timer.  It sends no packets.
 *
 *   values   number of values in the distribution test.rtt (value i = i + 0.5)
 *   hold     how long a round lasts (longer than interval: overruns)
 *   check    service check status sent each round: ok, warning, critical, unknown
 *   event    also send an event each round
 *   label    a free string echoed as tag label:<label>
 */
#include <stdlib.h>
#include <stdio.h>
#include <stddef.h>

#include "hopwatch.h"

/* Settings, filled by the host from the table below. */
struct opts {
	int values;          /* values per distribution line */
	double hold;         /* seconds a round lasts */
	int check;           /* hw_status to report */
	int event;           /* send an event too */
	const char *label;   /* tag value */
};

/* Per-target state. */
struct tstate {
	hw_timer *timer;     /* ends the round */
	unsigned rounds;     /* rounds run so far */
	struct probe *pr;    /* back pointer for the timer */
	hw_target *t;        /* the target */
};

/* Instance state. */
struct probe {
	hw_ctx *ctx;               /* host handle */
	const struct opts *o;      /* settings */
};

static const char *const statuses[] = { "ok", "warning", "critical", "unknown", NULL };

#define O(f) offsetof(struct opts, f)
static const hw_option options[] = {
	{ "values", HW_OPT_INT, O(values), "3", 1, 1000, NULL, "values per distribution line" },
	{ "hold", HW_OPT_DURATION, O(hold), "10ms", 0, 60, NULL, "how long a round lasts" },
	{ "check", HW_OPT_ENUM, O(check), "ok", 0, 0, statuses, "service check status" },
	{ "event", HW_OPT_BOOL, O(event), "false", 0, 0, NULL, "send an event each round" },
	{ "label", HW_OPT_STRING, O(label), "none", 0, 0, NULL, "tag label:<label>" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

static const char *validate(const void *opts, double interval, double timeout)
{
	const struct opts *o = opts;
	(void)interval;
	(void)timeout;
	return o->values == 999 ? "values 999 is refused by validate (test of the hook)" : NULL;
}

static void round_end(void *arg)
{
	struct tstate *ts = arg;
	hw_done(ts->pr->ctx, ts->t);
}

static int start(hw_ctx *ctx, const void *opts, void **state)
{
	struct probe *pr = calloc(1, sizeof *pr);
	size_t n;
	hw_target *const *ts;

	if (!pr)
		return -1;
	pr->ctx = ctx;
	pr->o = opts;
	ts = hw_targets(ctx, &n);
	for (size_t i = 0; i < n; i++) {
		struct tstate *s = ts[i]->data;
		s->pr = pr;
		s->t = ts[i];
		if (!(s->timer = hw_timer_new(ctx, round_end, s)))
			return -1;
	}
	HW_INFO(ctx, "testprobe started with %zu targets", n);
	*state = pr;
	return 0;
}

static void run(void *state, hw_target *t)
{
	struct probe *pr = state;
	struct tstate *s = t->data;
	double v[1000];
	char label[128], round[32];
	const char *extra[] = { label, round, NULL };

	s->rounds++;
	snprintf(label, sizeof label, "label:%s", pr->o->label);
	snprintf(round, sizeof round, "round:%u", s->rounds);
	for (int i = 0; i < pr->o->values; i++)
		v[i] = i + 0.5;
	hw_metric(pr->ctx, t, "test.rtt", HW_DISTRIBUTION, v, (size_t)pr->o->values, extra);
	hw_metric1(pr->ctx, t, "test.index", HW_GAUGE, t->index, extra);
	hw_service_check(pr->ctx, t, "test.can_reach", (hw_status)pr->o->check,
	                 "test message\nwith m:colon|pipe", extra);
	if (pr->o->event)
		hw_event(pr->ctx, t, "Test event for target", "line one\nline two", HW_ALERT_WARNING,
		         t->host, extra);
	hw_timer_arm(s->timer, pr->o->hold);
}

static void stop(void *state)
{
	HW_INFO(((struct probe *)state)->ctx, "testprobe stopping");
	free(state);
}

HW_PLUGIN_EXPORT = {
	.abi = HW_PLUGIN_ABI,
	.size = sizeof(hw_plugin),
	.name = "testprobe",
	.options = options,
	.options_size = sizeof(struct opts),
	.target_size = sizeof(struct tstate),
	.port = HW_PORT_OPTIONAL,
	.validate = validate,
	.start = start,
	.run = run,
	.stop = stop,
	.check = "test.can_reach",
};
