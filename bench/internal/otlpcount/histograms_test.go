package otlpcount

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
)

// TestHistogramTotals checks the wire walk against a request pdata
// encodes: one histogram in two resources and two data points, another
// histogram, and a gauge that must be left out.
func TestHistogramTotals(t *testing.T) {
	md := pmetric.NewMetrics()
	for r := range 2 {
		sm := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty()
		m := sm.Metrics().AppendEmpty()
		m.SetName("queue")
		h := m.SetEmptyHistogram()
		for i := range 2 {
			dp := h.DataPoints().AppendEmpty()
			dp.SetCount(uint64(10*r + i + 1))
			dp.SetSum(float64(r) + 0.5)
			dp.Attributes().PutStr("http.route", "/x")
			dp.BucketCounts().FromRaw([]uint64{1, 2})
			dp.ExplicitBounds().FromRaw([]float64{0.1})
		}
		other := sm.Metrics().AppendEmpty()
		other.SetName("duration")
		dp := other.SetEmptyHistogram().DataPoints().AppendEmpty()
		dp.SetCount(3)
		dp.SetSum(0.25)
		g := sm.Metrics().AppendEmpty()
		g.SetName("gauge")
		g.SetEmptyGauge().DataPoints().AppendEmpty().SetIntValue(7)
	}
	body, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	totals := map[string]Total{}
	if err := HistogramTotals(body, totals); err != nil {
		t.Fatal(err)
	}
	want := map[string]Total{"queue": {Count: 1 + 2 + 11 + 12, Sum: 0.5 + 0.5 + 1.5 + 1.5}, "duration": {Count: 6, Sum: 0.5}}
	if len(totals) != len(want) || totals["queue"] != want["queue"] || totals["duration"] != want["duration"] {
		t.Errorf("totals %v, want %v", totals, want)
	}
}
