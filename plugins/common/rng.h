/*
 * rng.h: a small, fast, non-cryptographic random number generator for
 * probe identities (sequence numbers, cookies, identifiers), seeded from
 * getrandom(2) (plugins/common).  Not for secrets.
 */
#ifndef HOPWATCH_COMMON_RNG_H
#define HOPWATCH_COMMON_RNG_H

#include <stdint.h>

/* Seed *state from getrandom(2); when the kernel's pool cannot answer at
 * once, from the clocks and the pid.  Never leaves it 0 (xorshift's one
 * fixed point). */
void hwc_rng_seed(uint32_t *state);

/* The next 32-bit number of xorshift32 (Marsaglia 2003) at *state, which
 * must not be 0 (hwc_rng_seed); advances *state. */
uint32_t hwc_rng_next(uint32_t *state);

#endif /* HOPWATCH_COMMON_RNG_H */
