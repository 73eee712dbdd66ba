#!/usr/bin/env bash
# Runs the collector in the foreground beside a small HTTP workload, so its
# debug exporter shows server and client spans and both histograms at once.
# Ctrl-C stops everything.
set -euo pipefail
collector=$1
config=$2

demo=$(mktemp -d)
echo '<p>hello from the ebpf receiver demo</p>' >"$demo/index.html"
python3 -m http.server 8000 --bind 127.0.0.1 --directory "$demo" >/dev/null 2>&1 &
server=$!
(
	while sleep 2; do
		curl -s -o /dev/null http://127.0.0.1:8000/index.html || true
		curl -s -o /dev/null http://127.0.0.1:8000/missing || true
	done
) &
client=$!
trap 'kill $client $server 2>/dev/null; rm -rf "$demo"' EXIT

echo "demo workload: python3 http.server on 127.0.0.1:8000 (pid $server), curl every 2s" >&2
"$collector" --config="$config"
