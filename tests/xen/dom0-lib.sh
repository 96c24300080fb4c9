# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the /init of dom0 (bash) in every scenario of run.sh: the
# mounts, then dom0_up starts the toolstack and netback and creates the
# domU, dom0_end powers off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
ROLE=dom0
. /xentest.sh

# The image's one Xen, as run.sh's XENTEST_DEBIAN chose it (4.17 or 4.20).
XEN=$(echo /usr/lib/xen-[0-9]*/bin)
DOMU=xentest-domu
DOMU_IP=198.18.5.2

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /run /tmp
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /run/xen /run/xenstored /var/log/xen /var/lib/xen
dmesg -n 1

# Backend and frontend directories, every key with its permissions.
xs_dump() {
	echo "---- xenstore at stage $1"
	xenstore-ls -fp "$BE" "$FE" 2>&1 | sed "s/^/XS $1 /"
}

states() {
	echo "backend $(xenstore-read "$BE/state")" \
		"frontend $(xenstore-read "$FE/state")"
}

# One stage of the domU: wait (up to $3 s), dump, check, acknowledge.
stage() {
	local name=$1 check=$2 wait=${3:-600} rc

	if ! stage_wait "$name" "$wait"; then
		mark "stage-$name" fail "the domU did not reach it" \
			"($(xenstore-read "$XT/stage" 2>&1))"
		return 1
	fi
	xs_dump "$name"
	mark "stage-$name" ok "$(states)"
	$check
	rc=$?
	stage_ack "$name"
	return $rc
}

# The domU's id and what depends on it; a restored domU has a new id.
domu_ids() {
	DOMID=$(xl domid $DOMU)
	BE=/local/domain/0/backend/vif/$DOMID/0
	FE=/local/domain/$DOMID/device/vif/0
	XT=/local/domain/$DOMID/data/xentest
	VIFDEV=vif$DOMID.0
}

# Sets DOMID, BE and FE (the vif's backend and frontend directories), XT
# (the domU's data/xentest) and VIFDEV; the domU's console goes to ours.
dom0_up() {
	local m

	mark boot ok "kernel $(uname -r) uptime $(cut -d' ' -f1 /proc/uptime)"
	for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs \
		 xen-netback bridge sch_ingress cls_u32 act_mirred \
		 act_skbedit pktgen; do
		modprobe $m || echo "dom0: modprobe $m failed"
	done
	mount -t xenfs xenfs /proc/xen
	expect xenstored "" $XEN/xenstored --pid-file /run/xenstored.pid ||
		return 1
	expect init-dom0 "" $XEN/xen-init-dom0 || return 1
	expect xenconsoled "" $XEN/xenconsoled --log=guest \
		--log-dir=/var/log/xen || return 1
	xl info | grep -E '^(xen_version|xen_caps|nr_cpus|free_memory)'
	# Only the frames we send: no IPv6 chatter on the bridge.
	sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip link add xenbr0 type bridge
	ip addr add 198.18.5.1/24 dev xenbr0
	ip link set xenbr0 up
	expect create "" xl create /guest/domu.cfg || return 1
	domu_ids
	tail -n +1 -F /var/log/xen/guest-$DOMU.log 2>/dev/null |
		sed -u 's/^/domU| /' &
}

dom0_end() {
	[ -n "${VIFDEV:-}" ] && ip -s link show "$VIFDEV"
	xl list
	# The last lines of the domU console reach us through tail -F.
	sleep 2
	mark end ok
	# minbase has no poweroff: ask the kernel, Xen then stops QEMU.
	echo o > /proc/sysrq-trigger
	sleep 60
}
