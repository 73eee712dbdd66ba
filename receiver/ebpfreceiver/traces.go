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
	addrs        *addrNames
	optIn        optIn // opt-in attributes switched on
}

func newSpanConverter(host hostInfo, scopeVersion string) *spanConverter {
	return &spanConverter{
		resources:    newResourceBuilder(host),
		scopeVersion: scopeVersion,
		ids:          newIDGenerator(),
		byProcess:    make(map[processKey]ptrace.SpanSlice),
		addrs:        newAddrNames(),
	}
}

// convert builds the spans of calls; calls of protocols without a span
// mapping are skipped. Consecutive calls of one process, the common case,
// find their span slice without a map lookup.
func (s *spanConverter) convert(calls []call.Call) ptrace.Traces {
	td := ptrace.NewTraces()
	clear(s.byProcess)
	var spans ptrace.SpanSlice
	var last processKey
	for i := range calls {
		c := &calls[i]
		family := c.Protocol.Family()
		if family == call.FamilyNone {
			continue
		}
		if key := processKeyOf(c); len(s.byProcess) == 0 || key != last {
			spans, last = s.spansOf(td, c), key
		}
		switch family {
		case call.FamilyDB:
			s.fillDBSpan(spans.AppendEmpty(), c)
		case call.FamilyRPC:
			s.fillRPCSpan(spans.AppendEmpty(), c)
		case call.FamilyMessaging:
			s.fillMsgSpan(spans.AppendEmpty(), c)
		default:
			s.fillHTTPSpan(spans.AppendEmpty(), c)
		}
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
	rs.SetSchemaUrl(schemaURL)
	s.resources.fill(rs.Resource(), c.Process, c.PID)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.SetSchemaUrl(schemaURL)
	ss.Scope().SetName(metadata.ScopeName)
	ss.Scope().SetVersion(s.scopeVersion)
	s.byProcess[key] = ss.Spans()
	return ss.Spans()
}

// startSpan gives span its identity, times and kind: the trace context the
// engine found, or fresh ids when it has none (trace context off).
func (s *spanConverter) startSpan(span ptrace.Span, c *call.Call) {
	if t := &c.Trace; !t.TraceID.IsZero() {
		span.SetTraceID(pcommon.TraceID(t.TraceID))
		span.SetSpanID(pcommon.SpanID(t.SpanID))
		span.SetParentSpanID(pcommon.SpanID(t.ParentID))
		span.SetFlags(uint32(t.Flags))
		span.TraceState().FromRaw(t.State)
	} else {
		span.SetTraceID(s.ids.traceID())
		span.SetSpanID(s.ids.spanID())
	}
	span.SetStartTimestamp(pcommon.Timestamp(spanStart(c)))
	span.SetEndTimestamp(pcommon.Timestamp(c.End))
	span.SetKind(ptrace.SpanKindServer)
	if c.Kind == call.KindClient {
		span.SetKind(ptrace.SpanKindClient)
	}
	addQueueEvents(span, c)
}

func (s *spanConverter) fillHTTPSpan(span ptrace.Span, c *call.Call) {
	s.startSpan(span, c)
	method, known := normalizeMethod(c.HTTP.Method)
	span.SetName(httpSpanName(method, known, httpSpanTarget(c)))
	var attrs attrList // on the stack: filling it needs no GC write barrier
	s.collectHTTPAttributes(&attrs, c, method, known)
	attrs.writeTo(span.Attributes())
	if isError(c) {
		span.Status().SetCode(ptrace.StatusCodeError)
	}
}

// httpSpanName is "{method} {target}", or "{method}" without a target, with
// "HTTP" standing for methods that are not known.
func httpSpanName(method string, known bool, target string) string {
	if !known {
		method = spanNameOther
	}
	if target == "" {
		return method
	}
	return method + " " + target
}

// httpSpanTarget is the {target} of an HTTP span name: http.route on a
// server; none on a client, which knows no url.template.
func httpSpanTarget(c *call.Call) string {
	if c.Kind == call.KindClient {
		return ""
	}
	return c.HTTP.Route
}

// collectHTTPAttributes gathers the attributes of an HTTP span in a.
func (s *spanConverter) collectHTTPAttributes(a *attrList, c *call.Call, method string, known bool) {
	h := &c.HTTP
	a.str(string(semconv.HTTPRequestMethodKey), method)
	if !known {
		a.str(string(semconv.HTTPRequestMethodOriginalKey), h.Method)
	}
	server := serverOf(c)
	s.collectURLAttributes(a, c, server)
	if h.Status > 0 {
		a.int(string(semconv.HTTPResponseStatusCodeKey), int64(h.Status))
	}
	s.collectServer(a, server)
	s.collectPeerAttributes(a, c)
	a.str(string(semconv.NetworkProtocolVersionKey), h.Version)
	if c.Kind == call.KindServer || s.optIn.clientUserAgent {
		a.str(string(semconv.UserAgentOriginalKey), h.UserAgent)
	}
	if s.optIn.httpResponseBodySize && h.Status > 0 && h.ResponseBodySize >= 0 {
		a.int(string(semconv.HTTPResponseBodySizeKey), h.ResponseBodySize)
	}
	if isError(c) {
		a.str(string(semconv.ErrorTypeKey), errorType(h.Status))
	}
}

// collectPeerAttributes gathers the other end of the connection in a; on a
// server it is also the client.
func (s *spanConverter) collectPeerAttributes(a *attrList, c *call.Call) {
	if !c.Peer.IsValid() {
		return
	}
	peer := s.addrs.name(c.Peer.Addr().Unmap())
	if c.Kind == call.KindServer {
		a.str(string(semconv.ClientAddressKey), peer)
	}
	a.str(string(semconv.NetworkPeerAddressKey), peer)
	a.int(string(semconv.NetworkPeerPortKey), int64(c.Peer.Port()))
}

// serverAddress renders server.address; empty when nothing is known.
func (s *spanConverter) serverAddress(e serverEndpoint) string {
	if e.host == "" && e.addr.IsValid() {
		return s.addrs.name(e.addr)
	}
	return e.address()
}

// errorType is error.type of a failed call: the status code, or "_OTHER"
// when no response was seen.
func errorType(status int) string {
	switch {
	case status == 0:
		return errorOther
	case status >= firstErrorStatus && status < firstErrorStatus+len(errorStatusNames):
		return errorStatusNames[status-firstErrorStatus]
	default:
		return strconv.Itoa(status)
	}
}

// errorStatusNames are the error.type values of the 4xx and 5xx statuses,
// rendered once rather than per failed call.
var errorStatusNames = func() (names [200]string) {
	for i := range names {
		names[i] = strconv.Itoa(firstErrorStatus + i)
	}
	return names
}()

const firstErrorStatus = 400

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

// urlScheme is the url.scheme of an HTTP call.
func urlScheme(h *call.HTTP) string {
	if h.TLS {
		return schemeHTTPS
	}
	return schemeHTTP
}
