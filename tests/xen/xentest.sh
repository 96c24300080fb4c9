# SPDX-License-Identifier: BSD-3-Clause
# Sourced by dom0-init and domu-init (POSIX sh, busybox in the domU).
# ROLE names the side in markers; XT is the domU's data/xentest directory
# as this side reaches it in xenstore (the domU may write under data/).

# ICMP echo requests dom0 sends while the app echoes (small + large);
# at least 90% must come back.
PINGS_SMALL=20
PINGS_LARGE=10
PINGS=$((PINGS_SMALL + PINGS_LARGE))

# The load test: LOAD_S seconds of verify frames of every size in
# LOAD_SIZES through net_netfront, each one echoed back by dom0. run.sh
# writes /xentest.env (LOAD_S from XENTEST_LOAD_S).
LOAD_S=60
[ -r /xentest.env ] && . /xentest.env
LOAD_SIZES=60-9000
LOAD_MTU=9000
# Queue pairs of the load step: dom0 has 2 vCPUs, so netback offers 2.
LOAD_QUEUES=2
# Frames in flight in verify mode: its window (256) plus one burst (32)
# per queue. A healthy run loses none (the drain brings every frame back);
# more than a window's worth would be a leak, not latency. The counter
# checks allow the same, per queue and in all.
LOAD_SLACK=288
LOAD_MAX_LOST=$((LOAD_SLACK * LOAD_QUEUES))
# Seconds the app keeps receiving after it stops sending.
LOAD_DRAIN=3
# Verified frames the run must reach: 500 a second, an eighth of what
# this 2-core machine's emulation gives (about 4000/s, see README).
LOAD_MIN_GOOD=$((LOAD_S * 500))
# Each queue carries its own flow, so about half of them; a quarter is
# the least a queue must carry each way.
LOAD_MIN_QUEUE=$((LOAD_MIN_GOOD / (2 * LOAD_QUEUES)))

enough_echoed() {
	[ $(($1 * 10)) -ge $((PINGS * 9)) ]
}

# One line the host script checks: XENTEST role.step ok|fail detail.
# FAILED remembers that some step failed.
mark() {
	_step=$1 _res=$2
	shift 2
	echo "XENTEST $ROLE.$_step $_res $*"
	[ "$_res" = ok ] || FAILED=1
}

# expect STEP DETAIL CMD...: the step is ok when CMD succeeds.
expect() {
	_s=$1 _d=$2
	shift 2
	if "$@"; then
		mark "$_s" ok "$_d"
	else
		mark "$_s" fail "$_d"
		return 1
	fi
}

# poll SECONDS CMD...: retry CMD every half second, at most SECONDS.
poll() {
	_n=$(($1 * 2))
	shift
	until "$@"; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		sleep 0.5
	done
}

xs_is() {
	[ "$(xenstore-read "$1" 2>/dev/null)" = "$2" ]
}

# Lines of a program's output on the console, told apart from markers.
show() {
	sed "s/^/$1| /" "$2"
}

# The domU posts a stage and waits until dom0 has handled it.
stage_post() {
	xenstore-write "$XT/stage" "$1" &&
		poll "$2" xs_is "$XT/ack" "$1"
}

stage_abort() {
	xenstore-write "$XT/stage" abort
}

stage_is() {
	_cur=$(xenstore-read "$XT/stage" 2>/dev/null)
	[ "$_cur" = "$1" ] || [ "$_cur" = abort ]
}

# dom0: wait for a stage; fails when the domU gave up instead.
stage_wait() {
	poll "$2" stage_is "$1" && xs_is "$XT/stage" "$1"
}

stage_ack() {
	xenstore-write "$XT/ack" "$1"
}
