package chart

// grid.go owns the cell grid a chart is composed on: braille dots in the
// plot area, text cells for everything else, the colour of each cell, and
// turning the grid into styled lines.

import (
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Cell kinds.
const (
	kindDots = iota // braille dots, or a blank when bits == 0
	kindText        // a grapheme cluster from text[off:off+n]
	kindUser        // kindText, but a non-ASCII cluster from caller text
	kindCont        // right half of a wide cluster: emits nothing
)

type cell struct {
	bits uint8 // braille dots (kindDots)
	pen  uint8 // palette index
	kind uint8
	n    uint8  // text length in bytes
	off  uint32 // text offset
}

// dotBits is the braille bit of the dot at column c (0..1), row r (0..3)
// of a cell, at index c*4+r.
const dotBits = "\x01\x02\x04\x40\x08\x10\x20\x80"

// grid is width×height cells with a plot area of pw×ph cells at (px, py),
// that is dw×dh dots.
type grid struct {
	w, h           int
	cells          []cell
	text           []byte
	px, py, pw, ph int
	dw, dh         int
	sgr            []byte // SGR sequences of the pens, back to back
	sgrEnd         []int  // pen i's sequence is sgr[sgrEnd[i-1]:sgrEnd[i]]
}

func (g *grid) reset(w, h int) {
	g.w, g.h = w, h
	n := w * h
	if cap(g.cells) < n {
		g.cells = make([]cell, n)
	} else {
		g.cells = g.cells[:n]
		clear(g.cells)
	}
	g.text = g.text[:0]
}

// plot places the plot area.
func (g *grid) plot(px, py, pw, ph int) {
	g.px, g.py, g.pw, g.ph = px, py, pw, ph
	g.dw, g.dh = 2*pw, 4*ph
}

// dot sets the dot (x, y) of the plot; 0 ≤ x < dw and 0 ≤ y < dh.
func (g *grid) dot(x, y int, pen uint8) {
	c := &g.cells[(g.py+y>>2)*g.w+g.px+x>>1]
	c.bits |= dotBits[(x&1)<<2|y&3]
	c.pen = pen
}

// vspan sets the dots y0..y1 (inclusive, any order, clamped to the plot) of
// dot column x (0 ≤ x < dw).
func (g *grid) vspan(x, y0, y1 int, pen uint8) {
	if y0 > y1 {
		y0, y1 = y1, y0
	}
	y0, y1 = max(y0, 0), min(y1, g.dh-1)
	if y0 > y1 {
		return
	}
	i := (g.py+y0>>2)*g.w + g.px + x>>1
	for y := y0; y <= y1; {
		end := min(y|3, y1)
		// rows y&3 .. end&3 of the cell as a 4-bit mask, then as braille bits
		m := uint8(0xf>>(3-(end-y))) << (y & 3)
		var bits uint8
		if x&1 == 0 {
			bits = m&7 | (m&8)<<3
		} else {
			bits = (m&7)<<3 | (m&8)<<4
		}
		c := &g.cells[i]
		c.bits |= bits
		c.pen = pen
		i += g.w
		y = end + 1
	}
}

// line sets the dots of the segment (x0, y0)–(x1, y1), all inside the plot,
// by Bresenham's algorithm: every dot column (or row, for steep segments)
// between the ends gets exactly one dot, so the segment is 8-connected.
func (g *grid) line(x0, y0, x1, y1 int, pen uint8) {
	if x0 == x1 {
		g.vspan(x0, y0, y1, pen)
		return
	}
	dx, sx := x1-x0, 1
	if dx < 0 {
		dx, sx = -dx, -1
	}
	dy, sy := y1-y0, 1 // dy becomes -|y1-y0|: the classic error-term form
	if dy < 0 {
		sy = -1
	} else {
		dy = -dy
	}
	e := dx + dy
	for {
		g.dot(x0, y0, pen)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

// isFree reports whether cell i holds no text.
func (g *grid) isFree(i int) bool { return g.cells[i].kind == kindDots }

// put writes s at (row, col) in at most maxW cells, cutting it with "…" when
// it is wider, and returns the cells used. Clusters that are control
// characters, invalid UTF-8 or zero-width are dropped. user marks text
// from the caller (it may need the fallback in appendTo).
func (g *grid) put(row, col, maxW int, s string, pen uint8, user bool) int {
	if row < 0 || row >= g.h || col < 0 || col >= g.w {
		return 0
	}
	maxW = min(maxW, g.w-col)
	if maxW <= 0 {
		return 0
	}
	room := maxW
	if textWidth(s) > maxW {
		room = maxW - 1 // keep a cell for "…"
	}
	x := col
	for len(s) > 0 {
		n, w := nextCluster(s)
		cl := s[:n]
		s = s[n:]
		if w == 0 {
			continue
		}
		if x+w > col+room {
			break
		}
		kind := uint8(kindText)
		if user && (n > 1 || cl[0] >= utf8.RuneSelf) {
			kind = kindUser
		}
		g.setText(row*g.w+x, cl, w, pen, kind)
		x += w
	}
	if room < maxW {
		// no blank before the ellipsis: "flow 1" cut to 3 cells is "fl…"
		for x > col && g.cells[row*g.w+x-1].kind == kindText && g.text[g.cells[row*g.w+x-1].off] == ' ' {
			x--
			g.cells[row*g.w+x] = cell{}
		}
		g.setText(row*g.w+x, "…", 1, pen, kindText)
		x++
	}
	return x - col
}

// setText puts cluster cl of width w (1 or 2) into cell i (and i+1).
func (g *grid) setText(i int, cl string, w int, pen uint8, kind uint8) {
	g.unwide(i)
	if w == 2 {
		g.unwide(i + 1)
	}
	off := len(g.text)
	g.text = append(g.text, cl...)
	g.cells[i] = cell{pen: pen, kind: kind, n: uint8(len(cl)), off: uint32(off)}
	if w == 2 {
		g.cells[i+1] = cell{pen: pen, kind: kindCont}
	}
}

// unwide clears the other half of a wide cluster that cell i is part of, so
// that overwriting one half never leaves the other dangling.
func (g *grid) unwide(i int) {
	c := &g.cells[i]
	if c.kind == kindCont && i > 0 {
		g.cells[i-1] = cell{}
	}
	if (c.kind == kindText || c.kind == kindUser) && i+1 < len(g.cells) && g.cells[i+1].kind == kindCont {
		g.cells[i+1] = cell{}
	}
	if c.kind == kindCont {
		*c = cell{}
	}
}

// textWidth is the width put gives s without a limit.
func textWidth(s string) int {
	w := 0
	for len(s) > 0 {
		n, cw := nextCluster(s)
		s = s[n:]
		w += cw
	}
	return w
}

// nextCluster returns the byte length and the cell width of the first
// grapheme cluster of s (non-empty); width 0 means "drop it".
func nextCluster(s string) (n, w int) {
	b := s[0]
	if b < utf8.RuneSelf && (len(s) == 1 || s[1] < utf8.RuneSelf) {
		if b < 0x20 || b == 0x7f {
			return 1, 0
		}
		return 1, 1
	}
	cl, w := ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
	n = len(cl)
	if n == 0 {
		return 1, 0
	}
	if n > 64 || w > 2 || !utf8.ValidString(cl) {
		return n, 0
	}
	for _, r := range cl {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return n, 0
		}
	}
	return n, w
}

// appendTo writes the grid as lines joined by "\n": runs of cells with the
// same pen share one SGR sequence; blanks are left unstyled but do not break
// a run whose pen continues after them.
func (g *grid) appendTo(b []byte, pens []penSpec) []byte {
	g.sgr, g.sgrEnd = g.sgr[:0], g.sgrEnd[:0]
	for _, p := range pens {
		g.sgr = appendSGR(g.sgr, p)
		g.sgrEnd = append(g.sgrEnd, len(g.sgr))
	}
	for row := 0; row < g.h; row++ {
		if row > 0 {
			b = append(b, '\n')
		}
		start := len(b)
		cells := g.cells[row*g.w : (row+1)*g.w]
		b = g.appendRow(b, cells, false)
		if g.hasUser(cells) && ansi.StringWidth(string(b[start:])) != g.w {
			b = g.appendRow(b[:start], cells, true)
		}
	}
	return b
}

func (g *grid) hasUser(cells []cell) bool {
	for i := range cells {
		if cells[i].kind == kindUser {
			return true
		}
	}
	return false
}

// appendRow writes one row. safe replaces caller clusters by "?" per cell
// (for rows where they combined with their neighbours).
func (g *grid) appendRow(b []byte, cells []cell, safe bool) []byte {
	cur := uint8(0)
	for x := 0; x < len(cells); {
		c := &cells[x]
		if c.kind == kindDots && c.bits == 0 {
			j := x + 1
			for j < len(cells) && cells[j].kind == kindDots && cells[j].bits == 0 {
				j++
			}
			if cur != 0 && (j == len(cells) || cells[j].pen != cur) {
				b = append(b, sgrReset...)
				cur = 0
			}
			for ; x < j; x++ {
				b = append(b, ' ')
			}
			continue
		}
		x++
		if c.kind == kindCont {
			if safe {
				b = append(b, '?')
			}
			continue
		}
		if c.pen != cur {
			if cur != 0 {
				b = append(b, sgrReset...)
			}
			if c.pen != 0 {
				b = append(b, g.sgr[g.sgrEnd[c.pen-1]:g.sgrEnd[c.pen]]...)
			}
			cur = c.pen
		}
		switch c.kind {
		case kindDots:
			r := 0x2800 + rune(c.bits)
			b = append(b, byte(0xe0|r>>12), byte(0x80|(r>>6)&0x3f), byte(0x80|r&0x3f))
		case kindUser:
			if safe {
				b = append(b, '?')
				continue
			}
			b = append(b, g.text[c.off:c.off+uint32(c.n)]...)
		default:
			if c.n == 1 {
				b = append(b, g.text[c.off])
				continue
			}
			b = append(b, g.text[c.off:c.off+uint32(c.n)]...)
		}
	}
	if cur != 0 {
		b = append(b, sgrReset...)
	}
	return b
}
