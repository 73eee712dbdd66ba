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
	CallsEmitted   uint64
	PendingDropped uint64 // requests dropped unanswered: queue full, or still waiting at close
}

// decodedProtocols are the protocols reported in Stats.DecodeErrors.
var decodedProtocols = [...]call.Protocol{call.ProtocolHTTP1}

// counters are written by the tracker's goroutine and read by Stats from
// any goroutine.
type counters struct {
	connections    atomic.Int64
	decodeErrors   [8]atomic.Uint64 // indexed by call.Protocol
	desyncs        atomic.Uint64
	callsEmitted   atomic.Uint64
	pendingDropped atomic.Uint64
}

// decodeError counts one malformed message of protocol p.
func (c *counters) decodeError(p call.Protocol) {
	c.decodeErrors[int(p)%len(c.decodeErrors)].Add(1)
}

// snapshot reads every counter.
func (c *counters) snapshot() Stats {
	s := Stats{
		Connections:    int(c.connections.Load()),
		DecodeErrors:   make(map[string]uint64, len(decodedProtocols)),
		Desyncs:        c.desyncs.Load(),
		CallsEmitted:   c.callsEmitted.Load(),
		PendingDropped: c.pendingDropped.Load(),
	}
	for _, p := range decodedProtocols {
		s.DecodeErrors[p.String()] = c.decodeErrors[p].Load()
	}
	return s
}
