/*
 * rng.c: xorshift32 seeded from getrandom (rng.h).
 */
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "rng.h"

void hwc_rng_seed(uint32_t *state)
{
	uint32_t s = 0;

	if (getrandom(&s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s || !s) {
		struct timespec a, b;
		clock_gettime(CLOCK_REALTIME, &a);
		clock_gettime(CLOCK_MONOTONIC, &b);
		s = (uint32_t)a.tv_nsec * 2654435761u ^ (uint32_t)b.tv_nsec ^ (uint32_t)a.tv_sec ^
		    (uint32_t)getpid() << 16;
	}
	*state = s ? s : 0x9e3779b9u;
}

uint32_t hwc_rng_next(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}
