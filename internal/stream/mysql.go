package stream

import (
	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/mysql"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/sqltext"
)

// mySession decodes the client side of a MySQL or MariaDB connection. A
// client sends one command and waits for its answer, so one request is
// pending at a time; the answer's packets are counted through column
// definitions and rows to find its end. Prepared statements are remembered
// by the id the server gave them.
//
// As for PostgreSQL, the server side is not decoded (the server's process
// would repeat every client operation), and a connection that switches to
// TLS is skipped.
type mySession struct {
	sh        *shared
	ignore    bool
	front     msgFramer
	back      msgFramer
	phase     myPhase
	system    string // "mysql" or "mariadb"
	caps      uint32 // client capabilities, 0 until the handshake response
	namespace string
	stmts     map[uint32]sqltext.Statement
	op        dbOp // the pending command, kind 0 when none
	cmd       byte // the pending command's code
	ans       myAnswer
	frontCont bool // the previous client packet was cut at MaxPayload
	backCont  bool
	pendingNS string  // the schema a pending COM_INIT_DB or USE selects
	errBuf    [8]byte // renders error numbers without allocating
}

// myPhase is where a connection stands.
type myPhase uint8

const (
	phaseGreeting myPhase = iota // the server's greeting comes next
	phaseAuth                    // handshake and authentication exchange
	phaseCommand                 // commands and their answers
)

// maxPreparedIDs bounds the prepared statements remembered per connection.
const maxPreparedIDs = 256

// System names of MySQL-protocol calls.
const (
	dbSystemMySQL   = "mysql"
	dbSystemMariaDB = "mariadb"
)

// myStartsConnection reports whether data opens a MySQL stream: a greeting
// or, on a connection joined after it, a command.
func myStartsConnection(data []byte) bool {
	return mysql.LooksLikeGreeting(data) || mysql.LooksLikeCommand(data)
}

// newMySQL returns a session for a MySQL connection whose first captured
// bytes s carries, reusing a freed one. The process is the server when
// the kernel saw it accept, when it wrote the greeting or read a command.
func (d *dbShared) newMySQL(sh *shared, s *Segment, data []byte) *mySession {
	var m *mySession
	if n := len(d.freeMy); n > 0 {
		m, d.freeMy = d.freeMy[n-1], d.freeMy[:n-1]
	} else {
		m = &mySession{stmts: make(map[uint32]sqltext.Statement)}
	}
	greeting := mysql.LooksLikeGreeting(data)
	server := s.Role == RoleServer || (s.Role == RoleUnknown && greeting == (s.Dir == Egress))
	if server {
		sh.stats.dbServerSessions.Add(1)
	}
	m.reset(sh, server, greeting)
	return m
}

func myHeader(h []byte) (byte, int, bool) { return mysql.ParseHeader(h) }

func (m *mySession) reset(sh *shared, ignore, greeting bool) {
	stmts := m.stmts
	clear(stmts)
	*m = mySession{sh: sh, ignore: ignore, stmts: stmts, system: dbSystemMySQL, phase: phaseCommand}
	if greeting {
		m.phase = phaseGreeting
	}
	m.front.reset(mysql.HeaderLen, myHeader)
	m.back.reset(mysql.HeaderLen, myHeader)
}

func (m *mySession) feed(c *conn, s *Segment) {
	switch {
	case m.ignore:
	case s.Dir == Egress:
		m.readClient(s)
	default:
		m.readServer(c, s)
	}
}

func (m *mySession) finish(*conn) {
	if m.op.kind != 0 {
		m.sh.stats.pendingDropped.Add(1)
		m.op = dbOp{}
	}
}

// emit hands the pending command's call to the tracker's consumer.
func (m *mySession) emit(c *conn, end uint64) {
	op := &m.op
	m.sh.stats.callsEmitted.Add(1)
	out := m.sh.newCall()
	*out = call.Call{
		Protocol: call.ProtocolMySQL, Kind: call.KindClient,
		Start: op.start, End: max(op.start, end), PID: op.pid, Local: c.local, Peer: c.peer, Span: op.span,
		DB: dbFacts(&op.st, m.sh.queryText, op.command, op.errCode, op.rows),
	}
	out.DB.System, out.DB.Namespace = m.system, m.namespace
	m.sh.emit(out)
}
