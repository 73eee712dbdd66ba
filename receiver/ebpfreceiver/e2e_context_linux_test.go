//go:build linux

package ebpfreceiver

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
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
			m[s.url().Path] = s
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

// TestEventLoopCallsAreNeverParentedByThread: node serves concurrent
// requests on one thread and calls downstream for each, while a timer on
// the same thread calls downstream outside any request. A thread key would
// give the timer's calls (and other requests' calls) a wrong parent: node
// gets no in-process parent at all, while python's server spans are still
// the children of node's client calls (TCP sequence).
func TestEventLoopCallsAreNeverParentedByThread(t *testing.T) {
	c := startCapture(t, nil, "*python3*", "*/node")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	const n = 12
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, "x", strconv.Itoa(i)), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "timer"), []byte("t"), 0o644); err != nil {
		t.Fatal(err)
	}
	py := peers.PythonHTTPServer(t, dir)
	node := peers.NodeProxyServer(t, "http://127.0.0.1:"+strconv.Itoa(py.Port))
	done := make(chan struct{}, n)
	for i := range n { // concurrent: node holds several requests at once
		go func() {
			peers.Curl(t, "-o", "/dev/null", "http://127.0.0.1:"+strconv.Itoa(node.Port)+"/proxy/"+strconv.Itoa(i))
			done <- struct{}{}
		}()
	}
	for range n {
		<-done
	}
	isProxy := func(s span) bool { return s.pid == int64(node.PID) && s.str("url.path") != "/timer" }
	nodeServers := c.waitSpans(t, n, func(s span) bool { return isProxy(s) && s.kind == ptrace.SpanKindServer })
	// The timer goes on: only calls that ended a while ago have all their
	// spans in.
	time.Sleep(1500 * time.Millisecond)
	cutoff := time.Now().Add(-time.Second)
	spans := c.spans()
	nodeClients := filterSpans(spans, func(s span) bool { return s.pid == int64(node.PID) && s.kind == ptrace.SpanKindClient })
	servers := map[pcommon.SpanID]bool{}
	for _, s := range nodeServers {
		servers[s.id] = true
	}
	byID := map[pcommon.SpanID]span{}
	for _, s := range nodeClients {
		byID[s.id] = s
		if !s.parent.IsEmpty() {
			t.Errorf("node client span %s %s has parent %s (a node server span: %v); node has no sound in-process parent", s.name, s.str("url.full"), s.parent, servers[s.parent])
		}
	}
	var xs, timers int
	for _, s := range filterSpans(spans, func(s span) bool { return s.pid == int64(py.PID) && s.end.Before(cutoff) }) {
		parent, ok := byID[s.parent]
		switch {
		case !ok:
			t.Errorf("python server span %s: parent %s is no node client span", s.str("url.path"), s.parent)
		case parent.url().Path != s.str("url.path") || parent.trace != s.trace:
			t.Errorf("python server span %s: parent is node's call of %s", s.str("url.path"), parent.str("url.full"))
		case s.str("url.path") == "/timer":
			timers++
		default:
			xs++
		}
	}
	if xs != n || timers == 0 {
		t.Errorf("python served %d /x calls (want %d) and %d timer calls (want some)", xs, n, timers)
	}
	t.Logf("%d node client spans, all roots; %d python server spans parented by them", len(nodeClients), xs+timers)
}
