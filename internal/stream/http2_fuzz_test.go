package stream

import (
	"strings"
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// h2FuzzSeeds are exchanges of the table tests as fuzz operations (see
// FuzzTracker): a gRPC call, a plain request, a cut segment.
func h2FuzzSeeds() [][]byte {
	cl, sv := newH2Peer(), newH2Peer()
	grpc := encodeSegment(opEgress, cl.preface().take(), 0)
	grpc = append(grpc, encodeSegment(opEgress, cl.headers(1, false, grpcReq("a.B/C")...).data(1, true, 5).take(), 0)...)
	grpc = append(grpc, encodeSegment(0, sv.settings().headers(1, false, grpcRespHead...).take(), 0)...)
	grpc = append(grpc, encodeSegment(0, sv.data(1, false, 8).headers(1, true, grpcOK...).take(), 0)...)
	plain := encodeSegment(opServer, cl.headers(3, true, ":method", "GET", ":path", "/x?y", ":scheme", "http").take(), 0)
	plain = append(plain, encodeSegment(opServer|opEgress|opLongLen, sv.headers(3, false, ":status", "404").data(3, true, 100).take(), 2)...)
	cut := encodeSegment(opHalf, cl.split(5, false, grpcReq("a.B/D")...).take(), 0)
	cut = append(cut, encodeSegment(opEgress|opConn2, sv.rst(5, 8).take(), 0)...)
	return [][]byte{grpc, plain, cut}
}

func FuzzH2Tracker(f *testing.F) {
	for _, s := range h2FuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		emitted := uint64(0)
		tr := NewTracker(Config{MaxPending: 4, Protocols: Protocols{HTTP2: true, GRPC: true}}, func(c *call.Call) {
			emitted++
			checkH2Call(t, c)
		})
		runOps(tr, in, call.ProtocolHTTP2)
		tr.Close(1, ^uint64(0))
		tr.Close(2, ^uint64(0))
		if s := tr.Stats(); s.Connections != 0 || s.CallsEmitted != emitted {
			t.Fatalf("after closing every connection: %+v, emitted %d", s, emitted)
		}
	})
}

// checkH2Call checks what every HTTP/2 or gRPC call must satisfy.
func checkH2Call(t *testing.T, c *call.Call) {
	t.Helper()
	h := c.HTTP
	ok := (c.Protocol == call.ProtocolHTTP2 || c.Protocol == call.ProtocolGRPC) &&
		(c.Kind == call.KindServer || c.Kind == call.KindClient) && c.Start <= c.End && c.PID == testPID &&
		h.Method != "" && h.Version == "2" && h.RequestBodySize >= 0 && h.ResponseBodySize >= 0 &&
		!strings.Contains(h.Path, "?") && (h.Status == 0 || (h.Status >= 200 && h.Status <= 999))
	if !ok || (c.Protocol == call.ProtocolGRPC && "/"+c.RPC.Method != h.Path) {
		t.Fatalf("bad call %+v", c)
	}
}
