# t/lib/conf.sh: running `hopwatchd -t` on a config and reading its
# verdict, for the t10xx config tests; sourced after test-lib.sh.

# TAP reads "# SKIP"/"# TODO" in a description as a directive: escape '#'
tap_desc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/#/\\#/g'; }

# check FILE [PLUGIN_DIR]: run -t on FILE (plugins from PLUGIN_DIR, default
# plugins/); FILE.out, FILE.err and FILE.rc receive the result.
check() {
	local rc=0
	"$HOPWATCHD" -t -c "$1" -P "${2:-$PLUGIN_DIR}" >"$1.out" 2>"$1.err" || rc=$?
	echo "$rc" >"$1.rc"
}

# refused FILE LINE [prefix]: the checked FILE exited 1 (refused, not
# crashed), stderr has "hopwatchd: error: LINE" as a whole line (with
# `prefix`: a line starting so) and the verdict, and nothing said OK.
refused() {
	cat "$1.err"
	[ "$(cat "$1.rc")" = 1 ] || { echo "exit status $(cat "$1.rc"), expected 1"; return 1; }
	if [ "${3:-}" = prefix ]; then
		grep -qF -e "hopwatchd: error: $2" "$1.err"
	else
		grep -qxF -e "hopwatchd: error: $2" "$1.err"
	fi || { echo "no error line: hopwatchd: error: $2"; return 1; }
	grep -qF -e "$1: configuration is not valid" "$1.err" && ! grep -qF "OK (" "$1.out"
}
