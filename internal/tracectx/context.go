package tracectx

// execOf returns the execution context a request's first byte was moved
// on, by its process's policy; ok is false when there is none to use. A
// client request handed off by a goroutine is its.
func (l *Linker) execOf(r *Request) (key execKey, how Mechanism, why Reason, ok bool) {
	switch l.policies[r.PID] {
	case PolicyThread:
		return execKey{r.PID, uint64(r.Thread)}, LinkedThread, 0, r.Thread != 0
	case PolicyGoroutine:
		g, how := r.Goroutine, LinkedGoroutine
		if h, handed := l.handoffs[r.Conn]; handed && !r.Server {
			delete(l.handoffs, r.Conn)
			g, how = h.goroutine, LinkedHandoff
		}
		return execKey{r.PID, g}, how, RootNoGoroutine, g != 0
	default:
		return execKey{}, 0, RootEventLoop, false
	}
}

// enter makes server request sp the one its execution context handles. A
// context that already handles an unanswered request of another
// connection serves several at once: its process is an event loop, and
// gets no in-process parents from now on.
func (l *Linker) enter(sp *Span, r *Request) {
	key, _, _, ok := l.execOf(r)
	if !ok {
		return
	}
	s := l.active[key]
	if s.pending > 0 && s.conn != r.Conn {
		l.policies[r.PID] = PolicyNone
		l.stats.eventLoops.Add(1)
		if l.onEventLoop != nil {
			l.onEventLoop(r.PID)
		}
		return
	}
	s.span, s.conn, s.since = sp, r.Conn, r.Time
	s.pending++
	l.active[key] = s
	sp.slot, sp.inSlot = key, true
}

// requestOf returns the server request the execution context of client
// request r is handling, with the mechanism that found it, or why there
// is none. Pipelined requests read together, not yet answered, leave it
// ambiguous.
func (l *Linker) requestOf(r *Request) (*Span, Mechanism, Reason) {
	key, how, why, ok := l.execOf(r)
	if !ok {
		return nil, 0, why
	}
	s, found := l.active[key]
	switch {
	case !found:
		return nil, 0, RootNoRequest
	case s.pending > 1:
		return nil, 0, RootAmbiguous
	}
	return s.span, how, 0
}

// Answer records that the server began its response to sp: a request
// already answered is no parent.
func (l *Linker) Answer(sp *Span) {
	if sp == nil || !sp.inSlot {
		return
	}
	sp.inSlot = false
	s, ok := l.active[sp.slot]
	if !ok {
		return
	}
	if s.pending--; s.pending <= 0 {
		delete(l.active, sp.slot)
		return
	}
	l.active[sp.slot] = s
}

// Drop records that request sp ends without a call (its response was never
// seen): it is answered as far as its thread is concerned.
func (l *Linker) Drop(sp *Span) { l.Answer(sp) }
