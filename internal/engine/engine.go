// Package engine runs the capture: it loads the kernel probes, tells them
// which processes to watch, reassembles each connection's bytes into calls
// and hands every call to the caller's function. It knows nothing of the
// collector.
package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/discovery"
	"github.com/ebpfreceiver/ebpfreceiver/internal/stream"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracer"
)

// Config is what the engine needs to know; the receiver builds it from the
// user's configuration.
type Config struct {
	Instrument      []discovery.Rule // empty: every process
	Exclude         []discovery.Rule
	Protocols       stream.Protocols
	DBQueryText     stream.QueryTextMode
	MaxPayloadBytes int    // bytes captured per syscall, 1..4096
	BufferSize      int    // ring buffer bytes, a power of two
	Transport       string // "auto" or "ringbuf"; "perf" is not available yet
	IdleTimeout     time.Duration
	ProcRoot        string // "/proc" when empty
}

// Stats are the engine's counters since Start, safe to read at any time.
type Stats struct {
	Events         uint64            // records read from the kernel
	LostSamples    uint64            // records the kernel could not queue
	DecodeErrors   map[string]uint64 // by protocol
	CallsEmitted   uint64
	CallsDropped   uint64 // requests seen that became no call: queue full, or unanswered at close
	Connections    int    // connections with state in user space
	ProbesAttached int
	ProbesFailed   int
}

// Engine is one capture. Its methods are safe for concurrent use.
type Engine struct {
	cfg      Config
	logger   *zap.Logger
	emit     func(*call.Call)
	selector *discovery.Selector
	registry *discovery.Registry

	// ignored holds the processes judged not selected when they execed:
	// the kernel captured them until then, and records already queued are
	// dropped. Used by the reader goroutine only.
	ignored map[uint32]struct{}

	mu      sync.Mutex // guards tracer and done across Start and Shutdown
	tracer  *tracer.Tracer
	tracker *stream.Tracker
	done    chan struct{} // closed when the reader goroutine returns

	events atomic.Uint64
}

// New checks cfg and prepares an engine; emit receives each call, from one
// goroutine, and borrows it: the call is valid only until emit returns, so
// emit copies what it keeps.
func New(cfg Config, logger *zap.Logger, emit func(*call.Call)) (*Engine, error) {
	if cfg.ProcRoot == "" {
		cfg.ProcRoot = "/proc"
	}
	if cfg.Transport == "perf" {
		return nil, errors.New("capture transport perf: not available yet; use ringbuf (kernel 5.8 or later)")
	}
	selector, err := discovery.NewSelector(cfg.Instrument, cfg.Exclude, uint32(os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("build process selector: %w", err)
	}
	e := &Engine{
		cfg:      cfg,
		logger:   logger,
		emit:     emit,
		selector: selector,
		registry: discovery.NewRegistry(cfg.ProcRoot),
		ignored:  make(map[uint32]struct{}),
	}
	// The tracker lends one call for every emit instead of allocating one.
	e.tracker = stream.NewTracker(stream.Config{
		IdleTimeout: cfg.IdleTimeout, LendCalls: true,
		Protocols: cfg.Protocols, DBQueryText: cfg.DBQueryText,
	}, e.deliver)
	return e, nil
}

// Start loads and attaches the probes, selects the running processes and
// starts reading. The context is used only during Start.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tracer != nil {
		return errors.New("start capture: already started")
	}
	t, err := tracer.New(tracer.Config{
		MaxPayload: uint32(e.cfg.MaxPayloadBytes),
		BufferSize: e.cfg.BufferSize,
		CaptureAll: e.selector.MatchAll(),
		Protocols: tracer.Protocols{
			HTTP1: e.cfg.Protocols.HTTP1, HTTP2: e.cfg.Protocols.HTTP2 || e.cfg.Protocols.GRPC,
			Postgres: e.cfg.Protocols.Postgres, MySQL: e.cfg.Protocols.MySQL,
		},
	}, e.logger)
	if err != nil {
		return fmt.Errorf("start capture: %w", explainLoadError(err))
	}
	if err := e.selectRunning(ctx, t); err != nil {
		return errors.Join(err, t.Close())
	}
	e.tracer = t
	e.done = make(chan struct{})
	h := &handler{engine: e, tracer: t}
	go func() {
		defer close(e.done)
		if err := t.Run(h); err != nil {
			e.logger.Error("capture reader stopped", zap.Error(err))
		}
	}()
	return nil
}

// selectRunning gives every running process its verdict: the collector is
// always excluded, and only exceptions to the default need an entry.
func (e *Engine) selectRunning(ctx context.Context, t *tracer.Tracer) error {
	if err := t.Capture(uint32(os.Getpid()), false); err != nil {
		return err
	}
	pids, err := discovery.ListPIDs(e.cfg.ProcRoot)
	if err != nil {
		return fmt.Errorf("list processes: %w", err)
	}
	for _, pid := range pids {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		e.decide(t, pid, false)
	}
	return nil
}

// decide reads a process and sets its verdict when it differs from the
// kernel's default; refresh re-reads a process that called execve (its
// executable, command line and environment changed) and drops a verdict that
// no longer applies. Reading at exec also describes processes that exit
// before their calls are delivered. Processes that vanish meanwhile are
// ignored.
func (e *Engine) decide(t *tracer.Tracer, pid uint32, refresh bool) {
	lookup := e.registry.Lookup
	if refresh {
		lookup = e.registry.Refresh
	}
	p, err := lookup(pid)
	if err != nil {
		return
	}
	selected := e.selector.Selected(p)
	if refresh {
		e.judged(pid, selected)
	}
	if selected == e.selector.MatchAll() {
		if refresh {
			t.Forget(pid)
		}
		return
	}
	if err := t.Capture(pid, selected); err != nil {
		e.logger.Debug("set process verdict", zap.Uint32("pid", pid), zap.Error(err))
	}
}

// judged records an exec-time verdict for the reader's filter.
func (e *Engine) judged(pid uint32, selected bool) {
	if selected {
		delete(e.ignored, pid)
		return
	}
	e.ignored[pid] = struct{}{}
}

// deliver completes a call with its process and passes it on.
func (e *Engine) deliver(c *call.Call) {
	p, err := e.registry.Lookup(c.PID)
	if err != nil {
		p = &call.Process{PID: c.PID}
	}
	c.Process = p
	e.emit(c)
}

// Shutdown detaches the probes, stops the reader and waits for it. Safe
// without Start and more than once.
func (e *Engine) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	t, done := e.tracer, e.done
	e.tracer = nil
	e.mu.Unlock()
	if t == nil {
		return nil
	}
	err := t.Close()
	select {
	case <-done:
	case <-ctx.Done():
		return errors.Join(err, fmt.Errorf("wait for capture reader: %w", ctx.Err()))
	}
	return err
}

// Stats returns the counters.
func (e *Engine) Stats() Stats {
	ts := e.tracker.Stats()
	s := Stats{
		Events:       e.events.Load(),
		DecodeErrors: ts.DecodeErrors,
		CallsEmitted: ts.CallsEmitted,
		CallsDropped: ts.PendingDropped,
		Connections:  ts.Connections,
	}
	e.mu.Lock()
	t := e.tracer
	if t != nil {
		for _, p := range t.Probes() {
			if p.Err == nil {
				s.ProbesAttached++
			} else {
				s.ProbesFailed++
			}
		}
		if c, err := t.Counters(); err == nil {
			s.LostSamples = c.LostData + c.LostControl
		}
	}
	e.mu.Unlock()
	return s
}
