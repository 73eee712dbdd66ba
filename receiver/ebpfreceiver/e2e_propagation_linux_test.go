package ebpfreceiver

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
)

// nodes are two network namespaces standing for two nodes, each with its
// own collector: clients (curl, a Go client with keep-alive) on node A,
// servers (python, Go, nginx, and node uninstrumented) on node B.
type nodes struct {
	net                *peers.NetPair
	a, b               *captured
	curlPath, goClient string
	python, goServer   *peers.Server
	nginx, node        *peers.Server
}

// startNodes starts the servers in B and the two collectors, each
// selecting only its node's programs, with propagation as given.
func startNodes(t *testing.T, propagation string) *nodes {
	n := &nodes{net: peers.NewNetPair(t)}
	root := t.TempDir()
	for _, f := range []string{"hello.txt", "index.html"} {
		if err := os.WriteFile(filepath.Join(root, f), []byte("hello\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b := n.net.AddrB
	n.python = peers.PythonIn(t, n.net.B, b, 8001, root)
	n.goServer = peers.GoServerIn(t, n.net.B, b, 8002)
	n.nginx = peers.NginxIn(t, n.net.B, b, 8003, root)
	n.node = peers.NodeIn(t, n.net.B, b, 8004)
	n.curlPath, _ = filepath.EvalSymlinks("/usr/bin/curl")
	n.goClient = peers.GoProgram(t, "httpclient")
	set := func(cfg *Config) { cfg.Traces.Propagation = propagation }
	n.a = startCapture(t, set, "*/curl", n.goClient)
	n.b = startCapture(t, set, "*/python3*", peers.GoProgram(t, "httpserver"), "*/nginx")
	return n
}

// curl runs curl in A for url and checks the answer's status.
func (n *nodes) curl(t *testing.T, url string, status int) {
	t.Helper()
	ip, args := peers.In(n.net.A, n.curlPath, "-sS", "-o", "/dev/null", "-w", "%{http_code}", url)
	if got := peers.Run(t, ip, args...); got != strconv.Itoa(status) {
		t.Fatalf("curl %s: status %s, want %d", url, got, status)
	}
}

// traffic sends the requests of one run: per instrumented server, perServer
// curl processes and a keep-alive Go client's perServer requests on two
// connections; and perServer requests to the uninstrumented node server.
// It returns the paths asked of each instrumented server.
func (n *nodes) traffic(t *testing.T, perServer int) map[*peers.Server][]string {
	paths := map[*peers.Server][]string{}
	for _, srv := range []*peers.Server{n.python, n.goServer, n.nginx} {
		base := "http://" + n.net.AddrB + ":" + strconv.Itoa(srv.Port)
		status := 404 // the file servers have no such file: still answered
		if srv == n.goServer {
			status = 200
		}
		for i := range perServer {
			p := "/curl/" + strconv.Itoa(i)
			n.curl(t, base+p, status)
			paths[srv] = append(paths[srv], p)
		}
		ip, args := peers.In(n.net.A, n.goClient, "-n", strconv.Itoa(perServer), "-c", "2", base+"/go")
		out := strings.TrimSpace(peers.Run(t, ip, args...))
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) != 3 || f[1] != strconv.Itoa(status) {
				t.Fatalf("Go client line %q, want status %d", line, status)
			}
			paths[srv] = append(paths[srv], f[0])
		}
	}
	for i := range perServer {
		n.curl(t, "http://"+n.net.AddrB+":"+strconv.Itoa(n.node.Port)+"/plain/"+strconv.Itoa(i), 200)
	}
	return paths
}

// TestTracesAcrossNodes: with propagation on, every request of A's
// clients to B's servers is one trace across the two collectors' output,
// the server span the child of the client span; the uninstrumented server
// answers every request.
func TestTracesAcrossNodes(t *testing.T) {
	const perServer = 20
	n := startNodes(t, PropagationTCPOption)
	paths := n.traffic(t, perServer)

	want := 3 * 2 * perServer
	clients := n.a.waitSpans(t, want, func(s span) bool {
		return s.kind == ptrace.SpanKindClient && s.int("server.port") != int64(n.node.Port)
	})
	n.a.waitSpans(t, perServer, func(s span) bool {
		return s.kind == ptrace.SpanKindClient && s.int("server.port") == int64(n.node.Port)
	})
	byID := map[string]span{}
	for _, c := range clients {
		byID[c.id.String()] = c
	}
	for srv, asked := range paths {
		servers := n.b.waitSpans(t, len(asked), func(s span) bool { return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID) })
		for _, s := range servers {
			c, ok := byID[s.parent.String()]
			switch {
			case !ok:
				t.Errorf("server span %s %s (pid %d): parent %s is no client span of node A", s.name, s.path(), s.pid, s.parent)
			case c.trace != s.trace:
				t.Errorf("server span %s: trace %s, its client's %s", s.path(), s.trace, c.trace)
			case c.path() != s.path() || c.int("server.port") != int64(srv.Port):
				t.Errorf("server span %s on port %d has the client span of %s on port %d as parent", s.path(), srv.Port, c.path(), c.int("server.port"))
			}
		}
	}
	for _, c := range clients {
		if !c.parent.IsEmpty() {
			t.Errorf("client span %s: parent %s, want a root", c.path(), c.parent)
		}
	}
}

// TestTracesAcrossNodesOff: without propagation, no server span of B has a
// parent, and the same requests are answered and recorded.
func TestTracesAcrossNodesOff(t *testing.T) {
	const perServer = 10
	n := startNodes(t, PropagationNone)
	paths := n.traffic(t, perServer)
	n.a.waitSpans(t, 3*2*perServer, func(s span) bool {
		return s.kind == ptrace.SpanKindClient && s.int("server.port") != int64(n.node.Port)
	})
	for srv, asked := range paths {
		for _, s := range n.b.waitSpans(t, len(asked), func(s span) bool { return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID) }) {
			if !s.parent.IsEmpty() {
				t.Errorf("server span %s: parent %s without propagation", s.path(), s.parent)
			}
		}
	}
}

// TestTraceOptionOnTheWire reads the option off the veth in B with a raw
// packet socket: kind 25, length 26, then the trace id and the span id of
// the client span node A's collector sent, once per request.
func TestTraceOptionOnTheWire(t *testing.T) {
	n := startNodes(t, PropagationTCPOption)
	sniff := n.net.SniffOptions(t, n.goServer.Port)
	const requests = 5
	base := "http://" + n.net.AddrB + ":" + strconv.Itoa(n.goServer.Port)
	for i := range requests {
		n.curl(t, base+"/wire/"+strconv.Itoa(i), 200)
	}
	ip, args := peers.In(n.net.A, n.goClient, "-n", strconv.Itoa(requests), "-c", "1", base+"/wirego")
	peers.Run(t, ip, args...)
	clients := n.a.waitSpans(t, 2*requests, func(s span) bool {
		return s.kind == ptrace.SpanKindClient && s.int("server.port") == int64(n.goServer.Port)
	})
	n.b.waitSpans(t, 2*requests, func(s span) bool { return s.kind == ptrace.SpanKindServer && s.pid == int64(n.goServer.PID) })

	seen := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(sniff.Output()), "\n")[1:] {
		seen[line]++
	}
	for _, c := range clients {
		want := "191a" + hex.EncodeToString(c.trace[:]) + hex.EncodeToString(c.id[:])
		if seen[want] != 1 {
			t.Errorf("client span %s: option %s seen %d times on the wire, want once; seen: %v", c.path(), want, seen[want], seen)
		}
		delete(seen, want)
	}
	if len(seen) > 0 {
		t.Errorf("options of no client span on the wire: %v", seen)
	}
}

// TestTraceAcrossNodesThroughAService: curl calls a python service on node
// A, which calls a Go server on node B twice per request, on the thread
// that reads it. With propagation on, each request is one trace over both
// collectors: curl's span, the python server span its child, two python
// client spans children of it, and B's two server spans children of those.
func TestTraceAcrossNodesThroughAService(t *testing.T) {
	net := peers.NewNetPair(t)
	goServer := peers.GoServerIn(t, net.B, net.AddrB, 8002)
	downstream := "http://" + net.AddrB + ":" + strconv.Itoa(goServer.Port)
	fan := peers.PythonFanoutIn(t, net.A, net.AddrA, 8005, downstream)
	set := func(cfg *Config) { cfg.Traces.Propagation = PropagationTCPOption }
	a := startCapture(t, set, "*/curl", "*/python3*")
	b := startCapture(t, set, peers.GoProgram(t, "httpserver"))
	curl, _ := filepath.EvalSymlinks("/usr/bin/curl")
	const requests = 10
	for i := range requests {
		ip, args := peers.In(net.A, curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "http://"+net.AddrA+":8005/fan/"+strconv.Itoa(i))
		if got := peers.Run(t, ip, args...); got != "200" {
			t.Fatalf("request %d: status %s:\n%s", i, got, fan.Output())
		}
	}
	roots := a.waitSpans(t, requests, func(s span) bool { return s.kind == ptrace.SpanKindClient && s.service == "curl" })
	inA := a.waitSpans(t, 3*requests, func(s span) bool { return s.pid == int64(fan.PID) })
	inB := b.waitSpans(t, 2*requests, func(s span) bool { return s.kind == ptrace.SpanKindServer && s.pid == int64(goServer.PID) })
	byID := map[string]span{}
	for _, s := range append(roots, inA...) {
		byID[s.id.String()] = s
	}
	parentOf := func(s span) (span, bool) {
		p, ok := byID[s.parent.String()]
		return p, ok && p.trace == s.trace
	}
	for _, s := range append(inA, inB...) {
		p, ok := parentOf(s)
		switch {
		case !ok:
			t.Errorf("%s span %s (pid %d): parent %s not in its trace %s", s.kind, s.path(), s.pid, s.parent, s.trace)
		case s.kind == ptrace.SpanKindServer && s.pid == int64(fan.PID) && p.service != "curl":
			t.Errorf("python server span %s: parent is %s %s, want curl's", s.path(), p.service, p.kind)
		case s.kind == ptrace.SpanKindClient && (p.kind != ptrace.SpanKindServer || p.pid != int64(fan.PID) || !strings.HasPrefix(s.path(), p.path()+"/")):
			t.Errorf("python client span %s: parent %s %s, want the python server span of its request", s.path(), p.kind, p.path())
		case s.pid == int64(goServer.PID) && (p.kind != ptrace.SpanKindClient || p.path() != s.path()):
			t.Errorf("Go server span %s on node B: parent %s %s, want the python client span of %s", s.path(), p.kind, p.path(), s.path())
		}
	}
}
