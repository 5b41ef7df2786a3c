package live

import (
	"bytes"
	"testing"
	"time"
)

// TestRecordedRunReplays: commands given while a run is paced (between
// RunUntil calls) are recorded; an experiment carrying them as its
// timeline reproduces the run byte for byte — what a session's re-run
// relies on.
func TestRecordedRunReplays(t *testing.T) {
	exp := linkExp("24mbit", 20*time.Millisecond, "packets=80", 20*time.Second, "cubic")
	exp.Timeline = []TimedChange{{At: 15 * time.Second, Command: "delay 30ms"}} // scripted
	live, rec1 := runExpUntil(t, exp, 0)
	steps := []struct {
		at  time.Duration
		cmd string
	}{{3*time.Second + 123*time.Microsecond, "bw 12mbit"}, {5 * time.Second, "flow add manual:cwnd=20"},
		{7*time.Second + 7*time.Millisecond, "flow 2 cwnd 40"}, {9 * time.Second, "uplink loss 1%"}, {11 * time.Second, "flow stop 1"}}
	for _, st := range steps {
		live.RunUntil(st.at)
		c, err := ParseCommand(st.cmd, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := live.Apply(c); err != nil {
			t.Fatal(err)
		}
	}
	live.RunUntil(20 * time.Second)
	live.Finish()

	// The timeline has the scripted change marked, the user's not.
	var user []TimedChange
	scripted := 0
	for _, r := range live.Timeline() {
		if r.Kind != RecordChange {
			continue
		}
		if r.Scripted {
			scripted++
			continue
		}
		user = append(user, TimedChange{At: r.At, Command: r.Text})
	}
	if scripted != 1 || len(user) != len(steps) {
		t.Fatalf("%d scripted and %d user changes recorded: %+v", scripted, len(user), live.Timeline())
	}
	again := exp
	again.Timeline = append(append([]TimedChange(nil), exp.Timeline...), user...)
	rerun, rec2 := runExp(t, again)
	if !bytes.Equal(rec1.dump(), rec2.dump()) {
		t.Fatal("the re-run's series differ from the run's")
	}
	var a, b bytes.Buffer
	live.Summary().WriteJSON(&a)
	rerun.Summary().WriteJSON(&b)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatalf("summaries differ:\n%s\n%s", a.Bytes(), b.Bytes())
	}
}
