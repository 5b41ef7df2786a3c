package chart

// bench_test.go owns the rendering benchmarks.

import (
	"math"
	"testing"
)

// BenchmarkRender: a 70×20 chart with 4 series of 1000 points.
func BenchmarkRender(b *testing.B) {
	c := benchChart()
	c.Render(70, 20)
	b.ReportAllocs()
	for b.Loop() {
		c.Render(70, 20)
	}
}

// BenchmarkRenderAggs: an overview-size 160×50 chart of 4 series of 400
// min/max/mean buckets each, envelopes and means.
func BenchmarkRenderAggs(b *testing.B) {
	c := benchChart()
	for i := range c.Series {
		c.Series[i].Aggs = aggsOf(wave(uint64(i+1), 20000, 30, 300), 400)
		c.Series[i].Points = nil
	}
	c.Render(160, 50)
	b.ReportAllocs()
	for b.Loop() {
		c.Render(160, 50)
	}
}

// BenchmarkRenderDots: a per-packet scatter of 50000 points at 70×20.
func BenchmarkRenderDots(b *testing.B) {
	c := &Chart{XMin: 0, XMax: 30, YMin: math.NaN(), YMax: math.NaN(), Title: "queue delay", Unit: "ms",
		Series: []Series{{Name: "sojourn", Style: Dots, Color: tCol(3), Points: wave(9, 50000, 30, 80)}}}
	c.Render(70, 20)
	b.ReportAllocs()
	for b.Loop() {
		c.Render(70, 20)
	}
}
