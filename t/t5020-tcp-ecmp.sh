#!/bin/bash
# t5020: tcp mode "syn" from a host with two uplinks (two source addresses)
# behind a multipath route hashed on L4 ports (field case
# ecmp-raw-checksum): every SYN must carry a TCP checksum made for the
# source address the kernel puts in its IP header, so every probe of 20
# targets per family is answered (refused: nothing listens) and dst counts
# no checksum error.  Both uplinks must have carried probes, or the test
# proves nothing.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/multipath.sh"
require_root
require_cmd ip nstat timeout awk seq
[ -x "$TOOLS/dsd-recv" ] || skip_all "t/tools/dsd-recv is not built (run make)"
[ -e "$PLUGIN_DIR/tcp.so" ] || skip_all "plugins/tcp.so is not built (run make)"
. "$SRCDIR/t/lib/tcp.sh"

N=20
mp_build $N || { echo "Bail out! mp_build failed"; exit 1; }
STATSD_PORT=8125

targets=
for i in $(seq 1 $N); do
	targets="$targets${targets:+, }\"10.91.9.$i:9\", \"[fd91:9::$i]:9\""
done
cat >"$TRASH/hw.conf" <<EOF2
interval = "1s";
timeout = "400ms";
statsd = { url = "udp://127.0.0.1:$STATSD_PORT"; telemetry_interval = 0; };
probes = ( { name = "syn"; plugin = "tcp"; mode = "syn"; count = 3; spacing = "50ms"; metrics_add = [ "sent" ];
  targets = ( $targets ); } );
EOF2

# sum_results KIND: the count of result:KIND over every target
sum_results() {
	grep -E "^hopwatch\.tcp\.results:" out | grep "result:$1" |
		sed 's/^[^:]*:\([0-9]*\)|.*/\1/' | awk '{ s += $1 } END { print s + 0 }'
}

test_expect_success "syn over a multipath route: all $((2 * N)) targets answer every probe, no bad checksum" '
	before=$(mp_csum_errors) &&
	run_hopwatchd "$(mp_ns src)" hw.conf 2.6 &&
	sent=$(grep -E "^hopwatch\.tcp\.sent:" out | sed "s/^[^:]*:\([0-9]*\)|.*/\1/" | awk "{ s += \$1 } END { print s + 0 }") &&
	refused=$(sum_results refused) &&
	after=$(mp_csum_errors) &&
	say "sent $sent, refused $refused, checksum errors at dst: $before -> $after" &&
	grep -E "^hopwatch\.tcp\.results:" out | grep -v result:refused | head -5 &&
	test "$sent" -ge $((2 * N * 3)) &&
	test "$refused" = "$sent" &&
	test "$(sum_results timeout)" = 0 &&
	test "$after" = "$before"
'

test_expect_success "every target of both families reported refused only" '
	for i in $(seq 1 $N); do
		test "$(results 10.91.9.$i 9)" = refused &&
		test "$(results fd91:9::$i 9)" = refused || return 1
	done
'

test_expect_success "both uplinks carried probes (the route is really multipath)" '
	mp_both_uplinks
'

test_done
