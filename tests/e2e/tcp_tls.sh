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
. "$(dirname "$0")/lib.sh"
trap cleanup EXIT
trap 'exit 1' INT TERM

e2e_start "$vifopt"
head -c 64M /dev/urandom >"$run/data"
tcp_copy "$nsa" "$nsb" "$ipb" "$run/data"
echo "tcp: 64 MiB transferred, sha256 matches"
tls_fetch "$nsa" "$nsb" "$ipb" "$run/data"
echo "tls: 64 MiB over HTTPS, certificate verified, sha256 matches"
check_csum_errors
e2e_stop_app
checks=()
[[ $vifopt, == *,verify=1,* ]] && checks+=(verify)
check_status "${checks[@]}"
echo "PASS: TCP and TLS through net_netfront, zero violations"
