package report

import (
	"time"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// summary is one configuration over every round: medians of the runs, and
// medians of the per-round differences and ratios to its baseline ((a),
// or the configuration it names).
type summary struct {
	cfg result.Config
	n   int // runs

	satRPS                 float64
	satRatio               result.Spread // RPS ÷ the baseline's RPS in the same round
	satP50, satP90, satP99 time.Duration

	fixRPS                     float64
	fixP50, fixP99, fixP999    time.Duration
	dP50, dP99, dP999          time.Duration // minus the baseline in the same round
	late                       int64         // summed over rounds
	serverFix, serverSat       time.Duration // server CPU per request
	dServerFix, dServerSat     time.Duration // minus the baseline in the same round
	collectorFix, collectorSat time.Duration // collector CPU per request

	collector *collectorSummary // nil without a collector
}

// collectorSummary is the collector's start-up, memory and counters over
// every run of one configuration.
type collectorSummary struct {
	ready, captureStarted time.Duration // medians
	peakAtReady, peak     uint64        // highest
	rss                   uint64        // median at the end of the runs
	probes, probesFailed  float64       // last run
	// Counters summed over every window of every run.
	lost, callsDropped, spansDropped, decodeErrors, exportFailed float64
}

func summarize(s *result.Suite) []summary {
	var out []summary
	for _, cfg := range s.Configs {
		out = append(out, summarizeConfig(s, cfg))
	}
	return out
}

func summarizeConfig(s *result.Suite, cfg result.Config) summary {
	id, baseline := cfg.ID, cfg.Base()
	med := func(f func(result.Run) float64) float64 { return result.Median(s.Each(id, f)) }
	medD := func(f func(result.Run) time.Duration) time.Duration {
		return time.Duration(med(func(r result.Run) float64 { return float64(f(r)) }))
	}
	diff := func(f func(result.Run) time.Duration) time.Duration {
		return time.Duration(result.Median(s.Paired(id, baseline, func(r, b result.Run) float64 {
			return float64(f(r) - f(b))
		})))
	}
	sat := func(r result.Run) result.Window { return r.Saturation }
	fix := func(r result.Run) result.Window { return r.Fixed }
	sm := summary{
		cfg: cfg, n: len(s.RunsOf(id)),
		satRPS: med(func(r result.Run) float64 { return r.Saturation.RPS }),
		satRatio: result.NewSpread(s.Paired(id, baseline, func(r, b result.Run) float64 {
			return r.Saturation.RPS / b.Saturation.RPS
		})),
		satP50:       medD(func(r result.Run) time.Duration { return r.Saturation.P50 }),
		satP90:       medD(func(r result.Run) time.Duration { return r.Saturation.P90 }),
		satP99:       medD(func(r result.Run) time.Duration { return r.Saturation.P99 }),
		fixRPS:       med(func(r result.Run) float64 { return r.Fixed.RPS }),
		fixP50:       medD(func(r result.Run) time.Duration { return r.Fixed.P50 }),
		fixP99:       medD(func(r result.Run) time.Duration { return r.Fixed.P99 }),
		fixP999:      medD(func(r result.Run) time.Duration { return r.Fixed.P999 }),
		dP50:         diff(func(r result.Run) time.Duration { return r.Fixed.P50 }),
		dP99:         diff(func(r result.Run) time.Duration { return r.Fixed.P99 }),
		dP999:        diff(func(r result.Run) time.Duration { return r.Fixed.P999 }),
		serverFix:    medD(serverCPU(fix)),
		serverSat:    medD(serverCPU(sat)),
		dServerFix:   diff(serverCPU(fix)),
		dServerSat:   diff(serverCPU(sat)),
		collectorFix: medD(collectorCPU(fix)),
		collectorSat: medD(collectorCPU(sat)),
	}
	for _, r := range s.RunsOf(id) {
		sm.late += r.Fixed.Late
	}
	if cfg.Collector {
		sm.collector = summarizeCollector(s.RunsOf(id))
	}
	return sm
}

func serverCPU(w func(result.Run) result.Window) func(result.Run) time.Duration {
	return func(r result.Run) time.Duration { return w(r).PerRequest(w(r).ServerCPU) }
}

func collectorCPU(w func(result.Run) result.Window) func(result.Run) time.Duration {
	return func(r result.Run) time.Duration { return w(r).PerRequest(w(r).CollectorCPU) }
}

func summarizeCollector(runs []result.Run) *collectorSummary {
	c := &collectorSummary{}
	var ready, capture []time.Duration
	var rss []float64
	for _, r := range runs {
		if r.Collector == nil {
			continue
		}
		ci := r.Collector
		ready, capture = append(ready, ci.Ready), append(capture, ci.CaptureStarted)
		rss = append(rss, float64(ci.RSS))
		c.peakAtReady, c.peak = max(c.peakAtReady, ci.PeakRSSAtReady), max(c.peak, ci.PeakRSS)
		c.probes, c.probesFailed = ci.ProbesAttached, ci.ProbesFailed
		for _, w := range []result.Window{r.Saturation, r.Fixed} {
			c.lost += w.Lost
			c.callsDropped += w.CallsDropped
			c.spansDropped += w.SpansDropped
			c.decodeErrors += w.DecodeErrors
			c.exportFailed += w.ExportFailed
		}
	}
	c.ready, c.captureStarted = result.MedianDuration(ready), result.MedianDuration(capture)
	c.rss = uint64(result.Median(rss))
	return c
}

// find returns the summary of configuration id.
func find(sums []summary, id string) (summary, bool) {
	for _, s := range sums {
		if s.cfg.ID == id {
			return s, true
		}
	}
	return summary{}, false
}
