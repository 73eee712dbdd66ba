package engine

import (
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/discovery"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracectx"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracer"
)

// maxHeld bounds the calls held back until their trace is known; past it
// the oldest are sent with what is known (their wait becomes a root).
const maxHeld = 1 << 16

// traceState is the engine's part of trace context: which processes link
// their calls how, the Go layouts read per executable, and the calls held
// until their trace is known. Used by Start before the reader goroutine
// runs, then by that goroutine only.
type traceState struct {
	links   *tracectx.Linker
	layouts map[discovery.FileID]*discovery.GoLayout // nil: no layout known
	held    []call.Call                              // oldest first
}

func newTraceState() *traceState {
	return &traceState{links: tracectx.NewLinker(), layouts: make(map[discovery.FileID]*discovery.GoLayout)}
}

// eventLoopPrograms serve many requests on one thread by design: no thread
// is a request's context there.
var eventLoopPrograms = map[string]bool{"nginx": true, "envoy": true, "haproxy": true, "traefik": true, "caddy": true}

// asyncPythonServers run python's asyncio event loop: a timer's or another
// request's call is made on the same thread as the request in progress.
var asyncPythonServers = []string{"uvicorn", "hypercorn", "daphne", "granian", "aiohttp", "sanic", "tornado"}

// eventLoop tells the processes that serve many requests on one thread,
// where a thread is no request's context.
func eventLoop(p *call.Process) bool {
	switch {
	case p.RuntimeName == "node", p.RuntimeName == "dotnet", eventLoopPrograms[p.ExecutableName]:
		return true
	case p.RuntimeName == "python":
		for _, name := range asyncPythonServers {
			if strings.Contains(p.CommandLine, name) {
				return true
			}
		}
	}
	return false
}

// traceJudged gives a process judged selected its linking policy: by
// goroutine for Go programs whose layout is known (the probes then read
// their goroutine ids), none for event-loop runtimes, by thread otherwise.
func (e *Engine) traceJudged(t *tracer.Tracer, p *call.Process, selected bool) {
	if e.rd.trace == nil || !selected {
		return
	}
	policy := tracectx.PolicyThread
	switch {
	case p.RuntimeName == "go":
		policy = e.goPolicy(t, p.PID)
	case eventLoop(p):
		policy = tracectx.PolicyNone
	}
	e.rd.trace.links.SetPolicy(p.PID, policy)
	if e.cfg.Propagate && policy == tracectx.PolicyThread {
		if err := t.SetThreadContext(p.PID, true); err != nil {
			e.logger.Debug("thread context of trace options", zap.Uint32("pid", p.PID), zap.Error(err))
		}
	}
}

// goPolicy reads the layout of Go program pid (once per executable file)
// and hands it to the probes.
func (e *Engine) goPolicy(t *tracer.Tracer, pid uint32) tracectx.Policy {
	exe := filepath.Join(e.cfg.ProcRoot, strconv.FormatUint(uint64(pid), 10), "exe")
	file, err := discovery.FileOf(exe)
	if err != nil {
		return tracectx.PolicyNone
	}
	l, known := e.rd.trace.layouts[file]
	if !known {
		l, err = discovery.ReadGoLayout(exe)
		if err != nil {
			e.logger.Info("Go program without trace context inside the process", zap.Uint32("pid", pid), zap.Error(err))
		}
		e.rd.trace.layouts[file] = l
	}
	if l == nil {
		return tracectx.PolicyNone
	}
	if err := t.SetGoLayout(pid, file, exe, l); err != nil {
		e.logger.Warn("Go client hand-offs not followed", zap.Uint32("pid", pid), zap.Error(err))
	}
	return tracectx.PolicyGoroutine
}

// traceExited forgets a process.
func (e *Engine) traceExited(pid uint32) {
	if e.rd.trace != nil {
		e.rd.trace.links.Forget(pid)
	}
}

// traced fills c's trace context, or holds c (a copy) while its trace
// depends on a server request still waiting for its client's record;
// it reports whether c may go on now.
func (e *Engine) traced(c *call.Call, now uint64) bool {
	if c.Span == nil {
		return true
	}
	ctx, ok := e.rd.trace.links.Resolve(c.Span, now)
	if !ok {
		if len(e.rd.trace.held) >= maxHeld {
			e.release(^uint64(0), 1)
		}
		e.rd.trace.held = append(e.rd.trace.held, *c)
		return false
	}
	c.Start = c.Span.Start(c.Start)
	c.Trace, c.Span = ctx, nil
	return true
}

// release sends, in order, the held calls whose trace is known at record
// time now, and at least the oldest min of them.
func (e *Engine) release(now uint64, min int) {
	held := e.rd.trace.held
	kept := held[:0]
	for i := range held {
		c := &held[i]
		at := now
		if i < min {
			at = ^uint64(0)
		}
		ctx, ok := e.rd.trace.links.Resolve(c.Span, at)
		if !ok {
			kept = append(kept, *c)
			continue
		}
		c.Start = c.Span.Start(c.Start)
		c.Trace, c.Span = ctx, nil
		e.emit(c)
	}
	clear(held[len(kept):])
	e.rd.trace.held = kept
}

// traceIdle releases what waited long enough once the buffer is drained:
// every record queued before now has been read.
func (e *Engine) traceIdle(now time.Time) {
	if e.rd.trace == nil {
		return
	}
	at := uint64(now.UnixNano())
	e.rd.trace.links.Sweep(at)
	e.release(at, 0)
}

// traceStats returns the linking counters; zero without trace context.
func (e *Engine) traceStats() tracectx.Stats {
	if e.rd.trace == nil {
		return tracectx.Stats{}
	}
	return e.rd.trace.links.Stats()
}
