// Package tracer loads the capture programs into the kernel, attaches them,
// and reads their ring buffer. Programs are loaded one by one against shared
// maps, so a program the kernel refuses is reported while the others run.
// Events reach a Handler on one goroutine, decoded in place without
// allocation.
package tracer

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
	"go.uber.org/zap"
)

// MaxPayload is the largest capture size per syscall the programs support.
const MaxPayload = 4096

// SyscallHook chooses how syscalls are hooked.
type SyscallHook string

// Ways to hook syscalls.
const (
	// HookAuto uses the per-syscall tracepoints when tracefs is mounted or
	// can be mounted, else the raw tracepoint.
	HookAuto SyscallHook = ""
	// HookTracepoints uses the per-syscall exit tracepoints only, mounting
	// tracefs when it is missing.
	HookTracepoints SyscallHook = "tracepoint"
	// HookRaw uses the raw tracepoint on sys_exit only.
	HookRaw SyscallHook = "raw_tracepoint"
)

// Config sets the programs' constants and the buffer size.
type Config struct {
	Hook       SyscallHook
	MaxPayload uint32 // bytes captured per syscall, 1..MaxPayload
	BufferSize int    // buffer bytes (all CPUs): a power of two, at least one page
	Transport  Transport
	CaptureAll bool // processes without a verdict are captured
	Protocols  Protocols
	// TLS loads the TLS library programs; AttachTLS then places their
	// uprobes.
	TLS bool
	// GoContext loads the Go hand-off program; SetGoLayout then places
	// its uprobe.
	GoContext bool
	// Propagate writes the trace option on the requests captured clients
	// send, and reads it on those servers receive (see bpf/wire.h); New
	// fails when the sockops program cannot be attached.
	Propagate bool
	// PropagateCgroup is the cgroup v2 directory the sockops program
	// attaches to, covering its processes and their descendants'; empty,
	// the root of the cgroup v2 hierarchy found in /proc/self/mounts.
	PropagateCgroup string
	// QueueTime measures how long requests' bytes waited in servers'
	// sockets before being read (bpf/queue.h), where the kernel has the
	// sock:sk_data_ready tracepoint; elsewhere it is logged as not
	// measured and nothing is sent.
	QueueTime bool
	// kernel is what the running kernel allows, set by New.
	kernel kernelPaths
	// BreakProbe names a lifecycle program to attach to a tracepoint that
	// does not exist, so tests can prove that one failing probe is reported
	// and leaves the rest running. Empty in production.
	BreakProbe string
}

// Protocols says which connections the kernel classifies and sends: bit
// 1<<id of each protocol enabled, the ids of ConnEvent.Protocol (Proto*).
// The data of connections of no enabled protocol never leaves the kernel.
type Protocols uint32

// ProtocolsOf returns the set of the protocols ids.
func ProtocolsOf(ids ...uint8) Protocols {
	var p Protocols
	for _, id := range ids {
		p |= 1 << id
	}
	return p
}

// Tracer owns the loaded maps, programs and links, and the reader.
type Tracer struct {
	logger       *zap.Logger
	maps         map[string]*ebpf.Map
	probes       []*Probe
	reader       recordReader
	readerClosed bool
	transport    Transport
	clock        clock
	hook         SyscallHook
	kernel       kernelPaths
	tls          *tlsProbes       // nil without TLS capture
	goctx        *goContextProbes // nil without Go hand-offs
	wire         *Probe           // nil without propagation
	broken       string           // Config.BreakProbe
	queueTime    bool             // queue time is measured (QueueTime where the kernel allows)
}

// New loads the maps and programs, attaches the programs and opens the
// reader. It fails only when nothing useful can run (no maps, or the syscall
// probe did not attach); other failures are in Probes. On error everything
// opened is closed.
func New(cfg Config, logger *zap.Logger) (*Tracer, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		return nil, fmt.Errorf("remove memlock limit: %w", err)
	}
	transport, err := resolveTransport(cfg.Transport)
	if err != nil {
		return nil, err
	}
	cfg.Transport = transport
	cfg.kernel = probeKernel()
	spec, err := loadCapture()
	if err != nil {
		return nil, fmt.Errorf("load capture spec: %w", err)
	}
	if err := configure(spec, cfg); err != nil {
		return nil, err
	}
	t := &Tracer{logger: logger, clock: newClock(), hook: cfg.Hook, broken: cfg.BreakProbe, transport: cfg.Transport, kernel: cfg.kernel,
		queueTime: cfg.measuresQueueTime()}
	if cfg.QueueTime && !t.queueTime {
		logger.Warn("queue time not measured: it needs the sock:sk_data_ready tracepoint, which this kernel lacks (Linux 6.3 and later have it); server spans carry no queue time")
	}
	if err := t.open(spec, cfg.BufferSize); err != nil {
		return nil, errors.Join(err, t.Close())
	}
	t.kernel.log(logger, t.hook, t.transport)
	if cfg.Propagate {
		if err := t.openPropagation(spec, cfg.PropagateCgroup); err != nil {
			return nil, errors.Join(err, t.Close())
		}
	}
	if cfg.TLS {
		t.openTLS(cfg)
	}
	if cfg.GoContext {
		t.openGoContext(cfg)
	}
	return t, nil
}

func (t *Tracer) open(spec *ebpf.CollectionSpec, bufferSize int) error {
	var err error
	if t.maps, err = createMaps(spec); err != nil {
		return err
	}
	if err := t.attachSyscalls(spec); err != nil {
		return err
	}
	hooks := lifecycleHooks
	if t.queueTime {
		hooks = append(slices.Clone(hooks), dataReadyHook)
	}
	t.probes = append(t.probes, loadProbes(spec, t.maps, breakHook(hooks, t.broken), t.logger)...)
	if t.transport == TransportPerf {
		t.reader, err = newPerfReader(t.maps[captureMapPerfEvents], bufferSize)
	} else {
		t.reader, err = newRingReader(t.maps[captureMapEvents])
	}
	return err
}

// breakHook returns hooks with the one of program name, if any, moved to a
// tracepoint that does not exist (see Config.BreakProbe).
func breakHook(hooks []hook, name string) []hook {
	i := slices.IndexFunc(hooks, func(h hook) bool { return h.Name == name })
	if i < 0 {
		return hooks
	}
	hooks = slices.Clone(hooks)
	hooks[i].event = "no_such_tracepoint"
	return hooks
}

func (c Config) validate() error {
	if c.MaxPayload == 0 || c.MaxPayload > MaxPayload {
		return fmt.Errorf("capture size %d: must be between 1 and %d", c.MaxPayload, MaxPayload)
	}
	if c.BufferSize < 4096 || bits.OnesCount(uint(c.BufferSize)) != 1 {
		return fmt.Errorf("buffer size %d: must be a power of two of at least 4096", c.BufferSize)
	}
	return nil
}

// configure sets the programs' constants and the ring buffer size.
func configure(spec *ebpf.CollectionSpec, cfg Config) error {
	vars := map[string]any{
		captureVarMaxPayload:       cfg.MaxPayload,
		captureVarCaptureAll:       boolByte(cfg.CaptureAll),
		captureVarEnabledProtocols: uint32(cfg.Protocols),
		captureVarEnableTls:        boolByte(cfg.TLS),
		captureVarUsePerf:          boolByte(cfg.Transport == TransportPerf),
		captureVarEnableH2Walk:     boolByte(cfg.kernel.loop),
		captureVarArgsAtEntry:      boolByte(!cfg.kernel.taskRegs),
		captureVarAtomicIds:        boolByte(cfg.kernel.atomics),
		captureVarPropagate:        boolByte(cfg.Propagate),
		captureVarQueueTime:        boolByte(cfg.measuresQueueTime()),
	}
	for name, value := range vars {
		if err := spec.Variables[name].Set(value); err != nil {
			return fmt.Errorf("set %s: %w", name, err)
		}
	}
	setTransport(spec, cfg.Transport, cfg.BufferSize)
	if !cfg.measuresQueueTime() {
		spec.Maps[captureMapUnaccepted].MaxEntries = 1 // never used
	}
	if !cfg.kernel.loop {
		dropLoopCallbacks(spec)
	}
	if !cfg.kernel.atomics {
		dropAtomicIDs(spec)
	}
	return nil
}

// measuresQueueTime tells whether queue time is asked for and the kernel
// can measure it.
func (c Config) measuresQueueTime() bool {
	return c.QueueTime && c.kernel.dataReady
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// createMaps creates every map of the spec, with no program, so programs
// loaded one at a time share them (the connection id counter in .bss among
// them). The loader sets the flags data sections need.
func createMaps(spec *ebpf.CollectionSpec) (map[string]*ebpf.Map, error) {
	mapsOnly := spec.Copy()
	mapsOnly.Programs = nil
	// Loading Variables would mmap the data sections, and those mappings
	// keep the maps alive until a garbage collection, past Close; their
	// values are written into the sections' contents instead.
	if err := writeVariables(mapsOnly); err != nil {
		return nil, err
	}
	mapsOnly.Variables = nil
	coll, err := ebpf.NewCollection(mapsOnly)
	if err != nil {
		return nil, fmt.Errorf("create maps: %w", err)
	}
	return coll.Maps, nil
}

// attachSyscalls attaches the syscall probes the configuration asks for; in
// auto mode, the per-syscall tracepoints when tracefs can be had and at least
// one of them attaches, else the raw tracepoint.
func (t *Tracer) attachSyscalls(spec *ebpf.CollectionSpec) error {
	mode := t.hook
	if mode != HookRaw {
		if err := ensureTracefs(); err != nil {
			if mode == HookTracepoints {
				return fmt.Errorf("attach syscall tracepoints: %w", err)
			}
			t.logger.Info("hooking every syscall through raw tracepoint sys_exit: per-syscall tracepoints need tracefs", zap.Error(err))
			mode = HookRaw
		}
	}
	if mode != HookRaw {
		hooks := syscallHooks
		if !t.kernel.taskRegs {
			hooks = append(slices.Clone(entryHooks), syscallHooks...)
		}
		probes := loadProbes(spec, t.maps, hooks, t.logger)
		if anyAttached(probes) || mode == HookTracepoints {
			t.probes, t.hook = probes, HookTracepoints
			return errIfNone(probes)
		}
		closeProbes(probes)
		t.logger.Info("hooking every syscall through raw tracepoint sys_exit: no per-syscall tracepoint attached")
	}
	t.probes, t.hook = loadProbes(spec, t.maps, []hook{rawSyscallHook}, t.logger), HookRaw
	return errIfNone(t.probes)
}

// anyAttached tells whether some probe capturing socket data runs and,
// where the entry tracepoints keep the syscalls' arguments, some of those
// too: without them the exits find no arguments and capture nothing.
func anyAttached(probes []*Probe) bool {
	var data, entries, entryRuns bool
	for _, p := range probes {
		if p.Name == captureProgTpEnterArgs {
			entries = true
			entryRuns = entryRuns || p.Err == nil
		}
		data = data || p.Err == nil && p.data
	}
	return data && (!entries || entryRuns)
}

// errIfNone fails when no data probe runs: nothing would be captured.
func errIfNone(probes []*Probe) error {
	if anyAttached(probes) {
		return nil
	}
	errs := make([]error, 0, len(probes))
	for _, p := range probes {
		errs = append(errs, p.Err)
	}
	return fmt.Errorf("attach syscall probes: %w", errors.Join(errs...))
}

func closeProbes(probes []*Probe) {
	for _, p := range slices.Backward(probes) {
		p.close()
	}
}

// writeVariables copies the values set on the spec's variables into the
// contents of the data sections that hold them.
func writeVariables(spec *ebpf.CollectionSpec) error {
	for name, v := range spec.Variables {
		ms := spec.Maps[v.SectionName]
		if ms == nil || len(ms.Contents) != 1 {
			return fmt.Errorf("set variable %s: no contents for section %s", name, v.SectionName)
		}
		data, ok := ms.Contents[0].Value.([]byte)
		if !ok || int(v.Offset)+len(v.Value) > len(data) {
			return fmt.Errorf("set variable %s: does not fit section %s", name, v.SectionName)
		}
		data = slices.Clone(data)
		copy(data[v.Offset:], v.Value)
		ms.Contents[0].Value = data
	}
	return nil
}

// Probes reports each program's load and attach outcome.
func (t *Tracer) Probes() []ProbeStatus {
	out := make([]ProbeStatus, len(t.probes))
	for i, p := range t.probes {
		out[i] = ProbeStatus{Name: p.Name, Err: p.Err}
	}
	return out
}

// StopReading closes the reader, so Run returns. Call it, and wait for Run
// to return, before Close when the handler calls Capture or Forget: Close
// frees the maps those use.
func (t *Tracer) StopReading() error {
	if t.reader == nil || t.readerClosed {
		return nil
	}
	t.readerClosed = true // the reader stays: Run may not have read the field yet
	return t.reader.Close()
}

// Close detaches the probes, then closes the reader and the maps. It is safe
// to call more than once, and after Run has returned or while it runs (Run
// then returns).
func (t *Tracer) Close() error {
	// Every link first, all at once (see closeLinks), then the programs.
	var links []link.Link
	if t.tls != nil { // kept: AttachTLS may run meanwhile, and then fails
		links = append(links, t.tls.links.take()...)
	}
	if t.goctx != nil { // likewise for SetGoLayout
		links = append(links, t.goctx.links.take()...)
	}
	for _, p := range append(slices.Clone(t.probes), t.wire) {
		if p != nil && p.link != nil {
			links = append(links, p.link)
			p.link = nil
		}
	}
	errs := []error{closeLinks(links)}
	if t.tls != nil {
		errs = append(errs, t.tls.close())
	}
	if t.goctx != nil {
		errs = append(errs, t.goctx.close())
	}
	if t.wire != nil {
		errs = append(errs, t.wire.close())
		t.wire = nil
	}
	for _, p := range slices.Backward(t.probes) {
		errs = append(errs, p.close())
	}
	t.probes = nil
	errs = append(errs, t.StopReading())
	for name, m := range t.maps {
		errs = append(errs, m.Close())
		delete(t.maps, name)
	}
	return errors.Join(errs...)
}
