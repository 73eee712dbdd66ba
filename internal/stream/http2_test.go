package stream

import (
	"fmt"
	"testing"

	"golang.org/x/net/http2"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

func h2sum(c *call.Call) h2Summary {
	kind := "server"
	if c.Kind == call.KindClient {
		kind = "client"
	}
	st := -1
	if c.RPC.HasStatus {
		st = int(c.RPC.Status)
	}
	return h2Summary{c.Protocol.String(), kind, c.RPC.Method, c.HTTP.Path, c.HTTP.Status, st, c.Start, c.End}
}

func (h *harness) expectH2(want ...h2Summary) {
	h.t.Helper()
	if len(h.calls) != len(want) {
		for _, c := range h.calls {
			h.t.Logf("call %+v", h2sum(c))
		}
		h.t.Fatalf("%d calls, want %d", len(h.calls), len(want))
	}
	for i, c := range h.calls {
		if got := h2sum(c); got != want[i] {
			h.t.Errorf("call %d:\n got  %+v\n want %+v", i, got, want[i])
		}
	}
}

func TestH2GRPCUnary(t *testing.T) {
	for _, tc := range []struct {
		name     string
		role     Role
		reqDir   Direction
		wantKind string
	}{
		{"server", RoleServer, Ingress, "server"},
		{"client", RoleClient, Egress, "client"},
		{"server without kernel role", RoleUnknown, Ingress, "server"},
		{"client without kernel role", RoleUnknown, Egress, "client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.role)
			h.protocol = call.ProtocolHTTP2
			cl, sv := newH2Peer(), newH2Peer()
			respDir := Ingress + Egress - tc.reqDir
			h.send(respDir, sv.settings().take()) // grpc-go servers write SETTINGS first
			h.send(tc.reqDir, cl.preface().take())
			var want []h2Summary
			for i := range 3 {
				id := uint32(1 + 2*i)
				start := h.send(tc.reqDir, cl.headers(id, false, grpcReq("helloworld.Greeter/SayHello")...).data(id, true, 12).take())
				h.send(respDir, sv.headers(id, false, grpcRespHead...).data(id, false, 20).take())
				end := h.send(respDir, sv.headers(id, true, grpcOK...).take())
				want = append(want, h2Summary{"grpc", tc.wantKind, "helloworld.Greeter/SayHello", "/helloworld.Greeter/SayHello", 200, 0, start, end})
			}
			h.expectH2(want...)
			if c := h.calls[0]; c.HTTP.Version != "2" || c.HTTP.Host != "127.0.0.1:50051" || c.HTTP.RequestBodySize != 12 || c.HTTP.ResponseBodySize != 20 {
				t.Errorf("http facts %+v", c.HTTP)
			}
			if s := h.tr.Stats(); s.HeaderFieldsUnknown != 0 || s.HeaderTablesLost != 0 || s.Desyncs != 0 {
				t.Errorf("stats %+v", s)
			}
		})
	}
}

func TestH2GRPCStatuses(t *testing.T) {
	h := newHarness(t, RoleServer)
	h.protocol = call.ProtocolHTTP2
	cl, sv := newH2Peer(), newH2Peer()
	h.send(Ingress, cl.preface().take())
	// Trailers-only: grpc-status in the only response block.
	s1 := h.send(Ingress, cl.headers(1, false, grpcReq("helloworld.Greeter/Nope")...).data(1, true, 7).take())
	e1 := h.send(Egress, sv.headers(1, true, ":status", "200", "content-type", "application/grpc", "grpc-status", "12").take())
	// A client that cancels: RST_STREAM(CANCEL) without any status.
	s3 := h.send(Ingress, cl.headers(3, false, grpcReq("a.B/Slow")...).data(3, true, 7).take())
	e3 := h.send(Ingress, cl.rst(3, http2.ErrCodeCancel).take())
	// Trailers with an error status after a response head.
	s5 := h.send(Ingress, cl.headers(5, false, grpcReq("a.B/Get")...).data(5, true, 7).take())
	h.send(Egress, sv.headers(5, false, grpcRespHead...).take())
	e5 := h.send(Egress, sv.headers(5, true, "grpc-status", "5", "grpc-message", "no such thing").take())
	h.expectH2(
		h2Summary{"grpc", "server", "helloworld.Greeter/Nope", "/helloworld.Greeter/Nope", 200, 12, s1, e1},
		h2Summary{"grpc", "server", "a.B/Slow", "/a.B/Slow", 0, 1, s3, e3},
		h2Summary{"grpc", "server", "a.B/Get", "/a.B/Get", 200, 5, s5, e5},
	)
}

func TestH2PlainMultiplexed(t *testing.T) {
	h := newHarness(t, RoleUnknown)
	h.protocol = call.ProtocolHTTP2
	cl, sv := newH2Peer(), newH2Peer()
	h.send(Egress, cl.preface().take())
	req := func(path string) []string {
		return []string{":method", "GET", ":scheme", "http", ":path", path, ":authority", "localhost:8080", "user-agent", "curl/7.88.1", "accept", "*/*"}
	}
	// Three requests in one write, answered out of order and interleaved.
	s := h.send(Egress, cl.headers(1, true, req("/a")...).headers(3, true, req("/b?x=1")...).headers(5, true, req("/c")...).take())
	h.send(Ingress, sv.settings().headers(3, false, ":status", "404", "content-type", "text/plain").headers(1, false, ":status", "200").data(3, false, 10).take())
	e3 := h.send(Ingress, sv.data(1, false, 100).data(3, true, 9).take())
	e1 := h.send(Ingress, sv.data(1, true, 0).headers(5, false, ":status", "500").take())
	e5 := h.send(Ingress, sv.data(5, true, 3).take())
	h.expectH2(
		h2Summary{"http2", "client", "", "/b", 404, -1, s, e3},
		h2Summary{"http2", "client", "", "/a", 200, -1, s, e1},
		h2Summary{"http2", "client", "", "/c", 500, -1, s, e5},
	)
	if c := h.calls[0]; c.HTTP.Query == "" || c.HTTP.Method != "GET" || c.HTTP.ResponseBodySize != 19 || c.HTTP.UserAgent != "curl/7.88.1" {
		t.Errorf("http facts %+v", c.HTTP)
	}
}

func TestH2ContinuationAndSplitSegments(t *testing.T) {
	h := newHarness(t, RoleServer)
	h.protocol = call.ProtocolHTTP2
	cl, sv := newH2Peer(), newH2Peer()
	h.send(Ingress, cl.preface().take())
	b := cl.split(1, false, grpcReq("x.Y/Z")...).data(1, true, 30).take()
	// One byte at a time: frame headers and blocks split across segments.
	start := h.send(Ingress, b[:1])
	for i := 1; i < len(b); i++ {
		h.send(Ingress, b[i:i+1])
	}
	r := sv.split(1, false, grpcRespHead...).data(1, false, 40).split(1, true, grpcOK...).take()
	h.send(Egress, r[:len(r)/2])
	end := h.send(Egress, r[len(r)/2:])
	h.expectH2(h2Summary{"grpc", "server", "x.Y/Z", "/x.Y/Z", 200, 0, start, end})
}

func TestH2StreamingIsOneCall(t *testing.T) {
	h := newHarness(t, RoleClient)
	h.protocol = call.ProtocolHTTP2
	cl, sv := newH2Peer(), newH2Peer()
	h.send(Egress, cl.preface().take())
	start := h.send(Egress, cl.headers(1, false, grpcReq("routeguide.RouteGuide/RouteChat")...).take())
	h.send(Ingress, sv.headers(1, false, grpcRespHead...).take())
	for range 5 {
		h.send(Egress, cl.data(1, false, 30).take())
		h.send(Ingress, sv.data(1, false, 40).take())
	}
	h.send(Egress, cl.data(1, true, 0).take())
	end := h.send(Ingress, sv.headers(1, true, grpcOK...).take())
	h.expectH2(h2Summary{"grpc", "client", "routeguide.RouteGuide/RouteChat", "/routeguide.RouteGuide/RouteChat", 200, 0, start, end})
	if c := h.calls[0]; c.HTTP.RequestBodySize != 150 || c.HTTP.ResponseBodySize != 200 {
		t.Errorf("body sizes %d %d", c.HTTP.RequestBodySize, c.HTTP.ResponseBodySize)
	}
}

// TestH2TruncatedCapture cuts segments as the probes do: a write of a large
// message and a header block beyond the captured prefix.
func TestH2TruncatedCapture(t *testing.T) {
	h := newHarness(t, RoleServer)
	h.protocol = call.ProtocolHTTP2
	cl, sv := newH2Peer(), newH2Peer()
	h.send(Ingress, cl.preface().take())
	h.send(Ingress, cl.headers(1, false, grpcReq("big.Svc/Upload")...).data(1, true, 5000).take())
	// The response head and a large DATA frame are captured; the trailers
	// lie beyond the 1024 bytes captured.
	h.cut(Egress, sv.headers(1, false, grpcRespHead...).data(1, false, 3000).headers(1, true, "grpc-status", "0", "x-new", "v").take(), 1024)
	if len(h.calls) != 0 {
		t.Fatalf("call from trailers never captured: %+v", h2sum(h.calls[0]))
	}
	if s := h.tr.Stats(); s.HeaderTablesLost != 1 {
		t.Fatalf("stats %+v, want one table lost", s)
	}
	// Later responses reference table entries the decoder could not see:
	// never a wrong value; calls whose facts are unknown are not made.
	for i := range 20 {
		id := uint32(3 + 2*i)
		n := len(h.calls)
		method := fmt.Sprintf("big.Svc/M%d", i%2)
		s := h.send(Ingress, cl.headers(id, false, grpcReq(method)...).data(id, true, 5).take())
		e := h.send(Egress, sv.headers(id, false, grpcRespHead...).headers(id, true, "grpc-status", fmt.Sprint(i%3), "x-new", "v").take())
		for _, c := range h.calls[n:] {
			if c.RPC.Method != method || c.Start != s || c.End != e || (c.RPC.HasStatus && c.RPC.Status != uint32(i%3)) {
				t.Fatalf("call %d: %+v", i, h2sum(c))
			}
		}
	}
	if len(h.calls) != 20 {
		t.Fatalf("%d calls after the lost block, want 20", len(h.calls))
	}
}

func TestH2ProtocolSwitches(t *testing.T) {
	for _, tc := range []struct {
		name   string
		p      Protocols
		protos []call.Protocol
	}{
		{"both", Protocols{HTTP2: true, GRPC: true}, []call.Protocol{call.ProtocolGRPC, call.ProtocolHTTP2}},
		{"grpc only", Protocols{GRPC: true}, []call.Protocol{call.ProtocolGRPC}},
		{"http2 only", Protocols{HTTP2: true}, []call.Protocol{call.ProtocolHTTP2}},
		{"http1 only", Protocols{HTTP1: true}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []call.Protocol
			tr := NewTracker(Config{Protocols: tc.p}, func(c *call.Call) { got = append(got, c.Protocol) })
			cl, sv := newH2Peer(), newH2Peer()
			cl.preface().headers(1, true, grpcReq("a.B/C")...).headers(3, true, ":method", "GET", ":path", "/", ":scheme", "http")
			sv.settings().headers(1, true, ":status", "200", "content-type", "application/grpc", "grpc-status", "0").headers(3, true, ":status", "204")
			for i, seg := range []struct {
				dir  Direction
				data string
			}{{Egress, cl.take()}, {Ingress, sv.take()}} {
				tr.Segment(&Segment{Protocol: call.ProtocolHTTP2, ConnID: 9, Dir: seg.dir, Len: uint32(len(seg.data)), Data: []byte(seg.data), Time: uint64(i + 1)})
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.protos) {
				t.Fatalf("calls of %v, want %v", got, tc.protos)
			}
		})
	}
}

// TestH2JoinedMidStream starts tracking a connection after many calls: the
// dynamic tables hold entries never seen.
func TestH2JoinedMidStream(t *testing.T) {
	h := newHarness(t, RoleUnknown)
	h.protocol = call.ProtocolHTTP2
	cl, sv := newH2Peer(), newH2Peer()
	cl.preface().take()
	type sent struct {
		method string
		status uint32
	}
	byStart := map[uint64]sent{}
	methods := []string{"helloworld.Greeter/SayHello", "helloworld.Greeter/SayHelloAgain", "a.B/C"}
	for i := range 400 {
		id := uint32(1 + 2*i)
		want := sent{methods[i%len(methods)], uint32(i % 2 * 5)}
		req := grpcReq(want.method)
		req[len(req)-1] = fmt.Sprintf("%du", 999000+i) // grpc-timeout varies per call
		r := cl.headers(id, false, req...).data(id, true, 12).take()
		resp := sv.headers(id, false, grpcRespHead...).data(id, false, 20).headers(id, true, "grpc-status", fmt.Sprint(want.status)).take()
		if i >= 50 {
			byStart[h.send(Ingress, r)] = want
			h.send(Egress, resp)
		}
	}
	for _, c := range h.calls {
		want, ok := byStart[c.Start]
		if !ok || c.RPC.Method != want.method || (c.RPC.HasStatus && c.RPC.Status != want.status) || c.Kind != call.KindServer {
			t.Fatalf("call %+v, sent %+v", h2sum(c), want)
		}
	}
	s := h.tr.Stats()
	if s.HeaderFieldsUnknown == 0 || s.StreamsUnidentified == 0 {
		t.Errorf("stats %+v: unknowns not counted", s)
	}
	if len(h.calls) == 0 || uint64(len(h.calls))+s.StreamsUnidentified != 350 {
		t.Errorf("%d calls and %d unidentified streams, want 350 in all", len(h.calls), s.StreamsUnidentified)
	}
	t.Logf("%d calls, stats %+v", len(h.calls), s)
}

// TestH2UnknownKindIsNotGuessed joins a gRPC connection whose content-type
// and status entries were indexed before the capture: a call to a new
// method has a known :path but cannot be told from plain HTTP/2.
func TestH2UnknownKindIsNotGuessed(t *testing.T) {
	h := newHarness(t, RoleUnknown)
	h.protocol = call.ProtocolHTTP2
	cl, sv := newH2Peer(), newH2Peer()
	cl.preface().headers(1, false, grpcReq("a.B/Old")...).take()
	sv.settings().headers(1, false, grpcRespHead...).headers(1, true, grpcOK...).take()
	h.send(Ingress, cl.headers(3, false, grpcReq("a.B/New")...).data(3, true, 4).take())
	h.send(Egress, sv.headers(3, false, grpcRespHead...).headers(3, true, grpcOK...).take())
	h.expectH2()
	if s := h.tr.Stats(); s.StreamsUnidentified != 1 || s.HeaderFieldsUnknown == 0 {
		t.Fatalf("stats %+v", s)
	}
	// A stream whose content-type is decoded shows the connection carries
	// gRPC; later streams of unknown kind are then gRPC too, their status
	// still unknown.
	req := grpcReq("a.B/Proto")
	req[9] = "application/grpc+proto"
	s5 := h.send(Ingress, cl.headers(5, false, req...).data(5, true, 4).take())
	e5 := h.send(Egress, sv.headers(5, false, grpcRespHead...).headers(5, true, grpcOK...).take())
	s7 := h.send(Ingress, cl.headers(7, false, grpcReq("a.B/Newer")...).data(7, true, 4).take())
	e7 := h.send(Egress, sv.headers(7, false, grpcRespHead...).headers(7, true, grpcOK...).take())
	h.expectH2(
		h2Summary{"grpc", "server", "a.B/Proto", "/a.B/Proto", 200, -1, s5, e5},
		h2Summary{"grpc", "server", "a.B/Newer", "/a.B/Newer", 200, -1, s7, e7},
	)
}

// TestH2ConnectionEndEndsOpenStreams closes a connection with two streams
// open: the one whose response had begun is a call without status, ending
// at its last frame; the one never answered is dropped and counted.
func TestH2ConnectionEndEndsOpenStreams(t *testing.T) {
	h := newHarness(t, RoleClient)
	h.protocol = call.ProtocolHTTP2
	cl, sv := newH2Peer(), newH2Peer()
	h.send(Egress, cl.preface().take())
	start := h.send(Egress, cl.headers(1, false, grpcReq("routeguide.RouteGuide/RouteChat")...).take())
	h.send(Egress, cl.headers(3, false, grpcReq("routeguide.RouteGuide/RouteChat")...).take())
	last := h.send(Ingress, sv.settings().headers(1, false, grpcRespHead...).take())
	h.close()
	h.expectH2(h2Summary{"grpc", "client", "routeguide.RouteGuide/RouteChat", "/routeguide.RouteGuide/RouteChat", 200, -1, start, last})
	if s := h.tr.Stats(); s.PendingDropped != 1 || s.Connections != 0 {
		t.Errorf("stats %+v, want one stream dropped", s)
	}
}

// TestH2UnknownFrameTypesAreSkipped puts an extension frame (PRIORITY_UPDATE,
// type 0x10) between requests: receivers must ignore frames of unknown
// types, and the framing goes on.
func TestH2UnknownFrameTypesAreSkipped(t *testing.T) {
	h := newHarness(t, RoleServer)
	h.protocol = call.ProtocolHTTP2
	cl, sv := newH2Peer(), newH2Peer()
	h.send(Ingress, cl.preface().take())
	_ = cl.fr.WriteRawFrame(0x10, 0, 0, []byte{0, 0, 0, 1, 'u', '=', '1'})
	start := h.send(Ingress, cl.headers(1, true, ":method", "GET", ":path", "/a", ":scheme", "http").take())
	end := h.send(Egress, sv.settings().headers(1, false, ":status", "200").data(1, true, 3).take())
	h.expectH2(h2Summary{"http2", "server", "", "/a", 200, -1, start, end})
	if s := h.tr.Stats(); s.Desyncs != 0 {
		t.Errorf("stats %+v", s)
	}
}
