#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The stock dpdk-testpmd drives net_netfront against an echo vif: txonly
# for a few seconds, then the port's counters must show the frames sent
# and received back, without errors.
#   testpmd_echo.sh PLUGIN RUN_DIR
set -u
plugin=$1
run=$2
out=$(timeout -k 5 60 dpdk-testpmd -d "$plugin" --no-huge -m 512 --no-pci \
	--no-shconf --vdev "net_netfront0,vif=0,xensim=$run/dom1" -- \
	--forward-mode=txonly --txpkts=1000 --stats-period 1 --auto-start \
	--total-num-mbufs=4096 </dev/null 2>&1 &
	tp=$!
	sleep 4
	kill -INT $tp
	wait $tp)
echo "$out"
stats=$(echo "$out" | grep -E 'RX-packets|TX-packets' | tail -n 2)
rx=$(echo "$stats" | sed -n 's/.*RX-packets: *\([0-9]*\).*/\1/p' | tail -n1)
tx=$(echo "$stats" | sed -n 's/.*TX-packets: *\([0-9]*\).*/\1/p' | tail -n1)
err=$(echo "$out" | grep -c 'RX-errors: *[1-9]')
echo "testpmd: rx=$rx tx=$tx"
if [[ -z $rx || -z $tx || $tx -lt 1000 || $rx -lt $((tx / 2)) ]]; then
	echo "FAIL: expected >= 1000 frames sent and most echoed back" >&2
	exit 1
fi
if [[ $err -ne 0 ]]; then
	echo "FAIL: RX errors reported" >&2
	exit 1
fi
echo "testpmd echo: ok"
