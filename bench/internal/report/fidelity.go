package report

import (
	"fmt"
	"io"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// fidelity lists, for every window of a configuration that exports spans,
// the spans received against the requests served and the losses the
// exporters counted.
func fidelity(w io.Writer, s *result.Suite) {
	fmt.Fprintln(w, "## Fidelity: spans received vs requests served")
	fmt.Fprintln(w)
	t := newTable(w, "config", "round", "window", "requests", "spans", "missing", "lost samples",
		"calls dropped", "spans dropped", "export failures", "explained")
	for _, c := range s.Configs {
		if !c.Spans {
			continue
		}
		for _, r := range s.RunsOf(c.ID) {
			fidelityRow(t, c, fmt.Sprint(r.Round), "saturation", r.Saturation)
			fidelityRow(t, c, fmt.Sprint(r.Round), "fixed rate", r.Fixed)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "missing = requests × spans per request (3 with a downstream call: server, client,")
	fmt.Fprintln(w, "downstream server; else 1) − spans. At saturation wrk does not count the requests still in")
	fmt.Fprintln(w, "flight when it stops, which the server did serve, so up to one per connection may show")
	fmt.Fprintln(w, "as negative. The SDK (b) counts none of its drops (its batch span processor drops")
	fmt.Fprintln(w, "silently when its queue is full), so its losses cannot be explained.")
	fmt.Fprintln(w)
}

func fidelityRow(t *table, c result.Config, round, window string, win result.Window) {
	missing := float64(c.ExpectedSpans(win.Requests) - win.Spans)
	t.row(label(c), round, window, count(float64(win.Requests)), count(float64(win.Spans)), count(missing),
		lossCell(c, win.Lost), lossCell(c, win.CallsDropped), lossCell(c, win.SpansDropped),
		lossCell(c, win.ExportFailed), explained(c, missing, win))
}

func lossCell(c result.Config, v float64) string {
	if !c.Collector {
		return "–"
	}
	return count(v)
}

// explained says whether the counted losses can account for the missing
// spans.
func explained(c result.Config, missing float64, w result.Window) string {
	counted := w.Lost + w.CallsDropped + w.SpansDropped + w.ExportFailed
	switch {
	case missing <= 0:
		return "nothing missing"
	case !c.Collector:
		return "**no** (not counted)"
	case counted >= missing:
		return "by counted losses"
	default:
		return fmt.Sprintf("**no**: %s counted", count(counted))
	}
}

// highRate reports the separate fidelity run of (c) at a high fixed rate.
func highRate(w io.Writer, s *result.Suite) {
	f := s.Fidelity
	if f == nil {
		return
	}
	win := f.Window
	fmt.Fprintf(w, "## Fidelity at %s req/s for %s, configuration (c)\n\n", count(win.TargetRPS), s.Settings.FidelityTime)
	t := newTable(w, "asked", "achieved req/s", "sends >1 ms late", "unsent", "requests", "spans", "missing",
		"lost samples", "calls dropped", "spans dropped", "export failures", "p50", "p99", "collector CPU/req", "peak RSS")
	t.row(count(win.TargetRPS), count(win.RPS), count(float64(win.Late)), count(float64(win.Unsent)), count(float64(win.Requests)),
		count(float64(win.Spans)), count(float64(win.Requests-win.Spans)), count(win.Lost), count(win.CallsDropped),
		count(win.SpansDropped), count(win.ExportFailed), usec(win.P50), usec(win.P99),
		cpu(win.PerRequest(win.CollectorCPU)), mb(f.Collector.PeakRSS))
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%d connections. The achieved rate is what the machine reached with load generator, server,\n", f.Conns)
	fmt.Fprintln(w, "collector and sink sharing its cores; when it cannot keep the pace, sends fall behind")
	fmt.Fprintln(w, "schedule, latency (measured from the schedule) grows with the queue, and what is still")
	fmt.Fprintln(w, "unsent after 1.25× the duration is left unsent.")
	fmt.Fprintln(w)
}
