// Package demo builds the sample charts that the example program prints
// and the golden tests pin: a toy two-flow run (cubic and reno sharing a
// link whose rate halves at 12 s and which starts dropping packets at
// 20 s), shown as the workbench overview's four charts plus a ten-minute
// downsampled RTT chart. The numbers are plausible, not simulated
// faithfully; everything is deterministic.
package demo

import (
	"image/color"
	"math"
	"math/rand/v2"
	"slices"

	"charm.land/lipgloss/v2"

	"github.com/ccscope/ccscope/tui/chart"
)

// Theme is the colours the charts use (a dark theme).
type Theme struct {
	Axis, Text, Muted color.Color
	Flows             []color.Color
}

// Dark is the theme of the samples.
func Dark() Theme {
	return Theme{
		Axis:  lipgloss.Color("#5c6370"),
		Text:  lipgloss.Color("#d7dae0"),
		Muted: lipgloss.Color("#7f848e"),
		Flows: []color.Color{lipgloss.Color("#61afef"), lipgloss.Color("#e5c07b"),
			lipgloss.Color("#98c379"), lipgloss.Color("#c678dd")},
	}
}

// Named is a sample chart and a file-friendly name for it.
type Named struct {
	Name  string
	Chart *chart.Chart
}

// run is the toy run's series.
type run struct {
	cwnd     [2][]chart.Point // KB
	thr      [2][]chart.Point // Mbit/s
	total    []chart.Point
	capacity []chart.Point
	rtt      [2][]chart.Point // ms
	sojourn  []chart.Point    // ms, per packet
}

const (
	mss     = 1.5  // KB
	baseRTT = 0.04 // s
	queueKB = 120  // droptail queue
	step    = 0.01 // s
)

// capacityAt is the link rate in Mbit/s.
func capacityAt(t float64) float64 {
	if t >= 12 {
		return 12
	}
	return 24
}

// simulate runs the toy model for span seconds.
func simulate(span float64) run {
	rng := rand.New(rand.NewPCG(7, 11))
	var r run
	// cubic state (in packets)
	w := [2]float64{10, 10}
	wmax, epoch := 0.0, 0.0
	ssthresh := [2]float64{1e9, 1e9}
	for i := 0; float64(i)*step <= span+1e-9; i++ {
		t := float64(i) * step
		capMbit := capacityAt(t)
		bdp := capMbit * 1e6 / 8 * baseRTT / 1e3 // KB
		inflight := (w[0] + w[1]) * mss
		queue := math.Max(0, inflight-bdp)
		qdelay := queue / (capMbit * 1e6 / 8 / 1e3) // s
		rtt := baseRTT + qdelay

		// growth per step
		for f := 0; f < 2; f++ {
			acks := step / rtt // windows per step
			switch {
			case w[f] < ssthresh[f]:
				w[f] += w[f] * acks
			case f == 0: // cubic: W(t) = C(t-K)^3 + Wmax
				k := math.Cbrt(wmax * 0.3 / 0.4)
				target := 0.4*math.Pow(t-epoch-k, 3) + wmax
				w[f] = math.Max(w[f]+acks, math.Min(target, w[f]*1.5))
			default: // reno: one packet per RTT
				w[f] += acks
			}
		}
		// losses: a queue overflow hits both flows; random loss after 20 s
		over := queue > queueKB
		for f := 0; f < 2; f++ {
			random := t >= 20 && rng.Float64() < 0.8*step
			if !over && !random {
				continue
			}
			if f == 0 {
				wmax, epoch = w[0], t
				w[0] *= 0.7
			} else {
				w[1] *= 0.5
			}
			ssthresh[f] = w[f]
		}

		for f := 0; f < 2; f++ {
			r.cwnd[f] = append(r.cwnd[f], chart.Point{T: t, V: w[f] * mss})
			jit := rng.NormFloat64() * 0.6
			r.rtt[f] = append(r.rtt[f], chart.Point{T: t, V: rtt*1e3 + jit})
		}
		if i%10 == 0 { // throughput every 100 ms
			var tot float64
			for f := 0; f < 2; f++ {
				share := w[f] * mss / rtt * 8 / 1e3 // Mbit/s if unconstrained
				if inflight > bdp {
					share = capMbit * w[f] / (w[0] + w[1])
				}
				share *= 0.97 + 0.03*rng.Float64()
				r.thr[f] = append(r.thr[f], chart.Point{T: t, V: share})
				tot += share
			}
			r.total = append(r.total, chart.Point{T: t, V: tot})
			r.capacity = append(r.capacity, chart.Point{T: t, V: capMbit})
		}
		// a few packets per step leave the queue; their sojourn
		for p := 0; p < 4; p++ {
			tp := t + rng.Float64()*step
			r.sojourn = append(r.sojourn, chart.Point{T: tp,
				V: math.Max(0, qdelay*1e3+rng.NormFloat64()*1.5)})
		}
	}
	return r
}

// Charts is the overview's four charts over the first 30 s and a
// downsampled RTT chart over ten minutes.
func Charts() []Named {
	th := Dark()
	r := simulate(30)
	nan := math.NaN()
	events := []chart.Marker{{T: 12, Label: "bw 12M"}, {T: 20, Label: "loss 1%"}}
	base := func(title, unit string) *chart.Chart {
		return &chart.Chart{Title: title, Unit: unit, XMin: 0, XMax: 30, YMin: nan, YMax: nan,
			Markers: events, Axis: th.Axis, Text: th.Text, Muted: th.Muted}
	}

	cwnd := base("cwnd", "KB")
	cwnd.Series = []chart.Series{
		{Name: "1 cubic", Color: th.Flows[0], Points: r.cwnd[0]},
		{Name: "2 reno", Color: th.Flows[1], Points: r.cwnd[1]},
	}

	thr := base("throughput", "Mbit/s")
	thr.Series = []chart.Series{
		{Name: "capacity", Color: th.Muted, Style: chart.Steps, Points: r.capacity},
		{Name: "1 cubic", Color: th.Flows[0], Points: r.thr[0]},
		{Name: "2 reno", Color: th.Flows[1], Points: r.thr[1]},
		{Name: "total", Color: th.Flows[2], Points: r.total},
	}

	qd := base("queue delay", "ms")
	qd.Series = []chart.Series{{Name: "sojourn", Color: th.Flows[3], Style: chart.Dots, Points: r.sojourn}}
	qd.HLines = []chart.HLine{{V: p95(r.sojourn), Label: "p95"}}

	rtt := base("RTT", "ms")
	rtt.Series = []chart.Series{
		{Name: "1 cubic", Color: th.Flows[0], Points: r.rtt[0]},
		{Name: "2 reno", Color: th.Flows[1], Points: r.rtt[1]},
	}

	long := simulate(600)
	agg := &chart.Chart{Title: "RTT, 10 min, 5-s buckets", Unit: "ms", XMin: 0, XMax: 600, YMin: nan, YMax: nan,
		Axis: th.Axis, Text: th.Text, Muted: th.Muted,
		Series: []chart.Series{
			{Name: "1 cubic", Color: th.Flows[0], Aggs: Downsample(long.rtt[0], 5)},
			{Name: "2 reno", Color: th.Flows[1], Aggs: Downsample(long.rtt[1], 5)},
		},
		Markers: events,
	}
	return []Named{{"cwnd", cwnd}, {"throughput", thr}, {"queue_delay", qd}, {"rtt", rtt}, {"rtt_aggs", agg}}
}

// Downsample folds points into buckets width seconds wide, as the store
// does for zoomed-out windows.
func Downsample(pts []chart.Point, width float64) []chart.Agg {
	var out []chart.Agg
	for i := 0; i < len(pts); {
		b := math.Floor(pts[i].T / width)
		a := chart.Agg{T: (b + 0.5) * width, Min: math.Inf(1), Max: math.Inf(-1)}
		n := 0
		for ; i < len(pts) && math.Floor(pts[i].T/width) == b; i++ {
			v := pts[i].V
			a.Min, a.Max, a.Mean = math.Min(a.Min, v), math.Max(a.Max, v), a.Mean+v
			n++
		}
		a.Mean /= float64(n)
		out = append(out, a)
	}
	return out
}

// p95 is the nearest-rank 95th percentile of the values.
func p95(pts []chart.Point) float64 {
	vs := make([]float64, len(pts))
	for i, p := range pts {
		vs[i] = p.V
	}
	slices.Sort(vs)
	return vs[int(0.95*float64(len(vs)-1))]
}
