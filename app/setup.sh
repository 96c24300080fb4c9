#!/bin/sh
# Install what is missing (Debian 12 or 13, as root), fetch the DPDK
# driver-SDK headers from the dpdk source package of the installed version,
# and build.
# Idempotent: a second run only rebuilds what changed.
set -eu
[ "$(id -u)" = 0 ] || exec sudo "$0" "$@"
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/app/builddir.sh"

pkgs="dpdk dpdk-dev libdpdk-dev libxen-dev libbenchmark-dev meson ninja-build
pkg-config gcc g++ clang libclang-rt-dev dpkg-dev xenstore-utils iproute2 openssl procps python3
socat curl iputils-ping gnuplot-nox iperf3 debootstrap python3-pyelftools
openvswitch-switch-dpdk"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Driver-SDK headers (ethdev_driver.h, ethdev_vdev.h, bus_vdev_driver.h,
# dev_driver.h) from Debian's dpdk source package of the installed version,
# and the l2fwd and l3fwd examples that tests/app builds against libdpdk
# (Debian ships no example binaries; dpdk-doc's copy weighs 77 MB).
ver=$(dpkg-query -W -f='${Version}' libdpdk-dev)
sdk=$top/.sdk
if [ "$(cat "$sdk/include/.version" 2>/dev/null)" != "$ver" ] ||
   [ "$(cat "$sdk/examples/.version" 2>/dev/null)" != "$ver" ]; then
	. /etc/os-release
	src=/etc/apt/sources.list.d/netfront-deb-src.sources
	# deb-src twins of the machine's own Debian entries: its mirror.
	if ! "$top/app/apt-sources.sh" |
	     grep -q "^deb-src [^ ]* $VERSION_CODENAME "; then
		"$top/app/apt-sources.sh" --deb-src "$VERSION_CODENAME" > "$src.tmp"
		if [ ! -s "$src.tmp" ]; then
			rm -f "$src.tmp"
			echo "setup: no deb entry for $VERSION_CODENAME in" \
			     "/etc/apt/sources.list{,.d/} to derive deb-src" >&2
			exit 1
		fi
		mv "$src.tmp" "$src"
		apt-get update -qq
	fi
	rm -rf "$sdk/src" "$sdk/include" "$sdk/examples"
	mkdir -p "$sdk/src" "$sdk/include" "$sdk/examples"
	(cd "$sdk/src" && apt-get source -qq "dpdk=$ver" >/dev/null 2>&1) || {
		echo "setup: 'apt-get source dpdk=$ver' failed; is a deb-src entry for it reachable?" >&2
		exit 1
	}
	d=$(find "$sdk/src" -maxdepth 1 -mindepth 1 -type d | head -n 1)
	cp "$d/lib/ethdev/ethdev_driver.h" "$d/lib/ethdev/ethdev_vdev.h" \
	   "$d/drivers/bus/vdev/bus_vdev_driver.h" \
	   "$d/lib/eal/include/dev_driver.h" "$sdk/include/"
	# l3fwd includes common/ (pkt_group.h, sse/port_group.h).
	cp -R "$d/examples/l2fwd" "$d/examples/l3fwd" "$d/examples/common" \
	   "$sdk/examples/"
	rm -rf "$sdk/src"
	echo "$ver" > "$sdk/include/.version"
	echo "$ver" > "$sdk/examples/.version"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ ! -f "$build/build.ninja" ]; then
	rm -rf "$build"
	meson setup "$build" "$top" ${NETFRONT_MESON_ARGS:-} >"$log" 2>&1 ||
		{ cat "$log"; exit 1; }
fi
ninja -C "$build" >"$log" 2>&1 || { cat "$log"; exit 1; }
