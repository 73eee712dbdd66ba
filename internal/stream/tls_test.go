package stream

import "testing"

// TestTLSPlaintextMarksCalls checks that calls decoded from TLS plaintext
// say so, and that a connection reused afterwards without TLS does not.
func TestTLSPlaintextMarksCalls(t *testing.T) {
	h := newHarness(t, RoleServer)
	h.feed(&Segment{Dir: Ingress, Len: uint32(len(curlGet)), Data: []byte(curlGet), TLS: true})
	h.feed(&Segment{Dir: Egress, Len: uint32(len(goHello)), Data: []byte(goHello), TLS: true})
	h.close()
	h.send(Ingress, curlGet)
	h.send(Egress, goHello)
	h.close()
	if len(h.calls) != 2 {
		t.Fatalf("%d calls, want 2", len(h.calls))
	}
	if !h.calls[0].HTTP.TLS || h.calls[1].HTTP.TLS {
		t.Errorf("TLS of the calls = %v, %v; want true, false", h.calls[0].HTTP.TLS, h.calls[1].HTTP.TLS)
	}
}
