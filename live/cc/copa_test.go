package cc

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// Copa's equilibrium (NSDI 2018 §2.1): the rate cwnd/RTT_standing equals
// the target 1/(δ·d_q). With the bottleneck busy, cwnd = μ·RTT, so μ·d_q =
// 1/δ: the flow keeps 1/δ packets queued, whatever the path's BDP. Around
// it cwnd moves 1/δ packets per RTT and the queue swings from empty to
// about 2.5/δ packets in a cycle of about 5 RTTs (§2.1–2.2), so the
// time-averaged queue is about 1.25/δ. The test accepts a mean in [0.75/δ,
// 2/δ] (the swing is a sawtooth clipped at an empty queue, so its mean is
// not exactly half its peak), a peak of at most 3/δ + 1 packets (2.5/δ,
// plus half a round of overshoot, plus one packet of discreteness), an
// empty queue every 5 RTTs on average and never more than 10 RTTs apart,
// full utilization, v = 1 in at least 98% of the rounds (the paper wants
// v = 1 in the steady state; a cycle that happens to hold one direction for
// three rounds doubles it once), and a cycle of 3 to 7 RTTs. The paths
// have BDPs well above 2.5/δ, as the periodic emptying needs.
func TestCopaStandingQueueIsOneOverDelta(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		delta   float64
		pktRate float64
		base    time.Duration
	}{
		{"copa:competitive=0", 0.5, 2000, 100 * time.Millisecond},
		{"copa", 0.5, 8000, 30 * time.Millisecond},
		{"copa", 0.5, 2000, 100 * time.Millisecond},
		{"copa", 0.5, 1000, 40 * time.Millisecond},
		{"copa:delta=0.1,competitive=0", 0.1, 2000, 100 * time.Millisecond},
		{"copa:delta=0.1", 0.1, 8000, 30 * time.Millisecond},
	} {
		c := mustNew(t, tc.spec).(*Copa)
		f := newPath(t, c, tc.pktRate, tc.base)
		f.runUntil(20 * time.Second)
		var st pathStats
		f.watch(20*time.Second, &st)
		inner := f.onAck
		var r delayRound
		turns, rounds, fast, empties := 0, 0, 0, 0
		dir := c.dir
		emptyAt, longestFull := 20*time.Second, time.Duration(0)
		f.onAck = func(s *transport.Sample, p *pathPkt) {
			inner(s, p)
			if r.next(s) {
				rounds++
				if c.velocity > 2 {
					t.Fatalf("%s: velocity %v at %v in the steady state", tc.spec, c.velocity, s.Now)
				}
				if c.velocity > 1 {
					fast++
				}
			}
			if c.dir != 0 && c.dir != dir {
				turns++
				dir = c.dir
			}
			if f.queuePkts(p) < 0.5 {
				if s.Now-emptyAt > f.srtt {
					empties++
				}
				longestFull = max(longestFull, s.Now-emptyAt)
				emptyAt = s.Now
			}
		}
		f.runUntil(50 * time.Second)
		inv := 1 / tc.delta
		name := tc.spec + " at " + time.Duration(float64(time.Second)/tc.pktRate).String() + "/pkt, " + tc.base.String()
		if m := st.meanQ(); m < 0.75*inv || m > 2*inv {
			t.Errorf("%s: mean queue %.2f packets, want about 1.25/δ = %.2f (in [%.2f, %.2f])", name, m, 1.25*inv, 0.75*inv, 2*inv)
		}
		if st.maxQ > 3*inv+1 {
			t.Errorf("%s: queue peaks at %.1f packets, want ≤ 3/δ + 1 = %.1f", name, st.maxQ, 3*inv+1)
		}
		rtt := f.srtt
		if longestFull > 10*rtt || float64(rounds)/float64(empties) > 5.5 {
			t.Errorf("%s: the queue emptied %d times in %d rounds, once after %.1f RTTs", name, empties, rounds, longestFull.Seconds()/rtt.Seconds())
		}
		if float64(fast) > 0.02*float64(rounds) {
			t.Errorf("%s: velocity above 1 in %d of %d rounds", name, fast, rounds)
		}
		if u := st.utilization(f.rate); u < 0.98 {
			t.Errorf("%s: utilization %.3f", name, u)
		}
		if period := 2 * float64(rounds) / float64(turns); period < 3 || period > 7 {
			t.Errorf("%s: %d direction changes in %d rounds: a cycle of %.1f RTTs, want about 5", name, turns, rounds, period)
		}
		if float64(st.modes["default"]) < 0.97*float64(st.n) {
			t.Errorf("%s: modes %v in the steady state, want default", name, st.modes)
		}
	}
}

// copaFeed drives a Copa directly with rounds of ACKs of a chosen RTT.
type copaFeed struct {
	c     *Copa
	ctl   transport.Control
	s     transport.Sample
	first int64 // Delivered at the first ACK of the current round
}

func newCopaFeed(t *testing.T, spec string) *copaFeed {
	c, ok := mustNew(t, spec).(*Copa)
	if !ok {
		t.Fatalf("%s is not a *Copa", spec)
	}
	a := &copaFeed{c: c}
	a.ctl.MSS = testMSS
	c.Init(&a.ctl, 0)
	return a
}

// round delivers one round trip of n ACKs with RTT rtt (also the srtt):
// its first ACK acknowledges a packet sent after the previous round began.
func (a *copaFeed) round(n int, rtt time.Duration) {
	prior := a.first
	for i := range n {
		a.s.Now += rtt / time.Duration(n)
		a.s.BytesAcked, a.s.PacketsAcked = testMSS, 1
		a.s.Delivered += testMSS
		if i == 0 {
			a.first = a.s.Delivered
		}
		a.s.PriorDelivered = prior
		a.s.RTT, a.s.SRTT = rtt, rtt
		a.c.OnAck(&a.s, &a.ctl)
	}
}

// The velocity (§2.1 step 4) is 1 until cwnd has moved the same way for
// three round trips, then doubles every round trip; when cwnd turns, it is
// 1 again. Here the RTT stays at its minimum (no queue, an infinite target
// rate), so cwnd rises every round, until the RTT jumps and cwnd must fall.
func TestCopaVelocityDoublesAndResets(t *testing.T) {
	a := newCopaFeed(t, "copa:competitive=0,iw=100")
	a.c.slowStart = false // as after slow start, with the queue empty
	a.round(10, 100*time.Millisecond)
	var got []float64
	for range 7 {
		a.round(100, 100*time.Millisecond)
		got = append(got, a.c.velocity)
	}
	// Velocity after the first ACK of each round, i.e. after the update for
	// the round before: rounds 1, 2 up (v = 1), then 3, 4, ... up.
	want := []float64{1, 1, 2, 4, 8, 16, 32}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("velocity by round %v, want %v", got, want)
		}
	}
	if d := varOf(t, a.c, "direction"); d != 1 {
		t.Fatalf("direction %v while cwnd rises", d)
	}
	// The queue appears: RTT_standing rises above RTT_min, cwnd must fall.
	// The first ACK that lowers cwnd resets v, before the round ends.
	before := a.c.cwnd
	a.s.Now += 60 * time.Millisecond // the 100 ms samples leave RTT_standing's window
	a.round(1, 300*time.Millisecond)
	if a.c.cwnd >= before || a.c.velocity != 1 {
		t.Fatalf("on the turn: cwnd %.1f → %.1f, velocity %v; want a decrease with v = 1", before, a.c.cwnd, a.c.velocity)
	}
	// That one-ACK round was the first down; velocity after each of the
	// next rounds' first ACKs: 1, 1 (two rounds down), 2, 4.
	got = got[:0]
	for range 4 {
		a.round(100, 300*time.Millisecond)
		got = append(got, a.c.velocity)
	}
	if d := varOf(t, a.c, "direction"); d != -1 || got[0] != 1 || got[1] != 1 || got[2] != 2 || got[3] != 4 {
		t.Errorf("falling: direction %v, velocity by round %v; want −1 and [1 1 2 4]", d, got)
	}
}

// After the bottleneck rate quadruples, the velocity lets Copa climb to the
// new rate in a few RTTs instead of BDP/(1/δ) of them, then returns to 1
// and the 1/δ-packet equilibrium.
func TestCopaVelocityConvergesAfterRateStep(t *testing.T) {
	c := mustNew(t, "copa:competitive=0").(*Copa)
	f := newPath(t, c, 1000, 100*time.Millisecond)
	f.runUntil(20 * time.Second)
	f.rate *= 4 // BDP 101 → 401 packets
	maxV := 0.0
	reached := time.Duration(0)
	f.onAck = func(s *transport.Sample, _ *pathPkt) {
		maxV = max(maxV, c.velocity)
		if reached == 0 && f.cwndPkts() >= f.bdpPackets() {
			reached = s.Now - 20*time.Second
		}
	}
	f.runUntil(40 * time.Second)
	if maxV < 8 {
		t.Errorf("velocity peaked at %v after the rate step, want ≥ 8", maxV)
	}
	// Plain additive increase at 1/δ = 2 packets per RTT needs 150 RTTs
	// (15 s) for the 300 packets; doubling needs about log2(300) + 3.
	if reached == 0 || reached > 2*time.Second {
		t.Errorf("cwnd reached the new BDP after %v, want within 2 s (20 RTTs)", reached)
	}
	var st pathStats
	f.watch(40*time.Second, &st)
	f.runUntil(50 * time.Second)
	if c.velocity != 1 || st.meanQ() < 1.5 || st.meanQ() > 4 || st.utilization(f.rate) < 0.98 {
		t.Errorf("10 s after the step: velocity %v, mean queue %.2f packets, utilization %.3f; want 1, about 2.5, ≥ 0.98", c.velocity, st.meanQ(), st.utilization(f.rate))
	}
}

// Slow start doubles cwnd every RTT while the rate is below the target, and
// ends within a few RTTs of the queue reaching 1/δ packets, for good.
func TestCopaSlowStart(t *testing.T) {
	c := mustNew(t, "copa").(*Copa)
	f := newPath(t, c, 2000, 100*time.Millisecond) // BDP 201
	var r delayRound
	var starts []float64
	// queued is when the standing queue (the least queue the packets of the
	// last half RTT saw: slow start's bursts make passing queues) first
	// reached 1/δ = 2 packets.
	var queued time.Duration
	type seen struct {
		at time.Duration
		q  float64
	}
	var recent []seen
	exit := time.Duration(0)
	f.onAck = func(s *transport.Sample, p *pathPkt) {
		if r.next(s) && c.slowStart {
			starts = append(starts, f.cwndPkts())
		}
		recent = append(recent, seen{s.Now, f.queuePkts(p)})
		for recent[0].at < s.Now-f.base/2 {
			recent = recent[1:]
		}
		standing := math.Inf(1)
		for _, x := range recent {
			standing = min(standing, x.q)
		}
		if queued == 0 && standing >= 2 && s.Now > f.base {
			queued = s.Now
		}
		if exit == 0 && !c.slowStart {
			exit = s.Now
		}
		if exit != 0 && c.slowStart {
			t.Fatalf("back in slow start at %v", s.Now)
		}
	}
	f.runUntil(10 * time.Second)
	// Rounds that began and ended in slow start with an empty queue: the
	// window at each round's start doubles.
	for i := 1; i+1 < len(starts) && starts[i] < f.bdpPackets()/2; i++ {
		if ratio := starts[i+1] / starts[i]; ratio < 1.9 || ratio > 2.1 {
			t.Errorf("slow start: cwnd %v at successive rounds (×%.2f), want doubling", starts, ratio)
		}
	}
	if queued == 0 || exit < queued || exit > queued+2*f.base {
		t.Errorf("standing queue reached 1/δ at %v, slow start ended at %v; want within 2 RTTs after", queued, exit)
	}
	if c.Mode() != "default" {
		t.Errorf("mode %q after slow start on a Copa-only path", c.Mode())
	}
}

// Pacing is 2·cwnd/RTT_standing (§2.1) in payload bytes per second: in the
// steady state, about twice the bottleneck rate.
func TestCopaPacesAtTwiceTheRate(t *testing.T) {
	c := mustNew(t, "copa")
	f := newPath(t, c, 2000, 40*time.Millisecond)
	f.runUntil(10 * time.Second)
	lo, hi := math.Inf(1), math.Inf(-1)
	f.onAck = func(*transport.Sample, *pathPkt) {
		r := f.ctl.PacingRate / f.rate
		lo, hi = min(lo, r), max(hi, r)
		want := 2 * float64(f.ctl.Cwnd) / (varOf(t, c, "rtt_standing") / 1000)
		if math.Abs(f.ctl.PacingRate-want) > 1e-6*want+2*testMSS/0.04 {
			t.Fatalf("pacing %.0f B/s, want 2·cwnd/RTT_standing = %.0f", f.ctl.PacingRate, want)
		}
	}
	f.runUntil(12 * time.Second)
	if lo < 1.8 || hi > 2.3 {
		t.Errorf("pacing rate %.2f..%.2f × the bottleneck rate, want about 2", lo, hi)
	}
}

// Competitive mode (§2.2): a buffer filler keeps the queue from emptying
// (here a standing extra queue of 50 ms ahead of Copa's packets, as a
// loss-based flow holding a full buffer would), Copa detects it within a few
// RTTs, and 1/δ grows by one packet per RTT (AIMD's additive part) for as
// long as the queue does not empty; when the filler leaves and the queue
// empties, the default mode and δ return. With competitive=0 Copa keeps δ
// and yields: its target rate 1/(δ·d_q) with d_q ≥ 50 ms leaves it a few
// packets of window.
func TestCopaCompetitiveMode(t *testing.T) {
	const from, to = 10 * time.Second, 12 * time.Second
	extra := func(t time.Duration) time.Duration {
		if t >= from && t < to {
			return 50 * time.Millisecond
		}
		return 0
	}
	for _, spec := range []string{"copa", "copa:competitive=0"} {
		c := mustNew(t, spec).(*Copa)
		f := newPath(t, c, 1000, 40*time.Millisecond)
		f.extra = extra
		modes := map[string]int{}
		f.onAck = func(*transport.Sample, *pathPkt) { modes[c.Mode()]++ }
		f.runUntil(from)
		if float64(modes["default"]) < 0.97*float64(f.acks) {
			t.Fatalf("%s: modes %v before the competitor", spec, modes)
		}
		var r delayRound
		var entered, left time.Duration
		lastInv, increments, minCwnd := 0.0, 0, math.Inf(1)
		f.onAck = func(s *transport.Sample, _ *pathPkt) {
			inv := 1 / varOf(t, c, "delta")
			if r.next(s) && c.competitive && lastInv > 0 && inv != lastInv {
				if inv != lastInv+1 {
					t.Fatalf("%s: 1/δ %v → %v in one round, want +1", spec, lastInv, inv)
				}
				increments++
			}
			lastInv = inv
			switch {
			case c.Mode() == "competitive" && entered == 0 && s.Now >= from:
				entered = s.Now
			case c.Mode() == "default" && entered != 0 && left == 0 && s.Now >= to:
				left = s.Now
			}
			if s.Now > from+time.Second && s.Now < to {
				minCwnd = min(minCwnd, f.cwndPkts())
			}
		}
		f.runUntil(to + 5*time.Second)
		if spec == "copa:competitive=0" {
			if entered != 0 || varOf(t, c, "delta") != 0.5 {
				t.Errorf("%s: entered competitive mode at %v", spec, entered)
			}
			// 1/(δ·d_q) with d_q ≥ 50 ms at RTT ≈ 91 ms: about 3.6 packets.
			if minCwnd > 2/0.05*0.091+1 {
				t.Errorf("%s: cwnd stayed ≥ %.1f packets behind the competitor, want ≈ 3.6", spec, minCwnd)
			}
			continue
		}
		if entered == 0 || entered-from > 1500*time.Millisecond {
			t.Fatalf("%s: competitive mode entered at %v, competitor from %v", spec, entered, from)
		}
		if increments < 5 {
			t.Errorf("%s: 1/δ grew %d times in competitive mode, want once per RTT", spec, increments)
		}
		if left == 0 || left-to > time.Second || c.Mode() != "default" || varOf(t, c, "delta") != 0.5 {
			t.Errorf("%s: left competitive mode at %v (competitor gone at %v); now %q with δ %v", spec, left, to, c.Mode(), varOf(t, c, "delta"))
		}
	}
}

// A competitor that never lets the queue empty keeps Copa in competitive
// mode, and losses halve 1/δ, never below the default's.
func TestCopaCompetitiveLossHalvesInverseDelta(t *testing.T) {
	c := mustNew(t, "copa").(*Copa)
	f := newPath(t, c, 1000, 40*time.Millisecond)
	f.extra = func(t time.Duration) time.Duration {
		if t >= 5*time.Second {
			return 50 * time.Millisecond
		}
		return 0
	}
	f.runUntil(5 * time.Second)
	modes := map[string]int{}
	f.onAck = func(s *transport.Sample, _ *pathPkt) {
		if s.Now > 7*time.Second {
			modes[c.Mode()]++
		}
	}
	f.runUntil(9 * time.Second)
	if modes["default"] != 0 || modes["competitive"] == 0 {
		t.Fatalf("modes %v with a persistent competitor", modes)
	}
	inv := 1 / varOf(t, c, "delta")
	if inv < 10 {
		t.Fatalf("1/δ = %v after 2 s of competition, want ≳ 20 (one per RTT)", inv)
	}
	cwnd := f.ctl.Cwnd
	c.OnCongestion(transport.EventLoss, &f.last, &f.ctl)
	if got := 1 / varOf(t, c, "delta"); got != inv/2 || f.ctl.Cwnd != cwnd {
		t.Errorf("loss in competitive mode: 1/δ %v → %v, cwnd %d → %d; want 1/δ halved, cwnd unchanged", inv, got, cwnd, f.ctl.Cwnd)
	}
	for range 10 {
		c.OnCongestion(transport.EventLoss, &f.last, &f.ctl)
	}
	if got := varOf(t, c, "delta"); got != 0.5 {
		t.Errorf("after many losses δ = %v, want the default 0.5 at most", got)
	}
}

// In default mode losses do not move cwnd (Copa reacts to delay, and is
// robust to non-congestive loss); in slow start a loss halves cwnd and ends
// slow start; a timeout restarts from one packet in slow start.
func TestCopaLossAndTimeout(t *testing.T) {
	c := mustNew(t, "copa:competitive=0").(*Copa)
	f := newPath(t, c, 1000, 40*time.Millisecond)
	f.runUntil(5 * time.Second)
	before := f.ctl.Cwnd
	for _, ev := range []transport.CongestionEvent{transport.EventLoss, transport.EventRecoveryEnd} {
		c.OnCongestion(ev, &f.last, &f.ctl)
		if f.ctl.Cwnd != before || c.Mode() != "default" || varOf(t, c, "delta") != 0.5 {
			t.Fatalf("%v in default mode: cwnd %d → %d, mode %q, δ %v", ev, before, f.ctl.Cwnd, c.Mode(), varOf(t, c, "delta"))
		}
	}
	// Random losses (0.5%) barely change throughput.
	var st pathStats
	f.watch(5*time.Second, &st)
	n := 0
	inner := f.onAck
	f.onAck = func(s *transport.Sample, p *pathPkt) {
		inner(s, p)
		if n++; n%200 == 0 {
			f.lose(1)
		}
	}
	f.runUntil(15 * time.Second)
	if u := st.utilization(f.rate); u < 0.95 {
		t.Errorf("utilization %.3f with 0.5%% random loss", u)
	}

	f.timeout(time.Second)
	if f.ctl.Cwnd != testMSS || c.Mode() != modeSlowStart || c.velocity != 1 {
		t.Fatalf("after a timeout: cwnd %d, mode %q, velocity %v", f.ctl.Cwnd, c.Mode(), c.velocity)
	}
	f.runUntil(f.now + 5*time.Second)
	if c.Mode() != "default" {
		t.Errorf("mode %q 5 s after the timeout", c.Mode())
	}

	s := mustNew(t, "copa:iw=40").(*Copa)
	ctl := transport.Control{MSS: testMSS}
	s.Init(&ctl, 0)
	s.OnCongestion(transport.EventLoss, &transport.Sample{}, &ctl)
	if ctl.Cwnd != 20*testMSS || s.Mode() != "default" {
		t.Errorf("loss in slow start: cwnd %d, mode %q; want %d, default", ctl.Cwnd, s.Mode(), 20*testMSS)
	}
}

// copaWindowed's answer lies between the exact extremes over its window
// and over its window plus one bucket (an eighth), for any sample pattern
// and changing windows.
func TestCopaWindowedBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, isMax := range []bool{false, true} {
		w := copaWindowed{max: isMax}
		type pt struct{ t, v time.Duration }
		var all []pt
		now := time.Duration(0)
		for i := range 20000 {
			now += time.Duration(rng.IntN(3000)) * time.Microsecond
			window := 100*time.Millisecond + time.Duration(i/2000)*20*time.Millisecond
			v := time.Duration(rng.IntN(1000)) * time.Microsecond
			w.add(now, v, window)
			all = append(all, pt{now, v})
			got, ok := w.get(now, window)
			if !ok {
				t.Fatal("no value right after a sample")
			}
			better := func(a, b time.Duration) bool { return a < b != isMax && a != b }
			inner, outer := v, v // extremes over [now−window, now] and [now−9/8·window, now]
			for j := len(all) - 1; j >= 0 && now-all[j].t <= window+window/8+1; j-- {
				if better(all[j].v, outer) {
					outer = all[j].v
				}
				if now-all[j].t <= window && better(all[j].v, inner) {
					inner = all[j].v
				}
			}
			if better(got, outer) || better(inner, got) {
				t.Fatalf("max=%v at %v (window %v): got %v, want between %v (window) and %v (window + 1/8)", isMax, now, window, got, inner, outer)
			}
		}
	}
	var w copaWindowed
	if _, ok := w.get(0, time.Second); ok {
		t.Error("empty filter gave a value")
	}
	w.add(0, 5, time.Second)
	if _, ok := w.get(2*time.Second, time.Second); ok {
		t.Error("expired sample still counted")
	}
}

// The registry builds Copa with its parameters.
func TestCopaParams(t *testing.T) {
	for spec, want := range map[string]CopaConfig{
		"copa":                            DefaultCopaConfig(),
		"copa:delta=0.1":                  {Delta: 0.1, MinRTTWindow: 10 * time.Second, Competitive: true, IW: 10},
		"copa:competitive=off,iw=4":       {Delta: 0.5, MinRTTWindow: 10 * time.Second, IW: 4},
		"copa:min_rtt_window=2.5,delta=1": {Delta: 1, MinRTTWindow: 2500 * time.Millisecond, Competitive: true, IW: 10},
	} {
		c, ok := mustNew(t, spec).(*Copa)
		if !ok || c.cfg != want {
			t.Errorf("New(%q) = %+v, want %+v", spec, c.cfg, want)
		}
	}
	if _, err := New("copa:delta=0"); err == nil {
		t.Error("copa:delta=0 accepted")
	}
}

// Application-limited ACKs do not increase cwnd: the queue never builds
// behind an unused window, so the target rate would never stop it.
func TestCopaAppLimitedDoesNotGrow(t *testing.T) {
	for _, slowStart := range []bool{true, false} {
		a := newCopaFeed(t, "copa")
		a.c.slowStart = slowStart
		a.s.AppLimited = true
		for range 20 {
			a.round(10, 100*time.Millisecond)
		}
		if a.ctl.Cwnd != 10*testMSS {
			t.Errorf("slow start %v: cwnd %d after 20 application-limited rounds, want %d", slowStart, a.ctl.Cwnd, 10*testMSS)
		}
		a.s.AppLimited = false
		a.round(10, 100*time.Millisecond)
		if a.ctl.Cwnd <= 10*testMSS {
			t.Errorf("slow start %v: cwnd %d does not grow once the application keeps up", slowStart, a.ctl.Cwnd)
		}
	}
}

func BenchmarkCopaOnAck(b *testing.B) {
	benchReplay(b, "copa", recordSamples(b, "copa", 2000, 40*time.Millisecond, 20*time.Second))
}
