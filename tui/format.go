package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ccscope/ccscope/emu"
)

// fmtDur formats an experiment time compactly: 12.3s, 2m05s, 1h02m.
func fmtDur(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// fmtMs formats a duration in milliseconds.
func fmtMs(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 10 {
		return fmt.Sprintf("%.1fms", ms)
	}
	return fmt.Sprintf("%.0fms", ms)
}

// fmtRate formats bit/s as Mbit/s or kbit/s.
func fmtRate(bps float64) string {
	switch {
	case math.IsNaN(bps):
		return "—"
	case bps >= 1e9:
		return fmt.Sprintf("%.2fG", bps/1e9)
	case bps >= 1e6:
		return fmt.Sprintf("%.1fM", bps/1e6)
	case bps >= 1e3:
		return fmt.Sprintf("%.0fk", bps/1e3)
	}
	return fmt.Sprintf("%.0f", bps)
}

// capacityText names a link's capacity: the rate, or the trace's file
// name.
func capacityText(c emu.Capacity) string {
	if c.Trace != nil {
		name := c.Trace.Name
		if i := strings.LastIndexAny(name, `/\`); i >= 0 {
			name = name[i+1:]
		}
		return name
	}
	return emu.FormatRate(c.Rate)
}

// queueText is a queue spec compactly: "droptail 80p", "codel 100p".
func queueText(q emu.QueueSpec) string {
	s := q.Kind.String()
	if q.Packets > 0 {
		s += fmt.Sprintf(" %dp", q.Packets)
	}
	if q.Bytes > 0 {
		s += fmt.Sprintf(" %dB", q.Bytes)
	}
	return s
}

// shortMode abbreviates scheme states for the flows table.
func shortMode(m string) string {
	switch m {
	case "slow start":
		return "SS"
	case "conservative slow start":
		return "CSS"
	case "congestion avoidance":
		return "CA"
	case "recovery":
		return "REC"
	}
	return m
}
