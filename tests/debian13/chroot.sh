#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Run CMD as root inside the root file system ROOT with /proc, /sys, /dev
# and a fresh /run (for 'ip netns') and /tmp mounted. run.sh starts it under
# 'unshare --mount --propagation private' so that no mount can reach the
# host's tree (/dev is a shared mount there); the trap unmounts anyway.
#   chroot.sh ROOT CMD...
set -eu
root=$1
shift
mounted=
undo() {
	for m in $mounted; do
		umount -l "$m" || true
	done
}
trap undo EXIT
trap 'exit 1' HUP INT TERM
# mnt ARGS... TARGET: mount and remember TARGET, innermost first.
mnt() {
	eval "t=\${$#}"
	mount "$@"
	mounted="$t $mounted"
}
# The root a mount point: 'ip netns exec' makes / a slave mount.
mnt --bind "$root" "$root"
mnt -t proc proc "$root/proc"
mnt --bind /sys "$root/sys"
mnt --bind /dev "$root/dev"
mnt --bind /dev/pts "$root/dev/pts"
mnt -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
mnt -t tmpfs -o mode=755 tmpfs "$root/run"
mnt -t tmpfs -o mode=1777 tmpfs "$root/tmp"
mkdir -p "$root/run/lock"
chroot "$root" env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
	PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
