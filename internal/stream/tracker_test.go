package stream

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

func TestTrackerGarbageConnection(t *testing.T) {
	h := newHarness(t, RoleUnknown)
	junk := []string{
		"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", // TLS ClientHello
		"*1\r\n$4\r\nPING\r\n",                         // Redis
		"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n",
		"", "\r\n\r\n", "HTTP/1.1", "GET",
	}
	for i := range 2 * maxClassifyTries {
		h.send(Direction(1+i%2), junk[i%len(junk)])
	}
	h.send(Ingress, get("/too-late")) // classification gave up
	h.send(Egress, goHello)
	h.expect()
	if c := h.tr.conns[1]; c == nil || !c.opaque || c.sess != nil {
		t.Fatalf("conn state %+v, want opaque", c)
	}
	h.close()
	h.expectStats(0, 0, 0, 0)
}

func TestTrackerIgnoresEmptyAndBadSegments(t *testing.T) {
	h := newHarness(t, RoleServer)
	h.feed(&Segment{Dir: Ingress})                        // Len 0: nothing moved
	h.feed(&Segment{Dir: 7, Len: 3, Data: []byte("GET")}) // no such direction
	h.expectStats(0, 0, 0, 0)
	h.feed(&Segment{Dir: Ingress, Len: 2, Data: []byte(curlGet)}) // Data longer than Len
	h.expectStats(1, 0, 0, 0)
}

func TestTrackerCloseDropsUnanswered(t *testing.T) {
	h := newHarness(t, RoleClient)
	h.send(Egress, get("/a")+get("/b"))
	h.send(Ingress, goHello)
	h.close()
	h.close() // unknown connection: nothing happens
	if len(h.calls) != 1 {
		t.Fatalf("%d calls, want 1", len(h.calls))
	}
	h.expectStats(0, 0, 0, 1)
}

func TestTrackerEvict(t *testing.T) {
	var calls []*call.Call
	tr := NewTracker(Config{IdleTimeout: time.Second}, func(c *call.Call) { calls = append(calls, c) })
	const sec = uint64(time.Second)
	seg := func(conn uint64, at uint64, dir Direction, data string) {
		tr.Segment(&Segment{Protocol: call.ProtocolHTTP1, ConnID: conn, Dir: dir, Role: RoleServer, Time: at, Len: uint32(len(data)), Data: []byte(data)})
	}
	seg(1, 1*sec, Ingress, get("/old"))
	seg(1, 1*sec+5, Egress, pythonBareHead) // ends at close: completed by eviction
	seg(2, 2*sec, Ingress, get("/fresh"))
	tr.Evict(2*sec + 10)
	if s := tr.Stats(); s.Connections != 1 || len(calls) != 1 || calls[0].End != 1*sec+5 {
		t.Fatalf("after evict: stats %+v, calls %d", s, len(calls))
	}
	tr.Evict(10 * sec)
	if s := tr.Stats(); s.Connections != 0 || s.PendingDropped != 1 {
		t.Fatalf("after second evict: stats %+v", s)
	}
}

func TestTrackerForget(t *testing.T) {
	tr := NewTracker(Config{}, func(*call.Call) {})
	for conn := range uint64(10) {
		pid := uint32(100 + conn%2)
		tr.Segment(&Segment{Protocol: call.ProtocolHTTP1, ConnID: conn, PID: pid, Dir: Ingress, Time: 1, Len: uint32(len(curlGet)), Data: []byte(curlGet)})
	}
	tr.Forget(100)
	if s := tr.Stats(); s.Connections != 5 || s.PendingDropped != 5 {
		t.Fatalf("after Forget(100): %+v", s)
	}
	tr.Forget(101)
	if s := tr.Stats(); s.Connections != 0 {
		t.Fatalf("after Forget(101): %+v", s)
	}
}

func TestTrackerReusesState(t *testing.T) {
	h := newHarness(t, RoleServer)
	for i := range 3 {
		h.send(Ingress, get("/a"))
		h.send(Egress, goHello)
		h.send(Ingress, get("/unanswered"))
		h.close()
		if got := len(h.calls); got != i+1 {
			t.Fatalf("round %d: %d calls", i, got)
		}
	}
	if len(h.tr.freeC) != 1 || len(h.tr.freeH1) != 1 {
		t.Errorf("free lists %d %d, want 1 1", len(h.tr.freeC), len(h.tr.freeH1))
	}
	h.expectStats(0, 0, 0, 3)
}

func TestTrackerStatsDecodeErrorsKeys(t *testing.T) {
	s := NewTracker(Config{}, nil).Stats()
	want := []string{"http1", "postgres", "mysql", "redis", "mongodb", "kafka"}
	for _, p := range want {
		if _, ok := s.DecodeErrors[p]; !ok {
			t.Errorf("no decode errors of %s", p)
		}
	}
	if len(s.DecodeErrors) != len(want) {
		t.Errorf("DecodeErrors = %v", s.DecodeErrors)
	}
}

func TestTrackerKeepsAddressesFromTheFirstSegment(t *testing.T) {
	var got []*call.Call
	tr := NewTracker(Config{}, func(c *call.Call) { got = append(got, c) })
	local, peer := netip.MustParseAddrPort("127.0.0.1:8080"), netip.MustParseAddrPort("127.0.0.1:50000")
	req := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp := []byte("HTTP/1.1 204 No Content\r\n\r\n")
	tr.Segment(&Segment{Protocol: call.ProtocolHTTP1, ConnID: 1, PID: 7, Dir: Ingress, Role: RoleServer, Time: 1, Len: uint32(len(req)), Data: req, Local: local, Peer: peer})
	tr.Segment(&Segment{Protocol: call.ProtocolHTTP1, ConnID: 1, PID: 7, Dir: Egress, Role: RoleServer, Time: 2, Len: uint32(len(resp)), Data: resp})
	if len(got) != 1 || got[0].Local != local || got[0].Peer != peer {
		t.Fatalf("calls %+v: want one with local %v peer %v", got, local, peer)
	}
}
