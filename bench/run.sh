#!/usr/bin/env bash
# `make bench`: installs what is missing, rebuilds bin/otelcol-custom when
# the receiver's sources are newer than it, builds the bench programs and
# runs benchrun with the arguments given (see `bench/out/bin/benchrun -h`).
# Needs root: configurations (c) and (d) load eBPF programs.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "make bench: run as root (the ebpf receiver loads BPF programs)" >&2
	exit 1
fi

scripts/setup.sh
if ! command -v wrk >/dev/null || ! command -v perf >/dev/null; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends wrk linux-perf
fi

# Sources of the collector binary: the receiver module and the manifest.
stale_collector() {
	[ ! -x bin/otelcol-custom ] && return 0
	[ -n "$(find . \( -path ./bin -o -path ./bench -o -path ./.git \) -prune -o -type f \
		\( -name '*.go' ! -name '*_test.go' -o -name '*.c' -o -name '*.h' -o -name '*.o' \
		-o -name go.mod -o -name go.sum -o -name builder-config.yaml \) \
		-newer bin/otelcol-custom -print -quit)" ]
}
if stale_collector; then
	make build
fi

go -C bench build -o out/bin/ ./cmd/...
# The same collector with its symbols (ocb strips them), for the profile of
# the probe statistics run.
go -C bin/build build -trimpath -o ../../bench/out/bin/otelcol-symbols .
exec bench/out/bin/benchrun "$@"
