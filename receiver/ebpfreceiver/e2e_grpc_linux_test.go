//go:build linux

package ebpfreceiver

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// These tests observe the gRPC examples of google.golang.org/grpc (built
// from test/grpcpeers) and curl over HTTP/2 cleartext.

const (
	greeterServer   = "google.golang.org/grpc/examples/helloworld/greeter_server"
	greeterClient   = "google.golang.org/grpc/examples/helloworld/greeter_client"
	routeGuideSrv   = "google.golang.org/grpc/examples/route_guide/server"
	routeGuideCl    = "google.golang.org/grpc/examples/route_guide/client"
	sayHello        = "helloworld.Greeter/SayHello"
	statusAttribute = "rpc.response.status_code"
)

// startGreeter starts the example greeter server on a free port.
func startGreeter(t *testing.T) *peers.Server {
	t.Helper()
	port := peers.FreePort(t)
	return peers.Start(t, port, peers.GRPCProgram(t, greeterServer), "-port", strconv.Itoa(port))
}

// attrStr is a span's string attribute, empty when absent.
func attrStr(s span, key string) string {
	if v, ok := s.attrs.Get(key); ok {
		return v.AsString()
	}
	return ""
}

// attrInt is a span's integer attribute, 0 when absent.
func attrInt(s span, key string) int64 {
	if v, ok := s.attrs.Get(key); ok {
		return v.Int()
	}
	return 0
}

func rpcSpans(pid int, kind ptrace.SpanKind) func(span) bool {
	return func(s span) bool {
		return s.kind == kind && attrStr(s, "rpc.system.name") == "grpc" && (pid == 0 || s.pid == int64(pid))
	}
}

func TestGRPCGreeterUnaryCalls(t *testing.T) {
	client := peers.GRPCProgram(t, greeterClient)
	c := startCapture(t, nil, peers.GRPCProgramGlob())
	srv := startGreeter(t)
	addr := "127.0.0.1:" + strconv.Itoa(srv.Port)
	const calls = 200
	for i := range calls {
		if out, err := peers.RunStatus(t, client, "-addr", addr, "-name", "n"+strconv.Itoa(i)); err != nil {
			t.Fatalf("greeter_client: %v\n%s", err, out)
		}
	}
	server := c.waitSpans(t, calls, rpcSpans(srv.PID, ptrace.SpanKindServer))
	clients := c.waitSpans(t, calls, rpcSpans(0, ptrace.SpanKindClient))
	for _, s := range append(server, clients...) {
		if s.name != sayHello || attrStr(s, "rpc.method") != sayHello || attrStr(s, statusAttribute) != "OK" || s.status == ptrace.StatusCodeError {
			t.Fatalf("%s span %q: method %q status %q", s.kind, s.name, attrStr(s, "rpc.method"), attrStr(s, statusAttribute))
		}
		if attrInt(s, "server.port") != int64(srv.Port) || s.end.Sub(s.start) <= 0 || s.end.Sub(s.start) > 5*time.Second {
			t.Fatalf("%s span: server.port %d, duration %v", s.kind, attrInt(s, "server.port"), s.end.Sub(s.start))
		}
	}
	c.waitHistogramCount(t, "rpc.server.call.duration", srv.PID, calls)
}

// TestGRPCUnimplementedMethod points the route guide client at the greeter
// server, which does not implement routeguide.RouteGuide: the first call
// fails with UNIMPLEMENTED and the client exits.
func TestGRPCUnimplementedMethod(t *testing.T) {
	client := peers.GRPCProgram(t, routeGuideCl)
	c := startCapture(t, nil, peers.GRPCProgramGlob())
	srv := startGreeter(t)
	out, err := peers.RunStatus(t, client, "-addr", "127.0.0.1:"+strconv.Itoa(srv.Port))
	if err == nil || !strings.Contains(out, "Unimplemented") {
		t.Fatalf("route guide client against the greeter: err %v, output:\n%s", err, out)
	}
	server := c.waitSpans(t, 1, rpcSpans(srv.PID, ptrace.SpanKindServer))
	client1 := c.waitSpans(t, 1, rpcSpans(0, ptrace.SpanKindClient))
	for _, s := range []span{server[0], client1[0]} {
		if attrStr(s, statusAttribute) != "UNIMPLEMENTED" || attrStr(s, "error.type") != "UNIMPLEMENTED" || s.status != ptrace.StatusCodeError ||
			attrStr(s, "rpc.method") != "_OTHER" || attrStr(s, "rpc.method_original") != "routeguide.RouteGuide/GetFeature" {
			t.Errorf("%s span %q: method %q (%q) status %q error.type %q", s.kind, s.name, attrStr(s, "rpc.method"),
				attrStr(s, "rpc.method_original"), attrStr(s, statusAttribute), attrStr(s, "error.type"))
		}
	}
}

// TestGRPCStreamingCalls runs the route guide example: two unary calls, a
// server-streaming, a client-streaming and a bidirectional call, each
// exactly one span on each side with its status from the trailers, with the
// default capture size. The server-streaming call writes its messages and
// trailers in one burst far larger than the capture, and the client reads
// it in one large read: the kernel's frame walk finds the trailers there.
func TestGRPCStreamingCalls(t *testing.T) {
	client := peers.GRPCProgram(t, routeGuideCl)
	r := newRig(t, rigOptions{}, peers.GRPCProgramGlob())
	r.start(t)
	c := &captured{traces: r.sink}
	port := peers.FreePort(t)
	srv := peers.Start(t, port, peers.GRPCProgram(t, routeGuideSrv), "-port", strconv.Itoa(port))
	out, err := peers.RunStatus(t, client, "-addr", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("route guide client: %v\n%s", err, out)
	}
	want := map[string]int{
		"routeguide.RouteGuide/GetFeature": 2, "routeguide.RouteGuide/ListFeatures": 1,
		"routeguide.RouteGuide/RecordRoute": 1, "routeguide.RouteGuide/RouteChat": 1,
	}
	server := func(s span) bool { return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID) }
	clientSide := func(s span) bool {
		return s.kind == ptrace.SpanKindClient && strings.Contains(s.service, "route_guide_client")
	}
	for _, keep := range []func(span) bool{server, clientSide} {
		c.waitSpansAtLeast(t, 5, keep)
		time.Sleep(500 * time.Millisecond)
		got := map[string]int{}
		for _, s := range filterSpans(c.spans(), keep) {
			got[attrStr(s, "rpc.method")]++
			if attrStr(s, "rpc.system.name") != "grpc" || attrStr(s, statusAttribute) != "OK" || s.status == ptrace.StatusCodeError {
				t.Errorf("%s span %q: system %q status %q", s.kind, s.name, attrStr(s, "rpc.system.name"), attrStr(s, statusAttribute))
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("spans by method %v, want %v", got, want)
		}
	}
	if n := r.counter(t, "calls_dropped"); n != 0 {
		t.Errorf("%d calls dropped, want 0", n)
	}
}

// TestGRPCCaptureJoinsLongLivedConnection starts the capture while a client
// calls the greeter in a loop over one connection: the HPACK tables of that
// connection hold entries the capture never saw. No span may carry a wrong
// method; calls become identifiable as the client's table turns over.
func TestGRPCCaptureJoinsLongLivedConnection(t *testing.T) {
	loop := peers.GRPCProgram(t, "./cmd/loopclient")
	srv := startGreeter(t)
	cl := peers.Background(t, loop, "-addr", "127.0.0.1:"+strconv.Itoa(srv.Port), "-interval", "2ms")
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(cl.Output(), "\n") < 100 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	before := strings.Count(cl.Output(), "\n")
	if before < 100 {
		t.Fatalf("loop client made %d calls before the capture:\n%s", before, cl.Output())
	}
	r := newRig(t, rigOptions{}, peers.GRPCProgramGlob())
	r.start(t)
	c := &captured{traces: r.sink}
	// The header table entries the connection built before the capture are
	// unknown: a call is either decoded right or counted as unidentified,
	// until new entries replace the old ones.
	unidentified := func() int64 {
		return r.counter(t, "http2_unknown", attribute.String("item", "stream"))
	}
	spans := func() []span { return filterSpans(c.spans(), rpcSpans(0, ptrace.SpanKindServer)) }
	waitUntil(t, 20*time.Second, func() bool { return int64(len(spans()))+unidentified() >= 50 })
	for _, s := range filterSpans(c.spans(), func(span) bool { return true }) {
		if attrStr(s, "rpc.method") != sayHello || (attrStr(s, statusAttribute) != "" && attrStr(s, statusAttribute) != "OK") {
			t.Fatalf("%s span: method %q status %q", s.kind, attrStr(s, "rpc.method"), attrStr(s, statusAttribute))
		}
	}
	if r.counter(t, "http2_unknown", attribute.String("item", "header_field")) == 0 {
		t.Error("no unknown header field counted after joining the connection mid-stream")
	}
	t.Logf("calls before the capture %d; then %d server spans, %d streams unidentified, %d header fields unknown",
		before, len(spans()), unidentified(), r.counter(t, "http2_unknown", attribute.String("item", "header_field")))
}

// waitSpansAtLeast waits until keep matches at least want spans and
// returns them.
func (c *captured) waitSpansAtLeast(t *testing.T, want int, keep func(span) bool) []span {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(filterSpans(c.spans(), keep)) < want && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := filterSpans(c.spans(), keep)
	if len(got) < want {
		groups := map[string]int{}
		for _, s := range c.spans() {
			groups[fmt.Sprintf("%s/%d %s %s %s", s.service, s.pid, s.kind, s.name, attrStr(s, statusAttribute))]++
		}
		t.Fatalf("got %d matching spans, want at least %d; all spans by service/pid kind name status: %v", len(got), want, groups)
	}
	return got
}

// h2cPaths are the requests made of the h2c server, with their statuses.
var h2cPaths = map[string]int64{"/status/200": 200, "/status/404": 404, "/status/503": 503, "/hello": 200}

// startH2CServer starts a Go net/http server that speaks HTTP/2 over
// cleartext and returns it with its base URL.
func startH2CServer(t *testing.T) (*peers.Server, string) {
	t.Helper()
	port := peers.FreePort(t)
	srv := peers.Start(t, port, peers.GoProgram(t, "h2cserver"), "127.0.0.1:"+strconv.Itoa(port))
	return srv, "http://127.0.0.1:" + strconv.Itoa(port)
}

// checkH2CSpans checks spans of h2cPaths: HTTP/2, the right status; it
// returns the client ports the server saw.
func checkH2CSpans(t *testing.T, spans []span) map[int64]bool {
	t.Helper()
	conns := map[int64]bool{}
	seen := map[string]int{}
	for _, s := range spans {
		path := s.path()
		seen[path]++
		if attrStr(s, "network.protocol.version") != "2" || attrInt(s, "http.response.status_code") != h2cPaths[path] ||
			attrStr(s, "http.request.method") != "GET" {
			t.Errorf("%s span %s: version %q status %d method %q", s.kind, path, attrStr(s, "network.protocol.version"),
				attrInt(s, "http.response.status_code"), attrStr(s, "http.request.method"))
		}
		if s.kind == ptrace.SpanKindServer {
			conns[attrInt(s, "network.peer.port")] = true
		}
	}
	if len(seen) != len(h2cPaths) {
		t.Errorf("spans by path %v, want one of each of %v", seen, h2cPaths)
	}
	return conns
}

// TestCurlHTTP2PriorKnowledge sends requests with curl over HTTP/2
// cleartext. (curl 7.88 fails to reuse a prior-knowledge connection, so
// each request has its own; TestNghttpMultiplexedHTTP2 multiplexes.)
func TestCurlHTTP2PriorKnowledge(t *testing.T) {
	c := startCapture(t, nil, peers.GoProgramGlob(), "*/curl")
	srv, base := startH2CServer(t)
	for path := range h2cPaths {
		peers.Curl(t, "--http2-prior-knowledge", "-o", "/dev/null", base+path)
	}
	n := len(h2cPaths)
	server := c.waitSpans(t, n, func(s span) bool { return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID) })
	client := c.waitSpans(t, n, func(s span) bool {
		return s.kind == ptrace.SpanKindClient && s.service == "curl" && attrInt(s, "server.port") == int64(srv.Port)
	})
	checkH2CSpans(t, server)
	checkH2CSpans(t, client)
	c.waitHistogramCount(t, "http.server.request.duration", srv.PID, uint64(n))
}

// TestNghttpMultiplexedHTTP2 sends all requests at once over one
// connection with nghttp (nghttp2's client), which writes them in one
// segment, with PRIORITY frames and prioritised HEADERS, and reads the
// responses interleaved.
func TestNghttpMultiplexedHTTP2(t *testing.T) {
	nghttp := "/usr/bin/nghttp"
	privtest.RequireTool(t, nghttp)
	c := startCapture(t, nil, peers.GoProgramGlob(), "*/nghttp")
	srv, base := startH2CServer(t)
	args := []string{"-n"}
	for path := range h2cPaths {
		args = append(args, base+path)
	}
	peers.Run(t, nghttp, args...)
	n := len(h2cPaths)
	server := c.waitSpans(t, n, func(s span) bool { return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID) })
	client := c.waitSpans(t, n, func(s span) bool { return s.kind == ptrace.SpanKindClient && s.service == "nghttp" })
	if conns := checkH2CSpans(t, server); len(conns) != 1 {
		t.Errorf("requests came over %d connections, want 1", len(conns))
	}
	checkH2CSpans(t, client)
}
