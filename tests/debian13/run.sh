#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The driver on Debian 13 "trixie" (DPDK 24.11, Xen 4.20 libraries), from a
# Debian 12 host: a trixie root file system (debootstrap), in which the
# project's own app/setup.sh installs trixie's packages, takes the
# driver-SDK headers from trixie's dpdk source package and builds a copy of
# the checkout; then the xenstore, platform, netback, pmd and proof suites
# run there. The root file system stays in the cache with its packages, its
# SDK headers and its build tree, so a second run only rebuilds what changed.
#
# Usage (root): tests/debian13/run.sh [--build-only]
#   --build-only: set up and build, run no test, and print the host path of
#   the trixie build tree (its binaries need trixie's libraries: run them in
#   that root file system, the directory above the build tree, or in a
#   trixie guest).
# Environment: DEB13_CACHE (default .cache/debian13/; delete it to pick up
# newer trixie packages), DEB13_MIRROR and DEB13_SECURITY_MIRROR (Debian
# mirrors; default: the URIs of the machine's own apt entries for its
# release and its -security suite), DEB13_SDK (default
# $DEB13_CACHE/sdk, used if it exists: a .sdk directory as app/setup.sh
# lays it out, with include/ and examples/ of trixie's DPDK and their
# .version files, for a mirror that lacks trixie's dpdk source package).
set -Eeuo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${DEB13_CACHE:-$top/.cache/debian13}
root=$cache/root
sdk=${DEB13_SDK:-$cache/sdk}
. "$top/tests/debroot.sh"
suite=trixie
suites="xenstore platform netback pmd proof"
build_only=false

say() { echo "debian13: $*" >&2; }
die() { echo "debian13: error: $*" >&2; exit 1; }

case ${1:-} in
--build-only) build_only=true ;;
"") ;;
*) die "usage: $0 [--build-only]" ;;
esac
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot)"
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
mirror=${DEB13_MIRROR:-$("$top/app/apt-sources.sh" --uri "$codename")}
security=${DEB13_SECURITY_MIRROR:-$("$top/app/apt-sources.sh" --uri \
	"$codename-security")}
[ -n "$mirror" ] && [ -n "$security" ] ||
	die "no deb entry for '$codename' or '$codename-security' in the" \
	    "machine's apt sources: set DEB13_MIRROR and DEB13_SECURITY_MIRROR"
command -v debootstrap >/dev/null ||
	die "debootstrap missing: run app/setup.sh"
mkdir -p "$cache"
# One user of the root file system at a time (CI and --build-only callers).
exec 9> "$cache/lock"
flock 9
t0=$SECONDS

# The checkout as it is now (tracked files and new ones): one snapshot for
# the package list below and for the copy the chroot builds, which keeps
# trixie's .sdk and build out of the host's tree.
snap=$cache/src.tar
trap 'rm -f "$snap"' EXIT
checkout_tar "$top" > "$snap"
# setup.sh's package list: a change to it starts from a fresh root file
# system rather than one with the old list's packages too.
pkgs=$(tar -x -O -f "$snap" app/setup.sh | sed -n '/^pkgs="/,/"$/p')
[ -n "$pkgs" ] || die "no pkgs=\"...\" list in app/setup.sh"

# The .dsc of trixie's dpdk: where an index (DIST URI) names it, its URL
# and whether the mirror serves it (HTTP code).
dsc_at() {
	local dsc

	dsc=$(curl -sf "$2/dists/$1/main/source/Sources.xz" | xz -dc |
	      awk '/^Package: dpdk$/ { p = 1 } /^$/ { p = 0 }
		   p && /^Directory:/ { d = $2 }
		   p && / dpdk_.*\.dsc$/ { f = $3 }
		   END { if (d != "" && f != "") print d "/" f }') || true
	[ -n "$dsc" ] || return 0
	echo "$2/$dsc $(curl -s -o /dev/null -w '%{http_code}' -I "$2/$dsc")"
}

# Trixie's driver-SDK headers come only from its dpdk source package
# (app/setup.sh). Some mirrors and proxies serve Debian's binaries but not
# its sources: there the step cannot run without DEB13_SDK, and says so
# rather than fail on what the checkout cannot change.
if [ ! -d "$sdk" ]; then
	found=$( (dsc_at "$suite" "$mirror"
		  dsc_at "$suite-security" "$security") | grep .) ||
		die "no dpdk source package in $mirror's $suite or" \
		    "$security's $suite-security Sources"
	if ! echo "$found" | grep -q ' 200$'; then
		say "SKIPPED: no mirror serves trixie's dpdk source package" \
		    "($(echo "$found" | sed 's/ \([0-9]*\)$/: HTTP \1/' |
		    paste -sd ';' | sed 's/;/; /g')), from which app/setup.sh" \
		    "takes DPDK 24.11's driver-SDK headers; give them in" \
		    "DEB13_SDK (see the top of $0) to run this step"
		exit 0
	fi
fi

stamp="$suite $mirror $security $(echo $pkgs | md5sum | cut -c1-12) v1"
if [ ! -f "$cache/stamp" ] || [ "$(cat "$cache/stamp")" != "$stamp" ]; then
	say "building the trixie root file system (cold cache, a few minutes)"
	rm -rf "$root" "$cache/stamp"
	debroot_create "$root" "$suite" "$mirror" "$security" \
		"$cache/debootstrap.log"
	echo "$stamp" > "$cache/stamp"
fi
t_root=$((SECONDS - t0))

# The snapshot replaces the last one but for its .sdk; file times are
# kept, so ninja rebuilds only what changed since the last run.
src=$root/src
mkdir -p "$src"
find "$src" -mindepth 1 -maxdepth 1 ! -name .sdk -exec rm -rf {} +
tar -x -C "$src" -f "$snap"
if [ -d "$sdk" ]; then
	rm -rf "$src/.sdk"
	cp -a "$sdk" "$src/.sdk"
fi

in_root() {
	unshare --mount --propagation private "$here/chroot.sh" "$root" "$@"
}
t1=$SECONDS
# Warnings fail the build: it is as warning-clean as on Debian 12.
in_root env NETFRONT_BUILD=/build NETFRONT_MESON_ARGS=-Dwerror=true \
	/src/app/setup.sh >&2 ||
	die "app/setup.sh failed in the trixie root file system"
t_build=$((SECONDS - t1))
ver=$(chroot "$root" dpkg-query -W -f='${Version}' libdpdk-dev)
if $build_only; then
	say "built against DPDK $ver in $((SECONDS - t0)) s"
	echo "$root/build"
	exit
fi

t2=$SECONDS
args=()
for s in $suites; do
	args+=(--suite "$s")
done
rc=0
in_root meson test -C /build "${args[@]}" --print-errorlogs || rc=$?
say "DPDK $ver, suites $suites: $([ $rc = 0 ] && echo pass || echo FAIL);" \
    "$((SECONDS - t0)) s (root file system $t_root s, setup and build" \
    "$t_build s, tests $((SECONDS - t2)) s)"
exit $rc
