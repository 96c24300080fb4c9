#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Real traffic through net_netfront: two vifs whose backend ends are TAP
# devices in two network namespaces made here; netfront-testpmd io-forwards
# between the two ports; the kernels on each side run a bulk TCP transfer
# and a TLS session (openssl s_server -WWW, curl). Passes when the hashes
# match, TLS completes without alert, no TCP checksum error is counted,
# and neither the app nor the verifying backend saw a violation.
#   tcp_tls.sh XENSIM APP PLUGIN [VIF_OPTIONS]
set -u
xensim=$1 app=$2 plugin=$3 vifopt=${4:+,$4}
tag=nf$$
nsa=${tag}a nsb=${tag}b
ipa=10.231.0.1 ipb=10.231.0.2
run=$(mktemp -d /var/tmp/nf-e2e.XXXXXX)
pids=()

fail() {
	echo "FAIL: $*" >&2
	for f in "$run"/*.log; do
		[[ -s $f ]] && { echo "--- $f"; tail -n 20 "$f"; } >&2
	done
	exit 1
}
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Wait up to $1 tenths of a second for a command to succeed.
wait_for() {
	local n=$1
	shift
	while ! "$@" 2>/dev/null; do
		n=$((n - 1))
		[[ $n -gt 0 ]] || return 1
		sleep 0.1
	done
}

# True when something in namespace $1 listens on TCP port $2.
listening() {
	ip netns exec "$1" ss -Htln "sport = :$2" | grep -q .
}

ip netns add "$nsa" && ip netns add "$nsb" || fail "cannot create namespaces"
"$xensim" "$run" --status-ms 100 \
	--vif "1/0,end=tap:${tag}a0@$nsa$vifopt" \
	--vif "1/1,end=tap:${tag}b0@$nsb$vifopt" >"$run/xensim.log" 2>&1 &
pids+=($!)
wait_for 100 test -e "$run/ready" || fail "xensim did not start"

for side in a b; do
	ns=$tag$side
	[[ $side == a ]] && ip=$ipa || ip=$ipb
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "$ip/24" dev "${tag}${side}0" &&
		ip -n "$ns" link set "${tag}${side}0" up ||
		fail "cannot configure ${tag}${side}0 in $ns"
done

"$app" -l 0-1 --no-huge -m 512 --no-pci --file-prefix "$tag" -d "$plugin" \
	--vdev "net_netfront0,vif=0,xensim=$run/dom1" \
	--vdev "net_netfront1,vif=1,xensim=$run/dom1" \
	-- --mode io --duration 300 --stats-period 5 >"$run/app.log" 2>&1 &
apppid=$!
pids+=($apppid)
wait_for 100 grep -q '^forwarding:' "$run/app.log" || fail "app did not start"
ip netns exec "$nsa" ping -c 3 -i 0.2 -W 5 "$ipb" >"$run/ping.log" 2>&1 ||
	fail "no ping between the namespaces through the driver"

# Bulk TCP.
head -c 64M /dev/urandom >"$run/data"
want=$(sha256sum <"$run/data")
ip netns exec "$nsb" socat -u TCP-LISTEN:5001,reuseaddr \
	"OPEN:$run/tcp.out,creat,trunc" 2>"$run/socat-server.log" &
srv=$!
pids+=($srv)
wait_for 50 listening "$nsb" 5001 || fail "TCP server did not listen"
timeout 120 ip netns exec "$nsa" socat -u "OPEN:$run/data" \
	"TCP:$ipb:5001,retry=20,interval=0.2" 2>"$run/socat-client.log" ||
	fail "TCP transfer failed"
wait "$srv" || fail "TCP server failed"
[[ $(sha256sum <"$run/tcp.out") == "$want" ]] ||
	fail "TCP data differs ($(stat -c %s "$run/tcp.out") bytes received)"
echo "tcp: 64 MiB transferred, sha256 matches"

# TLS: curl fetches the same data over HTTPS, verifying the certificate.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$ipb" \
	-addext "subjectAltName=IP:$ipb" -keyout "$run/key.pem" \
	-out "$run/cert.pem" 2>"$run/openssl-req.log" || fail "openssl req"
(cd "$run" && exec ip netns exec "$nsb" openssl s_server -WWW -accept 4433 \
	-cert cert.pem -key key.pem) >"$run/s_server.log" 2>&1 &
pids+=($!)
wait_for 50 listening "$nsb" 4433 || fail "TLS server did not listen"
timeout 120 ip netns exec "$nsa" curl -sS --cacert "$run/cert.pem" \
	-o "$run/tls.out" "https://$ipb:4433/data" 2>"$run/curl.log" ||
	fail "TLS transfer failed: $(cat "$run/curl.log")"
[[ $(sha256sum <"$run/tls.out") == "$want" ]] || fail "TLS data differs"
grep -qi alert "$run/s_server.log" && fail "TLS alert on the server side"
echo "tls: 64 MiB over HTTPS, certificate verified, sha256 matches"

for ns in "$nsa" "$nsb"; do
	bad=$(ip netns exec "$ns" nstat -az TcpInCsumErrors UdpInCsumErrors |
	      awk '/CsumErrors/ { s += $2 } END { print s + 0 }')
	[[ $bad == 0 ]] || fail "$bad checksum errors counted in $ns"
done
echo "nstat: no checksum errors"

kill -INT "$apppid"
wait "$apppid"
rc=$?
cat "$run/app.log" | sed -n '/==== summary/,$p'
[[ $rc == 0 ]] || fail "netfront-testpmd exited with $rc"
grep -q 'protocol_violations 0' "$run/app.log" || fail "driver violations"
kill -0 "${pids[0]}" || fail "xensim died"
verify=0
[[ $vifopt, == *,verify=1,* ]] && verify=1
python3 - "$run/status.json" "$verify" <<'PY' || fail "xensim status"
import json, sys
s = json.load(open(sys.argv[1]))
q = [q for v in s["vifs"] for q in v["queues"]]
bad = [what for ok, what in [
    (sum(x["violations"] for x in q) == 0, "xensim counted violations"),
    (sum(x["fatal"] for x in q) == 0, "xensim disabled a queue (fatal)"),
    (sys.argv[2] == "0" or all(v["verify"] for v in s["vifs"]),
     "verify=1 asked but xensim did not verify both vifs"),
    (all(sum(x["tx_pkts"] for x in v["queues"]) > 0 for v in s["vifs"]),
     "a vif's backend took no frame"),
] if not ok]
for what in bad:
    print("FAIL: " + what)
sys.exit(1 if bad else 0)
PY
echo "PASS: TCP and TLS through net_netfront, zero violations"
