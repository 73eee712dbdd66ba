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
// five times against its server. Each run makes one call over crypto/tls
// and exits within milliseconds, often before the receiver has read its
// exec. Its executable is probed by the path its execve was given, once per
// file, so every later run is covered from its first call; a run whose
// call came before the probes were in place is counted as a TLS connection
// with no plaintext seen. Every call is one client span or one such count.
func TestShortLivedGoTLSClientsAreTraced(t *testing.T) {
	client := peers.GRPCProgram(t, tlsEchoClient)
	r := newRig(t, rigOptions{}, peers.GRPCProgramGlob())
	r.start(t)
	c := &captured{traces: r.sink}
	port := peers.FreePort(t)
	srv := peers.Start(t, port, peers.GRPCProgram(t, tlsEchoServer), "-port", strconv.Itoa(port))
	warmUpTLSServer(t, c, srv)
	undecoded := func() int64 { return r.counter(t, "connections_skipped", attribute.String("reason", "tls_undecoded")) }
	before := undecoded()

	const runs = 5
	for i := range runs {
		out, err := peers.RunStatus(t, client, "-addr", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil || !strings.Contains(out, "hello world") {
			t.Fatalf("run %d of the TLS client: %v\n%s", i, err, out)
		}
	}
	echo := func(kind ptrace.SpanKind) func(span) bool {
		return func(s span) bool { return s.kind == kind && attrStr(s, "rpc.method") == unaryEcho }
	}
	server := c.waitSpans(t, runs, func(s span) bool { return echo(ptrace.SpanKindServer)(s) && s.pid == int64(srv.PID) })
	clientSpans := func() []span { return filterSpans(c.spans(), echo(ptrace.SpanKindClient)) }
	waitUntil(t, 20*time.Second, func() bool { return int64(len(clientSpans()))+undecoded()-before >= runs })
	time.Sleep(500 * time.Millisecond)
	clients, missed := clientSpans(), undecoded()-before
	t.Logf("%d runs: %d client spans, %d client connections without plaintext (counted), %d server spans", runs, len(clients), missed, len(server))
	if int64(len(clients))+missed != runs {
		t.Errorf("%d client spans + %d counted as undecoded, want %d in all", len(clients), missed, runs)
	}
	// Runs after the first use an executable already probed; on a loaded
	// machine the probes' attach has been seen to lag into the second run.
	if len(clients) < runs-2 {
		t.Errorf("%d client spans, want at least %d: runs after the first use an executable already probed", len(clients), runs-2)
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
	// The client's executable is probed from its first run on; its first
	// run's calls may come before that, so it runs twice and the second
	// run is checked.
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for i := range 2 {
		if out, err := peers.RunStatus(t, client, "-tls", "-addr", addr); err != nil {
			t.Fatalf("route guide client run %d: %v\n%s", i, err, out)
		}
	}
	perRun := map[string]int{
		"routeguide.RouteGuide/GetFeature": 2, "routeguide.RouteGuide/ListFeatures": 1,
		"routeguide.RouteGuide/RecordRoute": 1, "routeguide.RouteGuide/RouteChat": 1,
	}
	server := func(s span) bool {
		return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID) && strings.HasPrefix(attrStr(s, "rpc.method"), "routeguide.")
	}
	clientSide := func(s span) bool { return s.kind == ptrace.SpanKindClient && attrStr(s, "rpc.system.name") == "grpc" }
	c.waitSpansAtLeast(t, 10, server)
	c.waitSpansAtLeast(t, 5, clientSide)
	time.Sleep(time.Second)
	for _, side := range []struct {
		name string
		keep func(span) bool
		runs int
	}{{"server", server, 2}, {"client", clientSide, 0}} {
		got := map[string]int{}
		for _, s := range filterSpans(c.spans(), side.keep) {
			got[attrStr(s, "rpc.method")]++
			if attrStr(s, statusAttribute) != "OK" || attrStr(s, "url.scheme") == "http" {
				t.Errorf("%s span %q: status %q", s.kind, s.name, attrStr(s, statusAttribute))
			}
		}
		runs := side.runs
		if runs == 0 { // the client's first run may be missed, never half seen
			runs = got["routeguide.RouteGuide/RouteChat"]
		}
		want := map[string]int{}
		for m, n := range perRun {
			want[m] = n * runs
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || runs < 1 {
			t.Errorf("%s spans by method %v, want %v", side.name, got, want)
		}
		t.Logf("%s spans by method %v", side.name, got)
	}
}
