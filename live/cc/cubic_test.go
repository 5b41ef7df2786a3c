package cc

import (
	"math"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// RFC 9438 defaults.
const (
	rfcBeta = 0.7
	rfcC    = 0.4
)

// wCubicRFC is RFC 9438 Figure 1, W_cubic(t) = C·(t−K)³ + W_max, in
// segments.
func wCubicRFC(c, k, wmax, t float64) float64 { return c*math.Pow(t-k, 3) + wmax }

// curveTol is how far cwnd may be from W_cubic(t) at time t, in segments.
// cwnd moves only when an ACK arrives, and in the flow model the ACKs of a
// round arrive in its first half, so cwnd trails the curve by what the
// curve grows in half an RTT, W'(t)·RTT/2 with W'(t) = 3C(t−K)²; each ACK
// aims one RTT ahead (target = W(t+RTT)), so cwnd can also lead by a
// little; and cwnd is kept in whole bytes with only whole segments in
// flight: one more segment covers both. At RTT 100 ms and |t−K| ≤ 3 s that
// is under 1.6 segments, while a K off by 0.5 s or a W_max off by 2% puts
// cwnd several segments off the curve.
func curveTol(c, k, t float64, rtt time.Duration) float64 {
	return 1 + 3*c*(t-k)*(t-k)*rtt.Seconds()/2
}

// lossAndRecover injects a loss, runs the episode and returns the time of
// the first ACK in congestion avoidance after it (the epoch start) and
// cwnd in segments just before the loss.
func lossAndRecover(t *testing.T, f *flow) (epoch time.Duration, before float64) {
	t.Helper()
	before = f.cwndSeg()
	f.lose(1)
	f.step()
	if !f.inRecovery || f.cc.Mode() != "recovery" {
		t.Fatalf("loss did not start recovery (mode %q)", f.cc.Mode())
	}
	f.stepUntil(100000, func() bool { return !f.inRecovery })
	if m := f.cc.Mode(); m != "congestion avoidance" {
		t.Fatalf("mode after recovery %q", m)
	}
	return f.now, before
}

func TestCubicLossReducesByBeta(t *testing.T) {
	for _, tc := range []struct {
		spec string
		beta float64
	}{{"cubic:hystart=0", rfcBeta}, {"cubic:hystart=0,beta=0.5", 0.5}, {"cubic:hystart=0,beta=0.9", 0.9}} {
		f := newFlow(t, mustNew(t, tc.spec), constRTT(50*time.Millisecond))
		f.stepUntil(100000, func() bool { return f.cwndSeg() >= 157 })
		before := f.ctl.Cwnd
		f.lose(1)
		f.step()
		want := tc.beta * float64(before)
		if d := math.Abs(float64(f.ctl.Cwnd) - want); d > testMSS {
			t.Errorf("%s: loss at cwnd %d left cwnd %d, want %.0f (β·cwnd) within one MSS", tc.spec, before, f.ctl.Cwnd, want)
		}
		if f.ctl.Ssthresh != f.ctl.Cwnd {
			t.Errorf("%s: ssthresh %d, cwnd %d: want equal", tc.spec, f.ctl.Ssthresh, f.ctl.Cwnd)
		}
	}
	// The floor: ssthresh is at least 2 MSS.
	c := mustNew(t, "cubic")
	ctl := transport.Control{MSS: testMSS}
	c.Init(&ctl, 0)
	c.OnCongestion(transport.EventTimeout, &transport.Sample{}, &ctl) // cwnd 1 MSS
	c.OnAck(&transport.Sample{Now: time.Second, BytesAcked: testMSS}, &ctl)
	c.OnCongestion(transport.EventLoss, &transport.Sample{Now: time.Second, InRecovery: true}, &ctl)
	if ctl.Cwnd != 2*testMSS || ctl.Ssthresh != 2*testMSS {
		t.Errorf("loss at 2 MSS: cwnd %d ssthresh %d, want both %d", ctl.Cwnd, ctl.Ssthresh, 2*testMSS)
	}
}

// After each loss cwnd follows W(t) = C(t−K)³ + W_max with
// K = cbrt(W_max(1−β)/C), t from the start of the congestion-avoidance
// epoch, through concave and convex regions and over several epochs.
func TestCubicFollowsCubicCurve(t *testing.T) {
	const rtt = 100 * time.Millisecond
	f := newFlow(t, mustNew(t, "cubic:hystart=0,fast_convergence=0"), constRTT(rtt))
	f.stepUntil(100000, func() bool { return f.cwndSeg() >= 200 })

	// Where each epoch ends (its loss), relative to its K.
	ends := []func(k float64) float64{
		func(k float64) float64 { return k + 3 },   // well into the convex region
		func(k float64) float64 { return k / 2 },   // a loss in the concave region
		func(k float64) float64 { return k + 1.5 }, // past W_max again
	}
	for i, end := range ends {
		t0, wmax := lossAndRecover(t, f)
		k := math.Cbrt(wmax * (1 - rfcBeta) / rfcC)
		if got := varOf(t, f.cc, "w_max"); math.Abs(got-wmax) > 1e-3 {
			t.Fatalf("epoch %d: w_max %v, want %v (cwnd at the loss)", i, got, wmax)
		}
		if got := varOf(t, f.cc, "k"); math.Abs(got-k) > 1e-3 {
			t.Fatalf("epoch %d: K %v s, want %v", i, got, k)
		}
		tEnd := end(k)
		checked, nearK, cwndAtK := 0, math.Inf(1), 0.0
		for {
			tt := (f.now - t0).Seconds()
			if tt > tEnd {
				break
			}
			w := wCubicRFC(rfcC, k, wmax, tt)
			if d := f.cwndSeg() - w; math.Abs(d) > curveTol(rfcC, k, tt, rtt) {
				t.Fatalf("epoch %d (W_max %.1f, K %.2fs): at t=%.3fs cwnd %.2f, W(t) %.2f", i, wmax, k, tt, f.cwndSeg(), w)
			}
			if math.Abs(tt-k) < nearK {
				nearK, cwndAtK = math.Abs(tt-k), f.cwndSeg()
			}
			checked++
			f.step()
		}
		if checked < 1000 {
			t.Fatalf("epoch %d: only %d ACKs checked", i, checked)
		}
		if tEnd > k {
			// The curve is flat at K: cwnd reaches W_max there.
			if nearK > rtt.Seconds() || math.Abs(cwndAtK-wmax) > 1 {
				t.Fatalf("epoch %d: at %.3fs from K cwnd %.2f, want W_max %.2f within 1 segment", i, nearK, cwndAtK, wmax)
			}
		}
	}
}

// Fast convergence (RFC 9438 §4.7): a loss below the previous W_max lowers
// W_max to cwnd·(1+β)/2; the next epoch's K comes from Figure 2,
// K = cbrt((W_max − cwnd_epoch)/C), and cwnd follows that curve. A loss
// above W_max sets W_max = cwnd.
func TestCubicFastConvergence(t *testing.T) {
	const rtt = 100 * time.Millisecond
	f := newFlow(t, mustNew(t, "cubic:hystart=0"), constRTT(rtt))
	f.stepUntil(100000, func() bool { return f.cwndSeg() >= 200 })

	_, w1 := lossAndRecover(t, f)
	if got := varOf(t, f.cc, "w_max"); math.Abs(got-w1) > 1e-3 {
		t.Fatalf("first loss: w_max %v, want %v", got, w1)
	}
	k1 := math.Cbrt(w1 * (1 - rfcBeta) / rfcC)
	f.runUntil(f.now + time.Duration(k1/2*float64(time.Second)))

	// Loss below W_max.
	t0, w2 := lossAndRecover(t, f)
	if w2 >= w1 {
		t.Fatalf("setup: second loss at %.1f not below W_max %.1f", w2, w1)
	}
	wmax := w2 * (1 + rfcBeta) / 2
	if got := varOf(t, f.cc, "w_max"); math.Abs(got-wmax) > 1e-3 {
		t.Fatalf("loss at %.2f below W_max %.2f: w_max %v, want %v", w2, w1, got, wmax)
	}
	k := math.Cbrt((wmax - rfcBeta*w2) / rfcC)
	if got := varOf(t, f.cc, "k"); math.Abs(got-k) > 1e-3 {
		t.Fatalf("K %v, want %v", got, k)
	}
	for tt := 0.0; tt < k+2; tt = (f.now - t0).Seconds() {
		w := wCubicRFC(rfcC, k, wmax, tt)
		if math.Abs(f.cwndSeg()-w) > curveTol(rfcC, k, tt, rtt) {
			t.Fatalf("after fast convergence: t=%.3fs cwnd %.2f, W(t) %.2f (W_max %.2f, K %.2f)", tt, f.cwndSeg(), w, wmax, k)
		}
		f.step()
	}

	// Loss above W_max: W_max = cwnd.
	_, w3 := lossAndRecover(t, f)
	if w3 <= wmax {
		t.Fatalf("setup: third loss at %.1f not above W_max %.1f", w3, wmax)
	}
	if got := varOf(t, f.cc, "w_max"); math.Abs(got-w3) > 1e-3 {
		t.Fatalf("loss above W_max: w_max %v, want %v", got, w3)
	}

	// Without fast convergence the same loss below W_max keeps W_max = cwnd.
	g := newFlow(t, mustNew(t, "cubic:hystart=0,fast_convergence=0"), constRTT(rtt))
	g.stepUntil(100000, func() bool { return g.cwndSeg() >= 200 })
	lossAndRecover(t, g)
	g.runUntil(g.now + time.Second)
	_, w := lossAndRecover(t, g)
	if got := varOf(t, g.cc, "w_max"); math.Abs(got-w) > 1e-3 {
		t.Fatalf("fast_convergence=0: w_max %v, want cwnd at loss %v", got, w)
	}
}

// On a short path with a small window, the Reno-friendly estimate W_est
// (RFC 9438 §4.3) dominates: cwnd grows at α = 3(1−β)/(1+β) segments per
// RTT until W_est reaches cwnd_prior and then at one segment per RTT, far
// faster than W_cubic.
func TestCubicRenoFriendlyRegion(t *testing.T) {
	const rtt = 5 * time.Millisecond
	f := newFlow(t, mustNew(t, "cubic:hystart=0"), constRTT(rtt))
	f.stepUntil(100000, func() bool { return f.cwndSeg() >= 20 })
	t0, wmax := lossAndRecover(t, f)
	alpha := 3 * (1 - rfcBeta) / (1 + rfcBeta)
	k := math.Cbrt(wmax * (1 - rfcBeta) / rfcC)
	// W_est after n RTTs: +α per RTT up to cwnd_prior = W_max, then +1.
	west := func(n float64) float64 {
		w0 := rfcBeta * wmax
		n1 := (wmax - w0) / alpha
		if n <= n1 {
			return w0 + alpha*n
		}
		return wmax + (n - n1)
	}
	for tt := 0.0; tt < 1; tt = (f.now - t0).Seconds() {
		want := west(tt / rtt.Seconds())
		// W_est grows α/cwnd per segment acknowledged, and a round
		// carries only the whole segments of a fractional cwnd, so each
		// RTT adds at least (1 − 1/cwnd) of the model's step: cwnd may
		// trail the model by Σ 1/cwnd ≤ ln(cwnd/cwnd_epoch) over the run,
		// plus one segment for whole bytes and the ACK timing.
		if got := f.cwndSeg(); got < want-1-math.Log(want/(rfcBeta*wmax)) || got > want+1 {
			t.Fatalf("t=%.3fs: cwnd %.2f, Reno-friendly W_est model %.2f (W_cubic %.2f)", tt, got, want, wCubicRFC(rfcC, k, wmax, tt))
		}
		f.step()
	}
	if wc := wCubicRFC(rfcC, k, wmax, 1); f.cwndSeg() < 5*wc {
		t.Fatalf("after 1 s cwnd %.1f is not far above W_cubic %.1f", f.cwndSeg(), wc)
	}
}

// The growth target is clamped to 1.5·cwnd (RFC 9438 §4.2): even when
// W_cubic(t+RTT) is far larger, cwnd grows at most 1.5× per RTT.
func TestCubicTargetClamp(t *testing.T) {
	const rtt = time.Second
	const c = 10.0
	f := newFlow(t, mustNew(t, "cubic:hystart=0,c=10"), constRTT(rtt))
	f.stepUntil(100000, func() bool { return f.cwndSeg() >= 100 })
	t0, wmax := lossAndRecover(t, f)
	k := math.Cbrt(wmax * (1 - rfcBeta) / c)
	clamped := 0
	for range 8 {
		start := (f.now - t0).Seconds()
		w0 := f.cwndSeg()
		f.round()
		w1 := f.cwndSeg()
		if w1 > 1.5*w0+0.01 {
			t.Fatalf("t=%.2fs: cwnd grew %.2f → %.2f in one RTT, more than 1.5×", start, w0, w1)
		}
		if target := wCubicRFC(c, k, wmax, start+rtt.Seconds()); target > 1.6*w0 {
			clamped++
			if w1 < 1.45*w0 {
				t.Fatalf("t=%.2fs: W(t+RTT) = %.1f but cwnd grew only %.2f → %.2f", start, target, w0, w1)
			}
		}
	}
	if clamped < 2 {
		t.Fatalf("only %d clamped rounds: the test did not exercise the clamp", clamped)
	}
}

func TestCubicRecoveryEpisode(t *testing.T) {
	f := newFlow(t, mustNew(t, "cubic:hystart=0"), constRTT(40*time.Millisecond))
	f.rounds(4)
	events := 0
	f.onEvent = func(ev transport.CongestionEvent, s *transport.Sample, before, after int) { events++ }
	f.lose(1)
	f.step()
	want := f.ctl.Cwnd
	acks := 0
	f.onAck = func(s *transport.Sample) {
		if !s.InRecovery {
			return
		}
		acks++
		if f.ctl.Cwnd != want || f.cc.Mode() != "recovery" {
			t.Fatalf("recovery ACK %d: cwnd %d mode %q, want %d, recovery", acks, f.ctl.Cwnd, f.cc.Mode(), want)
		}
		if acks%7 == 0 {
			f.lose(1)
		}
	}
	f.stepUntil(10000, func() bool { return !f.inRecovery })
	if acks < 20 || events != 2 {
		t.Fatalf("%d recovery ACKs, %d events", acks, events)
	}
	if f.ctl.Cwnd < want || f.ctl.Ssthresh != want {
		t.Fatalf("after recovery: cwnd %d ssthresh %d, want %d", f.ctl.Cwnd, f.ctl.Ssthresh, want)
	}
}

// RFC 9438 §4.8: on a timeout ssthresh is set with β as for a loss and
// cwnd to one segment; after slow start the first epoch has K = 0 and
// W_max = cwnd at its start, so cwnd follows C·t³ + W_max (where that
// beats the Reno-friendly estimate).
func TestCubicTimeout(t *testing.T) {
	const rtt = 100 * time.Millisecond
	f := newFlow(t, mustNew(t, "cubic:hystart=0"), constRTT(rtt))
	f.stepUntil(100000, func() bool { return f.cwndSeg() >= 150 })
	lossAndRecover(t, f)
	f.runUntil(f.now + time.Second)
	before := f.ctl.Cwnd
	f.timeout(time.Second)
	ssthresh := int(rfcBeta * float64(before))
	if f.ctl.Cwnd != testMSS || abs(f.ctl.Ssthresh-ssthresh) > 1 || f.cc.Mode() != "slow start" {
		t.Fatalf("timeout at cwnd %d: cwnd %d ssthresh %d mode %q, want %d, %d, slow start", before, f.ctl.Cwnd, f.ctl.Ssthresh, f.cc.Mode(), testMSS, ssthresh)
	}
	ssthresh = f.ctl.Ssthresh
	f.timeout(2 * time.Second) // backoff: no further reduction
	if f.ctl.Cwnd != testMSS || f.ctl.Ssthresh != ssthresh {
		t.Fatalf("repeated timeout: cwnd %d ssthresh %d, want %d, %d", f.ctl.Cwnd, f.ctl.Ssthresh, testMSS, ssthresh)
	}
	// Standard slow start up to ssthresh.
	for f.cc.Mode() == "slow start" {
		before := f.ctl.Cwnd
		f.step()
		if f.cc.Mode() == "slow start" && f.ctl.Cwnd != before+testMSS {
			t.Fatalf("slow start after timeout: cwnd %d → %d", before, f.ctl.Cwnd)
		}
	}
	t0 := f.now
	wmax := float64(ssthresh) / testMSS
	if got := varOf(t, f.cc, "k"); got != 0 {
		t.Fatalf("K after timeout %v, want 0", got)
	}
	if got := varOf(t, f.cc, "w_max"); math.Abs(got-wmax) > 1e-3 {
		t.Fatalf("W_max after timeout %v, want cwnd at the epoch start %v", got, wmax)
	}
	for tt := 0.0; tt < 7; tt = (f.now - t0).Seconds() {
		w := wCubicRFC(rfcC, 0, wmax, tt)
		tol := curveTol(rfcC, 0, tt, rtt)
		if f.cwndSeg() < w-tol {
			t.Fatalf("t=%.2fs after timeout: cwnd %.2f below W(t) %.2f", tt, f.cwndSeg(), w)
		}
		if tt > 6 && math.Abs(f.cwndSeg()-w) > tol {
			t.Fatalf("t=%.2fs after timeout: cwnd %.2f, W(t) %.2f", tt, f.cwndSeg(), w)
		}
		f.step()
	}
}

// RFC 9438 §5.8: an application-limited flow does not grow cwnd, and the
// time it spends so does not count in t.
func TestCubicAppLimited(t *testing.T) {
	f := newFlow(t, mustNew(t, "cubic:hystart=0"), constRTT(100*time.Millisecond))
	f.stepUntil(100000, func() bool { return f.cwndSeg() >= 100 })
	lossAndRecover(t, f)
	f.runUntil(f.now + time.Second)
	epoch, cwnd := varOf(t, f.cc, "epoch"), f.ctl.Cwnd
	f.appLimited = true
	f.runUntil(f.now + 2*time.Second)
	if f.ctl.Cwnd != cwnd {
		t.Fatalf("app-limited ACKs changed cwnd %d → %d", cwnd, f.ctl.Cwnd)
	}
	if got := varOf(t, f.cc, "epoch"); math.Abs(got-epoch) > 0.01 {
		t.Fatalf("app-limited time counted in the epoch: %v → %v", epoch, got)
	}
	f.appLimited = false
	f.step()
	if got := varOf(t, f.cc, "epoch"); got-epoch > 0.11 {
		t.Fatalf("epoch jumped from %v to %v after the app-limited period", epoch, got)
	}
	if f.ctl.Cwnd <= cwnd {
		t.Fatalf("cwnd did not grow again after the app-limited period")
	}
}

// Slow start's per-ACK increase is capped by L: 8 MSS with HyStart++
// (RFC 9406 §4.3, not paced), 2 MSS otherwise (RFC 3465).
func TestCubicSlowStartLimit(t *testing.T) {
	for _, tc := range []struct {
		spec string
		l    int
	}{{"cubic", 8}, {"cubic:hystart=0", 2}} {
		c := mustNew(t, tc.spec)
		ctl := transport.Control{MSS: testMSS}
		c.Init(&ctl, 0)
		c.OnAck(&transport.Sample{Now: 50 * time.Millisecond, BytesAcked: 20 * testMSS, Delivered: 20 * testMSS, RTT: 50 * time.Millisecond}, &ctl)
		if want := (10 + tc.l) * testMSS; ctl.Cwnd != want {
			t.Errorf("%s: a 20-segment ACK took cwnd to %d, want %d (L = %d)", tc.spec, ctl.Cwnd, want, tc.l)
		}
	}
}

// If the sender leaves recovery without reporting EventRecoveryEnd, the
// first ACK outside recovery ends it.
func TestRecoveryEndsWithoutEvent(t *testing.T) {
	for _, spec := range []string{"reno", "cubic"} {
		c := mustNew(t, spec)
		ctl := transport.Control{MSS: testMSS}
		c.Init(&ctl, 0)
		c.OnCongestion(transport.EventLoss, &transport.Sample{Now: time.Second, BytesInFlight: 40 * testMSS, InRecovery: true}, &ctl)
		c.OnAck(&transport.Sample{Now: time.Second, BytesAcked: testMSS, InRecovery: true}, &ctl)
		if c.Mode() != "recovery" {
			t.Fatalf("%s: mode %q in recovery", spec, c.Mode())
		}
		c.OnAck(&transport.Sample{Now: 2 * time.Second, BytesAcked: testMSS, SRTT: 100 * time.Millisecond}, &ctl)
		if c.Mode() != "congestion avoidance" {
			t.Errorf("%s: mode %q after an ACK outside recovery", spec, c.Mode())
		}
	}
}

func TestCubicVarsAndModes(t *testing.T) {
	c := mustNew(t, "cubic")
	ctl := transport.Control{MSS: testMSS}
	c.Init(&ctl, 0)
	var names []string
	for _, v := range c.Vars(nil) {
		names = append(names, v.Name+"/"+v.Unit)
	}
	want := []string{"w_max/packets", "k/s", "epoch/s", "w_est/packets", "ssthresh/bytes", "target/packets"}
	if len(names) != len(want) {
		t.Fatalf("vars %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("vars %v, want %v", names, want)
		}
	}
	if c.Name() != "cubic" || c.Mode() != "slow start" {
		t.Fatalf("name %q mode %q", c.Name(), c.Mode())
	}
	c.OnCongestion(transport.EventLoss, &transport.Sample{Now: time.Second, InRecovery: true}, &ctl)
	if c.Mode() != "recovery" {
		t.Fatalf("mode %q after loss", c.Mode())
	}
	c.OnCongestion(transport.EventRecoveryEnd, &transport.Sample{Now: 2 * time.Second}, &ctl)
	if c.Mode() != "congestion avoidance" {
		t.Fatalf("mode %q after recovery", c.Mode())
	}
	if got := varOf(t, c, "ssthresh"); got != float64(ctl.Ssthresh) || got != 7*testMSS {
		t.Fatalf("ssthresh var %v, control %d, want %d", got, ctl.Ssthresh, 7*testMSS)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
