/* t/unit/keys.c: the Redis key schema (src/paths/keys.h): keys built,
 * split back, patterns escaped, and what is not a key refused. */
#include <string.h>

#include "keys.h"
#include "test-lib.h"

int main(void)
{
	static const struct { const char *source, *probe, *target; } good[] = {
		{ "web1", "trace", "db.example.com" },
		{ "web-1.example.com", "p_2", "10.0.0.1:5432" },
		{ "h", "p", "[fd00::1]:53" },
		{ "h", "p", "fd00::1" },
	};
	static const char *const bad[] = {
		"", "hopwatch:", "hopwatch:path:{h}:p", "hopwatch:path:{h}:p:", "hopwatch:path:{}:p:t",
		"hopwatch:path:{h}::t", "hopwatch:path:h:p:t", "hopwatch:changes:{h}:p:t", "other:path:{h}:p:t",
		"hopwatch:paths:{h}:p:t", "hopwatch:path:{h:p:t",
	};
	struct keys_parts kp;
	char buf[2048], big[KEYS_NAME_MAX + 10];

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		ok(keys_target(buf, sizeof buf, KEYS_PATH, "hopwatch:", good[i].source, good[i].probe,
		               good[i].target) > 0, "path key of %s", good[i].target);
		ok(keys_split(buf, KEYS_PATH, "hopwatch:", &kp) == 0, "splits: %s", buf);
		is_str(kp.source, good[i].source, "source back");
		is_str(kp.probe, good[i].probe, "probe back");
		is_str(kp.target, good[i].target, "target back (':' kept)");
	}
	keys_target(buf, sizeof buf, KEYS_PATH, "hw:", "web1", "trace", "10.0.0.1:80");
	is_str(buf, "hw:path:{web1}:trace:10.0.0.1:80", "path key: prefix, kind, source as a hash tag");
	keys_target(buf, sizeof buf, KEYS_CHANGES, "hw:", "web1", "trace", "10.0.0.1:80");
	is_str(buf, "hw:changes:{web1}:trace:10.0.0.1:80", "change stream key");
	ok(keys_split(buf, KEYS_PATH, "hw:", &kp) < 0, "a stream key is not a path key");
	ok(keys_split(buf, KEYS_CHANGES, "hw:", &kp) == 0 && !strcmp(kp.target, "10.0.0.1:80"),
	   "a stream key splits as one");
	keys_channel(buf, sizeof buf, "hw:");
	is_str(buf, "hw:path-changes", "channel");
	keys_other_channel(buf, sizeof buf, "hw:");
	is_str(buf, "hw:changes", "channel of other changes");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(keys_split(bad[i], KEYS_PATH, "hopwatch:", &kp) < 0, "not a path key: \"%s\"", bad[i]);

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	{
		char huge[4 * KEYS_NAME_MAX];
		ok(keys_target(huge, sizeof huge, KEYS_PATH, "", "h", "p", big) > 0, "a long key builds");
		ok(keys_split(huge, KEYS_PATH, "", &kp) < 0, "a target longer than KEYS_NAME_MAX - 1 is refused");
	}
	is_int(keys_target(buf, 10, KEYS_PATH, "hopwatch:", "h", "p", "t"), 0, "too small a buffer: 0");
	is_str(buf, "", "and an empty string");

	keys_pattern(buf, sizeof buf, KEYS_PATH, "hopwatch:", "web1");
	is_str(buf, "hopwatch:path:{web1}:*", "pattern of one source");
	keys_pattern(buf, sizeof buf, KEYS_PATH, "hopwatch:", "*");
	is_str(buf, "hopwatch:path:{*}:*", "pattern of every source ('*')");
	keys_pattern(buf, sizeof buf, KEYS_PATH, "hopwatch:", NULL);
	is_str(buf, "hopwatch:path:{*}:*", "pattern of every source (NULL)");
	keys_pattern(buf, sizeof buf, KEYS_CHANGES, "a*b?[c]\\:", "h[1]");
	is_str(buf, "a\\*b\\?\\[c\\]\\\\:changes:{h\\[1\\]}:*", "glob characters of prefix and source escaped");
	is_int(keys_pattern(buf, 20, KEYS_PATH, "hopwatch:", "web1"), 0, "pattern too long: 0");
	is_int(keys_pattern(buf, 23, KEYS_PATH, "hopwatch:", "web1"), 22, "pattern that just fits");

	/* mesh keys: the group is the hash tag of every one of them */
	keys_mesh(buf, sizeof buf, KEYS_MESH_MEMBERS, "hw:", "dc1", NULL);
	is_str(buf, "hw:mesh:{dc1}:members", "mesh member set");
	keys_mesh(buf, sizeof buf, KEYS_MESH_MEMBER, "hw:", "dc1", "web-1");
	is_str(buf, "hw:mesh:{dc1}:member:web-1", "mesh registration");
	keys_mesh(buf, sizeof buf, KEYS_MESH_RESULTS, "hw:", "dc1", "web-1");
	is_str(buf, "hw:mesh:{dc1}:results:web-1", "mesh results");
	is_int(keys_mesh(buf, 12, KEYS_MESH_MEMBERS, "hw:", "dc1", NULL), 0, "mesh key too long: 0");
	is_str(buf, "", "and an empty string");
	{
		char probe[KEYS_NAME_MAX], peer[KEYS_NAME_MAX];
		static const char *const badf[] = { "", ":", "p:", ":q", "p", "p:q:r" };
		is_int(keys_mesh_field(buf, sizeof buf, "ping", "web-2"), 10, "results field length");
		is_str(buf, "ping:web-2", "results field");
		ok(keys_mesh_field_split(buf, probe, peer) == 0 && !strcmp(probe, "ping") && !strcmp(peer, "web-2"),
		   "results field splits back");
		for (size_t i = 0; i < sizeof badf / sizeof badf[0]; i++)
			ok(keys_mesh_field_split(badf[i], probe, peer) < 0, "not a results field: \"%s\"", badf[i]);
	}
	keys_mesh_pattern(buf, sizeof buf, "hw*:");
	is_str(buf, "hw\\*:mesh:{*}:members", "pattern of every group's member set, prefix escaped");
	is_int(keys_mesh_pattern(buf, 10, "hw:"), 0, "too long: 0");
	{
		char g[KEYS_NAME_MAX];
		ok(keys_mesh_group("hw:mesh:{dc1}:members", "hw:", g) == 0 && !strcmp(g, "dc1"), "group of a member set");
		ok(keys_mesh_group("hw:mesh:{}:members", "hw:", g) < 0, "empty group refused");
		ok(keys_mesh_group("hw:mesh:{dc1}:member:a", "hw:", g) < 0, "a registration is no member set");
		ok(keys_mesh_group("hw:path:{dc1}:members", "hw:", g) < 0, "a path key is no member set");
	}
	return done_testing();
}
