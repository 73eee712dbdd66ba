package tracer

import (
	"strconv"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// BenchmarkCaptureUnderLoad measures what the capture costs a Go net/http
// server under wrk: no probes, then the full capture of the server through
// the raw sys_exit tracepoint and through the per-syscall tracepoints, the
// ring buffer drained by Run. It reports the server's CPU time per request
// and its throughput; use -benchtime 1x -count N to alternate.
func BenchmarkCaptureUnderLoad(b *testing.B) {
	privtest.Require(b)
	port := peers.FreePort(b)
	srv := peers.Start(b, port, peers.GoProgram(b, "httpserver"), "127.0.0.1:"+strconv.Itoa(port))
	setups := []peers.Setup{{Name: "none", Apply: func(testing.TB) func() { return func() {} }}}
	for _, hook := range []SyscallHook{HookRaw, HookTracepoints} {
		setups = append(setups, peers.Setup{Name: string(hook), Apply: func(tb testing.TB) func() {
			tr, err := New(Config{Hook: hook, MaxPayload: 1024, BufferSize: 8 << 20, Protocols: ProtocolsOf(ProtoHTTP1)}, zap.NewNop())
			if err != nil {
				tb.Fatal(err)
			}
			go tr.Run(discard{})
			if err := tr.Capture(uint32(srv.PID), true); err != nil {
				tb.Fatal(err)
			}
			return func() { tr.Close() }
		}})
	}
	peers.Compare(b, 3, srv.PID, "http://127.0.0.1:"+strconv.Itoa(port)+"/", 4*time.Second, setups)
}

type discard struct{}

func (discard) Conn(*ConnEvent, []byte, []byte) {}
func (discard) Process(*ProcessEvent)           {}
func (discard) Idle()                           {}
