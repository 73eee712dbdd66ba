package tracer

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/perf"
	"github.com/cilium/ebpf/ringbuf"
)

// Transport is how records reach user space.
type Transport string

// Transports.
const (
	// TransportAuto is the ring buffer when the kernel has one (5.8 and
	// later), else perf buffers.
	TransportAuto Transport = ""
	// TransportRingbuf is one ring buffer shared by all CPUs.
	TransportRingbuf Transport = "ringbuf"
	// TransportPerf is one perf buffer per CPU, for older kernels.
	TransportPerf Transport = "perf"
)

// resolveTransport turns auto into the transport the kernel supports.
func resolveTransport(t Transport) (Transport, error) {
	switch t {
	case TransportRingbuf, TransportPerf:
		return t, nil
	case TransportAuto:
	default:
		return "", fmt.Errorf("transport %q: must be %q or %q", t, TransportRingbuf, TransportPerf)
	}
	err := features.HaveMapType(ebpf.RingBuf)
	switch {
	case err == nil:
		return TransportRingbuf, nil
	case errors.Is(err, ebpf.ErrNotSupported):
		return TransportPerf, nil
	default:
		return "", fmt.Errorf("probe ring buffer support: %w", err)
	}
}

// placeholderEvents stands for the ring buffer in perf mode: the programs'
// pruned ring buffer branch still names the map, so some map must exist,
// but on a kernel without ring buffer it cannot be one.
var placeholderEvents = ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1}

// setTransport sizes the ring buffer, or, for perf, swaps it for the
// placeholder; the programs' use_perf constant is set with the others.
func setTransport(spec *ebpf.CollectionSpec, t Transport, bufferSize int) {
	events := spec.Maps[captureMapEvents]
	if t == TransportPerf {
		placeholder := placeholderEvents
		placeholder.Name = events.Name
		spec.Maps[captureMapEvents] = &placeholder
		return
	}
	events.MaxEntries = uint32(bufferSize)
}

// errDrained says the reader has nothing more to read for now.
var errDrained = errors.New("drained")

// errReaderClosed says the reader was closed.
var errReaderClosed = errors.New("reader closed")

// recordReader reads records from either transport without allocating.
// Its slices are valid until the next read.
type recordReader interface {
	// read returns the next record, errDrained when none is waiting, or
	// errReaderClosed.
	read() ([]byte, error)
	Close() error
}

// ringReader reads the ring buffer; a deadline in the past makes a read
// return at once when the buffer is empty.
type ringReader struct {
	r   *ringbuf.Reader
	rec ringbuf.Record
}

func newRingReader(events *ebpf.Map) (*ringReader, error) {
	r, err := ringbuf.NewReader(events)
	if err != nil {
		return nil, fmt.Errorf("open ring buffer reader: %w", err)
	}
	r.SetDeadline(time.Unix(1, 0))
	return &ringReader{r: r}, nil
}

func (r *ringReader) read() ([]byte, error) {
	err := r.r.ReadInto(&r.rec)
	switch {
	case err == nil:
		return r.rec.RawSample, nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, errDrained
	case errors.Is(err, ringbuf.ErrClosed):
		return nil, errReaderClosed
	}
	return nil, err
}

func (r *ringReader) Close() error { return r.r.Close() }

// perfReader reads the per-CPU perf buffers. The kernel wakes it only when
// a buffer is half full; each drain starts with a flush, which makes the
// reader return what every buffer holds. Each buffer is in order, but not
// the buffers against each other, and a connection's records come from
// whichever CPU ran the syscall: a drain is therefore copied out and sorted
// by time before its records are handed out, one at a time. Records the
// kernel could not queue are counted by the programs (bpf_perf_event_output
// fails), so the reader's own lost-sample reports are not counted again.
type perfReader struct {
	r     *perf.Reader
	rec   perf.Record
	batch perfBatch
	next  int // index in batch.spans of the record to hand out
}

func newPerfReader(events *ebpf.Map, bufferSize int) (*perfReader, error) {
	perCPU := perCPUBuffer(bufferSize, runtime.NumCPU())
	r, err := perf.NewReaderWithOptions(events, perCPU, perf.ReaderOptions{Watermark: perCPU / 2})
	if err != nil {
		return nil, fmt.Errorf("open perf buffer reader: %w", err)
	}
	return &perfReader{r: r}, nil
}

// perCPUBuffer splits the configured buffer across CPUs, at least one page
// each.
func perCPUBuffer(total, cpus int) int {
	return max(total/max(cpus, 1), os.Getpagesize())
}

func (p *perfReader) read() ([]byte, error) {
	if p.next == len(p.batch.spans) {
		p.batch.reset()
		p.next = 0
		if err := p.drain(); err != nil {
			return nil, err
		}
		if len(p.batch.spans) == 0 {
			return nil, errDrained
		}
		p.batch.sort()
	}
	p.next++
	return p.batch.record(p.next - 1), nil
}

// drain copies every record the buffers hold into the batch.
func (p *perfReader) drain() error {
	if err := p.r.Flush(); err != nil {
		return p.closedOr(err)
	}
	for {
		err := p.r.ReadInto(&p.rec)
		switch {
		case err == nil && p.rec.LostSamples == 0:
			p.batch.add(p.rec.RawSample)
		case err == nil:
		case errors.Is(err, perf.ErrFlushed):
			return nil
		default:
			return p.closedOr(err)
		}
	}
}

func (p *perfReader) closedOr(err error) error {
	if errors.Is(err, perf.ErrClosed) || errors.Is(err, os.ErrClosed) {
		return errReaderClosed
	}
	return err
}

func (p *perfReader) Close() error { return p.r.Close() }
