package stream

import (
	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/postgres"
)

// pgWantBackend says which backend bodies are read.
func pgWantBackend(typ byte) bool {
	switch typ {
	case postgres.CommandComplete, postgres.ErrorResponse, postgres.ReadyForQuery:
		return true
	}
	return false
}

// readBackend follows the server's messages through one segment. A
// framing lost inside a large result resumes after a segment that ends
// with ReadyForQuery, as every answer does.
func (p *pgSession) readBackend(c *conn, s *Segment) {
	cur := newCursor(s)
	if p.sslAsked && !p.back.lost {
		if p.sslAnswer(s, cur.data) {
			return
		}
		cur.pos = 1
	}
	if p.back.lost {
		p.resyncBackend(c, s)
		return
	}
	for {
		m, ok := p.back.next(&cur, pgWantBackend)
		if !ok {
			break
		}
		p.backendMessage(c, s, m.typ, m.body)
	}
	if p.back.lost {
		p.sh.stats.desyncs.Add(1)
		if p.back.malformed {
			p.sh.stats.decodeError(call.ProtocolPostgres)
		}
		p.resyncBackend(c, s)
	}
}

// sslAnswer reads the one-byte answer to an SSLRequest or GSSENCRequest
// and reports whether the segment is used up: the connection is now
// encrypted (or the answer is not one), or the answer was all it held.
func (p *pgSession) sslAnswer(s *Segment, data []byte) bool {
	p.sslAsked = false
	if len(data) == 0 || data[0] != postgres.SSLRefused {
		p.encrypted()
		return true
	}
	return s.Len == 1
}

// resyncBackend looks at the end of a segment for the ReadyForQuery that
// ends an answer: when present the answer is complete, with the
// CommandComplete or ErrorResponse before it if the segment was captured
// whole, and the next segment starts a message.
func (p *pgSession) resyncBackend(c *conn, s *Segment) {
	end := s.Tail
	whole := len(captured(s)) == int(s.Len)
	if whole {
		end = captured(s)
	}
	if !postgres.EndsWithReady(end) {
		return
	}
	if whole {
		if typ, body, ok := postgres.FindEnding(end); ok {
			p.backendMessage(c, s, typ, body)
		}
	}
	p.backendMessage(c, s, postgres.ReadyForQuery, end[len(end)-1:])
	p.back.resync()
}

func (p *pgSession) backendMessage(c *conn, s *Segment, typ byte, body []byte) {
	op := p.ops.oldest()
	switch typ {
	case postgres.ParseComplete:
		if op != nil && op.kind == opParse {
			p.ops.pop()
		}
	case postgres.CommandComplete, postgres.EmptyQuery, postgres.PortalSuspended:
		p.complete(c, s, op, body, typ == postgres.CommandComplete)
	case postgres.ErrorResponse:
		p.fail(c, s, op, body)
	case postgres.ReadyForQuery:
		p.ready(c, s)
	}
}

// complete records a statement's end: an Execute ends here, a simple query
// at ReadyForQuery (it may hold several statements).
func (p *pgSession) complete(c *conn, s *Segment, op *dbOp, body []byte, tagged bool) {
	if op == nil || (op.kind != opQuery && op.kind != opExecute) {
		return
	}
	if tagged {
		command, rows := postgres.CommandTag(body)
		op.command, op.rows = p.sh.names.string(command), rows
	}
	if op.kind == opExecute {
		p.emit(c, op, s.Time)
		p.ops.pop()
	}
}

// fail records an error on the request it answers. In the extended
// protocol the server then skips every message up to the Sync, so the
// requests queued before the Sync get no answer and are dropped.
func (p *pgSession) fail(c *conn, s *Segment, op *dbOp, body []byte) {
	if op == nil || op.kind == opSync {
		return
	}
	code := postgres.ErrorCode(body)
	op.errCode = p.sh.names.string(code)
	if len(code) == 0 {
		op.errCode = errCodeUnknown
	}
	if op.kind == opQuery {
		return
	}
	p.emit(c, op, s.Time)
	p.ops.pop()
	for op := p.ops.oldest(); op != nil && op.kind != opSync; op = p.ops.oldest() {
		p.ops.pop()
	}
}

// ready ends a simple query or a Sync's batch. An Execute still waiting
// had its CommandComplete in bytes that were not captured: it ends here.
func (p *pgSession) ready(c *conn, s *Segment) {
	p.gap = false
	for op := p.ops.oldest(); op != nil; op = p.ops.oldest() {
		kind := op.kind
		if kind == opQuery || kind == opExecute {
			p.emit(c, op, s.Time)
		}
		p.ops.pop()
		if kind == opQuery || kind == opSync {
			return
		}
	}
}
