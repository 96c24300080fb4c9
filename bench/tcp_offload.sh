#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# What the offloads buy: bulk TCP (iperf3, else socat) from one network
# namespace to another through net_netfront, netfront-testpmd io-forwarding
# between two xensim vifs whose ends are TAPs with offloads
# (tap-offload=1), with the app's offloads off and on (--offloads)
# alternately in one run. Per configuration: Gbit/s of TCP payload
# (median, min-max), CPU, and the netif ring requests and event-channel
# notifications per MB of payload. The app runs on CPU A; xensim, the
# TCP endpoints and the kernel work of both namespaces share CPU B.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$top/app/builddir.sh"
bench=tcp-offload
. "$here/lib.sh"
command_line="$0 $*"
runs=5
secs=10
cpus=0,1
ipv=4
tool=auto
retry=0
quiet=5
out=

usage() {
	cat <<EOF
usage: $0 [options]
  -b, --build DIR    meson build directory ($build)
  -o, --out DIR      results directory (BUILD/bench/tcp-offload-DATE)
  -r, --runs N       runs of each configuration, alternating ($runs)
  -t, --time S       seconds of each transfer ($secs)
      --cpus A,B     the app on CPU A; xensim and the TCP ends on B ($cpus)
  -6, --ipv6         TCP over IPv6 (default IPv4)
      --tx-retry N   the app offers a burst its TX queue refused again, up
                     to N times 1 us apart, before dropping it ($retry)
      --socat        a socat stream of /dev/zero even with iperf3 there
      --quiet-pct P  also a table over the runs during which other
                     processes used at most P% of a core ($quiet)
      --quick        1 run of 2 s each: a smoke test of the script
  -h, --help
Writes OUT/runs.csv and OUT/logs/, prints a markdown table.
EOF
}

while [[ $# -gt 0 ]]; do
	case $1 in
	-b|--build) build=${2:?$1 wants a directory}; shift ;;
	-o|--out) out=${2:?$1 wants a directory}; shift ;;
	-r|--runs) runs=${2:?$1 wants a number}; shift ;;
	-t|--time) secs=${2:?$1 wants seconds}; shift ;;
	--cpus) cpus=${2:?$1 wants A,B}; shift ;;
	-6|--ipv6) ipv=6 ;;
	--tx-retry) retry=${2:?$1 wants a number}; shift ;;
	--quiet-pct) quiet=${2:?$1 wants a number}; shift ;;
	--socat) tool=socat ;;
	--quick) runs=1; secs=2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done

in_range "$runs" 1 100 || die "--runs '$runs': expected 1..100"
in_range "$secs" 1 600 || die "--time '$secs': expected 1..600 seconds"
in_range "$retry" 0 1000000 || die "--tx-retry '$retry': expected 0..1000000"
in_range "$quiet" 0 200 || die "--quiet-pct '$quiet': expected 0..200"
parse_cpus "$cpus"
[[ $(id -u) == 0 ]] || die "needs root (network namespaces, TAPs)"
if [[ $tool == auto ]]; then
	tool=socat
	command -v iperf3 >/dev/null && tool=iperf3
fi
app=$build/app/netfront-testpmd/netfront-testpmd
xensim=$build/app/xensim/xensim
plugin=$build/drivers/net/netfront/librte_net_netfront.so
c2c=$build/bench/c2c
for f in "$app" "$xensim" "$plugin" "$c2c"; do
	[[ -e $f ]] || die "$f is missing: build first (ninja -C $build)"
done
for c in taskset socat python3; do
	command -v "$c" >/dev/null || die "$c is missing"
done
[[ -n $out ]] || out=$build/bench/tcp-offload-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out/logs" || die "cannot create $out"
out=$(cd "$out" && pwd)

bench_begin
# xensim lives through every run; each app run, its transfer and slack.
bg_limit=$((runs * 2 * (secs + 30) + 60))
tag=nfb$$
nsa=${tag}a nsb=${tag}b
if [[ $ipv == 4 ]]; then
	ipa=10.233.0.1 ipb=10.233.0.2 plen=24 nodad=
else
	ipa=fd00:233::1 ipb=fd00:233::2 plen=64 nodad=nodad
fi

bench_undo() {
	ip netns del "$nsa" 2>/dev/null || true
	ip netns del "$nsb" 2>/dev/null || true
}

# The process a start_bg group runs (the child of its timeout).
group_child() {
	pgrep -P "$1" | head -n1
}

# Both namespaces, each with a TAP end of a vif, and xensim on CPU B.
start_net() {
	local side ns dir=$tmp/sim

	ip netns add "$nsa" && ip netns add "$nsb" ||
		die "cannot create namespaces"
	mkdir -p "$dir"
	start_bg "$out/logs/xensim.log" "$cpu_b" "$xensim" "$dir" \
		--status-ms 50 \
		--vif "1/0,end=tap:${tag}a0@$nsa,queues=1,tap-offload=1" \
		--vif "1/1,end=tap:${tag}b0@$nsb,queues=1,tap-offload=1"
	sim_pg=$bg
	wait_for "$sim_pg" "$dir/ready" || die "xensim did not start"
	sim_pid=$(group_child "$sim_pg")
	for side in a b; do
		ns=$tag$side
		ip -n "$ns" link set lo up
		ip -n "$ns" addr add "$([[ $side == a ]] && echo "$ipa" ||
			echo "$ipb")/$plen" dev "${tag}${side}0" $nodad &&
			ip -n "$ns" link set "${tag}${side}0" up ||
			die "cannot configure ${tag}${side}0 in $ns"
	done
}

# start_app LOGBASE on|off: netfront-testpmd on CPU A, forwarding once a
# ping gets through.
start_app() {
	local opts=() i

	[[ $2 == on ]] && opts=(--offloads)
	eal_args "$tag-app" "$cpu_a"
	XENSTORED_PATH=$tmp/sim/dom1/xenstored start_bg "$1-app.log" \
		"$cpu_a" "$app" -d "$plugin" "${eal[@]}" \
		--vdev "net_netfront0,vif=0,xensim=$tmp/sim/dom1" \
		--vdev "net_netfront1,vif=1,xensim=$tmp/sim/dom1" \
		-- --mode io --stats-period 0 --record-core-cycles \
		--tx-retry "$retry" \
		--duration $((secs + 25)) "${opts[@]}"
	app_pg=$bg
	for ((i = 0; i < 100; i++)); do
		grep -qs '^forwarding:' "$1-app.log" && break
		kill -0 "$app_pg" 2>/dev/null || return 1
		sleep 0.1
	done
	ip netns exec "$nsa" ping -c 1 -w 10 "$ipb" >/dev/null
}

# Stop the app (SIGINT: its summary); busy gets its busy %, drops the
# share of forwarded packets its TX queues refused (io mode drops them).
stop_app() {
	local pid

	pid=$(group_child "$app_pg")
	[[ -n $pid ]] && kill -INT "$pid" 2>/dev/null
	finish "$app_pg" || return 1
	drop_dpdk_files
	busy=$(sed -n 's/^busy: \([0-9.]*\)%.*/\1/p' "$1-app.log")
	drops=$(awk '/^total:/ { t = 1 }
		t && $1 == "tx" { printf "%.2f", 100 * $NF / ($2 + $NF); exit }
		' "$1-app.log")
}

# Counters of both vifs, summed: TX and RX ring requests, notifications
# both ways, and the GSO counters.
sim_counters() {
	python3 - "$tmp/sim/status.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
q = [q for v in s["vifs"] for q in v["queues"]]
keys = ["tx_reqs", "rx_reqs", "notify_in", "notify_out", "tx_gso",
        "rx_gso", "gso_segs"]
print(" ".join(str(sum(x[k] for x in q)) for k in keys))
PY
}

# CPU B's jiffies (busy, all, softirq, steal: the hypervisor ran
# something else) from /proc/stat; a process's (utime + stime).
cpu_jiffies() {
	awk -v c="cpu$cpu_b" '$1 == c {
		all = 0; for (i = 2; i <= 9; i++) all += $i
		print all - $5 - $6 - $9, all, $8, $9 }' /proc/stat
}

proc_jiffies() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# others FILE start|end: the CPU jiffies that user processes other than
# this script's own tree used from start to end: what else ran on the
# machine (a load the run could not hold off, only report). Processes
# that ended in between are not counted.
others() {
	python3 - "$$" "$@" <<'PY'
import os, sys
ours, path, phase = int(sys.argv[1]), sys.argv[2], sys.argv[3]
procs = {}
for d in os.listdir("/proc"):
    if not d.isdigit():
        continue
    try:
        f = open("/proc/%s/stat" % d).read()
    except OSError:
        continue
    rest = f[f.rindex(")") + 2:].split()
    procs[int(d)] = (int(rest[1]), int(rest[11]) + int(rest[12]),
                     int(rest[19]))
now = {}
for pid, (ppid, j, start) in procs.items():
    p = pid
    while p in procs and p > 2 and p != ours:
        p = procs[p][0]
    # Kernel threads (kthreadd's children) may work for us.
    if p != ours and pid != 2 and ppid != 2:
        now[(pid, start)] = j
if phase == "start":
    with open(path, "w") as f:
        f.write("%f\n" % float(open("/proc/uptime").read().split()[0]))
        for (pid, start), j in now.items():
            f.write("%d %d %d\n" % (pid, start, j))
    sys.exit(0)
lines = open(path).read().split("\n")
since = float(lines[0]) * os.sysconf("SC_CLK_TCK")
old = {}
for line in lines[1:]:
    if line:
        pid, start, j = map(int, line.split())
        old[(pid, start)] = j
print(sum(j - old[k] if k in old else (j if k[1] >= since else 0)
          for k, j in now.items()))
PY
}

# transfer LOGBASE: bulk TCP from nsa to nsb for secs seconds; sets bytes
# (payload the receiver got), seconds, and snd/rcv (the two ends' CPU % of
# one core, as iperf3 counts it; "-" with socat).
transfer() {
	local base=$1 srv

	if [[ $tool == iperf3 ]]; then
		start_bg "$base-server.log" "$cpu_b" ip netns exec "$nsb" \
			iperf3 -s -1 -B "$ipb" -p 5201
		srv=$bg
		sleep 0.3
		start_bg "$base-client.json" "$cpu_b" ip netns exec "$nsa" \
			iperf3 -c "$ipb" -p 5201 -t "$secs" -J
		finish "$bg" || return 1
		finish "$srv" || true
		read -r bytes seconds snd rcv < <(python3 - \
			"$base-client.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["end"]
c = r["cpu_utilization_percent"]
print(r["sum_received"]["bytes"], r["sum_received"]["seconds"],
      "%.1f" % c["host_total"], "%.1f" % c["remote_total"])
PY
		)
	else
		start_bg "$base-server.log" "$cpu_b" ip netns exec "$nsb" \
			sh -c "socat -u TCP$ipv-LISTEN:5201,reuseaddr - | wc -c"
		srv=$bg
		sleep 0.3
		local t0 t1 addr=$ipb

		[[ $ipv == 6 ]] && addr="[$ipb]"
		t0=$(date +%s.%N)
		start_bg "$base-client.log" "$cpu_b" ip netns exec "$nsa" \
			timeout "$secs" socat -u /dev/zero \
			"TCP$ipv:$addr:5201"
		finish "$bg" || true
		finish "$srv" || return 1
		t1=$(date +%s.%N)
		bytes=$(tail -n1 "$base-server.log")
		seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
		snd=- rcv=-
	fi
}

# One run of one configuration: a line of runs.csv.
measure() {
	local run=$1 cfg=$2 base=$out/logs/run$1-$2 handoff
	local c0 c1 p0 p1 j0 j1 t0 t1 o1

	handoff=$("$c2c" "$cpu_a" "$cpu_b") || handoff=
	if ! start_app "$base" "$cfg"; then
		note "$base: app not forwarding"
		return 1
	fi
	sleep 0.2
	read -r -a c0 < <(sim_counters)
	read -r -a j0 < <(cpu_jiffies)
	p0=$(proc_jiffies "$sim_pid")
	others "$tmp/others" start
	t0=$(date +%s.%N)
	transfer "$base" || { note "$base: transfer failed"; return 1; }
	t1=$(date +%s.%N)
	sleep 0.2
	read -r -a c1 < <(sim_counters)
	read -r -a j1 < <(cpu_jiffies)
	p1=$(proc_jiffies "$sim_pid")
	o1=$(others "$tmp/others" end)
	stop_app "$base" || { note "$base: app failed"; return 1; }
	awk -v run="$run" -v cfg="$cfg" -v bytes="$bytes" -v s="$seconds" \
	    -v snd="$snd" -v rcv="$rcv" -v busy="${busy:--}" \
	    -v drops="${drops:--}" -v others="$o1" \
	    -v wall="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
	    -v hz="$(getconf CLK_TCK)" -v p="$((p1 - p0))" \
	    -v jb="$((j1[0] - j0[0]))" -v ja="$((j1[1] - j0[1]))" \
	    -v js="$((j1[2] - j0[2]))" -v jt="$((j1[3] - j0[3]))" \
	    -v handoff="$handoff" \
	    -v c0="${c0[*]}" -v c1="${c1[*]}" 'BEGIN {
		split(c0, a, " "); split(c1, b, " ")
		mb = bytes / 1e6
		fmt = "%d,%s,%.3f,%s,%.1f,%.1f,%.1f,%s,%s,"
		fmt = fmt "%.1f,%.1f,%.2f,%d,%d,%d,%s,%s,%.1f,%.1f\n"
		printf fmt, run, cfg, bytes * 8 / s / 1e9, busy,
			100 * jb / ja, 100 * js / ja, 100 * p / hz / wall,
			snd, rcv, (b[1] - a[1]) / mb, (b[2] - a[2]) / mb,
			(b[3] - a[3] + b[4] - a[4]) / mb, b[5] - a[5],
			b[6] - a[6], b[7] - a[7], handoff, drops,
			100 * others / hz / wall, 100 * jt / ja
	}' >>"$runs_csv"
}

runs_csv=$out/runs.csv
cols=(run offloads gbps app_busy_pct cpu_b_busy_pct cpu_b_softirq_pct
      xensim_pct snd_pct rcv_pct tx_reqs_per_mb rx_reqs_per_mb
      notifies_per_mb tx_gso rx_gso gso_segs c2c_ns app_tx_drop_pct
      others_pct cpu_b_steal_pct)
(IFS=,; echo "${cols[*]}") >"$runs_csv"
start_net
note "results in $out ($runs x ${secs}s per configuration, $tool, IPv$ipv)"
failed=0
for ((run = 1; run <= runs; run++)); do
	for cfg in off on; do
		if measure "$run" "$cfg"; then
			note "run $run offloads $cfg: $(tail -n1 "$runs_csv" |
				cut -d, -f3) Gbit/s"
		else
			failed=1
		fi
	done
done

# table [MAX]: medians per configuration (min-max for Gbit/s) as a
# markdown table, over the runs during which other processes used at most
# MAX % of a core (all runs without MAX).
table() {
	awk -F, -v max="${1:-}" "$median_awk"'
	NR > 1 && (max == "" || $18 <= max + 0) {
		n[$2]++
		for (k = 3; k <= 19; k++)
			col[$2, k] = col[$2, k] " " $k
	}
	END {
		h = "| offloads | runs | Gbit/s median (min-max) | app busy % "
		h = h "| app TX drops % | CPU B busy % (softirq, steal) "
		h = h "| xensim % "
		h = h "| sender / receiver % | TX req/MB | RX req/MB "
		h = h "| notif/MB | GSO TX / RX | others % (max) |"
		print h
		print "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
		fmt = "| %s | %d | %.2f (%.2f-%.2f) | %s | %s | %s (%s, %s) "
		fmt = fmt "| %s | %s / %s | %.0f | %.0f | %.0f | %s / %s "
		fmt = fmt "| %s (%s) |\n"
		split("off on", cfgs, " ")
		for (c = 1; c <= 2; c++) {
			f = cfgs[c]
			if (!n[f])
				continue
			g = median(col[f, 3]); glo = lo; ghi = hi
			o = median(col[f, 18]); ohi = hi
			printf fmt, f, n[f], g, glo, ghi, median(col[f, 4]),
				median(col[f, 17]), median(col[f, 5]),
				median(col[f, 6]), median(col[f, 19]),
				median(col[f, 7]), median(col[f, 8]),
				median(col[f, 9]), median(col[f, 10]),
				median(col[f, 11]), median(col[f, 12]),
				median(col[f, 13]), median(col[f, 14]),
				o, ohi
		}
	}' "$runs_csv"
}

echo
echo "command: $command_line"
echo "regime: app on CPU $cpu_a; xensim (event mode), $tool and both" \
	"namespaces' kernel work on CPU $cpu_b; app --tx-retry $retry;" \
	"line handoff A-B" \
	"$(awk -F, 'NR > 1 && $16 != "" { print $16 }' "$runs_csv" |
	   sort -n | awk '{ v[++n] = $1 }
			  END { if (n) print v[int((n + 1) / 2)] }') ns;" \
	"IPv$ipv, $runs x ${secs}s each, alternating"
echo
echo "all runs:"
table
busy_runs=$(awk -F, -v max="$quiet" 'NR > 1 && $18 > max + 0' "$runs_csv" |
	    wc -l)
if ((busy_runs == 2 * runs)); then
	echo
	echo "in every run other processes used more than $quiet% of a core"
elif ((busy_runs > 0)); then
	echo
	echo "the runs during which other processes used at most $quiet% of" \
		"a core ($busy_runs of $((2 * runs)) left out):"
	table "$quiet"
fi
cat <<EOF

Gbit/s: TCP payload the receiver got over the transfer's seconds. app busy:
netfront-testpmd's forwarding lcore, share of its cycles in polls that
received packets (--record-core-cycles; it polls its core whole); app TX
drops: forwarded packets its TX queues refused, which io mode drops (TCP
sends them again), % of those forwarded. CPU B
busy: /proc/stat (all but idle, iowait and steal), softirq part and
steal (time the hypervisor gave another guest) in brackets;
xensim: its utime + stime, % of one core; sender / receiver: the two
iperf3 processes, as iperf3 counts them. req/MB: netif ring slots (data,
extra-info and GSO slots) xensim consumed on both vifs' TX rings, and
filled on their RX rings, per MB (1e6 bytes) of payload; notif/MB: event
channel notifications both ways; GSO TX / RX: GSO packets the frontends
sent (TSO) / got (LRO), medians per run; others: CPU of every other user
process on the machine (not this script's), % of one core, median and
max: a load the run shared the CPUs with. CSV: $runs_csv
EOF
exit $failed
