/* jsonout.c: the CLI's --json output (see cli.h and hopwatch(1), JSON
 * OUTPUT): values made from what Redis stores, through Jansson.  Pure but
 * for cli_json_print; unit-tested in t/unit/cli-format.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "changemsg.h"
#include "cli.h"

json_t *cli_json_number(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v))
		return json_null();
	return json_real(v);
}

json_t *cli_json_time(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno)
		return json_null();
	return json_integer((json_int_t)v);
}

json_t *cli_json_change(const char *source, const char *probe, const char *target, const char *ip,
                        long long ts, const char *id, const struct path_hops *o, const struct path_hops *n,
                        unsigned first, const struct path_names *on, const struct path_names *nn)
{
	json_t *changed = json_array(), *obj;
	unsigned rows = o->n > n->n ? o->n : n->n;

	for (unsigned i = 0; changed && i < rows; i++)
		if (cli_hop_changed(o, n, i) || i + 1 == first)
			json_array_append_new(changed, json_integer(i + 1));
	obj = json_pack("{s:s?,s:s?,s:s,s:s,s:s?,s:o,s:o,s:o*,s:o*,s:o*,s:o*,s:o*}", "id", id && id[0] ? id : NULL,
	                "source", source[0] ? source : NULL, "probe", probe, "target", target, "target_ip",
	                ip[0] ? ip : NULL, "ts", ts > 0 ? json_integer((json_int_t)ts) : json_null(),
	                "first_diff_ttl", json_integer(first), "changed_ttls", changed, "old", changemsg_path_json(o),
	                "new", changemsg_path_json(n), "old_names", changemsg_names_json(on, o->n),
	                "new_names", changemsg_names_json(nn, n->n));
	if (obj && (!json_object_get(obj, "old") || !json_object_get(obj, "new") ||
	            !json_object_get(obj, "changed_ttls") || !json_object_get(obj, "old_names") ||
	            !json_object_get(obj, "new_names"))) {
		json_decref(obj);
		obj = NULL;
	}
	return obj;
}

void cli_json_print(json_t *v)
{
	if (!v || json_dumpf(v, stdout, JSON_COMPACT | JSON_ENSURE_ASCII) < 0 || putchar('\n') == EOF)
		cli_die("cannot write the JSON output");
	json_decref(v);
	fflush(stdout);
}
