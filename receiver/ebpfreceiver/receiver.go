package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/engine"
	"github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver/internal/metadata"
)

// probeCheckInterval is how often the engine's probe and loss counters are
// turned into component status.
const probeCheckInterval = 5 * time.Second

var errStartAfterShutdown = errors.New("start ebpf receiver: already shut down")

// capture is what the receiver needs of the capture engine.
type capture interface {
	Start(ctx context.Context) error
	Shutdown(ctx context.Context) error
	Stats() engine.Stats
}

// newCaptureFunc creates the capture engine; tests replace it with a fake.
// emit is called for each call from one goroutine and keeps nothing of the
// call after it returns (spans copy it), so the engine may reuse the call.
type newCaptureFunc func(cfg engine.Config, logger *zap.Logger, emit func(*call.Call)) (capture, error)

// ebpfReceiver is one capture engine serving the traces and the metrics
// pipelines of one receiver configuration.
type ebpfReceiver struct {
	cfg         *Config
	set         receiver.Settings
	newCapture  newCaptureFunc
	host        hostInfo
	now         func() time.Time
	checkEvery  time.Duration
	telemetry   *metadata.TelemetryBuilder
	nextTraces  consumer.Traces  // nil without a traces pipeline
	nextMetrics consumer.Metrics // nil without a metrics pipeline
	drops       dropCounters

	// Set in Start before the engine runs, read by emit, never reassigned.
	spans *spanBatcher
	agg   *aggregator

	mu       sync.Mutex // serialises Start and Shutdown
	started  bool
	stopped  bool
	startErr error
	stops    []func(context.Context) error // what Start started, undone in reverse
}

func newReceiver(cfg *Config, set receiver.Settings, newCapture newCaptureFunc) (*ebpfReceiver, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("create ebpf receiver telemetry: %w", err)
	}
	host := readHostInfo()
	return &ebpfReceiver{
		cfg: cfg, set: set, newCapture: newCapture, host: host,
		now: time.Now, checkEvery: probeCheckInterval, telemetry: tb,
	}, nil
}

// Start creates and starts the capture engine and the span and metric
// pipelines. ctx is used only during Start; later errors go to the host as
// component status.
func (r *ebpfReceiver) Start(ctx context.Context, host component.Host) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.stopped:
		return errStartAfterShutdown
	case r.started:
		return r.startErr
	}
	r.started = true
	if r.startErr = r.start(ctx, host); r.startErr != nil {
		r.startErr = errors.Join(r.startErr, r.stopAll(ctx))
	}
	return r.startErr
}

func (r *ebpfReceiver) start(ctx context.Context, host component.Host) error {
	status := newStatusReporter(host)
	if err := r.startPipelines(status); err != nil {
		return err
	}
	c, err := r.newCapture(r.engineConfig(), r.set.Logger, r.emit)
	if err != nil {
		return fmt.Errorf("create ebpf capture: %w", err)
	}
	r.stops = append(r.stops, c.Shutdown)
	if err = r.registerTelemetry(c); err != nil {
		return err
	}
	if err = c.Start(ctx); err != nil {
		return fmt.Errorf("start ebpf capture: %w", err)
	}
	stats := c.Stats()
	r.set.Logger.Info("eBPF capture started",
		zap.Int("probes_attached", stats.ProbesAttached), zap.Int("probes_failed", stats.ProbesFailed))
	r.stops = append(r.stops, r.watchProbes(c, status))
	return nil
}

// engineConfig is the capture's configuration for the pipelines that
// exist: without a traces pipeline nothing reads a span's context, so the
// probes and the linking that make it, and the trace option that would
// carry it to other nodes, stay off.
func (r *ebpfReceiver) engineConfig() engine.Config {
	cfg := r.cfg.engineConfig()
	if r.nextTraces == nil {
		cfg.TraceContext, cfg.Propagate = false, false
	}
	return cfg
}

// startPipelines starts the span batcher and the metrics flusher of the
// pipelines that exist.
func (r *ebpfReceiver) startPipelines(status *statusReporter) error {
	obs, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID: r.set.ID, Transport: obsFormat, ReceiverCreateSettings: r.set,
	})
	if err != nil {
		return fmt.Errorf("create receiver telemetry: %w", err)
	}
	version := r.set.BuildInfo.Version
	optIn := parseOptIn(r.cfg.OptInAttributes)
	if r.nextTraces != nil {
		conv := newSpanConverter(r.host, version).withOptIn(optIn)
		r.spans = newSpanBatcher(r.cfg.Traces, r.nextTraces, conv, obs, &r.drops, status)
		r.spans.start()
		r.stops = append(r.stops, r.spans.shutdown)
	}
	if r.nextMetrics != nil {
		delta := r.cfg.Metrics.Temporality == TemporalityDelta
		r.agg = newAggregator(delta, uint64(r.now().UnixNano())).withOptIn(optIn)
		r.agg.limit = r.cfg.Metrics.CardinalityLimit
		conv := newMetricConverter(r.host, version, delta).withOptIn(optIn)
		f := newMetricsFlusher(r.agg, conv, r.nextMetrics, r.cfg.Metrics.Interval, r.now, obs, status)
		f.start()
		r.stops = append(r.stops, f.shutdown)
	}
	return nil
}

func (r *ebpfReceiver) registerTelemetry(c capture) error {
	src := telemetrySources{stats: c.Stats, drops: &r.drops}
	if r.agg != nil {
		src.overflows = r.agg.overflows.Load
	}
	if err := registerTelemetry(r.telemetry, src); err != nil {
		return fmt.Errorf("register ebpf receiver telemetry: %w", err)
	}
	return nil
}

// emit receives each call from the engine's goroutine; it must stay cheap
// and must not keep c.
func (r *ebpfReceiver) emit(c *call.Call) {
	if r.agg != nil {
		r.agg.record(c)
	}
	if r.spans != nil {
		r.spans.enqueue(c)
	}
}

// watchProbes reports the engine's probe and loss counters as component
// status until the returned function stops it.
func (r *ebpfReceiver) watchProbes(c capture, status *statusReporter) func(context.Context) error {
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		ticker := time.NewTicker(r.checkEvery)
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
				s := c.Stats()
				status.probes(s.ProbesAttached, s.ProbesFailed, s.FailedProbes)
				status.losses(s.LostSamples, uint64(r.drops.queueFull.Load()))
			case <-stop:
				return
			}
		}
	}()
	return func(context.Context) error {
		close(stop)
		<-done
		return nil
	}
}

// Shutdown stops the engine first, then flushes and stops the pipelines. It
// is safe without Start and more than once.
func (r *ebpfReceiver) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return nil
	}
	r.stopped = true
	err := r.stopAll(ctx)
	r.telemetry.Shutdown()
	return err
}

// stopAll undoes what Start did, in reverse order.
func (r *ebpfReceiver) stopAll(ctx context.Context) error {
	var errs []error
	for _, stop := range slices.Backward(r.stops) {
		errs = append(errs, stop(ctx))
	}
	r.stops = nil
	return errors.Join(errs...)
}
