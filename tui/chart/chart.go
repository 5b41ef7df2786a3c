package chart

// chart.go owns the public API: the data types, the Chart and Render, which
// lays the chart out and calls the drawing stages in order.

import (
	"image/color"
	"strings"
)

// Point is one sample: T in seconds of experiment time, V in the chart's unit.
type Point struct{ T, V float64 }

// Agg is one downsampled bucket: its representative time T (seconds) and
// the minimum, maximum and mean of the values it holds.
type Agg struct{ T, Min, Max, Mean float64 }

// Style is how a series' values are drawn.
type Style uint8

const (
	// Line joins consecutive values with straight lines.
	Line Style = iota
	// Dots draws one dot per value and joins nothing (per-packet scatter).
	Dots
	// Steps holds each value until the next one: horizontal, then vertical.
	Steps
)

// Series is one coloured data set. Set Points, or Aggs for downsampled data
// (when Aggs is non-empty Points is ignored).
type Series struct {
	Name   string      // legend entry; empty leaves the series out of the legend
	Color  color.Color // nil or lipgloss.NoColor: the terminal's default colour
	Style  Style
	Points []Point
	Aggs   []Agg // drawn as min–max envelopes per column with the means in Style
	// MaxGap, when > 0, is the longest time step (seconds) that is still
	// joined; farther consecutive values are left unconnected.
	MaxGap float64
}

// HLine is a horizontal reference line (capacity, a percentile) drawn
// dashed across the plot, with its label at the right edge.
type HLine struct {
	V     float64
	Label string
	Color color.Color // nil: the chart's Muted colour
}

// Marker is a control event: a dotted vertical line at T with a ▼ at the
// top of the plot and its label beside it where there is room.
type Marker struct {
	T     float64
	Label string
	Color color.Color // nil: the chart's Muted colour
}

// Chart is a time chart. Set the fields and call Render on every frame; the
// Chart keeps scratch buffers between renders.
type Chart struct {
	Title string
	Unit  string // y unit shown after the title, e.g. "Mbit/s", "ms", "KB"
	// XMin, XMax is the visible time window in seconds. Reversed bounds are
	// swapped; equal or non-finite bounds fit the window to the data.
	XMin, XMax float64
	// YMin, YMax is the value range. A NaN or ±Inf bound is automatic, and
	// equal bounds (the zero value too) make both automatic: from
	// min(0, data) to max(0, data), reference lines included, with 5%
	// headroom on the sides away from zero, extended to nice ticks. Only
	// values inside the time window count.
	YMin, YMax float64
	Series     []Series
	HLines     []HLine
	Markers    []Marker
	// Axis colours axis lines and ticks, Text the title and legend names,
	// Muted the unit, tick labels, default reference lines and markers, and
	// it is what envelopes are dimmed towards. nil: the default colour.
	Axis, Text, Muted color.Color
	NoLegend          bool

	sc *scratch // buffers reused across renders
}

// scratch is everything Render reuses from one call to the next.
type scratch struct {
	g     grid
	pens  []penSpec
	ps    penSet
	out   []byte
	lab   []byte // formatted tick labels, back to back
	tmp   []byte // for measuring labels
	yLabs []label
	xLabs []label
	leg   []legendItem
}

// label is one tick label: its text lab[a:b] and where it goes.
type label struct {
	a, b int
	pos  int // cell row (y) or column (x) in the plot
}

// Render draws the chart into exactly height lines of exactly width cells.
// height ≤ 0 returns ""; width ≤ 0 returns height empty lines.
func (c *Chart) Render(width, height int) string {
	if height <= 0 {
		return ""
	}
	if width <= 0 {
		return strings.Repeat("\n", height-1)
	}
	if c.sc == nil {
		c.sc = &scratch{}
	}
	sc := c.sc
	g := &sc.g
	g.reset(width, height)
	sc.pens = append(sc.pens[:0], penSpec{}) // pen 0: default colour
	sc.lab = sc.lab[:0]

	x0, x1 := c.window()

	// Rows: title, plot, x-axis line, x-axis labels.
	top := 0
	if height >= 2 && c.hasTitle() {
		top = 1
	}
	rest := height - top
	xLabels, xAxis := rest >= 3, rest >= 4
	ph := rest
	if xLabels {
		ph--
	}
	if xAxis {
		ph--
	}

	// Value axis and its labels decide the gutter, hence the plot width.
	ys := c.yScale(x0, x1, ph)
	gutter := 0
	if ph >= 2 {
		lw := c.yLabels(ys, ph)
		if width-(lw+1) >= minPlotW {
			gutter = lw + 1
		}
	}
	if gutter == 0 {
		sc.yLabs = sc.yLabs[:0]
	}
	g.plot(gutter, top, width-gutter, ph)

	m := newMapper(x0, x1, ys.lo, ys.hi, g.dw, g.dh)
	if xLabels || xAxis {
		c.xLabels(x0, x1, m)
	} else {
		sc.xLabs = sc.xLabs[:0]
	}

	p := c.pens()
	c.drawReference(m, p)
	c.drawSeries(m, p)
	c.drawOverlays(m, p)
	c.drawAxes(top, ph, gutter, xAxis, xLabels, p)
	if top == 1 {
		c.drawTitle(p)
	}
	sc.out = g.appendTo(sc.out[:0], sc.pens)
	return string(sc.out)
}

// minPlotW is the narrowest plot (cells) kept when y labels would make it
// narrower; below it the labels go.
const minPlotW = 10

// hasTitle reports whether the title row has anything to show.
func (c *Chart) hasTitle() bool {
	if c.Title != "" || c.Unit != "" {
		return true
	}
	if c.NoLegend {
		return false
	}
	for i := range c.Series {
		if c.Series[i].Name != "" {
			return true
		}
	}
	return false
}
