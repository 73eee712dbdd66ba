package stream

import "github.com/ebpfreceiver/ebpfreceiver/internal/protocol/mysql"

// myAnswer is where the server's answer to the pending command stands.
type myAnswer struct {
	state  myAnswerState
	remain uint64 // column or parameter definitions still to come
}

type myAnswerState uint8

const (
	ansFirst      myAnswerState = iota // OK, ERR, or a result set's column count
	ansColumns                         // column definitions
	ansColumnsEOF                      // the EOF after them, unless deprecated
	ansRows                            // rows until EOF or OK
	ansDefs                            // a prepared statement's definitions
)

// readServer follows the server's packets through one segment. A framing
// lost inside a large result resumes after a segment that ends with the
// packet ending the result.
func (m *mySession) readServer(c *conn, s *Segment) {
	if m.back.lost {
		m.resyncServer(c, s)
		return
	}
	cur := newCursor(s)
	for {
		p, ok := m.back.next(&cur, myWantAll)
		if !ok {
			break
		}
		if cont := m.backCont; !cont {
			m.backCont = p.bodyLen == mysql.MaxPayload
			m.serverPacket(c, s, &p)
		} else {
			m.backCont = p.bodyLen == mysql.MaxPayload
		}
	}
	if m.back.lost {
		m.sh.stats.desyncs.Add(1)
		m.resyncServer(c, s)
	} else if m.ans.state == ansDefs && m.op.kind != 0 {
		m.done(c, s) // a prepared statement's definitions end with the write
	}
}

func (m *mySession) serverPacket(c *conn, s *Segment, p *message) {
	switch m.phase {
	case phaseGreeting:
		if g, ok := mysql.ParseGreeting(p.body); ok && g.MariaDB() {
			m.system = dbSystemMariaDB
		}
		m.phase = phaseAuth
	case phaseAuth:
		if len(p.body) > 0 && p.body[0] == mysql.OKHeader {
			m.phase = phaseCommand
		}
	default:
		if m.op.kind != 0 && len(p.body) > 0 {
			m.answer(c, s, p)
		}
	}
}

// answer advances the pending command's answer by one packet.
func (m *mySession) answer(c *conn, s *Segment, p *message) {
	b := p.body
	switch m.ans.state {
	case ansFirst:
		m.first(c, s, p)
	case ansColumns:
		if m.ans.remain--; m.ans.remain == 0 {
			m.ans.state = ansColumnsEOF
			if m.caps&mysql.ClientDeprecateEOF != 0 {
				m.ans.state = ansRows
			}
		}
	case ansDefs:
		if !mysql.IsEOF(b, p.bodyLen) {
			if m.ans.remain--; m.ans.remain == 0 {
				m.done(c, s)
			}
		}
	case ansColumnsEOF:
		m.ans.state = ansRows
		if !mysql.IsEOF(b, p.bodyLen) {
			m.row(c, s, p)
		}
	default:
		m.row(c, s, p)
	}
}

// first reads the first packet of an answer.
func (m *mySession) first(c *conn, s *Segment, p *message) {
	b := p.body
	switch b[0] {
	case mysql.ErrHeader:
		m.fail(c, s, b)
	case mysql.OKHeader:
		if m.cmd == mysql.ComStmtPrepare {
			m.prepared(c, s, b)
			return
		}
		_, affected, status, ok := mysql.ParseOK(b)
		if ok {
			m.op.rows = int64(affected)
		}
		if status&mysql.ServerMoreResultsExists == 0 {
			m.done(c, s)
		}
	case mysql.LocalInfile:
	case mysql.EOFHeader:
		m.done(c, s)
	default:
		n, defs, ok := mysql.ColumnCount(b)
		switch {
		case !ok || n == 0:
		case !defs: // MariaDB's cached metadata: no definitions follow
			m.ans = myAnswer{state: ansColumnsEOF}
			m.op.rows = 0
		default:
			m.ans = myAnswer{state: ansColumns, remain: n}
			m.op.rows = 0
		}
	}
}

// prepared remembers a prepared statement's id and follows its
// definitions.
func (m *mySession) prepared(c *conn, s *Segment, b []byte) {
	ok, valid := mysql.ParsePrepareOK(b)
	if !valid {
		m.done(c, s)
		return
	}
	if len(m.stmts) >= maxPreparedIDs {
		clear(m.stmts)
	}
	m.stmts[ok.StatementID] = m.op.st
	m.ans = myAnswer{state: ansDefs, remain: uint64(ok.Params) + uint64(ok.Columns)}
	if m.ans.remain == 0 {
		m.done(c, s)
	}
}

// row reads a packet among rows: a row, the terminator, or an error.
func (m *mySession) row(c *conn, s *Segment, p *message) {
	b := p.body
	switch {
	case b[0] == mysql.ErrHeader:
		m.fail(c, s, b)
	case mysql.IsTerminator(b, p.bodyLen):
		status, _ := mysql.Status(b)
		if status&mysql.ServerMoreResultsExists != 0 {
			m.ans = myAnswer{}
			return
		}
		m.done(c, s)
	default:
		if m.op.rows >= 0 {
			m.op.rows++
		}
	}
}

// fail ends the answer with the error of an ERR packet.
func (m *mySession) fail(c *conn, s *Segment, b []byte) {
	m.op.errCode = errCodeUnknown
	if code := mysql.ErrorCode(b, m.errBuf[:0]); len(code) > 0 {
		m.op.errCode = m.sh.names.string(code)
	}
	m.pendingNS = ""
	m.done(c, s)
}

// done ends the pending command: a query, an execution or a failed
// prepare becomes a call; a selected schema becomes the namespace.
func (m *mySession) done(c *conn, s *Segment) {
	op := &m.op
	if op.kind == opQuery || op.kind == opExecute || (op.kind == opParse && op.errCode != "") {
		m.emit(c, s.Time)
	}
	if m.pendingNS != "" && op.errCode == "" {
		m.namespace = m.pendingNS
	}
	m.op, m.ans, m.pendingNS = dbOp{}, myAnswer{}, ""
}

// resyncServer looks at the end of a segment for the packet that ends a
// result (EOF, OK or ERR); when found the pending command is done and the
// next segment starts a packet.
func (m *mySession) resyncServer(c *conn, s *Segment) {
	data := captured(s)
	var end []byte
	if len(data) == int(s.Len) {
		end = mysql.LastPacket(data)
	} else if mysql.TailEndsResult(s.Tail) {
		end = eofPacket[:]
	}
	if end == nil {
		return
	}
	m.back.resync()
	m.backCont = false
	if m.op.kind == 0 {
		return
	}
	m.op.rows = -1 // rows went by in bytes never captured
	if m.ans.state == ansFirst || m.ans.state == ansDefs {
		m.done(c, s)
		return
	}
	m.ans.state = ansRows
	m.row(c, s, &message{body: end, bodyLen: len(end), complete: true})
}

// eofPacket stands for an end of rows seen only in a segment's tail.
var eofPacket = [5]byte{mysql.EOFHeader}
