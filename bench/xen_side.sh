#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# net_netfront side by side with what a user would run instead on real Xen:
# DPDK's net_af_xdp and net_af_packet over the kernel's xen-netfront. One
# boot of Xen + dom0 + a PV domU under QEMU (tests/xen/run.sh with the
# scenario bench/xen); in the domU netfront-testpmd runs txonly and rxonly
# through each PMD in turn, one queue, the same dom0 netback and peer (its
# stack sinks what the guest sends, pktgen generates what it receives).
# Runs are interleaved (netfront, af_xdp, af_packet, netfront, ...); each
# run's rate is the median of its per-second rates, the table the median
# of the runs. QEMU emulates every CPU (TCG): see the README for what the
# figures do and do not tell.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
reps=3
secs=8
sizes="64 1500"
modes="txonly rxonly"
pmds="netfront af_xdp af_packet"
out=

usage() {
	cat <<EOF2
usage: $0 [options]   (as root)
  -r, --reps N      interleaved runs of every cell ($reps)
  -w, --window S    seconds of each run ($secs)
  -o, --out DIR     results directory (build/bench/xen-DATE)
      --quick       1 run of 3 s: a smoke test of the script
  -h, --help
Environment: NETFRONT_BUILD and the XENTEST_* of tests/xen/run.sh.
Writes OUT/runs.txt (one line per run), OUT/table.txt and the boot's
serial log.
EOF2
}

die() {
	echo "xen_side: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	-r|--reps) reps=$2; shift ;;
	-w|--window) secs=$2; shift ;;
	-o|--out) out=$2; shift ;;
	--quick) reps=1 secs=3 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
[[ $reps =~ ^[1-9][0-9]?$ ]] || die "--reps $reps: expected 1..99"
[[ $secs =~ ^[1-9][0-9]?$ ]] && [ "$secs" -ge 3 ] ||
	die "--window $secs: expected 3..99 seconds"
. "$top/app/builddir.sh"
out=${out:-$build/bench/xen-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
cat > "$out/bench.env" <<EOF2
BENCH_REPS=$reps
BENCH_SECS=$secs
BENCH_SIZES="$sizes"
BENCH_MODES="$modes"
BENCH_PMDS="$pmds"
EOF2
runs=$((reps * $(wc -w <<<"$sizes") * $(wc -w <<<"$modes") *
	$(wc -w <<<"$pmds")))
. "$top/tests/xen/config.sh"
# QEMU's vCPU threads share the host's CPUs: say which pair regime the
# host was in (bench/c2c, see the README's Benchmarks), before and after.
handoff() {
	"$build/bench/c2c" 0 1 2>/dev/null || echo "?"
}
c2c_before=$(handoff)
XENTEST_SCENARIO=$here/xen XENTEST_ENV=$out/bench.env \
	XENTEST_RUN=$cache/run-bench \
	XENTEST_TIMEOUT=$((600 + runs * (secs + 40))) \
	"$top/tests/xen/run.sh" || die "the boot failed, see $cache/run-bench"
c2c_after=$(handoff)
cp "$cache/run-bench/serial.log" "$out/"
tr -d '\r' < "$out/serial.log" |
	sed -n 's/^domU| XENBENCH //p' > "$out/runs.txt"
[ "$(wc -l < "$out/runs.txt")" -eq "$runs" ] ||
	die "$(wc -l < "$out/runs.txt") runs of $runs reported, see $out"
! grep -v ' rc=0$' "$out/runs.txt" || die "runs above failed, see $out"

# Median Mpps per (mode, size, pmd); ratios of netfront to each peer.
awk -v pmds="$pmds" -v reps="$reps" '
function median(key,   n, i, j, t, a) {
	n = split(vals[key], a, " ")
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
	for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	key = f["mode"] " " f["size"]
	if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
	vals[key " " f["pmd"]] = vals[key " " f["pmd"]] " " f["mpps"]
}
END {
	np = split(pmds, p, " ")
	printf "%-7s %5s", "mode", "bytes"
	for (i = 1; i <= np; i++) printf " %12s", p[i] " Mpps"
	for (i = 2; i <= np; i++) printf " %14s", "netfront/" p[i]
	printf "\n"
	for (k = 1; k <= nk; k++) {
		split(order[k], m, " ")
		printf "%-7s %5s", m[1], m[2]
		for (i = 1; i <= np; i++) {
			med[i] = median(order[k] " " p[i])
			printf " %12.4f", med[i]
		}
		for (i = 2; i <= np; i++)
			printf " %14s", (med[i] > 0 ? \
				sprintf("%.2f", med[1] / med[i]) : "n/a")
		printf "\n"
	}
	printf "medians of %d interleaved runs per cell, each the median of" \
		" its per-second rates; QEMU TCG, every CPU emulated;" \
		" host c2c %s ns before, %s ns after; host load %s\n", reps,
		c2c_before, c2c_after, load
}' c2c_before="$c2c_before" c2c_after="$c2c_after" \
	load="$(cut -d' ' -f1-3 /proc/loadavg)" "$out/runs.txt" |
	tee "$out/table.txt"
