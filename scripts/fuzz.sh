#!/usr/bin/env bash
# Runs every Fuzz target of the module for FUZZTIME each, one at a time (go
# test -fuzz takes one target per run). Targets are discovered with go test
# -list, so new decoders' targets are included. A failing input is written
# under the package's testdata/fuzz; every target runs, and the failed ones
# are listed at the end.
#
# When the time runs out while the fuzzer is still gathering its baseline or
# minimising an input it found interesting, go test reports "context
# deadline exceeded" without any failing input: that is not a finding, and
# is not counted as one.
set -uo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-30s}
go=${GO:-go}

failed=()
for pkg in $(grep -rl --include='*_test.go' '^func Fuzz' internal receiver | xargs -n1 dirname | sort -u); do
	if ! targets=$("$go" test -list '^Fuzz' "./$pkg"); then
		failed+=("$pkg(build)")
		continue
	fi
	for target in $(grep '^Fuzz' <<<"$targets"); do
		echo "== $pkg $target ($fuzztime)"
		out=$("$go" test -run '^$' -fuzz "^$target\$" -fuzztime "$fuzztime" -fuzzminimizetime 10s "./$pkg" 2>&1)
		status=$?
		grep -v '^fuzz: elapsed' <<<"$out"
		if [ $status -ne 0 ]; then
			if grep -q 'context deadline exceeded' <<<"$out" && ! grep -q 'Failing input written' <<<"$out"; then
				echo "(time ran out before the fuzzer settled: no failing input)"
				continue
			fi
			failed+=("$pkg.$target")
		fi
	done
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz targets failed: ${failed[*]}" >&2
	exit 1
fi
