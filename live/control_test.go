package live

import (
	"strings"
	"testing"
	"time"
)

func TestParseControlCommands(t *testing.T) {
	good := map[string]string{
		"flow add bbr":        "flow add bbr",
		"flow add cubic 10MB": "flow add cubic 10000000",
		"flow stop 2":         "flow stop 2",
		"flow 1 cwnd 40":      "flow 1 cwnd 40",
		"flow 3 rate 5mbit":   "flow 3 rate 5mbit",
		"flow 3 rate off":     "flow 3 rate 0bit",
		"bw 6mbit":            "uplink bw 6mbit",
	}
	for in, want := range good {
		c, err := ParseCommand(in, nil)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if c.String() != want {
			t.Errorf("%q → %q, want %q", in, c.String(), want)
		}
	}
	bad := map[string]string{
		"flow":            "usage",
		"flow add":        "usage: flow add SCHEME",
		"flow stop x":     "not a flow number",
		"flow 1 cwnd 0":   "whole number of packets",
		"flow 1 cwnd 2.5": "whole number of packets",
		"flow 1 rate 5":   "missing unit",
		"flow 1 speed 3":  "unknown setting",
		"flow jump":       "unknown action",
	}
	for in, want := range bad {
		if _, err := ParseCommand(in, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
}

// TestManualFlow: a manual flow's window is what the user sets, at once:
// with cwnd W packets on a path with a 40 ms RTT and no queue, the flow
// gets W·1448·8/0.040 bit/s of goodput.
func TestManualFlow(t *testing.T) {
	e := linkExp("100mbit", 20*time.Millisecond, "", 20*time.Second, "manual:cwnd=10")
	s, rec := runExpUntil(t, e, 10*time.Second)
	if err := s.Apply(FlowSet{ID: 1, What: "cwnd", Value: 40}); err != nil {
		t.Fatal(err)
	}
	if c := s.Snapshot().Flows[0].Cwnd; c != 40*1448 {
		t.Fatalf("cwnd %d right after the change, want %d", c, 40*1448)
	}
	s.RunUntil(20 * time.Second)
	before := rec.get(t, "flow/1/goodput").mean(5*time.Second, 10*time.Second)
	after := rec.get(t, "flow/1/goodput").mean(15*time.Second, 20*time.Second)
	rtt := 0.0402 // 40 ms plus one opportunity each way at 100 Mbit/s
	for _, c := range []struct{ got, w float64 }{{before, 10}, {after, 40}} {
		want := c.w * 1448 * 8 / rtt
		if d := (c.got - want) / want; d < -0.02 || d > 0.02 {
			t.Fatalf("cwnd %v: goodput %.2f Mbit/s, want %.2f ± 2%%", c.w, c.got/1e6, want/1e6)
		}
	}
	if err := s.Apply(FlowSet{ID: 1, What: "rate", Value: 1e6}); err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(FlowAdd{Scheme: "cubic"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(FlowSet{ID: 2, What: "cwnd", Value: 5}); err == nil || !strings.Contains(err.Error(), "only manual flows") {
		t.Fatalf("setting cubic's cwnd: %v", err)
	}
	sn := s.Snapshot()
	if !sn.Flows[0].Manual || sn.Flows[1].Manual || sn.Flows[0].PacingRate != 1e6 || sn.Flows[0].Mode != "manual" {
		t.Fatalf("snapshot %+v", sn.Flows)
	}
}
