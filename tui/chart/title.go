package chart

// title.go owns the title row: the title and unit on the left, the legend
// (■ name per named series) right-aligned, shortened with "…" to fit.

// legendItem is one legend entry: the series name and its pen.
type legendItem struct {
	name string
	pen  uint8
	w    int // name width
}

// Legend layout: "■ name", entries legendGap apart, at least legendGap from
// the title; names are not cut shorter than minName cells.
const (
	legendGap = 2
	minName   = 3
)

// drawTitle draws row 0.
func (c *Chart) drawTitle(p *penSet) {
	g := &c.sc.g
	// Title and unit: "Title (unit)"; the unit keeps its room unless the
	// row is too narrow for it and a few cells of title.
	uw := textWidth(c.Unit)
	tw := textWidth(c.Title)
	unitRoom := 0
	if uw > 0 {
		unitRoom = uw + 2
		if tw > 0 {
			unitRoom++
		}
		if g.w < unitRoom+min(tw, 4) {
			unitRoom = 0
		}
	}
	x := 0
	if tw > 0 {
		x = g.put(0, 0, g.w-unitRoom, c.Title, p.title, true)
	}
	if unitRoom > 0 {
		if tw > 0 {
			x++
		}
		x += g.put(0, x, 1, "(", p.muted, false)
		x += g.put(0, x, uw, c.Unit, p.muted, true)
		x += g.put(0, x, 1, ")", p.muted, false)
	}
	if c.NoLegend {
		return
	}
	avail := g.w
	if x > 0 {
		avail -= x + legendGap
	}
	c.drawLegend(avail, p)
}

// drawLegend right-aligns the legend in the last avail cells of row 0:
// full names if they fit, else names cut to the longest common length that
// fits (at least minName), else as many entries as fit followed by "…",
// else nothing.
func (c *Chart) drawLegend(avail int, p *penSet) {
	sc := c.sc
	g := &sc.g
	sc.leg = sc.leg[:0]
	longest := 0
	for i := range c.Series {
		s := &c.Series[i]
		if w := textWidth(s.Name); w > 0 {
			sc.leg = append(sc.leg, legendItem{name: s.Name, pen: p.line[i], w: w})
			longest = max(longest, w)
		}
	}
	items := sc.leg
	if len(items) == 0 || avail <= 0 {
		return
	}
	// width of the first k entries with names cut to cut cells
	width := func(k, cut int) int {
		w := legendGap * (k - 1)
		for _, it := range items[:k] {
			w += 2 + min(it.w, cut)
		}
		return w
	}
	k, cut, more := len(items), longest, false
	if width(k, cut) > avail {
		for cut = longest - 1; cut >= minName && width(k, cut) > avail; cut-- {
		}
		if cut < minName {
			cut = minName
			for k = len(items) - 1; k > 0 && width(k, cut)+legendGap+1 > avail; k-- {
			}
			if k == 0 {
				return
			}
			more = true
		}
	}
	w := width(k, cut)
	if more {
		w += legendGap + 1
	}
	start := g.w - w
	x := start
	for i, it := range items[:k] {
		if i > 0 {
			x += legendGap
		}
		x += g.put(0, x, 1, "■", it.pen, false)
		x++
		x += g.put(0, x, min(it.w, cut), it.name, p.text, true)
	}
	if more {
		x += legendGap
		x += g.put(0, x, 1, "…", p.muted, false)
	}
	// Cut names can come out narrower than planned (a wide character or a
	// blank at the cut): keep the legend flush right.
	if slack := g.w - x; slack > 0 {
		row := g.cells[:g.w]
		copy(row[start+slack:], row[start:x])
		clear(row[start : start+slack])
	}
}
