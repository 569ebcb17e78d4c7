/*
 * stats.c: RTT statistics of one round (stats.h).
 */
#include <math.h>

#include "stats.h"

size_t hwc_rtt_stats(const double *v, size_t count, hwc_rtt *s, double *packed)
{
	double sum = 0, var = 0, jit = 0, prev = NAN;
	size_t njit = 0;

	*s = (hwc_rtt){ 0 };
	for (size_t i = 0; i < count; i++) {
		double r = v[i];
		if (isnan(r))
			continue;
		if (packed)
			packed[s->n] = r;
		if (!s->n || r < s->min)
			s->min = r;
		if (!s->n || r > s->max)
			s->max = r;
		s->n++;
		sum += r;
		if (!isnan(prev)) {
			jit += fabs(r - prev);
			njit++;
		}
		prev = r;
	}
	if (!s->n)
		return 0;
	s->avg = sum / (double)s->n;
	for (size_t i = 0; i < count; i++)
		if (!isnan(v[i]))
			var += (v[i] - s->avg) * (v[i] - s->avg);
	s->stddev = sqrt(var / (double)s->n);
	s->jitter = njit ? jit / (double)njit : 0;
	return s->n;
}
