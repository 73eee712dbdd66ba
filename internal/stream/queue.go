package stream

import "github.com/ebpfreceiver/ebpfreceiver/internal/tracectx"

// pendingRequest is a request waiting for its response.
type pendingRequest struct {
	seq       uint64 // position in the connection's request order
	start     uint64 // time of the segment that carried the first byte
	queued    uint64 // when the first byte began to wait in the socket, 0 unknown
	pid       uint32
	method    string
	path      string
	version   string
	host      string
	userAgent string
	query     string         // redacted
	bodySize  int64          // -1 unknown
	span      *tracectx.Span // its trace context, nil without
}

// requestQueue is a FIFO ring of pending requests that grows on demand up
// to a bound and keeps its storage when emptied.
type requestQueue struct {
	buf  []pendingRequest
	head int // index of the oldest
	n    int
}

// push appends r; when limit requests are already waiting the oldest is
// dropped to make room, and push returns it.
func (q *requestQueue) push(r pendingRequest, limit int) (dropped pendingRequest, ok bool) {
	if q.n >= limit {
		dropped, ok = q.pop()
	}
	if q.n == len(q.buf) {
		q.grow(limit)
	}
	q.buf[(q.head+q.n)%len(q.buf)] = r
	q.n++
	return dropped, ok
}

// grow doubles the ring, capped at limit, keeping the order.
func (q *requestQueue) grow(limit int) {
	buf := make([]pendingRequest, min(max(4, 2*len(q.buf)), limit))
	for i := range q.n {
		buf[i] = q.buf[(q.head+i)%len(q.buf)]
	}
	q.buf, q.head = buf, 0
}

// pop removes and returns the oldest request.
func (q *requestQueue) pop() (pendingRequest, bool) {
	if q.n == 0 {
		return pendingRequest{}, false
	}
	r := q.buf[q.head]
	q.buf[q.head] = pendingRequest{} // release the strings
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	return r, true
}

// oldest returns the request the next response answers, or nil.
func (q *requestQueue) oldest() *pendingRequest {
	if q.n == 0 {
		return nil
	}
	return &q.buf[q.head]
}

// newest returns the latest request, or nil.
func (q *requestQueue) newest() *pendingRequest {
	if q.n == 0 {
		return nil
	}
	return &q.buf[(q.head+q.n-1)%len(q.buf)]
}

// reset empties the queue, keeping its storage, and returns how many
// requests were dropped.
func (q *requestQueue) reset() int {
	n := q.n
	clear(q.buf)
	q.head, q.n = 0, 0
	return n
}
