#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A client no one here wrote: Debian's OVS-DPDK (openvswitch-switch-dpdk)
# loads net_netfront with -d and switches between two of its ports on a
# netdev bridge (NORMAL, MAC learning), each port a xensim vif whose TAP
# end is in a network namespace made here. Ping both ways (IPv4, IPv6)
# and a TCP transfer each way must arrive intact (sha256); OVS must report
# both ports as net_netfront and count the transfer on them; xensim must
# see no violation, and both vifs must be Closed once vswitchd has exited.
# OVS runs privately: its own database, sockets and logs under the run
# directory, its own EAL file prefix, vswitchd in a namespace of its own
# (the bridge's internal port lands there); the system's OVS, if any, and
# the ovs-vswitchd alternative are left alone.
#   ovs_dpdk.sh XENSIM PLUGIN [VIF_OPTIONS]
set -u
xensim=$1 plugin=$2 vifopt=,queues=2${3:+,$3}
vswitchd=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
schema=/usr/share/openvswitch/vswitch.ovsschema
. "$(dirname "$0")/lib.sh"
nso=${tag}o br=${tag}br
ovs=$run/ovs

ovs_cleanup() {
	cleanup
	ip netns del "$nso" 2>/dev/null
}
trap ovs_cleanup EXIT
trap 'exit 1' INT TERM

for f in "$vswitchd" "$schema"; do
	[[ -e $f ]] ||
		fail "no $f: install openvswitch-switch-dpdk (app/setup.sh)"
done
# Every OVS tool finds the private instance through these.
export OVS_RUNDIR=$ovs OVS_DBDIR=$ovs OVS_LOGDIR=$ovs OVS_SYSCONFDIR=$ovs
vsctl() {
	timeout 30 ovs-vsctl --timeout=20 "$@"
}

e2e_net "$vifopt"
mkdir "$ovs"
ip netns add "$nso" || fail "cannot create namespace $nso"
ovsdb-tool create "$ovs/conf.db" "$schema" || fail "ovsdb-tool create"
ovsdb-server "$ovs/conf.db" --remote="punix:$ovs/db.sock" \
	--pidfile="$ovs/ovsdb-server.pid" --unixctl="$ovs/ovsdb-server.ctl" \
	--log-file="$run/ovsdb-server.log" -vconsole:off \
	>"$run/ovsdb-server.out.log" 2>&1 &
pids+=($!)
wait_for 100 test -S "$ovs/db.sock" || fail "ovsdb-server did not start"
# The EAL as the other tests run it (2 cores, no hugepages), under a file
# prefix of its own: OVS's main thread on CPU 0, its one PMD thread on
# CPU 1. OVS adds --in-memory, which --no-huge refuses, unless told
# --legacy-mem (what --no-huge implies). A mempool per port sized to its
# queues, not OVS's shared 256K mbufs. The driver logs at INFO: the
# queue pairs it connects.
eal="--no-huge --legacy-mem -m 512 --no-pci --file-prefix $tag -d $plugin"
eal+=" --log-level=pmd.net.netfront:info"
vsctl --no-wait init -- set Open_vSwitch . \
	other_config:dpdk-init=true \
	other_config:per-port-memory=true \
	other_config:dpdk-lcore-mask=0x1 \
	other_config:pmd-cpu-mask=0x2 \
	"other_config:dpdk-extra=$eal" ||
	fail "cannot configure OVS"
ip netns exec "$nso" "$vswitchd" "unix:$ovs/db.sock" \
	--pidfile="$ovs/ovs-vswitchd.pid" --unixctl="$ovs/ovs-vswitchd.ctl" \
	--log-file="$run/ovs-vswitchd.log" -vconsole:off \
	>"$run/ovs-vswitchd.out.log" 2>&1 &
vspid=$!
pids+=($vspid)
vsctl add-br "$br" -- set Bridge "$br" datapath_type=netdev ||
	fail "cannot add bridge $br"
# OVS's defaults: a TX queue per thread that sends (its PMD thread and the
# main one: 2) and one RX queue. The vifs offer 2 queues (queues=2 above)
# so that each TX queue has a ring of its own: the driver connects 2 queue
# pairs and its one RX queue polls both RX rings, which the backend
# spreads frames over. Rings of 256 slots are what a vif has.
for i in 0 1; do
	vsctl add-port "$br" "nf$i" -- set Interface "nf$i" type=dpdk \
		"options:dpdk-devargs=net_netfront$i,vif=$i,xensim=$run/dom1" \
		options:n_rxq_desc=256 options:n_txq_desc=256 ||
		fail "cannot add port nf$i"
done
vsctl show
for i in 0 1; do
	st=$(vsctl get Interface "nf$i" status)
	echo "nf$i status: $st"
	[[ $st == *'driver_name=net_netfront'* ]] ||
		fail "OVS port nf$i is not on net_netfront"
	[[ $(vsctl get Interface "nf$i" ofport) -gt 0 ]] ||
		fail "OVS port nf$i has no OpenFlow port: $(vsctl get Interface \
		     "nf$i" error)"
	grep -q "vif$i: 1 RX and 2 TX queues on 2 queue pairs" \
		"$run/ovs-vswitchd.log" ||
		fail "OVS did not start nf$i with its defaults, 1 RX and 2 TX" \
		     "queues"
done

e2e_ping "OVS"
echo "ping: both ways, IPv4 and IPv6, through OVS"
head -c 16M /dev/urandom >"$run/data"
tcp_copy "$nsa" "$nsb" "$ipb" "$run/data"
tcp_copy "$nsb" "$nsa" "$ipa" "$run/data"
echo "tcp: 16 MiB each way through OVS, sha256 matches"
check_csum_errors

# OVS's port counters are the driver's (rte_eth_stats): each port took in
# and sent out at least what crossed it one way, without an error.
num='\([0-9]*\)'
for i in 0 1; do
	read -r rx rxerr tx txerr < <(timeout 30 ovs-ofctl dump-ports "$br" \
		"nf$i" | sed -n "s/.* bytes=$num,.* errs=$num,.*/\\1 \\2/p" |
		paste -sd ' ')
	echo "nf$i: OVS rx bytes ${rx:-?} errors ${rxerr:-?}," \
	     "tx bytes ${tx:-?} errors ${txerr:-?}"
	[[ ${rx:-0} -ge 16777216 && ${tx:-0} -ge 16777216 ]] ||
		fail "OVS port nf$i did not count the transfers"
	[[ $rxerr == 0 && $txerr == 0 ]] || fail "OVS port nf$i counted errors"
done

# vswitchd closes its ports on exit: the vifs must disconnect cleanly.
timeout 60 ovs-appctl -t "$ovs/ovs-vswitchd.ctl" exit --cleanup ||
	fail "ovs-vswitchd did not exit"
wait "$vspid" || fail "ovs-vswitchd exited with $?"
! grep -E '\|(ERR|EMER)\|' "$run/ovs-vswitchd.log" ||
	fail "ovs-vswitchd logged errors"
kill -0 "${pids[0]}" || fail "xensim died"
# Both backends Closed (6), as after their frontend's orderly Closed.
closed() {
	[[ $(grep -o '"state":[0-9]*' "$run/status.json" | sort -u) == \
	   '"state":6' ]]
}
wait_for 50 closed ||
	fail "the vifs did not disconnect when OVS closed its ports"
checks=()
[[ $vifopt, == *,verify=1,* ]] && checks+=(verify)
check_status "${checks[@]}"
echo "PASS: OVS-DPDK $($vswitchd --version | sed -n 's/.*) //p;q') switched" \
	"ping and TCP between two net_netfront ports"
