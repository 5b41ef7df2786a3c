package agent

import (
	"testing"
)

func TestConstSetsCwndOnce(t *testing.T) {
	env, _, _ := testEnv()
	alg, err := NewWithEnv("const:cwnd=50000", env)
	if err != nil {
		t.Fatal(err)
	}
	dp := newFakeDP(t, alg)
	f := alg.NewFlow(dp, FlowInfo{InitCwnd: 14480, MSS: 1448})
	calls := dp.takeCalls()
	if len(calls) != 1 || !calls[0].set || calls[0].scope.Program != constProg || len(calls[0].fields) != 1 || lastSet(t, calls, "Cwnd") != 50000 {
		t.Fatalf("calls %v, want SetProgram(constant, Cwnd=50000)", calls)
	}
	for i := range 10 {
		f.OnReport(dp.report(map[string]uint64{"rtt": 50_000, "rin": 1e6, "rout": 1e6, "loss": uint64(i % 2)}))
	}
	f.OnReport(NewReport(constProg, 99, nil, nil))
	if calls := dp.takeCalls(); len(calls) != 0 {
		t.Fatalf("reports caused calls %v, want none", calls)
	}
	f.Close()
}

func TestConstModes(t *testing.T) {
	for _, tc := range []struct {
		spec   string
		fields map[string]uint64
	}{
		{"const", map[string]uint64{"Cwnd": 14480}},
		{"const:rate=1000000,cwnd_cap=100000", map[string]uint64{"Cwnd": 100000, "Rate": 1000000}},
		{"const:rate=1000000", map[string]uint64{"Cwnd": 1<<31 - 1, "Rate": 1000000}},
	} {
		alg, err := New(tc.spec)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		dp := newFakeDP(t, alg)
		alg.NewFlow(dp, FlowInfo{InitCwnd: 14480, MSS: 1448})
		calls := dp.takeCalls()
		if len(calls) != 1 || len(calls[0].fields) != len(tc.fields) {
			t.Fatalf("%s: calls %v, want SetProgram with %v", tc.spec, calls, tc.fields)
		}
		for k, v := range tc.fields {
			if got, _ := calls[0].field(k); got != v {
				t.Errorf("%s: %s=%d, want %d", tc.spec, k, got, v)
			}
		}
	}
}

func TestAIMD(t *testing.T) {
	env, _, _ := testEnv()
	alg := NewAIMD(DefaultAIMDConfig(), env)
	dp := newFakeDP(t, alg)
	f := alg.NewFlow(dp, FlowInfo{InitCwnd: 3000, MSS: testMSS}) // its own 10-segment initial window
	if got := dp.mustVal("Cwnd"); got != 10*testMSS {
		t.Fatalf("initial Cwnd %d, want 10 segments", got)
	}
	rep := func(acked, sacked, loss uint64) {
		f.OnReport(dp.report(map[string]uint64{"acked": acked, "sacked": sacked, "loss": loss, "rtt": 50_000, "inflight": 10}))
	}
	// Additive increase: +1 MSS per window acked.
	rep(10*testMSS, 0, 0)
	if got := dp.mustVal("Cwnd"); got != 11*testMSS {
		t.Fatalf("cwnd %d after a window acked, want %d", got, 11*testMSS)
	}
	for range 9 {
		rep(dp.mustVal("Cwnd"), 0, 0)
	}
	if got := dp.mustVal("Cwnd"); got != 20*testMSS {
		t.Fatalf("cwnd %d after 10 windows, want %d", got, 20*testMSS)
	}
	// Multiplicative decrease on loss, and on sacks.
	rep(5*testMSS, 0, 2)
	if got := dp.mustVal("Cwnd"); got != 10*testMSS {
		t.Fatalf("cwnd %d after a loss, want half: %d", got, 10*testMSS)
	}
	rep(11*testMSS, 0, 0)
	rep(0, 3, 0)
	if got := dp.mustVal("Cwnd"); got != 10*testMSS {
		t.Fatalf("cwnd %d after a sack at 11 segments, want the floor %d", got, 10*testMSS)
	}
	// Parameters.
	alg2, err := NewWithEnv("aimd:init_cwnd=4,ai=2,md=0.75", env)
	if err != nil {
		t.Fatal(err)
	}
	dp2 := newFakeDP(t, alg2)
	f2 := alg2.NewFlow(dp2, FlowInfo{MSS: testMSS})
	f2.OnReport(dp2.report(map[string]uint64{"acked": 4 * testMSS}))
	if got := dp2.mustVal("Cwnd"); got != 6*testMSS {
		t.Fatalf("ai=2: cwnd %d, want %d", got, 6*testMSS)
	}
	f2.OnReport(dp2.report(map[string]uint64{"loss": 1}))
	if got := dp2.mustVal("Cwnd"); got != 4500 {
		t.Fatalf("md=0.75: cwnd %d, want 4500", got)
	}
}
