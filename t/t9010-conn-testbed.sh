#!/bin/bash
# t9010: the conn plugin across the testbed (src - r1 - d1): hopwatchd and
# the clients live in src, hwxfer serves in d1.  Behind a known delay
# (hwdelay, +15 ms RTT) conn.rtt is within 10% of it; bytes are exact to
# the byte over many connections of known sizes, IPv4 and IPv6; without
# loss there are no retransmits, with 5% loss (nft on r1) there are, and
# the bytes stay exact; a SYN dropped at d1 is a timeout.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip nft timeout awk
for tool in dsd-recv hwxfer hwdelay; do
	[ -x "$TOOLS/$tool" ] || skip_all "t/tools/$tool is not built (run make)"
done
[ -e "$PLUGIN_DIR/conn.so" ] || skip_all "plugins/conn.so is not built (run make)"

tb_chain a 1 1 || { echo "Bail out! tb_chain failed"; exit 1; }
D4=$(tb_addr d1 4)
D6=$(tb_addr d1 6)
STATSD_PORT=8125
REPLY=3000
tb_exec d1 "$TOOLS/hwxfer" serve -T 300 7001 $REPLY &
tb_exec d1 "$TOOLS/hwxfer" serve -T 300 7002 10 &
tb_filter d1 7009 || { echo "Bail out! tb_filter failed"; exit 1; }
wait_for 5 sh -c "ip netns exec $(tb_ns d1) ss -ltn | grep -q ':7002 '" || { echo "Bail out! servers"; exit 1; }
hw_run() { run_hopwatchd "$(tb_ns src)" "$@"; }
in_src() { tb_exec src "$@"; }
. "$SRCDIR/t/lib/conn.sh"

# bulk DST SIZE: after 1.5 s, 6 x SIZE and 3 x 1 bytes to DST port 7001
bulk() {
	sleep 1.5
	in_src "$TOOLS/hwxfer" connect "$1" 7001 6 "$2"
	in_src "$TOOLS/hwxfer" connect "$1" 7001 3 1
}

tb_delay r1 10 5 || { echo "Bail out! tb_delay failed"; exit 1; }

test_expect_success 'RTT within 10% of a 15 ms delay; bytes exact; no retransmits (IPv4, IPv6)' '
	conn_conf hw.conf &&
	for dst in $D4 $D6; do
		for k in 1 2 3; do
			{ sleep 1.2; in_src "$TOOLS/hwxfer" connect -k 3 $dst 7002 1 100 >/dev/null; } &
		done
		{ bulk $dst 50000 >xfer.$k.${dst%%:*}; } &
	done &&
	hw_run hw.conf 6 && wait &&
	for dst in $D4 $D6; do
		cvalues rtt outgoing $dst 7002 | sort -n >rtt &&
		echo "RTTs to $dst: $(paste -sd" " rtt)" &&
		test "$(wc -l <rtt)" -ge 6 &&
		awk "{ v[NR] = \$1; if (\$1 < 13.5 || \$1 > 16.5) bad = 1 } END { exit bad }" rtt &&
		want "$dst sent" $(csum bytes_sent outgoing $dst 7001) 300003 &&
		want "$dst received" $(csum bytes_received outgoing $dst 7001) $((9 * REPLY)) &&
		want "$dst opened" $(csum opened outgoing $dst 7001) 9 &&
		want "$dst retransmits" $(csum retransmits outgoing $dst 7001) 0 || return 1
	done
'

test_expect_success '5% loss: retransmits > 0, bytes still exact; a dropped SYN is a timeout' '
	tb_undelay r1 && tb_loss r1 5 5 &&
	conn_conf hw.conf &&
	# the dropped SYN beside the transfers, not after them: its connect
	# gives up 3 s later (TCP_SYNCNT 1), which must fall inside the run
	# even when loss and a slow build stretch the transfers; 1.5 s in,
	# after the first dump of the daemon (its baseline), as bulk does
	{ bulk $D4 400000 >xfer; } &
	{ sleep 1.5; in_src "$TOOLS/hwxfer" connect -s 1 $D4 7009 1 10 >xfer.syn; } &
	hw_run hw.conf 9 && wait && cat xfer xfer.syn &&
	grep -q "ok 6 " xfer && grep -q "timeout 1 " xfer.syn &&
	test "$(csum retransmits outgoing $D4 7001)" -gt 0 &&
	want sent $(csum bytes_sent outgoing $D4 7001) 2400003 &&
	want received $(csum bytes_received outgoing $D4 7001) $((9 * REPLY)) &&
	want timeout $(cfailed timeout outgoing $D4 7009) 1
'

test_done
