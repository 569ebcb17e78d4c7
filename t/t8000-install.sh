#!/bin/bash
# make install into a DESTDIR: the layout, the installed daemon checking the
# installed config and running, the privilege drop seen from /proc, man
# pages, the systemd unit, and a config that is never overwritten.
. "$(dirname "$0")/test-lib.sh"

require_root
require_cmd ip man

# The same directories as the build, so installing rebuilds nothing.
eval "${HW_INSTALL_VARS:-PREFIX=/usr/local sysconfdir=/usr/local/etc sbindir=/usr/local/sbin bindir=/usr/local/bin libdir=/usr/local/lib plugindir=/usr/local/lib/hopwatch mandir=/usr/local/share/man systemdunitdir=/usr/local/lib/systemd/system}"
D=$TRASH/root
NS=hwi$HW_ID
test_atexit "ip netns del $NS"

install_tree() {
	make -s -C "$SRCDIR" install DESTDIR="$D" ${HW_INSTALL_VARS:-} >"$TRASH/install.log" 2>&1
}

test_expect_success 'make install DESTDIR: the whole layout' '
	install_tree &&
	test -x "$D$sbindir/hopwatchd" &&
	test -x "$D$bindir/hopwatch" &&
	test -f "$D$plugindir/icmp.so" && test -f "$D$plugindir/tcp.so" &&
	test -f "$D$sysconfdir/hopwatch/hopwatch.conf" &&
	test -d "$D$sysconfdir/hopwatch/conf.d" &&
	test -f "$D$mandir/man8/hopwatchd.8" &&
	test -f "$D$mandir/man5/hopwatch.conf.5" &&
	test -f "$D$mandir/man1/hopwatch.1" &&
	test -f "$D$systemdunitdir/hopwatchd.service" &&
	grep -F "ExecStart=$sbindir/hopwatchd -c $sysconfdir/hopwatch/hopwatch.conf" "$D$systemdunitdir/hopwatchd.service"
'
test_expect_success 'the installed daemon checks the installed config' '
	"$D$sbindir/hopwatchd" -t -c "$D$sysconfdir/hopwatch/hopwatch.conf" -P "$D$plugindir" >out &&
	grep "OK (2 probes, 3 targets)" out
'
test_expect_success 'an existing config is never overwritten' '
	echo "# mine" >>"$D$sysconfdir/hopwatch/hopwatch.conf" &&
	install_tree &&
	tail -n 1 "$D$sysconfdir/hopwatch/hopwatch.conf" | grep -x "# mine"
'
test_expect_success 'the man pages render' '
	for m in man8/hopwatchd.8 man5/hopwatch.conf.5 man1/hopwatch.1; do
		MANWIDTH=80 man -l "$D$mandir/$m" >page 2>warn &&
		test -s page && ! test -s warn || { cat warn; exit 1; }
	done
'
test_expect_success 'the systemd unit verifies (when systemd-analyze is there)' '
	if ! command -v systemd-analyze >/dev/null; then echo "no systemd-analyze"; exit 0; fi &&
	sed "s|$sbindir/|$D$sbindir/|g" "$D$systemdunitdir/hopwatchd.service" >hopwatchd.service &&
	systemd-analyze verify --man=no ./hopwatchd.service
'

# run NAME CONF: the installed daemon in the test namespace
run_installed() {
	spawn "$1" ip netns exec "$NS" "$D$sbindir/hopwatchd" -c "$TRASH/$2" -P "$D$plugindir"
}
# more_lines NAME N: NAME.stdout has more than N icmp.rtt lines
more_lines() {
	test "$(grep -c "^hopwatch.icmp.rtt:" "$TRASH/$1.stdout")" -gt "$2"
}
status_field() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$(cat "$TRASH/$1.pid")/status"
}
test_expect_success 'setup: a namespace with loopback up; configs readable by the user' '
	chmod 0755 "$TRASH" &&
	ip netns add "$NS" &&
	ip -n "$NS" link set lo up
'
test_expect_success 'raw icmp as root, user = "nobody": uid, gid, capabilities and no_new_privs from /proc' '
	cat >raw.conf <<-EOF &&
	user = "nobody";
	statsd = { url = "udp://127.0.0.1:9"; echo = true; };
	probes = ( { name = "lo"; plugin = "icmp"; mode = "raw"; interval = "1s"; count = 1;
	             timeout = "0.5s"; targets = [ "127.0.0.1" ]; } );
	EOF
	run_installed d1 raw.conf &&
	wait_for 10 grep -q "^hopwatch.icmp.rtt:" d1.stdout &&
	status_field d1 Uid | grep -x 65534 &&
	status_field d1 Gid | grep -x 65534 &&
	test "$(status_field d1 CapEff)" = 0000000000000000 &&
	test "$(status_field d1 CapPrm)" = 0000000000002000 &&
	test "$(status_field d1 CapAmb)" = 0000000000000000 &&
	test "$(status_field d1 CapBnd)" = 0000000000002000 &&
	test "$(status_field d1 NoNewPrivs)" = 1 &&
	grep "running as user nobody" d1.stderr
'
test_expect_success 'after the drop, a reload still opens raw sockets, and probing goes on' '
	kill -HUP "$(cat d1.pid)" &&
	wait_for 10 grep -q "reloaded" d1.stderr || { cat d1.stderr; false; } &&
	n=$(grep -c "^hopwatch.icmp.rtt:" d1.stdout) &&
	wait_for 10 more_lines d1 "$n" &&
	test "$(status_field d1 CapEff)" = 0000000000000000 &&
	stop d1
'
test_expect_success 'ping sockets as root, user = "nobody": no capability left at all' '
	ip netns exec "$NS" sysctl -qw net.ipv4.ping_group_range="0 2147483647" &&
	sed "s/mode = \"raw\"/mode = \"dgram\"/" raw.conf >dgram.conf &&
	cat dgram.conf &&
	run_installed d2 dgram.conf &&
	wait_for 10 grep -q "^hopwatch.icmp.rtt:" d2.stdout || { cat d2.stderr; false; } &&
	test "$(status_field d2 CapPrm)" = 0000000000000000 &&
	test "$(status_field d2 CapEff)" = 0000000000000000 &&
	stop d2
'
test_expect_success 'a user that cannot be switched to: exit 1, no probing as root' '
	sed "s/user = \"nobody\"/user = \"no-such-user-$HW_ID\"/" raw.conf >nouser.conf &&
	test_must_fail ip netns exec "$NS" "$D$sbindir/hopwatchd" -c "$TRASH/nouser.conf" -P "$D$plugindir" >out 2>err &&
	cat err &&
	grep "no such user" err &&
	! grep -q "^hopwatch.icmp" out
'
test_expect_success 'make uninstall removes what it installed, keeps the config' '
	make -s -C "$SRCDIR" uninstall DESTDIR="$D" ${HW_INSTALL_VARS:-} >/dev/null &&
	! test -e "$D$sbindir/hopwatchd" && ! test -e "$D$bindir/hopwatch" &&
	! test -e "$D$plugindir" && ! test -e "$D$mandir/man8/hopwatchd.8" &&
	! test -e "$D$systemdunitdir/hopwatchd.service" &&
	test -f "$D$sysconfdir/hopwatch/hopwatch.conf"
'
test_done
