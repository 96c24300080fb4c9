#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The stock dpdk-testpmd drives net_netfront: io forwarding after
# --tx-first keeps bursts of frames circling for a few seconds, through an
# echo vif (one port) or two peered vifs (two ports, vif 0 and 1). The
# frames are sent again straight from the granted RX pages (zero-copy, also
# across ports of the same backend), so the counters must show many frames
# both ways, no drops or errors, and zero-copy transmissions.
#   testpmd_echo.sh PLUGIN RUN_DIR [PORTS]
# PLUGIN "": no -d, the EAL must load the installed driver by itself
# (tests/deb).
set -u
plugin=$1
run=$2
ports=${3:-1}
load=()
if [[ -n $plugin ]]; then
	load=(-d "$plugin")
	. "$(dirname "$0")/asan_env.sh" "$plugin"
fi
vdevs=()
for ((p = 0; p < ports; p++)); do
	vdevs+=(--vdev "net_netfront$p,vif=$p,xensim=$run/dom1")
done
# Interactive, so that the counters are read once frames have circled
# for a while: the periodic display may come late on a busy machine.
out=$( { sleep 1; echo "start tx_first"; sleep 3
	echo "show port stats all"; echo "show port xstats all"
	echo "stop"; echo "quit"; } |
	timeout -k 5 60 dpdk-testpmd "${load[@]}" --no-huge -m 512 \
	--no-pci --no-shconf "${vdevs[@]}" -- -i --forward-mode=io \
	--total-num-mbufs=4096 2>&1)
echo "$out"
fwd=$(echo "$out" | sed -n '/Accumulated forward statistics/,/++++++/p')
rx=$(echo "$fwd" | sed -n 's/.*RX-packets: *\([0-9]*\).*/\1/p' | head -n1)
tx=$(echo "$fwd" | sed -n 's/.*TX-packets: *\([0-9]*\).*/\1/p' | head -n1)
txdrop=$(echo "$fwd" | sed -n 's/.*TX-dropped: *\([0-9]*\).*/\1/p' | head -n1)
zc=$(echo "$out" | sed -n 's/^ *tx_q0_zerocopy: *\([0-9]*\).*/\1/p' |
     sort -n | head -n1)
viol=$(echo "$out" |
       sed -n 's/^ *rx_q0_violation_rsp_id: *\([0-9]*\).*/\1/p' |
       sort -u | tr '\n' ' ')
echo "testpmd: rx=$rx tx=$tx tx-dropped=$txdrop zerocopy=$zc violations=$viol"
if [[ -z $rx || -z $tx || $rx -lt 10000 || $tx -lt $rx ||
      $((tx - rx)) -gt $((64 * ports)) || $txdrop -ne 0 ]]; then
	echo "FAIL: want >= 10000 frames circling, all back, none dropped" >&2
	exit 1
fi
if [[ -z $zc || $zc -lt 5000 || $viol != "0 " ]]; then
	echo "FAIL: frames were not sent zero-copy, or violations" >&2
	exit 1
fi
if echo "$out" | grep -q 'RX-errors: *[1-9]'; then
	echo "FAIL: RX errors reported" >&2
	exit 1
fi
echo "testpmd: ok"
