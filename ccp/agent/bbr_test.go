package agent

import (
	"testing"
	"time"
)

func startBBR(t *testing.T, cfg BBRConfig) (Flow, *fakeDP, *fakeClock) {
	t.Helper()
	env, clk, _ := testEnv()
	alg := NewBBR(cfg, env)
	dp := newFakeDP(t, alg)
	f := alg.NewFlow(dp, FlowInfo{SockID: 7, InitCwnd: 10 * testMSS, MSS: testMSS, CongAlg: "bbr"})
	return f, dp, clk
}

// bbrCheckFields checks a probe_bw installation or update: the rates are
// 3/4, 1 and 5/4 of bottle and the cap 2·bottle·minRTT.
func bbrCheckFields(t *testing.T, c dpCall, bottle, minRTTus float64) {
	t.Helper()
	want := map[string]uint64{
		"bottleRate":       uint64(bottle),
		"threeFourthsRate": uint64(0.75 * bottle),
		"fiveFourthsRate":  uint64(1.25 * bottle),
		"cwndCap":          uint64(2 * bottle * minRTTus / 1e6),
	}
	for k, v := range want {
		if got, ok := c.field(k); !ok || got != v {
			t.Errorf("%v: %s=%d, want %d", c, k, got, v)
		}
	}
}

func TestBBRPrograms(t *testing.T) {
	f, dp, clk := startBBR(t, BBRConfig{})
	calls := dp.takeCalls()
	if len(calls) != 1 || !calls[0].set || calls[0].scope.Program != bbrProgInit || lastSet(t, calls, "Cwnd") != 10*testMSS {
		t.Fatalf("start: calls %v, want SetProgram(init_program, Cwnd=%d)", calls, 10*testMSS)
	}
	initScope := dp.scope()

	// The first report (min RTT 50 ms, 10 Mbit/s) starts PROBE_BW: Cwnd
	// and Rate = 5/4 × bottle rate in the old program, then probe_bw with
	// its rates and cap.
	f.OnReport(dp.report(map[string]uint64{"minrtt": 50_000, "rate": 1_250_000, "pulseState": 5}))
	calls = dp.takeCalls()
	if len(calls) != 2 || calls[0].set || calls[0].scope.Program != bbrProgInit || !calls[1].set || calls[1].scope.Program != bbrProgProbeBW {
		t.Fatalf("calls %v, want an update of init_program then SetProgram(probe_bw)", calls)
	}
	if cw, _ := calls[0].field("Cwnd"); cw != 125_000 {
		t.Errorf("Cwnd %d, want 2·1.25e6 B/s·50 ms = 125000", cw)
	}
	if r, _ := calls[0].field("Rate"); r != 1_562_500 {
		t.Errorf("Rate %d, want 1.25 × 1250000", r)
	}
	bbrCheckFields(t, calls[1], 1_250_000, 50_000)

	// A stale report of init_program is ignored.
	f.OnReport(dp.reportOf(initScope, map[string]uint64{"minrtt": 10_000, "rate": 9_000_000}))
	if calls := dp.takeCalls(); len(calls) != 0 {
		t.Fatalf("stale report: calls %v", calls)
	}

	// A faster rate raises the bottle rate and all of probe_bw's fields.
	clk.advance(time.Second)
	f.OnReport(dp.report(map[string]uint64{"minrtt": 50_000, "rate": 2_000_000, "pulseState": 1}))
	calls = dp.takeCalls()
	if len(calls) != 1 || calls[0].set {
		t.Fatalf("calls %v, want one update", calls)
	}
	bbrCheckFields(t, calls[0], 2_000_000, 50_000)

	// A slower rate changes nothing (the bottle rate is the max).
	f.OnReport(dp.report(map[string]uint64{"minrtt": 50_000, "rate": 1_000_000, "pulseState": 2}))
	if calls := dp.takeCalls(); len(calls) != 0 {
		t.Fatalf("slower rate: calls %v", calls)
	}

	// A smaller RTT updates the cap (and restarts the 10 s).
	clk.advance(time.Second)
	f.OnReport(dp.report(map[string]uint64{"minrtt": 40_000, "rate": 1_000_000}))
	calls = dp.takeCalls()
	if len(calls) != 1 || lastSet(t, calls, "cwndCap") != 160_000 {
		t.Fatalf("calls %v, want cwndCap=2·2e6·40 ms = 160000", calls)
	}

	// 10 s without a smaller RTT: PROBE_RTT holds 4 packets.
	clk.advance(10*time.Second - time.Millisecond)
	f.OnReport(dp.report(map[string]uint64{"minrtt": 45_000, "rate": 1_000_000}))
	if calls := dp.takeCalls(); len(calls) != 0 {
		t.Fatalf("before 10 s: calls %v", calls)
	}
	clk.advance(2 * time.Millisecond)
	f.OnReport(dp.report(map[string]uint64{"minrtt": 45_000, "rate": 1_000_000}))
	calls = dp.takeCalls()
	if len(calls) != 2 || !calls[0].set || calls[0].scope.Program != bbrProgProbeRTT || calls[1].scope.Program != bbrProgProbeRTT || lastSet(t, calls, "Cwnd") != 4*testMSS {
		t.Fatalf("calls %v, want SetProgram(probe_rtt) then Cwnd=4 packets", calls)
	}

	// probe_rtt's report gives the new min RTT; back to probe_bw with it.
	f.OnReport(dp.report(map[string]uint64{"minrtt": 45_000}))
	calls = dp.takeCalls()
	if len(calls) != 2 || calls[0].scope.Program != bbrProgProbeRTT || !calls[1].set || calls[1].scope.Program != bbrProgProbeBW {
		t.Fatalf("calls %v, want Cwnd/Rate then SetProgram(probe_bw)", calls)
	}
	if r, _ := calls[0].field("Rate"); r != 2_500_000 {
		t.Errorf("Rate %d, want 1.25 × 2e6", r)
	}
	bbrCheckFields(t, calls[1], 2_000_000, 45_000)
}

// TestBBRProbeRTTEvery10s runs BBR for 35 s of per-100-ms reports with a
// constant RTT and checks it enters PROBE_RTT about every 10 s.
func TestBBRProbeRTTEvery10s(t *testing.T) {
	f, dp, clk := startBBR(t, BBRConfig{})
	start := clk.Now()
	var probes []time.Duration
	for clk.Now()-start < 35*time.Second {
		clk.advance(100 * time.Millisecond)
		switch dp.scope().Program {
		case bbrProgProbeRTT:
			f.OnReport(dp.report(map[string]uint64{"minrtt": 30_000}))
		default:
			f.OnReport(dp.report(map[string]uint64{"minrtt": 30_000, "rate": 5_000_000}))
		}
		for _, c := range dp.takeCalls() {
			if c.set && c.scope.Program == bbrProgProbeRTT {
				probes = append(probes, clk.Now()-start)
			}
		}
	}
	if len(probes) != 3 {
		t.Fatalf("PROBE_RTT at %v, want 3 times in 35 s", probes)
	}
	for i, at := range probes {
		// The first min RTT arrives at 0.1 s; each PROBE_RTT takes a
		// report (0.1 s) and the next starts 10 s after it ends.
		want := time.Duration(i+1)*10*time.Second + time.Duration(2*i+1)*100*time.Millisecond
		if at < want || at > want+200*time.Millisecond {
			t.Errorf("PROBE_RTT %d at %v, want about %v", i+1, at, want)
		}
	}
	if got := dp.mustVal("Rate"); got != 5_000_000*5/4 {
		t.Errorf("Rate %d, want 5/4 × the bottle rate", got)
	}
}

func TestBBRProbeRTTInterval(t *testing.T) {
	a, err := NewWithEnv("bbr:probe_rtt_interval=2", Env{})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.(*bbrAlg).cfg.ProbeRTTInterval; got != 2*time.Second {
		t.Fatalf("interval %v, want 2s", got)
	}
	f, dp, clk := startBBR(t, BBRConfig{ProbeRTTInterval: 2 * time.Second})
	f.OnReport(dp.report(map[string]uint64{"minrtt": 30_000, "rate": 1_000_000}))
	clk.advance(2*time.Second + time.Millisecond)
	f.OnReport(dp.report(map[string]uint64{"minrtt": 30_000, "rate": 1_000_000}))
	if dp.scope().Program != bbrProgProbeRTT {
		t.Fatalf("running %s after 2 s, want probe_rtt", dp.scope().Program)
	}
}

func TestBBRBadReport(t *testing.T) {
	f, dp, _ := startBBR(t, BBRConfig{})
	sc := dp.scope()
	dp.takeCalls()
	f.OnReport(NewReport(sc.Program, sc.UID, []string{"minrtt"}, []uint64{1000}))
	f.OnReport(NewReport(sc.Program, sc.UID, nil, nil))
	if calls := dp.takeCalls(); len(calls) != 0 {
		t.Fatalf("calls %v, want none", calls)
	}
}
