// Package sink is the OTLP/HTTP endpoint of `make bench` and its client:
// the handler accepts protobuf export requests on /v1/traces and
// /v1/metrics, counts the spans and metric data points in them and throws
// them away, keeping only what each histogram's data points add up to;
// GET /counts answers with the counts and totals since the last POST
// /reset.
package sink

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/otlpcount"
)

// maxBody bounds one export request.
const maxBody = 64 << 20

// Sink holds the counts since the last reset.
type Sink struct {
	spans, dataPoints             atomic.Int64
	traceRequests, metricRequests atomic.Int64
	badRequests                   atomic.Int64
	buffers                       sync.Pool
	mu                            sync.Mutex
	histograms                    map[string]otlpcount.Total // by metric name
}

// Counts is the JSON document GET /counts answers with.
type Counts struct {
	Spans          int64 `json:"spans"`
	DataPoints     int64 `json:"data_points"`
	TraceRequests  int64 `json:"trace_requests"`
	MetricRequests int64 `json:"metric_requests"`
	BadRequests    int64 `json:"bad_requests"`
	// Histograms are the counts and sums of the histograms' data points,
	// by metric name: with delta temporality, of the observations since
	// the reset.
	Histograms map[string]otlpcount.Total `json:"histograms"`
}

// Equal tells whether c and o are the same counts and totals.
func (c Counts) Equal(o Counts) bool {
	return c.Spans == o.Spans && c.DataPoints == o.DataPoints && c.TraceRequests == o.TraceRequests &&
		c.MetricRequests == o.MetricRequests && c.BadRequests == o.BadRequests && maps.Equal(c.Histograms, o.Histograms)
}

// New returns a sink with every count at zero.
func New() *Sink {
	return &Sink{buffers: sync.Pool{New: func() any { return new(bytes.Buffer) }}, histograms: map[string]otlpcount.Total{}}
}

// Handler serves the export and the control endpoints.
func (s *Sink) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", s.export(otlpcount.Spans, &s.spans, &s.traceRequests))
	mux.HandleFunc("POST /v1/metrics", s.export(s.metrics, &s.dataPoints, &s.metricRequests))
	mux.HandleFunc("GET /counts", s.counts)
	mux.HandleFunc("POST /reset", s.reset)
	return mux
}

// export returns a handler that counts the items of one signal with
// countFn and answers with an empty (fully successful) export response.
func (s *Sink) export(countFn func([]byte) (int, error), items, requests *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		buf := s.buffers.Get().(*bytes.Buffer)
		defer s.buffers.Put(buf)
		buf.Reset()
		n, err := s.count(buf, r, countFn)
		if err != nil {
			s.badRequests.Add(1)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		items.Add(int64(n))
		requests.Add(1)
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	}
}

// count reads the (possibly gzip-compressed) body into buf and counts it.
func (s *Sink) count(buf *bytes.Buffer, r *http.Request, countFn func([]byte) (int, error)) (int, error) {
	var body io.Reader = http.MaxBytesReader(nil, r.Body, maxBody)
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(body)
		if err != nil {
			return 0, fmt.Errorf("read gzip body: %w", err)
		}
		defer zr.Close()
		body = io.LimitReader(zr, maxBody)
	}
	if _, err := buf.ReadFrom(body); err != nil {
		return 0, fmt.Errorf("read body: %w", err)
	}
	return countFn(buf.Bytes())
}

// metrics counts the data points of a metrics export request and adds
// its histograms to the totals.
func (s *Sink) metrics(req []byte) (int, error) {
	n, err := otlpcount.DataPoints(req)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return n, otlpcount.HistogramTotals(req, s.histograms)
}

func (s *Sink) counts(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	histograms := maps.Clone(s.histograms)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(Counts{
		Spans: s.spans.Load(), DataPoints: s.dataPoints.Load(),
		TraceRequests: s.traceRequests.Load(), MetricRequests: s.metricRequests.Load(),
		BadRequests: s.badRequests.Load(), Histograms: histograms,
	})
}

func (s *Sink) reset(w http.ResponseWriter, _ *http.Request) {
	for _, c := range []*atomic.Int64{&s.spans, &s.dataPoints, &s.traceRequests, &s.metricRequests, &s.badRequests} {
		c.Store(0)
	}
	s.mu.Lock()
	clear(s.histograms)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}
