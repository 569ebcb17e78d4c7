/* t/unit/pathstore.c: path diffing and change confirmation (src/pathdiff.h,
 * src/pathstore.h).  A path is written "a,b,*,d": '*' is an unknown hop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pathdiff.h"
#include "pathstore.h"
#include "test-lib.h"

/* Parse "a,b,*,d" into hops. */
static struct path_hops P(const char *spec)
{
	struct path_hops h;
	char buf[1024], *save = NULL;

	memset(&h, 0, sizeof h);
	snprintf(buf, sizeof buf, "%s", spec);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "*"))
			snprintf(h.hop[h.n], sizeof h.hop[h.n], "%s", tok);
		h.n++;
	}
	return h;
}

/* path_diff on two specs. */
static unsigned D(const char *a, const char *b)
{
	struct path_hops x = P(a), y = P(b);
	const char *pa[PATH_MAX_HOPS], *pb[PATH_MAX_HOPS];

	for (unsigned i = 0; i < x.n; i++)
		pa[i] = x.hop[i];
	for (unsigned i = 0; i < y.n; i++)
		pb[i] = y.hop[i];
	return path_diff(pa, x.n, pb, y.n);
}

/* "a,b,*" back from hops, for messages. */
static const char *S(const struct path_hops *h)
{
	static char buf[2048];
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < h->n; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i ? "," : "",
		                        h->hop[i][0] ? h->hop[i] : "*");
	return buf;
}

static const struct { const char *a, *b; unsigned want; } diffs[] = {
	{ "A,B,C,D", "A,B,C,D", 0 },
	{ "A,B,C,D", "A,*,C,D", 0 },          /* silent hop: no change */
	{ "A,B,C,D", "A,B", 0 },              /* trace cut short by loss */
	{ "A,*,*,*", "A,B,C,D", 0 },
	{ "A,B,C,D", "A,X,C,D", 2 },
	{ "A,B,C,D", "A,B,D", 3 },            /* one hop fewer */
	{ "A,B,D", "A,B,C,D", 3 },            /* one hop more */
	{ "A,B,C,D", "X,B,C,D", 1 },
	{ "", "A,B", 0 },
	{ "*,*,*", "*,*,*", 0 },
	{ "10.0.0.1,fd00::1", "10.0.0.1,fd00::2", 2 },
};

int main(void)
{
	struct path_change chg;
	pathstore *s;

	for (size_t i = 0; i < sizeof diffs / sizeof diffs[0]; i++)
		is_int(D(diffs[i].a, diffs[i].b), diffs[i].want, diffs[i].a);

	/* confirm = 2: one odd trace never alerts */
	s = pathstore_new(2);
	struct path_hops base = P("A,B,C,D"), alt = P("A,X,C,D"), part = P("A,X,*");
	ok(!pathstore_feed(s, "p", "t", &base, &chg), "first trace: no change");
	is_str(S(pathstore_get(s, "p", "t")), "A,B,C,D", "first trace is confirmed");
	ok(!pathstore_feed(s, "p", "t", &alt, &chg), "one different trace: no change yet");
	ok(!pathstore_feed(s, "p", "t", &base, &chg), "back to the old path: candidate dropped");
	ok(!pathstore_feed(s, "p", "t", &alt, &chg), "different again: first sighting");
	ok(pathstore_feed(s, "p", "t", &part, &chg), "second compatible sighting confirms");
	is_str(S(&chg.old_path), "A,B,C,D", "old path");
	is_str(S(&chg.new_path), "A,X,C,D", "new path keeps what the first sighting knew");
	is_int(chg.first_diff_ttl, 2, "first differing TTL");
	is_str(S(pathstore_get(s, "p", "t")), "A,X,C,D", "new path confirmed");
	ok(!pathstore_feed(s, "p", "t", &alt, &chg), "same path again: no change");

	/* silent and rate-limited hops are not changes; they are learnt */
	struct path_hops holes = P("A,*,C,*"), full = P("A,X,C,D");
	for (int i = 0; i < 50; i++)
		ok(!pathstore_feed(s, "p", "t", i % 2 ? &holes : &full, &chg), "trace %d with holes: no change", i);

	/* unknowns of the confirmed path are filled in */
	struct path_hops first = P("A,*,C"), later = P("A,B,C,D");
	ok(!pathstore_feed(s, "p", "u", &first, &chg), "new key");
	ok(!pathstore_feed(s, "p", "u", &later, &chg), "compatible: no change");
	is_str(S(pathstore_get(s, "p", "u")), "A,B,C,D", "unknown hop and tail learnt");

	/* keys are (probe, target) */
	ok(pathstore_get(s, "q", "t") == NULL, "other probe: nothing stored");
	struct path_hops seed = P("S,T");
	ok(pathstore_seed(s, "q", "t", &seed) == 0, "seed");
	is_str(S(pathstore_get(s, "q", "t")), "S,T", "seeded path");
	struct path_hops other = P("S,U");
	ok(!pathstore_feed(s, "q", "t", &other, &chg), "after a seed, a change still needs confirming");
	ok(pathstore_feed(s, "q", "t", &other, &chg), "and is then confirmed");
	is_int(chg.first_diff_ttl, 2, "against the seeded path");

	/* many keys: the table grows */
	char name[32];
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof name, "t%d", i);
		pathstore_feed(s, "many", name, &base, &chg);
	}
	int found = 0;
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof name, "t%d", i);
		found += pathstore_get(s, "many", name) != NULL;
	}
	is_int(found, 500, "500 keys kept");
	pathstore_free(s);

	/* confirm = 1: immediate */
	s = pathstore_new(1);
	pathstore_feed(s, "p", "t", &base, &chg);
	ok(pathstore_feed(s, "p", "t", &alt, &chg), "confirm 1: the first different trace is a change");
	pathstore_free(s);
	return done_testing();
}
