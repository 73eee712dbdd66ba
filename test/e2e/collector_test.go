// Package e2e runs the ocb-built otelcol-custom (make build) as a user
// would: validate a configuration, and start it with testdata/collector.yaml
// while real programs talk HTTP.
package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

var (
	root   = filepath.Join("..", "..")
	binary = filepath.Join(root, "bin", "otelcol-custom")
)

func TestValidateNamesTheBadKey(t *testing.T) {
	privtest.RequireTool(t, binary)
	config := filepath.Join(t.TempDir(), "bad.yaml")
	bad := `receivers:
  ebpf:
    capture:
      max_payload_byte: 512
exporters:
  debug:
service:
  pipelines:
    traces:
      receivers: [ebpf]
      exporters: [debug]
`
	if err := os.WriteFile(config, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binary, "validate", "--config", config).CombinedOutput()
	if err == nil {
		t.Fatalf("validate accepted an unknown key:\n%s", out)
	}
	if !strings.Contains(string(out), "max_payload_byte") {
		t.Fatalf("validate error does not name the bad key:\n%s", out)
	}
	good, err := exec.Command(binary, "validate", "--config", filepath.Join(root, "testdata", "collector.yaml")).CombinedOutput()
	if err != nil {
		t.Fatalf("validate rejected testdata/collector.yaml: %v\n%s", err, good)
	}
}

// syncBuffer collects a process's output while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestCollectorShowsSpansAndMetricsOfRealTraffic(t *testing.T) {
	privtest.Require(t)
	privtest.RequireTool(t, binary)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out syncBuffer
	col := exec.CommandContext(ctx, binary, "--config", filepath.Join(root, "testdata", "collector.yaml"))
	col.Stdout, col.Stderr = &out, &out
	if err := col.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		col.Process.Signal(os.Interrupt)
		col.Wait()
		if t.Failed() {
			t.Logf("collector output:\n%s", out.String())
		}
	}()
	waitOutput(t, &out, "Everything is ready", 30*time.Second)

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>hi</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := peers.PythonHTTPServer(t, dir)
	for range 3 {
		peers.Curl(t, "-o", "/dev/null", "http://127.0.0.1:"+strconv.Itoa(srv.Port)+"/index.html")
	}
	waitOutput(t, &out, "/index.html", 20*time.Second)
	waitOutput(t, &out, "http.server.request.duration", 30*time.Second)
	waitOutput(t, &out, "http.client.request.duration", 30*time.Second)
}

func waitOutput(t *testing.T, out *syncBuffer, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("collector did not print %q within %v", want, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
