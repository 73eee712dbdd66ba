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
	// start is the record time of the request's first byte, or for a
	// server request when that byte began to wait, if known; calleeStart,
	// for a client request, the earliest start of the server requests on
	// this node linked to it, 0 when none.
	start, calleeStart uint64
	// wireTrace, for a client request that carried the trace option, is
	// the trace id the option gave its remote server: the trace this
	// span's takes when it has none yet.
	wireTrace TraceID
	// drawnTrace, for a server request, is the trace the kernel drew for
	// it (Request.Drawn): the trace this span's takes when it starts one.
	drawnTrace TraceID
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

// Start returns the start a call of span s should carry, given the one its
// records gave. The times of a call are those of the syscalls' exits, and
// on one node a server can read a request before the client's write
// returns: the client's call starts no later than its server's, which is
// still within the client's write. Its end is left as recorded: the
// server's write may return after the client has read the answer.
func (s *Span) Start(start uint64) uint64 {
	if s.calleeStart != 0 {
		return min(start, s.calleeStart)
	}
	return start
}

// linkCaller makes client, the client request on this node that sent
// server request s, its parent.
func (s *Span) linkCaller(client *Span) {
	s.link(client)
	client.callee(s.start)
	s.linked(LinkedWire)
}

// callee records that a server request of this node that client request s
// sent started at start.
func (s *Span) callee(start uint64) {
	if s.calleeStart == 0 || start < s.calleeStart {
		s.calleeStart = start
	}
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
