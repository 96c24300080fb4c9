#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End-to-end throughput of net_netfront against xensim's netback, next to
# DPDK's own shared-memory PMDs (net_memif pair, net_virtio_user against
# net_vhost). One side transmits, the other only receives, one core each;
# the rate is read from the receiving side's counters over a fixed window.
# Every case runs under two applications: Debian's stock dpdk-testpmd,
# which DPDK users compare PMDs with (one size at a time, its receiver
# never reads the data), and netfront-testpmd, whose receivers read every
# byte (--rx-sum) and which also sends IMIX.
# Cases are interleaved (A B C A B C ...) so that a slow spell of the
# machine hits them all alike. The host may move the VM's vCPUs between
# CPU pairs of very different cache-line handoff while the script runs:
# bench/c2c measures it before every run, and the tables give medians per
# handoff band, so that no median mixes regimes.
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
cases=netfront-tx,netfront-tx-zc,netfront-rx,memif,vhost
apps=testpmd,netfront-testpmd
cpus=0,1
out=
profile=0
# Line handoffs (ns) between CPU-pair regimes: a near pair (SMT siblings,
# one core complex), the typical one, a far one.
band_edges=60,160

usage() {
	cat <<EOF
usage: $0 [options]
  -b, --build DIR    meson build directory ($build)
  -o, --out DIR      results directory (BUILD/bench/e2e-DATE)
  -r, --runs N       runs of every case and size ($runs)
  -w, --window S     measured seconds ($window), after a warmup of
      --warmup S     S seconds ($warmup)
  -s, --sizes LIST   frame bytes without FCS, or imix ($sizes); stock
                     testpmd sends one size: imix only with
                     netfront-testpmd
  -c, --cases LIST   of netfront-tx (app txonly -> netback sink),
                     netfront-tx-zc (the same from a TX pool granted to
                     the backend: netfront-testpmd --tx-pool), netfront-rx
                     (netback gen -> app rxonly), memif, vhost
                     ($cases)
  -a, --apps LIST    testpmd (Debian's dpdk-testpmd), netfront-testpmd
                     ($apps)
      --cpus A,B     app / transmitting side on CPU A, the other on B ($cpus)
      --band-edges L line handoffs in ns that part the tables' CPU-pair
                     regimes ($band_edges: near, typical, far)
      --no-hugepages run with --no-huge even when root could set up 2 MiB
                     hugepages
      --profile      also record perf profiles of both sides of the
                     netfront cases under every app, at the first size
                     (OUT/profile-*.txt)
      --quick        1 run, 1 s window: a smoke test of the script
  -h, --help
Writes OUT/runs.csv, OUT/summary.csv, OUT/commands.txt, OUT/e2e.png (with
gnuplot) and OUT/logs/; Gbit/s count frame bytes without FCS.
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
	-a|--apps) apps=${2:?$1 wants a list}; shift ;;
	--cpus) cpus=${2:?$1 wants A,B}; shift ;;
	--band-edges) band_edges=${2:?$1 wants a list}; shift ;;
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
[[ $band_edges =~ ^[0-9]+(,[0-9]+)*$ ]] ||
	die "--band-edges '$band_edges': expected ns,ns,... ascending"
IFS=, read -r -a size_list <<<"$sizes"
IFS=, read -r -a case_list <<<"$cases"
IFS=, read -r -a app_list <<<"$apps"
((${#size_list[@]} > 0)) || die "--sizes: empty list"
((${#case_list[@]} > 0)) || die "--cases: empty list"
((${#app_list[@]} > 0)) || die "--apps: empty list"
for s in "${size_list[@]}"; do
	[[ $s == imix ]] || in_range "$s" 60 9000 ||
		die "--sizes: '$s' is not imix nor a frame size of 60..9000"
done
for c in "${case_list[@]}"; do
	case $c in
	netfront-tx|netfront-tx-zc|netfront-rx|memif|vhost) ;;
	*) die "--cases: unknown case '$c'" ;;
	esac
done
for a in "${app_list[@]}"; do
	case $a in
	testpmd)
		command -v dpdk-testpmd >/dev/null ||
			die "dpdk-testpmd is missing (Debian: package dpdk)" ;;
	netfront-testpmd) ;;
	*) die "--apps: unknown app '$a'" ;;
	esac
done

nft=$build/app/netfront-testpmd/netfront-testpmd
# Options of netfront-testpmd for the case at hand.
nft_opts=()
xensim=$build/app/xensim/xensim
plugin=$build/drivers/net/netfront/librte_net_netfront.so
c2c=$build/bench/c2c
for f in "$nft" "$xensim" "$plugin" "$c2c"; do
	[[ -e $f ]] || die "$f is missing: build first (ninja -C $build)"
done
command -v taskset >/dev/null || die "taskset (util-linux) is missing"
[[ -n $out ]] || out=$build/bench/e2e-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out/logs" || die "cannot create $out"
out=$(cd "$out" && pwd)

bench_begin
bg_limit=$((warmup + window + 40))

# side APP MODE SIZE PREFIX CPU EAL_ARG...: cmd, the command line of a
# side that only transmits or only receives (MODE txonly or rxonly)
# frames of SIZE bytes on the port the EAL arguments make, its lcores on
# CPU. Stock testpmd: one forwarding core on one queue, with the ring
# size the PMD prefers (net_netfront's is Xen's 256) and a pool that fits
# the memory of lib.sh (its default is sized for 32 ports).
# netfront-testpmd's receivers read every byte.
side() {
	local app=$1 mode=$2 size=$3

	eal_args "$4" "$5"
	shift 5
	if [[ $app == testpmd ]]; then
		cmd=(dpdk-testpmd "${eal[@]}" "$@" -- --forward-mode="$mode"
		     --txpkts="$size" --burst=32 --nb-cores=1 --rxq=1 --txq=1
		     --total-num-mbufs=8192 --stats-period=1 --auto-start)
	else
		cmd=("$nft" "${eal[@]}" "$@" -- --mode "$mode"
		     --pkt-size "$size" --stats-period 1 --link-wait 10
		     "${nft_opts[@]}")
		[[ $mode == rxonly ]] && cmd+=(--rx-sum)
	fi
	return 0
}

# start_side BASE NAME CPU: run cmd as the side NAME of a run (log
# BASE-NAME.log); the first run's command lines go to OUT/commands.txt, so
# that the tables say what ran.
start_side() {
	local env=${XENSTORED_PATH:+XENSTORED_PATH=$XENSTORED_PATH }

	[[ $1 != */*-run1 ]] ||
		echo "${1##*/} $2: $env${cmd[*]}" >>"$out/commands.txt"
	start_bg "$1-$2.log" "$3" "${cmd[@]}"
}

# stop_app PID: ends an app that has run its window. On SIGTERM both
# print their statistics and exit 0, or die by the signal raised again
# (143), as some versions of testpmd do.
stop_app() {
	local rc=0

	kill -TERM -- "-$1" 2>/dev/null || true
	finish "$1" || rc=$?
	((rc == 0 || rc == 143))
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
	local dir=$1 end=$2 base=$3

	mkdir -p "$dir"
	cmd=("$xensim" "$dir" --status-ms 100 --vif "1/0,end=$end,mode=poll")
	start_side "$base" xensim "$cpu_b"
	sim_pid=$bg
	wait_for "$sim_pid" "$dir/ready" && return 0
	stop_group "$sim_pid"
	finish "$sim_pid" || true
	return 1
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

# measure_* APP BASE SIZE PROFILE: one run of APP; result="Mpps Gbit/s".
# netfront_run APP BASE SIZE PROFILE END MODE RATE_SOURCE...: the app on
# net_netfront against xensim's netback with the vif END.
netfront_run() {
	local app=$1 base=$2 size=$3 prof=$4 end=$5 mode=$6 dir=$tmp/sim rc=0

	shift 6
	start_xensim "$dir" "$end" "$base" || return 1
	side "$app" "$mode" "$size" "nfe2e-$$-a" "$cpu_a" -d "$plugin" \
		--vdev "net_netfront0,vif=0,xensim=$dir/dom1"
	XENSTORED_PATH=$dir/dom1/xenstored start_side "$base" app "$cpu_a"
	app_pid=$bg
	rate_start "$base-rate.log" "$@"
	if ((prof)); then
		sleep $((warmup + 2))
		profile "$app-netfront-$mode-$size" "$app_pid" "$sim_pid"
		profile_wait
	fi
	rate_finish "$base-rate.log" || rc=1
	stop_app "$app_pid" || rc=1
	stop_group "$sim_pid"
	finish "$sim_pid" || true
	rm -rf "$dir"
	return "$rc"
}

# The receiver is xensim's netback, sinking what the app transmits.
measure_netfront_tx() {
	netfront_run "$1" "$2" "$3" "$4" sink txonly --xensim "$tmp/sim"
}

# The same with the frames built in a pool granted to the backend and
# sent without a copy (netfront-testpmd --tx-pool; stock testpmd has no
# way to ask for that pool).
measure_netfront_tx_zc() {
	local rc=0

	nft_opts=(--tx-pool)
	measure_netfront_tx "$@" || rc=1
	nft_opts=()
	return "$rc"
}

# The receiver is the app, taking what the netback generates.
measure_netfront_rx() {
	netfront_run "$1" "$2" "$3" "$4" "gen:$3" rxonly \
		--telemetry "/var/run/dpdk/nfe2e-$$-a/dpdk_telemetry.v2"
}

# measure_pair APP BASE SIZE RX_VDEV TX_VDEV: rxonly on CPU B (the
# server side, up first: its port started, as memif wants), txonly on
# CPU A.
measure_pair() {
	local app=$1 base=$2 size=$3 rc=0
	local rx_tel=/var/run/dpdk/nfe2e-$$-b/dpdk_telemetry.v2

	side "$app" rxonly "$size" "nfe2e-$$-b" "$cpu_b" --vdev "$4"
	start_side "$base" rx "$cpu_b"
	rx_pid=$bg
	if ! python3 "$here/rx_rate.py" --telemetry "$rx_tel" --started \
			>>"$base-rate.log" 2>&1; then
		stop_app "$rx_pid" || true
		return 1
	fi
	side "$app" txonly "$size" "nfe2e-$$-a" "$cpu_a" --vdev "$5"
	start_side "$base" tx "$cpu_a"
	tx_pid=$bg
	rate_start "$base-rate.log" --telemetry "$rx_tel"
	rate_finish "$base-rate.log" || rc=1
	stop_app "$tx_pid" || rc=1
	stop_app "$rx_pid" || rx_crash "$base" || rc=1
	return "$rc"
}

# DPDK 22.11's memif may crash a receiver that is polling when its peer
# leaves, after the window was measured: say so, keep the measurement.
rx_crash() {
	[[ $(tail -n 1 "$1-rx.log") == "e2e: exit status 139" &&
	   $1 == */*-memif-* ]] || return 1
	note "$1: memif receiver crashed at teardown (DPDK 22.11 memif)"
}

# The peers as their guides run them for throughput. memif: the client
# (the transmitter) hands the server its own mbufs instead of copying
# into a region of memif's (zero-copy=yes), which wants every memory
# segment list in one file it can share: --single-file-segments.
measure_memif() {
	local sock=$tmp/memif.sock
	# A socket of our own, not the abstract default another run may use.
	local dev=net_memif0,socket=$sock,socket-abstract=no

	rm -f "$sock"
	measure_pair "$1" "$2" "$3" "$dev,role=server" \
		"$dev,role=client,zero-copy=yes"
}

# virtio_user: the split ring's in-order path without mergeable buffers,
# the fastest of DPDK's vhost/virtio-user loopback tests.
measure_vhost() {
	local sock=$tmp/vhost.sock

	rm -f "$sock"
	measure_pair "$1" "$2" "$3" "net_vhost0,iface=$sock,queues=1" \
		"net_virtio_user0,path=$sock,queues=1,mrg_rxbuf=0,in_order=1"
}

setup_hugepages
memory=hugepages-2M
if [[ ${mem_args[0]} != --huge-dir ]]; then
	memory=no-huge
	# memif's zero-copy client wants one file per segment list, as
	# lib.sh's hugepages have them.
	mem_args+=(--single-file-segments)
fi

settings="stock dpdk-testpmd sends one size at a time and its rxonly
does not read the frames; netfront-testpmd's receivers read every byte
(--rx-sum). net_netfront with its defaults; net_memif server / client
zero-copy=yes; net_vhost queues=1 / net_virtio_user
queues=1,mrg_rxbuf=0,in_order=1. EAL ${mem_args[*]}, two lcores on each
side's CPU (one forwards)."
runs_csv=$out/runs.csv
echo "run,app,case,size,mpps,gbps,memory,load1,time,c2c_ns" >"$runs_csv"
: >"$out/commands.txt"
note "results in $out ($memory, $runs runs of ${window}s after" \
	"${warmup}s warmup)"
if [[ " ${size_list[*]} " == *" imix "* &&
      " ${app_list[*]} " == *" testpmd "* ]]; then
	note "stock testpmd sends one size at a time: imix only with" \
		"netfront-testpmd"
fi
failed=0
for ((run = 1; run <= runs; run++)); do
	for size in "${size_list[@]}"; do
		for a in "${app_list[@]}"; do
			[[ $a == testpmd && $size == imix ]] && continue
			for c in "${case_list[@]}"; do
				[[ $a == testpmd && $c == netfront-tx-zc ]] &&
					continue
				base=$out/logs/$a-$c-$size-run$run
				result=
				# The CPU pair's line handoff, which a VM's
				# host may change between runs.
				handoff=$("$c2c" "$cpu_a" "$cpu_b") ||
					handoff=
				measure_"${c//-/_}" "$a" "$base" "$size" 0 ||
					result=
				drop_dpdk_files
				if [[ -z $result ]]; then
					note "run $run $a $c $size: FAILED" \
						"(logs: $base-*)"
					failed=1
					continue
				fi
				read -r mpps gbps <<<"$result"
				note "run $run $a $c $size: $mpps Mpps" \
					"$gbps Gbit/s (line handoff" \
					"${handoff:-?} ns)"
				row=$run,$a,$c,$size,$mpps,$gbps,$memory
				row+=,$(cut -d' ' -f1 /proc/loadavg)
				echo "$row,$(date +%s),$handoff" >>"$runs_csv"
			done
		done
	done
done

# Profiles come from runs of their own: perf slows what it watches.
if ((profile)); then
	for a in "${app_list[@]}"; do
		[[ $a == testpmd && ${size_list[0]} == imix ]] && continue
		for c in netfront-tx netfront-rx; do
			base=$out/logs/profile-$a-$c-${size_list[0]}
			result=
			measure_"${c//-/_}" "$a" "$base" "${size_list[0]}" 1 ||
				result=
			drop_dpdk_files
			note "profiled $a $c ${size_list[0]}:" \
				"${result:-FAILED} (not in CSV)"
		done
	done
	report_profiles
fi

# handoff_bands: the runs' line handoffs in the regimes that band_edges
# (ns) cut, as "LO HI LO HI ..." of the handoffs seen in each regime that
# had runs. Fixed edges: handoffs spread out within a regime, so gaps
# between them do not tell regimes apart.
handoff_bands() {
	awk -F, 'NR > 1 && $10 != "" { print $10 }' "$runs_csv" | sort -n |
		awk -v edges="$band_edges" '
		BEGIN { ne = split(edges, E, ",") }
		{
			for (b = 1; b <= ne && $1 + 0 >= E[b] + 0; b++)
				;
			if (!(b in lo))
				lo[b] = $1
			hi[b] = $1
		}
		END {
			for (b = 1; b <= ne + 1; b++)
				if (b in lo)
					printf "%s %s ", lo[b], hi[b]
			print ""
		}'
}

# summarize: per handoff band, app, size and case, the number of runs and
# the medians of their rates (no run: empty), and netfront relative to
# each peer of the same band, app and size.
summarize() {
	awk -F, -v bands="$bands" -v apps="${app_list[*]}" \
			-v sizes="${size_list[*]}" -v cases="${case_list[*]}" \
			"$median_awk"'
		BEGIN { nb = split(bands, B, " ") / 2 }
		NR > 1 && $10 != "" {
			for (b = 1; b < nb; b++)
				if ($10 + 0 <= B[2 * b] + 0)
					break
			k = b SUBSEP $2 SUBSEP $3 SUBSEP $4
			mp[k] = mp[k] " " $5
			gb[k] = gb[k] " " $6
			cnt[k]++
		}
		END {
			print "band,c2c_lo,c2c_hi,app,case,size,runs,mpps," \
				"gbps,vs_memif,vs_vhost"
			na = split(apps, A, " ")
			ns = split(sizes, S, " ")
			nc = split(cases, C, " ")
			for (b = 1; b <= nb; b++)
			for (a = 1; a <= na; a++)
			for (i = 1; i <= ns; i++) {
				if (A[a] == "testpmd" && S[i] == "imix")
					continue
				p = b SUBSEP A[a] SUBSEP
				for (j = 1; j <= nc; j++) {
					if (A[a] == "testpmd" &&
					    C[j] == "netfront-tx-zc")
						continue
					k = p C[j] SUBSEP S[i]
					m[k] = cnt[k] ? median(mp[k]) : ""
					g[k] = cnt[k] ? median(gb[k]) : ""
				}
				for (j = 1; j <= nc; j++) {
					if (A[a] == "testpmd" &&
					    C[j] == "netfront-tx-zc")
						continue
					k = p C[j] SUBSEP S[i]
					vm = vv = ""
					if (C[j] ~ /^netfront/ && m[k] != "") {
						q = p "memif" SUBSEP S[i]
						if (m[q] > 0)
							vm = sprintf("%.3f",
								m[k] / m[q])
						q = p "vhost" SUBSEP S[i]
						if (m[q] > 0)
							vv = sprintf("%.3f",
								m[k] / m[q])
					}
					printf "%d,%s,%s,%s,%s,%s,%d,%s,%s," \
						"%s,%s\n", b, B[2 * b - 1],
						B[2 * b], A[a], C[j], S[i],
						cnt[k], fmt(m[k]), fmt(g[k]),
						vm, vv
				}
			}
		}
		function fmt(v) { return v == "" ? "" : sprintf("%.3f", v) }
	' "$runs_csv"
}

# print_tables: from summary.csv, one table per band and app, each
# stating its band; a cell without runs in the band says so.
print_tables() {
	awk -F, -v nb="$nbands" '
		NR == 1 { next }
		$1 SUBSEP $4 != last {
			last = $1 SUBSEP $4
			app = "netfront-testpmd --rx-sum"
			if ($4 == "testpmd")
				app = "stock dpdk-testpmd"
			printf "\n%s, band %d of %d: runs whose CPU pair " \
				"handed a cache line over in %s..%s ns\n",
				app, $1, nb, $2, $3
			printf "%-12s %6s %5s %9s %9s %9s %9s\n", "case",
				"size", "runs", "Mpps", "Gbit/s", "nf/memif",
				"nf/vhost"
		}
		$7 == 0 {
			printf "%-12s %6s %5s   no run in this band\n", $5, $6,
				0
			next
		}
		{
			printf "%-12s %6s %5s %9s %9s %9s %9s\n", $5, $6, $7,
				$8, $9, $10 == "" ? "-" : $10,
				$11 == "" ? "-" : $11
		}' "$summary_csv"
}

# plot: Mpps of each app that ran in the band with the most runs,
# clustered bars per size, of the cases that ran in it.
plot() {
	local best range a i=0 plots='' dat ran j k

	read -r best range < <(awk -F, 'NR > 1 { n[$1] += $7
			range[$1] = $2 ".." $3 " ns" }
		END { for (b in n) if (m == "" || n[b] > n[m]) m = b
		      if (m != "" && n[m] > 0) print m, range[m] }' \
		"$summary_csv") ||
		return 0
	for a in "${app_list[@]}"; do
		dat=$tmp/plot-$((i + 1)).dat
		# A header of the cases, then one row per size.
		awk -F, -v b="$best" -v a="$a" -v cases="${case_list[*]}" '
			$1 == b && $4 == a {
				m[$5, $6] = $8 == "" ? "NaN" : $8
				ran[$5] += $7
				if (!($6 in seen)) {
					seen[$6]
					order[++ns] = $6
				}
			}
			END {
				nc = split(cases, C, " ")
				for (j = 1; j <= nc; j++)
					if (ran[C[j]])
						R[++nr] = C[j]
				if (!nr)
					exit 1
				line = "size"
				for (j = 1; j <= nr; j++)
					line = line " " R[j]
				print line
				for (i = 1; i <= ns; i++) {
					line = order[i]
					for (j = 1; j <= nr; j++)
						line = line " " \
							m[R[j], order[i]]
					print line
				}
			}' "$summary_csv" >"$dat" || continue
		i=$((i + 1))
		plots+="set title '$a'
plot"
		# Each case in its colour in every panel.
		read -r -a ran <"$dat"
		for ((j = 1; j < ${#ran[@]}; j++)); do
			for k in "${!case_list[@]}"; do
				[[ ${case_list[k]} == "${ran[j]}" ]] && break
			done
			plots+=" '$dat' using $((j + 1)):xtic(1) \\
	title '${ran[j]}' linecolor $((k + 1)),"
		done
		plots=${plots%,}$'\n'
	done
	gnuplot <<EOF || note "gnuplot failed"
set terminal pngcairo size 1200,500 font ",10"
set output "$out/e2e.png"
set multiplot layout 1,$i title "txonly -> rxonly, one core per side, \\
medians in Mpps of the runs at a line handoff of $range ($memory)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top right
set grid ytics
set xlabel "frame size (bytes, without FCS)"
set ylabel "Mpps"
set yrange [0:*]
$plots
unset multiplot
EOF
	[[ -e $out/e2e.png ]] && echo "PNG: $out/e2e.png"
	return 0
}

bands=$(handoff_bands)
nbands=$(($(wc -w <<<"$bands") / 2))
summary_csv=$out/summary.csv
summarize >"$summary_csv"

echo
echo "$runs run(s) of ${window}s per cell, $memory; load average" \
	"$(cut -d' ' -f1-3 /proc/loadavg)"
echo "settings: ${settings//$'\n'/ }" | fold -s -w 78
echo "commands of the first run: $out/commands.txt"
print_tables
unbanded=$(awk -F, 'NR > 1 && $10 == ""' "$runs_csv" | wc -l)
((unbanded == 0)) ||
	echo "$unbanded run(s) without a line handoff figure are in no table"
echo
echo "CSV: $runs_csv"
echo "     $summary_csv"

if command -v gnuplot >/dev/null; then
	plot
else
	note "gnuplot is not installed (Debian: gnuplot-nox): no plot"
fi
if ((profile)); then
	echo "profiles: $out/profile-*.txt"
fi
exit $failed
