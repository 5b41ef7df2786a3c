package chart

// style.go owns colour: the per-render palette of pens (colour + bold) the
// grid cells point into, and writing SGR sequences the way lipgloss does.

import (
	"image/color"
	"strconv"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// penSpec is one colour as the terminal is told it.
type penSpec struct {
	kind    uint8 // penNone, penBasic, penIndexed, penRGB
	bold    bool
	r, g, b uint8 // penBasic/penIndexed: r holds the index
}

const (
	penNone = iota
	penBasic
	penIndexed
	penRGB
)

// specOf converts a colour into a penSpec. nil and lipgloss.NoColor mean
// "no colour".
func specOf(c color.Color, bold bool) penSpec {
	switch c := c.(type) {
	case nil, lipgloss.NoColor:
		return penSpec{bold: bold}
	case ansi.BasicColor:
		return penSpec{kind: penBasic, bold: bold, r: uint8(c)}
	case ansi.IndexedColor:
		return penSpec{kind: penIndexed, bold: bold, r: uint8(c)}
	}
	r, g, b, _ := c.RGBA()
	return penSpec{kind: penRGB, bold: bold, r: shift8(r), g: shift8(g), b: shift8(b)}
}

// shift8 reduces a colour channel the way x/ansi does for SGR sequences.
func shift8(x uint32) uint8 {
	if x > 0xff {
		x >>= 8
	}
	return uint8(x)
}

// rgbOf returns the 8-bit RGB of a colour (for blending).
func rgbOf(c color.Color) (r, g, b uint8) {
	cr, cg, cb, _ := c.RGBA()
	return uint8(cr >> 8), uint8(cg >> 8), uint8(cb >> 8)
}

// dimmed is the envelope colour of a series: its colour halfway to muted.
// Without either colour the series' own spec is kept.
func dimmed(series, muted color.Color) penSpec {
	s := specOf(series, false)
	if s.kind == penNone || specOf(muted, false).kind == penNone {
		return s
	}
	r1, g1, b1 := rgbOf(series)
	r2, g2, b2 := rgbOf(muted)
	return penSpec{kind: penRGB,
		r: uint8((uint16(r1) + uint16(r2)) / 2),
		g: uint8((uint16(g1) + uint16(g2)) / 2),
		b: uint8((uint16(b1) + uint16(b2)) / 2)}
}

// pen returns the palette index of spec, adding it if new. Index 0 is the
// default colour; when the palette is full (255 pens) new specs get 0.
func (sc *scratch) pen(spec penSpec) uint8 {
	if spec == (penSpec{}) {
		return 0
	}
	for i, p := range sc.pens {
		if p == spec {
			return uint8(i)
		}
	}
	if len(sc.pens) > 255 {
		return 0
	}
	sc.pens = append(sc.pens, spec)
	return uint8(len(sc.pens) - 1)
}

// penSet is the palette indices one render uses.
type penSet struct {
	axis, title, text, muted uint8
	line, env                []uint8 // per series
}

// pens fills the palette for this render.
func (c *Chart) pens() *penSet {
	sc := c.sc
	p := &sc.ps
	p.axis = sc.pen(specOf(c.Axis, false))
	p.title = sc.pen(specOf(c.Text, true))
	p.text = sc.pen(specOf(c.Text, false))
	p.muted = sc.pen(specOf(c.Muted, false))
	p.line, p.env = p.line[:0], p.env[:0]
	for i := range c.Series {
		s := &c.Series[i]
		p.line = append(p.line, sc.pen(specOf(s.Color, false)))
		p.env = append(p.env, sc.pen(dimmed(s.Color, c.Muted)))
	}
	return p
}

// penOr is the pen of c, or def when c is nil.
func (c *Chart) penOr(col color.Color, def uint8) uint8 {
	if col == nil {
		return def
	}
	return c.sc.pen(specOf(col, false))
}

// appendSGR writes the SGR sequence that selects p, as lipgloss writes it
// (bold first, then the foreground colour).
func appendSGR(b []byte, p penSpec) []byte {
	b = append(b, "\x1b["...)
	if p.bold {
		b = append(b, '1')
		if p.kind != penNone {
			b = append(b, ';')
		}
	}
	switch p.kind {
	case penBasic:
		switch {
		case p.r < 8:
			b = strconv.AppendUint(b, 30+uint64(p.r), 10)
		case p.r < 16:
			b = strconv.AppendUint(b, 90+uint64(p.r-8), 10)
		default:
			b = append(b, "39"...)
		}
	case penIndexed:
		b = append(b, "38;5;"...)
		b = strconv.AppendUint(b, uint64(p.r), 10)
	case penRGB:
		b = append(b, "38;2;"...)
		b = strconv.AppendUint(b, uint64(p.r), 10)
		b = append(b, ';')
		b = strconv.AppendUint(b, uint64(p.g), 10)
		b = append(b, ';')
		b = strconv.AppendUint(b, uint64(p.b), 10)
	}
	return append(b, 'm')
}

// sgrReset ends a styled run, as lipgloss does.
const sgrReset = "\x1b[m"
