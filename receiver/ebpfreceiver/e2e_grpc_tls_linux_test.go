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
)

const (
	tlsEchoServer = "google.golang.org/grpc/examples/features/encryption/TLS/server"
	tlsEchoClient = "google.golang.org/grpc/examples/features/encryption/TLS/client"
	unaryEcho     = "grpc.examples.echo.Echo/UnaryEcho"
)

// TestShortLivedGoTLSClientsAreTraced runs the grpc-go TLS example client
// against its server. Each run makes one call over crypto/tls and exits
// within milliseconds, often before the receiver has read its exec. Its
// executable is probed by the path its execve was given, once per file:
// the client runs until one run is traced (the probes are then in place;
// the runs before, whose calls came before the probes, are logged), and
// every one of the five runs after is traced from its first call.
func TestShortLivedGoTLSClientsAreTraced(t *testing.T) {
	client := peers.GRPCProgram(t, tlsEchoClient)
	r := newRig(t, rigOptions{}, peers.GRPCProgramGlob())
	r.start(t)
	c := &captured{traces: r.sink}
	port := peers.FreePort(t)
	srv := peers.Start(t, port, peers.GRPCProgram(t, tlsEchoServer), "-port", strconv.Itoa(port))
	warmUpTLSServer(t, c, srv)
	undecoded := func() int64 { return r.counter(t, "connections_skipped", attribute.String("reason", "tls_undecoded")) }
	echo := func(kind ptrace.SpanKind) func(span) bool {
		return func(s span) bool { return s.kind == kind && attrStr(s, "rpc.method") == unaryEcho }
	}
	clientSpans := func() []span { return filterSpans(c.spans(), echo(ptrace.SpanKindClient)) }
	run := func(i int) {
		out, err := peers.RunStatus(t, client, "-addr", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil || !strings.Contains(out, "hello world") {
			t.Fatalf("run %d of the TLS client: %v\n%s", i, err, out)
		}
	}

	first := 0
	for ; len(clientSpans()) == 0; first++ {
		if first == 10 {
			t.Fatal("10 runs of the TLS client and none traced: its executable was not probed")
		}
		run(first)
		deadline := time.Now().Add(2 * time.Second)
		for len(clientSpans()) == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	time.Sleep(500 * time.Millisecond)
	t.Logf("%d runs until one was traced; TLS connections without plaintext so far (counted): %d", first, undecoded())

	const runs = 5
	tracedBefore, undecodedBefore := len(clientSpans()), undecoded()
	for i := range runs {
		run(first + i)
	}
	server := c.waitSpans(t, first+runs, func(s span) bool { return echo(ptrace.SpanKindServer)(s) && s.pid == int64(srv.PID) })
	waitUntil(t, 20*time.Second, func() bool { return len(clientSpans())-tracedBefore >= runs })
	time.Sleep(500 * time.Millisecond)
	clients := clientSpans()
	if got, missed := len(clients)-tracedBefore, undecoded()-undecodedBefore; got != runs || missed != 0 {
		t.Errorf("runs of a probed executable: %d client spans and %d TLS connections without plaintext, want %d and 0", got, missed, runs)
	}
	for _, s := range append(server, clients...) {
		if attrStr(s, statusAttribute) != "OK" || s.status == ptrace.StatusCodeError || attrInt(s, "server.port") != int64(port) {
			t.Errorf("%s span: status %q server.port %d", s.kind, attrStr(s, statusAttribute), attrInt(s, "server.port"))
		}
	}
}

// warmUpTLSServer makes HTTP/2 requests of the gRPC server with curl (not
// a selected process) until the server's side of one is traced: its TLS
// probes are then in place. grpc-go answers them with an error status.
func warmUpTLSServer(t *testing.T, c *captured, srv *peers.Server) {
	t.Helper()
	url := "https://127.0.0.1:" + strconv.Itoa(srv.Port) + "/warmup"
	seen := func() bool {
		return len(filterSpans(c.spans(), func(s span) bool {
			return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID) && strings.Contains(s.name, "warmup")
		})) > 0
	}
	for deadline := time.Now().Add(20 * time.Second); !seen(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no request to the TLS server traced within 20s")
		}
		peers.Curl(t, "-k", "--http2", "-o", "/dev/null", url)
	}
}

// TestGRPCStreamingOverTLS runs the route guide example over TLS: the
// plaintext comes from the crypto/tls probes, in writes and reads of many
// frames, and every call is exactly one span on each side with its status
// from the trailers.
func TestGRPCStreamingOverTLS(t *testing.T) {
	client := peers.GRPCProgram(t, routeGuideCl)
	r := newRig(t, rigOptions{}, peers.GRPCProgramGlob())
	r.start(t)
	c := &captured{traces: r.sink}
	port := peers.FreePort(t)
	srv := peers.Start(t, port, peers.GRPCProgram(t, routeGuideSrv), "-tls", "-port", strconv.Itoa(port))
	warmUpTLSServer(t, c, srv)
	perRun := map[string]int{
		"routeguide.RouteGuide/GetFeature": 2, "routeguide.RouteGuide/ListFeatures": 1,
		"routeguide.RouteGuide/RecordRoute": 1, "routeguide.RouteGuide/RouteChat": 1,
	}
	server := func(s span) bool {
		return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID) && strings.HasPrefix(attrStr(s, "rpc.method"), "routeguide.")
	}
	clientSide := func(s span) bool { return s.kind == ptrace.SpanKindClient && attrStr(s, "rpc.system.name") == "grpc" }
	byMethod := func(keep func(span) bool) map[string]int {
		got := map[string]int{}
		for _, s := range filterSpans(c.spans(), keep) {
			got[attrStr(s, "rpc.method")]++
		}
		return got
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	runs := 0
	run := func() {
		if out, err := peers.RunStatus(t, client, "-tls", "-addr", addr); err != nil {
			t.Fatalf("route guide client run %d: %v\n%s", runs, err, out)
		}
		runs++
	}

	// The client's executable is probed from the exec of its first run on,
	// and a run may end before the probes are in place, or be half seen
	// when they arrive during it: the client runs until one of its calls is
	// traced, and the run after that is checked.
	for len(filterSpans(c.spans(), clientSide)) == 0 {
		if runs == 10 {
			t.Fatal("10 runs of the route guide client and none traced: its executable was not probed")
		}
		run()
		deadline := time.Now().Add(2 * time.Second)
		for len(filterSpans(c.spans(), clientSide)) == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	c.waitSpansAtLeast(t, 5*runs, server)
	time.Sleep(500 * time.Millisecond)
	clientBefore := byMethod(clientSide)
	t.Logf("%d runs until one was traced on the client side: %v", runs, clientBefore)
	run()
	c.waitSpansAtLeast(t, 5*runs, server)
	waitUntil(t, 20*time.Second, func() bool {
		return byMethod(clientSide)["routeguide.RouteGuide/RouteChat"] > clientBefore["routeguide.RouteGuide/RouteChat"]
	})
	time.Sleep(time.Second)

	for _, s := range filterSpans(c.spans(), func(s span) bool { return server(s) || clientSide(s) }) {
		if attrStr(s, statusAttribute) != "OK" || attrStr(s, "url.scheme") == "http" {
			t.Errorf("%s span %q: status %q", s.kind, s.name, attrStr(s, statusAttribute))
		}
	}
	wantServer, lastRun := map[string]int{}, map[string]int{}
	gotServer, clientAfter := byMethod(server), byMethod(clientSide)
	for m, n := range perRun {
		wantServer[m] = n * runs
		if d := clientAfter[m] - clientBefore[m]; d != 0 {
			lastRun[m] = d
		}
	}
	if fmt.Sprint(gotServer) != fmt.Sprint(wantServer) {
		t.Errorf("server spans by method %v over %d runs, want %v", gotServer, runs, wantServer)
	}
	if fmt.Sprint(lastRun) != fmt.Sprint(perRun) {
		t.Errorf("client spans by method of the run after the probes, %v, want %v", lastRun, perRun)
	}
	t.Logf("server spans by method %v; client spans of the checked run %v", gotServer, lastRun)
}
