#!/bin/bash
# t1010-plugins: the plugin loader.  Broken plugins (wrong ABI, wrong
# descriptor size, no descriptor) are refused with the file and the reason,
# before anything in them runs: their callbacks abort(), so a daemon that
# called one would die of SIGABRT (134) instead of exiting 1.  Plugin names
# cannot walk out of plugin_dir.  Plugins export one symbol; the daemon
# exports the hw_* API they link against.
. "$(dirname "$0")/test-lib.sh"

[ -x "$HOPWATCHD" ] || skip_all "src/hopwatchd is not built (run make)"
[ -f "$TEST_PLUGIN_DIR/testprobe.so" ] || skip_all "t/plugins are not built (run make)"

# probe_conf FILE PLUGIN [MORE]: a config with one probe using PLUGIN.  The
# statsd url points at a closed port on loopback: nothing leaves the host.
probe_conf() {
	cat >"$1" <<-EOF
	statsd = { url = "udp://127.0.0.1:9"; telemetry_interval = 0; };
	probes = (
	  {
	    name = "p";
	    plugin = "$2";
	    targets = [ "127.0.0.1" ];
	  }${3:-}
	);
	EOF
}

# run_daemon FILE [ARGS]: run hopwatchd (not -t) for at most 5 s; its exit
# status is in $rc, its stderr in err.  A refused config must exit at once.
run_daemon() {
	local f=$1
	shift
	rc=0
	timeout -s KILL 5 "$HOPWATCHD" -c "$f" "$@" >out 2>err || rc=$?
	cat err
}

for p in badabi badsize nosymbol; do
	test_expect_success "$p: -t refuses it, exit 1" '
		probe_conf "$p.conf" "$p" &&
		test_must_fail "$HOPWATCHD" -t -c "$TRASH/$p.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
		cat err &&
		grep -F "$TRASH/$p.conf:5: probes[0].plugin: plugin \"$p\": $TEST_PLUGIN_DIR/$p.so" err
	'
	test_expect_success "$p: the daemon refuses it before calling anything (exit 1, not SIGABRT)" '
		probe_conf "$p.conf" "$p" &&
		run_daemon "$TRASH/$p.conf" -P "$TEST_PLUGIN_DIR" &&
		test "$rc" = 1 &&
		grep -F "plugin \"$p\": $TEST_PLUGIN_DIR/$p.so" err &&
		grep -F "configuration is not valid" err
	'
done

test_expect_success 'badabi: the message gives both ABI numbers' '
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/badabi.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	abi=$("$HOPWATCHD" -V | sed -n "s/.*plugin ABI \([0-9]*\).*/\1/p") &&
	test -n "$abi" &&
	grep -F "badabi.so: built for plugin ABI $((abi + 1)), this hopwatchd speaks ABI $abi: rebuild the plugin" err
'
test_expect_success 'badsize: the message gives both sizes (8 bytes short)' '
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/badsize.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	line=$(grep -o "descriptor is [0-9]* bytes, expected [0-9]*" err) &&
	set -- $line &&
	test $(($6 - $3)) = 8 &&
	grep -F "rebuild the plugin against this hopwatch.h" err
'
test_expect_success 'nosymbol: the message names the missing symbol' '
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/nosymbol.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	grep -F "nosymbol.so exports no hopwatch_plugin: not a hopwatch plugin" err
'
test_expect_success 'a good probe next to a bad one: nothing starts, exit 1' '
	probe_conf mixed.conf testprobe ",
	  { name = \"q\"; plugin = \"badabi\"; targets = [ \"127.0.0.1\" ]; }" &&
	run_daemon "$TRASH/mixed.conf" -P "$TEST_PLUGIN_DIR" &&
	test "$rc" = 1 &&
	grep -F "probes[1].plugin: plugin \"badabi\"" err &&
	! grep -F "testprobe started" err
'
test_expect_success 'the same bad plugin in two probes: both are reported' '
	probe_conf twice.conf badsize ",
	  { name = \"q\"; plugin = \"badsize\"; targets = [ \"127.0.0.1\" ]; }" &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/twice.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "probes[0].plugin: plugin \"badsize\"" err &&
	grep -F "probes[1].plugin: plugin \"badsize\"" err
'

# Plugin names are words: no way out of plugin_dir.
for name in ../plugins/testprobe t/plugins/testprobe /tmp/testprobe .. ../testprobe \
	testprobe.so test-probe TestProbe ' testprobe' 'testprobe/' ''; do
	test_expect_success "plugin name \"$name\" is refused" '
		probe_conf name.conf "$name" &&
		test_must_fail "$HOPWATCHD" -t -c "$TRASH/name.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
		cat err &&
		grep -F "probes[0].plugin: plugin name \"$name\" must be lower-case letters, digits or '"'_'"'" err
	'
done
test_expect_success 'a name with .. is refused even when the .so it would reach exists' '
	mkdir -p pd/sub &&
	cp "$TEST_PLUGIN_DIR/testprobe.so" pd/testprobe.so &&
	probe_conf dots.conf ../testprobe &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/dots.conf" -P "$TRASH/pd/sub" 2>err &&
	cat err &&
	grep -F "plugin name \"../testprobe\" must be" err
'

# plugin_dir problems
test_expect_success '-P with a directory that does not exist: clear error' '
	probe_conf good.conf testprobe &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/good.conf" -P "$TRASH/no-such-dir" 2>err &&
	cat err &&
	grep -F "good.conf:5: probes[0].plugin: plugin \"testprobe\": $TRASH/no-such-dir/testprobe.so: No such file or directory (is plugin_dir right?)" err
'
test_expect_success 'plugin_dir setting that does not exist: clear error' '
	{ echo "plugin_dir = \"$TRASH/nowhere\";" && cat good.conf; } >pdir.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/pdir.conf" 2>err &&
	cat err &&
	grep -F "plugin \"testprobe\": $TRASH/nowhere/testprobe.so: No such file or directory (is plugin_dir right?)" err
'
test_expect_success 'plugin_dir setting is used when there is no -P' '
	{ echo "plugin_dir = \"$TEST_PLUGIN_DIR\";" && cat good.conf; } >pdir2.conf &&
	"$HOPWATCHD" -t -c "$TRASH/pdir2.conf" >out 2>err &&
	grep -F "OK (1 probes, 1 targets)" out
'
test_expect_success '-P overrides a wrong plugin_dir setting' '
	"$HOPWATCHD" -t -c "$TRASH/pdir.conf" -P "$TEST_PLUGIN_DIR" >out 2>err &&
	grep -F "OK (1 probes, 1 targets)" out
'
test_expect_success '-P pointing at a file: clear error, no crash' '
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/good.conf" -P "$TEST_PLUGIN_DIR/testprobe.so" 2>err &&
	cat err &&
	grep -F "$TEST_PLUGIN_DIR/testprobe.so/testprobe.so: Not a directory" err
'
test_expect_success 'a directory named testprobe.so is not loaded' '
	mkdir -p pd2/testprobe.so &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/good.conf" -P "$TRASH/pd2" 2>err &&
	cat err &&
	grep -F "plugin \"testprobe\": $TRASH/pd2/testprobe.so is not a regular file" err
'
test_expect_success 'a file that is not a shared object: dlerror and an ldd hint' '
	mkdir -p pd3 &&
	echo "not ELF" >pd3/testprobe.so &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/good.conf" -P "$TRASH/pd3" 2>err &&
	cat err &&
	grep -F "plugin \"testprobe\": cannot load: " err &&
	grep -F "(\`ldd $TRASH/pd3/testprobe.so\` shows missing libraries)" err
'
test_expect_success 'a plugin renamed: the descriptor name must match the file' '
	mkdir -p pd4 &&
	cp "$TEST_PLUGIN_DIR/testprobe.so" pd4/other.so &&
	probe_conf other.conf other &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/other.conf" -P "$TRASH/pd4" 2>err &&
	cat err &&
	grep -F "plugin \"other\": $TRASH/pd4/other.so: descriptor names \"testprobe\", not \"other\"" err
'
test_expect_success 'a symlink to a plugin is loaded' '
	mkdir -p pd5 &&
	ln -sf "$TEST_PLUGIN_DIR/testprobe.so" pd5/testprobe.so &&
	"$HOPWATCHD" -t -c "$TRASH/good.conf" -P "$TRASH/pd5" >out 2>err &&
	grep -F "OK (1 probes, 1 targets)" out
'
# The TERM goes to the daemon itself: timeout(1) (coreutils 9.1), signalled
# instead, now and then exited 143 without passing it on (6 to 8 runs in 300
# on a loaded machine), leaving the daemon running.
test_expect_success 'the good plugin starts and stops in the daemon' '
	spawn good "$HOPWATCHD" -c "$TRASH/good.conf" -P "$TEST_PLUGIN_DIR" &&
	wait_for 15 grep -F "testprobe started with 1 targets" good.stderr &&
	{ stop good; rc=$?; } ;
	cat good.stderr &&
	test "$rc" = 0 &&
	grep -F "testprobe stopping" good.stderr
'

# Symbols
if command -v nm >/dev/null 2>&1; then
	# own_symbols FILE: defined dynamic symbols, without libc's versioned
	# copies, the linker's section markers and ASan's ODR indicators
	own_symbols() {
		nm -D --defined-only "$1" | awk '{ print $NF }' | grep -v '@' | grep -v '^__odr_asan' |
			grep -vxE '_init|_fini|_edata|_end|__bss_start|_IO_stdin_used|__data_start|data_start|__dso_handle' |
			sort
	}
	test_expect_success 'each test plugin exports exactly hopwatch_plugin' '
		for p in testprobe badabi badsize; do
			own_symbols "$TEST_PLUGIN_DIR/$p.so" >syms &&
			echo hopwatch_plugin >expect &&
			{ cmp expect syms || { echo "$p exports:"; cat syms; exit 1; }; }
		done
	'
	test_expect_success 'testprobe.so: hopwatch_plugin is a data object' '
		nm -D --defined-only "$TEST_PLUGIN_DIR/testprobe.so" | grep -E " [DR] hopwatch_plugin$"
	'
	test_expect_success 'hopwatchd exports every hw_* function of hopwatch.h' '
		grep -o "\bhw_[a-z0-9_]*(" "$SRCDIR/include/hopwatch.h" | tr -d "(" | sort -u >api &&
		test $(wc -l <api) -ge 15 &&
		nm -D --defined-only "$HOPWATCHD" | awk "\$2 == \"T\" { print \$3 }" | sort >exported &&
		comm -23 api exported >missing &&
		cat missing &&
		! test -s missing
	'
	test_expect_success 'hopwatchd exports nothing of its own but hw_*' '
		own_symbols "$HOPWATCHD" >syms &&
		if grep -q "^__asan\|^__ubsan" syms; then
			echo "sanitizer build: runtime exports skipped"
		else
			grep -v "^hw_" syms >others;
			cat others;
			! test -s others
		fi
	'
	test_expect_success 'every hw_* symbol testprobe.so needs is exported by hopwatchd' '
		nm -D --undefined-only "$TEST_PLUGIN_DIR/testprobe.so" | awk "{ print \$NF }" |
			grep "^hw_" | sort >needs &&
		test -s needs &&
		nm -D --defined-only "$HOPWATCHD" | awk "{ print \$NF }" | sort >have &&
		comm -23 needs have >missing &&
		cat missing &&
		! test -s missing
	'
else
	say "nm not found: symbol checks skipped"
fi

test_done
