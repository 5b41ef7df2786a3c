package agent

import (
	"errors"
	"log/slog"
	"math"
	"testing"
	"time"
)

const testMSS = 1000

// startGCA starts a flow of a generic-cong-avoid algorithm with a 10-packet
// initial window of 1000-byte packets.
func startGCA(t *testing.T, newAlg func(GCAConfig, Env) Alg, cfg GCAConfig) (Flow, *fakeDP, *fakeClock, recLog) {
	t.Helper()
	env, clk, log := testEnv()
	alg := newAlg(cfg, env)
	dp := newFakeDP(t, alg)
	f := alg.NewFlow(dp, FlowInfo{SockID: 7, InitCwnd: 10 * testMSS, MSS: testMSS, CongAlg: alg.Name()})
	return f, dp, clk, log
}

// gcaReport is a report of generic-cong-avoid's variables.
func gcaReport(dp *fakeDP, acked, sacked, loss uint64, timeout bool, rtt, inflight uint64) Report {
	to := uint64(0)
	if timeout {
		to = 1
	}
	return dp.report(map[string]uint64{"acked": acked, "sacked": sacked, "loss": loss, "timeout": to, "rtt": rtt, "inflight": inflight})
}

func TestGCAProgramChoice(t *testing.T) {
	for _, tc := range []struct {
		cfg    GCAConfig
		prog   string
		fields map[string]uint64
	}{
		{DefaultGCAConfig(), gcaProgRTT, nil},
		{GCAConfig{SSThresh: gcaDefaultSSThresh, PerAck: true}, gcaProgAck, nil},
		{GCAConfig{SSThresh: gcaDefaultSSThresh, ReportInterval: 50 * time.Millisecond}, gcaProgInterval, map[string]uint64{"reportTime": 50000}},
		{GCAConfig{SSThresh: gcaDefaultSSThresh, SSInFold: true}, gcaProgSS, nil},
	} {
		_, dp, _, _ := startGCA(t, NewReno, tc.cfg)
		calls := dp.takeCalls()
		if len(calls) != 1 || !calls[0].set || calls[0].scope.Program != tc.prog || len(calls[0].fields) != len(tc.fields) {
			t.Errorf("%+v: calls %v, want one SetProgram(%s) with %v", tc.cfg, calls, tc.prog, tc.fields)
			continue
		}
		for k, v := range tc.fields {
			if got, _ := calls[0].field(k); got != v {
				t.Errorf("%+v: %s=%d, want %d", tc.cfg, k, got, v)
			}
		}
	}
}

func TestRenoSlowStartDoublesPerRTT(t *testing.T) {
	f, dp, _, _ := startGCA(t, NewReno, DefaultGCAConfig())
	dp.takeCalls()
	cwnd := uint64(10 * testMSS)
	for range 5 {
		// One RTT acks one window.
		f.OnReport(gcaReport(dp, cwnd, 0, 0, false, 100_000, cwnd/testMSS))
		calls := dp.takeCalls()
		if len(calls) != 1 || calls[0].set || calls[0].scope.Program != gcaProgRTT {
			t.Fatalf("calls %v, want one Update of %s", calls, gcaProgRTT)
		}
		got := lastSet(t, calls, "Cwnd")
		if got != 2*cwnd {
			t.Fatalf("slow start: cwnd %d after acking %d, want %d", got, cwnd, 2*cwnd)
		}
		cwnd = got
	}
}

func TestRenoLossHalvesNotBelowInit(t *testing.T) {
	f, dp, _, _ := startGCA(t, NewReno, DefaultGCAConfig())
	f.OnReport(gcaReport(dp, 30*testMSS, 0, 0, false, 100_000, 10)) // 40 packets
	if got := dp.mustVal("Cwnd"); got != 40*testMSS {
		t.Fatalf("cwnd %d, want %d", got, 40*testMSS)
	}
	f.OnReport(gcaReport(dp, 0, 0, 1, false, 100_000, 40))
	if got := dp.mustVal("Cwnd"); got != 20*testMSS {
		t.Fatalf("after a loss cwnd %d, want half: %d", got, 20*testMSS)
	}
	// ss_thresh is now 20 packets: the next clean report acks one packet
	// (paying the one-packet deficit) in congestion avoidance.
	f.OnReport(gcaReport(dp, testMSS, 0, 0, false, 100_000, 20))
	if got, want := dp.mustVal("Cwnd"), uint64(20*testMSS+testMSS*testMSS/(20*testMSS)); got != want {
		t.Fatalf("after the loss cwnd %d, want congestion avoidance's %d", got, want)
	}
	// Losses far down never take the window below the initial one.
	for range 5 {
		f.OnReport(gcaReport(dp, 0, 0, 1, false, 100_000, 10))
		f.OnReport(gcaReport(dp, testMSS, 0, 0, false, 100_000, 10))
	}
	if got := dp.mustVal("Cwnd"); got < 10*testMSS || got > 11*testMSS {
		t.Fatalf("after many losses cwnd %d, want the initial %d (+ a little)", got, 10*testMSS)
	}
}

func TestRenoCongestionAvoidance(t *testing.T) {
	cfg := DefaultGCAConfig()
	cfg.SSThresh = 10 * testMSS // start in congestion avoidance
	f, dp, _, _ := startGCA(t, NewReno, cfg)

	// A window of acked bytes in one report adds exactly one MSS.
	f.OnReport(gcaReport(dp, 10*testMSS, 0, 0, false, 100_000, 10))
	if got := dp.mustVal("Cwnd"); got != 11*testMSS {
		t.Fatalf("cwnd %d after a window acked, want %d", got, 11*testMSS)
	}
	// Per-packet reports over a window add just under one MSS
	// (Σ mss²/cwnd_i as the window grows).
	start := dp.mustVal("Cwnd")
	for range start / testMSS {
		f.OnReport(gcaReport(dp, testMSS, 0, 0, false, 100_000, 11))
	}
	got := dp.mustVal("Cwnd")
	if got <= start+testMSS*95/100 || got > start+testMSS {
		t.Fatalf("cwnd %d after a window acked packet by packet, want about %d", got, start+testMSS)
	}
}

func TestGCASlowStartStopsAtSSThresh(t *testing.T) {
	cfg := DefaultGCAConfig()
	cfg.SSThresh = 15 * testMSS
	f, dp, _, _ := startGCA(t, NewReno, cfg)
	f.OnReport(gcaReport(dp, 10*testMSS, 0, 0, false, 100_000, 10))
	// 5 packets of slow start reach ss_thresh; the other 5 are congestion
	// avoidance: 15000 + 1000·5000/15000.
	if got, want := dp.mustVal("Cwnd"), uint64(15*testMSS+testMSS*5*testMSS/(15*testMSS)); got != want {
		t.Fatalf("cwnd %d, want %d", got, want)
	}
}

func TestGCACompensatedSlowStart(t *testing.T) {
	cfg := DefaultGCAConfig()
	cfg.Compensate = true
	f, dp, _, _ := startGCA(t, NewReno, cfg)
	f.OnReport(gcaReport(dp, 10*testMSS, 0, 0, false, 100_000, 10))
	if got, want := dp.mustVal("Cwnd"), uint64(10*testMSS+math.Floor(10*testMSS/math.Ln2)); got != want {
		t.Fatalf("cwnd %d, want %d (acked/ln 2 more)", got, want)
	}
}

func TestGCATimeout(t *testing.T) {
	f, dp, _, log := startGCA(t, NewReno, DefaultGCAConfig())
	f.OnReport(gcaReport(dp, 30*testMSS, 0, 0, false, 100_000, 10)) // 40 packets
	f.OnReport(gcaReport(dp, 0, 0, 1, false, 100_000, 40))          // loss: 20, ss_thresh 20
	f.OnReport(gcaReport(dp, 0, 0, 0, true, 100_000, 0))            // timeout
	if got := dp.mustVal("Cwnd"); got != 10*testMSS {
		t.Fatalf("after a timeout cwnd %d, want the initial %d", got, 10*testMSS)
	}
	if log.count(slog.LevelWarn, "timeout") != 1 {
		t.Errorf("timeout not logged")
	}
	// ss_thresh halved to 10 packets (= init): no more slow start.
	f.OnReport(gcaReport(dp, 10*testMSS, 0, 0, false, 100_000, 10))
	if got := dp.mustVal("Cwnd"); got != 11*testMSS {
		t.Fatalf("after the timeout cwnd %d, want congestion avoidance's %d", got, 11*testMSS)
	}
}

func TestGCADeficit(t *testing.T) {
	cfg := DefaultGCAConfig()
	cfg.DeficitTimeout = 0 // the reference's strict rule
	cfg.SSThresh = 40 * testMSS
	cfg.PerAck = true
	f, dp, _, _ := startGCA(t, NewReno, cfg)
	f.OnReport(gcaReport(dp, 30*testMSS, 0, 0, false, 100_000, 10)) // 40 packets
	dp.takeCalls()

	// 3 lost and 2 sacked: one reduction, a 5-packet deficit.
	f.OnReport(gcaReport(dp, 0, 2, 3, false, 100_000, 40))
	calls := dp.takeCalls()
	if len(calls) != 1 || lastSet(t, calls, "Cwnd") != 20*testMSS {
		t.Fatalf("loss: calls %v, want one Cwnd=%d", calls, 20*testMSS)
	}
	// Another loss inside the deficit does not reduce again.
	f.OnReport(gcaReport(dp, 0, 0, 1, false, 100_000, 20))
	if calls := dp.takeCalls(); len(calls) != 0 {
		t.Fatalf("second loss: calls %v, want none", calls)
	}
	// The deficit is now 6 packets. As in the reference, a clean report
	// compares its acked bytes with that packet count: one that acked 5
	// bytes pays 0 packets and sends nothing, one that acked a segment
	// clears the deficit and sends the window.
	f.OnReport(gcaReport(dp, 5, 0, 0, false, 100_000, 20))
	if calls := dp.takeCalls(); len(calls) != 0 {
		t.Fatalf("5 acked bytes in the deficit: calls %v, want none", calls)
	}
	f.OnReport(gcaReport(dp, testMSS, 0, 0, false, 100_000, 20))
	if calls := dp.takeCalls(); len(calls) != 1 {
		t.Fatalf("a clean segment after the loss: calls %v, want a Cwnd update", calls)
	}
	if got := dp.mustVal("Cwnd"); got <= 20*testMSS || got > 21*testMSS {
		t.Fatalf("cwnd %d, want 20 packets and a little", got)
	}
}

func TestGCADeficitTimeout(t *testing.T) {
	cfg := DefaultGCAConfig()
	cfg.DeficitTimeout = 2 // RTTs
	f, dp, clk, _ := startGCA(t, NewReno, cfg)
	f.OnReport(gcaReport(dp, 70*testMSS, 0, 0, false, 100_000, 10)) // 80 packets
	f.OnReport(gcaReport(dp, 0, 0, 1, false, 100_000, 80))          // 40
	clk.advance(150 * time.Millisecond)
	f.OnReport(gcaReport(dp, 0, 0, 1, false, 100_000, 40)) // within 2 RTTs: no reduction
	if got := dp.mustVal("Cwnd"); got != 40*testMSS {
		t.Fatalf("loss within the deficit timeout: cwnd %d, want %d", got, 40*testMSS)
	}
	clk.advance(100 * time.Millisecond)
	f.OnReport(gcaReport(dp, 0, 0, 1, false, 100_000, 40)) // 250 ms > 2 RTTs: forgiven
	if got := dp.mustVal("Cwnd"); got != 20*testMSS {
		t.Fatalf("loss after the deficit timeout: cwnd %d, want %d", got, 20*testMSS)
	}
}

func TestGCASlowStartInDatapath(t *testing.T) {
	cfg := DefaultGCAConfig()
	cfg.SSInFold = true
	f, dp, _, _ := startGCA(t, NewReno, cfg)
	ss := dp.scope()
	dp.takeCalls()
	// The first report (a loss) ends slow start: switch to the per-RTT
	// program, take the window in flight and halve it.
	f.OnReport(gcaReport(dp, 0, 0, 1, false, 100_000, 60))
	calls := dp.takeCalls()
	if len(calls) != 2 || !calls[0].set || calls[0].scope.Program != gcaProgRTT ||
		calls[1].scope.Program != gcaProgRTT || lastSet(t, calls, "Cwnd") != 30*testMSS {
		t.Fatalf("calls %v, want SetProgram(%s) then Cwnd=%d", calls, gcaProgRTT, 30*testMSS)
	}
	// A report SSUpdateProg sent before the change is stale: ignored.
	f.OnReport(dp.reportOf(ss, map[string]uint64{"loss": 1, "inflight": 5}))
	if calls := dp.takeCalls(); len(calls) != 0 {
		t.Fatalf("stale report: calls %v, want none", calls)
	}
}

func TestGCABadReports(t *testing.T) {
	f, dp, _, log := startGCA(t, NewCubic, DefaultGCAConfig())
	sc := dp.scope()
	dp.takeCalls()
	for _, r := range []Report{
		NewReport(sc.Program, sc.UID, []string{"Report.acked"}, []uint64{1000}),                   // missing variables
		NewReport(sc.Program, sc.UID, []string{"acked", "sacked"}, []uint64{1000}),                // fewer values than names
		NewReport(sc.Program, sc.UID+100, []string{"acked"}, []uint64{1000}),                      // another program
		NewReport(sc.Program, sc.UID, nil, nil),                                                   // empty
		NewReport("DatapathIntervalProg", 999, []string{"x"}, []uint64{1}),                        // unknown
		NewReport(sc.Program, sc.UID, []string{"acked", "sacked", "loss", "timeout", "rtt"}, nil), // no values
	} {
		f.OnReport(r)
	}
	if calls := dp.takeCalls(); len(calls) != 0 {
		t.Fatalf("bad reports: calls %v, want none", calls)
	}
	if n := log.count(slog.LevelWarn, "unusable report"); n != 4 {
		t.Errorf("%d warnings about unusable reports, want 4", n)
	}
	if n := log.count(slog.LevelDebug, "stale report"); n != 2 {
		t.Errorf("%d stale reports logged, want 2", n)
	}
	// The flow still works.
	f.OnReport(gcaReport(dp, 10*testMSS, 0, 0, false, 100_000, 10))
	if got := dp.mustVal("Cwnd"); got != 20*testMSS {
		t.Fatalf("cwnd %d, want %d", got, 20*testMSS)
	}
	// After Close reports are ignored.
	f.Close()
	dp.takeCalls()
	f.OnReport(gcaReport(dp, 10*testMSS, 0, 0, false, 100_000, 10))
	if calls := dp.takeCalls(); len(calls) != 0 {
		t.Fatalf("report after Close: calls %v", calls)
	}
}

func TestGCASetProgramFails(t *testing.T) {
	env, _, log := testEnv()
	alg := NewReno(DefaultGCAConfig(), env)
	dp := newFakeDP(t, alg)
	dp.failSet = errors.New("datapath gone")
	f := alg.NewFlow(dp, FlowInfo{InitCwnd: 0, MSS: 0}) // zeros take defaults
	f.OnReport(NewReport(gcaProgRTT, 1, []string{"acked"}, []uint64{1}))
	if calls := dp.takeCalls(); len(calls) != 0 {
		t.Fatalf("calls %v, want none", calls)
	}
	if log.count(slog.LevelError, "cannot set program") != 1 {
		t.Errorf("SetProgram failure not logged")
	}
}
