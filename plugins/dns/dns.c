/*
 * plugins/dns/dns.c: DNS server health, actively and from the host's own
 * traffic.  "It's always DNS."
 *
 * mode = "query" (default, no privileges): every `interval`, each target
 *   (a DNS server "10.0.0.53", "[fd00::53]:5353", or "system" for the
 *   resolvers of /etc/resolv.conf) is asked `query_name` of `query_type` through
 *   c-ares on the daemon's loop (query.c).  UDP, with c-ares' fallback to
 *   TCP when the answer is truncated, or TCP only.
 * mode = "passive" (CAP_NET_RAW): an AF_PACKET socket with a kernel BPF
 *   filter sees the host's own port-53 traffic (UDP and TCP, both
 *   families); responses are matched to queries by client address and
 *   port, server, transaction id and question (passive.c).  Targets are
 *   the servers watched: an address, or 0.0.0.0 / :: for every server of
 *   that family.  A round of a target sends what was seen since the last.
 *
 * Metrics (the core adds the prefix "hopwatch." and the target tags):
 *   dns.rtt            distribution, ms: query to response
 *   dns.responses      count, tagged rcode:noerror|nxdomain|servfail|...
 *   dns.timeouts       count: queries without a response within `timeout`
 *   dns.answers        gauge (query): records in the answer section
 *   dns.queries        count (passive): queries seen
 *   dns.query_errors   count (query), tagged error:: nothing was measured
 *   dns.answer_changes count (query): the answer set changed (and an event)
 *   dns.unmatched      count (passive): responses that matched no query
 *   dns.capture_drops  count (passive): packets the kernel dropped
 *   dns.can_resolve    service check (query)
 * The core's own dns.errors and dns.changes are about resolving target
 * host names, not about these probes (README).
 */
#include <stdlib.h>
#include <string.h>

#include "pkt_dns.h"
#include "dnsprobe.h"

const char *const dns_type_words[] = { "A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "SRV", "PTR", NULL };
const char *const dns_rcode_words[] = { "noerror", "nxdomain", "servfail", "refused", NULL };
const int dns_rcode_values[] = { 0, 3, 2, 5 };
static const char *const modes[] = { "query", "passive", NULL };
static const char *const transports[] = { "udp", "tcp", NULL };

#define O(field) offsetof(struct dns_opts, field)
/* Every setting and its default, in one place. */
static const hw_option options[] = {
	{ "mode", HW_OPT_ENUM, O(mode), "query", 0, 0, modes,
	  "query: ask the targets; passive: watch the host's own DNS traffic (CAP_NET_RAW)" },
	{ "query_name", HW_OPT_STRING, O(name), NULL, 0, 0, NULL,
	  "query: the name asked for (required in query mode; `name` is the instance's)" },
	{ "query_type", HW_OPT_ENUM, O(type), "A", 0, 0, dns_type_words,
	  "query: the record type asked for" },
	{ "transport", HW_OPT_ENUM, O(transport), "udp", 0, 0, transports,
	  "query: udp (TCP when the answer is truncated) or tcp only" },
	{ "rcode", HW_OPT_ENUM, O(rcode), "noerror", 0, 0, dns_rcode_words,
	  "query: the rcode for which dns.can_resolve is OK" },
	{ "expect", HW_OPT_STRING, O(expect), NULL, 0, 0, NULL,
	  "query: comma-separated values the answer must contain (addresses, names, TXT text)" },
	{ "recursion", HW_OPT_BOOL, O(recursion), "true", 0, 0, NULL,
	  "query: set RD, ask the server to recurse" },
	{ "edns", HW_OPT_INT, O(edns), "0", 0, 65535, NULL,
	  "query: EDNS UDP payload size to advertise, bytes (RFC 6891); 0 sends no OPT record" },
	{ "interface", HW_OPT_STRING, O(interface), NULL, 0, 0, NULL,
	  "passive: capture on this interface only; unset: all" },
	{ "labels", HW_OPT_INT, O(labels), "2", 0, 127, NULL,
	  "passive: domain tags keep this many trailing labels; 0 keeps the whole name" },
	{ "max_domains", HW_OPT_INT, O(max_domains), "20", 1, 10000, NULL,
	  "passive: busiest domains kept per interval and target; the rest is domain:other" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
#undef O

static const char *validate(const void *opts, double interval, double timeout)
{
	const struct dns_opts *o = opts;
	uint8_t buf[600];
	(void)interval;
	(void)timeout;

	if (o->mode == MODE_QUERY) {
		if (!o->name)
			return "mode \"query\" needs query_name = \"what to ask for\"";
		if (!pkt_dns_query_build(buf, sizeof buf, 0, o->name, 1, 0, 0))
			return "query_name: not a valid DNS name (empty label, label over 63 or name over 255 octets)";
		if (o->edns && o->edns < 512)
			return "edns: an EDNS payload size is at least 512 bytes (RFC 6891 6.2.5), or 0 for none";
		if (o->interface)
			return "interface applies to mode \"passive\" only";
	} else {
		if (o->name || o->expect)
			return "query_name and expect apply to mode \"query\" only; passive mode watches every name";
	}
	return NULL;
}

/* The state of either mode, and which. */
struct dns_state {
	int mode;      /* enum dns_mode */
	void *inner;   /* query.c's or passive.c's state */
};

static int start(hw_ctx *ctx, const void *opts, void **state)
{
	const struct dns_opts *o = opts;
	struct dns_state *s = calloc(1, sizeof *s);
	int r;

	if (!s) {
		HW_ERROR(ctx, "out of memory");
		return -1;
	}
	s->mode = o->mode;
	r = o->mode == MODE_QUERY ? query_start(ctx, o, &s->inner) : passive_start(ctx, o, &s->inner);
	if (r < 0) {
		free(s);
		return -1;
	}
	*state = s;
	return 0;
}

static void run(void *state, hw_target *t)
{
	struct dns_state *s = state;

	if (s->mode == MODE_QUERY)
		query_run(s->inner, t);
	else
		passive_run(s->inner, t);
}

static void stop(void *state)
{
	struct dns_state *s = state;

	if (!s)
		return;
	if (s->mode == MODE_QUERY)
		query_stop(s->inner);
	else
		passive_stop(s->inner);
	free(s);
}

/* What the plugin sends, in both modes (hw_metric_def; README "What is
 * sent").  A query round sends dns.rtt, dns.responses and dns.answers
 * and the service check; in that mode dns.responses repeats the count
 * of dns.rtt's values per rcode and transport, and may be excluded. */
static const hw_metric_def metrics[] = {
	{ "dns.rtt", HW_DISTRIBUTION, 1, "rcode,transport (query); server,domain (passive)", "ms, query to response" },
	{ "dns.responses", HW_COUNT, 1, "rcode,transport (query); server,domain,rcode (passive)", "responses by rcode" },
	{ "dns.answers", HW_GAUGE, 1, "", "records in the answer section (query)" },
	{ "dns.timeouts", HW_COUNT, 1, "server,domain (passive)", "queries without a response within timeout" },
	{ "dns.query_errors", HW_COUNT, 1, "error", "queries that measured nothing: refused, malformed, other (query)" },
	{ "dns.answer_changes", HW_COUNT, 1, "", "the answer set changed (query)" },
	{ "dns.queries", HW_COUNT, 1, "server,domain", "queries seen (passive)" },
	{ "dns.unmatched", HW_COUNT, 1, "", "responses that matched no query (passive)" },
	{ "dns.capture_drops", HW_COUNT, 1, "", "packets dropped before the capture read them (passive); no target tags" },
	{ NULL, 0, 0, NULL, NULL },
};

HW_PLUGIN_EXPORT = {
	.abi = HW_PLUGIN_ABI,
	.size = sizeof(hw_plugin),
	.name = "dns",
	.options = options,
	.options_size = sizeof(struct dns_opts),
	.target_size = 0,
	.port = HW_PORT_OPTIONAL,
	.validate = validate,
	.start = start,
	.run = run,
	.readdress = NULL,   /* query.c compares the address at every round */
	.stop = stop,
	.check = "dns.can_resolve",
	.metrics = metrics,
};
