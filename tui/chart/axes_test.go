package chart

// axes_test.go checks the axes against tables worked out by hand: nice
// value ticks and their labels, automatic ranges, time ticks and their
// labels, and where the labels land in the output.

import (
	"math"
	"strings"
	"testing"
)

// yTicks is the labels of an axis as the chart would print them.
func yTickLabels(t ticks) []string {
	maxAbs := max(math.Abs(t.at(0)), math.Abs(t.at(t.n-1)))
	var out []string
	for i := 0; i < t.n; i++ {
		out = append(out, string(appendNum(nil, t.at(i), t.step, maxAbs)))
	}
	return out
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lo, hi   float64
		max      int
		ext      bool
		want     string
		wantStep float64
	}{
		// 0.1 gives 11 ticks, 0.2 gives 6
		{"0-1", 0, 1, 6, true, "0 0.2 0.4 0.6 0.8 1", 0.2},
		// auto 0..7.3 is 0..7.665 with headroom: 1 → 9 ticks, 2 → 0..8
		{"0-7.3 auto", 0, 7.665, 6, true, "0 2 4 6 8", 2},
		{"0-7.3 fixed", 0, 7.3, 6, false, "0 2 4 6", 2},
		// 2 rows: at most 2 ticks, 5 → 0..10 is 3, 10 → 0..10 is 2
		{"0-7.3 tiny plot", 0, 7.665, 2, true, "0 10", 10},
		// auto 0..24e6 is 0..25.2e6: 5e6 → 0..30M is 7 ticks, 1e7 → 4
		{"0-24e6 auto", 0, 25.2e6, 6, true, "0 10M 20M 30M", 1e7},
		// fixed 0..24e6: 2.5e6 → 10 ticks, 5e6 → 0..20M is 5
		{"0-24e6 fixed", 0, 24e6, 6, false, "0 5M 10M 15M 20M", 5e6},
		// 5e-4 → 7 ticks, 1e-3 → 4
		{"0.001-0.004", 0.001, 0.004, 6, false, "0.001 0.002 0.003 0.004", 0.001},
		// auto 0..1575: 250 → 8 ticks, 500 → 0..2000 is 5
		{"0-1500 auto", 0, 1575, 6, true, "0 500 1k 1.5k 2k", 500},
		// -3..7 with headroom is -3.5..7.5: 2 → -4..8 is 7, 2.5 → -5..7.5 is 6
		{"negative", -3.5, 7.5, 6, true, "-5 -2.5 0 2.5 5 7.5", 2.5},
		// -40..0 with headroom: -42..0; 5 → 10 ticks, 10 → -50..0 is 6
		{"all negative", -42, 0, 6, true, "-50 -40 -30 -20 -10 0", 10},
		// 0.25 steps need two decimals
		{"quarters", 0, 1.1, 6, true, "0 0.25 0.5 0.75 1 1.25", 0.25},
		// far from zero, a small span
		{"offset", 1000001, 1000004, 6, false, "1.000001M 1.000002M 1.000003M 1.000004M", 1},
		{"huge", 0, 3e24, 6, true, "0 1e+24 2e+24 3e+24", 1e24},
		{"tiny", 0, 3e-9, 6, true, "0 1e-09 2e-09 3e-09", 1e-9},
		{"ms", 0, 0.05, 6, true, "0 0.01 0.02 0.03 0.04 0.05", 0.01},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := niceTicks(tc.lo, tc.hi, tc.max, tc.ext, tc.ext)
			got := strings.Join(yTickLabels(tk), " ")
			if got != tc.want {
				t.Errorf("ticks %q, want %q", got, tc.want)
			}
			if math.Abs(tk.step-tc.wantStep) > 1e-12*tc.wantStep {
				t.Errorf("step %v, want %v", tk.step, tc.wantStep)
			}
			if tk.n < 2 || tk.n > tc.max {
				t.Errorf("%d ticks, want 2..%d", tk.n, tc.max)
			}
		})
	}
}

func TestAutoRange(t *testing.T) {
	nan := math.NaN()
	pts := func(vs ...float64) []Point {
		var p []Point
		for i, v := range vs {
			p = append(p, Point{float64(i), v})
		}
		return p
	}
	for _, tc := range []struct {
		name           string
		c              Chart
		wantLo, wantHi float64
	}{
		// the zero value (YMin == YMax == 0) is automatic
		{"empty", Chart{}, 0, 1},
		{"equal bounds", Chart{YMin: 5, YMax: 5, Series: []Series{{Points: pts(1, 7.3, 2)}}}, 0, 8},
		{"NaN bounds", Chart{YMin: nan, YMax: nan, Series: []Series{{Points: pts(1, 7.3, 2)}}}, 0, 8},
		{"Inf bounds", Chart{YMin: math.Inf(-1), YMax: math.Inf(1), Series: []Series{{Points: pts(1, 7.3, 2)}}}, 0, 8},
		{"positive", Chart{Series: []Series{{Points: pts(1, 7.3, 2)}}}, 0, 8},
		{"negative data", Chart{Series: []Series{{Points: pts(-3, 7)}}}, -5, 7.5},
		{"all zero", Chart{Series: []Series{{Points: pts(0, 0)}}}, 0, 1},
		// the capacity line is part of the range
		{"hline", Chart{Series: []Series{{Points: pts(3, 4)}}, HLines: []HLine{{V: 24}}}, 0, 30},
		// NaN and Inf values do not count
		{"non-finite", Chart{Series: []Series{{Points: pts(nan, 7.3, math.Inf(1), math.Inf(-1))}}}, 0, 8},
		// only points inside the window count (window 0..2 of 0..4)
		{"window", Chart{XMin: 0, XMax: 2, Series: []Series{{Points: pts(1, 2, 3, 100, 1000)}}}, 0, 4},
		// -1..9 with headroom is -1.5..9.5: 2 → -2..10 is 7 ticks, 2.5 → 6
		{"aggs", Chart{Series: []Series{{Aggs: []Agg{{0, -1, 7, 3}, {1, 0, 9, 4}}}}}, -2.5, 10},
		// fixed lower bound, automatic upper: 9 + 5% of 2..9 is 9.35 → 2..10
		{"half fixed", Chart{YMin: 2, YMax: nan, Series: []Series{{Points: pts(3, 9)}}}, 2, 10},
		{"fixed", Chart{YMin: -1, YMax: 3, Series: []Series{{Points: pts(3, 90)}}}, -1, 3},
		{"reversed fixed", Chart{YMin: 3, YMax: -1}, -1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			x0, x1 := c.window()
			ys := c.yScale(x0, x1, 20)
			if ys.lo != tc.wantLo || ys.hi != tc.wantHi {
				t.Errorf("range %v..%v, want %v..%v", ys.lo, ys.hi, tc.wantLo, tc.wantHi)
			}
		})
	}
}

func TestNumberLabels(t *testing.T) {
	for _, tc := range []struct {
		v, step, maxAbs float64
		want            string
	}{
		{0, 0.2, 1, "0"},
		{1e-17, 0.2, 1, "0"}, // rounding noise is zero
		{0.4, 0.2, 1, "0.4"},
		{0.30000000000000004, 0.1, 1, "0.3"},
		{1, 0.2, 1, "1"},
		{500, 500, 2000, "500"},
		{1000, 500, 2000, "1k"},
		{1500, 500, 2000, "1.5k"},
		{-2500, 500, 2500, "-2.5k"},
		{25e6, 5e6, 25e6, "25M"},
		{1.25e9, 2.5e8, 1.25e9, "1.25G"},
		{0.0025, 0.0005, 0.003, "0.0025"},
		{-2.5, 2.5, 7.5, "-2.5"},
		{1e24, 1e23, 1e24, "1e+24"},
		{1.5e-9, 5e-10, 2e-9, "1.5e-09"},
		{999, 1, 999, "999"},
	} {
		if got := string(appendNum(nil, tc.v, tc.step, tc.maxAbs)); got != tc.want {
			t.Errorf("appendNum(%v, step %v) = %q, want %q", tc.v, tc.step, got, tc.want)
		}
	}
}

func TestTimeTicks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		x0, x1 float64
		pw     int
		want   string
	}{
		// 0.5 s over 60 cells: ≥ 10 cells apart is 0.083 s → 0.1 s
		{"0.5s", 0, 0.5, 60, "0s 0.1s 0.2s 0.3s 0.4s 0.5s"},
		{"0.5s later", 12, 12.5, 60, "12s 12.1s 12.2s 12.3s 12.4s 12.5s"},
		// 10 s: 1.67 s → 2 s
		{"10s", 0, 10, 60, "0s 2s 4s 6s 8s 10s"},
		// 90 s: 15 s
		{"90s", 0, 90, 60, "0s 15s 30s 45s 60s 75s 90s"},
		// the same span past 100 s reads as m:ss
		{"90s later", 100, 190, 60, "1:45 2:00 2:15 2:30 2:45 3:00"},
		// an hour: 600 s, labels h:mm:ss
		{"1h", 0, 3600, 60, "0:00:00 0:10:00 0:20:00 0:30:00 0:40:00 0:50:00 1:00:00"},
		// a narrow plot: 10 s over 20 cells → 5 s
		{"10s narrow", 0, 10, 20, "0s 5s 10s"},
		// 30 ms over 60 cells: 5 ms
		{"30ms", 0, 0.03, 60, "0s 0.005s 0.01s 0.015s 0.02s 0.025s 0.03s"},
		// a day: 4 h (14400 s) at least → 6 h
		{"1d", 0, 86400, 60, "0:00:00 6:00:00 12:00:00 18:00:00 24:00:00"},
		{"negative", -10, 10, 60, "-10s -5s 0s 5s 10s"},
		// the label width decides: 6 h is 10 cells apart, but "24:00:00"
		// needs 8+3
		{"1d narrow", 0, 86400, 40, "0:00:00 12:00:00 24:00:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tmp []byte
			tk, f := timeTicks(tc.x0, tc.x1, tc.pw, &tmp)
			var got []string
			for i := 0; i < tk.n; i++ {
				got = append(got, string(appendTime(nil, tk.at(i), tk.step, f)))
			}
			if s := strings.Join(got, " "); s != tc.want {
				t.Errorf("ticks %q, want %q", s, tc.want)
			}
		})
	}
}

// The labels land where they belong in the rendered output: y labels
// right-aligned against the axis on the rows of their values, x labels
// centred under their tick marks.
func TestAxisLabelsInOutput(t *testing.T) {
	c := &Chart{XMin: 0, XMax: 10, YMin: 0, YMax: 100}
	out := stripped(c.Render(46, 13))
	lines := strings.Split(out, "\n")
	// no title row: plot rows 0..10, axis line 11, labels 12. Ticks
	// 0,20,…,100 (6), at dot rows (100-v)/100*43 → cell rows 0,2,4,6,8,10.
	wantY := map[int]string{0: "100┤", 2: " 80┤", 4: " 60┤", 6: " 40┤", 8: " 20┤", 10: "  0┤"}
	for row := 0; row <= 10; row++ {
		want, ok := wantY[row]
		if !ok {
			want = "   │"
		}
		if got := string([]rune(lines[row])[:4]); got != want {
			t.Errorf("row %d starts %q, want %q", row, got, want)
		}
	}
	// plot 42 cells: 10 s → ≥ 2.4 s apart → 5 s: ticks at dot columns
	// 0, 41.5→42, 83 → cells 0, 21, 41 (+4 for the gutter)
	axis := []rune(lines[11])
	for i, r := range axis {
		want := '─'
		switch i {
		case 0, 1, 2:
			want = ' '

		case 3:
			want = '└'
		case 4, 25, 45:
			want = '┬'
		}
		if r != want {
			t.Errorf("axis column %d is %q, want %q", i, r, want)
		}
	}
	// "0s" centred on column 4, "5s" on 25, "10s" pushed left to end at 45
	want := []rune(strings.Repeat(" ", 46))
	copy(want[3:], []rune("0s"))
	copy(want[24:], []rune("5s"))
	copy(want[43:], []rune("10s"))
	if lines[12] != string(want) {
		t.Errorf("x labels\n%q\nwant\n%q", lines[12], string(want))
	}
}
