package stream

import (
	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/http1"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/http2"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/kafka"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/mongo"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/redis"
)

// decoder is one protocol's row: what the Tracker needs to start its
// session on a connection the kernel's classifier named it for. A new
// protocol adds its row here; its session lives in files of its own.
type decoder struct {
	// enabled says whether the configuration decodes the protocol.
	enabled func(p *Protocols) bool
	// starts tells whether segment s, whose captured bytes are data,
	// starts one of its messages, where a session can start: the first
	// segment of a connection seen from its start, the next message start
	// of one joined mid-stream or given up after a loss (c says which).
	starts func(c *conn, s *Segment, data []byte) bool
	// open returns a new session that s starts.
	open func(t *Tracker, s *Segment, data []byte) session
}

// decoders are indexed by the protocol the kernel names.
var decoders = [...]decoder{
	call.ProtocolHTTP1: {
		enabled: func(p *Protocols) bool { return p.HTTP1 },
		starts: func(c *conn, s *Segment, data []byte) bool {
			// The first byte or two of a request, read ahead of the rest
			// (Go servers do) after a loss: the session holds them for
			// the next segment.
			return http1.LooksLikeRequest(data) || http1.LooksLikeResponse(data) ||
				c.wasHTTP1 && http1.StartsRequest(data)
		},
		open: func(t *Tracker, s *Segment, data []byte) session { return t.newHTTP1(serverRole(s, data)) },
	},
	call.ProtocolHTTP2: {
		enabled: func(p *Protocols) bool { return p.HTTP2 || p.GRPC },
		starts: func(_ *conn, s *Segment, data []byte) bool {
			return s.Frames != nil || http2.LooksLikePreface(data) || http2.LooksLikeFrames(data, len(data))
		},
		open: func(t *Tracker, _ *Segment, _ []byte) session { return newH2Session(&t.sh) },
	},
	call.ProtocolPostgres: {
		enabled: func(p *Protocols) bool { return p.Postgres },
		starts:  func(_ *conn, _ *Segment, data []byte) bool { return pgStartsClient(data) },
		open:    func(t *Tracker, s *Segment, data []byte) session { return t.sh.db.newPostgres(&t.sh, s, data) },
	},
	call.ProtocolMySQL: {
		enabled: func(p *Protocols) bool { return p.MySQL },
		starts:  func(_ *conn, _ *Segment, data []byte) bool { return myStartsConnection(data) },
		open:    func(t *Tracker, s *Segment, data []byte) session { return t.sh.db.newMySQL(&t.sh, s, data) },
	},
	call.ProtocolRedis: {
		enabled: func(p *Protocols) bool { return p.Redis },
		starts:  func(_ *conn, _ *Segment, data []byte) bool { return redis.LooksLikeCommand(data) },
		open:    func(t *Tracker, s *Segment, _ []byte) session { return newRedis(t, s) },
	},
	call.ProtocolMongoDB: {
		enabled: func(p *Protocols) bool { return p.MongoDB },
		starts: func(_ *conn, _ *Segment, data []byte) bool {
			return mongo.LooksLikeRequest(data) || mongo.LooksLikeReply(data)
		},
		open: func(t *Tracker, s *Segment, data []byte) session { return newMongo(t, s, data) },
	},
	call.ProtocolKafka: {
		enabled: func(p *Protocols) bool { return p.Kafka },
		starts:  func(_ *conn, _ *Segment, data []byte) bool { return kafka.LooksLikeRequest(data) },
		open:    func(t *Tracker, s *Segment, data []byte) session { return newKafka(t, s, data) },
	},
}

// Mask returns the protocols p enables as a set of their ids: bit 1<<id,
// as the kernel's classifier takes it.
func (p *Protocols) Mask() uint32 {
	var m uint32
	for id := range decoders {
		if d := &decoders[id]; d.open != nil && d.enabled(p) {
			m |= 1 << id
		}
	}
	return m
}

// decoderOf returns the row of protocol p, nil when no session decodes
// it.
func decoderOf(p call.Protocol) *decoder {
	if int(p) >= len(decoders) || decoders[p].open == nil {
		return nil
	}
	return &decoders[p]
}

// StartsMessage tells whether data starts a message of protocol p by its
// decoder's own first-bytes check, the one a session starts at; the
// classifier corpus holds it against the kernel's classifier.
func StartsMessage(p call.Protocol, data []byte) bool {
	d := decoderOf(p)
	return d != nil && d.starts(&conn{}, &Segment{}, data)
}
