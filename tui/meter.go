package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ccscope/ccscope/tui/chart"
)

// Bin widths of mm-meter's graphs (mahimahi-pantheon.md §2.4).
const (
	meterRateBin  = 500 * time.Millisecond
	meterDelayBin = 250 * time.Millisecond
)

// meter: mm-meter style views of both directions: capacity, ingress and
// egress in 500-ms bins, and the largest queueing delay per 250-ms bin.
func (m *Model) meter(w, h int) []block {
	m.layout = computeLayout(w, h, 4, false)
	from, to := m.visible()
	var blocks []block
	for i, r := range m.layout.charts {
		dir := []string{"uplink", "downlink"}[i%2]
		var c *chart.Chart
		if i < 2 {
			c = m.newChart("m-rate-"+dir, dir+" (500-ms bins)", "Mbit/s", from, to)
			bins := max(int((to-from)/meterRateBin), 1)
			for _, s := range []struct {
				key, name string
				style     chart.Style
			}{{"capacity", "capacity", chart.Steps}, {"arrivals", "ingress", chart.Steps}, {"departures", "egress", chart.Steps}} {
				col := m.theme.Capacity
				switch s.name {
				case "ingress":
					col = m.theme.Uplink
				case "egress":
					col = m.theme.Downlink
				}
				c.Series = append(c.Series, chart.Series{Name: s.name, Color: col, Style: s.style,
					Aggs: m.binned("link/"+dir+"/"+s.key, from, to, bins, 1e-6, false)})
			}
		} else {
			c = m.newChart("m-delay-"+dir, dir+" delay (max per 250 ms)", "ms", from, to)
			bins := max(int((to-from)/meterDelayBin), 1)
			c.Series = append(c.Series, chart.Series{Name: "queueing delay", Color: m.theme.P95, Style: chart.Steps,
				Aggs: m.binned("link/"+dir+"/sojourn_pkt", from, to, bins, 1, true)})
		}
		blocks = append(blocks, block{r, strings.Split(c.Render(r.w, r.h), "\n")})
	}
	return blocks
}

// binned reads a series in `bins` equal bins over [from, to]; with useMax
// each bin shows its largest value instead of its mean.
func (m *Model) binned(key string, from, to time.Duration, bins int, scale float64, useMax bool) []chart.Agg {
	s := m.src.Store().Lookup(key)
	if s == nil {
		return nil
	}
	w := s.Window(from, to, bins)
	out := make([]chart.Agg, 0, len(w))
	for _, a := range w {
		v := a.Mean
		if useMax {
			v = a.Max
		}
		out = append(out, chart.Agg{T: secs(a.T), Min: v * scale, Max: v * scale, Mean: v * scale})
	}
	return out
}

// flowsView: the flows on the left, all series of the selected flow on
// the right.
func (m *Model) flowsView(w, h int) []block {
	listW := min(34, w/3)
	body := rect{0, 1, w, max(h-2, 0)}
	left := rect{0, 1, listW, body.h}
	right := rect{listW + 1, 1, max(w-listW-1, 0), body.h}
	from, to := m.visible()
	var blocks []block
	if len(m.snap.Flows) == 0 {
		return []block{{body, fitLines("no flows yet: :flow add cubic", w, body.h)}}
	}
	m.selFlow = min(m.selFlow, len(m.snap.Flows)-1)
	f := m.snap.Flows[m.selFlow]
	blocks = append(blocks, block{left, m.flowList(listW, body.h)})
	k := f.Key
	col := m.flowColor(m.selFlow)
	type spec struct {
		title, unit string
		series      [][3]string // key, name, which colour ("flow", "muted", "accent")
		scale       float64
	}
	specs := []spec{
		{"cwnd & in flight", "packets", [][3]string{{"cwnd", "cwnd", "flow"}, {"inflight", "in flight", "muted"}}, 1.0 / 1448},
		{"RTT", "ms", [][3]string{{"rtt", "sample", "flow"}, {"srtt", "srtt", "accent"}, {"min_rtt", "min", "muted"}}, 1},
		{"rates", "Mbit/s", [][3]string{{"throughput", "throughput", "flow"}, {"delivery_rate", "delivery", "accent"}, {"pacing_rate", "pacing", "muted"}}, 1e-6},
	}
	var vars []string
	for _, v := range f.Vars {
		vars = append(vars, v.Name)
	}
	grid := grid(right, len(specs)+min(len(vars), 3))
	m.layout = layout{charts: grid}
	for i, r := range grid {
		var c *chart.Chart
		if i < len(specs) {
			s := specs[i]
			c = m.newChart("f-"+s.title, s.title, s.unit, from, to)
			for _, se := range s.series {
				clr := col
				switch se[2] {
				case "muted":
					clr = m.theme.Muted
				case "accent":
					clr = m.theme.Accent
				}
				ser := chart.Series{Name: se[1], Color: clr}
				if s.unit == "Mbit/s" {
					ser.Points = m.means(k+se[0], from, to, r.w, s.scale)
				} else {
					ser.Aggs = m.aggs(k+se[0], from, to, r.w, s.scale)
				}
				c.Series = append(c.Series, ser)
			}
		} else {
			v := f.Vars[i-len(specs)]
			c = m.newChart("f-var-"+strconv.Itoa(i), v.Name, v.Unit, from, to)
			c.Series = append(c.Series, chart.Series{Name: v.Name, Color: col, Aggs: m.aggs(k+"var/"+v.Name, from, to, r.w, 1)})
			c.NoLegend = true
		}
		blocks = append(blocks, block{r, strings.Split(c.Render(r.w, r.h), "\n")})
	}
	return blocks
}

// flowList is the flows view's left panel: every flow, then the selected
// flow's state and the scheme's values.
func (m *Model) flowList(w, h int) []string {
	t := m.theme
	muted := m.style().Foreground(t.Muted)
	var lines []string
	for i, f := range m.snap.Flows {
		row := fmt.Sprintf("%d %-8s %6.2f Mbit/s", f.ID, trunc(f.Scheme, 8), f.Throughput)
		st := m.style().Foreground(m.flowColor(i))
		if i == m.selFlow {
			st = st.Reverse(true)
		}
		lines = append(lines, st.Render(row))
	}
	f := m.snap.Flows[m.selFlow]
	lines = append(lines, "", m.style().Bold(true).Foreground(t.Title).Render(fmt.Sprintf("flow %d: %s", f.ID, f.Scheme)))
	kv := func(k, v string) { lines = append(lines, muted.Render(fmt.Sprintf("%-11s ", k))+v) }
	kv("state", f.Mode)
	kv("cwnd", fmt.Sprintf("%d pkts", f.Cwnd/1448))
	kv("in flight", fmt.Sprintf("%d pkts", f.InFlight/1448))
	kv("srtt", fmtMs(f.SRTT))
	kv("min RTT", fmtMs(f.MinRTT))
	kv("delivery", fmtRate(f.DeliveryRate)+"bit/s")
	if f.PacingRate > 0 {
		kv("pacing", fmtRate(f.PacingRate)+"bit/s")
	}
	kv("retrans", fmt.Sprintf("%d (RTO %d)", f.Retransmits, f.Timeouts))
	if f.DelayValid {
		kv("p95 delay", fmt.Sprintf("%.1f ms", f.DelayP95))
	}
	kv("loss", fmt.Sprintf("%.2f%%", 100*f.Loss))
	for _, v := range f.Vars {
		kv(trunc(v.Name, 11), fmt.Sprintf("%.4g %s", v.Value, v.Unit))
	}
	if f.Manual {
		lines = append(lines, "", muted.Render("↑/↓ change the window"))
	}
	return fitLines(strings.Join(lines, "\n"), w, h)
}
