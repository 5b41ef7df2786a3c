package sessions

import (
	"time"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/store"
)

// FormatVersion is the session format this build writes and the newest
// it reads.
const FormatVersion = 1

// Session is one recorded run: what was run (the experiment, with its
// seed), what happened (the timeline, the series, the summary) and how far
// it got. It is what the workbench's save writes, what replay shows and
// what re-run runs again.
type Session struct {
	// Title and Notes are the user's; Created is when the session was
	// saved; Version is the ccscope version that saved it.
	Title, Notes string
	Created      time.Time
	Version      string

	// Experiment is the run's experiment as it started (its own scripted
	// timeline included); Reached is how far the run got in experiment
	// time (the experiment's Duration for a finished run).
	Experiment live.Experiment
	Reached    time.Duration

	// Timeline is everything that happened: scripted and user changes,
	// flow starts and ends, warnings and errors.
	Timeline []live.Record
	// Summary is the run's Pantheon-style summary at Reached.
	Summary live.Summary
	// Series holds every recorded series.
	Series *store.Store

	// Files are optional attachments: mahimahi logs ("logs/uplink.log"),
	// a pcap, the trace files the experiment uses ("traces/NAME").
	Files []File
}

// File is an attachment of a session.
type File struct {
	Name string // slash-separated path inside the session, e.g. "logs/uplink.log"
	Data []byte
}

// UserChanges are the changes the user made during the run (not the
// experiment's scripted ones), as timeline entries of an experiment.
func (s *Session) UserChanges() []live.TimedChange {
	var out []live.TimedChange
	for _, r := range s.Timeline {
		if r.Kind == live.RecordChange && !r.Scripted {
			out = append(out, live.TimedChange{At: r.At, Command: r.Text})
		}
	}
	return out
}

// RerunExperiment is the experiment that runs this session again: the
// original experiment with the user's changes added to its timeline, so
// that with the same seed it gives the same series.
func (s *Session) RerunExperiment() live.Experiment {
	e := s.Experiment
	e.Timeline = append(append([]live.TimedChange(nil), s.Experiment.Timeline...), s.UserChanges()...)
	return e
}
