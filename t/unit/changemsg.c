/* t/unit/changemsg.c: the published change message (src/paths/changemsg.h):
 * the exact JSON written, round trips, what the reader takes (escapes,
 * whitespace, unknown fields) and what it refuses. */
#include <stdio.h>
#include <string.h>

#include "changemsg.h"
#include "pathwatch.h"
#include "test-lib.h"

/* Hops from a list, asserting it parses. */
static struct path_hops H(const char *list)
{
	struct path_hops h;

	ok(pathwatch_parse_hop_list(list, &h) == 0, "parses: %s", list);
	return h;
}

/* Whether two messages hold the same fields. */
static int same(const struct change_msg *a, const struct change_msg *b)
{
	char x[1024], y[1024];
	int eq = !strcmp(a->id, b->id) && !strcmp(a->source, b->source) && !strcmp(a->probe, b->probe) &&
	         !strcmp(a->target, b->target) && !strcmp(a->target_ip, b->target_ip) && a->ts == b->ts &&
	         a->chg.first_diff_ttl == b->chg.first_diff_ttl;

	pathwatch_hop_list(x, sizeof x, &a->chg.old_path);
	pathwatch_hop_list(y, sizeof y, &b->chg.old_path);
	eq &= !strcmp(x, y);
	pathwatch_hop_list(x, sizeof x, &a->chg.new_path);
	pathwatch_hop_list(y, sizeof y, &b->chg.new_path);
	eq &= !strcmp(x, y);
	eq &= a->old_names.n == b->old_names.n && a->new_names.n == b->new_names.n;
	pathwatch_name_list(x, sizeof x, &a->old_names);
	pathwatch_name_list(y, sizeof y, &b->old_names);
	eq &= !strcmp(x, y);
	pathwatch_name_list(x, sizeof x, &a->new_names);
	pathwatch_name_list(y, sizeof y, &b->new_names);
	return eq && !strcmp(x, y);
}

int main(void)
{
	static struct change_msg m, back;
	static char buf[CHANGEMSG_MAX];
	static const char *const refused[] = {
		"", "not json", "[]", "null", "{}", "{\"probe\":\"x\"}",
		/* a hop that is no address */
		"{\"probe\":\"p\",\"target\":\"t\",\"old\":[\"bogus\"],\"new\":[],\"first_diff_ttl\":1}",
		/* bytes after the object */
		"{\"probe\":\"p\",\"target\":\"t\",\"old\":[],\"new\":[],\"first_diff_ttl\":1} x",
		/* first_diff_ttl out of range, not an integer */
		"{\"probe\":\"p\",\"target\":\"t\",\"old\":[],\"new\":[],\"first_diff_ttl\":0}",
		"{\"probe\":\"p\",\"target\":\"t\",\"old\":[],\"new\":[],\"first_diff_ttl\":65}",
		"{\"probe\":\"p\",\"target\":\"t\",\"old\":[],\"new\":[],\"first_diff_ttl\":1.0}",
		"{\"probe\":\"p\",\"target\":\"t\",\"old\":[],\"new\":[],\"first_diff_ttl\":\"1\"}",
		/* required fields: empty, missing, wrong type */
		"{\"probe\":\"\",\"target\":\"t\",\"old\":[],\"new\":[],\"first_diff_ttl\":1}",
		"{\"probe\":\"p\",\"old\":[],\"new\":[],\"first_diff_ttl\":1}",
		"{\"probe\":\"p\",\"target\":\"t\",\"new\":[],\"first_diff_ttl\":1}",
		"{\"probe\":\"p\",\"target\":7,\"old\":[],\"new\":[],\"first_diff_ttl\":1}",
		"{\"probe\":\"p\",\"target\":\"t\",\"old\":{},\"new\":[],\"first_diff_ttl\":1}",
		/* optional fields of the wrong type or range */
		"{\"source\":1,\"probe\":\"p\",\"target\":\"t\",\"old\":[],\"new\":[],\"first_diff_ttl\":1}",
		"{\"ts\":-1,\"probe\":\"p\",\"target\":\"t\",\"old\":[],\"new\":[],\"first_diff_ttl\":1}",
		"{\"ts\":1e9,\"probe\":\"p\",\"target\":\"t\",\"old\":[],\"new\":[],\"first_diff_ttl\":1}",
		"{\"target_ip\":\"0123456789012345678901234567890123456789012345678\",\"probe\":\"p\",\"target\":\"t\",\"old\":[],\"new\":[],\"first_diff_ttl\":1}",
		/* a duplicate key, a NUL inside a string */
		"{\"probe\":\"p\",\"probe\":\"q\",\"target\":\"t\",\"old\":[],\"new\":[],\"first_diff_ttl\":1}",
		"{\"probe\":\"p\\u0000q\",\"target\":\"t\",\"old\":[],\"new\":[],\"first_diff_ttl\":1}",
		/* hop names: not as long as the path, not a name, for an unknown hop, not an array */
		"{\"probe\":\"p\",\"target\":\"t\",\"old\":[\"10.0.0.1\"],\"new\":[],\"first_diff_ttl\":1,\"old_names\":[]}",
		"{\"probe\":\"p\",\"target\":\"t\",\"old\":[\"10.0.0.1\"],\"new\":[],\"first_diff_ttl\":1,\"old_names\":[\"A.lab\"]}",
		"{\"probe\":\"p\",\"target\":\"t\",\"old\":[\"10.0.0.1\"],\"new\":[],\"first_diff_ttl\":1,\"old_names\":[\"a,b\"]}",
		"{\"probe\":\"p\",\"target\":\"t\",\"old\":[null],\"new\":[],\"first_diff_ttl\":1,\"old_names\":[\"a.lab\"]}",
		"{\"probe\":\"p\",\"target\":\"t\",\"old\":[\"10.0.0.1\"],\"new\":[],\"first_diff_ttl\":1,\"old_names\":\"a.lab\"}",
		"{\"probe\":\"p\",\"target\":\"t\",\"old\":[],\"new\":[\"10.0.0.1\"],\"first_diff_ttl\":1,\"new_names\":[1]}",
	};
	size_t n;

	memset(&m, 0, sizeof m);
	snprintf(m.id, sizeof m.id, "1700000000123-0");
	snprintf(m.source, sizeof m.source, "web\"1");
	snprintf(m.probe, sizeof m.probe, "p");
	snprintf(m.target, sizeof m.target, "db:5432");
	snprintf(m.target_ip, sizeof m.target_ip, "10.0.2.2");
	m.ts = 1700000000;
	m.chg.old_path = H("10.0.0.1,10.0.1.1,10.0.2.2");
	m.chg.new_path = H("10.0.0.1,*,10.0.5.5,10.0.2.2");
	m.chg.first_diff_ttl = 3;
	n = changemsg_write(buf, sizeof buf, &m);
	ok(n > 0 && n == strlen(buf), "written; the length returned");
	is_str(buf, "{\"id\":\"1700000000123-0\",\"source\":\"web\\\"1\",\"probe\":\"p\",\"target\":\"db:5432\",\"target_ip\":\"10.0.2.2\","
	            "\"ts\":1700000000,\"old\":[\"10.0.0.1\",\"10.0.1.1\",\"10.0.2.2\"],"
	            "\"new\":[\"10.0.0.1\",null,\"10.0.5.5\",\"10.0.2.2\"],\"first_diff_ttl\":3}",
	       "the message: fields in order, quotes escaped, unknown hop as null");
	ok(changemsg_read(buf, &back) == 0, "read back");
	ok(same(&m, &back), "round trip: every field equal");
	is_int(changemsg_write(buf, 40, &m), 0, "too small a buffer: 0");
	is_str(buf, "", "and an empty string");

	/* Names with control characters, UTF-8 and JSON's special characters. */
	snprintf(m.source, sizeof m.source, "h\\ \t\x01/\xc3\xa9");
	snprintf(m.target, sizeof m.target, "[fd00::1]:53");
	m.chg.old_path = H("");
	m.chg.new_path = H("*,fd00::2");
	m.chg.first_diff_ttl = 2;
	ok(changemsg_write(buf, sizeof buf, &m) > 0, "written with escapes and UTF-8");
	ok(changemsg_read(buf, &back) == 0 && same(&m, &back), "round trip with escapes, an empty path, IPv6");
	snprintf(m.source, sizeof m.source, "bad\xff");
	is_int(changemsg_write(buf, sizeof buf, &m), 0, "a name that is not UTF-8 is not written");

	/* What a reader meets: unknown fields of every kind, escapes, spaces. */
	ok(changemsg_read("{\"extra\":{\"a\":[1,-2.5e3,true,false,null,\"x\\\"y\"],\"b\":{}},\"source\":\"s\\u0031\","
	                  "\"probe\":\"p\",\"target\":\"t\\/a\",\"target_ip\":\"10.0.0.9\",\"ts\":1700000000,"
	                  "\"old\":[\"10.0.0.1\",null],\"new\":[\"10.0.0.2\"],\"first_diff_ttl\":1}", &back) == 0,
	   "unknown fields skipped, escapes decoded");
	is_str(back.source, "s1", "\\u0031 is 1");
	is_str(back.target, "t/a", "\\/ is /");
	is_int(back.ts, 1700000000, "ts");
	is_int(back.chg.old_path.n, 2, "old: two hops");
	is_str(back.chg.old_path.hop[1], "", "null is an unknown hop");
	is_str(back.id, "", "no id: empty");
	ok(changemsg_read(" { \"probe\" : \"q\" , \"target\" : \"fd00::9\" , \"old\" : [ ] , \"new\" : [ null , \"fd00::2\" ] ,"
	                  " \"first_diff_ttl\" : 2 } ", &back) == 0, "whitespace anywhere");
	ok(back.ts == 0 && !back.source[0] && !back.target_ip[0], "absent optional fields: 0 and empty");
	is_int(back.chg.first_diff_ttl, 2, "first_diff_ttl");
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		ok(changemsg_read(refused[i], &back) < 0 && !back.probe[0], "refused: %s", refused[i]);
	{
		/* 65 hops: more than a path holds */
		char many[2048] = "{\"probe\":\"p\",\"target\":\"t\",\"new\":[],\"first_diff_ttl\":1,\"old\":[";
		for (int i = 0; i < PATH_MAX_HOPS + 1; i++)
			strcat(many, i ? ",null" : "null");
		strcat(many, "]}");
		ok(changemsg_read(many, &back) < 0, "more than %d hops refused", PATH_MAX_HOPS);
	}
	/* hop names: written after first_diff_ttl, null where none, read back */
	memset(&m, 0, sizeof m);
	snprintf(m.probe, sizeof m.probe, "p");
	snprintf(m.target, sizeof m.target, "db:5432");
	m.chg.old_path = H("10.0.0.1,10.0.1.1,10.0.2.2");
	m.chg.new_path = H("10.0.0.1,*,10.0.5.5,10.0.2.2");
	m.chg.first_diff_ttl = 3;
	snprintf(m.old_names.name[0], HOPNAME_MAX, "r1.lab");
	snprintf(m.old_names.name[2], HOPNAME_MAX, "db.lab");
	m.old_names.n = 3;
	snprintf(m.new_names.name[2], HOPNAME_MAX, "x5.lab");
	m.new_names.n = 4;
	n = changemsg_write(buf, sizeof buf, &m);
	ok(n > 0 && strstr(buf, ",\"first_diff_ttl\":3,\"old_names\":[\"r1.lab\",null,\"db.lab\"],"
	                      "\"new_names\":[null,null,\"x5.lab\",null]}"), "names written: %s", buf);
	ok(changemsg_read(buf, &back) == 0 && same(&m, &back), "names read back");
	m.new_names.n = 0;
	n = changemsg_write(buf, sizeof buf, &m);
	ok(n > 0 && !strstr(buf, "new_names") && changemsg_read(buf, &back) == 0 && same(&m, &back),
	   "only old_names: new_names left out, read back");
	return done_testing();
}
