package fidelity

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Scenarios is the suite, in the order the README lists it.
func Scenarios(env Env) []Scenario {
	return []Scenario{
		renoFillsBDP(),
		renoMathis(),
		cubicWindow(),
		cubicFairness(),
		cubicBeatsReno(),
		traceCapacity(env),
		bbrBufferbloat(),
		cubicBufferbloat(),
		bbrGainCycle(),
		bbrProbeRTT(),
		vegasQueue(),
		copaQueue(),
		ledbatTarget(),
		ledbatYields(),
	}
}

// renoFillsBDP: one reno flow keeps a link with a one-BDP droptail buffer
// busy: after a halving the buffer still holds a BDP of data.
func renoFillsBDP() Scenario {
	return Scenario{
		Name: "reno-1bdp-utilization", Schemes: []string{"reno"},
		Claim:  "reno fills 12 Mbit/s, 40 ms RTT with a 1-BDP buffer: utilization ≥ 95% over 10–30 s",
		Source: "Villamizar & Song 1994 (the BDP buffer rule); RFC 5681",
		Run: func(ctx context.Context) (Result, error) {
			r, err := simulate(ctx, link("12mbit", 20*time.Millisecond, bdpPackets(12e6, 40*time.Millisecond), 30*time.Second, flows("reno")...))
			if err != nil {
				return Result{}, err
			}
			u := r.mean("link/uplink/departures", 10*time.Second, 30*time.Second) / r.mean("link/uplink/capacity", 10*time.Second, 30*time.Second)
			return check(u >= 0.95, "≥ 95%", "%.1f%%", 100*u), nil
		},
	}
}

// renoMathis: reno under random loss follows Mathis et al.'s square-root
// law, 1.22·MSS/(RTT·√p).
func renoMathis() Scenario {
	return Scenario{
		Name: "reno-mathis", Schemes: []string{"reno"},
		Claim:  "reno under 1% i.i.d. loss on 100 Mbit/s, 50 ms RTT gets 1.22·MSS/(RTT·√p) ± 25%",
		Source: "Mathis, Semke, Mahdavi, Ott, CCR 1997",
		Run: func(ctx context.Context) (Result, error) {
			e := link("100mbit", 25*time.Millisecond, 0, 200*time.Second, flows("reno")...)
			e.Uplink.Loss = "1%"
			r, err := simulate(ctx, e)
			if err != nil {
				return Result{}, err
			}
			want := 1.22 * 1448 * 8 / (0.050 * math.Sqrt(0.01))
			got := r.mean("flow/1/goodput", 20*time.Second, 200*time.Second)
			return check(math.Abs(got-want)/want <= 0.25, fmt.Sprintf("%.2f Mbit/s ± 25%%", want/1e6),
				"%.2f Mbit/s (%.2f×)", got/1e6, got/want), nil
		},
	}
}

// cubicBeatsReno: on a long fat pipe CUBIC grows faster than Reno.
func cubicBeatsReno() Scenario {
	return Scenario{
		Name: "cubic-vs-reno-lfn", Schemes: []string{"reno", "cubic"},
		Claim:  "reno vs cubic on 100 Mbit/s, 100 ms RTT, 1-BDP buffer: cubic gets more",
		Source: "RFC 9438 §1, §5 (cubic is designed to use large BDPs better than Reno)",
		Run: func(ctx context.Context) (Result, error) {
			e := link("100mbit", 50*time.Millisecond, bdpPackets(100e6, 100*time.Millisecond), 120*time.Second, flows("reno", "cubic")...)
			r, err := simulate(ctx, e)
			if err != nil {
				return Result{}, err
			}
			reno := r.mean("flow/1/throughput", 20*time.Second, 120*time.Second)
			cubic := r.mean("flow/2/throughput", 20*time.Second, 120*time.Second)
			return check(cubic > 1.2*reno, "cubic > 1.2× reno", "cubic %.1f, reno %.1f Mbit/s (%.2f×)", cubic/1e6, reno/1e6, cubic/reno), nil
		},
	}
}

// cubicFairness: two cubic flows converge to equal shares.
func cubicFairness() Scenario {
	return Scenario{
		Name: "cubic-fairness", Schemes: []string{"cubic"},
		Claim:  "two cubic flows on 50 Mbit/s, 40 ms RTT, 2-BDP buffer: Jain's index ≥ 0.95 within 30 s",
		Source: "RFC 9438 §5.3 (intra-protocol fairness); Jain, Chiu, Hawe 1984",
		Run: func(ctx context.Context) (Result, error) {
			// With a 1-BDP buffer the flow that probes while the other sits
			// at its W_max plateau takes most drops, and CUBIC needs minutes,
			// not seconds, to even out (Jain 0.94 at 30 s, 0.97 at 120 s).
			r, err := simulate(ctx, link("50mbit", 20*time.Millisecond, 2*bdpPackets(50e6, 40*time.Millisecond), 30*time.Second, flows("cubic", "cubic")...))
			if err != nil {
				return Result{}, err
			}
			j := r.sim.Summary().Jain
			a := r.mean("flow/1/throughput", 20*time.Second, 30*time.Second)
			b := r.mean("flow/2/throughput", 20*time.Second, 30*time.Second)
			jl := (a + b) * (a + b) / (2 * (a*a + b*b))
			return check(j >= 0.95 && jl >= 0.95, "≥ 0.95", "%.3f over 30 s, %.3f over 20–30 s", j, jl), nil
		},
	}
}

// traceCapacity: a flow over a cellular trace never gets more than the
// trace offers.
func traceCapacity(env Env) Scenario {
	return Scenario{
		Name: "trace-capacity", Schemes: []string{"cubic"},
		Claim:  "cubic over the Verizon LTE trace never delivers more than the trace's opportunities",
		Source: "mahimahi trace semantics (../shared/docs/mahimahi-pantheon.md §1.1)",
		Run: func(ctx context.Context) (Result, error) {
			if env.TracesDir == "" {
				return Result{Skipped: "../shared/traces not found"}, nil
			}
			e := link(env.TracesDir+"/Verizon-LTE-short.down", 20*time.Millisecond, 200, 60*time.Second, flows("cubic")...)
			e.Downlink.Capacity = env.TracesDir + "/Verizon-LTE-short.up"
			r, err := simulate(ctx, e)
			if err != nil {
				return Result{}, err
			}
			capS, dep, thr := r.rec.series["link/uplink/capacity"], r.rec.series["link/uplink/departures"], r.rec.series["flow/1/throughput"]
			var cumCap, cumThr float64
			worst := 0.0
			ok := true
			for i := range capS.t {
				if dep.v[i] > capS.v[i]+1e-6 {
					ok = false
				}
				cumCap += capS.v[i]
				cumThr += thr.v[i]
				if cumThr > cumCap+1e-6 {
					ok = false
				}
				if cumCap > 0 {
					worst = max(worst, cumThr/cumCap)
				}
			}
			return check(ok && cumThr > 0.5*cumCap, "never above 100%, per 10 ms and cumulatively",
				"uses %.1f%% of the trace; cumulative peak %.1f%%", 100*cumThr/cumCap, 100*worst), nil
		},
	}
}
