package tracectx

// maxDepth bounds the spans walked to find a trace: a chain of calls on one
// node longer than this is cut, its upper part resolved first.
const maxDepth = 64

// Resolve returns sp's context at record time now, or false when it depends
// on a server request still waiting for its client's record: the caller
// holds the call and asks again later (at the latest once now has passed
// the wait). A server request whose wait is over becomes a root.
func (l *Linker) Resolve(sp *Span, now uint64) (Context, bool) {
	var path [maxDepth]*Span
	n := 0
	s := sp
	for ; s.trace.IsZero() && n < maxDepth; s = s.parent {
		if s.waitUntil > now {
			return Context{}, false
		}
		path[n] = s
		n++
		if s.waitUntil != 0 {
			l.expireServer(s)
		}
		if s.parent == nil {
			s.trace, s.flags = l.newTrace(s, sp), FlagSampled
			break
		}
	}
	if n == maxDepth && s.trace.IsZero() { // cut: this span starts a trace
		s = path[n-1]
		s.trace, s.flags, s.parent, s.parentID = l.newTrace(s, sp), FlagSampled, nil, SpanID{}
	}
	for _, p := range path[:n] { // everything below s joins its trace
		p.trace, p.flags, p.state, p.parent = s.trace, s.flags, s.state, nil
	}
	if !sp.wireTrace.IsZero() && sp.wireTrace != sp.trace {
		l.stats.optionsApart.Add(1)
	}
	sp.wireTrace = TraceID{}
	l.stats.count(sp)
	return Context{TraceID: sp.trace, SpanID: sp.id, ParentID: sp.parentID, Flags: sp.flags, State: sp.state}, true
}

// newTrace returns the trace id of the trace root starts, found resolving
// sp: the one the kernel drew for root's request, which its thread's
// calls carried to their servers; else the one sp's trace option gave its
// remote server; so the spans of every node are one trace. Else a new one.
func (l *Linker) newTrace(root, sp *Span) TraceID {
	switch {
	case !root.drawnTrace.IsZero():
		return root.drawnTrace
	case !sp.wireTrace.IsZero():
		return sp.wireTrace
	}
	return l.ids.traceID()
}

// expireServer ends the wait of a server request whose client was never
// seen: it starts its own trace.
func (l *Linker) expireServer(s *Span) {
	s.waitUntil = 0
	if l.servers[s.wire] == s {
		delete(l.servers, s.wire)
	}
	s.root(RootClientMissed)
}

// Sweep forgets, at record time now, what waited too long: client
// requests no server read, server starts no client came for, hand-offs no
// write used, and request contexts whose answer was missed. Server requests are ended by Resolve.
func (l *Linker) Sweep(now uint64) {
	l.expireClients(now, 0)
	n := 0
	for n < len(l.serverQ) && l.serverQ[n].at <= now {
		if e := l.serverQ[n]; l.servers[e.key] == e.span {
			delete(l.servers, e.key) // its Resolve, if any, counts it
		}
		n++
	}
	l.serverQ = dropFront(l.serverQ, n)
	n = 0
	for n < len(l.earlyQ) && l.earlyQ[n].at <= now {
		delete(l.early, l.earlyQ[n].key)
		n++
	}
	l.earlyQ = dropFront(l.earlyQ, n)
	for conn, h := range l.handoffs {
		if now > h.at+handoffTTL {
			delete(l.handoffs, conn)
		}
	}
	for key, s := range l.active {
		if now > s.since+slotTTL {
			delete(l.active, key)
		}
	}
}

// expireClients forgets the client requests whose wait ended by now, and
// at least the oldest min of them.
func (l *Linker) expireClients(now uint64, min int) {
	n := 0
	for n < len(l.clientQ) && (n < min || l.clientQ[n].at <= now) {
		if e := l.clientQ[n]; l.clients[e.key] == e.span {
			delete(l.clients, e.key)
		}
		n++
	}
	l.clientQ = dropFront(l.clientQ, n)
}

// dropFront removes the first n entries of q, reusing its storage.
func dropFront(q []expiring, n int) []expiring {
	if n == 0 {
		return q
	}
	m := copy(q, q[n:])
	clear(q[m:])
	return q[:m]
}

// Stats returns the counters; safe from any goroutine.
func (l *Linker) Stats() Stats { return l.stats.snapshot() }
