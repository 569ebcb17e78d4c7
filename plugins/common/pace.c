/*
 * pace.c: the token bucket of pace.h.
 */
#include "pace.h"

void hwc_bucket_init(hwc_bucket *b, double rate, double depth, double now)
{
	b->rate = rate;
	b->burst = rate * depth > 1 ? rate * depth : 1;
	b->tokens = b->burst;
	b->at = now;
}

int hwc_bucket_take(hwc_bucket *b, double now, double *wait)
{
	if (b->rate <= 0)
		return 1;
	b->tokens += (now - b->at) * b->rate;
	if (b->tokens > b->burst)
		b->tokens = b->burst;
	b->at = now;
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return 1;
	}
	*wait = (1 - b->tokens) / b->rate;
	return 0;
}

void hwc_bucket_give_back(hwc_bucket *b)
{
	if (b->rate > 0)
		b->tokens += 1;
}
