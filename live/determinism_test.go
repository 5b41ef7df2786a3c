package live

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/cc"
)

// dump writes every series of a recorder in key order, full precision.
func (r *memRecorder) dump() []byte {
	var b bytes.Buffer
	keys := make([]string, 0, len(r.series))
	for k := range r.series {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		s := r.series[k]
		fmt.Fprintf(&b, "%s %s %d\n", k, s.info.Unit, len(s.t))
		for i := range s.t {
			fmt.Fprintf(&b, "%d %v\n", s.t[i], s.v[i])
		}
	}
	return b.Bytes()
}

// TestDeterminism: the same experiment and seed give byte-identical
// summaries and series; another seed gives different ones. The experiment
// uses every random process (loss, jitter, on/off, PIE) and a timeline.
func TestDeterminism(t *testing.T) {
	mk := func(seed uint64) Experiment {
		e := linkExp("20mbit", 15*time.Millisecond, "", 20*time.Second, "cubic", "reno")
		e.Seed = seed
		e.Flows[1].Start = 2 * time.Second
		e.Uplink.Queue, e.Uplink.QueueArgs = "pie", "packets=200, qdelay_ref=20, max_burst=100"
		e.Uplink.Loss = "gemodel 1% 30%"
		e.Uplink.Jitter = 2 * time.Millisecond
		e.Downlink.OnOff = "onoff 5s 100ms"
		e.Timeline = []TimedChange{{At: 8 * time.Second, Command: "bw 10mbit"}, {At: 12 * time.Second, Command: "delay 30ms"}}
		return e
	}
	run := func(seed uint64) ([]byte, []byte) {
		s, rec := runExp(t, mk(seed))
		var sum bytes.Buffer
		if err := s.Summary().WriteJSON(&sum); err != nil {
			t.Fatal(err)
		}
		return sum.Bytes(), rec.dump()
	}
	s1, d1 := run(7)
	s2, d2 := run(7)
	s3, d3 := run(8)
	if !bytes.Equal(s1, s2) || !bytes.Equal(d1, d2) {
		t.Fatal("same seed, different results")
	}
	if bytes.Equal(s1, s3) || bytes.Equal(d1, d3) {
		t.Fatal("different seeds, identical results")
	}
	if len(d1) < 100_000 {
		t.Fatalf("only %d bytes of series", len(d1))
	}
}

// TestRecordingDoesNotChangeTheRun: recording the series (which adds the
// sampler's steps every 10 ms) leaves the run itself unchanged: the same
// summary with a recorder, without one, and sampling every 1 ms, for
// competing flows (whose turn order is the sensitive part).
func TestRecordingDoesNotChangeTheRun(t *testing.T) {
	// A trace link (opportunities on whole milliseconds) has flows ready
	// to send at the same instants, where the turn decides.
	var tr strings.Builder
	for ms := 1; ms <= 1000; ms++ {
		fmt.Fprintf(&tr, "%d\n", ms)
		if ms%2 == 0 {
			fmt.Fprintf(&tr, "%d\n", ms)
		}
	}
	trace := filepath.Join(t.TempDir(), "18mbit.trace")
	if err := os.WriteFile(trace, []byte(tr.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	exp := linkExp("16mbit", 15*time.Millisecond, "packets=60", 8*time.Second, "cubic", "bbr", "reno")
	exp.Uplink.Capacity = trace
	exp.Flows[1].Start = time.Second
	exp.Timeline = []TimedChange{{At: 3 * time.Second, Command: "loss 0.5%"}}
	summary := func(rec Recorder, interval time.Duration) []byte {
		e := exp
		e.SampleInterval = interval
		s, err := NewSim(e, SimOptions{NewController: cc.New, Recorder: rec})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Run(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		s.Summary().WriteJSON(&b)
		return b.Bytes()
	}
	bare := summary(nil, 10*time.Millisecond)
	if rec := summary(newMemRecorder(), 10*time.Millisecond); !bytes.Equal(bare, rec) {
		t.Fatalf("recording changed the run:\n%s\n%s", bare, rec)
	}
	if fine := summary(newMemRecorder(), time.Millisecond); !bytes.Equal(bare, fine) {
		t.Fatalf("sampling every 1 ms changed the run:\n%s\n%s", bare, fine)
	}
}
