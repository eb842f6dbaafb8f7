package siglip

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// PlotMetrics draws the training curve of a run from its metrics.jsonl
// into a PNG: the training loss; t = exp(t') and b; and, when the run was
// evaluated, zero-shot top-1 and retrieval Recall@1 against the step. The
// file is written atomically.
func PlotMetrics(metricsPath, pngPath string) error {
	steps, evals, err := readMetrics(metricsPath)
	if err != nil {
		return err
	}
	if len(steps) == 0 {
		return fmt.Errorf("%s: no training steps", metricsPath)
	}
	line := func(p *plot.Plot, name string, pts plotter.XYs, c color.Color, dashed bool) error {
		l, sc, err := plotter.NewLinePoints(pts)
		if err != nil {
			return err
		}
		if len(pts) > 60 { // a dense curve: no markers
			sc = nil
		} else {
			sc.Color = c
			sc.Shape = draw.CircleGlyph{}
			sc.Radius = vg.Points(2)
			p.Add(sc)
		}
		l.Color = c
		l.Width = vg.Points(1.2)
		if dashed {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		}
		p.Add(l)
		p.Legend.Add(name, l)
		return nil
	}
	blue, red, green, grey := color.RGBA{31, 119, 180, 255}, color.RGBA{214, 39, 40, 255}, color.RGBA{44, 160, 44, 255}, color.RGBA{120, 120, 120, 255}

	loss, ts, bs := make(plotter.XYs, len(steps)), make(plotter.XYs, len(steps)), make(plotter.XYs, len(steps))
	for i, s := range steps {
		x := float64(s.Step)
		loss[i] = plotter.XY{X: x, Y: s.Loss}
		ts[i] = plotter.XY{X: x, Y: s.T}
		bs[i] = plotter.XY{X: x, Y: s.Bias}
	}
	pLoss := plot.New()
	pLoss.Title.Text = "training loss"
	pLoss.X.Label.Text = "step"
	if slices.IndexFunc(steps, func(s stepRecord) bool { return !(s.Loss > 0) }) < 0 {
		pLoss.Y.Scale = plot.LogScale{}
		var ticks []plot.Tick // 1-2-5 steps: a run rarely spans a whole decade
		for e := -3.0; e <= 3; e++ {
			for _, f := range []float64{1, 2, 5} {
				v := f * math.Pow(10, e)
				ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
			}
		}
		pLoss.Y.Tick.Marker = plot.ConstantTicks(ticks)
	}
	if err := line(pLoss, "loss", loss, blue, false); err != nil {
		return err
	}
	pLoss.Legend.Top = true
	pTB := plot.New()
	pTB.Title.Text = "t = exp(t') and b"
	pTB.X.Label.Text = "step"
	if err := line(pTB, "t", ts, green, false); err != nil {
		return err
	}
	if err := line(pTB, "b", bs, red, false); err != nil {
		return err
	}
	pTB.Legend.Top = true
	plots := [][]*plot.Plot{{pLoss}, {pTB}}
	if len(evals) > 0 {
		pEval := plot.New()
		pEval.Title.Text = "evaluation (" + evals[len(evals)-1].Eval.Dataset + ")"
		pEval.X.Label.Text = "step"
		pEval.Y.Min, pEval.Y.Max = 0, 1
		var zs, i2t, t2i plotter.XYs
		for _, e := range evals {
			x := float64(e.Step)
			if e.Eval.ZeroShotTop1 != nil {
				zs = append(zs, plotter.XY{X: x, Y: *e.Eval.ZeroShotTop1})
			}
			i2t = append(i2t, plotter.XY{X: x, Y: e.Eval.I2TR1})
			t2i = append(t2i, plotter.XY{X: x, Y: e.Eval.T2IR1})
		}
		if len(zs) > 0 {
			if err := line(pEval, "zero-shot top-1", zs, blue, false); err != nil {
				return err
			}
		}
		if err := line(pEval, "image->text R@1", i2t, green, true); err != nil {
			return err
		}
		if err := line(pEval, "text->image R@1", t2i, grey, true); err != nil {
			return err
		}
		pEval.Legend.Top = true
		pEval.Legend.Left = true
		plots = append(plots, []*plot.Plot{pEval})
	}

	w, h := vg.Points(640), vg.Points(float64(230*len(plots)))
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6),
		PadLeft: vg.Points(6), PadRight: vg.Points(12), PadY: vg.Points(12)}
	canvases := plot.Align(plots, tiles, dc)
	for r := range plots {
		plots[r][0].Draw(canvases[r][0])
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return err
	}
	return writeFileAtomic(pngPath, buf.Bytes())
}
