# settings.awk: the SETTINGS part of hopwatch.conf(5), made from
# `hopwatchd -L` (every setting of the core and of each plugin, one per
# line: scope, name, type, default, range, meaning, tab-separated; see
# conf_describe in src/core/conf.h).  `make man-settings` writes it between
# the BEGIN/END SETTINGS lines of contrib/man/hopwatch.conf.5;
# t/t8030-man.sh checks that the page holds exactly what this makes.
BEGIN { FS = "\t" }

# Text for roff: backslashes and minus signs escaped, a leading dot or
# quote neutralised.
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	return "\\&" s
}

# The subsection of a scope.
function heading(scope) {
	if (scope == "global") return "Global settings"
	if (scope == "probes") return "Settings of every probe instance"
	if (scope ~ /^plugin /) return "Plugin " substr(scope, 8) " (plugin = \\(dq" substr(scope, 8) "\\(dq)"
	return "The " scope " group (" scope " = { ... };)"
}

NF >= 6 {
	scope = $1; name = $2; type = $3; def = $4; range = $5; doc = $6
	if (scope == "global" && name == "plugin_dir")
		def = "@PLUGINDIR@"   # the install's, substituted at install time
	if (scope != last) {
		printf ".SS \"%s\"\n", heading(scope)
		last = scope
	}
	key = (scope == "global" || scope == "probes" || scope ~ /^plugin /) ? name : scope "." name
	print ".TP"
	print ".B " key
	line = type
	if (def != "")
		line = line "; default " def
	else
		line = line "; unset by default"
	if (range != "")
		line = line "; " range
	print esc(line)
	print ".br"
	print esc(doc)
}
