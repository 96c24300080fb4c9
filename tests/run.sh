#!/bin/sh
# Set up (packages, DPDK driver-SDK headers, build) and run every test:
# the default suites, the driver's suites on Debian 13 (DPDK 24.11), the
# driver's and netback's suites again under ASan (leaks included), the
# fuzzers, the Debian packages installed, then the driver against real Xen
# under QEMU (Xen 4.17; the driver's test also on Debian 13's Xen 4.20).
set -eu
[ "$(id -u)" = 0 ] || exec sudo "$0" "$@"
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/app/builddir.sh"
"$top/app/setup.sh"
meson test -C "$build" --print-errorlogs
# The driver's suites again on Debian 13 (DPDK 24.11) in a trixie chroot.
"$top/tests/debian13/run.sh"

asan=$build-asan
if [ ! -f "$asan/build.ninja" ]; then
	rm -rf "$asan"
	log=$(meson setup "$asan" "$top" -Db_sanitize=address,undefined \
	      -Db_lundef=false 2>&1) || { echo "$log"; exit 1; }
fi
ninja --quiet -C "$asan"
# UBSan only reports and goes on unless told to stop.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
meson test -C "$asan" --suite pmd --suite netback --suite hostile \
	--print-errorlogs

# libFuzzer targets (tests/fuzz): a clang build of their own, a minute each.
fuzz=$build-fuzz
if [ ! -f "$fuzz/build.ninja" ]; then
	rm -rf "$fuzz"
	log=$(CC=clang CXX=clang++ meson setup "$fuzz" "$top" -Dfuzz=true \
	      -Db_lundef=false 2>&1) || { echo "$log"; exit 1; }
fi
ninja --quiet -C "$fuzz" tests/fuzz/fuzz-xenstore tests/fuzz/fuzz-rx \
	tests/fuzz/fuzz-tx
"$top/tests/fuzz/run.sh" "$fuzz" 60

# The Debian packages, installed into a clean root file system (tests/deb).
"$top/tests/deb/run.sh"

meson test -C "$build" --setup xen --suite xen --print-errorlogs
