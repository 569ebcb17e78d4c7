/*
 * round.h: the check that a round of `count` requests fits its interval,
 * shared by the plugins that send several requests a round (icmp, tcp).
 * Pure (plugins/common).
 */
#ifndef HOPWATCH_COMMON_ROUND_H
#define HOPWATCH_COMMON_ROUND_H

/* NULL when a round of `count` requests `spacing` seconds apart, the last
 * one waited for `timeout` seconds, ends before the next round starts
 * (`interval` seconds later); else the refusal with the numbers, e.g.
 * "(count 5 - 1) * spacing 1s + timeout 1s = 5s does not fit interval 5s:
 * ...", in a static buffer valid until the next call (validate() runs on
 * the one thread and its message is used at once). */
const char *hwc_round_fits(int count, double spacing, double timeout, double interval);

#endif /* HOPWATCH_COMMON_ROUND_H */
