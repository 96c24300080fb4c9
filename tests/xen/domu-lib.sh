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

# The app and pmd_test link the PMD (its rte_pmd_netfront_* functions);
# their run path points into the build tree.
export LD_LIBRARY_PATH=/opt/netfront
VIF=/sys/bus/xen/drivers/vif/vif-0
EAL="-l 0-1 --no-pci --no-huge -m 256 --no-shconf --no-telemetry
	--iova-mode=va --log-level=pmd.net.netfront:info
	-d /opt/netfront/librte_mempool_ring.so
	-d /opt/netfront/librte_net_netfront.so"
APP="/opt/netfront/netfront-testpmd $EAL"
PMD_TEST="/opt/netfront/pmd_test $EAL"

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

# The app (pid $1, log $2) brings its link up within 180 s; or step $3
# fails, the app is killed and its log shown, tagged $4.
app_link_up() {
	poll 180 grep -q 'link up' "$2" && return 0
	mark "$3" fail "no link up within 180 s"
	kill -9 "$1"
	show "$4" "$2"
	return 1
}

# Stop the app (pid $1) as a user would, with SIGINT. One that does not
# end within 60 s is shown where its threads wait, then killed. Its exit
# status, or 1 if even SIGKILL cannot end it (stuck in the kernel).
app_stop() {
	kill -INT "$1"
	if ! poll 60 app_gone "$1"; then
		for _t in /proc/$1/task/*; do
			echo "app: thread $(cat $_t/comm) waits in" \
				"$(cat $_t/wchan) ($(cut -d' ' -f3 $_t/stat))"
		done
		kill -9 "$1"
	fi
	poll 30 app_gone "$1" && wait "$1"
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
