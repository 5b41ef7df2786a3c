package fidelity

import (
	"context"
	"fmt"
	"math"
	"time"
)

// The delay-based and model-based schemes: BBR's bufferbloat claim, gain
// cycle and ProbeRTT; Vegas's and Copa's queue targets; LEDBAT's target and
// its yielding to loss-based flows.

// rttRatio runs one flow on 24 Mbit/s, 40 ms RTT with a 5-BDP droptail
// buffer and returns the p95 of its RTT samples over 10–60 s over the min
// RTT it measured.
func rttRatio(ctx context.Context, scheme string) (float64, float64, error) {
	bdp := bdpPackets(24e6, 40*time.Millisecond)
	r, err := simulate(ctx, link("24mbit", 20*time.Millisecond, 5*bdp, 60*time.Second, flows(scheme)...))
	if err != nil {
		return 0, 0, err
	}
	p95 := percentile(r.values("flow/1/rtt", 10*time.Second, 60*time.Second), 0.95)
	minRTT := r.rec.series["flow/1/min_rtt"].v[len(r.rec.series["flow/1/min_rtt"].v)-1]
	return p95, minRTT, nil
}

func bbrBufferbloat() Scenario {
	return Scenario{
		Name: "bbr-5bdp-rtt", Schemes: []string{"bbr"},
		Claim:  "bbr on a 5-BDP droptail buffer (24 Mbit/s, 40 ms): p95 RTT ≤ 1.5× min RTT",
		Source: "Cardwell et al., BBR, ACM Queue 2016; draft-cardwell-iccrg-bbr-congestion-control",
		Run: func(ctx context.Context) (Result, error) {
			p95, mn, err := rttRatio(ctx, "bbr")
			if err != nil {
				return Result{}, err
			}
			return check(p95 <= 1.5*mn, "≤ 1.5× min RTT", "p95 %.1f ms, min %.1f ms (%.2f×)", p95, mn, p95/mn), nil
		},
	}
}

func cubicBufferbloat() Scenario {
	return Scenario{
		Name: "cubic-5bdp-rtt", Schemes: []string{"cubic"},
		Claim:  "cubic on the same 5-BDP buffer fills it: p95 RTT ≥ 3× min RTT",
		Source: "Gettys & Nichols, Bufferbloat, ACM Queue 2011; RFC 9438 (loss-based)",
		Run: func(ctx context.Context) (Result, error) {
			p95, mn, err := rttRatio(ctx, "cubic")
			if err != nil {
				return Result{}, err
			}
			return check(p95 >= 3*mn, "≥ 3× min RTT", "p95 %.1f ms, min %.1f ms (%.2f×)", p95, mn, p95/mn), nil
		},
	}
}

// bbrGainCycle: in ProbeBW, phases follow the cycle 1.25, 0.75, 1×6, each
// lasting about one min RTT (the 1.25 phase may stretch until inflight
// reaches 1.25·BDP, the 0.75 phase may end early once inflight ≤ BDP).
func bbrGainCycle() Scenario {
	return Scenario{
		Name: "bbr-probebw-cycle", Schemes: []string{"bbr"},
		Claim:  "bbr's ProbeBW cycles through 8 phases of about one min RTT with pacing gains 1.25, 0.75, 1, 1, 1, 1, 1, 1",
		Source: "draft-cardwell-iccrg-bbr-congestion-control §4.3.4; Linux tcp_bbr.c",
		Run: func(ctx context.Context) (Result, error) {
			e := link("24mbit", 20*time.Millisecond, 5*bdpPackets(24e6, 40*time.Millisecond), 9*time.Second, flows("bbr")...)
			e.SampleInterval = time.Millisecond
			r, err := simulate(ctx, e)
			if err != nil {
				return Result{}, err
			}
			idx, gain := r.rec.series["flow/1/var/cycle_idx"], r.rec.series["flow/1/var/pacing_gain"]
			minRTT := r.rec.series["flow/1/var/min_rtt"]
			if idx == nil || gain == nil || minRTT == nil {
				return Result{}, fmt.Errorf("bbr does not expose cycle_idx, pacing_gain and min_rtt")
			}
			want := []float64{1.25, 0.75, 1, 1, 1, 1, 1, 1}
			// Phases: runs of equal cycle_idx while in probe_bw, after 3 s.
			type phase struct {
				idx        int
				gain       float64
				start, end time.Duration
			}
			var phases []phase
			for i, t := range idx.t {
				if t < 3*time.Second {
					continue
				}
				k := int(idx.v[i])
				if n := len(phases); n == 0 || phases[n-1].idx != k {
					phases = append(phases, phase{idx: k, gain: gain.v[i], start: t, end: t})
				} else {
					phases[n-1].end = t
				}
			}
			if len(phases) < 18 {
				return Result{}, fmt.Errorf("only %d ProbeBW phases after 3 s", len(phases))
			}
			phases = phases[1 : len(phases)-1] // drop the partial first and last
			okOrder, okGain := true, true
			var minD, maxD float64 = math.Inf(1), 0
			for i, p := range phases {
				if i > 0 && p.idx != (phases[i-1].idx+1)%8 {
					okOrder = false
				}
				if p.gain != want[p.idx] {
					okGain = false
				}
				mr := minRTT.v[len(minRTT.v)-1]
				d := (p.end - p.start + time.Millisecond).Seconds() * 1000 / mr
				if p.idx >= 2 { // the gain-1 phases last exactly one min RTT
					minD, maxD = min(minD, d), max(maxD, d)
				}
			}
			return check(okOrder && okGain && minD >= 0.95 && maxD <= 1.2,
				"phases in order, gains as listed, gain-1 phases 1.0–1.2 min RTT",
				"%d phases in order: %v, gains right: %v, gain-1 phases %.2f–%.2f min RTT", len(phases), okOrder, okGain, minD, maxD), nil
		},
	}
}

// bbrProbeRTT: when the min RTT estimate is 10 s old (no lower sample
// refreshed it), BBR enters ProbeRTT, holds it at least 200 ms, and does so
// again and again.
func bbrProbeRTT() Scenario {
	return Scenario{
		Name: "bbr-probertt", Schemes: []string{"bbr"},
		Claim:  "bbr enters ProbeRTT when its min RTT is 10 s old, and stays ≥ 200 ms",
		Source: "draft-cardwell-iccrg-bbr-congestion-control §4.3.5 (RTpropFilterLen 10 s, ProbeRTTDuration 200 ms)",
		Run: func(ctx context.Context) (Result, error) {
			e := link("24mbit", 20*time.Millisecond, 5*bdpPackets(24e6, 40*time.Millisecond), 45*time.Second, flows("bbr")...)
			e.SampleInterval = time.Millisecond
			r, err := simulate(ctx, e)
			if err != nil {
				return Result{}, err
			}
			age := r.rec.series["flow/1/var/min_rtt_age"]
			if age == nil {
				return Result{}, fmt.Errorf("bbr does not expose min_rtt_age")
			}
			ageBefore := func(t time.Duration) float64 { // the age 1 ms before t
				v := math.NaN()
				for i, x := range age.t {
					if x >= t {
						break
					}
					v = age.v[i]
				}
				return v
			}
			var n int
			var lo, hi float64 = math.Inf(1), 0
			shortest := time.Hour
			modes := r.sim.Modes(1)
			for i, m := range modes {
				if m.Mode != "probe_rtt" {
					continue
				}
				n++
				a := ageBefore(m.At)
				lo, hi = min(lo, a), max(hi, a)
				if i+1 < len(modes) {
					shortest = min(shortest, modes[i+1].At-m.At)
				}
			}
			if n < 3 {
				return Result{}, fmt.Errorf("ProbeRTT entered %d times in 45 s", n)
			}
			return check(lo >= 9.99 && hi <= 10.05 && shortest >= 200*time.Millisecond,
				"min RTT 10.00–10.05 s old at entry, ≥ 200 ms in ProbeRTT",
				"%d entries with the min RTT %.3f–%.3f s old, shortest stay %v", n, lo, hi, shortest), nil
		},
	}
}

// queueOf runs one flow on 24 Mbit/s, 40 ms RTT with a 5-BDP buffer and
// returns its mean standing queue in packets over 10–60 s.
func queueOf(ctx context.Context, scheme string) (float64, error) {
	r, err := simulate(ctx, link("24mbit", 20*time.Millisecond, 5*bdpPackets(24e6, 40*time.Millisecond), 60*time.Second, flows(scheme)...))
	if err != nil {
		return 0, err
	}
	return r.mean("link/uplink/queue_packets", 10*time.Second, 60*time.Second), nil
}

func vegasQueue() Scenario {
	return Scenario{
		Name: "vegas-queue", Schemes: []string{"vegas"},
		Claim:  "vegas keeps α..β = 2..4 packets queued at the bottleneck",
		Source: "Brakmo & Peterson, TCP Vegas, JSAC 1995",
		Run: func(ctx context.Context) (Result, error) {
			q, err := queueOf(ctx, "vegas")
			if err != nil {
				return Result{}, err
			}
			return check(q >= 2 && q <= 4, "2–4 packets", "%.2f packets", q), nil
		},
	}
}

func copaQueue() Scenario {
	return Scenario{
		Name: "copa-queue", Schemes: []string{"copa"},
		Claim:  "copa (δ = 0.5) keeps about 1/δ = 2 packets queued (oscillating between 0 and 2.5/δ)",
		Source: "Arun & Balakrishnan, Copa, NSDI 2018, §2",
		Run: func(ctx context.Context) (Result, error) {
			q, err := queueOf(ctx, "copa")
			if err != nil {
				return Result{}, err
			}
			return check(q >= 1 && q <= 4, "1/δ = 2 packets, within ×2", "%.2f packets", q), nil
		},
	}
}

func ledbatTarget() Scenario {
	return Scenario{
		Name: "ledbat-target", Schemes: []string{"ledbat"},
		Claim:  "ledbat alone drives the queuing delay to its 100 ms target",
		Source: "RFC 6817 §2.4.2 (TARGET = 100 ms)",
		Run: func(ctx context.Context) (Result, error) {
			r, err := simulate(ctx, link("24mbit", 20*time.Millisecond, 5*bdpPackets(24e6, 40*time.Millisecond), 120*time.Second, flows("ledbat")...))
			if err != nil {
				return Result{}, err
			}
			q := r.mean("link/uplink/sojourn", 90*time.Second, 120*time.Second)
			return check(q >= 80 && q <= 110, "100 ms, −20% / +10%", "%.1f ms of queueing over 90–120 s", q), nil
		},
	}
}

func ledbatYields() Scenario {
	return Scenario{
		Name: "ledbat-yields", Schemes: []string{"ledbat", "cubic"},
		Claim:  "ledbat yields to a competing cubic flow (10 Mbit/s, 40 ms, 300-ms buffer): ledbat's share ≤ 10%",
		Source: "RFC 6817 §1 (LEDBAT must yield to standard TCP sharing its bottleneck)",
		Run: func(ctx context.Context) (Result, error) {
			r, err := simulate(ctx, link("10mbit", 20*time.Millisecond, 250, 60*time.Second, flows("ledbat", "cubic")...))
			if err != nil {
				return Result{}, err
			}
			l := r.mean("flow/1/throughput", 10*time.Second, 60*time.Second)
			c := r.mean("flow/2/throughput", 10*time.Second, 60*time.Second)
			share := l / (l + c)
			return check(share <= 0.10, "≤ 10%", "ledbat %.2f, cubic %.2f Mbit/s (ledbat %.1f%%)", l/1e6, c/1e6, 100*share), nil
		},
	}
}
