package tracer

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"go.uber.org/zap"
)

// Probe is one program and its link.
type Probe struct {
	Name string
	Hook string // raw tracepoint it attaches to
	Err  error  // why it does not run; nil when attached
	prog *ebpf.Program
	link link.Link
}

// ProbeStatus is a probe's outcome, for status and self-telemetry.
type ProbeStatus struct {
	Name string
	Err  error
}

// hooks maps each program to the raw tracepoint it attaches to. Raw
// tracepoints need neither kprobes nor tracefs.
var hooks = []struct{ prog, tracepoint string }{
	{captureProgOnSysExit, "sys_exit"},
	{captureProgOnSockState, "inet_sock_set_state"},
	{captureProgOnSchedExec, "sched_process_exec"},
	{captureProgOnSchedExit, "sched_process_exit"},
}

// loadProbes loads and attaches each program on its own, so one refusal
// leaves the others running.
func loadProbes(spec *ebpf.CollectionSpec, maps map[string]*ebpf.Map, logger *zap.Logger) []*Probe {
	probes := make([]*Probe, 0, len(hooks))
	// One cache, so the kernel's BTF is parsed once for all the loads.
	opts := ebpf.CollectionOptions{MapReplacements: maps, Cache: btf.NewCache()}
	for _, h := range hooks {
		p := &Probe{Name: h.prog, Hook: h.tracepoint}
		p.Err = p.load(spec, opts)
		if p.Err == nil {
			p.Err = p.attach()
		}
		if p.Err != nil {
			logger.Warn("probe not running", zap.String("probe", p.Name), zap.Error(p.Err))
		}
		probes = append(probes, p)
	}
	return probes
}

// load loads one program from a spec holding only it, against the shared
// maps in opts.
func (p *Probe) load(spec *ebpf.CollectionSpec, opts ebpf.CollectionOptions) error {
	one := &ebpf.CollectionSpec{
		Maps:      spec.Maps,
		Programs:  map[string]*ebpf.ProgramSpec{p.Name: spec.Programs[p.Name]},
		Types:     spec.Types,
		ByteOrder: spec.ByteOrder,
		// No Variables: see createMaps.
	}
	coll, err := ebpf.NewCollectionWithOptions(one, opts)
	if err != nil {
		return fmt.Errorf("load program %s: %w", p.Name, verifierDetail(err))
	}
	p.prog = coll.DetachProgram(p.Name)
	coll.Close()
	return nil
}

// verifierDetail adds the verifier's log to a refusal.
func verifierDetail(err error) error {
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		return fmt.Errorf("%w\n%+v", err, ve)
	}
	return err
}

func (p *Probe) attach() error {
	l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: p.Hook, Program: p.prog})
	if err != nil {
		return fmt.Errorf("attach %s to raw tracepoint %s: %w", p.Name, p.Hook, err)
	}
	p.link = l
	return nil
}

func (p *Probe) close() error {
	var errs []error
	if p.link != nil {
		errs = append(errs, p.link.Close())
	}
	if p.prog != nil {
		errs = append(errs, p.prog.Close())
	}
	return errors.Join(errs...)
}
