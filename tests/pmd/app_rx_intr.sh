#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# netfront-testpmd --rx-intr: frames from xensim's generator on vif 0 are
# received with the lcore sleeping between them, and an idle vif 1 lets
# the whole process sleep: a polling lcore would use a whole core, so
# more than half of one fails (measured here: under 1%).
#   app_rx_intr.sh APP PLUGIN RUN
set -u
app=$1 plugin=$2 run=$3
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
eal=(-l 0-1 --no-huge -m 512 --no-pci --no-shconf -d "$plugin")
out=$(timeout 60 "$app" "${eal[@]}" \
	--vdev "net_netfront0,vif=0,xensim=$run/dom1" -- --mode rxonly \
	--rx-intr --duration 2 --stats-period 0 2>&1) ||
	fail "rxonly --rx-intr from the generator: $out"
rx=$(echo "$out" | sed -n 's/^  rx \([0-9]*\) pkts.*/\1/p' | tail -n 1)
[[ -n $rx && $rx -gt 0 ]] || fail "no frame received: $out"
echo "generator: $rx frames received in interrupt mode"
out=$(timeout 60 "$app" "${eal[@]}" \
	--vdev "net_netfront1,vif=1,xensim=$run/dom1" -- --mode rxonly \
	--rx-intr --duration 3 --stats-period 0 2>&1) ||
	fail "rxonly --rx-intr on an idle vif: $out"
cpu=$(echo "$out" | sed -n 's/^cpu: .*, \([0-9]*\)\.[0-9]% of one core$/\1/p')
echo "idle: $(echo "$out" | grep '^cpu:')"
[[ -n $cpu && $cpu -lt 50 ]] || fail "an idle port kept a core busy: $out"
