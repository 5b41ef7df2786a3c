package cc_test

import (
	"context"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
)

// runLink runs one flow of scheme for dur over 24 Mbit/s each way, 20 ms
// each way, and a droptail uplink queue of 400 packets (5 BDP).
func runLink(t *testing.T, scheme string, dur time.Duration) *live.Sim {
	t.Helper()
	e := live.Experiment{
		Duration: dur, Seed: 1, SampleInterval: 10 * time.Millisecond,
		Uplink:   live.LinkSpec{Capacity: "24mbit", Delay: 20 * time.Millisecond, Queue: "droptail", QueueArgs: "packets=400"},
		Downlink: live.LinkSpec{Capacity: "24mbit", Delay: 20 * time.Millisecond},
		Flows:    []live.FlowSpec{{Scheme: scheme}},
	}
	s, err := live.NewSim(e, live.SimOptions{NewController: cc.New})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBBROnTransport runs BBR over ccscope's transport and emulated link,
// with a 5-BDP buffer: it keeps the link busy with a small queue, while
// cubic fills the buffer.
func TestBBROnTransport(t *testing.T) {
	bbr := runLink(t, "bbr", 25*time.Second)
	sum := bbr.Summary()
	t.Logf("bbr: %.1f%% utilization, p95 one-way delay %.1f ms, loss %.4f, %d retransmits, %d timeouts",
		sum.Utilization, sum.DelayP95, sum.Loss, sum.Flows[0].Retransmits, sum.Flows[0].Timeouts)
	if sum.Utilization < 95 {
		t.Errorf("bbr utilization %.1f%%, want ≥ 95%%", sum.Utilization)
	}
	// 20 ms of propagation and 0.5 ms of transmission; the 1.25 phase
	// queues a quarter BDP (10 ms) at most.
	if sum.DelayP95 > 35 {
		t.Errorf("bbr p95 one-way delay %.1f ms, want ≤ 35 (20 ms + a small queue)", sum.DelayP95)
	}
	if f := sum.Flows[0]; f.Retransmits > 0 || f.Timeouts > 0 {
		t.Errorf("bbr retransmitted %d segments (%d timeouts) with a 5-BDP buffer", f.Retransmits, f.Timeouts)
	}
	var modes []string
	for _, m := range bbr.Modes(1) {
		modes = append(modes, m.Mode)
	}
	want := []string{"startup", "drain", "probe_bw", "probe_rtt", "probe_bw", "probe_rtt", "probe_bw"}
	if len(modes) != len(want) {
		t.Errorf("bbr modes %v, want %v", modes, want)
	} else {
		for i := range want {
			if modes[i] != want[i] {
				t.Errorf("bbr modes %v, want %v", modes, want)
				break
			}
		}
	}

	cubic := runLink(t, "cubic", 25*time.Second).Summary()
	t.Logf("cubic: %.1f%% utilization, p95 one-way delay %.1f ms", cubic.Utilization, cubic.DelayP95)
	if cubic.DelayP95 < 3*sum.DelayP95 {
		t.Errorf("cubic p95 delay %.1f ms, bbr %.1f ms: want cubic's buffer-filling queue far above bbr's", cubic.DelayP95, sum.DelayP95)
	}
}
