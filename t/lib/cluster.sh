# t/lib/cluster.sh: Redis in the forms production fleets run, started by
# the test on loopback: a Redis Cluster, a Sentinel-managed primary with a
# replica, and a TLS-only server reached through an stunnel client.
# Sourced after test-lib.sh (and t/lib/redis.sh for rcli and friends):
#
#   cluster_start c 3 0        # 3 primaries, no replicas
#   ccli c 0 SET k v           # redis-cli -c on node 0
#   sentinel_start s           # primary, replica, 3 sentinels, master "hw"
#   tls_start t                # TLS-only server, stunnel client in front
#   port_of t                  # a port: tunnel, see each function
#
# Test bodies run in subshells, so the ports are kept in files of $TRASH
# ($TRASH/NAME.port, one port or a list) and read back with port_of.
# Every server is spawned (killed at exit) and every wait is bounded.
require_cmd redis-server redis-cli ss

# cluster_port: a free TCP port whose cluster bus port (+10000) is free too
cluster_port() {
	local p
	for _ in $(seq 1 50); do
		p=$(free_tcp_port) || return 1
		[ "$p" -le 55000 ] || continue
		ss -Hlnt "sport = :$((p + 10000))" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}

# port_of NAME: the port(s) recorded for NAME
port_of() {
	cat "$TRASH/$1.port"
}

# redis_tcp NAME PORT [ARGS...]: redis-server on 127.0.0.1:PORT, no disk,
# its files in $TRASH/NAME/; ready once it answers PING
redis_tcp() {
	local name=$1 port=$2
	shift 2
	mkdir -p "$TRASH/$name"
	spawn "$name" redis-server --bind 127.0.0.1 --port "$port" --dir "$TRASH/$name" \
		--save '' --appendonly no --maxmemory 64mb --loglevel warning "$@" &&
	wait_for 10 tcp_answers "$port"
}
tcp_answers() {
	redis-cli -h 127.0.0.1 -p "$1" PING 2>&1 | grep -qE "PONG|NOAUTH"
}

# cluster_start NAME PRIMARIES REPLICAS: a cluster of PRIMARIES primaries,
# each with REPLICAS replicas; node ports in $NAME_ports (primaries first,
# as redis-cli --cluster create assigns them).  Returns once every node
# says cluster_state:ok.  A replica may always take over
# (cluster-replica-validity-factor 0): an idle test cluster's replicas
# otherwise count as too stale to fail over seconds after a primary dies.
cluster_start() {
	local name=$1 np=$2 nr=$3 ports="" i p try
	for i in $(seq 0 $((np * (1 + nr) - 1))); do
		# a port found free may be taken before the server binds it (other
		# tests run beside this one): then try another
		for try in 1 2 3 4 5; do
			p=$(cluster_port) || return 1
			redis_tcp "$name$i" "$p" --cluster-enabled yes --cluster-config-file nodes.conf \
				--cluster-node-timeout 2000 --cluster-replica-validity-factor 0 \
				--repl-diskless-sync-delay 0 && break
			kill "$(cat "$TRASH/$name$i.pid")" 2>/dev/null
			[ "$try" = 5 ] && return 1
		done
		ports="$ports $p"
	done
	echo "${ports# }" >"$TRASH/$name.port"
	local addrs
	addrs=$(for p in $ports; do printf '127.0.0.1:%s ' "$p"; done)
	# shellcheck disable=SC2086
	redis-cli --cluster create $addrs --cluster-replicas "$nr" --cluster-yes \
		>"$TRASH/$name.create" 2>&1 || { cat "$TRASH/$name.create" >&2; return 1; }
	for p in $ports; do
		wait_for 20 cluster_ok "$p" || return 1
	done
	# replicas hold a copy only once their first sync is done (Redis 7
	# waits repl-diskless-sync-delay, 5 s, before it starts one)
	for p in $ports; do
		wait_for 30 synced_if_replica "$p" || return 1
	done
}
# synced_if_replica PORT: a primary, or a replica whose link is up and in sync
synced_if_replica() {
	local info
	info=$(redis-cli -h 127.0.0.1 -p "$1" INFO replication | tr -d '\r') || return 1
	echo "$info" | grep -q '^role:master' && return 0
	echo "$info" | grep -q '^master_link_status:up' &&
	echo "$info" | grep -q '^master_sync_in_progress:0'
}
cluster_ok() {
	redis-cli -h 127.0.0.1 -p "$1" CLUSTER INFO 2>/dev/null | grep -q '^cluster_state:ok'
}
# cluster_port_of NAME I: the port of node I
cluster_port_of() {
	port_of "$1" | awk -v i="$2" '{ print $(i + 1) }'
}
# ccli NAME I ARGS...: redis-cli -c (follows redirections) on node I
ccli() {
	local p
	p=$(cluster_port_of "$1" "$2")
	shift 2
	redis-cli -c -h 127.0.0.1 -p "$p" "$@"
}
# cluster_live NAME: the port of a node of NAME that answers
cluster_live() {
	local p
	for p in $(port_of "$1"); do
		redis-cli -h 127.0.0.1 -p "$p" PING >/dev/null 2>&1 && { echo "$p"; return 0; }
	done
	return 1
}
# cluster_owner NAME KEY: the port of the primary that serves KEY now, as
# a live node sees it
cluster_owner() {
	local p slot
	p=$(cluster_live "$1") || return 1
	slot=$(redis-cli -h 127.0.0.1 -p "$p" CLUSTER KEYSLOT "$2") || return 1
	# CLUSTER NODES: id ip:port@bus flags primary ping pong epoch state slots...
	redis-cli -h 127.0.0.1 -p "$p" CLUSTER NODES | awk -v s="$slot" '
		$3 ~ /master/ && $3 !~ /fail/ {
			for (i = 9; i <= NF; i++) {
				n = split($i, r, "-")
				if (r[1] ~ /^[0-9]+$/ && r[1] <= s && s <= r[n]) {
					split($2, a, "[:@]"); print a[2]; exit
				}
			}
		}'
}

# sentinel_start NAME: a primary and a replica on loopback, watched by
# three sentinels (quorum 2, down after 1 s) under the master name "hw".
# Records the ports: NAME-primary, NAME-replica, NAME (the sentinels).
sentinel_start() {
	local name=$1 pp rp sp sentinels="" i
	pp=$(free_tcp_port) && rp=$(free_tcp_port) || return 1
	redis_tcp "${name}p" "$pp" || return 1
	redis_tcp "${name}r" "$rp" --replicaof 127.0.0.1 "$pp" || return 1
	wait_for 20 replica_synced "$rp" || return 1
	for i in 1 2 3; do
		sp=$(free_tcp_port) || return 1
		mkdir -p "$TRASH/${name}s$i"
		cat >"$TRASH/${name}s$i/sentinel.conf" <<-EOF
		bind 127.0.0.1
		port $sp
		dir $TRASH/${name}s$i
		sentinel monitor hw 127.0.0.1 $pp 2
		sentinel down-after-milliseconds hw 1000
		sentinel failover-timeout hw 5000
		sentinel parallel-syncs hw 1
		EOF
		spawn "${name}s$i" redis-server "$TRASH/${name}s$i/sentinel.conf" --sentinel || return 1
		wait_for 10 tcp_answers "$sp" || return 1
		sentinels="$sentinels $sp"
	done
	echo "$pp" >"$TRASH/$name-primary.port"
	echo "$rp" >"$TRASH/$name-replica.port"
	echo "${sentinels# }" >"$TRASH/$name.port"
	for sp in $sentinels; do
		wait_for 20 sentinel_sees "$sp" 2 || return 1
	done
}
replica_synced() {
	redis-cli -h 127.0.0.1 -p "$1" INFO replication | grep -q '^master_link_status:up'
}
# sentinel_sees PORT N: that sentinel knows N other sentinels and the replica
sentinel_sees() {
	local info
	info=$(redis-cli -h 127.0.0.1 -p "$1" SENTINEL MASTER hw 2>/dev/null | tr -d '\r') || return 1
	echo "$info" | awk -v n="$2" '
		prev == "num-other-sentinels" && $0 + 0 >= n { s = 1 }
		prev == "num-slaves" && $0 + 0 >= 1 { r = 1 }
		{ prev = $0 }
		END { exit !(s && r) }'
}
# sentinel_primary NAME: the primary's port as the sentinels tell it now
sentinel_primary() {
	local sp
	sp=$(port_of "$1" | awk '{ print $1 }')
	redis-cli -h 127.0.0.1 -p "$sp" SENTINEL GET-MASTER-ADDR-BY-NAME hw | tail -n 1
}

# tls_certs DIR: a CA, and a server certificate for 127.0.0.1/localhost
# signed by it (ca.crt, server.crt, server.key); plus other.crt/other.key
# signed by another CA, for mismatch tests.
tls_certs() {
	local d=$1
	mkdir -p "$d" && (
		cd "$d" &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=hopwatch-test-ca \
			-keyout ca.key -out ca.crt &&
		openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr &&
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >san.ext &&
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
			-extfile san.ext -out server.crt &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca \
			-keyout other.key -out other.crt
	) >"$d/openssl.log" 2>&1
}

# stunnel_conf ACCEPT CONNECT CAFILE: an stunnel client config that takes
# plain connections on 127.0.0.1:ACCEPT and speaks TLS to 127.0.0.1:CONNECT,
# verifying the chain against CAFILE and the name "localhost"
stunnel_conf() {
	cat <<-EOF
	foreground = yes
	pid =
	debug = notice
	[redis]
	client = yes
	accept = 127.0.0.1:$1
	connect = 127.0.0.1:$2
	verifyChain = yes
	CAfile = $3
	checkHost = localhost
	EOF
}

# tls_start NAME [CAFILE]: a redis-server that speaks only TLS on
# port NAME-tls, and an stunnel client on port NAME that verifies it
# against CAFILE (default the test CA) and forwards plain connections.
tls_start() {
	local name=$1 tp lp d=$TRASH/$1-tls
	require_cmd openssl stunnel4
	[ -f "$d/ca.crt" ] || tls_certs "$d" || { cat "$d/openssl.log" >&2; return 1; }
	tp=$(free_tcp_port) && lp=$(free_tcp_port) || return 1
	mkdir -p "$TRASH/$name"
	spawn "$name" redis-server --bind 127.0.0.1 --port 0 --tls-port "$tp" \
		--tls-cert-file "$d/server.crt" --tls-key-file "$d/server.key" \
		--tls-ca-cert-file "$d/ca.crt" --tls-auth-clients no \
		--dir "$TRASH/$name" --save '' --appendonly no --loglevel warning || return 1
	stunnel_conf "$lp" "$tp" "${2:-$d/ca.crt}" >"$d/stunnel.conf"
	spawn "$name-stunnel" stunnel4 "$d/stunnel.conf" || return 1
	echo "$tp" >"$TRASH/$name-tls.port"
	echo "$lp" >"$TRASH/$name.port"
	wait_for 10 ss_listens "$lp"
}
ss_listens() {
	ss -Hlnt "sport = :$1" | grep -q .
}
