/*
 * daemon.c: hopwatchd's main: options, start-up, signals, reload and the
 * self-telemetry timer.  Runs in the foreground (systemd Type=notify or
 * simple); SIGTERM/SIGINT stop and flush, SIGHUP reloads atomically.
 * Under systemd it says READY=1, sends WATCHDOG=1 from the loop at half of
 * WatchdogSec= (so a stuck loop is restarted) and a STATUS= line that
 * `systemctl status` shows (status.h).  sd_notify is a datagram on
 * NOTIFY_SOCKET, done here rather than with libsystemd: the protocol is
 * one sendto(), and the daemon then runs where libsystemd is not (Alpine
 * and distroless containers, which set no NOTIFY_SOCKET).
 */
#include <dirent.h>
#include <errno.h>
#include <ev.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf.h"
#include "dogstatsd.h"
#include "instance.h"
#include "mesh.h"
#include "log.h"
#include "plugin.h"
#include "privs.h"
#include "statsd.h"
#include "status.h"

#ifndef HW_SYSCONFDIR
#define HW_SYSCONFDIR "/usr/local/etc"
#endif
#ifndef HW_VERSION
#define HW_VERSION "0.1"
#endif

/* One generation of configuration and everything built from it. */
struct generation {
	struct hw_config *cfg;      /* the configuration */
	struct runtime rt;          /* loop, resolver, sink shared by its instances */
	struct hw_ctx **inst;       /* running instances, cfg->nprobes of them */
	ev_timer telemetry;         /* self-telemetry */
	struct statsd_stats last;   /* counters at the previous telemetry */
	struct redis_stats rlast;   /* Redis counters at the previous telemetry */
	struct hopnames_stats hlast;/* hop name counters at the previous telemetry */
};

/* Seconds between two STATUS= updates (sent only when the text changed). */
#define STATUS_EVERY 2.0

/* Process-wide state: what options said, and the running generation. */
static struct {
	const char *file;           /* config file */
	const char *plugin_dir;     /* -P override, or NULL */
	int echo;                   /* -e: force statsd.echo */
	int debug;                  /* -d: force log level debug */
	dns *dns;                   /* the resolver, kept across reloads */
	pathwatch *paths;           /* path store and Redis, kept across reloads */
	hopnames_live *names;       /* hop names and their resolver, kept across reloads; NULL: off */
	mesh *mesh;                 /* mesh groups (mesh.h), kept across reloads; NULL: none */
	struct generation *gen;     /* what runs now */
	ev_timer watchdog;          /* WATCHDOG=1 every half WatchdogSec=, when systemd asks */
	ev_timer status;            /* STATUS= every STATUS_EVERY, under systemd */
	char last_status[512];      /* the last STATUS= sent */
} D;

/* Tell systemd (Type=notify) about our state, when it listens. */
static void notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof sun.sun_path)
		return;
	memcpy(sun.sun_path, path, strlen(path));
	if (path[0] == '@')
		sun.sun_path[0] = '\0';  /* abstract socket */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun, len);
	close(fd);
}

/* -L: describe every setting (conf_describe): the core's, then those of
 * every plugin in `dir`, in name order.  0, or 1 when a plugin in it does
 * not load (it is named on stderr). */
static int list_settings(const char *dir)
{
	struct dirent **ents;
	char err[512];
	int n, rc = 0;

	conf_describe_core(stdout);
	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0) {
		HW_ERROR(NULL, "%s: %s", dir, strerror(errno));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char name[256], scope[300];
		size_t len = strlen(ents[i]->d_name);
		const hw_plugin *p;

		if (len > 3 && len - 3 < sizeof name && !strcmp(ents[i]->d_name + len - 3, ".so")) {
			snprintf(name, sizeof name, "%.*s", (int)(len - 3), ents[i]->d_name);
			if (!(p = plugin_load(dir, name, err, sizeof err))) {
				HW_ERROR(NULL, "%s", err);
				rc = 1;
			} else {
				snprintf(scope, sizeof scope, "plugin %s", name);
				conf_describe(stdout, scope, p->options);
				conf_describe_metrics(stdout, scope, p->metrics);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/* Raise the soft fd limit to the hard one: a tcp instance in connect mode
 * holds a socket per request in flight, and 1024 is small for big instances. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			HW_WARN(NULL, "cannot raise the open file limit: %s", strerror(errno));
	}
}

/* Send the sink's counters accumulated since the last call. */
static void telemetry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct generation *g = (struct generation *)((char *)w - offsetof(struct generation, telemetry));
	const struct statsd_stats *s = statsd_get_stats(g->rt.emit.sink);
	struct statsd_stats now = *s;
	const struct { const char *name; uint64_t value; } c[] = {
		{ "statsd.packets_sent", now.packets_sent - g->last.packets_sent },
		{ "statsd.packets_dropped", now.packets_dropped - g->last.packets_dropped },
		{ "statsd.packets_refused", now.packets_refused - g->last.packets_refused },
		{ "statsd.bytes_sent", now.bytes_sent - g->last.bytes_sent },
		{ "statsd.bytes_dropped", now.bytes_dropped - g->last.bytes_dropped },
		{ "statsd.metrics", now.metrics - g->last.metrics },
		{ "statsd.lines_dropped", now.lines_dropped - g->last.lines_dropped },
		{ "statsd.events_shortened", now.events_shortened - g->last.events_shortened },
	};
	struct redis_stats rs;
	(void)loop;
	(void)revents;

	g->last = now;
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		double v = (double)c[i].value;
		emit_metric(&g->rt.emit, g->rt.global_tags, NULL, c[i].name, HW_COUNT, &v, 1, NULL);
	}
	if (pathwatch_redis_stats(D.paths, &rs)) {
		const struct { const char *name; hw_mtype type; double value; } r[] = {
			{ "redis.connected", HW_GAUGE, rs.connected },
			{ "redis.queued", HW_GAUGE, (double)rs.queued },
			{ "redis.dropped", HW_COUNT, (double)(rs.dropped - g->rlast.dropped) },
			{ "redis.errors", HW_COUNT, (double)(rs.errors - g->rlast.errors) },
		};
		g->rlast = rs;
		for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
			emit_metric(&g->rt.emit, g->rt.global_tags, NULL, r[i].name, r[i].type, &r[i].value, 1, NULL);
	}
	if (g->rt.names) {
		struct hopnames_stats hs = hopnames_get_stats(g->rt.names);
		const struct { const char *name; hw_mtype type; double value; } h[] = {
			{ "hop_names.lookups", HW_COUNT, (double)(hs.started - g->hlast.started) },
			{ "hop_names.found", HW_COUNT, (double)(hs.found - g->hlast.found) },
			{ "hop_names.failures", HW_COUNT, (double)(hs.failed - g->hlast.failed) },
			{ "hop_names.deferred", HW_COUNT, (double)(hs.deferred - g->hlast.deferred) },
			{ "hop_names.cached", HW_GAUGE, (double)hs.entries },
		};
		g->hlast = hs;
		for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
			emit_metric(&g->rt.emit, g->rt.global_tags, NULL, h[i].name, h[i].type, &h[i].value, 1, NULL);
	}
}

/* Keep systemd's watchdog fed: this runs on the loop, so a loop that is
 * stuck (a plugin blocking, the process stopped) stops the pings. */
static void watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	notify("WATCHDOG=1");
}

/* Send STATUS= when what it says changed: probes, targets, Redis, drops. */
static void status_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	const struct statsd_stats *ss = statsd_get_stats(D.gen->rt.emit.sink);
	struct status st = { .probes = D.gen->cfg->nprobes };
	struct redis_stats rs;
	char line[sizeof D.last_status], url[300];
	(void)loop;
	(void)w;
	(void)revents;

	for (size_t i = 0; i < D.gen->cfg->nprobes; i++)
		st.targets += D.gen->cfg->probes[i].ntargets;
	st.drops = ss->packets_dropped + ss->lines_dropped;
	if (pathwatch_redis_stats(D.paths, &rs)) {
		st.redis = rs.connected ? STATUS_REDIS_UP : STATUS_REDIS_DOWN;
		st.redis_queued = rs.queued;
		st.drops += rs.dropped;
	}
	if (statsd_refused(D.gen->rt.emit.sink))
		st.refused_url = statsd_url(D.gen->rt.emit.sink, url, sizeof url);
	memcpy(line, "STATUS=", 7);
	status_format(line + 7, sizeof line - 7, &st);
	if (strcmp(line, D.last_status)) {
		notify(line);
		snprintf(D.last_status, sizeof D.last_status, "%s", line);
	}
}

/* Under systemd: start the watchdog pings (when WATCHDOG_USEC asks for
 * them) and the status updates. */
static void systemd_start(struct ev_loop *loop)
{
	uint64_t usec = status_watchdog_usec(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"), getpid());

	if (!getenv("NOTIFY_SOCKET"))
		return;
	if (usec) {
		ev_timer_init(&D.watchdog, watchdog_cb, 0, (double)usec / 2e6);
		ev_timer_start(loop, &D.watchdog);
		HW_INFO(NULL, "systemd watchdog: WATCHDOG=1 every %gs", (double)usec / 2e6);
	}
	ev_timer_init(&D.status, status_cb, 0, STATUS_EVERY);
	ev_timer_start(loop, &D.status);
}

/* Stop and free a generation; NULL is fine. */
static void generation_free(struct ev_loop *loop, struct generation *g)
{
	if (!g)
		return;
	ev_timer_stop(loop, &g->telemetry);
	for (size_t i = 0; g->inst && i < g->cfg->nprobes; i++) {
		if (g->inst[i])
			mesh_detach(D.mesh, g->inst[i]);
		instance_free(g->inst[i]);
	}
	free(g->inst);
	statsd_free(g->rt.emit.sink);
	free(g->rt.global_tags);
	conf_free(g->cfg);
	free(g);
}

/* Global tags as a ready list, with DD_ENTITY_ID over UDP as the official
 * clients do. */
static char *global_tags(const struct hw_config *cfg, const char *url)
{
	char buf[4096], entity[300];
	const char *id = getenv("DD_ENTITY_ID");
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cfg->tags.n; i++)
		len = dsd_tags_append(buf, sizeof buf, len, cfg->tags.v[i]);
	if (id && id[0] && strncmp(url, "unix", 4)) {
		snprintf(entity, sizeof entity, "dd.internal.entity_id:%s", id);
		len = dsd_tags_append(buf, sizeof buf, len, entity);
	}
	return strdup(buf);
}

/* Build everything `cfg` describes and start its instances' sockets.
 * Takes `cfg`.  NULL after logging why (nothing of it is left running). */
static struct generation *generation_new(struct ev_loop *loop, struct hw_config *cfg)
{
	struct generation *g = calloc(1, sizeof *g);
	char url[512], err[512];

	if (!g) {
		conf_free(cfg);
		return NULL;
	}
	g->cfg = cfg;
	g->rt.loop = loop;
	g->rt.dns = D.dns;
	g->rt.cfg = cfg;
	g->rt.paths = D.paths;
	g->rt.names = hopnames_live_cache(D.names);
	g->rt.mesh = D.mesh;
	pathwatch_redis_stats(D.paths, &g->rlast);  /* telemetry counts from now on */
	if (g->rt.names)
		g->hlast = hopnames_get_stats(g->rt.names);
	if (cfg->statsd.url)
		snprintf(url, sizeof url, "%s", cfg->statsd.url);
	else
		statsd_default_url(url, sizeof url);
	snprintf(g->rt.emit.prefix, sizeof g->rt.emit.prefix, "%s", cfg->prefix);
	snprintf(g->rt.emit.hostname, sizeof g->rt.emit.hostname, "%s", cfg->hostname ? cfg->hostname : "");
	if (!(g->rt.emit.sink = statsd_new(loop, D.dns, url, cfg->statsd.flush_interval,
	                                    cfg->statsd.echo || D.echo, err, sizeof err))) {
		HW_ERROR(NULL, "statsd url \"%s\": %s", url, err);
		generation_free(loop, g);
		return NULL;
	}
	g->rt.global_tags = global_tags(cfg, url);
	g->inst = calloc(cfg->nprobes + 1, sizeof *g->inst);
	if (!g->rt.global_tags || !g->inst) {
		HW_ERROR(NULL, "out of memory");
		generation_free(loop, g);
		return NULL;
	}
	for (size_t i = 0; i < cfg->nprobes; i++)
		if (!(g->inst[i] = instance_new(&g->rt, &cfg->probes[i]))) {
			generation_free(loop, g);
			return NULL;
		}
	HW_INFO(NULL, "sending to %s; %zu probe instance%s", url, cfg->nprobes, cfg->nprobes == 1 ? "" : "s");
	return g;
}

/* Whether a probe of `g` opened a raw socket. */
static int generation_uses_raw(const struct generation *g)
{
	for (size_t i = 0; i < g->cfg->nprobes; i++)
		if (g->inst[i]->uses_raw)
			return 1;
	return 0;
}

/* Start scheduling and telemetry of a built generation. */
static void generation_run(struct ev_loop *loop, struct generation *g)
{
	double every = g->cfg->statsd.telemetry_interval;

	for (size_t i = 0; i < g->cfg->nprobes; i++) {
		instance_run(g->inst[i]);
		if (g->cfg->probes[i].mesh && D.mesh)
			mesh_attach(D.mesh, g->inst[i]);
	}
	if (every > 0) {
		ev_timer_init(&g->telemetry, telemetry_cb, every, every);
		ev_timer_start(loop, &g->telemetry);
	}
}

/* Apply the log settings of `cfg` (and -d). */
static void apply_logging(const struct hw_config *cfg)
{
	int level = log_level_parse(conf_log_levels[cfg->log.level]);
	log_setup(D.debug ? HW_LOG_DEBUG : level, cfg->log.syslog, "hopwatchd");
}

/* Whether two string lists hold the same strings in the same order. */
static int same_strlist(const struct strlist *a, const struct strlist *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return 0;
	return 1;
}

/* Whether two configurations agree on what the path watcher and the mesh
 * registration were made from (hostname, redis, path_confirm, mesh.*),
 * which a reload does not change. */
static int same_paths_conf(const struct hw_config *a, const struct hw_config *b)
{
	const struct redis_conf *x = &a->redis, *y = &b->redis;
	const char *const sa[] = { x->host, x->socket, x->user, x->password, x->prefix, a->hostname, x->master_name };
	const char *const sb[] = { y->host, y->socket, y->user, y->password, y->prefix, b->hostname, y->master_name };

	for (size_t i = 0; i < sizeof sa / sizeof sa[0]; i++)
		if ((!sa[i] != !sb[i]) || (sa[i] && strcmp(sa[i], sb[i])))
			return 0;
	return a->path_confirm == b->path_confirm && x->port == y->port && x->db == y->db &&
	       x->connect_timeout == y->connect_timeout && x->command_timeout == y->command_timeout &&
	       x->history == y->history && x->queue == y->queue && same_strlist(&x->sentinels, &y->sentinels) &&
	       same_strlist(&a->mesh.addresses, &b->mesh.addresses) && same_strlist(&a->mesh.tags, &b->mesh.tags) &&
	       a->mesh.ttl == b->mesh.ttl;
}

static void reload(struct ev_loop *loop)
{
	struct hw_config *cfg;
	struct generation *g;
	int raw;

	notify("RELOADING=1");
	HW_INFO(NULL, "reloading %s", D.file);
	if (!(cfg = conf_load(D.file, D.plugin_dir))) {
		HW_ERROR(NULL, "reload failed: keeping the running configuration");
		notify("READY=1");
		return;
	}
	if (cfg->user && (!D.gen->cfg->user || strcmp(cfg->user, D.gen->cfg->user)))
		HW_WARN(NULL, "user changed to \"%s\": takes effect at the next restart", cfg->user);
	if (!same_paths_conf(cfg, D.gen->cfg))
		HW_WARN(NULL, "hostname, redis, path_confirm or mesh changed: takes effect at the next restart");
	/* Old instances keep running until the new ones have their sockets;
	 * CAP_NET_RAW is effective only while those are opened. */
	raw = privs_raw(1) == 0;
	g = generation_new(loop, cfg);
	privs_raw(0);
	if (!g) {
		if (!raw)
			HW_INFO(NULL, "note: CAP_NET_RAW was given up at start, as no probe used a raw"
			              " socket; a probe that needs one takes a restart");
		HW_ERROR(NULL, "reload failed: keeping the running configuration");
		notify("READY=1");
		return;
	}
	generation_free(loop, D.gen);
	D.gen = g;
	apply_logging(g->cfg);
	generation_run(loop, g);
	HW_INFO(NULL, "reloaded %s", D.file);
	notify("READY=1");
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	if (w->signum == SIGHUP) {
		reload(loop);
		return;
	}
	HW_INFO(NULL, "%s: stopping", strsignal(w->signum));
	notify("STOPPING=1");
	ev_break(loop, EVBREAK_ALL);
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: hopwatchd [-c FILE] [-t] [-e] [-d] [-P DIR]\n"
	        "  -c FILE  configuration (default %s/hopwatch/hopwatch.conf)\n"
	        "  -t       check the configuration and exit: 0 valid, 1 not\n"
	        "  -e       echo: print every DogStatsD line sent to standard output\n"
	        "  -d       log at debug level\n"
	        "  -P DIR   load plugins from DIR instead of plugin_dir\n"
	        "  -L       list every setting of the core and of each plugin (tab-separated) and exit\n"
	        "  -V       print the version\n",
	        HW_SYSCONFDIR);
}

int main(int argc, char **argv)
{
	static char default_file[4096];
	struct ev_loop *loop;
	struct hw_config *cfg;
	ev_signal sigs[3];
	const int signums[3] = { SIGTERM, SIGINT, SIGHUP };
	char err[256], source[256] = "";
	sigset_t stopping;
	int opt, check = 0, list = 0;

	snprintf(default_file, sizeof default_file, "%s/hopwatch/hopwatch.conf", HW_SYSCONFDIR);
	D.file = default_file;
	while ((opt = getopt(argc, argv, "c:tedP:LVh")) != -1) {
		switch (opt) {
		case 'c': D.file = optarg; break;
		case 't': check = 1; break;
		case 'e': D.echo = 1; break;
		case 'd': D.debug = 1; break;
		case 'P': D.plugin_dir = optarg; break;
		case 'L': list = 1; break;
		case 'V': printf("hopwatchd %s (plugin ABI %d)\n", HW_VERSION, HW_PLUGIN_ABI); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 1;
	}
	log_setup(D.debug ? HW_LOG_DEBUG : HW_LOG_INFO, 0, "hopwatchd");
	if (list) {
		int rc = list_settings(D.plugin_dir ? D.plugin_dir : HW_PLUGIN_DIR);
		plugin_unload_all();
		return rc;
	}
	if (!(cfg = conf_load(D.file, D.plugin_dir))) {
		HW_ERROR(NULL, "%s: configuration is not valid", D.file);
		plugin_unload_all();
		return 1;
	}
	if (check) {
		size_t targets = 0;
		for (size_t i = 0; i < cfg->nprobes; i++)
			targets += cfg->probes[i].ntargets;
		printf("%s: OK (%zu probes, %zu targets)\n", D.file, cfg->nprobes, targets);
		conf_free(cfg);
		plugin_unload_all();
		return 0;
	}
	apply_logging(cfg);
	raise_fd_limit();
	signal(SIGPIPE, SIG_IGN);
	loop = ev_default_loop(EVFLAG_AUTO);
	/* Catch the stopping signals before any plugin starts: a TERM sent as
	 * soon as one logs that it started must still stop it cleanly (the
	 * loop handles it on its first iteration). */
	for (int i = 0; i < 3; i++) {
		ev_signal_init(&sigs[i], signal_cb, signums[i]);
		ev_signal_start(loop, &sigs[i]);
	}
	if (!(D.dns = dns_new(loop, err, sizeof err))) {
		HW_ERROR(NULL, "resolver: %s", err);
		conf_free(cfg);
		return 1;
	}
	if (cfg->hostname)
		snprintf(source, sizeof source, "%s", cfg->hostname);
	else if (gethostname(source, sizeof source - 1) < 0)
		snprintf(source, sizeof source, "localhost");
	if (!(D.paths = pathwatch_new(loop, (unsigned)cfg->path_confirm, &cfg->redis, source))) {
		HW_ERROR(NULL, "out of memory");
		conf_free(cfg);
		return 1;
	}
	if (cfg->hop_names.enabled) {
		if (!(D.names = hopnames_live_new(loop, &cfg->hop_names, err, sizeof err))) {
			HW_ERROR(NULL, "hop names: %s", err);
			conf_free(cfg);
			return 1;
		}
		pathwatch_set_names(D.paths, hopnames_live_cache(D.names));
	}
	D.mesh = mesh_new(loop, cfg, source);  /* NULL: no probe names a group (or it said why) */
	if (!(D.gen = generation_new(loop, cfg)))
		return 1;
	/* Every privileged socket is open now: drop before reading a packet. */
	if (privs_drop(D.gen->cfg->user, generation_uses_raw(D.gen)) < 0) {
		generation_free(loop, D.gen);
		return 1;
	}
	generation_run(loop, D.gen);
	notify("READY=1");
	systemd_start(loop);
	ev_run(loop, 0);
	/* Stopping: a second TERM (timeout(1) signals the whole group) must
	 * not kill us half-way once the watchers are gone: keep them pending. */
	sigemptyset(&stopping);
	sigaddset(&stopping, SIGTERM);
	sigaddset(&stopping, SIGINT);
	sigaddset(&stopping, SIGHUP);
	sigprocmask(SIG_BLOCK, &stopping, NULL);
	ev_timer_stop(loop, &D.watchdog);
	ev_timer_stop(loop, &D.status);
	mesh_stopping(D.mesh);
	generation_free(loop, D.gen);
	mesh_free(D.mesh);
	pathwatch_free(D.paths);
	hopnames_live_free(D.names);
	for (int i = 0; i < 3; i++)
		ev_signal_stop(loop, &sigs[i]);
	dns_free(D.dns);
	plugin_unload_all();
	ev_loop_destroy(loop);
	return 0;
}
