#!/bin/bash
# contrib/redis/path-change-alerts.sh against a real redis-server: a path
# change published on the channel becomes an alert line; with no syslog
# socket the line goes to standard error instead of nowhere.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/redis.sh"

ALERTS=$SRCDIR/contrib/redis/path-change-alerts.sh
MSG='{"source":"h1","probe":"p","target":"d1.test","first_diff_ttl":3,"old":["a","b","c"],"new":["a","b","x"]}'

# subscribed: the consumer listens on the channel
subscribed() {
	test "$(rcli r PUBSUB NUMSUB hopwatch:path-changes | tail -n 1)" = 1
}

# alerts N: N alert lines so far
alerts() {
	test "$(grep -c "changed at TTL" "$TRASH/alerts.stderr")" -eq "$1"
}

test_expect_success 'start redis-server' '
	redis_start r
'
test_expect_success 'no syslog: the consumer says so, then alerts on stderr' '
	REDIS="-s $TRASH/r.sock" SYSLOG_SOCKET=$TRASH/no-such.sock spawn alerts sh "$ALERTS" &&
	wait_for 10 grep -q "no syslog at" "$TRASH/alerts.stderr" &&
	wait_for 10 subscribed &&
	rcli r PUBLISH hopwatch:path-changes "$MSG" &&
	wait_for 10 grep -q "changed at TTL" "$TRASH/alerts.stderr" &&
	grep -x "hopwatch-alert: warning: path from h1 to d1.test changed at TTL 3" "$TRASH/alerts.stderr"
'
test_expect_success 'messages of other kinds and channels are not alerts' '
	rcli r PUBLISH other-channel "$MSG" &&
	rcli r PUBLISH hopwatch:path-changes "$MSG" &&
	wait_for 10 alerts 2
'

test_done
