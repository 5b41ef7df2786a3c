package live

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/cc"
)

func newTestRunner(t *testing.T, dur time.Duration) *Runner {
	t.Helper()
	exp := DefaultExperiment()
	exp.Duration = dur
	s, err := NewSim(exp, SimOptions{NewController: cc.New})
	if err != nil {
		t.Fatal(err)
	}
	return NewRunner(s)
}

func now(r *Runner) (n time.Duration) {
	r.With(func(s Engine) { n = s.Now() })
	return n
}

func TestRunnerPacing(t *testing.T) {
	r := newTestRunner(t, time.Minute)
	r.Advance(100 * time.Millisecond)
	if n := now(r); n != 100*time.Millisecond {
		t.Fatalf("1x: %v after 100ms of wall time", n)
	}
	if err := r.SetSpeed(4); err != nil {
		t.Fatal(err)
	}
	r.Advance(100 * time.Millisecond)
	if n := now(r); n != 500*time.Millisecond {
		t.Fatalf("4x: %v", n)
	}
	r.SetSpeed(0.1)
	for i := 0; i < 3; i++ {
		r.Advance(time.Millisecond) // 0.1 ms each: fractions carry over
	}
	if n := now(r); n != 500*time.Millisecond+300*time.Microsecond {
		t.Fatalf("0.1x: %v", n)
	}
	r.SetPaused(true)
	r.Advance(time.Second)
	if n := now(r); n != 500*time.Millisecond+300*time.Microsecond {
		t.Fatalf("paused but advanced to %v", n)
	}
	r.Step(0) // one sample interval
	if n := now(r); n != 510*time.Millisecond+300*time.Microsecond {
		t.Fatalf("step: %v", n)
	}
	for _, bad := range []float64{0, 0.05, 101, -1} {
		if err := r.SetSpeed(bad); err == nil {
			t.Errorf("speed %v accepted", bad)
		}
	}
	r.SetPaused(false)
	r.SetSpeed(100)
	for !r.Advance(time.Second) {
	}
	if n := now(r); n != time.Minute {
		t.Fatalf("ended at %v", n)
	}
}

// TestRunnerCommandsFromOtherGoroutines: commands and reads from other
// goroutines while Run paces the sim (run with -race).
func TestRunnerCommandsFromOtherGoroutines(t *testing.T) {
	r := newTestRunner(t, 2*time.Second)
	r.SetSpeed(20)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, c := range []string{"bw 12mbit", "delay 30ms", "flow add reno", "loss 1%"} {
			cmd, err := ParseCommand(c, nil)
			if err != nil {
				t.Error(err)
				return
			}
			if err := r.Apply(cmd); err != nil {
				t.Error(err)
			}
			time.Sleep(5 * time.Millisecond)
			r.With(func(s Engine) { _ = s.Summary() })
		}
	}()
	if err := r.Run(ctx, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	var tl []Record
	r.With(func(s Engine) { tl = s.Timeline() })
	changes := 0
	for _, rec := range tl {
		if rec.Kind == RecordChange {
			changes++
		}
	}
	if changes != 4 {
		t.Fatalf("timeline %v", tl)
	}
}
