package cc

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

func TestBBRRegistry(t *testing.T) {
	s, ok := Lookup("bbr")
	if !ok {
		t.Fatal("bbr is not registered")
	}
	want := []string{"high_gain", "cwnd_gain", "probe_rtt_interval", "probe_rtt_duration", "bw_window", "full_bw_rounds", "lt_bw", "extra_acked_gain", "pacing_margin", "seed", "iw"}
	var names []string
	for _, p := range s.Params {
		names = append(names, p.Name)
		if p.Doc == "" {
			t.Errorf("parameter %s has no doc", p.Name)
		}
		if p.Default < p.Min || p.Default > p.Max {
			t.Errorf("parameter %s: default %v outside [%v, %v]", p.Name, p.Default, p.Min, p.Max)
		}
	}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("bbr parameters %v, want %v", names, want)
	}
	for name, unit := range map[string]string{"probe_rtt_interval": "s", "probe_rtt_duration": "ms", "bw_window": "rounds", "pacing_margin": "%", "iw": "segments"} {
		if p, _ := s.Param(name); p.Unit != unit {
			t.Errorf("%s unit %q, want %q", name, p.Unit, unit)
		}
	}

	cfgOf := func(spec string) BBRConfig {
		t.Helper()
		b, ok := mustNew(t, spec).(*BBR)
		if !ok {
			t.Fatalf("%s did not build a *BBR", spec)
		}
		return b.cfg
	}
	if got := cfgOf("bbr"); got != DefaultBBRConfig() {
		t.Errorf("bbr config %+v, want the defaults %+v", got, DefaultBBRConfig())
	}
	got := cfgOf("bbr:high_gain=2,cwnd_gain=3,probe_rtt_interval=5,probe_rtt_duration=0,bw_window=6,full_bw_rounds=4,lt_bw=off,extra_acked_gain=0,pacing_margin=0,seed=42,iw=4")
	wantCfg := BBRConfig{HighGain: 2, CwndGain: 3, ProbeRTTInterval: 5 * time.Second, ProbeRTTDuration: 0,
		BwWindow: 6, FullBwRounds: 4, LTBw: false, ExtraAckedGain: 0, PacingMargin: 0, Seed: 42, IW: 4}
	if got != wantCfg {
		t.Errorf("config %+v, want %+v", got, wantCfg)
	}
	for spec, msg := range map[string]string{
		"bbr:cwnd_gain=0.5":    "cwnd_gain=0.5 is out of range",
		"bbr:high_gain=1":      "high_gain=1 is out of range",
		"bbr:bw_window=2.5":    "bw_window=2.5 is not a whole number of rounds",
		"bbr:cwnd_gian=2":      `did you mean "cwnd_gain"?`,
		"bbr:pacing_margin=60": "want 0 to 50 %",
	} {
		if _, err := New(spec); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("New(%q) = %v, want an error with %q", spec, err, msg)
		}
	}
}

func TestBBRVars(t *testing.T) {
	p, b := newBBRTestPath(t, "bbr")
	p.run(3 * time.Second)
	units := map[string]string{
		"btl_bw": "bit/s", "max_bw": "bit/s", "lt_bw": "bit/s", "lt_use": "",
		"min_rtt": "ms", "min_rtt_age": "s", "bdp": "packets", "target_cwnd": "packets", "prior_cwnd": "packets",
		"pacing_gain": "", "cwnd_gain": "", "cycle_idx": "", "round": "", "full_bw": "", "full_bw_cnt": "",
		"extra_acked": "packets", "recovery": "", "conservation": "",
	}
	vars := b.Vars(nil)
	if len(vars) != len(units) {
		t.Errorf("%d vars, want %d", len(vars), len(units))
	}
	for _, v := range vars {
		u, ok := units[v.Name]
		if !ok || u != v.Unit {
			t.Errorf("var %s in %q, want %q (known: %v)", v.Name, v.Unit, u, ok)
		}
	}
	// Consistency: bdp = btl_bw·min_rtt in packets; min_rtt_age = time
	// since the first ACK; round counts ~RTTs.
	bw, rtt := varOf(t, b, "btl_bw")/8, varOf(t, b, "min_rtt")/1000
	if bdp := varOf(t, b, "bdp"); math.Abs(bdp-bw*rtt/testMSS) > 1e-9 {
		t.Errorf("bdp %v, want btl_bw·min_rtt/MSS = %v", bdp, bw*rtt/testMSS)
	}
	if age := varOf(t, b, "min_rtt_age"); math.Abs(age-(p.now-bbrTestRTT).Seconds()) > 0.01 {
		t.Errorf("min_rtt_age %v s at %v, want the time since the first ACK", age, p.now)
	}
	if r := varOf(t, b, "round"); r < 40 || r > 60 {
		t.Errorf("round %v after 3 s of 50–150-ms rounds", r)
	}
	if _, err := New("bbr"); err != nil || b.Name() != "bbr" {
		t.Errorf("Name %q", b.Name())
	}
	// The modes users see.
	seen := map[string]bool{}
	p.onAck = func(*transport.Sample) { seen[b.Mode()] = true }
	p.run(11 * time.Second)
	for _, m := range []string{"probe_bw", "probe_rtt"} {
		if !seen[m] {
			t.Errorf("mode %q never shown (seen %v)", m, seen)
		}
	}
}

func TestBBRParamsChangeBehaviour(t *testing.T) {
	steadyCwnd := func(spec string) float64 {
		p, _ := newBBRTestPath(t, spec)
		p.run(5 * time.Second)
		return p.cwndPkts()
	}
	t.Run("cwnd_gain", func(t *testing.T) {
		for _, g := range []float64{1.5, 2, 3} {
			c := steadyCwnd("bbr:cwnd_gain=" + formatNum(g))
			if lo := math.Ceil(g * bbrTestBDP); c < lo+3 || c > lo+6 {
				t.Errorf("cwnd_gain=%v: steady cwnd %v packets, want cwnd_gain·BDP + 3..6 = %v..%v", g, c, lo+3, lo+6)
			}
		}
	})
	t.Run("high_gain", func(t *testing.T) {
		p, b := newBBRTestPath(t, "bbr:high_gain=2")
		peak := 0.0
		p.onAck = func(*transport.Sample) {
			switch b.Mode() {
			case "startup":
				peak = max(peak, p.cwndPkts())
				if g := varOf(t, b, "pacing_gain"); g != 2 {
					t.Fatalf("startup pacing gain %v with high_gain=2", g)
				}
			case "drain":
				if g := varOf(t, b, "pacing_gain"); g != 0.5 {
					t.Fatalf("drain pacing gain %v with high_gain=2, want 1/2", g)
				}
			}
		}
		p.runUntil(5*time.Second, "probe_bw", func() bool { return b.Mode() == "probe_bw" })
		if peak < 1.8*bbrTestBDP || peak > 2*bbrTestBDP+6 {
			t.Errorf("high_gain=2: startup cwnd peaked at %v packets, want ≈ 2·BDP", peak)
		}
	})
	t.Run("full_bw_rounds", func(t *testing.T) {
		drainRound := func(spec string) int {
			p, b := newBBRTestPath(t, spec)
			l := logRounds(p, b)
			p.runUntil(5*time.Second, "drain", func() bool { return b.Mode() == "drain" })
			return l.firstMode["drain"]
		}
		if d3, d5 := drainRound("bbr"), drainRound("bbr:full_bw_rounds=5"); d5 != d3+2 {
			t.Errorf("Startup ended in round %d with 3 flat rounds, %d with 5: want 2 rounds later", d3, d5)
		}
	})
	t.Run("probe_rtt", func(t *testing.T) {
		for _, tc := range []struct {
			spec     string
			episodes int
			first    time.Duration // when the first ProbeRTT is due
			hold     time.Duration
		}{
			{"bbr:probe_rtt_interval=3", 3, 3*time.Second + bbrTestRTT, 200 * time.Millisecond},
			{"bbr:probe_rtt_duration=500", 1, 10*time.Second + bbrTestRTT, 500 * time.Millisecond},
			{"bbr:probe_rtt_duration=0", 0, 0, 0},
		} {
			p, b := newBBRTestPath(t, tc.spec)
			spans := logModes(p, b)
			p.run(12 * time.Second)
			rtt := spansOf(*spans, "probe_rtt")
			if len(rtt) != tc.episodes {
				t.Errorf("%s: %d ProbeRTT episodes in 12 s, want %d", tc.spec, len(rtt), tc.episodes)
				continue
			}
			if tc.episodes == 0 {
				continue
			}
			if s := rtt[0].start; s <= tc.first || s > tc.first+10*time.Millisecond {
				t.Errorf("%s: first ProbeRTT at %v, want just after %v", tc.spec, s, tc.first)
			}
			for _, s := range rtt {
				if h := s.end - s.lowAt; h < tc.hold || h > tc.hold+bbrTestRTT+10*time.Millisecond {
					t.Errorf("%s: ProbeRTT held 4 packets for %v, want %v (+ at most a round)", tc.spec, h, tc.hold)
				}
			}
		}
	})
	t.Run("pacing_margin", func(t *testing.T) {
		for _, m := range []float64{0, 1, 5} {
			p, b := newBBRTestPath(t, "bbr:pacing_margin="+formatNum(m))
			p.run(4 * time.Second)
			want := varOf(t, b, "pacing_gain") * varOf(t, b, "btl_bw") / 8 * (1 - m/100)
			if math.Abs(p.ctl.PacingRate-want) > 1e-9*want {
				t.Errorf("pacing_margin=%v: pacing %v, want gain·btl_bw·(1−margin) = %v", m, p.ctl.PacingRate, want)
			}
		}
	})
	t.Run("extra_acked_gain", func(t *testing.T) {
		// ACKs released in 20-ms batches: BBR sees up to 20 ms of data
		// ACKed at once beyond what btl_bw explains, and adds that much
		// headroom to cwnd (Linux 5.1+); extra_acked_gain=0 adds none.
		run := func(spec string) (extra, target float64) {
			p, b := newBBRTestPath(t, spec)
			p.ackBatch = 20 * time.Millisecond
			p.run(5 * time.Second)
			return varOf(t, b, "extra_acked"), varOf(t, b, "target_cwnd")
		}
		extra, target := run("bbr")
		if extra < 15 || extra > 25 {
			t.Errorf("extra_acked %v packets with 20-ms ACK batches at 1000 packets/s, want ≈ 20", extra)
		}
		if base := 2*bbrTestBDP + 4.0; target < base+extra-1 || target > base+extra+3 {
			t.Errorf("target cwnd %v, want 2·BDP + extra_acked %v + budget ≈ %v", target, extra, base+extra)
		}
		extra0, target0 := run("bbr:extra_acked_gain=0")
		if extra0 != 0 || target0 < 2*bbrTestBDP+3 || target0 > 2*bbrTestBDP+6 {
			t.Errorf("extra_acked_gain=0: extra_acked %v, target %v, want 0 and 2·BDP + 3..6", extra0, target0)
		}
	})
}

func TestBBRDeterministic(t *testing.T) {
	trace := func(c transport.Controller) []float64 {
		p := newBBRPath(t, c, bbrTestRate, bbrTestRTT)
		p.drop = func(seq int64, _ time.Duration) bool { return seq/testMSS%97 == 0 }
		var out []float64
		p.onAck = func(s *transport.Sample) {
			out = append(out, float64(s.Now), float64(p.ctl.Cwnd), p.ctl.PacingRate)
		}
		p.run(12 * time.Second)
		return out
	}
	c := mustNew(t, "bbr:seed=7")
	a := trace(c)
	b := trace(mustNew(t, "bbr:seed=7"))
	again := trace(c) // Init resets everything
	if len(a) != len(b) || len(a) != len(again) {
		t.Fatalf("trace lengths %d, %d, %d", len(a), len(b), len(again))
	}
	for i := range a {
		if a[i] != b[i] || a[i] != again[i] {
			t.Fatalf("runs differ at %d: %v, %v, %v", i, a[i], b[i], again[i])
		}
	}
}
