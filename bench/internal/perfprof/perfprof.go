// Package perfprof records where a process spends its CPU with `perf
// record` and sums the samples by the component their function belongs to:
// the receiver's capture and decoding, its conversion to pdata, pdata, the
// collector's batching and export, Go's runtime (allocation, garbage
// collection, scheduling) and the kernel.
package perfprof

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Recording is a `perf record` of one process in progress.
type Recording struct {
	perf, data string
	cmd        *exec.Cmd
}

// Start records the process pid, sampling at 999 Hz, into data.
func Start(perf string, pid int, data string) (*Recording, error) {
	cmd := exec.Command(perf, "record", "-F", "999", "-p", strconv.Itoa(pid), "-o", data, "--quiet")
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("perf record: %w", err)
	}
	// perf needs a moment to attach before the window starts.
	time.Sleep(300 * time.Millisecond)
	return &Recording{perf: perf, data: data, cmd: cmd}, nil
}

// Stop ends the recording and waits for perf to write it.
func (r *Recording) Stop() error {
	if err := r.cmd.Process.Signal(syscall.SIGINT); err != nil {
		return fmt.Errorf("stop perf record: %w", err)
	}
	err := r.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() <= 1 { // perf exits 0 or 1 after SIGINT
		return nil
	}
	return err
}

// Function is one function's share of the samples.
type Function struct {
	Name      string
	Component string
	Share     float64 // of all samples, 0..1
}

// Functions reads the recording: every function's own share of the
// samples, largest first.
func (r *Recording) Functions(ctx context.Context) ([]Function, error) {
	out, err := exec.CommandContext(ctx, r.perf, "report", "-i", r.data, "--no-children", "--sort", "dso,sym",
		"--stdio", "-q", "--percent-limit", "0").Output()
	if err != nil {
		return nil, fmt.Errorf("perf report: %w", err)
	}
	return parseReport(out)
}

// parseReport reads `perf report --sort dso,sym --stdio -q` lines:
// "  12.34%  otelcol-custom  [.] runtime.mallocgc".
func parseReport(out []byte) ([]Function, error) {
	var fns []Function
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasSuffix(f[0], "%") {
			continue
		}
		pct, err := strconv.ParseFloat(strings.TrimSuffix(f[0], "%"), 64)
		if err != nil {
			return nil, fmt.Errorf("perf report: line %q: %w", sc.Text(), err)
		}
		dso, kind, name := f[1], f[2], strings.Join(f[3:], " ")
		fns = append(fns, Function{Name: name, Component: Component(dso, kind, name), Share: pct / 100})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(fns, func(a, b Function) int { return cmp.Compare(b.Share, a.Share) })
	return fns, nil
}

// components name the parts of the collector by the package prefix of
// their functions, most specific first.
var components = []struct{ prefix, name string }{
	{"github.com/ebpfreceiver/ebpfreceiver/receiver/", "receiver: calls to pdata"},
	{"github.com/ebpfreceiver/ebpfreceiver/internal/", "receiver: capture and decoding"},
	{"github.com/cilium/ebpf", "receiver: capture and decoding"},
	{"go.opentelemetry.io/collector/pdata/internal.", "pdata: OTLP encoding"},
	{"go.opentelemetry.io/collector/pdata", "pdata"},
	{"go.opentelemetry.io/collector/processor", "batch processor"},
	{"go.opentelemetry.io/collector/exporter", "exporters"},
	{"net/http", "exporters"},
	{"net.", "exporters"},
	{"compress/", "exporters"},
	{"go.opentelemetry.io/collector", "collector, other"},
	// Allocation before garbage collection: some of its functions are
	// methods of the same span type.
	{"runtime.mallocgc", "Go runtime: allocation"},
	{"runtime.(*mcache)", "Go runtime: allocation"},
	{"runtime.(*mcentral)", "Go runtime: allocation"},
	{"runtime.(*mheap)", "Go runtime: allocation"},
	{"runtime.(*fixalloc)", "Go runtime: allocation"},
	{"runtime.(*mspan).init", "Go runtime: allocation"},
	{"runtime.(*mspan).writeHeapBits", "Go runtime: allocation"},
	{"runtime.(*mspan).nextFreeIndex", "Go runtime: allocation"},
	{"runtime.memclr", "Go runtime: allocation"},
	{"runtime.newobject", "Go runtime: allocation"},
	{"runtime.makeslice", "Go runtime: allocation"},
	{"runtime.growslice", "Go runtime: allocation"},
	{"runtime.nextFreeFast", "Go runtime: allocation"},
	{"runtime.heapSetType", "Go runtime: allocation"},
	{"runtime.gc", "Go runtime: garbage collection"},
	{"runtime.scan", "Go runtime: garbage collection"},
	{"runtime.markBits", "Go runtime: garbage collection"},
	{"runtime.markroot", "Go runtime: garbage collection"},
	{"runtime.greyobject", "Go runtime: garbage collection"},
	{"runtime.findObject", "Go runtime: garbage collection"},
	{"runtime.sweep", "Go runtime: garbage collection"},
	{"runtime.tryDeferToSpanScan", "Go runtime: garbage collection"},
	{"runtime.(*mspan)", "Go runtime: garbage collection"},
	{"runtime.(*gcWork)", "Go runtime: garbage collection"},
	{"runtime.(*gcBits)", "Go runtime: garbage collection"},
	{"runtime.wbBuf", "Go runtime: garbage collection"},
	{"runtime.bulkBarrier", "Go runtime: garbage collection"},
	{"internal/runtime/gc", "Go runtime: garbage collection"},
	{"runtime.map", "Go runtime: maps and strings"},
	{"runtime.memmove", "Go runtime: maps and strings"},
	{"internal/runtime/maps", "Go runtime: maps and strings"},
	{"runtime.concat", "Go runtime: maps and strings"},
	{"runtime.slicebytetostring", "Go runtime: maps and strings"},
	{"aeshash", "Go runtime: maps and strings"},
	{"runtime.", "Go runtime: scheduling and other"},
	{"sync.", "Go runtime: scheduling and other"},
	{"internal/", "Go runtime: scheduling and other"},
}

// Component names the part of the collector a function of dso belongs to;
// kind is perf's "[k]" for kernel functions, "[.]" for user ones.
func Component(dso, kind, name string) string {
	if kind == "[k]" || strings.HasPrefix(dso, "[kernel") {
		return "kernel (syscalls, page faults)"
	}
	for _, c := range components {
		if strings.HasPrefix(name, c.prefix) {
			return c.name
		}
	}
	return "other"
}

// ByComponent sums the functions' shares by component, largest first.
func ByComponent(fns []Function) []Function {
	sums := map[string]float64{}
	for _, f := range fns {
		sums[f.Component] += f.Share
	}
	var out []Function
	for name, share := range sums {
		out = append(out, Function{Name: name, Component: name, Share: share})
	}
	slices.SortFunc(out, func(a, b Function) int { return cmp.Compare(b.Share, a.Share) })
	return out
}
