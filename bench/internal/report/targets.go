package report

import (
	"fmt"
	"io"
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// The targets of issue 3 (DESIGN.md, Performance).
const (
	targetThroughput   = 0.85
	targetP50          = 5 * time.Microsecond
	targetProbeCPU     = 1500 * time.Nanosecond
	targetCollectorCPU = 1500 * time.Nanosecond
	targetMetricsCPU   = 500 * time.Nanosecond
	targetRSS          = 100_000_000
	targetReady        = time.Second
)

// targets compares the receiver's figures with the targets; rows whose
// configurations did not run are left out.
func targets(w io.Writer, s *result.Suite, sums []summary) {
	b, hasB := find(sums, "b")
	c, hasC := find(sums, "c")
	d, hasD := find(sums, "d")
	if !hasC {
		return
	}
	fmt.Fprintln(w, "## Against the targets")
	fmt.Fprintln(w)
	t := newTable(w, "target", "measured", "met")
	t.row("(c) throughput ≥ 0.85× (a) at saturation", ratio(c.satRatio), yesNo(c.satRatio.Median >= targetThroughput))
	if hasB {
		cb := result.NewSpread(s.Paired("c", "b", func(r, o result.Run) float64 { return r.Saturation.RPS / o.Saturation.RPS }))
		t.row("(c) throughput above (b)", "(c) ÷ (b) = "+ratio(cb), yesNo(cb.Median > 1))
		t.row("(c) p99 below (b), saturation", usec(c.satP99)+" vs "+usec(b.satP99), yesNo(c.satP99 < b.satP99))
		t.row("(c) p99 below (b), fixed rate", usec(c.fixP99)+" vs "+usec(b.fixP99), yesNo(c.fixP99 < b.fixP99))
	}
	t.row("fixed rate: (c) p50 within 5 µs of (a)", delta(c.dP50), yesNo(c.dP50 <= targetP50))
	noise := spreadOf(s.Each("a", func(r result.Run) float64 { return float64(r.Fixed.P99) }))
	t.row("fixed rate: (c) p99 within noise of (a)",
		fmt.Sprintf("%s; (a)'s own p99 spans %s over the rounds", delta(c.dP99), usec(noise)), yesNo(c.dP99 <= noise))
	// Judged at saturation: at the fixed rate the server's CPU per request
	// is mostly wake-up cost, whose spread between runs dwarfs the probes.
	t.row("probes ≤ 1.5 µs of application CPU per request (saturation)", cpuDelta(c.dServerSat)+" saturation, "+
		cpuDelta(c.dServerFix)+" fixed rate", yesNo(c.dServerSat <= targetProbeCPU))
	t.row("collector ≤ 1.5 µs CPU per request, traces + metrics (fixed rate)", cpu(c.collectorFix)+" fixed rate, "+
		cpu(c.collectorSat)+" saturation", yesNo(c.collectorFix <= targetCollectorCPU))
	if hasD {
		t.row("collector ≤ 0.5 µs CPU per request, metrics only (fixed rate)", cpu(d.collectorFix)+" fixed rate, "+
			cpu(d.collectorSat)+" saturation", yesNo(d.collectorFix <= targetMetricsCPU))
	}
	if f := s.Fidelity; f != nil {
		fw := f.Window
		reached := fw.RPS >= 0.95*fw.TargetRPS
		t.row(fmt.Sprintf("zero lost samples at %s req/s for %s", count(fw.TargetRPS), s.Settings.FidelityTime),
			fmt.Sprintf("%s lost, %s calls dropped at %s req/s achieved", count(fw.Lost), count(fw.CallsDropped), count(fw.RPS)),
			yesNo(reached && fw.Lost == 0 && fw.CallsDropped == 0))
	}
	peak, rss, ready := memoryAndReady(c, d)
	t.row("steady RSS ≤ 100 MB, no start-up peak above it", fmt.Sprintf("steady %s, peak %s", mb(rss), mb(peak)),
		yesNo(rss <= targetRSS && peak <= targetRSS))
	t.row("ready ≤ 1 s after start", usec(ready), yesNo(ready <= targetReady))
	fmt.Fprintln(w)
}

// memoryAndReady returns the worst of (c) and (d): the highest peak and
// steady RSS and the longest median time to ready.
func memoryAndReady(c, d summary) (peak, rss uint64, ready time.Duration) {
	for _, sm := range []summary{c, d} {
		if sm.collector == nil { // (d) did not run
			continue
		}
		peak = max(peak, sm.collector.peak, sm.collector.peakAtReady)
		rss = max(rss, sm.collector.rss)
		ready = max(ready, sm.collector.ready)
	}
	return peak, rss, ready
}

// spreadOf is the highest minus the lowest of xs, as a duration.
func spreadOf(xs []float64) time.Duration {
	sp := result.NewSpread(xs)
	return time.Duration(sp.Max - sp.Min)
}
