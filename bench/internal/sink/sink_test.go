package sink

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/otlpcount"
)

func TestSinkCountsAndResets(t *testing.T) {
	srv := httptest.NewServer(New().Handler())
	defer srv.Close()

	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for range 3 {
		spans.AppendEmpty().SetName("GET")
	}
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	post(t, srv.URL+"/v1/traces", body, "")
	post(t, srv.URL+"/v1/traces", gzipped(t, body), "gzip")
	if got := counts(t, srv.URL); got.Spans != 6 || got.TraceRequests != 2 {
		t.Errorf("counts = %+v, want 6 spans in 2 requests", got)
	}

	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("queue")
	dp := m.SetEmptyHistogram().DataPoints().AppendEmpty()
	dp.SetCount(4)
	dp.SetSum(0.5)
	mbody, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	post(t, srv.URL+"/v1/metrics", mbody, "")
	post(t, srv.URL+"/v1/metrics", mbody, "")
	if got := counts(t, srv.URL).Histograms["queue"]; got.Count != 8 || got.Sum != 1 {
		t.Errorf("queue histogram totals %+v, want 8 observations summing to 1", got)
	}

	post(t, srv.URL+"/reset", nil, "")
	if got := counts(t, srv.URL); !got.Equal(Counts{Histograms: map[string]otlpcount.Total{}}) {
		t.Errorf("counts after reset = %+v, want zero", got)
	}
}

func post(t *testing.T, url string, body []byte, encoding string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %s", url, resp.Status)
	}
}

func counts(t *testing.T, base string) Counts {
	t.Helper()
	resp, err := http.Get(base + "/counts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c Counts
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
