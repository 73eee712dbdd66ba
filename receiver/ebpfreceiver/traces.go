package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	cryptorand "crypto/rand"
	"encoding/binary"
	"math/rand/v2"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
	"github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver/internal/metadata"
)

// spanConverter turns calls into spans, one ResourceSpans per process. It is
// owned by the span batcher's goroutine and not safe for concurrent use.
type spanConverter struct {
	resources    *resourceBuilder
	scopeVersion string
	ids          idGenerator
	byProcess    map[processKey]ptrace.SpanSlice // reused across batches
}

func newSpanConverter(hostName, scopeVersion string) *spanConverter {
	return &spanConverter{
		resources:    newResourceBuilder(hostName),
		scopeVersion: scopeVersion,
		ids:          newIDGenerator(),
		byProcess:    make(map[processKey]ptrace.SpanSlice),
	}
}

// convert builds the spans of calls; calls of protocols without a span
// mapping are skipped.
func (s *spanConverter) convert(calls []*call.Call) ptrace.Traces {
	td := ptrace.NewTraces()
	clear(s.byProcess)
	for _, c := range calls {
		if c.Protocol != call.ProtocolHTTP1 {
			continue
		}
		s.fillHTTPSpan(s.spansOf(td, c).AppendEmpty(), c)
	}
	return td
}

// spansOf returns the span slice of c's process, creating its ResourceSpans
// on first use in this batch.
func (s *spanConverter) spansOf(td ptrace.Traces, c *call.Call) ptrace.SpanSlice {
	key := processKeyOf(c)
	if spans, ok := s.byProcess[key]; ok {
		return spans
	}
	rs := td.ResourceSpans().AppendEmpty()
	s.resources.fill(rs.Resource(), c.Process, c.PID)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(metadata.ScopeName)
	ss.Scope().SetVersion(s.scopeVersion)
	s.byProcess[key] = ss.Spans()
	return ss.Spans()
}

func (s *spanConverter) fillHTTPSpan(span ptrace.Span, c *call.Call) {
	span.SetTraceID(s.ids.traceID())
	span.SetSpanID(s.ids.spanID())
	span.SetStartTimestamp(pcommon.Timestamp(c.Start))
	span.SetEndTimestamp(pcommon.Timestamp(c.End))
	span.SetKind(ptrace.SpanKindServer)
	if c.Kind == call.KindClient {
		span.SetKind(ptrace.SpanKindClient)
	}
	method, known := normalizeMethod(c.HTTP.Method)
	span.SetName(httpSpanName(method, known, ""))
	putHTTPSpanAttributes(span.Attributes(), c, method, known)
	if isError(c) {
		span.Status().SetCode(ptrace.StatusCodeError)
	}
}

// httpSpanName is "{method} {route}", or "{method}" without a route, with
// "HTTP" standing for methods that are not known.
func httpSpanName(method string, known bool, route string) string {
	if !known {
		method = spanNameOther
	}
	if route == "" {
		return method
	}
	return method + " " + route
}

func putHTTPSpanAttributes(attrs pcommon.Map, c *call.Call, method string, known bool) {
	h := &c.HTTP
	attrs.EnsureCapacity(14)
	attrs.PutStr(string(semconv.HTTPRequestMethodKey), method)
	if !known {
		attrs.PutStr(string(semconv.HTTPRequestMethodOriginalKey), h.Method)
	}
	putNonEmpty(attrs, string(semconv.URLPathKey), h.Path)
	attrs.PutStr(string(semconv.URLSchemeKey), schemeHTTP)
	if h.Status > 0 {
		attrs.PutInt(string(semconv.HTTPResponseStatusCodeKey), int64(h.Status))
	}
	server := serverOf(c)
	putNonEmpty(attrs, string(semconv.ServerAddressKey), server.address())
	if server.port != 0 {
		attrs.PutInt(string(semconv.ServerPortKey), int64(server.port))
	}
	putPeerAttributes(attrs, c)
	putNonEmpty(attrs, string(semconv.NetworkProtocolVersionKey), h.Version)
	putNonEmpty(attrs, string(semconv.UserAgentOriginalKey), h.UserAgent)
	if h.Status > 0 && h.ResponseBodySize >= 0 {
		attrs.PutInt(string(semconv.HTTPResponseBodySizeKey), h.ResponseBodySize)
	}
	if isError(c) {
		attrs.PutStr(string(semconv.ErrorTypeKey), errorType(h.Status))
	}
}

// putPeerAttributes writes the other end of the connection; on a server it
// is also the client.
func putPeerAttributes(attrs pcommon.Map, c *call.Call) {
	if !c.Peer.IsValid() {
		return
	}
	peer := c.Peer.Addr().Unmap().String()
	if c.Kind == call.KindServer {
		attrs.PutStr(string(semconv.ClientAddressKey), peer)
	}
	attrs.PutStr(string(semconv.NetworkPeerAddressKey), peer)
	attrs.PutInt(string(semconv.NetworkPeerPortKey), int64(c.Peer.Port()))
}

// errorType is error.type of a failed call: the status code, or "_OTHER"
// when no response was seen.
func errorType(status int) string {
	if status == 0 {
		return errorOther
	}
	return strconv.Itoa(status)
}

// idGenerator makes random trace and span IDs from a ChaCha8 stream seeded
// by the operating system: cryptographic quality, no lock and no allocation.
// It is owned by one goroutine.
type idGenerator struct{ rng *rand.ChaCha8 }

func newIDGenerator() idGenerator {
	var seed [32]byte
	_, _ = cryptorand.Read(seed[:]) // never fails since Go 1.24
	return idGenerator{rng: rand.NewChaCha8(seed)}
}

func (g idGenerator) traceID() pcommon.TraceID {
	var id pcommon.TraceID
	for id.IsEmpty() {
		binary.LittleEndian.PutUint64(id[:8], g.rng.Uint64())
		binary.LittleEndian.PutUint64(id[8:], g.rng.Uint64())
	}
	return id
}

func (g idGenerator) spanID() pcommon.SpanID {
	var id pcommon.SpanID
	for id.IsEmpty() {
		binary.LittleEndian.PutUint64(id[:], g.rng.Uint64())
	}
	return id
}
