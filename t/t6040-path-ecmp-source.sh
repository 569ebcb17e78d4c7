#!/bin/bash
# t6040: the path plugin from a host with two uplinks (two source
# addresses) behind a multipath route hashed on L4 ports (field case
# ecmp-raw-checksum, t/lib/multipath.sh).  A raw udp or tcp probe carries a
# checksum over its source address: it must be the address the kernel
# uses for that exact flow (protocol, ports), or dst drops the probe
# silently.  Every mode (udp raw and dgram, tcp raw, icmp raw and dgram),
# 20 targets per family: every trace reaches its target, dst counts no
# checksum error (Udp, Udp6, Tcp InCsumErrors), and both uplinks carried
# probes (else the test proves nothing).  dst and the routers answer
# without ICMP rate limits here: the test is about checksums, not limits.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/multipath.sh"
require_root
require_cmd ip nstat timeout awk seq sort
[ -x "$TOOLS/dsd-recv" ] || skip_all "t/tools/dsd-recv is not built (run make)"
[ -e "$PLUGIN_DIR/path.so" ] || skip_all "plugins/path.so is not built (run make)"

N=20
mp_build $N || { echo "Bail out! mp_build failed"; exit 1; }
for n in a b dst; do
	ip netns exec "$(mp_ns $n)" sysctl -qw net.ipv4.icmp_ratemask=0 net.ipv6.icmp.ratemask=0 \
		>/dev/null || { echo "Bail out! sysctl failed"; exit 1; }
done
ip netns exec "$(mp_ns src)" sysctl -qw net.ipv4.ping_group_range="0 2147483647" >/dev/null ||
	{ echo "Bail out! sysctl failed"; exit 1; }
STATSD_PORT=8125
. "$SRCDIR/t/lib/path.sh"

MODES="udp:raw tcp:raw udp:dgram icmp:raw icmp:dgram"
targets= addrs=
for i in $(seq 1 $N); do
	targets="$targets${targets:+, }\"10.91.9.$i:9\", \"[fd91:9::$i]:9\""
	addrs="$addrs${addrs:+, }\"10.91.9.$i\", \"fd91:9::$i\""
done
# icmp takes no port
probes=
for c in $MODES; do
	probes="$probes${probes:+, }$(probe ${c%:*}_${c#*:} ${c%:*} ${c#*:} "$([ ${c%:*} = icmp ] && echo "$addrs" || echo "$targets")" "max_ttl = 4;")"
done
write_conf "$TRASH/hw.conf" 1s 300ms "$probes"
# traces each target must have reached per mode: udp's destination
# answers with port unreachables, whose budget hopwatch keeps at Linux's
# 1 a second (it cannot know this lab lifted the limit), shared by both
# udp modes and, once they show one limit, by the 20 addresses of dst:
# few rounds have a figure of the end, none for some targets (0 per
# target; test 1 counts them over all targets)
per_target() { case $1 in udp_*) echo 0 ;; *) echo 2 ;; esac; }

test_expect_success "every mode over a multipath route: $((2 * N)) targets reached by every trace, no bad checksum" '
	before=$(mp_csum_errors) &&
	run_hopwatchd "$(mp_ns src)" "$TRASH/hw.conf" 3.6 &&
	after=$(mp_csum_errors) &&
	say "checksum errors at dst: $before -> $after" &&
	for c in $MODES; do
		p=${c%:*}_${c#*:} &&
		n=$(grep -c "^hopwatch\.path\.reachable:1|.*#probe:$p," out) &&
		say "$p: $n traces reached, $(grep -c "^hopwatch\.path\.reachable:0|.*#probe:$p," out) not" &&
		test "$n" -ge $((2 * N * $(per_target $p))) && test "$n" -ge $N || return 1
	done &&
	! grep "^hopwatch\.path\.reachable:0|" out &&
	test "$after" = "$before"
'

test_expect_success "each target of each mode and family: at least 2 traces (udp: any), all reached" '
	for c in $MODES; do
		p=${c%:*}_${c#*:}
		for i in $(seq 1 $N); do
			for a in 10.91.9.$i fd91:9::$i; do
				v=$(values path.reachable $p $a | sort | uniq -c | awk "{ printf \"%s=%s \", \$2, \$1 }")
				case $v in "1="[2-9]" "|"1="[1-9][0-9]" ") ;;
				""|"1=1 ") [ "$(per_target $p)" = 0 ] || { echo "$p $a: $v"; return 1; } ;;
				*) echo "$p $a: $v"; return 1 ;; esac
			done
		done
	done
'

test_expect_success "both uplinks carried probes (the route is really multipath)" '
	mp_both_uplinks
'

test_done
