/* t/unit/pathdiff.c: path comparison (src/paths/pathdiff.h), table-driven:
 * unknown hops and a shorter path match anything; the first TTL where two
 * known addresses differ is reported. */
#include "pathdiff.h"
#include "test-lib.h"

#define N(a) (unsigned)(sizeof(a) / sizeof((a)[0]))

int main(void)
{
	static const char *const base[] = { "10.0.0.1", "10.0.0.2", "10.0.0.3" };
	static const char *const same[] = { "10.0.0.1", "10.0.0.2", "10.0.0.3" };
	static const char *const holes[] = { "10.0.0.1", "", NULL };
	static const char *const shorter[] = { "10.0.0.1" };
	static const char *const longer[] = { "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4" };
	static const char *const at2[] = { "10.0.0.1", "10.9.0.2", "10.0.0.3" };
	static const char *const at3[] = { "", "", "10.9.0.3" };
	static const char *const v6[] = { "fd00::1", "10.0.0.2" };
	static const struct {
		const char *const *a, *const *b;
		unsigned na, nb, want;
		const char *name;
	} cases[] = {
		{ base, same, N(base), N(same), 0, "identical paths" },
		{ base, holes, N(base), N(holes), 0, "unknown hops (\"\" and NULL) match any address" },
		{ holes, base, N(holes), N(base), 0, "... on either side" },
		{ base, shorter, N(base), N(shorter), 0, "a shorter path matches its prefix" },
		{ base, longer, N(base), N(longer), 0, "a longer path with the same prefix" },
		{ base, at2, N(base), N(at2), 2, "first difference at TTL 2" },
		{ at2, base, N(at2), N(base), 2, "symmetric" },
		{ base, at3, N(base), N(at3), 3, "unknown hops before a difference at TTL 3" },
		{ base, v6, N(base), N(v6), 1, "an IPv6 hop against an IPv4 one" },
		{ base, base, 0, 0, 0, "two empty paths" },
		{ base, at2, N(base), 1, 0, "the difference lies past the shorter path" },
	};

	for (unsigned i = 0; i < N(cases); i++)
		is_int(path_diff(cases[i].a, cases[i].na, cases[i].b, cases[i].nb), cases[i].want, cases[i].name);
	return done_testing();
}
