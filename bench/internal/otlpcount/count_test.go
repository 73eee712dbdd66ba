package otlpcount

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// TestSpans checks the wire walk against requests pdata encodes: two
// resources, three scopes, six spans with attributes and events that the
// walk must skip.
func TestSpans(t *testing.T) {
	td := ptrace.NewTraces()
	for r, scopes := range [][]int{{2, 1}, {3}} {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "svc")
		for _, spans := range scopes {
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName("scope")
			for i := range spans {
				s := ss.Spans().AppendEmpty()
				s.SetName("GET /json")
				s.Attributes().PutInt("n", int64(r*10+i))
				s.Events().AppendEmpty().SetName("event")
			}
		}
	}
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Spans(body); err != nil || got != 6 {
		t.Errorf("Spans = %d, %v; want 6", got, err)
	}
}

func TestDataPoints(t *testing.T) {
	md := pmetric.NewMetrics()
	sm := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty()
	h := sm.Metrics().AppendEmpty()
	h.SetName("http.server.request.duration")
	hist := h.SetEmptyHistogram()
	for range 3 {
		dp := hist.DataPoints().AppendEmpty()
		dp.ExplicitBounds().FromRaw([]float64{0.005, 0.01})
		dp.BucketCounts().FromRaw([]uint64{1, 2, 3})
	}
	sum := sm.Metrics().AppendEmpty()
	sum.SetName("requests")
	sum.SetEmptySum().DataPoints().AppendEmpty().SetIntValue(7)
	sm.Metrics().AppendEmpty().SetEmptyGauge().DataPoints().AppendEmpty().SetDoubleValue(1)
	sm.Metrics().AppendEmpty().SetEmptyExponentialHistogram().DataPoints().AppendEmpty()
	sm.Metrics().AppendEmpty().SetEmptySummary().DataPoints().AppendEmpty()

	body, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := DataPoints(body); err != nil || got != 7 {
		t.Errorf("DataPoints = %d, %v; want 7", got, err)
	}
}

func TestMalformed(t *testing.T) {
	// Field 1, length 10, but only two bytes follow.
	bad := []byte{0x0a, 0x0a, 0x01, 0x02}
	if _, err := Spans(bad); err == nil {
		t.Error("Spans of a truncated message returned no error")
	}
	if _, err := DataPoints(bad); err == nil {
		t.Error("DataPoints of a truncated message returned no error")
	}
	if n, err := Spans(nil); err != nil || n != 0 {
		t.Errorf("Spans(nil) = %d, %v; want 0", n, err)
	}
}
