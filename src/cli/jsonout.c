/* jsonout.c: the CLI's --json output (see cli.h and hopwatch(1), JSON
 * OUTPUT): values made from what Redis stores, through Jansson.  Pure but
 * for cli_json_print; unit-tested in t/unit/cli-format.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	obj = json_pack("{s:s?,s:s?,s:s,s:s,s:s?,s:o,s:s,s:o,s:o*,s:o*,s:o*,s:o*,s:o*}", "id", id && id[0] ? id : NULL,
	                "source", source[0] ? source : NULL, "probe", probe, "target", target, "target_ip",
	                ip[0] ? ip : NULL, "ts", ts > 0 ? json_integer((json_int_t)ts) : json_null(), "kind", "path",
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

/* Copy string member `name` of object `o` into buf ("" when it is absent
 * or null and not `required`): 0, or -1 when it is absent (and
 * `required`), not a string, or does not fit (or is empty and `required`). */
static int member(const json_t *o, const char *name, char *buf, size_t cap, int required)
{
	const json_t *v = json_object_get(o, name);
	size_t len;

	buf[0] = '\0';
	if (!v || (!required && json_is_null(v)))
		return required ? -1 : 0;  /* an optional field may be null: unknown */
	if (!json_is_string(v) || (len = json_string_length(v)) >= cap || memchr(json_string_value(v), '\0', len) ||
	    (required && !len))
		return -1;
	memcpy(buf, json_string_value(v), len + 1);
	return 0;
}

int cli_other_read(const char *json, struct cli_other_change *c)
{
	json_t *o = json_loads(json, JSON_REJECT_DUPLICATES, NULL), *ts;
	int rc = -1;

	memset(c, 0, sizeof *c);
	if (!o || !json_is_object(o))
		goto out;
	if (member(o, "probe", c->probe, sizeof c->probe, 1) || member(o, "target", c->target, sizeof c->target, 1) ||
	    member(o, "kind", c->kind, sizeof c->kind, 1) || member(o, "old", c->old_value, sizeof c->old_value, 0) ||
	    member(o, "new", c->new_value, sizeof c->new_value, 0) || !json_object_get(o, "old") ||
	    !json_object_get(o, "new") || member(o, "id", c->id, sizeof c->id, 0) ||
	    member(o, "source", c->source, sizeof c->source, 0) ||
	    member(o, "target_ip", c->target_ip, sizeof c->target_ip, 0))
		goto out;
	if ((ts = json_object_get(o, "ts")) && !json_is_null(ts)) {
		if (!json_is_integer(ts) || json_integer_value(ts) < 0)
			goto out;
		c->ts = (long long)json_integer_value(ts);
	}
	rc = 0;
out:
	json_decref(o);
	if (rc)
		memset(c, 0, sizeof *c);
	return rc;
}

json_t *cli_json_other(const struct cli_other_change *c)
{
	return json_pack("{s:s?,s:s?,s:s,s:s,s:s?,s:o,s:s,s:s,s:s}", "id", c->id[0] ? c->id : NULL, "source",
	                 c->source[0] ? c->source : NULL, "probe", c->probe, "target", c->target, "target_ip",
	                 c->target_ip[0] ? c->target_ip : NULL, "ts",
	                 c->ts > 0 ? json_integer((json_int_t)c->ts) : json_null(), "kind", c->kind, "old",
	                 c->old_value, "new", c->new_value);
}

void cli_json_print(json_t *v)
{
	if (!v || json_dumpf(v, stdout, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(CLI_JSON_DIGITS)) < 0 ||
	    putchar('\n') == EOF)
		cli_die("cannot write the JSON output");
	json_decref(v);
	fflush(stdout);
}
