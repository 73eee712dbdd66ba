#!/usr/bin/env bash
# Installs what building and testing need on a Debian machine, as root:
# the BPF toolchain, the real servers and clients the tests drive, and the
# Go tools pinned in tools/go.mod. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(clang-16 llvm-16 libbpf-dev bpftool nginx-light curl python3 wrk make git ca-certificates openssl binutils nghttp2-client nodejs iproute2 postgresql mariadb-server redis-server redis-tools python3-redis kcat busybox-static)
missing=()
for p in "${packages[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# The packaged servers start at install time; tests start their own, on
# free ports, with throwaway data directories.
systemctl disable --now nginx >/dev/null 2>&1 || nginx -s stop >/dev/null 2>&1 || true
for service in postgresql mariadb redis-server; do
	systemctl disable --now "$service" >/dev/null 2>&1 || service "$service" stop >/dev/null 2>&1 || true
done

go mod download
go -C tools mod download
go -C test/grpcpeers mod download
go -C test/mongopeers mod download
go -C test/kafkapeers mod download
npm ci --prefix test/mongopeers/node --no-audit --no-fund --loglevel=error
