// read.go owns Load and Read: opening a session file strictly and safely.
// Every entry name is checked before anything is read (zip-slip,
// duplicates), every size is counted on the decompressed stream against
// its cap (the headers are not trusted), a zip bomb is refused by its
// compression ratio, and every problem becomes an error naming the file,
// the entry and, where there is one, the line — never a panic.
package sessions

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/store"
)

// Load reads the session file at path. See Read.
func Load(path string) (*Session, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("session %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("session %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("session %s: not a regular file", path)
	}
	return Read(f, fi.Size(), path)
}

// Read reads a session file of size bytes from r; name is the file's name
// for messages. The experiment comes back with its trace paths as stored
// ("traces/NAME", BaseDir empty) and the traces among Files; call
// ExtractTraces to re-run it. Errors begin "session NAME" and say what is
// wrong: not a zip file, truncated or corrupt, made by a newer ccscope, an
// unsafe or duplicate entry name, an entry over its size limit, a missing
// entry, or bad content (with the entry and line).
func Read(r io.ReaderAt, size int64, name string) (*Session, error) {
	ld := &loader{name: name, size: size}
	s, err := ld.load(r)
	if err != nil {
		var ce *corruptError
		var ne errNewer
		switch {
		case errors.As(err, &ne):
			return nil, fmt.Errorf("session %s: %w", name, ne)
		case errors.As(err, &ce):
			return nil, fmt.Errorf("session %s is truncated or corrupt: %w", name, err)
		}
		return nil, fmt.Errorf("session %s: %w", name, err)
	}
	return s, nil
}

// loader reads one file.
type loader struct {
	name  string
	size  int64
	total int64 // decompressed bytes read so far, all entries
}

// corruptError is damage found while reading the zip's structure or an
// entry's compressed data.
type corruptError struct {
	entry string
	err   error
}

func (e *corruptError) Error() string {
	if e.entry == "" {
		return e.err.Error()
	}
	return e.entry + ": " + e.err.Error()
}

func (e *corruptError) Unwrap() error { return e.err }

// inEntry prefixes an error with the entry it is about: "timeline.csv
// line 3: …" when the error starts with its line, else "timeline.csv: …".
func inEntry(entry string, err error) error {
	if strings.HasPrefix(err.Error(), "line ") {
		return &entryError{entry + " ", err}
	}
	return &entryError{entry + ": ", err}
}

type entryError struct {
	prefix string
	err    error
}

func (e *entryError) Error() string { return e.prefix + e.err.Error() }
func (e *entryError) Unwrap() error { return e.err }

func (ld *loader) load(r io.ReaderAt) (*Session, error) {
	if ld.size <= 0 {
		return nil, errors.New("empty file: not a ccscope session")
	}
	zr, err := zip.NewReader(r, ld.size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		var head [4]byte
		n, _ := r.ReadAt(head[:], 0)
		if n == 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5 || head[2] == 7) {
			return nil, &corruptError{err: err}
		}
		return nil, errors.New("not a ccscope session (not a zip file)")
	}
	if len(zr.File) > MaxEntries {
		return nil, fmt.Errorf("%d entries, more than the %d a session may have", len(zr.File), MaxEntries)
	}

	// Names and declared sizes, before reading anything.
	names := nameSet{}
	byName := map[string]*zip.File{}
	var declared uint64
	for _, f := range zr.File {
		dir := strings.HasSuffix(f.Name, "/")
		if err := checkName(f.Name, dir); err != nil {
			return nil, fmt.Errorf("unsafe entry: %w", err)
		}
		if err := names.add(f.Name); err != nil {
			return nil, err
		}
		if f.Flags&1 != 0 {
			return nil, fmt.Errorf("entry %s is encrypted", f.Name)
		}
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return nil, fmt.Errorf("entry %s uses compression method %d; sessions use deflate", f.Name, f.Method)
		}
		if lim := entryLimit(f.Name); f.UncompressedSize64 > uint64(lim) {
			return nil, fmt.Errorf("entry %s: %d bytes, more than the %s limit for it", f.Name, f.UncompressedSize64, fmtBytes(lim))
		}
		declared += f.UncompressedSize64
		if declared > uint64(MaxTotalBytes) {
			return nil, fmt.Errorf("more than %s in all, the limit of a session", fmtBytes(MaxTotalBytes))
		}
		if !dir {
			byName[f.Name] = f
		}
	}

	mf := byName[EntrySession]
	if mf == nil {
		return nil, errors.New("not a ccscope session (no session.toml in the zip)")
	}
	metaData, err := ld.readAll(mf)
	if err != nil {
		return nil, err
	}
	m, err := decodeMeta(metaData)
	if err != nil {
		var ne errNewer
		if errors.As(err, &ne) {
			return nil, ne
		}
		return nil, inEntry(EntrySession, err)
	}
	if err := checkName(m.Experiment, false); err != nil {
		return nil, fmt.Errorf("%s: experiment: %w", EntrySession, err)
	}
	for _, e := range append([]string{m.Experiment, EntryTimeline, EntrySummary, EntrySeries}, m.Entries...) {
		if byName[e] == nil {
			return nil, fmt.Errorf("entry %s is missing: the file is incomplete", e)
		}
	}

	if f := byName[EntryReadme]; f != nil {
		// Nothing to read in it, but damage is damage.
		if err := ld.stream(f, func(io.Reader) error { return nil }); err != nil {
			return nil, err
		}
	}

	s := &Session{Title: m.Title, Notes: m.Notes, Created: m.Created, Version: m.Version, Reached: m.Reached}
	attached := map[string]bool{}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") || reserved(f.Name) || f.Name == m.Experiment {
			continue
		}
		data, err := ld.readAll(f)
		if err != nil {
			return nil, err
		}
		s.Files = append(s.Files, File{Name: f.Name, Data: data})
		attached[f.Name] = true
	}

	expData, err := ld.readAll(byName[m.Experiment])
	if err != nil {
		return nil, err
	}
	// The traces are checked before parsing, which loads them: a
	// session never makes this machine read a file of its choosing.
	if err := checkStoredTOML(expData, attached); err != nil {
		return nil, inEntry(m.Experiment, err)
	}
	if s.Experiment, err = parseExperiment(m.Experiment, expData, s.Files); err != nil {
		return nil, err
	}
	if err := checkStored(s.Experiment, attached); err != nil {
		return nil, fmt.Errorf("%s: %w", m.Experiment, err)
	}

	err = ld.stream(byName[EntryTimeline], func(r io.Reader) error {
		var err error
		s.Timeline, err = ReadTimelineCSV(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, r := range s.Timeline {
		if _, p, ok := traceCommand(r.Text); ok && r.Kind == live.RecordChange && !attached[p] {
			return nil, fmt.Errorf("%s: the change %q at %s uses a trace not stored in the session (want %sNAME)",
				EntryTimeline, r.Text, live.FormatDuration(r.At), TracesDir)
		}
	}

	sumData, err := ld.readAll(byName[EntrySummary])
	if err != nil {
		return nil, err
	}
	if err := decodeJSON(sumData, &s.Summary); err != nil {
		return nil, inEntry(EntrySummary, err)
	}

	err = ld.stream(byName[EntrySeries], func(r io.Reader) error {
		var err error
		s.Series, err = store.ReadCSV(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// parseExperiment reads experiment.toml with live.ParseExperiment, which
// loads the trace files the experiment names to validate them: they are
// written to a temporary directory, removed before returning, and the
// experiment comes back with BaseDir empty.
func parseExperiment(name string, data []byte, files []File) (live.Experiment, error) {
	tmp, err := os.MkdirTemp("", "ccscope-session-*")
	if err != nil {
		return live.Experiment{}, fmt.Errorf("%s: %w", name, err)
	}
	defer os.RemoveAll(tmp)
	for _, f := range files {
		if !strings.HasPrefix(f.Name, TracesDir) {
			continue
		}
		p := filepath.Join(tmp, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return live.Experiment{}, fmt.Errorf("%s: extracting %s: %w", name, f.Name, err)
		}
		if err := os.WriteFile(p, f.Data, 0o600); err != nil {
			return live.Experiment{}, fmt.Errorf("%s: extracting %s: %w", name, f.Name, err)
		}
	}
	exp, err := live.ParseExperiment(name, data, tmp, nil)
	if err != nil {
		// FieldError messages begin with the entry's name and line; the
		// temporary directory means nothing to the reader.
		return live.Experiment{}, &expError{err: err, tmp: tmp + string(filepath.Separator)}
	}
	exp.BaseDir = ""
	return exp, nil
}

// expError is live.ParseExperiment's error without the temporary
// directory in its text; Unwrap keeps its *live.FieldError values.
type expError struct {
	err error
	tmp string
}

func (e *expError) Error() string { return strings.ReplaceAll(e.err.Error(), e.tmp, "") }
func (e *expError) Unwrap() error { return e.err }

// checkStoredTOML is checkStored on the experiment's TOML before it is
// parsed: the capacities and the "do" of each [[event]]. Text that is not
// valid TOML passes, for ParseExperiment to report with its line.
func checkStoredTOML(data []byte, attached map[string]bool) error {
	var root map[string]any
	if _, err := toml.Decode(strings.TrimPrefix(string(data), "\ufeff"), &root); err != nil {
		return nil
	}
	var e live.Experiment
	for _, l := range []struct {
		key  string
		spec *live.LinkSpec
	}{{"uplink", &e.Uplink}, {"downlink", &e.Downlink}} {
		if t, ok := root[l.key].(map[string]any); ok {
			l.spec.Capacity, _ = t["capacity"].(string)
		}
	}
	var events []map[string]any
	switch v := root["event"].(type) {
	case []map[string]any:
		events = v
	case []any:
		for _, x := range v {
			if m, ok := x.(map[string]any); ok {
				events = append(events, m)
			}
		}
	}
	for _, ev := range events {
		do, _ := ev["do"].(string)
		e.Timeline = append(e.Timeline, live.TimedChange{Command: do})
	}
	err := checkStored(e, attached)
	var te *traceError
	if errors.As(err, &te) {
		// The line: where the path is written (experiments are one key
		// a line).
		for i, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, te.path) {
				return fmt.Errorf("line %d: %w", i+1, err)
			}
		}
	}
	return err
}

// traceError is a trace path that is not one of the session's entries.
type traceError struct{ field, path string }

func (e *traceError) Error() string {
	return fmt.Sprintf("%s: trace %q is not stored in the session (want %sNAME)", e.field, e.path, TracesDir)
}

// checkStored checks that every trace the experiment uses is one of the
// session's traces/ entries, so that a session never reads the files of
// the machine that opens it.
func checkStored(e live.Experiment, attached map[string]bool) error {
	ok := func(p string) bool { return strings.HasPrefix(p, TracesDir) && attached[p] }
	for _, l := range []struct {
		field string
		spec  live.LinkSpec
	}{{"uplink.capacity", e.Uplink}, {"downlink.capacity", e.Downlink}} {
		if isTracePath(l.spec.Capacity) && !ok(l.spec.Capacity) {
			return &traceError{l.field, l.spec.Capacity}
		}
	}
	for i, tc := range e.Timeline {
		if _, p, isTrace := traceCommand(tc.Command); isTrace && !ok(p) {
			return &traceError{fmt.Sprintf("event[%d].do", i), p}
		}
	}
	return nil
}

// decodeJSON decodes one JSON value filling v; errors name the line.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(v)
	if err == nil {
		if _, e := dec.Token(); e != io.EOF {
			return fmt.Errorf("line %d: more after the JSON value", lineAt(data, dec.InputOffset()))
		}
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("line %d: not valid JSON: %v", lineAt(data, se.Offset), se)
	case errors.As(err, &te):
		return fmt.Errorf("line %d: %s: want %v, not a JSON %s", lineAt(data, te.Offset), te.Field, te.Type, te.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("line %d: the JSON ends early", lineAt(data, int64(len(data))))
	}
	return err
}

// lineAt is the 1-based line of a byte offset.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

// readAll reads a whole entry.
func (ld *loader) readAll(f *zip.File) ([]byte, error) {
	var data []byte
	err := ld.stream(f, func(r io.Reader) error {
		var err error
		data, err = io.ReadAll(r)
		return err
	})
	return data, err
}

// stream opens an entry and hands its decompressed content to read,
// counted against the limits; then it reads on to the end, so that the
// checksum is verified. A damaged or oversized stream is reported as
// such, whatever read made of the partial data.
func (ld *loader) stream(f *zip.File, read func(io.Reader) error) error {
	rc, err := f.Open()
	if err != nil {
		return &corruptError{entry: f.Name, err: err}
	}
	defer rc.Close()
	g := &guard{
		ld: ld, f: f,
		limit:      entryLimit(f.Name),
		compressed: int64(min(f.CompressedSize64, uint64(ld.size))),
	}
	g.r = io.LimitReader(rc, g.limit+1)
	if f.Method == zip.Store {
		g.compressed = -1 // no ratio to check
	}
	err = read(g)
	// Read on to the end: the checksum is verified there, and damaged
	// data that made read fail is reported as damage, not as bad content.
	if _, cerr := io.Copy(io.Discard, g); err == nil {
		err = cerr
	}
	if g.err != nil {
		return g.err
	}
	if err != nil {
		return inEntry(f.Name, err)
	}
	return nil
}

// guard counts an entry's decompressed bytes against its limit, the
// session's total and the compression ratio, and keeps the first error of
// the stream underneath, classified.
type guard struct {
	r          io.Reader
	ld         *loader
	f          *zip.File
	n, limit   int64
	compressed int64
	err        error
}

func (g *guard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	g.ld.total += int64(n)
	switch {
	case g.n > g.limit:
		g.err = fmt.Errorf("entry %s is larger than the %s limit for it (its header said %d bytes)", g.f.Name, fmtBytes(g.limit), g.f.UncompressedSize64)
	case g.ld.total > MaxTotalBytes:
		g.err = fmt.Errorf("more than %s in all, the limit of a session", fmtBytes(MaxTotalBytes))
	case g.compressed >= 0 && g.n > BombFloorBytes && g.n > MaxCompressionRatio*max(g.compressed, 1):
		g.err = fmt.Errorf("entry %s expands more than %d times (%d bytes from %d): a zip bomb, refused", g.f.Name, MaxCompressionRatio, g.n, g.compressed)
	case err != nil && err != io.EOF:
		g.err = &corruptError{entry: g.f.Name, err: describeCorrupt(err)}
	}
	if g.err != nil {
		return n, g.err
	}
	return n, err
}

// describeCorrupt gives a readable reason for a damaged stream.
func describeCorrupt(err error) error {
	var fe flate.CorruptInputError
	switch {
	case errors.Is(err, zip.ErrChecksum):
		return errors.New("checksum mismatch (the data was changed or damaged)")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the data ends early")
	case errors.As(err, &fe):
		return fmt.Errorf("bad compressed data: %v", err)
	}
	return err
}
