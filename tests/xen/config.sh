# SPDX-License-Identifier: BSD-3-Clause
# Sourced, with top set, by tests/xen/run.sh and the benchmarks that boot
# it: the Debian release XENTEST_DEBIAN names (12, the default, or 13),
# its suite and Xen version, and its image cache (XENTEST_CACHE wins).
debian=${XENTEST_DEBIAN:-12}
case $debian in
12)	suite=bookworm xenver=4.17 cache=$top/.cache/xen ;;
13)	suite=trixie xenver=4.20 cache=$top/.cache/xen-13 ;;
*)	echo "xentest: error: XENTEST_DEBIAN='$debian': 12 or 13" >&2
	exit 1 ;;
esac
cache=${XENTEST_CACHE:-$cache}
