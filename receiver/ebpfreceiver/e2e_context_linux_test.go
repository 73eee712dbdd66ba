//go:build linux

package ebpfreceiver

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
)

// TestCurlToPythonIsOneTrace: python's server span is the child of curl's
// client span, found by the TCP sequence number of the request; a request
// carrying a traceparent joins that trace instead, curl's span keeping the
// ids it sent.
func TestCurlToPythonIsOneTrace(t *testing.T) {
	c := startCapture(t, nil, "*python3*", "*/curl")
	dir := t.TempDir()
	for _, name := range []string{"a", "b"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := peers.PythonHTTPServer(t, dir)
	base := "http://127.0.0.1:" + strconv.Itoa(srv.Port)
	const tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	peers.Curl(t, "-o", "/dev/null", base+"/a")
	peers.Curl(t, "-o", "/dev/null", "-H", "traceparent: "+tp, base+"/b")

	servers := c.waitSpans(t, 2, func(s span) bool { return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID) })
	clients := c.waitSpans(t, 2, func(s span) bool {
		return s.kind == ptrace.SpanKindClient && s.service == "curl" && s.int("server.port") == int64(srv.Port)
	})
	byPath := func(spans []span) map[string]span {
		m := map[string]span{}
		for _, s := range spans {
			m[s.str("url.path")] = s
		}
		return m
	}
	sv, cl := byPath(servers), byPath(clients)
	if s, c := sv["/a"], cl["/a"]; s.parent != c.id || s.trace != c.trace || !c.parent.IsEmpty() {
		t.Errorf("/a: server parent %s in trace %s; want curl's span %s in trace %s, curl a root (parent %s)", s.parent, s.trace, c.id, c.trace, c.parent)
	}
	s, cb := sv["/b"], cl["/b"]
	if s.trace.String() != "0af7651916cd43dd8448eb211c80319c" || s.parent.String() != "b7ad6b7169203331" || cb.id != s.parent {
		t.Errorf("/b: server in trace %s with parent %s, curl span %s; want the traceparent's trace and span", s.trace, s.parent, cb.id)
	}
}
