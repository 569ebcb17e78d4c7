/* t/unit/rounds.c: the round schedule (src/core/rounds.h) driven by a fake
 * clock: spread, order, wakeups, slack, and the skipped backlog. */
#include <math.h>

#include "rounds.h"
#include "test-lib.h"

/* Targets started by one wakeup at `now`, written into got[] (at most
 * cap); returns how many. */
static size_t wake(struct sched *s, double now, size_t *got, size_t cap)
{
	size_t n = 0, i;

	while (n < cap && sched_next(s, now, &i))
		got[n++] = i;
	return n;
}

int main(void)
{
	struct sched s;
	size_t got[64], n, i;
	double now;
	int in_order;

	/* 4 targets every 10 s from t = 100: slots at 100, 102.5, 105, 107.5, 110 ... */
	sched_init(&s, 10, 4, 100);
	is_double(s.step, 2.5, 1e-12, "step is interval / n");
	n = wake(&s, 100, got, 64);
	is_int(n, 1, "at the start only slot 0 is due");
	is_int(got[0], 0, "slot 0 is target 0");
	is_double(sched_wait(&s, 100), 2.5, 1e-9, "next start 2.5 s later");
	is_int(wake(&s, 102.4, got, 64), 0, "nothing due 0.1 s early");
	is_double(sched_wait(&s, 102.4), 0.1, 1e-9, "wait the remaining 0.1 s");
	n = wake(&s, 102.5 - SCHED_SLACK / 2, got, 64);
	ok(n == 1 && got[0] == 1, "a wakeup within the slack starts target 1");
	is_double(sched_wait(&s, 102.5), 2.5, 1e-9, "then 2.5 s to target 2");
	ok(!sched_next(&s, 102.5 + SCHED_SLACK * 2, &i), "no second start for the same slot");

	/* A late wakeup (3.1 s late, less than an interval) fires what was due, in order. */
	n = wake(&s, 108.1, got, 64);
	ok(n == 2 && got[0] == 2 && got[1] == 3, "a late wakeup starts the due targets 2, 3 in order");
	is_double(sched_wait(&s, 108.1), 1.9, 1e-9, "target 0's second round at 110");
	n = wake(&s, 110, got, 64);
	ok(n == 1 && got[0] == 0, "round 2 begins with target 0 again");
	is_double(sched_wait(&s, 200), 0, 0, "a slot in the past: wait 0");

	/* Asleep for 1000 s: no backlog of 400 slots, resume at the present slot. */
	sched_init(&s, 10, 4, 0);
	wake(&s, 0, got, 64);
	n = wake(&s, 1001, got, 64);
	is_int(n, 1, "after a long sleep one start, not the backlog");
	is_int(got[0], 400 % 4, "the present slot's target (slot 400 at t = 1000)");
	is_double(sched_wait(&s, 1001), 1.5, 1e-9, "next slot at 1002.5");

	/* Every target exactly once per interval, in index order, over 5 rounds
	 * with a fake clock ticking in uneven 0.37 s steps. */
	sched_init(&s, 2, 50, 0);
	{
		size_t seen[50] = { 0 }, expect = 0;
		in_order = 1;
		for (now = 0; now < 10 - 1e-9; now += 0.37) {
			n = wake(&s, now, got, 64);
			for (size_t k = 0; k < n; k++) {
				in_order &= got[k] == expect % 50;
				expect++;
				seen[got[k]]++;
			}
		}
		ok(in_order, "50 targets: starts come in index order, round after round");
		n = 0;
		for (size_t k = 0; k < 50; k++)
			n += seen[k] == 5;
		is_int(n, 50, "each of 50 targets started 5 times in 10 s of interval 2 s");
	}

	/* Driven by its own waits: the clock jumps to each next start. */
	sched_init(&s, 1, 3, 5);
	now = 5;
	{
		double starts[9];
		size_t k = 0;
		while (k < 9) {
			if (sched_next(&s, now, &i))
				starts[k++] = now;
			else
				now += sched_wait(&s, now);
		}
		ok(fabs(starts[0] - 5) < 1e-9 && fabs(starts[1] - 5 - 1.0 / 3) < 1e-9 &&
		   fabs(starts[8] - 5 - 8.0 / 3) < 1e-9, "following sched_wait, start k is at 5 + k/3");
	}

	/* One target: every interval. */
	sched_init(&s, 60, 1, 0);
	ok(sched_next(&s, 0, &i) && i == 0, "one target: starts at once");
	is_double(sched_wait(&s, 0), 60, 0, "one target: next in an interval");

	/* Resized (dynamic targets): 1 target every 60 s, at t = 10 three more. */
	sched_resize(&s, 4, 10);
	is_double(s.step, 15, 1e-12, "resized to 4: step is 60 / 4");
	is_double(sched_wait(&s, 10), 15, 1e-9, "the next start comes forward to one new step from now");
	{
		unsigned seen[4] = { 0 };
		now = 10;
		for (int k = 0; k < 8; k++) {
			now += sched_wait(&s, now);
			ok(sched_next(&s, now, &i) && i < 4, "start %d after the resize is a target of the 4", k);
			seen[i]++;
		}
		ok(seen[0] == 2 && seen[1] == 2 && seen[2] == 2 && seen[3] == 2, "8 starts: every target twice");
		is_double(now, 10 + 8 * 15, 1e-9, "15 s apart");
	}
	sched_resize(&s, 2, now);
	is_double(sched_wait(&s, now), 15, 1e-9, "shrunk to 2: the next start stays where it was (not later than a new step)");
	is_double(s.step, 30, 1e-12, "and the step is 60 / 2");
	return done_testing();
}
