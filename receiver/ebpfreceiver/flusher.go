package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
)

// obsFormat is the data format reported to the collector's receiver
// telemetry (accepted/refused spans and points).
const obsFormat = "ebpf"

// metricsFlusher sends the aggregated histograms every interval, and once
// more on shutdown, from its own goroutine.
type metricsFlusher struct {
	agg      *aggregator
	conv     *metricConverter
	next     consumer.Metrics
	interval time.Duration
	now      func() time.Time
	obs      *receiverhelper.ObsReport
	status   *statusReporter

	ctx    context.Context // for the next consumer; cancelled when Shutdown's deadline passes
	cancel context.CancelFunc
	stop   chan struct{}
	done   chan struct{}
}

func newMetricsFlusher(agg *aggregator, conv *metricConverter, next consumer.Metrics, interval time.Duration,
	now func() time.Time, obs *receiverhelper.ObsReport, status *statusReporter,
) *metricsFlusher {
	ctx, cancel := context.WithCancel(context.Background())
	return &metricsFlusher{
		agg: agg, conv: conv, next: next, interval: interval, now: now, obs: obs, status: status,
		ctx: ctx, cancel: cancel, stop: make(chan struct{}), done: make(chan struct{}),
	}
}

// start runs the flushing goroutine until shutdown.
func (f *metricsFlusher) start() { go f.run() }

func (f *metricsFlusher) run() {
	defer close(f.done)
	ticker := time.NewTicker(f.interval)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			f.flush()
		case <-f.stop:
			f.flush()
			return
		}
	}
}

// flush sends one interval's histograms, if any.
func (f *metricsFlusher) flush() {
	nowNs := uint64(f.now().UnixNano())
	md := f.conv.convert(f.agg.collect(nowNs), nowNs)
	n := md.DataPointCount()
	if n == 0 {
		return
	}
	ctx := f.obs.StartMetricsOp(f.ctx)
	err := f.next.ConsumeMetrics(ctx, md)
	f.obs.EndMetricsOp(ctx, obsFormat, n, err)
	f.status.export(signalMetrics, err)
}

// shutdown stops the goroutine after a last flush. If ctx ends first, the
// consumer's context is cancelled and shutdown still waits for the goroutine.
func (f *metricsFlusher) shutdown(ctx context.Context) error {
	close(f.stop)
	defer f.cancel()
	select {
	case <-f.done:
		return nil
	case <-ctx.Done():
		f.cancel()
		<-f.done
		return ctx.Err()
	}
}
