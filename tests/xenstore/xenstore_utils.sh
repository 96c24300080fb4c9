#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The real xenstore-utils against xensim: listing, reads and writes as
# dom0 and as guests, permission denials, chmod, rm and watches.
# usage: xenstore_utils.sh XENSIM
set -u
xensim=$1
run=$(mktemp -d /tmp/xs_utils.XXXXXX)
fail=0
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$run"' EXIT

"$xensim" "$run" --guests 2 --vif 1/0 >"$run/log" 2>&1 &
pid=$!
i=0
while [ ! -e "$run/ready" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "xensim did not start:"; cat "$run/log"; exit 1
	fi
	sleep 0.1
done

as() {
	dom=$1; shift
	XENSTORED_PATH="$run/dom$dom/xenstored" timeout 5 "$@"
}
ok() {
	if ! "$@" >"$run/out" 2>&1; then
		echo "FAIL (should work): $*"; cat "$run/out"; fail=1
	fi
}
fails() {
	if "$@" >"$run/out" 2>&1; then
		echo "FAIL (should fail): $*"; fail=1
	fi
}
expect() {
	want=$1; shift
	got=$("$@" 2>&1)
	if [ "$got" != "$want" ]; then
		echo "FAIL: $* gave '$got', expected '$want'"; fail=1
	fi
}

expect '/local/domain/0/backend/vif/1/0' \
	as 1 xenstore-read device/vif/0/backend
expect 'guest1' as 1 xenstore-read name
expect 'guest2' as 0 xenstore-read /local/domain/2/name
as 0 xenstore-ls -f / >"$run/ls"
grep -q '^/local/domain/0/backend/vif/1/0/frontend-id = "1"$' "$run/ls" ||
	{ echo "FAIL: xenstore-ls misses the backend"; fail=1; }
grep -q '^/local/domain/1/device/vif/0/mac = "00:16:3e:00:01:00"$' \
	"$run/ls" || { echo "FAIL: xenstore-ls misses the mac"; fail=1; }
expect 'n1,r0' sh -c "XENSTORED_PATH=$run/dom1/xenstored \
	xenstore-ls -p device/vif | sed -n 's/.*(\(.*\))$/\1/p' | head -n1"

fails as 1 xenstore-read /local/domain/2/name
fails as 2 xenstore-read /local/domain/1/device/vif/0/mac
fails as 1 xenstore-write /local/domain/0/backend/vif/1/0/state 4
fails as 1 xenstore-ls /local/domain/0
fails as 1 xenstore-rm /local/domain/0/backend

ok as 1 xenstore-write data/x 1 data/y 2
expect '2' as 0 xenstore-read /local/domain/1/data/y
fails as 2 xenstore-read /local/domain/1/data/x
ok as 1 xenstore-chmod data/x n1 r2
expect '1' as 2 xenstore-read /local/domain/1/data/x
fails as 2 xenstore-write /local/domain/1/data/x 3
fails as 2 xenstore-chmod /local/domain/1/data/x n2
ok as 1 xenstore-rm data/x
fails as 1 xenstore-exists data/x

# Two events: the initial one, then the write.
: >"$run/watch"
as 1 xenstore-watch -n 2 data >"$run/watch" 2>&1 &
wpid=$!
i=0
while [ "$(wc -l <"$run/watch")" -lt 1 ] && [ $i -lt 50 ]; do
	i=$((i + 1)); sleep 0.1
done
ok as 0 xenstore-write /local/domain/1/data/w 1
wait "$wpid"
expect "$(printf 'data\ndata/w')" cat "$run/watch"

kill -0 "$pid" || { echo "FAIL: xensim died"; fail=1; }
[ $fail -eq 0 ] && echo "xenstore-utils: ok"
exit $fail
