package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/themes"
)

// BenchmarkFrame: one redraw of the overview at 160×50 with 4 flows, 30 s
// into a run (the goal is ≤ 15 ms per frame): what every 10 Hz tick costs.
func BenchmarkFrame(b *testing.B) {
	for _, v := range []View{ViewOverview, ViewMeter, ViewFlows} {
		b.Run(v.String(), func(b *testing.B) {
			exp := live.DefaultExperiment()
			exp.Flows = []live.FlowSpec{{Scheme: "cubic"}, {Scheme: "bbr"}, {Scheme: "reno", Start: 5 * time.Second}, {Scheme: "copa", Start: 10 * time.Second}}
			src := testSource(b, exp, 30*time.Second)
			dark, _ := themes.ByName("dark")
			m := New(src, Options{Theme: dark, NoTick: true})
			m.Update(tea.WindowSizeMsg{Width: 160, Height: 50})
			m.view = v
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m.snap = src.Snapshot()
				m.redraw()
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/frame")
		})
	}
}
