package tracer

import (
	"testing"

	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// BenchmarkNewClose measures loading, attaching and closing everything: the
// tracer's share of the receiver's start-up time and memory.
func BenchmarkNewClose(b *testing.B) {
	privtest.Require(b)
	b.ReportAllocs()
	for b.Loop() {
		tr, err := New(Config{MaxPayload: 1024, BufferSize: 8 << 20, Protocols: ProtocolsOf(ProtoHTTP1)}, zap.NewNop())
		if err != nil {
			b.Fatal(err)
		}
		tr.Close()
	}
}
