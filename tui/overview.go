package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/ccscope/ccscope/tui/chart"
)

// overview: four charts and the side panel.
func (m *Model) overview(w, h int) []block {
	m.layout = computeLayout(w, h, 4, true)
	from, to := m.visible()
	var blocks []block
	charts := m.overviewCharts()
	for i, r := range m.layout.charts {
		c := charts[i](r.w, from, to)
		blocks = append(blocks, block{r, strings.Split(c.Render(r.w, r.h), "\n")})
	}
	if m.layout.side.w > 0 {
		blocks = append(blocks, block{m.layout.side, m.sidePanel(m.layout.side.w, m.layout.side.h)})
	}
	return blocks
}

// overviewCharts builds the four overview charts, in order.
func (m *Model) overviewCharts() []func(cols int, from, to time.Duration) *chart.Chart {
	return []func(int, time.Duration, time.Duration) *chart.Chart{
		func(cols int, from, to time.Duration) *chart.Chart {
			c := m.newChart("o-cwnd", "cwnd", "packets", from, to)
			m.perFlow(c, "cwnd", from, to, cols, 1.0/1448, false)
			return c
		},
		func(cols int, from, to time.Duration) *chart.Chart {
			c := m.newChart("o-tput", "throughput", "Mbit/s", from, to)
			c.Series = append(c.Series,
				chart.Series{Name: "capacity", Color: m.theme.Capacity, Style: chart.Steps,
					Points: m.means("link/uplink/capacity", from, to, cols, 1e-6)},
				chart.Series{Name: "total", Color: m.theme.Total,
					Points: m.means("link/uplink/departures", from, to, cols, 1e-6)})
			m.perFlow(c, "throughput", from, to, cols, 1e-6, true)
			return c
		},
		func(cols int, from, to time.Duration) *chart.Chart {
			c := m.newChart("o-queue", "queue delay", "ms", from, to)
			c.Series = append(c.Series, chart.Series{Name: "sojourn", Color: m.theme.Foreground, Style: chart.Dots,
				Aggs: m.aggs("link/uplink/sojourn_pkt", from, to, cols, 1)})
			if p, ok := m.p95("link/uplink/sojourn_pkt", from, to); ok {
				c.HLines = append(c.HLines, chart.HLine{V: p, Label: fmt.Sprintf("p95 %.0f", p), Color: m.theme.P95})
			}
			return c
		},
		func(cols int, from, to time.Duration) *chart.Chart {
			c := m.newChart("o-rtt", "RTT", "ms", from, to)
			m.perFlow(c, "rtt", from, to, cols, 1, false)
			return c
		},
	}
}

// sidePanel shows the link's parameters and the flows table.
func (m *Model) sidePanel(w, h int) []string {
	t := m.theme
	head := m.style().Bold(true).Foreground(t.Title)
	muted := m.style().Foreground(t.Muted)
	var lines []string
	section := func(name string) {
		lines = append(lines, head.Render(name)+" "+muted.Render(strings.Repeat("─", max(w-len(name)-2, 0))))
	}
	section("Link")
	for _, dir := range []string{"uplink", "downlink"} {
		ls := m.snap.Uplink
		arrow := "↑"
		if dir == "downlink" {
			ls, arrow = m.snap.Downlink, "↓"
		}
		c := ls.Config
		lines = append(lines, fmt.Sprintf("%s %-8s %s, %s", arrow, dir, capacityText(c.Capacity), fmtMs(c.Delay)))
		extra := fmt.Sprintf("  queue %s: %d pkts", queueText(c.Queue), ls.QueueLen)
		lines = append(lines, muted.Render(extra))
		var more []string
		if c.Loss.Kind != 0 {
			more = append(more, "loss "+c.Loss.String())
		}
		if c.Jitter > 0 {
			more = append(more, "jitter ±"+fmtMs(c.Jitter))
		}
		if c.OnOff.Kind != 0 {
			more = append(more, c.OnOff.String())
		}
		if len(more) > 0 {
			lines = append(lines, muted.Render("  "+strings.Join(more, ", ")))
		}
	}
	lines = append(lines, "")
	section("Flows")
	// The scheme column takes what the panel has to spare (the other
	// columns need 34 cells).
	sw := min(max(w-34, 7), 16)
	lines = append(lines, muted.Render(fmt.Sprintf("%-2s %-*s %6s %6s %5s %5s %-4s", "#", sw, "scheme", "Mbit/s", "p95ms", "loss", "cwnd", "st")))
	for i, f := range m.snap.Flows {
		st := shortMode(f.Mode)
		switch {
		case !f.Started:
			st = "wait"
		case f.Done:
			st = "done"
		case f.Stopped:
			st = "stop"
		}
		p95 := "—"
		if f.DelayValid {
			p95 = fmt.Sprintf("%.0f", f.DelayP95)
		}
		row := fmt.Sprintf("%-2d %-*s %6.2f %6s %4.1f%% %5d %-4s", f.ID, sw, trunc(schemeLabel(f.Scheme, sw), sw), f.Throughput, p95, 100*f.Loss, f.Cwnd/1448, trunc(st, 4))
		style := m.style().Foreground(m.flowColor(i))
		if i == m.selFlow {
			style = style.Reverse(true)
		}
		lines = append(lines, style.Render(row))
	}
	return fitLines(strings.Join(lines, "\n"), w, h)
}

// schemeLabel shortens a scheme to n cells: a kernel TCP scheme keeps its
// congestion control's name ("k:cubic" for "kernel:cubic").
func schemeLabel(s string, n int) string {
	if len([]rune(s)) > n {
		if cc, ok := strings.CutPrefix(s, "kernel:"); ok {
			return "k:" + cc
		}
	}
	return s
}

func trunc(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
