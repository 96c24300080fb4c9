#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# What the offloads buy against real netback: bench/tcp_offload.sh's
# measurement on Xen + dom0 + a PV domU under QEMU (tests/xen/run.sh with
# the scenario bench/xen-tcp). The domU has two vifs; dom0 puts each in a
# network namespace of its own and sends bulk TCP (iperf3, IPv4) from one
# to the other while netfront-testpmd io-forwards between them through
# net_netfront, with its offloads off and on (--offloads) alternately in
# one boot. Per configuration: Gbit/s of TCP payload (median, min-max),
# the TX requests the guest posted and the RX slots netback filled on both
# vifs per MB of payload (netback's debugfs ring indices), TCP
# retransmissions, the app's busy share and TX drops. QEMU emulates every
# CPU (TCG): the ratio between the rows is the finding, not the rates.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
bench=xen-tcp
. "$here/lib.sh"
command_line="$0 $*"
reps=3
secs=10
retry=0
out=

usage() {
	cat <<EOF2
usage: $0 [options]   (as root)
  -r, --runs N       runs of each configuration, alternating ($reps)
  -t, --time S       seconds of each transfer ($secs)
      --tx-retry N   the app offers a refused burst again up to N times
                     1 us apart before dropping it ($retry)
  -o, --out DIR      results directory (build/bench/xen-tcp-DATE)
      --quick        1 run of 3 s each: a smoke test of the script
  -h, --help
Environment: NETFRONT_BUILD and the XENTEST_* of tests/xen/run.sh.
Writes OUT/runs.txt (one line per run), OUT/table.txt and the boot's
serial log.
EOF2
}

while [[ $# -gt 0 ]]; do
	case $1 in
	-r|--runs) reps=${2:?$1 wants a number}; shift ;;
	-t|--time) secs=${2:?$1 wants seconds}; shift ;;
	--tx-retry) retry=${2:?$1 wants a number}; shift ;;
	-o|--out) out=${2:?$1 wants a directory}; shift ;;
	--quick) reps=1 secs=3 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done
in_range "$reps" 1 99 || die "--runs '$reps': expected 1..99"
in_range "$secs" 3 600 || die "--time '$secs': expected 3..600 seconds"
in_range "$retry" 0 1000000 || die "--tx-retry '$retry': expected 0..1000000"
[[ $(id -u) == 0 ]] || die "needs root (tests/xen/run.sh)"
. "$top/app/builddir.sh"
out=${out:-$build/bench/xen-tcp-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
cat > "$out/bench.env" <<EOF2
BENCH_REPS=$reps
BENCH_SECS=$secs
BENCH_RETRY=$retry
EOF2
. "$top/tests/xen/config.sh"
# QEMU's vCPU threads share the host's CPUs: the host's pair regime
# (bench/c2c, see the README's Benchmarks) before and after.
handoff() {
	"$build/bench/c2c" 0 1 2>/dev/null || echo "?"
}
c2c_before=$(handoff)
XENTEST_SCENARIO=$here/xen-tcp XENTEST_ENV=$out/bench.env \
	XENTEST_RUN=$cache/run-tcp \
	XENTEST_TIMEOUT=$((600 + 2 * reps * (secs + 120))) \
	"$top/tests/xen/run.sh" || die "the boot failed, see $cache/run-tcp"
c2c_after=$(handoff)
cp "$cache/run-tcp/serial.log" "$out/"
tr -d '\r' < "$out/serial.log" |
	sed -n 's/^domU| XENBENCH //p' > "$out/runs.txt"
[[ $(wc -l < "$out/runs.txt") -eq $((2 * reps)) ]] ||
	die "$(wc -l < "$out/runs.txt") runs of $((2 * reps)) reported," \
	    "see $out"
! grep -v ' rc=0$' "$out/runs.txt" || die "runs above failed, see $out"
! grep -v ' bytes=[1-9]' "$out/runs.txt" ||
	die "runs above moved no TCP payload, see $out"
! grep -v ' txreq=[1-9][0-9]* rxreq=[1-9]' "$out/runs.txt" ||
	die "runs above read no ring slots off netback, see $out"

{
echo "command: $command_line"
echo "regime: QEMU TCG (every CPU emulated), Xen 4.17, dom0 and the domU" \
	"with 2 vCPUs each on the host's 2 CPUs; host c2c $c2c_before ns" \
	"before, $c2c_after ns after; app --tx-retry $retry; IPv4, 1 queue" \
	"pair per vif; $reps x ${secs}s per configuration, alternating"
echo
awk "$median_awk"'
{
	for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	c = f["offloads"]; n[c]++
	mb = f["bytes"] / 1e6
	col[c, "g"] = col[c, "g"] " " f["bytes"] * 8 / f["secs"] / 1e9
	col[c, "t"] = col[c, "t"] " " f["txreq"] / mb
	col[c, "r"] = col[c, "r"] " " f["rxreq"] / mb
	col[c, "re"] = col[c, "re"] " " f["retrans"]
	col[c, "b"] = col[c, "b"] " " f["busy"]
	col[c, "d"] = col[c, "d"] " " f["drop"]
}
END {
	print "| offloads | runs | Gbit/s median (min-max) | TX req/MB " \
		"| RX req/MB | retransmits | app busy % | app TX drops % |"
	print "|---|---|---|---|---|---|---|---|"
	split("off on", cfgs, " ")
	for (k = 1; k <= 2; k++) {
		c = cfgs[k]
		g = median(col[c, "g"]); glo = lo; ghi = hi
		printf "| %s | %d | %.3f (%.3f-%.3f) | %.0f | %.0f | %s " \
			"| %s | %s |\n", c, n[c], g, glo, ghi,
			median(col[c, "t"]), median(col[c, "r"]),
			median(col[c, "re"]), median(col[c, "b"]),
			median(col[c, "d"])
	}
}' "$out/runs.txt"
cat <<EOF2

Gbit/s: TCP payload iperf3's receiver got over its seconds. req/MB: TX
requests the guest posted (data, extra-info and GSO slots) and RX slots
netback filled, on both vifs, per MB (1e6 bytes) of payload. app busy:
netfront-testpmd's forwarding lcore, share of its cycles in polls that
received packets; app TX drops: forwarded packets its TX queues refused,
% of those forwarded. Runs: $out/runs.txt
EOF2
} | tee "$out/table.txt"
