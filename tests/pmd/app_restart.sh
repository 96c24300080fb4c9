#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Under verify load on 2 queues the backend restarts, then the domain is
# saved and restored: netfront-testpmd sees each RESET event, resets and
# sets the port up again, and traffic goes on with nothing corrupt or
# duplicated and no more lost than was in flight each time; no port of the
# old domain is unbound (Linux would BUG()); then an unplug gives an RMV
# event.
#   app_restart.sh APP PLUGIN XENSIM RUN
set -u
app=$1 plugin=$2 xensim=$3 run=$4
log=$run/app.log
# The restart, the restore and the unplug each lose what the window lets
# be in flight: a window and a burst per stream (2 queues).
max_lost=$((3 * 2 * (256 + 32)))
timeout 60 "$app" -l 0-1 --no-huge -m 512 --no-pci --no-shconf \
	-d "$plugin" --vdev "net_netfront0,vif=0,xensim=$run/dom1" \
	-- --mode verify --queues 2 --pkt-size 60-9000 --duration 6 \
	--max-lost "$max_lost" --stats-period 1 >"$log" 2>&1 &
pid=$!
fail() {
	echo "FAIL: $*" >&2
	cat "$log" >&2
	kill "$pid" 2>/dev/null
	exit 1
}
for _ in $(seq 100); do
	grep -q '^forwarding:' "$log" && break
	sleep 0.1
done
grep -q '^forwarding:' "$log" || fail "the app did not start forwarding"
sleep 1
"$xensim" "$run" --ctl "restart 1/0" || fail "xensim restart"
sleep 3
"$xensim" "$run" --ctl "restore 1/0" || fail "xensim restore"

sleep 1
"$xensim" "$run" --ctl "unplug 1/0" | grep -q 'the backend closed in' ||
	fail "unplug did not complete without the toolstack's timeout"
wait "$pid"
rc=$?
sed -n '/==== summary/,$p' "$log"
[[ $rc == 0 ]] || fail "netfront-testpmd exited with $rc"
grep -q '^events: reset 2 (set up again 2), rmv 1$' "$log" ||
	fail "want 2 RESET events, both set up again, and 1 RMV"
grep -q 'port 0: reset after a RESET event' "$log" ||
	fail "no reset reported"
grep -q 'vif0: the domain was restored' "$log" ||
	fail "the driver did not tell the restore from a restart"
grep -q '"stale_evtchn_closes":0' "$run/status.json" ||
	fail "a port of the old domain was unbound: $(cat "$run/status.json")"
# Traffic after the restore: a live line with rx before the unplug.
good=$(sed -n 's/^ *verify: good \([0-9]*\) .*/\1/p' "$log" | tail -n 1)
[[ -n $good && $good -gt 0 ]] || fail "no good frames"
echo "ok: a restart, a restore and an unplug under load, $good good frames"
