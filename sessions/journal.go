// journal.go owns the autosave journal of a running experiment: a small
// JSON file rewritten atomically about once a second with what a
// deterministic re-run needs to reach the same state — the experiment
// (trace paths as on disk), the user's changes so far and the experiment
// time reached — plus the pid and start token of the process that writes
// it, so that the next start can tell a crashed run from a live one
// (journal_pending.go).
package sessions

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ccscope/ccscope/live"
)

// journalFormat is the journal's own format version.
const journalFormat = 1

// journalExt is the extension of journal files.
const journalExt = ".journal"

// JournalDir is where journals live: $XDG_STATE_HOME/ccscope/journal, or
// ~/.local/state/ccscope/journal; it is created (mode 0700) if needed.
func JournalDir() (string, error) {
	base := os.Getenv("XDG_STATE_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("journal directory: %w", err)
		}
		base = filepath.Join(home, ".local", "state")
	}
	dir := filepath.Join(base, "ccscope", "journal")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("journal directory: %w", err)
	}
	return dir, nil
}

// journalFile is a journal's content.
type journalFile struct {
	Format int    `json:"format"`
	PID    int    `json:"pid"`
	Start  string `json:"start,omitempty"` // the process's start token ("" when unknown)
	Title  string `json:"title"`
	// Started and Updated are wall times: when the run started and when
	// the journal was last written.
	Started time.Time `json:"started"`
	Updated time.Time `json:"updated"`
	// Reached is the experiment time reached, in ns (ReachedText for
	// people).
	Reached     int64  `json:"reached_ns"`
	ReachedText string `json:"reached"`
	// BaseDir is the experiment's BaseDir made absolute, so that its
	// relative trace paths resolve from any working directory.
	BaseDir    string          `json:"base_dir"`
	Experiment string          `json:"experiment"` // as experiment.toml
	Changes    []journalChange `json:"changes"`
}

type journalChange struct {
	At int64  `json:"at_ns"`
	Do string `json:"do"`
}

// Journal is the autosave journal of one run. Its methods are safe for
// concurrent use.
type Journal struct {
	mu      sync.Mutex
	path    string
	content journalFile
	cwd     string
	last    []live.TimedChange // the changes last written
	written bool
	closed  bool
}

// StartJournal starts the journal of a run of exp in dir (see JournalDir)
// and writes it once. title is the run's title for the recovery prompt.
func StartJournal(dir string, exp live.Experiment, title string) (*Journal, error) {
	base := exp.BaseDir
	if base == "" {
		base = "."
	}
	absBase, err := filepath.Abs(base)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	exp.BaseDir = ""
	text, err := exp.EncodeTOML()
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	var id [6]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	pid := os.Getpid()
	now := time.Now().UTC()
	cwd, _ := os.Getwd()
	j := &Journal{
		path: filepath.Join(dir, fmt.Sprintf("run-%d-%s%s", pid, hex.EncodeToString(id[:]), journalExt)),
		cwd:  cwd,
		content: journalFile{
			Format:     journalFormat,
			PID:        pid,
			Start:      processToken(pid),
			Title:      title,
			Started:    now,
			Updated:    now,
			BaseDir:    absBase,
			Experiment: string(text),
			Changes:    []journalChange{},
		},
	}
	j.content.ReachedText = live.FormatDuration(0)
	if err := j.write(); err != nil {
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		return nil, fmt.Errorf("journal %s: %w", j.path, err)
	}
	return j, nil
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// Update records the run's progress: the user's changes in timeline (the
// RecordChange records not Scripted) and the experiment time reached. It
// rewrites the journal atomically (temporary file, fsync, rename) and does
// nothing when neither changed since the last write. Trace paths of the
// user's "trace PATH" changes are made absolute (the workbench loads them
// relative to the working directory).
func (j *Journal) Update(timeline []live.Record, reached time.Duration) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return fmt.Errorf("journal %s: closed", j.path)
	}
	var changes []live.TimedChange
	for _, r := range timeline {
		if r.Kind == live.RecordChange && !r.Scripted {
			changes = append(changes, live.TimedChange{At: r.At, Command: r.Text})
		}
	}
	if j.written && time.Duration(j.content.Reached) == reached && sameChanges(changes, j.last) {
		return nil
	}
	if !sameChanges(changes, j.last) {
		j.content.Changes = j.content.Changes[:0]
		for _, c := range changes {
			j.content.Changes = append(j.content.Changes, journalChange{At: int64(c.At), Do: j.absTrace(c.Command)})
		}
		j.last = changes
	}
	j.content.Reached = int64(reached)
	j.content.ReachedText = live.FormatDuration(reached)
	j.content.Updated = time.Now().UTC()
	return j.write()
}

func sameChanges(a, b []live.TimedChange) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// absTrace makes the path of a "trace PATH" command absolute.
func (j *Journal) absTrace(cmd string) string {
	prefix, p, ok := traceCommand(cmd)
	if !ok || filepath.IsAbs(p) || j.cwd == "" {
		return cmd
	}
	return prefix + filepath.Join(j.cwd, p)
}

// write replaces the journal file atomically. The directory is not
// fsynced on every update: the journal guards against the process dying
// (kill -9, a crash), which the rename alone survives; after a power cut
// the previous version may come back, which is still a valid journal.
func (j *Journal) write() error {
	data, err := json.Marshal(&j.content)
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if err := writeFileAtomic(j.path, data); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	j.written = true
	return nil
}

// writeFileAtomic writes data to path through a temporary file in the
// same directory, fsynced, then renamed over path.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// Close ends the journal of a run that ended normally: the file is
// removed, so a clean exit leaves nothing behind. Close is idempotent.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	return removeJournal(j.path)
}

// removeJournal removes a journal and any temporary file a killed update
// left next to it.
func removeJournal(path string) error {
	err := os.Remove(path)
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if ents, e := os.ReadDir(dir); e == nil {
		for _, ent := range ents {
			if strings.HasPrefix(ent.Name(), "."+base+".tmp-") {
				os.Remove(filepath.Join(dir, ent.Name()))
			}
		}
	}
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}
