package live

import (
	"context"
	"time"
)

// Engine is an experiment in motion, whichever backend runs it: the sim
// (*Sim, virtual time) or the netns backend (real packets, real time).
// The runner, the workbench, sessions and the headless run drive an
// Engine. Unless an implementation says otherwise, an Engine is not safe
// for concurrent use: its owner (a Runner) serialises the calls.
type Engine interface {
	// Experiment is what is being run.
	Experiment() Experiment
	// Now is the current experiment time; End the experiment's end.
	Now() time.Duration
	End() time.Duration
	// Done reports whether the experiment has reached its end.
	Done() bool
	// RunUntil brings the experiment to time t (bounded by End): the sim
	// computes everything up to t; a real-time backend, whose time
	// passes by itself, applies what is due by t (scripted changes) and
	// takes in what its flows and links did.
	RunUntil(t time.Duration)
	// Run runs the whole experiment (as fast as possible in the sim, in
	// real time otherwise), calling progress about every second of
	// experiment time.
	Run(ctx context.Context, progress func(now time.Duration)) error
	// Finish completes the accounting at the end (logs, summary).
	Finish()
	// Apply applies a command at the current time and records it.
	Apply(c Command) error
	// Snapshot, Summary and Timeline read the state, the results so far
	// and what happened.
	Snapshot() Snapshot
	Summary() Summary
	Timeline() []Record
	// RealTime reports whether time passes by itself (the netns backend):
	// the run then cannot be paused, stepped or sped up.
	RealTime() bool
	// Close releases what the run holds outside the process's memory
	// (namespaces, devices, sockets, child processes, agents' sockets).
	Close()
}

// RealTime is false: the sim's time moves only when it is run.
func (s *Sim) RealTime() bool { return false }

var _ Engine = (*Sim)(nil)
