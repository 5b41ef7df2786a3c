package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
	"github.com/ccscope/ccscope/live/store"
	"github.com/ccscope/ccscope/sessions"
)

// newSession captures a run as a session: its experiment, timeline,
// summary and series, at the sim's current time. The caller holds the
// sim (a runner's With, or a finished sim).
func newSession(sim live.Engine, st *store.Store, title, notes string) *sessions.Session {
	exp := sim.Experiment()
	if title == "" {
		title = exp.Name
	}
	return &sessions.Session{
		Title: title, Notes: notes, Created: time.Now().UTC(), Version: Version(),
		Experiment: exp, Reached: sim.Now(), Timeline: sim.Timeline(), Summary: sim.Summary(), Series: st,
	}
}

// isSessionFile reports whether path looks like a session (a zip file).
func isSessionFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err != nil {
		return false
	}
	return bytes.Equal(magic, []byte("PK\x03\x04"))
}

// defaultSessionPath proposes a file name for a new session.
func defaultSessionPath() string {
	return "ccscope-" + time.Now().Format("2006-01-02-150405") + ".zip"
}

// offerRecovery looks for runs that were interrupted (their process died
// with a journal left behind) and, on a terminal, offers to turn each into
// a session file. It returns quietly when there is nothing to do.
func offerRecovery(ctx context.Context, env *Env, in io.Reader) {
	dir, err := sessions.JournalDir()
	if err != nil {
		return
	}
	pending, err := sessions.PendingJournals(dir)
	if err != nil || len(pending) == 0 {
		return
	}
	r := bufio.NewReader(in)
	for _, j := range pending {
		if j.Err != nil {
			fmt.Fprintf(env.Stderr, "ccscope: a damaged journal of an interrupted run: %v\nDelete it? [y/N] ", j.Err)
			if yes(r, false) {
				j.Remove()
			}
			continue
		}
		what := j.Title
		if what == "" {
			what = "untitled"
		}
		fmt.Fprintf(env.Stderr, "ccscope: a run was interrupted (%s, reached %v, last saved %s).\nRecover it into a session file? [Y/n] ",
			what, j.Reached.Round(time.Millisecond), j.Updated.Local().Format("2006-01-02 15:04:05"))
		if !yes(r, true) {
			fmt.Fprintf(env.Stderr, "Discard it? [y/N] ")
			if yes(r, false) {
				j.Remove()
			}
			continue
		}
		path, err := recoverJournal(ctx, j, "")
		if err != nil {
			fmt.Fprintf(env.Stderr, "ccscope: recovery failed: %v (the journal is kept: %s)\n", err, j.Path)
			continue
		}
		fmt.Fprintf(env.Stderr, "ccscope: recovered into %s (open it with ccscope open %s)\n", path, path)
	}
}

func yes(r *bufio.Reader, def bool) bool {
	line, err := r.ReadString('\n')
	if err != nil && line == "" {
		return def
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "":
		return def
	case "y", "yes":
		return true
	}
	return false
}

// recoverJournal re-runs an interrupted run to where its journal got (the
// sim is deterministic, so this recovers every series exactly) and saves
// it as a session in dir ("" for the current directory).
func recoverJournal(ctx context.Context, j sessions.JournalInfo, dir string) (string, error) {
	st := store.NewStore()
	sim, err := live.NewSim(j.RerunExperiment(), live.SimOptions{NewController: cc.New, Recorder: live.StoreRecorder(st)})
	if err != nil {
		return "", err
	}
	defer sim.Close()
	if err := runTo(ctx, sim, j.Reached, nil); err != nil {
		return "", err
	}
	title := j.Title
	if title == "" {
		title = "recovered run"
	}
	// The session's experiment carries the user's changes in its timeline,
	// so that re-running it gives the same run again.
	sess := newSession(sim, st, title+" (recovered)", "recovered from the journal of a run interrupted at "+j.Updated.Format(time.RFC3339))
	path := filepath.Join(dir, "recovered-"+j.Updated.Local().Format("2006-01-02-150405")+".zip")
	if err := sessions.Save(path, sess); err != nil {
		return "", err
	}
	if err := j.Remove(); err != nil && !errors.Is(err, os.ErrNotExist) {
		return path, err
	}
	return path, nil
}
