package report

import (
	"fmt"
	"io"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

func saturation(w io.Writer, s *result.Suite, sums []summary) {
	st := s.Settings
	fmt.Fprintf(w, "## Throughput at saturation (wrk, %d connections)\n\n", st.WrkConns)
	t := newTable(w, "config", "req/s", "× base", "p50", "p90", "p99", "server CPU/req", "collector CPU/req")
	for _, sm := range sums {
		t.row(label(sm.cfg), count(sm.satRPS), ratio(sm.satRatio), usec(sm.satP50), usec(sm.satP90), usec(sm.satP99),
			cpu(sm.serverSat), collectorCell(sm, sm.collectorSat))
	}
	fmt.Fprintln(w)
	baseNote(w, sums)
}

// baseNote says which configuration each ratio and Δ is taken against
// when it is not always (a).
func baseNote(w io.Writer, sums []summary) {
	note := ""
	for _, sm := range sums {
		if b := sm.cfg.Base(); b != "a" && b != sm.cfg.ID {
			note += fmt.Sprintf(" (%s) against (%s);", sm.cfg.ID, sm.cfg.Base())
		}
	}
	if note == "" {
		fmt.Fprintln(w, "base: (a).")
	} else {
		fmt.Fprintf(w, "base: (a), except%s each pair serves the same handler.\n", note)
	}
	fmt.Fprintln(w)
}

func fixedRate(w io.Writer, s *result.Suite, sums []summary) {
	fmt.Fprintf(w, "## Latency at a fixed %s req/s\n\n", count(s.Settings.FixedRate))
	t := newTable(w, "config", "achieved req/s", "p50", "Δp50", "p99", "Δp99", "p99.9", "Δp99.9", "sends >1 ms late")
	for _, sm := range sums {
		t.row(label(sm.cfg), count(sm.fixRPS), usec(sm.fixP50), delta(sm.dP50), usec(sm.fixP99), delta(sm.dP99),
			usec(sm.fixP999), delta(sm.dP999), count(float64(sm.late)))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Δ: minus the base in the same round, median over rounds.")
	baseNote(w, sums)
}

func cpuCost(w io.Writer, sums []summary) {
	fmt.Fprintln(w, "## CPU per request")
	fmt.Fprintln(w)
	t := newTable(w, "config", "server, fixed rate", "Δ vs base", "server, saturation", "Δ vs base",
		"collector, fixed rate", "collector, saturation")
	for _, sm := range sums {
		t.row(label(sm.cfg), cpu(sm.serverFix), cpuDelta(sm.dServerFix), cpu(sm.serverSat), cpuDelta(sm.dServerSat),
			collectorCell(sm, sm.collectorFix), collectorCell(sm, sm.collectorSat))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "For (b) the server column holds the SDK's whole cost (spans, metrics, export); for (c) and (d)")
	fmt.Fprintln(w, "it holds the probes' in-kernel cost, and the collector column the rest. With a downstream")
	fmt.Fprintln(w, "service ((e), (f)) the server column adds the downstream process's CPU.")
	fmt.Fprintln(w)
}

func collectorCost(w io.Writer, sums []summary) {
	var rows []summary
	for _, sm := range sums {
		if sm.collector != nil {
			rows = append(rows, sm)
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "## Collector")
	fmt.Fprintln(w)
	t := newTable(w, "config", "capture started", "ready", "peak RSS at ready", "peak RSS", "steady RSS",
		"probes attached/failed", "lost samples", "calls dropped", "spans dropped", "decode errors", "export failures")
	for _, sm := range rows {
		c := sm.collector
		t.row(label(sm.cfg), usec(c.captureStarted), usec(c.ready), mb(c.peakAtReady), mb(c.peak), mb(c.rss),
			fmt.Sprintf("%.0f/%.0f", c.probes, c.probesFailed), count(c.lost), count(c.callsDropped),
			count(c.spansDropped), count(c.decodeErrors), count(c.exportFailed))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Times from exec to the log line (median); RSS from /proc/<pid>/status: VmHWM once ready")
	fmt.Fprintln(w, "and at the end (highest over the runs), VmRSS at the end (median). Counters are the")
	fmt.Fprintln(w, "receiver's and exporter's self-metrics, summed over every measured window.")
	fmt.Fprintln(w)
}

// collectorCell shows the collector's CPU per request, or a dash without a
// collector.
func collectorCell(sm summary, d time.Duration) string {
	if !sm.cfg.Collector {
		return "–"
	}
	return cpu(d)
}

func label(c result.Config) string { return fmt.Sprintf("(%s) %s", c.ID, c.Name) }
