#!/bin/sh
# Usage: tests/fuzz/run.sh BUILD [SECONDS] [TARGET...]
# Run each libFuzzer target of BUILD (configured with -Dfuzz=true, clang)
# for SECONDS (default 60) over a copy of its committed seed corpus, so
# that the checkout is not written to. Any crash, leak, UB report, timeout
# or broken invariant fails; the input is kept in BUILD/fuzz-crashes.
# Prints each target's executions and coverage.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$1
secs=${2:-60}
shift $(($# < 2 ? $# : 2))
targets=${*:-xenstore rx tx}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
crashes=$build/fuzz-crashes
mkdir -p "$crashes"
rc=0
for t in $targets; do
	mkdir "$work/$t"
	cp "$here/corpus/$t/"* "$work/$t/"
	dict=
	[ ! -f "$here/$t.dict" ] || dict=-dict=$here/$t.dict
	log=$work/$t.log
	# UB aborts (-fno-sanitize-recover); LeakSanitizer checks each input.
	if ! UBSAN_OPTIONS=print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
	     "$build/tests/fuzz/fuzz-$t" -max_total_time="$secs" -timeout=10 \
	     -rss_limit_mb=4096 -print_final_stats=1 $dict \
	     -artifact_prefix="$crashes/$t-" "$work/$t" >"$log" 2>&1; then
		tail -n 80 "$log"
		echo "fuzz-$t: FAILED, input saved under $crashes/$t-*"
		rc=1
		continue
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	last=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1)
	cov=$(echo "$last" | grep -o 'cov: [0-9]*')
	ft=$(echo "$last" | grep -o 'ft: [0-9]*')
	corp=$(echo "$last" | grep -o 'corp: [0-9]*' | cut -d' ' -f2)
	echo "fuzz-$t: ${execs:-?} executions in $secs s, $cov edges," \
	     "$ft features, corpus $corp inputs"
done
exit $rc
