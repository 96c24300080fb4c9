#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A secondary process is refused the port, saying why, and the primary
# keeps it: Debian's dpdk-testpmd holds net_netfront0 with 2 MiB hugepages
# (a secondary shares its memory through them), a second dpdk-testpmd
# starts as its secondary and must log the refusal and see no port.
#   secondary.sh PLUGIN    (under with_xensim.sh, as root)
set -u
plugin=$1
prefix=nfsec$$
. "$(dirname "$0")/asan_env.sh" "$plugin"
tmp=$(mktemp -d /var/tmp/nf-secondary.XXXXXX)
huge=$tmp/huge
old=$(cat /proc/sys/vm/nr_hugepages)
mounted=0
cleanup() {
	exec 3>&-
	[[ -n ${ppid_:-} ]] && kill "$ppid_" 2>/dev/null && wait "$ppid_"
	[[ $mounted == 1 ]] && umount "$huge"
	echo "$old" > /proc/sys/vm/nr_hugepages
	rm -rf "$tmp" "/var/run/dpdk/$prefix"
}
trap cleanup EXIT
mkdir "$huge"
mount -t hugetlbfs -o pagesize=2M nodev "$huge" && mounted=1 ||
	{ echo "FAIL: cannot mount hugetlbfs" >&2; exit 1; }
echo $((old + 128)) > /proc/sys/vm/nr_hugepages
free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
((free >= 128)) || { echo "FAIL: only $free free hugepages" >&2; exit 1; }
# The secondary maps the primary's memory at the primary's addresses; left
# to the kernel, they may already hold the secondary's libraries or, under
# ASan, its allocations (seen: "Cannot get a virtual area at requested
# address"). A fixed base above ASan's shadow and below its heap is free
# in both.
eal=(--no-pci --file-prefix "$prefix" --base-virtaddr 0x200000000000
	-d "$plugin")

# The primary's commands: quit once the secondary is done.
mkfifo "$tmp/cmd"
timeout -k 5 60 dpdk-testpmd "${eal[@]}" \
	--huge-dir "$huge" -m 128 --single-file-segments \
	--vdev "net_netfront0,vif=0,xensim=$XENSIM_RUN/dom1" -- -i \
	--total-num-mbufs=2048 < "$tmp/cmd" > "$tmp/primary.log" 2>&1 &
ppid_=$!
exec 3> "$tmp/cmd"
for _ in $(seq 100); do
	grep -q 'testpmd> ' "$tmp/primary.log" && break
	sleep 0.1
done
if ! grep -q 'testpmd> ' "$tmp/primary.log"; then
	echo "FAIL: the primary did not start:" >&2
	cat "$tmp/primary.log" >&2
	exit 1
fi
out=$(echo quit | timeout -k 5 30 dpdk-testpmd "${eal[@]}" \
	--proc-type=secondary -- -i 2>&1)
echo "$out"
rc=0
if ! echo "$out" | grep -q 'a secondary process cannot use the port'; then
	echo "FAIL: no refusal in the secondary's log" >&2
	rc=1
fi
if echo "$out" | grep -q '^Port 0: '; then
	echo "FAIL: the secondary has the port" >&2
	rc=1
fi
# The primary still owns a working port: its link came up, and it quits
# cleanly (closing the port) when told.
echo quit >&3
exec 3>&-
wait "$ppid_"
prc=$?
ppid_=
if [[ $prc != 0 ]] || ! grep -q '^Port 0: link state change' \
	"$tmp/primary.log"; then
	echo "FAIL: the primary (rc $prc):" >&2
	cat "$tmp/primary.log" >&2
	rc=1
fi
[[ $rc == 0 ]] && echo "secondary: refused, primary unharmed"
exit $rc
