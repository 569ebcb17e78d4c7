#!/bin/bash
# t8030-man: the man pages stand alone and say what the code does.
#   hopwatch.conf(5): its SETTINGS part is exactly what contrib/man/settings.awk
#     makes of `hopwatchd -L` (every setting of the core and of each plugin
#     in plugins/): a setting in the code and not in the page, or in the
#     page and not in the code, or a changed default, range or meaning,
#     fails (run `make man-settings`).
#   hopwatchd(8): every metric and service check name the code sends (the
#     string literals of the daemon and the plugins) is in WHAT IS SENT,
#     and every name there is sent; every field of the path hash and of a
#     change stream entry that a real daemon writes is in REDIS KEYS.
. "$(dirname "$0")/test-lib.sh"
. "$SRCDIR/t/lib/redis.sh"
[ -f "$PLUGIN_DIR/icmp.so" ] || skip_all "plugins are not built (run make)"
MAN=$SRCDIR/contrib/man

# section FILE NAME: the lines of section NAME (.SH NAME up to the next .SH)
section() {
	awk -v s=".SH $2" '$0 == s { on = 1; next } /^\.SH / { on = 0 } on' "$1"
}

test_expect_success 'hopwatch.conf(5) SETTINGS: exactly the settings hopwatchd -L lists' '
	"$HOPWATCHD" -L -P "$PLUGIN_DIR" >settings.tsv &&
	test "$(wc -l <settings.tsv)" -gt 40 &&
	grep -P "^plugin icmp\tcount\tinteger\t5\t1 to 100\t" settings.tsv &&
	grep -P "^redis\tqueue\tinteger\t10000\t" settings.tsv &&
	awk -f "$MAN/settings.awk" settings.tsv >want &&
	awk "/^\\.\\\\\" END SETTINGS/ { on = 0 } on; /^\\.\\\\\" BEGIN SETTINGS/ { on = 1 }" \
		"$MAN/hopwatch.conf.5" >got &&
	test -s got &&
	grep "^\.B " want | sort >want.keys &&
	grep "^\.B " got | sort >got.keys &&
	comm -23 want.keys got.keys >missing &&
	comm -13 want.keys got.keys >extra &&
	{ ! test -s missing || { echo "in the code, not in hopwatch.conf(5) (make man-settings):"; cat missing; false; }; } &&
	{ ! test -s extra || { echo "in hopwatch.conf(5), not in the code:"; cat extra; false; }; } &&
	diff -u want got
'
test_expect_success 'hopwatch.conf(5): every plugin built has its part, and each part a plugin' '
	for so in "$PLUGIN_DIR"/*.so; do
		p=$(basename "$so" .so)
		grep -qF ".SS \"Plugin $p (plugin = \\(dq$p\\(dq)\"" "$MAN/hopwatch.conf.5" ||
		{ echo "no part for plugin $p"; exit 1; }
	done &&
	grep -oE "^\.SS \"Plugin [a-z0-9_]+" "$MAN/hopwatch.conf.5" | awk "{ print \$3 }" | while read -r p; do
		test -f "$PLUGIN_DIR/$p.so" || { echo "part for $p, which is not built"; exit 1; }
	done
'
test_expect_success 'hopwatchd(8) WHAT IS SENT: every metric and service check the code sends, no other' '
	prefixes=$( { ls "$SRCDIR"/plugins/*.c 2>/dev/null | xargs -n1 basename | sed "s/\.c$//";
		ls -d "$SRCDIR"/plugins/*/ | xargs -n1 basename | grep -vx common;
		echo statsd; echo redis; echo dns; echo probe; } | sort -u | paste -sd "|") &&
	echo "prefixes: $prefixes" &&
	grep -rhoE "\"($prefixes)\.[a-z_.]*[a-z_]\"" "$SRCDIR"/plugins "$SRCDIR"/src/core "$SRCDIR"/src/paths \
		"$SRCDIR"/src/sink --include="*.c" | tr -d "\"" | grep -vE "\.(h|c|so|conf)$" | sort -u >code &&
	test "$(wc -l <code)" -gt 40 &&
	section "$MAN/hopwatchd.8" "WHAT IS SENT" | grep -oE "hopwatch\.[a-z_.]*[a-z_]" |
		sed "s/^hopwatch\.//" | sort -u >man &&
	comm -23 code man >missing &&
	comm -13 code man >extra &&
	{ ! test -s missing || { echo "sent, not in hopwatchd(8):"; cat missing; false; }; } &&
	{ ! test -s extra || { echo "in hopwatchd(8), never sent:"; cat extra; false; }; } &&
	grep -Fx "statsd.packets_refused" man &&
	section "$MAN/hopwatchd.8" "WHAT IS SENT" | grep -F "Path to TARGET changed"
'
RPORT=$(free_udp_port) || skip_all "no free UDP port"
test_expect_success 'the metric tables (hopwatchd -L): every metric in hopwatchd(8) and README, off ones said off' '
	"$HOPWATCHD" -L -P "$PLUGIN_DIR" | awk -F"\t" "\$2 ~ /^metric / { sub(/^metric /, \"\", \$2); print \$2, \$4 }" >tables &&
	test "$(wc -l <tables)" -gt 30 &&
	section "$MAN/hopwatchd.8" "WHAT IS SENT" >sent.man &&
	while read -r m on; do
		# the man entry of m: its .TP line and the text up to the next .TP
		awk -v m="hopwatch.$m" "/^\\.TP/ { if (hit) exit; e = \"\" } { e = e \$0 \"\\n\" }
			index(\$0, m \" \") || index(\$0, m \"\\\"\") || \$0 ~ (\"[ \\\"]\" m \"\$\") { hit = 1 }
			END { printf \"%s\", hit ? e : \"\" }" sent.man >entry &&
		{ test -s entry || { echo "hopwatch.$m: no entry in hopwatchd(8)"; exit 1; }; } &&
		if [ "$on" = off ]; then
			grep -qi "off by default" entry || { echo "hopwatch.$m is off by default; hopwatchd(8) does not say so"; exit 1; }
		fi &&
		short=${m##*.} &&
		{ grep -qF "hopwatch.$m" "$SRCDIR/README.md" || grep -qF ".$short\`" "$SRCDIR/README.md" ||
			{ echo "hopwatch.$m: not in README"; exit 1; }; } || exit 1
	done <tables
'
test_expect_success 'hopwatchd(8) REDIS KEYS: every field a daemon writes' '
	redis_start r &&
	recv rx "$RPORT" &&
	route "$TRASH/d.paths" "10.1.0.1,10.1.0.2" &&
	fp_conf d man-host fp "$TRASH/d.paths" r >"$TRASH/d.conf" &&
	daemon d d.conf &&
	key="hopwatch:path:{man-host}:fp:127.0.0.1" &&
	wait_for 10 test -n "$(hget r "$key" hops)" &&
	route "$TRASH/d.paths" "10.1.0.1,10.9.0.2" &&
	wait_for 10 n_is 1 xlen r "hopwatch:changes:{man-host}:fp:127.0.0.1" &&
	wait_for 10 test -n "$(hget r "$key" changed)" &&
	stop d &&
	rcli r HKEYS "$key" >fields &&
	rcli r XRANGE "hopwatch:changes:{man-host}:fp:127.0.0.1" - + | sed -n "2~2p" >>fields &&
	cat fields &&
	test "$(wc -l <fields)" -gt 15 &&
	section "$MAN/hopwatchd.8" "REDIS KEYS" >keys.man &&
	sort -u fields | while read -r f; do
		grep -qE "^\.BR? $f( |$)" keys.man || { echo "field $f is not in hopwatchd(8) REDIS KEYS"; exit 1; }
	done
'
test_done
