package engine

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/discovery"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracer"
)

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
		e.decide(t, pid)
	}
	return nil
}

// decide reads a running process and sets its verdict when it differs from
// the kernel's default. Processes that vanish meanwhile are ignored.
func (e *Engine) decide(t *tracer.Tracer, pid uint32) {
	if p, err := e.registry.Lookup(pid); err == nil {
		e.judge(t, p, false)
	}
}

// execed judges a process that called execve: its executable, command line
// and environment changed, so it is read again, and a verdict that no
// longer applies is dropped. Reading at exec also describes processes that
// exit before their calls are delivered; one that exited before procfs
// could be read, or whose procfs had lost its executable (a zombie's has),
// is described from what execve was given. A short-lived client is often
// judged only after it has exited: judged without its executable, it
// would be excluded and its calls, already read, dropped.
func (e *Engine) execed(t *tracer.Tracer, pid uint32, path string, argv []string) {
	delete(e.rd.forks, pid)
	e.traceExited(pid) // its requests were the old program's
	p, err := e.registry.Refresh(pid)
	switch {
	case err != nil:
		p = discovery.ProcessFromExec(pid, path, argv)
		e.registry.Put(p)
	case p.ExecutablePath == "" && path != "":
		p = discovery.CompleteFromExec(p, path, argv)
		e.registry.Put(p)
	}
	e.judge(t, p, true)
}

// judge applies the rules to p and sets its verdict; again says p was
// judged before (at exec, or before it listened or grew older), so a
// verdict that no longer applies is dropped.
func (e *Engine) judge(t *tracer.Tracer, p *call.Process, again bool) {
	age := time.Duration(1<<63 - 1)
	if e.selector.NeedsAge() {
		age = discovery.ProcessAge(e.cfg.ProcRoot, p)
	}
	v := e.selector.Judge(p, age)
	if v.Recheck > 0 {
		e.scheduleRecheck(p, v.Recheck)
	}
	if v.Selected && v.Rule != nil && (v.Rule.ServiceName != "" || v.Rule.ServiceNamespace != "") {
		e.registry.Name(p.PID, v.Rule.ServiceName, v.Rule.ServiceNamespace)
	}
	if again {
		e.judged(p.PID, v.Selected)
	}
	// The kernel learns the verdict first: a process is pending until
	// then, and sends no trace option while it is; placing probes and
	// reading a Go program's layout take longer.
	switch {
	case v.Selected != e.selector.MatchAll():
		if err := t.Capture(p.PID, v.Selected); err != nil {
			e.logger.Debug("set process verdict", zap.Uint32("pid", p.PID), zap.Error(err))
		}
	case again:
		t.Forget(p.PID)
	}
	e.tlsJudged(t, p.PID, p.ExecutablePath, v.Selected)
	e.traceJudged(t, p, v.Selected)
}

// listened judges again a process that started listening on port, when
// rules match on ports.
func (e *Engine) listened(t *tracer.Tracer, pid uint32, port uint16) {
	if !e.selector.NeedsPorts() {
		return
	}
	if p, ok := e.registry.AddListenPort(pid, port); ok {
		e.judge(t, p, true)
		return
	}
	if p, err := e.registry.Lookup(pid); err == nil { // reads the port from procfs
		e.judge(t, p, true)
	}
}

// judged records an exec-time verdict for the reader's filter.
func (e *Engine) judged(pid uint32, selected bool) {
	if selected {
		delete(e.rd.ignored, pid)
		return
	}
	e.rd.ignored[pid] = struct{}{}
}

// forked describes a child that a captured (or not yet judged) process
// forked without exec: as its parent when the parent is known. A child
// that inherited a pending verdict is judged after the records read with
// its fork.
func (e *Engine) forked(child, parent uint32, startNs uint64, verdict uint8) {
	e.registry.Inherit(child, parent, startNs)
	if verdict == tracer.VerdictPendingFork {
		e.rd.forks[child] = struct{}{}
	}
}

// judgeForks judges the children forked while their parent waited for
// judgement, if they still wait: one that exec'ed since has the kernel's
// exec-time pending verdict and is judged with its exec.
func (e *Engine) judgeForks(t *tracer.Tracer) {
	for child := range e.rd.forks {
		delete(e.rd.forks, child)
		if v, ok := t.Verdict(child); !ok || v != tracer.VerdictPendingFork {
			continue
		}
		if p, err := e.registry.Lookup(child); err == nil {
			e.judge(t, p, true)
		}
	}
}
