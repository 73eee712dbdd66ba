package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"net/netip"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/rpcconv"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/internal/protocol/http2"
)

var (
	rpcSystemGRPC = semconv.RPCSystemNameGRPC.Value.AsString()
	// rpcMethodOther stands for methods the server does not implement, as
	// rpc.method asks, so that unknown names never become series.
	rpcMethodOther = "_OTHER"
)

// rpcMethod is rpc.method of a gRPC call: the method as sent, or "_OTHER"
// when the server answered that it does not implement it; recognised is
// false then, and rpc.method_original carries the method sent.
func rpcMethod(r *call.RPC) (method string, recognised bool) {
	if r.HasStatus && r.Status == http2.StatusUnimplemented {
		return rpcMethodOther, false
	}
	return r.Method, true
}

// rpcStatusName is rpc.response.status_code: the status code's canonical
// name, or its number for codes gRPC does not define; empty when unknown.
func rpcStatusName(r *call.RPC) string {
	if !r.HasStatus {
		return ""
	}
	if name, ok := http2.StatusName(r.Status); ok {
		return name
	}
	return strconv.FormatUint(uint64(r.Status), 10)
}

// isRPCError tells whether a gRPC call failed: a client sees every status
// but OK as an error; a server only those that point at the server
// (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE,
// DATA_LOSS). A call that ended without a status failed on either side.
func isRPCError(kind call.Kind, r *call.RPC) bool {
	switch {
	case !r.HasStatus:
		return true
	case r.Status == http2.StatusOK:
		return false
	}
	if kind == call.KindClient {
		return true
	}
	switch r.Status {
	case http2.StatusUnknown, http2.StatusDeadlineExceeded, http2.StatusUnimplemented,
		http2.StatusInternal, http2.StatusUnavailable, http2.StatusDataLoss:
		return true
	}
	return false
}

// fillRPCSpan writes a gRPC call as a span named by its method.
func (s *spanConverter) fillRPCSpan(span ptrace.Span, c *call.Call) {
	s.startSpan(span, c)
	method, recognised := rpcMethod(&c.RPC)
	span.SetName(method)
	if !recognised {
		span.SetName(rpcSystemGRPC)
	}
	var attrs attrList
	s.collectRPCAttributes(&attrs, c, method, recognised)
	attrs.writeTo(span.Attributes())
	if isRPCError(c.Kind, &c.RPC) {
		span.Status().SetCode(ptrace.StatusCodeError)
	}
}

// collectRPCAttributes gathers the attributes of a gRPC span in a.
func (s *spanConverter) collectRPCAttributes(a *attrList, c *call.Call, method string, recognised bool) {
	a.str(string(semconv.RPCSystemNameKey), rpcSystemGRPC)
	a.str(string(semconv.RPCMethodKey), method)
	if !recognised {
		a.str(string(semconv.RPCMethodOriginalKey), c.RPC.Method)
	}
	status := rpcStatusName(&c.RPC)
	a.str(string(semconv.RPCResponseStatusCodeKey), status)
	server := serverOf(c)
	s.collectServer(a, server)
	s.collectPeerAttributes(a, c)
	if isRPCError(c.Kind, &c.RPC) {
		a.str(string(semconv.ErrorTypeKey), rpcErrorType(status))
	}
}

// rpcErrorType is error.type of a failed gRPC call: its status, or "_OTHER"
// when it ended without one.
func rpcErrorType(status string) string {
	if status == "" {
		return errorOther
	}
	return status
}

// rpcSeriesKey is the series of a gRPC call. status holds the code plus
// one, zero when the status is unknown. A server's series carry the server
// only as far as server.address and server.port are opted in.
func rpcSeriesKey(c *call.Call, o *optIn) seriesKey {
	method, _ := rpcMethod(&c.RPC)
	key := seriesKey{kind: c.Kind, rpc: true, method: method, server: serverOf(c)}
	if c.Kind == call.KindServer {
		key.server = rpcServerSeries(key.server, o)
	}
	if c.RPC.HasStatus {
		key.status = uint16(min(c.RPC.Status, 0xfffe) + 1)
	}
	return key
}

// putRPCSeriesAttributes writes the attribute set of a gRPC series.
func putRPCSeriesAttributes(attrs pcommon.Map, k *seriesKey) {
	attrs.EnsureCapacity(6)
	attrs.PutStr(string(semconv.RPCSystemNameKey), rpcSystemGRPC)
	attrs.PutStr(string(semconv.RPCMethodKey), k.method)
	r := call.RPC{Status: uint32(k.status) - 1, HasStatus: k.status > 0}
	status := rpcStatusName(&r)
	putNonEmpty(attrs, string(semconv.RPCResponseStatusCodeKey), status)
	if isRPCError(k.kind, &r) {
		attrs.PutStr(string(semconv.ErrorTypeKey), rpcErrorType(status))
	}
	putServer(attrs, k.server)
}

// rpcDataPoints returns the data points of the RPC histogram for kind,
// adding the metric on first use.
func (m *metricConverter) rpcDataPoints(pm *processMetrics, kind call.Kind) pmetric.HistogramDataPointSlice {
	if kind == call.KindClient {
		if !pm.hasRPCClient {
			d := rpcconv.ClientCallDuration{}
			pm.rpcClient, pm.hasRPCClient = m.addHistogram(pm.scope, d.Name(), d.Unit(), d.Description()), true
		}
		return pm.rpcClient
	}
	if !pm.hasRPCServer {
		d := rpcconv.ServerCallDuration{}
		pm.rpcServer, pm.hasRPCServer = m.addHistogram(pm.scope, d.Name(), d.Unit(), d.Description()), true
	}
	return pm.rpcServer
}

// rpcServerSeries keeps of a server's endpoint what the opt-ins ask for
// rpc.server.call.duration.
func rpcServerSeries(e serverEndpoint, o *optIn) serverEndpoint {
	if !o.rpcServerAddress {
		e.host, e.addr = "", netip.Addr{}
	}
	if !o.rpcServerPort {
		e.port = 0
	}
	return e
}
