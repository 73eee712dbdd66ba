package stream

import (
	"strconv"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/redis"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/sqltext"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracectx"
)

// redisSession decodes the client side of a Redis connection. A client
// may write many commands before their replies (pipelining, MULTI); the
// server answers each in order, so every reply ends the oldest command
// waiting. Pub/sub messages (RESP3 pushes, or RESP2 arrays once the
// connection subscribed) answer nothing: only a subscription's first
// confirmation ends its command.
type redisSession struct {
	sh      *shared
	ignore  bool // the server's side
	out, in redis.Walker
	pending dbOpQueue
	seg     *Segment // the segment being walked
	c       *conn
	cmd     redisCommand
	reply   redisReply
	db      string // db.namespace: the database index, empty when not known
	pubsub  bool   // a subscription was sent: RESP2 arrays may be messages
	// After a loss of framing, commands are read again from the next
	// segment that starts with one, and replies from the first segment
	// read after that command.
	outLost, inLost bool
	// tail is set while the reply of the one command waiting runs on
	// past what the capture can frame (a large aggregate): it ends at the
	// last segment read before the client writes again, lastIn.
	tail    bool
	lastIn  uint64
	textBuf []byte // scratch for the sanitised or raw text of a command
}

// redisCommand is the command being read.
type redisCommand struct {
	on    bool
	start uint64
	pid   uint32
	span  *tracectx.Span
	name  string
	args  int
	raw   []byte // QueryTextRaw: the command as sent, as far as captured
	index []byte // SELECT's argument
}

// redisReply is the reply being read.
type redisReply struct {
	typ  byte
	err  string
	kind int // redis.PubSubKind of its first element, for arrays and pushes
}

// maxRedisText bounds the text a command's db.query.text carries.
const maxRedisText = 256

// dbSystemRedis is db.system.name of Redis calls.
const dbSystemRedis = "redis"

// newRedis returns a session for a Redis connection whose first captured
// bytes s carries: a command. The process is the server when it read it
// or the kernel saw it accept.
func newRedis(t *Tracker, s *Segment) *redisSession {
	r := &redisSession{sh: &t.sh, out: *redis.NewWalker(true), in: *redis.NewWalker(false)}
	r.ignore = s.Role == RoleServer || (s.Role == RoleUnknown && s.Dir == Ingress)
	if r.ignore {
		t.stats.dbServerSessions.Add(1)
	}
	if s.Role == RoleClient {
		r.db = "0" // seen from its connect: no SELECT yet
	}
	return r
}

func (r *redisSession) feed(c *conn, s *Segment) {
	w, v := &r.in, redis.Visitor((*redisReplies)(r))
	switch {
	case r.ignore:
		return
	case s.Dir == Egress:
		if r.outLost && !redis.LooksLikeCommand(captured(s)) {
			return
		}
		r.outLost = false
		w, v = &r.out, (*redisCommands)(r)
	case r.tail:
		r.lastIn = s.Time
		return
	case r.inLost:
		return
	}
	r.seg, r.c = s, c
	if err := w.Feed(s.Data, int(s.Len), v); err != nil {
		r.lost(s, err)
	}
	r.seg, r.c = nil, nil
}

// lost handles a loss of framing in segment s. A client that waits for
// each reply before its next command (one command waiting, none being
// written) has read the whole reply when it writes again: the reply is
// followed to that point without being framed. Otherwise the session
// desyncs.
func (r *redisSession) lost(s *Segment, err error) {
	if err == redis.ErrLost && s.Dir == Ingress && r.pending.n == 1 && r.out.Idle() {
		r.tail, r.lastIn = true, s.Time
		r.in.Reset()
		r.reply = redisReply{}
		return
	}
	r.desync(err)
}

// endTail ends the reply followed past its framing at the last segment of
// it that was read.
func (r *redisSession) endTail() {
	if !r.tail {
		return
	}
	r.tail = false
	if op := r.pending.oldest(); op != nil {
		r.emitAt(op, "", r.lastIn)
		r.pending.pop()
	}
}

// desync gives up both directions after their framing was lost: what
// waits is dropped, and decoding resumes at the next command written.
func (r *redisSession) desync(err error) {
	r.sh.stats.desyncs.Add(1)
	if err == redis.ErrProtocol {
		r.sh.stats.decodeError(call.ProtocolRedis)
	}
	r.drop()
	r.out.Reset()
	r.in.Reset()
	r.cmd, r.reply = redisCommand{}, redisReply{}
	r.outLost, r.inLost, r.tail = true, true, false
}

// drop gives up the commands waiting for replies.
func (r *redisSession) drop() {
	for op := r.pending.oldest(); op != nil; op = r.pending.oldest() {
		r.sh.dropped(op.span)
		r.pending.pop()
		r.sh.stats.pendingDropped.Add(1)
	}
}

func (r *redisSession) finish(c *conn) {
	r.c = c
	r.endTail()
	r.c = nil
	r.drop()
}

// redisCommands reads the commands a client writes.
type redisCommands redisSession

func (rc *redisCommands) Item(it *redis.Item) {
	r := (*redisSession)(rc)
	switch {
	case it.Depth == 0 && it.Type == redis.Inline:
		r.startCommand()
		r.inlineCommand(it.Payload)
	case it.Depth == 0:
		r.startCommand()
	case it.Depth == 1 && it.Index == 0:
		r.setName(it.Payload)
	case it.Depth == 1:
		r.arg(it.Payload, it.Cut)
	}
}

func (rc *redisCommands) End() { (*redisSession)(rc).endCommand() }

// startCommand begins a command written in the current segment.
func (r *redisSession) startCommand() {
	r.endTail()
	r.inLost = false // its reply starts in the next segment read
	raw := r.cmd.raw
	r.cmd = redisCommand{on: true, start: r.seg.Time, pid: r.seg.PID, span: r.sh.dbSpan(r.seg), raw: raw[:0]}
}

// inlineCommand reads a command sent as a line of words.
func (r *redisSession) inlineCommand(line []byte) {
	first := true
	for len(line) > 0 {
		i := 0
		for i < len(line) && line[i] != ' ' {
			i++
		}
		if word := line[:i]; len(word) > 0 && first {
			r.setName(word)
			first = false
		} else if len(word) > 0 {
			r.arg(word, false)
		}
		line = line[min(i+1, len(line)):]
	}
}

// setName records the name of the command being read.
func (r *redisSession) setName(b []byte) {
	r.cmd.name = r.sh.names.string(upper(r.textBuf[:0], b))
	if r.sh.queryText == QueryTextRaw {
		r.cmd.raw = append(r.cmd.raw[:0], r.cmd.name...)
	}
}

// arg records an argument of the command being read.
func (r *redisSession) arg(b []byte, cut bool) {
	r.cmd.args++
	if r.cmd.args == 1 && r.cmd.name == "SELECT" {
		r.cmd.index = append(r.cmd.index[:0], b...)
	}
	if r.sh.queryText == QueryTextRaw && len(r.cmd.raw) < maxRedisText {
		r.cmd.raw = append(append(r.cmd.raw, ' '), b...)
		if cut {
			r.cmd.raw = append(r.cmd.raw, "..."...)
		}
	}
}

// endCommand queues the command read as waiting for its reply.
func (r *redisSession) endCommand() {
	cmd := &r.cmd
	if !cmd.on || cmd.name == "" {
		r.cmd.on = false
		return
	}
	op := dbOp{kind: opQuery, start: cmd.start, pid: cmd.pid, span: cmd.span, rows: -1}
	op.st = sqltext.Statement{Operation: cmd.name}
	switch r.sh.queryText {
	case QueryTextSanitized:
		op.st.Sanitized = r.sanitized()
	case QueryTextRaw:
		op.st.Text = string(cmd.raw[:min(len(cmd.raw), maxRedisText)])
	}
	if redis.IsSubscription(cmd.name) {
		r.pubsub = true
	}
	if cmd.name == "SELECT" {
		op.kind = opSilent // marks it: its answer sets the namespace
		op.command = r.sh.names.string(cmd.index)
	}
	if old := r.pending.oldest(); old != nil && r.pending.n >= r.sh.maxPending {
		r.sh.dropped(old.span)
		r.sh.stats.pendingDropped.Add(1)
	}
	r.pending.push(op, r.sh.maxPending)
	cmd.on = false
}

// sanitized is the command with every argument replaced by "?", interned
// (a command name and an argument count make few distinct texts).
func (r *redisSession) sanitized() string {
	b := append(r.textBuf[:0], r.cmd.name...)
	for i := 0; i < r.cmd.args && i < 32; i++ {
		b = append(b, " ?"...)
	}
	if r.cmd.args > 32 {
		b = append(b, " ..."...)
	}
	r.textBuf = b
	return r.sh.names.string(b)
}

// redisReplies reads the replies a client reads.
type redisReplies redisSession

func (rr *redisReplies) Item(it *redis.Item) {
	r := (*redisSession)(rr)
	switch {
	case it.Depth == 0 && it.Type != redis.Attribute:
		r.reply = redisReply{typ: it.Type}
		if it.Type == redis.SimpleError || it.Type == redis.BulkError {
			r.reply.err = r.sh.names.string(redis.ErrorPrefix(it.Payload))
			if r.reply.err == "" {
				r.reply.err = errCodeUnknown
			}
		}
	case it.Depth == 1 && it.Index == 0 && (r.reply.typ == redis.Push || (r.reply.typ == redis.Array && r.pubsub)):
		if it.Type == redis.BulkString || it.Type == redis.SimpleString {
			r.reply.kind = redis.PubSubKind(it.Payload)
		}
	}
}

func (rr *redisReplies) End() {
	r := (*redisSession)(rr)
	reply := r.reply
	r.reply = redisReply{}
	op := r.pending.oldest()
	switch {
	case reply.kind == redis.Message, reply.typ == redis.Push && reply.kind != redis.Confirmation:
		return // pub/sub data, or another push: no command's reply
	case reply.kind == redis.Confirmation && (op == nil || !redis.IsSubscription(op.st.Operation)):
		return // a further channel's confirmation
	case op == nil:
		return // the reply of a command written before the capture
	}
	if op.kind == opSilent && reply.typ == redis.SimpleString && redisIndex(op.command) {
		r.db = op.command // SELECT answered +OK
	}
	r.emitAt(op, reply.err, r.seg.Time)
	r.pending.pop()
}

// emitAt hands a command's call, whose reply ended at time end, to the
// tracker's consumer.
func (r *redisSession) emitAt(op *dbOp, errCode string, end uint64) {
	r.sh.stats.callsEmitted.Add(1)
	out := r.sh.newCall()
	*out = call.Call{
		Protocol: call.ProtocolRedis, Kind: call.KindClient,
		Start: op.start, End: max(op.start, end), PID: op.pid, Local: r.c.local, Peer: r.c.peer, Span: op.span,
		DB: call.DB{
			System: dbSystemRedis, Namespace: r.db, Operation: op.st.Operation,
			ErrorCode: errCode, Rows: -1,
		},
	}
	switch r.sh.queryText {
	case QueryTextSanitized:
		out.DB.QueryText = op.st.Sanitized
	case QueryTextRaw:
		out.DB.QueryText = op.st.Text
	}
	r.sh.emit(out)
}

// upper appends b in upper case to dst.
func upper(dst, b []byte) []byte {
	for _, c := range b {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// redisIndex reports whether b is a database index.
func redisIndex(b string) bool {
	_, err := strconv.ParseUint(b, 10, 16)
	return err == nil
}
