package stream

import (
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracectx"
)

// Config bounds a Tracker's memory.
type Config struct {
	// MaxPending is how many requests may wait for a response on one
	// connection; beyond it the oldest is dropped. Default 64.
	MaxPending int
	// IdleTimeout is how long a connection may stay silent before Evict
	// drops it. Default 2 minutes.
	IdleTimeout time.Duration
	// LendCalls hands emit the same *call.Call every time, valid only until
	// emit returns, instead of a new one that emit owns: the tracker then
	// allocates nothing per call. Set it when emit copies what it keeps.
	LendCalls bool
	// Protocols are the protocols decoded; connections of others are
	// ignored. The zero value decodes every protocol.
	Protocols Protocols
	// DBQueryText is what database calls carry of the statement text.
	DBQueryText QueryTextMode
	// Links gives each request its trace context as it starts; nil for
	// calls without one.
	Links *tracectx.Linker
}

// Protocols turns decoders on or off.
type Protocols struct {
	HTTP1    bool
	HTTP2    bool // plain HTTP/2 calls
	GRPC     bool // gRPC calls (over HTTP/2)
	Postgres bool
	MySQL    bool
	Redis    bool
	MongoDB  bool
	Kafka    bool
}

// QueryTextMode says what a database call carries of its statement.
type QueryTextMode uint8

// Query text modes.
const (
	QueryTextSanitized QueryTextMode = iota // literals replaced by "?"
	QueryTextRaw                            // as sent
	QueryTextOff                            // nothing
)

// Defaults applied by NewTracker to zero or negative values.
const (
	DefaultMaxPending  = 64
	DefaultIdleTimeout = 2 * time.Minute
)

// maxFree bounds the recycled connection states kept for reuse.
const maxFree = 256

// Tracker turns the segments of many connections into calls. It is used from
// one goroutine, except Stats, which any goroutine may call.
type Tracker struct {
	idle   uint64 // IdleTimeout in nanoseconds
	conns  map[uint64]*conn
	sh     shared
	stats  counters
	freeC  []*conn
	freeH1 []*h1Session
}

// NewTracker returns a tracker that hands each call to emit, which then owns
// it, or borrows it with Config.LendCalls.
func NewTracker(cfg Config, emit func(*call.Call)) *Tracker {
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.Protocols == (Protocols{}) {
		cfg.Protocols = Protocols{HTTP1: true, HTTP2: true, GRPC: true, Postgres: true, MySQL: true, Redis: true, MongoDB: true, Kafka: true}
	}
	t := &Tracker{idle: uint64(cfg.IdleTimeout), conns: make(map[uint64]*conn)}
	t.sh = shared{
		emit: emit, stats: &t.stats, names: newInterner(), maxPending: cfg.MaxPending,
		joined: make([]byte, 0, carryMax+maxCaptured), lend: cfg.LendCalls,
		protocols: cfg.Protocols, queryText: cfg.DBQueryText, links: cfg.Links,
	}
	return t
}

// Segment consumes one segment. It allocates nothing in steady state: only a
// new connection, a new string seen in a request, and each emitted call
// (unless lent) do.
func (t *Tracker) Segment(s *Segment) {
	if (s.Dir != Ingress && s.Dir != Egress) || s.Len == 0 {
		return
	}
	if s.Frames != nil {
		s.Data = framesHead(s.Frames)
	}
	c := t.conns[s.ConnID]
	if c == nil {
		c = t.open(s.ConnID)
	}
	c.touch(s)
	if s.Lost > 0 && c.sess != nil {
		t.restart(c)
	}
	switch {
	case c.sess != nil:
		c.sess.feed(c, s)
	case !c.opaque:
		t.classify(c, s)
	}
}

// Close ends a connection that closed at time now. A response in progress
// completes, at the time of its last segment rather than now; requests still
// waiting are dropped and counted; the state is freed.
func (t *Tracker) Close(connID uint64, now uint64) {
	if c := t.conns[connID]; c != nil {
		t.end(c)
	}
}

// Evict ends, as Close does, the connections silent for longer than the idle
// timeout at time now (Unix nanoseconds): their close was missed or they idle
// in a pool; a later segment starts them afresh.
func (t *Tracker) Evict(now uint64) {
	for _, c := range t.conns {
		if now > c.lastSeen && now-c.lastSeen > t.idle {
			t.end(c)
		}
	}
}

// Forget ends, as Close does, every connection last used by process pid,
// which exited. It scans all connections; process exits are rare next to
// segments.
func (t *Tracker) Forget(pid uint32) {
	for _, c := range t.conns {
		if c.pid == pid {
			t.end(c)
		}
	}
}

// Stats returns the counters; safe from any goroutine.
func (t *Tracker) Stats() Stats { return t.stats.snapshot() }
