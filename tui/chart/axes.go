package chart

// axes.go owns the axes around the plot: the y axis with its right-aligned
// labels in the gutter, the x axis line with tick marks and the time labels
// under it.

// drawAxes draws the axes of a plot ph rows tall starting at row top.
func (c *Chart) drawAxes(top, ph, gutter int, xAxis, xLabels bool, p *penSet) {
	sc := c.sc
	g := &sc.g
	if gutter > 0 {
		ax := gutter - 1
		for r := 0; r < ph; r++ {
			g.setText((top+r)*g.w+ax, "│", 1, p.axis, kindText)
		}
		for _, l := range sc.yLabs {
			row := top + l.pos
			g.setText(row*g.w+ax, "┤", 1, p.axis, kindText)
			g.putASCII(row, ax-(l.b-l.a), sc.lab[l.a:l.b], p.muted)
		}
	}
	row := top + ph
	if xAxis {
		if gutter > 0 {
			g.setText(row*g.w+gutter-1, "└", 1, p.axis, kindText)
		}
		for x := 0; x < g.pw; x++ {
			g.setText(row*g.w+g.px+x, "─", 1, p.axis, kindText)
		}
		for _, l := range sc.xLabs {
			g.setText(row*g.w+g.px+l.pos, "┬", 1, p.axis, kindText)
		}
		row++
	}
	if xLabels {
		last := -1 // first column after the previous label
		for _, l := range sc.xLabs {
			w := l.b - l.a
			start := min(max(g.px+l.pos-w/2, 0), g.w-w)
			if start < 0 || start <= last {
				continue
			}
			g.putASCII(row, start, sc.lab[l.a:l.b], p.muted)
			last = start + w
		}
	}
}

// putASCII writes ASCII text at (row, col), one byte per cell, clipped to
// the grid.
func (g *grid) putASCII(row, col int, s []byte, pen uint8) {
	if row < 0 || row >= g.h {
		return
	}
	for i, ch := range s {
		x := col + i
		if x < 0 || x >= g.w {
			continue
		}
		j := row*g.w + x
		g.unwide(j)
		g.cells[j] = cell{pen: pen, kind: kindText, n: 1, off: uint32(len(g.text))}
		g.text = append(g.text, ch)
	}
}
