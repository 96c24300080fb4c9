#!/bin/sh
# Set up (packages, DPDK driver-SDK headers, build) and run every test.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/app/setup.sh"
exec meson test -C "${NETFRONT_BUILD:-$top/build}" --print-errorlogs "$@"
