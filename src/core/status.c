/* status.c: the STATUS= text and the watchdog period (see status.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "status.h"

void status_thousands(char *buf, size_t cap, uint64_t n)
{
	char digits[32];
	size_t len, o = 0;

	len = (size_t)snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
	for (size_t i = 0; i < len && o + 1 < cap; i++) {
		if (i && (len - i) % 3 == 0) {
			buf[o++] = ',';
			if (o + 1 >= cap)
				break;
		}
		buf[o++] = digits[i];
	}
	if (cap)
		buf[o] = '\0';
}

int status_format(char *buf, size_t cap, const struct status *st)
{
	char targets[32], drops[32], queued[32], redis[64];

	status_thousands(targets, sizeof targets, st->targets);
	status_thousands(drops, sizeof drops, st->drops);
	status_thousands(queued, sizeof queued, st->redis_queued);
	switch (st->redis) {
	case STATUS_REDIS_UP:
		snprintf(redis, sizeof redis, ", Redis connected");
		break;
	case STATUS_REDIS_DOWN:
		snprintf(redis, sizeof redis, ", Redis down (%s queued)", queued);
		break;
	default:
		redis[0] = '\0';
	}
	return snprintf(buf, cap, "%zu probe%s, %s target%s%s, %s drop%s%s%s", st->probes,
	                st->probes == 1 ? "" : "s", targets, st->targets == 1 ? "" : "s", redis, drops,
	                st->drops == 1 ? "" : "s", st->refused_url ? ", nothing listens on " : "",
	                st->refused_url ? st->refused_url : "");
}

uint64_t status_watchdog_usec(const char *usec, const char *pid, pid_t self)
{
	unsigned long long v;
	char *end;

	if (!usec || !*usec)
		return 0;
	if (pid && *pid) {
		errno = 0;
		v = strtoull(pid, &end, 10);
		if (*end || errno || v != (unsigned long long)self)
			return 0;
	}
	errno = 0;
	v = strtoull(usec, &end, 10);
	if (*end || errno || !v || usec[0] == '-')
		return 0;
	return v;
}
