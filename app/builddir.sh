# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the project's scripts once they have set top (the checkout):
# sets build, the build tree. DPDK refuses to load a plugin (-d) from under any
# world-writable directory such as /tmp, so a checkout there builds into a
# private directory under /var/lib instead of ./build. NETFRONT_BUILD wins.
netfront_builddir() {
	d=$top
	while [ "$d" != / ]; do
		if [ -n "$(find "$d" -maxdepth 0 -perm -0002 2>/dev/null)" ]; then
			echo "/var/lib/dpdk-netfront/$(printf %s "$top" |
				md5sum | cut -c1-12)/build"
			return
		fi
		d=$(dirname "$d")
	done
	echo "$top/build"
}
build=${NETFRONT_BUILD:-$(netfront_builddir)}
