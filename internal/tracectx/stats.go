package tracectx

import "sync/atomic"

// Mechanism names how a span got its parent, in Stats.Linked.
type Mechanism uint8

// Mechanisms, and the reasons a span has no parent.
const (
	LinkedTraceParent Mechanism = iota // the request carried a traceparent
	LinkedWire                         // a client request of this node, by TCP sequence number
	LinkedThread                       // the server request its thread was handling
	LinkedGoroutine                    // the server request its goroutine was handling
	LinkedHandoff                      // the same, through net/http's writeLoop hand-off
	LinkedOption                       // a remote client request, by the trace option its first segment carried
	numMechanisms
)

// Reason names why a span is a root, in Stats.Roots.
type Reason uint8

// Reasons a span has no parent.
const (
	RootNoRequest   Reason = iota // a client call made outside any request its process was handling
	RootEventLoop                 // a client call in a process with no sound in-process mechanism
	RootNoGoroutine               // a client call in a Go program whose goroutine cannot be read
	RootAmbiguous                 // more than one candidate: none is taken
	RootNoClient                  // a server request no client of this node sent, as far as seen
	RootNoSequence                // a server request whose bytes have no TCP position (TLS plaintext)
	// RootClientMissed is a server request whose client, a captured
	// process of this node, wrote nothing for it in the Grace its span
	// waited: its records were lost, or it was left out after connecting.
	RootClientMissed
	numReasons
)

var mechanismNames = [numMechanisms]string{"traceparent", "tcp_sequence", "thread", "goroutine", "go_handoff", "tcp_option"}

var reasonNames = [numReasons]string{"outside_request", "event_loop", "unknown_goroutine", "ambiguous", "no_client_seen", "no_tcp_sequence", "client_missed"}

// String names the mechanism in self-telemetry.
func (m Mechanism) String() string { return mechanismNames[m] }

// String names the reason in self-telemetry.
func (r Reason) String() string { return reasonNames[r] }

// Stats count the Linker's decisions since it was made: every span is
// counted once, under the mechanism that gave its parent or the reason it
// has none.
type Stats struct {
	Linked     map[string]uint64 // by Mechanism name
	Roots      map[string]uint64 // by Reason name
	EventLoops uint64            // processes found serving several requests on one thread
	// OptionsSent counts client requests that carried the trace option;
	// OptionsApart those of them whose span was already in a trace of
	// its own on this node (an earlier call of the same request carried
	// another option): their remote server's spans are a trace apart.
	OptionsSent, OptionsApart uint64
}

type counters struct {
	linked                    [numMechanisms]atomic.Uint64
	roots                     [numReasons]atomic.Uint64
	eventLoops                atomic.Uint64
	optionsSent, optionsApart atomic.Uint64
}

// count records sp's outcome, once.
func (c *counters) count(sp *Span) {
	if sp.counted {
		return
	}
	sp.counted = true
	if sp.outcome < uint8(numMechanisms) {
		c.linked[sp.outcome].Add(1)
		return
	}
	c.roots[sp.outcome-uint8(numMechanisms)].Add(1)
}

func (c *counters) snapshot() Stats {
	s := Stats{Linked: make(map[string]uint64), Roots: make(map[string]uint64), EventLoops: c.eventLoops.Load(),
		OptionsSent: c.optionsSent.Load(), OptionsApart: c.optionsApart.Load()}
	for i := range c.linked {
		s.Linked[mechanismNames[i]] = c.linked[i].Load()
	}
	for i := range c.roots {
		s.Roots[reasonNames[i]] = c.roots[i].Load()
	}
	return s
}
