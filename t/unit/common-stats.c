/*
 * t/unit/common-stats.c: RTT statistics of plugins/common (stats.c).  The
 * expected figures are worked out by hand in the comments.
 */
#include <math.h>

#include "stats.h"
#include "test-lib.h"

int main(void)
{
	hwc_rtt s;
	double packed[8];

	/* 10, lost, 14, 12: n 3, min 10, max 14, avg 12; deviations -2, 2, 0:
	 * variance 8/3, stddev 1.63299; jitter |14-10| and |12-14|: mean 3 */
	double a[] = { 10, NAN, 14, 12 };
	is_int(hwc_rtt_stats(a, 4, &s, packed), 3, "three answered of four");
	is_double(s.min, 10, 1e-12, "min");
	is_double(s.max, 14, 1e-12, "max");
	is_double(s.avg, 12, 1e-12, "avg");
	is_double(s.stddev, sqrt(8.0 / 3), 1e-12, "stddev (population)");
	is_double(s.jitter, 3, 1e-12, "jitter: mean |difference| of consecutive answers, a loss skipped");
	ok(packed[0] == 10 && packed[1] == 14 && packed[2] == 12, "answered values packed in order");

	/* one answer: no variation seen */
	double b[] = { NAN, 7.5, NAN };
	is_int(hwc_rtt_stats(b, 3, &s, NULL), 1, "one answered");
	ok(s.min == 7.5 && s.max == 7.5 && s.avg == 7.5 && s.stddev == 0 && s.jitter == 0,
	   "one answer: min = max = avg, stddev and jitter 0");

	/* nothing answered */
	double c[] = { NAN, NAN };
	is_int(hwc_rtt_stats(c, 2, &s, packed), 0, "none answered");
	ok(s.n == 0 && s.min == 0 && s.max == 0, "none answered: all zero");
	is_int(hwc_rtt_stats(c, 0, &s, NULL), 0, "an empty round");

	/* a negative value is a value (a clock step is the caller's to catch) */
	double d[] = { 1, 3 };
	hwc_rtt_stats(d, 2, &s, NULL);
	ok(s.jitter == 2 && s.stddev == 1, "1 and 3: jitter 2, stddev 1");
	return done_testing();
}
