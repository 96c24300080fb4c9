#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dpdk-pmdinfo.py, DPDK's tool for what a driver binary holds, finds
# net_netfront in the plugin, and its devargs are the ones the README's
# table and the driver guide document, no more and no fewer.
#   pmdinfo.sh PLUGIN README GUIDE
set -u
plugin=$1
readme=$2
guide=$3
out=$(dpdk-pmdinfo.py "$plugin") || { echo "FAIL: dpdk-pmdinfo.py" >&2; exit 1; }
echo "$out"
read -r name params < <(echo "$out" | python3 -c '
import json, sys
info = json.load(sys.stdin)
print(" ".join([info[0]["name"], info[0]["params"]]) if len(info) == 1 else "")')
if [[ $name != net_netfront ]]; then
	echo "FAIL: want one driver, net_netfront" >&2
	exit 1
fi
keys=$(echo "$params" | tr ' ' '\n' | sed 's/=.*//' | sort)
rc=0
for doc in "$readme" "$guide"; do
	# Table rows that start with a devarg: | `key=...` | (markdown) or
	# ``key=...`` (the guide's list).
	documented=$(grep -o '^\(| `\|``\)[a-z_]*=' "$doc" |
		     sed 's/^[|` ]*//; s/=$//' | sort -u)
	if [[ $keys != "$documented" ]]; then
		echo "FAIL: $doc documents [$(echo $documented)]," \
		     "the driver takes [$(echo $keys)]" >&2
		rc=1
	fi
done
[[ $rc == 0 ]] && echo "pmdinfo: net_netfront, devargs $(echo $keys)"
exit $rc
