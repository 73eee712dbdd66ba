package report

import (
	"fmt"
	"io"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// queue writes the queue time section: one row per load, what the
// receiver's histograms say the requests waited and took, beside what the
// load generator saw.
func queue(w io.Writer, s *result.Suite) {
	if len(s.Queue) == 0 {
		return
	}
	first := s.Queue[0]
	fmt.Fprintln(w, "## Queue time under load")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "A node server whose handler holds the event loop for %s per request (one worker: capacity\n", usec(first.Work))
	fmt.Fprintf(w, "%s req/s), loaded at fixed rates over %d keep-alive connections, the receiver capturing it\n",
		count(float64(1e9)/float64(first.Work)), s.Settings.QueueConns)
	fmt.Fprintln(w, "with queue time on. Queue time and processing are the means of the receiver's")
	fmt.Fprintln(w, "`ebpf.http.server.request.queue.duration` and `http.server.request.duration` over the")
	fmt.Fprintln(w, "window; the client's p50 is the load generator's, from each request's scheduled send.")
	fmt.Fprintln(w)
	t := newTable(w, "offered req/s", "achieved req/s", "requests", "with a queue time", "mean queue time", "mean processing", "client p50", "sends >1 ms late")
	for _, r := range s.Queue {
		t.row(count(r.TargetRPS), count(r.Window.RPS), count(float64(r.Requests)), count(float64(r.Queued)),
			usec(r.MeanQueue), usec(r.MeanDuration), usec(r.Window.P50), count(float64(r.Window.Late)))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Past capacity a request's queue time is bounded by the requests ahead of it on the other")
	fmt.Fprintln(w, "connections (at most connections − 1 times the work); the rest of the client's latency is")
	fmt.Fprintln(w, "requests the load generator could not send yet, every connection being busy, which no")
	fmt.Fprintln(w, "server-side measure sees.")
	fmt.Fprintln(w)
}
