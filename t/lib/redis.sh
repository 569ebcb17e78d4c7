# t/lib/redis.sh: helpers of the t70xx tests (path changes, Redis, the
# hopwatch CLI).  Sourced after test-lib.sh:
#
#   . "$(dirname "$0")/test-lib.sh"
#   . "$SRCDIR/t/lib/redis.sh"
#   redis_start r                 # redis-server on $TRASH/r.sock, no TCP, no disk
#   recv rx "$PORT"               # strict DogStatsD receiver, lines in rx.out
#   fp_conf d1 h1 fp "$TRASH/d1.paths" r >"$TRASH/d1.conf"
#   daemon d1 d1.conf             # hopwatchd with the test plugins
#
# Every process is started by spawn, which records its pid; all of them are
# killed when the script exits.  Every wait is bounded (wait_for).
require_cmd redis-server redis-cli ss awk timeout perl
DSD=$TOOLS/dsd-recv
HOPWATCH=${HOPWATCH_BIN:-$SRCDIR/src/hopwatch}
[ -x "$HOPWATCHD" ] || skip_all "src/hopwatchd is not built (run make)"
[ -x "$HOPWATCH" ] || skip_all "src/hopwatch is not built (run make)"
[ -x "$DSD" ] || skip_all "t/tools/dsd-recv is not built (run make)"
[ -f "$TEST_PLUGIN_DIR/fakepath.so" ] || skip_all "t/plugins are not built (run make)"
unset DD_DOGSTATSD_URL DD_AGENT_HOST DD_DOGSTATSD_PORT DD_ENTITY_ID HOPWATCH_REDIS_PASSWORD REDISCLI_AUTH


# recv NAME PORT: the strict receiver on 127.0.0.1:PORT for at most 58 s
recv() {
	rm -f "$TRASH/$1.ready"
	spawn "$1" "$DSD" -u "127.0.0.1:$2" -t 58 -o "$TRASH/$1.out" -r "$TRASH/$1.ready" &&
	wait_for 5 test -e "$TRASH/$1.ready"
}

# redis_start NAME [ARGS...]: redis-server on the Unix socket $TRASH/NAME.sock
# (no TCP port, no persistence, bounded memory); ready once it answers.
# ARGS are more settings (--requirepass x).  PING needs no AUTH on a server
# with a password (it answers NOAUTH, which is an answer).
redis_start() {
	local name=$1
	shift
	rm -f "$TRASH/$name.sock"
	spawn "$name" redis-server --port 0 --unixsocket "$TRASH/$name.sock" --unixsocketperm 700 \
		--save '' --appendonly no --dir "$TRASH" --dbfilename "$name.rdb" --maxmemory 64mb \
		--loglevel warning "$@" &&
	wait_for 10 redis_answers "$name"
}
redis_answers() {
	redis-cli -s "$TRASH/$1.sock" PING 2>&1 | grep -qE "PONG|NOAUTH"
}
# redis_down NAME: shut it down (no save) and wait for its exit
redis_down() {
	redis-cli -s "$TRASH/$1.sock" ${RAUTH:-} SHUTDOWN NOSAVE >/dev/null 2>&1
	wait_for 10 test -s "$TRASH/$1.rc" || { kill -KILL "$(cat "$TRASH/$1.pid")"; return 1; }
}
# rcli NAME ARGS...: redis-cli on that server ($RAUTH: extra args, e.g. a password)
rcli() {
	local name=$1
	shift
	redis-cli -s "$TRASH/$name.sock" ${RAUTH:-} "$@"
}

# fp_conf NAME HOSTNAME PROBE PATHFILE REDIS [REDIS_SETTINGS] [GLOBAL_SETTINGS]:
# a config running fakepath (interval $FP_INTERVAL, default 0.3 s) on
# $FP_TARGETS (default 127.0.0.1), sending to the receiver on $RPORT with
# telemetry every second.  hop_names is off: the daemon runs in the root
# namespace, whose resolv.conf names a server outside the lab, and fakepath's
# hops are made up.
fp_conf() {
	local targets=${FP_TARGETS:-'"127.0.0.1"'}
	cat <<-EOF
	interval = ${FP_INTERVAL:-0.3};
	timeout = 0.1;
	hostname = "$2";
	path_confirm = ${FP_CONFIRM:-2};
	statsd = { url = "udp://127.0.0.1:$RPORT"; telemetry_interval = 1; };
	redis = { socket = "$TRASH/$5.sock"; ${6:-} };
	hop_names = { enabled = false; };
	${7:-}
	probes = ( { name = "$3"; plugin = "fakepath"; file = "$4"; targets = [ $targets ]; } );
	EOF
}
# fp_tcp_conf PORT PATHFILE: fakepath (host h1, probe fp1, target
# 127.0.0.1, path_confirm 1) writing to Redis over TCP at 127.0.0.1:PORT;
# hop_names off, as fp_conf
fp_tcp_conf() {
	cat <<-EOF
	interval = 0.3;
	timeout = 0.1;
	hostname = "h1";
	path_confirm = 1;
	statsd = { url = "udp://127.0.0.1:$RPORT"; telemetry_interval = 1; };
	redis = { host = "127.0.0.1"; port = $1; connect_timeout = 1; command_timeout = 1; };
	hop_names = { enabled = false; };
	probes = ( { name = "fp1"; plugin = "fakepath"; file = "$2"; targets = [ "127.0.0.1" ]; } );
	EOF
}
# flip PATHFILE: switch the route in PATHFILE between $P1 and $P2 and wait
# for the daemon (probe fp1, target 127.0.0.1) to report the change: one
# more event at the receiver's rx.out
flip() {
	local n
	n=$(events rx.out fp1 127.0.0.1)
	if [ "$(cat "$1")" = "$P1" ]; then route "$1" "$P2"; else route "$1" "$P1"; fi
	wait_for 10 n_ge $((n + 1)) events rx.out fp1 127.0.0.1
}
# stream_in_order CLI KEY: the change stream KEY, read with the command
# CLI (a function running redis-cli), has each entry's old path equal to
# the previous entry's new one: nothing lost, doubled or reordered
stream_in_order() {
	"$1" XRANGE "$2" - + | awk '
		/^[0-9]+-[0-9]+$/ { n++; next }
		key == "" { key = $0; next }
		{ f[n, key] = $0; key = "" }
		END {
			for (i = 2; i <= n; i++)
				if (f[i, "old"] != f[i - 1, "new"]) { print "entry " i " old " f[i, "old"] " != " f[i - 1, "new"]; exit 1 }
			print n " entries in order"
		}'
}
# daemon NAME CONF: hopwatchd on $TRASH/CONF with the test plugins
daemon() {
	spawn "$1" "$HOPWATCHD" -c "$TRASH/$2" -P "$TEST_PLUGIN_DIR"
}
# route FILE LINE...: atomically make FILE hold these lines (hop lists)
route() {
	local f=$1
	shift
	printf '%s\n' "$@" >"$f.tmp" && mv -f "$f.tmp" "$f"
}

# lines FILE PREFIX PROBE [TARGET]: lines of the receiver output FILE starting
# with PREFIX and tagged with that probe (and target)
lines() {
	awk -v p="$2" 'index($0, p) == 1' "$1" | grep -E "[#,]probe:$3(,|\||$)" |
		{ if [ -n "${4:-}" ]; then grep -E "[#,]target:$4(,|\||$)"; else cat; fi; } || true
}
# count FILE PREFIX PROBE [TARGET]: how many such lines
count() {
	lines "$@" | wc -l
}
# traced FILE PROBE [TARGET]: traces reported so far
traced() {
	count "$1" "hopwatch.test.traced:1|c|" "$2" "${3:-}"
}
# events FILE PROBE TARGET: path change events of the target
events() {
	grep -E "^_e\{[0-9]+,[0-9]+\}:Path to $3 changed\|" "$1" | grep -cF "|k:$2/$3|" || true
}
# changes FILE PROBE TARGET: hopwatch.path.changes counts of the target
changes() {
	count "$1" "hopwatch.path.changes:1|c|" "$2" "$3"
}
# more_traces FILE PROBE N [TARGET]: more than N traces seen (for wait_for)
more_traces() {
	test "$(traced "$1" "$2" "${4:-}")" -gt "$3"
}
# n_is N CMD...: CMD prints N (for wait_for)
n_is() {
	local want=$1
	shift
	test "$("$@")" = "$want"
}
# n_ge N CMD...: CMD prints at least N
n_ge() {
	local want=$1
	shift
	test "$("$@")" -ge "$want"
}
# gauge_seen FILE NAME VALUE: a telemetry gauge line NAME:VALUE|g arrived
gauge_seen() {
	grep -qE "^hopwatch\.$2:$3\|g(\||$)" "$1"
}
# sum_counts FILE NAME: sum of the count lines hopwatch.NAME:V|c
sum_counts() {
	sed -n "s/^hopwatch\.$2:\([0-9.]*\)|c.*/\1/p" "$1" | awk '{ s += $1 } END { print s + 0 }'
}

# xfield NAME KEY I FIELD: FIELD of the I-th (1-based, oldest first) entry
# of the stream KEY on server NAME
xfield() {
	rcli "$1" XRANGE "$2" - + | awk -v n="$3" -v f="$4" '
		/^[0-9]+-[0-9]+$/ { e++; k = ""; have = 0; next }
		e == n { if (!have) { k = $0; have = 1 } else { if (k == f) print; have = 0 } }'
}
# xlen NAME KEY: entries of a stream
xlen() {
	rcli "$1" XLEN "$2"
}
# hget NAME KEY FIELD
hget() {
	rcli "$1" HGET "$2" "$3"
}
# check_entry NAME KEY I OLD NEW TTL IP: the I-th entry of the stream is that change
check_entry() {
	local o n t ip ts
	o=$(xfield "$1" "$2" "$3" old) &&
	n=$(xfield "$1" "$2" "$3" new) &&
	t=$(xfield "$1" "$2" "$3" first_diff_ttl) &&
	ip=$(xfield "$1" "$2" "$3" target_ip) &&
	ts=$(xfield "$1" "$2" "$3" ts) &&
	echo "entry $3 of $2: old=$o new=$n first_diff_ttl=$t target_ip=$ip ts=$ts" &&
	test "$o" = "$4" && test "$n" = "$5" && test "$t" = "$6" && test "$ip" = "$7" &&
	echo "$ts" | grep -qE '^[0-9]{10}$'
}

# strip_unknown_tail LIST: a hop list without its trailing unknown hops
strip_unknown_tail() {
	echo "$1" | sed -E 's/(,\*)+$//'
}
