package ebpfreceiver // import "github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver"

import (
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/messagingconv"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// msgDurationBounds are the bucket boundaries, in seconds, of
// messaging.client.operation.duration as the semantic conventions advise.
var msgDurationBounds = [...]float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// The values of messaging.operation.type.
var (
	msgOperationSend    = semconv.MessagingOperationTypeSend.Value.AsString()
	msgOperationReceive = semconv.MessagingOperationTypeReceive.Value.AsString()
)

// msgSeriesKey is the series of a messaging call: the server is the
// broker, the operation type is in status. The partition and the client
// id are never part of it: either would multiply the series.
func msgSeriesKey(c *call.Call) seriesKey {
	m := &c.Msg
	return seriesKey{
		kind: c.Kind, msg: true, status: uint16(m.Type), server: peerServerOf(c),
		op: opKey{system: m.System, operation: m.Operation, target: m.Destination, errorCode: m.ErrorCode},
	}
}

// msgBrokerOf is the broker of a messaging call: the other end.
func msgBrokerOf(c *call.Call) serverEndpoint {
	return serverEndpoint{addr: c.Peer.Addr().Unmap(), port: c.Peer.Port()}
}

// msgOperationType is messaging.operation.type; empty when not seen.
func msgOperationType(t call.MessagingType) string {
	switch t {
	case call.MessagingSend:
		return msgOperationSend
	case call.MessagingReceive:
		return msgOperationReceive
	}
	return ""
}

// fillMsgSpan writes a messaging call as a span named by its operation and
// destination: PRODUCER for a send, CLIENT for a pull.
func (s *spanConverter) fillMsgSpan(span ptrace.Span, c *call.Call) {
	s.startSpan(span, c)
	span.SetKind(ptrace.SpanKindClient)
	if c.Msg.Type == call.MessagingSend {
		span.SetKind(ptrace.SpanKindProducer)
	}
	span.SetName(msgSpanName(&c.Msg))
	var attrs attrList
	s.collectMsgAttributes(&attrs, c)
	attrs.writeTo(span.Attributes())
	if c.Msg.ErrorCode != "" {
		span.Status().SetCode(ptrace.StatusCodeError)
	}
}

// msgSpanName is "{operation} {destination}", or the operation alone when
// it addressed several destinations or an unknown one, else the system.
func msgSpanName(m *call.Messaging) string {
	switch {
	case m.Operation == "":
		return m.System
	case m.Destination == "":
		return m.Operation
	}
	return m.Operation + " " + m.Destination
}

// collectMsgAttributes gathers the attributes of a messaging span in a.
// Every operation of the Kafka protocol carries a batch, so the message
// count is set whenever it is known, even for one message.
func (s *spanConverter) collectMsgAttributes(a *attrList, c *call.Call) {
	m := &c.Msg
	a.str(string(semconv.MessagingSystemKey), m.System)
	a.str(string(semconv.MessagingOperationNameKey), m.Operation)
	a.str(string(semconv.MessagingOperationTypeKey), msgOperationType(m.Type))
	a.str(string(semconv.MessagingDestinationNameKey), m.Destination)
	if m.Partition >= 0 {
		a.str(string(semconv.MessagingDestinationPartitionIDKey), strconv.FormatInt(int64(m.Partition), 10))
	}
	a.str(string(semconv.MessagingClientIDKey), m.ClientID)
	if m.Messages >= 0 {
		a.int(string(semconv.MessagingBatchMessageCountKey), m.Messages)
	}
	a.str(string(semconv.ErrorTypeKey), m.ErrorCode)
	s.collectServer(a, peerServerOf(c))
	s.collectPeerAttributes(a, c)
}

// msgDataPoints returns the data points of
// messaging.client.operation.duration, adding the metric on first use.
func (m *metricConverter) msgDataPoints(pm *processMetrics) pmetric.HistogramDataPointSlice {
	if !pm.hasMsg {
		d := messagingconv.ClientOperationDuration{}
		pm.msg, pm.hasMsg = m.addHistogram(pm.scope, d.Name(), d.Unit(), d.Description()), true
	}
	return pm.msg
}

// putMsgSeriesAttributes writes the attribute set of a messaging series,
// laid out as msgSeriesKey says.
func putMsgSeriesAttributes(attrs pcommon.Map, k *seriesKey) {
	attrs.EnsureCapacity(7)
	putNonEmpty(attrs, string(semconv.MessagingSystemKey), k.op.system)
	putNonEmpty(attrs, string(semconv.MessagingOperationNameKey), k.op.operation)
	putNonEmpty(attrs, string(semconv.MessagingOperationTypeKey), msgOperationType(call.MessagingType(k.status)))
	putNonEmpty(attrs, string(semconv.MessagingDestinationNameKey), k.op.target)
	putNonEmpty(attrs, string(semconv.ErrorTypeKey), k.op.errorCode)
	putServer(attrs, k.server)
}
