package stream

import (
	"net/netip"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracectx"
)

// session decodes one connection's application protocol. A session never
// keeps a segment's Data or Tail past the call that received it.
type session interface {
	// feed consumes the connection's next segment.
	feed(c *conn, s *Segment)
	// finish completes what the end of the connection completes and drops
	// what cannot be completed; the session is recycled afterwards.
	finish(c *conn)
}

// conn is the state of one connection.
type conn struct {
	id       uint64
	pid      uint32 // the process of the latest segment
	lastSeen uint64
	local    netip.AddrPort
	peer     netip.AddrPort
	tries    uint8           // segments with data seen without recognising a protocol
	opaque   bool            // no decoder recognised it: ignored until it ends
	wasHTTP1 bool            // its HTTP/1 session was given up after a loss: a request prefix restarts one
	tls      bool            // its plaintext comes from a TLS library
	wire     tracectx.Option // the latest trace option seen on it
	drawn    tracectx.Option // the latest trace the kernel drew for a request on it
	sess     session
}

// touch records what every segment says about its connection. Addresses
// come with a connection's first segment and now and then again; segments
// without them leave the known ones.
func (c *conn) touch(s *Segment) {
	c.pid = s.PID
	c.tls = c.tls || s.TLS
	if s.Local.IsValid() {
		c.local, c.peer = s.Local, s.Peer
	}
	c.lastSeen = max(c.lastSeen, s.Time)
	if s.Wire.Set {
		c.wire = s.Wire
	}
	if s.Drawn.Set {
		c.drawn = s.Drawn
	}
}

// maxClassifyTries bounds how many segments with data a connection may
// offer before it is declared opaque: a connection seen from its start is
// classified by its first segment, one joined mid-stream by the next message
// start, which a long body may delay.
const maxClassifyTries = 64

// captured returns the part of Data that the segment really moved.
func captured(s *Segment) []byte {
	return s.Data[:min(len(s.Data), int(s.Len))]
}

// shared is what every session of a tracker uses.
type shared struct {
	emit       func(*call.Call)
	stats      *counters
	names      *interner
	maxPending int
	joined     []byte    // scratch for a held head joined with the next segment
	joinedSeg  Segment   // the segment carrying joined
	lend       bool      // emit borrows lent instead of owning a new call
	lent       call.Call // the call handed to emit when lending
	protocols  Protocols
	queryText  QueryTextMode
	db         dbShared         // statement descriptions and freed database sessions
	links      *tracectx.Linker // nil without trace context
	req        tracectx.Request // reused by startSpan
	queryBuf   []byte           // scratch for a redacted query
	// kafkaTopics are the names of Kafka topic ids, learnt from Metadata
	// responses on any connection (ids are unique in a cluster, and
	// across clusters as UUIDs).
	kafkaTopics map[[16]byte]string
}

// newCall returns the call to fill and emit: the lent one, overwritten, or
// a new one for emit to own.
func (sh *shared) newCall() *call.Call {
	if sh.lend {
		return &sh.lent
	}
	return new(call.Call)
}

// serverQueued is the Queued of a call: when a server's request began to
// wait, given when its first bytes did (0 unknown) and when it was read.
// A stamp after the read is not the request's.
func serverQueued(server bool, queued, start uint64) uint64 {
	if !server || queued == 0 || queued > start {
		return 0
	}
	return queued
}
