package stream

import (
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/sqltext"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracectx"
)

// dbOpKind is what a pending database request is.
type dbOpKind uint8

const (
	opQuery   dbOpKind = iota + 1 // a simple query: ends at ReadyForQuery
	opParse                       // a Parse: a span only if it fails
	opExecute                     // an Execute: ends at CommandComplete
	opSync                        // a Sync: ends a batch at ReadyForQuery
	opSilent                      // a request whose answer makes no span
)

// dbOp is a request waiting for the server's answer.
type dbOp struct {
	kind  dbOpKind
	start uint64
	pid   uint32
	st    sqltext.Statement
	// filled from the answer
	command string // from the command tag when the statement is unknown
	errCode string
	rows    int64
	span    *tracectx.Span // its trace context, nil without
}

// errCodeUnknown stands for an error answer whose code was not captured.
const errCodeUnknown = "_OTHER"

// dbOpQueue is a FIFO ring of pending requests that grows on demand up to
// a bound and keeps its storage when emptied.
type dbOpQueue struct {
	buf  []dbOp
	head int
	n    int
}

// push appends op; when limit requests wait already the oldest is dropped
// and push reports it.
func (q *dbOpQueue) push(op dbOp, limit int) (dropped bool) {
	if q.n >= limit {
		q.pop()
		dropped = true
	}
	if q.n == len(q.buf) {
		buf := make([]dbOp, min(max(8, 2*len(q.buf)), limit))
		for i := range q.n {
			buf[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = buf, 0
	}
	q.buf[(q.head+q.n)%len(q.buf)] = op
	q.n++
	return dropped
}

// oldest returns the request the next answer concerns, or nil.
func (q *dbOpQueue) oldest() *dbOp {
	if q.n == 0 {
		return nil
	}
	return &q.buf[q.head]
}

// pop removes the oldest request.
func (q *dbOpQueue) pop() {
	if q.n == 0 {
		return
	}
	q.buf[q.head] = dbOp{}
	q.head = (q.head + 1) % len(q.buf)
	q.n--
}

// reset empties the queue, keeping its storage, and returns how many
// requests were dropped.
func (q *dbOpQueue) reset() int {
	n := q.n
	clear(q.buf)
	q.head, q.n = 0, 0
	return n
}
