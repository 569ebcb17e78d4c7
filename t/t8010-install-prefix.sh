#!/bin/bash
# Build with one prefix, install with another: every generated file (the
# systemd unit, the man pages, the paths compiled into the binaries) follows
# the install variables given to `make install`, never the earlier build's.
# Runs in a copy of the built tree, so the tests running beside it keep
# their binaries.
. "$(dirname "$0")/test-lib.sh"

require_cmd make tar

TREE=$TRASH/tree
D=$TRASH/root
P=/opt/hwtest$HW_ID
E=/etc/hwtest$HW_ID

test_expect_success 'copy the tree as the default build left it' '
	mkdir "$TREE" &&
	tar -C "$SRCDIR" --exclude=./.git -cf - . | tar -C "$TREE" -xf - &&
	test -f "$TREE/src/hopwatchd"
'
test_expect_success "make install PREFIX=$P sysconfdir=$E into DESTDIR" '
	make -s -C "$TREE" install PREFIX="$P" sysconfdir="$E" DESTDIR="$D" >install.log 2>&1 ||
		{ tail -n 30 install.log; exit 1; }
'
test_expect_success 'every installed file is under the new prefix or sysconfdir' '
	(cd "$D" && find . -type f | sed "s|^\.||") >files &&
	test -s files &&
	! grep -v -e "^$P/" -e "^$E/" files
'
test_expect_success 'the unit runs the binary and config that were installed' '
	unit=$D$P/lib/systemd/system/hopwatchd.service &&
	grep -x "ExecStart=$P/sbin/hopwatchd -c $E/hopwatch/hopwatch.conf" "$unit" &&
	grep -x "ExecStartPre=$P/sbin/hopwatchd -t -c $E/hopwatch/hopwatch.conf" "$unit" &&
	test -x "$D$P/sbin/hopwatchd" && test -f "$D$E/hopwatch/hopwatch.conf"
'
test_expect_success 'the man pages name the installed paths, never /usr/local' '
	grep -F "$E/hopwatch/hopwatch.conf" "$D$P/share/man/man8/hopwatchd.8" &&
	grep -F "$P/lib/hopwatch/*.so" "$D$P/share/man/man8/hopwatchd.8" &&
	! grep -r "/usr/local\|@[A-Z]*DIR@" "$D$P/share/man"
'
test_expect_success 'the installed daemon defaults to the installed config and plugins' '
	"$D$P/sbin/hopwatchd" -h >usage 2>&1 || true &&
	grep -F "(default $E/hopwatch/hopwatch.conf)" usage &&
	# plugin_dir defaults to the install plugindir: outside DESTDIR it
	# does not exist, and the error names it.
	! "$D$P/sbin/hopwatchd" -t -c "$D$E/hopwatch/hopwatch.conf" >out 2>err &&
	grep -F "$P/lib/hopwatch/icmp.so" err
'
test_expect_success 'installing again with the default prefix follows it back' '
	make -s -C "$TREE" install DESTDIR="$D.default" >install2.log 2>&1 &&
	grep -x "ExecStart=/usr/local/sbin/hopwatchd -c /usr/local/etc/hopwatch/hopwatch.conf" \
		"$D.default/usr/local/lib/systemd/system/hopwatchd.service"
'

test_done
