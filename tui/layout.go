package tui

// rect is a region of the screen in cells.
type rect struct{ x, y, w, h int }

func (r rect) contains(x, y int) bool { return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h }

// layout is where things go on the current screen: computed from the size
// on every redraw, and used again to find which chart the mouse is over.
type layout struct {
	header, body, side, footer rect
	charts                     []rect
}

// Sizes below which parts are dropped.
const (
	sideWidth     = 42  // the side panel's width
	sideMinScreen = 110 // narrower screens drop the side panel
	minChartW     = 20
	minChartH     = 5
)

// computeLayout places the header (top line), the footer (bottom line),
// the side panel (right, when the screen is wide enough) and a grid of n
// charts in the rest. Panels are dropped before charts get squeezed:
// first the side panel, then charts (from the end) that would fall under
// the minimum size.
func computeLayout(w, h, n int, side bool) layout {
	var l layout
	l.header = rect{0, 0, w, 1}
	l.footer = rect{0, max(h-1, 0), w, 1}
	l.body = rect{0, 1, w, max(h-2, 0)}
	if side && w >= sideMinScreen {
		l.side = rect{w - sideWidth + 1, 1, sideWidth - 1, l.body.h}
		l.body.w = w - sideWidth
	}
	l.charts = grid(l.body, n)
	return l
}

// grid splits r into n chart cells: two columns when there is room, rows
// as needed, dropping charts that would not fit.
func grid(r rect, n int) []rect {
	for ; n > 0; n-- {
		cols := 1
		if n > 1 && r.w >= 2*minChartW {
			cols = 2
		}
		rows := (n + cols - 1) / cols
		if r.h/rows < minChartH || r.w/cols < minChartW {
			continue
		}
		out := make([]rect, 0, n)
		for i := 0; i < n; i++ {
			row, col := i/cols, i%cols
			x := r.x + col*r.w/cols
			y := r.y + row*r.h/rows
			w := r.x + (col+1)*r.w/cols - x
			h := r.y + (row+1)*r.h/rows - y
			if i == n-1 && col == 0 && cols == 2 {
				w = r.w // a last chart alone on its row takes the row
			}
			if x+w < r.x+r.w {
				w-- // a blank column between charts side by side
			}
			out = append(out, rect{x, y, w, h})
		}
		return out
	}
	return nil
}
