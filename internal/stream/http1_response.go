package stream

import (
	"errors"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/http1"
)

// readResponses follows the response direction through one segment;
// complete responses emit calls. A segment that starts with a status line
// ends a response whose end was uncertain.
func (h *h1Session) readResponses(c *conn, s *Segment) {
	s = h.resp.held.join(s, h.sh.joined, &h.sh.joinedSeg, true)
	data, n := captured(s), int(s.Len)
	if h.resp.uncertain() && http1.LooksLikeResponse(data) {
		h.completeResponse(c)
	}
	for pos := 0; pos < n && !h.upgraded; {
		if h.resp.mode == awaitStart {
			pos = h.startResponse(c, s, data, pos)
			continue
		}
		h.rsp.last = s.Time
		next, done, err := h.resp.consume(s, data, pos)
		if err != nil {
			h.sh.stats.decodeError(call.ProtocolHTTP1)
		}
		if pos = next; done {
			h.completeResponse(c)
		}
	}
}

// startResponse reads the response head at offset pos and returns the
// offset of its body. Interim responses (100 Continue) are skipped; a
// response without body completes at once.
func (h *h1Session) startResponse(c *conn, s *Segment, data []byte, pos int) int {
	n := int(s.Len)
	if pos >= len(data) || !http1.LooksLikeResponse(data[pos:]) {
		if pos < len(data) && http1.StartsResponse(data[pos:]) && h.resp.held.hold(s, data, pos) {
			return n
		}
		h.desync(&h.resp)
		return n
	}
	head, err := http1.ParseResponseHead(data[pos:])
	if errors.Is(err, http1.ErrIncomplete) && h.resp.held.hold(s, data, pos) {
		return n
	}
	if err != nil {
		return h.cutResponse(s, &head, err)
	}
	if head.Interim() {
		return pos + head.HeaderLen
	}
	method := ""
	if r := h.reqs.oldest(); r != nil {
		method = r.method
	}
	h.openResponse(s, &head)
	if h.resp.begin(head.Body(method), head.ContentLength); h.resp.mode == awaitStart {
		h.completeResponse(c)
	}
	if head.SwitchesProtocol(method) {
		h.upgraded = true
		return n
	}
	return pos + head.HeaderLen
}

// cutResponse handles a head cut by the capture size or malformed: the
// response is open with what its status line said, and ends when the next
// one starts or the connection closes.
func (h *h1Session) cutResponse(s *Segment, head *http1.ResponseHead, err error) int {
	if !errors.Is(err, http1.ErrIncomplete) {
		h.sh.stats.decodeError(call.ProtocolHTTP1)
	}
	if head.Interim() { // not a final response: wait for the next start
		h.desync(&h.resp)
		return int(s.Len)
	}
	h.openResponse(s, head)
	h.resp.lose()
	return int(s.Len)
}

// openResponse starts the response in progress. On a server, the request
// it answers is no longer its thread's context.
func (h *h1Session) openResponse(s *Segment, head *http1.ResponseHead) {
	h.rsp = response{open: true, status: head.Status, version: head.Version, last: s.Time}
	if r := h.reqs.oldest(); r != nil && h.server {
		h.sh.answered(r.span)
	}
}
