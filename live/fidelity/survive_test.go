package fidelity

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
)

// outageTrace writes a trace of 12 Mbit/s for 3 s then nothing for 2 s,
// looping (the last line, at 5000 ms, sets the period).
func outageTrace(t *testing.T) string {
	var b strings.Builder
	for ms := 1; ms <= 3000; ms++ {
		fmt.Fprintf(&b, "%d\n", ms)
	}
	b.WriteString("5000\n")
	p := filepath.Join(t.TempDir(), "outage.trace")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// longestStall is the longest stretch of the run during which the link
// had capacity but the flow delivered nothing to its receiver.
func longestStall(r *run) time.Duration {
	g, c := r.rec.series["flow/1/goodput"], r.rec.series["link/uplink/capacity"]
	var longest, cur time.Duration
	prev := time.Duration(0)
	for i, t := range g.t {
		dt := t - prev
		prev = t
		switch {
		case g.v[i] > 0:
			cur = 0
		case c.v[i] > 0:
			cur += dt
			longest = max(longest, cur)
		}
	}
	return longest
}

// TestSchemesSurvive: every scheme keeps delivering through random loss
// (data and ACKs), reordering, trace outages and a 10× rate drop: no
// stretch of more than 3 s with capacity but no delivery, and after the
// drop it uses at least half of the new rate within 10 s.
func TestSchemesSurvive(t *testing.T) {
	trace := outageTrace(t)
	base := func(s string) live.Experiment {
		return link("24mbit", 20*time.Millisecond, bdpPackets(24e6, 40*time.Millisecond), 40*time.Second, flows(s)...)
	}
	conds := []struct {
		name string
		mod  func(*live.Experiment)
	}{
		{"loss", func(e *live.Experiment) { e.Uplink.Loss, e.Downlink.Loss = "5%", "5%" }},
		{"reordering", func(e *live.Experiment) { e.Uplink.Jitter, e.Uplink.Reorder = 5*time.Millisecond, true }},
		{"outages", func(e *live.Experiment) { e.Uplink.Capacity = trace }},
		{"rate-drop", func(e *live.Experiment) {
			e.Timeline = []live.TimedChange{{At: 10 * time.Second, Command: "bw 2.4mbit"}}
		}},
	}
	for _, scheme := range cc.Names() {
		for _, cd := range conds {
			t.Run(scheme+"/"+cd.name, func(t *testing.T) {
				e := base(scheme)
				cd.mod(&e)
				r, err := simulate(context.Background(), e)
				if err != nil {
					t.Fatal(err)
				}
				if s := longestStall(r); s > 3*time.Second {
					t.Fatalf("stalled for %v with capacity available", s)
				}
				if cd.name == "rate-drop" {
					if g := r.mean("flow/1/goodput", 10*time.Second, 20*time.Second); g < 0.5*2.4e6*1448/1500 {
						t.Fatalf("goodput %.2f Mbit/s in the 10 s after the drop to 2.4 Mbit/s", g/1e6)
					}
				}
				t.Logf("goodput %.2f Mbit/s, longest stall %v", r.sim.Summary().Flows[0].Goodput, longestStall(r))
				if d := r.sim.Summary().Flows[0].Goodput; d <= 0 {
					t.Fatal("no goodput")
				}
			})
		}
	}
}
