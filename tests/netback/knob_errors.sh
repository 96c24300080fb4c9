#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# xensim refuses a bad knob, naming it, and takes the old misbehave=
# spellings and set=KEY:VALUE.
#   knob_errors.sh XENSIM
set -u
xensim=$1
run=$(mktemp -d "${TMPDIR:-/tmp}/nf-knobs.XXXXXX")
trap 'rm -rf "$run"' EXIT
rc=0
refuse() {	# SPEC TEXT
	out=$(timeout -k 5 10 "$xensim" "$run" --vif "$1" 2>&1)
	if [[ $? == 0 || $out != *"$2"* ]]; then
		echo "FAIL: --vif $1 not refused naming '$2': $out" >&2
		rc=1
	fi
}
accept() {	# SPEC
	timeout -k 5 10 "$xensim" "$run" --vif "$1" >"$run/log" 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		[[ -e $run/ready ]] && break
		sleep 0.1
	done
	if [[ ! -e $run/ready ]]; then
		echo "FAIL: --vif $1 refused: $(cat "$run/log")" >&2
		rc=1
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
refuse 1/0,tx-id-range=-1 tx-id-range=-1
refuse 1/0,rx-runt=x rx-runt=x
refuse 1/0,tx-hold=257 tx-hold=257
refuse 1/0,bad-state=4 bad-state=4
refuse 1/0,tx-late=2 tx-late=2
refuse 1/0,misbehave=bogus misbehave=bogus
refuse 1/0,set=feature-sg set=feature-sg
refuse 1/0,set=a/b:1 set=a/b:1
refuse 1/0$(printf ',set=k%d:1' 1 2 3 4 5 6 7 8 9) 'at most 8 set='
refuse 1/0,bogus=1 "unknown option 'bogus'"
refuse 1/0,tap-offload=2 tap-offload=2
refuse 1/0,end=echo,tap-offload=1 'tap-offload=1 wants end=tap'
for m in bad-rsp-id bad-rsp-prod bad-rx-size bad-rx-offset bad-status \
	 no-initwait no-connect; do
	accept "1/0,misbehave=$m"
done
accept 1/0,set=feature-sg:2,rsp-rewrite=1,rx-leak-check=1
accept 1/0$(printf ',set=k%d:1' 1 2 3 4 5 6 7 8)
exit $rc
