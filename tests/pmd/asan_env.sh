# SPDX-License-Identifier: BSD-3-Clause
# Sourced with the plugin's path as $1 by the scripts that load it into
# Debian's dpdk-testpmd: an ASan build of the plugin needs the runtime
# loaded before the application, which is not built with it.
asan=$(ldd "$1" | awk '/libasan/ { print $3 }')
if [[ -n $asan ]]; then
	export LD_PRELOAD=$asan
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
fi
