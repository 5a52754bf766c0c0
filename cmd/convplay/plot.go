package main

import (
	"fmt"
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"convplay/nn"
)

// curveColors are the notebook's (matplotlib's default cycle) colors for
// loss, accuracy, val_loss and val_accuracy, and val_mean_iou (scenes).
var curveColors = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, // blue
	{0xff, 0x7f, 0x0e, 0xff}, // orange
	{0x2c, 0xa0, 0x2c, 0xff}, // green
	{0xd6, 0x27, 0x28, 0xff}, // red
	{0x94, 0x67, 0xbd, 0xff}, // purple
}

// plotHistory draws the learning curves as the notebook does
// (pd.DataFrame(history.history).plot(figsize=(8, 5)); plt.grid(True);
// plt.gca().set_ylim(0, 1)): loss, accuracy and, with validation,
// val_loss and val_accuracy against the epoch, on one plot with a grid and
// the y axis from 0 to 1, and writes it as a PNG of 8x5 inches (768x480 pixels at
// gonum/plot's 96 dpi).
func plotHistory(h *nn.History, title, path string) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Min, p.Y.Max = 0, 1
	p.Add(plotter.NewGrid())
	p.Legend.Top = false
	p.Legend.Left = false
	curves := []struct {
		name   string
		values []float64
	}{{"loss", h.Loss}, {"accuracy", h.Accuracy}, {"val_loss", h.ValLoss}, {"val_accuracy", h.ValAccuracy}, {"val_mean_iou", h.ValMeanIoU}}
	for i, c := range curves {
		if len(c.values) == 0 {
			continue
		}
		pts := make(plotter.XYs, len(c.values))
		for e, v := range c.values {
			pts[e].X, pts[e].Y = float64(e), v
		}
		line, points, err := plotter.NewLinePoints(pts)
		if err != nil {
			return fmt.Errorf("plotting %s: %w", c.name, err)
		}
		line.Color, points.Color = curveColors[i], curveColors[i]
		line.Width = vg.Points(1.5)
		points.Radius = vg.Points(2)
		p.Add(line, points)
		p.Legend.Add(c.name, line)
	}
	// Keep the y range at 0..1 even when a loss is above 1 (the points
	// outside are clipped, as matplotlib's set_ylim clips them).
	p.Y.Min, p.Y.Max = 0, 1
	var yticks []plot.Tick
	for i := range 11 {
		v := float64(i) / 10
		label := ""
		if i%2 == 0 {
			label = fmt.Sprintf("%.1f", v)
		}
		yticks = append(yticks, plot.Tick{Value: v, Label: label})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(yticks)
	if n := len(h.Loss); n > 0 {
		p.X.Min, p.X.Max = 0, float64(max(n-1, 1))
		if n <= 20 { // a tick and a grid line per epoch, as matplotlib draws few epochs
			var xticks []plot.Tick
			for e := range max(n, 2) {
				xticks = append(xticks, plot.Tick{Value: float64(e), Label: fmt.Sprint(e)})
			}
			p.X.Tick.Marker = plot.ConstantTicks(xticks)
		}
	}
	png, err := p.WriterTo(8*vg.Inch, 5*vg.Inch, "png")
	if err != nil {
		return fmt.Errorf("drawing the learning curves: %w", err)
	}
	if err := writeFileAtomic(path, func(f *os.File) error { _, err := png.WriteTo(f); return err }); err != nil {
		return fmt.Errorf("writing the learning curves: %w", err)
	}
	return nil
}
