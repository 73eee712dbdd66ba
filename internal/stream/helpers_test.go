package stream

import (
	"net/netip"
	"testing"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

var (
	testLocal = netip.MustParseAddrPort("10.0.0.1:8080")
	testPeer  = netip.MustParseAddrPort("10.0.0.2:51234")
)

const testPID = 4242

// harness drives a Tracker with segments on connection 1 whose times grow
// by 1000 per segment, and collects the calls.
type harness struct {
	t     *testing.T
	tr    *Tracker
	calls []*call.Call
	role  Role
	now   uint64
	// protocol is the kernel's classification the segments carry, HTTP/1
	// unless a test says otherwise.
	protocol call.Protocol
}

func newHarness(t *testing.T, role Role) *harness {
	h := &harness{t: t, role: role, now: 1_000_000, protocol: call.ProtocolHTTP1}
	h.tr = NewTracker(Config{}, func(c *call.Call) { h.calls = append(h.calls, c) })
	return h
}

// send feeds a fully captured segment and returns its time.
func (h *harness) send(dir Direction, data string) uint64 {
	return h.cut(dir, data, len(data))
}

// cut feeds a segment of which only the first capture bytes and the last 8
// were captured, and returns its time.
func (h *harness) cut(dir Direction, data string, capture int) uint64 {
	capture = min(capture, len(data))
	var tail []byte
	if capture < len(data) {
		tail = []byte(data[max(capture, len(data)-8):])
	}
	return h.feed(&Segment{Dir: dir, Len: uint32(len(data)), Data: []byte(data[:capture]), Tail: tail})
}

// sendfile feeds a segment of n bytes that were never captured.
func (h *harness) sendfile(dir Direction, n int) uint64 {
	return h.feed(&Segment{Dir: dir, Len: uint32(n)})
}

func (h *harness) feed(s *Segment) uint64 {
	h.now += 1000
	s.ConnID, s.PID, s.Role, s.Time, s.Local, s.Peer = 1, testPID, h.role, h.now, testLocal, testPeer
	if s.Protocol == call.ProtocolUnknown {
		s.Protocol = h.protocol
	}
	h.tr.Segment(s)
	return h.now
}

func (h *harness) close() { h.now += 1000; h.tr.Close(1, h.now) }

// summary is the part of a call most tests compare.
type summary struct {
	kind              call.Kind
	method, path      string
	status            int
	start, end        uint64
	reqBody, respBody int64
}

func summarize(c *call.Call) summary {
	return summary{c.Kind, c.HTTP.Method, c.HTTP.Path, c.HTTP.Status, c.Start, c.End,
		c.HTTP.RequestBodySize, c.HTTP.ResponseBodySize}
}

// expect compares the calls emitted so far with want.
func (h *harness) expect(want ...summary) {
	h.t.Helper()
	if len(h.calls) != len(want) {
		for _, c := range h.calls {
			h.t.Logf("call %+v", summarize(c))
		}
		h.t.Fatalf("%d calls, want %d", len(h.calls), len(want))
	}
	for i, c := range h.calls {
		if got := summarize(c); got != want[i] {
			h.t.Errorf("call %d:\n got  %+v\n want %+v", i, got, want[i])
		}
	}
}

// expectStats checks the counters that tests care about.
func (h *harness) expectStats(conns int, desyncs, decodeErrors, dropped uint64) {
	h.t.Helper()
	s := h.tr.Stats()
	if s.Connections != conns || s.Desyncs != desyncs || s.DecodeErrors["http1"] != decodeErrors ||
		s.PendingDropped != dropped || s.CallsEmitted != uint64(len(h.calls)) {
		h.t.Errorf("stats %+v, want connections=%d desyncs=%d decode errors=%d dropped=%d calls=%d",
			s, conns, desyncs, decodeErrors, dropped, len(h.calls))
	}
}

// Messages as real peers write them.
const (
	curlGet = "GET /api/users?id=7 HTTP/1.1\r\nHost: localhost:8080\r\n" +
		"User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
	goHello = "HTTP/1.1 200 OK\r\nDate: Sun, 23 Nov 2025 13:00:00 GMT\r\nContent-Length: 12\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nHello world\n"
	goNotFound = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"X-Content-Type-Options: nosniff\r\nDate: Sun, 23 Nov 2025 13:00:00 GMT\r\nContent-Length: 19\r\n\r\n" +
		"404 page not found\n"
	goChunkedHead = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"Date: Sun, 23 Nov 2025 13:00:00 GMT\r\nTransfer-Encoding: chunked\r\n\r\n"
	nginxHead = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 23 Nov 2025 13:00:00 GMT\r\n" +
		"Content-Type: text/html\r\nContent-Length: 615\r\nConnection: keep-alive\r\nAccept-Ranges: bytes\r\n\r\n"
	pythonBareHead = "HTTP/1.0 200 OK\r\nServer: BaseHTTP/0.6 Python/3.11.2\r\n" +
		"Date: Sun, 23 Nov 2025 13:00:00 GMT\r\nContent-Type: text/plain\r\n\r\n"
)

// get returns a curl-like GET of path.
func get(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
}
