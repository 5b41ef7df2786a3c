package tui

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"time"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/tui/chart"
)

func secs(d time.Duration) float64 { return d.Seconds() }

// aggs reads a series over [from, to] as at most 2·cols buckets (one per
// braille dot column), scaled for display. Missing series give nil.
func (m *Model) aggs(key string, from, to time.Duration, cols int, scale float64) []chart.Agg {
	s := m.src.Store().Lookup(key)
	if s == nil {
		return nil
	}
	w := s.Window(from, to, max(2*cols, 1))
	out := make([]chart.Agg, 0, len(w))
	for _, a := range w {
		out = append(out, chart.Agg{T: secs(a.T), Min: a.Min * scale, Max: a.Max * scale, Mean: a.Mean * scale})
	}
	return out
}

// means reads a series like aggs but keeps only each bucket's mean, for
// rates whose 10-ms samples are too bursty for a min–max envelope to help.
func (m *Model) means(key string, from, to time.Duration, cols int, scale float64) []chart.Point {
	a := m.aggs(key, from, to, cols, scale)
	out := make([]chart.Point, len(a))
	for i, x := range a {
		out[i] = chart.Point{T: x.T, V: x.Mean}
	}
	return out
}

// p95 is the 95th percentile (numpy 'nearest') of a series' raw points in
// [from, to], and whether there were any at full resolution.
func (m *Model) p95(key string, from, to time.Duration) (float64, bool) {
	s := m.src.Store().Lookup(key)
	if s == nil {
		return 0, false
	}
	pts := s.Points(from, to)
	vals := make([]float64, 0, len(pts))
	for _, p := range pts {
		if !math.IsNaN(p.V) {
			vals = append(vals, p.V)
		}
	}
	if len(vals) == 0 {
		return 0, false
	}
	return kth(vals, int(math.RoundToEven(float64(len(vals)-1)*0.95))), true
}

// kth is the k-th smallest of v (0-based), found by quickselect in linear
// expected time; v is reordered.
func kth(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for lo < hi {
		// Median of three as the pivot, then Hoare partition.
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		p := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < p {
				i++
			}
			for v[j] > p {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}

// markers are the timeline's changes in [from, to], for the charts.
func (m *Model) markers(from, to time.Duration) []chart.Marker {
	var out []chart.Marker
	for _, r := range m.snap.Timeline {
		if r.Kind != live.RecordChange || r.At < from || r.At > to {
			continue
		}
		label, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(r.Text, "uplink "), "both "), " ")
		out = append(out, chart.Marker{T: secs(r.At), Label: label, Color: m.theme.Marker})
	}
	return out
}

// flowColor is flow i's colour (i from 0).
func (m *Model) flowColor(i int) color.Color {
	if len(m.theme.Flows) == 0 {
		return m.theme.Foreground
	}
	return m.theme.Flows[i%len(m.theme.Flows)]
}

// newChart is the chart of one pane (its id), reset for this frame over
// the visible window with the theme's colours. Panes keep their Chart so
// that its drawing buffers are reused from frame to frame.
func (m *Model) newChart(id, title, unit string, from, to time.Duration) *chart.Chart {
	if m.charts == nil {
		m.charts = map[string]*chart.Chart{}
	}
	c := m.charts[id]
	if c == nil {
		c = &chart.Chart{}
		m.charts[id] = c
	}
	c.Title, c.Unit = title, unit
	c.XMin, c.XMax = secs(from), secs(to)
	c.YMin, c.YMax = math.NaN(), math.NaN()
	c.Axis, c.Text, c.Muted = m.theme.Axis, m.theme.Foreground, m.theme.Muted
	c.Series, c.HLines = c.Series[:0], c.HLines[:0]
	c.Markers = m.markers(from, to)
	c.NoLegend = false
	return c
}

// perFlow adds one series per flow from the per-flow key suffix: min–max
// envelopes, or means only for rates.
func (m *Model) perFlow(c *chart.Chart, suffix string, from, to time.Duration, cols int, scale float64, meanOnly bool) {
	for i, f := range m.snap.Flows {
		if !f.Started {
			continue
		}
		s := chart.Series{Name: fmt.Sprintf("%d %s", f.ID, f.Scheme), Color: m.flowColor(i)}
		key := f.Key + suffix
		if meanOnly {
			s.Points = m.means(key, from, to, cols, scale)
		} else {
			s.Aggs = m.aggs(key, from, to, cols, scale)
		}
		c.Series = append(c.Series, s)
	}
}
