#!/bin/bash
# t0100-dsd-recv: the strict DogStatsD receiver itself.  Every other test
# trusts dsd-recv to reject what the agent would choke on, so its rules are
# pinned here: a table of lines that must parse and lines that must not
# (fed through -p), then real round trips over UDP and a Unix socket.
. "$(dirname "$0")/test-lib.sh"

DSD=$TOOLS/dsd-recv
[ -x "$DSD" ] || skip_all "t/tools/dsd-recv is not built (run make)"

# TAP reads "# SKIP"/"# TODO" in a description as a directive: escape '#'
tap_desc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/#/\\#/g'; }

# bash_udp_send PORT FORMAT: send with bash's /dev/udp.  Bash line-buffers
# its stdout, so every line becomes its own datagram: fine for one line,
# useless for packing (use dsd-recv -S -1 for that).
bash_udp_send() {
	bash -c 'printf "$1" >"/dev/udp/127.0.0.1/$0"' "$1" "$2"
}

# must_parse LINE: -p accepts it, exits 0 and prints it back unchanged
must_parse() {
	line=$1
	test_expect_success "parses: $(tap_desc "$line")" '
		printf "%s\n" "$line" | "$DSD" -p >out 2>err &&
		printf "%s\n" "$line" >expect &&
		cmp expect out &&
		! test -s err
	'
}

# must_reject WHY LINE: -p exits exactly 3, prints nothing, says why
must_reject() {
	line=$2
	test_expect_success "rejects ($1): $(tap_desc "$line")" '
		rc=0 &&
		{ printf "%s\n" "$line" | "$DSD" -p >out 2>err || rc=$?; } &&
		test "$rc" = 3 &&
		! test -s out &&
		grep "^dsd-recv: invalid: " err
	'
}

while IFS= read -r l; do
	must_parse "$l"
done <<'EOF'
page.views:1|c
page.views:1|c|@0.5
page.views:1|c|@1
page.views:-3|c|@0.001|#env:prod,role:web
temp:21.5|g
temp:-0.25|g|#room:1|T1700000000
temp:0|g|T1700000000
hits:7|c|T1700000000
hits:7|c|@0.1|#a,b:c|c:abc123|T1700000000
lat:12|ms
lat:12.000|ms|@0.25
size:100|h|#bare
size:1:2:3|h
rtt:0.5:0.6:0.7|d|@0.5|#hop:3
users:alice|s
users:12|s|#env:prod
a:1|c|#key:
A9_.z:1|c
x:1|c|c:container-1
x:1|g|#env:prod,version:1.2.3|c:id
x:1|c|#key:val:more
_e{5,4}:title|text
_e{5,0}:title|
_e{6,4}:héllo|text
_e{5,6}:title|a\nb\n
_e{3,3}:a|b|c|d
_e{5,4}:title|text|d:1700000000|h:host1|k:agg|p:low|s:hopwatch|t:warning|#env:prod
_e{5,4}:title|text|p:normal|t:error
_e{5,4}:title|text|t:success|#a
_sc|hopwatch.up|0
_sc|hopwatch.up|3|d:1700000000|h:host1|#env:prod|m:all good
_sc|hopwatch.up|2|m:lost m\: 5 \n again
_sc|hopwatch.up|1|#a:b,c
EOF

while IFS='	' read -r why l; do
	must_reject "$why" "$l"
done <<'EOF'
bad type	x:1|x
no type	x:1
empty type	x:1|
no value	x|c
empty value	x:|c
empty second value	x:1:|d
name starts with digit	1x:1|c
name starts with underscore	_x:1|c
name with dash	x-y:1|c
empty name	:1|c
exponent value	x:1e3|g
leading plus	x:+1|g
nan	x:nan|g
inf	x:inf|g
trailing dot	x:1.|g
leading dot	x:.5|g
multi-value set	users:alice:bob|s
empty set value	users:|s
rate on gauge	x:1|g|@0.5
rate on set	x:a|s|@0.5
rate zero	x:1|c|@0
rate above one	x:1|c|@1.5
rate empty	x:1|c|@
T on histogram	x:1|h|T1700000000
T on distribution	x:1|d|T1700000000
T not digits	x:1|g|T17e8
empty tags	x:1|c|#
empty tag	x:1|c|#a,,b
trailing comma tag	x:1|c|#a,
empty tag key	x:1|c|#:v
hash in tag	x:1|c|#a#b
tags before rate	x:1|c|#a|@0.5
T before tags	x:1|g|T1|#a
duplicate tags	x:1|c|#a|#b
duplicate rate	x:1|c|@0.5|@0.5
unknown field	x:1|c|x:y
empty field	x:1|c||#a
empty container	x:1|c|c:
event title too short	_e{4,4}:title|text
event title counted in chars	_e{5,4}:héllo|text
event text too long	_e{5,5}:title|text
event text too short	_e{5,3}:title|text
event empty title	_e{0,4}:|text
event bad header	_e{5}:title|text
event no colon	_e{5,4}title|text
event bad priority	_e{5,4}:title|text|p:high
event bad alert type	_e{5,4}:title|text|t:fatal
event bad timestamp	_e{5,4}:title|text|d:soon
event empty host	_e{5,4}:title|text|h:
event unknown field	_e{5,4}:title|text|x:1
event fields out of order	_e{5,4}:title|text|t:info|p:low
event empty tag	_e{5,4}:title|text|#a,
sc status 4	_sc|hopwatch.up|4
sc status word	_sc|hopwatch.up|ok
sc no status	_sc|hopwatch.up
sc empty status	_sc|hopwatch.up|
sc bad name	_sc|9up|0
sc m not last	_sc|hopwatch.up|0|m:msg|#a
sc pipe in message	_sc|hopwatch.up|0|m:a|b
sc unknown field	_sc|hopwatch.up|0|k:x
sc empty message	_sc|hopwatch.up|0|m:
sc bad timestamp	_sc|hopwatch.up|0|d:-1
EOF

long=$(printf 'a%.0s' $(seq 200))
must_parse "$long:1|c"
must_reject "name over 200 bytes" "${long}b:1|c"
must_reject "sc name over 200 bytes" "_sc|${long}b|0"

test_expect_success 'rejects an empty line and control bytes' '
	rc=0 && { echo | "$DSD" -p >out 2>err || rc=$?; } &&
	test $rc = 3 && grep "invalid: empty line: $" err &&
	rc=0 && { printf "x:1|c\r\n" | "$DSD" -p >out 2>err || rc=$?; } &&
	test $rc = 3 && grep "control byte 0x0d: x:1|c\\\\x0d$" err &&
	rc=0 && { printf "x:1|c|#a\tb\n" | "$DSD" -p >out 2>err || rc=$?; } &&
	test $rc = 3 && grep "control byte 0x09" err
'

test_expect_success '-p: valid lines printed, invalid ones to -o as INVALID, status 3' '
	printf "a:1|c\nb:1|q\nc:2|g\n" >in &&
	rc=0 && { "$DSD" -p -o out <in 2>err || rc=$?; } &&
	test $rc = 3 &&
	test "$(sed -n 1p out)" = "a:1|c" &&
	sed -n 2p out | grep "^INVALID dsd-recv: invalid: unknown type .q.: b:1|q$" &&
	test "$(sed -n 3p out)" = "c:2|g" &&
	grep "^dsd-recv: invalid: unknown type .q.: b:1|q$" err &&
	test "$(wc -l <err)" = 1
'

test_expect_success 'empty stdin is not an error' '
	"$DSD" -p </dev/null >out && ! test -s out
'

# start_recv ARGS...: dsd-recv in the background (-D, -o out, -r ready,
# -t 10), waits until it is bound; its pid is in $recv_pid
start_recv() {
	rm -f ready
	"$DSD" -D -o out -r ready -t 10 "$@" 2>recv.err &
	recv_pid=$!
	wait_for 5 test -e ready
}

test_expect_success 'UDP round trip: packing headers, bash /dev/udp and -S' '
	port=$(free_udp_port) &&
	start_recv -u 127.0.0.1:$port -n 5 &&
	bash_udp_send $port "a:1|c\n" &&
	printf "b:2|g\n_sc|hopwatch.up|0\n" | "$DSD" -S -1 -u 127.0.0.1:$port &&
	printf "_e{1,1}:t|x\nc:-1.5|c\n" | "$DSD" -S -u 127.0.0.1:$port &&
	wait $recv_pid &&
	cat >expect <<-\EOT &&
	# datagram 6 bytes 1 lines
	a:1|c
	# datagram 24 bytes 2 lines
	b:2|g
	_sc|hopwatch.up|0
	# datagram 12 bytes 1 lines
	_e{1,1}:t|x
	# datagram 9 bytes 1 lines
	c:-1.5|c
	EOT
	cmp expect out
'

test_expect_success 'the last line of a datagram must end with a newline' '
	port=$(free_udp_port) &&
	start_recv -u 127.0.0.1:$port -n 5 &&
	printf "a:1|c\nb:2|g" | "$DSD" -S -1 -u 127.0.0.1:$port &&
	printf "c:3|g" | "$DSD" -S -1 -u 127.0.0.1:$port &&
	printf "" | "$DSD" -S -1 -u 127.0.0.1:$port &&
	printf "d:4|g\n" | "$DSD" -S -1 -u 127.0.0.1:$port &&
	rc=0 && { wait $recv_pid || rc=$?; } &&
	test $rc = 3 &&
	cat >expect <<-\EOT &&
	# datagram 11 bytes 2 lines
	a:1|c
	INVALID dsd-recv: invalid: last line not ended by a newline: b:2|g
	# datagram 5 bytes 1 lines
	INVALID dsd-recv: invalid: last line not ended by a newline: c:3|g
	# datagram 0 bytes 1 lines
	INVALID dsd-recv: invalid: last line not ended by a newline: 
	# datagram 6 bytes 1 lines
	d:4|g
	EOT
	cmp expect out &&
	test $(grep -c "not ended by a newline" recv.err) = 3
'

test_expect_success 'UDP on loopback: a datagram over 8192 bytes is rejected (1432 elsewhere)' '
	port=$(free_udp_port) &&
	start_recv -u 127.0.0.1:$port -n 1 &&
	{ printf "x:1|c\n%.0s" $(seq 1400); } >big &&
	test $(wc -c <big) = 8400 &&
	"$DSD" -S -1 -u 127.0.0.1:$port <big &&
	rc=0 && { wait $recv_pid || rc=$?; } &&
	test $rc = 3 &&
	grep "^# datagram 8400 bytes 1400 lines" out &&
	grep "^INVALID dsd-recv: invalid: datagram of 8400 bytes exceeds 8192: x:1|c$" out &&
	! grep "^x:1" out
'

test_expect_success 'UDP: -m 1432 (a route of MTU 1500) refuses 1500 bytes' '
	port=$(free_udp_port) &&
	start_recv -u 127.0.0.1:$port -n 1 -m 1432 &&
	{ printf "x:1|c\n%.0s" $(seq 250); } >big &&
	"$DSD" -S -1 -u 127.0.0.1:$port <big &&
	rc=0 && { wait $recv_pid || rc=$?; } &&
	test $rc = 3 &&
	grep "^INVALID dsd-recv: invalid: datagram of 1500 bytes exceeds 1432: x:1|c$" out
'

test_expect_success 'UDP: -m raises the limit' '
	port=$(free_udp_port) &&
	start_recv -u 127.0.0.1:$port -n 250 -m 1500 &&
	"$DSD" -S -1 -u 127.0.0.1:$port <big &&
	wait $recv_pid &&
	test $(grep -c "^x:1|c$" out) = 250
'

test_expect_success 'Unix datagram round trip, then an oversized datagram' '
	start_recv -U "$TRASH/dsd.sock" -n 5 &&
	test -S "$TRASH/dsd.sock" &&
	printf "a:1|c\nb:2|g\nc:3|d\n" | "$DSD" -S -1 -U "$TRASH/dsd.sock" &&
	echo "_sc|x|1|m:warn" | "$DSD" -S -U "$TRASH/dsd.sock" &&
	{ printf "y:1|c\n%.0s" $(seq 1640); } | "$DSD" -S -1 -U "$TRASH/dsd.sock" &&
	rc=0 && { wait $recv_pid || rc=$?; } &&
	test $rc = 3 &&
	! test -e "$TRASH/dsd.sock" &&
	cat >expect <<-\EOT &&
	# datagram 18 bytes 3 lines
	a:1|c
	b:2|g
	c:3|d
	# datagram 15 bytes 1 lines
	_sc|x|1|m:warn
	# datagram 9840 bytes 1640 lines
	INVALID dsd-recv: invalid: datagram of 9840 bytes exceeds 8192: y:1|c
	EOT
	cmp expect out &&
	grep "^dsd-recv: invalid: datagram of 9840" recv.err
'

test_expect_success 'Unix: invalid line inside a datagram; stale socket replaced' '
	rm -f ready &&
	{ "$DSD" -U "$TRASH/dsd.sock" -r ready -t 10 & } &&
	pid=$! && wait_for 5 test -e ready &&
	kill -KILL $pid && { wait $pid || :; } &&
	test -S "$TRASH/dsd.sock" &&
	start_recv -U "$TRASH/dsd.sock" -n 4 &&
	printf "a:1|c\na:1|c|@2\n\n" | "$DSD" -S -1 -U "$TRASH/dsd.sock" &&
	printf "z:1|c\n" | "$DSD" -S -1 -U "$TRASH/dsd.sock" &&
	rc=0 && { wait $recv_pid || rc=$?; } &&
	test $rc = 3 &&
	grep "^INVALID .*bad sample rate .2.: a:1|c|@2$" out &&
	grep "^INVALID .*empty line: $" out &&
	grep "^z:1|c$" out
'

test_expect_success 'SIGTERM exits cleanly with status 0, and -t bounds the run' '
	start_recv -U "$TRASH/dsd.sock" &&
	kill -TERM $recv_pid &&
	wait $recv_pid &&
	! test -e "$TRASH/dsd.sock" &&
	rm -f ready &&
	"$DSD" -t 1 -r ready -U "$TRASH/dsd.sock" &&
	test -e ready
'

test_done
