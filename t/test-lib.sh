# t/test-lib.sh: sourced by every t/tNNNN-*.sh script; prints TAP for prove.
#
#   . "$(dirname "$0")/test-lib.sh"
#   test_expect_success 'what it checks' '
#       commands that must all succeed
#   '
#   test_done
#
# Each script gets its own trash directory ($TRASH, removed at exit unless
# --keep or a failure with --verbose), a unique id for namespaces and other
# global names ($HW_ID), and an exit trap that runs every test_atexit hook.
# Options: -v/--verbose shows the output of the commands, --keep keeps the
# trash directory, --valgrind runs hopwatchd under valgrind (see run_hopwatchd).
set -u

TEST_NAME=$(basename "$0" .sh)
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=$SRCDIR/t/tools
HOPWATCHD=$SRCDIR/src/hopwatchd
PLUGIN_DIR=$SRCDIR/plugins
TEST_PLUGIN_DIR=$SRCDIR/t/plugins
# short, unique per run: namespace and interface names are limited to 15 bytes
HW_ID=$(printf '%x' $(( ($$ + RANDOM) % 65536 )))

# Under SANITIZE=1: known leaks of libraries are not ours; the exit status
# of a sanitizer report must stand out from the daemon's 1.
export LSAN_OPTIONS="suppressions=$SRCDIR/t/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export ASAN_OPTIONS="exitcode=86${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

verbose=${HW_TEST_VERBOSE:-}
keep=
use_valgrind=${HW_TEST_VALGRIND:-}
for arg in "$@"; do
	case $arg in
	-v|--verbose) verbose=t ;;
	--keep) keep=t ;;
	--valgrind) use_valgrind=t ;;
	esac
done

TRASH=$(mktemp -d "/tmp/hw-$TEST_NAME.XXXXXX")
test_count=0
test_failed=0
_atexit_hooks=

# test_atexit CMD: run CMD (a shell string) when the script exits, last
# registered first; used to remove namespaces and stop servers.
test_atexit() {
	_atexit_hooks="$1
$_atexit_hooks"
}

_test_cleanup() {
	local rc=$?
	set +e
	local IFS='
'
	for hook in $_atexit_hooks; do
		eval "$hook" >/dev/null 2>&1
	done
	if [ -z "$keep" ]; then
		rm -rf "$TRASH"
	else
		echo "# trash kept in $TRASH"
	fi
	exit $rc
}
trap _test_cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "# $*"; }

# test_expect_success DESC BODY: BODY runs in a subshell inside $TRASH and
# passes when it exits 0.  As in git's t/, chain its commands with && (a
# failing command in the middle is otherwise not seen).
test_expect_success() {
	test_count=$((test_count + 1))
	local out="$TRASH/.out.$test_count"
	if (cd "$TRASH" && eval "$2") >"$out" 2>&1; then
		printf 'ok %d - %s\n' "$test_count" "$1"
		[ -n "$verbose" ] && sed 's/^/#   /' "$out"
	else
		test_failed=$((test_failed + 1))
		printf 'not ok %d - %s\n' "$test_count" "$1"
		sed 's/^/#   /' "$out" | tail -n 40
	fi
	return 0
}

# test_netns NS: create network namespace NS with its loopback up; it is
# removed, its processes killed, when the test exits.  Bails out when it
# cannot be made.
test_netns() {
	ip netns add "$1" || { echo "Bail out! cannot create namespace $1"; exit 1; }
	test_atexit "ip netns del $1"
	test_atexit "ip netns pids $1 | xargs -r kill"
	ip -n "$1" link set lo up
}

# test_must_fail CMD... succeeds when CMD exits 1..125 (not a signal/crash).
test_must_fail() {
	"$@" && { echo "unexpected success: $*" >&2; return 1; }
	local rc=$?
	if [ $rc -gt 125 ]; then
		echo "died with status $rc: $*" >&2
		return 1
	fi
	return 0
}

# skip_all REASON: the whole script is skipped (prove counts it as skipped)
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

require_root() {
	[ "$(id -u)" = 0 ] || skip_all "needs root"
}

require_cmd() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip_all "needs $c"
	done
}

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds or time is up
wait_for() {
	local limit=$(( $1 * 10 )) i=0
	shift
	while [ $i -lt $limit ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "timed out after $((limit / 10)) s waiting for: $*" >&2
	return 1
}

# free_udp_port / free_tcp_port: a port nobody listens on right now
free_port() {
	local proto=$1 p
	for _ in $(seq 1 50); do
		p=$(( 20000 + (RANDOM % 30000) ))
		if ! ss -Hln"${proto}" "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
	done
	return 1
}
free_udp_port() { free_port u; }
free_tcp_port() { free_port t; }

# ---------------------------------------------------------------- processes
# spawn NAME CMD...: run CMD in the background, stdout in $TRASH/NAME.stdout,
# stderr in NAME.stderr, its pid in NAME.pid and, once it exits, its exit
# status in NAME.rc (so a later test can collect it).  Everything spawned
# is killed when the script ends, however it ends.
spawn() {
	local name=$1
	shift
	rm -f "$TRASH/$name.pid" "$TRASH/$name.rc"
	(
		"$@" >"$TRASH/$name.stdout" 2>"$TRASH/$name.stderr" &
		echo $! >"$TRASH/$name.pid"
		wait $!
		echo $? >"$TRASH/$name.rc"
	) &
	wait_for 5 test -s "$TRASH/$name.pid"
}
# alive NAME: the process still runs
alive() {
	! test -s "$TRASH/$1.rc" && kill -0 "$(cat "$TRASH/$1.pid")" 2>/dev/null
}
# stop NAME [SIGNAL]: signal it (TERM), wait up to 10 s for its exit and
# check the exit status is 0 (a crash or a hang fails).
stop() {
	if ! test -s "$TRASH/$1.rc"; then
		kill -"${2:-TERM}" "$(cat "$TRASH/$1.pid")" 2>/dev/null
	fi
	if ! wait_for 10 test -s "$TRASH/$1.rc"; then
		kill -KILL "$(cat "$TRASH/$1.pid")" 2>/dev/null
		echo "$1 did not exit"
		return 1
	fi
	echo "$1 exited with $(cat "$TRASH/$1.rc")"
	test "$(cat "$TRASH/$1.rc")" = 0
}
# all_exited: every spawned process has its NAME.rc
all_exited() {
	for f in "$TRASH"/*.pid; do
		[ -s "$f" ] && ! test -s "${f%.pid}.rc" && return 1
	done
	return 0
}
_kill_spawned() {
	for f in "$TRASH"/*.pid; do
		[ -s "$f" ] && kill -CONT "$(cat "$f")" 2>/dev/null
		[ -s "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	# let each spawn subshell write its .rc before the trash is removed
	wait_for 5 all_exited
	# and whatever still runs on a file of this trash directory (a daemon
	# whose pid file was replaced by a later spawn of the same name)
	pkill -KILL -f -- "$TRASH/" 2>/dev/null
	return 0
}
test_atexit _kill_spawned

# ---------------------------------------------------------------- hopwatchd
# Run a command as nobody, without capabilities: AS_NOBODY CMD...
AS_NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all"

# run_hopwatchd NS CONF SECONDS [nobody]: hopwatchd in namespace NS on CONF
# (plugins from $PLUGIN_DIR) for SECONDS, then SIGTERM, beside the strict
# DogStatsD receiver on 127.0.0.1:$STATSD_PORT in NS.  The lines go to
# `out`, the daemon's log to `log`, in the current directory.  Fails unless
# hopwatchd exits 0 after the SIGTERM (a crash or an error at start fails)
# and every line it sent parsed.  timeout --foreground signals hopwatchd
# alone, never its whole group.
run_hopwatchd() {
	local ns=$1 conf=$2 secs=$3 user= recv rc rrc
	[ "${4:-}" = nobody ] && user=$AS_NOBODY
	rm -f ready out log
	# ip netns exec execs: $! is dsd-recv itself, which SIGTERM ends with 0
	ip netns exec "$ns" "$TOOLS/dsd-recv" -u "127.0.0.1:$STATSD_PORT" -o out \
		-t $(( ${secs%.*} + 10 )) -r ready &
	recv=$!
	wait_for 5 test -e ready || return 1
	rc=0
	ip netns exec "$ns" timeout --foreground --preserve-status -s TERM "$secs" $user \
		"$HOPWATCHD" -c "$conf" -P "$PLUGIN_DIR" 2>log || rc=$?
	sleep 0.3
	kill $recv
	rrc=0
	wait $recv || rrc=$?
	cat log
	[ $rc = 0 ] || { echo "hopwatchd exited $rc"; return 1; }
	[ $rrc = 0 ] || { echo "dsd-recv exited $rrc"; grep INVALID out | head; return 1; }
}

test_done() {
	echo "1..$test_count"
	if [ "$test_failed" -gt 0 ]; then
		echo "# failed $test_failed of $test_count"
		exit 1
	fi
	exit 0
}
