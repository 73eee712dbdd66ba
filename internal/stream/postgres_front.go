package stream

import (
	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/postgres"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/sqltext"
)

// Pseudo types of the untyped first messages, as msgFramer hands them over.
const (
	pgStartupMsg byte = iota + 1
	pgSSLRequest
	pgCancel
)

func pgFrontendHeader(h []byte) (byte, int, bool) { return postgres.ParseHeader(h, true) }

func pgBackendHeader(h []byte) (byte, int, bool) { return postgres.ParseHeader(h, false) }

// pgStartupHeader decodes the header of an untyped first message.
func pgStartupHeader(h []byte) (byte, int, bool) {
	code, n, ok := postgres.ParseStartupHeader(h)
	switch {
	case !ok:
		return 0, 0, false
	case code == postgres.SSLRequestCode || code == postgres.GSSENCRequest:
		return pgSSLRequest, n, true
	case code == postgres.CancelRequest:
		return pgCancel, n, true
	}
	return pgStartupMsg, n, true
}

// pgWantFrontend says which frontend bodies are read.
func pgWantFrontend(typ byte) bool {
	switch typ {
	case pgStartupMsg, postgres.Query, postgres.Parse, postgres.Bind, postgres.Execute, postgres.Close:
		return true
	}
	return false
}

// readFrontend follows the client's messages through one segment.
func (p *pgSession) readFrontend(s *Segment) {
	if p.front.lost && !p.resyncFrontend(s) {
		return
	}
	cur := newCursor(s)
	for {
		m, ok := p.front.next(&cur, pgWantFrontend)
		if !ok {
			break
		}
		p.frontendMessage(s, &m)
	}
	if p.front.lost {
		p.loseFrontend()
	}
}

// resyncFrontend resumes a lost frontend framing at a segment that starts
// with a plausible client message.
func (p *pgSession) resyncFrontend(s *Segment) bool {
	if _, _, ok := postgres.ParseHeader(captured(s), true); !ok {
		return false
	}
	p.front.reset(postgres.HeaderLen, pgFrontendHeader)
	p.startup = false
	return true
}

// loseFrontend records lost client framing: requests sent in the lost bytes
// are unknown, so the waiting ones are dropped and no new one is queued
// until the server is ready again.
func (p *pgSession) loseFrontend() {
	p.sh.stats.desyncs.Add(1)
	if p.front.malformed {
		p.sh.stats.decodeError(call.ProtocolPostgres)
	}
	p.sh.stats.pendingDropped.Add(uint64(p.ops.reset()))
	p.gap = true
}

func (p *pgSession) frontendMessage(s *Segment, m *message) {
	op := dbOp{start: s.Time, pid: s.PID, rows: -1}
	p.seg = s // for push, during this call
	switch m.typ {
	case pgSSLRequest:
		p.sslAsked = true
	case pgStartupMsg:
		p.namespace = p.sh.names.string(postgres.ParseStartup(m.body))
		p.startup = false
		p.front.reset(postgres.HeaderLen, pgFrontendHeader)
	case pgCancel:
	case postgres.Query:
		text, _ := postgres.QueryText(m.body)
		op.kind, op.st = opQuery, p.sh.db.describe(sqltext.PostgreSQL, text)
		p.push(op)
	case postgres.Parse:
		p.parse(&op, m.body)
	case postgres.Bind:
		if _, stmt, ok := postgres.BindMessage(m.body); ok {
			p.bound = p.statement(stmt)
		}
	case postgres.Execute:
		op.kind, op.st = opExecute, p.bound
		p.push(op)
	case postgres.Sync:
		op.kind = opSync
		p.push(op)
	case postgres.Close:
		if kind, name, ok := postgres.CloseMessage(m.body); ok && kind == 'S' && len(name) > 0 {
			delete(p.named, string(name))
		}
	}
}

// parse remembers a Parse's statement and queues it: it becomes a span
// only if the server refuses it.
func (p *pgSession) parse(op *dbOp, body []byte) {
	name, text, _ := postgres.ParseMessage(body)
	st := p.sh.db.describe(sqltext.PostgreSQL, text)
	switch {
	case len(name) == 0:
		p.unnamed = st
	case len(p.named) >= maxNamedStatements:
		clear(p.named)
		fallthrough
	default:
		p.named[string(name)] = st
	}
	op.kind, op.st = opParse, st
	p.push(*op)
}

// statement returns the remembered statement of a name; the zero value
// when it was prepared before the capture started.
func (p *pgSession) statement(name []byte) sqltext.Statement {
	if len(name) == 0 {
		return p.unnamed
	}
	return p.named[string(name)]
}
