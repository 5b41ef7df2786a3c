package fidelity

import (
	"context"
	"fmt"
	"math"
	"time"
)

// cubicWindow: on every loss cubic's window drops to β = 0.7 of what it
// was, and in each congestion-avoidance epoch it follows RFC 9438's
// W(t) = C(t−K)³ + W_max with C = 0.4 and K = ∛((W_max − cwnd_epoch)/C) in
// segments, where W_max is the window before the loss, lowered to
// W·(1+β)/2 by fast convergence (§4.7) when the loss came below the
// previous W_max. Each ACK moves cwnd towards the target W(t+RTT) (§4.2),
// reaching it about one RTT later, so cwnd(t) must lie between W(t−RTT)
// and W(t+RTT), ± 3 segments for the 10-ms sampling and per-ACK steps.
func cubicWindow() Scenario {
	return Scenario{
		Name: "cubic-window", Schemes: []string{"cubic"},
		Claim:  "cubic on 100 Mbit/s, 40 ms RTT: each loss cuts cwnd to 0.7×; growth follows W(t) = C(t−K)³ + W_max",
		Source: "RFC 9438 §4.2, §4.6, §4.7",
		Run: func(ctx context.Context) (Result, error) {
			r, err := simulate(ctx, link("100mbit", 20*time.Millisecond, 300, 60*time.Second, flows("cubic")...))
			if err != nil {
				return Result{}, err
			}
			return measureCubicWindow(r)
		},
	}
}

func measureCubicWindow(r *run) (Result, error) {
	modes := r.sim.Modes(1)
	cw, srtt := r.rec.series["flow/1/cwnd"], r.rec.series["flow/1/srtt"]
	const mss, C, beta = 1448.0, 0.4, 0.7
	at := func(s *series, tt time.Duration) float64 { // last sample at or before tt
		v := math.NaN()
		for i, x := range s.t {
			if x > tt {
				break
			}
			v = s.v[i]
		}
		return v
	}
	wmaxPrev := 0.0
	reductions, epochs, points := 0, 0, 0
	worstCut, worstDev := 0.0, 0.0
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
		// segment; this close to the previous W_max the fast-convergence
		// branch cannot be told from the samples.
		ambiguous := math.Abs(before-wmaxPrev) <= 2
		wmaxPrev = before
		if !steady {
			continue // a slow-start loss: its 10-ms sample lags a doubling window
		}
		if tEpoch-tLoss > 10*time.Millisecond {
			after := at(cw, tEpoch-time.Nanosecond) / mss
			worstCut = max(worstCut, math.Abs(after-beta*before))
			reductions++
		}
		tNext := r.sim.End()
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
			lo, hi := W(el-rtt), W(el+rtt)
			if got < lo {
				worstDev = max(worstDev, lo-got)
			} else if got > hi {
				worstDev = max(worstDev, got-hi)
			}
			points++
		}
	}
	if reductions < 3 || epochs < 3 || points < 500 {
		return Result{}, fmt.Errorf("cubic-window: only %d reductions, %d epochs, %d samples to check", reductions, epochs, points)
	}
	return check(worstCut <= 2 && worstDev <= 3,
		"cut within 2 segments of 0.7×, cwnd within 3 segments of [W(t−RTT), W(t+RTT)]",
		"%d cuts (worst %.1f segments off), %d epochs, %d samples (worst %.1f segments outside)",
		reductions, worstCut, epochs, points, worstDev), nil
}
