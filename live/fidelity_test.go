package live

import (
	"math"
	"testing"
	"time"
)

// TestRenoFillsOneBDPBuffer: one reno flow on 12 Mbit/s with a 40 ms RTT
// and a one-BDP droptail buffer (12e6·0.040/8 = 60 000 B = 40 packets)
// keeps the link ≥ 95% busy over seconds 10–30: after each halving the
// buffer still holds a BDP, so the link never idles (the rule of thumb
// behind BDP-sized buffers).
func TestRenoFillsOneBDPBuffer(t *testing.T) {
	_, rec := runExp(t, linkExp("12mbit", 20*time.Millisecond, "packets=40", 30*time.Second, "reno"))
	dep := rec.get(t, "link/uplink/departures").mean(10*time.Second, 30*time.Second)
	capa := rec.get(t, "link/uplink/capacity").mean(10*time.Second, 30*time.Second)
	if math.Abs(capa-12e6) > 1e3 {
		t.Fatalf("capacity %.0f bit/s, want 12e6", capa)
	}
	if u := dep / capa; u < 0.95 {
		t.Fatalf("utilization %.3f over 10–30 s, want ≥ 0.95", u)
	} else {
		t.Logf("utilization %.4f", u)
	}
}

// TestRenoMathis: reno under 1% i.i.d. loss on a 100 Mbit/s path with a
// 50 ms RTT (far from the capacity, so no queue) gets Mathis et al.'s
// 1.22·MSS/(RTT·√p) within 25%.
func TestRenoMathis(t *testing.T) {
	e := linkExp("100mbit", 25*time.Millisecond, "", 200*time.Second, "reno")
	e.Uplink.Loss = "1%"
	s, rec := runExp(t, e)
	const mss, rtt, p = 1448.0, 0.050, 0.01
	want := 1.22 * mss * 8 / (rtt * math.Sqrt(p)) // bit/s of payload
	got := rec.get(t, "flow/1/goodput").mean(20*time.Second, 200*time.Second)
	if math.Abs(got-want)/want > 0.25 {
		t.Fatalf("goodput %.3f Mbit/s, Mathis says %.3f Mbit/s (±25%%)", got/1e6, want/1e6)
	}
	t.Logf("goodput %.3f Mbit/s, Mathis %.3f Mbit/s (ratio %.2f), timeouts %d", got/1e6, want/1e6, got/want, s.Summary().Flows[0].Timeouts)
}

// TestTwoCubicsAreFair: two cubic flows sharing 50 Mbit/s reach Jain's
// index ≥ 0.95 within 30 s.
func TestTwoCubicsAreFair(t *testing.T) {
	// 20 ms one-way; one BDP = 50e6·0.040/8 = 250 000 B ≈ 166 packets.
	s, rec := runExp(t, linkExp("50mbit", 20*time.Millisecond, "packets=166", 30*time.Second, "cubic", "cubic"))
	if j := s.Summary().Jain; j < 0.95 {
		t.Fatalf("Jain's index over 30 s %.4f, want ≥ 0.95", j)
	}
	a := rec.get(t, "flow/1/throughput").mean(20*time.Second, 30*time.Second)
	b := rec.get(t, "flow/2/throughput").mean(20*time.Second, 30*time.Second)
	if j := (a + b) * (a + b) / (2 * (a*a + b*b)); j < 0.95 {
		t.Fatalf("Jain's index over 20–30 s %.4f (%.1f vs %.1f Mbit/s)", j, a/1e6, b/1e6)
	}
}

// TestCubicReductionAndGrowth: on every loss cubic's window drops to
// β = 0.7 of what it was, and in each congestion-avoidance epoch it follows
// RFC 9438's W(t) = C(t−K)³ + W_max with C = 0.4 and
// K = ∛(W_max(1−β)/C) in segments, where W_max is the window before the
// loss, lowered to W·(1+β)/2 by fast convergence (§4.7) when the loss came
// below the previous W_max. Each ACK moves cwnd towards the target
// W(t+RTT) (§4.2), reaching it about one RTT later, so cwnd(t) must lie
// between W(t−RTT) and W(t+RTT), ± 3 segments for the 10-ms sampling and
// per-ACK steps.
func TestCubicReductionAndGrowth(t *testing.T) {
	// 100 Mbit/s, 40 ms base RTT: BDP 333 packets; a 300-packet buffer.
	s, rec := runExp(t, linkExp("100mbit", 20*time.Millisecond, "packets=300", 60*time.Second, "cubic"))
	modes := s.Modes(1)
	cw := rec.get(t, "flow/1/cwnd")
	srtt := rec.get(t, "flow/1/srtt")
	const mss, C, beta = 1448.0, 0.4, 0.7
	at := func(m *memSeries, tt time.Duration) float64 { // last sample at or before tt
		v := math.NaN()
		for i, x := range m.t {
			if x > tt {
				break
			}
			v = m.v[i]
		}
		return v
	}
	wmaxPrev := 0.0
	reductions, epochs, points := 0, 0, 0
	for i, m := range modes {
		if m.Mode != "recovery" || i == 0 || i+1 >= len(modes) {
			continue
		}
		tLoss, tEpoch := m.At, modes[i+1].At
		before := at(cw, tLoss-time.Nanosecond) / mss
		steady := modes[i-1].Mode == "congestion avoidance" && tLoss-modes[i-1].At >= 100*time.Millisecond
		wmax := before
		if before < wmaxPrev {
			wmax = before * (1 + beta) / 2 // fast convergence
		}
		// The sample before the loss may lag the window by a fraction of a
		// segment; when the window is that close to the previous W_max the
		// fast-convergence branch cannot be told from the samples.
		ambiguous := math.Abs(before-wmaxPrev) <= 2
		wmaxPrev = before
		if !steady {
			// In slow start the 10-ms sample before the loss lags a
			// doubling window: such a loss only sets W_max for the next.
			continue
		}
		// The reduction: cwnd during recovery (sampled if it lasted long
		// enough) or at the start of the epoch.
		after := at(cw, tEpoch-time.Nanosecond) / mss
		if tEpoch-tLoss > 10*time.Millisecond {
			if math.Abs(after-beta*before) > 2 {
				t.Fatalf("loss at %v: cwnd %.1f → %.1f segments, want ×0.7 = %.1f", tLoss, before, after, beta*before)
			}
			reductions++
		}
		tNext := 60 * time.Second
		if i+2 < len(modes) {
			tNext = modes[i+2].At
		}
		if modes[i+1].Mode != "congestion avoidance" || tNext-tEpoch < time.Second || ambiguous {
			continue
		}
		epochs++
		K := math.Cbrt((wmax - beta*before) / C)
		W := func(x time.Duration) float64 { d := x.Seconds() - K; return C*d*d*d + wmax }
		for j, x := range cw.t {
			if x <= tEpoch+100*time.Millisecond || x >= tNext {
				continue
			}
			el := x - tEpoch
			rtt := time.Duration(at(srtt, x) * float64(time.Millisecond))
			got := cw.v[j] / mss
			lo, hi := W(el-rtt)-3, W(el+rtt)+3
			if got < lo || got > hi {
				t.Fatalf("epoch from %v (W_max %.1f, K %.2fs), %.2fs in: cwnd %.1f segments, want within [%.1f, %.1f]",
					tEpoch, wmax, K, el.Seconds(), got, lo, hi)
			}
			points++
		}
	}
	if reductions < 3 || epochs < 3 || points < 500 {
		t.Fatalf("checked %d reductions, %d epochs, %d points: too few (modes %v)", reductions, epochs, points, modes)
	}
	t.Logf("checked %d reductions and %d epochs (%d samples of cwnd)", reductions, epochs, points)
}

// TestVerizonNeverExceedsCapacity: a flow over the Verizon LTE downlink
// trace never delivers more than the trace allows: per sample interval the
// bottleneck sends no more than its opportunities, and cumulatively the
// receiver never has more than the opportunities offered so far.
func TestVerizonNeverExceedsCapacity(t *testing.T) {
	dir := sharedTraces(t)
	e := linkExp(dir+"/Verizon-LTE-short.down", 20*time.Millisecond, "packets=200", 60*time.Second, "cubic")
	e.Downlink.Capacity = dir + "/Verizon-LTE-short.up"
	_, rec := runExp(t, e)
	capS := rec.get(t, "link/uplink/capacity")
	dep := rec.get(t, "link/uplink/departures")
	thr := rec.get(t, "flow/1/throughput")
	var cumCap, cumThr float64
	for i := range capS.t {
		if dep.v[i] > capS.v[i]+1e-6 {
			t.Fatalf("at %v the bottleneck sent %.0f bit/s with %.0f bit/s of opportunities", capS.t[i], dep.v[i], capS.v[i])
		}
		cumCap += capS.v[i]
		cumThr += thr.v[i]
		if cumThr > cumCap+1e-6 {
			t.Fatalf("by %v the receiver got more than the link offered", capS.t[i])
		}
	}
	if cumThr < 0.5*cumCap {
		t.Fatalf("the flow used only %.0f%% of the trace", 100*cumThr/cumCap)
	}
	t.Logf("the flow used %.1f%% of the trace's opportunities", 100*cumThr/cumCap)
}
