//go:build linux

package ebpfreceiver

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/ebpfreceiver/ebpfreceiver/internal/peers"
)

// Queue time against what clients waited: servers with one worker, each
// request taking queueWork, and queueClients curl processes each fetching
// queuePerClient URLs in turn, so that requests wait for the worker: in
// the accept queue (python's single-threaded http.server, a Go server that
// accepts a connection only when its worker is free) or unread in their
// keep-alive connections' sockets (node, whose handler holds the event
// loop).
const (
	queueWork      = 20 * time.Millisecond
	queueClients   = 4
	queuePerClient = 6
	// A span's queue time may be queueTolerance plus queueToleranceShare
	// of its client's wait away from what the client waited minus the
	// span's processing time: the client's own bookkeeping and the
	// response's way back, plus scheduling on a shared machine, which
	// grows with the wait (four curl processes, a server and the
	// collector share two cores: a cold curl has been seen 4 ms late). A
	// queue time that missed the accept queue, or the wait behind one
	// other request, is off by queueWork or more.
	queueTolerance      = 5 * time.Millisecond
	queueToleranceShare = 0.05
	// processingSlack bounds how much longer than queueWork a request's
	// processing may take: parsing and writing it, and scheduling.
	processingSlack = 10 * time.Millisecond
)

func TestQueueTimeMatchesClients(t *testing.T) {
	servers := []struct {
		name  string
		glob  string
		start func(t *testing.T) *peers.Server
	}{
		{"python http.server", "*python3*", func(t *testing.T) *peers.Server { return peers.PythonQueueServer(t, queueWork) }},
		{"go one worker", peers.GoProgramGlob(), func(t *testing.T) *peers.Server { return peers.GoQueueServer(t, 1, queueWork) }},
		{"node keep-alive", "*/node", func(t *testing.T) *peers.Server { return peers.NodeQueueServer(t, queueWork) }},
	}
	for _, sv := range servers {
		t.Run(sv.name, func(t *testing.T) {
			c := startCapture(t, nil, sv.glob)
			srv := sv.start(t)
			// A first request pays for the server's cold start, not
			// for its worker being busy.
			peers.Curl(t, "-o", "/dev/null", "http://127.0.0.1:"+strconv.Itoa(srv.Port)+"/warm")
			waits := fetchConcurrently(t, srv.Port)
			spans := c.waitSpans(t, len(waits)+1, func(s span) bool {
				return s.kind == ptrace.SpanKindServer && s.pid == int64(srv.PID)
			})
			loaded := filterSpans(spans, func(s span) bool { return strings.HasPrefix(s.path(), "/q/") })
			checkQueueTimes(t, loaded, waits, srv.Port)
			checkQueueHistogram(t, c, srv.PID, spans)
		})
	}
}

// fetchConcurrently runs the clients against the server on port and
// returns what each request waited, by URL.
func fetchConcurrently(t *testing.T, port int) map[string]time.Duration {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	waits := map[string]time.Duration{}
	for k := range queueClients {
		urls := make([]string, queuePerClient)
		for i := range urls {
			urls[i] = fmt.Sprintf("http://127.0.0.1:%d/q/%d/%d", port, k, i)
		}
		wg.Go(func() {
			got := peers.CurlWaits(t, urls)
			mu.Lock()
			defer mu.Unlock()
			for u, d := range got {
				waits[u] = d
			}
		})
	}
	wg.Wait()
	return waits
}

// checkQueueTimes checks each server span against its client's wait: it
// starts when the request began to wait, marks where processing began,
// the processing takes the handler's time, and the queue time is what
// the client waited beyond it.
func checkQueueTimes(t *testing.T, spans []span, waits map[string]time.Duration, port int) {
	t.Helper()
	var queues []time.Duration
	for _, s := range spans {
		url := "http://127.0.0.1:" + strconv.Itoa(port) + s.path()
		wait, ok := waits[url]
		if !ok {
			t.Fatalf("span for %s, which no client fetched", s.path())
		}
		in, hasIn := s.events[queueEventQueued]
		processing, hasProcessing := s.events[queueEventProcessing]
		if !hasIn || !hasProcessing {
			t.Errorf("%s: events %v, want %q and %q", s.path(), s.events, queueEventQueued, queueEventProcessing)
			continue
		}
		queue, work := processing.Sub(s.start), s.end.Sub(processing)
		t.Logf("%s: client waited %v; span: queue %v, processing %v", s.path(), wait, queue, work)
		if !in.Equal(s.start) || queue < 0 {
			t.Errorf("%s: span starts at %v, %q at %v, %q at %v", s.path(), s.start, queueEventQueued, in, queueEventProcessing, processing)
		}
		if work < queueWork-time.Millisecond || work > queueWork+processingSlack {
			t.Errorf("%s: processing took %v, the handler %v", s.path(), work, queueWork)
		}
		tolerance := queueTolerance + time.Duration(queueToleranceShare*float64(wait))
		if d := queue - (wait - work); d < -tolerance || d > tolerance {
			t.Errorf("%s: queue time %v, but the client waited %v, %v beyond processing", s.path(), queue, wait, wait-work)
		}
		queues = append(queues, queue)
	}
	// One worker and queueClients clients: most requests wait for others.
	slices.Sort(queues)
	if len(queues) > 0 && queues[len(queues)/2] < queueWork {
		t.Errorf("median queue time %v: the requests did not wait for the worker (%v each)", queues[len(queues)/2], queueWork)
	}
}

// queueTime is the queue time a server span shows: from its start to its
// processing event.
func queueTime(s span) (time.Duration, bool) {
	processing, ok := s.events[queueEventProcessing]
	return processing.Sub(s.start), ok
}

// checkQueueHistogram checks the queue time histogram of process pid
// against its server spans' queue times: one observation each, and their
// sum.
func checkQueueHistogram(t *testing.T, c *captured, pid int, spans []span) {
	t.Helper()
	var want time.Duration
	n := 0
	for _, s := range spans {
		if q, ok := queueTime(s); ok {
			want += q
			n++
		}
	}
	c.waitHistogramCount(t, httpQueueMetric, pid, uint64(n))
	var sum float64
	all := c.metrics.AllMetrics()
	for _, rm := range all[len(all)-1].ResourceMetrics().All() {
		if p, _ := rm.Resource().Attributes().Get("process.pid"); p.Int() != int64(pid) {
			continue
		}
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() != httpQueueMetric || m.Type() != pmetric.MetricTypeHistogram {
					continue
				}
				for _, dp := range m.Histogram().DataPoints().All() {
					sum += dp.Sum()
					if route, _ := dp.Attributes().Get("http.route"); route.Str() == "" {
						t.Errorf("queue time series without http.route: %v", dp.Attributes().AsRaw())
					}
				}
			}
		}
	}
	if got := time.Duration(sum * float64(time.Second)); got < want-time.Millisecond || got > want+time.Millisecond {
		t.Errorf("%s sums %v, the spans' queue times %v", httpQueueMetric, got, want)
	}
}
