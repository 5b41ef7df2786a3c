package capture

// This file owns the text summaries: mm-throughput-graph's four stderr lines
// and tunnel_graph.py's statistics_string, character for character.

import (
	"fmt"
	"strings"
)

// MahimahiSummary returns the four lines mm-throughput-graph prints, each
// ending in a newline. Where mahimahi would die (no events, zero duration,
// zero capacity, no departures) the line says "n/a (reason)" instead.
func (a *Analysis) MahimahiSummary() string {
	m := &a.Mahimahi
	var b strings.Builder
	switch {
	case !m.HasEvents:
		b.WriteString("Average capacity: n/a (no events)\n")
		b.WriteString("Average throughput: n/a (no events)\n")
	case !m.RatesValid:
		b.WriteString("Average capacity: n/a (zero duration)\n")
		b.WriteString("Average throughput: n/a (zero duration)\n")
	default:
		fmt.Fprintf(&b, "Average capacity: %.2f Mbits/s\n", m.Capacity)
		if m.UtilizationValid {
			fmt.Fprintf(&b, "Average throughput: %.2f Mbits/s (%.1f%% utilization)\n", m.Throughput, m.Utilization)
		} else {
			fmt.Fprintf(&b, "Average throughput: %.2f Mbits/s (utilization n/a: zero capacity)\n", m.Throughput)
		}
	}
	if m.DelaysValid {
		fmt.Fprintf(&b, "95th percentile per-packet queueing delay: %.0f ms\n", m.DelayP95)
		fmt.Fprintf(&b, "95th percentile signal delay: %.0f ms\n", m.SignalP95)
	} else {
		b.WriteString("95th percentile per-packet queueing delay: n/a (no departures)\n")
		b.WriteString("95th percentile signal delay: n/a (no departures)\n")
	}
	return b.String()
}

// PantheonSummary returns tunnel_graph.py's statistics_string: the totals,
// then one block per flow, leaving out the lines whose value is None. Where
// the script would divide by zero (utilization with a zero capacity) the
// utilization says n/a.
func (a *Analysis) PantheonSummary() string {
	p := &a.Pantheon
	var b strings.Builder
	flows := "flows"
	if len(p.Flows) == 1 {
		flows = "flow"
	}
	fmt.Fprintf(&b, "-- Total of %d %s:\n", len(p.Flows), flows)
	if p.CapacityValid {
		fmt.Fprintf(&b, "Average capacity: %.2f Mbit/s\n", p.Capacity)
	}
	fmt.Fprintf(&b, "Average throughput: %.2f Mbit/s", p.Throughput)
	if p.CapacityValid {
		if p.Capacity != 0 {
			fmt.Fprintf(&b, " (%.1f%% utilization)", 100.0*p.Throughput/p.Capacity)
		} else {
			b.WriteString(" (utilization n/a: zero capacity)")
		}
	}
	b.WriteString("\n")
	if p.DelayValid {
		fmt.Fprintf(&b, "95th percentile per-packet one-way delay: %.3f ms\n", p.DelayP95)
	}
	if p.LossValid {
		fmt.Fprintf(&b, "Loss rate: %.2f%%\n", p.Loss*100.0)
	}
	for _, f := range p.Flows {
		fmt.Fprintf(&b, "-- Flow %d:\n", f.ID)
		fmt.Fprintf(&b, "Average throughput: %.2f Mbit/s\n", f.Throughput)
		if f.DelayValid {
			fmt.Fprintf(&b, "95th percentile per-packet one-way delay: %.3f ms\n", f.DelayP95)
		}
		if f.LossValid {
			fmt.Fprintf(&b, "Loss rate: %.2f%%\n", f.Loss*100.)
		}
	}
	return b.String()
}
