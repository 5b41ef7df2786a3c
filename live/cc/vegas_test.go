package cc

import (
	"math"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// On a path of bottleneck rate μ and round trip R, a window of W packets
// keeps W − μ·(R + service) packets queued, and that queue is exactly
// Vegas's diff = W·(rtt − baseRTT)/rtt. Vegas holds cwnd once the queue is
// within [α, β], so it settles with α..β packets queued and cwnd = BDP +
// α..β, without loss.
func TestVegasSettlesWithAlphaToBetaQueued(t *testing.T) {
	for _, tc := range []struct {
		spec        string
		alpha, beta float64
		pktRate     float64
		base        time.Duration
	}{
		{"vegas", 2, 4, 1000, 40 * time.Millisecond},
		{"vegas", 2, 4, 5000, 20 * time.Millisecond},
		{"vegas:alpha=4,beta=8", 4, 8, 1000, 40 * time.Millisecond},
		{"vegas:alpha=1,beta=3", 1, 3, 2000, 60 * time.Millisecond},
	} {
		f := newPath(t, mustNew(t, tc.spec), tc.pktRate, tc.base)
		f.runUntil(20 * time.Second)
		var st pathStats
		f.watch(20*time.Second, &st)
		f.runUntil(30 * time.Second)
		const eps = 1e-6
		if st.minQ < tc.alpha-eps || st.maxQ > tc.beta+eps {
			t.Errorf("%s at %v pkt/s, %v: queue %.2f..%.2f packets, want within [%v, %v]", tc.spec, tc.pktRate, tc.base, st.minQ, st.maxQ, tc.alpha, tc.beta)
		}
		if st.minCwnd != st.maxCwnd {
			t.Errorf("%s: cwnd moves %.1f..%.1f in the steady state", tc.spec, st.minCwnd, st.maxCwnd)
		}
		if over := f.cwndPkts() - f.bdpPackets(); over < tc.alpha-eps || over > tc.beta+eps {
			t.Errorf("%s: cwnd %.1f = BDP %.1f + %.2f, want BDP + [%v, %v]", tc.spec, f.cwndPkts(), f.bdpPackets(), over, tc.alpha, tc.beta)
		}
		diff := varOf(t, f.cc, "diff")
		if diff < tc.alpha-eps || diff > tc.beta+eps {
			t.Errorf("%s: diff %.3f, want within [%v, %v]", tc.spec, diff, tc.alpha, tc.beta)
		}
		if base := varOf(t, f.cc, "base_rtt"); math.Abs(base-durMillis(f.base+f.serv())) > 1e-9 {
			t.Errorf("%s: base_rtt %.3f ms, want the empty-path RTT %.3f ms", tc.spec, base, durMillis(f.base+f.serv()))
		}
		if u := st.utilization(f.rate); u < 0.999 {
			t.Errorf("%s: utilization %.4f", tc.spec, u)
		}
		if f.cc.Mode() != modeCongestionAvoidance || st.modes[modeCongestionAvoidance] != st.n {
			t.Errorf("%s: modes %v, want congestion avoidance only", tc.spec, st.modes)
		}
	}
}

// Vegas's variables obey the paper's definitions: Expected = W/baseRTT,
// Actual = W/rtt, and Diff = (Expected − Actual)·baseRTT, in packets.
func TestVegasVarsMatchPaperDefinitions(t *testing.T) {
	f := newPath(t, mustNew(t, "vegas"), 1000, 40*time.Millisecond)
	f.runUntil(10 * time.Second)
	base := varOf(t, f.cc, "base_rtt") / 1000
	rtt := varOf(t, f.cc, "rtt") / 1000
	exp := varOf(t, f.cc, "expected") / 8 // bytes/s
	act := varOf(t, f.cc, "actual") / 8
	diff := varOf(t, f.cc, "diff")
	if rtt <= base || exp <= act {
		t.Fatalf("rtt %v base %v expected %v actual %v: no queue in the steady state", rtt, base, exp, act)
	}
	if got := (exp - act) * base / testMSS; math.Abs(got-diff) > 1e-9 {
		t.Errorf("(Expected − Actual)·baseRTT = %.6f packets, diff var %.6f", got, diff)
	}
	if w := exp * base; math.Abs(w-act*rtt) > 1e-6 {
		t.Errorf("Expected·baseRTT = %v, Actual·rtt = %v: not the same window", w, act*rtt)
	}
}

// Vegas slow start ends at the first round whose diff exceeds γ, without a
// loss, with cwnd cut to the target window plus one packet. The target is
// the measured window scaled by baseRTT/rtt, the data the path delivers in
// baseRTT: at most the BDP (plus rounding).
func TestVegasSlowStartExit(t *testing.T) {
	for _, tc := range []struct {
		spec  string
		gamma float64
	}{{"vegas", 1}, {"vegas:gamma=3", 3}} {
		c := mustNew(t, tc.spec)
		f := newPath(t, c, 2000, 50*time.Millisecond)
		var exitCwnd, exitDiff float64
		exits := 0
		prev := c.Mode()
		f.onAck = func(s *transport.Sample, _ *pathPkt) {
			if m := c.Mode(); m != prev {
				if prev == modeSlowStart && m == modeCongestionAvoidance {
					exits++
					exitCwnd, exitDiff = f.cwndPkts(), varOf(t, c, "diff")
				}
				prev = m
			}
		}
		losses := 0
		f.onEvent = func(transport.CongestionEvent, *transport.Sample, int, int) { losses++ }
		f.runUntil(5 * time.Second)
		if exits != 1 || losses != 0 {
			t.Fatalf("%s: %d slow-start exits and %d congestion events, want 1 and 0", tc.spec, exits, losses)
		}
		if exitDiff <= tc.gamma {
			t.Errorf("%s: left slow start with diff %.2f ≤ γ = %v", tc.spec, exitDiff, tc.gamma)
		}
		if bdp := f.bdpPackets(); exitCwnd > bdp+2 || exitCwnd < bdp/2 {
			t.Errorf("%s: cwnd %.1f packets after slow start, want the target window (≤ BDP %.1f + 2)", tc.spec, exitCwnd, bdp)
		}
	}
}

// In congestion avoidance cwnd moves by exactly one MSS at a time and at
// most once per round trip. After the bottleneck halves, Vegas walks cwnd
// down one packet per RTT and settles again with α..β packets queued.
func TestVegasCongestionAvoidanceStepsOncePerRTT(t *testing.T) {
	c := mustNew(t, "vegas")
	f := newPath(t, c, 2000, 40*time.Millisecond)
	f.runUntil(10 * time.Second)
	f.rate /= 2
	var r delayRound
	changesInRound, rounds, downs := 0, 0, 0
	last := f.ctl.Cwnd
	f.onAck = func(s *transport.Sample, _ *pathPkt) {
		if r.next(s) {
			rounds++
			changesInRound = 0
		}
		if d := f.ctl.Cwnd - last; d != 0 {
			changesInRound++
			if d != testMSS && d != -testMSS {
				t.Fatalf("cwnd moved by %d bytes at %v, want ±1 MSS", d, s.Now)
			}
			if changesInRound > 1 {
				t.Fatalf("cwnd moved twice in one round trip at %v", s.Now)
			}
			if d < 0 {
				downs++
			}
			last = f.ctl.Cwnd
		}
	}
	f.runUntil(30 * time.Second)
	if downs < 40 {
		t.Errorf("%d one-packet decreases after the bottleneck halved, want ≳ BDP/2 = 41", downs)
	}
	var st pathStats
	f.watch(30*time.Second, &st)
	f.runUntil(35 * time.Second)
	if st.minQ < 2 || st.maxQ > 4 {
		t.Errorf("after the halving the queue is %.1f..%.1f packets, want 2..4", st.minQ, st.maxQ)
	}
}

// Losses are Reno's: EventLoss sets ssthresh = cwnd = max(FlightSize/2,
// 2·MSS), once per episode, and cwnd holds for the episode; the end of
// recovery resumes congestion avoidance at ssthresh, and Vegas then grows
// back to α..β packets queued.
func TestVegasLossHalvesOncePerEpisode(t *testing.T) {
	c := mustNew(t, "vegas")
	f := newPath(t, c, 2000, 40*time.Millisecond)
	f.runUntil(10 * time.Second)
	var events []transport.CongestionEvent
	f.onEvent = func(ev transport.CongestionEvent, s *transport.Sample, before, after int) {
		events = append(events, ev)
		if ev == transport.EventLoss {
			want := max(max(s.FlightSize, s.BytesInFlight)/2, 2*testMSS)
			if after != want || f.ctl.Ssthresh != want {
				t.Errorf("loss: cwnd %d → %d, ssthresh %d; want both %d (half the flight)", before, after, f.ctl.Ssthresh, want)
			}
			// A second report in the same episode changes nothing.
			c.OnCongestion(transport.EventLoss, s, &f.ctl)
			if f.ctl.Cwnd != after {
				t.Errorf("second EventLoss in an episode moved cwnd %d → %d", after, f.ctl.Cwnd)
			}
		}
	}
	inRecovery := 0
	f.onAck = func(s *transport.Sample, _ *pathPkt) {
		if s.InRecovery {
			inRecovery++
			if c.Mode() != modeRecovery || f.ctl.Cwnd != f.ctl.Ssthresh {
				t.Fatalf("during recovery: mode %q, cwnd %d, ssthresh %d", c.Mode(), f.ctl.Cwnd, f.ctl.Ssthresh)
			}
		}
	}
	f.lose(3)
	f.runUntil(11 * time.Second)
	if len(events) != 2 || events[0] != transport.EventLoss || events[1] != transport.EventRecoveryEnd {
		t.Fatalf("events %v, want one loss and its recovery end", events)
	}
	if inRecovery == 0 || c.Mode() != modeCongestionAvoidance {
		t.Fatalf("%d ACKs in recovery, mode %q after it", inRecovery, c.Mode())
	}
	f.onAck = nil
	f.runUntil(25 * time.Second)
	var st pathStats
	f.watch(25*time.Second, &st)
	f.runUntil(27 * time.Second)
	if st.minQ < 2 || st.maxQ > 4 {
		t.Errorf("after the loss the queue settles at %.1f..%.1f packets, want 2..4", st.minQ, st.maxQ)
	}
}

// A timeout sets cwnd to one MSS and slow-starts; ssthresh is halved once
// per series of backed-off timeouts.
func TestVegasTimeout(t *testing.T) {
	c := mustNew(t, "vegas")
	f := newPath(t, c, 2000, 40*time.Millisecond)
	f.runUntil(10 * time.Second)
	flight := f.inflight
	f.timeout(time.Second)
	want := max(flight/2, 2*testMSS)
	if f.ctl.Cwnd != testMSS || f.ctl.Ssthresh != want || c.Mode() != modeSlowStart {
		t.Fatalf("after a timeout: cwnd %d, ssthresh %d, mode %q; want %d, %d, slow start", f.ctl.Cwnd, f.ctl.Ssthresh, c.Mode(), testMSS, want)
	}
	f.timeout(2 * time.Second)
	if f.ctl.Cwnd != testMSS || f.ctl.Ssthresh != want {
		t.Fatalf("after a backed-off timeout: cwnd %d, ssthresh %d; want %d, %d", f.ctl.Cwnd, f.ctl.Ssthresh, testMSS, want)
	}
	f.runUntil(f.now + 15*time.Second)
	var st pathStats
	f.watch(f.now, &st)
	f.runUntil(f.now + 2*time.Second)
	if c.Mode() != modeCongestionAvoidance || st.minQ < 2 || st.maxQ > 4 {
		t.Errorf("after the timeout: mode %q, queue %.1f..%.1f packets; want congestion avoidance with 2..4", c.Mode(), st.minQ, st.maxQ)
	}
}

// A round with fewer than three RTT samples (a tiny window) cannot support
// the Vegas computation: cwnd grows one MSS, like Reno.
func TestVegasFewSamplesGrowLikeReno(t *testing.T) {
	v := NewVegas(DefaultVegasConfig())
	ctl := transport.Control{MSS: testMSS}
	v.Init(&ctl, 0)
	v.state = vegasCongestionAvoidance
	v.cwnd = 2 * testMSS
	v.baseRTT = 40 * time.Millisecond
	s := transport.Sample{BytesAcked: testMSS, PacketsAcked: 1, RTT: 80 * time.Millisecond, SRTT: 80 * time.Millisecond}
	for round := range 3 {
		// Two ACKs per round: the first starts the round, both carry
		// samples; the next round starts with a packet sent after it.
		for range 2 {
			s.Now += 10 * time.Millisecond
			s.PriorDelivered = int64(round) * 10 * testMSS
			s.Delivered += testMSS
			v.OnAck(&s, &ctl)
		}
		s.Delivered += 8 * testMSS // the next round's packets were sent after this one began
	}
	// Rounds 1 and 2 ended with two samples each (diff would have said
	// "shrink": the RTT is twice the base): +1 MSS each.
	if ctl.Cwnd != 4*testMSS {
		t.Errorf("cwnd %d after two two-sample rounds from 2 MSS, want %d", ctl.Cwnd, 4*testMSS)
	}
}

// The registry builds Vegas with its parameters, an inverted band counting
// as an empty one.
func TestVegasParams(t *testing.T) {
	for spec, want := range map[string]VegasConfig{
		"vegas":                      {Alpha: 2, Beta: 4, Gamma: 1, IW: 10},
		"vegas:alpha=3,beta=6":       {Alpha: 3, Beta: 6, Gamma: 1, IW: 10},
		"vegas:gamma=0.5,iw=4":       {Alpha: 2, Beta: 4, Gamma: 0.5, IW: 4},
		"vegas:alpha=5,beta=3":       {Alpha: 5, Beta: 5, Gamma: 1, IW: 10},
		"vegas: alpha = 0 ; beta=0 ": {Alpha: 0, Beta: 0, Gamma: 1, IW: 10},
	} {
		v, ok := mustNew(t, spec).(*Vegas)
		if !ok || v.cfg != want {
			t.Errorf("New(%q) = %+v, want %+v", spec, v.cfg, want)
		}
	}
	if _, err := New("vegas:alpha=-1"); err == nil {
		t.Error("vegas:alpha=-1 accepted")
	}
}

// Packet-timed rounds last one round-trip time.
func TestDelayRoundCountsRoundTrips(t *testing.T) {
	f := newPath(t, mustNew(t, "vegas"), 1000, 40*time.Millisecond)
	f.runUntil(5 * time.Second)
	var r delayRound
	f.onAck = func(s *transport.Sample, _ *pathPkt) { r.next(s) }
	f.runUntil(15 * time.Second)
	rtt := f.srtt.Seconds() // constant in the steady state
	if want := 10 / rtt; math.Abs(float64(r.count)-want) > 0.02*want {
		t.Errorf("%d rounds in 10 s at an RTT of %.1f ms, want %.0f", r.count, rtt*1000, want)
	}
}

// Application-limited ACKs do not grow cwnd: an unused window says nothing
// about the path.
func TestVegasAppLimitedDoesNotGrow(t *testing.T) {
	c := mustNew(t, "vegas")
	f := newPath(t, c, 2000, 40*time.Millisecond)
	f.appLimited = true
	f.runUntil(3 * time.Second)
	if f.ctl.Cwnd != 10*testMSS {
		t.Fatalf("cwnd %d after 3 s of application-limited ACKs, want the initial %d", f.ctl.Cwnd, 10*testMSS)
	}
	f.appLimited = false
	f.runUntil(6 * time.Second)
	if f.cwndPkts() < f.bdpPackets() {
		t.Errorf("cwnd %.1f packets 3 s after the application caught up, want ≥ BDP %.1f", f.cwndPkts(), f.bdpPackets())
	}
	// In congestion avoidance too: the path doubles, so diff < α, but the
	// window is not used.
	f.rate *= 2
	f.appLimited = true
	cwnd := f.ctl.Cwnd
	f.runUntil(8 * time.Second)
	if f.ctl.Cwnd > cwnd {
		t.Errorf("congestion avoidance: cwnd %d → %d on application-limited ACKs", cwnd, f.ctl.Cwnd)
	}
}

func BenchmarkVegasOnAck(b *testing.B) {
	benchReplay(b, "vegas", recordSamples(b, "vegas", 2000, 40*time.Millisecond, 20*time.Second))
}
