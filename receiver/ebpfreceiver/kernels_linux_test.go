//go:build linux

package ebpfreceiver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/engine"
	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracer"
)

// The kernel matrix (scripts/test-kernels.sh) boots each kernel under qemu
// and runs TestKernelMatrix there, with busybox as the only other program:
// its httpd serves, its wget fetches, and every request must come out as
// exactly one server span and one client span, on each way of capturing
// the kernel offers. It runs on the host as well, where busybox-static is
// installed.

// kernelRequests is how many requests each check makes.
const kernelRequests = 20

// busyboxPath is the busybox the checks run: EBPFRECEIVER_BUSYBOX, else
// the one busybox-static installs.
func busyboxPath() string {
	if p := os.Getenv("EBPFRECEIVER_BUSYBOX"); p != "" {
		return p
	}
	return "/bin/busybox"
}

func TestKernelMatrix(t *testing.T) {
	privtest.Require(t)
	busybox := busyboxPath()
	privtest.RequireTool(t, busybox)
	checks := []struct {
		name      string
		transport string
		hook      tracer.SyscallHook
	}{
		{name: "http1", transport: TransportAuto},
		{name: "http1_perf", transport: TransportPerf},
		{name: "http1_raw_sys_exit", transport: TransportAuto, hook: tracer.HookRaw},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			sink, eng := startKernelCapture(t, c.transport, c.hook)
			port := startHttpd(t, busybox)
			start := time.Now()
			for i := range kernelRequests {
				url := fmt.Sprintf("http://127.0.0.1:%d/page%d.html", port, i)
				peers.Run(t, busybox, "wget", "-q", "-O", "/dev/null", url)
			}
			t.Logf("%d requests in %v", kernelRequests, time.Since(start).Round(time.Millisecond))
			assertHTTPSpans(t, sink, kernelRequests)
			// Queue time where the kernel has sock:sk_data_ready, for
			// every request; nothing elsewhere.
			want := 0
			if tracer.QueueTimeSupported() {
				want = kernelRequests
			}
			if got := countQueued(sink); got != want {
				t.Errorf("%d server spans with queue time events, want %d (sock:sk_data_ready: %v)", got, want, tracer.QueueTimeSupported())
			}
			if t.Failed() {
				t.Logf("engine: %+v", (*eng.Load()).Stats())
			}
		})
	}
}

// startKernelCapture starts a receiver selecting busybox, logging to the
// test (so the log says which way of capturing runs), with the syscall
// hook forced when hook is set.
func startKernelCapture(t *testing.T, transport string, hook tracer.SyscallHook) (*consumertest.TracesSink, *atomic.Pointer[engine.Engine]) {
	t.Helper()
	eng := new(atomic.Pointer[engine.Engine])
	f := newFactory(func(cfg engine.Config, logger *zap.Logger, emit func(*call.Call)) (capture, error) {
		cfg.SyscallHook = hook
		e, err := engine.New(cfg, logger, emit)
		if err == nil {
			eng.Store(e)
		}
		return e, err
	})
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Traces.FlushInterval = 50 * time.Millisecond
	cfg.Capture.Transport = transport
	cfg.Discovery.Instrument = []RuleConfig{{ExePath: "*/busybox"}}
	sink := new(consumertest.TracesSink)
	set := receivertest.NewNopSettings(f.Type())
	set.Logger = zaptest.NewLogger(t, zaptest.Level(zap.InfoLevel))
	ctx := context.Background()
	tr, err := f.CreateTraces(ctx, set, cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tr.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return sink, eng
}

// startHttpd runs busybox httpd in the foreground on a free port of
// 127.0.0.1, serving a small page for each request, detached from the test process (which
// plays the collector, whose children are never captured).
func startHttpd(t *testing.T, busybox string) int {
	t.Helper()
	root := t.TempDir()
	for i := range kernelRequests {
		if err := os.WriteFile(filepath.Join(root, fmt.Sprintf("page%d.html", i)), []byte("<p>hello</p>\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	port := peers.FreePort(t)
	peers.Start(t, port, busybox, "httpd", "-f", "-p", fmt.Sprintf("127.0.0.1:%d", port), "-h", root)
	return port
}

// assertHTTPSpans waits for one server and one client span of each of the
// n GET requests for /page<i>.html, then checks that no more came.
func assertHTTPSpans(t *testing.T, sink *consumertest.TracesSink, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var server, client map[string]int
	var other []string
	for time.Now().Before(deadline) {
		server, client, _ = countHTTPSpans(sink)
		if len(server) >= n && len(client) >= n {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // anything late shows up too
	server, client, other = countHTTPSpans(sink)
	t.Logf("server spans %d, client spans %d, other %d", total(server), total(client), len(other))
	var wrong []string
	for i := range n {
		page := fmt.Sprintf("/page%d.html", i)
		if server[page] != 1 || client[page] != 1 {
			wrong = append(wrong, fmt.Sprintf("%s: %d server, %d client", page, server[page], client[page]))
		}
	}
	if len(wrong) != 0 || total(server) != n || total(client) != n || len(other) != 0 {
		t.Errorf("want one server and one client span of each request and nothing else; got %s; other: %s",
			strings.Join(wrong, ", "), strings.Join(other, "; "))
	}
}

// countQueued counts the server spans that carry the queue time events.
func countQueued(sink *consumertest.TracesSink) int {
	n := 0
	for _, td := range sink.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					events := sp.Events()
					if sp.Kind() == ptrace.SpanKindServer && events.Len() == 2 &&
						events.At(0).Name() == queueEventQueued && events.At(1).Name() == queueEventProcessing {
						n++
					}
				}
			}
		}
	}
	return n
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// countHTTPSpans counts the server and client spans of GET /page<i>.html
// by path, and describes every other span.
func countHTTPSpans(sink *consumertest.TracesSink) (server, client map[string]int, other []string) {
	server, client = map[string]int{}, map[string]int{}
	for _, td := range sink.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					path, _ := sp.Attributes().Get("url.path")
					full, _ := sp.Attributes().Get("url.full")
					switch {
					case sp.Kind() == ptrace.SpanKindServer && strings.HasPrefix(sp.Name(), "GET") && strings.HasPrefix(path.AsString(), "/page"):
						server[path.AsString()]++
					case sp.Kind() == ptrace.SpanKindClient && strings.HasPrefix(sp.Name(), "GET") && strings.Contains(full.AsString(), "/page"):
						client[full.AsString()[strings.Index(full.AsString(), "/page"):]]++
					default:
						other = append(other, fmt.Sprintf("%s %s %s%s", sp.Kind(), sp.Name(), path.AsString(), full.AsString()))
					}
				}
			}
		}
	}
	return server, client, other
}
