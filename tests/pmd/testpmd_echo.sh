#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The stock dpdk-testpmd drives net_netfront against an echo vif: io
# forwarding after --tx-first keeps a burst of frames circling through the
# backend for a few seconds. The echoed frames are sent again straight from
# the granted RX pages (zero-copy), so the counters must show many frames
# both ways, no errors, and zero-copy transmissions.
#   testpmd_echo.sh PLUGIN RUN_DIR
set -u
plugin=$1
run=$2
# An ASan build of the plugin needs the runtime loaded before testpmd.
asan=$(ldd "$plugin" | awk '/libasan/ { print $3 }')
if [[ -n $asan ]]; then
	export LD_PRELOAD=$asan
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
fi
out=$( (timeout -k 5 60 dpdk-testpmd -d "$plugin" --no-huge -m 512 \
	--no-pci --no-shconf --vdev "net_netfront0,vif=0,xensim=$run/dom1" \
	-- --forward-mode=io --tx-first --stats-period 1 \
	--display-xstats tx_q0_zerocopy,rx_q0_viol_rsp_id \
	--total-num-mbufs=4096 </dev/null 2>&1 &
	tp=$!
	sleep 4
	kill -INT $tp
	wait $tp) )
echo "$out"
fwd=$(echo "$out" | sed -n '/Forward statistics for port 0/,/------/p')
rx=$(echo "$fwd" | sed -n 's/.*RX-packets: *\([0-9]*\).*/\1/p' | head -n1)
tx=$(echo "$fwd" | sed -n 's/.*TX-packets: *\([0-9]*\).*/\1/p' | head -n1)
txdrop=$(echo "$fwd" | sed -n 's/.*TX-dropped: *\([0-9]*\).*/\1/p' | head -n1)
zc=$(echo "$out" | sed -n 's/.*tx_q0_zerocopy *\([0-9]*\).*/\1/p' | tail -n1)
viol=$(echo "$out" | sed -n 's/.*rx_q0_viol_rsp_id *\([0-9]*\).*/\1/p' | tail -n1)
echo "testpmd: rx=$rx tx=$tx tx-dropped=$txdrop zerocopy=$zc violations=$viol"
if [[ -z $rx || -z $tx || $rx -lt 10000 || $tx -lt $rx ||
      $((tx - rx)) -gt 64 || $txdrop -ne 0 ]]; then
	echo "FAIL: want >= 10000 frames circling, all echoed, none dropped" >&2
	exit 1
fi
if [[ -z $zc || $zc -lt 10000 || $viol != 0 ]]; then
	echo "FAIL: echoed frames were not sent zero-copy, or violations" >&2
	exit 1
fi
if echo "$out" | grep -q 'RX-errors: *[1-9]'; then
	echo "FAIL: RX errors reported" >&2
	exit 1
fi
echo "testpmd echo: ok"
