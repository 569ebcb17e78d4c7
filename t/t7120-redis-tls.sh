#!/bin/bash
# t7120-redis-tls: Redis over TLS the supported way, through an stunnel
# client (contrib/stunnel), end to end against `redis-server --tls-port`
# with certificates made here:
# - path changes reach the TLS-only server through the tunnel, as with a
#   plain Redis;
# - a certificate that does not verify: the tunnel says why, hopwatchd
#   reports Redis down and goes on, and the change made meanwhile is
#   stored once the tunnel trusts the right CA (nothing lost).
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/redis.sh"
. "$SRCDIR/t/lib/cluster.sh"

require_cmd openssl stunnel4
RPORT=$(free_udp_port) || skip_all "no free UDP port"
P1="10.1.0.1,10.1.0.2,10.1.0.3"
P2="10.1.0.1,10.9.0.2,10.1.0.3"
P3="10.1.0.1,10.8.0.2,10.1.0.3"
HASH="hopwatch:path:{h1}:fp1:127.0.0.1"
STREAM="hopwatch:changes:{h1}:fp1:127.0.0.1"

# conf PORT: fakepath writing to Redis at 127.0.0.1:PORT
conf() {
	fp_tcp_conf "$1" "$TRASH/d1.paths"
}
# tls NAME ARGS...: redis-cli through the tunnel of NAME
tls() {
	local p
	p=$(port_of "$1")
	shift
	redis-cli -h 127.0.0.1 -p "$p" "$@"
}
# direct ARGS...: redis-cli speaking TLS itself to the server (a second opinion)
direct() {
	redis-cli --tls --cacert "$TRASH/t-tls/ca.crt" -h 127.0.0.1 -p "$(port_of t-tls)" "$@"
}

test_expect_success 'a TLS-only redis-server and a verifying stunnel client' '
	tls_start t &&
	tls t PING | grep -x PONG &&
	! redis-cli -h 127.0.0.1 -p "$(port_of t-tls)" PING >plain.out 2>&1
'
test_expect_success 'path changes reach the TLS server through the tunnel' '
	recv rx "$RPORT" &&
	route d1.paths "$P1" &&
	conf "$(port_of t)" >d1.conf &&
	daemon d1 d1.conf &&
	wait_for 10 n_is "$P1" tls t HGET "$HASH" confirmed &&
	route d1.paths "$P2" &&
	wait_for 10 n_is 1 tls t XLEN "$STREAM" &&
	test "$(direct HGET "$HASH" confirmed)" = "$P2" &&
	wait_for 5 gauge_seen rx.out redis.connected 1
'
test_expect_success 'a certificate that does not verify: clear error, daemon goes on' '
	stop d1 &&
	bad=$(free_tcp_port) && echo "$bad" >bad.port &&
	stunnel_conf "$bad" "$(port_of t-tls)" "$TRASH/t-tls/other.crt" >bad.conf &&
	spawn badtun stunnel4 "$TRASH/bad.conf" &&
	wait_for 10 ss_listens "$bad" &&
	: >rx.out &&
	conf "$bad" >d2.conf &&
	daemon d2 d2.conf &&
	wait_for 10 grep -qi "certificate verify failed" badtun.stderr &&
	wait_for 10 gauge_seen rx.out redis.connected 0 &&
	route d1.paths "$P3" &&
	wait_for 10 grep -q "changed at TTL 2" d2.stderr &&
	alive d2 &&
	test "$(tls t XLEN "$STREAM")" = 1
'
test_expect_success 'the tunnel fixed: the change made meanwhile is stored, once' '
	stop badtun &&
	bad=$(cat bad.port) &&
	stunnel_conf "$bad" "$(port_of t-tls)" "$TRASH/t-tls/ca.crt" >good.conf &&
	spawn goodtun stunnel4 "$TRASH/good.conf" &&
	wait_for 20 n_is 2 tls t XLEN "$STREAM" &&
	test "$(tls t HGET "$HASH" confirmed)" = "$P3" &&
	wait_for 10 gauge_seen rx.out redis.connected 1 &&
	sleep 1 &&
	test "$(tls t XLEN "$STREAM")" = 2 &&
	alive d2 && stop d2 &&
	! grep INVALID rx.out
'

test_expect_success 'the shipped contrib/stunnel/redis-tls.conf works with its addresses set' '
	p=$(free_tcp_port) &&
	sed -e "s|^accept = .*|accept = 127.0.0.1:$p|" \
	    -e "s|^connect = .*|connect = 127.0.0.1:$(port_of t-tls)|" \
	    -e "s|^CAfile = .*|CAfile = $TRASH/t-tls/ca.crt|" \
	    -e "s|^checkHost = .*|checkHost = localhost|" \
	    -e "s|^sni = .*|sni = localhost|" \
	    "$SRCDIR/contrib/stunnel/redis-tls.conf" >shipped.conf &&
	! grep -q "example" shipped.conf &&
	spawn shipped stunnel4 "$TRASH/shipped.conf" &&
	wait_for 10 ss_listens "$p" &&
	redis-cli -h 127.0.0.1 -p "$p" HGET "$HASH" confirmed | grep -x "$P3"
'
test_expect_success 'the shipped unit verifies (when systemd-analyze is there)' '
	if ! command -v systemd-analyze >/dev/null; then echo "no systemd-analyze"; exit 0; fi &&
	cp "$SRCDIR/contrib/stunnel/hopwatch-redis-tls.service" . &&
	systemd-analyze verify --man=no ./hopwatch-redis-tls.service 2>verify.err;
	cat verify.err; ! grep -v "hopwatchd.service" verify.err | grep -q .
'

test_done
