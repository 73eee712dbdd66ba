package tracectx

// Span is the trace context of one call, made when its request starts and
// completed by the Linker as links are found. It is used by the Linker's
// goroutine only; Resolve hands out its values.
type Span struct {
	id       SpanID
	parentID SpanID // zero for a root
	trace    TraceID
	flags    uint8
	state    string
	// parent is where the trace id will come from while it is not known;
	// dropped once it is.
	parent *Span
	// waitUntil, for a server request with no client found yet, is the
	// record time until which the client's record may still come; 0 when
	// not waiting.
	waitUntil uint64
	wire      wireKey // where it waits
	slot      execKey // its process's request context it occupies (server)
	inSlot    bool
	// caller, for a server request linked to its client request on this
	// node, is that client's span until the server's call is sent; the
	// client's span then stretches over it (calleeStart, calleeEnd).
	// callees counts a client's linked server calls not sent yet: its own
	// call waits for them until calleesUntil (record time), so that it can.
	caller                 *Span
	calleeStart, calleeEnd uint64
	callees                int
	calleesUntil           uint64
	// outcome is how the parent was found (a Mechanism), or numMechanisms
	// + the Reason there is none; counted once the span is resolved.
	outcome uint8
	counted bool
}

func (s *Span) linked(m Mechanism) { s.outcome = uint8(m) }
func (s *Span) root(r Reason)      { s.outcome = uint8(numMechanisms) + uint8(r) }

// Context is the trace context of a call once known: what a span carries.
type Context struct {
	TraceID  TraceID
	SpanID   SpanID
	ParentID SpanID // zero for a root
	Flags    uint8
	State    string // tracestate, as received
}

// Bounds returns the times a call of span s should carry, given the ones
// its records gave. The times of a call are those of the syscalls' exits,
// and on one node a server can read a request before the client's write
// returns, and answer after the client's read returned; the client's call
// is stretched over the server's, which it encloses in fact. Resolve holds
// a client's call until its server's was sent, or a while at most.
func (s *Span) Bounds(start, end uint64) (uint64, uint64) {
	if c := s.caller; c != nil {
		s.caller = nil
		c.callees--
		if c.calleeStart == 0 || start < c.calleeStart {
			c.calleeStart = start
		}
		c.calleeEnd = max(c.calleeEnd, end)
	}
	if s.calleeStart != 0 {
		start, end = min(start, s.calleeStart), max(end, s.calleeEnd)
	}
	return start, end
}

// linkCaller makes client, the client request on this node that sent
// server request s, its parent.
func (s *Span) linkCaller(client *Span) {
	s.link(client)
	s.caller = client
	client.callees++
	s.linked(LinkedWire)
}

// link makes parent the parent of s.
func (s *Span) link(parent *Span) {
	s.parent, s.parentID = parent, parent.id
	s.waitUntil = 0
}

// join puts s in the trace of a traceparent.
func (s *Span) join(p *Parent, state []byte) {
	s.trace, s.flags = p.TraceID, p.Flags
	if len(state) > 0 {
		s.state = string(state)
	}
}
