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

// Colours of the queue time plot's lines.
var (
	queueColor      = color.RGBA{R: 200, G: 60, B: 50, A: 255}
	processingColor = color.RGBA{R: 40, G: 100, B: 200, A: 255}
	clientColor     = color.RGBA{R: 120, G: 120, B: 120, A: 255}
)

// Queue writes the queue time section's plot: mean queue time and mean
// processing time by offered load, with the client's p50, on a log scale
// (past capacity the client's latency dwarfs the rest).
func Queue(path string, s *result.Suite) error {
	if len(s.Queue) == 0 {
		return nil
	}
	p := newPanel(fmt.Sprintf("one worker, %s of work per request", s.Queue[0].Work), "ms (log scale)")
	p.X.Label.Text = "offered load (req/s)"
	p.Legend.Top, p.Legend.Left = true, true
	lines := []struct {
		name  string
		color color.Color
		value func(result.QueueRun) time.Duration
	}{
		{"queue time (receiver, mean)", queueColor, func(r result.QueueRun) time.Duration { return r.MeanQueue }},
		{"processing (receiver, mean)", processingColor, func(r result.QueueRun) time.Duration { return r.MeanDuration }},
		{"client latency (load generator, p50)", clientColor, func(r result.QueueRun) time.Duration { return r.Window.P50 }},
	}
	for _, l := range lines {
		xy := make(plotter.XYs, len(s.Queue))
		for i, r := range s.Queue {
			xy[i] = plotter.XY{X: r.TargetRPS, Y: max(float64(l.value(r))/1e6, 0.01)}
		}
		line, points, err := plotter.NewLinePoints(xy)
		if err != nil {
			return fmt.Errorf("draw %s: %w", l.name, err)
		}
		line.Color, points.Color = l.color, l.color
		line.Width = vg.Points(1.5)
		p.Add(line, points)
		p.Legend.Add(l.name, line, points)
	}
	p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	p.Y.Min = 0.01
	return save(path, 8*vg.Inch, 5*vg.Inch, [][]*plot.Plot{{p}})
}
