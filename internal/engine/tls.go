package engine

import (
	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/discovery"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracer"
)

// tlsState places the TLS uprobes for selected processes. A process may
// load libssl after its exec (python imports ssl, a plugin is dlopened), so
// a selected process is looked at again when it starts listening. Used by
// Start before the reader goroutine runs, then by that goroutine only.
type tlsState struct {
	finder   *discovery.TLSFinder
	selected map[uint32]struct{} // selected processes, forgotten at exit
}

func newTLSState(procRoot string) *tlsState {
	return &tlsState{finder: discovery.NewTLSFinder(procRoot), selected: make(map[uint32]struct{})}
}

// tlsJudged places the uprobes a process just judged selected needs, and
// forgets a process judged not selected. execPath is its executable's path
// as last read (from procfs, or from its execve when it was already gone).
func (e *Engine) tlsJudged(t *tracer.Tracer, pid uint32, execPath string, selected bool) {
	if e.rd.tls == nil {
		return
	}
	if !selected {
		delete(e.rd.tls.selected, pid)
		return
	}
	e.rd.tls.selected[pid] = struct{}{}
	e.attachTLS(t, pid, execPath)
}

// tlsListened looks again at a selected process that started listening.
func (e *Engine) tlsListened(t *tracer.Tracer, pid uint32) {
	if e.rd.tls == nil {
		return
	}
	if _, ok := e.rd.tls.selected[pid]; ok {
		e.attachTLS(t, pid, "")
	}
}

// tlsExited forgets a process.
func (e *Engine) tlsExited(pid uint32) {
	if e.rd.tls != nil {
		delete(e.rd.tls.selected, pid)
	}
}

// attachTLS places the uprobes of process pid's TLS targets; execPath is
// what its execve was given when it was judged at exec, else empty. Targets
// are probed per file, so later runs of the same executable are covered
// from their first call.
func (e *Engine) attachTLS(t *tracer.Tracer, pid uint32, execPath string) {
	targets, err := e.rd.tls.finder.FindExec(pid, execPath)
	if err != nil || len(targets) == 0 {
		return // gone, or no TLS library (yet)
	}
	n, err := t.AttachTLS(targets)
	if err != nil {
		e.logger.Warn("TLS uprobes not attached", zap.Uint32("pid", pid), zap.Error(err))
	}
	if n > 0 {
		e.logger.Debug("TLS uprobes attached", zap.Uint32("pid", pid), zap.Int("uprobes", n))
	}
}
