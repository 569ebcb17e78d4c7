/* t/unit/cli-meshview.c: `hopwatch mesh`'s layout (src/cli/meshview.c):
 * the grid's cells for every kind of result, colour only when asked,
 * staleness, and the JSON document. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "meshview.h"
#include "test-lib.h"

void cli_die(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

/* What meshview_text printed. */
static char *text_of(const struct meshview *v, time_t now, int color)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	meshview_text(f, v, now, color);
	fclose(f);
	return buf;
}

int main(void)
{
	const time_t now = 1700000100;
	struct mesh_reg m[3] = {
		{ .name = "a1", .id = "00000000000000aa", .n4 = 1, .v4 = { "10.0.0.1" }, .ts = now - 5 },
		{ .name = "a2", .id = "00000000000000bb", .n4 = 1, .n6 = 1, .v4 = { "10.0.0.2" }, .v6 = { "fd00::2" },
		  .ntags = 1, .tags = { "rack:r1" }, .ts = now - 65 },
		{ .name = "a3", .id = "00000000000000cc", .n4 = 1, .v4 = { "10.0.0.3" }, .ts = now },
	};
	struct meshview_cell c[] = {
		{ "ping", 0, 1, { 0, 0.052, 1, now - 10, 10, "10.0.0.2" } },
		{ "ping", 0, 2, { 100, -1, 0, now - 10, 10, "10.0.0.3" } },
		{ "ping", 1, 0, { 20, 12.34, 1, now - 100, 10, "10.0.0.1" } },
		{ "ping", 2, 0, { 60, 123.4, 1, now, 10, "10.0.0.1" } },
		{ "ping", 2, 1, { 0, 0.158, 0, now, 10, "10.0.0.2" } },
	};
	struct meshview_invalid bad[2] = { { "evil", "ipv4[0]: \"1.2.3\" is not an IPv4 address" },
		                            { "\033[2Jx\n", "not a member entry (name:id)" } };
	struct meshview v = { "dc1", m, 3, bad, 2, c, 5 };
	char *t;

	ok(!meshview_stale(&c[0].r, now), "10 s old at a 10 s interval: fresh");
	ok(meshview_stale(&c[2].r, now), "100 s old: stale (3 intervals + 30 s)");
	t = text_of(&v, now, 0);
	ok(strstr(t, "mesh dc1: 3 members, 2 invalid registrations ignored\n") != NULL, "header");
	ok(strstr(t, "ping: loss % (row: from, column: to)\n             1    2    3\n") != NULL, "loss columns");
	ok(strstr(t, "   1 a1      .    0  100\n") != NULL, "row a1: itself, no loss, all lost");
	ok(strstr(t, "   2 a2      ?    .    -\n") != NULL, "row a2: stale, itself, no result");
	ok(strstr(t, "   3 a3     60   0!    .\n") != NULL, "row a3: answered but not reached is marked '!'");
	ok(strstr(t, "   1 a1        .  0.052      x\n") != NULL, "RTT row: 3 significant digits, x when none answered");
	ok(strstr(t, "   3 a3      123 0.158!      .\n") != NULL, "RTT 123.4 as 123; '!' not reached");
	ok(strstr(t, "   2 a2    heartbeat 1m 5s ago  10.0.0.2, fd00::2  tags rack:r1\n") != NULL, "member line");
	ok(strstr(t, "  evil: ipv4[0]: \"1.2.3\" is not an IPv4 address\n") != NULL, "invalid registration listed");
	ok(strstr(t, "  ?[2Jx?: not a member entry (name:id)\n") != NULL, "control characters from Redis shown as '?'");
	ok(!strchr(t, '\033'), "no colour unless asked");
	free(t);
	t = text_of(&v, now, 1);
	ok(strstr(t, "\033[32m   0\033[0m") && strstr(t, "\033[31m 100\033[0m") && strstr(t, "\033[31m  60\033[0m") &&
	   strstr(t, "\033[2m   ?\033[0m"), "colour: green, red (lost, >= 50 %%), dim stale; padding inside");
	free(t);
	{
		struct meshview empty = { "dc2", m, 1, NULL, 0, NULL, 0 };
		t = text_of(&empty, now, 0);
		ok(strstr(t, "mesh dc2: 1 member\nno results yet") != NULL, "a lone member: no results yet");
		free(t);
	}

	json_t *j = meshview_json(&v, now);
	char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
	ok(s && strstr(s, "\"group\":\"dc1\""), "JSON: group");
	ok(s && strstr(s, "{\"name\":\"a2\",\"id\":\"00000000000000bb\",\"ipv4\":[\"10.0.0.2\"],\"ipv6\":[\"fd00::2\"],"
	                  "\"tags\":[\"rack:r1\"],\"ts\":1700000035}"), "JSON: a member");
	ok(s && strstr(s, "{\"probe\":\"ping\",\"from\":\"a1\",\"to\":\"a3\",\"ip\":\"10.0.0.3\",\"loss\":100.0,"
	                  "\"rtt\":null,\"reached\":false,\"ts\":1700000090,\"interval\":10.0,\"stale\":false}"),
	   "JSON: an unanswered result, rtt null");
	ok(s && strstr(s, "\"from\":\"a2\",\"to\":\"a1\"") && strstr(s, "\"stale\":true"), "JSON: stale marked");
	ok(s && strstr(s, "\"invalid\":[{\"name\":\"evil\",\"reason\":"), "JSON: invalid registrations");
	free(s);
	json_decref(j);
	return done_testing();
}
