package ebpfreceiver

import (
	"net/netip"
	"testing"

	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/call"
)

// dbCall is a failed PostgreSQL query of a Go client.
func dbCall(start, durNs uint64, code string) call.Call {
	return call.Call{
		Protocol: call.ProtocolPostgres, Kind: call.KindClient, Start: start, End: start + durNs,
		PID: 4343, Process: goClient,
		Local: netip.MustParseAddrPort("127.0.0.1:40000"), Peer: netip.MustParseAddrPort("127.0.0.1:5432"),
		DB: call.DB{
			System: "postgresql", Namespace: "shop", Operation: "SELECT", Summary: "SELECT users",
			Collection: "users", QueryText: "SELECT * FROM users WHERE id = ?", ErrorCode: code, Rows: -1,
		},
	}
}

func TestDBSpan(t *testing.T) {
	conv := newSpanConverter(testHost, testVersion)
	td := conv.convert([]call.Call{dbCall(baseNs, 3*msNs, "42P01"), dbCall(baseNs, msNs, "")})
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	if spans.Len() != 2 {
		t.Fatalf("%d spans", spans.Len())
	}
	failed, ok := spans.At(0), spans.At(1)
	want := map[string]any{
		"db.system.name": "postgresql", "db.namespace": "shop", "db.operation.name": "SELECT",
		"db.collection.name": "users", "db.query.summary": "SELECT users",
		"db.query.text": "SELECT * FROM users WHERE id = ?", "db.response.status_code": "42P01",
		"error.type": "42P01", "server.address": "127.0.0.1", "server.port": int64(5432),
		"network.peer.address": "127.0.0.1", "network.peer.port": int64(5432),
	}
	if got := failed.Attributes().AsRaw(); len(got) != len(want) {
		t.Errorf("attributes %v, want %v", got, want)
	}
	for k, v := range want {
		if got, _ := failed.Attributes().Get(k); got.AsRaw() != v {
			t.Errorf("%s = %v, want %v", k, got.AsRaw(), v)
		}
	}
	if failed.Name() != "SELECT users" || failed.Kind() != ptrace.SpanKindClient || failed.Status().Code() != ptrace.StatusCodeError {
		t.Errorf("failed span %q %v %v", failed.Name(), failed.Kind(), failed.Status().Code())
	}
	if _, has := ok.Attributes().Get("error.type"); has || ok.Status().Code() == ptrace.StatusCodeError {
		t.Error("successful call marked as failed")
	}
}

func TestDBHistogram(t *testing.T) {
	agg := newAggregator(false, baseNs)
	for _, d := range []uint64{msNs / 2, 3 * msNs, 20 * msNs, 20 * msNs} {
		c := dbCall(baseNs, d, "")
		agg.record(&c)
	}
	failed := dbCall(baseNs, 2*secNs, "42P01")
	agg.record(&failed)
	md := newMetricConverter(testHost, testVersion, false).convert(agg.collect(baseNs+secNs), baseNs+secNs)
	ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	if ms.Len() != 1 || ms.At(0).Name() != "db.client.operation.duration" || ms.At(0).Unit() != "s" {
		t.Fatalf("metrics %d, first %q", ms.Len(), ms.At(0).Name())
	}
	dps := ms.At(0).Histogram().DataPoints()
	if dps.Len() != 2 {
		t.Fatalf("%d series, want 2 (ok and failed)", dps.Len())
	}
	for _, dp := range dps.All() {
		checkDBDataPoint(t, dp)
	}
}

func checkDBDataPoint(t *testing.T, dp pmetric.HistogramDataPoint) {
	t.Helper()
	if got := dp.ExplicitBounds().AsRaw(); len(got) != len(dbDurationBounds) || got[0] != 0.001 || got[8] != 10 {
		t.Errorf("bounds %v", got)
	}
	if _, has := dp.Attributes().Get("db.query.text"); has {
		t.Error("query text in a metric attribute")
	}
	code, failed := dp.Attributes().Get("error.type")
	counts := dp.BucketCounts().AsRaw()
	switch {
	case failed && (code.Str() != "42P01" || dp.Count() != 1 || counts[7] != 1):
		t.Errorf("failed series: %v count %d buckets %v", dp.Attributes().AsRaw(), dp.Count(), counts)
	case !failed && (dp.Count() != 4 || counts[0] != 1 || counts[1] != 1 || counts[3] != 2):
		t.Errorf("ok series: count %d buckets %v", dp.Count(), counts)
	}
	for _, k := range []string{"db.system.name", "db.operation.name", "db.collection.name", "db.namespace", "server.address", "server.port"} {
		if _, has := dp.Attributes().Get(k); !has {
			t.Errorf("series without %s: %v", k, dp.Attributes().AsRaw())
		}
	}
}

func TestDBRecordDoesNotAllocate(t *testing.T) {
	agg := newAggregator(false, baseNs)
	ok, failed := dbCall(baseNs, msNs, ""), dbCall(baseNs, msNs, "42P01")
	agg.record(&ok)
	agg.record(&failed)
	if allocs := testing.AllocsPerRun(1000, func() {
		agg.record(&ok)
		agg.record(&failed)
	}); allocs != 0 {
		t.Errorf("%v allocations per record", allocs)
	}
}
