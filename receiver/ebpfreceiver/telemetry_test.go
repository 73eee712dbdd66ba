package ebpfreceiver

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/ebpfreceiver/ebpfreceiver/internal/engine"
	"github.com/ebpfreceiver/ebpfreceiver/receiver/ebpfreceiver/internal/metadatatest"
)

func TestSelfTelemetry(t *testing.T) {
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	engines := &fakeEngines{stats: engine.Stats{
		LostSamples:    7,
		LostRequests:   3,
		DecodeErrors:   map[string]uint64{"http1": 3},
		CallsEmitted:   100,
		CallsDropped:   2,
		ProbesAttached: 20,
		ProbesFailed:   1,
		CallsIgnored:   4,

		EncryptedSkipped:    6,
		DBServerSessions:    8,
		TLSUndecoded:        12,
		HeaderFieldsUnknown: 9,
		HeaderTablesLost:    10,
		StreamsUnidentified: 11,
	}}
	f := engines.factory()
	r, err := f.CreateMetrics(context.Background(), metadatatest.NewSettings(tt), testConfig(f), consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, r.Shutdown(context.Background())) }()
	r.(*sharedHandle).rcv.drops.queueFull.Add(5)

	noTime := []metricdatatest.Option{metricdatatest.IgnoreTimestamp()}
	one := func(v int64, attrs ...attribute.KeyValue) []metricdata.DataPoint[int64] {
		return []metricdata.DataPoint[int64]{{Value: v, Attributes: attribute.NewSet(attrs...)}}
	}
	metadatatest.AssertEqualEbpfLostSamples(t, tt, one(7), noTime...)
	metadatatest.AssertEqualEbpfDecodeErrors(t, tt, one(3, attribute.String("protocol", "http1")), noTime...)
	metadatatest.AssertEqualEbpfCallsEmitted(t, tt, one(100), noTime...)
	metadatatest.AssertEqualEbpfCallsDropped(t, tt, one(2), noTime...)
	metadatatest.AssertEqualEbpfProbesAttached(t, tt, one(20), noTime...)
	metadatatest.AssertEqualEbpfProbesFailed(t, tt, one(1), noTime...)
	metadatatest.AssertEqualEbpfMetricOverflow(t, tt, one(0), noTime...)
	metadatatest.AssertEqualEbpfCallsIgnored(t, tt, one(4), noTime...)
	metadatatest.AssertEqualEbpfRequestsLost(t, tt, one(3), noTime...)
	metadatatest.AssertEqualEbpfConnectionsSkipped(t, tt, []metricdata.DataPoint[int64]{
		{Value: 6, Attributes: attribute.NewSet(attribute.String("reason", "encrypted"))},
		{Value: 8, Attributes: attribute.NewSet(attribute.String("reason", "database_server"))},
		{Value: 12, Attributes: attribute.NewSet(attribute.String("reason", "tls_undecoded"))},
	}, noTime...)
	metadatatest.AssertEqualEbpfHTTP2Unknown(t, tt, []metricdata.DataPoint[int64]{
		{Value: 9, Attributes: attribute.NewSet(attribute.String("item", "header_field"))},
		{Value: 10, Attributes: attribute.NewSet(attribute.String("item", "header_table"))},
		{Value: 11, Attributes: attribute.NewSet(attribute.String("item", "stream"))},
	}, noTime...)
	metadatatest.AssertEqualEbpfSpansDropped(t, tt, []metricdata.DataPoint[int64]{
		{Value: 5, Attributes: attribute.NewSet(attribute.String("reason", "queue_full"))},
		{Value: 0, Attributes: attribute.NewSet(attribute.String("reason", "export_failed"))},
	}, noTime...)
}
