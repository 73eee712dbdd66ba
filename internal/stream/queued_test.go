package stream

import (
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// queuedAt feeds a fully captured segment whose first bytes began to wait
// ago before it was read, and returns that moment.
func (h *harness) queuedAt(dir Direction, data string, ago uint64) uint64 {
	at := h.now + 1000 - ago // feed advances the clock by 1000
	h.feed(&Segment{Dir: dir, Len: uint32(len(data)), Data: []byte(data), Queued: at})
	return at
}

// expectQueued compares the calls' Queued with want.
func (h *harness) expectQueued(want ...uint64) {
	h.t.Helper()
	if len(h.calls) != len(want) {
		h.t.Fatalf("%d calls, want %d", len(h.calls), len(want))
	}
	for i, c := range h.calls {
		if c.Queued != want[i] {
			h.t.Errorf("call %d (%s): queued at %d, want %d", i, c.HTTP.Path, c.Queued, want[i])
		}
	}
}

func TestQueuedHTTP1(t *testing.T) {
	h := newHarness(t, RoleServer)
	q1 := h.queuedAt(Ingress, get("/1"), 500)
	h.send(Egress, goHello)
	// Pipelined: the second request of a read arrived after its first
	// bytes, when is not known.
	q2 := h.queuedAt(Ingress, get("/2")+get("/3"), 300)
	h.send(Egress, goHello)
	h.send(Egress, goHello)
	// A read that begins with the end of a body: the request after it
	// did not wait as long as those bytes.
	h.send(Ingress, "POST /4 HTTP/1.1\r\nContent-Length: 4\r\n\r\nab")
	h.queuedAt(Ingress, "cd"+get("/5"), 200)
	h.send(Egress, goHello)
	h.send(Egress, goHello)
	// A Go server reads one byte ahead: the request waited as long as
	// that byte.
	req := get("/6")
	q6 := h.queuedAt(Ingress, req[:1], 700)
	h.send(Ingress, req[1:])
	h.send(Egress, goHello)
	// A stamp taken after the read is not the request's.
	req = get("/7")
	h.feed(&Segment{Dir: Ingress, Len: uint32(len(req)), Data: []byte(req), Queued: h.now + 1001})
	h.send(Egress, goHello)
	h.expectQueued(q1, q2, 0, 0, 0, q6, 0)
}

func TestQueuedNotForClients(t *testing.T) {
	h := newHarness(t, RoleClient)
	h.queuedAt(Egress, get("/1"), 500)
	h.queuedAt(Ingress, goHello, 500)
	h.expectQueued(0)
}

func TestQueuedHTTP2(t *testing.T) {
	h := newHarness(t, RoleServer)
	h.protocol = call.ProtocolHTTP2
	cl, sv := newH2Peer(), newH2Peer()
	h.send(Ingress, cl.preface().take())
	req := grpcReq("helloworld.Greeter/SayHello")
	q1 := h.queuedAt(Ingress, cl.headers(1, false, req...).data(1, true, 12).take(), 400)
	// Two streams in one read: the second's HEADERS came later than the
	// read's first bytes.
	q3 := h.queuedAt(Ingress, cl.headers(3, false, req...).data(3, true, 12).headers(5, false, req...).data(5, true, 12).take(), 900)
	for _, id := range []uint32{1, 3, 5} {
		h.send(Egress, sv.headers(id, false, grpcRespHead...).data(id, false, 20).take())
		h.send(Egress, sv.headers(id, true, grpcOK...).take())
	}
	h.expectQueued(q1, q3, 0)
}
