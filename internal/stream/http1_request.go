package stream

import (
	"errors"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/http1"
)

// readRequests follows the request direction through one segment: heads
// start pending requests, bodies are skipped by count.
func (h *h1Session) readRequests(c *conn, s *Segment) {
	s = h.req.held.join(s, h.sh.joined, &h.sh.joinedSeg, false)
	data, n := captured(s), int(s.Len)
	if h.req.uncertain() && http1.LooksLikeRequest(data) {
		h.endRequestBody()
	}
	// Only a request that begins the segment waited as long as its
	// first bytes did; a pipelined one after it arrived later.
	queued := s.Queued
	for pos := 0; pos < n; queued = 0 {
		if h.req.mode == awaitStart {
			pos = h.startRequest(c, s, data, pos, queued)
			continue
		}
		next, done, err := h.req.consume(s, data, pos)
		if err != nil {
			h.sh.stats.decodeError(call.ProtocolHTTP1)
		}
		if pos = next; done {
			h.endRequestBody()
		}
	}
}

// startRequest reads the request head at offset pos and returns the offset
// of its body. A head cut by the capture size still starts a request: the
// rest of the segment is taken as head and the body as unknown.
func (h *h1Session) startRequest(c *conn, s *Segment, data []byte, pos int, queued uint64) int {
	n := int(s.Len)
	if pos = skipEmptyLines(data, pos); pos == n {
		return n
	}
	if pos >= len(data) || !http1.LooksLikeRequest(data[pos:]) {
		if pos < len(data) && http1.StartsRequest(data[pos:]) && h.req.held.hold(s, data, pos) {
			return n
		}
		h.desync(&h.req)
		return n
	}
	head, err := http1.ParseRequestHead(data[pos:])
	if errors.Is(err, http1.ErrIncomplete) && h.req.held.hold(s, data, pos) {
		return n
	}
	// A head cut by the capture or with a malformed field still starts a
	// request (the server answers it, if only with 400) once its request
	// line was read; without one there is no request to answer.
	if head.Method != "" {
		h.pushRequest(c, s, &head, pos, err == nil, queued)
	}
	if err != nil {
		if !errors.Is(err, http1.ErrIncomplete) {
			h.sh.stats.decodeError(call.ProtocolHTTP1)
		}
		h.req.lose()
		return n
	}
	if h.req.begin(head.Body(), head.ContentLength); h.req.mode == awaitStart {
		h.endRequestBody()
	}
	return pos + head.HeaderLen
}

// skipEmptyLines skips the CRLFs some clients send after a body; a server
// ignores them before a request line (RFC 9112 section 2.2).
func skipEmptyLines(data []byte, pos int) int {
	for pos < len(data) && (data[pos] == '\r' || data[pos] == '\n') {
		pos++
	}
	return pos
}

// pushRequest queues a request seen at offset pos of s. Its body size is
// the declared length when the head gave one, else unknown until the body
// ends. queued is when its first bytes began to wait, 0 unknown.
func (h *h1Session) pushRequest(c *conn, s *Segment, head *http1.RequestHead, pos int, complete bool, queued uint64) {
	h.seq++
	names := h.sh.names
	r := pendingRequest{
		seq: h.seq, start: s.Time, queued: queued, pid: s.PID, method: head.Method,
		path: names.string(head.Path), version: head.Version, host: names.string(head.Host),
		userAgent: names.string(head.UserAgent), query: h.sh.query(head.Query), bodySize: -1,
	}
	switch {
	case !complete:
	case head.Body() == http1.BodyLength:
		r.bodySize = head.ContentLength
	case head.Body() == http1.BodyNone:
		r.bodySize = 0
	}
	r.span = h.sh.startSpan(c, s, &spanStart{
		server: h.server, offered: true, seq: s.Seq + uint32(pos), hasSeq: s.HasSeq, at: s.Time, queued: queued,
		traceParent: head.TraceParent, traceState: head.TraceState,
	})
	if old, dropped := h.reqs.push(r, h.sh.maxPending); dropped {
		h.sh.stats.pendingDropped.Add(1)
		h.sh.dropped(old.span)
	}
}

// endRequestBody records the size of the body that just ended on the newest
// request, if it is still waiting, and expects the next request.
func (h *h1Session) endRequestBody() {
	if r := h.reqs.newest(); r != nil && r.seq == h.seq && r.bodySize < 0 {
		r.bodySize = h.req.bodySize()
	}
	h.req.mode = awaitStart
}
