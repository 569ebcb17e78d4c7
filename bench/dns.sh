#!/bin/bash
# bench/dns.sh: scenario (f), the dns plugin.  Markdown on stdout.
#
#   query mode: one instance, 1,000 targets (addresses of a /16 that d1
#     answers, dnsmasq listening on all of them), interval 1 s: 1,000
#     queries a second through c-ares on the daemon's loop.
#   passive mode: dnsload (t/tools) sends 10,000 queries a second to a
#     dnsmasq on loopback, in the daemon's own namespace; the daemon
#     watches them on its AF_PACKET socket and matches every response.
#
# CPU is user + system time of hopwatchd over the whole run (start-up
# included), from /usr/bin/time; "drops" are queries sent but never
# counted, or reported by the daemon (dns.capture_drops).
#
#   BENCH_DNS_SECONDS=S   seconds of load per mode (20; 10 with BENCH_QUICK=1)
#   BENCH_DNS_RATE=N      passive mode, queries a second (10000)
. "$(dirname "$0")/lib.sh"
bn_require_root

secs=${BENCH_DNS_SECONDS:-$([ "$QUICK" = 1 ] && echo 10 || echo 20)}
rate=${BENCH_DNS_RATE:-10000}
ntargets=1000
for f in "$PLUGIN_DIR/dns.so" "$TOOLS/dnsload"; do
	[ -e "$f" ] || bn_die "$f is not built (make)"
done
command -v dnsmasq >/dev/null 2>&1 || bn_pkgs dnsmasq-base || bn_die "dnsmasq is missing"

tb_chain dn 1 1 || bn_die "tb_chain failed"
tb_many d1 4 >/dev/null || bn_die "tb_many failed"
NS=$(tb_ns src)
DNS_NS=$(tb_ns d1)

# dnsmasq NS NAME LISTEN: a dnsmasq in NS answering *.load.test and
# www.test from memory, no upstream, no log; LISTEN: "" for every address
# (the /16 of tb_many), else one address.
dnsmasq_start() {
	{
		echo "no-resolv"
		echo "no-hosts"
		echo "port=53"
		echo "user=root"
		echo "pid-file=$WORK/$2.pid"
		echo "address=/load.test/10.9.0.1"
		echo "address=/www.test/10.9.0.1"
		echo "cache-size=0"
		[ -n "$3" ] && { echo "listen-address=$3"; echo "bind-interfaces"; }
	} >"$WORK/$2.conf"
	ip netns exec "$1" ip link set lo up
	ip netns exec "$1" dnsmasq -C "$WORK/$2.conf" || bn_die "dnsmasq did not start"
	test_atexit "kill \$(cat $WORK/$2.pid)"
}

# cpu_us CPU_S N: microseconds of CPU per item
cpu_us() { bn_fmt %.1f "$(bn_calc "$1 * 1e6 / $2")"; }

# --- query mode ------------------------------------------------------------
dnsmasq_start "$DNS_NS" q ""
{
	echo 'interval = "1s";'
	echo 'timeout = "900ms";'
	echo 'statsd = { url = "udp://127.0.0.1:8125"; telemetry_interval = 0; };'
	echo 'log = { level = "warning"; };'
	echo 'probes = ( { name = "q"; plugin = "dns"; query_name = "www.test";'
	echo "  targets = ( $(bn_addrs "$ntargets" | sed 's/.*/"&"/' | paste -sd, -) ); } );"
} >"$WORK/q.conf"
bn_sink_start "$NS" 8125 qsink
bn_run "$NS" "$secs" TERM qd "$HOPWATCHD" -c "$WORK/q.conf" -P "$PLUGIN_DIR"
bn_sink_stop
q_resp=$(bn_sum "$WORK/qsink.sum" hopwatch.dns.responses)
q_to=$(bn_sum "$WORK/qsink.sum" hopwatch.dns.timeouts)
q_err=$(bn_sum "$WORK/qsink.sum" hopwatch.dns.query_errors)
q_rtt=$(bn_calc "$(bn_sum "$WORK/qsink.sum" hopwatch.dns.rtt) / ($(bn_sum "$WORK/qsink.sum" hopwatch.dns.rtt 4) + 1e-9)")
q_cpu=$BN_CPU q_wall=$BN_WALL q_rss=$BN_RSS
[ "$q_resp" = 0 ] && bn_log "query mode: no response: $(head -n 3 "$WORK/qd.err")"

# --- passive mode ----------------------------------------------------------
dnsmasq_start "$NS" p 127.0.0.1
cat >"$WORK/p.conf" <<EOF
interval = "1s";
timeout = "1s";
statsd = { url = "udp://127.0.0.1:8126"; telemetry_interval = 0; };
log = { level = "warning"; };
probes = ( { name = "p"; plugin = "dns"; mode = "passive"; targets = [ "0.0.0.0" ]; } );
EOF
bn_sink_start "$NS" 8126 psink
ip netns exec "$NS" /usr/bin/time -o "$WORK/pd.time" -f '%e %U %S %M' \
	timeout -s TERM $((secs + 4)) "$HOPWATCHD" -c "$WORK/p.conf" -P "$PLUGIN_DIR" 2>"$WORK/pd.err" &
pd=$!
sleep 1
ip netns exec "$NS" timeout $((secs + 30)) "$TOOLS/dnsload" -s 127.0.0.1 -r "$rate" -d "$secs" >"$WORK/load.out" 2>&1
wait "$pd"
bn_sink_stop
read -r _ p_wall p_user p_sys _ < <(tail -n 1 "$WORK/pd.time" | sed 's/^/x /')
p_cpu=$(bn_calc "$p_user + $p_sys")
read -r _ l_sent _ l_recv _ l_unknown < "$WORK/load.out" || bn_log "dnsload: $(cat "$WORK/load.out")"
p_q=$(bn_sum "$WORK/psink.sum" hopwatch.dns.queries)
p_resp=$(bn_sum "$WORK/psink.sum" hopwatch.dns.responses)
p_to=$(bn_sum "$WORK/psink.sum" hopwatch.dns.timeouts)
p_drop=$(bn_sum "$WORK/psink.sum" hopwatch.dns.capture_drops)
p_unm=$(bn_sum "$WORK/psink.sum" hopwatch.dns.unmatched)
p_rtt=$(bn_calc "$(bn_sum "$WORK/psink.sum" hopwatch.dns.rtt) / ($(bn_sum "$WORK/psink.sum" hopwatch.dns.rtt 4) + 1e-9)")

cat <<EOF
### (f) DNS: the dns plugin, query and passive mode

Query mode: one instance, $ntargets targets (a /16 answered by dnsmasq in
d1, one hop away, no added delay), interval 1 s, for $secs s: about
$ntargets queries a second through c-ares, one channel per target.
Passive mode: \`t/tools/dnsload\` sends $rate queries a second for $secs s
from 16 UDP sockets to dnsmasq on 127.0.0.1 in the daemon's namespace;
the daemon matches them on its AF_PACKET socket (loopback shows every
packet twice; the BPF filter passes both, the outgoing copy is skipped in
userspace). CPU: user + system of hopwatchd over the run, start-up
included.

| mode | queries | responses counted | timeouts | drops | CPU s | CPU µs/query | mean RTT ms | peak RSS MiB |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
| query, $ntargets targets × 1/s | $(bn_calc "$q_resp + $q_to + $q_err") sent | $q_resp | $q_to | $q_err errors | $q_cpu | $(cpu_us "$q_cpu" "$(bn_calc "$q_resp + $q_to + $q_err + 1e-9")") | $(bn_fmt %.3f "$q_rtt") | $q_rss |
| passive, $rate/s on loopback | ${l_sent:-n/a} sent, $p_q seen | $p_resp of ${l_recv:-n/a} answered | $p_to | $p_drop capture, $(bn_calc "${l_sent:-0} - $p_q") unseen | $p_cpu | $(cpu_us "$p_cpu" "$(bn_calc "$p_q + 1e-9")") | $(bn_fmt %.3f "$p_rtt") | $(bn_fmt %.1f "$(bn_calc "$(tail -n 1 "$WORK/pd.time" | cut -d' ' -f4) / 1024")") |

Wall time: query mode $q_wall s, passive mode $p_wall s. Responses dnsload
could not match (late or unknown): ${l_unknown:-n/a}; responses the daemon
could not match: $p_unm.
EOF
