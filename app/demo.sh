#!/bin/sh
# The main job: set up, start xensim with a guest and its vif, show the
# xenstore tree a toolstack leaves for it, then run traffic through the
# net_netfront driver against xensim's netback.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/app/setup.sh"
build=${NETFRONT_BUILD:-$top/build}
run=$(mktemp -d /var/tmp/xensim-demo.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$run"
}
trap cleanup EXIT INT TERM

"$build/app/xensim/xensim" "$run" --guests 1 --vif 1/0,end=echo &
pid=$!
i=0
while [ ! -e "$run/ready" ]; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "demo: xensim did not start" >&2; exit 1; }
	kill -0 "$pid" 2>/dev/null || { echo "demo: xensim exited" >&2; exit 1; }
	sleep 0.1
done
echo "== xenstore tree (xenstore-ls as dom0) =="
XENSTORED_PATH=$run/dom0/xenstored xenstore-ls -f
