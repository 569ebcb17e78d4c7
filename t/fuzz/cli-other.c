/* t/fuzz/cli-other.c: libFuzzer target for the reader of <prefix>changes
 * messages in `hopwatch watch` (cli_other_read, src/cli/jsonout.c: anyone
 * who can PUBLISH on the channel feeds it): no crash on any input, and
 * what it reads, written back as JSON (cli_json_other), reads back to the
 * same fields.  The CLI's pure files are compiled into this one unit (the
 * core that other fuzz targets link has no cli_die). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.c"
#include "jsonout.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void cli_die(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

/* The input as the values of a message: up to 6 strings split at NUL
 * (probe, target, kind, old, new, source) and the first byte as which
 * optional fields are left out or null, made into JSON by Jansson, so
 * that the reader meets well-formed objects with any contents, not only
 * what a byte mutator rarely makes of "{". */
static char *structured(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "probe", "target", "kind", "old", "new", "source" };
	const char *v[6] = { "", "", "", "", "", "" };
	static char buf[8192];
	unsigned flags, k = 0;
	json_t *o;
	char *out;

	if (!size || size >= sizeof buf)
		return NULL;
	flags = data[0];
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	for (char *p = buf; k < 6 && p <= buf + size - 1; p += strlen(p) + 1)
		v[k++] = p;
	if (!(o = json_object()))
		return NULL;
	for (unsigned i = 0; i < 6; i++)
		if (!(flags & (1u << i)))
			json_object_set_new(o, names[i], json_string(v[i]));  /* NULL (not UTF-8): left out */
	if (flags & 64)
		json_object_set_new(o, "id", json_null());
	if (flags & 128)
		json_object_set_new(o, "ts", json_integer((json_int_t)size - 2));
	out = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return out;
}

/* Read `in`; when it is a message, write it back and read it again. */
static void round_trip(const char *in)
{
	static struct cli_other_change a, b;
	json_t *j;
	char *out;

	if (cli_other_read(in, &a) < 0)
		return;
	/* what was read came from valid JSON strings: it must write, and read back equal */
	if (!(j = cli_json_other(&a)) || !(out = json_dumps(j, JSON_COMPACT)))
		abort();
	json_decref(j);
	if (cli_other_read(out, &b) < 0 || memcmp(&a, &b, sizeof a))
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char in[65536];
	char *s;

	if (size >= sizeof in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	round_trip(in);
	if ((s = structured(data, size))) {
		round_trip(s);
		free(s);
	}
	return 0;
}
