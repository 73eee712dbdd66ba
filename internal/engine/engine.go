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
	"github.com/ebpfreceiver/ebpfreceiver/internal/route"
	"github.com/ebpfreceiver/ebpfreceiver/internal/stream"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracectx"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracer"
)

// Config is what the engine needs to know; the receiver builds it from the
// user's configuration.
type Config struct {
	Instrument      []discovery.Rule // empty: every process
	Exclude         []discovery.Rule
	Protocols       stream.Protocols
	Routes          route.Config
	DBQueryText     stream.QueryTextMode
	MaxPayloadBytes int    // bytes captured per syscall, 1..4096
	BufferSize      int    // ring buffer bytes, a power of two
	Transport       string // "auto", "ringbuf" or "perf"
	IdleTimeout     time.Duration
	ProcRoot        string // "/proc" when empty
	BreakProbe      string // tests only: see tracer.Config.BreakProbe
	// SyscallHook forces one way of hooking syscalls (tests only); empty,
	// the tracer chooses (see tracer.Config.Hook).
	SyscallHook tracer.SyscallHook
	TLS         bool // plaintext of TLS libraries, through uprobes
	// TraceContext links calls into traces (see internal/tracectx); off,
	// every call is a root of its own.
	TraceContext bool
	// Propagate carries trace context between nodes in a TCP option
	// (see tracer.Config.Propagate); it needs TraceContext.
	Propagate bool
	// PropagateCgroup is where the sockops program attaches; empty, the
	// cgroup v2 root (see tracer.Config.PropagateCgroup).
	PropagateCgroup string
	// QueueTime measures how long servers' requests waited in their
	// sockets (see tracer.Config.QueueTime).
	QueueTime bool
}

// Stats are the engine's counters since Start, safe to read at any time.
type Stats struct {
	Events       uint64            // records read from the kernel
	LostSamples  uint64            // records the kernel could not queue
	LostRequests uint64            // of those, records that started an HTTP/1 request
	DecodeErrors map[string]uint64 // by protocol
	CallsEmitted uint64
	CallsDropped uint64 // requests seen that became no call: queue full, or unanswered at close
	CallsIgnored uint64 // HTTP calls to paths the routes' ignore list drops
	// EncryptedSkipped and DBServerSessions count connections not
	// decoded: database connections that switched to TLS, and the
	// database server's side of connections (the client's side reports).
	EncryptedSkipped uint64
	DBServerSessions uint64
	// TLSUndecoded counts TLS connections that ended with no plaintext
	// seen: their process's TLS library was not probed in time, or is not
	// supported.
	TLSUndecoded uint64
	// Trace counts how calls got their parents, or why they have none.
	Trace tracectx.Stats
	// OptionNoRoom counts requests whose first segment had no room for
	// the trace option; OptionOldConns connections opened before the
	// capture started, whose requests carry none.
	OptionNoRoom, OptionOldConns uint64
	// HTTP/2 streams and header fields the capture could not tell (see
	// stream.Stats).
	HeaderFieldsUnknown uint64
	HeaderTablesLost    uint64
	StreamsUnidentified uint64
	Connections         int // connections with state in user space
	Processes           int // processes described in user space
	Verdicts            int // processes with an exec-time verdict or a pending re-judgement
	ProbesAttached      int
	ProbesFailed        int
	FailedProbes        []string // names of the probes not running
}

// Engine is one capture. Its methods are safe for concurrent use.
type Engine struct {
	cfg      Config
	logger   *zap.Logger
	emit     func(*call.Call)
	selector *discovery.Selector
	registry *discovery.Registry
	// rd is the state of the reader goroutine, all of it in one place:
	// Start uses it before the goroutine runs, then the goroutine alone
	// (Stats reads only what is safe from any goroutine).
	rd *reader

	mu     sync.Mutex // guards tracer and done across Start and Shutdown
	tracer *tracer.Tracer
	done   chan struct{} // closed when the reader goroutine returns

	events   atomic.Uint64
	ignores  atomic.Uint64
	verdicts atomic.Int64 // len(ignored) + len(rechecks), published by the reader
}

// New checks cfg and prepares an engine; emit receives each call, from one
// goroutine, and borrows it: the call is valid only until emit returns, so
// emit copies what it keeps.
func New(cfg Config, logger *zap.Logger, emit func(*call.Call)) (*Engine, error) {
	if cfg.ProcRoot == "" {
		cfg.ProcRoot = "/proc"
	}
	selector, err := discovery.NewSelector(cfg.Instrument, cfg.Exclude, uint32(os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("build process selector: %w", err)
	}
	router, err := route.New(cfg.Routes)
	if err != nil {
		return nil, fmt.Errorf("build routes: %w", err)
	}
	e := &Engine{
		cfg:      cfg,
		logger:   logger,
		emit:     emit,
		selector: selector,
		registry: discovery.NewRegistry(cfg.ProcRoot, selector.NeedsPorts()),
		rd:       &reader{router: router, ignored: make(map[uint32]struct{}), forks: make(map[uint32]struct{})},
	}
	e.rd.engine = e
	if cfg.TLS {
		e.rd.tls = newTLSState(cfg.ProcRoot)
	}
	scfg := stream.Config{
		IdleTimeout: cfg.IdleTimeout, LendCalls: true, // one call lent for every emit
		Protocols: cfg.Protocols, DBQueryText: cfg.DBQueryText,
	}
	if cfg.TraceContext {
		e.rd.trace = newTraceState()
		scfg.Links = e.rd.trace.links
	}
	e.rd.tracker = stream.NewTracker(scfg, e.deliver)
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
	if err := tracer.Preflight(transportOf(e.cfg.Transport)); err != nil {
		return fmt.Errorf("start capture: %w", err)
	}
	t, err := tracer.New(tracer.Config{
		MaxPayload: uint32(e.cfg.MaxPayloadBytes),
		BufferSize: e.cfg.BufferSize,
		Transport:  transportOf(e.cfg.Transport),
		CaptureAll: e.selector.MatchAll(),
		BreakProbe: e.cfg.BreakProbe,
		Hook:       e.cfg.SyscallHook,
		TLS:        e.cfg.TLS,
		GoContext:  e.cfg.TraceContext,
		Propagate:  e.cfg.Propagate,

		PropagateCgroup: e.cfg.PropagateCgroup,
		Protocols:       tracer.Protocols(e.cfg.Protocols.Mask()),
		QueueTime:       e.cfg.QueueTime,
	}, e.logger)
	if err != nil {
		return fmt.Errorf("start capture: %w", explainLoadError(err))
	}
	if e.rd.trace != nil && e.cfg.Propagate {
		e.rd.trace.links.OnEventLoop(func(pid uint32) {
			if err := t.SetThreadContext(pid, false); err != nil {
				e.logger.Debug("thread context of trace options", zap.Uint32("pid", pid), zap.Error(err))
			}
		})
	}
	if err := e.selectRunning(ctx, t); err != nil {
		return errors.Join(err, t.Close())
	}
	e.tracer = t
	e.done = make(chan struct{})
	e.rd.tracer = t
	go func() {
		defer close(e.done)
		if err := t.Run(e.rd); err != nil {
			e.logger.Error("capture reader stopped", zap.Error(err))
		}
		if e.rd.trace != nil { // what waited goes with what is known
			e.release(^uint64(0), len(e.rd.trace.held))
		}
	}()
	return nil
}

// deliver completes a call with its process, route and trace context and
// passes it on, unless its path is ignored; a call whose trace is not
// known yet is held (see traced).
func (e *Engine) deliver(c *call.Call) {
	if c.Protocol.Family() == call.FamilyHTTP {
		var ignore bool
		if c.HTTP.Route, ignore = e.rd.router.Route(c.HTTP.Path); ignore {
			e.ignores.Add(1)
			return
		}
	}
	p, err := e.registry.Lookup(c.PID)
	if err != nil {
		p = &call.Process{PID: c.PID}
	}
	c.Process = p
	if e.rd.trace != nil && !e.traced(c, e.rd.now) {
		return
	}
	e.emit(c)
}

// Shutdown stops the reader and waits for it, then detaches the probes and
// frees the maps, which the reader uses to set verdicts. Safe without Start
// and more than once.
func (e *Engine) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	t, done := e.tracer, e.done
	e.tracer = nil
	e.mu.Unlock()
	if t == nil {
		return nil
	}
	err := t.StopReading()
	select {
	case <-done:
	case <-ctx.Done():
		// The reader still uses the maps: they are freed once it returns.
		go func() {
			<-done
			_ = t.Close()
		}()
		return errors.Join(err, fmt.Errorf("wait for capture reader: %w", ctx.Err()))
	}
	return errors.Join(err, t.Close())
}

// Stats returns the counters.
func (e *Engine) Stats() Stats {
	ts := e.rd.tracker.Stats()
	s := Stats{
		Events:       e.events.Load(),
		DecodeErrors: ts.DecodeErrors,
		CallsEmitted: ts.CallsEmitted,
		CallsDropped: ts.PendingDropped,
		CallsIgnored: e.ignores.Load(),

		EncryptedSkipped:    ts.EncryptedSkipped,
		DBServerSessions:    ts.DBServerSessions,
		Trace:               e.traceStats(),
		HeaderFieldsUnknown: ts.HeaderFieldsUnknown,
		HeaderTablesLost:    ts.HeaderTablesLost,
		StreamsUnidentified: ts.StreamsUnidentified,
		Connections:         ts.Connections,
		Processes:           e.registry.Len(),
		Verdicts:            int(e.verdicts.Load()),
	}
	e.mu.Lock()
	t := e.tracer
	if t != nil {
		for _, p := range t.Probes() {
			if p.Err == nil {
				s.ProbesAttached++
			} else {
				s.ProbesFailed++
				s.FailedProbes = append(s.FailedProbes, p.Name)
			}
		}
		if c, err := t.Counters(); err == nil {
			s.LostSamples = c.LostData + c.LostControl
			s.LostRequests = c.LostRequests
			s.TLSUndecoded = c.TLSUndecoded
			s.OptionNoRoom, s.OptionOldConns = c.WireNoRoom, c.WireOldConns
		}
	}
	e.mu.Unlock()
	return s
}

// transportOf maps the configured transport to the tracer's; "auto" (or
// nothing) lets the tracer choose.
func transportOf(s string) tracer.Transport {
	if s == "auto" {
		return tracer.TransportAuto
	}
	return tracer.Transport(s)
}
