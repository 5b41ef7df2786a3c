package capture

// This file owns the two mahimahi graphs as SVG, drawn with gonum/plot:
// mm-throughput-graph's capacity / ingress / egress chart and mm-delay-graph's
// signal-delay and per-packet-delay chart, both 1024×560 px with the legend
// above the plot, and with the drawn data bounded for huge logs.

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

const (
	graphWidthPx  = 1024
	graphHeightPx = 560
	// maxDrawBins bounds the points of each throughput line; longer series
	// are averaged over groups of bins.
	maxDrawBins = 2048
	// maxCellRects bounds the rectangles of the per-packet point cloud.
	maxCellRects = 15000
)

// px converts pixels at 96 dpi to vg lengths (points).
func px(n float64) vg.Length { return vg.Length(n) * vg.Inch / 96 }

// WriteThroughputSVG draws mm-throughput-graph's chart of the analysis: the
// capacity as a filled area and the ingress and egress as lines, in Mbit/s
// per bin over the log's time span.
func (a *Analysis) WriteThroughputSVG(w io.Writer) error {
	p, leg, err := a.throughputPlot()
	if err != nil {
		return err
	}
	return writeGraph(w, p, leg, "svg")
}

// throughputPlot builds the plot and legend of WriteThroughputSVG.
func (a *Analysis) throughputPlot() (*plot.Plot, plot.Legend, error) {
	m := &a.Mahimahi
	var leg plot.Legend
	switch {
	case !m.HasEvents:
		return nil, leg, fmt.Errorf("throughput graph of %s: the log has no events", a.Name)
	case a.BinsErr != nil:
		return nil, leg, fmt.Errorf("throughput graph of %s: %w; use a larger bin width than %d ms", a.Name, a.BinsErr, a.MsPerBin)
	case len(a.Bins.Capacity) < 2:
		return nil, leg, fmt.Errorf("throughput graph of %s: the bin width (%d ms) is too large for the length of the log: all events fall in one bin (mm-throughput-graph: MS_PER_BIN is too large for length of trace)", a.Name, a.MsPerBin)
	case !m.RatesValid:
		return nil, leg, fmt.Errorf("throughput graph of %s: the log's first and last events have the same time", a.Name)
	}

	capXY, arrXY, depXY := binLines(a.Bins)
	p := plot.New()
	p.X.Label.Text = "time (s)"
	p.Y.Label.Text = "throughput (Mbits/s)"
	leg = plot.NewLegend()

	capLine, err := plotter.NewLine(capXY)
	if err != nil {
		return nil, leg, err
	}
	capLine.LineStyle.Width = 0
	capLine.FillColor = color.NRGBA{R: 0x94, G: 0x00, B: 0xd3, A: 0x33}
	inLine, err := plotter.NewLine(arrXY)
	if err != nil {
		return nil, leg, err
	}
	inLine.LineStyle = draw.LineStyle{Color: color.NRGBA{R: 0x00, G: 0x20, B: 0xa0, A: 0xff}, Width: px(4)}
	outLine, err := plotter.NewLine(depXY)
	if err != nil {
		return nil, leg, err
	}
	outLine.LineStyle = draw.LineStyle{Color: color.NRGBA{R: 0xff, G: 0x60, B: 0x40, A: 0xff}, Width: px(2)}
	p.Add(capLine, inLine, outLine)
	leg.Add(fmt.Sprintf("Capacity (mean %.2f Mbits/s)", m.Capacity), capLine)
	leg.Add(fmt.Sprintf("Traffic ingress (mean %.2f Mbits/s)", m.Ingress), inLine)
	leg.Add(fmt.Sprintf("Traffic egress (mean %.2f Mbits/s)", m.Throughput), outLine)

	p.X.Min, p.X.Max = float64(m.First)/1e6, float64(m.Last)/1e6
	p.Y.Min = 0
	p.Y.Max = max(p.Y.Max*1.05, 1)
	return p, leg, nil
}

// binLines converts the bins to Mbit/s series at the bins' start times,
// averaging groups of bins when there are more than maxDrawBins.
func binLines(b Bins) (capXY, arrXY, depXY plotter.XYs) {
	n := len(b.Capacity)
	group := (n + maxDrawBins - 1) / maxDrawBins
	secs := float64(b.MsPerBin) / 1000.0
	for i := 0; i < n; i += group {
		j := min(i+group, n)
		var c, a, d int64
		for k := i; k < j; k++ {
			c += b.Capacity[k]
			a += b.Arrivals[k]
			d += b.Departures[k]
		}
		g := float64(j - i)
		x := float64(b.First+int64(i)) * secs
		capXY = append(capXY, plotter.XY{X: x, Y: float64(c) / g / secs / 1e6})
		arrXY = append(arrXY, plotter.XY{X: x, Y: float64(a) / g / secs / 1e6})
		depXY = append(depXY, plotter.XY{X: x, Y: float64(d) / g / secs / 1e6})
	}
	return capXY, arrXY, depXY
}

// WriteDelaySVG draws mm-delay-graph's chart: the signal delay as a filled
// curve, the per-packet delays as points at their send times, and the 95th
// percentiles of both as horizontal lines, on a log delay axis from
// min(30, median) to 1.2 × the largest signal delay. The analysis must have
// been made with KeepPoints.
func (a *Analysis) WriteDelaySVG(w io.Writer) error {
	p, leg, err := a.delayPlot()
	if err != nil {
		return err
	}
	return writeGraph(w, p, leg, "svg")
}

// delayPlot builds the plot and legend of WriteDelaySVG.
func (a *Analysis) delayPlot() (*plot.Plot, plot.Legend, error) {
	m := &a.Mahimahi
	var leg plot.Legend
	switch {
	case !m.DelaysValid:
		return nil, leg, fmt.Errorf("delay graph of %s: the log has no departures (mm-delay-graph: Must have at least one departure event)", a.Name)
	case a.points == nil:
		return nil, leg, fmt.Errorf("delay graph of %s: the analysis was made without KeepPoints", a.Name)
	case a.curve == nil:
		return nil, leg, fmt.Errorf("delay graph of %s: the log's first and last events have the same time", a.Name)
	}

	lower := math.Min(30, math.Trunc(m.DelayP50))
	if lower <= 0 {
		lower = 0.1 // a log axis cannot start at 0
	}
	upper := 1.2 * m.SignalMax
	if upper <= lower {
		upper = lower * 10
	}
	x0, x1 := float64(m.First)/1e6, float64(m.Last)/1e6

	p := plot.New()
	p.X.Label.Text = "time (s)"
	p.Y.Label.Text = "delay (ms)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = delayTicks{lower: lower}
	leg = plot.NewLegend()

	sig, err := plotter.NewLine(a.curve.xys(lower))
	if err != nil {
		return nil, leg, err
	}
	sig.LineStyle.Width = 0
	sig.FillColor = color.NRGBA{R: 0, G: 0, B: 0xff, A: 0x66}
	cells := &cellCloud{grid: a.points, lower: lower, upper: upper, color: color.NRGBA{R: 0xff, A: 0xff}}
	p95s := hline(x0, x1, m.SignalP95, color.NRGBA{R: 0, G: 0, B: 0xff, A: 0x7f})
	p95 := hline(x0, x1, m.DelayP95, color.NRGBA{R: 0xff, G: 0, B: 0, A: 0x7f})
	p.Add(sig, cells, p95s, p95)
	leg.Add("Signal delay", sig)
	leg.Add("Per-packet delay", cells)
	leg.Add(fmt.Sprintf("95th percentile signal delay (%.0f ms)", m.SignalP95), p95s)
	leg.Add(fmt.Sprintf("95th percentile per-packet delay (%.0f ms)", m.DelayP95), p95)

	p.X.Min, p.X.Max = x0, x1
	p.Y.Min, p.Y.Max = lower, upper
	return p, leg, nil
}

// hline is a thick horizontal line at y over [x0, x1].
func hline(x0, x1, y float64, c color.Color) *plotter.Line {
	return &plotter.Line{
		XYs:       plotter.XYs{{X: x0, Y: math.Max(y, 1e-3)}, {X: x1, Y: math.Max(y, 1e-3)}},
		LineStyle: draw.LineStyle{Color: c, Width: px(10)},
	}
}

// xys is the curve's envelope, one point per column, with values below the
// axis clamped so that the log scale can transform them (they are clipped).
func (c *signalCurve) xys(lower float64) plotter.XYs {
	var xy plotter.XYs
	span := float64(c.x1 - c.x0)
	for i, v := range c.hi {
		if math.IsNaN(v) {
			continue
		}
		x := (float64(c.x0) + (float64(i)+0.5)*span/curveCols) / 1e6
		xy = append(xy, plotter.XY{X: x, Y: math.Max(v, lower/2)})
	}
	return xy
}

// delayTicks labels a log delay axis at 1, 2 and 5 × 10^k and at its lower
// limit, as mm-delay-graph adds its lower limit to the tics.
type delayTicks struct{ lower float64 }

func (t delayTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := []plot.Tick{{Value: t.lower, Label: strconv.FormatFloat(t.lower, 'g', -1, 64)}}
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		base := math.Pow(10, e)
		for i := 1; i < 10; i++ {
			v := base * float64(i)
			if v < lo || v > hi || v == t.lower {
				continue
			}
			tk := plot.Tick{Value: v}
			if i == 1 || i == 2 || i == 5 {
				tk.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, tk)
		}
	}
	return ticks
}

// cellCloud draws the per-packet point grid as small filled cells, merging
// vertical runs of cells into one rectangle, with the cell size grown until
// at most maxCellRects rectangles remain.
type cellCloud struct {
	grid         *pointGrid
	lower, upper float64
	color        color.Color
}

func (cc *cellCloud) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	type pt struct{ x, y vg.Length }
	var pts []pt
	half := float64(cc.grid.width) / 2
	for key, col := range cc.grid.cols {
		x := (float64(key)*float64(cc.grid.width) + half) / 1e6
		if x < p.X.Min || x > p.X.Max {
			continue
		}
		for wi, word := range col {
			for word != 0 {
				bit := 0
				for word&(1<<bit) == 0 {
					bit++
				}
				word &^= 1 << bit
				v := rowValue(wi*64 + bit)
				if v < cc.lower || v > cc.upper {
					continue
				}
				pts = append(pts, pt{trX(x), trY(v)})
			}
		}
	}
	w, h := c.Max.X-c.Min.X, c.Max.Y-c.Min.Y
	if len(pts) == 0 || w <= 0 || h <= 0 {
		return
	}
	for cell := px(2); ; cell *= 2 {
		nx, ny := int(w/cell)+1, int(h/cell)+1
		on := make([]bool, nx*ny)
		for _, q := range pts {
			ix, iy := int((q.x-c.Min.X)/cell), int((q.y-c.Min.Y)/cell)
			if ix >= 0 && ix < nx && iy >= 0 && iy < ny {
				on[ix*ny+iy] = true
			}
		}
		var path vg.Path
		rects := 0
		for ix := range nx {
			for iy := 0; iy < ny; iy++ {
				if !on[ix*ny+iy] {
					continue
				}
				start := iy
				for iy < ny && on[ix*ny+iy] {
					iy++
				}
				x := c.Min.X + vg.Length(ix)*cell
				y0, y1 := c.Min.Y+vg.Length(start)*cell, min(c.Min.Y+vg.Length(iy)*cell, c.Max.Y)
				path.Move(vg.Point{X: x, Y: y0})
				path.Line(vg.Point{X: min(x+cell, c.Max.X), Y: y0})
				path.Line(vg.Point{X: min(x+cell, c.Max.X), Y: y1})
				path.Line(vg.Point{X: x, Y: y1})
				path.Close()
				rects++
			}
		}
		if rects <= maxCellRects || cell > w {
			c.SetColor(cc.color)
			c.Fill(path)
			return
		}
	}
}

// Thumbnail draws a small filled square for the legend.
func (cc *cellCloud) Thumbnail(c *draw.Canvas) {
	ctr := c.Center()
	s := px(3)
	c.FillPolygon(cc.color, []vg.Point{
		{X: ctr.X - s, Y: ctr.Y - s}, {X: ctr.X + s, Y: ctr.Y - s},
		{X: ctr.X + s, Y: ctr.Y + s}, {X: ctr.X - s, Y: ctr.Y + s},
	})
}

// writeGraph draws p on a 1024×560 px canvas of the given format ("svg";
// tests also use "png") with the legend centred above the plot (gnuplot's
// "set key center outside top") and writes it.
func writeGraph(w io.Writer, p *plot.Plot, leg plot.Legend, format string) error {
	width, height := px(graphWidthPx), px(graphHeightPx)
	cw, err := draw.NewFormattedCanvas(width, height, format)
	if err != nil {
		return err
	}
	dc := draw.New(cw)
	leg.Top, leg.Left = true, true
	leg.Padding = px(3)
	r := leg.Rectangle(dc)
	lw, lh := r.Max.X-r.Min.X, r.Max.Y-r.Min.Y
	pad := px(8)
	band := lh + 2*pad
	if band > height/2 {
		return errors.New("graph legend does not fit")
	}
	p.Draw(draw.Crop(dc, 0, 0, 0, -band))
	lx := dc.Min.X + (width-lw)/2
	leg.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: lx, Y: dc.Max.Y - band + pad},
		Max: vg.Point{X: lx + lw, Y: dc.Max.Y - pad},
	}})
	_, err = cw.WriteTo(w)
	return err
}
