// traces.go owns making a session self-contained: finding the trace files
// its experiment and timeline use, storing them as traces/NAME entries and
// rewriting the paths to those entries (the bundle Write stores), and
// ExtractTraces, which puts them back on disk for a re-run.
package sessions

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live"
)

// The log paths the experiment inside a session uses: a log is an output,
// so a re-run writes it next to experiment.toml rather than into a
// directory of the machine that saved the session.
const (
	uplinkLog   = "uplink.log"
	downlinkLog = "downlink.log"
)

// bundle is a session as it is stored: the experiment and timeline with
// trace paths rewritten to traces/ entries, and every attachment (the
// traces included) sorted by name.
type bundle struct {
	exp      live.Experiment
	timeline []live.Record
	files    []File
}

// bundler collects the attachments and the traces.
type bundler struct {
	files  []File
	names  nameSet
	byName map[string]bool   // attachment names
	byPath map[string]string // absolute trace path on disk → entry name
}

// makeBundle checks the attachments, stores the traces and rewrites the
// paths. It does not change s.
func (s *Session) makeBundle() (*bundle, error) {
	b := &bundler{names: nameSet{}, byName: map[string]bool{}, byPath: map[string]string{}}
	for _, f := range s.Files {
		if err := checkName(f.Name, false); err != nil {
			return nil, fmt.Errorf("attachment: %w", err)
		}
		if reserved(f.Name) {
			return nil, fmt.Errorf("attachment %q: the name is one of the session's own entries", f.Name)
		}
		if err := b.names.add(f.Name); err != nil {
			return nil, fmt.Errorf("attachment: %w", err)
		}
		if len(f.Data) > MaxAttachmentBytes {
			return nil, fmt.Errorf("attachment %q: %d bytes, more than the %s a session may hold", f.Name, len(f.Data), fmtBytes(MaxAttachmentBytes))
		}
		b.byName[f.Name] = true
		b.files = append(b.files, f)
	}

	exp := s.Experiment
	exp.Timeline = slices.Clone(exp.Timeline)
	for _, l := range []struct {
		dir  string
		spec *live.LinkSpec
		log  string
	}{{"uplink", &exp.Uplink, uplinkLog}, {"downlink", &exp.Downlink, downlinkLog}} {
		if c := l.spec.Capacity; isTracePath(c) {
			name, err := b.trace(c, s.Experiment.Resolve(c), l.dir+".capacity")
			if err != nil {
				return nil, err
			}
			l.spec.Capacity = name
		}
		if l.spec.Log != "" {
			l.spec.Log = l.log
		}
	}
	for i, tc := range exp.Timeline {
		prefix, p, ok := traceCommand(tc.Command)
		if !ok {
			continue
		}
		name, err := b.trace(p, s.Experiment.Resolve(p), fmt.Sprintf("event at %s (%q)", live.FormatDuration(tc.At), tc.Command))
		if err != nil {
			return nil, err
		}
		exp.Timeline[i].Command = prefix + name
	}
	exp.BaseDir = ""

	timeline := slices.Clone(s.Timeline)
	for i, r := range timeline {
		if r.Kind != live.RecordChange {
			continue
		}
		prefix, p, ok := traceCommand(r.Text)
		if !ok {
			continue
		}
		// The run loaded the trace from this path as written (relative
		// to the working directory): a scripted change records the path
		// resolved against the experiment's directory, a user's change
		// the path as typed.
		name, err := b.trace(p, p, fmt.Sprintf("timeline at %s (%q)", live.FormatDuration(r.At), r.Text))
		if err != nil {
			return nil, err
		}
		timeline[i].Text = prefix + name
	}

	slices.SortStableFunc(b.files, func(x, y File) int { return strings.Compare(x.Name, y.Name) })
	return &bundle{exp: exp, timeline: timeline, files: b.files}, nil
}

// trace gives the entry holding the trace written p (opened: where it is
// on disk), adding it when it is not stored yet. A relative path naming a
// traces/ attachment (a loaded session's) is that attachment; otherwise
// the file is read and stored under traces/BASENAME, unless an identical
// trace is stored already.
func (b *bundler) trace(p, opened, where string) (string, error) {
	abs, err := filepath.Abs(opened)
	if err != nil {
		abs = opened
	}
	if !filepath.IsAbs(p) {
		if slash := filepath.ToSlash(filepath.Clean(p)); strings.HasPrefix(slash, TracesDir) && b.byName[slash] {
			b.byPath[abs] = slash
			return slash, nil
		}
	}
	if name, ok := b.byPath[abs]; ok {
		return name, nil
	}
	data, err := readTrace(opened)
	if err != nil {
		return "", fmt.Errorf("%s: trace %q: %w", where, p, err)
	}
	for _, f := range b.files {
		if strings.HasPrefix(f.Name, TracesDir) && bytes.Equal(f.Data, data) {
			b.byPath[abs] = f.Name
			return f.Name, nil
		}
	}
	name := uniqueName(b.names, TracesDir, safeBase(p))
	if err := b.names.add(name); err != nil {
		return "", err // cannot happen: uniqueName gives an unused name
	}
	b.byName[name] = true
	b.byPath[abs] = name
	b.files = append(b.files, File{Name: name, Data: data})
	return name, nil
}

// readTrace reads a trace file to store it, refusing what is not a
// regular file or is too large for a session.
func readTrace(p string) ([]byte, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("cannot be read to store it in the session: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	if fi.Size() > MaxAttachmentBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the %s a session may hold", p, fi.Size(), fmtBytes(MaxAttachmentBytes))
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("cannot be read to store it in the session: %w", err)
	}
	return data, nil
}

// isTracePath reports whether a link capacity names a trace file rather
// than a rate (as the experiment's validation decides).
func isTracePath(capacity string) bool {
	return strings.TrimSpace(capacity) != "" && !emu.LooksLikeRate(capacity)
}

// traceCommand splits a "[uplink|downlink|both] trace PATH" command into
// its prefix (up to and including the space before the path) and the
// path, as emu.ParseCommand reads it: the fields after "trace" joined by
// single spaces.
func traceCommand(cmd string) (prefix, p string, ok bool) {
	f := strings.Fields(cmd)
	i := 0
	if len(f) > 0 {
		switch strings.ToLower(f[0]) {
		case "up", "uplink", "down", "downlink", "both":
			i = 1
		}
	}
	if len(f) < i+2 || !strings.EqualFold(f[i], "trace") {
		return "", "", false
	}
	return strings.Join(f[:i+1], " ") + " ", strings.Join(f[i+1:], " "), true
}

// ExtractTraces writes the session's traces (its traces/ attachments and,
// for a session not loaded from a file, the trace files its experiment
// uses) into dir/traces/, and returns the experiment as a session stores
// it — trace paths "traces/NAME", logs "uplink.log" and "downlink.log" —
// with BaseDir = dir, so that those paths resolve. The experiment is
// ready for live.NewSim.
func (s *Session) ExtractTraces(dir string) (live.Experiment, error) {
	b, err := s.extract(dir)
	if err != nil {
		return live.Experiment{}, err
	}
	return b.exp, nil
}

// ExtractRerun is ExtractTraces for a re-run: the experiment with the
// user's changes added to its timeline (see RerunExperiment), their trace
// paths rewritten to the extracted traces too.
func (s *Session) ExtractRerun(dir string) (live.Experiment, error) {
	b, err := s.extract(dir)
	if err != nil {
		return live.Experiment{}, err
	}
	t := &Session{Experiment: b.exp, Timeline: b.timeline}
	return t.RerunExperiment(), nil
}

func (s *Session) extract(dir string) (*bundle, error) {
	b, err := s.makeBundle()
	if err != nil {
		return nil, fmt.Errorf("session: extract traces: %w", err)
	}
	for _, f := range b.files {
		if !strings.HasPrefix(f.Name, TracesDir) {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("session: extract traces: %w", err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return nil, fmt.Errorf("session: extract traces: %w", err)
		}
	}
	b.exp.BaseDir = dir
	return b, nil
}

// fmtBytes writes a size limit for messages: "16 MiB", "1 GiB".
func fmtBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
