/*
 * t/unit/common-pace.c: the token bucket of plugins/common (pace.c),
 * driven by a fake clock: the rate holds over time, a burst is as deep as
 * asked and never deeper, a wait is exactly the time to the next token,
 * and rate 0 means no cap.
 */
#include "pace.h"
#include "test-lib.h"

int main(void)
{
	hwc_bucket b;
	double now = 100, wait = -1;
	int sent = 0;

	/* 1000/s, 10 ms deep: a burst of 10, then one per ms */
	hwc_bucket_init(&b, 1000, 0.01, now);
	while (hwc_bucket_take(&b, now, &wait))
		sent++;
	is_int(sent, 10, "a full bucket of 1000/s, 10 ms deep, gives a burst of 10");
	is_double(wait, 0.001, 1e-12, "then the next token is 1 ms away");
	ok(!hwc_bucket_take(&b, now + 0.0009, &wait), "not 0.9 ms later");
	is_double(wait, 0.0001, 1e-9, "but 0.1 ms after that");
	ok(hwc_bucket_take(&b, now + 0.001, &wait), "1 ms later: one token");

	/* over 10 s of fake time, polling every 0.1 ms: the rate, not more */
	sent = 0;
	now += 0.001;
	for (int i = 1; i <= 100000; i++)
		while (hwc_bucket_take(&b, now + i * 0.0001, &wait))
			sent++;
	ok(sent >= 9999 && sent <= 10001, "10 s at 1000/s send %d (10000 +- 1)", sent);

	/* an idle hour fills the bucket only to its depth */
	now += 3600;
	sent = 0;
	while (hwc_bucket_take(&b, now, &wait))
		sent++;
	is_int(sent, 10, "after an idle hour: still a burst of 10 only");

	/* a token given back is there at once */
	hwc_bucket_give_back(&b);
	ok(hwc_bucket_take(&b, now, &wait), "a token given back is taken again");
	ok(!hwc_bucket_take(&b, now, &wait), "and only that one");

	/* a depth below one send still lets one through */
	hwc_bucket_init(&b, 10, 0.001, 0);
	ok(hwc_bucket_take(&b, 0, &wait), "depth under one token: still one send");
	ok(!hwc_bucket_take(&b, 0, &wait) && wait > 0.0999 && wait <= 0.1, "then 100 ms to wait at 10/s");

	/* rate 0: no cap */
	hwc_bucket_init(&b, 0, 0.01, 0);
	sent = 0;
	for (int i = 0; i < 100000; i++)
		sent += hwc_bucket_take(&b, 0, &wait);
	is_int(sent, 100000, "rate 0: every take succeeds");
	return done_testing();
}
