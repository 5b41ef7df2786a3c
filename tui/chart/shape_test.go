package chart

// shape_test.go checks the output's shape for any size and any data
// (exactly height lines of exactly width cells, no panics), the order in
// which parts are dropped as space shrinks, determinism, scratch reuse and
// allocations; FuzzRender drives the same checks with arbitrary input.

import (
	"encoding/binary"
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

// oddCharts are charts with awkward data and text.
func oddCharts() map[string]*Chart {
	nan, inf := math.NaN(), math.Inf(1)
	long := strings.Repeat("very long name ", 8)
	many := &Chart{Title: "many", YMin: nan, YMax: nan}
	for i := 0; i < 300; i++ { // more series than the palette holds
		many.Series = append(many.Series, Series{Name: fmt.Sprint("s", i),
			Color:  lipgloss.Color(fmt.Sprintf("#%06x", i*40000)),
			Points: []Point{{0, float64(i)}, {1, float64(i + 1)}}})
	}
	return map[string]*Chart{
		"zero":  {},
		"bench": benchChart(),
		"many":  many,
		"nan":   {YMin: nan, YMax: nan, Series: []Series{{Points: []Point{{nan, nan}, {1, nan}, {nan, 1}}}}},
		"inf": {YMin: nan, YMax: nan, Series: []Series{{Points: []Point{{0, inf}, {1, -inf}, {inf, 1}, {2, 3}}},
			{Aggs: []Agg{{0, -inf, inf, nan}, {1, inf, -inf, 0}}}}},
		"huge": {YMin: nan, YMax: nan, XMin: -1e308, XMax: 1e308, Series: []Series{
			{Points: []Point{{-1e308, 1e308}, {0, -1e308}, {1e308, 1e308}}},
			{Style: Steps, Points: []Point{{-1e300, -1e300}, {1e300, 1e300}}}},
			HLines: []HLine{{V: 1e308, Label: "top"}}, Markers: []Marker{{T: 1e308, Label: "end"}}},
		"tiny": {YMin: nan, YMax: nan, XMin: 0, XMax: 1e-300, Series: []Series{
			{Points: []Point{{0, 1e-320}, {1e-300, 5e-324}}}}},
		"reversed":     {XMin: 30, XMax: 0, YMin: 10, YMax: -10, Series: []Series{{Points: wave(1, 100, 30, 5)}}},
		"zero window":  {XMin: 5, XMax: 5, YMin: nan, YMax: nan, Series: []Series{{Points: wave(2, 50, 30, 5)}}},
		"single point": {YMin: nan, YMax: nan, Series: []Series{{Name: "one", Points: []Point{{3, 3}}}}},
		"negative":     {YMin: nan, YMax: nan, Series: []Series{{Style: Steps, Points: []Point{{0, -5e6}, {1, -1}, {2, -3e6}}}}},
		"text": {Title: "débit ⚡ 吞吐量 " + long, Unit: "Mbit/s\x1b[31m\n\r\t", YMin: nan, YMax: nan,
			Series: []Series{
				{Name: "流量一 " + long, Color: lipgloss.Color("1"), Points: wave(3, 20, 10, 1)},
				{Name: "👩‍👩‍👧 family", Color: lipgloss.Color("200"), Points: wave(4, 20, 10, 1)},
				{Name: "e\u0301\u0301\u0301 ा combining", Color: color.Gray{Y: 200}, Points: wave(5, 20, 10, 1)},
				{Name: "🇩🇪🇫🇷 flags", Points: wave(6, 20, 10, 1)},
				{Name: "\x00\x01\xff invalid", Points: wave(7, 20, 10, 1)},
			},
			HLines:  []HLine{{V: 0.5, Label: "容量 " + long}, {V: 0.5, Label: "ा"}},
			Markers: []Marker{{T: 0, Label: "開始"}, {T: 0.1, Label: "🇩🇪"}, {T: 5, Label: "ा"}, {T: 10, Label: long}},
		},
	}
}

func TestRenderShape(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	sizes := [][2]int{
		{0, 0}, {-1, 5}, {5, -1}, {0, 5}, {5, 0}, {1, 1}, {1, 2}, {2, 1}, {2, 2}, {3, 3}, {4, 4},
		{9, 5}, {10, 5}, {19, 5}, {20, 5}, {20, 4}, {20, 3}, {20, 2}, {20, 1}, {21, 6},
		{40, 10}, {70, 20}, {160, 50}, {200, 60}, {333, 111},
	}
	for i := 0; i < 40; i++ {
		sizes = append(sizes, [2]int{rng.IntN(240) - 5, rng.IntN(80) - 5})
	}
	for name, c := range oddCharts() {
		t.Run(name, func(t *testing.T) {
			for _, s := range sizes {
				checkShape(t, c.Render(s[0], s[1]), s[0], s[1])
			}
		})
	}
}

// Parts go in the documented order as the chart shrinks.
func TestDegradation(t *testing.T) {
	c := benchChart()
	c.Series = c.Series[:2]
	rows := func(w, h int) []string { return strings.Split(stripped(c.Render(w, h)), "\n") }

	full := rows(70, 20)
	if !strings.HasPrefix(full[0], "cwnd (KB)") || !strings.HasSuffix(full[0], "■ flow 1  ■ flow 2") {
		t.Errorf("70×20 title row %q: want title, unit and the full legend", full[0])
	}
	if !strings.Contains(full[1], "┤") || !strings.HasPrefix(full[18], " ") || !strings.Contains(full[18], "└") {
		t.Errorf("70×20: want y labels and the x axis line:\n%s", strings.Join(full, "\n"))
	}
	// 30 cells: "cwnd (KB)" and a 2-cell gap leave 19: the legend (18) fits
	if got := rows(30, 20)[0]; got != "cwnd (KB)   ■ flow 1  ■ flow 2" {
		t.Errorf("30 cells: title row %q", got)
	}
	// 25 cells: 14 left, names cut to 4 cells
	if got := rows(25, 20)[0]; got != "cwnd (KB)  ■ flo…  ■ flo…" {
		t.Errorf("25 cells: title row %q", got)
	}
	// 20 cells: 9 left, one entry cut to 3 cells and "…"
	if got := rows(20, 20)[0]; got != "cwnd (KB)   ■ fl…  …" {
		t.Errorf("20 cells: title row %q", got)
	}
	// 14 cells: no room for a legend entry
	if got := rows(14, 20)[0]; got != "cwnd (KB)     " {
		t.Errorf("14 cells: title row %q", got)
	}
	// 6 cells: the title is cut, the unit dropped
	if got := rows(6, 20)[0]; got != "cwnd  " {
		t.Errorf("6 cells: title row %q", got)
	}
	// 13 cells: the y labels would leave a plot under 10 cells
	for _, l := range rows(13, 20)[2:17] { // row 1 holds marker labels
		if strings.ContainsAny(l, "┤│0123456789") {
			t.Fatalf("13 cells: y axis still there: %q", l)
		}
	}
	// heights: 5 rows is title, 2 plot rows, axis line, labels
	if r := rows(40, 5); !strings.Contains(r[3], "└") || !strings.Contains(r[4], "s") {
		t.Errorf("40×5:\n%s", strings.Join(r, "\n"))
	}
	// 4 rows: no axis line, labels kept
	if r := rows(40, 4); strings.Contains(strings.Join(r, ""), "└") || !strings.HasSuffix(strings.TrimRight(r[3], " "), "30s") {
		t.Errorf("40×4:\n%s", strings.Join(r, "\n"))
	}
	// 3 rows: title and plot only; 1 row: plot only
	if r := rows(40, 3); strings.Contains(r[1]+r[2], "0s") || !strings.HasPrefix(r[0], "cwnd") {
		t.Errorf("40×3:\n%s", strings.Join(r, "\n"))
	}
	if r := rows(40, 1); strings.Contains(r[0], "cwnd") {
		t.Errorf("40×1: %q should be the plot", r[0])
	}
	// nothing for the title row: it goes to the plot
	c2 := &Chart{NoLegend: true, Series: c.Series}
	if r := strings.Split(stripped(c2.Render(40, 10)), "\n"); !strings.Contains(r[0], "┤") {
		t.Errorf("no title: row 0 %q should be the top of the plot", r[0])
	}
}

// Output depends only on the fields, not on earlier renders.
func TestDeterministicAndReusable(t *testing.T) {
	for name, c := range oddCharts() {
		fresh := func(w, h int) string {
			cp := *c
			cp.sc = nil
			return cp.Render(w, h)
		}
		want := fresh(70, 20)
		c.Render(200, 60)
		c.Render(5, 3)
		if got := c.Render(70, 20); got != want {
			t.Errorf("%s: rendering after other sizes differs from a fresh render", name)
		}
		if got := fresh(70, 20); got != want {
			t.Errorf("%s: two fresh renders differ", name)
		}
	}
	// new data shows on the next render
	c := benchChart()
	before := c.Render(70, 20)
	c.Series[0].Points = c.Series[0].Points[:10]
	if c.Render(70, 20) == before {
		t.Error("changing a series did not change the output")
	}
}

// Re-rendering allocates only the result string.
func TestRenderAllocs(t *testing.T) {
	c := benchChart()
	c.Render(70, 20)
	if n := testing.AllocsPerRun(50, func() { c.Render(70, 20) }); n > 1 {
		t.Errorf("%v allocations per render, want 1", n)
	}
}

func FuzzRender(f *testing.F) {
	f.Add(int16(70), int16(20), 0.0, 30.0, math.NaN(), math.NaN(), "cwnd", []byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f"))
	f.Fuzz(func(t *testing.T, w, h int16, xmin, xmax, ymin, ymax float64, name string, data []byte) {
		width, height := int(w)%320, int(h)%120
		c := fuzzChart(xmin, xmax, ymin, ymax, name, data)
		out := c.Render(width, height)
		checkShape(t, out, width, height)
		c.Render(height, width) // other sizes in between must not matter
		if again := c.Render(width, height); again != out {
			t.Fatalf("second render differs")
		}
	})
}

// fuzzChart builds a chart from fuzz input: data is read as records of a
// kind byte and two float64s (t, v).
func fuzzChart(xmin, xmax, ymin, ymax float64, name string, data []byte) *Chart {
	c := &Chart{Title: name, Unit: name, XMin: xmin, XMax: xmax, YMin: ymin, YMax: ymax,
		Axis: tAxis(), Text: tText(), Muted: tMuted()}
	c.Series = make([]Series, 4)
	for i := range c.Series {
		c.Series[i].Color = tCol(i)
	}
	for n := 0; len(data) >= 17 && n < 1000; n++ {
		k := data[0]
		tv := math.Float64frombits(binary.LittleEndian.Uint64(data[1:]))
		v := math.Float64frombits(binary.LittleEndian.Uint64(data[9:]))
		data = data[17:]
		s := &c.Series[k>>3&3]
		switch k & 7 {
		case 0, 1, 2:
			s.Style = Style(k & 7)
			s.Points = append(s.Points, Point{tv, v})
		case 3:
			s.Aggs = append(s.Aggs, Agg{T: tv, Min: v, Max: v + math.Abs(tv), Mean: v + math.Abs(tv)/2})
		case 4:
			c.HLines = append(c.HLines, HLine{V: v, Label: name, Color: s.Color})
		case 5:
			c.Markers = append(c.Markers, Marker{T: tv, Label: name})
		case 6:
			s.MaxGap = v
		case 7:
			s.Name = name[:min(len(name), int(k>>5))]
			c.NoLegend = k&0x20 != 0 && k&0x40 != 0
		}
	}
	return c
}
