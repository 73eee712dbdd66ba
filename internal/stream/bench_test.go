package stream

import (
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// keepAlive returns a request and a response segment of one server
// connection, as a Go server behind a curl-like client sees them.
func keepAlive() (req, resp Segment) {
	r, w := []byte(get("/api/users/42")), []byte(goHello)
	req = Segment{Protocol: call.ProtocolHTTP1, ConnID: 9, PID: testPID, Dir: Ingress, Role: RoleServer, Len: uint32(len(r)), Data: r, Local: testLocal, Peer: testPeer}
	resp = Segment{Protocol: call.ProtocolHTTP1, ConnID: 9, PID: testPID, Dir: Egress, Role: RoleServer, Len: uint32(len(w)), Data: w, Local: testLocal, Peer: testPeer}
	return req, resp
}

func BenchmarkTrackerKeepAlive(b *testing.B) {
	calls := 0
	tr := NewTracker(Config{}, func(*call.Call) { calls++ })
	req, resp := keepAlive()
	b.ReportAllocs()
	now := uint64(0)
	for b.Loop() {
		now += 2
		req.Time, resp.Time = now, now+1
		tr.Segment(&req)
		tr.Segment(&resp)
	}
	if calls < b.N {
		b.Fatalf("%d calls for %d iterations", calls, b.N)
	}
}

// BenchmarkTrackerKeepAliveLent is BenchmarkTrackerKeepAlive with calls
// lent to emit rather than allocated.
func BenchmarkTrackerKeepAliveLent(b *testing.B) {
	tr := NewTracker(Config{LendCalls: true}, func(*call.Call) {})
	req, resp := keepAlive()
	b.ReportAllocs()
	now := uint64(0)
	for b.Loop() {
		now += 2
		req.Time, resp.Time = now, now+1
		tr.Segment(&req)
		tr.Segment(&resp)
	}
}

func BenchmarkTrackerOneRequestPerConnection(b *testing.B) {
	tr := NewTracker(Config{}, func(*call.Call) {})
	req, resp := keepAlive()
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		req.ConnID, resp.ConnID = i, i
		tr.Segment(&req)
		tr.Segment(&resp)
		tr.Close(i, i)
	}
}

func BenchmarkTrackerOpaqueSegment(b *testing.B) {
	tr := NewTracker(Config{}, func(*call.Call) {})
	junk := []byte("\x17\x03\x03\x00\x20 encrypted application data......")
	s := Segment{ConnID: 1, Dir: Ingress, Len: uint32(len(junk)), Data: junk}
	b.ReportAllocs()
	for b.Loop() {
		tr.Segment(&s)
	}
}

// TestTrackerKeepAliveAllocs pins the steady state: one allocation per call
// (the call itself), none per segment.
func TestTrackerKeepAliveAllocs(t *testing.T) {
	tr := NewTracker(Config{}, func(*call.Call) {})
	req, resp := keepAlive()
	tr.Segment(&req) // warm up: connection, interned strings, queue
	tr.Segment(&resp)
	n := testing.AllocsPerRun(200, func() {
		tr.Segment(&req)
		tr.Segment(&resp)
	})
	if n != 1 {
		t.Errorf("%v allocations per exchange, want 1", n)
	}
}

// TestTrackerLentCallsAllocs pins the steady state with lent calls: no
// allocation at all, and each emit sees the same call with new contents.
func TestTrackerLentCallsAllocs(t *testing.T) {
	var seen *call.Call
	var starts []uint64
	tr := NewTracker(Config{LendCalls: true}, func(c *call.Call) {
		if seen != nil && seen != c {
			t.Fatal("a lent call is reused")
		}
		seen = c
		starts = append(starts, c.Start)
	})
	req, resp := keepAlive()
	for i := range uint64(3) {
		req.Time, resp.Time = 10*i, 10*i+1
		tr.Segment(&req)
		tr.Segment(&resp)
	}
	if len(starts) != 3 || starts[0] != 0 || starts[1] != 10 || starts[2] != 20 {
		t.Fatalf("call starts %v, want [0 10 20]", starts)
	}
	n := testing.AllocsPerRun(200, func() {
		tr.Segment(&req)
		tr.Segment(&resp)
	})
	if n != 0 {
		t.Errorf("%v allocations per exchange, want 0", n)
	}
}
