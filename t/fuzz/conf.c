/* t/fuzz/conf.c: libFuzzer target for the configuration loader: any file
 * is either a configuration or an error, never a crash or a leak.  Plugins
 * come from HW_FUZZ_PLUGIN_DIR (default t/plugins).  The same bytes also go
 * to conf_parse_number, the exact reader of number literals, whose result
 * must be consistent. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	const char *dir = getenv("HW_FUZZ_PLUGIN_DIR");
	struct hw_config *c;
	struct conf_number n;
	FILE *f;

	if (!path[0]) {
		snprintf(path, sizeof path, "/tmp/hopwatch-fuzz-%d.conf", (int)getpid());
		log_setup(0, 0, "fuzz");  /* level 0: nothing is logged */
	}
	if (conf_parse_number((const char *)data, size, &n) == 0) {
		/* the text is the literal, or its start and "..." */
		if (strncmp(n.text, (const char *)data, strlen(n.text) - (size >= sizeof n.text ? 3 : 0)))
			abort();
		if (n.fits && !n.is_float && n.d != (double)n.i)
			abort();
		if (n.is_float && n.fits != !!isfinite(n.d))
			abort();
	}
	if (!(f = fopen(path, "w")))
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	c = conf_load(path, dir ? dir : "t/plugins");
	conf_free(c);
	unlink(path);
	return 0;
}
