package stream

import "github.com/ebpfreceiver/ebpfreceiver/internal/tracectx"

// spanStart is where a request starts: the segment whose bytes complete
// its head, and the TCP sequence number of its first byte.
type spanStart struct {
	server      bool
	multiplexed bool // an HTTP/2 stream
	offered     bool // a server of this node may look for it (not a database)
	seq         uint32
	hasSeq      bool
	at          uint64
	queued      uint64 // a server's request: when its first bytes began to wait, 0 unknown
	traceParent []byte
	traceState  []byte
}

// startSpan makes the trace context of a request of connection c, seen in
// segment s; nil without trace context.
func (sh *shared) startSpan(c *conn, s *Segment, st *spanStart) *tracectx.Span {
	if sh.links == nil {
		return nil
	}
	client := c.local
	if st.server {
		client = c.peer
	}
	sh.req = tracectx.Request{
		Server: st.server, Multiplexed: st.multiplexed, Offered: st.offered,
		PID: s.PID, Conn: s.ConnID, Thread: s.Thread, Goroutine: s.Goroutine,
		ClientPort: client.Port(), Seq: st.seq, HasSeq: st.hasSeq && client.IsValid() && !c.tls,
		Time: st.at, Queued: serverQueued(st.server, st.queued, st.at), TraceParent: st.traceParent, TraceState: st.traceState, ClientHere: s.PeerCaptured,
	}
	// The option counts for the request whose first byte its segment
	// began with; streams of one connection share segments.
	if c.wire.Set && sh.req.HasSeq && c.wire.Seq == st.seq && !st.multiplexed {
		sh.req.Wire = c.wire
	}
	if c.drawn.Set && sh.req.HasSeq && c.drawn.Seq == st.seq && st.server && !st.multiplexed {
		sh.req.Drawn = c.drawn.Trace
	}
	return sh.links.Start(&sh.req)
}

// answered records that the server began to answer the request of span.
func (sh *shared) answered(span *tracectx.Span) {
	if sh.links != nil {
		sh.links.Answer(span)
	}
}

// dropped records that the request of span ends without a call.
func (sh *shared) dropped(span *tracectx.Span) {
	if sh.links != nil {
		sh.links.Drop(span)
	}
}

// dbSpan makes the trace context of a database request written in s: a
// client call whose server side makes no span, so it is offered to none.
func (sh *shared) dbSpan(s *Segment) *tracectx.Span {
	if sh.links == nil {
		return nil
	}
	sh.req = tracectx.Request{PID: s.PID, Conn: s.ConnID, Thread: s.Thread, Goroutine: s.Goroutine, Time: s.Time}
	return sh.links.Start(&sh.req)
}
