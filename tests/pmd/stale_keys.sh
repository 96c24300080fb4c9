#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Keys left in device/vif/0 by a previous frontend (here: those Linux
# xen-netfront writes with two queues) must be gone once the driver has
# connected with one queue, or the backend would act on them.
#   stale_keys.sh APP PLUGIN RUN   (XENSTORED_PATH: dom1's xenstored)
set -u
app=$1 plugin=$2 run=$3
fe=device/vif/0
for k in feature-gso-tcpv4 feature-gso-tcpv6 feature-ipv6-csum-offload \
	 queue-1/tx-ring-ref queue-1/event-channel-tx; do
	xenstore-write "$fe/$k" 1 || { echo "FAIL: cannot write $k" >&2; exit 1; }
done
timeout 60 "$app" -l 0-1 --no-huge -m 512 --no-pci --no-shconf \
	-d "$plugin" --vdev "net_netfront0,vif=0,queues=1,xensim=$run/dom1" \
	-- --mode rxonly --duration 4 --stats-period 0 >"$run/app.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	[[ $(xenstore-read "$fe/state" 2>/dev/null) == 4 ]] && break
	sleep 0.1
done
left=$(xenstore-ls "$fe" | awk '{ print $1 }' | grep -E \
	'^(feature-gso|feature-ipv6-csum|queue-)' | tr '\n' ' ')
state=$(xenstore-read "$fe/state")
wait "$pid"
rc=$?
if [[ $state != 4 || -n $left || $rc != 0 ]]; then
	echo "FAIL: state $state, stale keys left: '$left', app status $rc" >&2
	cat "$run/app.log" >&2
	exit 1
fi
echo "stale keys removed at connect"
