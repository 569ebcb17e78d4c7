#!/bin/bash
# t1000-config: configuration checking.  A table of bad configs, each a
# small file in $TRASH and the error it must give: "FILE:LINE: PATH: what"
# with the exact file, line and setting path, and `hopwatchd -t` exiting 1
# (refused, not crashed).  Then good configs that -t must accept.
. "$(dirname "$0")/test-lib.sh"

[ -x "$HOPWATCHD" ] || skip_all "src/hopwatchd is not built (run make)"
[ -f "$TEST_PLUGIN_DIR/testprobe.so" ] || skip_all "t/plugins are not built (run make)"

. "$SRCDIR/t/lib/conf.sh"

# check_refused FILE EXPECT [PLUGIN_DIR]: -t exits exactly 1 and stderr has
# the error line "hopwatchd: error: EXPECT..." (EXPECT a fixed prefix).
check_refused() {
	check "$1" "${3:-$TEST_PLUGIN_DIR}" && cp "$1.out" out && cp "$1.err" err &&
	refused "$1" "$2" prefix
}

n=0
# bad LINE PATH MSG [PLUGIN_DIR]: the config on stdin is refused with
# "FILE:LINE: PATH: MSG" where MSG is the start of the message.
bad() {
	n=$((n + 1))
	f=$TRASH/bad-$n.conf
	cat >"$f"
	expect="$f:$1: $2: $3"
	pdir=${4:-$TEST_PLUGIN_DIR}
	test_expect_success "$(tap_desc "refused: line $1: $2: $3")" '
		check_refused "$f" "$expect" "$pdir"
	'
}

# bad_probe LINE PATH MSG: a probe whose 7th line is stdin (one line).
bad_probe() {
	local extra
	extra=$(cat)
	bad "$1" "$2" "$3" <<EOF
# probe case
probes = (
	{
		name = "p";
		plugin = "testprobe";
		targets = [ "127.0.0.1" ];
		$extra
	}
);
EOF
}

# bad_targets PATH MSG: a probe whose `targets` (line 5) is stdin.
bad_targets() {
	local targets
	targets=$(cat)
	bad 5 "$1" "$2" <<EOF
# targets case
probes = ( {
	name = "p"; plugin = "testprobe";
	# the targets:
	targets = $targets;
} );
EOF
}

# ---------------------------------------------------------------- globals
# Wrong type for every core global key.
bad 2 interval 'must be a duration (seconds, or a string like "250ms")' <<'EOF'
# wrong type
interval = true;
EOF
bad 3 timeout 'must be a duration' <<'EOF'
# wrong type

timeout = [ 1 ];
EOF
bad 2 resolve_interval 'must be a duration' <<'EOF'
# wrong type
resolve_interval = false;
EOF
for key in prefix plugin_dir user hostname include_dir; do
	bad 2 "$key" 'must be a string' <<EOF
# wrong type for $key
$key = 5;
EOF
done
bad 2 prefix 'must be a string' <<'EOF'
# wrong type
prefix = 1.5;
EOF
bad 2 user 'must not be empty (leave it out for the default)' <<'EOF'
# empty string
user = "";
EOF

# Bad duration strings.
for d in '10x' 'ms' '-1s' '1.5.2s' '' ' 5s' '5 s' '5S' 'inf' 'nan' '1e400s' '1d'; do
	bad 2 interval "\"$d\" is not a duration: write seconds, or a number with ms, s, m or h" <<EOF
# bad duration
interval = "$d";
EOF
done
# C number syntax is not a duration: no hex ("0x10" would be 16 s).
for d in '0x10' '0x1p3s' '0X8'; do
	bad 2 interval "\"$d\" is not a duration" <<EOF
# hex duration
interval = "$d";
EOF
done
# Out of range, as numbers and strings; the message gives the bounds.
bad 2 interval 'must be from 0.01s to 86400s, not 0' <<'EOF'
# out of range
interval = 0;
EOF
bad 2 interval 'must be from 0.01s to 86400s, not -1' <<'EOF'
# out of range
interval = -1;
EOF
bad 2 interval 'must be from 0.01s to 86400s, not "5ms" (0.005s)' <<'EOF'
# out of range
interval = "5ms";
EOF
bad 2 interval 'must be from 0.01s to 86400s, not "25h" (90000s)' <<'EOF'
# out of range
interval = "25h";
EOF
bad 2 timeout 'must be from 0.001s to 3600s, not "2h" (7200s)' <<'EOF'
# out of range
timeout = "2h";
EOF
bad 2 resolve_interval 'must be from 1s to 86400s, not "500ms" (0.5s)' <<'EOF'
# out of range
resolve_interval = "500ms";
EOF
bad 2 interval 'must be from 0.01s to 86400s, not 10000000000L' <<'EOF'
# out of range, 64-bit
interval = 10000000000L;
EOF

# Rules beyond the type.
bad 2 prefix 'must start with a letter' <<'EOF'
# prefix
prefix = "9lives.";
EOF
bad 2 prefix "may hold only letters, digits, '_' and '.'" <<'EOF'
# prefix
prefix = "hop-watch.";
EOF
bad 2 prefix "may hold only letters, digits, '_' and '.'" <<'EOF'
# prefix
prefix = "hop|watch";
EOF
bad 2 redis.prefix 'must not hold braces or white space (the source host in braces is each key'"'"'s Redis Cluster hash tag)' <<'EOF'
# redis.prefix: a hash tag of its own would put every host in one slot
redis = { host = "127.0.0.1"; prefix = "a b{c}:"; };
EOF
bad 2 hostname '"bad host" is not a host name' <<'EOF'
# hostname
hostname = "bad host";
EOF
bad 2 hostname '"web|1" is not a host name' <<'EOF'
# hostname
hostname = "web|1";
EOF

# Unknown keys list what is known.
bad 3 foo 'unknown setting in the top level (known: interval, timeout, resolve_interval, prefix, plugin_dir, user, hostname, include_dir, path_confirm, statsd, log, redis, hop_names, mesh, tags, probes)' <<'EOF'
# unknown
interval = 5;
foo = 1;
EOF
bad 3 statsd.port 'unknown setting in statsd (known: url, echo, telemetry_interval, flush_interval)' <<'EOF'
statsd = {
	url = "udp://127.0.0.1:8125";
	port = 8125;
};
EOF
bad 2 log.file 'unknown setting in log (known: level, destination)' <<'EOF'
log = {
	file = "/tmp/x";
};
EOF

# ---------------------------------------------------------------- redis, path_confirm
bad 1 path_confirm 'must be from 1 to 100, not 0' <<'EOF'
path_confirm = 0;
EOF
bad 1 redis 'must be a group: redis = { host = "127.0.0.1"; };' <<'EOF'
redis = "127.0.0.1";
EOF
bad 3 redis.port 'must be from 1 to 65535, not 70000' <<'EOF'
redis = {
	host = "127.0.0.1";
	port = 70000;
};
EOF
bad 2 redis.timeout 'unknown setting in redis (known: host, port, socket, user, password, db, connect_timeout, command_timeout, prefix, master_name, history, queue, sentinels)' <<'EOF'
redis = {
	timeout = 1;
};
EOF
bad 1 redis 'set one of host, socket or sentinels' <<'EOF'
redis = { host = "127.0.0.1"; socket = "/run/redis.sock"; };
EOF
bad 2 'redis.sentinels[1]' 'sentinel "nope": needs a port, e.g. :26379' <<'EOF'
redis = {
	sentinels = [ "127.0.0.1:26379", "nope" ];
	master_name = "hw";
};
EOF
test_expect_success 'a bad sentinel entry is one error, with no second one about master_name' '
	grep "error: .*conf:[0-9]*: " "$TRASH/bad-$n.conf.err" >errs &&
	test "$(wc -l <errs)" = 1
'
bad 2 redis.socket 'must be an absolute path' <<'EOF'
redis = {
	socket = "redis.sock";
};
EOF
bad 3 redis.user 'a user needs a password' <<'EOF'
redis = {
	host = "127.0.0.1";
	user = "hopwatch";
};
EOF
bad 2 redis.command_timeout '"soon" is not a duration' <<'EOF'
redis = {
	command_timeout = "soon";
};
EOF

# ---------------------------------------------------------------- statsd, log
bad 2 statsd 'must be a group: statsd = { url = "..."; };' <<'EOF'
# not a group
statsd = "udp://127.0.0.1:8125";
EOF
bad 2 statsd.url 'must be a string' <<'EOF'
statsd = {
	url = 8125;
};
EOF
bad 2 statsd.url 'must not be empty' <<'EOF'
statsd = {
	url = "";
};
EOF
bad 2 statsd.url '"tcp://127.0.0.1:8125": unknown scheme' <<'EOF'
statsd = {
	url = "tcp://127.0.0.1:8125";
};
EOF
bad 2 statsd.url '"udp://127.0.0.1:99999": bad port' <<'EOF'
statsd = {
	url = "udp://127.0.0.1:99999";
};
EOF
bad 2 statsd.url '"unix://dsd.socket": Unix socket path must be absolute' <<'EOF'
statsd = {
	url = "unix://dsd.socket";
};
EOF
bad 3 statsd.echo 'must be true or false' <<'EOF'
statsd = {
	url = "udp://127.0.0.1:8125";
	echo = "yes";
};
EOF
bad 2 statsd.echo 'must be true or false' <<'EOF'
statsd = {
	echo = 1;
};
EOF
bad 2 statsd.telemetry_interval '"often" is not a duration' <<'EOF'
statsd = {
	telemetry_interval = "often";
};
EOF
bad 2 statsd.telemetry_interval 'must be from 0s to 3600s, not "2h" (7200s)' <<'EOF'
statsd = {
	telemetry_interval = "2h";
};
EOF
bad 2 statsd.telemetry_interval 'must be from 0s to 3600s, not -1' <<'EOF'
statsd = {
	telemetry_interval = -1;
};
EOF
bad 2 log 'must be a group: log = { level = "info"; };' <<'EOF'
# not a group
log = "debug";
EOF
bad 2 log.level '"loud" not one of the allowed words: "error", "warning", "info", "debug"' <<'EOF'
log = {
	level = "loud";
};
EOF
bad 2 log.level 'must be a string' <<'EOF'
log = {
	level = 7;
};
EOF
bad 3 log.destination '"file" not one of the allowed words: "stderr", "syslog"' <<'EOF'
log = {
	level = "info";
	destination = "file";
};
EOF
bad 2 log.destination 'must be a string' <<'EOF'
log = {
	destination = true;
};
EOF

# ---------------------------------------------------------------- tags
bad 2 tags 'must be a list of strings like ["env:prod", "team:net"]' <<'EOF'
# not a list
tags = "env:prod";
EOF
bad 2 'tags[1]' 'tag "" is empty' <<'EOF'
# empty tag
tags = [ "env:prod", "" ];
EOF
bad 2 'tags[0]' "tag \"a|b\" contains '|', ',', '#' or a control character" <<'EOF'
# pipe
tags = [ "a|b" ];
EOF
bad 2 'tags[0]' "tag \"a,b\" contains '|', ',', '#' or a control character" <<'EOF'
# comma
tags = [ "a,b" ];
EOF
bad 2 'tags[0]' "tag \"a#b\" contains '|', ',', '#' or a control character" <<'EOF'
# hash
tags = [ "a#b" ];
EOF
bad 2 'tags[0]' 'tag ":v" has an empty key' <<'EOF'
# empty key
tags = [ ":v" ];
EOF
bad 2 'tags[1]' 'a tag must be a string' <<'EOF'
# not a string
tags = ( "a", 5 );
EOF
long=$(printf 'k:%0199d' 0)
bad 2 'tags[0]' "tag \"$long\" is longer than 200 bytes" <<EOF
# 201 bytes
tags = [ "$long" ];
EOF
many=$(for i in $(seq 1 65); do printf '"t%d", ' "$i"; done)
bad 2 tags 'has 65 tags; at most 64 are allowed' <<EOF
# 65 tags
tags = [ ${many%, } ];
EOF

# ---------------------------------------------------------------- probes
bad 2 probes 'must be a list of probe groups: probes = ( { ... }, { ... } );' <<'EOF'
# not a list
probes = { name = "p"; };
EOF
# (libconfig gives a scalar in a list the line of the token after it, so
# keep the list on one line)
bad 2 'probes[0]' 'a probe must be a group { name = ...; plugin = ...; targets = ...; }' <<'EOF'
# not a group
probes = ( "p" );
EOF
bad 3 'probes[0]' 'a probe needs name = "..."' <<'EOF'
# missing name
probes = (
	{
		plugin = "testprobe";
		targets = [ "127.0.0.1" ];
	}
);
EOF
bad 4 'probes[0].name' 'a probe needs name = "..."' <<'EOF'
# name of the wrong type
probes = (
	{
		name = 5;
		plugin = "testprobe";
		targets = [ "127.0.0.1" ];
	}
);
EOF
for nm in 'a b' 'a/b' 'a|b' 'a:b' 'é' ''; do
	bad 4 'probes[0].name' "\"$nm\": use 1 to 64 letters, digits, '_', '.' or '-'" <<EOF
# bad name
probes = (
	{
		name = "$nm";
		plugin = "testprobe";
		targets = [ "127.0.0.1" ];
	}
);
EOF
done
name65=$(printf 'n%064d' 0)
bad 2 'probes[0].name' "\"$name65\": use 1 to 64 letters" <<EOF
# 65 bytes
probes = ( { name = "$name65"; plugin = "testprobe"; targets = [ "127.0.0.1" ]; } );
EOF
bad 3 'probes[1].name' 'probe name "same" is used twice' <<'EOF'
probes = (
	{ name = "same"; plugin = "testprobe"; targets = [ "127.0.0.1" ]; },
	{ name = "same"; plugin = "testprobe"; targets = [ "127.0.0.2" ]; }
);
EOF
bad 3 'probes[0]' 'a probe needs plugin = "icmp", "tcp" or "path"' <<'EOF'
# missing plugin
probes = (
	{
		name = "p";
		targets = [ "127.0.0.1" ];
	}
);
EOF
bad 5 'probes[0].plugin' 'a probe needs plugin' <<'EOF'
# plugin of the wrong type
probes = (
	{
		name = "p";
		plugin = [ "testprobe" ];
		targets = [ "127.0.0.1" ];
	}
);
EOF
bad 3 'probes[0].plugin' "plugin \"nope\": $TEST_PLUGIN_DIR/nope.so: No such file or directory (is plugin_dir right?)" <<'EOF'
# .so absent
probes = (
	{ name = "p"; plugin = "nope"; targets = [ "127.0.0.1" ]; }
);
EOF
# t/plugins/badabi.c claims HW_PLUGIN_ABI + 1
ABI=$(sed -n 's/^#define HW_PLUGIN_ABI \([0-9]*\).*/\1/p' "$SRCDIR/include/hopwatch.h")
bad 3 'probes[0].plugin' "plugin \"badabi\": $TEST_PLUGIN_DIR/badabi.so: built for plugin ABI $((ABI + 1)), this hopwatchd speaks ABI $ABI" <<'EOF'
# wrong ABI
probes = (
	{ name = "p"; plugin = "badabi"; targets = [ "127.0.0.1" ]; }
);
EOF
bad 3 'probes[0].plugin' "plugin \"badsize\": $TEST_PLUGIN_DIR/badsize.so: descriptor is " <<'EOF'
# wrong descriptor size
probes = (
	{ name = "p"; plugin = "badsize"; targets = [ "127.0.0.1" ]; }
);
EOF
bad 3 'probes[0].plugin' "plugin \"nosymbol\": $TEST_PLUGIN_DIR/nosymbol.so exports no hopwatch_plugin: not a hopwatch plugin" <<'EOF'
# no descriptor
probes = (
	{ name = "p"; plugin = "nosymbol"; targets = [ "127.0.0.1" ]; }
);
EOF
bad 3 'probes[0].plugin' 'plugin name "Testprobe" must be lower-case letters, digits or '"'_'" <<'EOF'
# bad plugin name
probes = (
	{ name = "p"; plugin = "Testprobe"; targets = [ "127.0.0.1" ]; }
);
EOF
bad 3 'probes[0]' 'a probe needs targets = [ ... ]' <<'EOF'
# missing targets
probes = (
	{
		name = "p";
		plugin = "testprobe";
	}
);
EOF
bad 6 'probes[0].foo' 'unknown setting for plugin testprobe (known: name, plugin, tags, targets, mesh_allow, interval, timeout, family, targets_from, max_targets, expire, mesh, mesh_port, values, hold, check, event, label)' <<'EOF'
# unknown key: the message lists every key the probe knows
probes = (
	{
		name = "p"; plugin = "testprobe";
		targets = [ "127.0.0.1" ];
		foo = 1;
	}
);
EOF

# ---------------------------------------------------------------- targets
bad_targets 'probes[0].targets' 'is empty: give at least one target' <<<'[ ]'
bad_targets 'probes[0].targets' 'is empty: give at least one target' <<<'( )'
bad_targets 'probes[0].targets' 'must be a list of targets, or groups of them' <<<'"127.0.0.1"'
bad_targets 'probes[0].targets.prod' 'a target group must be a list of targets' <<<'{ prod = "127.0.0.1"; }'
for t in 'h:0' 'h:65536' 'h:99999999999' 'h:abc' 'h:' 'h:8x' 'h:-1' '[::1]:0' '[::1]:' '[::1]:http'; do
	bad_targets 'probes[0].targets[1]' "target \"$t\": the port must be a number from 1 to 65535" <<<"[ \"127.0.0.1\", \"$t\" ]"
done
for t in '' ':80' '[]' '[]:80'; do
	case $t in
	\[*) why="an IPv6 address in brackets needs its closing ']'" ;;
	*) why='the host is empty' ;;
	esac
	bad_targets 'probes[0].targets[0]' "target \"$t\": $why" <<<"[ \"$t\" ]"
done
bad_targets 'probes[0].targets[0]' "target \"[::1\": an IPv6 address in brackets needs its closing ']'" <<<'[ "[::1" ]'
bad_targets 'probes[0].targets[0]' "target \"[::1]80\": only \":port\" may follow ']'" <<<'[ "[::1]80" ]'
for t in 'a b' 'a|b' 'a,b' 'a#b' 'a/b' 'a\\b' "a'b" 'a\tb'; do
	shown=$(printf '%b' "$t")
	bad_targets 'probes[0].targets[0]' "target \"$shown\": the host contains a character no host name or address has" <<<"[ \"$t\" ]"
done
bad_targets 'probes[0].targets[0]' 'target "a"b": the host contains a character' <<<'[ "a\"b" ]'
longhost=$(printf 'h%0255d' 0)
bad_targets 'probes[0].targets[0]' "target \"$longhost\": the host name is too long" <<<"[ \"$longhost\" ]"
# duplicates, also across the ways of writing the same target
bad_targets 'probes[0].targets[1]' 'target "127.0.0.1" is listed twice in this probe' <<<'[ "127.0.0.1", "127.0.0.1" ]'
bad_targets 'probes[0].targets[2]' 'target "db" is listed twice in this probe' <<<'( "db:80", "db", ("db", 80) )'
bad_targets 'probes[0].targets[1]' 'target "[::1]" is listed twice in this probe' <<<'[ "::1", "[::1]" ]'
bad_targets 'probes[0].targets[1]' 'target "db" is listed twice in this probe' <<<'( "db:5432", { host = "db"; port = 5432; } )'
bad_targets 'probes[0].targets.b[0]' 'target "db" is listed twice in this probe' <<<'{ a = [ "db" ]; b = [ "db" ]; }'
# the ("host", port) form
bad_targets 'probes[0].targets[0][1]' 'must be from 1 to 65535, not 0' <<<'( ("h", 0) )'
bad_targets 'probes[0].targets[0][1]' 'must be from 1 to 65535, not 70000' <<<'( ("h", 70000) )'
bad_targets 'probes[0].targets[0][1]' 'must be a port number, not "80"' <<<'( ("h", "80") )'
bad_targets 'probes[0].targets[0]' 'a target list must be ("host", port)' <<<'( ("h") )'
bad_targets 'probes[0].targets[0]' 'a target list must be ("host", port)' <<<'( ("h", 80, 81) )'
bad_targets 'probes[0].targets[0][0]' 'host "h:80": the port goes in the second element' <<<'( ("h:80", 80) )'
bad_targets 'probes[0].targets[0][0]' 'host "a b": the host contains a character' <<<'( ("a b", 80) )'
# the { host; port; tags } form
bad_targets 'probes[0].targets[0]' 'a target needs host = "name or address"' <<<'( { port = 80; } )'
bad_targets 'probes[0].targets[0].host' 'a target needs host = "name or address"' <<<'( { host = 5; } )'
bad_targets 'probes[0].targets[0].port' 'must be from 1 to 65535, not 0' <<<'( { host = "h"; port = 0; } )'
bad_targets 'probes[0].targets[0].port' 'must be a port number, not "80"' <<<'( { host = "h"; port = "80"; } )'
bad_targets 'probes[0].targets[0].port' 'must be from 1 to 65535, not 10000000000L' <<<'( { host = "h"; port = 10000000000L; } )'
bad_targets 'probes[0].targets[0].host' 'host "[::1]": write the address without brackets' <<<'( { host = "[::1]"; } )'
bad_targets 'probes[0].targets[0].host' 'host "": the host is empty' <<<'( { host = ""; } )'
bad_targets 'probes[0].targets[0].host' 'host "a|b": the host contains a character' <<<'( { host = "a|b"; } )'
bad_targets 'probes[0].targets[0].proto' 'unknown setting in a target (known: host, port, tags)' <<<'( { host = "h"; proto = "tcp"; } )'
bad_targets 'probes[0].targets[0].tags[0]' "tag \"a|b\" contains '|', ',', '#' or a control character" <<<'( { host = "h"; tags = [ "a|b" ]; } )'
bad_targets 'probes[0].targets[0].tags[1]' 'tag "" is empty' <<<'( { host = "h"; tags = [ "ok", "" ]; } )'
bad_targets 'probes[0].targets[0].tags' 'must be a list of strings' <<<'( { host = "h"; tags = "a:b"; } )'
# a port inside the host string of the group form is refused (it would be
# kept as part of the name and never resolve), like the list form
bad_targets 'probes[0].targets[0].host' 'host "db:80": ' <<<'( { host = "db:80"; } )'
# other types
bad_targets 'probes[0].targets[0]' 'a target must be "host", "host:port", ("host", port) or { host = ...; port = ...; }' <<<'( 5 )'
bad_targets 'probes[0].targets[1]' 'a target must be "host", "host:port"' <<<'( "h", true )'

# ---------------------------------------------------------------- probe settings
bad_probe 7 'probes[0].tags[0]' 'tag "" is empty' <<<'tags = [ "" ];'
bad_probe 7 'probes[0].tags[0]' "tag \"x|y\" contains '|'" <<<'tags = [ "x|y" ];'
bad_probe 7 'probes[0].tags[1]' "tag \"x,y\" contains '|', ','" <<<'tags = [ "ok:1", "x,y" ];'
bad_probe 7 'probes[0].tags' 'must be a list of strings' <<<'tags = 5;'
bad_probe 7 'probes[0].interval' 'must be from 0.01s to 86400s, not 0' <<<'interval = 0;'
bad_probe 7 'probes[0].interval' '"fast" is not a duration' <<<'interval = "fast";'
bad_probe 7 'probes[0].timeout' 'must be a duration' <<<'timeout = true;'
bad_probe 7 'probes[0].family' '"ipv5" not one of the allowed words: "any", "ipv4", "ipv6"' <<<'family = "ipv5";'
bad_probe 7 'probes[0].family' 'must be a string' <<<'family = 4;'
bad_probe 7 'probes[0].timeout' 'timeout (2s) must not exceed interval (1s)' <<<'interval = 1; timeout = 2;'
# global timeout above the probe's interval: reported on the probe
bad 2 'probes[0]' 'timeout (5s) must not exceed interval (1s)' <<'EOF'
timeout = 5;
probes = ( { name = "p"; plugin = "testprobe"; interval = 1; targets = [ "127.0.0.1" ]; } );
EOF
# testprobe's own settings: type, range, words
bad_probe 7 'probes[0].values' 'must be a whole number' <<<'values = "3";'
bad_probe 7 'probes[0].values' 'must be a whole number' <<<'values = 1.5;'
bad_probe 7 'probes[0].values' 'must be a whole number' <<<'values = true;'
bad_probe 7 'probes[0].values' 'must be from 1 to 1000, not 0' <<<'values = 0;'
bad_probe 7 'probes[0].values' 'must be from 1 to 1000, not 1001' <<<'values = 1001;'
bad_probe 7 'probes[0].values' 'must be from 1 to 1000, not -5' <<<'values = -5;'
bad_probe 7 'probes[0].hold' '"3x" is not a duration' <<<'hold = "3x";'
bad_probe 7 'probes[0].hold' 'must be from 0s to 60s, not 61' <<<'hold = 61;'
bad_probe 7 'probes[0].hold' 'must be from 0s to 60s, not "2m" (120s)' <<<'hold = "2m";'
bad_probe 7 'probes[0].hold' 'must be from 0s to 60s, not -0.5' <<<'hold = -0.5;'
bad_probe 7 'probes[0].hold' 'must be a duration' <<<'hold = [ 1 ];'
bad_probe 7 'probes[0].check' '"fine" not one of the allowed words: "ok", "warning", "critical", "unknown"' <<<'check = "fine";'
bad_probe 7 'probes[0].check' '"OK" not one of the allowed words' <<<'check = "OK";'
bad_probe 7 'probes[0].check' 'must be a string' <<<'check = 0;'
bad_probe 7 'probes[0].event' 'must be true or false' <<<'event = "true";'
bad_probe 7 'probes[0].event' 'must be true or false' <<<'event = 1;'
bad_probe 7 'probes[0].label' 'must be a string' <<<'label = 5;'
bad_probe 7 'probes[0].label' 'must not be empty' <<<'label = "";'
# the plugin's validate hook, reported on the probe
bad 3 'probes[0]' 'values 999 is refused by validate (test of the hook)' <<'EOF'
# validate
probes = (
	{
		name = "p";
		plugin = "testprobe";
		targets = [ "127.0.0.1" ];
		values = 999;
	}
);
EOF

# Every error is reported, not only the first.
test_expect_success 'all errors of a file are reported, each with its line' '
	cat >multi.conf <<-\EOF &&
	interval = "x";
	prefix = "-";
	probes = (
	  { name = "a b"; plugin = "testprobe"; targets = [ "h:0" ]; values = 0; }
	);
	EOF
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/multi.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "multi.conf:1: interval: " err &&
	grep -F "multi.conf:2: prefix: " err &&
	grep -F "multi.conf:4: probes[0].name: " err &&
	grep -F "multi.conf:4: probes[0].targets[0]: " err &&
	grep -F "multi.conf:4: probes[0].values: " err
'

# ---------------------------------------------------------------- port rules
# testprobe takes an optional port; two tiny plugins built here reach the
# "takes no port" and "needs a port" rules.
PDIR=$TRASH/plugins
test_expect_success 'build plugins without and with required ports' '
	mkdir -p "$PDIR" &&
	cat >"$PDIR/port.c" <<-\EOF &&
	#include "hopwatch.h"
	static int start(hw_ctx *c, const void *o, void **s) { (void)c; (void)o; (void)s; return 0; }
	static void run(void *s, hw_target *t) { (void)s; (void)t; }
	static void stop(void *s) { (void)s; }
	HW_PLUGIN_EXPORT = { .abi = HW_PLUGIN_ABI, .size = sizeof(hw_plugin), .name = NAME,
		.port = PORT, .start = start, .run = run, .stop = stop };
	EOF
	${CC:-cc} -shared -fPIC -fvisibility=hidden -I"$SRCDIR/include" -DNAME="\"portnone\"" \
		-DPORT=HW_PORT_NONE -o "$PDIR/portnone.so" "$PDIR/port.c" &&
	${CC:-cc} -shared -fPIC -fvisibility=hidden -I"$SRCDIR/include" -DNAME="\"portreq\"" \
		-DPORT=HW_PORT_REQUIRED -o "$PDIR/portreq.so" "$PDIR/port.c"
'
bad 4 'probes[0].targets[1]' 'target "127.0.0.1:80": plugin portnone takes no port' "$PDIR" <<'EOF'
# HW_PORT_NONE
probes = ( {
	name = "p"; plugin = "portnone";
	targets = [ "127.0.0.2", "127.0.0.1:80" ];
} );
EOF
bad 4 'probes[0].targets[0]' 'target "h": plugin portnone takes no port' "$PDIR" <<'EOF'
# HW_PORT_NONE, list form
probes = ( {
	name = "p"; plugin = "portnone";
	targets = ( ("h", 80) );
} );
EOF
bad 4 'probes[0].targets[1]' 'target "127.0.0.2": plugin portreq needs a port ("host:port")' "$PDIR" <<'EOF'
# HW_PORT_REQUIRED
probes = ( {
	name = "p"; plugin = "portreq";
	targets = [ "127.0.0.1:80", "127.0.0.2" ];
} );
EOF
# the path plugin's port rule follows its protocol (port_use): icmp has no
# port, udp and tcp take one
bad 4 'probes[0].targets[1]' 'target "127.0.0.1:80": plugin path takes no port with the settings of this probe' "$PLUGIN_DIR" <<'EOF'
# path, protocol icmp (the default)
probes = ( {
	name = "p"; plugin = "path";
	targets = [ "127.0.0.2", "127.0.0.1:80" ];
} );
EOF
test_expect_success 'path over udp and tcp: a target with a port is accepted' '
	cat >pathport.conf <<-\EOF &&
	probes = ( { name = "u"; plugin = "path"; protocol = "udp"; targets = [ "127.0.0.1:53" ]; },
		{ name = "t"; plugin = "path"; protocol = "tcp"; mode = "raw"; targets = [ "127.0.0.1:80" ]; } );
	EOF
	"$HOPWATCHD" -t -c "$TRASH/pathport.conf" -P "$PLUGIN_DIR" >out 2>err &&
	cat out err &&
	grep -F "OK (2 probes, 2 targets)" out
'
bad 4 'probes[0].targets[0]' 'target "h": plugin portreq needs a port' "$PDIR" <<'EOF'
# HW_PORT_REQUIRED, group form
probes = ( {
	name = "p"; plugin = "portreq";
	targets = ( { host = "h"; } );
} );
EOF
test_expect_success 'ports given where they are allowed or required pass' '
	cat >ports.conf <<-\EOF &&
	probes = (
	  { name = "a"; plugin = "portnone"; targets = [ "127.0.0.1", "::1" ]; },
	  { name = "b"; plugin = "portreq"; targets = ( "127.0.0.1:80", ("h", 81), { host = "::1"; port = 82; } ); }
	);
	EOF
	"$HOPWATCHD" -t -c "$TRASH/ports.conf" -P "$PDIR" >out &&
	grep -F "ports.conf: OK (2 probes, 5 targets)" out
'

# ---------------------------------------------------------------- files
test_expect_success 'syntax error: file:line and exit 1' '
	printf "# one\ninterval = 5;\ntimeout = ;\n" >syntax.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/syntax.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "hopwatchd: error: $TRASH/syntax.conf:3: syntax error" err &&
	! grep -F "syntax error: syntax error" err
'
test_expect_success 'syntax error: unterminated group names its line' '
	printf "statsd = {\n  echo = true;\n\nlog = {};\n" >syntax2.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/syntax2.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -E "hopwatchd: error: $TRASH/syntax2.conf:[0-9]+: syntax error" err
'
test_expect_success 'a config file that does not exist: clean error' '
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/nothere.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "$TRASH/nothere.conf: cannot read: No such file or directory" err
'
test_expect_success 'a directory as the config file: clean error' '
	mkdir -p confdir &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/confdir" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "$TRASH/confdir" err
'
test_expect_success 'a config from a pipe is refused, not read as empty' '
	printf "interval = true;\n" >piped.conf &&
	cat piped.conf | test_must_fail "$HOPWATCHD" -t -c /dev/stdin -P "$TEST_PLUGIN_DIR" >out 2>err &&
	cat out err &&
	grep -F "not a regular file" err
'
test_expect_success '@include of a missing file: file:line, exit 1' '
	printf "# one\n# two\n@include \"missing.conf\"\n" >incmiss.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/incmiss.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "hopwatchd: error: $TRASH/incmiss.conf:3: @include \"missing.conf\": No such file or directory" err
'
test_expect_success '@include of a directory: clean error, not a crash' '
	mkdir -p somedir &&
	printf "interval = 5;\n@include \"somedir\"\n" >incdir.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/incdir.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "hopwatchd: error: $TRASH/incdir.conf:2: @include \"somedir\": not a regular file" err
'
test_expect_success '@include of a directory from an included file: clean error' '
	mkdir -p nest/d &&
	printf "@include \"nest/d\"\n" >nest/inner.inc &&
	printf "# outer\n@include \"nest/inner.inc\"\n" >nest.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/nest.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "nest/inner.inc:1: @include \"nest/d\": not a regular file" err
'
test_expect_success 'syntax error in an @included file names that file and line' '
	printf "# a\n# b\ntimeout = ;\n" >broken.inc &&
	printf "interval = 5;\n@include \"broken.inc\"\n" >incbroken.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/incbroken.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -E "hopwatchd: error: ([^ ]*/)?broken.inc:3: syntax error" err
'
test_expect_success 'bad value in an @included file names that file and line' '
	printf "# a\nprobes = ( { name = \"p\"; plugin = \"testprobe\";\n  targets = [ \"h\" ];\n  values = 0; } );\n" >badval.inc &&
	printf "interval = 5;\n@include \"badval.inc\"\n" >incbadval.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/incbadval.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -E "hopwatchd: error: ([^ ]*/)?badval.inc:4: probes\[0\]\.values: must be from 1 to 1000" err
'
test_expect_success 'include_dir with a bad file names the included file and line' '
	mkdir -p inc1 &&
	printf "probes = ( { name = \"a\"; plugin = \"testprobe\"; targets = [ \"h\" ]; } );\n" >inc1/10-good.conf &&
	printf "# second\nprobes = (\n  { name = \"b\"; plugin = \"testprobe\"; targets = [ \"h\" ];\n    check = \"bad\"; }\n);\n" >inc1/20-bad.conf &&
	printf "include_dir = \"inc1\";\n" >incd.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/incd.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "hopwatchd: error: $TRASH/inc1/20-bad.conf:4: probes[0].check: \"bad\" not one of the allowed words" err &&
	! grep -F 10-good.conf err
'
test_expect_success 'include_dir: syntax error in a file names it' '
	mkdir -p inc2 &&
	printf "probes = (\n  { name = ; }\n);\n" >inc2/a.conf &&
	printf "include_dir = \"inc2\";\n" >incd2.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/incd2.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "hopwatchd: error: $TRASH/inc2/a.conf:2: syntax error" err
'
test_expect_success 'include_dir: only probes may be set there' '
	mkdir -p inc3 &&
	printf "# x\ninterval = 5;\n" >inc3/a.conf &&
	printf "include_dir = \"inc3\";\n" >incd3.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/incd3.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "hopwatchd: error: $TRASH/inc3/a.conf:2: interval: only probes may be set in an include_dir file" err
'
test_expect_success 'include_dir: a probe name used in two files is refused' '
	mkdir -p inc4 &&
	printf "probes = ( { name = \"a\"; plugin = \"testprobe\"; targets = [ \"h\" ]; } );\n" >inc4/1.conf &&
	printf "# dup\nprobes = ( { name = \"a\"; plugin = \"testprobe\"; targets = [ \"h\" ]; } );\n" >inc4/2.conf &&
	printf "include_dir = \"inc4\";\n" >incd4.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/incd4.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "$TRASH/inc4/2.conf:2: probes[0].name: probe name \"a\" is used twice" err
'
test_expect_success 'include_dir that does not exist: file:line, the setting, the path' '
	printf "# comment\ninclude_dir = \"no-such-dir\";\n" >incd5.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/incd5.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "error: $TRASH/incd5.conf:2: include_dir: \"$TRASH/no-such-dir\": No such file or directory" err
'
test_expect_success 'include_dir holding a directory named *.conf: clean error' '
	mkdir -p inc6/sub.conf &&
	printf "include_dir = \"inc6\";\n" >incd6.conf &&
	test_must_fail "$HOPWATCHD" -t -c "$TRASH/incd6.conf" -P "$TEST_PLUGIN_DIR" 2>err &&
	cat err &&
	grep -F "inc6/sub.conf" err
'

# ---------------------------------------------------------------- metric selection
# against the real plugins' metric tables (plugins/*.so)
bad 5 'probes[0].metrics[1]' '"rtt.p99" is no metric of plugin icmp (known: icmp.rtt, icmp.rtt.min,' "$PLUGIN_DIR" <<'EOF'
probes = (
  { name = "p"; plugin = "icmp";
    targets = [ "127.0.0.1" ];
    metrics = [ "rtt",
                "rtt.p99" ]; }
);
EOF
bad 3 'probes[0].metrics_exclude[0]' 'a metric name must be a string' "$PLUGIN_DIR" <<'EOF'
probes = (
  { name = "p"; plugin = "path"; targets = [ "127.0.0.1" ];
    metrics_exclude = [ 1 ]; }
);
EOF
bad 3 'probes[0].metrics_add' 'give either metrics (exactly what to send) or metrics_add' "$PLUGIN_DIR" <<'EOF'
probes = (
  { name = "p"; plugin = "tcp"; targets = [ "127.0.0.1:80" ]; metrics = [ "rtt" ];
    metrics_add = [ "sent" ]; }
);
EOF
bad 3 'probes[0].metrics_add[0]' '"hops.*" is no metric of plugin path' "$PLUGIN_DIR" <<'EOF'
probes = (
  { name = "p"; plugin = "path"; targets = [ "127.0.0.1" ];
    metrics_add = [ "hops.*" ]; }
);
EOF
bad 3 'probes[0].metrics' 'must be a list of metric names like ["icmp.rtt"]' "$PLUGIN_DIR" <<'EOF'
probes = (
  { name = "p"; plugin = "icmp"; targets = [ "127.0.0.1" ];
    metrics = "rtt"; }
);
EOF
bad 3 'probes[0].metrics' 'plugin testprobe declares no metrics to select from' <<'EOF'
probes = (
  { name = "p"; plugin = "testprobe"; targets = [ "127.0.0.1" ];
    metrics = [ "test.rtt" ]; }
);
EOF
test_expect_success 'metric selection: names with or without the plugin, families, tag_hop_ip; -L lists the tables' '
	cat >sel.conf <<-\EOF &&
	probes = (
	  { name = "i"; plugin = "icmp"; targets = [ "127.0.0.1" ]; metrics = [ "icmp.rtt", "loss", "rtt.*" ]; },
	  { name = "p"; plugin = "path"; targets = [ "127.0.0.1" ]; metrics_add = [ "hop.*", "reachable" ];
	    metrics_exclude = [ "path.duration" ]; tag_hop_ip = true; },
	  { name = "d"; plugin = "dns"; targets = [ "127.0.0.1" ]; query_name = "a.test"; metrics_exclude = [ "responses" ]; },
	  { name = "c"; plugin = "conn"; metrics_exclude = [ "rtt_var", "conn.opened" ]; }
	);
	EOF
	"$HOPWATCHD" -t -c sel.conf -P "$PLUGIN_DIR" >out 2>err || { cat out err; false; } &&
	"$HOPWATCHD" -L -P "$PLUGIN_DIR" >list &&
	grep -P "^plugin icmp\tmetric icmp\.rtt\tmetric, distribution\ton\t" list &&
	grep -P "^plugin icmp\tmetric icmp\.sent\tmetric, count\toff\t" list &&
	grep -P "^plugin path\tmetric path\.hop\.jitter\tmetric, gauge\toff\ttags: protocol,hop\t" list &&
	grep -P "^plugin path\ttag_hop_ip\tboolean\tfalse\t" list &&
	grep -P "^plugin conn\tmetric conn\.failed\tmetric, count\ton\ttags: direction,dest,port,reason\t" list
'

# ---------------------------------------------------------------- good configs
test_expect_success 'the shipped etc/hopwatch.conf passes -t' '
	"$HOPWATCHD" -t -c "$SRCDIR/etc/hopwatch.conf" -P "$PLUGIN_DIR" >out 2>err &&
	cat out err &&
	grep -F "$SRCDIR/etc/hopwatch.conf: OK (2 probes, 3 targets)" out &&
	! grep "error" err
'
test_expect_success 'every target form passes; -t prints the counts and starts nothing' '
	cat >forms.conf <<-\EOF &&
	# every way of writing a target
	interval = "30s";
	timeout = 0.5;
	resolve_interval = "2m";
	prefix = "hw_test.";
	hostname = "web-1.example.com";
	tags = [ "env:test", "bare" ];
	statsd = { url = "udp://127.0.0.1:8125"; echo = false; telemetry_interval = 0; };
	log = { level = "debug"; destination = "stderr"; };
	probes = (
	  {
	    name = "forms";
	    plugin = "testprobe";
	    tags = [ "team:net" ];
	    interval = "1m";
	    timeout = "250ms";
	    family = "any";
	    values = 5; hold = "1.5s"; check = "warning"; event = true; label = "x";
	    targets = (
	      "127.0.0.1",
	      "127.0.0.1:80",
	      "[::1]:80",
	      "::1",
	      "fe80::1",
	      "db.example.com",
	      "db.example.com:5432",
	      ("db.example.com", 5433),
	      ("::2", 53),
	      { host = "127.0.0.3"; },
	      { host = "127.0.0.3"; port = 443; tags = [ "k:v", "bare2" ]; },
	      { host = "::3"; port = 53; }
	    );
	  },
	  {
	    name = "groups.1_x-y";
	    plugin = "testprobe";
	    family = "ipv4";
	    targets = {
	      prod = ( "10.0.0.1", "10.0.0.1:22", ("10.0.0.2", 22), { host = "10.0.0.3"; tags = [ "rack:1" ]; } );
	      staging = [ "10.1.0.1", "10.1.0.2:8080" ];
	      empty = [ ];
	    };
	  }
	);
	EOF
	"$HOPWATCHD" -t -c "$TRASH/forms.conf" -P "$TEST_PLUGIN_DIR" >out 2>err &&
	cat out err &&
	grep -Fx "$TRASH/forms.conf: OK (2 probes, 18 targets)" out &&
	! grep -E "error|testprobe started" err
'
test_expect_success 'the same host in two probes, or with two ports, is fine' '
	cat >same.conf <<-\EOF &&
	probes = (
	  { name = "a"; plugin = "testprobe"; targets = [ "h", "h:1", "h:2", "[::1]:1", "::1" ]; },
	  { name = "b"; plugin = "testprobe"; targets = [ "h" ]; }
	);
	EOF
	"$HOPWATCHD" -t -c "$TRASH/same.conf" -P "$TEST_PLUGIN_DIR" >out &&
	grep -Fx "$TRASH/same.conf: OK (2 probes, 6 targets)" out
'
test_expect_success 'bounds are inclusive' '
	cat >bounds.conf <<-\EOF &&
	interval = 86400;
	timeout = "1ms";
	resolve_interval = 1;
	statsd = { telemetry_interval = "1h"; };
	probes = (
	  { name = "a"; plugin = "testprobe"; interval = "10ms"; timeout = 0.01;
	    values = 1; hold = 0; targets = [ "h:1", "h:65535" ]; },
	  { name = "b"; plugin = "testprobe"; values = 1000; hold = "1m"; targets = [ "h" ]; }
	);
	EOF
	"$HOPWATCHD" -t -c "$TRASH/bounds.conf" -P "$TEST_PLUGIN_DIR" >out 2>err &&
	cat out err &&
	grep -Fx "$TRASH/bounds.conf: OK (2 probes, 3 targets)" out
'
test_expect_success 'durations: plain seconds and every unit' '
	for d in 5 2.5 \"0.5\" \"250ms\" \"1.5s\" \"2m\" \"1h\" \".5s\"; do
		printf "interval = %s;\ntimeout = \"1ms\";\n" "$d" >dur.conf &&
		"$HOPWATCHD" -t -c "$TRASH/dur.conf" -P "$TEST_PLUGIN_DIR" >out 2>&1 &&
		grep -F "OK (0 probes" out || { echo "refused: $d"; cat out; exit 1; }
	done
'
test_expect_success '@include of a file adds its settings and probes' '
	mkdir -p inc &&
	printf "probes = ( { name = \"inc\"; plugin = \"testprobe\"; targets = [ \"a\", \"b\", \"c\" ]; } );\n" >inc/probes.inc &&
	printf "interval = 5;\n@include \"inc/probes.inc\"\n" >withinc.conf &&
	"$HOPWATCHD" -t -c "$TRASH/withinc.conf" -P "$TEST_PLUGIN_DIR" >out 2>err &&
	cat out err &&
	grep -Fx "$TRASH/withinc.conf: OK (1 probes, 3 targets)" out
'
test_expect_success '@include is relative to the config file, not the working dir' '
	mkdir -p elsewhere &&
	(cd elsewhere && "$HOPWATCHD" -t -c "$TRASH/withinc.conf" -P "$TEST_PLUGIN_DIR") >out 2>err &&
	cat out err &&
	grep -F "OK (1 probes, 3 targets)" out
'
test_expect_success 'include_dir with two files adds both, ignores other names' '
	mkdir -p cd.d &&
	printf "probes = ( { name = \"one\"; plugin = \"testprobe\"; targets = [ \"a\" ]; } );\n" >cd.d/10-one.conf &&
	printf "probes = ( { name = \"two\"; plugin = \"testprobe\"; targets = [ \"a\", \"b\" ]; },\n { name = \"three\"; plugin = \"testprobe\"; targets = [ \"c\" ]; } );\n" >cd.d/20-two.conf &&
	printf "this is not a config\n" >cd.d/README &&
	printf "junk = ;\n" >cd.d/.hidden.conf &&
	printf "junk = ;\n" >cd.d/old.conf.bak &&
	printf "tags = [ \"a:b\" ];\ninclude_dir = \"cd.d\";\nprobes = ( { name = \"main\"; plugin = \"testprobe\"; targets = [ \"z\" ]; } );\n" >withdir.conf &&
	"$HOPWATCHD" -t -c "$TRASH/withdir.conf" -P "$TEST_PLUGIN_DIR" >out 2>err &&
	cat out err &&
	grep -Fx "$TRASH/withdir.conf: OK (4 probes, 5 targets)" out
'
test_expect_success 'include_dir given as an absolute path' '
	printf "include_dir = \"%s\";\n" "$TRASH/cd.d" >elsewhere/abs.conf &&
	"$HOPWATCHD" -t -c "$TRASH/elsewhere/abs.conf" -P "$TEST_PLUGIN_DIR" >out 2>err &&
	cat out err &&
	grep -F "OK (3 probes, 4 targets)" out
'
test_expect_success 'no probes: accepted with a warning' '
	printf "interval = 5;\n" >empty.conf &&
	"$HOPWATCHD" -t -c "$TRASH/empty.conf" -P "$TEST_PLUGIN_DIR" >out 2>err &&
	cat out err &&
	grep -F "OK (0 probes, 0 targets)" out &&
	grep -F "no probes configured" err
'

# source: an address of a family the targets can use, or it is refused
bad 3 'probes[0].source' '"::1" is an IPv6 address, but every target is an IPv4 address (127.0.0.1): it would never be used' "$PLUGIN_DIR" <<'EOF'
probes = ( { name = "p"; plugin = "icmp";
	targets = [ "127.0.0.1", "127.0.0.2" ];
	source = "::1"; } );
EOF
bad 3 'probes[0].source' '"127.0.0.1" is an IPv4 address, but this probe'"'"'s family is "ipv6": it would never be used' "$PLUGIN_DIR" <<'EOF'
probes = ( { name = "p"; plugin = "path"; family = "ipv6";
	targets = [ "localhost" ];
	source = "127.0.0.1"; } );
EOF
test_expect_success 'source of one family, targets of both: taken, with a warning naming the others' '
	printf "probes = ( { name = \"p\"; plugin = \"icmp\";\n\ttargets = [ \"::1\", \"127.0.0.1\", \"localhost\" ];\n\tsource = \"127.0.0.1\"; } );\n" >src-mixed.conf &&
	"$HOPWATCHD" -t -c "$TRASH/src-mixed.conf" -P "$PLUGIN_DIR" >out 2>err &&
	cat out err &&
	grep -F "OK (1 probes, 3 targets)" out &&
	grep -Fx "hopwatchd: warning: $TRASH/src-mixed.conf:3: probes[0].source: \"127.0.0.1\" is an IPv4 address: the IPv6 targets (::1) are sent from the address the kernel chooses" err
'

test_done
