package tracer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/discovery"
)

// tlsProbes are the TLS programs (bpf/tls.c) and their uprobes, attached
// once per file (a libssl library, a Go executable; see fileLinks). The
// programs return at once for processes not selected.
type tlsProbes struct {
	progs tlsPrograms
	links fileLinks
}

// loadTLS loads the TLS programs against the capture maps they share.
func loadTLS(cfg Config, shared map[string]*ebpf.Map) (*tlsProbes, error) {
	spec, err := loadTls()
	if err != nil {
		return nil, fmt.Errorf("load tls spec: %w", err)
	}
	vars := map[string]any{
		tlsVarMaxPayload:   cfg.MaxPayload,
		tlsVarCaptureAll:   boolByte(cfg.CaptureAll),
		tlsVarUsePerf:      boolByte(cfg.Transport == TransportPerf),
		tlsVarEnableH2Walk: boolByte(cfg.kernel.loop),
		tlsVarArgsAtEntry:  boolByte(!cfg.kernel.taskRegs),
		tlsVarQueueTime:    boolByte(cfg.measuresQueueTime()),
		// The plaintext is classified as the sockets' bytes are.
		tlsVarEnabledProtocols: uint32(cfg.Protocols),
	}
	p := &tlsProbes{links: newFileLinks()}
	if err := loadSharing(spec, cfg, vars, shared, &p.progs); err != nil {
		return nil, fmt.Errorf("load tls programs: %w", err)
	}
	return p, nil
}

// loadSharing sets the variables of a program set loaded after the
// capture maps, and loads its programs into progs against the maps it
// shares with them.
func loadSharing(spec *ebpf.CollectionSpec, cfg Config, vars map[string]any, shared map[string]*ebpf.Map, progs any) error {
	for name, value := range vars {
		if err := spec.Variables[name].Set(value); err != nil {
			return fmt.Errorf("set %s: %w", name, err)
		}
	}
	setTransport(spec, cfg.Transport, cfg.BufferSize)
	if !cfg.kernel.loop {
		dropLoopCallbacks(spec)
	}
	if err := writeVariables(spec); err != nil { // see createMaps
		return err
	}
	spec.Variables = nil
	opts := ebpf.CollectionOptions{MapReplacements: sharedMaps(spec, shared)}
	if err := spec.LoadAndAssign(progs, &opts); err != nil {
		return verifierDetail(err)
	}
	return nil
}

// sharedMaps picks, from the capture maps, those the TLS programs use too
// (the same definitions, matched by name); data sections are each
// object's own.
func sharedMaps(spec *ebpf.CollectionSpec, shared map[string]*ebpf.Map) map[string]*ebpf.Map {
	out := make(map[string]*ebpf.Map)
	for name, ms := range spec.Maps {
		m, ok := shared[name]
		if !ok || strings.HasPrefix(name, ".") {
			continue
		}
		ms.MaxEntries = m.MaxEntries() // the ring buffer is sized at run time
		out[name] = m
	}
	return out
}

// AttachTLS places the TLS uprobes on the targets not yet probed and
// returns how many uprobes it attached. A target that cannot be probed is
// reported in the error; the others are attached. Without TLS capture it
// does nothing.
func (t *Tracer) AttachTLS(targets []discovery.TLSTarget) (int, error) {
	if t.tls == nil {
		return 0, nil
	}
	return t.tls.attach(targets)
}

func (p *tlsProbes) attach(targets []discovery.TLSTarget) (int, error) {
	n := 0
	var errs []error
	for _, target := range targets {
		k, err := p.links.attach(target.File, func() ([]link.Link, error) { return p.attachFile(target) })
		n += k
		errs = append(errs, err)
	}
	return n, errors.Join(errs...)
}

// uprobe is one probe to place: a symbol, an offset in it, the program, and
// whether it is a uretprobe. Optional probes are skipped when their symbol
// is missing (BoringSSL has no SSL_read_ex).
type uprobe struct {
	symbol   string
	offset   uint64
	prog     *ebpf.Program
	ret      bool
	optional bool
}

func (p *tlsProbes) attachFile(target discovery.TLSTarget) ([]link.Link, error) {
	ex, err := link.OpenExecutable(target.Path)
	if err != nil {
		return nil, fmt.Errorf("open %s for uprobes: %w", target.Path, err)
	}
	probes := p.libsslProbes()
	if target.Go != nil {
		probes = p.goProbes(target.Go)
	}
	var links []link.Link
	for _, u := range probes {
		l, err := attachUprobe(ex, u)
		if errors.Is(err, link.ErrNoSymbol) && u.optional {
			continue
		}
		if err != nil {
			closeLinks(links)
			return nil, fmt.Errorf("attach uprobe %s+%#x in %s: %w", u.symbol, u.offset, target.Path, err)
		}
		links = append(links, l)
	}
	return links, nil
}

func attachUprobe(ex *link.Executable, u uprobe) (link.Link, error) {
	opts := &link.UprobeOptions{Offset: u.offset}
	if u.ret {
		return ex.Uretprobe(u.symbol, u.prog, opts)
	}
	return ex.Uprobe(u.symbol, u.prog, opts)
}

// libsslProbes are the libssl uprobes, each function's return probe before
// its entry probe: a thread already inside the function when its entry
// probe is attached would otherwise leave a call record no return ends,
// which would claim that thread's later plain sockets as TLS.
func (p *tlsProbes) libsslProbes() []uprobe {
	o := &p.progs
	return []uprobe{
		{symbol: "SSL_read", prog: o.SslIoExit, ret: true},
		{symbol: "SSL_read", prog: o.SslReadEnter},
		{symbol: "SSL_write", prog: o.SslIoExit, ret: true},
		{symbol: "SSL_write", prog: o.SslWriteEnter},
		{symbol: "SSL_read_ex", prog: o.SslIoExit, ret: true, optional: true},
		{symbol: "SSL_read_ex", prog: o.SslReadExEnter, optional: true},
		{symbol: "SSL_write_ex", prog: o.SslIoExit, ret: true, optional: true},
		{symbol: "SSL_write_ex", prog: o.SslWriteExEnter, optional: true},
		{symbol: "SSL_do_handshake", prog: o.SslHandshakeExit, ret: true},
		{symbol: "SSL_do_handshake", prog: o.SslHandshakeEnter},
	}
}

// goProbes are uprobes on each RET instruction of crypto/tls's Read, on
// its entry unless the RETs find its arguments spilled, and on Write's
// entry.
func (p *tlsProbes) goProbes(g *discovery.GoTLS) []uprobe {
	o := &p.progs
	probes := []uprobe{{symbol: discovery.GoTLSWrite, prog: o.GoTlsWrite}}
	leave := o.GoTlsReadSpilled
	if !g.ReadSpilled {
		leave = o.GoTlsReadLeave
		probes = append(probes, uprobe{symbol: discovery.GoTLSRead, prog: o.GoTlsReadEnter})
	}
	for _, off := range g.ReadRets {
		probes = append(probes, uprobe{symbol: discovery.GoTLSRead, offset: off, prog: leave})
	}
	return probes
}

// close detaches every uprobe, then closes the programs.
func (p *tlsProbes) close() error { return errors.Join(closeLinks(p.links.take()), p.progs.Close()) }

// openTLS loads the TLS programs; a failure is reported as a probe that
// does not run, and capture goes on without TLS plaintext.
func (t *Tracer) openTLS(cfg Config) {
	p := &Probe{hook: hook{Name: "tls"}}
	t.tls, p.Err = loadTLS(cfg, t.maps)
	if p.Err != nil {
		t.logger.Warn("TLS plaintext not captured", zap.Error(p.Err))
	}
	t.probes = append(t.probes, p)
}

// FlagTLS marks data events carrying plaintext from a TLS library.
const FlagTLS = uint8(captureDataFlagsFLAG_TLS)
