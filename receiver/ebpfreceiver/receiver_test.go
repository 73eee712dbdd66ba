package ebpfreceiver

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/engine"
	"github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver/internal/metadata"
)

// fakeCapture stands in for the engine: the test emits calls itself.
type fakeCapture struct {
	cfg      engine.Config
	emit     func(*call.Call)
	startErr error

	mu        sync.Mutex
	starts    int
	shutdowns int
	stats     engine.Stats
}

func (f *fakeCapture) Start(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts++
	return f.startErr
}

func (f *fakeCapture) Shutdown(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shutdowns++
	return nil
}

func (f *fakeCapture) Stats() engine.Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats
}

func (f *fakeCapture) setStats(s engine.Stats) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stats = s
}

func (f *fakeCapture) counts() (starts, shutdowns int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.starts, f.shutdowns
}

// fakeEngines builds receiver factories whose captures are fakes.
type fakeEngines struct {
	mu       sync.Mutex
	created  []*fakeCapture
	startErr error
	stats    engine.Stats
}

func (e *fakeEngines) factory() receiver.Factory {
	return newFactory(func(cfg engine.Config, _ *zap.Logger, emit func(*call.Call)) (capture, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		c := &fakeCapture{cfg: cfg, emit: emit, startErr: e.startErr, stats: e.stats}
		e.created = append(e.created, c)
		return c, nil
	})
}

func (e *fakeEngines) captures() []*fakeCapture {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*fakeCapture(nil), e.created...)
}

func testConfig(f receiver.Factory) *Config {
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Traces.FlushInterval = 10 * time.Millisecond
	cfg.Metrics.Interval = time.Hour // flushed by Shutdown only
	return cfg
}

func settings() receiver.Settings {
	set := receivertest.NewNopSettings(metadata.Type)
	set.BuildInfo.Version = testVersion
	return set
}

func TestSharedInstanceServesTracesAndMetrics(t *testing.T) {
	engines := &fakeEngines{}
	f := engines.factory()
	cfg := testConfig(f)
	traces, metrics := new(consumertest.TracesSink), new(consumertest.MetricsSink)
	ctx := context.Background()

	tr, err := f.CreateTraces(ctx, settings(), cfg, traces)
	require.NoError(t, err)
	mr, err := f.CreateMetrics(ctx, settings(), cfg, metrics)
	require.NoError(t, err)
	assert.Same(t, tr.(*sharedHandle).rcv, mr.(*sharedHandle).rcv)

	host := componenttest.NewNopHost()
	require.NoError(t, tr.Start(ctx, host))
	require.NoError(t, mr.Start(ctx, host))
	require.Len(t, engines.captures(), 1, "one capture for both pipelines")
	c := engines.captures()[0]
	starts, _ := c.counts()
	assert.Equal(t, 1, starts)

	c.emit(goldenCalls()[0])
	require.Eventually(t, func() bool { return traces.SpanCount() == 1 }, 5*time.Second, 5*time.Millisecond)

	require.NoError(t, tr.Shutdown(ctx))
	_, shutdowns := c.counts()
	assert.Zero(t, shutdowns, "metrics pipeline still holds the capture")
	require.NoError(t, mr.Shutdown(ctx))
	_, shutdowns = c.counts()
	assert.Equal(t, 1, shutdowns)
	assert.Equal(t, 1, metrics.DataPointCount(), "metrics flushed on shutdown")
}

// Without a traces pipeline, nothing makes trace context: the engine
// links no calls and carries no trace option.
func TestMetricsOnlyMakesNoTraceContext(t *testing.T) {
	for _, traces := range []bool{false, true} {
		engines := &fakeEngines{}
		f := engines.factory()
		cfg := testConfig(f)
		cfg.Traces.Propagation = PropagationTCPOption
		ctx := context.Background()
		var handles []component.Component
		if traces {
			tr, err := f.CreateTraces(ctx, settings(), cfg, consumertest.NewNop())
			require.NoError(t, err)
			handles = append(handles, tr)
		}
		mr, err := f.CreateMetrics(ctx, settings(), cfg, consumertest.NewNop())
		require.NoError(t, err)
		handles = append(handles, mr)
		for _, h := range handles {
			require.NoError(t, h.Start(ctx, componenttest.NewNopHost()))
		}
		got := engines.captures()[0].cfg
		assert.Equal(t, traces, got.TraceContext, "trace context with a traces pipeline: %v", traces)
		assert.Equal(t, traces, got.Propagate, "trace option with a traces pipeline: %v", traces)
		for _, h := range handles {
			require.NoError(t, h.Shutdown(ctx))
		}
	}
}

func TestDistinctConfigsGetDistinctInstances(t *testing.T) {
	f := (&fakeEngines{}).factory()
	ctx := context.Background()
	a, err := f.CreateTraces(ctx, settings(), testConfig(f), consumertest.NewNop())
	require.NoError(t, err)
	b, err := f.CreateTraces(ctx, settings(), testConfig(f), consumertest.NewNop())
	require.NoError(t, err)
	assert.NotSame(t, a.(*sharedHandle).rcv, b.(*sharedHandle).rcv)
	require.NoError(t, a.Shutdown(ctx))
	require.NoError(t, b.Shutdown(ctx))
}

func TestShutdownWithoutStart(t *testing.T) {
	engines := &fakeEngines{}
	f := engines.factory()
	r, err := f.CreateMetrics(context.Background(), settings(), testConfig(f), consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, r.Shutdown(context.Background()))
	require.NoError(t, r.Shutdown(context.Background()))
	assert.Empty(t, engines.captures(), "no capture without Start")
}

func TestStartShutdownShutdown(t *testing.T) {
	engines := &fakeEngines{}
	f := engines.factory()
	r, err := f.CreateTraces(context.Background(), settings(), testConfig(f), consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, r.Shutdown(context.Background()))
	require.NoError(t, r.Shutdown(context.Background()))
	_, shutdowns := engines.captures()[0].counts()
	assert.Equal(t, 1, shutdowns)
}

func TestStartAfterShutdownFails(t *testing.T) {
	rcv := newTestReceiver(t, &fakeEngines{})
	require.NoError(t, rcv.Shutdown(context.Background()))
	assert.ErrorIs(t, rcv.Start(context.Background(), componenttest.NewNopHost()), errStartAfterShutdown)
}

func TestStartFailureCleansUp(t *testing.T) {
	engines := &fakeEngines{startErr: errors.New("load probes: operation not permitted")}
	f := engines.factory()
	r, err := f.CreateTraces(context.Background(), settings(), testConfig(f), consumertest.NewNop())
	require.NoError(t, err)
	err = r.Start(context.Background(), componenttest.NewNopHost())
	require.ErrorContains(t, err, "start ebpf capture: load probes: operation not permitted")
	_, shutdowns := engines.captures()[0].counts()
	assert.Equal(t, 1, shutdowns, "a failed start undoes itself")
	require.NoError(t, r.Shutdown(context.Background()))
}

func TestStartDoesNotKeepContext(t *testing.T) {
	engines := &fakeEngines{}
	f := engines.factory()
	sink := new(consumertest.TracesSink)
	r, err := f.CreateTraces(context.Background(), settings(), testConfig(f), sink)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, r.Start(ctx, componenttest.NewNopHost()))
	cancel()
	engines.captures()[0].emit(goldenCalls()[0])
	require.Eventually(t, func() bool { return sink.SpanCount() == 1 }, 5*time.Second, 5*time.Millisecond)
	require.NoError(t, r.Shutdown(context.Background()))
}

func TestSpansBatchedBySize(t *testing.T) {
	engines := &fakeEngines{}
	f := engines.factory()
	cfg := testConfig(f)
	cfg.Traces = TracesConfig{BatchSize: 3, FlushInterval: time.Hour}
	sink := new(consumertest.TracesSink)
	r, err := f.CreateTraces(context.Background(), settings(), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	emit := engines.captures()[0].emit
	for _, c := range goldenCalls()[:4] {
		emit(c)
	}
	require.Eventually(t, func() bool { return len(sink.AllTraces()) == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, 3, sink.SpanCount())
	require.NoError(t, r.Shutdown(context.Background()))
	assert.Equal(t, 4, sink.SpanCount(), "the rest is flushed on shutdown")
}

func TestConsumerErrorCountsDropsAndReportsStatus(t *testing.T) {
	engines := &fakeEngines{}
	rcv := newTestReceiver(t, engines)
	rcv.nextTraces = consumertest.NewErr(errors.New("exporter queue full"))
	host := newStatusHost()
	require.NoError(t, rcv.Start(context.Background(), host))
	engines.captures()[0].emit(goldenCalls()[0])
	ev := host.next(t)
	assert.Equal(t, componentstatus.StatusRecoverableError, ev.Status())
	assert.ErrorContains(t, ev.Err(), "send spans to next consumer: exporter queue full")
	require.NoError(t, rcv.Shutdown(context.Background()))
	assert.Equal(t, int64(1), rcv.drops.exportFailed.Load())
}

func TestSpansCopyLentCalls(t *testing.T) {
	engines := &fakeEngines{}
	f := engines.factory()
	cfg := testConfig(f)
	cfg.Traces = TracesConfig{BatchSize: 2, FlushInterval: time.Hour}
	sink := new(consumertest.TracesSink)
	r, err := f.CreateTraces(context.Background(), settings(), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	lent := *goldenCalls()[0] // the engine may reuse one call for every emit
	emit := engines.captures()[0].emit
	for _, path := range []string{"/a", "/b", "/c"} {
		lent.HTTP.Path = path
		emit(&lent)
	}
	lent.HTTP.Path = "/changed after emit"
	require.NoError(t, r.Shutdown(context.Background()))
	var paths []string
	for _, td := range sink.AllTraces() {
		forEachSpan(td, func(s ptrace.Span) {
			v, _ := s.Attributes().Get("url.path")
			paths = append(paths, v.Str())
		})
	}
	assert.Equal(t, []string{"/a", "/b", "/c"}, paths, "one full batch, then the partial one at shutdown")
}

func TestFullQueueDropsWithoutBlocking(t *testing.T) {
	drops := &dropCounters{}
	b := newSpanBatcher(TracesConfig{BatchSize: 1, FlushInterval: time.Hour}, consumertest.NewNop(), nil, nil, drops, nil)
	c := goldenCalls()[0]
	for range cap(b.ready) + 10 {
		b.enqueue(c) // the batcher is not running: nothing drains the queue
	}
	assert.Equal(t, int64(10), drops.queueFull.Load())
}

func TestProbeFailuresReported(t *testing.T) {
	engines := &fakeEngines{stats: engine.Stats{ProbesAttached: 10, ProbesFailed: 2}}
	rcv := newTestReceiver(t, engines)
	rcv.checkEvery = time.Millisecond
	host := newStatusHost()
	require.NoError(t, rcv.Start(context.Background(), host))
	ev := host.next(t)
	assert.Equal(t, componentstatus.StatusRecoverableError, ev.Status())
	assert.ErrorContains(t, ev.Err(), "2 of 12 kernel probes failed")
	engines.captures()[0].setStats(engine.Stats{ProbesAttached: 12})
	assert.Equal(t, componentstatus.StatusOK, host.next(t).Status())
	require.NoError(t, rcv.Shutdown(context.Background()))
}

// newTestReceiver creates a receiver with a traces sink and fake captures,
// bypassing the factory.
func newTestReceiver(t *testing.T, engines *fakeEngines) *ebpfReceiver {
	t.Helper()
	f := engines.factory()
	h, err := f.CreateTraces(context.Background(), settings(), testConfig(f), new(consumertest.TracesSink))
	require.NoError(t, err)
	return h.(*sharedHandle).rcv
}

// statusHost records the status events a component reports.
type statusHost struct {
	component.Host
	events chan *componentstatus.Event
}

func newStatusHost() *statusHost {
	return &statusHost{Host: componenttest.NewNopHost(), events: make(chan *componentstatus.Event, 16)}
}

// Report implements componentstatus.Reporter.
func (h *statusHost) Report(ev *componentstatus.Event) { h.events <- ev }

func (h *statusHost) next(t *testing.T) *componentstatus.Event {
	t.Helper()
	select {
	case ev := <-h.events:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no status event")
		return nil
	}
}
