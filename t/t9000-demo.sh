#!/bin/bash
# t9000-demo: `make demo` (t/demo.sh) tells a newcomer the whole story: the
# missing agent said once, the path change marked with a banner among the
# echoed lines, and at the end the hopwatch CLI (paths, show, history) on
# the change it caused.  Root: it builds namespaces.
. "$(dirname "$0")/test-lib.sh"
require_root
require_cmd ip redis-server
[ -x "$HOPWATCHD" ] || skip_all "src/hopwatchd is not built (run make)"

test_expect_success 'the demo runs, shows the change with a banner and through the CLI' '
	DEMO_SECONDS=36 timeout 120 "$SRCDIR/t/demo.sh" >out 2>&1 &&
	sed -n "/what Redis kept/,\$p" out &&
	test "$(grep -c "nothing listens on udp://127.0.0.1:8125: is the agent running?" out)" = 1 &&
	grep -E "######## PATH CHANGE: Path to 10\.[0-9.]+ changed ########" out &&
	grep -A1 "######## PATH CHANGE" out | grep -E "^_e\{[0-9]+,[0-9]+\}:Path to " &&
	grep -Fx "\$ hopwatch paths" out &&
	grep -E "^demo-path +10\.[0-9.]+ +[0-9]+ +yes " out &&
	grep -E "^  TTL  ADDRESS +LOSS% +BEST ms +AVG ms +WORST ms +STDEV ms +JITTER ms$" out &&
	grep -E "^[0-9-]+ [0-9:]+  demo demo-path/10\.[0-9.]+: path changed at TTL [0-9]+" out &&
	grep -E "^>  +[0-9]+  10\.[0-9.]+ +-> 10\.[0-9.]+$" out &&
	grep -F "summary: the path to" out
'
test_done
