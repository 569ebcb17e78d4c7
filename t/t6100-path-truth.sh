#!/bin/bash
# t6100: per-hop truth of the path plugin on a network that behaves like a
# real one (issue 13): routers keep the kernel's ICMP rate limits (profile
# linux), then police time exceeded like vendor routers (profile strict).
# Topology: src - r1 - {r2|t2 ECMP per flow} - r3 - r4 - r5 - d1, d1
# answering a /16 (many targets); hop 6 is the destination.  Per profile:
#   - lossless, 20 and 200 targets: every trace reaches; no intermediate
#     hop's mean path.hop.loss above 1 %; a trace takes about a round trip
#     plus the sending spread, not a timeout;
#   - 10 % dropped each way on the link into r4 (tb_loss r3): hops 1..3 at
#     most 1 %, hops 4, 5 and the destination 19 +- 3 % (1 - 0.9^2), over
#     at least 2,000 probes per hop;
#   - a silent r4: unknown at TTL 4, not 100 % loss; later hops unaffected;
#   - ECMP: every target's hop 2 is its own branch's, in every trace.
# Per-hop figures are read as path.hop.loss (forwarding loss that persists
# downstream) and path.hop.response (share of probes the hop answered).
# The engine paces per responder (a budget per router shared by every
# trace; a router's first tokens go to the targets and flows still
# learning it; Doubletree's sharing of hops near the source; on a lossy
# path no rate increase before the loss's onset, and no back-off on
# forwarding loss) and
# attributes loss by locating its onset (attribution.h): hops from the
# onset read the destination's figure, hops before it 0 once their own
# window shows them clean, no value while it cannot tell yet.  Under the
# linux profile a router answers our source about once a second, so a hop
# holds about one sample a second of its own: the drop case runs 65 rounds
# (hops 1..3 are shown clean of 19 % after ~24 of them, r4 is shown to
# lose after 3 of its own answers went missing), and ECMP flows on
# a branch that many flows hash to learn it one a second (see below).
# Nothing here asserts a time except "finished well inside the timeout"
# (a structural bound).
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/testbed.sh"
require_root
require_cmd ip nft timeout awk sort
[ -x "$TOOLS/dsd-recv" ] || skip_all "t/tools/dsd-recv is not built (run make)"
[ -e "$PLUGIN_DIR/path.so" ] || skip_all "plugins/path.so is not built (run make)"

tb_chain t 5 1 || { echo "Bail out! tb_chain failed"; exit 1; }
tb_route r2 ecmp || { echo "Bail out! tb_route failed"; exit 1; }
tb_many d1 4 >/dev/null || { echo "Bail out! tb_many failed"; exit 1; }
STATSD_PORT=8125
R2=$(tb_addr r2) T2=$(tb_addr t2)
TIMEOUT_MS=300

. "$SRCDIR/t/lib/path.sh"

# run_truth NAME N INTERVAL SECONDS QUERIES: the path plugin (icmp, dgram
# mode, as in the issue's lab) on the first N targets; lines in out.NAME
run_truth() {
	write_conf hw.conf "$3" "${TIMEOUT_MS}ms" "$(probe p icmp dgram "$(targets "$2")" "max_ttl = 8; queries = $5;")" &&
	hw_run hw.conf "$4" &&
	cp out "out.$1"
}
# every_reached NAME N: N distinct targets traced, every trace reached
every_reached() {
	trace_stat "$1" path.reachable &&
	test "$(grep -c '^hopwatch\.path\.reachable:0|' "out.$1")" = 0 &&
	test "$(grep '^hopwatch\.path\.reachable:1|' "out.$1" | sed 's/.*,target:\([^,]*\),.*/\1/' | sort -u | wc -l)" = "$2"
}
# quick_traces NAME: the median path.duration is under a fifth of the
# timeout (a round trip here is under 1 ms; a trace that waits for a
# missing reply takes the whole timeout)
quick_traces() {
	awk '/^hopwatch\.path\.duration:/ { split($0, a, /[:|]/); print a[2] }' "out.$1" | sort -g |
		awk -v lim=$((TIMEOUT_MS / 5)) '{ v[NR] = $1 } END {
			m = NR ? v[int((NR + 1) / 2)] : -1
			print "median path.duration " m " ms over " NR " traces, want < " lim
			exit !(NR > 0 && m < lim) }'
}

for prof in linux strict; do
	P=$prof

	test_expect_success "$P: profile set on every node" '
		tb_icmp_profile all $P &&
		for n in $(tb_nodes); do test "$(cat "$TB_DIR/$TB_TOPO/icmp.$n")" = $P || exit 1; done
	'

	# 20 targets, a round a second for 8 s: 3 queries x 6 TTLs each
	test_expect_success "$P, lossless, 20 targets: every trace reaches the destination, no loss there" '
		run_truth $P-20 20 1s 8.5 3 &&
		every_reached $P-20 20 &&
		in_range "$(trace_stat $P-20 path.loss)" 0 1 100 &&
		in_range "$(hop_stat $P-20 path.hop.loss 6)" 0 1 100
	'
	test_expect_success "$P, lossless, 20 targets: hops 1..5 mean path.hop.loss <= 1%" '
		hops_loss_in $P-20 0 1 1 1 2 3 4 5
	'
	# The ECMP fork (hop 2) has figures once flows know their branch: a
	# flow that does not yet sends its query 0 there out of budget (to
	# learn the address; its miss would say nothing, so its answer is
	# not counted either), and the flows hashed to a branch learn it one
	# a second (see below)
	test_expect_success "$P, lossless, 20 targets: path.hop.response reported for every hop" '
		for h in 1 2 3 4 5 6; do
			printf "hop %s: " $h &&
			in_range "$(hop_stat $P-20 path.hop.response $h)" 0 100 $([ $h = 2 ] && echo 20 || echo 100) || exit 1
		done
	'
	test_expect_success "$P, lossless, 20 targets: a trace takes about a round trip, not a timeout" '
		quick_traces $P-20
	'
	# ECMP: the 20 targets are 20 flows; each keeps its branch at TTL 2.
	# "*" (unknown) and "?" (no figures for the hop in that trace: not
	# measured) show no branch at all, so neither is the other branch
	test_expect_success "$P, ECMP: no target ever shows the other branch" '
		for i in $(seq 1 20); do
			a=$(tb_many_addr d1 $i) &&
			cp out.$P-20 out && traces p "$a" | cut -d" " -f2 | grep -v "^[*?]$" | sort -u >br.$i &&
			test "$(wc -l <br.$i)" -le 1 || { echo "$a: $(cat br.$i)"; exit 1; }
		done &&
		cat br.* | sort | uniq -c &&
		grep -qx "$R2" br.* && grep -qx "$T2" br.*
	'
	# Every trace shows its target's own branch, from the target's first
	# trace that could see it.  Each flow must ask its branch router for
	# itself (a branch is never borrowed), and a Linux router answers 6
	# probes and then 1 a second per source: a branch that n of the 20
	# flows hash to can tell them all their branch after n - 6 seconds at
	# best (the hash may put 14 flows on one branch: 8 s).  The engine
	# gives a router's tokens to the flows still learning it first, so a
	# target may show no branch ("?", not measured) in its first traces,
	# at most its first max(5, n - 4) (strict: 10 a second, the first 5),
	# and never after its branch was shown once.
	test_expect_success "$P, ECMP: every trace of every target shows its branch at TTL 2 once it was seen" '
		for i in $(seq 1 20); do
			a=$(tb_many_addr d1 $i) &&
			cp out.$P-20 out && traces p "$a" | cut -d" " -f2 >tr.$i || exit 1
		done &&
		nr2=$(grep -lx "$R2" tr.* | wc -l) && nt2=$(grep -lx "$T2" tr.* | wc -l) &&
		echo "flows per branch: $R2 $nr2, $T2 $nt2" &&
		for i in $(seq 1 20); do
			awk -v r2="$R2" -v t2="$T2" -v nr2="$nr2" -v nt2="$nt2" "
				\$1 == r2 || \$1 == t2 { seen = 1; n = \$1 == r2 ? nr2 : nt2; next }
				seen { bad = 1 }
				{ q++ }
				END {
					lim = n - 4 > 5 ? n - 4 : 5
					if (!seen) lim = (nr2 > nt2 ? nr2 : nt2) + 20 - nr2 - nt2 - 4
					if (lim < 5) lim = 5
					exit bad || q > lim }" tr.$i || { echo "target $i:"; cat tr.$i; exit 1; }
		done
	'

	# 200 targets: about 4,000 probes a round (2 s at the default 2,000
	# probes/s), a round every 3 s for 8 s
	test_expect_success "$P, lossless, 200 targets: every trace reaches the destination, no loss there" '
		run_truth $P-200 200 3s 8.5 3 &&
		every_reached $P-200 200 &&
		in_range "$(trace_stat $P-200 path.loss)" 0 1 400
	'
	# hop 2, the ECMP fork, has no figures yet: 200 flows learn their
	# branch at about one a second per branch router (learners first),
	# and a new process presumes the routers' buckets empty (t6110), so
	# its first figures come after ~20 s.  It never reads loss
	test_expect_success "$P, lossless, 200 targets: hops 1..5 mean path.hop.loss <= 1%" '
		hops_loss_in $P-200 0 1 1 1 3 4 5 &&
		printf "hop 2 (the fork): %s\n" "$(hop_stat $P-200 path.hop.loss 2)" &&
		! grep "^hopwatch\.path\.hop\.loss:" out.$P-200 | grep ",hop:2," | grep -qv "^hopwatch\.path\.hop\.loss:0|"
	'

	# 10 % each way below r3: probes for TTL >= 4 cross it twice (19 %).
	# 20 targets x 10 queries x 65 rounds: 13,000 probes per hop.  A
	# router answers our source about once a second (linux), so a hop's
	# own window holds about 1 sample per round: enough to show a hop
	# clean of 19 % (0 misses of 29) after ~24 rounds; until then the
	# hops before the loss carry no value, and every hop from it on reads
	# the destination's figure once misses of its own prove the onset.
	# (A daemon that starts while the routers' buckets are still drained
	# by the one before: t6110.)
	test_expect_success "$P, 10% each way into r4: the destination loses 19 +- 3% over >= 2,000 probes" '
		tb_loss r3 10 10 &&
		run_truth $P-drop 20 1s 65.5 10 &&
		tb_loss r3 0 &&
		in_range "$(trace_stat $P-drop path.loss)" 16 22 200
	'
	test_expect_success "$P, 10% each way into r4: hops 1..3 at most 1%" '
		hops_loss_in $P-drop 0 1 1 1 2 3
	'
	# r4, the first hop past the loss, gets about one measured probe a
	# second under linux: its window holds few samples, and the figure
	# rests on them.  Two faults made it read low (2 of 3 runs of 35
	# rounds, 2026-11-30): a hop's window counted the answers of probes
	# sent before its router was known, but not their misses (every hop
	# started with clean samples: a hop past the loss then read clean and
	# showed 0), and the budget backed off on the first miss of a hop
	# that had read 0 (1 sample in 4 s from then on).  r4 reads the loss
	# once 3 of its last 32 measured answers went missing (the onset at
	# r4 then beats r5 by a ratio of 10); at 19 % that takes ~16 samples
	# on average, many more in a run of luck: 35 rounds left r4 with
	# fewer than 200 values in 1 of 7 runs (its probes missed 19.0 % of
	# 153 after the first 15 s of 4 runs, as they should: 2026-12-01),
	# and a binomial model of the window gives 10 % per profile at 35
	# rounds, 1 % at 55, 0.4 % at 65 (samples from the third second on:
	# a new process presumes the routers' buckets empty, t6110).  Both
	# profiles hold r4 at 1 probe a second (on a lossy path the budget
	# keeps its safe rate).  The figures are printed either way.
	test_expect_success "$P, 10% each way into r4: hops 4, 5 and 6 at 19 +- 3% (hop.loss)" '
		hops_loss_in $P-drop 16 22 200 4 5 6
	'

	# a silent r4: unknown at TTL 4 with no loss value of its own
	test_expect_success "$P, silent r4: unknown at TTL 4, the destination still reached" '
		tb_silent r4 &&
		run_truth $P-silent 20 1s 5.5 3 &&
		tb_silent r4 off &&
		every_reached $P-silent 20 &&
		grep -q "^hopwatch\.path\.hop\.loss:.*,hop:4,hop_ip:unknown" out.$P-silent &&
		! grep -q "^hopwatch\.path\.hop\.rtt:.*,hop:4," out.$P-silent
	'
	test_expect_success "$P, silent r4: not 100% loss at TTL 4; hops 1..3 and 5 at most 1%" '
		printf "hop 4 (silent), mean and count: " && hop_stat $P-silent path.hop.loss 4 &&
		! grep -q "^hopwatch\.path\.hop\.loss:100|.*,hop:4," out.$P-silent &&
		hops_loss_in $P-silent 0 1 1 1 2 3 5
	'
done

test_done
