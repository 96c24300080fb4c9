# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the scripts that build in or boot Debian root file systems
# (tests/deb, tests/debian13, tests/xen). They define die().

# The checkout as a tar on stdout: tracked files and new ones git does not
# ignore, as they are in the working tree (a deleted file is left out).
checkout_tar() {
	(cd "$1" && git ls-files -z -c -o --exclude-standard |
		xargs -0 -r sh -c \
			'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar -c --null -T - -f -)
}

# debroot_create ROOT SUITE MIRROR SECURITY_MIRROR LOG [PACKAGES,...]:
# a minbase root of SUITE with its -updates and -security suites in apt,
# where no service starts. dpkg does not fsync: every root here is a cache,
# rebuilt when lost (a quarter faster).
debroot_create() {
	debootstrap --variant=minbase ${6:+--include="$6"} "$2" "$1" "$3" \
		> "$5" 2>&1 || die "debootstrap failed, see $5"
	cat > "$1/etc/apt/sources.list" <<-EOT
	deb $3 $2 main
	deb $3 $2-updates main
	deb $4 $2-security main
	EOT
	printf '#!/bin/sh\nexit 101\n' > "$1/usr/sbin/policy-rc.d"
	chmod 755 "$1/usr/sbin/policy-rc.d"
	echo force-unsafe-io > "$1/etc/dpkg/dpkg.cfg.d/unsafe-io"
}
