/*
 * t/plugins/fakepath.c: reports made-up traces, for tests of the core's
 * path store, change events and Redis without a network.  Each round
 * reads the file `file` (a test rewrites it to "change the route"):
 * one line per target, "a,b,*,d" (addresses by TTL, '*' unknown), the
 * line of target i being line i + 1 (the last line serves the rest), and
 * hands it to hw_path_report.  It sends no packets.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hopwatch.h"

/* Settings. */
struct opts {
	const char *file;   /* where the paths are read from */
};

#define O(f) offsetof(struct opts, f)
static const hw_option options[] = {
	{ "file", HW_OPT_STRING, O(file), "/dev/null", 0, 0, NULL, "file of hop lists, one per target" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

/* Instance state. */
struct probe {
	hw_ctx *ctx;              /* host handle */
	const struct opts *o;     /* settings */
};

static struct probe instance;  /* tests run one instance per plugin file */

static int start(hw_ctx *ctx, const void *opts, void **state)
{
	instance.ctx = ctx;
	instance.o = opts;
	*state = &instance;
	return 0;
}

/* Line `index` (or the last) of the file into buf; 0 when none. */
static int read_line(const char *file, unsigned index, char *buf, size_t len)
{
	FILE *f = fopen(file, "r");
	int found = 0;

	if (!f)
		return 0;
	for (unsigned i = 0; i <= index && fgets(buf, (int)len, f); i++)
		found = 1;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return found;
}

static void run(void *state, hw_target *t)
{
	struct probe *pr = state;
	hw_hop hops[HW_PATH_MAX_HOPS];
	char line[4096], *save = NULL;
	hw_path p = { .protocol = "test", .hops = hops, .duration = 0.001 };

	memset(hops, 0, sizeof hops);
	if (read_line(pr->o->file, t->index, line, sizeof line))
		for (char *tok = strtok_r(line, ",", &save); tok && p.nhops < HW_PATH_MAX_HOPS;
		     tok = strtok_r(NULL, ",", &save)) {
			hw_hop *h = &hops[p.nhops++];
			h->sent = 3;
			if (strcmp(tok, "*")) {
				snprintf(h->ip, sizeof h->ip, "%s", tok);
				h->received = 3;
				h->rtt_avg = p.nhops * 1.5;
				h->rtt_min = p.nhops;          /* best and worst differ from the average */
				h->rtt_max = p.nhops * 2.0;
				h->rtt_stddev = p.nhops * 0.25; /* made up, as the others: shown as given */
				h->rtt_jitter = p.nhops * 0.5;
			}
		}
	p.reached = p.nhops && hops[p.nhops - 1].ip[0];
	hw_path_report(pr->ctx, t, &p);
	hw_metric1(pr->ctx, t, "test.traced", HW_COUNT, 1, NULL);
	hw_done(pr->ctx, t);
}

static void stop(void *state)
{
	(void)state;
}

HW_PLUGIN_EXPORT = {
	.abi = HW_PLUGIN_ABI,
	.size = sizeof(hw_plugin),
	.name = "fakepath",
	.options = options,
	.options_size = sizeof(struct opts),
	.port = HW_PORT_OPTIONAL,
	.start = start,
	.run = run,
	.stop = stop,
};
