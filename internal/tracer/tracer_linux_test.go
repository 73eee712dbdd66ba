package tracer

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

type recorder struct {
	mu    sync.Mutex
	data  []recorded
	procs []ProcessEvent
}

type recorded struct {
	ev      ConnEvent
	payload []byte
}

func (r *recorder) Conn(ev *ConnEvent, payload, _ []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.data = append(r.data, recorded{*ev, bytes.Clone(payload)})
}

func (r *recorder) Process(ev *ProcessEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.procs = append(r.procs, *ev)
}

func (r *recorder) Idle() {}

func (r *recorder) snapshot() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.data...)
}

func TestTracerSeesHTTPOfSelectedProcess(t *testing.T) {
	for _, hook := range []SyscallHook{HookTracepoints, HookRaw} {
		t.Run(string(hook), func(t *testing.T) { testSeesHTTP(t, hook, TransportRingbuf) })
	}
	// The perf transport, as on a kernel without ring buffer.
	t.Run("perf", func(t *testing.T) { testSeesHTTP(t, HookTracepoints, TransportPerf) })
}

func testSeesHTTP(t *testing.T, hook SyscallHook, transport Transport) {
	privtest.Require(t)
	tr, err := New(Config{
		Hook: hook, MaxPayload: 256, BufferSize: 1 << 20, Transport: transport, Protocols: ProtocolsOf(ProtoHTTP1),
	}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if tr.transport != transport {
		t.Fatalf("transport %q, want %q", tr.transport, transport)
	}
	for _, p := range tr.Probes() {
		if p.Err != nil {
			t.Errorf("probe %s: %v", p.Name, p.Err)
		}
	}
	wantProbes := len(syscallHooks) + len(lifecycleHooks)
	if !tr.kernel.taskRegs { // the entry tracepoints keep the arguments
		wantProbes += len(entryHooks)
	}
	if hook == HookRaw {
		wantProbes = 1 + len(lifecycleHooks)
	}
	if n := len(tr.Probes()); n != wantProbes {
		t.Errorf("%d probes, want %d", n, wantProbes)
	}
	rec := &recorder{}
	done := make(chan error)
	go func() { done <- tr.Run(rec) }()

	if err := tr.Capture(uint32(os.Getpid()), true); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "hello")
	}))
	resp, err := http.Get(srv.URL + "/probe?x=1")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	srv.Close()

	waitFor(t, func() bool { return countPrefix(rec.snapshot(), "GET /probe", DirIngress) > 0 })
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := rec.snapshot()
	for _, want := range []struct {
		prefix string
		dir    uint8
		role   uint8
	}{
		{"GET /probe", DirIngress, RoleServer},
		{"GET /probe", DirEgress, RoleClient},
		{"HTTP/1.1 200", DirEgress, RoleServer},
		{"HTTP/1.1 200", DirIngress, RoleClient},
	} {
		if n := countPrefixRole(got, want.prefix, want.dir, want.role); n != 1 {
			t.Errorf("%q dir %d role %d: %d events, want 1", want.prefix, want.dir, want.role, n)
		}
	}
	// Addresses travel in a connection's first event only.
	firstOf := map[uint64]bool{}
	for _, r := range got {
		if r.ev.Kind != EventData {
			continue
		}
		first := !firstOf[r.ev.ConnId]
		firstOf[r.ev.ConnId] = true
		if r.ev.Pid != uint32(os.Getpid()) || r.ev.ConnId == 0 || int(r.ev.Captured) > 256 {
			t.Errorf("event of another process, or over the capture size: %+v", r.ev)
		}
		if hasTuple := r.ev.Family != 0 && r.ev.LocalPort != 0 && r.ev.RemotePort != 0; hasTuple != first {
			t.Errorf("event %+v: addresses %v, first of its connection %v", r.ev, hasTuple, first)
		}
	}
}

func countPrefix(rs []recorded, prefix string, dir uint8) int {
	n := 0
	for _, r := range rs {
		if r.ev.Kind == EventData && r.ev.Dir == dir && bytes.HasPrefix(r.payload, []byte(prefix)) {
			n++
		}
	}
	return n
}

func countPrefixRole(rs []recorded, prefix string, dir, role uint8) int {
	n := 0
	for _, r := range rs {
		if r.ev.Kind == EventData && r.ev.Dir == dir && r.ev.Role == role && bytes.HasPrefix(r.payload, []byte(prefix)) {
			n++
		}
	}
	return n
}

func TestOneProbeFailingLeavesTheRestRunning(t *testing.T) {
	privtest.Require(t)
	saved := lifecycleHooks
	lifecycleHooks = append(lifecycleHooks[:0:0], lifecycleHooks...)
	lifecycleHooks[len(lifecycleHooks)-1].event = "no_such_tracepoint"
	defer func() { lifecycleHooks = saved }()

	tr, err := New(Config{MaxPayload: 256, BufferSize: 1 << 16, Protocols: ProtocolsOf(ProtoHTTP1)}, zap.NewNop())
	if err != nil {
		t.Fatalf("one failing probe stopped the tracer: %v", err)
	}
	defer tr.Close()
	failed := 0
	for _, p := range tr.Probes() {
		if p.Err != nil {
			failed++
			if p.Name != lifecycleHooks[len(lifecycleHooks)-1].Name || !strings.Contains(p.Err.Error(), "no_such_tracepoint") {
				t.Errorf("probe %s failed: %v", p.Name, p.Err)
			}
		}
	}
	if failed != 1 {
		t.Fatalf("%d probes failed, want 1", failed)
	}
	rec := &recorder{}
	go tr.Run(rec)
	if err := tr.Capture(uint32(os.Getpid()), true); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/still-working")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitFor(t, func() bool { return countPrefix(rec.snapshot(), "GET /still-working", DirIngress) == 1 })
}

func TestAutoTransportPrefersTheRingBuffer(t *testing.T) {
	privtest.Require(t)
	got, err := resolveTransport(TransportAuto)
	if err != nil || got != TransportRingbuf {
		t.Fatalf("auto resolved to %q, %v; this kernel has a ring buffer", got, err)
	}
	if _, err := resolveTransport("xdp"); err == nil {
		t.Fatal("an unknown transport was accepted")
	}
}
