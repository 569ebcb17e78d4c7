#!/bin/bash
# t7000-path-redis: path change detection end to end with a real Redis.
# hopwatchd runs the fakepath test plugin (hop lists read from a file the
# test rewrites) against a redis-server on a Unix socket in the trash
# directory, and what it sent is checked at the strict DogStatsD receiver,
# in Redis (hash, stream) and on the channel (a redis-cli subscriber):
# - a route change gives exactly one event, count, stream entry and
#   message, with the right old and new paths; changing back, one more;
# - unknown hops coming and going, and shorter traces, are never a change;
#   one odd trace is none with path_confirm 2, and is one with 1;
# - a restarted daemon loads its paths: no false change when the route
#   stayed, exactly one when it changed while the daemon was down.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/redis.sh"

RPORT=$(free_udp_port) || skip_all "no free UDP port"
P1="10.1.0.1,10.1.0.2,10.1.0.3,10.1.0.4"
P2="10.1.0.1,10.1.0.2,10.9.0.3,10.1.0.4"
STREAM1="hopwatch:changes:{h1}:fp1:127.0.0.1"
HASH1="hopwatch:path:{h1}:fp1:127.0.0.1"

# json_is FILE N SOURCE PROBE TARGET IP OLD NEW TTL: the N-th message
# published (FILE: redis-cli SUBSCRIBE output) is exactly this change
json_is() {
	perl -MJSON::PP -e '
		my ($file, $n, $src, $probe, $target, $ip, $old, $new, $ttl) = @ARGV;
		open my $f, "<", $file or die "$file: $!";
		my @m = grep { /^\{/ } <$f>;
		die "only " . @m . " messages\n" if @m < $n;
		print "message $n: $m[$n - 1]";
		my $j = JSON::PP->new->decode($m[$n - 1]);
		my $keys = join ",", sort keys %$j;
		die "keys $keys\n" unless $keys eq "first_diff_ttl,id,new,old,probe,source,target,target_ip,ts";
		die "id $j->{id}\n" unless $j->{id} =~ /^[0-9]{13}-0$/;
		my $path = sub { join ",", map { defined $_ ? $_ : "*" } @{$_[0]} };
		die "source\n" unless $j->{source} eq $src;
		die "probe\n" unless $j->{probe} eq $probe;
		die "target\n" unless $j->{target} eq $target;
		die "target_ip\n" unless $j->{target_ip} eq $ip;
		die "old\n" unless $path->($j->{old}) eq $old;
		die "new\n" unless $path->($j->{new}) eq $new;
		die "first_diff_ttl\n" unless $j->{first_diff_ttl} eq $ttl && $m[$n - 1] =~ /"first_diff_ttl":\d+\}/;
		die "ts\n" unless $m[$n - 1] =~ /"ts":\d{10},/;
	' "$@"
}
# messages FILE: messages received by the subscriber
messages() {
	grep -c '^{' "$1" || true
}

test_expect_success 'start: redis-server, receiver, subscriber, hopwatchd; first path stored silently' '
	redis_start r &&
	recv rx "$RPORT" &&
	spawn sub timeout 55 redis-cli -s "$TRASH/r.sock" SUBSCRIBE hopwatch:path-changes &&
	wait_for 5 grep -q "^subscribe" sub.stdout &&
	route d1.paths "$P1" &&
	fp_conf d1 h1 fp1 "$TRASH/d1.paths" r >d1.conf &&
	daemon d1 d1.conf &&
	wait_for 10 more_traces rx.out fp1 2 &&
	wait_for 10 n_is "$P1" hget r "$HASH1" confirmed &&
	test "$(hget r "$HASH1" hops)" = "$P1" &&
	test "$(hget r "$HASH1" target_ip)" = 127.0.0.1 &&
	test "$(hget r "$HASH1" reached)" = 1 &&
	test "$(hget r "$HASH1" protocol)" = test &&
	test "$(hget r "$HASH1" rtt)" = "1.5,3,4.5,6" &&
	test "$(hget r "$HASH1" rtt_min)" = "1,2,3,4" &&
	test "$(hget r "$HASH1" rtt_max)" = "2,4,6,8" &&
	test "$(hget r "$HASH1" rtt_stddev)" = "0.25,0.5,0.75,1" &&
	test "$(hget r "$HASH1" rtt_jitter)" = "0.5,1,1.5,2" &&
	test "$(hget r "$HASH1" loss)" = "0,0,0,0" &&
	test "$(hget r "$HASH1" response)" = "100,100,100,100" &&
	test -z "$(hget r "$HASH1" changed)" &&
	test "$(xlen r "$STREAM1")" = 0 &&
	test "$(events rx.out fp1 127.0.0.1)" = 0 &&
	test "$(messages sub.stdout)" = 0
'
test_expect_success 'a route change: exactly one event, count, stream entry and message' '
	route d1.paths "$P2" &&
	wait_for 10 n_is 1 events rx.out fp1 127.0.0.1 &&
	wait_for 10 n_is 1 xlen r "$STREAM1" &&
	wait_for 10 n_is 1 messages sub.stdout &&
	n=$(traced rx.out fp1) &&
	wait_for 10 more_traces rx.out fp1 $((n + 4)) &&
	test "$(events rx.out fp1 127.0.0.1)" = 1 &&
	test "$(changes rx.out fp1 127.0.0.1)" = 1 &&
	test "$(xlen r "$STREAM1")" = 1 &&
	test "$(messages sub.stdout)" = 1 &&
	check_entry r "$STREAM1" 1 "$P1" "$P2" 3 127.0.0.1 &&
	json_is sub.stdout 1 h1 fp1 127.0.0.1 127.0.0.1 "$P1" "$P2" 3 &&
	grep -F "\"ts\":$(xfield r "$STREAM1" 1 ts)," sub.stdout &&
	test "$(hget r "$HASH1" confirmed)" = "$P2" &&
	test "$(hget r "$HASH1" changed)" = "$(xfield r "$STREAM1" 1 ts)" &&
	test "$(hget r "$HASH1" changes_key)" = "$STREAM1" &&
	grep -F "[fp1] path to 127.0.0.1 changed at TTL 3" d1.stderr
'
test_expect_success 'the event: title, text by TTL with the first difference marked, key, tags' '
	grep "^_e{" rx.out &&
	text="First differing hop: TTL 3\\\\nTTL  old -> new\\\\n 1  10.1.0.1 -> 10.1.0.1\\\\n 2  10.1.0.2 -> 10.1.0.2\\\\n 3\* 10.1.0.3 -> 10.9.0.3\\\\n 4  10.1.0.4 -> 10.1.0.4" &&
	grep -E "^_e\{25,[0-9]+\}:Path to 127\.0\.0\.1 changed\|$text\|d:[0-9]{10}\|h:h1\|k:fp1/127\.0\.0\.1\|s:hopwatch\|t:warning\|#" rx.out &&
	grep "^_e{" rx.out | grep -E "[#,]probe:fp1(,|$)" | grep -E "[#,]target:127\.0\.0\.1(,|$)" |
		grep -vE "[#,]target_ip:" &&
	lines rx.out "hopwatch.path.changes:1|c|" fp1 127.0.0.1 | grep -v "target_ip:"
'
test_expect_success 'changing back: exactly one more of each, old and new swapped' '
	route d1.paths "$P1" &&
	wait_for 10 n_is 2 events rx.out fp1 127.0.0.1 &&
	wait_for 10 n_is 2 xlen r "$STREAM1" &&
	wait_for 10 n_is 2 messages sub.stdout &&
	n=$(traced rx.out fp1) &&
	wait_for 10 more_traces rx.out fp1 $((n + 4)) &&
	test "$(events rx.out fp1 127.0.0.1)" = 2 &&
	test "$(changes rx.out fp1 127.0.0.1)" = 2 &&
	test "$(xlen r "$STREAM1")" = 2 &&
	test "$(messages sub.stdout)" = 2 &&
	check_entry r "$STREAM1" 2 "$P2" "$P1" 3 127.0.0.1 &&
	json_is sub.stdout 2 h1 fp1 127.0.0.1 127.0.0.1 "$P2" "$P1" 3 &&
	test "$(hget r "$HASH1" confirmed)" = "$P1" &&
	alive d1 && stop d1 &&
	! grep INVALID rx.out
'

# ---------------------------------------------------------------- unknown hops
B="10.2.0.1,10.2.0.2,10.2.0.3,10.2.0.4,10.2.0.5"
# Traces compatible with B: unknown hops anywhere, cut short, empty.
VARIANTS=(
	"$B"
	"*,10.2.0.2,10.2.0.3,10.2.0.4,10.2.0.5"
	"10.2.0.1,*,10.2.0.3,10.2.0.4,10.2.0.5"
	"10.2.0.1,10.2.0.2,*,10.2.0.4,10.2.0.5"
	"10.2.0.1,10.2.0.2,10.2.0.3,*,10.2.0.5"
	"10.2.0.1,10.2.0.2,10.2.0.3,10.2.0.4,*"
	"10.2.0.1,*,*,*,10.2.0.5"
	"10.2.0.1,10.2.0.2,10.2.0.3"
	"10.2.0.1,*"
	"*,*,*,*,*,*,*,*"
	"*"
	""
	"10.2.0.1,10.2.0.2,10.2.0.3,10.2.0.4,10.2.0.5,*,*"
)
test_expect_success '>= 50 traces with unknown hops coming and going, and short ones: no change' '
	route d2.paths "$B" &&
	FP_TARGETS="\"127.0.0.1\", \"127.0.0.2\", \"127.0.0.3\", \"127.0.0.4\", \"127.0.0.5\"" \
		fp_conf d2 h2 fp2 "$TRASH/d2.paths" r >d2.conf &&
	daemon d2 d2.conf &&
	wait_for 10 more_traces rx.out fp2 5 &&
	i=0 &&
	while [ "$(traced rx.out fp2)" -lt 70 ] && [ $i -lt 300 ]; do
		nv=${#VARIANTS[@]} &&
		route d2.paths "${VARIANTS[$((i % nv))]}" "${VARIANTS[$(((i + 3) % nv))]}" \
			"${VARIANTS[$(((i + 5) % nv))]}" "${VARIANTS[$(((i + 7) % nv))]}" \
			"${VARIANTS[$(((i + 11) % nv))]}" &&
		sleep 0.07 &&
		i=$((i + 1)) || exit 1
	done &&
	echo "$(traced rx.out fp2) traces, $i rewrites" &&
	test "$(traced rx.out fp2)" -ge 50 &&
	route d2.paths "$B" &&
	n=$(traced rx.out fp2) &&
	wait_for 10 more_traces rx.out fp2 $((n + 10)) &&
	test "$(count rx.out "hopwatch.path.changes:" fp2)" = 0 &&
	! grep -F "Path to" rx.out | grep -F "|k:fp2/" &&
	! grep -F "changed" d2.stderr &&
	test -z "$(rcli r --scan --pattern "hopwatch:changes:{h2}:*")" &&
	for t in 1 2 3 4 5; do
		c=$(hget r "hopwatch:path:{h2}:fp2:127.0.0.$t" confirmed) &&
		echo "confirmed path of 127.0.0.$t: $c" &&
		test "$(strip_unknown_tail "$c")" = "$B" || exit 1
	done &&
	alive d2 && stop d2
'

# one_odd_trace NAME PROBE FILE ODD BASE: the next trace sees ODD, the ones after BASE
one_odd_trace() {
	local n
	n=$(traced rx.out "$2") &&
	route "$3" "$4" &&
	wait_for 10 more_traces rx.out "$2" "$n" &&
	route "$3" "$5" &&
	if [ "$(traced rx.out "$2")" != $((n + 1)) ]; then
		echo "inconclusive: $(($(traced rx.out "$2") - n)) traces saw the odd path"
		return 1
	fi
}
ODD="10.2.0.1,10.7.7.7,10.2.0.3,10.2.0.4,10.2.0.5"
test_expect_success 'path_confirm 2: one odd trace, then back: no change' '
	route d3.paths "$B" &&
	FP_INTERVAL=0.5 fp_conf d3 h3 fp3 "$TRASH/d3.paths" r >d3.conf &&
	daemon d3 d3.conf &&
	wait_for 10 more_traces rx.out fp3 2 &&
	one_odd_trace d3 fp3 d3.paths "$ODD" "$B" &&
	n=$(traced rx.out fp3) &&
	wait_for 10 more_traces rx.out fp3 $((n + 3)) &&
	test "$(events rx.out fp3 127.0.0.1)" = 0 &&
	test "$(changes rx.out fp3 127.0.0.1)" = 0 &&
	test "$(xlen r "hopwatch:changes:{h3}:fp3:127.0.0.1")" = 0 &&
	test "$(hget r "hopwatch:path:{h3}:fp3:127.0.0.1" confirmed)" = "$B" &&
	stop d3
'
test_expect_success 'path_confirm 1: the same odd trace is a change (and back is another)' '
	route d4.paths "$B" &&
	FP_INTERVAL=0.5 FP_CONFIRM=1 fp_conf d4 h4 fp4 "$TRASH/d4.paths" r >d4.conf &&
	daemon d4 d4.conf &&
	wait_for 10 more_traces rx.out fp4 2 &&
	one_odd_trace d4 fp4 d4.paths "$ODD" "$B" &&
	wait_for 10 n_is 2 events rx.out fp4 127.0.0.1 &&
	n=$(traced rx.out fp4) &&
	wait_for 10 more_traces rx.out fp4 $((n + 3)) &&
	test "$(events rx.out fp4 127.0.0.1)" = 2 &&
	test "$(changes rx.out fp4 127.0.0.1)" = 2 &&
	S="hopwatch:changes:{h4}:fp4:127.0.0.1" &&
	test "$(xlen r "$S")" = 2 &&
	check_entry r "$S" 1 "$B" "$ODD" 2 127.0.0.1 &&
	check_entry r "$S" 2 "$ODD" "$B" 2 127.0.0.1 &&
	stop d4
'

# ---------------------------------------------------------------- restart
STREAM5="hopwatch:changes:{h5}:fp5:127.0.0.1"
HASH5="hopwatch:path:{h5}:fp5:127.0.0.1"
test_expect_success 'restart with the same path: the stored path is loaded, no false change' '
	route d5.paths "$P1" &&
	fp_conf d5 h5 fp5 "$TRASH/d5.paths" r >d5.conf &&
	daemon d5 d5.conf &&
	wait_for 10 n_is "$P1" hget r "$HASH5" confirmed &&
	stop d5 &&
	n=$(traced rx.out fp5) &&
	daemon d5 d5.conf &&
	wait_for 10 more_traces rx.out fp5 $((n + 6)) &&
	test "$(events rx.out fp5 127.0.0.1)" = 0 &&
	test "$(changes rx.out fp5 127.0.0.1)" = 0 &&
	test "$(xlen r "$STREAM5")" = 0 &&
	stop d5
'
# The first trace after the start must not be written (HSET ... confirmed
# <new path>) before the stored paths are read back, or the daemon would
# load the path it has just written and miss the change.
test_expect_success 'restart after the path changed while down: exactly one change' '
	route d5.paths "$P2" &&
	n=$(traced rx.out fp5) &&
	daemon d5 d5.conf &&
	wait_for 10 n_is 1 events rx.out fp5 127.0.0.1 &&
	wait_for 10 n_is 1 xlen r "$STREAM5" &&
	wait_for 10 more_traces rx.out fp5 $((n + 6)) &&
	test "$(events rx.out fp5 127.0.0.1)" = 1 &&
	test "$(changes rx.out fp5 127.0.0.1)" = 1 &&
	test "$(xlen r "$STREAM5")" = 1 &&
	check_entry r "$STREAM5" 1 "$P1" "$P2" 3 127.0.0.1 &&
	test "$(hget r "$HASH5" confirmed)" = "$P2" &&
	stop d5 &&
	! grep INVALID rx.out
'

test_done
