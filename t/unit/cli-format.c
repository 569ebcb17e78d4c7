/* t/unit/cli-format.c: the pure parts of the `hopwatch` CLI: ages, RTT
 * precision, list fields, which hops a diff marks (src/cli/format.c), and
 * the --json values (src/cli/jsonout.c), table by table. */
#include <stdlib.h>
#include <string.h>

#include "changemsg.h"
#include "cli.h"
#include "pathwatch.h"
#include "test-lib.h"

/* cli_json_print dies through this; the tests never make it fail. */
void cli_die(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

/* A path from "a,*,c" (the stored form). */
static struct path_hops hops_of(const char *list)
{
	struct path_hops h;
	char f[INET6_ADDRSTRLEN];

	memset(&h, 0, sizeof h);
	h.n = cli_list_len(list);
	for (unsigned i = 0; i < h.n; i++) {
		cli_list_field(list, i, f, sizeof f);
		snprintf(h.hop[i], sizeof h.hop[i], "%s", strcmp(f, "*") ? f : "");
	}
	return h;
}

/* `v` as compact JSON, into a static buffer. */
static const char *dump(json_t *v)
{
	static char buf[1024];
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	snprintf(buf, sizeof buf, "%s", s ? s : "(NULL)");
	free(s);
	json_decref(v);
	return buf;
}

int main(void)
{
	static const struct { long long secs; const char *want; } ages[] = {
		{ -5, "0s" }, { 0, "0s" }, { 42, "42s" }, { 59, "59s" }, { 60, "1m" }, { 180, "3m" },
		{ 185, "3m 5s" }, { 3599, "59m 59s" }, { 3600, "1h" }, { 7500, "2h 5m" }, { 86399, "23h 59m" },
		{ 86400, "1d" }, { 5 * 86400 + 3 * 3600 + 59, "5d 3h" },
	};
	static const struct { double ms; const char *want; } rtts[] = {
		{ 0.05, "0.050" }, { 0.052, "0.052" }, { 0.0004, "0.000" }, { 0, "0.000" }, { 0.9994, "0.999" },
		{ 0.9996, "1.00" }, { 1.234, "1.23" }, { 9.994, "9.99" }, { 9.996, "10.0" }, { 12.34, "12.3" },
		{ 99.94, "99.9" }, { 99.96, "100" }, { 123.4, "123" }, { 2500.6, "2501" }, { -1, "?" },
	};
	static const struct { const char *list; unsigned i; int exists; const char *want; } fields[] = {
		{ "a,b,c", 0, 1, "a" }, { "a,b,c", 2, 1, "c" }, { "a,b,c", 3, 0, "" }, { "a,,c", 1, 1, "" },
		{ "", 0, 0, "" }, { "a,", 1, 1, "" },
	};
	/* old, new, first_diff_ttl: the TTLs a diff marks */
	static const struct { const char *old, *new; unsigned first; const char *marked; } diffs[] = {
		{ "10.0.1.1,10.0.2.2,10.0.3.3", "10.0.1.1,10.0.2.9,10.0.3.9", 2, "[2,3]" },
		{ "10.0.1.1,10.0.2.2,10.0.3.3,10.0.4.4", "10.0.1.9,10.0.2.2,10.0.3.9,10.0.4.4", 1, "[1,3]" },
		{ "10.0.1.1,*,10.0.3.3", "10.0.1.1,10.0.2.9,10.0.3.9", 3, "[3]" },      /* unknown matches any */
		{ "10.0.1.1,10.0.2.2", "10.0.1.1,10.0.2.9,10.0.3.3", 2, "[2]" },        /* past the end matches */
		{ "", "10.0.1.1", 0, "[]" },
	};
	char buf[128];

	for (size_t i = 0; i < sizeof ages / sizeof ages[0]; i++) {
		cli_format_age(buf, sizeof buf, ages[i].secs);
		is_str(buf, ages[i].want, "age");
	}
	for (size_t i = 0; i < sizeof rtts / sizeof rtts[0]; i++) {
		cli_format_rtt(buf, sizeof buf, rtts[i].ms);
		is_str(buf, rtts[i].want, "rtt: 3 significant digits");
	}
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		is_int(cli_list_field(fields[i].list, fields[i].i, buf, sizeof buf), fields[i].exists, "field exists");
		is_str(buf, fields[i].want, "field");
	}
	is_int(cli_list_len(""), 0, "empty list");
	is_int(cli_list_len("a,,c"), 3, "empty fields count");
	for (size_t i = 0; i < sizeof diffs / sizeof diffs[0]; i++) {
		struct path_hops o = hops_of(diffs[i].old), n = hops_of(diffs[i].new);
		json_t *c = cli_json_change("", "p", "t", "", 0, NULL, &o, &n, diffs[i].first, NULL, NULL);
		is_str(dump(json_incref(json_object_get(c, "changed_ttls"))), diffs[i].marked, "changed TTLs");
		json_decref(c);
	}
	cli_format_when(buf, sizeof buf, "", 0);
	is_str(buf, "never", "when: empty is never");
	cli_format_when(buf, sizeof buf, "12x", 0);
	is_str(buf, "never", "when: not a number is never");

	is_str(dump(cli_json_number("1.5")), "1.5", "json number");
	is_str(dump(cli_json_number("")), "null", "json number: empty is null");
	is_str(dump(cli_json_number("nan")), "null", "json number: nan is null");
	is_str(dump(cli_json_number("1.5x")), "null", "json number: garbage is null");
	is_str(dump(cli_json_time("1700000000")), "1700000000", "json time");
	is_str(dump(cli_json_time("")), "null", "json time: empty is null");
	{
		struct path_hops h = hops_of("10.0.0.1,*,fd00::1");
		is_str(dump(changemsg_path_json(&h)), "[\"10.0.0.1\",null,\"fd00::1\"]", "json hops: null unknown");
	}
	{
		struct path_hops o = hops_of("10.0.0.1,10.0.0.2"), n = hops_of("10.0.0.1,10.0.0.3");
		static struct path_names on, nn;
		on.n = 2;
		snprintf(on.name[1], HOPNAME_MAX, "r2.lab");
		nn.n = 2;
		snprintf(nn.name[0], HOPNAME_MAX, "r1.lab");
		snprintf(nn.name[1], HOPNAME_MAX, "r3.lab");
		is_str(dump(cli_json_change("h", "p", "t:80", "10.9.9.9", 1700000000, "1700000000123-0", &o, &n, 2, &on, &nn)),
		       "{\"id\":\"1700000000123-0\",\"source\":\"h\",\"probe\":\"p\",\"target\":\"t:80\","
		       "\"target_ip\":\"10.9.9.9\",\"ts\":1700000000,\"first_diff_ttl\":2,\"changed_ttls\":[2],"
		       "\"old\":[\"10.0.0.1\",\"10.0.0.2\"],\"new\":[\"10.0.0.1\",\"10.0.0.3\"],"
		       "\"old_names\":[null,\"r2.lab\"],\"new_names\":[\"r1.lab\",\"r3.lab\"]}",
		       "json change: every field");
		is_str(dump(cli_json_change("", "p", "t", "", 0, NULL, &o, &n, 2, NULL, NULL)),
		       "{\"id\":null,\"source\":null,\"probe\":\"p\",\"target\":\"t\",\"target_ip\":null,\"ts\":null,"
		       "\"first_diff_ttl\":2,\"changed_ttls\":[2],\"old\":[\"10.0.0.1\",\"10.0.0.2\"],"
		       "\"new\":[\"10.0.0.1\",\"10.0.0.3\"],\"old_names\":[null,null],\"new_names\":[null,null]}",
		       "json change: unknown fields are null");
		{
			char lb[300];
			FILE *f = tmpfile();
			size_t got;
			static struct path_names cn;
			is_str(pathwatch_hop_label(lb, sizeof lb, &o, &on, 1), "r2.lab (10.0.0.2)", "label: name (address)");
			is_str(pathwatch_hop_label(lb, sizeof lb, &o, &on, 0), "10.0.0.1", "label: no name, the address");
			is_str(pathwatch_hop_label(lb, sizeof lb, &o, &on, 5), "-", "label: past the end");
			cli_names_by_address(&n, &nn, &o, &cn);
			ok(cn.n == 2 && !strcmp(cn.name[0], "r1.lab") && !cn.name[1][0],
			   "names by address: 10.0.0.1 named from the other path, 10.0.0.2 not in it");
			cli_print_diff(f, &o, &n, 2, "old", "new", &on, &nn);
			rewind(f);
			got = fread(buf, 1, sizeof buf - 1, f);
			buf[got] = 0;
			fclose(f);
			is_str(buf, "  TTL  old                  new\n"
			            "    1  10.0.0.1             r1.lab (10.0.0.1)\n"
			            ">   2  r2.lab (10.0.0.2) -> r3.lab (10.0.0.3)\n", "diff with names");
		}
	}
	return done_testing();
}
