package tui

import (
	"time"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/store"
)

// Source is what the workbench shows and drives: a live run, or (later) a
// replayed session. Every method is safe for concurrent use and cheap
// enough to call on each frame.
type Source interface {
	Snapshot() live.Snapshot
	Store() *store.Store
	Apply(live.Command) error
	Speed() float64
	SetSpeed(float64) error
	Paused() bool
	SetPaused(bool)
	Step(time.Duration)
}

// LiveSource is a Source over a running sim.
type LiveSource struct {
	Runner *live.Runner
	Series *store.Store
}

func (s LiveSource) Snapshot() live.Snapshot    { return s.Runner.Snapshot() }
func (s LiveSource) Store() *store.Store        { return s.Series }
func (s LiveSource) Apply(c live.Command) error { return s.Runner.Apply(c) }
func (s LiveSource) Speed() float64             { return s.Runner.Speed() }
func (s LiveSource) SetSpeed(x float64) error   { return s.Runner.SetSpeed(x) }
func (s LiveSource) Paused() bool               { return s.Runner.Paused() }
func (s LiveSource) SetPaused(p bool)           { s.Runner.SetPaused(p) }
func (s LiveSource) Step(d time.Duration)       { s.Runner.Step(d) }

// RealTime reports whether the run's time passes by itself (the netns
// backend: no pause, step or speed).
func (s LiveSource) RealTime() bool { return s.Runner.RealTime() }

// realTimer is a Source that may run in real time.
type realTimer interface{ RealTime() bool }
