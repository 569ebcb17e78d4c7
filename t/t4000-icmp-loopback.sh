#!/bin/bash
# t4000: the icmp plugin inside namespaces of its own: raw mode as root and
# ping (dgram) mode as nobody, IPv4 and IPv6; the lines of a round; an
# unreachable address (send error) and a silent one (timeout); how `auto`
# picks its sockets and the errors when neither kind may be opened; option
# checks; 500 targets on one socket per family; and forged replies
# (sequence, serial, source, checksum, truncated, duplicated, late) that
# must be counted and never taken for replies, and ones without our
# identity (another identifier or cookie) that must be ignored.
. "$(dirname "$0")/test-lib.sh"
require_root
require_cmd ip setpriv timeout awk
for tool in dsd-recv icmpforge; do
	[ -x "$TOOLS/$tool" ] || skip_all "t/tools/$tool is not built (run make)"
done
[ -e "$PLUGIN_DIR/icmp.so" ] || skip_all "plugins/icmp.so is not built (run make)"

NS=hw$HW_ID-icmp
ip netns add "$NS" || { echo "Bail out! cannot create namespace $NS"; exit 1; }
test_atexit "ip netns del $NS"
test_atexit "ip netns pids $NS | xargs -r kill"
ip -n "$NS" link set lo up
# unreachable: sendto() fails at once (EHOSTUNREACH / ENETUNREACH)
ip -n "$NS" route add unreachable 10.255.0.0/16
ip -n "$NS" -6 route add unreachable fd00:dead::/32
# silent: a veth whose far end has no address, with fixed neighbours, so
# requests to 10.1.0.2 and fd00:1::2 leave and are never answered
ip -n "$NS" link add v0 type veth peer name v1
ip -n "$NS" addr add 10.1.0.1/24 dev v0
ip -n "$NS" -6 addr add fd00:1::1/64 dev v0 nodad
ip -n "$NS" link set v0 up
ip -n "$NS" link set v1 up
ip -n "$NS" neigh add 10.1.0.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent
ip -n "$NS" -6 neigh add fd00:1::2 lladdr 02:00:00:00:00:02 dev v0 nud permanent
STATSD_PORT=8125
chmod 755 "$TRASH"  # nobody reads the configs

in_ns() { ip netns exec "$NS" "$@"; }
# prefix running a command as nobody without capabilities (unquoted use)
ping_range() { in_ns sysctl -q -w net.ipv4.ping_group_range="$1"; }

. "$SRCDIR/t/lib/icmp.sh"

# hw_run CONF SECONDS [nobody]: run_hopwatchd (test-lib.sh) in "${RUN_NS:-$NS}"
hw_run() { run_hopwatchd "${RUN_NS:-$NS}" "$@"; }

# sum NAME TARGET: the sum of values (0 when none)
sum() { values "$1" "$2" | awk '{ s += $1 } END { print s + 0 }'; }

# isum NAME: sum of the instance-level (no target) lines of metric NAME
isum() {
	grep -E "^hopwatch\.$(re "$1"):[0-9]+\|c\|#probe:p$" out | sed 's/^[^:]*://; s/|.*//' |
		awk '{ s += $1 } END { print s + 0 }'
}

# checks TARGET: the statuses of icmp.can_reach for TARGET, sorted, unique
checks() { lines icmp.can_reach "$1" | cut -d'|' -f3 | sort -u | paste -sd, -; }

# answered TARGET COUNT ROUNDS: at least ROUNDS rounds, each with COUNT
# RTTs from 0 to 50 ms (loopback), loss 0, all received, check OK
answered() {
	local t=$1 c=$2 r=$3
	lines icmp.rtt "$t" >rl &&
	test "$(wc -l <rl)" -ge "$r" &&
	awk -F'|' -v c="$c" '{ n = split($1, v, ":"); if (n - 1 != c) exit 1;
		for (i = 2; i <= n; i++) if (v[i] < 0 || v[i] > 50) exit 1 }' rl &&
	test "$(values icmp.loss "$t" | sort -u)" = 0 &&
	test "$(values icmp.sent "$t" | sort -u)" = "$c" &&
	test "$(values icmp.received "$t" | sort -u)" = "$c" &&
	test "$(checks "$t")" = 0 &&
	if [ "$c" = 1 ]; then
		# one reply: min = avg = max = the RTT, no spread: not sent
		! lines icmp.rtt.min "$t" && ! lines icmp.jitter "$t"
		return
	fi &&
	for g in min avg max stddev; do
		test "$(lines icmp.rtt.$g "$t" | grep -c "|g|")" -ge "$r" || return 1
	done &&
	test "$(lines icmp.jitter "$t" | grep -c "|g|")" -ge "$r"
}

# lost TARGET COUNT MESSAGE: every round lost: loss 100, no RTT lines,
# CRITICAL with MESSAGE (a regular expression)
lost() {
	local t=$1 c=$2
	test "$(values icmp.loss "$t" | sort -u)" = 100 &&
	test "$(values icmp.sent "$t" | sort -u)" = "$c" &&
	test "$(values icmp.received "$t" | sort -u)" = 0 &&
	test "$(checks "$t")" = 2 &&
	! lines icmp.rtt "$t" && ! lines icmp.rtt.avg "$t" && ! lines icmp.jitter "$t" &&
	lines icmp.can_reach "$t" | grep -E "\|m:$3$"
}

TARGETS='"127.0.0.1", "::1", "10.255.0.1", "fd00:dead::1", "10.1.0.2", "fd00:1::2"'

for mode in raw dgram; do
	user=; [ $mode = dgram ] && user=nobody
	test_expect_success "$mode mode${user:+ as $user}: alive, unreachable and silent; IPv4 and IPv6" '
		if [ $mode = raw ]; then kind="raw"; else kind="unprivileged ping (dgram)"; fi &&
		ping_range "0 2147483647" &&
		write_conf hw.conf 1s 300ms "mode = \"$mode\"; count = 3; spacing = \"50ms\";" "$TARGETS" &&
		hw_run hw.conf 3.5 $user &&
		grep "IPv4: $kind socket" log &&
		grep "IPv6: $kind socket" log &&
		answered 127.0.0.1 3 3 &&
		answered ::1 3 3 &&
		lost 10.255.0.1 3 "3 of 3 echo requests to 10\.255\.0\.1 lost; sending failed: No route to host" &&
		test "$(values icmp.send_errors 10.255.0.1 | sort -u)" = 3 &&
		lost fd00:dead::1 3 "3 of 3 echo requests to fd00:dead::1 lost; sending failed: .*" &&
		lost 10.1.0.2 3 "3 of 3 echo requests to 10\.1\.0\.2 lost" &&
		lost fd00:1::2 3 "3 of 3 echo requests to fd00:1::2 lost" &&
		! lines icmp.send_errors 10.1.0.2 &&
		! grep -E "icmp\.(unmatched|late|duplicates)" out &&
		! grep -i "warning\|error" log
	'
done

# round_lines TARGET: the metric names and check of each round of TARGET,
# one round a line ("icmp.rtt icmp.loss icmp.can_reach"), in order
round_lines() {
	grep -E "[#,]target:$(re "$1")(,|\||$)" out | sed -E "s/^(_sc\|)?hopwatch\.([a-z_.]+)[:|].*/\2/" |
		awk "{ l = l (l ? \" \" : \"\") \$0 } /can_reach/ { print l; l = \"\" }"
}
test_expect_success 'default metrics: a round sends only what it adds (count 1: 3 lines; count 3: 8)' '
	ICMP_METRICS= write_conf hw.conf 1s 300ms "count = 1;" "\"127.0.0.1\", \"10.1.0.2\"" &&
	hw_run hw.conf 2.5 &&
	round_lines 127.0.0.1 | sort -u >got &&
	echo "icmp.rtt icmp.loss icmp.can_reach" >want && diff -u want got &&
	round_lines 10.1.0.2 | sort -u >got &&
	echo "icmp.loss icmp.results icmp.can_reach" >want && diff -u want got &&
	lines icmp.results 10.1.0.2 | grep "result:timeout" &&
	ICMP_METRICS= write_conf hw.conf 1s 300ms "count = 3; spacing = \"20ms\";" "\"127.0.0.1\"" &&
	hw_run hw.conf 2.5 &&
	round_lines 127.0.0.1 | sort -u >got &&
	echo "icmp.rtt icmp.rtt.min icmp.rtt.avg icmp.rtt.max icmp.rtt.stddev icmp.jitter icmp.loss icmp.can_reach" >want &&
	diff -u want got
'
test_expect_success 'metrics, metrics_exclude: exactly the chosen lines' '
	ICMP_METRICS="metrics = [ \"rtt\", \"icmp.sent\" ];" write_conf hw.conf 1s 300ms "count = 3; spacing = \"20ms\";" "\"127.0.0.1\"" &&
	hw_run hw.conf 2.5 &&
	round_lines 127.0.0.1 | sort -u >got &&
	echo "icmp.rtt icmp.sent icmp.can_reach" >want && diff -u want got &&
	ICMP_METRICS="metrics_exclude = [ \"rtt.*\", \"jitter\" ];" write_conf hw.conf 1s 300ms "count = 3; spacing = \"20ms\";" "\"127.0.0.1\"" &&
	hw_run hw.conf 2.5 &&
	round_lines 127.0.0.1 | sort -u >got &&
	echo "icmp.rtt icmp.loss icmp.can_reach" >want && diff -u want got
'

test_expect_success 'one round, line by line' '
	write_conf hw.conf 2s 300ms "count = 4; spacing = \"20ms\";" "\"127.0.0.1\", \"10.1.0.2\"" &&
	hw_run hw.conf 1.8 &&
	T="#probe:p,target:127.0.0.1" &&
	lines icmp.rtt 127.0.0.1 >l && test $(wc -l <l) = 1 &&
	grep -xE "hopwatch\.icmp\.rtt(:[0-9.]+){4}\|d\|$T" l &&
	for g in rtt.min rtt.avg rtt.max rtt.stddev jitter; do
		lines icmp.$g 127.0.0.1 | grep -xE "hopwatch\.icmp\.$g:[0-9.]+\|g\|$T" || exit 1
	done &&
	lines icmp.loss 127.0.0.1 | grep -x "hopwatch.icmp.loss:0|g|$T" &&
	lines icmp.sent 127.0.0.1 | grep -x "hopwatch.icmp.sent:4|c|$T" &&
	lines icmp.received 127.0.0.1 | grep -x "hopwatch.icmp.received:4|c|$T" &&
	lines icmp.can_reach 127.0.0.1 |
		grep -E "^_sc\|hopwatch\.icmp\.can_reach\|0\|d:[0-9]+\|$T\|m:0 of 4 echo requests to 127\.0\.0\.1 lost; rtt min/avg/max [0-9.]+/[0-9.]+/[0-9.]+ ms$" &&
	lines icmp.loss 10.1.0.2 | grep -x "hopwatch.icmp.loss:100|g|#probe:p,target:10.1.0.2" &&
	lines icmp.received 10.1.0.2 | grep "^hopwatch.icmp.received:0|c|" &&
	lines icmp.can_reach 10.1.0.2 | grep "^_sc|hopwatch.icmp.can_reach|2|.*|m:4 of 4 echo requests to 10.1.0.2 lost$" &&
	awk -F"[:|]" "
		/^hopwatch.icmp.rtt:/ { for (i = 2; i <= 5; i++) { s += \$i; v[i] = \$i }
			avg = s / 4; min = v[2]; max = v[2]
			for (i = 3; i <= 5; i++) { if (v[i] < min) min = v[i]; if (v[i] > max) max = v[i] }
			j = 0; for (i = 3; i <= 5; i++) j += (v[i] > v[i-1] ? v[i] - v[i-1] : v[i-1] - v[i]); j /= 3 }
		/^hopwatch.icmp.rtt.avg:/ { a = \$2 } /^hopwatch.icmp.rtt.min:/ { mi = \$2 }
		/^hopwatch.icmp.rtt.max:/ { ma = \$2 } /^hopwatch.icmp.jitter:/ { ji = \$2 }
		function near(x, y) { return x - y < 0.00001 && y - x < 0.00001 }
		END { exit !(near(a, avg) && near(mi, min) && near(ma, max) && near(ji, j)) }" out
'

test_expect_success 'rtt_type h and ms; size, ttl, tos, source and interface' '
	write_conf hw.conf 1s 300ms "count = 2; spacing = \"20ms\"; rtt_type = \"h\"; size = 1000; ttl = 1; tos = 16;
		source = \"127.0.0.1\"; interface = \"lo\";" "\"127.0.0.1\"" &&
	hw_run hw.conf 1.5 &&
	lines icmp.rtt 127.0.0.1 | grep -E "^hopwatch\.icmp\.rtt:[0-9.]+:[0-9.]+\|h\|" &&
	test "$(values icmp.received 127.0.0.1 | sort -u)" = 2 &&
	write_conf hw.conf 1s 300ms "count = 2; spacing = \"20ms\"; rtt_type = \"ms\"; size = 24; source = \"::1\";" \
		"\"::1\"" &&
	hw_run hw.conf 1.5 &&
	lines icmp.rtt ::1 | grep -E "^hopwatch\.icmp\.rtt:[0-9.]+:[0-9.]+\|ms\|" &&
	test "$(values icmp.received ::1 | sort -u)" = 2
'

test_expect_success 'auto: raw when ping_group_range excludes us, ping sockets when it allows' '
	ping_range "1 0" &&
	write_conf hw.conf 1s 300ms "count = 1;" "\"127.0.0.1\", \"::1\"" &&
	hw_run hw.conf 1.2 &&
	grep "IPv4: raw socket" log && grep "IPv6: raw socket" log &&
	answered 127.0.0.1 1 1 &&
	ping_range "0 2147483647" &&
	hw_run hw.conf 1.2 nobody &&
	grep "IPv4: unprivileged ping (dgram) socket" log &&
	answered ::1 1 1
'

test_expect_success 'neither socket allowed: errors say what to change, exit 1' '
	ping_range "1 0" &&
	write_conf a.conf 1s 300ms "count = 1;" "\"127.0.0.1\"" &&
	rc=0 && in_ns $AS_NOBODY "$HOPWATCHD" -c a.conf -P "$PLUGIN_DIR" 2>err || rc=$? &&
	cat err && test $rc = 1 &&
	grep "cannot open an ICMP datagram (ping) socket: Permission denied" err &&
	grep "net.ipv4.ping_group_range=\"0 2147483647\"" err &&
	grep "now \"1 0\"" err &&
	grep "cannot open a raw ICMP socket: Operation not permitted; .*CAP_NET_RAW" err &&
	grep "setcap cap_net_raw+ep" err &&
	write_conf b.conf 1s 300ms "count = 1; mode = \"dgram\";" "\"::1\"" &&
	rc=0 && in_ns $AS_NOBODY "$HOPWATCHD" -c b.conf -P "$PLUGIN_DIR" 2>err || rc=$? &&
	cat err && test $rc = 1 &&
	grep "IPv6: cannot open an ICMP datagram (ping) socket.*or set mode = \"raw\"" err &&
	! grep "raw ICMP socket" err &&
	ping_range "0 2147483647" &&
	write_conf c.conf 1s 300ms "count = 1; mode = \"raw\";" "\"127.0.0.1\"" &&
	rc=0 && in_ns $AS_NOBODY "$HOPWATCHD" -c c.conf -P "$PLUGIN_DIR" 2>err || rc=$? &&
	cat err && test $rc = 1 &&
	grep "cannot open a raw ICMP socket.*or set mode = \"dgram\"" err
'

test_expect_success 'options are checked' '
	write_conf a.conf 5s 1s "" "\"127.0.0.1\"" &&
	test_must_fail "$HOPWATCHD" -t -c a.conf -P "$PLUGIN_DIR" 2>err && cat err &&
	grep -F "(count 5 - 1) * spacing 1s + timeout 1s = 5s does not fit interval 5s" err &&
	write_conf b.conf 6s 1s "" "\"127.0.0.1\"" &&
	"$HOPWATCHD" -t -c b.conf -P "$PLUGIN_DIR" &&
	write_conf c.conf 1s 100ms "count = 1; size = 23;" "\"127.0.0.1\"" &&
	test_must_fail "$HOPWATCHD" -t -c c.conf -P "$PLUGIN_DIR" 2>err && cat err &&
	grep "size: must be from 24 to 9000, not 23" err && ! grep "spacing" err &&
	write_conf d.conf 1s 100ms "count = 1; mode = \"icmp\";" "\"127.0.0.1\"" &&
	test_must_fail "$HOPWATCHD" -t -c d.conf -P "$PLUGIN_DIR" 2>err && cat err &&
	grep "\"auto\", \"dgram\", \"raw\"" err &&
	write_conf e.conf 1s 100ms "count = 1; source = \"lo\";" "\"127.0.0.1\"" &&
	test_must_fail "$HOPWATCHD" -t -c e.conf -P "$PLUGIN_DIR" 2>err && cat err &&
	grep "source must be a literal IPv4 or IPv6 address" err &&
	write_conf f.conf 1s 100ms "count = 1; rtt_type = \"g\";" "\"127.0.0.1\"" &&
	test_must_fail "$HOPWATCHD" -t -c f.conf -P "$PLUGIN_DIR" 2>err && cat err &&
	grep "\"d\", \"h\", \"ms\"" err &&
	write_conf g.conf 1s 100ms "count = 1; " "\"127.0.0.1:80\"" &&
	test_must_fail "$HOPWATCHD" -t -c g.conf -P "$PLUGIN_DIR" 2>err && cat err &&
	grep -i "port" err
'

test_expect_success 'max_pps delays requests instead of dropping them; RTTs stay right' '
	targets=$(for i in $(seq 1 10); do echo "\"127.0.3.$i\""; done | paste -sd, -) &&
	write_conf hw.conf 1s 300ms "count = 5; spacing = 0; max_pps = 100;" "$targets" &&
	hw_run hw.conf 2.5 &&
	test "$(isum icmp.throttled)" -gt 0 &&
	test "$(grep -c "^_sc|hopwatch.icmp.can_reach|0|" out)" -ge 10 &&
	! grep "^_sc|hopwatch.icmp.can_reach|[123]|" out &&
	test "$(grep "^hopwatch.icmp.loss:" out | cut -d"|" -f1 | sort -u)" = "hopwatch.icmp.loss:0" &&
	grep "^hopwatch.icmp.rtt:" out | sed "s/^[^:]*://; s/|.*//" | tr ":" "\n" >rtts &&
	test "$(wc -l <rtts)" -ge 50 &&
	awk "\$1 > 5 { exit 1 }" rtts
'

# 500 targets: 127.0.1.1 .. 127.0.2.244, all answered by the kernel
targets500=$(for i in $(seq 0 499); do echo "\"127.0.$((1 + (i + 1) / 256)).$(((i + 1) % 256))\""; done | paste -sd, -)
for mode in raw dgram; do
	user=; [ $mode = dgram ] && user=nobody
	test_expect_success "$mode: 500 targets, 3 rounds, one socket per family, no loss" '
		ping_range "0 2147483647" &&
		write_conf hw.conf 1s 300ms "mode = \"$mode\"; count = 2; spacing = \"100ms\";" "$targets500" &&
		hw_run hw.conf 3.6 $user &&
		grep "^_sc|hopwatch.icmp.can_reach|" out | sed "s/.*,target:\([0-9.]*\)[,|].*/\1/" | sort -u >seen &&
		test $(wc -l <seen) = 500 &&
		test $(grep -c "^_sc|hopwatch.icmp.can_reach|0|" out) -ge 1000 &&
		! grep "^_sc|hopwatch.icmp.can_reach|[123]|" out &&
		test "$(grep "^hopwatch.icmp.loss:" out | cut -d"|" -f1 | sort -u)" = "hopwatch.icmp.loss:0" &&
		test $(grep -c "IPv4: .* socket" log) = 1 &&
		! grep -i "warning\|error" log
	'
done

# nsock PID: sockets among the fds of process PID
nsock() { ls -l "/proc/$1/fd" | grep -c "socket:"; }

test_expect_success 'sockets: 200 targets on 2 ICMP sockets, no fd leak over rounds' '
	ping_range "0 2147483647" &&
	write_conf hw.conf 0.5s 100ms "count = 2; spacing = \"20ms\";" \
		"$(echo "$targets500" | cut -d, -f1-199), \"::1\"" &&
	{ ip netns exec "$NS" $AS_NOBODY "$HOPWATCHD" -c hw.conf -P "$PLUGIN_DIR" 2>log & pid=$!; } &&
	sleep 1 && readlink /proc/$pid/exe | grep -x "$HOPWATCHD" &&
	before=$(ls /proc/$pid/fd | wc -l) && socks=$(nsock $pid) &&
	sleep 2 && after=$(ls /proc/$pid/fd | wc -l) &&
	kill $pid && wait $pid &&
	echo "fds before $before after $after, sockets $socks" &&
	test "$before" = "$after" &&
	test "$socks" -le 3
'

# Forged replies: a second namespace where the kernel answers no ping, and
# icmpforge answers each of the first N requests with a set of forgeries
# plus one good reply and one duplicate (see t/tools/icmpforge.c).
FNS=hw$HW_ID-forge
ip netns add "$FNS" || { echo "Bail out! cannot create namespace $FNS"; exit 1; }
test_atexit "ip netns del $FNS"
test_atexit "ip netns pids $FNS | xargs -r kill"
ip -n "$FNS" link set lo up
ip netns exec "$FNS" sysctl -q -w net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1 \
	net.ipv4.ping_group_range="0 2147483647"
ip -n "$FNS" -6 addr add fd00:ff::3/128 dev lo nodad

# forge_run MODE USER N [FORGE OPTIONS]: hopwatchd against 127.0.0.1 and
# ::1 with icmpforge answering the first N requests of each family; the
# forger's summary in `forged`
forge_run() {
	local mode=$1 user=$2 n=$3
	shift 3
	write_conf hw.conf 0.5s 200ms "mode = \"$mode\"; count = 2; spacing = \"50ms\";" '"127.0.0.1", "::1"' &&
	rm -f fready &&
	{ ip netns exec "$FNS" "$TOOLS/icmpforge" -n "$n" -t 8 -r fready -s 127.0.0.2 -S fd00:ff::3 "$@" >forged &
	  forge=$!; } &&
	wait_for 5 test -e fready &&
	RUN_NS=$FNS hw_run hw.conf 3.5 $user &&
	wait $forge && cat forged
}

for mode in dgram raw; do
	user=; [ $mode = dgram ] && user=nobody
	test_expect_success "$mode: forged and duplicate replies are counted, never taken for replies; another cookie is not ours" '
		forge_run $mode "$user" 6 &&
		grep -x "v4 requests 6 cookie 6 seq 6 future 6 short 6 id 6 csum 6 tiny 6 spoof 6 good 6 dup 6" forged &&
		grep -x "v6 requests 6 cookie 6 seq 6 future 6 short 6 id 6 csum 0 tiny 0 spoof 6 good 6 dup 6" forged &&
		echo "unmatched $(isum icmp.unmatched) late $(isum icmp.late)" &&
		test "$(sum icmp.received 127.0.0.1)" = 6 &&
		test "$(sum icmp.received ::1)" = 6 &&
		test "$(sum icmp.duplicates 127.0.0.1)" = 6 &&
		test "$(sum icmp.duplicates ::1)" = 6 &&
		test "$(values icmp.rtt 127.0.0.1 | wc -l)" = 6 &&
		sent=$(sum icmp.sent 127.0.0.1) && test "$sent" -ge 10 &&
		loss=$(values icmp.loss 127.0.0.1 | awk "{ s += \$1 } END { print s / 100 * 2 }") &&
		test "$loss" = $((sent - 6)) &&
		if [ $mode = dgram ]; then
			# seq, future, short, spoof: 4 a request; the kernel drops
			# id, csum and tiny before a ping socket sees them; the one
			# with another cookie carries no identity of ours: ignored
			test "$(isum icmp.unmatched)" = $((4 * 6 * 2))
		else
			# raw sees csum as well (IPv4 only); the id ones it ignores
			# (pings of other programs); the kernel ICMP_FILTER drops
			# the 4-byte one (it needs a whole 8-byte header)
			test "$(isum icmp.unmatched)" = $((4 * 6 * 2 + 6))
		fi &&
		! lines icmp.late 127.0.0.1 && test "$(isum icmp.late)" = 0
	'
done

test_expect_success 'late replies are counted late, not received' '
	forge_run dgram nobody 4 -g -L 300 &&
	grep -x "v4 requests 4 cookie 0 seq 0 future 0 short 0 id 0 csum 0 tiny 0 spoof 0 good 4 dup 4" forged &&
	test "$(sum icmp.received 127.0.0.1)" = 0 &&
	test "$(sum icmp.received ::1)" = 0 &&
	test "$(sum icmp.late 127.0.0.1)" = 8 &&
	test "$(sum icmp.late ::1)" = 8 &&
	! lines icmp.rtt 127.0.0.1 &&
	test "$(isum icmp.unmatched)" = 0
'

test_done
