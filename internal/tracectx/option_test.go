package tracectx

import "testing"

func option(seq uint32, trace, span byte) Option {
	return Option{Seq: seq, Trace: TraceID{15: trace}, Span: SpanID{7: span}, Set: true}
}

// A server request whose first segment carried the option is the remote
// client span's child, in its trace.
func TestOptionParentsServerRequest(t *testing.T) {
	f := newFixture(t)
	o := option(100, 7, 9)
	sp := f.l.Start(&Request{Server: true, PID: 1, Conn: 1, Thread: 10, ClientPort: 5000, Seq: 100, HasSeq: true, Time: ms, Offered: true, Wire: o})
	c := f.resolve(sp, ms)
	if c.TraceID != o.Trace || c.ParentID != o.Span || c.SpanID == o.Span {
		t.Errorf("server: trace %x parent %x id %x, want trace %x parent %x", c.TraceID, c.ParentID, c.SpanID, o.Trace, o.Span)
	}
	if got := f.l.Stats().Linked["tcp_option"]; got != 1 {
		t.Errorf("tcp_option links %d, want 1", got)
	}
}

// A client of this node that sent the option is the parent the option
// names: its span has the option's ids, and it still starts no later than
// the server request it sent.
func TestOptionFromClientOfThisNode(t *testing.T) {
	f := newFixture(t)
	cl := f.l.Start(&Request{PID: 1, Conn: 1, Thread: 10, ClientPort: 5000, Seq: 100, HasSeq: true, Time: 2 * ms, Offered: true, Wire: option(100, 7, 9)})
	sv := f.l.Start(&Request{Server: true, PID: 3, Conn: 2, ClientPort: 5000, Seq: 100, HasSeq: true, Time: ms, Offered: true, ClientHere: true, Wire: option(100, 7, 9)})
	client := f.resolve(cl, 3*ms)
	f.wantChild(f.resolve(sv, 3*ms), client)
	if got := cl.Start(2 * ms); got != ms {
		t.Errorf("client start %d, want its server's %d", got, ms)
	}
	if got := f.l.Stats().Linked["tcp_option"]; got != 1 {
		t.Errorf("tcp_option links %d, want 1", got)
	}
}

// A client request that carried the option has the option's span id, and
// the option's trace when it starts one; a request on the same thread's
// request takes its trace from the first option, and a later call with
// another option is counted apart.
func TestOptionGivesClientItsIDs(t *testing.T) {
	f := newFixture(t)
	root := f.l.Start(&Request{PID: 1, Conn: 9, Thread: 10, Time: ms, Offered: true, Wire: option(1, 1, 1)})
	c := f.resolve(root, ms)
	if c.TraceID != (TraceID{15: 1}) || c.SpanID != (SpanID{7: 1}) || !c.ParentID.IsZero() {
		t.Errorf("root client: %+v, want the option's ids", c)
	}

	in := f.server(1, 1, 11, 4000, 50, 2*ms)
	first := f.l.Start(&Request{PID: 1, Conn: 2, Thread: 11, Time: 3 * ms, Offered: true, Wire: option(7, 2, 2)})
	second := f.l.Start(&Request{PID: 1, Conn: 3, Thread: 11, Time: 4 * ms, Offered: true, Wire: option(8, 3, 3)})
	c1 := f.resolve(first, 100*ms)
	c2 := f.resolve(second, 100*ms)
	s := f.resolve(in, 100*ms)
	f.wantChild(c1, s)
	if c1.TraceID != (TraceID{15: 2}) {
		t.Errorf("first call's trace %x, want its option's", c1.TraceID)
	}
	if c2.ParentID != s.SpanID || c2.SpanID != (SpanID{7: 3}) {
		t.Errorf("second call: parent %x id %x, want parent %x id from its option", c2.ParentID, c2.SpanID, s.SpanID)
	}
	if st := f.l.Stats(); st.OptionsSent != 3 || st.OptionsApart != 1 {
		t.Errorf("options sent %d apart %d, want 3 and 1", st.OptionsSent, st.OptionsApart)
	}
}

// The application's own traceparent wins over the option on both sides.
func TestTraceParentWinsOverOption(t *testing.T) {
	f := newFixture(t)
	tp := []byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	sv := f.l.Start(&Request{Server: true, PID: 3, Conn: 2, ClientPort: 5000, Seq: 100, HasSeq: true, Time: ms, TraceParent: tp, Wire: option(100, 7, 9)})
	c := f.resolve(sv, ms)
	if c.ParentID != (SpanID{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31}) {
		t.Errorf("server parent %x, want the traceparent's", c.ParentID)
	}
}

// A request whose trace the kernel drew when it was read starts that
// trace, so every call its thread made, whose options carried it, is in
// it: none is apart.
func TestDrawnTraceJoinsEveryCall(t *testing.T) {
	f := newFixture(t)
	drawn := TraceID{15: 5}
	in := f.l.Start(&Request{Server: true, PID: 1, Conn: 1, Thread: 11, ClientPort: 4000, Seq: 50, HasSeq: true, Time: ms, Offered: true, Drawn: drawn})
	first := f.l.Start(&Request{PID: 1, Conn: 2, Thread: 11, Time: 2 * ms, Offered: true, Wire: Option{Seq: 7, Trace: drawn, Span: SpanID{7: 2}, Set: true}})
	second := f.l.Start(&Request{PID: 1, Conn: 3, Thread: 11, Time: 3 * ms, Offered: true, Wire: Option{Seq: 8, Trace: drawn, Span: SpanID{7: 3}, Set: true}})
	c1, c2 := f.resolve(first, 100*ms), f.resolve(second, 100*ms)
	s := f.resolve(in, 100*ms)
	f.wantChild(c1, s)
	f.wantChild(c2, s)
	if s.TraceID != drawn {
		t.Errorf("request's trace %x, want the drawn %x", s.TraceID, drawn)
	}
	if st := f.l.Stats(); st.OptionsApart != 0 {
		t.Errorf("options apart %d, want 0", st.OptionsApart)
	}
}

// A process found serving several requests on one thread is reported, so
// the kernel stops giving its calls its threads' traces.
func TestEventLoopIsReported(t *testing.T) {
	f := newFixture(t)
	var got []uint32
	f.l.OnEventLoop(func(pid uint32) { got = append(got, pid) })
	f.server(1, 1, 10, 4000, 1, ms)
	f.server(1, 2, 10, 4001, 1, 2*ms)
	if len(got) != 1 || got[0] != 1 {
		t.Errorf("event loops reported %v, want [1]", got)
	}
}
