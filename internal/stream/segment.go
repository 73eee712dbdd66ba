package stream

import (
	"net/netip"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracectx"
)

// Direction says which way bytes moved, seen from the observed process.
type Direction uint8

// Directions of a segment.
const (
	Ingress Direction = iota + 1 // the process read these bytes
	Egress                       // the process wrote these bytes
)

// Role is the kernel's hint of the process's side of a connection: known when
// the probes saw accept (server) or connect (client), unknown for connections
// that existed before capture started.
type Role uint8

// Roles of a connection.
const (
	RoleUnknown Role = iota
	RoleClient
	RoleServer
)

// Segment is what one read- or write-family syscall moved on a connection.
// Data and Tail alias the tracer's buffers and are valid only during the call
// that receives the segment.
type Segment struct {
	ConnID uint64 // unique per connection for the capture's lifetime
	PID    uint32
	Dir    Direction
	Role   Role
	Time   uint64 // Unix nanoseconds when the syscall returned
	// Queued, on a read of a connection that is not the process's client,
	// is when the bytes the read began with started to wait in the socket
	// (Unix nanoseconds); 0 when unknown or not measured (bpf/queue.h).
	Queued uint64
	Len    uint32 // bytes the syscall moved
	// Data is the first bytes moved (at most the capture size); empty for
	// sendfile, whose bytes never pass through user memory.
	Data []byte
	// Tail is the last bytes moved when Len exceeds len(Data) and the buffer
	// was contiguous; empty otherwise.
	Tail []byte
	// Local and Peer are the connection's addresses, invalid (zero) when
	// the segment does not carry them: they come with a connection's first
	// segment and now and then again.
	Local netip.AddrPort
	Peer  netip.AddrPort
	// Protocol is what the kernel's classifier (bpf/classify.h) took the
	// connection's bytes for; it chooses the session that decodes them.
	// Segments of no known protocol are not decoded.
	Protocol call.Protocol
	// Lost is how many of the connection's segments the kernel dropped
	// just before this one: what was waiting for them is given up.
	Lost uint32
	// TLS says Data is plaintext a TLS library read or wrote, not bytes
	// of the socket.
	TLS bool
	// Thread moved the bytes; Goroutine is its goroutine in a Go program
	// whose layout the probes know, else 0.
	Thread    uint32
	Goroutine uint64
	// Seq is the TCP sequence number of the first byte, when HasSeq
	// (never for TLS plaintext).
	Seq    uint32
	HasSeq bool
	// PeerCaptured says the connection's client end is a connection of a
	// captured process of this node (server connections only): its
	// records of each request are to come, if not read yet.
	PeerCaptured bool
	// Wire is the trace option a TCP segment among these bytes carried,
	// when Wire.Set (see tracectx.Option).
	Wire tracectx.Option
	// Drawn, when Drawn.Set, is the trace the kernel drew for the request
	// these bytes begin, which the trace options of the thread's calls
	// carry (see tracectx.Request.Drawn); no span id.
	Drawn tracectx.Option
	// Frames, when not nil, is what the kernel's HTTP/2 frame walk kept of
	// the segment's bytes: frame headers and header blocks at their
	// offsets (see h2pieces.go). Data is then the bytes captured from
	// offset 0 on, which the Tracker takes from Frames.
	Frames []byte
}
