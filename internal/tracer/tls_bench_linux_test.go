package tracer

import (
	"strconv"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/discovery"
	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// BenchmarkTLSCaptureUnderLoad measures what TLS capture costs a Go HTTPS
// server (crypto/tls) and nginx (libssl) under wrk: no probes; the syscall probes only, which
// drop the unrecognised ciphertext; and the syscall probes with the
// TLS uprobes, which send the plaintext. It reports the server's CPU
// time per request and its throughput; use -benchtime 1x.
func BenchmarkTLSCaptureUnderLoad(b *testing.B) {
	privtest.Require(b)
	cert, key := peers.SelfSignedCert(b)
	b.Run("go", func(b *testing.B) { compareTLS(b, peers.GoHTTPSServer(b, cert, key)) })
	b.Run("nginx", func(b *testing.B) { compareTLS(b, peers.NginxTLS(b, cert, key)) })
}

func compareTLS(b *testing.B, srv *peers.Server) {
	setups := []peers.Setup{{Name: "none", Apply: func(testing.TB) func() { return func() {} }}}
	for _, tls := range []bool{false, true} {
		name := "syscalls"
		if tls {
			name = "syscalls+tls"
		}
		setups = append(setups, peers.Setup{Name: name, Apply: func(tb testing.TB) func() {
			return startTLSCapture(tb, srv.PID, tls)
		}})
	}
	peers.Compare(b, 3, srv.PID, "https://127.0.0.1:"+strconv.Itoa(srv.Port)+"/", 4*time.Second, setups)
}

// startTLSCapture captures process pid, with its TLS uprobes when tls is
// set, and returns what stops the capture.
func startTLSCapture(tb testing.TB, pid int, tls bool) func() {
	tr, err := New(Config{MaxPayload: 1024, BufferSize: 8 << 20, Protocols: ProtocolsOf(ProtoHTTP1), TLS: tls}, zap.NewNop())
	if err != nil {
		tb.Fatal(err)
	}
	go tr.Run(discard{})
	if err := tr.Capture(uint32(pid), true); err != nil {
		tb.Fatal(err)
	}
	if tls {
		targets, err := discovery.NewTLSFinder("/proc").Find(uint32(pid))
		if err != nil {
			tb.Fatal(err)
		}
		if n, err := tr.AttachTLS(targets); err != nil || n == 0 {
			tb.Fatalf("AttachTLS = %d, %v", n, err)
		}
	}
	return func() { tr.Close() }
}
