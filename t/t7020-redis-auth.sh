#!/bin/bash
# t7020-redis-auth: logging in to Redis, choosing a database, and a Redis
# that stops answering.
# - AUTH with an ACL user and password, db = 3: keys land in db 3 only;
# - a wrong password: a clear error naming redis.password, the daemon keeps
#   probing and sending, nothing is written;
# - no password for a server that needs one: the same;
# - Redis paused (SIGSTOP) longer than command_timeout: logged, reconnected
#   after SIGCONT, and the change made during the pause is in Redis.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/redis.sh"

RPORT=$(free_udp_port) || skip_all "no free UDP port"
P1="10.1.0.1,10.1.0.2,10.1.0.3,10.1.0.4"
P2="10.1.0.1,10.1.0.2,10.1.0.3,10.6.0.4"
ADMIN="-a adminpw --no-auth-warning"

# keys_of NAME DB PATTERN: keys matching PATTERN in DB of server NAME (as admin)
keys_of() {
	RAUTH=$ADMIN rcli "$1" -n "$2" --scan --pattern "$3"
}
# ahget NAME DB KEY FIELD: HGET as admin in DB
ahget() {
	RAUTH=$ADMIN rcli "$1" -n "$2" HGET "$3" "$4"
}
# axlen NAME DB KEY
axlen() {
	RAUTH=$ADMIN rcli "$1" -n "$2" XLEN "$3"
}

test_expect_success 'start: redis-server with requirepass and an ACL user' '
	redis_start a --requirepass adminpw --user hw on ">hwpass" "~*" "&*" "+@all" &&
	recv rx "$RPORT" &&
	test "$(RAUTH="--user hw --pass hwpass --no-auth-warning" rcli a ACL WHOAMI)" = hw &&
	rcli a GET x | grep NOAUTH
'
test_expect_success 'user and password, db = 3: the path and a change land in db 3 only' '
	route d1.paths "$P1" &&
	fp_conf d1 h1 fp1 "$TRASH/d1.paths" a "user = \"hw\"; password = \"hwpass\"; db = 3;" >d1.conf &&
	daemon d1 d1.conf &&
	wait_for 10 n_is "$P1" ahget a 3 "hopwatch:path:{h1}:fp1:127.0.0.1" confirmed &&
	route d1.paths "$P2" &&
	wait_for 10 n_is 1 axlen a 3 "hopwatch:changes:{h1}:fp1:127.0.0.1" &&
	test -z "$(keys_of a 0 "*")" &&
	RAUTH=$ADMIN rcli a CLIENT LIST | grep "user=hw" &&
	! grep -E "error|refused" d1.stderr &&
	alive d1
'
test_expect_success 'the hopwatch CLI reads db 3 with the user and password' '
	"$HOPWATCH" -s "$TRASH/a.sock" -u hw -a hwpass -n 3 --source h1 paths >out &&
	cat out &&
	grep -E "^fp1 +127\.0\.0\.1 +4 +yes " out &&
	"$HOPWATCH" -c "$TRASH/d1.conf" history 127.0.0.1 >hist &&
	cat hist &&
	grep -F "h1 fp1/127.0.0.1: path changed at TTL 4" hist
'
test_expect_success 'the CLI with a wrong password or none: exit 1 and a clear message' '
	test_must_fail "$HOPWATCH" -s "$TRASH/a.sock" -u hw -a nope -n 3 --source h1 paths 2>err &&
	cat err &&
	grep -F "hopwatch: Redis at unix:$TRASH/a.sock refused AUTH as hw: WRONGPASS" err &&
	grep -F "check -u/-a or redis.user/redis.password" err &&
	test_must_fail "$HOPWATCH" -s "$TRASH/a.sock" -n 3 --source h1 paths 2>err2 &&
	cat err2 &&
	grep -F "NOAUTH" err2 && grep -F "give a password with -a or redis.password" err2 &&
	HOPWATCH_REDIS_PASSWORD=hwpass "$HOPWATCH" -s "$TRASH/a.sock" -u hw -n 3 --source h1 paths >out &&
	grep -E "^fp1 +127\.0\.0\.1 " out
'

RPORT2=$(free_udp_port) || skip_all "no free UDP port"
test_expect_success 'a wrong password: a clear error, the daemon keeps running, nothing written' '
	recv rx2 "$RPORT2" &&
	route d2.paths "$P1" &&
	RPORT=$RPORT2 fp_conf d2 h2 fp2 "$TRASH/d2.paths" a "user = \"hw\"; password = \"wrong\"; db = 3;" >d2.conf &&
	daemon d2 d2.conf &&
	wait_for 10 grep -q "WRONGPASS" d2.stderr &&
	cat d2.stderr &&
	grep -E "hopwatchd: error: redis: WRONGPASS.*\(check redis\.user, redis\.password and redis\.db\)" d2.stderr &&
	wait_for 10 more_traces rx2.out fp2 2 &&
	route d2.paths "$P2" &&
	wait_for 10 n_is 1 events rx2.out fp2 127.0.0.1 &&
	n=$(traced rx2.out fp2) &&
	wait_for 10 more_traces rx2.out fp2 $((n + 3)) &&
	wait_for 10 gauge_seen rx2.out redis.connected 0 &&
	! gauge_seen rx2.out redis.connected 1 &&
	alive d2 &&
	# several attempts were refused (the backoff: 0.5 s, 1 s, 2 s ...), one
	# error said so, and none claimed "connected" before AUTH was accepted
	test "$(grep -c "redis: WRONGPASS" d2.stderr)" = 1 &&
	! grep -F "redis: connected" d2.stderr &&
	test "$(grep -c "redis: connected" d1.stderr)" -ge 1 &&
	for db in 0 3; do
		test -z "$(keys_of a $db "*{h2}*")" || exit 1
	done
'
test_expect_success 'the password made right at run time: connected once, saying after how many refusals' '
	RAUTH=$ADMIN rcli a ACL SETUSER hw ">wrong" &&
	wait_for 40 grep -q "redis: connected to" d2.stderr &&
	cat d2.stderr &&
	grep -E "hopwatchd: info: redis: connected to .*a\.sock \(logged in after [0-9]+ refused connections\)$" d2.stderr &&
	test "$(grep -c "redis: WRONGPASS" d2.stderr)" = 1 &&
	wait_for 10 n_is 1 axlen a 3 "hopwatch:changes:{h2}:fp2:127.0.0.1" &&
	RAUTH=$ADMIN rcli a ACL SETUSER hw "<wrong" &&
	stop d2
'
RPORT3=$(free_udp_port) || skip_all "no free UDP port"
# With no password and db 0 there is no AUTH or SELECT; the PING that ends
# the setup is answered NOAUTH, which must be reported, not taken as ready
# (nothing written, nothing dropped, hopwatch.redis.connected 0).
test_expect_success 'no password for a server that needs one: an error naming redis.password, connected 0' '
	recv rx3 "$RPORT3" &&
	route d3.paths "$P1" &&
	RPORT=$RPORT3 fp_conf d3 h3 fp3 "$TRASH/d3.paths" a >d3.conf &&
	daemon d3 d3.conf &&
	wait_for 10 grep -q "NOAUTH" d3.stderr &&
	wait_for 10 more_traces rx3.out fp3 3 &&
	wait_for 10 gauge_seen rx3.out redis.connected 0 &&
	cat d3.stderr &&
	alive d3 &&
	grep -E "NOAUTH.*redis\.password" d3.stderr &&
	test "$(grep -c "NOAUTH" d3.stderr)" = 1 &&
	! grep -F "redis: connected" d3.stderr &&
	! gauge_seen rx3.out redis.connected 1 &&
	test "$(sum_counts rx3.out redis.errors)" = 0
'
test_expect_success 'stop the daemons and the password server' '
	stop d3 && stop d1 &&
	! grep INVALID rx.out rx2.out rx3.out
'

# ---------------------------------------------------------------- paused Redis
STREAM4="hopwatch:changes:{h4}:fp4:127.0.0.1"
HASH4="hopwatch:path:{h4}:fp4:127.0.0.1"
test_expect_success 'Redis paused (SIGSTOP) beyond command_timeout: logged, the daemon goes on' '
	redis_start s &&
	route d4.paths "$P1" &&
	fp_conf d4 h4 fp4 "$TRASH/d4.paths" s "connect_timeout = 0.5; command_timeout = 0.5;" >d4.conf &&
	daemon d4 d4.conf &&
	wait_for 10 n_is "$P1" hget s "$HASH4" confirmed &&
	kill -STOP "$(cat s.pid)" &&
	route d4.paths "$P2" &&
	wait_for 10 grep -q "path to 127.0.0.1 changed" d4.stderr &&
	wait_for 10 grep -qE "redis: (no reply within command_timeout|connect timed out)" d4.stderr &&
	n=$(traced rx.out fp4) &&
	wait_for 10 more_traces rx.out fp4 $((n + 3)) &&
	alive d4 &&
	test "$(events rx.out fp4 127.0.0.1)" = 1
'
test_expect_success 'after SIGCONT: reconnected, the change made during the pause is in Redis' '
	kill -CONT "$(cat s.pid)" &&
	wait_for 30 n_ge 1 xlen s "$STREAM4" &&
	wait_for 10 n_is "$P2" hget s "$HASH4" confirmed &&
	last=$(xlen s "$STREAM4") &&
	check_entry s "$STREAM4" "$last" "$P1" "$P2" 4 127.0.0.1 &&
	test "$(hget s "$HASH4" changed)" = "$(xfield s "$STREAM4" "$last" ts)" &&
	# "connected" is said once the PING after AUTH and SELECT is answered:
	# the writes above may be those of the old connection, run by Redis
	# when resumed, before the new connection of the daemon is ready
	wait_for 15 n_ge 2 grep -c "redis: connected to" d4.stderr &&
	alive d4
'
# Commands written before the pause are in Redis's socket buffer; when
# resumed, Redis runs them although the daemon gave up on that connection
# and writes them again: the XADD's own id makes the replay a no-op.
test_expect_success 'after SIGCONT: the change is in the stream once' '
	n=$(traced rx.out fp4) &&
	wait_for 10 more_traces rx.out fp4 $((n + 3)) &&
	rcli s XRANGE "$STREAM4" - + &&
	test "$(xlen s "$STREAM4")" = 1
'
test_expect_success 'stop' '
	stop d4 &&
	! grep INVALID rx.out
'

test_done
