#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# TCP through net_netfront with every offload on, as between two guests on
# a bridge: xensim's TAPs take and give checksum-partial and GSO frames
# (tap-offload=1), netfront-testpmd --offloads enables RX checksums and
# LRO and TX checksums and TSO, and turns what one port's RX left undone
# into the other port's TX requests. Bulk TCP both ways over IPv4 and
# IPv6 and a TLS session must arrive intact (sha256), with no checksum
# error in either namespace, no violation, and the offloads used: GSO
# frames whole both ways through both vifs, none segmented in software.
#   tcp_offload.sh XENSIM APP PLUGIN [VIF_OPTIONS]
set -u
xensim=$1 app=$2 plugin=$3 vifopt=,tap-offload=1${4:+,$4}
. "$(dirname "$0")/lib.sh"
trap cleanup EXIT
trap 'exit 1' INT TERM

e2e_start "$vifopt" --offloads
head -c 32M /dev/urandom >"$run/data"
for pair in "$nsa $nsb $ipb" "$nsb $nsa $ipa" "$nsa $nsb $ip6b" \
	    "$nsb $nsa $ip6a"; do
	read -r from to addr <<<"$pair"
	tcp_copy "$from" "$to" "$addr" "$run/data"
	echo "tcp: 32 MiB $from -> $to ($addr), sha256 matches"
done
tls_fetch "$nsb" "$nsa" "$ipa" "$run/data"
echo "tls: 32 MiB over HTTPS, certificate verified, sha256 matches"
check_csum_errors
e2e_stop_app
checks=(offloads)
[[ $vifopt, == *,verify=1,* ]] && checks+=(verify)
check_status "${checks[@]}"
echo "PASS: TCP and TLS through net_netfront with offloads, zero violations"
