package tracectx

// Policy says how a process's client calls find the request they serve.
type Policy uint8

// Policies, chosen per process from its runtime.
const (
	// PolicyNone: no in-process parent. Event-loop runtimes (Node, nginx,
	// Envoy), where one thread serves many requests at once, and processes
	// of unknown layout.
	PolicyNone Policy = iota
	// PolicyThread: a thread handles one request at a time (Python
	// threads and WSGI workers, Ruby, PHP-FPM, servlet pools).
	PolicyThread
	// PolicyGoroutine: Go, whose goroutine the records carry.
	PolicyGoroutine
)

// Bounds of the Linker's tables, in record time (nanoseconds).
const (
	// Grace is how long a server request waits for the record of a client
	// request on this node that the kernel queued after its own.
	Grace = 50_000_000
	// clientTTL is how long a client request waits for a server on this
	// node to read it; beyond, its server is taken to be elsewhere.
	clientTTL = 5_000_000_000
	// handoffTTL bounds how long a hand-off waits for its write.
	handoffTTL = 10_000_000_000
	// slotTTL bounds how long an unanswered request stays its thread's
	// context: its end was missed.
	slotTTL = 600_000_000_000
	// maxClients bounds the client requests waiting for a server.
	maxClients = 1 << 17
)

// Request is the start of a request: its first byte, seen in one process.
type Request struct {
	Server bool
	// Multiplexed says the request is one of several a connection carries
	// at once (an HTTP/2 stream): the thread that read it is not the one
	// that handles it, so it is no context for that thread's calls.
	Multiplexed bool
	PID         uint32
	Conn        uint64 // connection id
	Thread      uint32 // the thread that moved the first byte
	Goroutine   uint64 // its goroutine in a Go program, 0 when unknown
	// ClientPort is the port of the connection's client end; Seq the TCP
	// sequence number of the request's first byte, when HasSeq.
	ClientPort uint16
	Seq        uint32
	HasSeq     bool
	Time       uint64 // record time of the first byte
	// Queued, for a server request, is when its first bytes began to
	// wait in the socket, 0 when unknown: its span starts then, so the
	// client's that sent it may start no later.
	Queued uint64
	// Offered says a server on this node may read a client request and
	// look for it: false for protocols whose server side makes no span
	// (databases), so they fill no table.
	Offered bool
	// ClientHere says a server request's client is a captured process of
	// this node, whose record of the request may come after this one: the
	// request waits for it (Grace) when it is not there yet.
	ClientHere bool
	// TraceParent and TraceState are the request's W3C fields, as sent.
	TraceParent, TraceState []byte
	// Wire is the trace option its first segment carried (see Option).
	Wire Option
	// Drawn, for a server request, is the trace the kernel drew when it
	// was read: the trace options of the calls its thread makes carry it,
	// so it is the request's trace when the request starts one.
	Drawn TraceID
}

// Option is the trace context a TCP option carried on the segment that
// began a request: on a client request, the ids the kernel drew for it
// (the client span's own); on a server request, its remote client's.
type Option struct {
	Seq   uint32 // TCP sequence number of the segment's first byte
	Trace TraceID
	Span  SpanID
	Set   bool
}

// wireKey is a request's first byte on its connection.
type wireKey struct {
	port uint16
	seq  uint32
}

// execKey is an execution context of a process: a thread or a goroutine.
type execKey struct {
	pid uint32
	id  uint64
}

// slot is the request an execution context is handling.
type slot struct {
	span    *Span
	conn    uint64
	pending int    // requests read and not yet answered
	since   uint64 // record time of the latest request
}

type handoff struct {
	goroutine uint64
	at        uint64
}

// expiring is an entry of a table to look at again at a time.
type expiring struct {
	at   uint64
	key  wireKey
	span *Span
}

// Linker finds the parents of spans. It is used from one goroutine, except
// Stats.
type Linker struct {
	ids      ids
	policies map[uint32]Policy
	active   map[execKey]slot
	handoffs map[uint64]handoff // by connection
	clients  map[wireKey]*Span  // client requests not yet read by a server; nil: ambiguous
	servers  map[wireKey]*Span  // server requests waiting for their client
	// early are the starts of server requests of this node that have
	// their parent from the request itself and whose client's record has
	// not come: that client's call must start no later.
	early   map[wireKey]uint64
	clientQ []expiring // clients, oldest first
	serverQ []expiring // servers, oldest first
	earlyQ  []expiring // early, oldest first
	stats   counters
	// onEventLoop, when set, learns of a process found serving several
	// requests on one thread.
	onEventLoop func(pid uint32)
}

// NewLinker returns an empty Linker.
func NewLinker() *Linker {
	return &Linker{
		ids: newIDs(), policies: make(map[uint32]Policy), active: make(map[execKey]slot),
		handoffs: make(map[uint64]handoff), clients: make(map[wireKey]*Span), servers: make(map[wireKey]*Span),
		early: make(map[wireKey]uint64),
	}
}

// OnEventLoop makes f learn of each process found serving several
// requests on one thread, whose threads are no request's context from
// then on.
func (l *Linker) OnEventLoop(f func(pid uint32)) { l.onEventLoop = f }

// SetPolicy sets how process pid's client calls find their requests.
func (l *Linker) SetPolicy(pid uint32, p Policy) { l.policies[pid] = p }

// Forget drops what is known of process pid, which exited: a process that
// reuses its id (and so its main thread's) must not find its requests.
func (l *Linker) Forget(pid uint32) {
	delete(l.policies, pid)
	for key := range l.active {
		if key.pid == pid {
			delete(l.active, key)
		}
	}
}

// Handoff records that goroutine g of process pid has the next request
// written on connection conn written for it by another goroutine.
func (l *Linker) Handoff(pid uint32, conn, g uint64, at uint64) {
	if l.policies[pid] == PolicyGoroutine {
		l.handoffs[conn] = handoff{goroutine: g, at: at}
	}
}

// Start makes the context of a request that starts.
func (l *Linker) Start(r *Request) *Span {
	sp := &Span{id: l.ids.spanID(), start: r.Time}
	if r.Server && r.Queued != 0 {
		sp.start = min(r.Queued, r.Time)
	}
	p, hasParent := ParseTraceParent(r.TraceParent)
	if r.Server {
		switch {
		case hasParent:
			sp.join(&p, r.TraceState)
			sp.parentID = p.SpanID
			sp.linked(LinkedTraceParent)
		case r.Wire.Set:
			// A client of this node that sent the option has its ids:
			// the sequence number would find the same span.
			sp.trace, sp.flags, sp.parentID = r.Wire.Trace, FlagSampled, r.Wire.Span
			sp.linked(LinkedOption)
			hasParent = true
		}
		sp.drawnTrace = r.Drawn
		l.startServer(sp, r, hasParent)
		return sp
	}
	switch {
	case hasParent: // the application's own context: its ids are kept
		sp.join(&p, r.TraceState)
		sp.id = p.SpanID
	case r.Wire.Set: // the ids the remote server reads
		sp.id, sp.wireTrace = r.Wire.Span, r.Wire.Trace
		l.stats.optionsSent.Add(1)
	}
	l.startClient(sp, r, hasParent)
	return sp
}

// startServer links a server request to the client request on this node
// that sent it, or makes it wait for that client's record; and makes it
// its thread's request.
func (l *Linker) startServer(sp *Span, r *Request, hasParent bool) {
	key := wireKey{r.ClientPort, r.Seq}
	switch client, seen := l.clients[key]; {
	case !r.HasSeq:
		if !hasParent {
			sp.root(RootNoSequence)
		}
	case seen:
		delete(l.clients, key)
		l.linkWire(sp, client, hasParent)
	case hasParent && r.ClientHere:
		l.early[key] = sp.start
		l.earlyQ = append(l.earlyQ, expiring{at: r.Time + Grace, key: key})
	case !hasParent && !r.ClientHere:
		sp.root(RootNoClient)
	case !hasParent:
		sp.root(RootNoClient) // unless its client comes
		sp.waitUntil, sp.wire = r.Time+Grace, key
		l.servers[key] = sp
		l.serverQ = append(l.serverQ, expiring{at: sp.waitUntil, key: key, span: sp})
	}
	if !r.Multiplexed {
		l.enter(sp, r)
	}
}

// linkWire makes client the parent of server request sp, unless sp has
// its parent from a traceparent or the trace option, or the client was
// ambiguous.
func (l *Linker) linkWire(sp, client *Span, hasParent bool) {
	switch {
	case hasParent && client != nil && client.id == sp.parentID: // by the option
		client.callee(sp.start)
	case hasParent:
	case client == nil:
		sp.root(RootAmbiguous)
	default:
		sp.linkCaller(client)
	}
}

// startClient links a client request to the request its execution context
// is handling, and offers it to the server that will read it.
func (l *Linker) startClient(sp *Span, r *Request, hasParent bool) {
	parent, how, why := l.requestOf(r)
	switch {
	case hasParent:
		if parent != nil && parent.trace == sp.trace {
			sp.parent, sp.parentID = parent, parent.id
		}
		sp.linked(LinkedTraceParent)
	case parent != nil:
		sp.link(parent)
		sp.linked(how)
	default:
		sp.root(why)
	}
	if r.HasSeq && r.Offered {
		l.offer(sp, wireKey{r.ClientPort, r.Seq}, r.Time)
	}
}

// offer makes client request sp known to the server that reads it: the
// one waiting for it, or the one to come.
func (l *Linker) offer(sp *Span, key wireKey, at uint64) {
	if start, ok := l.early[key]; ok { // its server, parented already, came first
		delete(l.early, key)
		sp.callee(start)
		return
	}
	if server := l.servers[key]; server != nil {
		delete(l.servers, key)
		server.linkCaller(sp)
		return
	}
	if _, dup := l.clients[key]; dup {
		l.clients[key] = nil // two requests claim one position: neither is taken
		return
	}
	if len(l.clients) >= maxClients {
		l.expireClients(^uint64(0), len(l.clients)-maxClients+1)
	}
	l.clients[key] = sp
	l.clientQ = append(l.clientQ, expiring{at: at + clientTTL, key: key, span: sp})
}
