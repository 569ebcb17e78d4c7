/* round.c: does a round fit its interval (see round.h). */
#include <stdio.h>

#include "round.h"

const char *hwc_round_fits(int count, double spacing, double timeout, double interval)
{
	static char msg[256];
	double round = (count - 1) * spacing + timeout;

	if (round < interval)
		return NULL;
	snprintf(msg, sizeof msg, "(count %d - 1) * spacing %gs + timeout %gs = %gs does not fit "
	         "interval %gs: a round must end before the next one starts", count, spacing, timeout,
	         round, interval);
	return msg;
}
