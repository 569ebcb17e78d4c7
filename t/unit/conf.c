/*
 * conf.c: the pure pieces of configuration and addressing: durations,
 * host:port, the DogStatsD URL and its environment default, address
 * literals, plugin descriptor checks, option defaults, and every core
 * default that conf_load(NULL, NULL) returns.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "dns.h"
#include "plugin.h"
#include "statsd.h"
#include "test-lib.h"

static void test_duration(void)
{
	static const struct {
		const char *in;
		int rc;          /* 0 or -1 */
		double want;     /* seconds when rc is 0 */
	} cases[] = {
		{ "1", 0, 1 },
		{ "0", 0, 0 },              /* the range check is the caller's */
		{ "1.5", 0, 1.5 },
		{ "250ms", 0, 0.25 },
		{ "2s", 0, 2 },
		{ "2m", 0, 120 },
		{ "1h", 0, 3600 },
		{ "1.5h", 0, 5400 },
		{ ".5s", 0, 0.5 },
		{ "0.001ms", 0, 1e-6 },
		{ "1e3", 0, 1000 },         /* strtod syntax: exponents are accepted */
		{ "1e3ms", 0, 1 },
		{ "", -1, 0 },
		{ "-1", -1, 0 },
		{ "+1", -1, 0 },
		{ " 1", -1, 0 },
		{ "1 ", -1, 0 },
		{ "1 s", -1, 0 },
		{ "1x", -1, 0 },
		{ "1S", -1, 0 },            /* units are lower case */
		{ "1ms ", -1, 0 },
		{ "1msec", -1, 0 },
		{ "ms", -1, 0 },
		{ "s", -1, 0 },
		{ ".", -1, 0 },
		{ "1.5.5", -1, 0 },
		{ "1e", -1, 0 },
		{ "inf", -1, 0 },
		{ "nan", -1, 0 },
		{ "1e999", -1, 0 },         /* overflows to infinity */
	};
	char label[64];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double v = -42;
		int rc = conf_parse_duration(cases[i].in, &v);
		snprintf(label, sizeof label, "duration \"%s\" %s", cases[i].in,
		         cases[i].rc ? "refused" : "accepted");
		if (is_int(rc, cases[i].rc, label) && !rc) {
			snprintf(label, sizeof label, "duration \"%s\" = %g s", cases[i].in, cases[i].want);
			is_double(v, cases[i].want, 1e-12, label);
		}
	}
}

/* Inputs the parsers take today though nobody means them (strtod and
 * strtol syntax leaking through).  TODO until src/ is stricter. */
static void test_lenient(void)
{
	struct statsd_addr a;
	const char *why;
	char host[64], err[128];
	uint16_t port;
	double v;

	ok(conf_parse_duration("0x10", &v) == -1, "duration \"0x10\" (hex) refused");
	ok(conf_parse_duration("0x1p3s", &v) == -1, "duration \"0x1p3s\" (hex float) refused");
	ok(conf_parse_hostport("h:+80", host, sizeof host, &port, &why) == -1, "hostport \"h:+80\" refused");
	ok(conf_parse_hostport("h: 80", host, sizeof host, &port, &why) == -1, "hostport \"h: 80\" refused");
	ok(statsd_parse_url("h: 80", &a, err, sizeof err) == -1, "url \"h: 80\" refused");
	ok(statsd_parse_url("a b:80", &a, err, sizeof err) == -1, "url \"a b:80\" (space in host) refused");
}

static void test_hostport(void)
{
	static const struct {
		const char *in;
		const char *host;    /* NULL: refused */
		unsigned port;
	} cases[] = {
		{ "example.com", "example.com", 0 },
		{ "example.com:80", "example.com", 80 },
		{ "10.0.0.1:1", "10.0.0.1", 1 },
		{ "10.0.0.1:65535", "10.0.0.1", 65535 },
		{ "[::1]:53", "::1", 53 },
		{ "[2001:db8::1]", "2001:db8::1", 0 },
		{ "::1", "::1", 0 },                  /* bare IPv6: no port */
		{ "2001:db8::1:53", "2001:db8::1:53", 0 },
		{ "host:0", NULL, 0 },
		{ "host:65536", NULL, 0 },
		{ "host:abc", NULL, 0 },
		{ "host:80x", NULL, 0 },
		{ "host:", NULL, 0 },
		{ "host:-1", NULL, 0 },
		{ ":80", NULL, 0 },
		{ "", NULL, 0 },
		{ "[]", NULL, 0 },
		{ "[]:80", NULL, 0 },
		{ "[::1", NULL, 0 },
		{ "[::1]x", NULL, 0 },
		{ "[::1]:", NULL, 0 },
		{ "[::1]:0", NULL, 0 },
		{ "a b", NULL, 0 },
		{ "a|b", NULL, 0 },
		{ "a#b", NULL, 0 },
		{ "a,b", NULL, 0 },
		{ "a/b", NULL, 0 },
		{ "a\\b", NULL, 0 },
		{ "a\"b", NULL, 0 },
		{ "a\tb:80", NULL, 0 },
		{ "[a b]:80", NULL, 0 },
	};
	char host[64], label[96];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint16_t port = 999;
		const char *why = NULL;
		int rc;
		strcpy(host, "unset");
		rc = conf_parse_hostport(cases[i].in, host, sizeof host, &port, &why);
		snprintf(label, sizeof label, "hostport \"%s\" %s", cases[i].in,
		         cases[i].host ? "accepted" : "refused");
		if (!cases[i].host) {
			ok(rc == -1 && why && why[0], "%s (%s)", label, why ? why : "no reason");
			continue;
		}
		if (!is_int(rc, 0, label)) {
			diag("why: %s", why ? why : "(none)");
			continue;
		}
		snprintf(label, sizeof label, "hostport \"%s\": host, port %u", cases[i].in, cases[i].port);
		ok(!strcmp(host, cases[i].host) && port == cases[i].port, "%s (got \"%s\" %u)", label, host,
		   (unsigned)port);
	}
	{
		uint16_t port;
		const char *why = NULL;
		is_int(conf_parse_hostport("abcd", host, 5, &port, &why), 0, "hostport: host fills hostlen - 1");
		is_int(conf_parse_hostport("abcde", host, 5, &port, &why), -1, "hostport: host too long for buffer");
	}
}

static void test_statsd_url(void)
{
	static const struct {
		const char *url;
		int ok;              /* 1 accepted */
		int unix_socket;
		const char *where;   /* host or path */
		unsigned port;
	} cases[] = {
		{ "udp://agent:9125", 1, 0, "agent", 9125 },
		{ "agent:9125", 1, 0, "agent", 9125 },
		{ "agent", 1, 0, "agent", 8125 },
		{ "udp://agent", 1, 0, "agent", 8125 },
		{ "127.0.0.1:8125", 1, 0, "127.0.0.1", 8125 },
		{ "[::1]:9000", 1, 0, "::1", 9000 },
		{ "udp://[::1]:9000", 1, 0, "::1", 9000 },
		{ "udp://[::1]", 1, 0, "::1", 8125 },
		{ "unix:///var/run/datadog/dsd.socket", 1, 1, "/var/run/datadog/dsd.socket", 0 },
		{ "unixgram:///tmp/dsd.sock", 1, 1, "/tmp/dsd.sock", 0 },
		{ "unix://dsd.socket", 0, 0, NULL, 0 },        /* relative */
		{ "unixgram://run/dsd.socket", 0, 0, NULL, 0 },
		{ "unix://", 0, 0, NULL, 0 },
		{ "unixstream:///tmp/dsd.sock", 0, 0, NULL, 0 },
		{ "tcp://agent:8125", 0, 0, NULL, 0 },
		{ "http://agent", 0, 0, NULL, 0 },
		{ "agent:0", 0, 0, NULL, 0 },
		{ "agent:65536", 0, 0, NULL, 0 },
		{ "agent:x", 0, 0, NULL, 0 },
		{ "agent:", 0, 0, NULL, 0 },
		{ "agent:-1", 0, 0, NULL, 0 },
		{ "::1", 0, 0, NULL, 0 },                      /* bare IPv6 */
		{ "udp://::1:8125", 0, 0, NULL, 0 },
		{ "[::1", 0, 0, NULL, 0 },
		{ "[]:8125", 0, 0, NULL, 0 },
		{ "[::1]x", 0, 0, NULL, 0 },
		{ "[::1]:", 0, 0, NULL, 0 },
		{ "", 0, 0, NULL, 0 },
		{ "udp://", 0, 0, NULL, 0 },
		{ ":8125", 0, 0, NULL, 0 },
	};
	char err[256], label[128];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct statsd_addr a;
		int rc;
		err[0] = '\0';
		rc = statsd_parse_url(cases[i].url, &a, err, sizeof err);
		if (!cases[i].ok) {
			ok(rc == -1 && err[0], "url \"%s\" refused (%s)", cases[i].url, err);
			continue;
		}
		snprintf(label, sizeof label, "url \"%s\" accepted", cases[i].url);
		if (!is_int(rc, 0, label)) {
			diag("err: %s", err);
			continue;
		}
		if (cases[i].unix_socket)
			ok(a.unix_socket == 1 && !strcmp(a.path, cases[i].where), "url \"%s\": unix socket %s",
			   cases[i].url, a.path);
		else
			ok(a.unix_socket == 0 && !strcmp(a.host, cases[i].where) && a.port == cases[i].port,
			   "url \"%s\": udp host \"%s\" port %u", cases[i].url, a.host, a.port);
	}
	{
		/* sun_path holds 108 bytes with the NUL */
		char url[200] = "unix://";
		struct statsd_addr a;
		memset(url + 7, 'p', 108);
		url[7] = '/';
		url[7 + 108] = '\0';
		is_int(statsd_parse_url(url, &a, err, sizeof err), -1, "url: 108-byte unix path refused");
		url[7 + 107] = '\0';
		is_int(statsd_parse_url(url, &a, err, sizeof err), 0, "url: 107-byte unix path accepted");
	}
}

static void test_default_url(void)
{
	char buf[256];

	unsetenv("DD_DOGSTATSD_URL");
	unsetenv("DD_AGENT_HOST");
	unsetenv("DD_DOGSTATSD_PORT");
	statsd_default_url(buf, sizeof buf);
	is_str(buf, "udp://127.0.0.1:8125", "default url: no environment");
	setenv("DD_DOGSTATSD_PORT", "9999", 1);
	statsd_default_url(buf, sizeof buf);
	is_str(buf, "udp://127.0.0.1:8125", "default url: DD_DOGSTATSD_PORT alone is ignored");
	setenv("DD_AGENT_HOST", "agent.local", 1);
	statsd_default_url(buf, sizeof buf);
	is_str(buf, "udp://agent.local:9999", "default url: DD_AGENT_HOST + DD_DOGSTATSD_PORT");
	unsetenv("DD_DOGSTATSD_PORT");
	statsd_default_url(buf, sizeof buf);
	is_str(buf, "udp://agent.local:8125", "default url: DD_AGENT_HOST, port 8125");
	setenv("DD_DOGSTATSD_PORT", "", 1);
	statsd_default_url(buf, sizeof buf);
	is_str(buf, "udp://agent.local:8125", "default url: empty DD_DOGSTATSD_PORT");
	setenv("DD_AGENT_HOST", "fd00::1", 1);
	statsd_default_url(buf, sizeof buf);
	is_str(buf, "udp://[fd00::1]:8125", "default url: IPv6 DD_AGENT_HOST bracketed");
	setenv("DD_DOGSTATSD_URL", "unix:///var/run/datadog/dsd.socket", 1);
	statsd_default_url(buf, sizeof buf);
	is_str(buf, "unix:///var/run/datadog/dsd.socket", "default url: DD_DOGSTATSD_URL wins");
	setenv("DD_DOGSTATSD_URL", "", 1);
	statsd_default_url(buf, sizeof buf);
	is_str(buf, "udp://[fd00::1]:8125", "default url: empty DD_DOGSTATSD_URL ignored");
	setenv("DD_AGENT_HOST", "", 1);
	statsd_default_url(buf, sizeof buf);
	is_str(buf, "udp://127.0.0.1:8125", "default url: empty DD_AGENT_HOST ignored");
	/* Whatever comes out must parse. */
	{
		struct statsd_addr a;
		char err[128];
		setenv("DD_AGENT_HOST", "fd00::1", 1);
		setenv("DD_DOGSTATSD_PORT", "8126", 1);
		statsd_default_url(buf, sizeof buf);
		ok(statsd_parse_url(buf, &a, err, sizeof err) == 0 && !strcmp(a.host, "fd00::1") && a.port == 8126,
		   "default url from IPv6 DD_AGENT_HOST parses back");
	}
	unsetenv("DD_DOGSTATSD_URL");
	unsetenv("DD_AGENT_HOST");
	unsetenv("DD_DOGSTATSD_PORT");
}

static void test_dns_literal(void)
{
	static const struct {
		const char *in;
		int family;   /* asked for */
		int want;     /* AF_INET, AF_INET6 or 0 (not a literal) */
	} cases[] = {
		{ "192.0.2.1", AF_UNSPEC, AF_INET },
		{ "192.0.2.1", AF_INET, AF_INET },
		{ "192.0.2.1", AF_INET6, 0 },
		{ "2001:db8::1", AF_UNSPEC, AF_INET6 },
		{ "2001:db8::1", AF_INET6, AF_INET6 },
		{ "2001:db8::1", AF_INET, 0 },
		{ "::ffff:192.0.2.1", AF_UNSPEC, AF_INET6 },
		{ "::", AF_UNSPEC, AF_INET6 },
		{ "example.com", AF_UNSPEC, 0 },
		{ "192.0.2", AF_UNSPEC, 0 },
		{ "192.0.2.256", AF_UNSPEC, 0 },
		{ " 192.0.2.1", AF_UNSPEC, 0 },
		{ "[::1]", AF_UNSPEC, 0 },
		{ "", AF_UNSPEC, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sockaddr_storage ss;
		socklen_t len = 0;
		int r = dns_literal(cases[i].in, cases[i].family, &ss, &len);
		if (!cases[i].want) {
			is_int(r, 0, cases[i].in[0] ? cases[i].in : "(empty)");
			continue;
		}
		ok(r == 1 && ss.ss_family == cases[i].want &&
		   len == (cases[i].want == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) &&
		   (cases[i].want == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
		                             : ((struct sockaddr_in6 *)&ss)->sin6_port) == 0,
		   "dns_literal \"%s\" (family %d): family %d, length, port 0", cases[i].in, cases[i].family,
		   cases[i].want);
	}
	{
		struct sockaddr_storage ss;
		socklen_t len;
		dns_literal("192.0.2.1", AF_UNSPEC, &ss, &len);
		is_int(ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr), 0xc0000201, "dns_literal: IPv4 address bytes");
	}
}

/* Callbacks for the crafted plugin descriptors. */
static int fake_start(hw_ctx *ctx, const void *opts, void **state)
{
	(void)ctx;
	(void)opts;
	*state = NULL;
	return 0;
}
static void fake_run(void *state, hw_target *t)
{
	(void)state;
	(void)t;
}
static void fake_stop(void *state)
{
	(void)state;
}

static void test_plugin_check(void)
{
	struct fake_opts { int count; double wait; int mode; } ;
	static const char *const modes[] = { "a", "b", NULL };
	static const hw_option good_opts[] = {
		{ "count", HW_OPT_INT, offsetof(struct fake_opts, count), "3", 1, 10, NULL, "" },
		{ "wait", HW_OPT_DURATION, offsetof(struct fake_opts, wait), "1s", 0, 10, NULL, "" },
		{ "mode", HW_OPT_ENUM, offsetof(struct fake_opts, mode), "a", 0, 0, modes, "" },
		{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
	};
	static const hw_option enum_no_choices[] = {
		{ "mode", HW_OPT_ENUM, 0, "a", 0, 0, NULL, "" },
		{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
	};
	static const hw_option outside[] = {
		{ "count", HW_OPT_INT, sizeof(struct fake_opts), "3", 1, 10, NULL, "" },
		{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
	};
	static const hw_option straddles[] = {
		{ "wait", HW_OPT_DOUBLE, sizeof(struct fake_opts) - 4, "1", 0, 10, NULL, "" },
		{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
	};
	const hw_plugin good = {
		.abi = HW_PLUGIN_ABI, .size = sizeof(hw_plugin), .name = "fake",
		.options = good_opts, .options_size = sizeof(struct fake_opts),
		.start = fake_start, .run = fake_run, .stop = fake_stop,
	};
	char buf[256];
	const char *r;
	hw_plugin p;

	r = plugin_check(&good, "fake", buf, sizeof buf);
	ok(r == NULL, "plugin_check: good descriptor accepted%s%s", r ? ": " : "", r ? r : "");
	p = good;
	p.options = NULL;
	p.options_size = 0;
	ok(!plugin_check(&p, "fake", buf, sizeof buf), "plugin_check: no options accepted");
	{
		static const hw_metric_def good_m[] = {
			{ "fake.rtt", HW_DISTRIBUTION, 1, "", "ms" }, { "fake.loss", HW_GAUGE, 0, "", "%" },
			{ NULL, 0, 0, NULL, NULL },
		};
		static const hw_metric_def twice[] = {
			{ "fake.rtt", HW_DISTRIBUTION, 1, "", "ms" }, { "fake.rtt", HW_GAUGE, 0, "", "%" },
			{ NULL, 0, 0, NULL, NULL },
		};
		static const hw_metric_def badtype[] = { { "fake.rtt", 9, 1, "", "" }, { NULL, 0, 0, NULL, NULL } };
		p = good;
		p.metrics = good_m;
		ok(!plugin_check(&p, "fake", buf, sizeof buf), "plugin_check: a metrics table accepted");
		p.metrics = twice;
		r = plugin_check(&p, "fake", buf, sizeof buf);
		ok(r && strstr(r, "declared twice"), "plugin_check: a metric declared twice (%s)", r ? r : "accepted");
		p.metrics = badtype;
		r = plugin_check(&p, "fake", buf, sizeof buf);
		ok(r && strstr(r, "unknown type"), "plugin_check: a metric of an unknown type (%s)", r ? r : "accepted");
	}

	/* A wrong abi or size is reported before any other field is read:
	 * the rest of these descriptors is garbage on purpose. */
	memset(&p, 0xff, sizeof p);
	p.abi = HW_PLUGIN_ABI + 1;
	r = plugin_check(&p, "fake", buf, sizeof buf);
	ok(r && strstr(r, "ABI"), "plugin_check: wrong abi (%s)", r ? r : "accepted");
	memset(&p, 0xff, sizeof p);
	p.abi = HW_PLUGIN_ABI;
	p.size = sizeof(hw_plugin) - 8;
	r = plugin_check(&p, "fake", buf, sizeof buf);
	ok(r && strstr(r, "bytes"), "plugin_check: wrong size (%s)", r ? r : "accepted");
	p.size = sizeof(hw_plugin) + 8;
	r = plugin_check(&p, "fake", buf, sizeof buf);
	ok(r && strstr(r, "bytes"), "plugin_check: larger size (%s)", r ? r : "accepted");

	p = good;
	r = plugin_check(&p, "other", buf, sizeof buf);
	ok(r && strstr(r, "\"fake\""), "plugin_check: wrong name (%s)", r ? r : "accepted");
	p.name = NULL;
	r = plugin_check(&p, "fake", buf, sizeof buf);
	ok(r && strstr(r, "(null)"), "plugin_check: NULL name (%s)", r ? r : "accepted");
	p = good;
	p.start = NULL;
	ok(plugin_check(&p, "fake", buf, sizeof buf) != NULL, "plugin_check: no start refused");
	p = good;
	p.run = NULL;  /* a plugin that takes no targets (conn) */
	ok(plugin_check(&p, "fake", buf, sizeof buf) == NULL, "plugin_check: no run accepted");
	p = good;
	p.stop = NULL;
	ok(plugin_check(&p, "fake", buf, sizeof buf) != NULL, "plugin_check: no stop refused");
	p = good;
	p.options_size = 0;
	ok(plugin_check(&p, "fake", buf, sizeof buf) != NULL, "plugin_check: options without options_size refused");
	p = good;
	p.options = enum_no_choices;
	r = plugin_check(&p, "fake", buf, sizeof buf);
	ok(r && strstr(r, "\"mode\""), "plugin_check: enum without choices (%s)", r ? r : "accepted");
	p.options = outside;
	r = plugin_check(&p, "fake", buf, sizeof buf);
	ok(r && strstr(r, "\"count\""), "plugin_check: offset at options_size (%s)", r ? r : "accepted");
	p.options = straddles;
	r = plugin_check(&p, "fake", buf, sizeof buf);
	ok(r != NULL, "plugin_check: a double straddling options_size refused (%s)", r ? r : "accepted");
}

/* An options struct for conf_apply_defaults. */
struct dopts {
	int count;          /* HW_OPT_INT */
	double ratio;       /* HW_OPT_DOUBLE */
	double wait;        /* HW_OPT_DURATION */
	int flag;           /* HW_OPT_BOOL */
	const char *label;  /* HW_OPT_STRING */
	const char *none;   /* HW_OPT_STRING without default */
	int mode;           /* HW_OPT_ENUM */
};

static void test_apply_defaults(struct hw_config *c)
{
	static const char *const modes[] = { "auto", "fast", "slow", NULL };
#define O(f) offsetof(struct dopts, f)
	static const hw_option good[] = {
		{ "count", HW_OPT_INT, O(count), "3", 1, 10, NULL, "" },
		{ "ratio", HW_OPT_DOUBLE, O(ratio), "0.25", 0, 1, NULL, "" },
		{ "wait", HW_OPT_DURATION, O(wait), "200ms", 0, 10, NULL, "" },
		{ "flag", HW_OPT_BOOL, O(flag), "true", 0, 0, NULL, "" },
		{ "label", HW_OPT_STRING, O(label), "hello", 0, 0, NULL, "" },
		{ "none", HW_OPT_STRING, O(none), NULL, 0, 0, NULL, "" },
		{ "mode", HW_OPT_ENUM, O(mode), "slow", 0, 0, modes, "" },
		{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
	};
	static const struct {
		hw_option o;        /* a one-option table with a bad default */
	} bad[] = {
		{ { "count", HW_OPT_INT, O(count), "1.5", 1, 10, NULL, "" } },
		{ { "count", HW_OPT_INT, O(count), "11", 1, 10, NULL, "" } },
		{ { "count", HW_OPT_INT, O(count), "3x", 1, 10, NULL, "" } },
		{ { "ratio", HW_OPT_DOUBLE, O(ratio), "2", 0, 1, NULL, "" } },
		{ { "ratio", HW_OPT_DOUBLE, O(ratio), "inf", 0, 1, NULL, "" } },
		{ { "wait", HW_OPT_DURATION, O(wait), "200", 0, 10, NULL, "" } },
		{ { "wait", HW_OPT_DURATION, O(wait), "2 s", 0, 10, NULL, "" } },
		{ { "flag", HW_OPT_BOOL, O(flag), "yes", 0, 0, NULL, "" } },
		{ { "mode", HW_OPT_ENUM, O(mode), "medium", 0, 0, modes, "" } },
	};
	struct dopts d;
	const char *r;

	memset(&d, 0x5a, sizeof d);
	r = conf_apply_defaults(c, good, &d);
	ok(r == NULL, "apply_defaults: good table (%s)", r ? r : "ok");
	is_int(d.count, 3, "apply_defaults: int");
	is_double(d.ratio, 0.25, 0, "apply_defaults: double");
	is_double(d.wait, 0.2, 1e-12, "apply_defaults: duration");
	is_int(d.flag, 1, "apply_defaults: bool");
	is_str(d.label, "hello", "apply_defaults: string");
	ok(d.none == NULL, "apply_defaults: string without default is NULL");
	is_int(d.mode, 2, "apply_defaults: enum index");
	is_int(conf_apply_defaults(c, NULL, &d) == NULL, 1, "apply_defaults: NULL table");

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		hw_option table[3] = {
			good[4],  /* a good one first: the bad one must be named */
			bad[i].o,
			{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
		};
		r = conf_apply_defaults(c, table, &d);
		ok(r && !strcmp(r, bad[i].o.name), "apply_defaults: bad %s default \"%s\" names \"%s\" (got %s)",
		   bad[i].o.name, bad[i].o.def, bad[i].o.name, r ? r : "NULL");
	}
#undef O
}

static void test_core_defaults(void)
{
	struct hw_config *c = conf_load(NULL, NULL);

	if (!ok(c != NULL, "conf_load(NULL, NULL) returns the defaults"))
		return;
	is_double(c->interval, 60, 0, "default interval 60 s");
	is_double(c->timeout, 1, 0, "default timeout 1 s");
	is_double(c->resolve_interval, 300, 0, "default resolve_interval 300 s");
	is_str(c->prefix, "hopwatch.", "default prefix");
	is_str(c->plugin_dir, HW_PLUGIN_DIR, "default plugin_dir is HW_PLUGIN_DIR");
	ok(c->user == NULL, "default user unset");
	ok(c->hostname == NULL, "default hostname unset");
	ok(c->include_dir == NULL, "default include_dir unset");
	ok(c->tags.n == 0 && c->tags.v == NULL, "default: no global tags");
	ok(c->statsd.url == NULL, "default statsd.url unset");
	is_int(c->statsd.echo, 0, "default statsd.echo off");
	is_double(c->statsd.telemetry_interval, 10, 0, "default statsd.telemetry_interval 10 s");
	is_int(c->log.level, 2, "default log.level index 2");
	is_str(conf_log_levels[c->log.level], "info", "default log.level is \"info\"");
	is_int(c->log.syslog, 0, "default log destination stderr");
	ok(c->nprobes == 0 && c->probes == NULL, "default: no probes");
	is_int(c->hop_names.enabled, 1, "default hop_names.enabled on");
	ok(c->hop_names.server == NULL, "default hop_names.server unset (resolv.conf)");
	is_double(c->hop_names.timeout, 1, 0, "default hop_names.timeout 1 s");
	is_double(c->hop_names.min_ttl, 60, 0, "default hop_names.min_ttl 60 s");
	is_double(c->hop_names.max_ttl, 86400, 0, "default hop_names.max_ttl 24 h");
	is_double(c->hop_names.negative_ttl, 300, 0, "default hop_names.negative_ttl 5 m");
	is_int(c->hop_names.cache_size, 10000, "default hop_names.cache_size 10000");
	is_int(c->hop_names.max_in_flight, 16, "default hop_names.max_in_flight 16");
	is_double(c->hop_names.rate, 20, 0, "default hop_names.rate 20/s");
	ok(conf_log_levels[0] && !strcmp(conf_log_levels[0], "error") && conf_log_levels[3] &&
	   !strcmp(conf_log_levels[3], "debug") && !conf_log_levels[4], "log level words");

	test_apply_defaults(c);
	conf_free(c);
	conf_free(NULL);
	ok(1, "conf_free(NULL) is fine");
}

/* conf_parse_number: every literal form libconfig takes, read exactly,
 * where libconfig 1.5 itself cuts to 32 bits. */
static void test_number(void)
{
	static const struct {
		const char *in;
		int rc;          /* 0 or -1 */
		int is_float;    /* written as a float */
		int fits;        /* fits 64 bits / is finite */
		long long i;     /* integer value when it fits */
		double d;        /* float value when it is a float that fits */
	} cases[] = {
		{ "0", 0, 0, 1, 0, 0 },
		{ "42", 0, 0, 1, 42, 0 },
		{ "-7", 0, 0, 1, -7, 0 },
		{ "+7", 0, 0, 1, 7, 0 },
		{ "007", 0, 0, 1, 7, 0 },                     /* decimal, as libconfig reads it */
		{ "2147483647", 0, 0, 1, 2147483647LL, 0 },
		{ "2147483648", 0, 0, 1, 2147483648LL, 0 },   /* libconfig 1.5: -2147483648 */
		{ "4294967299", 0, 0, 1, 4294967299LL, 0 },   /* libconfig 1.5: 3 */
		{ "-2147483649", 0, 0, 1, -2147483649LL, 0 }, /* libconfig 1.5: 2147483647 */
		{ "4294967299L", 0, 0, 1, 4294967299LL, 0 },
		{ "4294967299LL", 0, 0, 1, 4294967299LL, 0 },
		{ "9223372036854775807", 0, 0, 1, LLONG_MAX, 0 },
		{ "-9223372036854775808", 0, 0, 1, LLONG_MIN, 0 },
		{ "9223372036854775808", 0, 0, 0, 0, 0 },     /* 2^63 */
		{ "-9223372036854775809", 0, 0, 0, 0, 0 },
		{ "99999999999999999999", 0, 0, 0, 0, 0 },    /* libconfig 1.5: -1 */
		{ "99999999999999999999L", 0, 0, 0, 0, 0 },   /* libconfig 1.5: LLONG_MAX */
		{ "0x1F", 0, 0, 1, 31, 0 },
		{ "0XfF", 0, 0, 1, 255, 0 },
		{ "0xFFFFFFFF", 0, 0, 1, 4294967295LL, 0 },   /* libconfig 1.5: -1 */
		{ "0x100000003", 0, 0, 1, 4294967299LL, 0 },  /* libconfig 1.5: 3 */
		{ "0x7FFFFFFFFFFFFFFFL", 0, 0, 1, LLONG_MAX, 0 },
		{ "0x8000000000000000L", 0, 0, 0, 0, 0 },
		{ "1.5", 0, 1, 1, 0, 1.5 },
		{ ".5", 0, 1, 1, 0, 0.5 },
		{ "-1.", 0, 1, 1, 0, -1 },
		{ "1e3", 0, 1, 1, 0, 1000 },
		{ "1.5E-3", 0, 1, 1, 0, 0.0015 },
		{ "1e999", 0, 1, 0, 0, 0 },                   /* infinite */
		{ "", -1, 0, 0, 0, 0 },
		{ "-", -1, 0, 0, 0, 0 },
		{ "0x", -1, 0, 0, 0, 0 },
		{ "12a", -1, 0, 0, 0, 0 },
		{ "1L2", -1, 0, 0, 0, 0 },
		{ "0xG", -1, 0, 0, 0, 0 },
		{ "1.5x", -1, 0, 0, 0, 0 },
		{ "abc", -1, 0, 0, 0, 0 },
	};
	char label[80];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct conf_number n;
		int rc = conf_parse_number(cases[i].in, strlen(cases[i].in), &n);
		snprintf(label, sizeof label, "number \"%s\"", cases[i].in);
		is_int(rc, cases[i].rc, label);
		if (rc < 0)
			continue;
		is_str(n.text, cases[i].in, label);
		is_int(n.is_float, cases[i].is_float, label);
		is_int(n.fits, cases[i].fits, label);
		if (cases[i].fits && !cases[i].is_float)
			ok(n.i == cases[i].i, "%s: value %lld", label, n.i);
		if (cases[i].fits && cases[i].is_float)
			is_double(n.d, cases[i].d, 1e-12, label);
	}
	/* a literal longer than the text buffer is cut, and says so */
	{
		const char *big = "123456789012345678901234567890123456789012345678901234567890";
		struct conf_number n;
		is_int(conf_parse_number(big, strlen(big), &n), 0, "60 digits parse");
		is_int(n.fits, 0, "60 digits do not fit");
		ok(strlen(n.text) < sizeof n.text && !strncmp(n.text, big, 20) &&
		   !strcmp(n.text + strlen(n.text) - 3, "..."), "60 digits: text cut: %s", n.text);
	}
	/* a NUL byte is no part of a literal */
	{
		struct conf_number n;
		is_int(conf_parse_number("5\0" "7", 3, &n), -1, "a NUL byte inside: not a literal");
	}
	/* only `len` bytes are read */
	{
		struct conf_number n;
		is_int(conf_parse_number("12;", 2, &n), 0, "length bounds the literal");
		ok(n.i == 12, "length bounds the literal: 12");
	}
}

/* conf_host_problem: what looks like an address must be one, of the family. */
static void test_host_problem(void)
{
	static const struct {
		const char *host;
		int family;
		int bad;         /* 1: refused */
	} cases[] = {
		{ "192.0.2.1", FAMILY_ANY, 0 },
		{ "192.0.2.1", FAMILY_IPV4, 0 },
		{ "192.0.2.1", FAMILY_IPV6, 1 },
		{ "300.1.2.3", FAMILY_ANY, 1 },
		{ "1.2.3", FAMILY_ANY, 1 },
		{ "10.2.3.4.5", FAMILY_ANY, 1 },
		{ "010.1.1.1", FAMILY_ANY, 1 },     /* inet_pton takes no octal */
		{ "12345", FAMILY_ANY, 1 },
		{ "::1", FAMILY_ANY, 0 },
		{ "::1", FAMILY_IPV6, 0 },
		{ "::1", FAMILY_IPV4, 1 },
		{ "2001:db8::1", FAMILY_ANY, 0 },
		{ "2001:db8:::1", FAMILY_ANY, 1 },
		{ "fe80::1%eth0", FAMILY_ANY, 0 },   /* the zone is the resolver's */
		{ "fe80:::1%eth0", FAMILY_ANY, 1 },
		{ "example.com", FAMILY_ANY, 0 },
		{ "example.com", FAMILY_IPV6, 0 },   /* names are resolved in the family */
		{ "3com.example", FAMILY_ANY, 0 },
		{ "host-1", FAMILY_IPV4, 0 },
	};
	char label[80];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *why = conf_host_problem(cases[i].host, cases[i].family);
		snprintf(label, sizeof label, "host \"%s\" family %d: %s", cases[i].host, cases[i].family,
		         cases[i].bad ? "refused" : "taken");
		ok(!!why == cases[i].bad, "%s (%s)", label, why ? why : "fine");
	}
}

/* The metric patterns of metrics, metrics_add and metrics_exclude. */
static void test_metric_match(void)
{
	static const struct { const char *pat, *name; int want; } t[] = {
		{ "icmp.rtt", "icmp.rtt", 1 },
		{ "icmp.rtt", "icmp.rtt.min", 0 },
		{ "icmp.rtt.*", "icmp.rtt.min", 1 },
		{ "icmp.rtt.*", "icmp.rtt", 0 },
		{ "path.hop.*", "path.hop.rtt.stddev", 1 },
		{ "path.hop.*", "path.hops", 0 },
		{ "hop.*", "hop.jitter", 1 },
		{ "*", "icmp.rtt", 0 },
		{ ".*", "icmp.rtt", 0 },
		{ "icmp.rt", "icmp.rtt", 0 },
		{ "", "icmp.rtt", 0 },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		ok(conf_metric_match(t[i].pat, t[i].name) == t[i].want, "metric_match: \"%s\" %s \"%s\"", t[i].pat,
		   t[i].want ? "matches" : "does not match", t[i].name);
}

int main(void)
{
	test_number();
	test_host_problem();
	test_duration();
	test_hostport();
	test_statsd_url();
	test_lenient();
	test_default_url();
	test_dns_literal();
	test_plugin_check();
	test_metric_match();
	test_core_defaults();
	return done_testing();
}
