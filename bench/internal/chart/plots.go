package chart

import (
	"fmt"
	"image/color"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// percentile names one latency figure of a window.
type percentile struct {
	name   string
	window func(result.Run) result.Window
	value  func(result.Window) time.Duration
}

func fixed(r result.Run) result.Window      { return r.Fixed }
func saturation(r result.Run) result.Window { return r.Saturation }

// Latency writes latency percentiles per configuration: the first row at
// the fixed rate (p50, p99, p99.9), the second at saturation (p50, p90,
// p99). Each panel has its own scale, so p50 differences stay visible.
func Latency(path string, s *result.Suite) error {
	rate := fmt.Sprintf("%.0fk req/s", s.Settings.FixedRate/1000)
	rows := [][]percentile{{
		{"p50 at " + rate, fixed, func(w result.Window) time.Duration { return w.P50 }},
		{"p99 at " + rate, fixed, func(w result.Window) time.Duration { return w.P99 }},
		{"p99.9 at " + rate, fixed, func(w result.Window) time.Duration { return w.P999 }},
	}, {
		{"p50 at saturation (wrk)", saturation, func(w result.Window) time.Duration { return w.P50 }},
		{"p90 at saturation (wrk)", saturation, func(w result.Window) time.Duration { return w.P90 }},
		{"p99 at saturation (wrk)", saturation, func(w result.Window) time.Duration { return w.P99 }},
	}}
	panels := make([][]*plot.Plot, len(rows))
	for i, row := range rows {
		for _, pc := range row {
			p, err := barPanel(pc.name, "µs (median of rounds)", latencyBars(s, pc))
			if err != nil {
				return err
			}
			panels[i] = append(panels[i], p)
		}
	}
	return save(path, 13*vg.Inch, 8*vg.Inch, panels)
}

func latencyBars(s *result.Suite, pc percentile) []bar {
	var bars []bar
	for _, c := range s.Configs {
		us := result.Median(s.Each(c.ID, func(r result.Run) float64 {
			return float64(pc.value(pc.window(r))) / 1e3
		}))
		bars = append(bars, bar{cfg: c, value: us, label: fmt.Sprintf("%.0f", us)})
	}
	return bars
}

// Cost writes two panels: saturation throughput as a ratio to each
// configuration's base ((a), or (e) for (f)), with
// the 0.85 target drawn, and CPU per request at the fixed rate, the
// server's and the collector's stacked.
func Cost(path string, s *result.Suite) error {
	ratios, err := ratioPanel(s)
	if err != nil {
		return err
	}
	cpu, err := cpuPanel(s)
	if err != nil {
		return err
	}
	return save(path, 12*vg.Inch, 4.5*vg.Inch, [][]*plot.Plot{{ratios, cpu}})
}

func ratioPanel(s *result.Suite) (*plot.Plot, error) {
	var bars []bar
	for _, c := range s.Configs {
		r := result.Median(s.Paired(c.ID, c.Base(), func(r, b result.Run) float64 { return r.Saturation.RPS / b.Saturation.RPS }))
		bars = append(bars, bar{cfg: c, value: r, label: fmt.Sprintf("%.2f×", r)})
	}
	p, err := barPanel("throughput at saturation ÷ base ((a); (e) for (f))", "ratio (median of rounds)", bars)
	if err != nil {
		return nil, err
	}
	p.Y.Max = max(p.Y.Max, 1.15)
	target, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 0.85}, {X: float64(len(bars)) - 0.5, Y: 0.85}})
	if err != nil {
		return nil, fmt.Errorf("draw target line: %w", err)
	}
	target.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(target)
	p.Legend.Add("target 0.85×", target)
	p.Legend.Top = true
	return p, nil
}

// Colours of the CPU panel, distinct from the configurations' colours.
var (
	serverColor    = color.RGBA{R: 70, G: 80, B: 100, A: 255}
	collectorColor = color.RGBA{R: 150, G: 90, B: 190, A: 255}
)

// cpuPanel stacks the collector's CPU per request on the server's.
func cpuPanel(s *result.Suite) (*plot.Plot, error) {
	p := newPanel(fmt.Sprintf("CPU per request at %.0fk req/s", s.Settings.FixedRate/1000), "µs (median of rounds)")
	perReq := func(id string, cpu func(result.Window) time.Duration) float64 {
		return result.Median(s.Each(id, func(r result.Run) float64 {
			return float64(r.Fixed.PerRequest(cpu(r.Fixed))) / 1e3
		}))
	}
	var server, collector plotter.Values
	var names []string
	var totals []bar
	for _, c := range s.Configs {
		sv := perReq(c.ID, func(w result.Window) time.Duration { return w.ServerCPU })
		cv := perReq(c.ID, func(w result.Window) time.Duration { return w.CollectorCPU })
		server, collector = append(server, sv), append(collector, cv)
		names = append(names, axisName(c))
		totals = append(totals, bar{cfg: c, value: sv + cv, label: fmt.Sprintf("%.1f", sv+cv)})
	}
	sb, err := plotter.NewBarChart(server, vg.Points(28))
	if err != nil {
		return nil, fmt.Errorf("draw bars: %w", err)
	}
	cb, err := plotter.NewBarChart(collector, vg.Points(28))
	if err != nil {
		return nil, fmt.Errorf("draw bars: %w", err)
	}
	sb.Color, cb.Color = serverColor, collectorColor
	sb.LineStyle.Width, cb.LineStyle.Width = 0, 0
	cb.StackOn(sb)
	labels, err := valueLabels(totals)
	if err != nil {
		return nil, err
	}
	p.Add(sb, cb, labels)
	p.Legend.Add("server (incl. probes / SDK)", sb)
	p.Legend.Add("collector", cb)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs = vg.Points(12)
	p.NominalX(names...)
	p.Y.Max *= 1.4
	return p, nil
}
