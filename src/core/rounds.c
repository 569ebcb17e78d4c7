/* rounds.c: round starts of an instance's targets (see rounds.h). */
#include <math.h>

#include "rounds.h"

/* When slot `seq` is due. */
static double slot_time(const struct sched *s, uint64_t seq)
{
	return s->base + (double)seq * s->step;
}

void sched_init(struct sched *s, double interval, size_t n, double now)
{
	s->interval = interval;
	s->n = n;
	s->step = interval / (double)n;
	s->base = now;
	s->seq = 0;
}

void sched_resize(struct sched *s, size_t n, double now)
{
	double next = slot_time(s, s->seq), step = s->interval / (double)n;

	if (next > now + step)
		next = now + step;
	s->n = n;
	s->step = step;
	s->base = next - (double)s->seq * step;
}

int sched_next(struct sched *s, double now, size_t *target)
{
	/* Asleep for more than an interval: resume at the present slot. */
	if (now - slot_time(s, s->seq) > s->interval)
		s->seq = (uint64_t)floor((now - s->base) / s->step);
	if (slot_time(s, s->seq) > now + SCHED_SLACK)
		return 0;
	*target = (size_t)(s->seq % s->n);
	s->seq++;
	return 1;
}

double sched_wait(const struct sched *s, double now)
{
	double w = slot_time(s, s->seq) - now;

	return w > 0 ? w : 0.;
}
