package stream

import (
	"strconv"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/mongo"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracectx"
)

// mongoSession decodes the client side of a MongoDB connection. Every
// message has a header with its length and ids: a reply names the request
// it answers, so requests wait in a small table by id. A command is the
// first field of an OP_MSG body (or of an OP_QUERY's query, for the legacy
// handshake); a reply with ok: 0 carries the error code. Compressed
// messages are not decoded and count as decode errors; a request that
// asks for no reply (moreToCome) ends when it is written.
type mongoSession struct {
	sh      *shared
	ignore  bool
	out, in msgFramer
	hdr     [2]mongo.Header // the header of the message being framed, by direction
	waiting []mongoOp
	seg     *Segment
	c       *conn
	ending  *mongoOp // a reply whose body runs on: the call ends with it
	endCode string
}

// mongoOp is a command waiting for its reply.
type mongoOp struct {
	id         uint32
	start      uint64
	pid        uint32
	span       *tracectx.Span
	name       string
	collection string
	database   string
}

// dbSystemMongoDB is db.system.name of MongoDB calls.
const dbSystemMongoDB = "mongodb"

// mongoWaitMax bounds the commands waiting for replies on a connection;
// drivers send one at a time.
const mongoWaitMax = 64

// newMongo returns a session for a MongoDB connection whose first captured
// bytes s carries. The process is the server when it read a request or
// wrote a reply, or the kernel saw it accept.
func newMongo(t *Tracker, s *Segment, data []byte) *mongoSession {
	m := &mongoSession{sh: &t.sh}
	request := mongo.LooksLikeRequest(data)
	m.ignore = s.Role == RoleServer || (s.Role == RoleUnknown && request == (s.Dir == Ingress))
	if m.ignore {
		t.stats.dbServerSessions.Add(1)
	}
	m.out.reset(mongo.HeaderLen, m.header(0))
	m.in.reset(mongo.HeaderLen, m.header(1))
	return m
}

// header returns the framers' header function of direction d: it keeps
// the ids the session reads with the body.
func (m *mongoSession) header(d int) func([]byte) (byte, int, bool) {
	return func(b []byte) (byte, int, bool) {
		h, ok := mongo.ParseHeader(b)
		m.hdr[d] = h
		return byte(h.OpCode), h.Length - mongo.HeaderLen, ok
	}
}

func mongoWantAll(byte) bool { return true }

func (m *mongoSession) feed(c *conn, s *Segment) {
	if m.ignore {
		return
	}
	m.seg, m.c = s, c
	defer func() { m.seg, m.c = nil, nil }()
	f, d, starts := &m.out, 0, mongo.LooksLikeRequest
	if s.Dir == Ingress {
		f, d, starts = &m.in, 1, mongo.LooksLikeReply
	}
	if f.lost {
		if !starts(captured(s)) {
			return
		}
		f.resync()
	}
	cur := newCursor(s)
	for {
		msg, ok := f.next(&cur, mongoWantAll)
		if !ok {
			break
		}
		if d == 0 {
			m.request(&msg)
		} else {
			m.reply(&msg)
		}
	}
	if f.lost {
		m.sh.stats.desyncs.Add(1)
		if f.malformed {
			m.sh.stats.decodeError(call.ProtocolMongoDB)
		}
	}
	if d == 1 && m.ending != nil && f.remain == 0 {
		m.emit(m.ending, m.endCode) // the long reply ended in this segment
		m.ending = nil
	}
}

// request reads a message the client wrote.
func (m *mongoSession) request(msg *message) {
	h := m.hdr[0]
	var cmd mongo.Command
	switch h.OpCode {
	case mongo.OpMsg:
		flags, doc, ok := mongo.MsgBody(msg.body)
		if !ok {
			m.sh.stats.decodeError(call.ProtocolMongoDB)
			return
		}
		cmd = mongo.ParseCommand(doc)
		if flags&mongo.MoreToCome != 0 {
			op := m.newOp(h, cmd)
			m.emit(&op, "") // no reply will come
			return
		}
	case mongo.OpQuery:
		full, doc, ok := mongo.QueryBody(msg.body)
		if !ok {
			m.sh.stats.decodeError(call.ProtocolMongoDB)
			return
		}
		cmd = mongo.ParseCommand(doc)
		cmd.Database, cmd.Collection = databaseOf(full), nil
	default: // compressed, or a reply written by a client
		m.sh.stats.decodeError(call.ProtocolMongoDB)
		return
	}
	if len(cmd.Name) == 0 {
		m.sh.stats.decodeError(call.ProtocolMongoDB)
		return
	}
	if len(m.waiting) == mongoWaitMax {
		m.sh.dropped(m.waiting[0].span)
		m.sh.stats.pendingDropped.Add(1)
		m.waiting = append(m.waiting[:0], m.waiting[1:]...)
	}
	m.waiting = append(m.waiting, m.newOp(h, cmd))
}

// newOp makes the operation of a command in the current segment.
func (m *mongoSession) newOp(h mongo.Header, cmd mongo.Command) mongoOp {
	names := m.sh.names
	return mongoOp{
		id: h.RequestID, start: m.seg.Time, pid: m.seg.PID, span: m.sh.dbSpan(m.seg),
		name: names.string(cmd.Name), collection: names.string(cmd.Collection), database: names.string(cmd.Database),
	}
}

// databaseOf returns the database of an OP_QUERY's "db.collection".
func databaseOf(full []byte) []byte {
	for i, c := range full {
		if c == '.' {
			return full[:i]
		}
	}
	return full
}

// reply reads a message the server wrote, ending the command it answers.
func (m *mongoSession) reply(msg *message) {
	if m.ending != nil { // the long reply before this one ended here
		m.emit(m.ending, m.endCode)
		m.ending = nil
	}
	h := m.hdr[1]
	i := 0
	for i < len(m.waiting) && m.waiting[i].id != h.ResponseTo {
		i++
	}
	if i == len(m.waiting) {
		return // a command written before the capture, or a further reply of an exhausted cursor
	}
	op := m.waiting[i]
	m.waiting = append(m.waiting[:i], m.waiting[i+1:]...)
	var out mongo.Outcome
	switch h.OpCode {
	case mongo.OpMsg:
		if _, doc, ok := mongo.MsgBody(msg.body); ok {
			out = mongo.ParseReply(doc)
		}
	case mongo.OpReply:
		if doc, ok := mongo.ReplyBody(msg.body); ok {
			out = mongo.ParseReply(doc)
		}
	default:
		m.sh.stats.decodeError(call.ProtocolMongoDB)
	}
	code := ""
	if out.Seen && !out.OK {
		code = errCodeUnknown
		if out.Code != 0 {
			code = m.sh.names.string(strconv.AppendInt(nil, out.Code, 10))
		}
	}
	if !msg.complete && m.in.remain > 0 {
		m.ending, m.endCode = &op, code // ends with its last byte
		return
	}
	m.emit(&op, code)
}

func (m *mongoSession) finish(*conn) {
	for _, op := range m.waiting {
		m.sh.dropped(op.span)
		m.sh.stats.pendingDropped.Add(1)
	}
	m.waiting = m.waiting[:0]
	if m.ending != nil {
		m.sh.stats.pendingDropped.Add(1)
		m.sh.dropped(m.ending.span)
		m.ending = nil
	}
}

// emit hands a command's call, whose reply ended in the current segment,
// to the tracker's consumer.
func (m *mongoSession) emit(op *mongoOp, code string) {
	m.sh.stats.callsEmitted.Add(1)
	out := m.sh.newCall()
	*out = call.Call{
		Protocol: call.ProtocolMongoDB, Kind: call.KindClient,
		Start: op.start, End: max(op.start, m.seg.Time), PID: op.pid, Local: m.c.local, Peer: m.c.peer, Span: op.span,
		DB: call.DB{
			System: dbSystemMongoDB, Namespace: op.database, Operation: op.name, Collection: op.collection,
			ErrorCode: code, Rows: -1,
		},
	}
	m.sh.emit(out)
}
