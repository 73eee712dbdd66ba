//go:build linux

package ebpfreceiver

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// These tests load the real probes and observe real programs on 127.0.0.1.

// capture is a running receiver with sinks for both signals.
type captured struct {
	traces  *consumertest.TracesSink
	metrics *consumertest.MetricsSink
}

// startCapture starts one receiver instance serving a traces and a metrics
// pipeline, selecting processes whose executable matches one of globs.
func startCapture(t *testing.T, mutate func(*Config), globs ...string) *captured {
	t.Helper()
	privtest.Require(t)
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Metrics.Interval = 100 * time.Millisecond
	cfg.Traces.FlushInterval = 50 * time.Millisecond
	for _, g := range globs {
		cfg.Discovery.Instrument = append(cfg.Discovery.Instrument, RuleConfig{ExePath: g})
	}
	if mutate != nil {
		mutate(cfg)
	}
	c := &captured{traces: new(consumertest.TracesSink), metrics: new(consumertest.MetricsSink)}
	set := receivertest.NewNopSettings(f.Type())
	ctx := context.Background()
	tr, err := f.CreateTraces(ctx, set, cfg, c.traces)
	if err != nil {
		t.Fatal(err)
	}
	mr, err := f.CreateMetrics(ctx, set, cfg, c.metrics)
	if err != nil {
		t.Fatal(err)
	}
	host := componenttest.NewNopHost()
	if err := tr.Start(ctx, host); err != nil {
		t.Fatal(err)
	}
	if err := mr.Start(ctx, host); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tr.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		if err := mr.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return c
}

// span is a flattened span with its resource, for assertions.
type span struct {
	service string
	pid     int64
	kind    ptrace.SpanKind
	name    string
	start   time.Time
	end     time.Time
	attrs   pcommon.Map
	status  ptrace.StatusCode
	trace   pcommon.TraceID
	id      pcommon.SpanID
	parent  pcommon.SpanID
	state   string // tracestate
	flags   uint32
	events  map[string]time.Time // by name, nil without events
}

// str is a string attribute of s, empty when s does not carry it.
func (s span) str(key string) string {
	if v, ok := s.attrs.Get(key); ok {
		return v.AsString()
	}
	return ""
}

// int is an integer attribute of s, 0 when s does not carry it.
func (s span) int(key string) int64 {
	if v, ok := s.attrs.Get(key); ok {
		return v.Int()
	}
	return 0
}

// url is the request URL of an HTTP span: url.full on a client, url.scheme
// and url.path on a server.
func (s span) url() *url.URL {
	if s.kind == ptrace.SpanKindServer {
		return &url.URL{Scheme: s.str("url.scheme"), Path: s.str("url.path")}
	}
	u, err := url.Parse(s.str("url.full"))
	if err != nil {
		return &url.URL{}
	}
	return u
}

// path is the URL path of an HTTP span.
func (s span) path() string { return s.url().Path }

func (c *captured) spans() []span {
	var out []span
	for _, td := range c.traces.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			service, _ := rs.Resource().Attributes().Get("service.name")
			pid, _ := rs.Resource().Attributes().Get("process.pid")
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					s := span{
						service: service.Str(), pid: pid.Int(), kind: sp.Kind(), name: sp.Name(),
						start: sp.StartTimestamp().AsTime(), end: sp.EndTimestamp().AsTime(),
						attrs: sp.Attributes(), status: sp.Status().Code(),
						trace: sp.TraceID(), id: sp.SpanID(), parent: sp.ParentSpanID(),
						state: sp.TraceState().AsRaw(), flags: sp.Flags(),
					}
					for _, ev := range sp.Events().All() {
						if s.events == nil {
							s.events = map[string]time.Time{}
						}
						s.events[ev.Name()] = ev.Timestamp().AsTime()
					}
					out = append(out, s)
				}
			}
		}
	}
	return out
}

func filterSpans(spans []span, keep func(span) bool) []span {
	var out []span
	for _, s := range spans {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

// waitSpans waits until keep matches want spans, then a little longer to
// catch any extra ones, and returns the matches.
func (c *captured) waitSpans(t *testing.T, want int, keep func(span) bool) []span {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for len(filterSpans(c.spans(), keep)) < want && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	got := filterSpans(c.spans(), keep)
	if len(got) != want {
		groups := map[string]int{}
		for _, s := range c.spans() {
			groups[fmt.Sprintf("%s/%d %s %s %d", s.service, s.pid, s.kind, s.name, s.int("http.response.status_code"))]++
		}
		t.Fatalf("got %d matching spans, want %d; all spans by service/pid kind name status: %v", len(got), want, groups)
	}
	return got
}

// histogramCount sums the latest cumulative count of metric name over the
// resources of process pid.
func (c *captured) histogramCount(name string, pid int) uint64 {
	return histogramTotal(c.metrics, name, pid)
}

// histogramTotal sums the counts of histogram name in the last export of
// sink, over the resources of process pid, or of every process for pid 0.
func histogramTotal(sink *consumertest.MetricsSink, name string, pid int) uint64 {
	all := sink.AllMetrics()
	if len(all) == 0 {
		return 0
	}
	var n uint64
	for _, rm := range all[len(all)-1].ResourceMetrics().All() {
		if p, _ := rm.Resource().Attributes().Get("process.pid"); pid != 0 && p.Int() != int64(pid) {
			continue
		}
		n += histogramTotalOf(rm, name)
	}
	return n
}

// checkHistogramCounts waits until histogram name, over the processes of
// pids, counts want calls, and fails when it does not. A process's series
// leave the export after it exits: its last cumulative counts are those of
// the last batch it was in.
func checkHistogramCounts(t *testing.T, sink *consumertest.MetricsSink, name string, pids map[int64]bool, want int) {
	t.Helper()
	measured := func() (n uint64) {
		last := map[int64]uint64{}
		for _, md := range sink.AllMetrics() {
			for _, rm := range md.ResourceMetrics().All() {
				pid, _ := rm.Resource().Attributes().Get("process.pid")
				if pids[pid.Int()] {
					last[pid.Int()] = histogramTotalOf(rm, name)
				}
			}
		}
		for _, v := range last {
			n += v
		}
		return n
	}
	for deadline := time.Now().Add(10 * time.Second); measured() != uint64(want) && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if n := measured(); n != uint64(want) {
		t.Errorf("%s counts %d calls, want %d", name, n, want)
	}
}

// histogramTotalOf sums the counts of histogram name in one resource.
func histogramTotalOf(rm pmetric.ResourceMetrics, name string) uint64 {
	var n uint64
	for _, sm := range rm.ScopeMetrics().All() {
		for _, m := range sm.Metrics().All() {
			if m.Name() != name || m.Type() != pmetric.MetricTypeHistogram {
				continue
			}
			for _, dp := range m.Histogram().DataPoints().All() {
				n += dp.Count()
			}
		}
	}
	return n
}

func (c *captured) waitHistogramCount(t *testing.T, name string, pid int, want uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.histogramCount(name, pid) != want && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := c.histogramCount(name, pid); got != want {
		t.Fatalf("%s count for pid %d: %d, want %d", name, pid, got, want)
	}
}

func TestPythonServerAndCurlAreTraced(t *testing.T) {
	c := startCapture(t, nil, "*python3*", "*/curl")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Started after the receiver: selected through its exec, no restart.
	srv := peers.PythonHTTPServer(t, dir)
	base := "http://127.0.0.1:" + strconv.Itoa(srv.Port)
	peers.Curl(t, "-o", "/dev/null", base+"/hello.txt")
	peers.Curl(t, "-o", "/dev/null", base+"/missing")

	server := c.waitSpans(t, 2, func(s span) bool { return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID) })
	client := c.waitSpans(t, 2, func(s span) bool {
		return s.kind == ptrace.SpanKindClient && s.service == "curl" && s.int("server.port") == int64(srv.Port)
	})
	for _, spans := range [][]span{server, client} {
		byPath := map[string]span{}
		for _, s := range spans {
			byPath[s.path()] = s
		}
		for path, status := range map[string]int64{"/hello.txt": 200, "/missing": 404} {
			s, ok := byPath[path]
			if !ok {
				t.Fatalf("no span for %s in %v", path, byPath)
			}
			// No segment of these paths looks like an id: each is its own
			// route. A client span knows no route and is named by its method.
			name, route := "GET "+path, path
			if s.kind == ptrace.SpanKindClient {
				name, route = "GET", ""
			}
			if s.name != name || s.str("http.route") != route || s.str("http.request.method") != "GET" || s.int("http.response.status_code") != status {
				t.Errorf("%s span %s: name %q route %q method %q status %d, want %s %q/%d", s.kind, path, s.name, s.str("http.route"), s.str("http.request.method"), s.int("http.response.status_code"), name, route, status)
			}
			if s.int("server.port") != int64(srv.Port) {
				t.Errorf("%s span %s: server.port %d, want %d", s.kind, path, s.int("server.port"), srv.Port)
			}
		}
	}
	if !strings.HasPrefix(server[0].service, "python3") {
		t.Errorf("server service.name %q, want the python executable's name", server[0].service)
	}
	c.waitHistogramCount(t, "http.server.request.duration", srv.PID, 2)
}

func TestGoKeepAliveExactCounts(t *testing.T) {
	for _, transport := range []string{TransportRingbuf, TransportPerf} {
		t.Run(transport, func(t *testing.T) { testGoKeepAliveExactCounts(t, transport) })
	}
}

func testGoKeepAliveExactCounts(t *testing.T, transport string) {
	c := startCapture(t, func(cfg *Config) { cfg.Capture.Transport = transport }, peers.GoProgramGlob())
	port := peers.FreePort(t)
	srv := peers.Start(t, port, peers.GoProgram(t, "httpserver"), "127.0.0.1:"+strconv.Itoa(port))
	out := peers.Run(t, peers.GoProgram(t, "httpclient"), "-n", "1000", "-c", "4", "http://127.0.0.1:"+strconv.Itoa(port)+"/req")
	observed := map[string]time.Duration{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[1] != "200" {
			t.Fatalf("client line %q", line)
		}
		ns, _ := strconv.ParseInt(f[2], 10, 64)
		observed[f[0]] = time.Duration(ns)
	}
	if len(observed) != 1000 {
		t.Fatalf("client made %d distinct requests, want 1000", len(observed))
	}
	server := c.waitSpans(t, 1000, func(s span) bool { return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID) })
	client := c.waitSpans(t, 1000, func(s span) bool { return s.kind == ptrace.SpanKindClient })
	// A client span lies within what the client observed: it starts at the
	// request's write (or its server's read) and ends at the answer's read.
	// A server span ends when its write returns, which on one node may come
	// after the client has read the answer, when the client's wake-up
	// preempts the server's thread; it rarely does. A span timed from
	// another request's records would be longer in most of the 1000.
	var late []string
	for _, s := range append(server, client...) {
		path := s.path()
		d := s.end.Sub(s.start)
		limit, ok := observed[path]
		switch {
		case !ok:
			t.Errorf("%s span for unknown path %q", s.kind, path)
		case s.int("http.response.status_code") != http.StatusOK:
			t.Errorf("%s span %s: status %d", s.kind, path, s.int("http.response.status_code"))
		case d <= 0 || d > time.Second:
			t.Errorf("%s span %s: duration %v, client observed %v", s.kind, path, d, limit)
		case d <= limit:
		case s.kind == ptrace.SpanKindClient:
			t.Errorf("client span %s: duration %v, longer than the client observed %v", path, d, limit)
		default:
			late = append(late, fmt.Sprintf("%s: %v > %v", path, d, limit))
		}
	}
	if len(late) > len(server)/100 {
		t.Errorf("%d of %d server spans are longer than their client observed: %v", len(late), len(server), late)
	} else if len(late) > 0 {
		t.Logf("server spans whose write returned after the client read the answer: %v", late)
	}
	c.waitHistogramCount(t, "http.server.request.duration", srv.PID, 1000)
}

func TestNginxSendfileBodySize(t *testing.T) {
	optIn := func(cfg *Config) { cfg.OptInAttributes = []string{"http.response.body.size"} }
	c := startCapture(t, optIn, "*/nginx", "*/curl")
	root := t.TempDir()
	body := strings.Repeat("0123456789abcdef", 6400) // 100 KiB: sent with sendfile
	if err := os.WriteFile(filepath.Join(root, "big.bin"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := peers.Nginx(t, root)
	peers.Curl(t, "-o", "/dev/null", "http://127.0.0.1:"+strconv.Itoa(srv.Port)+"/big.bin")
	server := c.waitSpans(t, 1, func(s span) bool { return s.kind == ptrace.SpanKindServer && s.path() == "/big.bin" })
	client := c.waitSpans(t, 1, func(s span) bool { return s.kind == ptrace.SpanKindClient && s.path() == "/big.bin" })
	for _, s := range []span{server[0], client[0]} {
		if s.int("http.response.status_code") != 200 || s.int("http.response.body.size") != int64(len(body)) {
			t.Errorf("%s span: status %d body size %d, want 200 and %d", s.kind, s.int("http.response.status_code"), s.int("http.response.body.size"), len(body))
		}
	}
}

func TestLargePostThenNextRequestOnSameConnection(t *testing.T) {
	c := startCapture(t, func(cfg *Config) { cfg.Capture.MaxPayloadBytes = 1024 }, peers.GoProgramGlob(), "*/curl")
	port := peers.FreePort(t)
	srv := peers.Start(t, port, peers.GoProgram(t, "httpserver"), "127.0.0.1:"+strconv.Itoa(port))
	upload := filepath.Join(t.TempDir(), "upload")
	if err := os.WriteFile(upload, []byte(strings.Repeat("x", 10*1024)), 0o644); err != nil {
		t.Fatal(err)
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	// One curl, one connection: the POST, then a GET reusing it.
	peers.Curl(t, "-o", "/dev/null", "--data-binary", "@"+upload, base+"/upload", "--next", "-o", "/dev/null", base+"/status/201")
	server := c.waitSpans(t, 2, func(s span) bool { return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID) })
	want := map[string]struct {
		method string
		status int64
	}{"/upload": {"POST", 200}, "/status/201": {"GET", 201}}
	peersSeen := map[string]bool{}
	for _, s := range server {
		w, ok := want[s.path()]
		if !ok || s.str("http.request.method") != w.method || s.int("http.response.status_code") != w.status {
			t.Errorf("server span %q %s %d, want one of %v", s.path(), s.str("http.request.method"), s.int("http.response.status_code"), want)
		}
		peersSeen[s.str("network.peer.port")] = true
	}
	if len(peersSeen) != 1 {
		t.Errorf("requests came over %d connections, want 1", len(peersSeen))
	}
}

func TestShutdownLeavesNoKernelObjects(t *testing.T) {
	t.Run("default", func(t *testing.T) { testShutdownLeavesNoKernelObjects(t, PropagationNone) })
	// The sockops program and its cgroup link too.
	t.Run("propagation", func(t *testing.T) { testShutdownLeavesNoKernelObjects(t, PropagationTCPOption) })
}

func testShutdownLeavesNoKernelObjects(t *testing.T, propagation string) {
	privtest.Require(t)
	before := privtest.KernelObjects(t)
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Traces.Propagation = propagation
	r, err := f.CreateTraces(context.Background(), receivertest.NewNopSettings(f.Type()), cfg, new(consumertest.TracesSink))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	during := privtest.KernelObjects(t).Added(before)
	if len(during.Programs) == 0 || len(during.Maps) == 0 || len(during.Links) == 0 {
		t.Fatalf("running receiver added no programs, maps or links: %+v", during)
	}
	if err := r.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The kernel frees closed objects from deferred work: allow it a moment.
	deadline := time.Now().Add(3 * time.Second)
	left := privtest.KernelObjects(t).Added(before)
	for !left.Empty() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		left = privtest.KernelObjects(t).Added(before)
	}
	if !left.Empty() {
		t.Fatalf("after Shutdown the kernel still holds %+v", left)
	}
}
