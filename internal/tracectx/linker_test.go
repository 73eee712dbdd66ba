package tracectx

import (
	"testing"
)

const ms uint64 = 1_000_000

// fixture drives a Linker with requests as the stream layer would start
// them.
type fixture struct {
	t *testing.T
	l *Linker
}

func newFixture(t *testing.T) *fixture {
	l := NewLinker()
	l.SetPolicy(1, PolicyThread)
	l.SetPolicy(2, PolicyGoroutine)
	l.SetPolicy(3, PolicyNone)
	return &fixture{t: t, l: l}
}

// server starts a server request of pid on conn, read by thread/goroutine
// exec, whose client port and first byte are port and seq.
func (f *fixture) server(pid uint32, conn uint64, exec uint64, port uint16, seq uint32, at uint64) *Span {
	return f.l.Start(&Request{Server: true, PID: pid, Conn: conn, Thread: uint32(exec), Goroutine: exec,
		ClientPort: port, Seq: seq, HasSeq: true, Time: at, Offered: true, ClientHere: true})
}

func (f *fixture) client(pid uint32, conn uint64, exec uint64, port uint16, seq uint32, at uint64) *Span {
	return f.l.Start(&Request{PID: pid, Conn: conn, Thread: uint32(exec), Goroutine: exec,
		ClientPort: port, Seq: seq, HasSeq: true, Time: at, Offered: true})
}

// resolve resolves sp at now, failing when it is not ready, and sends its
// call, as the engine does.
func (f *fixture) resolve(sp *Span, now uint64) Context {
	f.t.Helper()
	c, ok := f.l.Resolve(sp, now)
	if !ok {
		f.t.Fatalf("span %x not resolved at %d", sp.id, now)
	}
	return c
}

func (f *fixture) wantChild(child, parent Context) {
	f.t.Helper()
	if child.ParentID != parent.SpanID || child.TraceID != parent.TraceID {
		f.t.Errorf("span %x: parent %x in trace %x, want parent %x in trace %x",
			child.SpanID, child.ParentID, child.TraceID, parent.SpanID, parent.TraceID)
	}
}

func (f *fixture) wantRoot(c Context) {
	f.t.Helper()
	if !c.ParentID.IsZero() {
		f.t.Errorf("span %x: parent %x, want a root", c.SpanID, c.ParentID)
	}
}

func (f *fixture) wantReason(r Reason, n uint64) {
	f.t.Helper()
	if got := f.l.Stats().Roots[r.String()]; got != n {
		f.t.Errorf("roots %s = %d, want %d", r, got, n)
	}
}

func (f *fixture) wantLinked(m Mechanism, n uint64) {
	f.t.Helper()
	if got := f.l.Stats().Linked[m.String()]; got != n {
		f.t.Errorf("linked %s = %d, want %d", m, got, n)
	}
}

func TestServerIsChildOfTheClientThatSentIt(t *testing.T) {
	f := newFixture(t)
	c := f.client(1, 10, 100, 40000, 5000, 1*ms)
	other := f.client(1, 11, 101, 40001, 5000, 1*ms) // same seq, other port
	s := f.server(2, 20, 7, 40000, 5000, 2*ms)
	sc, cc := f.resolve(s, 3*ms), f.resolve(c, 3*ms) // a server's call ends first
	f.wantChild(sc, cc)
	if oc := f.resolve(other, 3*ms); oc.TraceID == sc.TraceID {
		t.Errorf("a client of another port shares the server's trace")
	}
	f.wantLinked(LinkedWire, 1)
}

func TestServerReadBeforeItsClientWaits(t *testing.T) {
	f := newFixture(t)
	s := f.server(2, 20, 7, 40000, 5000, 1*ms)
	if _, ok := f.l.Resolve(s, 2*ms); ok {
		t.Fatal("server resolved before its client's record and before its wait ended")
	}
	c := f.client(1, 10, 100, 40000, 5000, 1*ms)
	sc := f.resolve(s, 2*ms)
	f.wantChild(sc, f.resolve(c, 2*ms))
}

func TestServerWithoutClientBecomesRootAfterGrace(t *testing.T) {
	f := newFixture(t)
	s := f.server(2, 20, 7, 40000, 5000, 1*ms)
	if _, ok := f.l.Resolve(s, 1*ms+Grace-1); ok {
		t.Fatal("resolved before the grace ended")
	}
	f.wantRoot(f.resolve(s, 1*ms+Grace))
	f.wantReason(RootClientMissed, 1)
	f.wantReason(RootNoClient, 0)
	// A client record coming later links nothing any more.
	c := f.client(1, 10, 100, 40000, 5000, 1*ms)
	if f.resolve(c, 200*ms).TraceID == f.resolve(s, 200*ms).TraceID {
		t.Error("a late client joined a server already sent as a root")
	}
}

func TestServerWhoseClientIsElsewhereDoesNotWait(t *testing.T) {
	f := newFixture(t)
	s := f.l.Start(&Request{Server: true, PID: 2, Conn: 20, Goroutine: 7, ClientPort: 40000, Seq: 5000, HasSeq: true, Time: 1 * ms})
	f.wantRoot(f.resolve(s, 1*ms))
	f.wantReason(RootNoClient, 1)
	if len(f.l.servers) != 0 {
		t.Errorf("%d servers wait for a client that is not on this node", len(f.l.servers))
	}
}

func TestTwoClientsClaimingOnePositionLinkNeither(t *testing.T) {
	f := newFixture(t)
	f.client(1, 10, 100, 40000, 5000, 1*ms)
	f.client(1, 11, 101, 40000, 5000, 1*ms)
	s := f.server(2, 20, 7, 40000, 5000, 2*ms)
	f.wantRoot(f.resolve(s, 2*ms))
	f.wantReason(RootAmbiguous, 1)
}

func TestClientCallIsChildOfTheRequestItsThreadHandles(t *testing.T) {
	f := newFixture(t)
	s := f.server(1, 20, 7, 40000, 5000, 1*ms)
	c := f.client(1, 21, 7, 41000, 9000, 2*ms)
	elsewhere := f.client(1, 22, 8, 41001, 9000, 2*ms) // another thread: a background call
	f.l.Answer(s)
	after := f.client(1, 23, 7, 41002, 9000, 3*ms) // after the response began
	now := 1*ms + Grace
	sc := f.resolve(s, now)
	f.wantChild(f.resolve(c, now), sc)
	f.wantRoot(f.resolve(elsewhere, now))
	f.wantRoot(f.resolve(after, now))
	f.wantLinked(LinkedThread, 1)
	f.wantReason(RootNoRequest, 2)
}

func TestThreadServingTwoConnectionsAtOnceIsAnEventLoop(t *testing.T) {
	f := newFixture(t)
	f.server(1, 20, 7, 40000, 5000, 1*ms)
	f.server(1, 21, 7, 40001, 6000, 2*ms) // before the first was answered
	c := f.client(1, 22, 7, 41000, 9000, 3*ms)
	f.wantRoot(f.resolve(c, 3*ms))
	f.wantReason(RootEventLoop, 1)
	if f.l.Stats().EventLoops != 1 {
		t.Errorf("event loops = %d, want 1", f.l.Stats().EventLoops)
	}
}

func TestPipelinedRequestsLeaveTheirThreadAmbiguous(t *testing.T) {
	f := newFixture(t)
	a := f.server(1, 20, 7, 40000, 5000, 1*ms)
	f.server(1, 20, 7, 40000, 5100, 1*ms) // the same connection, read together
	c := f.client(1, 22, 7, 41000, 9000, 2*ms)
	f.l.Answer(a)
	d := f.client(1, 23, 7, 41001, 9000, 3*ms) // only the second is unanswered now
	now := 1*ms + Grace
	f.wantRoot(f.resolve(c, now))
	if f.resolve(d, now).ParentID.IsZero() {
		t.Error("the one unanswered request is not its thread's context")
	}
}

func TestEventLoopRuntimeGetsNoInProcessParent(t *testing.T) {
	f := newFixture(t)
	f.server(3, 20, 7, 40000, 5000, 1*ms)
	c := f.client(3, 21, 7, 41000, 9000, 2*ms)
	f.wantRoot(f.resolve(c, 2*ms))
	f.wantReason(RootEventLoop, 1)
}

func TestGoHandoffGivesTheWriteLoopsRequestToTheCaller(t *testing.T) {
	f := newFixture(t)
	s := f.server(2, 20, 7, 40000, 5000, 1*ms)
	f.l.Handoff(2, 30, 7, 2*ms)
	c := f.client(2, 30, 99, 41000, 9000, 2*ms)  // written by the writeLoop goroutine 99
	bg := f.client(2, 30, 99, 41000, 9100, 3*ms) // the next one on the pool, no hand-off seen
	now := 1*ms + Grace
	f.wantChild(f.resolve(c, now), f.resolve(s, now))
	f.wantRoot(f.resolve(bg, now))
	f.wantLinked(LinkedHandoff, 1)
}

func TestGoroutineZeroIsNoContext(t *testing.T) {
	f := newFixture(t)
	f.server(2, 20, 0, 40000, 5000, 1*ms)
	c := f.client(2, 21, 0, 41000, 9000, 2*ms)
	f.wantRoot(f.resolve(c, 1*ms+Grace))
	f.wantReason(RootNoGoroutine, 1)
}

func TestIncomingTraceParentIsJoined(t *testing.T) {
	f := newFixture(t)
	tp := []byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	s := f.l.Start(&Request{Server: true, PID: 1, Conn: 20, Thread: 7, Time: 1 * ms, TraceParent: tp, TraceState: []byte("k=v")})
	c := f.client(1, 21, 7, 41000, 9000, 2*ms)
	sc := f.resolve(s, 1*ms)
	if got := sc.TraceID; got != (TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c}) {
		t.Errorf("trace %x, want the traceparent's", got)
	}
	if sc.ParentID != (SpanID{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31}) || sc.Flags != 1 || sc.State != "k=v" {
		t.Errorf("context %+v: want parent b7ad6b7169203331, flags 01, state k=v", sc)
	}
	f.wantChild(f.resolve(c, 2*ms), sc)
}

func TestClientWithItsOwnTraceParentKeepsItsIDs(t *testing.T) {
	f := newFixture(t)
	tp := []byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	c := f.l.Start(&Request{PID: 1, Conn: 21, Thread: 7, ClientPort: 41000, Seq: 9000, HasSeq: true, Offered: true, Time: 1 * ms, TraceParent: tp})
	s := f.l.Start(&Request{Server: true, PID: 2, Conn: 22, Goroutine: 3, ClientPort: 41000, Seq: 9000, HasSeq: true, Offered: true, Time: 2 * ms, TraceParent: tp})
	cc, sc := f.resolve(c, 2*ms), f.resolve(s, 2*ms)
	if cc.SpanID != (SpanID{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31}) {
		t.Errorf("client span %x, want the application's b7ad6b7169203331", cc.SpanID)
	}
	f.wantChild(sc, cc)
}

func TestChainWaitsForItsHeadAndSharesOneTrace(t *testing.T) {
	f := newFixture(t)
	// process 1 serves a request whose client record comes late; its
	// thread calls process 2, whose goroutine calls on.
	a := f.server(1, 20, 7, 40000, 5000, 1*ms)
	a1 := f.client(1, 21, 7, 41000, 9000, 2*ms)
	b := f.server(2, 30, 5, 41000, 9000, 3*ms)
	b1 := f.client(2, 31, 5, 42000, 100, 4*ms)
	if _, ok := f.l.Resolve(b1, 5*ms); ok {
		t.Fatal("the chain resolved while its head still waits")
	}
	head := f.client(9, 10, 1, 40000, 5000, 1*ms)
	// Sent in the order calls end: innermost first.
	b1c, bc, a1c, ac, hc := f.resolve(b1, 5*ms), f.resolve(b, 5*ms), f.resolve(a1, 5*ms), f.resolve(a, 5*ms), f.resolve(head, 5*ms)
	f.wantChild(ac, hc)
	f.wantChild(a1c, ac)
	f.wantChild(bc, a1c)
	f.wantChild(b1c, bc)
}

func TestChainWhoseHeadNeverComesIsOneTrace(t *testing.T) {
	f := newFixture(t)
	a := f.server(1, 20, 7, 40000, 5000, 1*ms)
	a1 := f.client(1, 21, 7, 41000, 9000, 2*ms)
	now := 1*ms + Grace
	a1c := f.resolve(a1, now) // resolved first: the head's wait ends through it
	ac := f.resolve(a, now)
	f.wantRoot(ac)
	f.wantChild(a1c, ac)
}

func TestSweepForgetsWhatNobodyClaimed(t *testing.T) {
	f := newFixture(t)
	f.client(1, 10, 100, 40000, 5000, 1*ms)
	f.l.Handoff(2, 30, 7, 1*ms)
	s := f.server(2, 20, 7, 40001, 5000, 1*ms)
	f.l.Sweep(1*ms + clientTTL + handoffTTL + slotTTL)
	if len(f.l.clients) != 0 || len(f.l.clientQ) != 0 || len(f.l.servers) != 0 || len(f.l.serverQ) != 0 || len(f.l.handoffs) != 0 || len(f.l.active) != 0 {
		t.Errorf("tables not empty: %d clients, %d servers, %d hand-offs, %d active", len(f.l.clients), len(f.l.servers), len(f.l.handoffs), len(f.l.active))
	}
	f.wantRoot(f.resolve(s, 1*ms+Grace))
}

func TestClientTableIsBounded(t *testing.T) {
	f := newFixture(t)
	for i := range maxClients + 10 {
		f.client(1, 10, 100, 40000, uint32(i), 1*ms)
	}
	if len(f.l.clients) > maxClients {
		t.Errorf("%d clients waiting, bound %d", len(f.l.clients), maxClients)
	}
}

func TestExitedProcessLeavesNoContextToItsPIDsNextOwner(t *testing.T) {
	f := newFixture(t)
	f.server(1, 20, 1, 40000, 5000, 1*ms) // never answered: the process died
	f.l.Forget(1)
	f.l.SetPolicy(1, PolicyThread) // a new program with the same pid
	c := f.client(1, 21, 1, 41000, 9000, 2*ms)
	f.wantRoot(f.resolve(c, 2*ms))
}

func TestClientCallStartsNoLaterThanItsServersCall(t *testing.T) {
	f := newFixture(t)
	c := f.client(1, 10, 100, 40000, 5000, 10*ms)
	s := f.server(2, 20, 7, 40000, 5000, 9*ms) // read before the client's write returned
	if got := s.Start(9 * ms); got != 9*ms {
		t.Errorf("server call moved to %d", got)
	}
	if got := c.Start(10 * ms); got != 9*ms {
		t.Errorf("client call starts at %d, want 9ms, its server's start", got)
	}
	other := f.client(1, 11, 100, 40001, 6000, 10*ms)
	if got := other.Start(10 * ms); got != 10*ms {
		t.Errorf("a client without a server here moved to %d", got)
	}
}

func TestClientCallStartsNoLaterThanItsServersQueue(t *testing.T) {
	f := newFixture(t)
	c := f.client(1, 10, 100, 40000, 5000, 10*ms)
	// The request's bytes were queued on the server's socket within the
	// client's write, then waited there until the server read them.
	s := f.l.Start(&Request{Server: true, PID: 2, Conn: 20, Goroutine: 7, ClientPort: 40000, Seq: 5000, HasSeq: true,
		Time: 30 * ms, Queued: 8 * ms})
	if got := s.Start(30 * ms); got != 30*ms {
		t.Errorf("server call moved to %d", got)
	}
	if got := c.Start(10 * ms); got != 8*ms {
		t.Errorf("client call starts at %d, want 8ms, when its request began to wait at the server", got)
	}
}

func TestClientStartsNoLaterThanItsServerThatCameFirstWithItsOwnParent(t *testing.T) {
	f := newFixture(t)
	tp := []byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	// The server read the request, which waited since 8ms, before the
	// client's write returned at 10ms; the request names its parent.
	s := f.l.Start(&Request{Server: true, PID: 2, Conn: 22, Goroutine: 3, ClientPort: 41000, Seq: 9000, HasSeq: true,
		Offered: true, ClientHere: true, Time: 9 * ms, Queued: 8 * ms, TraceParent: tp})
	c := f.l.Start(&Request{PID: 1, Conn: 21, Thread: 7, ClientPort: 41000, Seq: 9000, HasSeq: true, Offered: true, Time: 10 * ms, TraceParent: tp})
	if got := c.Start(10 * ms); got != 8*ms {
		t.Errorf("client call starts at %d, want 8ms, when its request began to wait at the server", got)
	}
	f.wantChild(f.resolve(s, 10*ms), f.resolve(c, 10*ms))
	// A start no client came for is forgotten with the rest.
	f.l.Start(&Request{Server: true, PID: 2, Conn: 23, Goroutine: 4, ClientPort: 41001, Seq: 1, HasSeq: true,
		Offered: true, ClientHere: true, Time: 20 * ms, TraceParent: tp})
	f.l.Sweep(20*ms + Grace)
	if len(f.l.early) != 0 || len(f.l.earlyQ) != 0 {
		t.Errorf("%d starts and %d expiries kept past their wait", len(f.l.early), len(f.l.earlyQ))
	}
}
