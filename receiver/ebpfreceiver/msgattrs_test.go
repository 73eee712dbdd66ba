package ebpfreceiver

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// msgCall is a Kafka operation of a Go client: a send of three messages to
// one partition of orders, or a poll of it.
func msgCall(start, durNs uint64, t call.MessagingType, code string) call.Call {
	op := "send"
	if t == call.MessagingReceive {
		op = "poll"
	}
	return call.Call{
		Protocol: call.ProtocolKafka, Kind: call.KindClient, Start: start, End: start + durNs,
		PID: 4343, Process: goClient,
		Local: netip.MustParseAddrPort("127.0.0.1:40000"), Peer: netip.MustParseAddrPort("127.0.0.1:9092"),
		Msg: call.Messaging{
			System: "kafka", Operation: op, Type: t, Destination: "orders", Partition: 2,
			ClientID: "producer-1", Messages: 3, ErrorCode: code,
		},
	}
}

func TestMsgSpanName(t *testing.T) {
	for _, tc := range []struct {
		m    call.Messaging
		want string
	}{
		{call.Messaging{System: "kafka", Operation: "send", Destination: "orders"}, "send orders"},
		{call.Messaging{System: "kafka", Operation: "send"}, "send"},
		{call.Messaging{System: "kafka"}, "kafka"},
	} {
		assert.Equal(t, tc.want, msgSpanName(&tc.m))
	}
}

func TestMsgSpan(t *testing.T) {
	conv := newSpanConverter(testHost, testVersion)
	td := conv.convert([]call.Call{
		msgCall(baseNs, 3*msNs, call.MessagingSend, "UNKNOWN_TOPIC_OR_PARTITION"),
		msgCall(baseNs, msNs, call.MessagingReceive, ""),
	})
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	require.Equal(t, 2, spans.Len())
	send, poll := spans.At(0), spans.At(1)
	assert.Equal(t, map[string]any{
		"messaging.system": "kafka", "messaging.operation.name": "send", "messaging.operation.type": "send",
		"messaging.destination.name": "orders", "messaging.destination.partition.id": "2",
		"messaging.client.id": "producer-1", "messaging.batch.message_count": int64(3),
		"error.type": "UNKNOWN_TOPIC_OR_PARTITION", "server.address": "127.0.0.1", "server.port": int64(9092),
		"network.peer.address": "127.0.0.1", "network.peer.port": int64(9092),
	}, send.Attributes().AsRaw())
	assert.Equal(t, "send orders", send.Name())
	assert.Equal(t, ptrace.SpanKindProducer, send.Kind())
	assert.Equal(t, ptrace.StatusCodeError, send.Status().Code())
	assert.Equal(t, "poll orders", poll.Name())
	assert.Equal(t, ptrace.SpanKindClient, poll.Kind())
	assert.Equal(t, ptrace.StatusCodeUnset, poll.Status().Code())
	typ, _ := poll.Attributes().Get("messaging.operation.type")
	assert.Equal(t, "receive", typ.Str())
	_, failed := poll.Attributes().Get("error.type")
	assert.False(t, failed, "successful poll marked as failed")
}

func TestMsgSpanLeavesOutUnknowns(t *testing.T) {
	c := msgCall(baseNs, msNs, call.MessagingReceive, "")
	c.Msg.Destination, c.Msg.Partition, c.Msg.ClientID, c.Msg.Messages = "", -1, "", -1
	td := newSpanConverter(testHost, testVersion).convert([]call.Call{c})
	attrs := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	for _, k := range []string{
		"messaging.destination.name", "messaging.destination.partition.id",
		"messaging.client.id", "messaging.batch.message_count",
	} {
		_, has := attrs.Get(k)
		assert.False(t, has, k)
	}
}

func TestMsgHistogram(t *testing.T) {
	agg := newAggregator(false, baseNs)
	for _, d := range []uint64{msNs, 7 * msNs, 20 * msNs, 20 * msNs} {
		c := msgCall(baseNs, d, call.MessagingSend, "")
		c.Msg.Partition = int32(d % 5) // never a series of its own
		agg.record(&c)
	}
	failed := msgCall(baseNs, 2*secNs, call.MessagingSend, "UNKNOWN_TOPIC_OR_PARTITION")
	agg.record(&failed)
	md := newMetricConverter(testHost, testVersion, false).convert(agg.collect(baseNs+secNs), baseNs+secNs)
	ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	require.Equal(t, 1, ms.Len())
	assert.Equal(t, "messaging.client.operation.duration", ms.At(0).Name())
	assert.Equal(t, "s", ms.At(0).Unit())
	dps := ms.At(0).Histogram().DataPoints()
	require.Equal(t, 2, dps.Len(), "series: ok and failed")
	for _, dp := range dps.All() {
		checkMsgDataPoint(t, dp)
	}
}

func checkMsgDataPoint(t *testing.T, dp pmetric.HistogramDataPoint) {
	t.Helper()
	assert.Equal(t, msgDurationBounds[:], dp.ExplicitBounds().AsRaw())
	want := map[string]any{
		"messaging.system": "kafka", "messaging.operation.name": "send", "messaging.operation.type": "send",
		"messaging.destination.name": "orders", "server.address": "127.0.0.1", "server.port": int64(9092),
	}
	counts := dp.BucketCounts().AsRaw()
	if code, failed := dp.Attributes().Get("error.type"); failed {
		want["error.type"] = code.Str()
		assert.Equal(t, "UNKNOWN_TOPIC_OR_PARTITION", code.Str())
		assert.Equal(t, uint64(1), dp.Count())
		assert.Equal(t, uint64(1), counts[10], "2s in (1, 2.5]: %v", counts)
	} else {
		assert.Equal(t, uint64(4), dp.Count())
		assert.Equal(t, []uint64{1, 1, 2}, counts[:3], "1ms, 7ms, 20ms twice")
	}
	assert.Equal(t, want, dp.Attributes().AsRaw(), "no partition or client id in a series")
}

func TestMsgOverflowKeepsItsMetric(t *testing.T) {
	agg := newAggregator(false, baseNs)
	const extra = 3
	for i := range defaultSeriesLimit + extra {
		c := msgCall(baseNs, msNs, call.MessagingSend, "")
		c.Msg.Destination = fmt.Sprintf("topic-%d", i)
		agg.record(&c)
	}
	md := newMetricConverter(testHost, testVersion, false).convert(agg.collect(baseNs+secNs), baseNs+secNs)
	ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	require.Equal(t, 1, ms.Len(), "the overflow series stays in messaging.client.operation.duration")
	found := false
	for _, dp := range ms.At(0).Histogram().DataPoints().All() {
		if _, ok := dp.Attributes().Get(overflowAttribute); ok {
			found = true
			assert.Equal(t, uint64(extra), dp.Count())
			assert.Equal(t, msgDurationBounds[:], dp.ExplicitBounds().AsRaw())
		}
	}
	assert.True(t, found, "overflow series exported")
}

func TestMsgRecordDoesNotAllocate(t *testing.T) {
	agg := newAggregator(false, baseNs)
	ok, failed := msgCall(baseNs, msNs, call.MessagingSend, ""), msgCall(baseNs, msNs, call.MessagingReceive, "NOT_LEADER_OR_FOLLOWER")
	agg.record(&ok)
	agg.record(&failed)
	if allocs := testing.AllocsPerRun(1000, func() {
		agg.record(&ok)
		agg.record(&failed)
	}); allocs != 0 {
		t.Errorf("%v allocations per record", allocs)
	}
}
