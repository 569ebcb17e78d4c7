/* t/unit/pathwatch.c: the pure formatters of src/paths/pathwatch.h (hop
 * lists, the event title and text; the published JSON is changemsg.c's). */
#include <string.h>

#include "pathwatch.h"
#include "test-lib.h"

/* Hops from a list, asserting it parses. */
static struct path_hops H(const char *list)
{
	struct path_hops h;

	ok(pathwatch_parse_hop_list(list, &h) == 0, "parses: %s", list);
	return h;
}

int main(void)
{
	static const char *const good[] = {
		"10.0.0.1", "10.0.0.1,*,10.0.0.3", "*", "*,*", "fd00::1,10.0.0.1", "",
	};
	static const char *const bad[] = {
		"10.0.0.1,", ",10.0.0.1", "10.0.0.1,,10.0.0.2", "host.example", "10.0.0.256",
		"10.0.0.1;10.0.0.2", "**", "10.2.3.4 ",
	};
	struct path_hops h;
	struct path_change chg;
	char buf[4096];

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		h = H(good[i]);
		pathwatch_hop_list(buf, sizeof buf, &h);
		is_str(buf, good[i], "round trip");
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(pathwatch_parse_hop_list(bad[i], &h) < 0, "refused: \"%s\"", bad[i]);
	h = H("10.0.0.1,*");
	is_int(h.n, 2, "two hops");
	is_str(h.hop[1], "", "unknown hop is empty");
	ok(pathwatch_hop_list(buf, 5, &h) == 0, "hop list too long for the buffer: 0");

	chg.old_path = H("10.0.0.1,10.0.1.1,10.0.2.2");
	chg.new_path = H("10.0.0.1,*,10.0.5.5,10.0.2.2");
	chg.first_diff_ttl = 3;
	ok(pathwatch_event_title(buf, sizeof buf, "db:5432") > 0, "title");
	is_str(buf, "Path to db:5432 changed", "title text");
	ok(pathwatch_event_text(buf, sizeof buf, &chg, NULL) > 0, "text");
	is_str(buf, "First differing hop: TTL 3\nTTL  old -> new\n"
	            " 1  10.0.0.1 -> 10.0.0.1\n 2  10.0.1.1 -> *\n 3* 10.0.2.2 -> 10.0.5.5\n 4  - -> 10.0.2.2",
	       "text: one row per TTL, the first difference marked");
	ok(pathwatch_event_text(buf, 20, &chg, NULL) == 0, "text too long: 0");

	/* hop names: display data beside the addresses */
	{
		static struct path_change_names nm;
		static const char *const good_names[] = { "", "r1.lab", "r1.lab,,r3.lab", ",,", "a-b_c.0" };
		static const char *const bad_names[] = { "R1.lab", "r1 lab", "a\\044b", "r1.lab;x", "a,\"b\"" };
		struct path_names pn;
		memset(&nm, 0, sizeof nm);
		nm.old_names.n = 3;
		snprintf(nm.old_names.name[0], HOPNAME_MAX, "r1.lab");
		snprintf(nm.old_names.name[2], HOPNAME_MAX, "r3.lab");
		nm.new_names.n = 4;
		snprintf(nm.new_names.name[2], HOPNAME_MAX, "x5.lab");
		snprintf(nm.new_names.name[3], HOPNAME_MAX, "r3.lab");
		ok(pathwatch_event_text(buf, sizeof buf, &chg, &nm) > 0, "text with names");
		is_str(buf, "First differing hop: TTL 3\nTTL  old -> new\n"
		            " 1  r1.lab (10.0.0.1) -> 10.0.0.1\n 2  10.0.1.1 -> *\n"
		            " 3* r3.lab (10.0.2.2) -> x5.lab (10.0.5.5)\n 4  - -> r3.lab (10.0.2.2)",
		       "text: \"name (address)\" where a name is known, the address alone elsewhere");
		for (size_t i = 0; i < sizeof good_names / sizeof good_names[0]; i++) {
			ok(pathwatch_parse_name_list(good_names[i], &pn) == 0, "name list parses: \"%s\"", good_names[i]);
			pathwatch_name_list(buf, sizeof buf, &pn);
			is_str(buf, good_names[i], "name list round trip");
		}
		for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++)
			ok(pathwatch_parse_name_list(bad_names[i], &pn) < 0, "name list refused: \"%s\"", bad_names[i]);
		ok(pathwatch_parse_name_list(",", &pn) == 0 && pn.n == 2, "\",\": two hops without names");
		ok(pathwatch_name_list(buf, 4, &nm.old_names) == 0, "name list too long for the buffer: 0");
	}
	return done_testing();
}
