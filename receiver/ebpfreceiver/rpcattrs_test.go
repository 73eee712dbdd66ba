package ebpfreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/http2"
)

// grpcCall builds a gRPC call of p as the HTTP/2 decoder makes it.
func grpcCall(p *call.Process, kind call.Kind, startMs, ms uint64, method string, status uint32, hasStatus bool) *call.Call {
	c := httpCall(p, kind, startMs, ms, call.HTTP{
		Method: "POST", Path: "/" + method, Version: "2", Host: "greeter:50051", Status: 200,
	})
	c.Protocol = call.ProtocolGRPC
	c.RPC = call.RPC{Method: method, Status: status, HasStatus: hasStatus}
	return c
}

func TestIsRPCError(t *testing.T) {
	for code := uint32(0); code <= 17; code++ {
		serverErr := map[uint32]bool{2: true, 4: true, 12: true, 13: true, 14: true, 15: true}[code]
		r := call.RPC{Status: code, HasStatus: true}
		assert.Equal(t, serverErr, isRPCError(call.KindServer, &r), "server, code %d", code)
		assert.Equal(t, code != 0, isRPCError(call.KindClient, &r), "client, code %d", code)
	}
	unknown := call.RPC{Status: 13}
	assert.True(t, isRPCError(call.KindClient, &unknown), "a call that ended without a status failed")
	assert.True(t, isRPCError(call.KindServer, &unknown), "on either side")
}

func TestRPCStatusName(t *testing.T) {
	for _, tc := range []struct {
		r    call.RPC
		want string
	}{
		{call.RPC{Status: 0, HasStatus: true}, "OK"},
		{call.RPC{Status: 4, HasStatus: true}, "DEADLINE_EXCEEDED"},
		{call.RPC{Status: 99, HasStatus: true}, "99"},
		{call.RPC{Status: 5}, ""},
	} {
		assert.Equal(t, tc.want, rpcStatusName(&tc.r))
	}
}

func spanAttrs(s ptrace.Span) map[string]any { return s.Attributes().AsRaw() }

func TestRPCSpans(t *testing.T) {
	calls := []*call.Call{
		grpcCall(pythonApp, call.KindServer, 0, 5, "helloworld.Greeter/SayHello", http2.StatusOK, true),
		grpcCall(goClient, call.KindClient, 10, 5, "helloworld.Greeter/SayHello", http2.StatusNotFound, true),
		grpcCall(pythonApp, call.KindServer, 20, 1, "helloworld.Greeter/Nope", http2.StatusUnimplemented, true),
		grpcCall(pythonApp, call.KindServer, 30, 1, "a.B/C", http2.StatusNotFound, true),
		grpcCall(goClient, call.KindClient, 40, 1, "a.B/C", 0, false),
	}
	td := newSpanConverter(testHost, testVersion).convert(callValues(calls))
	var spans []ptrace.Span
	forEachSpan(td, func(s ptrace.Span) { spans = append(spans, s) })
	require.Len(t, spans, len(calls))
	byName := map[string][]ptrace.Span{}
	for _, s := range spans {
		byName[s.Name()] = append(byName[s.Name()], s)
	}
	hello := byName["helloworld.Greeter/SayHello"]
	require.Len(t, hello, 2)
	for _, s := range hello {
		a := spanAttrs(s)
		assert.Equal(t, "grpc", a["rpc.system.name"])
		assert.Equal(t, "helloworld.Greeter/SayHello", a["rpc.method"])
		assert.Equal(t, "greeter", a["server.address"])
		assert.Equal(t, int64(50051), a["server.port"])
		switch s.Kind() {
		case ptrace.SpanKindServer:
			assert.Equal(t, "OK", a["rpc.response.status_code"])
			assert.Equal(t, ptrace.StatusCodeUnset, s.Status().Code())
			assert.NotContains(t, a, "error.type")
			assert.Equal(t, "10.0.0.7", a["client.address"])
		case ptrace.SpanKindClient:
			assert.Equal(t, "NOT_FOUND", a["rpc.response.status_code"])
			assert.Equal(t, "NOT_FOUND", a["error.type"])
			assert.Equal(t, ptrace.StatusCodeError, s.Status().Code())
		}
		assert.NotContains(t, a, "url.path", "gRPC spans are not HTTP spans")
	}
	other := byName["grpc"]
	require.Len(t, other, 1, "an unimplemented method names the span by the system")
	a := spanAttrs(other[0])
	assert.Equal(t, "_OTHER", a["rpc.method"])
	assert.Equal(t, "helloworld.Greeter/Nope", a["rpc.method_original"])
	assert.Equal(t, "UNIMPLEMENTED", a["error.type"])
	notFound := byName["a.B/C"]
	require.Len(t, notFound, 2)
	for _, s := range notFound {
		if s.Kind() == ptrace.SpanKindServer {
			assert.Equal(t, ptrace.StatusCodeUnset, s.Status().Code(), "NOT_FOUND is no server error")
		} else {
			assert.NotContains(t, spanAttrs(s), "rpc.response.status_code", "unknown status")
			assert.Equal(t, "_OTHER", spanAttrs(s)["error.type"], "ended without a status")
			assert.Equal(t, ptrace.StatusCodeError, s.Status().Code())
		}
	}
}

func TestHTTP2CallsAreHTTPSpansAndMetrics(t *testing.T) {
	c := httpCall(pythonApp, call.KindServer, 0, 5, call.HTTP{Method: "GET", Path: "/a", Version: "2", Status: 404})
	c.Protocol = call.ProtocolHTTP2
	td := newSpanConverter(testHost, testVersion).convert(callValues([]*call.Call{c}))
	require.Equal(t, 1, td.SpanCount())
	forEachSpan(td, func(s ptrace.Span) {
		assert.Equal(t, "GET", s.Name())
		assert.Equal(t, "2", spanAttrs(s)["network.protocol.version"])
		assert.Equal(t, int64(404), spanAttrs(s)["http.response.status_code"])
	})
	agg := newAggregator(false, baseNs)
	agg.record(c)
	md := newMetricConverter(testHost, testVersion, false).convert(agg.collect(baseNs+msNs*100), baseNs+msNs*100)
	got := map[string]pcommon.Map{}
	forEachDataPoint(md, func(name string, dp pmetric.HistogramDataPoint) { got[name] = dp.Attributes() })
	require.Contains(t, got, "http.server.request.duration")
	v, _ := got["http.server.request.duration"].Get("network.protocol.version")
	assert.Equal(t, "2", v.Str())
}

// rpcMetricsPoint is one data point of an RPC histogram.
type rpcMetricsPoint struct {
	name  string
	count uint64
	attrs map[string]any
}

// rpcMetricsPoints records gRPC calls with the opt-ins o and returns the
// data points.
func rpcMetricsPoints(t *testing.T, o optIn) []rpcMetricsPoint {
	agg := newAggregator(false, baseNs).withOptIn(o)
	for i := range 3 {
		agg.record(grpcCall(pythonApp, call.KindServer, uint64(i), 2, "helloworld.Greeter/SayHello", 0, true))
	}
	agg.record(grpcCall(pythonApp, call.KindServer, 5, 2, "x.Y/Gone", http2.StatusUnimplemented, true))
	agg.record(grpcCall(goClient, call.KindClient, 5, 2, "helloworld.Greeter/SayHello", http2.StatusDeadlineExceeded, true))
	agg.record(grpcCall(goClient, call.KindClient, 9, 2, "helloworld.Greeter/SayHello", 0, false))
	md := newMetricConverter(testHost, testVersion, false).convert(agg.collect(baseNs+msNs*100), baseNs+msNs*100)
	var points []rpcMetricsPoint
	forEachDataPoint(md, func(name string, dp pmetric.HistogramDataPoint) {
		points = append(points, rpcMetricsPoint{name, dp.Count(), dp.Attributes().AsRaw()})
		assert.Equal(t, durationBounds[:], dp.ExplicitBounds().AsRaw())
	})
	return points
}

func TestRPCMetrics(t *testing.T) {
	assert.ElementsMatch(t, []rpcMetricsPoint{
		{"rpc.server.call.duration", 3, map[string]any{"rpc.system.name": "grpc", "rpc.method": "helloworld.Greeter/SayHello",
			"rpc.response.status_code": "OK"}},
		{"rpc.server.call.duration", 1, map[string]any{"rpc.system.name": "grpc", "rpc.method": "_OTHER",
			"rpc.response.status_code": "UNIMPLEMENTED", "error.type": "UNIMPLEMENTED"}},
		{"rpc.client.call.duration", 1, map[string]any{"rpc.system.name": "grpc", "rpc.method": "helloworld.Greeter/SayHello",
			"rpc.response.status_code": "DEADLINE_EXCEEDED", "error.type": "DEADLINE_EXCEEDED", "server.address": "greeter", "server.port": int64(50051)}},
		{"rpc.client.call.duration", 1, map[string]any{"rpc.system.name": "grpc", "rpc.method": "helloworld.Greeter/SayHello",
			"error.type": "_OTHER", "server.address": "greeter", "server.port": int64(50051)}},
	}, rpcMetricsPoints(t, optIn{}), "server.address and server.port are opt-in on rpc.server.call.duration")
}

func TestRPCServerMetricsOptIn(t *testing.T) {
	for _, tc := range []struct {
		o    optIn
		want map[string]any
	}{
		{optIn{rpcServerAddress: true}, map[string]any{"server.address": "greeter"}},
		{optIn{rpcServerPort: true}, map[string]any{"server.port": int64(50051)}},
		{optIn{rpcServerAddress: true, rpcServerPort: true}, map[string]any{"server.address": "greeter", "server.port": int64(50051)}},
	} {
		for _, p := range rpcMetricsPoints(t, tc.o) {
			if p.name != "rpc.server.call.duration" {
				continue
			}
			for _, key := range []string{"server.address", "server.port"} {
				assert.Equal(t, tc.want[key], p.attrs[key], "%+v: %s", tc.o, key)
			}
		}
	}
}
