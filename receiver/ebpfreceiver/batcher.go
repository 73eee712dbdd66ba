package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver/receiverhelper"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// minQueuedCalls is the fewest calls the batcher holds before it drops.
const minQueuedCalls = 4096

// spanBatcher takes calls from the engine's emit goroutine without ever
// blocking it, and sends them as spans from its own goroutine. Calls are
// copied into the batch being filled; a full batch (batch_size calls) is
// handed over through a channel, so the batcher's goroutine wakes once per
// batch rather than once per call. A partial batch is taken every
// flush_interval. When the handed-over batches are not sent fast enough, a
// full batch is dropped and counted. Batch storage is recycled.
type spanBatcher struct {
	mu      sync.Mutex
	filling []call.Call // the batch being filled; guarded by mu

	ready    chan []call.Call // full batches waiting to be sent
	spare    chan []call.Call // sent batches, emptied, for reuse
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
	batches := max(8, (minQueuedCalls+cfg.BatchSize-1)/cfg.BatchSize)
	return &spanBatcher{
		ready:    make(chan []call.Call, batches),
		spare:    make(chan []call.Call, batches+1),
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

// enqueue copies a call into the batch being filled; it never blocks and
// does not keep c.
func (b *spanBatcher) enqueue(c *call.Call) {
	b.mu.Lock()
	b.filling = append(b.filling, *c)
	var full []call.Call
	if len(b.filling) >= b.size {
		full, b.filling = b.filling, b.emptyBatch()
	}
	b.mu.Unlock()
	if full != nil {
		b.handOver(full)
	}
}

// handOver queues a full batch for the batcher's goroutine, or drops it
// when the queue is full.
func (b *spanBatcher) handOver(batch []call.Call) {
	select {
	case b.ready <- batch:
	default:
		b.drops.queueFull.Add(int64(len(batch)))
		b.recycle(batch)
	}
}

// emptyBatch returns recycled batch storage, or new storage.
func (b *spanBatcher) emptyBatch() []call.Call {
	select {
	case batch := <-b.spare:
		return batch
	default:
		return make([]call.Call, 0, min(b.size, minQueuedCalls))
	}
}

// recycle empties a batch, releasing what its calls point to, and keeps
// its storage for reuse when there is room.
func (b *spanBatcher) recycle(batch []call.Call) {
	clear(batch)
	select {
	case b.spare <- batch[:0]:
	default:
	}
}

// takeFilling returns the partial batch being filled, if any.
func (b *spanBatcher) takeFilling() []call.Call {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.filling) == 0 {
		return nil
	}
	batch := b.filling
	b.filling = b.emptyBatch()
	return batch
}

// start runs the batching goroutine until shutdown.
func (b *spanBatcher) start() { go b.run() }

func (b *spanBatcher) run() {
	defer close(b.done)
	ticker := time.NewTicker(b.interval)
	defer ticker.Stop()
	for {
		select {
		case batch := <-b.ready:
			b.flush(batch)
		case <-ticker.C:
			b.flush(b.takeFilling())
		case <-b.stop:
			b.drain()
			return
		}
	}
}

// drain sends the queued batches, then the partial one.
func (b *spanBatcher) drain() {
	for {
		select {
		case batch := <-b.ready:
			b.flush(batch)
		default:
			b.flush(b.takeFilling())
			return
		}
	}
}

// flush sends a batch of calls as spans and recycles the batch.
func (b *spanBatcher) flush(batch []call.Call) {
	if len(batch) == 0 {
		return
	}
	td := b.conv.convert(batch)
	b.recycle(batch)
	n := td.SpanCount()
	if n == 0 {
		return
	}
	ctx := b.obs.StartTracesOp(b.ctx)
	err := b.next.ConsumeTraces(ctx, td)
	b.obs.EndTracesOp(ctx, obsFormat, n, err)
	if err != nil {
		b.drops.exportFailed.Add(int64(n))
	}
	b.status.export(signalTraces, err)
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
