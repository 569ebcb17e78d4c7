#!/bin/bash
# A short, bounded pass of every libFuzzer target (t/fuzz/*.c) with ASan and
# UBSan: the ICMP/ICMPv6 and TCP parsers, the DogStatsD encoder and
# sanitisers, the config loader and the stored hop-list parser.  `make
# fuzz` runs them longer (FUZZ_SECONDS).
. "$(dirname "$0")/test-lib.sh"

require_cmd clang
cd "$SRCDIR" || exit 1
make -s fuzz-build >"$TRASH/build.log" 2>&1 || skip_all "fuzzers do not build here (libclang-rt-dev missing?)"
seconds=${HW_FUZZ_SECONDS:-8}

for f in build/fuzz/*; do
	name=$(basename "$f")
	test_expect_success "fuzz $name for ${seconds}s: no crash, leak or overflow" '
		mkdir -p corpus-'"$name"' &&
		HW_FUZZ_PLUGIN_DIR="$SRCDIR/t/plugins" timeout $((seconds + 60)) "$SRCDIR/$f" \
			-max_total_time='"$seconds"' -max_len=4096 -artifact_prefix="$TRASH/" \
			corpus-'"$name"' >log 2>&1 || { tail -40 log; false; }
	'
done
test_done
