//go:build linux

package ebpfreceiver

import (
	"encoding/binary"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
	"github.com/ebpfreceiver/ebpfreceiver/internal/privtest"
)

// TestGRPCStreamsParentedPerStream makes many concurrent calls to the
// grpc-go greeter example over ONE connection, from two clients: grpc-go
// (test/grpcpeers/cmd/streamclient, 8 calls in flight, frames written by
// its loopyWriter) and nghttp2's h2load (-c 1 -m 8). Call i is
// helloworld.Greeter/SayHello for even i and, for odd i, the unimplemented
// helloworld.Greeter/Probe{i}, told apart by rpc.method_original; so half
// the server spans must have exactly the client span of the same method as
// parent, and every SayHello server span a SayHello client span that
// encloses it in time and parents no other server span.
//
// A third run repeats the grpc-go one with a traceparent in the metadata
// of every third call (SayHello and Probe alike), as an application with
// an SDK sends it: that call's client span keeps the application's ids and
// the server span joins its trace, on a connection whose HPACK tables the
// other calls share.
//
// Subtests per client: "spans" (every call once on each side, over one
// connection; passes without trace context), "links", and "external" for
// the calls with a traceparent.
func TestGRPCStreamsParentedPerStream(t *testing.T) {
	const calls = 40
	grpcGo := func(t *testing.T, every int) {
		client := peers.GRPCProgram(t, "./cmd/streamclient")
		c := startCapture(t, nil, peers.GRPCProgramGlob())
		srv := startGreeter(t)
		out, err := peers.RunStatus(t, client, "-addr", "127.0.0.1:"+strconv.Itoa(srv.Port), "-n", strconv.Itoa(calls), "-c", "8",
			"-traceparent-every", strconv.Itoa(every))
		if err != nil || strings.Count(out, "\n") != calls {
			t.Fatalf("streamclient: %v\n%s", err, out)
		}
		checkStreams(t, c, srv, "streamclient", calls, streamTraceparents(calls, every))
	}
	t.Run("grpc-go", func(t *testing.T) { grpcGo(t, 0) })
	t.Run("grpc-go-traceparent", func(t *testing.T) { grpcGo(t, 3) })
	t.Run("h2load", func(t *testing.T) {
		h2load := "/usr/bin/h2load"
		privtest.RequireTool(t, h2load)
		c := startCapture(t, nil, peers.GRPCProgramGlob(), "*/h2load")
		srv := startGreeter(t)
		base := "http://127.0.0.1:" + strconv.Itoa(srv.Port) + "/"
		args := []string{"-n", strconv.Itoa(calls), "-c", "1", "-m", "8", "-d", helloRequestFile(t, "h2load"),
			"-H", "content-type: application/grpc", "-H", "te: trailers"}
		for i := range calls {
			args = append(args, base+streamMethod(i))
		}
		out := peers.Run(t, h2load, args...)
		if !strings.Contains(out, fmt.Sprintf("%d succeeded", calls)) {
			t.Fatalf("h2load:\n%s", out)
		}
		checkStreams(t, c, srv, "h2load", calls, nil)
	})
}

// streamTraceparents are the contexts streamclient -traceparent-every
// every sends, by call.
func streamTraceparents(calls, every int) map[int]externalContext {
	out := map[int]externalContext{}
	for i := 0; every > 0 && i < calls; i += every {
		var e externalContext
		e.traceID[0], e.traceID[1] = 0x5e, 0xed
		binary.BigEndian.PutUint64(e.traceID[8:], uint64(i+1))
		e.spanID[0], e.spanID[1] = 0x5e, 0xed
		binary.BigEndian.PutUint16(e.spanID[6:], uint16(i+1))
		out[i] = e
	}
	return out
}

// streamMethod is the method of call i.
func streamMethod(i int) string {
	if i%2 == 1 {
		return "helloworld.Greeter/Probe" + strconv.Itoa(i)
	}
	return sayHello
}

// helloRequestFile writes a gRPC message (5-byte prefix: not compressed,
// big-endian length) holding a HelloRequest whose field 1 (name) is name,
// and returns its path.
func helloRequestFile(t *testing.T, name string) string {
	t.Helper()
	msg := append([]byte{0x0a, byte(len(name))}, name...)
	frame := binary.BigEndian.AppendUint32([]byte{0}, uint32(len(msg)))
	path := filepath.Join(t.TempDir(), "hello.grpc")
	if err := os.WriteFile(path, append(frame, msg...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// methodOf is a gRPC span's method as the client called it.
func methodOf(s tspan) string {
	if m := attrStr(s.span, "rpc.method_original"); m != "" {
		return m
	}
	return attrStr(s.span, "rpc.method")
}

// grpcStreams are the gRPC spans of one run: the greeter's and the
// client's, each in start order, with a label per span.
type grpcStreams struct {
	server, client []tspan
	labels         map[pcommon.SpanID]string
}

// collectStreams waits until both sides have at least calls gRPC spans (or
// 30s passed), a little longer for extra ones, and returns them.
func collectStreams(c *captured, srv *peers.Server, clientName string, calls int) grpcStreams {
	split := func() grpcStreams {
		var g grpcStreams
		for _, s := range c.traceSpans() {
			switch {
			case attrStr(s.span, "rpc.system.name") != "grpc":
			case s.pid == int64(srv.PID) && s.kind == ptrace.SpanKindServer:
				g.server = append(g.server, s)
			case strings.Contains(s.service, clientName) && s.kind == ptrace.SpanKindClient:
				g.client = append(g.client, s)
			}
		}
		return g
	}
	deadline := time.Now().Add(30 * time.Second)
	for g := split(); (len(g.server) < calls || len(g.client) < calls) && time.Now().Before(deadline); g = split() {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	g := split()
	g.labels = map[pcommon.SpanID]string{}
	for side, spans := range map[string][]tspan{"greeter SERVER": g.server, clientName + " CLIENT": g.client} {
		slices.SortFunc(spans, func(a, b tspan) int { return a.start.Compare(b.start) })
		seen := map[string]int{}
		for _, s := range spans {
			m := methodOf(s)
			seen[m]++
			g.labels[s.spanID] = fmt.Sprintf("%s %s #%d", side, m, seen[m])
		}
	}
	return g
}

// checkStreams checks the spans of calls concurrent calls made by the
// client named clientName (its service.name contains it) to srv, external
// holding the traceparents some calls carried.
func checkStreams(t *testing.T, c *captured, srv *peers.Server, clientName string, calls int, external map[int]externalContext) {
	t.Helper()
	g := collectStreams(c, srv, clientName, calls)
	t.Run("spans", func(t *testing.T) {
		checkStreamSpans(t, "greeter SERVER", g.server, calls)
		checkStreamSpans(t, clientName+" CLIENT", g.client, calls)
		ports := map[int64]bool{}
		for _, s := range g.server {
			ports[attrInt(s.span, "network.peer.port")] = true
		}
		if len(ports) != 1 {
			t.Errorf("calls came over %d connections, want 1", len(ports))
		}
		t.Logf("%s: at most %d calls in flight at once", clientName, maxInFlight(g.client))
	})
	t.Run("links", func(t *testing.T) { checkStreamLinks(t, g, clientName) })
	if len(external) > 0 {
		t.Run("external", func(t *testing.T) { checkStreamExternal(t, g, external) })
	}
}

// checkStreamExternal checks the calls that carried a traceparent: the
// client span keeps its ids, and the server span of the call (found by its
// method, or for SayHello by the trace id) has it as parent.
func checkStreamExternal(t *testing.T, g grpcStreams, external map[int]externalContext) {
	links := &linkTally{names: g.labels, hops: map[string]*hopTally{}}
	const hop = "greeter SERVER -> traceparent in metadata"
	for _, i := range slices.Sorted(maps.Keys(external)) {
		e, m := external[i], streamMethod(i)
		adopted := 0
		for _, s := range g.client {
			if s.spanID == e.spanID && s.traceID == e.traceID && methodOf(s) == m {
				adopted++
			}
		}
		if adopted != 1 {
			t.Errorf("call %d (%s): %d client spans carry the traceparent's ids %s/%s, want 1", i, m, adopted, e.traceID, e.spanID)
		}
		var server []tspan
		for _, s := range g.server {
			if methodOf(s) == m && (m != sayHello || s.traceID == e.traceID) {
				server = append(server, s)
			}
		}
		switch {
		case len(server) == 1:
			links.edgeTo(hop, fmt.Sprintf("%s (call %d)", g.labels[server[0].spanID], i), server[0], e.traceID, e.spanID)
		case len(server) == 0:
			links.missingEdge(hop, fmt.Sprintf("call %d: no greeter SERVER %s in trace %s", i, m, e.traceID))
		default:
			links.wrongEdge(hop, fmt.Sprintf("call %d: %d greeter SERVER %s spans in trace %s", i, len(server), m, e.traceID))
		}
	}
	links.report(t)
}

// checkStreamSpans checks one side: every call exactly once, with the
// status its method gets.
func checkStreamSpans(t *testing.T, side string, spans []tspan, calls int) {
	t.Helper()
	got := map[string]int{}
	for _, s := range spans {
		m := methodOf(s)
		got[m]++
		want := "OK"
		if m != sayHello {
			want = "UNIMPLEMENTED"
		}
		if code := attrStr(s.span, statusAttribute); code != want {
			t.Errorf("%s %s: status %q, want %q", side, m, code, want)
		}
	}
	want := map[string]int{}
	for i := range calls {
		want[streamMethod(i)]++
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s spans by method %v, want %v", side, got, want)
	}
}

// checkStreamLinks checks the parent of every server span: exactly the
// client span of its method for the Probe calls; for SayHello, a SayHello
// client span that encloses it and parents no other. Client spans are
// roots. A server's end is its write's return, which may come a little
// after the client read the answer: the end may pass its parent's by
// endSlack.
func checkStreamLinks(t *testing.T, g grpcStreams, clientName string) {
	const endSlack = time.Millisecond
	links := &linkTally{names: g.labels, hops: map[string]*hopTally{}}
	clients := map[pcommon.SpanID]tspan{}
	probes := map[string]tspan{}
	for _, s := range g.client {
		clients[s.spanID] = s
		if m := methodOf(s); m != sayHello {
			probes[m] = s
		}
		links.root(clientName+" CLIENT (root)", g.labels[s.spanID], s)
	}
	claimed := map[pcommon.SpanID]string{}
	for _, s := range g.server {
		who := g.labels[s.spanID]
		if m := methodOf(s); m != sayHello {
			if parent, ok := probes[m]; ok {
				links.edge("greeter SERVER Probe{i} -> CLIENT Probe{i}", who, s, parent)
			}
			continue
		}
		hop := "greeter SERVER SayHello -> a CLIENT SayHello"
		parent, ok := clients[s.parentID]
		switch {
		case s.parentID.IsEmpty():
			links.missingEdge(hop, who)
		case !ok || methodOf(parent) != sayHello:
			links.wrongEdge(hop, fmt.Sprintf("%s: parent is %s, want a client SayHello span", who, links.name(s.parentID)))
		case claimed[s.parentID] != "":
			links.wrongEdge(hop, fmt.Sprintf("%s: parent %s already parents %s", who, g.labels[s.parentID], claimed[s.parentID]))
		case s.start.Before(parent.start) || s.end.After(parent.end.Add(endSlack)):
			links.wrongEdge(hop, fmt.Sprintf("%s: parent %s does not enclose it (%v..%v, parent %v..%v)",
				who, g.labels[s.parentID], s.start, s.end, parent.start, parent.end))
		default:
			claimed[s.parentID] = who
			links.edge(hop, who, s, parent)
		}
	}
	links.report(t)
}

// maxInFlight is the largest number of spans that overlap in time.
func maxInFlight(spans []tspan) int {
	most := 0
	for _, a := range spans {
		n := 0
		for _, b := range spans {
			if !b.start.After(a.start) && b.end.After(a.start) {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}
