#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Run a command against a private xensim:
#   with_xensim.sh XENSIM [XENSIM_OPTIONS...] -- CMD [ARGS...]
# @RUN@ in CMD's arguments becomes the run directory, @PREFIX@ a DPDK
# --file-prefix of this run's own (whose EAL files are removed after it);
# XENSTORED_PATH points at guest dom1's xenstored. Fails if xensim dies
# under the command.
set -u
xensim=$1
shift
sim_args=()
while [[ $# -gt 0 && $1 != -- ]]; do
	sim_args+=("$1")
	shift
done
shift
run=$(mktemp -d "${TMPDIR:-/tmp}/nf-pmd.XXXXXX")
prefix=nfpmd$$
# Jumbo vifs (libxl's mtu=9000): the tests send frames of up to 9014
# bytes. A test's own --mtu comes later and wins.
"$xensim" "$run" --status-ms 50 --mtu 9000 "${sim_args[@]}" \
	>"$run/xensim.log" 2>&1 &
pid=$!
cleanup() {
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# The EAL's files of the prefix: root's, or another user's.
	rm -rf "$run" "/var/run/dpdk/$prefix" \
		"${XDG_RUNTIME_DIR:-/tmp}/dpdk/$prefix"
}
trap cleanup EXIT
for _ in $(seq 100); do
	[[ -e $run/ready ]] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [[ ! -e $run/ready ]]; then
	echo "xensim did not start:" >&2
	cat "$run/xensim.log" >&2
	exit 1
fi
export XENSTORED_PATH=$run/dom1/xenstored XENSIM_RUN=$run
cmd=("${@//@RUN@/$run}")
cmd=("${cmd[@]//@PREFIX@/$prefix}")
"${cmd[@]}"
rc=$?
if ! kill -0 "$pid" 2>/dev/null; then
	echo "xensim died during the test:" >&2
	cat "$run/xensim.log" >&2
	rc=1
fi
exit $rc
