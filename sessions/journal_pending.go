// journal_pending.go owns recovery: finding the journals left by runs
// whose process is gone (PendingJournals), reading them back into what a
// re-run needs (JournalInfo), and removing them once dealt with.
package sessions

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ccscope/ccscope/live"
)

// maxJournalBytes bounds a journal file read back.
const maxJournalBytes = 64 << 20

// JournalInfo is a journal left by an interrupted run.
type JournalInfo struct {
	// Path is the journal file.
	Path string
	// Title is the run's title.
	Title string
	// Updated is the wall time of the journal's last update (the file's
	// modification time when the journal is damaged).
	Updated time.Time
	// Reached is the experiment time the run had reached then.
	Reached time.Duration
	// Experiment is the run's experiment, its trace paths as on disk
	// (BaseDir absolute); Changes are the user's changes during the run.
	// Running Experiment with Changes appended to its timeline (see
	// RerunExperiment) up to Reached reproduces the run.
	Experiment live.Experiment
	Changes    []live.TimedChange
	// PID is the process that wrote the journal.
	PID int
	// Err is set when the journal cannot be used (damaged, from a newer
	// ccscope, or its experiment no longer loads, e.g. a trace file was
	// removed); the other fields are then only what could be read. Offer
	// to Remove it.
	Err error
}

// RerunExperiment is the experiment that reproduces the interrupted run:
// Experiment with Changes appended to its timeline.
func (j JournalInfo) RerunExperiment() live.Experiment {
	e := j.Experiment
	e.Timeline = append(slices.Clone(j.Experiment.Timeline), j.Changes...)
	return e
}

// Remove deletes the journal (and any temporary file a killed update left).
func (j JournalInfo) Remove() error { return removeJournal(j.Path) }

// PendingJournals lists the journals in dir whose process is gone — the
// pid no longer exists, or belongs to another process (its start token
// differs) — newest first. Journals of running processes, this one
// included, are left out. Damaged journals are listed with Err set rather
// than dropped. A missing dir means no journals.
func PendingJournals(dir string) ([]JournalInfo, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journals: %w", err)
	}
	var out []JournalInfo
	for _, ent := range ents {
		name := ent.Name()
		if !strings.HasSuffix(name, journalExt) || strings.HasPrefix(name, ".") || ent.IsDir() {
			continue
		}
		info, alive := readJournal(filepath.Join(dir, name))
		if alive {
			continue
		}
		out = append(out, info)
	}
	slices.SortStableFunc(out, func(a, b JournalInfo) int { return b.Updated.Compare(a.Updated) })
	return out, nil
}

// readJournal reads one journal; alive reports that its process still
// runs (the journal is not pending).
func readJournal(path string) (info JournalInfo, alive bool) {
	info.Path = path
	fail := func(format string, args ...any) (JournalInfo, bool) {
		info.Err = fmt.Errorf("journal %s: "+format, append([]any{path}, args...)...)
		if fi, err := os.Stat(path); err == nil && info.Updated.IsZero() {
			info.Updated = fi.ModTime()
		}
		return info, false
	}
	f, err := os.Open(path)
	if err != nil {
		return fail("%v", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxJournalBytes+1))
	f.Close()
	if err != nil {
		return fail("%v", err)
	}
	if len(data) > maxJournalBytes {
		return fail("larger than %s: not a journal", fmtBytes(maxJournalBytes))
	}
	var jf journalFile
	if err := decodeJSON(data, &jf); err != nil {
		return fail("damaged: %v", err)
	}
	info.Title, info.Updated, info.PID = jf.Title, jf.Updated, jf.PID
	if jf.PID > 0 && processAlive(jf.PID, jf.Start) {
		return info, true
	}
	switch {
	case jf.Format > journalFormat:
		return fail("written by a newer ccscope (journal format %d; this one reads %d)", jf.Format, journalFormat)
	case jf.Format < 1:
		return fail("damaged: no format")
	case jf.PID <= 0:
		return fail("damaged: no pid")
	case jf.Reached < 0:
		return fail("damaged: negative experiment time reached")
	case !filepath.IsAbs(jf.BaseDir):
		return fail("damaged: base_dir %q is not absolute", jf.BaseDir)
	}
	info.Reached = time.Duration(jf.Reached)
	exp, err := live.ParseExperiment("experiment", []byte(jf.Experiment), jf.BaseDir, nil)
	if err != nil {
		return fail("its experiment no longer loads: %v", err)
	}
	info.Experiment = exp
	for i, c := range jf.Changes {
		if c.At < 0 {
			return fail("damaged: change %d at a negative time", i)
		}
		info.Changes = append(info.Changes, live.TimedChange{At: time.Duration(c.At), Command: c.Do})
	}
	return info, false
}
