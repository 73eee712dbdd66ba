#!/usr/bin/env bash
# The kernel matrix: boots each kernel of KERNELS under qemu (software
# emulation, TCG) with an initramfs holding busybox and the receiver's test
# binary, runs TestKernelMatrix there (busybox httpd and wget as real peers,
# exact span counts), and prints a table kernel x check.
#
# Kernels are Debian's cloud kernels, fetched with apt-get download through
# an APT configuration of this script's own (nothing is installed on the
# machine but qemu and busybox-static) and cached with the initramfs under
# KERNEL_CACHE. An entry of KERNELS is a Debian kernel series (5.10:
# bullseye, 6.1: bookworm, 6.12: trixie), "host" for the running kernel
# (its image in /boot booted like the others; without one, the test runs
# on this machine itself, as root), or the path of a vmlinuz.
#
#   KERNELS="5.10 6.1 6.12 host" scripts/test-kernels.sh
#
# Exits non-zero when any check of any kernel fails. Needs root only to
# install qemu-system-x86 and busybox-static when they are missing; the
# BPF programs are loaded inside the guests only.
set -euo pipefail
cd "$(dirname "$0")/.."

KERNELS=${KERNELS:-"5.10 6.1 6.12 host"}
CACHE=${KERNEL_CACHE:-$HOME/.cache/ebpfreceiver-kernels}
GUEST_TIMEOUT=${KERNEL_GUEST_TIMEOUT:-900} # seconds per kernel, boot to power-off
GO=${GO:-go}
TEST_RUN=${KERNEL_TEST_RUN:-} # a -test.run pattern of subtests, e.g. http1_perf

log() { echo "== $*" >&2; }

# suite_of names the Debian release whose cloud kernel is series $1.
suite_of() {
	case $1 in
	5.10) echo bullseye ;;
	6.1) echo bookworm ;;
	6.12) echo trixie ;;
	*) return 1 ;;
	esac
}

need_packages() {
	local missing=()
	command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
	[ -x /bin/busybox ] && file -L /bin/busybox | grep -q 'statically linked' || missing+=(busybox-static)
	command -v cpio >/dev/null || missing+=(cpio)
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
	fi
}

# apt runs apt-get with the matrix's own sources and state, so the
# machine's APT configuration and lists are neither used nor changed.
apt_opts=()
apt_setup() {
	local dir=$CACHE/apt
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/empty"
	: >"$dir/sources.list"
	local suite
	for suite in bullseye bookworm trixie; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" >>"$dir/sources.list"
	done
	apt_opts=(-q -o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=$dir/empty"
		-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
		-o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$dir/empty"
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root -o Acquire::Languages=none)
	if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null)" ]; then
		log "apt-get update (bullseye, bookworm, trixie)"
		apt-get "${apt_opts[@]}" update >/dev/null
	fi
}

# fetch_kernel prints the path of the vmlinuz of Debian series $1,
# downloading and unpacking its cloud kernel package once.
fetch_kernel() {
	local series=$1 suite dir=$CACHE/kernels/$1
	if [ ! -f "$dir/vmlinuz" ]; then
		suite=$(suite_of "$series") || { echo "unknown kernel series $series (have 5.10, 6.1, 6.12, host, or a vmlinuz path)" >&2; return 1; }
		[ ${#apt_opts[@]} -gt 0 ] || apt_setup
		rm -rf "$dir" && mkdir -p "$dir/deb" && cd "$dir/deb"
		log "fetching Debian $suite's cloud kernel"
		apt-get "${apt_opts[@]}" download "linux-image-cloud-amd64/$suite" >/dev/null
		local image
		image=$(dpkg-deb -f linux-image-cloud-amd64_*.deb Depends | sed -E 's/^(linux-image-[^ ,]+).*/\1/')
		apt-get "${apt_opts[@]}" download "$image/$suite" >/dev/null
		dpkg-deb -x "$image"_*.deb root
		cp root/boot/vmlinuz-* ../vmlinuz
		cp root/boot/config-* ../config
		echo "$image $(dpkg-deb -f "$image"_*.deb Version)" >../package
		cd - >/dev/null
		rm -rf "$dir/deb"
	fi
	echo "$dir/vmlinuz"
}

kernel_image() {
	case $1 in
	host)
		local img=/boot/vmlinuz-$(uname -r)
		[ -f "$img" ] || { echo "no image of the running kernel $(uname -r) in /boot" >&2; return 1; }
		echo "$img"
		;;
	/*) echo "$1" ;;
	*) fetch_kernel "$1" ;;
	esac
}

# build_initramfs writes the guest's initramfs: busybox, the test binary,
# and an /init that mounts what the receiver needs, runs the test and
# powers off.
build_initramfs() {
	local out=$1 test=$2 root
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,proc,sys,tmp,dev,etc}
	cp /bin/busybox "$root/bin/busybox"
	cp "$test" "$root/ebpf.test"
	cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin HOME=/tmp TMPDIR=/tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ip link set lo up
echo "GUEST kernel=$(uname -r) btf=$([ -f /sys/kernel/btf/vmlinux ] && echo yes || echo no)"
# tracefs is left unmounted: the receiver mounts it, as on a fresh host.
/ebpf.test -test.run "^TestKernelMatrix\$/$(cat /test-run)" -test.v -test.count=1 -test.timeout 12m 2>&1
echo "GUEST done rc=$?"
poweroff -f
EOF
	chmod +x "$root/init"
	echo "$TEST_RUN" >"$root/test-run"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	rm -rf "$root"
}

# run_kernel boots $2 with the initramfs, writing the console to $3.
run_kernel() {
	local image=$1 initrd=$2 out=$3
	timeout --kill-after=10 "$GUEST_TIMEOUT" qemu-system-x86_64 -accel tcg,thread=single -m 2G -smp 2 \
		-nographic -no-reboot -kernel "$image" -initrd "$initrd" \
		-append "console=ttyS0 rdinit=/init panic=-1 quiet" </dev/null >"$out" 2>&1 || true
}

# run_here runs the test binary $1 on this machine's own kernel, writing
# what a guest's console would show to $2.
run_here() {
	local test=$1 out=$2 rc=0
	{
		echo "GUEST kernel=$(uname -r) btf=$([ -f /sys/kernel/btf/vmlinux ] && echo yes || echo no)"
		EBPFRECEIVER_PRIVILEGED=1 timeout --kill-after=10 "$GUEST_TIMEOUT" "$test" \
			-test.run "^TestKernelMatrix\$/$TEST_RUN" -test.v -test.count=1 -test.timeout 12m 2>&1 || rc=$?
		echo "GUEST done rc=$rc"
	} >"$out"
}

# result prints PASS, FAIL or - for check $2 in console log $1.
result() {
	if grep -q -- "--- PASS: TestKernelMatrix/$2 " "$1"; then
		echo PASS
	elif grep -q -- "--- FAIL: TestKernelMatrix/$2 " "$1"; then
		echo FAIL
	else
		echo -
	fi
}

main() {
	need_packages
	mkdir -p "$CACHE"
	local work initrd
	work=$(mktemp -d)
	initrd=$work/initrd.gz
	log "building the test binary"
	CGO_ENABLED=0 $GO test -c -o "$work/ebpf.test" ./receiver/ebpfreceiver
	build_initramfs "$initrd" "$work/ebpf.test"
	local checks=(http1 http1_perf http1_raw_sys_exit)
	local rows=() failed=0
	for k in $KERNELS; do
		local image out start secs
		out=$work/console-$(basename "$k").log
		start=$(date +%s)
		if [ "$k" = host ] && ! [ -f "/boot/vmlinuz-$(uname -r)" ]; then
			log "running on this machine's kernel $(uname -r) (no image of it to boot)"
			run_here "$work/ebpf.test" "$out"
		elif ! image=$(kernel_image "$k"); then
			rows+=("| $k | no image | | $(printf -- '- | %.0s' "${checks[@]}")")
			failed=1
			continue
		else
			log "booting $k ($image)"
			run_kernel "$image" "$initrd" "$out"
		fi
		secs=$(($(date +%s) - start))
		mkdir -p "$CACHE/logs" && cp "$out" "$CACHE/logs/$(basename "$out")"
		local guest row="" paths
		guest=$(sed -n 's/.*GUEST kernel=\([^ ]*\).*/\1/p' "$out" | head -1)
		paths=$(grep -o 'capture paths.*' "$out" | head -1 | tr -d '\r{}"' | sed 's/^capture paths[[:space:]]*//' || true)
		for c in "${checks[@]}"; do
			local r
			r=$(result "$out" "$c")
			[ "$r" = PASS ] || failed=1
			row+="$r | "
		done
		grep -q 'GUEST done rc=0' "$out" || failed=1
		rows+=("| $k | ${guest:-did not boot} | ${secs}s | $row${paths:-} |")
		grep -E -- '--- (PASS|FAIL)|FAIL|panic|spans|requests in|GUEST' "$out" | tr -d '\r' | sed "s/^/  [$k] /" >&2 || true
	done
	echo
	echo "| kernel | guest | time | $(printf '%s | ' "${checks[@]}")paths |"
	echo "|---|---|---|$(printf -- '---|%.0s' "${checks[@]}")---|"
	printf '%s\n' "${rows[@]}"
	echo "console logs: $CACHE/logs"
	rm -rf "$work"
	return $failed
}

main "$@"
