#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The PMD carries no simulator code: it neither links the xenplat-sim
# module nor defines any function or object that xenplat_sim.c defines
# (the module's debug line info names them; names with a leading '_' are
# the compiler's, such as the sanitizers' constructors, in every file).
#   pmd_without_sim.sh PMD SIM_MODULE
set -u
pmd=$1
module=$2
sim=$(nm -l --defined-only "$module" |
      awk '$NF ~ /\/xenplat_sim\.c:[0-9]+$/ && $3 !~ /^_/ { print $3 }' |
      sort -u)
if [[ -z $sim ]]; then
	echo "$module has no debug line info: nothing to compare"
	exit 77
fi
echo "xenplat_sim.c defines:" $sim
both=$(comm -12 <(nm --defined-only "$pmd" | awk '{ print $3 }' | sort -u) \
	<(echo "$sim"))
if [[ -n $both ]]; then
	echo "FAIL: $pmd defines xenplat_sim.c's" $both >&2
	exit 1
fi
needed=$(readelf -d "$pmd" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "$pmd needs:" $needed
if echo "$needed" | grep -qx "$(basename "$module")"; then
	echo "FAIL: $pmd links $(basename "$module")" >&2
	exit 1
fi
echo "no simulator code in $pmd"
