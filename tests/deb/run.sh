#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The Debian packages end to end: builds them from a copy of the checkout
# (dpkg-buildpackage -us -uc -b; the driver-SDK headers come from the
# checkout's .sdk/include, as app/setup.sh left them), checks them with
# lintian and that dpdk-netfront holds the driver alone, installs them with apt into a clean
# root file system of this machine's Debian release, and there runs
# Debian's own dpdk-testpmd with --vdev net_netfront0,...,xensim=DIR and
# no -d against the packaged xensim (tests/pmd's with_xensim.sh and
# testpmd_echo.sh): the port exists only if the EAL loaded the driver from
# its driver directory by itself, and frames must circle through it.
#
# The root file system (debootstrap minbase plus dpdk-dev, which has
# dpdk-testpmd) stays in the cache; each run installs the packages into a
# fresh overlay of it, and the .debs apt downloads are kept.
#
# Usage (root): tests/deb/run.sh
# Environment: DEB_CACHE (default .cache/deb/; delete it to pick up newer
# packages), DEB_MIRROR and DEB_SECURITY_MIRROR (Debian mirrors; default:
# the URIs of the machine's own apt entries for its release and its
# -security suite).
set -Eeuo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${DEB_CACHE:-$top/.cache/deb}
. "$top/tests/debroot.sh"

say() { echo "deb: $*" >&2; }
die() { echo "deb: error: $*" >&2; exit 1; }

# Inside 'unshare --mount': ROOT as a fresh overlay of the cached root file
# system, with the kernel's file systems; then CMD in it. Every mount goes
# with the mount namespace.
if [ "${1:-}" = --in-overlay ]; then
	base=$2 pkgs=$3
	shift 3
	run=$(mktemp -d "$cache/run.XXXXXX")
	trap 'cd / && umount -R "$run" && rmdir "$run"' EXIT
	mount -t tmpfs tmpfs "$run"
	mkdir "$run/upper" "$run/work" "$run/root"
	mount -t overlay overlay -o "lowerdir=$base,upperdir=$run/upper" \
		-o "workdir=$run/work" "$run/root"
	mount -t proc proc "$run/root/proc"
	mount --rbind /sys "$run/root/sys"
	mount --rbind /dev "$run/root/dev"
	mount --bind "$pkgs" "$run/root/var/cache/apt/archives"
	mkdir "$run/root/deb"
	cp "$cache"/*.deb "$top/tests/pmd/with_xensim.sh" \
	   "$top/tests/pmd/testpmd_echo.sh" "$run/root/deb/"
	chroot "$run/root" env -i HOME=/root LANG=C.UTF-8 \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
	exit
fi

[ "$(id -u)" = 0 ] || die "must run as root (dpkg-buildpackage, chroot)"
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
mirror=${DEB_MIRROR:-$("$top/app/apt-sources.sh" --uri "$codename")}
security=${DEB_SECURITY_MIRROR:-$("$top/app/apt-sources.sh" --uri \
	"$codename-security")}
[ -n "$mirror" ] && [ -n "$security" ] ||
	die "no deb entry for '$codename' or '$codename-security' in the" \
	    "machine's apt sources: set DEB_MIRROR and DEB_SECURITY_MIRROR"
[ -f "$top/.sdk/include/ethdev_driver.h" ] ||
	die "no DPDK driver-SDK headers in .sdk/include: run app/setup.sh"
missing=
for pair in dpkg-buildpackage:dpkg-dev dh:debhelper debootstrap:debootstrap \
	lintian:lintian
do
	command -v "${pair%%:*}" >/dev/null || missing="$missing ${pair#*:}"
done
if [ -n "$missing" ]; then
	say "installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends $missing >/dev/null
fi

mkdir -p "$cache"
exec 9> "$cache/lock"
flock 9
t0=$SECONDS

# The packages, from a copy of the checkout as it is now (tracked files
# and new ones), so that the build leaves nothing in the checkout.
src=$cache/src
rm -rf "$src" "$cache"/*.deb "$cache"/*.buildinfo "$cache"/*.changes
mkdir -p "$src/.sdk"
checkout_tar "$top" | tar -x -C "$src" -f -
cp -a "$top/.sdk/include" "$src/.sdk/"
say "building the packages"
(cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" \
	dpkg-buildpackage -us -uc -b) > "$cache/build.log" 2>&1 ||
	die "dpkg-buildpackage failed, see $cache/build.log"
t_build=$((SECONDS - t0))
ls "$cache"/*.deb | sed 's,.*/,deb: built ,' >&2

# Debian's checks of the packages: an error or a warning fails the step.
say "lintian"
lintian --fail-on error,warning "$cache"/dpdk-netfront_*.changes >&2 ||
	die "lintian found errors or warnings in the packages (above)"

# dpdk-netfront: the driver and its documentation, nothing else.
files=$(dpkg-deb -c "$cache"/dpdk-netfront_*.deb | awk '$6 !~ /\/$/ { print $6 }')
pmd_re='^\./usr/lib/[^/]*/dpdk/pmds-[^/]*/librte_net_netfront\.so$'
extra=$(echo "$files" | grep -v -e '^\./usr/share/doc/' -e "$pmd_re" || true)
[ -z "$extra" ] || die "dpdk-netfront holds more than the driver:" $extra
echo "$files" | grep -q "$pmd_re" || die "dpdk-netfront holds no driver"

t1=$SECONDS
base=$cache/root
stamp="$codename $mirror $security dpdk-dev v2"
if [ ! -f "$cache/stamp" ] || [ "$(cat "$cache/stamp")" != "$stamp" ]; then
	say "building the $codename root file system (cold cache, a few minutes)"
	rm -rf "$base" "$cache/stamp"
	debroot_create "$base" "$codename" "$mirror" "$security" \
		"$cache/debootstrap.log"
	chroot "$base" apt-get update -q >> "$cache/debootstrap.log" 2>&1
	DEBIAN_FRONTEND=noninteractive chroot "$base" apt-get install -y -q \
		--no-install-recommends dpdk-dev >> "$cache/debootstrap.log" \
		2>&1 || die "installing dpdk-dev failed, see debootstrap.log"
	chroot "$base" apt-get clean
	echo "$stamp" > "$cache/stamp"
fi
t_root=$((SECONDS - t1))

t2=$SECONDS
mkdir -p "$cache/archives/partial"
rc=0
unshare --mount --propagation private "$0" --in-overlay "$base" \
	"$cache/archives" bash -c '
	set -e
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends /deb/dpdk-netfront_*.deb \
		/deb/dpdk-netfront-xensim_*.deb > /deb/apt.log 2>&1 ||
		{ cat /deb/apt.log; exit 1; }
	ls -l /usr/lib/*/dpdk/pmds-*/librte_net_netfront.so
	/deb/with_xensim.sh /usr/bin/xensim --vif 1/0,end=echo -- \
		/deb/testpmd_echo.sh "" @RUN@' ||
	rc=$?
say "$([ $rc = 0 ] && echo pass || echo FAIL): $((SECONDS - t0)) s" \
    "(packages $t_build s, root file system $t_root s," \
    "install and testpmd $((SECONDS - t2)) s)"
exit $rc
