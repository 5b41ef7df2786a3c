package cc

import (
	"math"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// Loss handling of tcp_bbr.c (bbr_set_cwnd_to_recover_or_restore,
// bbr_save_cwnd, tcp_enter_loss with bbr_set_state) and its long-term
// bandwidth sampling (bbr_lt_bw_sampling), on the synthetic path.

// dropRange drops the n segments sent first at or after time at.
func dropRange(at time.Duration, n int) func(int64, time.Duration) bool {
	first := int64(-1)
	return func(seq int64, t time.Duration) bool {
		if t < at {
			return false
		}
		if first < 0 {
			first = seq
		}
		return seq < first+int64(n)*testMSS
	}
}

func TestBBRLossRecovery(t *testing.T) {
	p, b := newBBRTestPath(t, "bbr")
	p.run(3 * time.Second)
	if b.Mode() != "probe_bw" {
		t.Fatalf("mode %q at 3 s, want probe_bw", b.Mode())
	}
	p.drop = dropRange(p.now, 10)

	var (
		before     float64 // cwnd (packets) when the loss was reported
		phase      int     // 0 before, 1 conserving, 2 recovering, 3 ended
		checked    [4]int
		prev       = p.cwndPkts()
		recoveries int
	)
	p.onEvent = func(ev transport.CongestionEvent, s *transport.Sample, bef, aft int) {
		switch ev {
		case transport.EventLoss:
			recoveries++
			before = float64(bef) / testMSS
			if aft != bef {
				t.Errorf("EventLoss changed cwnd from %d to %d: BBR only saves it", bef, aft)
			}
			phase = 1
		case transport.EventRecoveryEnd:
			phase = 3
		}
	}
	p.onAck = func(s *transport.Sample) {
		c := p.cwndPkts()
		defer func() { prev = c }()
		if b.Mode() != "probe_bw" {
			t.Fatalf("mode %q during recovery, want probe_bw: loss does not change the model's state", b.Mode())
		}
		conserving := varOf(t, b, "conservation") == 1
		flight := float64(s.PacketsInFlight + s.PacketsAcked)
		switch phase {
		case 1:
			if checked[1] == 0 {
				// Entering recovery: cwnd = packets in flight + ACKed.
				if c != flight {
					t.Errorf("first recovery ACK: cwnd %v, want inflight+acked = %v", c, flight)
				}
			} else if conserving {
				// Packet conservation: cwnd never above what the ACK
				// released, beyond cwnd − lost.
				want := math.Max(prev-float64(s.LostPackets), flight)
				if c != want {
					t.Errorf("conservation: cwnd %v, want max(cwnd−lost, inflight+acked) = %v", c, want)
				}
			} else {
				phase = 2
			}
			checked[1]++
		}
		switch phase {
		case 2:
			// After the first round: grow toward the target by at most
			// the packets ACKed.
			if c > prev+float64(s.PacketsAcked) {
				t.Errorf("recovery after the first round: cwnd %v → %v on an ACK of %d", prev, c, s.PacketsAcked)
			}
			checked[2]++
		case 3:
			if checked[3] == 0 {
				// Leaving recovery restores the cwnd saved at its start
				// (then, as always once the pipe is full, at most
				// target and at most +acked).
				want := math.Min(before+float64(s.PacketsAcked), varOf(t, b, "target_cwnd"))
				if c != want {
					t.Errorf("recovery end: cwnd %v, want min(cwnd before the loss %v + acked, target %v) = %v", c, before, varOf(t, b, "target_cwnd"), want)
				}
			}
			checked[3]++
		}
	}
	p.run(5 * time.Second)
	if recoveries != 1 || checked[1] < 5 || checked[2] == 0 || checked[3] == 0 {
		t.Fatalf("recoveries %d, ACKs checked per phase %v: the episode did not run its course", recoveries, checked)
	}
	if bw := varOf(t, b, "btl_bw") / 8; math.Abs(bw-bbrTestRate)/bbrTestRate > 0.02 {
		t.Errorf("btl_bw %.0f after recovery, want %d ± 2%%: a loss is not a bandwidth signal", bw, bbrTestRate)
	}
	if c := p.cwndPkts(); c < 2*bbrTestBDP {
		t.Errorf("cwnd %v packets two seconds after the loss, want back at 2·BDP", c)
	}
}

func TestBBRTimeout(t *testing.T) {
	for _, twice := range []bool{false, true} {
		p, b := newBBRTestPath(t, "bbr")
		p.run(3 * time.Second)
		before := p.cwndPkts()
		p.blackout(p.now + 100*time.Millisecond)
		var timeouts int
		prev := 0.0
		p.onEvent = func(ev transport.CongestionEvent, s *transport.Sample, bef, aft int) {
			if ev != transport.EventTimeout {
				return
			}
			timeouts++
			// RTO: cwnd = packets in flight (none) + 1.
			if aft != testMSS {
				t.Errorf("RTO: cwnd %d bytes, want one segment", aft)
			}
			if twice && timeouts == 1 {
				p.blackout(p.now + time.Millisecond) // the retransmission is lost too: the RTO backs off
			}
			prev = float64(aft) / testMSS
		}
		restored := false
		grew := 0
		p.onAck = func(s *transport.Sample) {
			c := p.cwndPkts()
			switch {
			case s.InRecovery:
				// The loss state: cwnd grows by the packets ACKed
				// (up to the target, at least 4 packets).
				want := math.Max(4, math.Min(math.Max(prev-float64(s.LostPackets), 1)+float64(s.PacketsAcked), varOf(t, b, "target_cwnd")))
				if c != want {
					t.Errorf("after the RTO: cwnd %v → %v on an ACK of %d", prev, c, s.PacketsAcked)
				}
				grew++
			case !restored:
				// The loss state is over: the cwnd saved at the first RTO
				// comes back (the backed-off RTO does not save 1 packet).
				restored = true
				want := math.Min(before+float64(s.PacketsAcked), varOf(t, b, "target_cwnd"))
				if c != want {
					t.Errorf("end of the loss state: cwnd %v, want %v (cwnd before the RTO %v)", c, want, before)
				}
			}
			prev = c
		}
		p.runUntil(10*time.Second, "end of the loss state", func() bool { return restored })
		wantTimeouts := 1
		if twice {
			wantTimeouts = 2
		}
		if timeouts != wantTimeouts || grew < 10 {
			t.Errorf("twice=%v: %d timeouts, %d ACKs in the loss state", twice, timeouts, grew)
		}
		if b.Mode() != "probe_bw" || varOf(t, b, "full_bw") != 1 {
			t.Errorf("mode %q, full_bw %v after an RTO: want probe_bw with the pipe still known full", b.Mode(), varOf(t, b, "full_bw"))
		}
	}
}

func TestBBRProbePhaseEndsOnLoss(t *testing.T) {
	// One segment in 20 is lost: the 1.25 phase must end at the first
	// loss after min_rtt instead of waiting until inflight reaches
	// 1.25·BDP (+ budget), which takes about 1.4 min_rtt on this path.
	p, b := newBBRTestPath(t, "bbr:lt_bw=0")
	p.drop = func(seq int64, _ time.Duration) bool { return seq/testMSS%20 == 19 }
	phases := logPhases(p, b)
	p.run(9 * time.Second)
	ph := *phases
	probes, short := 0, 0
	for _, x := range ph[:len(ph)-1] {
		if x.idx != 0 {
			continue
		}
		probes++
		d := x.end - x.start
		if d <= bbrTestRTT {
			t.Errorf("the 1.25 phase at %v lasted %v, want > min_rtt", x.start, d)
		}
		if d > bbrTestRTT+25*time.Millisecond {
			t.Errorf("the 1.25 phase at %v lasted %v with a loss every 20 segments, want it to end at the first loss after min_rtt", x.start, d)
		}
		// The phase's inflight target: ⌈1.25·BDP⌉ + 3, rounded up to even,
		// + 2 in this phase.
		if x.prior < 68 {
			short++
		}
	}
	if probes < 10 || short == 0 {
		t.Errorf("%d probe phases, %d ended below the 1.25·BDP target (68 packets) in flight: want the loss, not inflight, to end them", probes, short)
	}
	if u := float64(p.delivered) / p.now.Seconds() / bbrTestRate; u < 0.9 {
		t.Errorf("utilization %.2f under 5%% loss, want ≥ 0.9 (BBR does not back off on loss)", u)
	}
}

func TestBBRLongTermBandwidth(t *testing.T) {
	const rate = 0.4 * bbrTestRate
	newPoliced := func(spec string) (*bbrPath, *BBR) {
		p, b := newBBRTestPath(t, spec)
		p.policer = &bbrPolicer{rate: rate, depth: 100 * testMSS, tokens: 100 * testMSS}
		return p, b
	}
	p, b := newPoliced("bbr")
	type span struct {
		start, end         time.Duration
		startRound, rounds int
		lost               int
	}
	var spans []span
	p.onAck = func(s *transport.Sample) {
		use := varOf(t, b, "lt_use") == 1
		n := len(spans)
		open := n > 0 && spans[n-1].end == 0
		switch {
		case use && !open:
			spans = append(spans, span{start: s.Now, startRound: int(varOf(t, b, "round")), lost: p.lostSegs})
		case !use && open:
			spans[n-1].end = s.Now
			spans[n-1].rounds = int(varOf(t, b, "round")) - spans[n-1].startRound
			spans[n-1].lost = p.lostSegs - spans[n-1].lost
		}
		if !use {
			return
		}
		// Policed: pace at lt_bw with gain 1.
		lt := varOf(t, b, "lt_bw") / 8
		if bw := varOf(t, b, "btl_bw") / 8; bw != lt {
			t.Fatalf("btl_bw %v while using lt_bw %v", bw, lt)
		}
		if math.Abs(lt-rate)/rate > 0.03 {
			t.Fatalf("lt_bw %.0f bytes/s, want the policer's %.0f ± 3%%", lt, rate)
		}
		if g := varOf(t, b, "pacing_gain"); b.Mode() == "probe_bw" && g != 1 {
			t.Fatalf("pacing gain %v while policed, want 1", g)
		}
		if want := lt * 0.99; math.Abs(p.ctl.PacingRate-want) > 1e-9*want && b.Mode() != "probe_rtt" {
			t.Fatalf("pacing rate %v while policed, want lt_bw·0.99 = %v", p.ctl.PacingRate, want)
		}
	}
	p.run(9 * time.Second)
	if len(spans) < 2 {
		t.Fatalf("lt_bw used %d times in 9 s, want it found, dropped after 48 rounds and found again", len(spans))
	}
	if spans[0].start > 2*time.Second {
		t.Errorf("policer detected at %v, want within 2 s", spans[0].start)
	}
	for i, s := range spans {
		if s.end == 0 {
			continue
		}
		// Linux keeps lt_bw for 48 rounds of ProbeBW, then probes again.
		if s.rounds < 48 || s.rounds > 50 {
			t.Errorf("lt_bw span %d lasted %d rounds, want 48", i, s.rounds)
		}
		if s.lost > 10 {
			t.Errorf("lt_bw span %d lost %d segments: pacing below the policer should not lose", i, s.lost)
		}
	}
	// Without long-term sampling the max filter keeps pacing a little
	// above the policer, which loses steadily.
	q, _ := newPoliced("bbr:lt_bw=0")
	q.run(9 * time.Second)
	if q.lostSegs <= p.lostSegs {
		t.Errorf("lt_bw=0 lost %d segments, lt_bw=1 lost %d: long-term sampling should lose less", q.lostSegs, p.lostSegs)
	}
}
