package stream

import (
	"strings"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/mysql"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/sqltext"
)

func myWantAll(byte) bool { return true }

// readClient follows the client's packets through one segment.
func (m *mySession) readClient(s *Segment) {
	if m.front.lost {
		if !mysql.LooksLikeCommand(captured(s)) {
			return
		}
		m.front.resync()
		m.frontCont = false
	}
	cur := newCursor(s)
	for {
		p, ok := m.front.next(&cur, myWantAll)
		if !ok {
			break
		}
		if cont := m.frontCont; !cont {
			m.frontCont = p.bodyLen == mysql.MaxPayload
			m.clientPacket(s, &p)
		} else {
			m.frontCont = p.bodyLen == mysql.MaxPayload
		}
	}
	if m.front.lost {
		m.sh.stats.desyncs.Add(1)
	}
}

func (m *mySession) clientPacket(s *Segment, p *message) {
	switch m.phase {
	case phaseCommand:
		if p.typ == 0 && len(p.body) > 0 {
			m.command(s, p.body)
		}
	default:
		if p.typ != 1 {
			return // an authentication exchange, or a client that spoke first
		}
		r, ok := mysql.ParseHandshakeResponse(p.body, p.bodyLen)
		if !ok {
			m.sh.stats.decodeError(call.ProtocolMySQL)
			return
		}
		if r.SSLRequest {
			m.ignore = true
			m.sh.stats.encryptedSkipped.Add(1)
			return
		}
		m.caps, m.namespace = r.Capabilities, m.sh.names.string(r.Database)
	}
}

// command starts the request a command packet makes; body is its payload.
func (m *mySession) command(s *Segment, body []byte) {
	if m.op.kind != 0 {
		m.sh.stats.pendingDropped.Add(1) // its answer was never seen
	}
	m.op = dbOp{kind: opSilent, start: s.Time, pid: s.PID, rows: -1}
	m.cmd, m.pendingNS = body[0], ""
	m.ans = myAnswer{}
	switch body[0] {
	case mysql.ComQuery:
		m.op.kind, m.op.st = opQuery, m.sh.db.describe(sqltext.MySQL, body[1:])
		if m.op.st.Operation == "USE" {
			m.pendingNS = useTarget(m.op.st.Text)
		}
	case mysql.ComStmtPrepare:
		m.op.kind, m.op.st = opParse, m.sh.db.describe(sqltext.MySQL, body[1:])
	case mysql.ComStmtExecute:
		id, _ := mysql.StatementID(body)
		m.op.kind, m.op.st = opExecute, m.stmts[id]
	case mysql.ComInitDB:
		m.pendingNS = m.sh.names.string(body[1:])
	case mysql.ComStmtClose:
		id, _ := mysql.StatementID(body)
		delete(m.stmts, id)
		m.op = dbOp{} // no answer
	case mysql.ComQuit:
		m.op = dbOp{}
	case mysql.ComPing, mysql.ComResetConn, mysql.ComStmtReset, mysql.ComSetOption:
	default:
		m.op = dbOp{} // answers this session does not follow
	}
	if m.op.kind != 0 && m.op.kind != opSilent {
		m.op.span = m.sh.dbSpan(s)
	}
}

// useTarget returns the schema a USE statement selects.
func useTarget(text string) string {
	f := strings.Fields(text)
	if len(f) < 2 {
		return ""
	}
	return strings.Trim(f[1], "`;")
}
