# shellcheck shell=bash disable=SC2034
# bench/lib.sh: shared helpers of the bench/ scripts (see bench/README.md).
#
#   . "$(dirname "$0")/lib.sh"
#
# Gives every script: $SRCDIR, $HOPWATCHD, $PLUGIN_DIR, $BENCH_BIN, a work
# directory $WORK (removed at exit), the testbed (t/lib/testbed.sh; every
# namespace of the run is removed at exit, also on failure or a signal),
# $QUICK (BENCH_QUICK=1) and the helpers below, all prefixed bn_.
#
# Safety: every probe goes to addresses of namespaces the script made
# itself (tb_chain); every command runs under a time limit (bn_run).
set -u

BENCH_BIN=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=$(dirname "$BENCH_BIN")
HOPWATCHD=$SRCDIR/src/hopwatchd
PLUGIN_DIR=$SRCDIR/plugins
TOOLS=$SRCDIR/t/tools
QUICK=${BENCH_QUICK:-0}
[ "$QUICK" = 0 ] || QUICK=1
WORK=$(mktemp -d /tmp/hw-bench.XXXXXX)
chmod 755 "$WORK"
TRASH=$WORK  # testbed state goes to $TRASH/tb

# Exit hooks, run last registered first; testbed.sh registers its cleanup
# here (it looks for a function named test_atexit).
_bn_hooks=
test_atexit() {
	_bn_hooks="$1
$_bn_hooks"
}
_bn_exit() {
	local rc=$? IFS='
' hook
	set +e
	for hook in $_bn_hooks; do
		eval "$hook" >/dev/null 2>&1
	done
	rm -rf "$WORK"
	exit $rc
}
trap _bn_exit EXIT
trap 'exit 130' INT TERM HUP

# shellcheck source=../t/lib/testbed.sh
. "$SRCDIR/t/lib/testbed.sh"

bn_log() { echo "bench: $*" >&2; }
bn_die() { echo "bench: error: $*" >&2; exit 1; }

bn_require_root() {
	[ "$(id -u)" = 0 ] || bn_die "needs root (network namespaces, raw sockets)"
}

# bn_pkgs PACKAGE...: install Debian PACKAGEs when every one has an
# install candidate (apt-cache policy); fails when one has none.
# Installing never starts a service: a policy-rc.d that forbids it is put
# in place for the install when there is none.
bn_pkgs() {
	local p made=
	command -v apt-get >/dev/null 2>&1 || return 1
	for p in "$@"; do
		if ! apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
			apt-get update -qq >/dev/null 2>&1
			apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]' || {
				bn_log "package $p is not available"
				return 1
			}
		fi
	done
	bn_log "installing $*"
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		made=1
	fi
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq --no-install-recommends \
		"$@" >"$WORK/apt.log" 2>&1 || tail -n 5 "$WORK/apt.log" >&2
	[ -n "$made" ] && rm -f /usr/sbin/policy-rc.d
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || return 1
	done
}

# bn_tool CMD PACKAGE...: succeed when CMD is there, after installing
# PACKAGEs (bn_pkgs) when it is not
bn_tool() {
	local cmd=$1
	shift
	command -v "$cmd" >/dev/null 2>&1 && return 0
	bn_pkgs "$@" && command -v "$cmd" >/dev/null 2>&1
}

# bn_addrs N [FIRST]: N addresses of d1's tb_many prefix (as tb_many_addr
# d1 I), one a line, from index FIRST (default 1); fast for 20,000
bn_addrs() {
	awk -v n="$1" -v f="${2:-1}" 'BEGIN {
		for (i = f; i < f + n; i++) printf "172.17.%d.%d\n", int(i / 256), i % 256 }'
}

# bn_run NS LIMIT SIGNAL NAME CMD...: run CMD in namespace NS under
# /usr/bin/time; stdout to $WORK/NAME.out, stderr to $WORK/NAME.err.  When
# it has not ended after LIMIT seconds it gets SIGNAL (then SIGKILL 15 s
# later).  Sets BN_WALL (s), BN_CPU (user+sys s, the process and every
# child it waited for), BN_RSS (peak RSS of the largest process, MiB:
# getrusage ru_maxrss, the VmHWM at its end) and BN_STOPPED (1 when it had
# to be signalled).  With BN_UNTIL=FILE set, CMD is also signalled as
# soon as FILE exists.
bn_run() {
	local ns=$1 limit=$2 sig=$3 name=$4 tpid child i line
	shift 4
	ip netns exec "$ns" /usr/bin/time -o "$WORK/$name.time" -f '%e %U %S %M' "$@" \
		>"$WORK/$name.out" 2>"$WORK/$name.err" &
	tpid=$!
	BN_STOPPED=0
	for i in $(seq 1 $((limit * 20))); do
		kill -0 "$tpid" 2>/dev/null || break
		[ -n "${BN_UNTIL:-}" ] && [ -e "$BN_UNTIL" ] && break
		sleep 0.05
	done
	if kill -0 "$tpid" 2>/dev/null; then
		BN_STOPPED=1
		child=$(pgrep -P "$tpid")
		# shellcheck disable=SC2086
		[ -n "$child" ] && kill -"$sig" $child 2>/dev/null
		for i in $(seq 1 150); do
			kill -0 "$tpid" 2>/dev/null || break
			sleep 0.1
		done
		child=$(pgrep -P "$tpid")
		# shellcheck disable=SC2086
		[ -n "$child" ] && kill -KILL $child 2>/dev/null
	fi
	wait "$tpid" 2>/dev/null
	line=$(tail -n 1 "$WORK/$name.time" 2>/dev/null)
	# shellcheck disable=SC2086
	set -- $line
	if [ $# = 4 ]; then
		BN_WALL=$1
		BN_CPU=$(awk -v u="$2" -v s="$3" 'BEGIN { printf "%.2f", u + s }')
		BN_RSS=$(awk -v k="$4" 'BEGIN { printf "%.1f", k / 1024 }')
	else
		BN_WALL=nan BN_CPU=nan BN_RSS=nan
	fi
}

# bn_sink_start NS PORT NAME [dsd-sum options]: the summing UDP sink
# (bench/dsd-sum) on 127.0.0.1:PORT (BN_SINK_ADDR:PORT when set) in NS; its summary goes to
# $WORK/NAME.sum when bn_sink_stop ends it.  Lives at most 15 minutes.
bn_sink_start() {
	local ns=$1 port=$2 name=$3 i
	shift 3
	rm -f "$WORK/$name.ready" "$WORK/$name.sum"
	ip netns exec "$ns" "$BENCH_BIN/dsd-sum" -u "${BN_SINK_ADDR:-127.0.0.1}:$port" -t 900 \
		-o "$WORK/$name.sum" -r "$WORK/$name.ready" "$@" &
	BN_SINK_PID=$!
	for i in $(seq 1 50); do
		[ -e "$WORK/$name.ready" ] && return 0
		sleep 0.1
	done
	bn_die "dsd-sum did not start"
}

# bn_sink_stop: end the sink started last and wait for its summary
bn_sink_stop() {
	sleep 0.3  # what is in flight
	kill -TERM "$BN_SINK_PID" 2>/dev/null
	wait "$BN_SINK_PID" 2>/dev/null
}

# bn_sum FILE NAME [FIELD]: from a dsd-sum summary, metric NAME's sum
# (FIELD 5, default), values (4) or lines (3); 0 when absent
bn_sum() {
	awk -v n="$2" -v f="${3:-5}" '$1 == "metric" && $2 == n { v = $f } END { printf "%.10g\n", v + 0 }' "$1"
}
# bn_stat FILE KEY: a top-level counter of a dsd-sum summary (datagrams, ...)
bn_stat() {
	awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' "$1"
}

# bn_calc EXPR: awk arithmetic, printed with %.4g unless EXPR formats
bn_calc() { awk "BEGIN { print $* }"; }
# bn_fmt FORMAT VALUE: printf that leaves "nan"/"n/a" alone
bn_fmt() {
	# shellcheck disable=SC2059
	case $2 in ''|nan|n/a|-*nan*|inf|-inf) echo "${2:-n/a}" ;; *) printf "$1" "$2" ;; esac
}
# bn_ratio A B: "A/B" as "0.25x", or "-" when either is not a number or B is 0
bn_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a !~ /^[0-9.e+-]+$/ || b !~ /^[0-9.e+-]+$/ || b + 0 == 0) { print "-"; exit }
		r = a / b
		if (r >= 10) printf "%.0fx\n", r; else if (r >= 1) printf "%.1fx\n", r; else printf "%.2fx\n", r }'
}

# bn_kb PID FIELD: a /proc/PID/status field in kB (VmRSS, VmHWM)
bn_kb() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}
