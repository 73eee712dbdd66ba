package stream

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// kernelWalk mirrors the kernel's HTTP/2 frame walk (bpf/h2walk.h) for one
// direction: it turns the bytes of each syscall into the frame pieces the
// kernel sends, carrying where the walk stands from one syscall to the next.
type kernelWalk struct {
	rest    int  // payload bytes of the current frame still to come
	copy    bool // the current frame's payload is copied
	hdr     []byte
	started bool
}

// pieces returns the payload of the frame record of one syscall moving b.
func (w *kernelWalk) pieces(b []byte) []byte {
	out := binary.LittleEndian.AppendUint32(nil, framesNone)
	runEnd, run := -1, 0 // where the latest piece ends, and where its header is
	add := func(at int, p []byte) {
		if len(p) == 0 {
			return
		}
		if runEnd != at {
			run = len(out)
			out = binary.LittleEndian.AppendUint32(out, uint32(at))
			out = binary.LittleEndian.AppendUint16(out, 0)
		}
		out = append(out, p...)
		binary.LittleEndian.PutUint16(out[run+4:], uint16(len(out)-run-pieceHdrLen))
		runEnd = at + len(p)
	}
	if !w.started && bytes.HasPrefix(b, []byte("PRI ")) {
		w.rest, w.copy = 24, true
	}
	w.started = true
	for pos := 0; pos < len(b); {
		if w.rest > 0 {
			k := min(w.rest, len(b)-pos)
			if w.copy {
				add(pos, b[pos:pos+k])
			}
			pos, w.rest = pos+k, w.rest-k
			continue
		}
		if len(w.hdr) == 0 && binary.LittleEndian.Uint32(out) == framesNone {
			binary.LittleEndian.PutUint32(out, uint32(pos))
		}
		k := min(9-len(w.hdr), len(b)-pos)
		add(pos, b[pos:pos+k])
		w.hdr = append(w.hdr, b[pos:pos+k]...)
		pos += k
		if len(w.hdr) == 9 {
			w.rest = int(w.hdr[0])<<16 | int(w.hdr[1])<<8 | int(w.hdr[2])
			t := w.hdr[3]
			w.copy = t == 1 || t == 3 || t == 5 || t == 9
			w.hdr = w.hdr[:0]
		}
	}
	return out
}

// walked feeds the bytes of one syscall as the kernel's frame record.
func (h *harness) walked(dir Direction, w *kernelWalk, data string) uint64 {
	return h.feed(&Segment{Dir: dir, Len: uint32(len(data)), Frames: w.pieces([]byte(data))})
}

func TestSegViewPieces(t *testing.T) {
	w := &kernelWalk{}
	// A DATA frame of 5 bytes, then HEADERS with a 3-byte block.
	b := []byte{0, 0, 5, 0, 0, 0, 0, 0, 1, 'a', 'b', 'c', 'd', 'e', 0, 0, 3, 1, 4, 0, 0, 0, 1, 'x', 'y', 'z'}
	s := &Segment{Protocol: call.ProtocolHTTP2, Len: uint32(len(b)), Frames: w.pieces(b)}
	if first, ok := framesFirst(s.Frames); !ok || first != 0 {
		t.Fatalf("first frame at %d, %v", first, ok)
	}
	if head := framesHead(s.Frames); !bytes.Equal(head, b[:9]) {
		t.Fatalf("head %v, want the DATA header", head)
	}
	v := newSegView(s)
	for _, tc := range []struct {
		pos, k int
		want   []byte
	}{
		{0, 9, b[:9]}, {3, 100, b[3:9]}, {9, 5, nil}, {13, 1, nil}, {14, 9, b[14:23]}, {20, 100, b[20:]}, {26, 1, nil},
	} {
		if got := v.bytes(tc.pos, tc.k); !bytes.Equal(got, tc.want) {
			t.Errorf("bytes(%d, %d) = %v, want %v", tc.pos, tc.k, got, tc.want)
		}
	}
}

// TestH2FramePiecesServerStreaming feeds a server-streaming response whose
// messages and trailers come in one large write, as frame pieces: DATA
// payloads are not there, yet the trailers end the call with its status,
// in one segment or split anywhere, mid-header included.
func TestH2FramePiecesServerStreaming(t *testing.T) {
	for _, split := range []int{0, 1, 9, 30, 100, 4001, 4005} {
		h := newHarness(t, RoleClient)
		h.protocol = call.ProtocolHTTP2
		cl, sv := newH2Peer(), newH2Peer()
		out, in := &kernelWalk{}, &kernelWalk{}
		h.walked(Egress, out, cl.preface().take())
		start := h.walked(Egress, out, cl.headers(1, false, grpcReq("routeguide.RouteGuide/ListFeatures")...).data(1, true, 20).take())
		sv.settings().headers(1, false, grpcRespHead...)
		for range 64 {
			sv.data(1, false, 60)
		}
		burst := sv.headers(1, true, grpcOK...).take()
		end := h.walked(Ingress, in, burst[:split])
		if split < len(burst) {
			end = h.walked(Ingress, in, burst[split:])
		}
		if split == 0 {
			end = h.now
		}
		h.expectH2(h2Summary{"grpc", "client", "routeguide.RouteGuide/ListFeatures", "/routeguide.RouteGuide/ListFeatures", 200, 0, start, end})
		if c := h.calls[0]; c.HTTP.ResponseBodySize != 64*60 {
			t.Errorf("split %d: response body %d", split, c.HTTP.ResponseBodySize)
		}
		if s := h.tr.Stats(); s.Desyncs != 0 || s.HeaderTablesLost != 0 {
			t.Errorf("split %d: stats %+v", split, s)
		}
	}
}

// TestH2FramePiecesResyncAfterLoss starts a direction after a loss: the
// first frame header the kernel names is where the framing is found again.
func TestH2FramePiecesResyncAfterLoss(t *testing.T) {
	h := newHarness(t, RoleServer)
	h.protocol = call.ProtocolHTTP2
	cl, sv := newH2Peer(), newH2Peer()
	in, out := &kernelWalk{}, &kernelWalk{}
	h.walked(Ingress, in, cl.preface().take())
	// A DATA frame split across two reads: the second read starts inside
	// its payload, then the next request follows.
	first := cl.headers(1, false, grpcReq("a.B/C")...).data(1, true, 50).take()
	h.walked(Ingress, in, first[:len(first)-20])
	h.tr.Segment(&Segment{ConnID: 1, Dir: Ingress, Len: 1, Lost: 1}) // nothing: a dropped record's mark only
	// Stream 3's request from a fresh encoder: literals only, decodable
	// with the table the loss left unknown.
	start := h.walked(Ingress, in, first[len(first)-20:]+newH2Peer().headers(3, true, grpcReq("a.B/C")...).take())
	end := h.walked(Egress, out, sv.settings().headers(1, true, grpcRespHead...).headers(3, false, grpcRespHead...).headers(3, true, grpcOK...).take())
	n := 0
	for _, c := range h.calls {
		if c.RPC.Method == "a.B/C" && c.Start == start && c.End == end {
			n++
		}
	}
	if n != 1 {
		for _, c := range h.calls {
			t.Logf("call %+v", h2sum(c))
		}
		t.Fatalf("%d calls of stream 3 after the loss, want 1; stats %+v", n, h.tr.Stats())
	}
}

// FuzzH2FramePieces feeds arbitrary frame records, as a hostile or broken
// kernel record would be, after a real exchange: nothing may panic, and
// every call made must be a sound one.
func FuzzH2FramePieces(f *testing.F) {
	cl, sv := newH2Peer(), newH2Peer()
	w := &kernelWalk{}
	f.Add(w.pieces([]byte(cl.preface().take())), uint32(64))
	f.Add(w.pieces([]byte(cl.headers(1, false, grpcReq("a.B/C")...).data(1, true, 50).take())), uint32(100))
	f.Add((&kernelWalk{}).pieces([]byte(sv.settings().headers(1, true, grpcRespHead...).take())), uint32(30))
	f.Fuzz(func(t *testing.T, frames []byte, n uint32) {
		tr := NewTracker(Config{Protocols: Protocols{HTTP2: true, GRPC: true}}, func(c *call.Call) { checkH2Call(t, c) })
		for _, dir := range []Direction{Egress, Ingress, Egress} {
			tr.Segment(&Segment{Protocol: call.ProtocolHTTP2, ConnID: 1, PID: testPID, Dir: dir, Time: 1, Len: n%100000 + 1, Frames: frames})
		}
		tr.Close(1, 2)
	})
}
