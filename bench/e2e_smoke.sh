#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Smoke test of e2e.sh: one quick pass must measure traffic in every case
# and at every size, and write each of them to both CSV files.
#   e2e_smoke.sh BUILD_DIR OUT_DIR
set -u
build=$1
out=$2
rm -rf "$out"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$(dirname "$0")/e2e.sh" --build "$build" --out "$out" --quick \
	--no-hugepages 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if ((rc != 0)); then
	echo "FAIL: e2e.sh exited with $rc" >&2
	exit 1
fi
fail=0
for c in netfront-tx netfront-rx memif vhost; do
	for s in 64 1500 imix; do
		# xensim may not generate IMIX; e2e.sh then says so.
		if [[ $c/$s == netfront-rx/imix ]] &&
		   grep -q 'netfront-rx imix is n/a' "$log"; then
			continue
		fi
		# runs.csv starts with the run number, summary.csv does not.
		for f in runs:2 summary:1; do
			if ! awk -F, -v c="$c" -v s="$s" -v k="${f#*:}" '
				$k == c && $(k + 1) == s && $4 > 0 { ok = 1 }
				END { exit !ok }' "$out/${f%:*}.csv"; then
				echo "FAIL: no $c $s row with traffic in" \
					"${f%:*}.csv" >&2
				fail=1
			fi
		done
	done
done
((fail == 0)) && echo "e2e smoke: ok"
exit $fail
