/*
 * plugins/path: parallel, flow-stable traceroute (ICMP echo, UDP, TCP
 * SYN) with hop-by-hop latency and loss, and path change detection by the
 * core (hw_path_report).  This file: settings, validation, life cycle and
 * the exported descriptor.  The trace algorithm is engine.c's; each
 * protocol's probes and matchers are proto_*.c's; path.h lists the files.
 *
 * Flow stability (Paris traceroute): every probe of a target keeps the
 * fields per-flow ECMP hashes on: addresses, protocol, ports, and for ICMP
 * the identifier and the checksum.  The probe's identity (a 16-bit probe
 * id: trace number mod 63, query, TTL) is carried where routers do not
 * hash and every ICMP error quotes (the first 8 bytes of the transport
 * header); see proto_*.c.  The flow is fixed for the instance's lifetime,
 * so 50 traces of one target are one flow and two instances are two flows.
 *
 * Matching is strict (match.c): a reply counts only when every field we
 * chose matches the probe it names; the others count as path.unmatched
 * when they carry our flow identity, and are ignored when they do not.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "path.h"
#include "start.h"

const char *const path_protocols[] = { "icmp", "udp", "tcp", NULL };
static const char *const modes[] = { "auto", "dgram", "raw", NULL };

/* ------------------------------------------------------------------ */
/* Settings                                                             */

#define O(f) offsetof(struct opts, f)
static const hw_option options[] = {
	{ "protocol", HW_OPT_ENUM, O(protocol), "icmp", 0, 0, path_protocols,
	  "icmp (echo, default), udp (to port 33434 and up: an unreachable ends the trace) or tcp "
	  "(SYN to the port, raw sockets only); the interval is the global one (60s by default)" },
	{ "max_ttl", HW_OPT_INT, O(max_ttl), "30", 1, HW_PATH_MAX_HOPS, NULL,
	  "highest TTL / hop limit probed (default 30, at most 64)" },
	{ "queries", HW_OPT_INT, O(queries), "3", 1, MAX_QUERIES, NULL,
	  "probes per TTL and trace: RTT min/avg/max and loss per hop (default 3, at most 16)" },
	{ "port", HW_OPT_INT, O(port), "0", 0, 65535, NULL,
	  "udp/tcp destination port; 0 (default): the target's port, else 33434 (udp) or 80 (tcp)" },
	{ "size", HW_OPT_INT, O(size), "32", PAYLOAD_MIN, 1400, NULL,
	  "icmp/udp payload bytes after the 8-byte header (default 32, at least 8); tcp sends a bare SYN" },
	{ "source", HW_OPT_STRING, O(source), NULL, 0, 0, NULL,
	  "IPv4 or IPv6 address to send from; unset: the kernel picks" },
	{ "mode", HW_OPT_ENUM, O(mode), "auto", 0, 0, modes,
	  "auto (default: icmp ping sockets when ping_group_range allows, udp/tcp raw when CAP_NET_RAW "
	  "allows, else the other), dgram (no capability: ICMP errors from the socket error queue) "
	  "or raw (CAP_NET_RAW; tcp needs it)" },
	{ "pps", HW_OPT_DOUBLE, O(pps), "2000", 1, 1000000, NULL,
	  "probes per second for the whole instance, paced evenly (default 2000: 500 us apart)" },
	{ "tag_hop_ip", HW_OPT_BOOL, O(tag_hop_ip), "false", 0, 0, NULL,
	  "tag per-hop metrics with hop_ip:<address> besides hop:<ttl>; off (default): a target costs "
	  "at most max_ttl contexts per per-hop metric, however often its path or ECMP branch changes" },
	{ "tag_hop_name", HW_OPT_BOOL, O(tag_hop_name), "false", 0, 0, NULL,
	  "per-hop metrics also carry hop_name:<name> once the hop's name (PTR) is known; off by default: "
	  "each name is one more metric context" },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};
#undef O

/* ------------------------------------------------------------------ */
/* Validation                                                           */

static const char *validate(const void *opts, double interval, double timeout)
{
	const struct opts *o = opts;
	unsigned char buf[sizeof(struct in6_addr)];

	if (o->protocol == P_TCP && o->mode == MODE_DGRAM)
		return "protocol \"tcp\" needs raw sockets (CAP_NET_RAW): set mode = \"raw\" or \"auto\"";
	if (o->protocol == P_ICMP && o->port)
		return "port is for protocol \"udp\" or \"tcp\"; icmp has none";
	static char msg[320];  /* the refusal, with the numbers (one thread, used at once) */
	double trace = (double)o->max_ttl * o->queries / o->pps + 2 * timeout;

	if (trace >= interval) {
		snprintf(msg, sizeof msg, "max_ttl %d * queries %d / pps %g + 2 * timeout %gs = %gs does "
		         "not fit interval %gs: a trace (its sending, then at most two timeouts) must end "
		         "before the next one starts", o->max_ttl, o->queries, o->pps, timeout, trace, interval);
		return msg;
	}
	if (o->source && inet_pton(AF_INET, o->source, buf) != 1 && inet_pton(AF_INET6, o->source, buf) != 1)
		return "source must be a literal IPv4 or IPv6 address";
	return NULL;
}

/* Targets carry a port for udp and tcp (the destination port), none for
 * icmp: "host:80" there is a mistake, refused with its file:line. */
static hw_port_use port_use(const void *opts)
{
	return ((const struct opts *)opts)->protocol == P_ICMP ? HW_PORT_NONE : HW_PORT_OPTIONAL;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                           */

static void stop(void *state)
{
	struct inst *in = state;

	if (!in)
		return;
	path_sockets_close(in);
	path_inst_free(in);
}

static int start_inst(hw_ctx *ctx, const void *opts, void **out)
{
	const struct opts *o = opts;
	struct inst *in = NULL;
	double interval = hw_interval(ctx), trace;
	int rc = path_inst_new(ctx, o, &in);

	*out = in;  /* partial on failure: stop() frees it */
	if (rc < 0)
		return -1;
	in->io = &path_sock_io;
	if (path_sockets_open(in) < 0)
		return -1;
	trace = (double)in->ntargets * o->max_ttl * o->queries / o->pps;
	if (trace > interval)
		HW_WARN(ctx, "%zu targets * max_ttl %d * queries %d at pps %g take %.1fs to send, more than "
		        "the interval %gs: traces will run late and be skipped", in->ntargets, o->max_ttl,
		        o->queries, o->pps, trace, interval);
	HW_INFO(ctx, "path: protocol %s, %s sockets (%s), %zu targets, max_ttl %d, %d queries, "
	        "timeout %gs, every %gs, %g probes/s%s",
	        in->proto->name, in->raw ? "raw" : o->protocol == P_ICMP ? "ping (dgram)" : "datagram",
	        in->raw ? "CAP_NET_RAW" : "unprivileged, ICMP errors from the socket error queue",
	        in->ntargets, o->max_ttl, o->queries, in->timeout, interval, o->pps,
	        o->mode == MODE_AUTO ? ", chosen by mode auto" : "");
	return 0;
}

/* The host calls stop() only after a successful start: hwc_start frees
 * what a failed start left. */
static int start(hw_ctx *ctx, const void *opts, void **state)
{
	return hwc_start(ctx, opts, state, start_inst, stop);
}

/* What the plugin sends (hw_metric_def; README "What is sent").  The
 * destination's per-hop lines (tag hop:<its TTL>) say what path.rtt and
 * path.loss say, but under the hop tag every per-hop view groups by: they
 * stay, so that a per-hop graph does not lose its last hop. */
static const hw_metric_def metrics[] = {
	{ "path.hops", HW_GAUGE, 1, "protocol", "hops listed: the destination's TTL when reached; every trace" },
	{ "path.unknown_hops", HW_GAUGE, 1, "protocol", "hops of the trace that never answered; every trace" },
	{ "path.duration", HW_GAUGE, 1, "protocol", "ms the trace took; every trace" },
	{ "path.rtt", HW_GAUGE, 1, "protocol", "ms, the destination's mean RTT; traces that reached it (not a round that could not probe it)" },
	{ "path.loss", HW_GAUGE, 1, "protocol", "percent of the probes to the destination lost; 100 when not reached; none in a round whose end was out of its ICMP budget (udp)" },
	{ "path.reachable", HW_GAUGE, 0, "protocol", "1 when the destination answered, else 0 (path.loss < 100 says it)" },
	{ "path.hop.rtt", HW_GAUGE, 1, "protocol,hop", "ms, a hop's mean RTT (mtr's Avg); hops that answered" },
	{ "path.hop.response", HW_GAUGE, 1, "protocol,hop", "percent of the probes to the hop it answered" },
	{ "path.hop.loss", HW_GAUGE, 1, "protocol,hop", "percent, forwarding loss up to the hop (mtr's Loss%)" },
	{ "path.hop.rtt.min", HW_GAUGE, 0, "protocol,hop", "ms, a hop's best RTT of the trace (mtr's Best)" },
	{ "path.hop.rtt.max", HW_GAUGE, 0, "protocol,hop", "ms, a hop's worst RTT of the trace (mtr's Wrst)" },
	{ "path.hop.rtt.stddev", HW_GAUGE, 0, "protocol,hop", "ms, standard deviation of a hop's RTTs (mtr's StDev)" },
	{ "path.hop.jitter", HW_GAUGE, 0, "protocol,hop", "ms, mean difference of a hop's consecutive RTTs (mtr's Jttr)" },
	{ "path.changes", HW_COUNT, 1, "", "confirmed path changes (sent by the path store)" },
	{ "path.unmatched", HW_COUNT, 1, "", "replies matching no probe of the instance; no target tags" },
	{ NULL, 0, 0, NULL, NULL },
};

HW_PLUGIN_EXPORT = {
	.abi = HW_PLUGIN_ABI,
	.size = sizeof(hw_plugin),
	.name = "path",
	.options = options,
	.options_size = sizeof(struct opts),
	.target_size = sizeof(struct tstate),
	.port = HW_PORT_OPTIONAL,
	.validate = validate,
	.start = start,
	.run = path_run,
	.readdress = path_readdress,
	.forget = path_forget,
	.stop = stop,
	.check = "path.can_reach",
	.metrics = metrics,
	.port_use = port_use,
};
