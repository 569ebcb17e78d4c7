/* t/unit/status.c: what hopwatchd tells systemd (src/core/status.h): the
 * STATUS= text, thousands separators, and the watchdog period from
 * WATCHDOG_USEC and WATCHDOG_PID. */
#include "status.h"
#include "test-lib.h"

int main(void)
{
	static const struct { uint64_t n; const char *want; } th[] = {
		{ 0, "0" }, { 7, "7" }, { 999, "999" }, { 1000, "1,000" }, { 1200, "1,200" }, { 65535, "65,535" },
		{ 123456, "123,456" }, { 1234567, "1,234,567" }, { 18446744073709551615ULL, "18,446,744,073,709,551,615" },
	};
	static const struct { struct status st; const char *want; } lines[] = {
		{ { 3, 1200, STATUS_REDIS_UP, 0, 0, NULL }, "3 probes, 1,200 targets, Redis connected, 0 drops" },
		{ { 1, 1, STATUS_NO_REDIS, 0, 1, NULL }, "1 probe, 1 target, 1 drop" },
		{ { 2, 5, STATUS_REDIS_DOWN, 12345, 2, NULL }, "2 probes, 5 targets, Redis down (12,345 queued), 2 drops" },
		{ { 0, 0, STATUS_NO_REDIS, 0, 40, "udp://127.0.0.1:8125" },
		  "0 probes, 0 targets, 40 drops, nothing listens on udp://127.0.0.1:8125" },
	};
	static const struct { const char *usec, *pid; pid_t self; uint64_t want; } wd[] = {
		{ NULL, NULL, 1, 0 }, { "", NULL, 1, 0 }, { "30000000", NULL, 1, 30000000 },
		{ "30000000", "42", 42, 30000000 }, { "30000000", "43", 42, 0 }, { "30000000", "", 42, 30000000 },
		{ "0", NULL, 1, 0 }, { "-5", NULL, 1, 0 }, { "12x", NULL, 1, 0 }, { "500000", "4x", 4, 0 },
		{ "99999999999999999999999", NULL, 1, 0 },
	};
	char buf[256];

	for (size_t i = 0; i < sizeof th / sizeof th[0]; i++) {
		status_thousands(buf, sizeof buf, th[i].n);
		is_str(buf, th[i].want, "thousands");
	}
	status_thousands(buf, 4, 1234567);
	is_str(buf, "1,2", "thousands: cut to the buffer, NUL-terminated");
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		ok(status_format(buf, sizeof buf, &lines[i].st) == (int)strlen(lines[i].want), "length");
		is_str(buf, lines[i].want, "status line");
	}
	for (size_t i = 0; i < sizeof wd / sizeof wd[0]; i++)
		is_int((long long)status_watchdog_usec(wd[i].usec, wd[i].pid, wd[i].self), (long long)wd[i].want,
		       "watchdog usec");
	return done_testing();
}
