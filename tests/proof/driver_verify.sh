#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The real driver under adversarial load: netfront-testpmd in verify mode
# through net_netfront against xensim's verifying netback. Passes when the
# app saw frames come back and none corrupt or duplicated, the driver
# counted no protocol violation and the backend no reuse-before-response.
#   driver_verify.sh XENSIM APP PLUGIN QUEUES VIF_OPTIONS
# NETFRONT_SOAK_S=N runs N seconds instead of the bounded CI run.
set -u
xensim=$1 app=$2 plugin=$3 queues=$4 vifopt=$5
secs=${NETFRONT_SOAK_S:-4}
run=$(mktemp -d /var/tmp/nf-proof.XXXXXX)
pid=
cleanup() {
	[[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$run"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*" >&2
	tail -n 30 "$run/xensim.log" >&2
	exit 1
}

"$xensim" "$run" --status-ms 100 --vif "1/0,queues=$queues,$vifopt" \
	--vif "1/1,queues=$queues,$vifopt" >"$run/xensim.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	[[ -e $run/ready ]] && break
	sleep 0.1
done
[[ -e $run/ready ]] || fail "xensim did not start"

timeout $((secs + 60)) "$app" -l 0-1 --no-huge -m 512 --no-pci \
	--file-prefix "nfproof$$" -d "$plugin" \
	--vdev "net_netfront0,vif=0,queues=$queues,xensim=$run/dom1" \
	--vdev "net_netfront1,vif=1,queues=$queues,xensim=$run/dom1" \
	-- --mode verify --queues "$queues" --pkt-size 60-9000 \
	--duration "$secs" --stats-period 0 --json "$run/app.json"
rc=$?
kill "$pid"
wait "$pid"
pid=
[[ $rc == 0 ]] || fail "netfront-testpmd exited with $rc"
python3 - "$run/app.json" "$run/status.json" <<'PY' || fail "see above"
import json, sys
app = json.load(open(sys.argv[1]))
sim = json.load(open(sys.argv[2]))
t = app["total"]
v = t["verify"]
q = [q for vif in sim["vifs"] for q in vif["queues"]]
print("app: good %d corrupt %d duplicate %d violations %d; "
      "backend: tx %d rx %d violations %d" % (
      v["good"], v["corrupt"], v["duplicate"], t["protocol_violations"],
      sum(x["tx_pkts"] for x in q), sum(x["rx_pkts"] for x in q),
      sum(x["violations"] for x in q)))
ok = (v["good"] > 1000 and v["corrupt"] == 0 and v["duplicate"] == 0 and
      t["protocol_violations"] == 0 and
      sum(x["violations"] for x in q) == 0 and
      sum(x["tx_pkts"] for x in q) >= v["good"])
sys.exit(0 if ok else 1)
PY
