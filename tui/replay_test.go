package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
	"github.com/ccscope/ccscope/live/store"
	"github.com/ccscope/ccscope/sessions"
	"github.com/ccscope/ccscope/themes"
)

// recorded runs exp to its end with the user's commands applied at their
// times, saves it as a session file in memory and loads it back: what
// ccscope open gets.
func recorded(t testing.TB, exp live.Experiment, cmds map[time.Duration]string) *sessions.Session {
	t.Helper()
	st := store.NewStore()
	sim, err := live.NewSim(exp, live.SimOptions{NewController: cc.New, Recorder: live.StoreRecorder(st)})
	if err != nil {
		t.Fatal(err)
	}
	for at := time.Duration(0); at <= exp.Duration; at += 500 * time.Millisecond {
		sim.RunUntil(at)
		if text, ok := cmds[at]; ok {
			c, err := live.ParseCommand(text, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := sim.Apply(c); err != nil {
				t.Fatal(err)
			}
		}
	}
	sim.Finish()
	sess := &sessions.Session{Title: exp.Name, Created: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC), Version: "test",
		Experiment: sim.Experiment(), Reached: sim.Now(), Timeline: sim.Timeline(), Summary: sim.Summary(), Series: st}
	var b bytes.Buffer
	if err := sessions.Write(&b, sess); err != nil {
		t.Fatal(err)
	}
	back, err := sessions.Read(bytes.NewReader(b.Bytes()), int64(b.Len()), "test.zip")
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func shortExp(scheme string) live.Experiment {
	exp := live.DefaultExperiment()
	exp.Name = scheme + " on 24 Mbit/s"
	exp.Duration = 12 * time.Second
	exp.Flows = []live.FlowSpec{{Scheme: scheme}}
	return exp
}

// TestReplayRebuildsState: a replay shows, at each position, the link as
// it was then (a user's bandwidth change from its instant on), the flows
// started by then, the timeline so far and the recorded values; at the
// end, the flows' numbers are the saved summary's. It cannot be changed.
func TestReplayRebuildsState(t *testing.T) {
	sess := recorded(t, shortExp("cubic"), map[time.Duration]string{
		4 * time.Second: "bw 12mbit",
		6 * time.Second: "flow add reno",
	})
	r, err := NewReplay(sess)
	if err != nil {
		t.Fatal(err)
	}
	rate := func(sn live.Snapshot) float64 { return sn.Uplink.Config.Capacity.Rate }
	changes := func(sn live.Snapshot) (out []string) {
		for _, r := range sn.Timeline {
			if r.Kind == live.RecordChange {
				out = append(out, r.Text)
			}
		}
		return out
	}
	r.Seek(3 * time.Second)
	sn := r.Snapshot()
	if sn.Now != 3*time.Second || rate(sn) != 24e6 || len(changes(sn)) != 0 {
		t.Fatalf("at 3 s: now %v, uplink %v bit/s, changes %q", sn.Now, rate(sn), changes(sn))
	}
	if !sn.Flows[0].Started || sn.Flows[1].Started {
		t.Fatalf("at 3 s flow 1 should run and flow 2 not: %+v", sn.Flows)
	}
	// The cwnd shown is the recorded one.
	pts := sess.Series.Lookup("flow/1/cwnd").Points(3*time.Second-time.Second, 3*time.Second)
	if want := int(pts[len(pts)-1].V); sn.Flows[0].Cwnd != want {
		t.Fatalf("cwnd at 3 s: %d, recorded %d", sn.Flows[0].Cwnd, want)
	}
	r.Seek(5 * time.Second)
	if sn = r.Snapshot(); rate(sn) != 12e6 || strings.Join(changes(sn), ";") != "uplink bw 12mbit" {
		t.Fatalf("at 5 s: uplink %v bit/s, changes %q", rate(sn), changes(sn))
	}
	r.Seek(7 * time.Second)
	if sn = r.Snapshot(); !sn.Flows[1].Started || sn.Flows[1].Scheme != "reno" || sn.Flows[1].Start != 6*time.Second {
		t.Fatalf("at 7 s flow 2 should be reno from 6 s: %+v", sn.Flows[1])
	}
	r.Seek(time.Hour)
	sn = r.Snapshot()
	if !sn.Done || sn.Now != 12*time.Second {
		t.Fatalf("seek past the end: now %v done %v", sn.Now, sn.Done)
	}
	for i, f := range sn.Flows {
		if sf := sess.Summary.Flows[i]; f.Throughput != sf.Throughput || f.DelayP95 != sf.DelayP95 {
			t.Fatalf("flow %d at the end: %.3f Mbit/s %.3f ms, summary %.3f %.3f", f.ID, f.Throughput, f.DelayP95, sf.Throughput, sf.DelayP95)
		}
	}
	if err := r.Apply(live.LinkCommand{}); err == nil || !strings.Contains(err.Error(), "replay") {
		t.Fatalf("Apply on a replay: %v", err)
	}
}

// TestReplayClock: play runs at the chosen speed from the wall clock,
// stops at the end, plays again from the start, and steps.
func TestReplayClock(t *testing.T) {
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newReplayClock(10*time.Second, 10*time.Millisecond)
	c.clock = func() time.Time { return wall }
	if !c.Paused() || c.now() != 0 {
		t.Fatal("a replay starts paused at 0")
	}
	if err := c.SetSpeed(2); err != nil {
		t.Fatal(err)
	}
	c.SetPaused(false)
	wall = wall.Add(2 * time.Second)
	if got := c.now(); got != 4*time.Second {
		t.Fatalf("2 s at 2x: %v, want 4s", got)
	}
	wall = wall.Add(time.Minute)
	if got := c.now(); got != 10*time.Second {
		t.Fatalf("past the end: %v", got)
	}
	c.SetPaused(true)
	c.SetPaused(false) // at the end: from the start again
	if got := c.now(); got != 0 {
		t.Fatalf("play at the end restarts: %v", got)
	}
	c.SetPaused(true)
	c.Step(0)
	c.Step(time.Second)
	if got := c.now(); got != time.Second+10*time.Millisecond {
		t.Fatalf("steps: %v", got)
	}
	if err := c.SetSpeed(1000); err == nil {
		t.Fatal("speed 1000x accepted")
	}
}

// TestCompareOverlays: two sessions overlaid show both flows, B's under
// the next id with its series under b/ (the same values as in B), the
// schemes labelled, the timeline merged in time order, to the longer end.
func TestCompareOverlays(t *testing.T) {
	a := recorded(t, shortExp("cubic"), map[time.Duration]string{5 * time.Second: "bw 12mbit"})
	bexp := shortExp("bbr")
	bexp.Duration = 10 * time.Second
	b := recorded(t, bexp, map[time.Duration]string{2 * time.Second: "delay 30ms"})
	c, err := NewCompare(a, b)
	if err != nil {
		t.Fatal(err)
	}
	c.Seek(time.Hour)
	sn := c.Snapshot()
	if sn.Now != 12*time.Second || !sn.Done {
		t.Fatalf("compare ends at the longer session: %v", sn.Now)
	}
	if len(sn.Flows) != 2 || sn.Flows[0].Scheme != "A:cubic" || sn.Flows[1].Scheme != "B:bbr" ||
		sn.Flows[1].ID != 2 || sn.Flows[1].Key != "b/flow/1/" {
		t.Fatalf("flows: %+v", sn.Flows)
	}
	var texts []string
	for _, r := range sn.Timeline {
		texts = append(texts, r.Text)
	}
	want := "A: flow 1 (cubic, bulk) started;B: flow 1 (bbr, bulk) started;B: both delay 30ms;A: uplink bw 12mbit"
	if strings.Join(texts, ";") != want {
		t.Fatalf("timeline:\n%s\nwant\n%s", strings.Join(texts, ";"), want)
	}
	orig, _ := b.Series.Lookup("flow/1/cwnd").Last()
	cp, _ := c.Store().Lookup("b/flow/1/cwnd").Last()
	if orig != cp {
		t.Fatalf("B's cwnd in the comparison %v, in B %v", cp, orig)
	}
	if c.Store().Lookup("flow/1/cwnd") == nil {
		t.Fatal("A's series are missing")
	}
}

// replayModel is a workbench over src at w×h with a fixed clock.
func replayModel(t *testing.T, src Source, opt Options, w, h int) *Model {
	t.Helper()
	opt.Theme, _ = themes.ByName("dark")
	opt.NoTick = true
	m := New(src, opt)
	fixed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return fixed }
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// TestGoldenReplay: a replay paused at 8 s, with the user's bandwidth
// change marked, the replay's keys in the footer; ] moves it on.
func TestGoldenReplay(t *testing.T) {
	sess := recorded(t, shortExp("cubic"), map[time.Duration]string{4 * time.Second: "bw 12mbit"})
	r, err := NewReplay(sess)
	if err != nil {
		t.Fatal(err)
	}
	r.Seek(8 * time.Second)
	m := replayModel(t, r, Options{CanRerun: true}, 120, 40)
	golden(t, "replay-120x40", plain(m))
	press(m, "]")
	if r.now() <= 8*time.Second {
		t.Fatalf("] did not seek forward: %v", r.now())
	}
	press(m, "home")
	if r.now() != 0 {
		t.Fatalf("home: %v", r.now())
	}
	press(m, "R")
	if m.Outcome() != OutcomeRerun {
		t.Fatal("R in a replay does not ask for a re-run")
	}
}

// TestGoldenCompare: cubic and bbr overlaid at their end.
func TestGoldenCompare(t *testing.T) {
	c, err := NewCompare(recorded(t, shortExp("cubic"), nil), recorded(t, shortExp("bbr"), nil))
	if err != nil {
		t.Fatal(err)
	}
	c.Seek(time.Hour)
	golden(t, "compare-120x40", plain(replayModel(t, c, Options{}, 120, 40)))
}

// TestGoldenCCP: the CCP view of a run with a built-in CCP cubic flow
// (in process, deterministic) and a native one, at 10 s: the agent's
// state, the flows' programs, windows and reports, the program's source
// and the message log; then a user's program installed from the command
// line takes flow 1 over.
func TestGoldenCCP(t *testing.T) {
	exp := live.DefaultExperiment()
	exp.Flows = []live.FlowSpec{{Scheme: "ccp:cubic"}, {Scheme: "reno", Start: 2 * time.Second}}
	src := testSource(t, exp, 10*time.Second)
	m := replayModel(t, src, Options{}, 120, 40)
	press(m, "5")
	golden(t, "ccp-120x40", plain(m))
	press(m, ":")
	typeText(m, "ccp install 1 (def (Report (volatile acked 0))) (when true (:= Report.acked Ack.bytes_acked) (:= Cwnd 42000) (report))")
	press(m, "enter")
	src.Runner.Step(time.Second)
	m.snap = src.Snapshot()
	m.redraw()
	got := plain(m)
	for _, want := range []string{"user program", "your program", "(:= Cwnd 42000)", "42.0k"} {
		if !strings.Contains(got, want) {
			t.Fatalf("after installing a program the CCP view lacks %q:\n%s", want, got)
		}
	}
}
