package engine

import (
	"net/netip"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/route"
	"github.com/ebpfreceiver/ebpfreceiver/internal/stream"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracectx"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracer"
)

const (
	// evictEvery is how often idle connections and exited processes are
	// looked for.
	evictEvery = time.Second
	// exitGrace is how long an exited process's identity is kept: calls that
	// its connections' close events complete arrive after its exit.
	exitGrace = 2 * time.Second
	// pruneEvery is how often cached identities are checked against /proc,
	// repairing what lost exit records left behind.
	pruneEvery = 30 * time.Second
)

// exited is a process that exited, with the start time that identifies it.
type exited struct {
	pid   uint32
	start uint64
	at    time.Time
}

// reader turns the tracer's records into segments for the tracker and
// process changes into verdicts, and holds everything that goroutine
// keeps. Start uses it before the goroutine runs, then the goroutine alone.
type reader struct {
	engine *Engine
	tracer *tracer.Tracer // set by Start
	router *route.Router
	// tracker turns each connection's segments into calls.
	tracker *stream.Tracker
	tls     *tlsState   // nil without TLS capture
	trace   *traceState // nil without trace context
	// ignored holds the processes judged not selected when they execed:
	// the kernel captured them until then, and records already queued are
	// dropped.
	ignored map[uint32]struct{}
	// forks are children forked while their parent waited for judgement,
	// to judge once the records read with their fork are handled.
	forks map[uint32]struct{}
	// rechecks are processes to judge again once older (min_process_age),
	// soonest first.
	rechecks []recheck
	// now is the record time of the latest record read (Unix nanoseconds).
	now uint64

	seg       stream.Segment // reused: no allocation per record
	lastEvict time.Time
	lastPrune time.Time
	exits     []exited // oldest first
}

func (h *reader) Conn(ev *tracer.ConnEvent, payload, tail []byte) {
	h.engine.events.Add(1)
	if _, ignored := h.ignored[ev.Pid]; ignored && ev.Kind == tracer.EventData {
		return // captured while its exec was being judged
	}
	at := h.tracer.UnixNano(ev.TsNs)
	h.now = max(h.now, at)
	if ev.Kind == tracer.EventClose {
		h.tracker.Close(ev.ConnId, at)
		return
	}
	h.seg = stream.Segment{
		ConnID: ev.ConnId,
		PID:    ev.Pid,
		Dir:    direction(ev.Dir),
		Role:   role(ev.Role),
		Time:   at,
		Len:    ev.Len,
		Data:   payload,
		Tail:   tail,
		Local:  addrPort(ev.Family, &ev.LocalAddr, ev.LocalPort),
		Peer:   addrPort(ev.Family, &ev.RemoteAddr, ev.RemotePort),
		TLS:    ev.Flags&tracer.FlagTLS != 0,
		Lost:   uint32(ev.Lost),
		// The kernel's classifier chose what the connection is sent as;
		// its ids are call.Protocol's.
		Protocol: call.Protocol(ev.Protocol),

		Thread:    ev.Tid,
		Goroutine: ev.Goid,
		Seq:       ev.Seq,
		HasSeq:    ev.Flags&tracer.FlagSeq != 0,

		PeerCaptured: ev.Flags&tracer.FlagPeerCaptured != 0,
	}
	if ev.QueuedNs != 0 {
		h.seg.Queued = h.tracer.UnixNano(ev.QueuedNs)
	}
	if ev.Flags&tracer.FlagWire != 0 {
		h.seg.Wire = tracectx.Option{Seq: ev.Wire.Seq, Trace: ev.Wire.Trace, Span: ev.Wire.Span, Set: true}
	}
	if ev.Flags&tracer.FlagThreadTrace != 0 {
		h.seg.Drawn = tracectx.Option{Seq: ev.Wire.Seq, Trace: ev.Wire.Trace, Set: true}
	}
	if ev.Flags&tracer.FlagH2Frames != 0 {
		h.seg.Data, h.seg.Frames = nil, payload // HTTP/2 frame pieces
	}
	h.tracker.Segment(&h.seg)
}

func (h *reader) Process(ev *tracer.ProcessEvent) {
	h.engine.events.Add(1)
	switch ev.Kind {
	case tracer.EventExec: // without its details: only if the record was cut short
		h.engine.execed(h.tracer, ev.Pid, "", nil)
	case tracer.EventListen:
		h.engine.listened(h.tracer, ev.Pid, ev.Port)
		h.engine.tlsListened(h.tracer, ev.Pid)
	case tracer.EventFork:
		h.engine.forked(ev.Pid, ev.Ppid, ev.StartNs, ev.Verdict)
	case tracer.EventExit:
		delete(h.forks, ev.Pid)
		h.tracker.Forget(ev.Pid)
		h.engine.tlsExited(ev.Pid)
		h.engine.traceExited(ev.Pid)
		var start uint64
		if p, ok := h.engine.registry.Cached(ev.Pid); ok {
			start = p.StartTime
			// A verdict set after the kernel removed the process's own, by
			// a judgement that raced its exit, goes now. Only described
			// processes are judged: no syscall for the others' exits.
			_ = h.tracer.Forget(ev.Pid)
		}
		h.exits = append(h.exits, exited{pid: ev.Pid, start: start, at: time.Now()})
	}
	h.publish()
}

// Handoff follows a Go goroutine's request to the goroutine that writes
// it.
func (h *reader) Handoff(ev *tracer.HandoffEvent) {
	h.engine.events.Add(1)
	if h.trace != nil {
		h.trace.links.Handoff(ev.Pid, ev.ConnId, ev.Goid, h.tracer.UnixNano(ev.TsNs))
	}
}

// Exec judges a process that called execve.
func (h *reader) Exec(ev *tracer.ExecEvent) {
	h.engine.events.Add(1)
	h.engine.execed(h.tracer, ev.Hdr.Pid, ev.Path(), ev.Argv())
	h.publish()
}

// publish makes the size of the reader's own state visible to Stats.
func (h *reader) publish() {
	h.engine.verdicts.Store(int64(len(h.ignored) + len(h.rechecks)))
}

func (h *reader) Idle() {
	h.engine.judgeForks(h.tracer)
	now := time.Now()
	h.engine.traceIdle(now)
	if now.Sub(h.lastEvict) < evictEvery {
		return
	}
	h.lastEvict = now
	h.tracker.Evict(uint64(now.UnixNano()))
	h.forgetExited(now)
	h.engine.runRechecks(h.tracer, now)
	h.publish()
	if now.Sub(h.lastPrune) >= pruneEvery {
		h.lastPrune = now
		h.engine.registry.Prune()
	}
}

// forgetExited drops the identities and exec-time verdicts of processes
// that exited more than exitGrace ago, unless their PID already belongs to a
// new process.
func (h *reader) forgetExited(now time.Time) {
	n := 0
	for n < len(h.exits) && now.Sub(h.exits[n].at) >= exitGrace {
		x := h.exits[n]
		h.engine.registry.RemoveIf(x.pid, x.start)
		if _, alive := h.engine.registry.Cached(x.pid); !alive {
			delete(h.ignored, x.pid) // unless the PID was reused and judged again
		}
		n++
	}
	h.exits = append(h.exits[:0], h.exits[n:]...)
}

func direction(d uint8) stream.Direction {
	if d == tracer.DirEgress {
		return stream.Egress
	}
	return stream.Ingress
}

func role(r uint8) stream.Role {
	switch r {
	case tracer.RoleClient:
		return stream.RoleClient
	case tracer.RoleServer:
		return stream.RoleServer
	default:
		return stream.RoleUnknown
	}
}

// addrPort builds an address without allocating; IPv4-mapped IPv6
// addresses (dual-stack sockets) become plain IPv4. Events without
// addresses (family 0) give the invalid zero value.
func addrPort(family uint8, addr *[16]byte, port uint16) netip.AddrPort {
	switch family {
	case 4:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(addr[:4])), port)
	case 6:
		return netip.AddrPortFrom(netip.AddrFrom16(*addr).Unmap(), port)
	default:
		return netip.AddrPort{}
	}
}
