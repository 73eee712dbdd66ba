package ebpfreceiver

import (
	"net/netip"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/ptracetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/stream"
	"github.com/ebpfreceiver/ebpfreceiver/internal/tracectx"
)

func TestSpansGolden(t *testing.T) {
	actual := newSpanConverter(testHost, testVersion).convert(callValues(goldenCalls()))
	checkGoldenTraces(t, filepath.Join("testdata", "golden", "traces.yaml"), actual)
}

// checkGoldenTraces compares actual with the golden file, rewriting it
// first under -update. Trace and span IDs are random and not compared.
func checkGoldenTraces(t *testing.T, file string, actual ptrace.Traces) {
	t.Helper()
	if *update {
		require.NoError(t, golden.WriteTraces(t, file, actual))
	}
	expected, err := golden.ReadTraces(file)
	require.NoError(t, err)
	require.NoError(t, ptracetest.CompareTraces(expected, actual,
		ptracetest.IgnoreTraceID(), ptracetest.IgnoreSpanID(), ptracetest.IgnoreResourceSpansOrder()))
}

func TestSpansOneResourcePerProcess(t *testing.T) {
	td := newSpanConverter(testHost, testVersion).convert(callValues(goldenCalls()))
	assert.Equal(t, 3, td.ResourceSpans().Len(), "python app, Go client, undescribed pid 999")
	assert.Equal(t, 6, td.SpanCount(), "the call of an unknown protocol is skipped")
}

func TestSpanIDsRandomAndUnique(t *testing.T) {
	conv := newSpanConverter(testHost, testVersion)
	traceIDs := map[pcommon.TraceID]bool{}
	spanIDs := map[pcommon.SpanID]bool{}
	for range 100 {
		td := conv.convert(callValues(goldenCalls()))
		forEachSpan(td, func(s ptrace.Span) {
			require.False(t, s.TraceID().IsEmpty())
			require.False(t, s.SpanID().IsEmpty())
			require.False(t, traceIDs[s.TraceID()], "duplicate trace ID")
			require.False(t, spanIDs[s.SpanID()], "duplicate span ID")
			traceIDs[s.TraceID()], spanIDs[s.SpanID()] = true, true
		})
	}
}

// querySecret is a query value that must never be exported.
const querySecret = "SECRET-QUERY-VALUE"

// TestSpanNeverExportsQuery decodes a request whose query carries a secret,
// as the server and as the client saw it, converts the calls to spans and
// metrics, and searches everything exported for the secret. It first shows
// that the same search catches a raw query value.
func TestSpanNeverExportsQuery(t *testing.T) {
	raw := *goldenCalls()[2]
	raw.HTTP.Path = "/search?token=" + querySecret // a query exported as sent
	caught := exportedJSON(t, []call.Call{raw})
	require.Contains(t, caught, querySecret, "the search catches a raw value")

	calls := decodeWithQuery(t)
	require.Len(t, calls, 2, "a server call and a client call")
	exported := exportedJSON(t, calls)
	require.Contains(t, exported, "/search", "the exported data holds the request")
	assert.NotContains(t, exported, querySecret)
	td := newSpanConverter(testHost, testVersion).convert(calls)
	forEachSpan(td, func(s ptrace.Span) {
		_, ok := s.Attributes().Get("url.query")
		assert.False(t, ok, "url.query on a %s span", s.Kind())
		if full, ok := s.Attributes().Get("url.full"); ok {
			assert.Equal(t, "http://api.example.com:8080/search?token=REDACTED&q=REDACTED", full.Str())
		}
	})
}

// decodeWithQuery runs one request with a query string through the stream
// decoder, as a server and as a client, and returns the calls.
func decodeWithQuery(t *testing.T) []call.Call {
	t.Helper()
	var calls []call.Call
	tr := stream.NewTracker(stream.Config{}, func(c *call.Call) {
		c.Process = pythonApp
		calls = append(calls, *c)
	})
	req := "GET /search?token=" + querySecret + "&q=1 HTTP/1.1\r\nHost: api.example.com:8080\r\n\r\n"
	resp := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	now := baseNs
	for connID, role := range map[uint64]stream.Role{1: stream.RoleServer, 2: stream.RoleClient} {
		in, out := stream.Ingress, stream.Egress
		if role == stream.RoleClient {
			in, out = out, in
		}
		for _, seg := range []struct {
			dir  stream.Direction
			data string
		}{{in, req}, {out, resp}} {
			now += msNs
			tr.Segment(&stream.Segment{
				ConnID: connID, PID: pythonApp.PID, Dir: seg.dir, Role: role, Time: now, Protocol: call.ProtocolHTTP1,
				Len: uint32(len(seg.data)), Data: []byte(seg.data),
				Local: addrPort("10.0.0.2:8080"), Peer: addrPort("10.0.0.7:51234"),
			})
		}
		tr.Close(connID, now)
	}
	return calls
}

// exportedJSON renders the spans and the metrics of calls as OTLP JSON.
func exportedJSON(t *testing.T, calls []call.Call) string {
	t.Helper()
	var tm ptrace.JSONMarshaler
	spans, err := tm.MarshalTraces(newSpanConverter(testHost, testVersion).convert(calls))
	require.NoError(t, err)
	agg := newAggregator(false, baseNs)
	for i := range calls {
		agg.record(&calls[i])
	}
	var mm pmetric.JSONMarshaler
	metrics, err := mm.MarshalMetrics(newMetricConverter(testHost, testVersion, false).convert(agg.collect(baseNs+secNs), baseNs+secNs))
	require.NoError(t, err)
	return string(spans) + string(metrics)
}

func TestServiceName(t *testing.T) {
	tests := []struct {
		name string
		p    call.Process
		want string
	}{
		{"OTEL_SERVICE_NAME wins", call.Process{ServiceName: "svc", ExecutableName: "app",
			ResourceAttributes: map[string]string{"service.name": "ra"}}, "svc"},
		{"resource attributes over executable", call.Process{ServiceName: "app", ExecutableName: "app",
			ResourceAttributes: map[string]string{"service.name": "ra"}}, "ra"},
		{"executable name", call.Process{ServiceName: "app", ExecutableName: "app"}, "app"},
		{"executable name without service name", call.Process{ExecutableName: "app"}, "app"},
		{"nothing known", call.Process{}, unknownService},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, serviceName(&tt.p)) })
	}
}

func TestInstanceIDStableAndDistinct(t *testing.T) {
	b := newResourceBuilder(testHost)
	id := b.instanceID(pythonApp)
	assert.Equal(t, id, newResourceBuilder(testHost).instanceID(pythonApp), "stable across builders")
	reused := *pythonApp
	reused.StartTime++
	assert.NotEqual(t, id, b.instanceID(&reused), "PID reuse gives a new instance")
	assert.NotEqual(t, id, newResourceBuilder(hostInfo{name: "node-2"}).instanceID(pythonApp), "hosts differ")
}

func TestSplitHostHeader(t *testing.T) {
	tests := []struct {
		in   string
		host string
		port uint16
	}{
		{"example.com", "example.com", 0},
		{"example.com:8080", "example.com", 8080},
		{"[::1]:443", "::1", 443},
		{"[::1]", "::1", 0},
		{"::1", "::1", 0},
		{"example.com:http", "example.com", 0},
		{"example.com:99999", "example.com", 0},
		{"", "", 0},
	}
	for _, tt := range tests {
		host, port := splitHostHeader(tt.in)
		assert.Equal(t, tt.host, host, tt.in)
		assert.Equal(t, tt.port, port, tt.in)
	}
}

func forEachSpan(td ptrace.Traces, f func(ptrace.Span)) {
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				f(s)
			}
		}
	}
}

func TestAddrNamesRenderOnce(t *testing.T) {
	names := newAddrNames()
	a, b := netip.MustParseAddr("10.0.0.7"), netip.MustParseAddr("::1")
	first := names.name(a)
	assert.Equal(t, "10.0.0.7", first)
	assert.Equal(t, "::1", names.name(b))
	again := names.name(a)
	assert.Equal(t, unsafe.StringData(first), unsafe.StringData(again), "the same string, not a new rendering")
	for i := range maxAddrNames + 1 {
		names.name(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}))
	}
	assert.LessOrEqual(t, len(names.names), maxAddrNames)
}

func TestErrorType(t *testing.T) {
	for status, want := range map[int]string{0: "_OTHER", 404: "404", 503: "503", 599: "599", 600: "600", 302: "302"} {
		assert.Equal(t, want, errorType(status), "status %d", status)
	}
}

// linkedCalls are a request from outside (with a traceparent and
// tracestate) served by the python app, which calls the Go service: the
// engine's trace context as the span converter receives it.
func linkedCalls() []*call.Call {
	server := httpCall(pythonApp, call.KindServer, 0, 12, call.HTTP{
		Method: "GET", Path: "/users/42", Route: "/users/{id}", Version: "1.1", Status: 200, ResponseBodySize: 42,
	})
	server.Trace = tracectx.Context{
		TraceID:  tracectx.TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c},
		SpanID:   tracectx.SpanID{1, 2, 3, 4, 5, 6, 7, 8},
		ParentID: tracectx.SpanID{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31},
		Flags:    tracectx.FlagSampled,
		State:    "vendor=opaque",
	}
	client := httpCall(pythonApp, call.KindClient, 2, 5, call.HTTP{
		Method: "GET", Path: "/profile/42", Version: "1.1", Host: "profiles:9000", Status: 200, ResponseBodySize: 10,
	})
	client.Trace = server.Trace
	client.Trace.SpanID, client.Trace.ParentID = tracectx.SpanID{9, 10, 11, 12, 13, 14, 15, 16}, server.Trace.SpanID
	return []*call.Call{server, client}
}

// TestLinkedSpansGolden shows the ids and parents the engine found on the
// spans, exactly.
func TestLinkedSpansGolden(t *testing.T) {
	actual := newSpanConverter(testHost, testVersion).convert(callValues(linkedCalls()))
	file := filepath.Join("testdata", "golden", "traces_linked.yaml")
	if *update {
		require.NoError(t, golden.WriteTraces(t, file, actual))
	}
	expected, err := golden.ReadTraces(file)
	require.NoError(t, err)
	require.NoError(t, ptracetest.CompareTraces(expected, actual, ptracetest.IgnoreResourceSpansOrder()))
	forEachSpan(actual, func(s ptrace.Span) {
		assert.Equal(t, "0af7651916cd43dd8448eb211c80319c", s.TraceID().String())
	})
}
