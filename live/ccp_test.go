package live

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestCCPCubicMatchesNative: CCP cubic (generic-cong-avoid's, run by the
// in-process agent through the VM) and native cubic on the same link and
// seed: throughput within 10%, p95 delay within 20% (the CCP issue's
// acceptance). The link: 24 Mbit/s, 40 ms RTT, a 2-BDP droptail buffer.
func TestCCPCubicMatchesNative(t *testing.T) {
	run := func(scheme string) FlowSummary {
		s, _ := runExp(t, linkExp("24mbit", 20*time.Millisecond, "packets=160", 30*time.Second, scheme))
		return s.Summary().Flows[0]
	}
	native, ccp := run("cubic"), run("ccp:cubic")
	t.Logf("native cubic %.2f Mbit/s p95 %.1f ms; ccp:cubic %.2f Mbit/s p95 %.1f ms", native.Throughput, native.DelayP95, ccp.Throughput, ccp.DelayP95)
	if r := ccp.Throughput / native.Throughput; r < 0.9 || r > 1.1 {
		t.Errorf("throughput ratio ccp/native %.3f, want within 10%%", r)
	}
	if r := ccp.DelayP95 / native.DelayP95; r < 0.8 || r > 1.2 {
		t.Errorf("p95 delay ratio ccp/native %.3f, want within 20%%", r)
	}
}

// TestCCPDeterministic: an in-process CCP run repeats byte for byte.
func TestCCPDeterministic(t *testing.T) {
	exp := linkExp("12mbit", 15*time.Millisecond, "packets=60", 8*time.Second, "ccp:cubic", "ccp:bbr", "cubic")
	exp.Flows[1].Start = time.Second
	_, a := runExp(t, exp)
	_, b := runExp(t, exp)
	if !bytes.Equal(a.dump(), b.dump()) {
		t.Fatal("two runs of the same CCP experiment differ")
	}
}

// TestCCPFlowCommands: a user's program installed on a running CCP flow
// takes it over (here: a fixed window), and "ccp agent" hands it back;
// both are recorded and replay.
func TestCCPFlowCommands(t *testing.T) {
	exp := linkExp("24mbit", 20*time.Millisecond, "packets=160", 10*time.Second, "ccp:reno")
	s, rec := runExpUntil(t, exp, 3*time.Second)
	install := "flow 1 ccp install (def (Report (volatile acked 0))) # a comment\n(when true (:= Cwnd 30000))"
	c, err := ParseCommand(install, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.String(); got != "flow 1 ccp install (def (Report (volatile acked 0))) (when true (:= Cwnd 30000))" {
		t.Fatalf("recorded as %q", got)
	}
	if err := s.Apply(c); err != nil {
		t.Fatal(err)
	}
	s.RunUntil(6 * time.Second)
	if cw := rec.last(t, "flow/1/cwnd"); cw != 30000 {
		t.Fatalf("cwnd under the user's program: %v, want 30000", cw)
	}
	if m := s.Snapshot().Flows[0].Mode; m != "user program" {
		t.Fatalf("mode %q", m)
	}
	back, _ := ParseCommand("flow 1 ccp agent", nil)
	if err := s.Apply(back); err != nil {
		t.Fatal(err)
	}
	s.RunUntil(10 * time.Second)
	if cw := rec.last(t, "flow/1/cwnd"); cw == 30000 {
		t.Fatal("the agent did not take the flow back")
	}
	for _, bad := range []string{"flow 1 ccp install (def (x 0)) (when true (:= Cwnd y))", "flow 2 ccp agent", "flow 1 ccp frob"} {
		c, err := ParseCommand(bad, nil)
		if err == nil {
			err = s.Apply(c)
		}
		if err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	var changes []string
	for _, r := range s.Timeline() {
		if r.Kind == RecordChange {
			changes = append(changes, r.Text)
		}
	}
	if len(changes) != 2 || !strings.HasPrefix(changes[0], "flow 1 ccp install (def") || changes[1] != "flow 1 ccp agent" {
		t.Fatalf("recorded changes %q", changes)
	}
}

// TestCCPSchemeChecks: CCP specs are checked against the built-in
// algorithms in process, and only for their form for an external agent.
func TestCCPSchemeChecks(t *testing.T) {
	in, ext := SchemeCheck(nil, false), SchemeCheck(nil, true)
	for _, c := range []struct {
		spec     string
		inOK, ex bool
	}{{"ccp", true, true}, {"ccp:cubic", true, true}, {"ccp:reno:per_ack=1", true, true},
		{"ccp:nimbus", false, true}, {"ccp:cubic:bogus=1", false, true}, {"ccp:" + strings.Repeat("x", 64), false, false}} {
		if err := in(c.spec); (err == nil) != c.inOK {
			t.Errorf("%s in process: %v", c.spec, err)
		}
		if err := ext(c.spec); (err == nil) != c.ex {
			t.Errorf("%s external: %v", c.spec, err)
		}
	}
}

// last is a series' newest value.
func (r *memRecorder) last(t *testing.T, key string) float64 {
	t.Helper()
	s := r.get(t, key)
	if len(s.v) == 0 {
		t.Fatalf("series %q is empty", key)
	}
	return s.v[len(s.v)-1]
}

// TestCCPFlowParams: a [flow.params] table goes after a CCP scheme's
// algorithm.
func TestCCPFlowParams(t *testing.T) {
	src := "duration = \"5s\"\n[uplink]\ncapacity = \"12mbit\"\n[downlink]\ncapacity = \"12mbit\"\n" +
		"[[flow]]\nscheme = \"ccp:reno\"\n[flow.params]\nper_ack = 1\n[[flow]]\nscheme = \"ccp:cubic:ss_thresh=90000\"\nparams = { per_ack = 1 }\n"
	e, err := ParseExperiment("x.toml", []byte(src), "", SchemeCheck(nil, false))
	if err != nil {
		t.Fatal(err)
	}
	if e.Flows[0].Scheme != "ccp:reno:per_ack=1" || e.Flows[1].Scheme != "ccp:cubic:ss_thresh=90000,per_ack=1" {
		t.Fatalf("schemes %q, %q", e.Flows[0].Scheme, e.Flows[1].Scheme)
	}
}
