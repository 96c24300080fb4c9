#!/bin/sh
# Set up (packages, DPDK driver-SDK headers, build) and run every test:
# the default suites, the driver's and netback's suites again under ASan
# (leaks included), then the driver against real Xen under QEMU.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/app/builddir.sh"
"$top/app/setup.sh"
meson test -C "$build" --print-errorlogs

asan=$build-asan
if [ ! -f "$asan/build.ninja" ]; then
	rm -rf "$asan"
	log=$(meson setup "$asan" "$top" -Db_sanitize=address \
	      -Db_lundef=false 2>&1) || { echo "$log"; exit 1; }
fi
ninja --quiet -C "$asan"
meson test -C "$asan" --suite pmd --suite netback --print-errorlogs

meson test -C "$build" --setup xen --suite xen --print-errorlogs
