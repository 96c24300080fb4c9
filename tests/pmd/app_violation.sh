#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A backend that answers with an id never posted: the driver must count it
# as a protocol violation and netfront-testpmd must report it and fail.
#   app_violation.sh APP PLUGIN RUN
set -u
app=$1 plugin=$2 run=$3
out=$(timeout 60 "$app" -l 0-1 --no-huge -m 512 --no-pci --no-shconf \
	-d "$plugin" --vdev "net_netfront0,vif=0,xensim=$run/dom1" \
	-- --mode verify --duration 2 --stats-period 0 2>&1)
rc=$?
echo "$out" | sed -n '/==== summary/,$p'
viol=$(echo "$out" | sed -n 's/^ *protocol_violations \([0-9]*\)$/\1/p' |
       tail -n 1)
if [[ $rc != 1 || -z $viol || $viol == 0 ]]; then
	echo "FAIL: want exit status 1 and violations > 0, got $rc and" \
	     "'$viol'" >&2
	exit 1
fi
