#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The driver on real Xen: Xen + a Debian PV dom0 (xenstored, xl,
# xen-netback) + a PV domU booting dom0's kernel, all under QEMU (no KVM
# needed): Debian 12's Xen 4.17 and kernel, or Debian 13's Xen 4.20 and
# kernel (XENTEST_DEBIAN=13). In the domU, netfront-testpmd drives the
# vif through net_netfront against Linux netback; dom0 sends frames, the
# app echoes them (macswap); then the app sends verify frames of 60..9000
# bytes for XENTEST_LOAD_S seconds, which dom0 mirrors back (tc), and
# checks each one; the kernel's xen-netfront gets the vif back on close.
# The pmd suite's offload modes (checksums,
# TSO, LRO, the multicast filter) then run against netback with dom0
# mirroring every frame. Then xl network-detach and network-attach,
# and xl save and xl restore, each while the app runs. Steps report
# "XENTEST role.step ok|fail ..." lines on the serial console, which this
# script checks.
#
# Usage (root): tests/xen/run.sh
# Environment: NETFRONT_BUILD (build dir, default build/), XENTEST_DEBIAN
# (12, the default, or 13), XENTEST_CACHE (default .cache/xen/, or
# .cache/xen-13/ for Debian 13; delete it to pick up newer Debian packages),
# XENTEST_DOMU_ROOT (a root file system that holds NETFRONT_BUILD, e.g.
# tests/debian13's: the domU's libraries come from it, not from this host),
# XENTEST_SCENARIO (a directory with the dom0-init and domu-init to boot
# instead of this test's, e.g. bench/xen, and a domu.cfg if the domU
# differs; then only dom0's end is
# checked and the caller reads the serial log), XENTEST_ENV (a file of
# shell variables for them), XENTEST_RUN (run directory, default
# $XENTEST_CACHE/run),
# XENTEST_MIRROR and XENTEST_SECURITY_MIRROR (Debian mirrors; default: the
# ones the machine's own apt uses),
# XENTEST_LOAD_S (seconds of the load test, default 60; more for a soak),
# XENTEST_TIMEOUT (seconds QEMU may run, default 1500 + XENTEST_LOAD_S).
# Results: $XENTEST_RUN/serial.log and xenstore.txt (the backend and
# frontend directories at each stage).
set -Eeuo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/app/builddir.sh"
. "$top/tests/debroot.sh"
. "$here/config.sh"
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
mirror=${XENTEST_MIRROR:-$("$top/app/apt-sources.sh" --uri "$codename")}
security=${XENTEST_SECURITY_MIRROR:-$("$top/app/apt-sources.sh" --uri \
	"$codename-security")}
load_s=${XENTEST_LOAD_S:-60}
stall=180
# dom0's user space (iperf3: bench/xen_tcp.sh's TCP ends); xen-utils
# comes from the same apt as the hypervisor.
dom0_pkgs="iproute2 bridge-utils kmod iputils-ping procps iperf3"
# dom0's network modules beyond Xen's, netback's and the bridge's: the
# load test's echo (tc mirred, queue steering) and the benchmark's
# generator (pktgen).
dom0_mods="net/sched/sch_ingress net/sched/cls_u32 net/sched/act_mirred
	net/sched/act_skbedit net/core/pktgen"
xen_pkgs="xen-utils-$xenver xenstore-utils"
app=$build/app/netfront-testpmd/netfront-testpmd
pmd=$build/drivers/net/netfront/librte_net_netfront.so
# The offload tests of the pmd suite, run in the domU against real netback.
pmd_test=$build/tests/pmd/pmd_test
# The domU's user space is this host's, or with XENTEST_DOMU_ROOT that of
# another Debian's root file system which holds the build tree (e.g.
# tests/debian13's): its DPDK, libraries and xenstore client.
sysroot=${XENTEST_DOMU_ROOT:-}
sysroot=${sysroot%/}
in_sysroot() {
	if [ -n "$sysroot" ]; then chroot "$sysroot" "$@"; else "$@"; fi
}
# A shared DPDK loads its mempool handlers as drivers: the app's pool needs
# this one, which the domU has no PMD directory to find it in.
dpdk_libdir=$(in_sysroot pkg-config --variable=libdir libdpdk)
mempool=$sysroot$dpdk_libdir/librte_mempool_ring.so
# The benchmark's peers over the kernel's xen-netfront, and the XDP
# programs libxdp loads for net_af_xdp (at the same path in the domU).
peers=$(ls "$sysroot$dpdk_libdir"/dpdk/pmds-*/librte_net_af_packet.so \
	 "$sysroot$dpdk_libdir"/dpdk/pmds-*/librte_net_af_xdp.so \
	 2>/dev/null || true)
bpf_objs=$dpdk_libdir/bpf
scenario=${XENTEST_SCENARIO:-$here}
run=${XENTEST_RUN:-$cache/run}

say() { echo "xentest: $*"; }
die() { echo "xentest: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot)"
[[ $load_s =~ ^[0-9]{1,6}$ ]] && [ $((10#$load_s)) -ge 10 ] ||
	die "XENTEST_LOAD_S='$load_s': expected whole seconds, at least 10"
load_s=$((10#$load_s))
boot_timeout=${XENTEST_TIMEOUT:-$((1500 + load_s))}
[ -n "$mirror" ] && [ -n "$security" ] ||
	die "no deb entry for '$codename' or '$codename-security' in the" \
	    "machine's apt sources: set XENTEST_MIRROR and XENTEST_SECURITY_MIRROR"
[ -x "$app" ] && [ -f "$pmd" ] ||
	die "$app or $pmd missing: build first (ninja -C $build)"
[ "$(echo $peers | wc -w)" = 2 ] ||
	die "DPDK's net_af_packet or net_af_xdp missing in $dpdk_libdir/dpdk"

need_tools() {
	local missing="" pair
	for pair in qemu-system-x86_64:qemu-system-x86 debootstrap:debootstrap \
		    cpio:cpio busybox:busybox-static xz:xz-utils; do
		command -v "${pair%%:*}" >/dev/null ||
			missing="$missing ${pair#*:}"
	done
	[ -z "$missing" ] && return
	say "installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends $missing >/dev/null
}

# A tree as a gzipped newc cpio archive (the kernel's initramfs format).
pack() { (cd "$1" && find . | cpio -o -H newc --quiet | gzip -1) > "$2"; }

# Cached: Xen, the kernel and dom0's root file system as an initramfs.
# The stamp names every input, so changing one rebuilds it.
build_base() {
	local stamp="$suite $mirror $security $dom0_pkgs $xen_pkgs v1"
	local root=$cache/dom0.tmp kver m d mod

	stamp="$stamp modules: $(echo $dom0_mods)"

	if [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ]; then
		return
	fi
	say "building the dom0 root file system (cold cache, a few minutes)"
	rm -rf "$root" "$cache/pkg" "$cache/stamp"
	debroot_create "$root" "$suite" "$mirror" "$security" \
		"$cache/debootstrap.log" "${dom0_pkgs// /,}"
	chroot "$root" apt-get update -q >> "$cache/debootstrap.log" 2>&1
	DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -q \
		--no-install-recommends $xen_pkgs >> "$cache/debootstrap.log" \
		2>&1 || die "installing $xen_pkgs failed, see debootstrap.log"
	kver=$(chroot "$root" apt-cache depends linux-image-amd64 |
	       sed -n 's/.*Depends: linux-image-\([0-9].*\)/\1/p' | head -n1)
	[ -n "$kver" ] || die "cannot tell the kernel version"
	(cd "$root/tmp" && chroot "$root" sh -c "cd /tmp && apt-get download \
		-q xen-hypervisor-$xenver-amd64 linux-image-$kver") \
		>> "$cache/debootstrap.log" 2>&1 ||
		die "downloading Xen and the kernel failed"
	mkdir -p "$cache/pkg"
	for d in "$root"/tmp/*.deb; do dpkg -x "$d" "$cache/pkg"; done
	rm -f "$root"/tmp/*.deb
	# Debian 13's kernel has its modules under /usr/lib (merged /usr).
	if [ ! -d "$cache/pkg/lib/modules" ]; then
		mkdir -p "$cache/pkg/lib"
		ln -s ../usr/lib/modules "$cache/pkg/lib/modules"
	fi
	# Debian 13's are xz-compressed too: plain, as the copies below and
	# the domU's insmod take them.
	find "$cache/pkg/lib/modules/" -name '*.ko.xz' -exec xz -d {} +
	zcat "$cache/pkg/boot/xen-$xenver-amd64.gz" > "$cache/xen"
	cp "$cache/pkg/boot/vmlinuz-$kver" "$cache/vmlinuz"
	# dom0 gets only the modules it loads: Xen drivers, netback, bridge
	# and dom0_mods.
	m=$cache/pkg/lib/modules/$kver
	d=$root/lib/modules/$kver/kernel
	mkdir -p "$d/drivers/net" "$d/net"
	cp -a "$m/kernel/drivers/xen" "$d/drivers/"
	cp -a "$m/kernel/drivers/net/xen-netback" "$d/drivers/net/"
	cp -a "$m/kernel/net/bridge" "$m/kernel/net/802" "$m/kernel/net/llc" \
		"$d/net/"
	for mod in $dom0_mods; do
		mkdir -p "$d/$(dirname "$mod")"
		cp "$m/kernel/$mod.ko" "$d/$mod.ko" ||
			die "kernel $kver has no module $mod"
	done
	cp "$m"/modules.order "$m"/modules.builtin* "$root/lib/modules/$kver/"
	chroot "$root" depmod "$kver"
	rm -rf "$root"/var/cache/apt/archives/*.deb \
		"$root"/var/lib/apt/lists/* "$root"/usr/share/doc \
		"$root"/usr/share/man "$root"/usr/share/locale
	pack "$root" "$cache/dom0-base.cpio.gz"
	echo "$kver" > "$cache/kver"
	rm -rf "$root"
	echo "$stamp" > "$cache/stamp"
}

# The libraries a program (a path on this host) links, with their paths
# in its system ("=> /x" or "\t/x"); none for a static one (ldd fails).
libs_of() {
	{ in_sysroot ldd "${1#"$sysroot"}" 2>/dev/null || true; } |
		awk '/=> \// { print $3 } /^\t\// { print $1 }'
}

# A library of the domU's system into $1, at the same path.
copy_lib() {
	[ -e "$1$2" ] && return
	mkdir -p "$1${2%/*}"
	cp -L "$sysroot$2" "$1$2"
}

# Copy programs with every library they link, at the same paths.
copy_with_libs() {
	local dst=$1 f lib
	shift
	for f in "$@"; do
		for lib in $(libs_of "$f"); do
			copy_lib "$dst" "$lib"
		done
	done
}

# The domU: busybox, Xen modules, the app, our PMD and the benchmark's
# peers, xenstore tools.
build_domu() {
	local kver=$1 d=$run/domu m=$cache/pkg/lib/modules/$1/kernel/drivers
	local tool lib

	rm -rf "$d" && mkdir -p "$d"/{bin,proc,sys,dev,tmp,lib/modules,opt}
	cp /bin/busybox "$d/bin/"
	cp "$m"/net/xen-netfront.ko "$m"/xen/xen-evtchn.ko \
		"$m"/xen/xen-gntalloc.ko "$m"/xen/xen-gntdev.ko \
		"$d/lib/modules/"
	mkdir -p "$d/opt/netfront"
	cp "$app" "$pmd" "$pmd_test" "$d/opt/netfront/"
	cp -L "$mempool" $peers "$d/opt/netfront/"
	mkdir -p "$d$bpf_objs"
	cp "$sysroot$bpf_objs"/xsk_def_xdp_prog*.o \
		"$sysroot$bpf_objs/xdp-dispatcher.o" "$d$bpf_objs/"
	cp -L "$sysroot/usr/bin/xenstore" "$d/bin/"
	for tool in read write ls exists; do
		ln -s xenstore "$d/bin/xenstore-$tool"
	done
	copy_with_libs "$d" "$app" "$pmd" "$pmd_test" "$mempool" $peers \
		"$sysroot/usr/bin/xenstore" /bin/busybox
	# glibc loads it when a thread is cancelled (EAL's cleanup does).
	lib=$(in_sysroot ldconfig -p |
	      awk '/libgcc_s\.so\.1 .*x86-64/ { p = $NF } END { print p }')
	copy_lib "$d" "$lib"
	install -m 755 "$scenario/domu-init" "$d/init"
	install -m 644 "$here/xentest.sh" "$here/domu-lib.sh" "$d/"
	install -m 644 "$run/xentest.env" "$d/xentest.env"
	pack "$d" "$run/domu.cpio.gz"
}

# What dom0 adds to the cached base: its scenario and the guest.
build_overlay() {
	local kver=$1 o=$run/overlay cfg

	rm -rf "$o" && mkdir -p "$o/guest"
	install -m 755 "$scenario/dom0-init" "$o/init"
	install -m 644 "$here/xentest.sh" "$here/dom0-lib.sh" "$o/"
	install -m 644 "$run/xentest.env" "$o/xentest.env"
	cp "$cache/vmlinuz" "$o/guest/vmlinuz"
	cp "$run/domu.cpio.gz" "$o/guest/"
	cfg=$scenario/domu.cfg
	[ -f "$cfg" ] || cfg=$here/domu.cfg
	cp "$cfg" "$o/guest/domu.cfg"
	pack "$o" "$run/overlay.cpio.gz"
	# Concatenated archives: the kernel unpacks them in order.
	cat "$cache/dom0-base.cpio.gz" "$run/overlay.cpio.gz" > "$run/dom0.img"
}

qemu_pid=""
stop_qemu() {
	if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill "$qemu_pid" 2>/dev/null || true
		sleep 1
		kill -9 "$qemu_pid" 2>/dev/null || true
	fi
	qemu_pid=""
}
trap stop_qemu EXIT
trap 'echo "xentest: error: $BASH_COMMAND failed (line $LINENO)" >&2' ERR
trap 'exit 130' INT TERM

# -cpu qemu64,+svm: Xen needs SVM; with -cpu max a PV dom0 crashes. DPDK
# is built for corei7, hence SSSE3, SSE4.1/4.2, POPCNT and CX16.
# Returns 0 when dom0 reached its end, 2 when its kernel never got to /init.
boot_once() {
	local log=$run/serial.log t0 now
	local cpu=qemu64,+svm,+ssse3,+sse4.1,+sse4.2,+popcnt,+cx16
	local dom0="console=hvc0 earlyprintk=xen rdinit=/init"

	: > "$log"
	qemu-system-x86_64 -machine q35 -cpu "$cpu" -m 3072 -smp 2 \
		-nographic -no-reboot -monitor none -serial "file:$log" \
		-kernel "$cache/xen" \
		-append "console=com1 com1=115200 dom0_mem=1536M,max:1536M" \
		-initrd "$cache/vmlinuz $dom0,$run/dom0.img" \
		> "$run/qemu.out" 2>&1 &
	qemu_pid=$!
	t0=$SECONDS
	while kill -0 "$qemu_pid" 2>/dev/null; do
		now=$((SECONDS - t0))
		if grep -q '^XENTEST dom0\.end' "$log"; then
			sleep 2
			break
		fi
		if [ "$now" -ge "$stall" ] &&
		   ! grep -q '^XENTEST dom0\.boot' "$log"; then
			stop_qemu
			return 2
		fi
		if [ "$now" -ge "$boot_timeout" ]; then
			echo "XENTEST host.timeout fail after ${now}s" >> "$log"
			break
		fi
		sleep 2
	done
	stop_qemu
	say "QEMU ran $((SECONDS - t0)) s"
}

# Under emulation dom0's kernel rarely stalls in its late initcalls: that
# is no finding about the driver, so it gets one more chance.
boot() {
	boot_once && return
	say "dom0 did not reach /init within ${stall}s, booting once more" \
		"(that log: $run/serial-stalled.log)"
	mv "$run/serial.log" "$run/serial-stalled.log"
	boot_once || true
}

# Every expected step must say ok; any fail, or a missing step, fails.
check() {
	local log=$run/serial.log markers step rc=0
	local steps="dom0.boot dom0.xenstored dom0.init-dom0 dom0.xenconsoled
		dom0.create domu.boot domu.modules domu.devices
		dom0.stage-initial domu.kernel-netfront dom0.stage-kernel
		domu.refuse domu.gntalloc-limit domu.gntalloc-restored
		domu.app-start domu.unbound dom0.stage-app dom0.handshake
		dom0.traffic domu.app-exit domu.app-counters dom0.stage-load
		dom0.echo domu.load-start dom0.stage-load-run
		dom0.mq-handshake dom0.stage-load-done dom0.vifcounters
		dom0.queuecounters domu.load dom0.stage-offload
		dom0.offload-echo domu.offload-csum-0 domu.offload-csum-1
		domu.offload-tso-0 domu.offload-tso-1 domu.offload-mcast
		dom0.stage-offload-done dom0.stage-lifecycle
		dom0.life-before-traffic dom0.detach dom0.attach dom0.reattach
		dom0.life-after-traffic domu.lifecycle domu.rebind
		dom0.stage-rebind domu.restore-start dom0.stage-restore
		dom0.restore-before-traffic dom0.save dom0.restore
		dom0.restored dom0.restore-after-traffic domu.restore
		domu.done dom0.counters dom0.end"

	markers=$(tr -d '\r' < "$log" |
		  sed -n 's/^\(domU| \)\{0,1\}\(XENTEST .*\)/\2/p')
	echo "---- markers"
	echo "$markers"
	echo "---- traffic counters"
	tr -d '\r' < "$log" | sed -n 's/^domU| app| //p' |
		sed -n '/^==== summary/,/protocol_violations/p'
	echo "$markers" | grep -E '^XENTEST dom0\.(traffic|counters)' || true
	echo "---- load (verify mode, frames echoed by dom0)"
	tr -d '\r' < "$log" | sed -n 's/^domU| load| //p' |
		sed -n '/^==== summary/,/protocol_violations/p'
	echo "$markers" |
		grep -E '^XENTEST (domu\.load|dom0\.(vif|queue)counters) ' ||
		true
	if grep -q '^XENTEST [^ ]* fail' <<<"$markers"; then
		rc=1
	fi
	for step in $steps; do
		if ! grep -q "^XENTEST $step ok" <<<"$markers"; then
			echo "xentest: step $step did not report ok"
			rc=1
		fi
	done
	# Backend and frontend xenstore at each stage, for comparing.
	tr -d '\r' < "$log" | sed -n 's/^XS //p' > "$run/xenstore.txt"
	echo "---- serial log: $log, xenstore dumps: $run/xenstore.txt"
	return $rc
}

# Another scenario's verdict is its caller's; this one only tells that
# dom0 went through it and no step failed.
scenario_ended() {
	local log=$run/serial.log

	grep -q '^XENTEST dom0\.end ok' "$log" &&
		! tr -d '\r' < "$log" | grep -q '^\(domU| \)\{0,1\}XENTEST [^ ]* fail'
}

main() {
	local t_start=$SECONDS kver

	mkdir -p "$cache"
	# One run at a time: they share the cache and the run directory.
	exec 9> "$cache/lock"
	flock -w 900 9 || die "another run held $cache/lock for 15 minutes"
	need_tools
	build_base
	kver=$(cat "$cache/kver")
	mkdir -p "$run"
	echo "LOAD_S=$load_s" > "$run/xentest.env"
	[ -z "${XENTEST_ENV:-}" ] || cat "$XENTEST_ENV" >> "$run/xentest.env"
	build_domu "$kver"
	build_overlay "$kver"
	say "images ready after $((SECONDS - t_start)) s (kernel $kver)"
	boot
	if [ "$scenario" != "$here" ]; then
		scenario_ended && return
		say "FAIL: dom0 did not end its scenario, see $run/serial.log"
		exit 1
	fi
	if check; then
		say "PASS in $((SECONDS - t_start)) s"
	else
		say "FAIL in $((SECONDS - t_start)) s"
		exit 1
	fi
}

# On one line: bash has read it whole before main runs, so editing this
# file during a run cannot change what runs next.
main "$@"; exit $?
