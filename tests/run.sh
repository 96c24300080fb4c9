#!/bin/sh
# Set up (packages, DPDK driver-SDK headers, build) and run every test:
# the default suites, then the driver against real Xen under QEMU.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/app/builddir.sh"
"$top/app/setup.sh"
meson test -C "$build" --print-errorlogs
meson test -C "$build" --setup xen --suite xen --print-errorlogs
