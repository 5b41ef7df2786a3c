package live

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Speeds a runner accepts.
const (
	MinSpeed = 0.1
	MaxSpeed = 100.0
)

// Runner paces an Engine to the wall clock for the workbench: experiment
// time advances at Speed× real time, can be paused and single-stepped, and
// commands from other goroutines apply at the current experiment time. The
// wall clock only decides how far to run; what the sim computes never
// depends on it. A real-time engine (the netns backend) runs at 1× and
// cannot be paused or stepped. Every method is safe for concurrent use.
type Runner struct {
	mu     sync.Mutex
	sim    Engine
	speed  float64
	paused bool
	// carry is experiment time owed from previous ticks (the part below a
	// nanosecond is dropped each tick; it is negligible).
	carry float64
}

// NewRunner wraps an engine. It starts running at 1× (not paused).
func NewRunner(e Engine) *Runner { return &Runner{sim: e, speed: 1} }

// errRealTime is what speed, pause and step get from a real-time engine.
func errRealTime() error {
	return fmt.Errorf("the netns backend runs in real time: real packets cannot be paused, stepped or sped up (the sim backend can)")
}

// RealTime reports whether the engine's time passes by itself.
func (r *Runner) RealTime() bool { return r.sim.RealTime() }

// SetSpeed sets the pace, MinSpeed..MaxSpeed times real time.
func (r *Runner) SetSpeed(x float64) error {
	if !(x >= MinSpeed && x <= MaxSpeed) {
		return fmt.Errorf("speed %gx: want %gx to %gx", x, MinSpeed, MaxSpeed)
	}
	if r.sim.RealTime() && x != 1 {
		return errRealTime()
	}
	r.mu.Lock()
	r.speed = x
	r.mu.Unlock()
	return nil
}

// Speed is the current pace.
func (r *Runner) Speed() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.speed
}

// SetPaused pauses or resumes (a real-time engine never pauses).
func (r *Runner) SetPaused(p bool) {
	if r.sim.RealTime() {
		return
	}
	r.mu.Lock()
	r.paused = p
	r.carry = 0
	r.mu.Unlock()
}

// Paused reports whether the runner is paused.
func (r *Runner) Paused() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.paused
}

// Step advances experiment time by d (one sample interval when d ≤ 0),
// paused or not.
func (r *Runner) Step(d time.Duration) {
	if r.sim.RealTime() {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if d <= 0 {
		d = r.sim.Experiment().SampleInterval
	}
	r.sim.RunUntil(r.sim.Now() + d)
}

// Apply applies a command at the current experiment time.
func (r *Runner) Apply(c Command) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sim.Apply(c)
}

// With runs fn with the engine locked, for reading its state
// consistently. fn must not keep the engine.
func (r *Runner) With(fn func(e Engine)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fn(r.sim)
}

// Advance moves experiment time forward by wall×speed unless paused, and
// reports whether the experiment has ended. Run calls it on every tick;
// tests call it with chosen wall durations.
func (r *Runner) Advance(wall time.Duration) (done bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sim.Done() {
		return true
	}
	if r.paused || wall <= 0 {
		return false
	}
	r.carry += float64(wall) * r.speed
	step := time.Duration(r.carry)
	r.carry -= float64(step)
	r.sim.RunUntil(r.sim.Now() + step)
	if r.sim.Done() {
		r.sim.Finish()
		return true
	}
	return false
}

// Run paces the sim until ctx is cancelled or the experiment ends, waking
// every tick (e.g. 5 ms) of wall time. A tick that finds the sim behind
// (the machine could not keep up) runs what it can and does not try to
// catch up more than one second of wall time.
func (r *Runner) Run(ctx context.Context, tick time.Duration) error {
	if tick <= 0 {
		tick = 5 * time.Millisecond
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case now := <-t.C:
			wall := min(now.Sub(last), time.Second)
			last = now
			if r.Advance(wall) {
				return nil
			}
		}
	}
}
