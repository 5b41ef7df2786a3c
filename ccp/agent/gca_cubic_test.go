package agent

import (
	"math"
	"testing"
	"time"
)

// cubicW is the window RFC 8312 and generic-cong-avoid's cubic aim for,
// in packets, τ seconds into an epoch that began after a loss at wMax
// packets: C·(τ−K)³ + W_max with K = ∛(W_max·β/C), C = 0.4, β = 0.3.
func cubicW(wMax, tau float64) float64 {
	k := math.Cbrt(wMax * 0.3 / 0.4)
	return 0.4*math.Pow(tau-k, 3) + wMax
}

func TestCubicWindowClosedForm(t *testing.T) {
	clk := &fakeClock{now: time.Hour}
	w := newCubicWindow(10*testMSS, testMSS, clk.Now).(*cubicWindow)
	w.setCwnd(100 * testMSS)
	w.reduction(gcaMeasurements{})
	if w.window != 70 || w.wlastMax != 100 {
		t.Fatalf("after a loss at 100 packets: window %v, W_max %v; want 70 (×(1−β)) and 100", w.window, w.wlastMax)
	}
	if got := w.cwnd(); got != 70*testMSS {
		t.Fatalf("cwnd %d bytes, want %d", got, 70*testMSS)
	}
	// The epoch starts at the first acked packet: K and W(0) = (1−β)·W_max.
	w.increase(gcaMeasurements{acked: testMSS, rtt: 50_000})
	if k := math.Cbrt(100 * 0.3 / 0.4); math.Abs(w.k-k) > 1e-9 {
		t.Fatalf("K = %v, want ∛(W_max·β/C) = %v", w.k, k)
	}
	for _, tau := range []float64{0, 1, w.k, w.k + 1, w.k + 2.5} {
		if got, want := w.target(tau), cubicW(100, tau); math.Abs(got-want) > 1e-9 {
			t.Errorf("W(%v) = %v, want %v", tau, got, want)
		}
	}
	if got := w.target(0); math.Abs(got-70) > 1e-9 {
		t.Errorf("W(0) = %v, want (1−β)·W_max = 70", got)
	}
	if got := w.target(w.k); math.Abs(got-100) > 1e-9 {
		t.Errorf("W(K) = %v, want W_max = 100", got)
	}

	// Fast convergence: a loss below the last W_max lowers W_max to
	// W·(2−β)/2.
	w.setCwnd(90 * testMSS)
	w.reduction(gcaMeasurements{})
	if math.Abs(w.wlastMax-90*0.85) > 1e-9 || math.Abs(w.window-63) > 1e-9 {
		t.Fatalf("fast convergence: W_max %v, window %v; want 76.5, 63", w.wlastMax, w.window)
	}
	// Never below the initial window.
	w.setCwnd(12 * testMSS)
	w.reduction(gcaMeasurements{})
	if w.window != 10 {
		t.Fatalf("window %v after a loss at 12 packets, want the initial 10", w.window)
	}
}

// TestCubicFollowsW runs a cubic flow through slow start to 1000 packets,
// a loss, then per-millisecond reports of a window's worth of ACKs per
// RTT, and checks the window the datapath gets against the closed form
// W(τ) at several points (τ = time since the epoch began, less d_min, as
// generic-cong-avoid measures it). The window is large enough that
// TCP-friendliness (W_tcp = 0.7·W_max + 0.53 packets per RTT) stays below
// the cubic curve.
func TestCubicFollowsW(t *testing.T) {
	const (
		rtt  = 100 * time.Millisecond
		wMax = 1000.0 // packets
		step = time.Millisecond
	)
	f, dp, clk, _ := startGCA(t, NewCubic, DefaultGCAConfig())
	rttUS := uint64(rtt / time.Microsecond)
	f.OnReport(gcaReport(dp, uint64(wMax-10)*testMSS, 0, 0, false, rttUS, 10))
	if got := dp.mustVal("Cwnd"); got != uint64(wMax)*testMSS {
		t.Fatalf("slow start to %d bytes, got %d", uint64(wMax)*testMSS, got)
	}
	f.OnReport(gcaReport(dp, 0, 0, 1, false, rttUS, uint64(wMax)))
	if got := dp.mustVal("Cwnd"); got != uint64(0.7*wMax)*testMSS {
		t.Fatalf("after the loss cwnd %d, want (1−β)·W_max = %d", got, uint64(0.7*wMax)*testMSS)
	}

	k := math.Cbrt(wMax * 0.3 / 0.4) // ≈ 9.09 s
	epoch := clk.Now() + step        // the next report starts the epoch
	checks := []float64{0.25 * k, 0.5 * k, 0.75 * k, k, k + 1, k + 2}
	var carry float64
	for len(checks) > 0 {
		clk.advance(step)
		cwnd := float64(dp.mustVal("Cwnd")) / testMSS
		carry += cwnd * float64(step) / float64(rtt) // packets acked this ms
		acked := math.Floor(carry)
		carry -= acked
		f.OnReport(gcaReport(dp, uint64(acked)*testMSS, 0, 0, false, rttUS, uint64(cwnd)))

		tau := (clk.Now() - epoch - rtt).Seconds()
		if tau < checks[0] {
			continue
		}
		got := float64(dp.mustVal("Cwnd")) / testMSS
		// The window follows W with about one RTT of lag (each RTT of
		// ACKs closes most of the gap): it lies between W one RTT ago
		// and W now, give or take a packet.
		lo := min(cubicW(wMax, tau-rtt.Seconds()), cubicW(wMax, tau)) - 1
		hi := max(cubicW(wMax, tau-rtt.Seconds()), cubicW(wMax, tau)) + 1
		if got < lo || got > hi {
			t.Errorf("τ=%.2fs: window %.1f packets, want W(τ) = %.1f (between %.1f and %.1f)", tau, got, cubicW(wMax, tau), lo, hi)
		} else {
			t.Logf("τ=%.2fs: window %.1f packets, W(τ) = %.1f", tau, got, cubicW(wMax, tau))
		}
		checks = checks[1:]
	}
}

func TestCubicTimeout(t *testing.T) {
	f, dp, _, _ := startGCA(t, NewCubic, DefaultGCAConfig())
	f.OnReport(gcaReport(dp, 90*testMSS, 0, 0, false, 50_000, 10))
	f.OnReport(gcaReport(dp, 0, 0, 1, false, 50_000, 100))
	f.OnReport(gcaReport(dp, 0, 0, 0, true, 50_000, 0))
	if got := dp.mustVal("Cwnd"); got != 10*testMSS {
		t.Fatalf("after a timeout cwnd %d, want the initial %d", got, 10*testMSS)
	}
	// Slow start resumes up to the halved ss_thresh (70 packets / 2).
	f.OnReport(gcaReport(dp, 10*testMSS, 0, 0, false, 50_000, 10))
	if got := dp.mustVal("Cwnd"); got != 20*testMSS {
		t.Fatalf("cwnd %d, want slow start's %d", got, 20*testMSS)
	}
}
