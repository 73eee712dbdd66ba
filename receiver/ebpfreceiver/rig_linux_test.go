//go:build linux

package ebpfreceiver

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/engine"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
	"github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver/internal/metadatatest"
)

// rig is a real receiver (real engine, real probes) with a traces pipeline,
// its self-telemetry and the status events it reported.
type rig struct {
	traces receiver.Traces
	rcv    *ebpfReceiver
	sink   *consumertest.TracesSink
	tel    *componenttest.Telemetry
	host   *statusRecorder
	engine atomic.Pointer[engine.Engine]
}

// rigOptions adjust a rig; the zero value captures the given globs with
// the default configuration and a sink that accepts everything at once.
type rigOptions struct {
	config  func(*Config)
	engine  func(*engine.Config)
	consume func() error    // runs before each batch reaches the sink: a slow or failing consumer
	next    consumer.Traces // replaces the sink
	metrics consumer.Metrics
}

// newRig creates, but does not start, a receiver selecting processes
// whose executable matches one of globs.
func newRig(t *testing.T, o rigOptions, globs ...string) *rig {
	t.Helper()
	privtest.Require(t)
	r := &rig{sink: new(consumertest.TracesSink), tel: componenttest.NewTelemetry(), host: &statusRecorder{Host: componenttest.NewNopHost()}}
	t.Cleanup(func() { r.tel.Shutdown(context.Background()) })
	f := newFactory(func(cfg engine.Config, logger *zap.Logger, emit func(*call.Call)) (capture, error) {
		if o.engine != nil {
			o.engine(&cfg)
		}
		e, err := engine.New(cfg, logger, emit)
		if err != nil {
			return nil, err
		}
		r.engine.Store(e)
		return e, nil
	})
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Traces.FlushInterval = 50 * time.Millisecond
	for _, g := range globs {
		cfg.Discovery.Instrument = append(cfg.Discovery.Instrument, RuleConfig{ExePath: g})
	}
	if o.config != nil {
		o.config(cfg)
	}
	next := consumer.Traces(r.sink)
	if o.next != nil {
		next = o.next
	}
	if o.consume != nil {
		next, _ = consumer.NewTraces(func(ctx context.Context, td ptrace.Traces) error {
			if err := o.consume(); err != nil {
				return err
			}
			return r.sink.ConsumeTraces(ctx, td)
		})
	}
	set := metadatatest.NewSettings(r.tel)
	tr, err := f.CreateTraces(context.Background(), set, cfg, next)
	if err != nil {
		t.Fatal(err)
	}
	r.traces = tr
	r.rcv = tr.(*sharedHandle).rcv
	r.rcv.checkEvery = 50 * time.Millisecond
	if o.metrics != nil {
		if _, err := f.CreateMetrics(context.Background(), set, cfg, o.metrics); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// start starts the receiver; it is shut down when the test ends.
func (r *rig) start(t *testing.T) {
	t.Helper()
	if err := r.traces.Start(context.Background(), r.host); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.rcv.Shutdown(context.Background()) })
}

// counter reads a self-telemetry instrument (name without its otelcol_ebpf_
// prefix), summing the points that carry attr when one is given.
func (r *rig) counter(t *testing.T, name string, attr ...attribute.KeyValue) int64 {
	t.Helper()
	m, err := r.tel.GetMetric("otelcol_ebpf_" + name)
	if err != nil {
		t.Fatalf("self-telemetry %s: %v", name, err)
	}
	var points []metricdata.DataPoint[int64]
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		points = d.DataPoints
	case metricdata.Gauge[int64]:
		points = d.DataPoints
	}
	want := attribute.NewSet(attr...)
	var n int64
	for _, p := range points {
		if len(attr) == 0 || p.Attributes.Equals(&want) {
			n += p.Value
		}
	}
	return n
}

// serverSpans counts the server spans of process pid received so far.
func (r *rig) serverSpans(pid int) int {
	n := 0
	for _, c := range r.serverPaths(pid) {
		n += c
	}
	return n
}

// serverPaths counts the server spans of process pid by url.path.
func (r *rig) serverPaths(pid int) map[string]int {
	paths := map[string]int{}
	for _, td := range r.sink.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			if p, _ := rs.Resource().Attributes().Get("process.pid"); p.Int() != int64(pid) {
				continue
			}
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					if sp.Kind() == ptrace.SpanKindServer {
						path, _ := sp.Attributes().Get("url.path")
						paths[path.AsString()]++
					}
				}
			}
		}
	}
	return paths
}

// spanCount counts every span received so far.
func (r *rig) spanCount() int {
	n := 0
	for _, td := range r.sink.AllTraces() {
		n += td.SpanCount()
	}
	return n
}

// spanSummary counts the spans received by process, kind and name.
func (r *rig) spanSummary() map[string]int {
	out := map[string]int{}
	for _, td := range r.sink.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			pid, _ := rs.Resource().Attributes().Get("process.pid")
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					out[fmt.Sprintf("pid %d %s %s", pid.Int(), sp.Kind(), sp.Name())]++
				}
			}
		}
	}
	return out
}

// statusRecorder is a host that keeps the status events reported to it.
type statusRecorder struct {
	component.Host
	mu     sync.Mutex
	events []*componentstatus.Event
}

// Report implements componentstatus.Reporter.
func (h *statusRecorder) Report(ev *componentstatus.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev)
}

// saw reports whether an event of status s whose error contains text was
// reported.
func (h *statusRecorder) saw(s componentstatus.Status, text string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ev := range h.events {
		if ev.Status() == s && (text == "" || ev.Err() != nil && strings.Contains(ev.Err().Error(), text)) {
			return true
		}
	}
	return false
}

// last returns the latest status reported, StatusNone when none was.
func (h *statusRecorder) last() componentstatus.Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.events) == 0 {
		return componentstatus.StatusNone
	}
	return h.events[len(h.events)-1].Status()
}
