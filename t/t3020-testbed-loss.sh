#!/bin/bash
# t3020: packet loss on a link (tb_loss: nft numgen; tb_delay: hwdelay's
# random loss) is observed by 1000 pings within 5 points (binomial sigma
# is about 1.3 points at 20%), only beyond the lossy router.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip ping nft awk
test -x "$TOOLS/hwdelay" || skip_all "t/tools/hwdelay not built"

tb_chain a 3 1 || { echo "Bail out! tb_chain failed"; exit 1; }

# loss_pct NODE FAM: packet loss in percent of 1000 pings from src, 2 ms apart
loss_pct() {
	tb_exec src ping -$2 -n -q -c 1000 -i 0.002 -W 1 "$(tb_addr $1 $2)" |
		sed -n "s/.* \([0-9.]*\)% packet loss.*/\1/p"
}

# near GOT WANT TOL: |GOT - WANT| <= TOL
near() {
	echo "got $1 want $2 +-$3"
	awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && d <= t) }'
}

test_expect_success 'no loss by default' '
	near $(loss_pct d1 4) 0 0
'

test_expect_success 'tb_loss r2 20: 20% loss after r2, none at r2' '
	tb_loss r2 20 &&
	near $(loss_pct d1 4) 20 5 &&
	near $(loss_pct r2 4) 0 0
'

test_expect_success 'tb_loss r2 0 20: the same towards src, IPv6' '
	tb_loss r2 0 20 &&
	near $(loss_pct d1 6) 20 5
'

test_expect_success 'tb_loss r2 20 20: both ways, 1-0.8^2 = 36%' '
	tb_loss r2 20 20 &&
	near $(loss_pct d1 4) 36 5
'

test_expect_success 'tb_loss r2 0 removes the loss' '
	tb_loss r2 0 &&
	! tb_exec r2 nft list tables | grep -q tbloss &&
	near $(loss_pct d1 4) 0 0
'

test_expect_success 'hwdelay loss 10% each way: 19%, counted in its stats' '
	tb_delay r2 0:0:10 0:0:10 &&
	near $(loss_pct d1 4) 19 5 &&
	tb_undelay r2 >stats && cat stats &&
	awk "/tbdn:/ { r = \$4; l = \$8 } END { exit !(l > 0.05 * r && l < 0.15 * r) }" stats
'

test_expect_success 'hwdelay loss 100% down: nothing after r2 answers' '
	tb_delay r3 0:0:100 &&
	near $(tb_exec src ping -n -q -c 20 -i 0.01 -W 1 "$(tb_addr d1)" |
		sed -n "s/.* \([0-9.]*\)% packet loss.*/\1/p") 100 0 &&
	tb_exec src ping -n -c 1 -W 2 "$(tb_addr r3)" &&
	tb_undelay r3 >/dev/null
'

test_done
