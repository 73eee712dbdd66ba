package stream

import (
	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/postgres"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/sqltext"
)

// pgSession decodes the client side of a PostgreSQL connection. Requests
// (simple queries, and the Parse, Execute and Sync of the extended
// protocol, pipelined or not) wait in a FIFO; the server answers them in
// order. Statement texts of named prepared statements are remembered per
// connection so a later Execute carries its statement.
//
// The server side of a connection is not decoded: the database server's own
// process reads the same statements, and its spans would repeat every
// client operation. Such sessions only count and ignore their bytes, as do
// connections that switch to TLS after an SSLRequest.
type pgSession struct {
	sh        *shared
	ignore    bool // server side, or encrypted: nothing is decoded
	front     msgFramer
	back      msgFramer
	startup   bool // the frontend's next message is untyped
	sslAsked  bool // an SSLRequest or GSSENCRequest waits for its answer
	gap       bool // frontend framing was lost: answers cannot be paired until ReadyForQuery
	namespace string
	unnamed   sqltext.Statement
	named     map[string]sqltext.Statement
	bound     sqltext.Statement // the statement of the latest Bind
	ops       dbOpQueue
	seg       *Segment // the segment frontendMessage reads, for push
}

// maxNamedStatements bounds the prepared statements remembered per
// connection; past it the map is cleared (the next Execute of a forgotten
// one carries only what its command tag says).
const maxNamedStatements = 256

// reset prepares a recycled session for a new connection; ignore marks
// the server side.
func (p *pgSession) reset(sh *shared, ignore, startup bool) {
	named, ops := p.named, p.ops
	clear(named)
	ops.reset()
	*p = pgSession{sh: sh, ignore: ignore, startup: startup, named: named, ops: ops}
	p.front.reset(postgres.HeaderLen, pgFrontendHeader)
	if startup {
		p.front.reset(postgres.StartupHeaderLen, pgStartupHeader)
	}
	p.back.reset(postgres.HeaderLen, pgBackendHeader)
}

// pgStartsClient reports whether data opens a PostgreSQL stream: a client's
// first message or, on a connection joined after it, a query or the
// server's ReadyForQuery.
func pgStartsClient(data []byte) bool {
	return postgres.LooksLikeStartup(data) || postgres.LooksLikeQuery(data) || postgres.LooksLikeReady(data)
}

func (p *pgSession) feed(c *conn, s *Segment) {
	switch {
	case p.ignore:
	case s.Dir == Egress:
		p.readFrontend(s)
	default:
		p.readBackend(c, s)
	}
}

func (p *pgSession) finish(*conn) {
	if n := p.ops.reset(); n > 0 {
		p.sh.stats.pendingDropped.Add(uint64(n))
	}
}

// encrypted ignores the rest of a connection that switched to TLS or GSS
// encryption.
func (p *pgSession) encrypted() {
	p.ignore = true
	p.sh.stats.encryptedSkipped.Add(1)
	p.finish(nil)
}

// push queues a request, counting one dropped for lack of room.
func (p *pgSession) push(op dbOp) {
	if p.gap {
		return
	}
	op.span = p.sh.dbSpan(p.seg)
	if p.ops.push(op, p.sh.maxPending) {
		p.sh.stats.pendingDropped.Add(1)
	}
}

// emit hands one operation to the tracker's consumer.
func (p *pgSession) emit(c *conn, op *dbOp, end uint64) {
	p.sh.stats.callsEmitted.Add(1)
	out := p.sh.newCall()
	*out = call.Call{
		Protocol: call.ProtocolPostgres, Kind: call.KindClient,
		Start: op.start, End: max(op.start, end), PID: op.pid, Local: c.local, Peer: c.peer, Span: op.span,
		DB: dbFacts(&op.st, p.sh.queryText, op.command, op.errCode, op.rows),
	}
	out.DB.System, out.DB.Namespace = dbSystemPostgres, p.namespace
	p.sh.emit(out)
}

// dbSystemPostgres is db.system.name of PostgreSQL calls.
const dbSystemPostgres = "postgresql"

// dbFacts fills the DB facts of a statement as the query text mode asks;
// command stands in for the operation when the statement is unknown.
func dbFacts(st *sqltext.Statement, mode QueryTextMode, command, errCode string, rows int64) call.DB {
	db := call.DB{
		Operation: st.Operation, Summary: st.Summary, Collection: st.Collection,
		ErrorCode: errCode, Rows: rows,
	}
	switch mode {
	case QueryTextSanitized:
		db.QueryText = st.Sanitized
	case QueryTextRaw:
		db.QueryText = st.Text
	}
	if db.Operation == "" {
		db.Operation, db.Summary = command, command
	}
	return db
}
