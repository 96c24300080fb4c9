# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the /init of the domU (busybox sh) in every scenario of
# run.sh: the mounts and the app's command, then domu_up loads the Xen
# device modules.
/bin/busybox --install -s /bin
export PATH=/bin
ROLE=domu
XT=data/xentest
. /xentest.sh

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
# EAL's runtime directory lives there.
mkdir -p /var/run
# Kernel messages would interleave with the markers on the console.
dmesg -n 1

VIF=/sys/bus/xen/drivers/vif/vif-0
APP="/opt/netfront/netfront-testpmd -l 0-1 --no-pci --no-huge -m 256
	--no-shconf --no-telemetry --iova-mode=va
	--log-level=pmd.net.netfront:info
	-d /opt/netfront/librte_mempool_ring.so
	-d /opt/netfront/librte_net_netfront.so"

# xenstore's view of the frontend (sysfs keeps the kernel driver's view).
kernel_connected() {
	[ -e "$VIF" ] &&
		[ "$(cat /sys/bus/xen/devices/vif-0/state)" = Connected ] &&
		xs_is device/vif/0/state 4
}

netdev() {
	ls /sys/bus/xen/devices/vif-0/net 2>/dev/null | head -n 1
}

devices_ok() {
	[ -c /dev/xen/evtchn ] && [ -c /dev/xen/gntalloc ] &&
		[ -c /dev/xen/xenbus ]
}

app_gone() {
	! kill -0 "$1" 2>/dev/null
}

domu_up() {
	mark boot ok "kernel $(uname -r), $(nproc) vcpus," \
		"$(awk '/MemTotal/ { print $2 " kB" }' /proc/meminfo)"
	for m in xen-evtchn xen-gntdev xen-gntalloc; do
		insmod "/lib/modules/$m.ko" || break
	done
	expect modules "xen-evtchn xen-gntdev xen-gntalloc" \
		[ -e /sys/module/xen_gntalloc ] || return 1
	expect devices "$(echo $(ls /dev/xen))" devices_ok || return 1
}
