# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the benchmarks, which set bench (their name, for messages)
# first: processes pinned to a CPU, each the leader of a session of its
# own and bounded in time, all stopped at exit; DPDK's runtime files and
# the hugepages set up here removed then. A script's own undoing goes in
# a function bench_undo, run after its processes are stopped.

die() {
	echo "$bench: $*" >&2
	exit 1
}

note() {
	echo "$bench: $*" >&2
}

is_uint() {
	[[ $1 =~ ^[0-9]+$ ]]
}

in_range() {
	is_uint "$1" && (($1 >= $2 && $1 <= $3))
}

# parse_cpus A,B: --cpus into cpu_a and cpu_b.
parse_cpus() {
	[[ $1 =~ ^([0-9]+),([0-9]+)$ ]] || die "--cpus '$1': expected A,B"
	cpu_a=${BASH_REMATCH[1]}
	cpu_b=${BASH_REMATCH[2]}
}

pgids=()
declare -A logs
prefixes=()
huge=auto
hugedir=
huge_mounted=0
huge_old=
# Two processes of one pair need 2 x 256 MiB.
mem_args=(--no-huge -m 512)

# The scratch directory tmp, and the traps that undo everything at exit.
bench_begin() {
	tmp=$(mktemp -d "/tmp/nf-$bench.XXXXXX")
	trap bench_end EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# Everything started runs in its own session, so that one kill of the
# process group also takes whatever it forked.
stop_group() {
	local pg=$1 i

	kill -TERM -- "-$pg" 2>/dev/null || return 0
	for ((i = 0; i < 30; i++)); do
		kill -0 -- "-$pg" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$pg" 2>/dev/null || true
	wait "$pg" 2>/dev/null || true
}

# DPDK keeps runtime files per --file-prefix and, in hugepage mode, the
# page files: remove ours once their processes are gone.
drop_dpdk_files() {
	local p

	for p in "${prefixes[@]}"; do
		rm -rf "/var/run/dpdk/$p"
	done
	prefixes=()
	[[ $huge_mounted == 1 ]] && rm -f "$hugedir"/* 2>/dev/null
	return 0
}

bench_end() {
	local pg

	trap - EXIT INT TERM
	for pg in "${pgids[@]}"; do
		stop_group "$pg"
	done
	if declare -F bench_undo >/dev/null; then
		bench_undo
	fi
	drop_dpdk_files
	if [[ $huge_mounted == 1 ]]; then
		umount "$hugedir" || note "could not unmount $hugedir"
	fi
	if [[ -n $huge_old ]]; then
		echo "$huge_old" >/proc/sys/vm/nr_hugepages ||
			note "could not restore vm.nr_hugepages=$huge_old"
	fi
	rm -rf "$tmp"
}

# start_bg LOG CPU CMD...: run CMD pinned to CPU, bounded to bg_limit
# seconds, as the leader of a new session; bg gets its pid (= process
# group).
start_bg() {
	local log=$1 cpu=$2

	shift 2
	setsid timeout -k 2 "$bg_limit" taskset -c "$cpu" "$@" \
		>"$log" 2>&1 </dev/null &
	bg=$!
	pgids+=("$bg")
	logs[$bg]=$log
}

# finish PID: wait for a process started by start_bg; its exit status,
# also noted in its log when it failed.
finish() {
	local rc=0 i

	wait "$1" || rc=$?
	for i in "${!pgids[@]}"; do
		[[ ${pgids[i]} == "$1" ]] && unset "pgids[i]"
	done
	if ((rc != 0)); then
		echo "$bench: exit status $rc" >>"${logs[$1]}"
	fi
	unset "logs[$1]"
	return "$rc"
}

# 2 MiB hugepages for mem_args, unless huge=off or they cannot be had.
setup_hugepages() {
	local need=512 free

	[[ $huge == off ]] && return 0
	if [[ $(id -u) != 0 ]]; then
		note "not root: no hugepages, running with --no-huge"
		return 0
	fi
	hugedir=$tmp/huge
	mkdir "$hugedir"
	if ! mount -t hugetlbfs -o pagesize=2M nodev "$hugedir" 2>/dev/null
	then
		note "cannot mount hugetlbfs: running with --no-huge"
		return 0
	fi
	huge_mounted=1
	huge_old=$(cat /proc/sys/vm/nr_hugepages)
	echo $((huge_old + need)) >/proc/sys/vm/nr_hugepages 2>/dev/null ||
		true
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	if ((free < need)); then
		note "only $free free 2 MiB hugepages: running with --no-huge"
		return 0
	fi
	mem_args=(--huge-dir "$hugedir" -m 256 --single-file-segments)
}

# eal_args PREFIX CPU: EAL options of one side; both lcores (the main one
# only reports once a second) share the side's CPU.
eal_args() {
	prefixes+=("$1")
	eal=(--lcores "(0-1)@$2" --no-pci --file-prefix "$1" "${mem_args[@]}")
}

# wait_for PID FILE: until FILE exists, PID dies or 10 s pass.
wait_for() {
	local i

	for ((i = 0; i < 100; i++)); do
		[[ -e $2 ]] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# An awk function for the tables: median(s) of the numbers in string s
# (space separated); sets lo and hi to their least and greatest.
median_awk='
function median(s,   n, v, i, j, t) {
	n = split(s, v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	lo = v[1]; hi = v[n]
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}'
