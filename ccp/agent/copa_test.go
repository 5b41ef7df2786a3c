package agent

import (
	"testing"
)

func startCopa(t *testing.T, cfg CopaConfig) (Flow, *fakeDP) {
	t.Helper()
	env, _, _ := testEnv()
	alg := NewCopa(cfg, env)
	dp := newFakeDP(t, alg)
	f := alg.NewFlow(dp, FlowInfo{SockID: 7, InitCwnd: 10 * 1448, MSS: 1448, CongAlg: "copa"})
	return f, dp
}

// copaRep is a clean report: acked bytes, the interval's RTT and min
// RTT (µs), at now (µs).
func copaRep(dp *fakeDP, acked, rtt, now uint64) Report {
	return dp.report(map[string]uint64{"acked": acked, "rtt": rtt, "minrtt": rtt, "now": now, "inflight": 10})
}

func TestCopaStart(t *testing.T) {
	_, dp := startCopa(t, CopaConfig{})
	calls := dp.takeCalls()
	if len(calls) != 2 || !calls[0].set || calls[0].scope.Program != copaProg || len(calls[0].fields) != 0 {
		t.Fatalf("calls %v, want SetProgram(copa) then an update", calls)
	}
	if cw, _ := calls[1].field("Cwnd"); cw != 10*1448 {
		t.Errorf("Cwnd %d, want the initial %d", cw, 10*1448)
	}
	if _, ok := calls[1].field("Rate"); ok {
		t.Errorf("Rate set before any RTT sample: %v", calls[1])
	}
}

// TestCopaTargetRate drives Copa in its default mode (δ = 0.5) with a
// fixed queueing delay and checks that the window moves toward the target
// rate 1/(δ·d_q): it grows while cwnd/RTT is below it and shrinks while
// above, settles around it, and the pacing rate is 2·cwnd/base RTT.
func TestCopaTargetRate(t *testing.T) {
	const (
		base  = 50_000 // µs
		dq    = 5_000  // µs of queueing
		delta = 0.5
		rtt   = base + dq
	)
	f, dp := startCopa(t, CopaConfig{DefaultDelta: delta, NoTCPMode: true})
	// The target window: cwnd/rtt = 1460 B/(δ·d_q).
	target := 1460.0 * rtt / (delta * dq)

	now := uint64(1_000_000)
	// Establish the base RTT: one report without queueing (slow start).
	f.OnReport(copaRep(dp, 10*1448, base, now))
	if got := dp.mustVal("basertt"); got != base {
		t.Fatalf("basertt %d, want %d (sent when the base RTT changes)", got, base)
	}
	cwnd := float64(dp.mustVal("Cwnd"))
	if cwnd != 20*1448 {
		t.Fatalf("slow start: cwnd %v after acking a window, want %d", cwnd, 20*1448)
	}
	var cwnds []float64
	// 300 reports are 8.25 s: the base RTT sample stays in the 10 s window.
	for i := range 300 {
		now += rtt / 2
		acked := uint64(cwnd / 2) // half an RTT of a window
		f.OnReport(copaRep(dp, acked, rtt, now))
		next := float64(dp.mustVal("Cwnd"))
		if rate := dp.mustVal("Rate"); rate != max(uint64(2*next*1e6/base), 2000) {
			t.Fatalf("report %d: Rate %d, want 2·cwnd/base RTT = %d", i, rate, uint64(2*next*1e6/base))
		}
		switch {
		case cwnd < target*0.99 && next < cwnd:
			t.Fatalf("report %d: cwnd %v below the target %v shrank to %v", i, cwnd, target, next)
		case cwnd > target*1.01 && next > cwnd:
			t.Fatalf("report %d: cwnd %v above the target %v grew to %v", i, cwnd, target, next)
		}
		cwnd = next
		cwnds = append(cwnds, cwnd)
	}
	// Over the last 100 reports the window stays near the target.
	var sum float64
	for _, c := range cwnds[200:] {
		sum += c
		if c < target*0.8 || c > target*1.2 {
			t.Errorf("cwnd %v strays from the target %v", c, target)
		}
	}
	mean := sum / 100
	if mean < target*0.95 || mean > target*1.05 {
		t.Errorf("mean cwnd %v, want about the target %v", mean, target)
	}
	t.Logf("target window %.0f bytes, mean %.0f over the last 100 reports", target, mean)
}

// TestCopaBaseRTTWindow checks the base RTT is the minimum over the last
// 10 s (30 srtt if longer), and that the program's basertt follows it.
func TestCopaBaseRTTWindow(t *testing.T) {
	f, dp := startCopa(t, CopaConfig{NoTCPMode: true})
	now := uint64(1_000_000)
	f.OnReport(copaRep(dp, 1448, 40_000, now))
	if got := dp.mustVal("basertt"); got != 40_000 {
		t.Fatalf("basertt %d, want 40000", got)
	}
	for now < 11_100_000 {
		now += 30_000
		f.OnReport(copaRep(dp, 1448, 60_000, now))
		if got := dp.mustVal("basertt"); now < 11_000_000 && got != 40_000 {
			t.Fatalf("at %d µs basertt %d, want 40000 (the sample at 1 s is within 10 s)", now, got)
		}
	}
	if got := dp.mustVal("basertt"); got != 60_000 {
		t.Fatalf("basertt %d after the 40 ms sample left the window, want 60000", got)
	}
}

// TestCopaVelocity checks the velocity: moving the same way for more than
// three RTTs doubles the step.
func TestCopaVelocity(t *testing.T) {
	f, dp := startCopa(t, CopaConfig{NoTCPMode: true})
	now := uint64(1_000_000)
	f.OnReport(copaRep(dp, 1448, 50_000, now)) // base RTT 50 ms
	// Large queueing: decrease (ends slow start), then keep decreasing
	// from a big window.
	f.OnReport(copaRep(dp, 1448, 150_000, now+25_000))
	c := f.(*copaFlow)
	c.mu.Lock()
	c.cwnd = 2_000_000
	c.mu.Unlock()
	now += 25_000
	var steps []uint64
	prev := uint64(2_000_000)
	for range 40 {
		now += 75_000 // half the RTT
		f.OnReport(copaRep(dp, 100_000, 150_000, now))
		cw := dp.mustVal("Cwnd")
		if cw > prev {
			t.Fatalf("cwnd grew from %d to %d under a large queueing delay", prev, cw)
		}
		steps = append(steps, prev-cw)
		prev = cw
	}
	c.mu.Lock()
	v := c.velocity
	c.mu.Unlock()
	if v < 4 {
		t.Fatalf("velocity %d after 40 reports in one direction, want it to have doubled at least twice (steps %v)", v, steps)
	}
	if steps[len(steps)-1] < 2*steps[0] {
		t.Errorf("steps did not grow with the velocity: %v", steps)
	}
}

func TestCopaLossAndTimeout(t *testing.T) {
	f, dp := startCopa(t, CopaConfig{})
	now := uint64(1_000_000)
	for i := range 5 {
		f.OnReport(copaRep(dp, 20*1448, 50_000, now+uint64(i)*25_000))
	}
	if got := dp.mustVal("Cwnd"); got <= 10*1448 {
		t.Fatalf("cwnd %d did not grow in slow start", got)
	}
	// A timeout is urgent: back to the initial window and slow start.
	dp.takeCalls()
	f.OnReport(dp.report(map[string]uint64{"timeout": 1, "now": now + 200_000}))
	if got := dp.mustVal("Cwnd"); got != 10*1448 {
		t.Fatalf("after a timeout cwnd %d, want the initial %d", got, 10*1448)
	}
	if got := dp.mustVal("Rate"); got != 2*10*1448*1_000_000/50_000 {
		t.Fatalf("after a timeout Rate %d, want 2·cwnd/base RTT", got)
	}
	c := f.(*copaFlow)
	c.mu.Lock()
	ss := c.slowStart
	c.mu.Unlock()
	if !ss {
		t.Error("no slow start after a timeout")
	}
}

// TestCopaTCPMode checks δ in the TCP-cooperative mode (the default):
// 1/δ grows by one per loss-free report and δ doubles on a loss.
func TestCopaTCPMode(t *testing.T) {
	f, dp := startCopa(t, CopaConfig{})
	c := f.(*copaFlow)
	delta := func() float64 {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.delta.delta
	}
	now := uint64(1_000_000)
	for i := range 4 {
		f.OnReport(copaRep(dp, 1448, 50_000, now))
		now += 25_000
		if got, want := 1/delta(), float64(i+3); got < want-1e-9 || got > want+1e-9 {
			t.Fatalf("report %d: 1/δ = %v, want %v", i, got, want)
		}
	}
	now += 100_000
	f.OnReport(dp.report(map[string]uint64{"loss": 1, "now": now}))
	if got := 1 / delta(); got < 3-1e-9 || got > 3+1e-9 {
		t.Fatalf("after a loss 1/δ = %v, want half of 6", got)
	}
}

func TestCopaBadReports(t *testing.T) {
	f, dp := startCopa(t, CopaConfig{})
	sc := dp.scope()
	dp.takeCalls()
	f.OnReport(NewReport(sc.Program, sc.UID, []string{"acked"}, []uint64{1}))
	f.OnReport(NewReport(sc.Program, sc.UID+1, []string{"acked"}, []uint64{1}))
	if calls := dp.takeCalls(); len(calls) != 0 {
		t.Fatalf("calls %v, want none", calls)
	}
	// Degenerate values do not panic: zero RTTs, time going backwards,
	// huge acked.
	for _, r := range []Report{
		copaRep(dp, 1<<40, 0, 1),
		copaRep(dp, 1448, 0, 0),
		copaRep(dp, 1448, 1, 10),
		copaRep(dp, 1448, 1<<32-1, 5),
		copaRep(dp, 0xFFFF_FFFF, 50_000, 1<<62),
		dp.report(map[string]uint64{"loss": 1 << 33, "now": 3}),
	} {
		f.OnReport(r)
	}
}
