#!/bin/sh
# contrib/install-deps.sh build|test: make sure the Debian/Ubuntu packages
# hopwatch needs to build (build) or to run its tests (test) are installed.
# As root, missing ones are installed with apt-get; otherwise their names
# are printed and the script fails.  `make` and `make check` call it.
set -eu
case "${1:-build}" in
build) PKGS="gcc make pkg-config libev-dev libconfig-dev libhiredis-dev libc-ares-dev libjansson-dev" ;;
test)  PKGS="redis-server iproute2 nftables iputils-ping traceroute procps perl util-linux man-db python3 python3-yaml openssl stunnel4 unbound dnsmasq-base bind9-dnsutils libcap2-bin" ;;
*) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "hopwatch: missing Debian packages:$missing" >&2
	echo "hopwatch: install them with: sudo apt-get install$missing" >&2
	exit 1
fi
echo "hopwatch: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
