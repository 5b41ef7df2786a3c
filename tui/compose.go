package tui

import (
	"sort"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// block is rendered content placed at a rectangle.
type block struct {
	r     rect
	lines []string
}

// fit makes s exactly w cells wide: truncated with … or padded with
// spaces (ANSI styling does not count).
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	switch {
	case sw > w:
		return ansi.Truncate(s, w, "…")
	case sw < w:
		return s + strings.Repeat(" ", w-sw)
	}
	return s
}

// fitLines makes text exactly h lines of w cells.
func fitLines(text string, w, h int) []string {
	lines := strings.Split(text, "\n")
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(w, 0))
		}
	}
	return out
}

// compose lays the blocks out on a w×h screen. Blocks must not overlap;
// uncovered cells are blank.
func compose(w, h int, blocks []block) string {
	sort.SliceStable(blocks, func(i, j int) bool { return blocks[i].r.x < blocks[j].r.x })
	var b strings.Builder
	for y := 0; y < h; y++ {
		x := 0
		for _, bl := range blocks {
			if y < bl.r.y || y >= bl.r.y+bl.r.h || bl.r.w <= 0 {
				continue
			}
			if bl.r.x > x {
				b.WriteString(strings.Repeat(" ", bl.r.x-x))
				x = bl.r.x
			}
			line := ""
			if i := y - bl.r.y; i < len(bl.lines) {
				line = bl.lines[i]
			}
			b.WriteString(fit(line, bl.r.w))
			x += bl.r.w
		}
		if x < w {
			b.WriteString(strings.Repeat(" ", w-x))
		}
		if y < h-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}
