package chart

// draw.go owns putting data on the braille canvas: reference lines and
// markers, series as lines, steps, dots and min–max envelopes, with
// clipping to the plot and gaps.

// drawReference draws the reference lines (dashed: two dots on, two off)
// and the markers (dotted: every other dot row), under the data.
func (c *Chart) drawReference(m mapper, p *penSet) {
	g := &c.sc.g
	for _, h := range c.HLines {
		y := m.y(h.V)
		if !finite(h.V) || !(y >= -0.5 && y < m.by) {
			continue
		}
		iy := int(y + 0.5)
		pen := c.penOr(h.Color, p.muted)
		for x := 0; x < m.dw; x++ {
			if x&3 < 2 {
				g.dot(x, iy, pen)
			}
		}
	}
	for _, mk := range c.Markers {
		x := m.x(mk.T)
		if !finite(mk.T) || !(x >= -0.5 && x < m.bx) {
			continue
		}
		ix := int(x + 0.5)
		pen := c.penOr(mk.Color, p.muted)
		for y := 0; y < m.dh; y += 2 {
			g.dot(ix, y, pen)
		}
	}
}

// drawSeries draws every series in order, so later series win shared cells.
func (c *Chart) drawSeries(m mapper, p *penSet) {
	g := &c.sc.g
	for i := range c.Series {
		s := &c.Series[i]
		l := liner{g: g, m: &m, pen: p.line[i], style: s.Style, maxGap: s.MaxGap, col: -1}
		if len(s.Aggs) > 0 {
			drawEnvelope(g, &m, s, p.env[i])
			for _, a := range s.Aggs {
				l.add(a.T, a.Mean)
			}
			l.flush()
			continue
		}
		if s.Style == Dots {
			drawDots(g, &m, s.Points, l.pen)
			continue
		}
		for _, pt := range s.Points {
			l.add(pt.T, pt.V)
		}
		l.flush()
	}
}

// drawDots sets one dot per point inside the plot (grid.dot, unrolled: this
// loop sees tens of thousands of points).
func drawDots(g *grid, m *mapper, pts []Point, pen uint8) {
	cells, w, off := g.cells, g.w, g.py*g.w+g.px
	x0, sx, hi, sy, bx, by := m.x0, m.sx, m.hi, m.sy, m.bx, m.by
	for _, pt := range pts {
		// Unbounded on purpose: NaN and ±Inf coordinates fail the test.
		x, y := (pt.T-x0)*sx, (hi-pt.V)*sy
		if x >= -0.5 && x < bx && y >= -0.5 && y < by {
			ix, iy := int(x+0.5), int(y+0.5)
			c := &cells[off+(iy>>2)*w+ix>>1]
			c.bits |= dotBits[(ix&1)<<2|iy&3]
			c.pen = pen
		}
	}
}

// drawEnvelope fills each aggregate's min..max in its dot column and, for
// lines and steps, interpolates min and max across the columns between
// neighbouring aggregates (unless they are more than MaxGap apart).
func drawEnvelope(g *grid, m *mapper, s *Series, pen uint8) {
	has := false
	var pt, px, plo, phi float64
	for _, a := range s.Aggs {
		if !finite(a.T) || !finite(a.Min) || !finite(a.Max) {
			has = false
			continue
		}
		x, lo, hi := m.x(a.T), m.y(a.Min), m.y(a.Max)
		if x >= -0.5 && x < m.bx {
			g.vspanF(int(x+0.5), lo, hi, pen)
		}
		if has && s.Style != Dots && (s.MaxGap <= 0 || a.T-pt <= s.MaxGap) {
			fillBetween(g, m, px, plo, phi, x, lo, hi, pen)
		}
		has, pt, px, plo, phi = true, a.T, x, lo, hi
	}
}

// fillBetween fills the dot columns strictly between the columns of x0 and
// x1 with spans interpolated between (lo0, hi0) and (lo1, hi1).
func fillBetween(g *grid, m *mapper, x0, lo0, hi0, x1, lo1, hi1 float64, pen uint8) {
	if x1 < x0 {
		x0, lo0, hi0, x1, lo1, hi1 = x1, lo1, hi1, x0, lo0, hi0
	}
	c0 := max(roundF(x0)+1, 0)
	c1 := min(roundF(x1)-1, float64(m.dw-1))
	for cx := c0; cx <= c1; cx++ {
		f := (cx - x0) / (x1 - x0)
		g.vspanF(int(cx), lo0+(lo1-lo0)*f, hi0+(hi1-hi0)*f, pen)
	}
}

// roundF rounds half up (coordinates are bounded by ±big, so exact).
func roundF(f float64) float64 {
	i := int64(f + 0.5)
	if float64(i) > f+0.5 {
		i--
	}
	return float64(i)
}

// vspanF sets the dots between dot rows ya and yb (fractional, any order,
// possibly outside the plot) of column x.
func (g *grid) vspanF(x int, ya, yb float64, pen uint8) {
	if ya > yb {
		ya, yb = yb, ya
	}
	by := float64(g.dh) - 0.5
	if !(yb >= -0.5 && ya < by) {
		return
	}
	ya, yb = max(ya, -0.5), min(yb, by-1e-9)
	g.vspan(x, int(ya+0.5), int(yb+0.5), pen)
}

// liner joins consecutive values of one series.
type liner struct {
	g      *grid
	m      *mapper
	pen    uint8
	style  Style
	maxGap float64
	has    bool
	t      float64 // previous value's time and dot coordinates
	x, y   float64
	// A vertical run in dot column col (-1: none) not drawn yet: dense
	// data puts many segments in one column, drawn as one span.
	col, lo, hi int
}

// add draws the value v at time t: a segment (or step) from the previous
// value, or a lone dot after a gap. Non-finite values make a gap.
func (l *liner) add(t, v float64) {
	if !finite(t) || !finite(v) {
		l.has = false
		return
	}
	m := l.m
	// Unbounded here (finite inputs give finite or ±Inf coordinates, never
	// NaN); seg bounds them when it has to clip.
	x, y := (t-m.x0)*m.sx, (m.hi-v)*m.sy
	switch {
	case l.has && (l.maxGap <= 0 || t-l.t <= l.maxGap):
		if l.style == Steps {
			l.seg(l.x, l.y, x, l.y)
			l.seg(x, l.y, x, y)
		} else {
			l.seg(l.x, l.y, x, y)
		}
	case x >= -0.5 && x < m.bx && y >= -0.5 && y < m.by:
		l.g.dot(int(x+0.5), int(y+0.5), l.pen)
	}
	l.has, l.t, l.x, l.y = true, t, x, y
}

// seg draws the segment between two dot coordinates, clipped to the plot.
func (l *liner) seg(ax, ay, bx, by float64) {
	m := l.m
	if !(ax >= -0.5 && ax < m.bx && ay >= -0.5 && ay < m.by &&
		bx >= -0.5 && bx < m.bx && by >= -0.5 && by < m.by) {
		var ok bool
		ax, ay, bx, by = bound(ax), bound(ay), bound(bx), bound(by)
		if ax, ay, bx, by, ok = clip(ax, ay, bx, by, m.bx, m.by); !ok {
			return
		}
	}
	x0, y0 := roundIdx(ax, m.dw), roundIdx(ay, m.dh)
	x1, y1 := roundIdx(bx, m.dw), roundIdx(by, m.dh)
	if x0 == x1 {
		if y0 > y1 {
			y0, y1 = y1, y0
		}
		if x0 == l.col {
			l.lo, l.hi = min(l.lo, y0), max(l.hi, y1)
			return
		}
		l.flush()
		l.col, l.lo, l.hi = x0, y0, y1
		return
	}
	l.g.line(x0, y0, x1, y1, l.pen)
}

// flush draws the pending vertical run.
func (l *liner) flush() {
	if l.col >= 0 {
		l.g.vspan(l.col, l.lo, l.hi, l.pen)
		l.col = -1
	}
}

// clip cuts the segment (x0, y0)–(x1, y1) to the box [-0.5, bx] × [-0.5, by]
// (Liang–Barsky); ok is false when nothing of it is inside.
func clip(x0, y0, x1, y1, bx, by float64) (cx0, cy0, cx1, cy1 float64, ok bool) {
	t0, t1 := 0.0, 1.0
	dx, dy := x1-x0, y1-y0
	edges := [4][2]float64{{-dx, x0 + 0.5}, {dx, bx - x0}, {-dy, y0 + 0.5}, {dy, by - y0}}
	for _, e := range edges {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return 0, 0, 0, 0, false
			}
			continue
		}
		r := q / p
		if p < 0 {
			if r > t1 {
				return 0, 0, 0, 0, false
			}
			t0 = max(t0, r)
		} else {
			if r < t0 {
				return 0, 0, 0, 0, false
			}
			t1 = min(t1, r)
		}
	}
	return x0 + t0*dx, y0 + t0*dy, x0 + t1*dx, y0 + t1*dy, true
}

// drawOverlays writes the text on the plot: reference-line labels at the
// right edge of their row (at most half the plot wide), marker glyphs on
// the top row and, on plots of minLabelRows or more, marker labels beside
// them (right, else left) where they fit without covering other text.
func (c *Chart) drawOverlays(m mapper, p *penSet) {
	g := &c.sc.g
	for _, h := range c.HLines {
		y := m.y(h.V)
		if h.Label == "" || !finite(h.V) || !(y >= -0.5 && y < m.by) {
			continue
		}
		w := min(textWidth(h.Label), g.pw/2)
		if w < 1 {
			continue
		}
		row := g.py + int(y+0.5)>>2
		g.put(row, g.px+g.pw-w, w, h.Label, c.penOr(h.Color, p.muted), true)
	}
	if len(c.Markers) == 0 {
		return
	}
	row := g.py
	for _, mk := range c.Markers {
		if col, ok := markerCol(m, mk.T); ok {
			g.setText(row*g.w+g.px+col, "▼", 1, c.penOr(mk.Color, p.muted), kindText)
		}
	}
	if g.ph < minLabelRows {
		return
	}
	for _, mk := range c.Markers {
		col, ok := markerCol(m, mk.T)
		if !ok || mk.Label == "" {
			continue
		}
		col += g.px
		end := g.px + g.pw // first column past the plot
		r := 0
		for col+1+r < end && g.isFree(row*g.w+col+1+r) {
			r++
		}
		if col+1+r < end {
			r-- // a blank before the next text
		}
		l := 0
		for col-1-l >= g.px && g.isFree(row*g.w+col-1-l) {
			l++
		}
		if col-1-l >= g.px {
			l--
		}
		lw := textWidth(mk.Label)
		pen := c.penOr(mk.Color, p.muted)
		switch {
		case lw <= r:
			g.put(row, col+1, lw, mk.Label, pen, true)
		case lw <= l:
			g.put(row, col-lw, lw, mk.Label, pen, true)
		case r >= l && r >= 2:
			g.put(row, col+1, r, mk.Label, pen, true)
		case l >= 2:
			g.put(row, col-l, l, mk.Label, pen, true)
		}
	}
}

// minLabelRows is the shortest plot (rows) that gets marker labels; on
// smaller ones they would cover too much of the data.
const minLabelRows = 4

// markerCol is the plot cell column of a marker at time t.
func markerCol(m mapper, t float64) (int, bool) {
	x := m.x(t)
	if !finite(t) || !(x >= -0.5 && x < m.bx) {
		return 0, false
	}
	return int(x+0.5) >> 1, true
}
