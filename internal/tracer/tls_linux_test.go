package tracer

import (
	"bytes"
	"os/exec"
	"strconv"
	"syscall"
	"testing"

	"go.uber.org/zap"

	"github.com/ebpfreceiver/ebpfreceiver/internal/discovery"
	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// TestTracerSeesTLSPlaintext serves HTTPS from python (libssl) and from Go
// (crypto/tls) to curl (libssl) and expects each message once, as
// plaintext flagged TLS, on both sides, and no ciphertext.
func TestTracerSeesTLSPlaintext(t *testing.T) {
	privtest.Require(t)
	cert, key := peers.SelfSignedCert(t)
	python := func() *peers.Server { return peers.PythonHTTPSServer(t, cert, key) }
	goServer := func() *peers.Server { return peers.GoHTTPSServer(t, cert, key) }
	t.Run("python", func(t *testing.T) { testSeesTLS(t, python(), false) })
	t.Run("go", func(t *testing.T) { testSeesTLS(t, goServer(), false) })
	// The probes for a Read that does not spill its arguments (arm64).
	t.Run("go-entry", func(t *testing.T) { testSeesTLS(t, goServer(), true) })
}

func testSeesTLS(t *testing.T, srv *peers.Server, readEntry bool) {
	tr, err := New(Config{MaxPayload: 256, BufferSize: 1 << 20, Protocols: ProtocolsOf(ProtoHTTP1), TLS: true}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	for _, p := range tr.Probes() {
		if p.Err != nil {
			t.Fatalf("probe %s: %v", p.Name, p.Err)
		}
	}
	finder := discovery.NewTLSFinder("/proc")
	targets, err := finder.Find(uint32(srv.PID))
	if err != nil {
		t.Fatal(err)
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		privtest.RequireTool(t, "curl")
	}
	for _, target := range targets {
		if target.Go != nil && readEntry {
			target.Go.ReadSpilled = false
		}
	}
	targets = append(targets, libsslOf(t, curl)...)
	if n, err := tr.AttachTLS(targets); err != nil || n == 0 {
		t.Fatalf("AttachTLS(%+v) = %d, %v", targets, n, err)
	}
	rec := &recorder{}
	go tr.Run(rec)
	if err := tr.Capture(uint32(srv.PID), true); err != nil {
		t.Fatal(err)
	}
	// curl is selected by the exec hook: nothing else is captured.
	url := "https://127.0.0.1:" + strconv.Itoa(srv.Port) + "/status/201"
	peers.Curl(t, "-k", "--http1.1", url)
	peers.Curl(t, "-k", "--http1.1", url)

	waitFor(t, func() bool { return countPrefixRole(rec.snapshot(), "HTTP/1.1 201", DirIngress, RoleClient) >= 2 })
	got := rec.snapshot()
	for _, want := range []struct {
		prefix string
		dir    uint8
		role   uint8
	}{
		{"GET /status/201", DirIngress, RoleServer},
		{"HTTP/1.1 201", DirEgress, RoleServer},
		{"GET /status/201", DirEgress, RoleClient},
		{"HTTP/1.1 201", DirIngress, RoleClient},
	} {
		if n := countPrefixRole(got, want.prefix, want.dir, want.role); n != 2 {
			t.Errorf("%q dir %d role %d: %d events, want 2", want.prefix, want.dir, want.role, n)
		}
	}
	for _, r := range got {
		if r.ev.Kind == EventData && r.ev.Flags&FlagTLS == 0 {
			t.Errorf("event without the TLS flag: %+v %q", r.ev, r.payload)
		}
	}
	if c, err := tr.Counters(); err != nil || c.Ciphertext == 0 {
		t.Errorf("Counters() = %+v, %v; want some ciphertext dropped", c, err)
	}
}

// libsslOf returns the libssl an executable links, as ldd resolves it.
func libsslOf(t *testing.T, exe string) []discovery.TLSTarget {
	t.Helper()
	out, err := exec.Command("ldd", exe).Output()
	if err != nil {
		t.Fatalf("ldd %s: %v", exe, err)
	}
	for _, line := range bytes.Split(out, []byte("\n")) {
		_, path, ok := bytes.Cut(line, []byte("=> "))
		if !ok || !bytes.Contains(line, []byte("libssl.so")) {
			continue
		}
		path, _, _ = bytes.Cut(path, []byte(" "))
		var st syscall.Stat_t
		if err := syscall.Stat(string(path), &st); err != nil {
			t.Fatal(err)
		}
		return []discovery.TLSTarget{{Path: string(path), File: discovery.FileID{Dev: st.Dev, Ino: st.Ino}}}
	}
	t.Fatalf("%s links no libssl", exe)
	return nil
}
