/* pathdiff.c: see pathdiff.h. */
#include <string.h>

#include "pathdiff.h"

/* Whether hop `h` is unknown. */
static int unknown(const char *h)
{
	return !h || !h[0];
}

unsigned path_diff(const char *const *a, unsigned na, const char *const *b, unsigned nb)
{
	unsigned n = na < nb ? na : nb;

	for (unsigned i = 0; i < n; i++)
		if (!unknown(a[i]) && !unknown(b[i]) && strcmp(a[i], b[i]))
			return i + 1;
	return 0;
}
