package chart

// helpers_test.go owns the deterministic data and colours the tests,
// goldens and benchmarks share.

import (
	"image/color"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// The test theme's colours.
func tAxis() color.Color  { return lipgloss.Color("#5c6370") }
func tText() color.Color  { return lipgloss.Color("#d7dae0") }
func tMuted() color.Color { return lipgloss.Color("#7f848e") }

// tCol is the colour of series i.
func tCol(i int) color.Color {
	cs := [...]string{"#61afef", "#e5c07b", "#98c379", "#c678dd"}
	return lipgloss.Color(cs[i%len(cs)])
}

// wave is n points over [0, span] seconds: a sawtooth plus a sine plus
// noise, different for each seed.
func wave(seed uint64, n int, span, amp float64) []Point {
	rng := rand.New(rand.NewPCG(seed, 7))
	pts := make([]Point, n)
	for i := range pts {
		t := span * float64(i) / float64(n-1)
		saw := math.Mod(t*(1+float64(seed)*0.3), 7) / 7
		v := amp * (0.3 + 0.4*saw + 0.2*math.Sin(t+float64(seed)) + 0.05*rng.Float64())
		pts[i] = Point{T: t, V: v}
	}
	return pts
}

// aggsOf downsamples pts into n buckets.
func aggsOf(pts []Point, n int) []Agg {
	out := make([]Agg, 0, n)
	per := (len(pts) + n - 1) / n
	for i := 0; i < len(pts); i += per {
		b := pts[i:min(i+per, len(pts))]
		a := Agg{T: (b[0].T + b[len(b)-1].T) / 2, Min: math.Inf(1), Max: math.Inf(-1)}
		for _, p := range b {
			a.Min, a.Max = min(a.Min, p.V), max(a.Max, p.V)
			a.Mean += p.V / float64(len(b))
		}
		out = append(out, a)
	}
	return out
}

// benchChart is the 4 series × 1000 points chart of BenchmarkRender.
func benchChart() *Chart {
	c := &Chart{Title: "cwnd", Unit: "KB", XMin: 0, XMax: 30, YMin: math.NaN(), YMax: math.NaN(),
		Axis: tAxis(), Text: tText(), Muted: tMuted(),
		HLines:  []HLine{{V: 250, Label: "cap"}},
		Markers: []Marker{{T: 12, Label: "bw 12M"}, {T: 20, Label: "loss"}},
	}
	for i := 0; i < 4; i++ {
		c.Series = append(c.Series, Series{Name: "flow " + string(rune('1'+i)), Color: tCol(i),
			Points: wave(uint64(i+1), 1000, 30, 300)})
	}
	return c
}

// checkShape fails unless out is exactly h lines of exactly w cells.
func checkShape(t testing.TB, out string, w, h int) {
	t.Helper()
	if h <= 0 {
		if out != "" {
			t.Fatalf("%dx%d: want empty output, got %q", w, h, out)
		}
		return
	}
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		t.Fatalf("%dx%d: %d lines, want %d", w, h, len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != max(w, 0) {
			t.Fatalf("%dx%d: line %d is %d cells wide, want %d: %q", w, h, i, got, max(w, 0), l)
		}
		if got := lipgloss.Width(l); got != max(w, 0) {
			t.Fatalf("%dx%d: line %d: lipgloss.Width %d, want %d", w, h, i, got, max(w, 0))
		}
	}
}

// stripped is s without ANSI sequences.
func stripped(s string) string { return ansi.Strip(s) }
