/*
 * options.c: `hopwatch`'s main: the command line, the `redis` and
 * `hostname` settings of a hopwatchd configuration (-c, read with
 * conf_load_core: no plugin is loaded), and how the program exits.  The
 * commands are in commands.c (see cli.h).
 *
 * Exit status: 0 done, 1 a runtime error (Redis unreachable, refused,
 * unknown target, a configuration that is not valid), 2 a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "log.h"

#ifndef HW_VERSION
#define HW_VERSION "0.1"
#endif

void cli_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("hopwatch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: hopwatch [options] COMMAND [TARGET]\n"
	        "Read the paths hopwatchd stores in Redis; make a Datadog dashboard.\n"
	        "\n"
	        "commands:\n"
	        "  paths                   every stored path: probe, target, hops, reached,\n"
	        "                          age of the last trace, last change\n"
	        "  show TARGET             the last trace (address, loss, best/avg/worst RTT\n"
	        "                          per hop), and the confirmed path when it differs\n"
	        "  history TARGET          the recorded changes, oldest first, as diffs with\n"
	        "                          every changed hop marked\n"
	        "  watch [TARGET]          print changes as they are published, until interrupted;\n"
	        "                          reconnects when Redis restarts\n"
	        "  mesh [GROUP]            a mesh group's loss and RTT matrices between its\n"
	        "                          members, and the members (every group without GROUP)\n"
	        "  dashboard               print a Datadog dashboard (dashboard API JSON): with\n"
	        "                          -c a group per probe instance, else one per plugin;\n"
	        "                          needs no Redis\n"
	        "\n"
	        "options:\n"
	        "  -c FILE                 read redis.* and hostname from a hopwatchd configuration\n"
	        "  -H HOST, -p PORT        Redis host and port (default 127.0.0.1:6379); in a\n"
	        "                          Redis Cluster, any node\n"
	        "  -s PATH                 Redis Unix socket, instead of host and port\n"
	        "  --sentinel HOST:PORT    ask this sentinel for the primary (repeat for more;\n"
	        "                          with --master-name, not with -H or -s); -H and -s\n"
	        "                          override the sentinels of -c\n"
	        "  --master-name NAME      the name the sentinels monitor the primary under\n"
	        "  -u USER, -a PASSWORD    AUTH; the password may also come from $HOPWATCH_REDIS_PASSWORD\n"
	        "  -n DB                   database number (default 0)\n"
	        "  --prefix P              key prefix (default \"hopwatch:\")\n"
	        "  --source HOST           whose paths (default: the configuration's hostname,\n"
	        "                          else this host's name); '*' for every host (in a\n"
	        "                          Redis Cluster: every primary is scanned), or a\n"
	        "                          pattern such as 'web*'\n"
	        "  --probe NAME            only this probe instance (show, history, watch, paths, mesh)\n"
	        "  --count N               history: the last N changes; watch: exit after N\n"
	        "  --timeout S             watch: exit after S seconds (status 1 when --count\n"
	        "                          changes have not all come)\n"
	        "  --json                  machine-readable output, every command: one JSON\n"
	        "                          document (watch: one JSON object a line); schema in\n"
	        "                          hopwatch(1)\n"
	        "  -h, --help              this help;  -V, --version  the version\n"
	        "\n"
	        "Options given on the command line override the configuration file.\n"
	        "Exit status: 0 done, 1 an error (Redis unreachable or refusing, unknown\n"
	        "target), 2 a usage error.\n");
}

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("hopwatch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(hopwatch -h for help)\n", stderr);
	exit(2);
}

/* A number for option `name` between lo and hi. */
static long number(const char *name, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		usage_error("%s: must be a whole number from %ld to %ld, not \"%s\"", name, lo, hi, s);
	return v;
}

int main(int argc, char **argv)
{
	enum { O_PREFIX = 256, O_SOURCE, O_PROBE, O_COUNT, O_TIMEOUT, O_JSON, O_SENTINEL, O_MASTER };
	static const struct option longopts[] = {
		{ "prefix", required_argument, NULL, O_PREFIX },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "probe", required_argument, NULL, O_PROBE },
		{ "count", required_argument, NULL, O_COUNT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "json", no_argument, NULL, O_JSON },
		{ "sentinel", required_argument, NULL, O_SENTINEL },
		{ "master-name", required_argument, NULL, O_MASTER },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts opts = { 0 }, *o = &opts;
	struct hw_config *cfg;
	const char *file = NULL, *host = NULL, *sock = NULL, *user = NULL,
	           *password = NULL, *prefix = NULL, *command;
	long port = -1, db = -1;
	static char hostname[256];
	static char *sentinels[64];
	size_t nsentinels = 0;
	const char *master = NULL;
	int opt, rc = 0, have_count = 0, have_timeout = 0;

	while ((opt = getopt_long(argc, argv, "c:H:p:s:u:a:n:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': file = optarg; break;
		case 'H': host = optarg; break;
		case 'p': port = number("-p", optarg, 1, 65535); break;
		case 's': sock = optarg; break;
		case 'u': user = optarg; break;
		case 'a': password = optarg; break;
		case 'n': db = number("-n", optarg, 0, 1000000); break;
		case O_PREFIX: prefix = optarg; break;
		case O_SOURCE: o->source = optarg; break;
		case O_PROBE: o->probe = optarg; break;
		case O_JSON: o->json = 1; break;
		case O_SENTINEL: {
			char h[256];
			uint16_t sp;
			const char *why = NULL;
			if (conf_parse_hostport(optarg, h, sizeof h, &sp, &why) < 0 || !sp)
				usage_error("--sentinel: \"%s\": %s", optarg, why ? why : "needs a port, e.g. :26379");
			if (nsentinels == sizeof sentinels / sizeof sentinels[0])
				usage_error("--sentinel: at most %zu", sizeof sentinels / sizeof sentinels[0]);
			sentinels[nsentinels++] = optarg;
			break;
		}
		case O_MASTER: master = optarg; break;
		case O_COUNT: o->count = number("--count", optarg, 1, 1000000000); have_count = 1; break;
		case O_TIMEOUT: {
			char *end;
			o->timeout = strtod(optarg, &end);
			if (!*optarg || *end || !(o->timeout > 0) || o->timeout > 1e7)
				usage_error("--timeout: must be a number of seconds above 0, not \"%s\"", optarg);
			have_timeout = 1;
			break;
		}
		case 'h': usage(stdout); return 0;
		case 'V': printf("hopwatch %s\n", HW_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc)
		usage_error("a command is needed: paths, show, history, watch, mesh or dashboard");
	command = argv[optind++];
	if (!strcmp(command, "show") || !strcmp(command, "history")) {
		if (optind >= argc)
			usage_error("%s needs a TARGET", command);
		o->target = argv[optind++];
	} else if (!strcmp(command, "watch") || !strcmp(command, "mesh")) {
		if (optind < argc)
			o->target = argv[optind++];  /* mesh: the GROUP */
	} else if (strcmp(command, "paths") && strcmp(command, "dashboard")) {
		usage_error("unknown command \"%s\": paths, show, history, watch, mesh or dashboard", command);
	}
	if (optind < argc)
		usage_error("unexpected argument \"%s\"", argv[optind]);
	if (have_count && strcmp(command, "watch") && strcmp(command, "history"))
		usage_error("--count is for history and watch");
	if (have_timeout && strcmp(command, "watch"))
		usage_error("--timeout is for watch");
	if (host && sock)
		usage_error("-H and -s exclude each other");
	if (nsentinels && (host || sock))
		usage_error("--sentinel excludes -H and -s");
	if (nsentinels && !master)
		usage_error("--sentinel needs --master-name");
	if (user && !password && !getenv("HOPWATCH_REDIS_PASSWORD"))
		usage_error("-u needs a password (-a)");

	/* conf_load_core logs through the daemon's logger: errors only. */
	log_setup(HW_LOG_ERR, 0, "hopwatch");
	if (!(cfg = conf_load_core(file))) {
		fprintf(stderr, "hopwatch: %s: configuration is not valid\n", file ? file : "(defaults)");
		return 1;
	}
	if (!strcmp(command, "dashboard")) {
		if (host || sock || user || password || port > 0 || db >= 0 || prefix || o->source || o->probe ||
		    nsentinels || master)
			usage_error("dashboard takes only -c (and --json: its output is JSON already)");
		json_t *d = cli_dashboard(cfg, file);
		if (json_dumpf(d, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(CLI_JSON_DIGITS)) < 0 || putchar('\n') == EOF || fflush(stdout))
			cli_die("dashboard: cannot write the output");
		json_decref(d);
		conf_free(cfg);
		return 0;
	}
	o->rc = cfg->redis;
	if (host) {
		o->rc.host = host;
		o->rc.socket = NULL;
	}
	if (sock) {
		o->rc.socket = sock;
		o->rc.host = NULL;
	}
	if (host || sock)
		o->rc.sentinels.n = 0;  /* -H and -s name the server: no sentinel is asked */
	if (nsentinels) {
		o->rc.sentinels = (struct strlist){ sentinels, nsentinels };
		o->rc.host = o->rc.socket = NULL;
	}
	if (master)
		o->rc.master_name = master;
	if (o->rc.sentinels.n && !o->rc.master_name)
		usage_error("sentinels need --master-name (or redis.master_name)");
	if (master && !o->rc.sentinels.n)
		usage_error("--master-name is for Sentinel: give --sentinel HOST:PORT too");
	if (!o->rc.host && !o->rc.socket && !o->rc.sentinels.n)
		o->rc.host = "127.0.0.1";
	if (port > 0)
		o->rc.port = (int)port;
	if (user)
		o->rc.user = user;
	if (password)
		o->rc.password = password;
	else if (!o->rc.password && getenv("HOPWATCH_REDIS_PASSWORD"))
		o->rc.password = getenv("HOPWATCH_REDIS_PASSWORD");
	if (o->rc.user && !o->rc.password)
		usage_error("redis user \"%s\" needs a password (-a)", o->rc.user);
	if (db >= 0)
		o->rc.db = (int)db;
	if (prefix)
		o->rc.prefix = prefix;
	if (!o->source) {
		if (cfg->hostname)
			o->source = cfg->hostname;
		else if (gethostname(hostname, sizeof hostname - 1) == 0 && hostname[0])
			o->source = hostname;
		else
			o->source = "localhost";
	}
	if (!o->source[0])
		usage_error("--source: a host name or '*'");

	rr_connect(&o->rc);
	if (!strcmp(command, "paths"))
		rc = cmd_paths(o);
	else if (!strcmp(command, "show"))
		rc = cmd_show(o);
	else if (!strcmp(command, "history"))
		rc = cmd_history(o);
	else if (!strcmp(command, "mesh"))
		rc = cmd_mesh(o, o->target);
	else
		rc = cmd_watch(o);
	fflush(stdout);
	rr_close();
	conf_free(cfg);
	return rc;
}

