package stream

import (
	"sync/atomic"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// Stats are a Tracker's counters since it was created.
type Stats struct {
	Connections    int               // connections holding state now
	DecodeErrors   map[string]uint64 // malformed messages, by protocol name
	Desyncs        uint64            // times a session lost a stream's framing and waited for a message start
	Restarts       uint64            // sessions given up because the kernel dropped some of their segments
	CallsEmitted   uint64
	PendingDropped uint64 // requests dropped unanswered: queue full, or still waiting at close
	// EncryptedSkipped counts database connections that switched to TLS
	// (or GSS encryption) and were ignored from then on.
	EncryptedSkipped uint64
	// DBServerSessions counts database connections seen from the server's
	// side, which are not decoded (the client's side reports the calls).
	DBServerSessions uint64
	// HeaderFieldsUnknown counts HTTP/2 header fields whose name came from
	// an HPACK table entry that was not known: the connection was joined
	// mid-stream, or a header block was cut by the capture.
	HeaderFieldsUnknown uint64
	// HeaderTablesLost counts HTTP/2 header blocks (or framing) lost, after
	// which a direction's table entries were marked unknown.
	HeaderTablesLost uint64
	// StreamsUnidentified counts HTTP/2 streams that ended without a
	// call because their :path or :status was unknown.
	StreamsUnidentified uint64
}

// counters are written by the tracker's goroutine and read by Stats from
// any goroutine.
type counters struct {
	connections      atomic.Int64
	decodeErrors     [call.NumProtocols]atomic.Uint64 // indexed by call.Protocol
	desyncs          atomic.Uint64
	restarts         atomic.Uint64
	callsEmitted     atomic.Uint64
	pendingDropped   atomic.Uint64
	encryptedSkipped atomic.Uint64
	dbServerSessions atomic.Uint64
	h2UnknownFields  atomic.Uint64
	h2TableResets    atomic.Uint64
	h2Unidentified   atomic.Uint64
}

// decodeError counts one malformed message of protocol p.
func (c *counters) decodeError(p call.Protocol) {
	c.decodeErrors[int(p)%len(c.decodeErrors)].Add(1)
}

// snapshot reads every counter.
func (c *counters) snapshot() Stats {
	s := Stats{
		Connections:      int(c.connections.Load()),
		DecodeErrors:     make(map[string]uint64, len(decoders)),
		Desyncs:          c.desyncs.Load(),
		Restarts:         c.restarts.Load(),
		CallsEmitted:     c.callsEmitted.Load(),
		PendingDropped:   c.pendingDropped.Load(),
		EncryptedSkipped: c.encryptedSkipped.Load(),
		DBServerSessions: c.dbServerSessions.Load(),

		HeaderFieldsUnknown: c.h2UnknownFields.Load(),
		HeaderTablesLost:    c.h2TableResets.Load(),
		StreamsUnidentified: c.h2Unidentified.Load(),
	}
	// Every protocol with a decoder but HTTP/2, whose failures are the
	// three counters above.
	for id := range decoders {
		if p := call.Protocol(id); decoders[id].open != nil && p != call.ProtocolHTTP2 {
			s.DecodeErrors[p.String()] = c.decodeErrors[id].Load()
		}
	}
	return s
}
