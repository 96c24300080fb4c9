# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the e2e tests, after they set xensim, app and plugin: two
# network namespaces made here, each with the TAP end of a xensim vif
# (IPv4 ipa/ipb, IPv6 ip6a/ip6b), and netfront-testpmd (or, ovs_dpdk.sh,
# OVS) forwarding between the two net_netfront ports. The caller's EXIT
# trap runs cleanup.
tag=nf$$
nsa=${tag}a nsb=${tag}b
ipa=10.231.0.1 ipb=10.231.0.2
ip6a=fd00:231::1 ip6b=fd00:231::2
run=$(mktemp -d /var/tmp/nf-e2e.XXXXXX)
pids=()
apppid=

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
	# The EAL's runtime directory of --file-prefix $tag.
	rm -rf "$run" "/var/run/dpdk/$tag"
}

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

# e2e_net VIF_OPTIONS: the namespaces, xensim (vifs 1/0 in nsa, 1/1 in
# nsb, VIF_OPTIONS after each: ",..." or empty) and their addresses.
e2e_net() {
	local vifopt=$1 side ns ip ip6

	ip netns add "$nsa" && ip netns add "$nsb" ||
		fail "cannot create namespaces"
	"$xensim" "$run" --status-ms 100 \
		--vif "1/0,end=tap:${tag}a0@$nsa$vifopt" \
		--vif "1/1,end=tap:${tag}b0@$nsb$vifopt" \
		>"$run/xensim.log" 2>&1 &
	pids+=($!)
	wait_for 100 test -e "$run/ready" || fail "xensim did not start"
	for side in a b; do
		ns=$tag$side
		[[ $side == a ]] && ip=$ipa ip6=$ip6a || ip=$ipb ip6=$ip6b
		ip -n "$ns" link set lo up
		ip -n "$ns" addr add "$ip/24" dev "${tag}${side}0" &&
			ip -n "$ns" addr add "$ip6/64" dev "${tag}${side}0" \
				nodad &&
			ip -n "$ns" link set "${tag}${side}0" up ||
			fail "cannot configure ${tag}${side}0 in $ns"
	done
}

# e2e_ping WHAT: a ping each way between the namespaces, IPv4 and IPv6;
# WHAT names the forwarder in the failure.
e2e_ping() {
	ip netns exec "$nsa" ping -c 3 -i 0.2 -W 5 "$ipb" >"$run/ping.log" \
		2>&1 || fail "no ping between the namespaces through $1"
	ip netns exec "$nsb" ping -6 -c 3 -i 0.2 -W 5 "$ip6a" \
		>"$run/ping6.log" 2>&1 ||
		fail "no IPv6 ping between the namespaces through $1"
}

# e2e_start VIF_OPTIONS APP_OPTIONS...: e2e_net, the app; then a ping each
# way.
e2e_start() {
	e2e_net "$1"
	shift
	"$app" -l 0-1 --no-huge -m 512 --no-pci --file-prefix "$tag" \
		-d "$plugin" \
		--vdev "net_netfront0,vif=0,xensim=$run/dom1" \
		--vdev "net_netfront1,vif=1,xensim=$run/dom1" \
		-- --mode io --duration 300 --stats-period 5 "$@" \
		>"$run/app.log" 2>&1 &
	apppid=$!
	pids+=($apppid)
	wait_for 100 grep -q '^forwarding:' "$run/app.log" ||
		fail "app did not start"
	e2e_ping "the driver"
}

# tcp_copy FROM_NS TO_NS TO_ADDR FILE: send FILE over one TCP connection
# (socat, port 5001 of TO_ADDR in TO_NS), check what arrived by sha256.
tcp_copy() {
	local from=$1 to=$2 addr=$3 file=$4 want srv v=4

	[[ $addr == *:* ]] && v=6
	want=$(sha256sum <"$file")
	rm -f "$run/tcp.out"
	ip netns exec "$to" socat -u "TCP$v-LISTEN:5001,reuseaddr" \
		"OPEN:$run/tcp.out,creat,trunc" 2>"$run/socat-server.log" &
	srv=$!
	pids+=($srv)
	wait_for 50 listening "$to" 5001 || fail "TCP server did not listen"
	[[ $v == 6 ]] && addr="[$addr]"
	timeout 120 ip netns exec "$from" socat -u "OPEN:$file" \
		"TCP$v:$addr:5001,retry=20,interval=0.2" \
		2>"$run/socat-client.log" ||
		fail "TCP transfer $from -> $to ($addr) failed"
	wait "$srv" || fail "TCP server failed"
	[[ $(sha256sum <"$run/tcp.out") == "$want" ]] ||
		fail "TCP data $from -> $to ($addr) differs" \
		     "($(stat -c %s "$run/tcp.out") bytes received)"
}

# No checksum error counted by either namespace's stack.
check_csum_errors() {
	local ns bad

	for ns in "$nsa" "$nsb"; do
		bad=$(ip netns exec "$ns" nstat -az | awk \
		      '$1 ~ /CsumErrors$/ { s += $2 } END { print s + 0 }')
		[[ $bad == 0 ]] || fail "$bad checksum errors counted in $ns"
	done
	echo "nstat: no checksum errors"
}

# Stop the app; it must exit 0 without driver violations.
e2e_stop_app() {
	local rc=0

	kill -INT "$apppid"
	wait "$apppid" || rc=$?
	sed -n '/==== summary/,$p' "$run/app.log"
	[[ $rc == 0 ]] || fail "netfront-testpmd exited with $rc"
	grep -q 'protocol_violations 0' "$run/app.log" ||
		fail "driver violations"
	kill -0 "${pids[0]}" || fail "xensim died"
}

# check_status CHECK...: xensim's status.json has no violation and no
# queue disabled, every vif's backend took frames, and each CHECK holds:
# verify (both vifs verified), offloads (checksums and GSO crossed both
# TAPs whole: TUN_F_CSUM|TSO4|TSO6 set, GSO frames both ways, nothing
# segmented in software).
check_status() {
	python3 - "$run/status.json" "$@" <<'PY' || fail "xensim status"
import json, sys
s = json.load(open(sys.argv[1]))
want = set(sys.argv[2:])
q = [q for v in s["vifs"] for q in v["queues"]]
def each(key):
    return [sum(x[key] for x in v["queues"]) for v in s["vifs"]]
checks = [
    (sum(x["violations"] for x in q) == 0, "xensim counted violations"),
    (sum(x["fatal"] for x in q) == 0, "xensim disabled a queue (fatal)"),
    (all(n > 0 for n in each("tx_pkts")), "a vif's backend took no frame"),
]
if "verify" in want:
    checks.append((all(v["verify"] for v in s["vifs"]),
                   "verify=1 asked but xensim did not verify both vifs"))
if "offloads" in want:
    checks += [
        (all(v["tap_offloads"] == 7 for v in s["vifs"]),
         "TAP offloads %s, not CSUM|TSO4|TSO6 on both"
         % [v["tap_offloads"] for v in s["vifs"]]),
        (all(n > 0 for n in each("tx_gso")),
         "a frontend sent no GSO packet (TSO): tx_gso %s" % each("tx_gso")),
        (all(n > 0 for n in each("rx_gso")),
         "a frontend got no GSO packet (LRO): rx_gso %s" % each("rx_gso")),
        (sum(each("gso_segs")) == 0,
         "xensim segmented %d frames in software" % sum(each("gso_segs"))),
    ]
bad = [what for ok, what in checks if not ok]
for what in bad:
    print("FAIL: " + what)
for v in s["vifs"]:
    print("vif %s: tap_offloads %d, tx_gso %d, rx_gso %d, gso_segs %d"
          % (v["vif"], v["tap_offloads"],
             sum(x["tx_gso"] for x in v["queues"]),
             sum(x["rx_gso"] for x in v["queues"]),
             sum(x["gso_segs"] for x in v["queues"])))
sys.exit(1 if bad else 0)
PY
}

# tls_fetch CLIENT_NS SERVER_NS SERVER_IP FILE: curl fetches FILE over
# HTTPS from openssl s_server -WWW (port 4433), verifying the certificate;
# the bytes must match and the server must see no alert.
tls_fetch() {
	local cl=$1 sv=$2 addr=$3 file=$4

	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$addr" \
		-addext "subjectAltName=IP:$addr" -keyout "$run/key.pem" \
		-out "$run/cert.pem" 2>"$run/openssl-req.log" ||
		fail "openssl req"
	(cd "$(dirname "$file")" && exec ip netns exec "$sv" openssl s_server \
		-WWW -accept 4433 -cert "$run/cert.pem" -key "$run/key.pem") \
		>"$run/s_server.log" 2>&1 &
	pids+=($!)
	wait_for 50 listening "$sv" 4433 || fail "TLS server did not listen"
	timeout 120 ip netns exec "$cl" curl -sS --cacert "$run/cert.pem" \
		-o "$run/tls.out" "https://$addr:4433/$(basename "$file")" \
		2>"$run/curl.log" ||
		fail "TLS transfer failed: $(cat "$run/curl.log")"
	[[ $(sha256sum <"$run/tls.out") == $(sha256sum <"$file") ]] ||
		fail "TLS data differs"
	! grep -qi alert "$run/s_server.log" ||
		fail "TLS alert on the server side"
}
