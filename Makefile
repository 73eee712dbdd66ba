# Tools come from their own module (tools/go.mod) so they never touch the
# receiver's dependencies.
GO        ?= go
GOTOOL    := $(GO) tool -modfile=tools/go.mod
BIN_DIR   := bin
OTELCOL   := $(BIN_DIR)/otelcol-custom
COLLECTOR_CONFIG ?= testdata/collector.yaml

.PHONY: setup generate generate-bpf generate-metadata build run test test-kernels fuzz bench-probes

## setup: install the BPF toolchain and the test peers (Debian packages, as root)
setup:
	scripts/setup.sh

## generate: regenerate every committed generated file
generate: generate-bpf generate-metadata

## generate-bpf: compile bpf/*.c with clang-16 and regenerate the Go bindings (bpf2go)
generate-bpf:
	$(GO) generate ./internal/tracer/...

## generate-metadata: regenerate receiver/ebpfreceiver/internal/metadata and
## its tests from metadata.yaml (mdatagen output is committed)
generate-metadata:
	$(GOTOOL) mdatagen receiver/ebpfreceiver/metadata.yaml

## build: build the collector distribution with ocb into $(OTELCOL)
build:
	mkdir -p $(BIN_DIR)
	$(GOTOOL) builder --config=builder-config.yaml
	cp $(BIN_DIR)/build/otelcol-custom $(OTELCOL)

## run: set up, build, and run the collector with $(COLLECTOR_CONFIG) beside a
## demo workload (python http.server on :8000 and a curl every 2s); needs root
run: setup build
	scripts/run-demo.sh $(OTELCOL) $(COLLECTOR_CONFIG)

## test: set up, build, and run every test; privileged tests fail instead of
## skipping. Packages run one at a time: privileged tests observe the whole
## machine, so two packages' peers must not run at once.
test: setup build
	EBPFRECEIVER_PRIVILEGED=1 $(GO) test -count=1 -p 1 -timeout 20m ./...

## test-kernels: boot each of KERNELS (Debian's cloud kernels: 5.10, 6.1,
## 6.12; "host" for the running kernel: /boot's image of it, or, without
## one, the machine itself; or a vmlinuz path) under qemu and run
## TestKernelMatrix there; prints a table kernel x check.
## Needs qemu-system-x86 and busybox-static (installed when missing).
KERNELS ?= 5.10 6.1 6.12 host
test-kernels:
	KERNELS="$(KERNELS)" GO=$(GO) scripts/test-kernels.sh

## fuzz: run every Fuzz target of the module for FUZZTIME each (see
## scripts/fuzz.sh); a failing input is written under the package's
## testdata/fuzz. Each target's seed corpus (f.Add and testdata/fuzz) runs
## with the unit tests as well.
FUZZTIME ?= 30s
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) scripts/fuzz.sh

## bench-probes: what hooking syscalls costs a Go server under wrk, minimal
## programs and the full capture, raw tracepoint vs per-syscall tracepoints
bench-probes:
	$(GO) test -run '^$$' -bench 'HookUnderLoad|CaptureUnderLoad' -benchtime 1x ./internal/tracer/...

## bench: uninstrumented vs the ebpf receiver vs the Go SDK on one server,
## side by side (bench/): prints the report and writes bench/out/report.md
## and its PNGs; needs root, loopback only, bounded by BENCH_TIMEOUT.
## BENCH_FLAGS go to benchrun, e.g. BENCH_FLAGS="-rounds 5 -duration 20s"
BENCH_TIMEOUT ?= 30m
BENCH_FLAGS   ?=
.PHONY: bench
bench:
	timeout --foreground --kill-after=30s $(BENCH_TIMEOUT) bench/run.sh $(BENCH_FLAGS)
