#!/bin/bash
# t5000: the tcp plugin on loopback, inside a namespace of its own: open
# and closed ports (IPv4 and IPv6) in connect and syn mode, an unreachable
# and a silent address, the metrics and service checks of a round, option
# checks, 500 targets in one instance, no fd leak and no TIME_WAIT over
# many rounds, and syn mode without CAP_NET_RAW.
. "$(dirname "$0")/test-lib.sh"
require_root
require_cmd ip ss setpriv timeout
for tool in dsd-recv hwlisten; do
	[ -x "$TOOLS/$tool" ] || skip_all "t/tools/$tool is not built (run make)"
done
[ -e "$PLUGIN_DIR/tcp.so" ] || skip_all "plugins/tcp.so is not built (run make)"

NS=hw$HW_ID-tcp
ip netns add "$NS" || { echo "Bail out! cannot create namespace $NS"; exit 1; }
test_atexit "ip netns del $NS"
test_atexit "ip netns pids $NS | xargs -r kill"
ip -n "$NS" link set lo up
# a veth whose far end has no address, and fixed neighbours: whatever is
# sent to 10.1.0.2 and .3 is dropped at v1 and never answered (timeout,
# not the host unreachable a failed ARP would give)
ip -n "$NS" link add v0 type veth peer name v1
ip -n "$NS" addr add 10.1.0.1/24 dev v0
ip -n "$NS" link set v0 up
ip -n "$NS" link set v1 up
ip -n "$NS" neigh add 10.1.0.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent
ip -n "$NS" neigh add 10.1.0.3 lladdr 02:00:00:00:00:02 dev v0 nud permanent
# 7001-7016 listen (IPv4 and IPv6); every other port is closed
ip netns exec "$NS" "$TOOLS/hwlisten" -d -T 300 -p "$TRASH/listen.pid" $(seq 7001 7016) ||
	{ echo "Bail out! hwlisten failed"; exit 1; }
STATSD_PORT=8125

in_ns() { ip netns exec "$NS" "$@"; }

# write_conf FILE INTERVAL TIMEOUT OPTIONS TARGETS: a config with one tcp
# probe "t"; OPTIONS are extra settings ("mode = \"syn\"; count = 3;");
# tcp.sent and tcp.received, off by default, are added: the checks
# compare them with what was sent
write_conf() {
	local sel='metrics_add = [ "sent", "received" ];'
	cat >"$1" <<-EOF
	interval = "$2";
	timeout = "$3";
	statsd = { url = "udp://127.0.0.1:$STATSD_PORT"; telemetry_interval = 0; };
	probes = ( { name = "t"; plugin = "tcp"; $4 $sel
	  targets = ( $5 ); } );
	EOF
}

# hw_run CONF SECONDS: run_hopwatchd (test-lib.sh) in "$NS"
hw_run() { run_hopwatchd "$NS" "$@"; }

. "$SRCDIR/t/lib/tcp.sh"

# checks TARGET PORT: the service check statuses seen, sorted and unique
checks() {
	lines tcp.can_connect "$1" "$2" | cut -d'|' -f3 | sort -u | paste -sd, -
}

# rtt_sane TARGET PORT N: at least N RTT values, all from 0 to 100 ms
rtt_sane() {
	all_values tcp.rtt "$1" "$2" >rtts &&
	test "$(wc -l <rtts)" -ge "$3" &&
	awk '$1 < 0 || $1 > 100 { bad = 1 } END { exit bad }' rtts
}

for mode in connect syn; do
	test_expect_success "$mode: open, refused, unreachable, silent; IPv4 and IPv6" '
		write_conf hw.conf 1s 300ms "mode = \"'$mode'\"; count = 3; spacing = \"50ms\";" \
			"\"127.0.0.1:7001\", \"127.0.0.1:6999\", \"[::1]:7002\", \"[::1]:6999\",
			 \"10.9.9.9:80\", \"10.1.0.2:80\"" &&
		hw_run hw.conf 2.6 &&
		test "$(results 127.0.0.1 7001)" = open &&
		test "$(checks 127.0.0.1 7001)" = 0 &&
		rtt_sane 127.0.0.1 7001 6 &&
		test "$(results ::1 7002)" = open &&
		test "$(checks ::1 7002)" = 0 &&
		rtt_sane ::1 7002 6 &&
		test "$(results 127.0.0.1 6999)" = refused &&
		test "$(checks 127.0.0.1 6999)" = 2 &&
		rtt_sane 127.0.0.1 6999 6 &&
		lines tcp.can_connect 127.0.0.1 6999 | grep "m:not open: 3 probes: 3 refused" &&
		test "$(results ::1 6999)" = refused &&
		rtt_sane ::1 6999 6 &&
		test "$(results 10.9.9.9 80)" = unreachable &&
		test "$(checks 10.9.9.9 80)" = 2 &&
		lines tcp.can_connect 10.9.9.9 80 | grep "unreachable (no_route: Network is unreachable)" &&
		test "$(results 10.1.0.2 80)" = timeout &&
		lines tcp.can_connect 10.1.0.2 80 | grep "no answer within 0.3s" &&
		! lines tcp.rtt 10.9.9.9 80 && ! lines tcp.rtt 10.1.0.2 80 &&
		test "$(all_values tcp.loss 127.0.0.1 7001 | sort -u)" = 0 &&
		test "$(all_values tcp.loss 127.0.0.1 6999 | sort -u)" = 0 &&
		test "$(all_values tcp.loss 10.9.9.9 80 | sort -u)" = 100 &&
		test "$(all_values tcp.loss 10.1.0.2 80 | sort -u)" = 100
	'
done

test_expect_success 'one round: the lines, their types and values' '
	write_conf hw.conf 3s 300ms "count = 4; spacing = \"20ms\";" "\"127.0.0.1:7003\", \"10.1.0.2:81\"" &&
	hw_run hw.conf 2.2 &&
	lines tcp.rtt 127.0.0.1 7003 >l && test $(wc -l <l) = 1 &&
	grep -E "^hopwatch\.tcp\.rtt:[0-9.]+:[0-9.]+:[0-9.]+:[0-9.]+\|d\|#probe:t,target:127\.0\.0\.1,port:7003$" l &&
	for g in min avg max loss; do
		lines tcp.rtt.$g 127.0.0.1 7003 | grep -E "\|g\|" || lines tcp.$g 127.0.0.1 7003 | grep -E "\|g\|" || exit 1
	done &&
	lines tcp.sent 127.0.0.1 7003 | grep -x "hopwatch.tcp.sent:4|c|#probe:t,target:127.0.0.1,port:7003" &&
	lines tcp.received 127.0.0.1 7003 | grep "^hopwatch.tcp.received:4|c|" &&
	lines tcp.results 127.0.0.1 7003 | grep -x "hopwatch.tcp.results:4|c|#probe:t,target:127.0.0.1,port:7003,result:open" &&
	lines tcp.can_connect 127.0.0.1 7003 | grep "|m:port open: 4 of 4 probes answered" &&
	lines tcp.received 10.1.0.2 81 | grep "^hopwatch.tcp.received:0|c|" &&
	lines tcp.results 10.1.0.2 81 | grep "^hopwatch.tcp.results:4|c|.*,result:timeout$" &&
	! lines tcp.rtt.min 10.1.0.2 81 &&
	awk -F"[:|]" "/^hopwatch.tcp.rtt:/ { for (i = 2; i <= 5; i++) s += \$i; avg = s / 4 }
		/^hopwatch.tcp.rtt.avg:/ { got = \$2 } END { d = got - avg; exit !(d < 0.001 && d > -0.001) }" out
'

test_expect_success 'options are checked: round longer than the interval, no port, bad mode' '
	write_conf a.conf 1s 500ms "count = 3; spacing = \"300ms\";" "\"127.0.0.1:7001\"" &&
	test_must_fail "$HOPWATCHD" -t -c a.conf -P "$PLUGIN_DIR" 2>err && cat err &&
	grep -F "(count 3 - 1) * spacing 0.3s + timeout 0.5s = 1.1s does not fit interval 1s" err &&
	write_conf b.conf 1s 500ms "" "\"127.0.0.1\"" &&
	test_must_fail "$HOPWATCHD" -t -c b.conf -P "$PLUGIN_DIR" 2>err && cat err &&
	grep "needs a port" err &&
	write_conf c.conf 1s 500ms "mode = \"fin\";" "\"127.0.0.1:1\"" &&
	test_must_fail "$HOPWATCHD" -t -c c.conf -P "$PLUGIN_DIR" 2>err && cat err &&
	grep "\"connect\", \"syn\"" err &&
	write_conf d.conf 1s 500ms "count = 2; spacing = \"200ms\";" "(\"::1\", 7001), { host = \"127.0.0.1\"; port = 7002; }" &&
	"$HOPWATCHD" -t -c d.conf -P "$PLUGIN_DIR"
'

# 500 targets: ports 7001..7500 of 127.0.0.1; 16 open, 484 closed
targets500=$(seq 7001 7500 | sed 's/.*/"127.0.0.1:&"/' | paste -sd, -)
for mode in connect syn; do
	test_expect_success "$mode: 500 targets in one instance, 3 rounds" '
		write_conf hw.conf 1s 300ms "mode = \"'$mode'\"; count = 2; spacing = \"100ms\";" "$targets500" &&
		hw_run hw.conf 3.2 &&
		grep "^_sc|hopwatch.tcp.can_connect|" out | sed "s/.*,port:\([0-9]*\)[,|].*/\1/" | sort -u >ports &&
		test $(wc -l <ports) = 500 &&
		grep "^_sc|hopwatch.tcp.can_connect|0|" out | sed "s/.*,port:\([0-9]*\)[,|].*/\1/" | sort -u >open &&
		seq 7001 7016 >want && cmp want open &&
		test $(grep -c "^_sc|hopwatch.tcp.can_connect|" out) -ge 1000 &&
		! grep "result:timeout\|result:error" out &&
		! grep -i "warning\|error" log
	'
done

# fds DIR: number of open fds of the process whose /proc dir is DIR
nfds() { ls "/proc/$1/fd" | wc -l; }

test_expect_success 'no fd leak and no TIME_WAIT over 12 rounds' '
	write_conf hw.conf 0.5s 200ms "count = 3; spacing = \"50ms\";" \
		"\"127.0.0.1:7001\", \"127.0.0.1:6999\", \"[::1]:7001\", \"10.9.9.9:80\", \"10.1.0.2:80\", \"10.1.0.3:80\"" &&
	{ ip netns exec "$NS" "$HOPWATCHD" -c hw.conf -P "$PLUGIN_DIR" 2>log & pid=$!; } &&
	sleep 1.1 && before=$(nfds $pid) &&
	readlink /proc/$pid/exe | grep "^$HOPWATCHD" &&
	sleep 6 && after=$(nfds $pid) &&
	kill $pid && wait $pid;
	echo "fds before $before after $after" &&
	ss -N "$NS" -Htan state time-wait >tw; cat tw &&
	test ! -s tw &&
	test "$after" -le $((before + 3))
'

test_expect_success 'syn mode without CAP_NET_RAW: a clear error, exit 1' '
	write_conf syn.conf 1s 300ms "mode = \"syn\";" "\"127.0.0.1:7001\"" &&
	chmod 755 "$TRASH" && chmod 644 syn.conf &&
	rc=0 &&
	in_ns setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		"$HOPWATCHD" -c "$TRASH/syn.conf" -P "$PLUGIN_DIR" 2>err || rc=$? &&
	cat err &&
	test $rc = 1 &&
	grep "mode \"syn\" needs CAP_NET_RAW" err &&
	grep "use mode \"connect\"" err
'

test_expect_success 'connect mode needs no privileges' '
	write_conf nopriv.conf 1s 300ms "count = 2; spacing = \"100ms\";" "\"127.0.0.1:7001\", \"127.0.0.1:6999\"" &&
	chmod 755 "$TRASH" && chmod 644 nopriv.conf &&
	rm -f ready out &&
	{ ip netns exec "$NS" "$TOOLS/dsd-recv" -u 127.0.0.1:$STATSD_PORT -o out -t 6 -r ready & recv=$!; } &&
	wait_for 5 test -e ready &&
	{ rc=0; in_ns timeout -s TERM 1.5 setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		"$HOPWATCHD" -c "$TRASH/nopriv.conf" -P "$PLUGIN_DIR" 2>log || rc=$?; } &&
	sleep 0.2 && kill $recv && wait $recv &&
	test $rc = 124 &&
	test "$(results 127.0.0.1 7001)" = open &&
	test "$(results 127.0.0.1 6999)" = refused
'

test_done
