package tracer

import (
	"io"
	"net"
	"os"
	"testing"

	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// BenchmarkCapturedRoundTrip measures one write and one read of an HTTP
// request head over a loopback TCP connection: with no probes, with the
// probes attached but this process not selected, and selected (both
// syscalls captured and sent through the ring buffer, drained by Run).
// The differences are what the probes cost a monitored application.
func BenchmarkCapturedRoundTrip(b *testing.B) {
	privtest.Require(b)
	for _, mode := range []string{"none", "unselected", "selected"} {
		b.Run(mode, func(b *testing.B) {
			if mode != "none" {
				tr, err := New(Config{MaxPayload: 1024, BufferSize: 8 << 20, HTTP1: true}, zap.NewNop())
				if err != nil {
					b.Fatal(err)
				}
				defer tr.Close()
				go tr.Run(discard{})
				if err := tr.Capture(uint32(os.Getpid()), mode == "selected"); err != nil {
					b.Fatal(err)
				}
			}
			roundTrips(b)
		})
	}
}

type discard struct{}

func (discard) Conn(*ConnEvent, []byte, []byte) {}
func (discard) Process(*ProcessEvent)           {}
func (discard) Idle()                           {}

func roundTrips(b *testing.B) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	server, err := l.Accept()
	if err != nil {
		b.Fatal(err)
	}
	defer server.Close()
	msg := []byte("GET /bench HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n\r\n")
	buf := make([]byte, 4096)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := client.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadAtLeast(server, buf, len(msg)); err != nil {
			b.Fatal(err)
		}
	}
}
