package cc

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// The expectations below come from draft-cardwell-iccrg-bbr-congestion-
// control-00 and Linux's tcp_bbr.c, applied to the synthetic path of
// bbr_path_test.go: 1000 segments/s (bbrTestRate), 50 ms base RTT, a
// 50-packet BDP.

// bbrRoundLog records the max filter at the first ACK of every round and
// the round at which the mode first changed to each mode.
type bbrRoundLog struct {
	maxBw     map[int]float64 // round → max_bw (bytes/s) at its first ACK
	firstMode map[string]int  // mode → round it was first seen
	firstAt   map[string]time.Duration
}

func logRounds(p *bbrPath, b *BBR) *bbrRoundLog {
	l := &bbrRoundLog{maxBw: map[int]float64{}, firstMode: map[string]int{}, firstAt: map[string]time.Duration{}}
	prev := p.onAck
	p.onAck = func(s *transport.Sample) {
		if prev != nil {
			prev(s)
		}
		r := int(varOf(p.tb, b, "round"))
		if _, ok := l.maxBw[r]; !ok {
			l.maxBw[r] = varOf(p.tb, b, "max_bw") / 8
		}
		if _, ok := l.firstMode[b.Mode()]; !ok {
			l.firstMode[b.Mode()] = r
			l.firstAt[b.Mode()] = s.Now
		}
	}
	return l
}

func TestBBRStartupDoublesAndFindsFullBw(t *testing.T) {
	p, b := newBBRTestPath(t, "bbr")
	l := logRounds(p, b)
	var lastPacing float64
	p.onAck = func(prev func(*transport.Sample)) func(*transport.Sample) {
		return func(s *transport.Sample) {
			prev(s)
			if b.Mode() != "startup" {
				return
			}
			if g, cg := varOf(t, b, "pacing_gain"), varOf(t, b, "cwnd_gain"); g != 2.885 || cg != 2.885 {
				t.Fatalf("startup gains %v/%v, want 2.885 (2/ln2)", g, cg)
			}
			// Linux never lowers the pacing rate before the pipe is full.
			if p.ctl.PacingRate < lastPacing {
				t.Fatalf("startup pacing rate fell from %v to %v", lastPacing, p.ctl.PacingRate)
			}
			lastPacing = p.ctl.PacingRate
		}
	}(p.onAck)
	p.runUntil(5*time.Second, "drain", func() bool { return b.Mode() == "drain" })

	// Each round roughly doubles the measured bandwidth while it is well
	// below the bottleneck (2/ln2 is the gain that doubles per round).
	for r := 2; l.maxBw[r+1] < bbrTestRate/2; r++ {
		g := l.maxBw[r+1] / l.maxBw[r]
		if g < 1.6 || g > 2.9 {
			t.Errorf("round %d→%d: bandwidth grew %.2f×, want about 2×", r, r+1, g)
		}
	}
	// Full bandwidth: the plateau starts at the first round within 25% of
	// the bottleneck; Startup ends after three rounds without 25% growth,
	// the first of which can be the plateau round itself.
	plateau := -1
	for r := 1; r < 100; r++ {
		if l.maxBw[r] >= bbrTestRate/1.25 {
			plateau = r
			break
		}
	}
	exit := l.firstMode["drain"]
	if plateau < 0 || exit < plateau+2 || exit > plateau+3 {
		t.Errorf("Startup ended in round %d, bandwidth plateau from round %d: want 2–3 rounds later", exit, plateau)
	}
	if v := varOf(t, b, "full_bw"); v != 1 {
		t.Errorf("full_bw = %v at Drain, want 1", v)
	}
	// cwnd grew to about high_gain·BDP (+ the quantization budget).
	if c := p.cwndPkts(); c < 2.5*bbrTestBDP || c > 2.885*bbrTestBDP+6 {
		t.Errorf("cwnd at the end of Startup %.0f packets, want ≈ 2.885·BDP = %.0f", c, 2.885*bbrTestBDP)
	}
}

func TestBBRDrain(t *testing.T) {
	p, b := newBBRTestPath(t, "bbr")
	p.runUntil(5*time.Second, "drain", func() bool { return b.Mode() == "drain" })
	start := p.now
	if g := varOf(t, b, "pacing_gain"); math.Abs(g-math.Ln2/2) > 0.002 {
		t.Errorf("drain pacing gain %v, want ln2/2 ≈ 0.347", g)
	}
	if g := varOf(t, b, "cwnd_gain"); g != 2.885 {
		t.Errorf("drain cwnd gain %v, want 2.885", g)
	}
	if q := p.inflightPkts() - bbrTestBDP; q < bbrTestBDP {
		t.Fatalf("only %d packets queued when Drain began: Startup did not overshoot", q)
	}
	p.runUntil(start+2*time.Second, "probe_bw", func() bool { return b.Mode() == "probe_bw" })
	// Drain ends once inflight is down to the BDP plus the budget (3
	// segments, rounded up to even).
	if n := p.inflightPkts(); n > bbrTestBDP+4 || n < bbrTestBDP-2 {
		t.Errorf("Drain ended with %d packets in flight, want ≈ BDP = %d", n, bbrTestBDP)
	}
	// At 0.35× the bottleneck rate the 1.9-BDP queue takes about three
	// base RTTs to drain.
	if d := p.now - start; d > 4*bbrTestRTT {
		t.Errorf("Drain took %v, want ≤ 4 RTT", d)
	}
	// One RTT later the queue is (nearly) gone.
	p.run(p.now + bbrTestRTT + 5*time.Millisecond)
	if p.last.RTT > bbrTestRTT+5*time.Millisecond {
		t.Errorf("RTT %v after Drain, want ≈ %v", p.last.RTT, bbrTestRTT)
	}
}

// bbrPhase is one ProbeBW phase as the Vars show it.
type bbrPhase struct {
	idx      int
	gain     float64
	start    time.Duration
	prior    int // packets in flight before the ACK that ended the phase
	end      time.Duration
	minRTTms float64
}

// logPhases records ProbeBW's phases.
func logPhases(p *bbrPath, b *BBR) *[]bbrPhase {
	var phases []bbrPhase
	prev := p.onAck
	p.onAck = func(s *transport.Sample) {
		if prev != nil {
			prev(s)
		}
		if b.Mode() != "probe_bw" {
			return
		}
		idx := int(varOf(p.tb, b, "cycle_idx"))
		if n := len(phases); n == 0 || phases[n-1].idx != idx {
			if n > 0 {
				phases[n-1].end = s.Now
				phases[n-1].prior = s.PacketsInFlight + s.PacketsAcked + s.LostPackets
			}
			phases = append(phases, bbrPhase{idx: idx, gain: varOf(p.tb, b, "pacing_gain"), start: s.Now, minRTTms: varOf(p.tb, b, "min_rtt")})
		}
	}
	return &phases
}

func TestBBRProbeBWGainCycle(t *testing.T) {
	want := [8]float64{1.25, 0.75, 1, 1, 1, 1, 1, 1}
	for _, seed := range []string{"0", "1", "2", "3", "4"} {
		p, b := newBBRTestPath(t, "bbr:seed="+seed)
		phases := logPhases(p, b)
		p.onAck = func(prev func(*transport.Sample)) func(*transport.Sample) {
			return func(s *transport.Sample) {
				prev(s)
				if b.Mode() != "probe_bw" {
					return
				}
				// pacing rate = pacing_gain · btl_bw, 1% below.
				want := varOf(t, b, "pacing_gain") * varOf(t, b, "btl_bw") / 8 * 0.99
				if math.Abs(p.ctl.PacingRate-want) > 1e-9*want {
					t.Fatalf("pacing rate %v, want gain·btl_bw·0.99 = %v", p.ctl.PacingRate, want)
				}
			}
		}(p.onAck)
		p.run(9 * time.Second) // before ProbeRTT
		ph := *phases
		if len(ph) < 100 {
			t.Fatalf("seed %s: only %d ProbeBW phases in 9 s", seed, len(ph))
		}
		if ph[0].idx == 1 {
			t.Errorf("seed %s: ProbeBW started in the 0.75 phase", seed)
		}
		for i, x := range ph[:len(ph)-1] {
			if x.gain != want[x.idx] {
				t.Fatalf("seed %s: phase %d has gain %v, want %v", seed, x.idx, x.gain, want[x.idx])
			}
			if next := ph[i+1].idx; next != (x.idx+1)%8 {
				t.Fatalf("seed %s: phase %d followed by %d", seed, x.idx, next)
			}
			d := x.end - x.start
			if d <= bbrTestRTT {
				t.Fatalf("seed %s: phase %d (gain %v) lasted %v, want > min_rtt %v", seed, x.idx, x.gain, d, bbrTestRTT)
			}
			switch x.idx {
			case 0:
				// Leaves 1.25 only once inflight reached 1.25·BDP (there
				// is no loss on this path).
				if float64(x.prior) < 1.25*bbrTestBDP {
					t.Fatalf("seed %s: the 1.25 phase ended at %d packets in flight, want ≥ 1.25·BDP", seed, x.prior)
				}
			case 1:
				// 0.75 drains the probe's queue in about min_rtt.
				if d > 3*bbrTestRTT/2 {
					t.Fatalf("seed %s: the 0.75 phase lasted %v", seed, d)
				}
			default:
				if d > bbrTestRTT+5*time.Millisecond {
					t.Fatalf("seed %s: a gain-1 phase lasted %v, want min_rtt", seed, d)
				}
			}
		}
	}
}

func TestBBRProbeBWStartPhase(t *testing.T) {
	start := func(seed int) int {
		p, b := newBBRTestPath(t, "bbr:seed="+strconv.Itoa(seed))
		p.runUntil(5*time.Second, "probe_bw", func() bool { return b.Mode() == "probe_bw" })
		return int(varOf(t, b, "cycle_idx"))
	}
	seen := map[int]int{}
	for seed := range 70 {
		i := start(seed)
		if i == 1 {
			t.Fatalf("seed %d: ProbeBW started in the 0.75 phase", seed)
		}
		seen[i]++
		if again := start(seed); again != i {
			t.Fatalf("seed %d: first phase %d, then %d: not deterministic", seed, i, again)
		}
	}
	// Seven possible phases, 70 draws: each should come up.
	for _, i := range []int{0, 2, 3, 4, 5, 6, 7} {
		if seen[i] == 0 {
			t.Errorf("phase %d never chosen in 70 seeds (%v)", i, seen)
		}
	}
}

func TestBBRConvergesToPath(t *testing.T) {
	p, b := newBBRTestPath(t, "bbr")
	p.run(2 * time.Second)
	d0, t0 := p.delivered, p.now
	var rtts []time.Duration
	p.onAck = func(s *transport.Sample) { rtts = append(rtts, s.RTT) }
	p.run(9900 * time.Millisecond) // up to just before ProbeRTT
	if bw := varOf(t, b, "btl_bw") / 8; math.Abs(bw-bbrTestRate)/bbrTestRate > 0.02 {
		t.Errorf("btl_bw %.0f bytes/s, want %d ± 2%%", bw, bbrTestRate)
	}
	if m := varOf(t, b, "min_rtt"); math.Abs(m-50) > 0.5 {
		t.Errorf("min_rtt %v ms, want 50", m)
	}
	if bdp := varOf(t, b, "bdp"); math.Abs(bdp-bbrTestBDP) > 1 {
		t.Errorf("bdp %v packets, want %d", bdp, bbrTestBDP)
	}
	// cwnd = 2·BDP + 3, rounded up to even (+2 in the 1.25 phase).
	if c := p.cwndPkts(); c < 2*bbrTestBDP+3 || c > 2*bbrTestBDP+6 {
		t.Errorf("cwnd %.0f packets, want 2·BDP + 3..6 = %d..%d", c, 2*bbrTestBDP+3, 2*bbrTestBDP+6)
	}
	if u := float64(p.delivered-d0) / (p.now - t0).Seconds() / bbrTestRate; u < 0.99 {
		t.Errorf("utilization %.3f in ProbeBW, want ≥ 0.99", u)
	}
	// The queue stays small: only the 1.25 phase builds one (≈ BDP/4).
	slowest := 0
	for _, r := range rtts {
		if r > bbrTestRTT*135/100 {
			slowest++
		}
	}
	if slowest > 0 {
		t.Errorf("%d of %d RTT samples above 1.35·R", slowest, len(rtts))
	}
}

// bbrModeSpan is a stretch of one mode.
type bbrModeSpan struct {
	mode       string
	start, end time.Duration
	startRound int
	cwndBefore float64 // packets, at the ACK before the span
	cwndAfter  float64 // packets, at the ACK that ended it
	maxCwnd    float64 // packets, highest cwnd during the span
	lowAt      time.Duration
	lowRound   int // round when inflight first fell to 4 (-1: never)
	endRound   int
	minRTT     time.Duration // lowest RTT sample during the span
}

// logModes records the modes a flow goes through.
func logModes(p *bbrPath, b *BBR) *[]bbrModeSpan {
	var spans []bbrModeSpan
	prevCwnd := p.cwndPkts()
	prev := p.onAck
	p.onAck = func(s *transport.Sample) {
		if prev != nil {
			prev(s)
		}
		m := b.Mode()
		r := int(varOf(p.tb, b, "round"))
		c := p.cwndPkts()
		if n := len(spans); n == 0 || spans[n-1].mode != m {
			if n > 0 {
				spans[n-1].end = s.Now
				spans[n-1].cwndAfter = c
				spans[n-1].endRound = r
			}
			spans = append(spans, bbrModeSpan{mode: m, start: s.Now, startRound: r, cwndBefore: prevCwnd, lowRound: -1, minRTT: s.RTT})
		}
		sp := &spans[len(spans)-1]
		sp.maxCwnd = max(sp.maxCwnd, c)
		if sp.lowRound < 0 && s.PacketsInFlight <= 4 {
			sp.lowAt, sp.lowRound = s.Now, r
		}
		if s.RTT > 0 {
			sp.minRTT = min(sp.minRTT, s.RTT)
		}
		prevCwnd = c
	}
	return &spans
}

func spansOf(spans []bbrModeSpan, mode string) []bbrModeSpan {
	var out []bbrModeSpan
	for _, s := range spans {
		if s.mode == mode && s.end > 0 {
			out = append(out, s)
		}
	}
	return out
}

func TestBBRProbeRTT(t *testing.T) {
	p, b := newBBRTestPath(t, "bbr")
	spans := logModes(p, b)
	p.run(25 * time.Second)
	rtt := spansOf(*spans, "probe_rtt")
	if len(rtt) != 2 {
		t.Fatalf("%d ProbeRTT episodes in 25 s, want 2: %+v", len(rtt), *spans)
	}
	// min_rtt was set by the first ACK (at R) and never beaten: ProbeRTT
	// comes 10 s later, then 10 s after the previous ProbeRTT ended.
	due := []time.Duration{bbrTestRTT + 10*time.Second, rtt[0].end + 10*time.Second}
	for i, s := range rtt {
		if s.start <= due[i] || s.start > due[i]+10*time.Millisecond {
			t.Errorf("ProbeRTT %d began at %v, want just after %v", i, s.start, due[i])
		}
		if s.maxCwnd != 4 {
			t.Errorf("ProbeRTT %d: cwnd up to %v packets, want 4", i, s.maxCwnd)
		}
		if s.lowRound < 0 {
			t.Fatalf("ProbeRTT %d: inflight never fell to 4", i)
		}
		if held := s.end - s.lowAt; held < 200*time.Millisecond {
			t.Errorf("ProbeRTT %d held 4 packets for %v, want ≥ 200 ms", i, held)
		}
		if s.endRound <= s.lowRound {
			t.Errorf("ProbeRTT %d ended in the round inflight fell to 4 (%d)", i, s.lowRound)
		}
		if s.minRTT != bbrTestRTT {
			t.Errorf("ProbeRTT %d: lowest RTT %v, want the base RTT %v (queue drained)", i, s.minRTT, bbrTestRTT)
		}
		// The cwnd from before ProbeRTT comes back at once.
		if math.Abs(s.cwndAfter-s.cwndBefore) > 2 {
			t.Errorf("ProbeRTT %d: cwnd %v before, %v after", i, s.cwndBefore, s.cwndAfter)
		}
	}
	for _, s := range *spans {
		if s.start > 10*time.Second && s.mode != "probe_rtt" && s.mode != "probe_bw" {
			t.Errorf("mode %q after ProbeRTT, want probe_bw (the pipe was full)", s.mode)
		}
	}
}

func TestBBRMinRTTFilter(t *testing.T) {
	t.Run("lower sample postpones ProbeRTT", func(t *testing.T) {
		p, b := newBBRTestPath(t, "bbr")
		p.base = func(t time.Duration) time.Duration {
			if t >= 6*time.Second {
				return 45 * time.Millisecond
			}
			return bbrTestRTT
		}
		spans := logModes(p, b)
		p.run(17 * time.Second)
		rtt := spansOf(*spans, "probe_rtt")
		if len(rtt) != 1 || rtt[0].start < 16*time.Second {
			t.Fatalf("ProbeRTT episodes %+v, want one, 10 s after the 45-ms samples began at 6 s", rtt)
		}
		if m := varOf(t, b, "min_rtt"); m != 45 {
			t.Errorf("min_rtt %v ms, want 45", m)
		}
	})
	t.Run("higher RTT waits for the window", func(t *testing.T) {
		p, b := newBBRTestPath(t, "bbr")
		p.base = func(t time.Duration) time.Duration {
			if t >= 3*time.Second {
				return 70 * time.Millisecond
			}
			return bbrTestRTT
		}
		p.run(9 * time.Second)
		if m := varOf(t, b, "min_rtt"); m != 50 {
			t.Errorf("min_rtt %v ms at 9 s, want 50 (the window is 10 s)", m)
		}
		p.run(12 * time.Second)
		if m := varOf(t, b, "min_rtt"); m != 70 {
			t.Errorf("min_rtt %v ms after ProbeRTT, want the new base RTT 70", m)
		}
	})
}

// bandwidthStep runs spec on the test path, changes the bottleneck rate
// by factor at 3 s, and returns the rounds from the change until btl_bw
// is within tol of the new rate, and btl_bw (bytes/s) at each round after
// the change.
func bandwidthStep(t *testing.T, spec string, factor, tol float64) (int, []float64) {
	p, b := newBBRTestPath(t, spec)
	at := 3 * time.Second
	newRate := bbrTestRate * factor
	p.bw = func(t time.Duration) float64 {
		if t >= at {
			return newRate
		}
		return bbrTestRate
	}
	p.run(at)
	r0 := int(varOf(t, b, "round"))
	var perRound []float64
	found := -1
	p.onAck = func(s *transport.Sample) {
		r := int(varOf(t, b, "round"))
		if r-r0 < len(perRound) {
			return
		}
		bw := varOf(t, b, "btl_bw") / 8
		perRound = append(perRound, bw)
		if found < 0 && math.Abs(bw-newRate) <= tol*newRate {
			found = r - r0
		}
	}
	p.runUntil(120*time.Second, "bandwidth step tracked", func() bool { return found >= 0 })
	return found, perRound
}

func TestBBRTracksBandwidthDrop(t *testing.T) {
	// After a 10× drop rounds last a second (the queue cwnd = 2·BDP
	// builds); ProbeRTT is put off so that it does not pause the filter
	// (its samples are app-limited and do not age it).
	rounds, bw := bandwidthStep(t, "bbr:probe_rtt_interval=100", 0.1, 0.1)
	// The max filter holds the old rate until its 10-round window has
	// passed over the last sample at the old rate, which the first round
	// after the drop still takes (delivery rates lag by an RTT).
	if rounds > 12 {
		t.Errorf("a 10× drop took %d rounds to track, want ≤ 12 (10-round window)", rounds)
	}
	if rounds < 10 {
		t.Errorf("a 10× drop was tracked after %d rounds: the max filter forgot faster than its 10-round window", rounds)
	}
	for r := 0; r < 8 && r < len(bw); r++ {
		if bw[r] < 0.9*bbrTestRate {
			t.Errorf("btl_bw %.0f in round %d after the drop: the max filter should still hold the old rate", bw[r], r)
		}
	}
	// A shorter window forgets sooner.
	short, _ := bandwidthStep(t, "bbr:probe_rtt_interval=100,bw_window=4", 0.1, 0.1)
	if short > 6 || short < 4 {
		t.Errorf("bw_window=4 tracked the drop in %d rounds, want 4–6", short)
	}
}

func TestBBRFindsBandwidthIncrease(t *testing.T) {
	rounds, bw := bandwidthStep(t, "bbr", 2, 0.03)
	// The 1.25 phase paces above btl_bw; as faster deliveries raise btl_bw
	// the pacing rate and the phase's inflight target rise with it, so one
	// probe can find all of the new bandwidth.
	if rounds > 2*8 {
		t.Errorf("doubling the bandwidth took %d rounds to find, want ≤ 2 gain cycles (16 rounds)", rounds)
	}
	for r, v := range bw {
		if v > 2.03*bbrTestRate {
			t.Errorf("btl_bw %.3f× the old rate %d rounds after the increase: above the new bottleneck", v/bbrTestRate, r)
		}
	}
}
