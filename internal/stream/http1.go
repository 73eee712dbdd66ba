package stream

import (
	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/http1"
)

// h1Session decodes HTTP/1.x on one connection. Each direction has its own
// framer; requests wait in a FIFO until a response completes, since HTTP/1
// answers in order even when requests are pipelined.
type h1Session struct {
	sh       *shared
	server   bool // the process reads requests and writes responses
	upgraded bool // after 101 or a CONNECT tunnel the bytes are not HTTP/1
	reqs     requestQueue
	seq      uint64 // seq of the newest request
	req      framer // the request direction
	resp     framer // the response direction
	rsp      response
}

// response is the response in progress.
type response struct {
	open    bool
	status  int
	version string
	last    uint64 // time of the latest segment that carried its bytes
}

// serverRole tells whether the process is the server: the kernel's hint when
// it saw accept or connect, else the first message (a request read or a
// response written means server). data starts with a request or a response.
func serverRole(s *Segment, data []byte) bool {
	switch s.Role {
	case RoleServer:
		return true
	case RoleClient:
		return false
	}
	return http1.LooksLikeRequest(data) == (s.Dir == Ingress)
}

// reset prepares a recycled session for a new connection.
func (h *h1Session) reset(sh *shared, server bool) {
	reqs := h.reqs
	reqs.reset()
	*h = h1Session{sh: sh, server: server, reqs: reqs}
}

func (h *h1Session) feed(c *conn, s *Segment) {
	switch {
	case h.upgraded:
	case (s.Dir == Ingress) == h.server:
		h.readRequests(c, s)
	default:
		h.readResponses(c, s)
	}
}

func (h *h1Session) finish(c *conn) {
	h.completeResponse(c)
	n := h.dropRequests()
	if h.req.held.n > 0 {
		n++ // the first bytes of a request whose rest never came
	}
	if n > 0 {
		h.sh.stats.pendingDropped.Add(uint64(n))
	}
}

// dropRequests empties the queue of requests waiting for a response and
// returns how many there were.
func (h *h1Session) dropRequests() int {
	n := 0
	for r, ok := h.reqs.pop(); ok; r, ok = h.reqs.pop() {
		h.sh.dropped(r.span)
		n++
	}
	return n
}

// desync records that a direction's framing was lost.
func (h *h1Session) desync(f *framer) {
	h.sh.stats.desyncs.Add(1)
	f.lose()
}

// completeResponse ends the response in progress, if any, at the time of
// its last segment, and pairs it with the oldest pending request. A
// response to a request that was not seen (the connection predates the
// capture) produces no call.
func (h *h1Session) completeResponse(c *conn) {
	size := h.resp.bodySize()
	h.resp.mode = awaitStart
	if !h.rsp.open {
		return
	}
	h.rsp.open = false
	if req, ok := h.reqs.pop(); ok {
		h.emit(c, &req, size)
	}
}

// emit hands one call to the tracker's consumer.
func (h *h1Session) emit(c *conn, req *pendingRequest, respSize int64) {
	kind, version := call.KindClient, req.version
	if h.server {
		kind = call.KindServer
	}
	if version == "" {
		version = h.rsp.version
	}
	h.sh.stats.callsEmitted.Add(1)
	out := h.sh.newCall()
	*out = call.Call{
		Protocol: call.ProtocolHTTP1, Kind: kind,
		Start: req.start, End: max(req.start, h.rsp.last), Queued: serverQueued(h.server, req.queued, req.start),
		PID: req.pid, Local: c.local, Peer: c.peer, Span: req.span,
		HTTP: call.HTTP{
			Method: req.method, Path: req.path, Query: req.query, Version: version,
			Host: req.host, UserAgent: req.userAgent, Status: h.rsp.status,
			RequestBodySize: req.bodySize, ResponseBodySize: respSize, TLS: c.tls,
		},
	}
	h.sh.emit(out)
}
