package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver/receiverhelper"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// minQueuedCalls is the smallest capacity of the batcher's queue.
const minQueuedCalls = 4096

// spanBatcher takes calls from the engine's emit goroutine without ever
// blocking it (a full queue drops the call and counts it), and sends them as
// spans from its own goroutine when batch_size calls are pending or
// flush_interval has passed.
type spanBatcher struct {
	queue    chan *call.Call
	next     consumer.Traces
	conv     *spanConverter
	size     int
	interval time.Duration
	obs      *receiverhelper.ObsReport
	drops    *dropCounters
	status   *statusReporter

	ctx    context.Context // for the next consumer; cancelled when Shutdown's deadline passes
	cancel context.CancelFunc
	stop   chan struct{}
	done   chan struct{}
}

func newSpanBatcher(cfg TracesConfig, next consumer.Traces, conv *spanConverter, obs *receiverhelper.ObsReport,
	drops *dropCounters, status *statusReporter,
) *spanBatcher {
	ctx, cancel := context.WithCancel(context.Background())
	return &spanBatcher{
		queue:    make(chan *call.Call, max(8*cfg.BatchSize, minQueuedCalls)),
		next:     next,
		conv:     conv,
		size:     cfg.BatchSize,
		interval: cfg.FlushInterval,
		obs:      obs,
		drops:    drops,
		status:   status,
		ctx:      ctx,
		cancel:   cancel,
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
}

// enqueue hands a call to the batcher; it never blocks.
func (b *spanBatcher) enqueue(c *call.Call) {
	select {
	case b.queue <- c:
	default:
		b.drops.queueFull.Add(1)
	}
}

// start runs the batching goroutine until shutdown.
func (b *spanBatcher) start() { go b.run() }

func (b *spanBatcher) run() {
	defer close(b.done)
	ticker := time.NewTicker(b.interval)
	defer ticker.Stop()
	pending := make([]*call.Call, 0, b.size)
	for {
		select {
		case c := <-b.queue:
			if pending = append(pending, c); len(pending) >= b.size {
				pending = b.flush(pending)
			}
		case <-ticker.C:
			pending = b.flush(pending)
		case <-b.stop:
			b.drain(pending)
			return
		}
	}
}

// drain sends what is pending and what is still queued.
func (b *spanBatcher) drain(pending []*call.Call) {
	for {
		select {
		case c := <-b.queue:
			if pending = append(pending, c); len(pending) >= b.size {
				pending = b.flush(pending)
			}
		default:
			b.flush(pending)
			return
		}
	}
}

// flush sends pending calls as spans and returns the emptied slice.
func (b *spanBatcher) flush(pending []*call.Call) []*call.Call {
	if len(pending) == 0 {
		return pending
	}
	td := b.conv.convert(pending)
	clear(pending) // let the calls be collected
	n := td.SpanCount()
	if n > 0 {
		ctx := b.obs.StartTracesOp(b.ctx)
		err := b.next.ConsumeTraces(ctx, td)
		b.obs.EndTracesOp(ctx, obsFormat, n, err)
		if err != nil {
			b.drops.exportFailed.Add(int64(n))
		}
		b.status.export(signalTraces, err)
	}
	return pending[:0]
}

// shutdown stops the goroutine after a last flush. If ctx ends first, the
// consumer's context is cancelled and shutdown still waits for the goroutine.
func (b *spanBatcher) shutdown(ctx context.Context) error {
	close(b.stop)
	defer b.cancel()
	select {
	case <-b.done:
		return nil
	case <-ctx.Done():
		b.cancel()
		<-b.done
		return ctx.Err()
	}
}
