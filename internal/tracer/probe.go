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
	hook
	Err  error // why it does not run; nil when attached
	prog *ebpf.Program
	link link.Link
}

// ProbeStatus is a probe's outcome, for status and self-telemetry.
type ProbeStatus struct {
	Name string
	Err  error
}

// hook says where a program attaches: a tracepoint group/name, or a raw
// tracepoint name when group is empty.
type hook struct {
	Name  string // the program
	group string
	event string
	data  bool // captures socket data (as opposed to lifecycle events and ports)
}

// syscallHooks are the per-syscall exit tracepoints. Attaching them needs
// tracefs (to learn their ids); the kernel then runs each program only for
// its own syscall.
var syscallHooks = []hook{
	{captureProgTpExitRead, "syscalls", "sys_exit_read", true},
	{captureProgTpExitRecvfrom, "syscalls", "sys_exit_recvfrom", true},
	{captureProgTpExitReadv, "syscalls", "sys_exit_readv", true},
	{captureProgTpExitRecvmsg, "syscalls", "sys_exit_recvmsg", true},
	{captureProgTpExitWrite, "syscalls", "sys_exit_write", true},
	{captureProgTpExitSendto, "syscalls", "sys_exit_sendto", true},
	{captureProgTpExitWritev, "syscalls", "sys_exit_writev", true},
	{captureProgTpExitSendmsg, "syscalls", "sys_exit_sendmsg", true},
	{captureProgTpExitSendfile, "syscalls", "sys_exit_sendfile64", true},
	{captureProgTpExitAccept, "syscalls", "sys_exit_accept", true},
	{captureProgTpExitAccept4, "syscalls", "sys_exit_accept4", true},
	{captureProgTpExitConnect, "syscalls", "sys_exit_connect", true},
	{captureProgTpExitListen, "syscalls", "sys_exit_listen", false}, // ports, no data
}

// rawSyscallHook does the work of all syscallHooks from one raw tracepoint
// that fires for every syscall: no tracefs needed, more cost per syscall.
var rawSyscallHook = hook{captureProgOnSysExit, "", "sys_exit", true}

// lifecycleHooks are raw tracepoints, needing no tracefs.
var lifecycleHooks = []hook{
	{captureProgOnSockState, "", "inet_sock_set_state", false},
	{captureProgOnSchedExec, "", "sched_process_exec", false},
	{captureProgOnSchedExit, "", "sched_process_exit", false},
	{captureProgOnSchedFork, "", "sched_process_fork", false},
}

// dataReadyHook stamps when bytes began to wait in a socket, for queue
// time (bpf/queue.h); a raw tracepoint of kernel 6.3 and later.
var dataReadyHook = hook{captureProgOnSkDataReady, "", "sk_data_ready", false}

// loadProbes loads and attaches each program on its own, so one refusal
// leaves the others running.
func loadProbes(spec *ebpf.CollectionSpec, maps map[string]*ebpf.Map, hooks []hook, logger *zap.Logger) []*Probe {
	probes := make([]*Probe, 0, len(hooks))
	// One cache, so the kernel's BTF is parsed once for all the loads.
	opts := ebpf.CollectionOptions{MapReplacements: maps, Cache: btf.NewCache()}
	for _, h := range hooks {
		p := &Probe{hook: h}
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
	var err error
	if p.group == "" {
		p.link, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: p.event, Program: p.prog})
		if err != nil {
			return fmt.Errorf("attach %s to raw tracepoint %s: %w", p.Name, p.event, err)
		}
		return nil
	}
	p.link, err = link.Tracepoint(p.group, p.event, p.prog, nil)
	if err != nil {
		return fmt.Errorf("attach %s to tracepoint %s/%s: %w", p.Name, p.group, p.event, err)
	}
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
