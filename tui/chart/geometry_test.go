package chart

// geometry_test.go checks where dots land: values on known dot rows and
// columns, lines connected, gaps left open, envelopes filled, clipping,
// reference lines, markers and the colour rule.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// canvas is the plot's dots after a render: on[y][x], y from the top.
type canvas struct {
	dw, dh int
	on     [][]bool
	pen    [][]uint8 // pen of the cell holding each dot
}

func canvasOf(c *Chart) canvas {
	g := &c.sc.g
	cv := canvas{dw: g.dw, dh: g.dh}
	for y := 0; y < g.dh; y++ {
		row := make([]bool, g.dw)
		pens := make([]uint8, g.dw)
		for x := 0; x < g.dw; x++ {
			cl := g.cells[(g.py+y/4)*g.w+g.px+x/2]
			row[x] = cl.kind == kindDots && cl.bits&dotBits[(x%2)*4+y%4] != 0
			pens[x] = cl.pen
		}
		cv.on = append(cv.on, row)
		cv.pen = append(cv.pen, pens)
	}
	return cv
}

func (cv canvas) count() int {
	n := 0
	for _, r := range cv.on {
		for _, b := range r {
			if b {
				n++
			}
		}
	}
	return n
}

// String draws the canvas as '#'/'.' for failure messages.
func (cv canvas) String() string {
	var b strings.Builder
	for _, r := range cv.on {
		for _, on := range r {
			if on {
				b.WriteByte('#')
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// identity sets c up (no title, no legend) so that at w×h the time T = k
// falls on dot column k and the value V = v on dot row dh-1-v, renders it
// and returns the canvas. Layout without a title row: the plot has h-2
// rows when h ≥ 4 (x axis line and labels below it).
func identity(t *testing.T, c *Chart, w, h int) canvas {
	t.Helper()
	c.Title, c.Unit, c.NoLegend = "", "", true
	dh := 4 * (h - 2)
	c.YMin, c.YMax = 0, float64(dh-1)
	c.XMin, c.XMax = 0, 1
	c.Render(w, h)
	c.XMax = float64(c.sc.g.dw - 1)
	out := c.Render(w, h)
	checkShape(t, out, w, h)
	if c.sc.g.dh != dh {
		t.Fatalf("plot is %d dots tall, want %d", c.sc.g.dh, dh)
	}
	return canvasOf(c)
}

func TestConstantLines(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    func(dh int) float64
		row  func(dh int) int
	}{
		{"top", func(dh int) float64 { return float64(dh - 1) }, func(int) int { return 0 }},
		{"bottom", func(int) float64 { return 0 }, func(dh int) int { return dh - 1 }},
		{"middle", func(int) float64 { return 17 }, func(dh int) int { return dh - 1 - 17 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Chart{}
			dh := 4 * (12 - 2)
			c.Series = []Series{{Points: []Point{{0, tc.v(dh)}, {1e9, tc.v(dh)}}}}
			cv := identity(t, c, 40, 12)
			want := tc.row(cv.dh)
			for x := 0; x < cv.dw; x++ {
				for y := 0; y < cv.dh; y++ {
					if cv.on[y][x] != (y == want) {
						t.Fatalf("dot (%d,%d) is %v; want the line on row %d only\n%v", x, y, cv.on[y][x], want, cv)
					}
				}
			}
		})
	}
}

// A ramp from the bottom-left to the top-right corner: one dot per column
// (shallow) or per row (steep), each within half a dot of the true line.
func TestRampIsDiagonal(t *testing.T) {
	for _, size := range [][2]int{{40, 12}, {20, 22}, {70, 20}, {25, 25}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			c := &Chart{Series: []Series{{Points: []Point{{0, 0}, {1, 1}}}}}
			c.Title, c.NoLegend = "", true
			c.XMin, c.XMax, c.YMin, c.YMax = 0, 1, 0, 1
			out := c.Render(w, h)
			checkShape(t, out, w, h)
			cv := canvasOf(c)
			// true row of column x: dh-1 - x*(dh-1)/(dw-1)
			if cv.dw >= cv.dh {
				for x := 0; x < cv.dw; x++ {
					want := float64(cv.dh-1) - float64(x)*float64(cv.dh-1)/float64(cv.dw-1)
					n := 0
					for y := 0; y < cv.dh; y++ {
						if cv.on[y][x] {
							n++
							if math.Abs(float64(y)-want) > 0.5+1e-9 {
								t.Fatalf("column %d: dot on row %d, line at %.2f\n%v", x, y, want, cv)
							}
						}
					}
					if n != 1 {
						t.Fatalf("column %d has %d dots, want 1\n%v", x, n, cv)
					}
				}
				return
			}
			for y := 0; y < cv.dh; y++ {
				want := float64(cv.dh-1-y) * float64(cv.dw-1) / float64(cv.dh-1)
				n := 0
				for x := 0; x < cv.dw; x++ {
					if cv.on[y][x] {
						n++
						if math.Abs(float64(x)-want) > 0.5+1e-9 {
							t.Fatalf("row %d: dot in column %d, line at %.2f\n%v", y, x, want, cv)
						}
					}
				}
				if n != 1 {
					t.Fatalf("row %d has %d dots, want 1\n%v", y, n, cv)
				}
			}
		})
	}
}

func TestDotsLandOnTheirDots(t *testing.T) {
	pts := []Point{{0, 0}, {3, 5}, {10, 20}, {39, 39}, {20.4, 7.6}, {20.6, 7.4}}
	want := map[[2]int]bool{{0, 0}: true, {3, 5}: true, {10, 20}: true, {39, 39}: true, {20, 8}: true, {21, 7}: true}
	c := &Chart{Series: []Series{{Style: Dots, Points: pts}}}
	cv := identity(t, c, 40, 12) // dh = 40
	if cv.dh != 40 {
		t.Fatalf("dh = %d", cv.dh)
	}
	for y := 0; y < cv.dh; y++ {
		for x := 0; x < cv.dw; x++ {
			v := cv.dh - 1 - y
			if cv.on[y][x] != want[[2]int{x, v}] {
				t.Errorf("dot at T=%d V=%d is %v", x, v, cv.on[y][x])
			}
		}
	}
}

func TestStepsGoAcrossThenUp(t *testing.T) {
	c := &Chart{Series: []Series{{Style: Steps, Points: []Point{{2, 3}, {10, 12}, {15, 4}}}}}
	cv := identity(t, c, 40, 12)
	want := map[[2]int]bool{}
	for x := 2; x <= 10; x++ {
		want[[2]int{x, 3}] = true
	}
	for v := 3; v <= 12; v++ {
		want[[2]int{10, v}] = true
	}
	for x := 10; x <= 15; x++ {
		want[[2]int{x, 12}] = true
	}
	for v := 4; v <= 12; v++ {
		want[[2]int{15, v}] = true
	}
	for y := 0; y < cv.dh; y++ {
		for x := 0; x < cv.dw; x++ {
			v := cv.dh - 1 - y
			if cv.on[y][x] != want[[2]int{x, v}] {
				t.Fatalf("dot at T=%d V=%d is %v\n%v", x, v, cv.on[y][x], cv)
			}
		}
	}
}

func TestGaps(t *testing.T) {
	nan := math.NaN()
	cols := func(cv canvas) []bool {
		out := make([]bool, cv.dw)
		for x := range out {
			for y := 0; y < cv.dh; y++ {
				out[x] = out[x] || cv.on[y][x]
			}
		}
		return out
	}
	t.Run("NaN and Inf", func(t *testing.T) {
		c := &Chart{Series: []Series{{Points: []Point{
			{0, 5}, {4, 5}, {6, nan}, {8, 5}, {12, 5}, {14, math.Inf(1)}, {16, 5}, {20, 5}, {nan, 5}, {24, 5}, {28, 5}}}}}
		cv := identity(t, c, 40, 12)
		got := cols(cv)
		for x := 0; x < cv.dw; x++ {
			want := x <= 4 || (x >= 8 && x <= 12) || (x >= 16 && x <= 20) || (x >= 24 && x <= 28)
			if got[x] != want {
				t.Fatalf("column %d has dots: %v, want %v\n%v", x, got[x], want, cv)
			}
		}
	})
	t.Run("MaxGap", func(t *testing.T) {
		var pts []Point
		for x := 0; x <= 5; x++ {
			pts = append(pts, Point{float64(x), 5})
		}
		for x := 10; x <= 15; x++ {
			pts = append(pts, Point{float64(x), 5})
		}
		pts = append(pts, Point{30, 5}) // a lone point after a gap is a dot
		for _, gap := range []float64{0, 4.9, 5, 20} {
			c := &Chart{Series: []Series{{Points: pts, MaxGap: gap}}}
			cv := identity(t, c, 40, 12)
			got := cols(cv)
			for x := 0; x < cv.dw; x++ {
				want := x <= 5 || (x >= 10 && x <= 15) || x == 30
				if (x > 5 && x < 10) && (gap == 0 || gap >= 5) {
					want = true
				}
				if x > 15 && x < 30 && (gap == 0 || gap >= 15) {
					want = true
				}
				if got[x] != want {
					t.Fatalf("MaxGap %v: column %d has dots: %v, want %v\n%v", gap, x, got[x], want, cv)
				}
			}
		}
	})
}

// Consecutive points are joined with no missing dots: the dots of a random
// walk form one 8-connected set that contains every point's dot, and each
// dot lies within the bounding box of some segment.
func TestLineConnectivity(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 20; trial++ {
		var pts []Point
		for i := 0; i < 30; i++ {
			pts = append(pts, Point{rng.Float64() * 79, rng.Float64() * 79})
		}
		c := &Chart{Series: []Series{{Points: pts}}}
		cv := identity(t, c, 60, 22) // 80 dots tall
		dot := func(p Point) (int, int) {
			return int(math.Floor(p.T + 0.5)), cv.dh - 1 - int(math.Floor(p.V+0.5))
		}
		// every dot within some segment's box
		for y := 0; y < cv.dh; y++ {
			for x := 0; x < cv.dw; x++ {
				if !cv.on[y][x] {
					continue
				}
				ok := false
				for i := 1; i < len(pts) && !ok; i++ {
					ax, ay := dot(pts[i-1])
					bx, by := dot(pts[i])
					ok = x >= min(ax, bx) && x <= max(ax, bx) && y >= min(ay, by) && y <= max(ay, by)
				}
				if !ok {
					t.Fatalf("stray dot (%d,%d)\n%v", x, y, cv)
				}
			}
		}
		// flood fill from the first point
		seen := make([][]bool, cv.dh)
		for i := range seen {
			seen[i] = make([]bool, cv.dw)
		}
		x0, y0 := dot(pts[0])
		stack := [][2]int{{x0, y0}}
		seen[y0][x0] = true
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					x, y := p[0]+dx, p[1]+dy
					if x >= 0 && y >= 0 && x < cv.dw && y < cv.dh && cv.on[y][x] && !seen[y][x] {
						seen[y][x] = true
						stack = append(stack, [2]int{x, y})
					}
				}
			}
		}
		for i, p := range pts {
			x, y := dot(p)
			if !seen[y][x] {
				t.Fatalf("trial %d: point %d at dot (%d,%d) not connected to the first\n%v", trial, i, x, y, cv)
			}
		}
		for y := range seen {
			for x := range seen[y] {
				if cv.on[y][x] && !seen[y][x] {
					t.Fatalf("trial %d: dot (%d,%d) not connected\n%v", trial, x, y, cv)
				}
			}
		}
	}
}

func TestEnvelopes(t *testing.T) {
	nan := math.NaN()
	t.Run("one bucket per column", func(t *testing.T) {
		aggs := []Agg{{2, 3, 9, nan}, {3, 5, 5, nan}, {4, 0, 39, nan}, {5, 12.4, 20.6, nan}, {6, 30, 10, nan}}
		c := &Chart{Series: []Series{{Aggs: aggs}}}
		cv := identity(t, c, 40, 12)
		span := map[int][2]int{2: {3, 9}, 3: {5, 5}, 4: {0, 39}, 5: {12, 21}, 6: {10, 30}}
		for x := 0; x < cv.dw; x++ {
			for y := 0; y < cv.dh; y++ {
				v := cv.dh - 1 - y
				s, ok := span[x]
				want := ok && v >= s[0] && v <= s[1]
				if cv.on[y][x] != want {
					t.Fatalf("dot T=%d V=%d is %v, want %v\n%v", x, v, cv.on[y][x], want, cv)
				}
			}
		}
	})
	t.Run("interpolated between sparse buckets", func(t *testing.T) {
		aggs := []Agg{{0, 0, 10, nan}, {10, 10, 20, nan}}
		c := &Chart{Series: []Series{{Aggs: aggs}}}
		cv := identity(t, c, 40, 12)
		for x := 0; x < cv.dw; x++ {
			lo, hi := float64(x), 10+float64(x) // min and max rise by 1 per column
			for y := 0; y < cv.dh; y++ {
				v := float64(cv.dh - 1 - y)
				want := x <= 10 && v >= lo && v <= hi
				if cv.on[y][x] != want {
					t.Fatalf("dot T=%d V=%v is %v, want %v\n%v", x, v, cv.on[y][x], want, cv)
				}
			}
		}
		// Dots style does not interpolate; MaxGap and invalid buckets stop it.
		withNaN := []Agg{aggs[0], {5, nan, 3, nan}, aggs[1]}
		for _, s := range []Series{{Style: Dots, Aggs: aggs}, {Aggs: aggs, MaxGap: 5}, {Aggs: withNaN}} {
			c := &Chart{Series: []Series{s}}
			cv := identity(t, c, 40, 12)
			if n := cv.count(); n != 11+11 {
				t.Fatalf("%d dots, want 22 (two columns of 11)\n%v", n, cv)
			}
		}
	})
	t.Run("mean line in the series colour, band dimmed", func(t *testing.T) {
		var aggs []Agg
		for x := 0; x < 40; x++ {
			aggs = append(aggs, Agg{float64(x), 5, 30, 15})
		}
		c := &Chart{Muted: tMuted(), Series: []Series{{Color: tCol(0), Aggs: aggs}}}
		cv := identity(t, c, 40, 12)
		line, env := c.sc.ps.line[0], c.sc.ps.env[0]
		if line == env || line == 0 || env == 0 {
			t.Fatalf("pens line %d env %d: want two distinct colours", line, env)
		}
		if got, want := c.sc.pens[env], dimmed(tCol(0), tMuted()); got != want {
			t.Fatalf("envelope pen %+v, want %+v", got, want)
		}
		meanRow := cv.dh - 1 - 15
		for x := 0; x < cv.dw; x++ {
			for y := 0; y < cv.dh; y++ {
				v := cv.dh - 1 - y
				if cv.on[y][x] != (x < 40 && v >= 5 && v <= 30) {
					t.Fatalf("dot T=%d V=%d is %v", x, v, cv.on[y][x])
				}
				if !cv.on[y][x] {
					continue
				}
				want := env
				if y/4 == meanRow/4 {
					want = line // the cell row holding the mean
				}
				if cv.pen[y][x] != want {
					t.Fatalf("dot T=%d V=%d has pen %d, want %d", x, v, cv.pen[y][x], want)
				}
			}
		}
	})
}

func TestClipping(t *testing.T) {
	// A horizontal line from far left of the window to its middle, a line
	// from a huge value down into the plot, and points far outside.
	c := &Chart{Series: []Series{
		{Points: []Point{{-1e6, 5}, {10, 5}}},
		{Points: []Point{{20, 1e300}, {20, 10}}},
		{Points: []Point{{30, -1e308}, {31, 1e308}}},
		{Style: Dots, Points: []Point{{-1, 5}, {1000, 5}, {5, -1}, {5, 40}}},
	}}
	cv := identity(t, c, 40, 12)
	want := map[[2]int]bool{}
	for x := 0; x <= 10; x++ {
		want[[2]int{x, 5}] = true
	}
	for v := 10; v <= 39; v++ {
		want[[2]int{20, v}] = true
	}
	// the near-vertical segment between columns 30 and 31 crosses the
	// whole plot; at that slope its dots are in column 30 below the
	// middle and 31 above
	for y := 0; y < cv.dh; y++ {
		x := 31
		if float64(y) > float64(cv.dh-1)/2 {
			x = 30
		}
		want[[2]int{x, cv.dh - 1 - y}] = true
	}
	for y := 0; y < cv.dh; y++ {
		for x := 0; x < cv.dw; x++ {
			v := cv.dh - 1 - y
			if cv.on[y][x] != want[[2]int{x, v}] {
				t.Fatalf("dot T=%d V=%d is %v\n%v", x, v, cv.on[y][x], cv)
			}
		}
	}
}

// A 45° line leaving through the right edge keeps its slope up to the edge.
func TestClipRightEdge(t *testing.T) {
	c := &Chart{}
	dw := identity(t, c, 40, 12).dw
	e := float64(dw - 1) // the last dot column
	c.Series = []Series{{Points: []Point{{e - 10, 0}, {e + 10, 20}}}}
	cv := identity(t, c, 40, 12)
	for y := 0; y < cv.dh; y++ {
		for x := 0; x < cv.dw; x++ {
			v := cv.dh - 1 - y
			want := x >= dw-11 && x-(dw-11) == v
			if cv.on[y][x] != want {
				t.Fatalf("dot T=%d V=%d is %v, want %v\n%v", x, v, cv.on[y][x], want, cv)
			}
		}
	}
}

func TestReferenceLinesAndMarkers(t *testing.T) {
	c := &Chart{HLines: []HLine{{V: 20}}, Markers: []Marker{{T: 13}}}
	cv := identity(t, c, 40, 12)
	for y := 0; y < cv.dh; y++ {
		for x := 0; x < cv.dw; x++ {
			v := cv.dh - 1 - y
			want := (v == 20 && x%4 < 2) || (x == 13 && y%2 == 0 && y >= 4)
			if cv.on[y][x] != want {
				t.Fatalf("dot T=%d V=%d is %v, want %v\n%v", x, v, cv.on[y][x], want, cv)
			}
		}
	}
	// the marker's glyph sits on the top row, in the marker's cell column
	g := &c.sc.g
	cl := g.cells[g.py*g.w+g.px+13/2]
	if cl.kind != kindText || string(g.text[cl.off:cl.off+uint32(cl.n)]) != "▼" {
		t.Fatalf("top cell of the marker column is %+v, want ▼", cl)
	}
}

func TestOverlayText(t *testing.T) {
	c := &Chart{
		XMin: 0, XMax: 100, YMin: 0, YMax: 100, NoLegend: true,
		HLines:  []HLine{{V: 50, Label: "cap 24M"}},
		Markers: []Marker{{T: 20, Label: "bw 12M"}, {T: 98, Label: "loss 1%"}, {T: 60, Label: "a very long label indeed"}},
	}
	lines := strings.Split(stripped(c.Render(60, 14)), "\n")
	// plot rows 0..11; row 0 is the top (value 100), the 50 line on row ≈ 6
	top := lines[0]
	for _, want := range []string{"▼bw 12M", "loss 1%▼", "a very long l…▼"} {
		if !strings.Contains(top, want) {
			t.Errorf("top row %q lacks %q", top, want)
		}
	}
	found := false
	for _, l := range lines {
		if strings.HasSuffix(l, "cap 24M") {
			found = true
		}
	}
	if !found {
		t.Errorf("no row ends with the reference label:\n%s", strings.Join(lines, "\n"))
	}
}

// Later series win a shared cell; cells only one series touches keep its
// colour.
func TestColourRule(t *testing.T) {
	c := &Chart{Series: []Series{
		{Color: tCol(0), Points: []Point{{0, 5}, {20, 5}}},
		{Color: tCol(1), Points: []Point{{10, 5}, {30, 5}}},
	}}
	cv := identity(t, c, 40, 12)
	a, b := c.sc.ps.line[0], c.sc.ps.line[1]
	y := cv.dh - 1 - 5
	for x := 0; x <= 30; x++ {
		want := b
		if x < 10 {
			want = a
		}
		if got := cv.pen[y][x]; got != want {
			t.Errorf("column %d: pen %d, want %d", x, got, want)
		}
	}
	// swapped order: the other series wins the overlap
	c.Series[0], c.Series[1] = c.Series[1], c.Series[0]
	cv = identity(t, c, 40, 12)
	if got, want := cv.pen[y][15], c.sc.ps.line[1]; got != want {
		t.Errorf("overlap after swap: pen %d, want %d", got, want)
	}
}
