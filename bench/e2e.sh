#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End-to-end throughput of net_netfront against xensim's netback, next to
# DPDK's own shared-memory PMDs (net_memif pair, net_virtio_user against
# net_vhost). One side transmits, the other only receives, one core each;
# the rate is read from the receiving side's counters over a fixed window.
# Cases are interleaved (A B C A B C ...) so that a slow spell of the
# machine hits them all alike; the table shows medians.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$top/app/builddir.sh"
bench=e2e
. "$here/lib.sh"
runs=3
warmup=1
window=5
sizes=64,1500,imix
cases=netfront-tx,netfront-rx,memif,vhost
cpus=0,1
out=
profile=0

usage() {
	cat <<EOF
usage: $0 [options]
  -b, --build DIR    meson build directory ($build)
  -o, --out DIR      results directory (BUILD/bench/e2e-DATE)
  -r, --runs N       runs of every case and size ($runs)
  -w, --window S     measured seconds ($window), after a warmup of
      --warmup S     S seconds ($warmup)
  -s, --sizes LIST   frame bytes without FCS, or imix ($sizes)
  -c, --cases LIST   of netfront-tx (app txonly -> netback sink),
                     netfront-rx (netback gen -> app rxonly), memif,
                     vhost ($cases)
      --cpus A,B     app / transmitting side on CPU A, the other on B ($cpus)
      --no-hugepages run with --no-huge even when root could set up 2 MiB
                     hugepages
      --profile      also record perf profiles of both sides of netfront
                     at the smallest size (OUT/profile-*.txt)
      --quick        1 run, 1 s window: a smoke test of the script
  -h, --help
Writes OUT/runs.csv, OUT/summary.csv, OUT/e2e.png (with gnuplot) and
OUT/logs/; Gbit/s count frame bytes without FCS.
EOF
}

while [[ $# -gt 0 ]]; do
	case $1 in
	-b|--build) build=${2:?$1 wants a directory}; shift ;;
	-o|--out) out=${2:?$1 wants a directory}; shift ;;
	-r|--runs) runs=${2:?$1 wants a number}; shift ;;
	-w|--window) window=${2:?$1 wants seconds}; shift ;;
	--warmup) warmup=${2:?$1 wants seconds}; shift ;;
	-s|--sizes) sizes=${2:?$1 wants a list}; shift ;;
	-c|--cases) cases=${2:?$1 wants a list}; shift ;;
	--cpus) cpus=${2:?$1 wants A,B}; shift ;;
	--no-hugepages) huge=off ;;
	--profile) profile=1 ;;
	--quick) runs=1; window=1 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done

in_range "$runs" 1 100 || die "--runs '$runs': expected 1..100"
in_range "$window" 1 600 || die "--window '$window': expected 1..600 seconds"
in_range "$warmup" 0 60 || die "--warmup '$warmup': expected 0..60 seconds"
parse_cpus "$cpus"
IFS=, read -r -a size_list <<<"$sizes"
IFS=, read -r -a case_list <<<"$cases"
((${#size_list[@]} > 0)) || die "--sizes: empty list"
((${#case_list[@]} > 0)) || die "--cases: empty list"
for s in "${size_list[@]}"; do
	[[ $s == imix ]] || in_range "$s" 60 9000 ||
		die "--sizes: '$s' is not imix nor a frame size of 60..9000"
done
for c in "${case_list[@]}"; do
	case $c in
	netfront-tx|netfront-rx|memif|vhost) ;;
	*) die "--cases: unknown case '$c'" ;;
	esac
done

app=$build/app/netfront-testpmd/netfront-testpmd
xensim=$build/app/xensim/xensim
plugin=$build/drivers/net/netfront/librte_net_netfront.so
c2c=$build/bench/c2c
for f in "$app" "$xensim" "$plugin" "$c2c"; do
	[[ -e $f ]] || die "$f is missing: build first (ninja -C $build)"
done
command -v taskset >/dev/null || die "taskset (util-linux) is missing"
[[ -n $out ]] || out=$build/bench/e2e-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out/logs" || die "cannot create $out"
out=$(cd "$out" && pwd)

bench_begin
bg_limit=$((warmup + window + 40))

# app_opts SIZE: options of netfront-testpmd common to every side.
app_opts() {
	opts=(--pkt-size "$1" --stats-period 1 --link-wait 10)
}

# rate_start LOG SOURCE...: rx_rate.py reads the receiver's counters
# over the window, in the background; rate_finish sets result from it.
rate_start() {
	local log=$1

	shift
	start_bg "$log" "$cpu_b" python3 "$here/rx_rate.py" \
		--warmup "$warmup" --window "$window" "$@"
	rate_pid=$bg
}

rate_finish() {
	finish "$rate_pid" || return 1
	result=$(tail -n1 "$1")
}

start_xensim() {
	local dir=$1 end=$2 log=$3

	mkdir -p "$dir"
	start_bg "$log" "$cpu_b" "$xensim" "$dir" --status-ms 100 \
		--vif "1/0,end=$end,mode=poll"
	sim_pid=$bg
	wait_for "$sim_pid" "$dir/ready"
}

# profile NAME APP_PGID SIM_PGID: perf over the window for the app and
# xensim (each the child of the timeout leading its process group).
perf_pids=()
profile() {
	local name=$1 side pid

	shift
	for side in app xensim; do
		pid=$(pgrep -P "$1" | head -n1)
		shift
		[[ -n $pid ]] || continue
		setsid perf record -g -o "$tmp/$name-$side.data" -p "$pid" \
			-- sleep "$window" >>"$out/logs/perf.log" 2>&1 </dev/null &
		pgids+=("$!")
		logs[$!]=$out/logs/perf.log
		perf_pids+=("$!")
	done
}

profile_wait() {
	local pid

	for pid in "${perf_pids[@]}"; do
		finish "$pid" || note "perf record failed"
	done
	perf_pids=()
}

report_profiles() {
	local f

	for f in "$tmp"/*.data; do
		[[ -e $f ]] || continue
		perf report -i "$f" --stdio --no-children --percent-limit 1 \
			--sort dso,symbol -g none \
			>"$out/profile-$(basename "$f" .data).txt" 2>/dev/null ||
			note "perf report failed for $f"
		rm -f "$f"
	done
}

# measure_* LOGBASE SIZE PROFILE: one run; result="Mpps Gbit/s".
# netfront_run LOGBASE SIZE PROFILE END MODE RATE_SOURCE...: the app on
# net_netfront against xensim's netback with the vif END.
netfront_run() {
	local base=$1 size=$2 prof=$3 end=$4 mode=$5 dir=$tmp/sim rc=0

	shift 5
	start_xensim "$dir" "$end" "$base-xensim.log" || return 1
	eal_args "nfe2e-$$-a" "$cpu_a"
	app_opts "$size"
	XENSTORED_PATH=$dir/dom1/xenstored start_bg "$base-app.log" \
		"$cpu_a" "$app" -d "$plugin" "${eal[@]}" \
		--vdev "net_netfront0,vif=0,xensim=$dir/dom1" -- \
		--mode "$mode" "${opts[@]}" --duration $((warmup + window + 4))
	app_pid=$bg
	rate_start "$base-rate.log" "$@"
	if ((prof)); then
		sleep $((warmup + 2))
		profile "netfront-$mode-$size" "$app_pid" "$sim_pid"
		profile_wait
	fi
	rate_finish "$base-rate.log" || rc=1
	finish "$app_pid" || rc=1
	stop_group "$sim_pid"
	finish "$sim_pid" || true
	rm -rf "$dir"
	return "$rc"
}

# The receiver is xensim's netback, sinking what the app transmits.
measure_netfront_tx() {
	netfront_run "$1" "$2" "$3" sink txonly --xensim "$tmp/sim"
}

# The receiver is the app, taking what the netback generates.
measure_netfront_rx() {
	netfront_run "$1" "$2" "$3" "gen:$2" rxonly \
		--telemetry "/var/run/dpdk/nfe2e-$$-a/dpdk_telemetry.v2"
}

# measure_pair BASE SIZE RX_VDEV RX_READY TX_VDEV: rxonly on CPU B (the
# server side, up first), txonly on CPU A.
measure_pair() {
	local base=$1 size=$2 rx_vdev=$3 ready=$4 tx_vdev=$5 rc=0

	app_opts "$size"
	eal_args "nfe2e-$$-b" "$cpu_b"
	start_bg "$base-rx.log" "$cpu_b" "$app" "${eal[@]}" \
		--vdev "$rx_vdev" -- --mode rxonly "${opts[@]}" \
		--duration $((warmup + window + 8))
	rx_pid=$bg
	if ! wait_for "$rx_pid" "$ready"; then
		stop_group "$rx_pid"
		finish "$rx_pid" || true
		return 1
	fi
	eal_args "nfe2e-$$-a" "$cpu_a"
	start_bg "$base-tx.log" "$cpu_a" "$app" "${eal[@]}" \
		--vdev "$tx_vdev" -- --mode txonly "${opts[@]}" \
		--duration $((warmup + window + 4))
	tx_pid=$bg
	rate_start "$base-rate.log" \
		--telemetry "/var/run/dpdk/nfe2e-$$-b/dpdk_telemetry.v2"
	rate_finish "$base-rate.log" || rc=1
	finish "$tx_pid" || rc=1
	finish "$rx_pid" || rx_crash "$base" || rc=1
	return "$rc"
}

# DPDK 22.11's memif may crash a receiver that is polling when its peer
# leaves, after the window was measured: say so, keep the measurement.
rx_crash() {
	[[ $(tail -n 1 "$1-rx.log") == "e2e: exit status 139" &&
	   $1 == */memif-* ]] || return 1
	note "$1: memif receiver crashed at teardown (DPDK 22.11 memif)"
}

measure_memif() {
	local sock=$tmp/memif.sock

	rm -f "$sock"
	# A file socket (not the abstract default) tells when the server is up.
	measure_pair "$1" "$2" \
		"net_memif0,role=server,socket=$sock,socket-abstract=no" "$sock" \
		"net_memif0,role=client,socket=$sock,socket-abstract=no"
}

measure_vhost() {
	local sock=$tmp/vhost.sock

	rm -f "$sock"
	measure_pair "$1" "$2" "net_vhost0,iface=$sock,queues=1" "$sock" \
		"net_virtio_user0,path=$sock,queues=1"
}

setup_hugepages
memory=no-huge
[[ ${mem_args[0]} == --huge-dir ]] && memory=hugepages-2M

runs_csv=$out/runs.csv
echo "run,case,size,mpps,gbps,memory,load1,time,c2c_ns" >"$runs_csv"
note "results in $out ($memory, $runs runs of ${window}s after" \
	"${warmup}s warmup)"
failed=0
for ((run = 1; run <= runs; run++)); do
	for size in "${size_list[@]}"; do
		for c in "${case_list[@]}"; do
			base=$out/logs/$c-$size-run$run
			result=
			# The CPU pair's line handoff, which a VM's host
			# may change between runs: every case pays it.
			handoff=$("$c2c" "$cpu_a" "$cpu_b") || handoff=
			measure_"${c//-/_}" "$base" "$size" 0 || result=
			drop_dpdk_files
			if [[ -z $result ]]; then
				note "run $run $c $size: FAILED (logs: $base-*)"
				failed=1
				continue
			fi
			read -r mpps gbps <<<"$result"
			note "run $run $c $size: $mpps Mpps $gbps Gbit/s" \
				"(line handoff ${handoff:-?} ns)"
			echo "$run,$c,$size,$mpps,$gbps,$memory,$(cut -d' ' -f1 \
				/proc/loadavg),$(date +%s),$handoff" >>"$runs_csv"
		done
	done
done

# Profiles come from runs of their own: perf slows what it watches.
if ((profile)); then
	for c in netfront-tx netfront-rx; do
		base=$out/logs/profile-$c-${size_list[0]}
		result=
		measure_"${c//-/_}" "$base" "${size_list[0]}" 1 || result=
		drop_dpdk_files
		note "profiled $c ${size_list[0]}: ${result:-FAILED} (not in CSV)"
	done
	report_profiles
fi

# summarize [LO HI]: medians per case and size of the runs (those whose
# line handoff was LO..HI ns), and netfront relative to each peer.
summarize() {
	awk -F, -v sizes="${size_list[*]}" -v cases="${case_list[*]}" \
			-v lo="${1:-}" -v hi="${2:-}" '
		function median(key,   n, i, j, t, v) {
			n = split(vals[key], v, " ")
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
					t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
				}
			return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		}
		NR > 1 && (lo == "" || ($9 != "" && $9 >= lo && $9 <= hi)) {
			k = $2 SUBSEP $3
			vals[k] = vals[k] " " $4
			vals[k, "g"] = vals[k, "g"] " " $5
			cnt[k]++
		}
		END {
			print "case,size,runs,mpps,gbps,vs_memif,vs_vhost"
			ns = split(sizes, S, " "); nc = split(cases, C, " ")
			for (i = 1; i <= ns; i++) {
				for (j = 1; j <= nc; j++) {
					k = C[j] SUBSEP S[i]
					if (!cnt[k])
						continue
					m[k] = median(k); g[k] = median(k SUBSEP "g")
				}
				for (j = 1; j <= nc; j++) {
					k = C[j] SUBSEP S[i]
					if (!cnt[k])
						continue
					vm = vv = ""
					if (C[j] ~ /^netfront/) {
						p = "memif" SUBSEP S[i]
						if (m[p] > 0) vm = sprintf("%.3f", m[k] / m[p])
						p = "vhost" SUBSEP S[i]
						if (m[p] > 0) vv = sprintf("%.3f", m[k] / m[p])
					}
					printf "%s,%s,%d,%.3f,%.3f,%s,%s\n", C[j], S[i],
						cnt[k], m[k], g[k], vm, vv
				}
			}
		}' "$runs_csv"
}

# print_summary CSV: the table of one summary.
print_summary() {
	awk -F, 'NR == 1 {
			printf "%-12s %6s %5s %9s %9s %9s %9s\n", "case",
				"size", "runs", "Mpps", "Gbit/s", "nf/memif",
				"nf/vhost"
			next
		}
		{
			printf "%-12s %6s %5s %9s %9s %9s %9s\n", $1, $2, $3,
				$4, $5, $6 == "" ? "-" : $6,
				$7 == "" ? "-" : $7
		}' "$1"
}

summary_csv=$out/summary.csv
summarize >"$summary_csv"
# A VM's host may move its vCPUs between CPU pairs of very different
# handoff (here 60 or 250 ns) during the run; a case that happened to get
# the fast pair more often would look faster. The runs within 25% of the
# median handoff compare like with like.
typical_csv=$out/summary-typical-handoff.csv
read -r handoff_lo handoff_med handoff_hi < <(awk -F, \
	'NR > 1 && $9 != "" { print $9 }' "$runs_csv" | sort -n | awk '
	{ v[++n] = $1 }
	END { if (n) print v[1], v[int((n + 1) / 2)], v[n] }') || true
if [[ -n ${handoff_med:-} ]]; then
	summarize "$(awk -v m="$handoff_med" 'BEGIN { print m * 0.75 }')" \
		"$(awk -v m="$handoff_med" 'BEGIN { print m * 1.25 }')" \
		>"$typical_csv"
fi

echo
echo "medians of $runs run(s), ${window}s windows, $memory; load average" \
	"$(cut -d' ' -f1-3 /proc/loadavg)"
print_summary "$summary_csv"
if [[ -n ${handoff_med:-} ]]; then
	echo
	echo "the same over the runs whose CPU pair handed a cache line over" \
		"in ${handoff_med} ns +-25% (all runs: $handoff_lo..$handoff_hi ns)"
	print_summary "$typical_csv"
fi
echo
echo "CSV: $runs_csv"
echo "     $summary_csv"
[[ -n ${handoff_med:-} ]] && echo "     $typical_csv"

if command -v gnuplot >/dev/null; then
	# One row per size, one column per case, for clustered bars.
	awk -F, -v cases="${case_list[*]}" '
		NR > 1 { m[$1, $2] = $4; g[$1, $2] = $5
			 if (!($2 in seen)) { seen[$2]; order[++ns] = $2 } }
		END {
			nc = split(cases, C, " ")
			for (i = 1; i <= ns; i++) {
				line = order[i]
				for (j = 1; j <= nc; j++) {
					k = C[j] SUBSEP order[i]
					line = line " " ((k in m) ? m[k] : "NaN")
				}
				for (j = 1; j <= nc; j++) {
					k = C[j] SUBSEP order[i]
					line = line " " ((k in g) ? g[k] : "NaN")
				}
				print line
			}
		}' "$summary_csv" >"$tmp/plot.dat"
	nc=${#case_list[@]}
	gnuplot <<EOF || note "gnuplot failed"
set terminal pngcairo size 1200,500 font ",10"
set output "$out/e2e.png"
set multiplot layout 1,2 title "txonly -> rxonly, one core per side, medians of $runs ($memory)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top right
set grid ytics
set xlabel "frame size (bytes, without FCS)"
set ylabel "Mpps"
plot for [i=2:$((nc + 1))] "$tmp/plot.dat" using i:xtic(1) title word("${case_list[*]}", i - 1)
set ylabel "Gbit/s"
plot for [i=$((nc + 2)):$((2 * nc + 1))] "$tmp/plot.dat" using i:xtic(1) title word("${case_list[*]}", i - $((nc + 1)))
unset multiplot
EOF
	[[ -e $out/e2e.png ]] && echo "PNG: $out/e2e.png"
else
	note "gnuplot is not installed (Debian: gnuplot-nox): no plot"
fi
if ((profile)); then
	echo "profiles: $out/profile-*.txt"
fi
exit $failed
