// names.go owns the names and limits of a session file: the fixed entries,
// the size caps a loader enforces, and the rules an entry name must follow
// (no absolute paths, no "..", no backslashes or control characters, no
// duplicates), which keep a hostile zip from writing outside the directory
// it is extracted to.
package sessions

import (
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The fixed entries of a session file, in the order Write writes them.
const (
	EntrySession    = "session.toml"
	EntryReadme     = "README.txt"
	EntryExperiment = "experiment.toml"
	EntryTimeline   = "timeline.csv"
	EntrySummary    = "summary.json"
	EntrySeries     = "series.csv"
)

// TracesDir is the folder of the trace files an experiment uses; the
// experiment inside a session refers to them as "traces/NAME".
const TracesDir = "traces/"

// Limits a loader enforces, whatever the zip's headers claim: sizes are
// counted on the decompressed data as it is read.
const (
	// MaxEntries is the most entries a session file may have.
	MaxEntries = 10_000
	// MaxNameBytes bounds an entry's name.
	MaxNameBytes = 1024
	// MaxMetaBytes caps session.toml, experiment.toml and summary.json.
	MaxMetaBytes = 16 << 20
	// MaxTimelineBytes caps timeline.csv.
	MaxTimelineBytes = 256 << 20
	// MaxSeriesBytes caps series.csv.
	MaxSeriesBytes = 1 << 30
	// MaxAttachmentBytes caps each other entry (traces, logs, pcaps).
	MaxAttachmentBytes = 1 << 30
	// MaxTotalBytes caps all entries together.
	MaxTotalBytes int64 = 2 << 30
	// MaxCompressionRatio is the largest ratio of decompressed to
	// compressed size accepted for an entry once it has produced
	// BombFloorBytes: beyond it the entry is taken for a zip bomb.
	// (deflate cannot exceed about 1032:1, so only degenerate data
	// such as megabytes of one repeated byte comes near it.)
	MaxCompressionRatio = 1000
	// BombFloorBytes is the decompressed size from which the ratio is
	// checked; smaller entries may compress as well as they like.
	BombFloorBytes = 1 << 20
)

// entryLimit is the size cap of an entry.
func entryLimit(name string) int64 {
	switch name {
	case EntrySession, EntryExperiment, EntrySummary, EntryReadme:
		return MaxMetaBytes
	case EntryTimeline:
		return MaxTimelineBytes
	case EntrySeries:
		return MaxSeriesBytes
	}
	return MaxAttachmentBytes
}

// reserved reports whether name is one of the fixed entries, which an
// attachment may not use.
func reserved(name string) bool {
	switch name {
	case EntrySession, EntryReadme, EntryExperiment, EntryTimeline, EntrySummary, EntrySeries:
		return true
	}
	return false
}

// checkName checks an entry name: a relative, slash-separated path of
// non-empty segments, none of them "." or "..", in UTF-8 without control
// characters or backslashes. dir allows the trailing slash of a directory
// entry.
func checkName(name string, dir bool) error {
	switch {
	case name == "":
		return fmt.Errorf("empty entry name")
	case len(name) > MaxNameBytes:
		return fmt.Errorf("entry name of %d bytes (at most %d)", len(name), MaxNameBytes)
	case !utf8.ValidString(name):
		return fmt.Errorf("entry name %q is not UTF-8", name)
	case strings.ContainsRune(name, '\\'):
		return fmt.Errorf("entry name %q contains a backslash", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("entry name %q contains a control character", name)
	case name[0] == '/' || len(name) > 1 && name[1] == ':':
		return fmt.Errorf("entry name %q is an absolute path", name)
	}
	body := name
	if dir {
		body = strings.TrimSuffix(name, "/")
	}
	for _, seg := range strings.Split(body, "/") {
		switch seg {
		case "":
			return fmt.Errorf("entry name %q has an empty path segment", name)
		case ".", "..":
			return fmt.Errorf("entry name %q has a %q segment (a path escaping the session)", name, seg)
		}
	}
	return nil
}

// nameSet detects duplicate entry names, also those differing only in
// case (they would overwrite each other on macOS or Windows).
type nameSet map[string]string

func (ns nameSet) add(name string) error {
	k := strings.ToLower(name)
	if prev, ok := ns[k]; ok {
		if prev == name {
			return fmt.Errorf("entry %q appears twice", name)
		}
		return fmt.Errorf("entries %q and %q differ only in case", prev, name)
	}
	ns[k] = name
	return nil
}

func (ns nameSet) has(name string) bool {
	_, ok := ns[strings.ToLower(name)]
	return ok
}

// safeBase turns a file's base name into a tidy entry name: letters,
// digits and ".-_+" are kept, anything else becomes "_"; an empty or
// hidden name gets a "trace" prefix.
func safeBase(p string) string {
	base := path.Base(strings.ReplaceAll(p, "\\", "/"))
	var b strings.Builder
	for _, r := range base {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-_+", r)):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if len(s) > 200 {
		s = s[len(s)-200:]
	}
	if s == "" || s[0] == '.' || s == "_" {
		s = "trace" + s
	}
	return s
}

// uniqueName gives dir+base, or dir+stem-2.ext, -3, … if that is taken.
func uniqueName(taken nameSet, dir, base string) string {
	name := dir + base
	if !taken.has(name) && !reserved(name) {
		return name
	}
	stem, ext := base, ""
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		stem, ext = base[:i], base[i:]
	}
	for n := 2; ; n++ {
		name = fmt.Sprintf("%s%s-%d%s", dir, stem, n, ext)
		if !taken.has(name) {
			return name
		}
	}
}
