#!/bin/sh
# contrib/redis/path-change-alerts.sh: follow hopwatch's path changes in
# Redis and turn each into an alert: a syslog line (logger) and, when
# ALERT_WEBHOOK is set, a JSON POST (curl) of the message as published.
# Where no syslog daemon listens (a container, a minimal host: no
# $SYSLOG_SOCKET, default /dev/log), each alert goes to standard error
# instead, so it is never lost silently.
#
#   REDIS="-h 127.0.0.1 -p 6379" CHANNEL=hopwatch:path-changes \
#   ALERT_WEBHOOK=https://alerts.example/hook contrib/redis/path-change-alerts.sh
#
# Needs redis-cli, and logger when syslog runs, curl for the webhook.
set -eu
CHANNEL=${CHANNEL:-hopwatch:path-changes}
SYSLOG_SOCKET=${SYSLOG_SOCKET:-/dev/log}

# say PRIORITY MESSAGE: to syslog when it listens, else to standard error
say() {
	if [ -S "$SYSLOG_SOCKET" ] && command -v logger >/dev/null 2>&1 &&
		logger -u "$SYSLOG_SOCKET" -t hopwatch-alert -p "$1" -- "$2" 2>/dev/null; then
		return 0
	fi
	printf 'hopwatch-alert: %s: %s\n' "${1#daemon.}" "$2" >&2
}

[ -S "$SYSLOG_SOCKET" ] || say daemon.notice "no syslog at $SYSLOG_SOCKET: alerts go to standard error"
# shellcheck disable=SC2086
redis-cli ${REDIS:-} --raw SUBSCRIBE "$CHANNEL" | while IFS= read -r kind; do
	IFS= read -r _channel || break
	IFS= read -r payload || break
	[ "$kind" = message ] || continue
	target=$(printf '%s' "$payload" | sed -n 's/.*"target":"\([^"]*\)".*/\1/p')
	source=$(printf '%s' "$payload" | sed -n 's/.*"source":"\([^"]*\)".*/\1/p')
	ttl=$(printf '%s' "$payload" | sed -n 's/.*"first_diff_ttl":\([0-9]*\).*/\1/p')
	say daemon.warning "path from $source to $target changed at TTL $ttl"
	if [ -n "${ALERT_WEBHOOK:-}" ]; then
		curl -fsS -m 10 -H 'Content-Type: application/json' --data-binary "$payload" "$ALERT_WEBHOOK" >/dev/null ||
			say daemon.err "webhook failed for $target"
	fi
done
