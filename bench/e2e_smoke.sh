#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Smoke test of e2e.sh: one quick pass must measure traffic in every case,
# at every size and under both apps (stock testpmd without IMIX and the
# TX pool case, which it cannot ask for), write
# each to both CSV files, and netfront-testpmd's receivers must have read
# their frames (--rx-sum).
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
for a in testpmd netfront-testpmd; do
	for c in netfront-tx netfront-tx-zc netfront-rx memif vhost; do
		for s in 64 1500 imix; do
			[[ $a/$s == testpmd/imix ||
			   $a/$c == testpmd/netfront-tx-zc ]] && continue
			for f in runs summary; do
				# Columns by their names in the header.
				if ! awk -F, -v a="$a" -v c="$c" -v s="$s" '
					NR == 1 { for (i = 1; i <= NF; i++)
							col[$i] = i
						  next }
					$col["app"] == a && $col["case"] == c &&
					$col["size"] == s &&
					$col["mpps"] > 0 { ok = 1 }
					END { exit !ok }' "$out/$f.csv"; then
					echo "FAIL: no $a $c $s row with" \
						"traffic in $f.csv" >&2
					fail=1
				fi
			done
		done
	done
done
# The receiving netfront-testpmd sides: the app on netfront-rx, the
# server of the pairs.
for f in "$out"/logs/netfront-testpmd-netfront-rx-*-app.log \
	 "$out"/logs/netfront-testpmd-{memif,vhost}-*-rx.log; do
	# DPDK 22.11's memif receiver may crash at teardown, before its
	# summary (e2e.sh keeps the measurement and says so).
	if [[ $f == *-memif-* ]] &&
	   [[ $(tail -n 1 "$f") == "e2e: exit status 139" ]] &&
	   grep -q 'memif receiver crashed at teardown' "$log"; then
		continue
	fi
	if ! grep -q '^  rx_sum 0x' "$f"; then
		echo "FAIL: no rx_sum in the summary of $f" >&2
		fail=1
	fi
done
((fail == 0)) && echo "e2e smoke: ok"
exit $fail
