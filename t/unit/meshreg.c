/* t/unit/meshreg.c: the mesh's pure parts (src/paths/meshreg.h):
 * registrations written and read back, every kind of garbage refused,
 * CIDRs and the allow-list, results, and the member table (joins, leaves,
 * TTL expiry, a restart, two hosts under one name, our own name taken). */
#include <stdlib.h>
#include <string.h>

#include "meshreg.h"
#include "test-lib.h"

/* What the table noted, in order, as letters: J L C R I D S. */
static char notes[256];

static void note(void *arg, enum mesh_note what, const struct mesh_member *m, const char *detail)
{
	size_t n = strlen(notes);
	(void)arg;
	(void)m;
	(void)detail;
	if (n + 1 < sizeof notes) {
		notes[n] = "JLCRIDS"[what];
		notes[n + 1] = '\0';
	}
}

/* The registration JSON of (name, id, one IPv4 address). */
static const char *reg_json(const char *name, const char *id, const char *ip)
{
	static char buf[32][512];  /* each call its own: the reads keep pointing at them */
	static int k;
	struct mesh_reg r = { .n4 = 1, .ts = 1700000000 };

	snprintf(r.name, sizeof r.name, "%s", name);
	snprintf(r.id, sizeof r.id, "%s", id);
	snprintf(r.v4[0], sizeof r.v4[0], "%s", ip);
	k = (k + 1) % 32;
	meshreg_write(buf[k], sizeof buf[k], &r);
	return buf[k];
}

#define ID_A "00000000000000aa"
#define ID_B "00000000000000bb"
#define ID_SELF "0123456789abcdef"

int main(void)
{
	static const struct { const char *json, *why; } bad[] = {
		{ "", "not a JSON object" },
		{ "[]", "not a JSON object" },
		{ "{\"v\":1,\"name\":\"h\",\"id\":\"0123456789abcdef\",\"ipv4\":[\"10.0.0.1\"],\"ts\":1,\"x\":1}", "unknown key \"x\"" },
		{ "{\"v\":2,\"name\":\"h\",\"id\":\"0123456789abcdef\",\"ipv4\":[\"10.0.0.1\"],\"ts\":1}", "v is not 1" },
		{ "{\"v\":1,\"name\":\"other\",\"id\":\"0123456789abcdef\",\"ipv4\":[\"10.0.0.1\"],\"ts\":1}", "name \"other\" is not the key's \"h\"" },
		{ "{\"v\":1,\"name\":\"h\",\"id\":\"0123456789ABCDEF\",\"ipv4\":[\"10.0.0.1\"],\"ts\":1}", "id is not 16 lowercase hex digits" },
		{ "{\"v\":1,\"name\":\"h\",\"id\":\"0123456789abcdef\",\"ipv4\":[\"10.0.0.1\"],\"ts\":-1}", "ts is not a time" },
		{ "{\"v\":1,\"name\":\"h\",\"id\":\"0123456789abcdef\",\"ipv4\":[\"10.0.0.1\",\"1.2.3\"],\"ts\":1}", "ipv4[1]: \"1.2.3\" is not an IPv4 address" },
		{ "{\"v\":1,\"name\":\"h\",\"id\":\"0123456789abcdef\",\"ipv4\":[\"010.0.0.1\"],\"ts\":1}", "ipv4[0]: \"010.0.0.1\" is not an IPv4 address" },
		{ "{\"v\":1,\"name\":\"h\",\"id\":\"0123456789abcdef\",\"ipv4\":[\"fd00::1\"],\"ts\":1}", "ipv4[0]: \"fd00::1\" is not an IPv4 address" },
		{ "{\"v\":1,\"name\":\"h\",\"id\":\"0123456789abcdef\",\"ipv6\":[\"FD00::1\"],\"ts\":1}", "ipv6[0]: \"FD00::1\" is not an IPv6 address" },
		{ "{\"v\":1,\"name\":\"h\",\"id\":\"0123456789abcdef\",\"ipv4\":[1],\"ts\":1}", "ipv4[0]: a string is not an IPv4 address" },
		{ "{\"v\":1,\"name\":\"h\",\"id\":\"0123456789abcdef\",\"ipv4\":\"10.0.0.1\",\"ts\":1}", "ipv4 is not a list of at most 8 strings" },
		{ "{\"v\":1,\"name\":\"h\",\"id\":\"0123456789abcdef\",\"ipv4\":[],\"ts\":1}", "no address" },
		{ "{\"v\":1,\"name\":\"h\",\"id\":\"0123456789abcdef\",\"ipv4\":[\"10.0.0.1\"],\"tags\":[\"a|b\"],\"ts\":1}", "tags[0]: \"a|b\" is not a valid tag" },
		{ "{\"v\":1,\"name\":\"h\",\"v\":1,\"id\":\"0123456789abcdef\",\"ipv4\":[\"10.0.0.1\"],\"ts\":1}", "not a JSON object" },
	};
	struct mesh_reg r = { .n4 = 2, .n6 = 1, .ntags = 2, .ts = 1700000000 }, back;
	struct mesh_cidr c[2];
	struct mesh_result res = { .loss = 20, .rtt = 0.125, .reached = 1, .ts = 1700000001, .interval = 10 }, rb;
	char buf[MESH_REG_MAX + 2], why[160];
	const char *w;

	strcpy(r.name, "web-1");
	strcpy(r.id, ID_SELF);
	strcpy(r.v4[0], "10.0.0.5");
	strcpy(r.v4[1], "10.1.0.5");
	strcpy(r.v6[0], "fd00::5");
	strcpy(r.tags[0], "rack:r1");
	strcpy(r.tags[1], "canary");
	ok(meshreg_write(buf, sizeof buf, &r) > 0, "a registration is written");
	is_str(buf, "{\"v\":1,\"name\":\"web-1\",\"id\":\"0123456789abcdef\",\"ipv4\":[\"10.0.0.5\",\"10.1.0.5\"],"
	            "\"ipv6\":[\"fd00::5\"],\"tags\":[\"rack:r1\",\"canary\"],\"ts\":1700000000}", "its JSON");
	ok(meshreg_parse(buf, strlen(buf), "web-1", &back, why, sizeof why) == 0, "and reads back");
	ok(!memcmp(&r, &back, sizeof r), "unchanged");
	is_int(meshreg_write(buf, 20, &r), 0, "too small a buffer: 0");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = '\0';
		ok(meshreg_parse(bad[i].json, strlen(bad[i].json), "h", &back, why, sizeof why) < 0,
		   "refused: %s", bad[i].json);
		is_str(why, bad[i].why, "because");
	}
	memset(buf, ' ', sizeof buf - 1);
	ok(meshreg_parse(buf, sizeof buf - 1, "h", &back, why, sizeof why) < 0 && strstr(why, "longer"),
	   "a registration longer than MESH_REG_MAX is refused unread");
	ok(meshreg_name_ok("web-1.dc_1") && !meshreg_name_ok("") && !meshreg_name_ok("a:b") &&
	   !meshreg_name_ok("a}b"), "names: letters, digits, _ . - only");

	/* CIDRs and the allow-list */
	ok(meshreg_cidr_parse("10.0.0.0/8", &c[0], &w) == 0 && c[0].bits == 8, "10.0.0.0/8");
	ok(meshreg_cidr_parse("fd00::/8", &c[1], &w) == 0 && c[1].family == AF_INET6, "fd00::/8");
	ok(meshreg_cidr_parse("10.0.0.1/8", &c[0], &w) < 0 && strstr(w, "bits set"), "host bits refused");
	ok(meshreg_cidr_parse("10.0.0.0/33", &c[0], &w) < 0, "/33 refused");
	ok(meshreg_cidr_parse("10.0.0.0/", &c[0], &w) < 0, "empty prefix refused");
	ok(meshreg_cidr_parse("10.0.0.0/08", &c[0], &w) < 0, "a prefix with a leading zero refused");
	ok(meshreg_cidr_parse("example.com/8", &c[0], &w) < 0, "a name refused");
	ok(meshreg_cidr_parse("127.0.0.1", &c[0], &w) == 0 && c[0].bits == 32, "a bare address is a /32");
	meshreg_cidr_parse("10.0.0.0/8", &c[0], &w);
	meshreg_cidr_parse("fd00::/8", &c[1], &w);
	ok(!meshreg_addr_problem("10.200.3.4", c, 2), "inside the allow-list");
	is_str(meshreg_addr_problem("192.168.1.1", c, 2), "is outside mesh_allow", "outside it");
	ok(!meshreg_addr_problem("fd12::1", c, 2), "IPv6 inside");
	is_str(meshreg_addr_problem("fe80::1", c, 2), "is outside mesh_allow", "IPv6 outside");
	is_str(meshreg_addr_problem("127.0.0.1", NULL, 0), "is loopback (allow it with mesh_allow)",
	       "loopback refused without an allow-list");
	is_str(meshreg_addr_problem("::1", NULL, 0), "is loopback (allow it with mesh_allow)", "::1 too");
	meshreg_cidr_parse("127.0.0.0/8", &c[0], &w);
	ok(!meshreg_addr_problem("127.0.0.3", c, 1), "loopback allowed when mesh_allow lists it");
	is_str(meshreg_addr_problem("169.254.1.1", NULL, 0), "is link-local (allow it with mesh_allow)", "link-local");
	is_str(meshreg_addr_problem("0.0.0.0", NULL, 0), "is unspecified", "0.0.0.0");
	is_str(meshreg_addr_problem("224.0.0.1", c, 1), "is multicast", "multicast, whatever the list");
	is_str(meshreg_addr_problem("255.255.255.255", NULL, 0), "is reserved or broadcast", "broadcast");
	is_str(meshreg_addr_problem("ff02::1", NULL, 0), "is multicast", "IPv6 multicast");
	is_str(meshreg_addr_problem("::ffff:10.0.0.1", NULL, 0), "is IPv4-mapped (register the IPv4 address)",
	       "IPv4-mapped");
	ok(!meshreg_addr_problem("10.1.2.3", NULL, 0), "a unicast address without a list");

	/* results */
	strcpy(res.ip, "10.0.0.6");
	ok(meshreg_result_write(buf, sizeof buf, &res) > 0, "a result is written");
	is_str(buf, "{\"loss\":20.0,\"rtt\":0.125,\"reached\":1,\"ts\":1700000001,\"interval\":10.0,\"ip\":\"10.0.0.6\"}",
	       "its JSON");
	ok(meshreg_result_parse(buf, strlen(buf), &rb, why, sizeof why) == 0 && rb.loss == 20 &&
	   rb.rtt == 0.125 && rb.reached == 1 && rb.ts == 1700000001 && !strcmp(rb.ip, "10.0.0.6"), "reads back");
	res.rtt = (float)0.039;  /* a figure kept as float: 0.0390000004699687 as a double */
	meshreg_result_write(buf, sizeof buf, &res);
	ok(strstr(buf, "\"rtt\":0.039,") != NULL, "6 significant digits: no float noise");
	res.rtt = -1;
	res.reached = 0;
	res.loss = 100;
	meshreg_result_write(buf, sizeof buf, &res);
	ok(strstr(buf, "\"rtt\":null") && meshreg_result_parse(buf, strlen(buf), &rb, why, sizeof why) == 0 &&
	   rb.rtt < 0, "no RTT is null");
	{
		const char *l101 = "{\"loss\":101,\"rtt\":null,\"reached\":0,\"ts\":1,\"interval\":1,\"ip\":\"10.0.0.1\"}";
		const char *r2 = "{\"loss\":1,\"rtt\":null,\"reached\":2,\"ts\":1,\"interval\":1,\"ip\":\"10.0.0.1\"}";
		ok(meshreg_result_parse(l101, strlen(l101), &rb, why, sizeof why) < 0 &&
		   !strcmp(why, "loss is not a percentage"), "loss 101 refused");
		ok(meshreg_result_parse(r2, strlen(r2), &rb, why, sizeof why) < 0 &&
		   !strcmp(why, "reached is not 0 or 1"), "reached 2 refused");
	}

	/* member set entries */
	{
		char nm[MESH_NAME_MAX + 1], id[MESH_ID_LEN + 1];
		ok(meshreg_entry_split("web-1:0123456789abcdef", nm, id) == 0 && !strcmp(nm, "web-1") &&
		   !strcmp(id, ID_SELF), "entry name:id splits");
		ok(meshreg_entry_split("web-1", nm, id) < 0, "an entry without id is refused");
		ok(meshreg_entry_split("web-1:0123", nm, id) < 0, "a short id is refused");
		ok(meshreg_entry_split("a:b:0123456789abcdef", nm, id) < 0, "a name with ':' is refused");
		ok(meshreg_entry_split(":0123456789abcdef", nm, id) < 0, "an empty name is refused");
	}

	/* the member table */
	struct mesh_table t = { .ttl = 30, .quiet = 60, .note = note };
	strcpy(t.self, "me");
	strcpy(t.self_id, ID_SELF);
#define RD(n, i, ip) (struct mesh_read){ n, i, reg_json(n, i, ip), strlen(reg_json(n, i, ip)) }
	struct mesh_read rd[5] = { RD("me", ID_SELF, "10.0.0.1"), RD("a", ID_A, "10.0.0.2"), RD("b", ID_B, "10.0.0.3") };
	is_int(mesh_table_update(&t, rd, 3, 0), 1, "two members join");
	is_str(notes, "JJ", "noted as joins; ourselves not a member");
	is_int(mesh_table_update(&t, rd, 3, 10), 0, "the same read: nothing changed");
	rd[1].json = NULL;
	notes[0] = '\0';
	is_int(mesh_table_update(&t, rd, 3, 20), 1, "a's key expired: it leaves");
	is_str(notes, "L", "noted");
	rd[1] = RD("a", ID_A, "10.0.0.2");
	notes[0] = '\0';
	is_int(mesh_table_update(&t, rd, 3, 21), 1, "and joins again");
	/* another host registers as "a", under its own id: listed before the first */
	rd[3] = rd[2];
	rd[2] = rd[1];
	rd[1] = RD("a", ID_B, "10.9.9.9");
	is_int(mesh_table_update(&t, rd, 4, 25), 0, "a second id under one name changes no target");
	is_int(mesh_table_update(&t, rd, 4, 26), 0, "nor on the next read");
	is_int(mesh_table_update(&t, rd, 4, 200), 0, "nor long after, while the first lives");
	is_str(notes, "JDD", "the duplicate is noted, at most once per quiet time");
	ok(t.m[0].reg.id[0] && !strcmp(t.m[0].reg.v4[0], "10.0.0.2"), "the first keeps its address");
	rd[2].json = NULL;  /* the first one's registration expired */
	notes[0] = '\0';
	is_int(mesh_table_update(&t, rd, 4, 201), 1, "the first expired: the second is adopted at once");
	is_str(notes, "R", "noted as a restart");
	ok(!strcmp(t.m[0].reg.v4[0], "10.9.9.9"), "with its address");
	rd[2] = rd[3];
	/* garbage */
	rd[3] = (struct mesh_read){ "b", ID_B, "{\"v\":1,\"name\":\"b\",\"id\":\"00000000000000bb\",\"ipv4\":[\"10.0.0.300\"],\"ts\":1}", 0 };
	rd[3].len = strlen(rd[3].json);
	rd[2] = rd[3];
	rd[3] = (struct mesh_read){ "c", ID_A, "garbage", 7 };
	rd[4] = (struct mesh_read){ "d", ID_A, reg_json("d", ID_B, "10.0.0.9"), 0 };
	rd[4].len = strlen(rd[4].json);
	notes[0] = '\0';
	is_int(mesh_table_update(&t, rd, 5, 210), 0, "b turns to garbage: kept for a TTL; c's garbage and d's wrong id ignored");
	is_str(notes, "III", "all noted");
	is_int(mesh_table_update(&t, rd, 5, 220), 0, "the same garbage again");
	is_str(notes, "III", "is not noted again within the quiet time");
	is_int(mesh_table_update(&t, rd, 5, 241), 1, "b garbage for a TTL: it leaves");
	is_str(notes, "IIIL", "noted as leaving");
	/* our own name taken */
	rd[0] = RD("me", ID_A, "10.0.0.7");
	notes[0] = '\0';
	is_int(mesh_table_update(&t, rd, 1, 250), 1, "our name under another id: never a target (a left: not read)");
	is_str(notes, "SL", "noted as our name taken");
	{
		int self_noted = 0;
		for (size_t i = 0; i < t.n; i++)
			if (!strcmp(t.m[i].reg.name, "me"))
				self_noted = !t.m[i].reg.id[0];
		ok(self_noted, "and kept only as a note");
	}
	mesh_table_clear(&t);
	return done_testing();
}
