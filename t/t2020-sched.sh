#!/bin/bash
# t2020-sched: the scheduler, checked by order of arrival, never by clock.
# 50 targets spread over a 2 s interval start in index order and none is
# missed; a round that lasts longer than the interval is not stacked: the
# slots it covers are counted as hopwatch.probe.overruns instead.
. "$(dirname "$0")/test-lib.sh"

DSD=$TOOLS/dsd-recv
[ -x "$HOPWATCHD" ] || skip_all "src/hopwatchd is not built (run make)"
[ -x "$DSD" ] || skip_all "t/tools/dsd-recv is not built (run make)"
[ -f "$TEST_PLUGIN_DIR/testprobe.so" ] || skip_all "t/plugins are not built (run make)"
require_cmd ss awk

unset DD_DOGSTATSD_URL DD_AGENT_HOST DD_DOGSTATSD_PORT DD_ENTITY_ID

recv() {
	local name=$1
	shift
	spawn "$name" "$DSD" "$@" -t 50 -o "$TRASH/$name.out" -r "$TRASH/$name.ready" &&
	wait_for 5 test -e "$TRASH/$name.ready"
}
# tag_of TAG: from lines on stdin, the value of TAG (e.g. round)
tag_of() {
	sed -n "s/.*[#,]$1:\([^,|]*\).*/\1/p"
}
# index_lines FILE: "index round target" for each test.index line, in arrival order
index_lines() {
	grep "^hopwatch\.test\.index:" "$1" |
		sed -n 's/^hopwatch\.test\.index:\([0-9]*\)|g|#\(.*\)$/\1 ,\2,/p' |
		sed -n 's/^\([0-9]*\) .*,target:\([^,]*\),.*,round:\([0-9]*\),.*/\1 \3 \2/p'
}
# targets_reached FILE ROUND N: N distinct targets reported round ROUND
targets_reached() {
	test "$(index_lines "$1" | awk -v r="$2" '$2 == r { print $3 }' | sort -u | wc -l)" -ge "$3"
}

# ---------------------------------------------------------------- spread, order
PORT=$(free_udp_port) || skip_all "no free UDP port"
{
	echo 'interval = 2;'
	echo 'timeout = 0.5;'
	echo "statsd = { url = \"udp://127.0.0.1:$PORT\"; telemetry_interval = 0; };"
	echo 'probes = ( { name = "fifty"; plugin = "testprobe"; targets = ['
	for i in $(seq 1 49); do printf '  "127.0.4.%d",\n' "$i"; done
	echo '"127.0.4.50" ]; } );'
} >"$TRASH/fifty.conf"
# 127.0.4.1 .. 127.0.4.50 have index 0..49
N=50

test_expect_success '50 targets, interval 2 s: every target reaches round 2' '
	recv r1 -u "127.0.0.1:$PORT" &&
	spawn d1 "$HOPWATCHD" -c "$TRASH/fifty.conf" -P "$TEST_PLUGIN_DIR" &&
	wait_for 20 targets_reached r1.out 2 $N &&
	alive d1 &&
	stop d1 &&
	stop r1 &&
	! grep INVALID r1.out &&
	index_lines r1.out >seq &&
	test "$(wc -l <seq)" -ge $((2 * N))
'
test_expect_success 'no target missed and no round twice: rounds 1 and 2 of each target once' '
	for r in 1 2; do
		awk -v r=$r "\$2 == r { print \$3 }" seq | sort >got.$r &&
		for i in $(seq 1 50); do echo "127.0.4.$i"; done | sort >want &&
		diff want got.$r || exit 1
	done
'
test_expect_success 'each target index matches its place in the config' '
	awk "\$3 == \"127.0.4.1\" && \$1 != 0 { bad = 1 }
	     \$3 == \"127.0.4.50\" && \$1 != 49 { bad = 1 }
	     END { exit bad }" seq
'
test_expect_success 'round 1 starts arrive in index order 0..49 (spread, not shuffled)' '
	awk "\$2 == 1 { print \$1 }" seq >order1 &&
	seq 0 $((N - 1)) >want &&
	diff want order1
'
test_expect_success 'round 2 follows round 1 in the same order; rounds never interleave out of turn' '
	awk "\$2 == 2 { print \$1 }" seq >order2 &&
	diff want order2 &&
	head -n $((2 * N)) seq | awk -v n=$N "{ if (\$1 != (NR - 1) % n || \$2 != int((NR - 1) / n) + 1) { print \"line \" NR \": \" \$0; bad = 1 } } END { exit bad }"
'
test_expect_success 'no overruns when rounds are short' '
	! grep "^hopwatch\.probe\.overruns:" r1.out
'

# ---------------------------------------------------------------- overruns
PORT=$(free_udp_port) || skip_all "no free UDP port"
cat >"$TRASH/hold.conf" <<EOF
interval = 1;
timeout = 0.5;
statsd = { url = "udp://127.0.0.1:$PORT"; telemetry_interval = 0; };
probes = ( { name = "slow"; plugin = "testprobe"; hold = "3s";
	targets = [ "127.0.6.1", "127.0.6.2", "127.0.6.3" ]; } );
EOF
# events FILE: "target round" for round starts and "target overrun" for
# overruns, in arrival order
events() {
	awk '
	/^hopwatch\.test\.index:/ || /^hopwatch\.probe\.overruns:/ {
		t = $0; sub(/.*[#,]target:/, "", t); sub(/[,|].*/, "", t)
		if ($0 ~ /^hopwatch\.probe\.overruns:/) { print t, "overrun"; next }
		r = $0; sub(/.*[#,]round:/, "", r); sub(/[,|].*/, "", r)
		print t, r
	}' "$1"
}
test_expect_success 'hold 3 s with interval 1 s: overruns are counted, rounds reach 2' '
	recv r2 -u "127.0.0.1:$PORT" &&
	spawn d2 "$HOPWATCHD" -c "$TRASH/hold.conf" -P "$TEST_PLUGIN_DIR" &&
	wait_for 20 targets_reached r2.out 2 3 &&
	alive d2 &&
	stop d2 &&
	stop r2 &&
	! grep INVALID r2.out &&
	grep "^hopwatch\.probe\.overruns:1|c|#" r2.out &&
	events r2.out >ev &&
	cat ev
'
test_expect_success 'overruns carry the probe and target tags' '
	for t in 127.0.6.1 127.0.6.2 127.0.6.3; do
		grep -E "^hopwatch\.probe\.overruns:1\|c\|#probe:slow,target:$t$" r2.out ||
		{ echo "no overrun for $t"; exit 1; }
	done
'
test_expect_success 'no stacking: between two rounds of a target, at least two overruns' '
	awk "
	{ t = \$1 }
	\$2 == \"overrun\" { over[t]++; next }
	{
		if ((t in last) && \$2 != last[t] + 1) { print t \": round \" \$2 \" after \" last[t]; bad = 1 }
		if (!(t in last) && \$2 != 1) { print t \": first round \" \$2; bad = 1 }
		if ((t in last) && over[t] < 2) { print t \": round \" \$2 \" after only \" over[t] \" overruns\"; bad = 1 }
		last[t] = \$2; over[t] = 0
	}
	END { exit bad }" ev
'
test_expect_success 'no overrun is counted before the first round of a target' '
	awk "\$2 == \"overrun\" && !(\$1 in started) { print; bad = 1 } \$2 != \"overrun\" { started[\$1] = 1 } END { exit bad }" ev
'

# ---------------------------------------------------------------- two instances
PORT=$(free_udp_port) || skip_all "no free UDP port"
cat >"$TRASH/two.conf" <<EOF
timeout = 0.1;
statsd = { url = "udp://127.0.0.1:$PORT"; telemetry_interval = 0; };
probes = (
	{ name = "fast"; plugin = "testprobe"; interval = 0.25; targets = [ "127.0.7.1" ]; },
	{ name = "slow"; plugin = "testprobe"; interval = 2; targets = [ "127.0.7.1" ]; }
);
EOF
# rounds_of FILE PROBE: the highest round of PROBE so far
rounds_of() {
	grep "^hopwatch\.test\.index:" "$1" | grep "probe:$2," | tag_of round | sort -n | tail -n 1
}
slow_at_2() {
	test "$(rounds_of "$TRASH/r3.out" slow)" = 2
}
test_expect_success 'two instances keep their own intervals' '
	recv r3 -u "127.0.0.1:$PORT" &&
	spawn d3 "$HOPWATCHD" -c "$TRASH/two.conf" -P "$TEST_PLUGIN_DIR" &&
	wait_for 20 slow_at_2 &&
	fast=$(rounds_of r3.out fast) &&
	stop d3 && stop r3 &&
	echo "fast instance at round $fast when the slow one reached round 2" &&
	test "$fast" -ge 3
'

test_done
