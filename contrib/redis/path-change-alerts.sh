#!/bin/sh
# contrib/redis/path-change-alerts.sh: follow hopwatch's path changes in
# Redis and turn each into an alert: a syslog line (logger) and, when
# ALERT_WEBHOOK is set, a JSON POST (curl) of the message as published.
#
#   REDIS="-h 127.0.0.1 -p 6379" CHANNEL=hopwatch:path-changes \
#   ALERT_WEBHOOK=https://alerts.example/hook contrib/redis/path-change-alerts.sh
#
# Needs redis-cli, logger, and curl for the webhook.
set -eu
CHANNEL=${CHANNEL:-hopwatch:path-changes}
# shellcheck disable=SC2086
redis-cli ${REDIS:-} --raw SUBSCRIBE "$CHANNEL" | while IFS= read -r kind; do
	IFS= read -r _channel || break
	IFS= read -r payload || break
	[ "$kind" = message ] || continue
	target=$(printf '%s' "$payload" | sed -n 's/.*"target":"\([^"]*\)".*/\1/p')
	source=$(printf '%s' "$payload" | sed -n 's/.*"source":"\([^"]*\)".*/\1/p')
	ttl=$(printf '%s' "$payload" | sed -n 's/.*"first_diff_ttl":\([0-9]*\).*/\1/p')
	logger -t hopwatch-alert -p daemon.warning "path from $source to $target changed at TTL $ttl"
	if [ -n "${ALERT_WEBHOOK:-}" ]; then
		curl -fsS -m 10 -H 'Content-Type: application/json' --data-binary "$payload" "$ALERT_WEBHOOK" >/dev/null ||
			logger -t hopwatch-alert -p daemon.err "webhook failed for $target"
	fi
done
