// Package chart draws the PNG plots of the bench report with gonum/plot:
// latency percentiles per configuration, and throughput and CPU cost.
package chart

import (
	"fmt"
	"image/color"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/ebpfreceiver/ebpfreceiver/bench/internal/result"
)

// dpi of the PNGs; sizes are given in inches.
const dpi = 100

// configColors tell (a)…(i) apart in every panel.
var configColors = map[string]color.Color{
	"a": color.RGBA{R: 120, G: 120, B: 120, A: 255},
	"b": color.RGBA{R: 230, G: 140, B: 30, A: 255},
	"c": color.RGBA{R: 40, G: 100, B: 200, A: 255},
	"d": color.RGBA{R: 60, G: 160, B: 80, A: 255},
	"e": color.RGBA{R: 170, G: 170, B: 170, A: 255},
	"f": color.RGBA{R: 110, G: 170, B: 230, A: 255},
	"g": color.RGBA{R: 20, G: 60, B: 130, A: 255},
	"h": color.RGBA{R: 90, G: 200, B: 200, A: 255},
	"i": color.RGBA{R: 150, G: 90, B: 190, A: 255},
}

// bar is one bar of a panel: a configuration's value and its label.
type bar struct {
	cfg   result.Config
	value float64
	label string
}

// axisName labels a configuration on the X axis.
func axisName(c result.Config) string { return "(" + c.ID + ") " + c.Short }

// plainTicks are gonum's default ticks labelled without trailing zeros.
type plainTicks struct{}

func (plainTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', -1, 64)
		}
	}
	return ticks
}

// newPanel returns a plot with the report's title, Y label and ticks.
func newPanel(title, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.Y.Tick.Marker = plainTicks{}
	p.Y.Min = 0
	return p
}

// barPanel draws one bar per configuration, coloured by configuration,
// with its value written above it.
func barPanel(title, ylabel string, bars []bar) (*plot.Plot, error) {
	p := newPanel(title, ylabel)
	names := make([]string, len(bars))
	for i, b := range bars {
		names[i] = axisName(b.cfg)
		bc, err := plotter.NewBarChart(plotter.Values{b.value}, vg.Points(28))
		if err != nil {
			return nil, fmt.Errorf("draw bar: %w", err)
		}
		bc.XMin = float64(i)
		bc.Color = configColors[b.cfg.ID]
		bc.LineStyle.Width = 0
		p.Add(bc)
	}
	labels, err := valueLabels(bars)
	if err != nil {
		return nil, err
	}
	p.Add(labels)
	p.NominalX(names...)
	// Room above the tallest bar for its label.
	p.Y.Max *= 1.15
	return p, nil
}

// valueLabels writes each bar's label centred just above it.
func valueLabels(bars []bar) (*plotter.Labels, error) {
	xy := plotter.XYLabels{}
	for i, b := range bars {
		xy.XYs = append(xy.XYs, plotter.XY{X: float64(i), Y: b.value})
		xy.Labels = append(xy.Labels, b.label)
	}
	l, err := plotter.NewLabels(xy)
	if err != nil {
		return nil, fmt.Errorf("draw labels: %w", err)
	}
	for i := range l.TextStyle {
		l.TextStyle[i].XAlign = text.XCenter
		l.TextStyle[i].YAlign = text.YBottom
	}
	l.Offset = vg.Point{Y: vg.Points(3)}
	return l, nil
}

// save draws a grid of panels (rows of columns) into a PNG at path.
func save(path string, width, height vg.Length, panels [][]*plot.Plot) error {
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi))
	dc := draw.New(img)
	tiles := draw.Tiles{
		Rows: len(panels), Cols: len(panels[0]),
		PadTop: vg.Points(8), PadBottom: vg.Points(8), PadLeft: vg.Points(8), PadRight: vg.Points(8),
		PadX: vg.Points(24), PadY: vg.Points(24),
	}
	canvases := plot.Align(panels, tiles, dc)
	for i, row := range panels {
		for j, p := range row {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
