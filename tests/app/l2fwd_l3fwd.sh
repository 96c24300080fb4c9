#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# DPDK's l2fwd or l3fwd example (the dpdk source package's, built against
# libdpdk) forwards between two net_netfront ports on xensim: the generator
# on vif 1/0 (port 0) sends UDP to 192.0.2.2, vif 1/1 (port 1) is a sink.
# Passes when many frames leave through vif 1/1, none go back out vif 1/0,
# and the app stops and closes both ports cleanly on SIGTERM.
#   l2fwd_l3fwd.sh l2fwd|l3fwd APP PLUGIN RUN [APP_ARGS...]
# APP_ARGS follow the test's own, so they override them: '-p 0x1' (port 1
# left out) must make the test fail.
set -eu
which=$1 app=$2 plugin=$3 run=$4
shift 4
want=10000
fail() {
	echo "FAIL: $which: $*" >&2
	exit 1
}
# meson finds the examples' source when it configures the build.
[[ -n $app && -x $app ]] ||
	fail "not built: run app/setup.sh (it keeps the examples' source in" \
	     ".sdk/examples), then 'meson setup --reconfigure' the build"

out=$run/$which.out
pid=
cleanup() {
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
}
trap cleanup EXIT

# Sum of COUNTER over vif D/H's queues in xensim's status.json (written
# every 50 ms by with_xensim.sh's xensim, replaced atomically).
count() {
	python3 - "$run/status.json" "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print(sum(q[sys.argv[3]] for v in d["vifs"] if v["vif"] == sys.argv[2]
	  for q in v["queues"]))
EOF
}

eal=(-l 0-1 --no-huge -m 512 --no-pci --no-shconf -d "$plugin"
	--vdev "net_netfront0,vif=0,xensim=$run/dom1"
	--vdev "net_netfront1,vif=1,xensim=$run/dom1")
case $which in
l2fwd)
	# Ports 0 and 1 are a pair; -T 1 prints the port statistics each
	# second.
	args=(-p 0x3 -T 1)
	;;
l3fwd)
	# The generator's destination 192.0.2.2 routed to port 1 (l3fwd's
	# built-in routes are 198.18.x.0/24, and a miss goes back out the
	# ingress port). Both rule files or neither.
	echo 'R192.0.2.0/24 1' >"$run/l3fwd-v4.cfg"
	echo 'R2001:db8::/32 0' >"$run/l3fwd-v6.cfg"
	# l3fwd gives each port one TX queue per lcore, and a netif queue is
	# an RX/TX pair: each lcore polls one queue pair of each port.
	# net_netfront reports no packet types, which l3fwd needs: with
	# --parse-ptype an RX callback parses them in software.
	args=(-p 0x3 -P --parse-ptype --lookup=lpm
		--config='(0,0,0),(0,1,1),(1,0,0),(1,1,1)'
		--rule_ipv4="$run/l3fwd-v4.cfg" --rule_ipv6="$run/l3fwd-v6.cfg")
	;;
*)
	fail "unknown example (l2fwd or l3fwd)"
	;;
esac

timeout -k 5 40 "$app" "${eal[@]}" -- "${args[@]}" "$@" >"$out" 2>&1 &
pid=$!
# Until the frames flow out through vif 1/1 (at most 10 s: ports up takes
# under one here), then a second and a half more so that l2fwd prints its
# statistics with them at least once.
fwd=0
deadline=$((SECONDS + 10))
while [[ $SECONDS -lt $deadline ]]; do
	fwd=$(count 1/1 tx_pkts)
	[[ $fwd -ge $want ]] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
[[ $fwd -ge $want ]] && sleep 1.5
rc=0
if kill -0 "$pid" 2>/dev/null; then
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	pid=
else
	wait "$pid" || rc=$?
	pid=
	echo "$which exited by itself (status $rc):"
	cat "$out"
	# The examples print err=-ERRNO when an ethdev call fails; ethdev's
	# and the driver's own messages name the call and why.
	if grep -q 'err=-[0-9]' "$out"; then
		grep -E 'Cause:|Ethdev port_id|netfront|err=' "$out" >&2
		fail "stopped at setup: an ethdev call on a net_netfront" \
		     "port failed (above)"
	fi
	fail "did not keep running"
fi
sleep 0.2			# xensim's status.json after the last TX
fwd=$(count 1/1 tx_pkts)
back=$(count 1/0 tx_pkts)
gen=$(count 1/0 rx_pkts)
# l2fwd clears the screen before each statistics print.
sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$out"
echo "$which: generator delivered $gen frames to port 0; $fwd left" \
     "through vif 1/1, $back back out through vif 1/0; exit status $rc"

[[ $rc -eq 0 ]] || fail "exit status $rc after SIGTERM"
grep -q '^Bye' "$out" || fail "did not finish (no 'Bye...')"
if grep -E 'err=|Error' "$out" >&2; then
	fail "an ethdev call failed (above)"
fi
[[ $fwd -ge $want ]] ||
	fail "$fwd frames left through vif 1/1, want at least $want"
[[ $back -eq 0 ]] || fail "$back frames went back out the ingress vif 1/0"
if [[ $which == l2fwd ]]; then
	# Its own count: what port 1 sent by the last print reached xensim.
	stats=$(sed -n '/Statistics for port 1/,/dropped/p' "$out" | tail -n 4)
	sent=$(echo "$stats" | sed -n 's/^Packets sent: *\([0-9]*\)/\1/p')
	[[ -n $sent && $sent -gt 0 && $sent -le $fwd ]] ||
		fail "l2fwd says port 1 sent '$sent', xensim took $fwd"
fi
echo "$which: ok"
