#!/bin/bash
# t1020-config-limits: no number in the configuration is silently changed
# (issue 15), and `hopwatchd -t` refuses what start-up would (issue 20).
#
# libconfig 1.5 cuts plain integer literals to 32 bits (4294967299 reads
# as 3).  First the field cases, each with the exact error line: file:line,
# the setting's path and the literal as written.  Then a generated table:
# every numeric setting of the core and of every plugin in plugins/ (found
# by asking hopwatchd itself: the "known:" list of an unknown key, the type
# from a wrong-typed value, the bounds from an out-of-range one), each
# given its neighbours (below min, above max, 2^31, 2^32 + min, 2^32 + max,
# 2^63, negative, wrong types) that must be refused with the literal as
# written, and its exact min and max that its own check must take.
. "$(dirname "$0")/test-lib.sh"

[ -x "$HOPWATCHD" ] || skip_all "src/hopwatchd is not built (run make)"
[ -f "$PLUGIN_DIR/icmp.so" ] || skip_all "plugins are not built (run make)"

. "$SRCDIR/t/lib/conf.sh"

n=0
# expect_refused DESC LINE (config on stdin): the config is refused with
# "FILE:LINE" where LINE is given without the file's name and ':'.
expect_refused() {
	n=$((n + 1))
	local f=$TRASH/case-$n.conf
	cat >"$f"
	printf '%s' "$f:$2" >"$f.want"
	check "$f"
	test_expect_success "$(tap_desc "$1")" "refused '$f' \"\$(cat '$f.want')\""
}

# ------------------------------------------------------------ field cases
# The configs of ../shared/field-cases/config/, as they were reported.
field() {
	local name=$1 want=$2 f=$TRASH/$1.conf
	cat >"$f"
	check "$f"
	printf '%s' "$f:$want" >"$f.want"
	test_expect_success "$(tap_desc "field case $name: $want")" "refused '$f' \"\$(cat '$f.want')\""
}

field 05-interval-int-overflow '1: interval: must be from 0.01s to 86400s, not 99999999999999999999' <<'EOF'
interval = 99999999999999999999;
statsd = { url = "udp://127.0.0.1:18199"; };
EOF
# probe_field NAME PLUGIN KEY VALUE WANT: a field case of one probe setting.
probe_field() {
	field "$1" "$5" <<EOF
interval = 10;
timeout = 1;
statsd = { url = "udp://127.0.0.1:18199"; };
probes = (
  { name = "p1"; plugin = "$2"; targets = [ "127.0.0.1" ];
    $3 = $4; }
);
EOF
}
probe_field 08-count-int64 icmp count 3000000000 '6: probes[0].count: must be from 1 to 100, not 3000000000'
probe_field 81-count-2pow32-plus-3 icmp count 4294967299 '6: probes[0].count: must be from 1 to 100, not 4294967299'
probe_field 84-max-ttl-2pow32-plus-10 path max_ttl 4294967306 '6: probes[0].max_ttl: must be from 1 to 64, not 4294967306'
field 43-include-self '2: @include "43-include-self.conf": includes the file itself' <<'EOF'
statsd = { url = "udp://127.0.0.1:18199"; };
@include "43-include-self.conf"
EOF
field 44-include-dir-missing '1: include_dir: "/nonexistent-rl-dir": No such file or directory' <<'EOF'
include_dir = "/nonexistent-rl-dir";
statsd = { url = "udp://127.0.0.1:18199"; };
EOF
field 59-user-unknown '1: user: "no_such_user_rl": no such user' <<'EOF'
user = "no_such_user_rl";
statsd = { url = "udp://127.0.0.1:18199"; };
EOF
field 70-duplicate-top-setting '2: interval: is set twice: first at line 1' <<'EOF'
interval = 10;
interval = 20;
statsd = { url = "udp://127.0.0.1:18199"; };
EOF
field 82-interval-2pow32-plus-10 '1: interval: must be from 0.01s to 86400s, not 4294967306' <<'EOF'
interval = 4294967306;
statsd = { url = "udp://127.0.0.1:18199"; };
EOF
field 83-redis-port-2pow32-plus-6379 '1: redis.port: must be from 1 to 65535, not 4294973675' <<'EOF'
redis = { host = "127.0.0.1"; port = 4294973675; };
statsd = { url = "udp://127.0.0.1:18199"; };
EOF
field 86-tcp-port-tuple-2pow32-plus-22 '2: probes[0].targets[0][1]: must be from 1 to 65535, not 4294967318' <<'EOF'
statsd = { url = "udp://127.0.0.1:18199"; };
probes = ( { name = "p1"; plugin = "tcp"; targets = ( ("127.0.0.1", 4294967318) ); } );
EOF
field 87-tcp-port-obj-2pow32-plus-22 '2: probes[0].targets[0].port: must be from 1 to 65535, not 4294967318' <<'EOF'
statsd = { url = "udp://127.0.0.1:18199"; };
probes = ( { name = "p1"; plugin = "tcp"; targets = ( { host = "127.0.0.1"; port = 4294967318; } ); } );
EOF
field 88-redis-queue-2pow32-plus-1 '1: redis.queue: must be from 1 to 10000000, not 4294967297' <<'EOF'
redis = { host = "127.0.0.1"; queue = 4294967297; };
statsd = { url = "udp://127.0.0.1:18199"; };
EOF

# mesh_port = PORT on a tcp mesh probe: range-checked on its value
for v in 65536 4294967376 -1; do
	field "89-mesh-port-$v" "4: probes[0].mesh_port: must be from 0 to 65535, not $v" <<EOF
statsd = { url = "udp://127.0.0.1:18199"; };
redis = { host = "127.0.0.1"; };
probes = ( { name = "p1"; plugin = "tcp"; mesh = "g";
  mesh_port = $v; } );
EOF
done

# max_targets and expire on a probe taking its targets from a conn instance
for v in 0 10001 4294967297; do
	field "90-max-targets-$v" "5: probes[1].max_targets: must be from 1 to 10000, not $v" <<EOF
statsd = { url = "udp://127.0.0.1:18199"; };
probes = ( { name = "c"; plugin = "conn"; },
  { name = "p"; plugin = "icmp"; targets_from = "c";
    expire = "1m";
    max_targets = $v; } );
EOF
done
field "91-expire-0" "4: probes[1].expire: must be from 1s to 604800s, not 0" <<EOF
statsd = { url = "udp://127.0.0.1:18199"; };
probes = ( { name = "c"; plugin = "conn"; },
  { name = "p"; plugin = "icmp"; targets_from = "c";
    expire = 0; } );
EOF

# ------------------------------------------------- the generated table
# write_conf SCOPE KEY VALUE FILE: a config setting KEY = VALUE in SCOPE
# ("top", "statsd", "log", "redis" or "plugin:NAME"); prints "LINE PATH".
write_conf() {
	case $1 in
	top)
		printf '%s = %s;\n' "$2" "$3" >"$4"
		echo "1 $2" ;;
	plugin:*)
		local p=${1#plugin:} target=127.0.0.1
		[ -f "$TRASH/needs-port-$p" ] && target=127.0.0.1:80
		# a long global interval: the probe's timeout may reach its maximum
		printf 'interval = 86400; # %s\nprobes = (\n\t{ name = "p"; plugin = "%s"; targets = [ "%s" ];\n\t\t%s = %s;\n\t}\n);\n' \
			"$p" "$p" "$target" "$2" "$3" >"$4"
		echo "4 probes[0].$2" ;;
	*)
		printf '%s = {\n\t%s = %s;\n};\n' "$1" "$2" "$3" >"$4"
		echo "2 $1.$2" ;;
	esac
}

# The plugins to cover: every one in plugins/; which of them need a port.
plugins=$(cd "$PLUGIN_DIR" && ls *.so | sed 's/\.so$//')
for p in $plugins; do
	write_conf "plugin:$p" zzz_unknown 1 "$TRASH/probe.conf" >/dev/null
	check "$TRASH/probe.conf"
	grep -q "needs a port" "$TRASH/probe.conf.err" && touch "$TRASH/needs-port-$p"
done

# known SCOPE: the keys hopwatchd lists for SCOPE when given an unknown one.
known() {
	write_conf "$1" zzz_unknown 1 "$TRASH/known.conf" >/dev/null
	check "$TRASH/known.conf"
	sed -n 's/.*unknown setting .*(known: \(.*\))$/\1/p' "$TRASH/known.conf.err" | tr -d ' ' | tr ',' '\n'
}

# kind SCOPE KEY: int, duration or number, from the refusal of a group;
# "other" for the rest (strings, words, booleans, lists).
kind() {
	local at
	at=$(write_conf "$1" "$2" '{ }' "$TRASH/kind.conf")
	check "$TRASH/kind.conf"
	case $(grep -F ": ${at#* }: must be " "$TRASH/kind.conf.err") in
	*"must be a whole number, not a group"*) echo int ;;
	*"must be a duration "*", not a group"*) echo duration ;;
	*"must be a number, not a group"*) echo number ;;
	*"must be a string, not a group"*) echo string ;;
	*"must be true or false, not a group"*) echo bool ;;
	*) echo other ;;
	esac
}

# bounds SCOPE KEY: "MIN MAX" from the refusal of 2^63 - 1 (no unit).
bounds() {
	local at
	at=$(write_conf "$1" "$2" 9223372036854775807 "$TRASH/bounds.conf")
	check "$TRASH/bounds.conf"
	grep -F ": ${at#* }: must be from " "$TRASH/bounds.conf.err" |
		sed -n 's/.*: must be from \([^ ]*\) to \([^ ]*\), not 9223372036854775807$/\1 \2/p' |
		sed 's/s / /; s/s$//'
}

settings=$TRASH/settings words=$TRASH/words
: >"$settings"
: >"$words"
for scope in top statsd log redis $(printf 'plugin:%s ' $plugins); do
	for key in $(known "$scope"); do
		# mesh_port is for a mesh probe only (mesh = "GROUP", Redis, a plugin
		# that takes ports), max_targets and expire for a dynamic source
		# (targets_from): their field cases are above the table
		case $key in name | plugin | tags | targets | mesh_port | max_targets | expire) continue ;; esac
		k=$(kind "$scope" "$key")
		case $k in
		string | bool) echo "$scope $key $k" >>"$words" ;;
		int | duration | number) echo "$scope $key $k $(bounds "$scope" "$key")" >>"$settings" ;;
		esac
	done
done

test_expect_success 'the table covers the settings of the field cases, with their bounds' '
	cat settings &&
	grep -qx "top interval duration 0.01 86400" settings &&
	grep -qx "top path_confirm int 1 100" settings &&
	grep -qx "redis port int 1 65535" settings &&
	grep -qx "redis queue int 1 10000000" settings &&
	grep -qx "statsd telemetry_interval duration 0 3600" settings &&
	grep -qx "plugin:icmp count int 1 100" settings &&
	grep -qx "plugin:icmp interval duration 0.01 86400" settings &&
	grep -qx "plugin:path max_ttl int 1 64" settings &&
	grep -qx "plugin:tcp count int 1 [0-9]*" settings &&
	test $(wc -l <settings) -ge 25 &&
	! grep -v " [-0-9.e+]* [-0-9.e+]*$" settings
'
test_expect_success 'the table has the string, word and boolean settings too' '
	cat words &&
	grep -qx "top user string" words &&
	grep -qx "log level string" words &&
	grep -qx "statsd echo bool" words &&
	grep -qx "plugin:icmp family string" words &&
	test $(wc -l <words) -ge 15
'

# calc EXPR: awk arithmetic, printed as a plain number ("%.12g").
calc() { awk "BEGIN { printf \"%.12g\", ($1) }"; }

# one SCOPE KEY VALUE MSG: VALUE is refused with "PATH: MSG" on its line.
one() {
	n=$((n + 1))
	local f=$TRASH/gen-$n.conf at
	at=$(write_conf "$1" "$2" "$3" "$f")
	check "$f"
	printf '%s' "$f:${at%% *}: ${at#* }: $4" >"$f.want"
	test_expect_success "$(tap_desc "$1 $2 = $3: refused, $4")" "refused '$f' \"\$(cat '$f.want')\""
}

# taken SCOPE KEY VALUE: VALUE passes the setting's own checks (a check
# across settings, such as timing, may still refuse the probe).
taken() {
	n=$((n + 1))
	local f=$TRASH/gen-$n.conf at
	at=$(write_conf "$1" "$2" "$3" "$f")
	check "$f"
	test_expect_success "$(tap_desc "$1 $2 = $3: taken")" "
		cat '$f.err' && ! grep -F ': ${at#* }: ' '$f.err' && ! grep -F 'syntax error' '$f.err' &&
		{ [ \$(cat '$f.rc') = 1 ] || grep -F 'OK (' '$f.out'; }
	"
}

while read -r scope key k min max; do
	range="must be from $min to $max, not"
	[ "$k" = duration ] && range="must be from ${min}s to ${max}s, not"
	taken "$scope" "$key" "$min"
	taken "$scope" "$key" "$max"
	if [ "$k" = int ]; then
		lo=$((min - 1)) hi=$((max + 1))
		one "$scope" "$key" "$lo" "$range $lo"
		one "$scope" "$key" "$hi" "$range $hi"
		# a cut to 32 bits would make these min or max again
		one "$scope" "$key" $((4294967296 + min)) "$range $((4294967296 + min))"
		one "$scope" "$key" $((4294967296 + max)) "$range $((4294967296 + max))"
		one "$scope" "$key" $((min - 4294967296)) "$range $((min - 4294967296))"
		one "$scope" "$key" "$(printf '0x%X' $((4294967296 + max)))" "$range $(printf '0x%X' $((4294967296 + max)))"
		one "$scope" "$key" "$((4294967296 + max))L" "$range $((4294967296 + max))L"
		taken "$scope" "$key" "$(printf '0x%X' "$max")"
		taken "$scope" "$key" "${max}L"
		one "$scope" "$key" '"1"' 'must be a whole number, not "1"'
		one "$scope" "$key" 1.5 'must be a whole number, not 1.5'
		# a float with no fraction is the whole number it equals (below 2^53: exact)
		if [ "$max" -lt 9007199254740992 ]; then
			taken "$scope" "$key" "$max.0"
			one "$scope" "$key" "$hi.0" "$range $hi.0"
			one "$scope" "$key" "$max.5" "must be a whole number, not $max.5"
		fi
		one "$scope" "$key" true 'must be a whole number, not true'
	else
		if [ "$(calc "$min > 0")" = 1 ]; then lo=$(calc "$min / 2"); else lo=$(calc "$min - 1"); fi
		hi=$(calc "$max + 1")
		one "$scope" "$key" "$lo" "$range $lo"
		one "$scope" "$key" "$hi" "$range $hi"
		one "$scope" "$key" "$(calc "4294967296 + $max")" "$range $(calc "4294967296 + $max")"
		one "$scope" "$key" 1e999 "$range 1e999"
		what='a number'
		[ "$k" = duration ] && what='a duration (seconds, or a string like "250ms")'
		one "$scope" "$key" true "must be $what, not true"
		[ "$k" = number ] && one "$scope" "$key" '"1"' "must be $what, not \"1\""
	fi
	# 2^31 (libconfig 1.5: negative), 2^63 (fits no 64-bit integer), -1
	for v in 2147483648 9223372036854775808 99999999999999999999 -1; do
		if [ "$(calc "$v < $min || $v > $max")" = 1 ]; then
			one "$scope" "$key" "$v" "$range $v"
		fi
	done
done <"$settings"

# Strings, words and booleans: a number, however large, or another type is
# refused with the value as written.
while read -r scope key k; do
	what='a string'
	[ "$k" = bool ] && what='true or false'
	one "$scope" "$key" 4294967299 "must be $what, not 4294967299"
	one "$scope" "$key" -1e999 "must be $what, not -1e999"
	one "$scope" "$key" '[ "a" ]' "must be $what, not an array [ ... ]"
	one "$scope" "$key" '( 1 )' "must be $what, not a list ( ... )"
	[ "$k" = bool ] && one "$scope" "$key" '"true"' "must be $what, not \"true\""
	[ "$k" = string ] && one "$scope" "$key" false "must be $what, not false"
done <"$words"

# ------------------------------------------------- ports of targets
# tcp needs a port; every way of writing one is range-checked on its value.
port_case() {
	expect_refused "tcp target $1: $2" "$2" <<EOF
probes = ( {
	name = "p"; plugin = "tcp";
	targets = ( $1 );
} );
EOF
}
port_case '("127.0.0.1", 4294967318)' '3: probes[0].targets[0][1]: must be from 1 to 65535, not 4294967318'
port_case '("127.0.0.1", 2147483648)' '3: probes[0].targets[0][1]: must be from 1 to 65535, not 2147483648'
port_case '("127.0.0.1", 0x100000016)' '3: probes[0].targets[0][1]: must be from 1 to 65535, not 0x100000016'
port_case '("127.0.0.1", 9223372036854775808)' '3: probes[0].targets[0][1]: must be from 1 to 65535, not 9223372036854775808'
port_case '("127.0.0.1", -4294967274)' '3: probes[0].targets[0][1]: must be from 1 to 65535, not -4294967274'
port_case '("127.0.0.1", 65536)' '3: probes[0].targets[0][1]: must be from 1 to 65535, not 65536'
port_case '("127.0.0.1", 22.5)' '3: probes[0].targets[0][1]: must be a port number, not 22.5'
port_case '{ host = "127.0.0.1"; port = 4294967318; }' '3: probes[0].targets[0].port: must be from 1 to 65535, not 4294967318'
port_case '{ host = "127.0.0.1"; port = 4294967318L; }' '3: probes[0].targets[0].port: must be from 1 to 65535, not 4294967318L'
port_case '{ host = "127.0.0.1"; port = 0; }' '3: probes[0].targets[0].port: must be from 1 to 65535, not 0'
port_case '{ host = "127.0.0.1"; port = true; }' '3: probes[0].targets[0].port: must be a port number, not true'
port_case '"127.0.0.1:4294967318"' '3: probes[0].targets[0]: target "127.0.0.1:4294967318": the port must be a number from 1 to 65535'
port_case '"127.0.0.1:65536"' '3: probes[0].targets[0]: target "127.0.0.1:65536": the port must be a number from 1 to 65535'
test_expect_success 'tcp target ports 1 and 65535 in every form, and 22.0, are taken' '
	cat >ports.conf <<-\EOF &&
	probes = ( {
		name = "p"; plugin = "tcp";
		targets = ( ("127.0.0.1", 1), { host = "127.0.0.2"; port = 65535; },
		            "127.0.0.3:65535", ("127.0.0.4", 0xFFFF), { host = "127.0.0.5"; port = 1L; },
		            ("127.0.0.6", 22.0) );
	} );
	EOF
	"$HOPWATCHD" -t -c ports.conf -P "$PLUGIN_DIR" >out 2>err &&
	cat out err &&
	grep -F "OK (1 probes, 6 targets)" out
'

# ------------------------------------- duplicates, includes, literals
expect_refused 'a setting given twice in a group names it and the first line' \
	'4: redis.port: is set twice: first at line 2' <<'EOF'
redis = {
	port = 1;
	host = "127.0.0.1";
	port = 2;
};
EOF
expect_refused 'a setting given twice in a probe has the probe in its path' \
	'3: probes[1].count: is set twice: first at line 3' <<'EOF'
probes = (
	{ name = "a"; plugin = "icmp"; targets = [ "127.0.0.1" ]; },
	{ name = "b"; plugin = "icmp"; count = 2; targets = [ "127.0.0.2" ]; count = 3; }
);
EOF
test_expect_success 'a setting given again by an @include names both files' '
	printf "timeout = 2;\n" >dup-inc.conf &&
	printf "# main\ntimeout = 1;\n@include \"dup-inc.conf\"\n" >dup-main.conf &&
	check "$TRASH/dup-main.conf" &&
	refused "$TRASH/dup-main.conf" "$TRASH/dup-inc.conf:1: timeout: is set twice: first at $TRASH/dup-main.conf:2"
'
test_expect_success 'two files that include each other: a loop, refused at once' '
	printf "@include \"loop-b.conf\"\n" >loop-a.conf &&
	printf "# b\n@include \"loop-a.conf\"\n" >loop-b.conf &&
	check "$TRASH/loop-a.conf" &&
	refused "$TRASH/loop-a.conf" "$TRASH/loop-b.conf:2: @include \"loop-a.conf\": includes a file that is including this one: a loop"
'
test_expect_success 'numbers in comments and strings are not settings' '
	cat >lit.conf <<-\EOF &&
	# count = 4294967299; 1.5
	/* 99999999999999999999 */ prefix = "a1.b2"; // 7
	hostname = "h-42";
	redis = { host = "127.0.0.1"; port = 0x18EB; queue = 10000000; db = 7L; };
	probes = ( { name = "p-1"; plugin = "icmp"; targets = { g1 = [ "127.0.0.1" ]; };
	             count = 3; spacing = 0.25; max_pps = 1e3; } );
	EOF
	"$HOPWATCHD" -t -c lit.conf -P "$PLUGIN_DIR" >out 2>err &&
	cat out err &&
	grep -F "OK (1 probes, 1 targets)" out
'
printf 'redis = { port = 6379; history = 5; };\n' >"$TRASH/inc-num.conf"
expect_refused 'a literal after an @include is still matched to its own setting' \
	'2: path_confirm: must be from 1 to 100, not 4294967297' <<EOF
@include "inc-num.conf"
path_confirm = 4294967297;
EOF

# -------------------------------------------- what start-up would refuse
expect_refused 'a target that looks like an IPv4 address but is not one' \
	'3: probes[0].targets[1]: target "300.1.2.3": is not an IPv4 address (four numbers from 0 to 255, like 192.0.2.1)' <<'EOF'
probes = ( {
	name = "p"; plugin = "icmp";
	targets = [ "127.0.0.1", "300.1.2.3" ];
} );
EOF
expect_refused 'a target with a colon that is not an IPv6 address' \
	'3: probes[0].targets[0]: target "1:2:3": is not an IPv6 address' <<'EOF'
probes = ( {
	name = "p"; plugin = "icmp";
	targets = [ "1:2:3" ];
} );
EOF
expect_refused 'an IPv6 target in a probe of family ipv4' \
	'3: probes[0].targets[0]: target "::1": is an IPv6 address, but this probe'"'"'s family is "ipv4"' <<'EOF'
probes = ( {
	name = "p"; plugin = "icmp"; family = "ipv4";
	targets = [ "::1" ];
} );
EOF
expect_refused 'an IPv4 target in a probe of family ipv6, given as a group' \
	'3: probes[0].targets[0]: target "127.0.0.1": is an IPv4 address, but this probe'"'"'s family is "ipv6"' <<'EOF'
probes = ( {
	name = "p"; plugin = "tcp"; family = "ipv6";
	targets = ( { host = "127.0.0.1"; port = 22; } );
} );
EOF

# A refusal across settings (a plugin's validate) shows the numbers of the
# settings it names: timing conflicts of each plugin.
# timing NAME PLUGIN SETTINGS TARGET VALUES: the probe is refused on its
# line, the message ending in "(...)" with each "name value" of VALUES, in
# the order the plugin's message names them.
timing() {
	n=$((n + 1))
	local f=$TRASH/timing-$n.conf
	printf 'probes = (\n\t{ name = "p"; plugin = "%s"; targets = [ "%s" ];\n\t  %s }\n);\n' \
		"$2" "$4" "$3" >"$f"
	check "$f"
	test_expect_success "$(tap_desc "timing conflict, $1: ($5)")" "
		refused '$f' '$f:2: probes[0]: ' prefix &&
		grep -F '$f:2: probes[0]: ' '$f.err' >line && cat line &&
		for v in \$(echo '$5' | sed 's/, /,/g; s/ /=/g; s/,/ /g'); do
			grep -qF \"\${v/=/ }\" line || { echo \"no \$v\"; exit 1; }
		done
	"
}
timing icmp icmp 'interval = 5; timeout = 1; count = 5; spacing = 1;' 127.0.0.1 \
	'count 5, spacing 1s, timeout 1s, interval 5s'
timing tcp tcp 'interval = "2s"; timeout = "500ms"; count = 10; spacing = "200ms";' 127.0.0.1:22 \
	'count 10, spacing 0.2s, timeout 0.5s, interval 2s'
timing path path 'interval = 5; timeout = 1; max_ttl = 64; queries = 10; pps = 100;' 127.0.0.1 \
	'max_ttl 64, queries 10, pps 100, timeout 1s, interval 5s'

test_done
