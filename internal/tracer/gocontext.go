package tracer

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/discovery"
)

// HandoffEvent is an EVENT_HANDOFF record: goroutine Goid of process Pid
// has its next request on connection ConnId written by another goroutine.
type HandoffEvent = gocontextHandoffEvent

// HandoffHandler is implemented by a Handler that follows Go's hand-offs
// (bpf/gocontext.c); other handlers never see those records.
type HandoffHandler interface {
	Handoff(ev *HandoffEvent)
}

// goContextProbes is the Go hand-off program and its uprobes, attached once
// per executable (see fileLinks): the program returns at once in processes
// without a layout in go_layouts.
type goContextProbes struct {
	progs gocontextPrograms
	links fileLinks
}

// loadGoContext loads the hand-off program against the capture maps.
func loadGoContext(cfg Config, shared map[string]*ebpf.Map) (*goContextProbes, error) {
	spec, err := loadGocontext()
	if err != nil {
		return nil, fmt.Errorf("load gocontext spec: %w", err)
	}
	p := &goContextProbes{links: newFileLinks()}
	vars := map[string]any{
		gocontextVarUsePerf:     boolByte(cfg.Transport == TransportPerf),
		gocontextVarArgsAtEntry: boolByte(!cfg.kernel.taskRegs),
	}
	if err := loadSharing(spec, cfg, vars, shared, &p.progs); err != nil {
		return nil, fmt.Errorf("load gocontext programs: %w", err)
	}
	return p, nil
}

// openGoContext loads the hand-off program; a failure is reported as a
// probe that does not run, and Go client calls then go unlinked.
func (t *Tracer) openGoContext(cfg Config) {
	p := &Probe{hook: hook{Name: "go_http_roundtrip"}}
	t.goctx, p.Err = loadGoContext(cfg, t.maps)
	if p.Err != nil {
		t.logger.Warn("Go client hand-offs not followed", zap.Error(p.Err))
	}
	t.probes = append(t.probes, p)
}

// SetGoLayout tells the programs where process pid, a Go program, keeps
// its goroutine id and its net/http connections, and places the hand-off
// uprobe on its executable (at path, identified by file) when it has a
// net/http client. The kernel forgets the layout when the process execs or
// exits.
func (t *Tracer) SetGoLayout(pid uint32, file discovery.FileID, path string, l *discovery.GoLayout) error {
	kl := captureGoLayout{G_offset: l.GOffset, GoidOffset: l.GoidOffset, PconnConn: l.PconnConn, TcpconnHash: l.TCPConnHash}
	if err := t.maps[captureMapGoLayouts].Put(pid, kl); err != nil {
		return fmt.Errorf("set Go layout of pid %d: %w", pid, err)
	}
	if t.goctx == nil || !l.HasHTTPClient() {
		return nil
	}
	return t.goctx.attach(file, path)
}

// ForgetGoLayout removes a process's layout.
func (t *Tracer) ForgetGoLayout(pid uint32) error {
	err := t.maps[captureMapGoLayouts].Delete(pid)
	if err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
		return fmt.Errorf("forget Go layout of pid %d: %w", pid, err)
	}
	return nil
}

func (p *goContextProbes) attach(file discovery.FileID, path string) error {
	_, err := p.links.attach(file, func() ([]link.Link, error) {
		ex, err := link.OpenExecutable(path)
		if err != nil {
			return nil, fmt.Errorf("open %s for uprobes: %w", path, err)
		}
		l, err := ex.Uprobe(discovery.GoHTTPRoundTrip, p.progs.GoHttpRoundtrip, nil)
		if err != nil {
			return nil, fmt.Errorf("attach uprobe %s in %s: %w", discovery.GoHTTPRoundTrip, path, err)
		}
		return []link.Link{l}, nil
	})
	return err
}

// close detaches every uprobe, then closes the program.
func (p *goContextProbes) close() error {
	return errors.Join(closeLinks(p.links.take()), p.progs.Close())
}
