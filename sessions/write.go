// write.go owns Write: the session as a zip stream, entry by entry in a
// fixed order (session.toml first, so a reader learns the format before
// anything else), with the series streamed from the store through the
// compressor without an intermediate copy, and the generated README.txt.
package sessions

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/store"
)

// compressLevel is the deflate level of every entry. The series dominate
// a session; BenchmarkSave1h (a 1-hour, 2-flow session, 114 MB of CSV, on
// 2 cores) saves in 1.1 s to 26 MB at level 1, 1.5 s / 25 MB at level 2,
// 1.8 s / 24 MB at level 4 and 4.9 s / 21 MB at level 6: level 1 keeps
// the save well inside its 2-s budget for 20% more bytes.
const compressLevel = flate.BestSpeed

// Write writes the session as a zip stream: session.toml, README.txt,
// experiment.toml, timeline.csv, summary.json, series.csv, then the
// attachments sorted by name (traces the experiment uses included, see
// ExtractTraces). The format is described in README.md. It fails for
// what Load would refuse: bad attachment names, a trace that cannot be
// read, an entry over its size limit.
func Write(w io.Writer, s *Session) error {
	if err := write(w, s); err != nil {
		return fmt.Errorf("session: write: %w", err)
	}
	return nil
}

// write is Write; its errors name the entry or the attachment.
func write(w io.Writer, s *Session) error {
	if s == nil {
		return fmt.Errorf("no session")
	}
	b, err := s.makeBundle()
	if err != nil {
		return err
	}
	expTOML, err := b.exp.EncodeTOML()
	if err != nil {
		return fmt.Errorf("%s: %w", EntryExperiment, err)
	}
	created := s.Created
	if created.IsZero() {
		created = time.Now()
	}
	created = created.UTC()
	meta := &sessionMeta{
		Format:     FormatVersion,
		Version:    s.Version,
		Created:    created,
		Title:      s.Title,
		Notes:      s.Notes,
		Seed:       s.Experiment.Seed,
		Reached:    s.Reached,
		Experiment: EntryExperiment,
		Entries:    []string{EntryReadme, EntryExperiment, EntryTimeline, EntrySummary, EntrySeries},
	}
	for _, f := range b.files {
		meta.Entries = append(meta.Entries, f.Name)
	}
	metaTOML, err := meta.encode()
	if err != nil {
		return fmt.Errorf("%s: %w", EntrySession, err)
	}

	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, compressLevel)
	})
	zw.SetComment("ccscope session (format " + fmt.Sprint(FormatVersion) + "); see README.txt")
	ew := entryWriter{zw: zw, modified: created}
	ew.bytes(EntrySession, metaTOML)
	ew.bytes(EntryReadme, readme(s, meta, created))
	ew.bytes(EntryExperiment, expTOML)
	ew.stream(EntryTimeline, func(w io.Writer) error { return WriteTimelineCSV(w, b.timeline) })
	ew.stream(EntrySummary, func(w io.Writer) error { return s.Summary.WriteJSON(w) })
	ew.stream(EntrySeries, func(w io.Writer) error {
		st := s.Series
		if st == nil {
			st = store.NewStore()
		}
		return st.WriteCSV(w, nil)
	})
	for _, f := range b.files {
		ew.bytes(f.Name, f.Data)
	}
	if ew.err != nil {
		return ew.err
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("zip directory: %w", err)
	}
	return nil
}

// entryWriter adds entries to the zip, keeping the first error.
type entryWriter struct {
	zw       *zip.Writer
	modified time.Time
	err      error
}

func (e *entryWriter) create(name string) io.Writer {
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: e.modified}
	if stored(name) {
		h.Method = zip.Store
	}
	h.SetMode(0o644)
	w, err := e.zw.CreateHeader(h)
	if err != nil {
		e.err = fmt.Errorf("%s: %w", name, err)
		return nil
	}
	return w
}

func (e *entryWriter) bytes(name string, data []byte) {
	e.stream(name, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// stream writes an entry through a buffer, refusing more than the entry's
// size limit (what Load would refuse).
func (e *entryWriter) stream(name string, write func(io.Writer) error) {
	if e.err != nil {
		return
	}
	w := e.create(name)
	if w == nil {
		return
	}
	cw := &cappedWriter{w: w, left: entryLimit(name), name: name}
	bw := bufio.NewWriterSize(cw, 256<<10)
	err := write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		e.err = fmt.Errorf("%s: %w", name, err)
	}
}

// cappedWriter fails once more than left bytes are written.
type cappedWriter struct {
	w    io.Writer
	left int64
	name string
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		return 0, fmt.Errorf("larger than the %s a session's %s may hold", fmtBytes(entryLimit(c.name)), c.name)
	}
	c.left -= int64(len(p))
	return c.w.Write(p)
}

// stored reports whether an attachment is kept uncompressed: data that
// is compressed already gains nothing from deflate.
func stored(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".gz", ".zst", ".xz", ".bz2", ".zip", ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// readme is README.txt: what each entry of this session is.
func readme(s *Session, m *sessionMeta, created time.Time) []byte {
	var b bytes.Buffer
	title := s.Title
	if title == "" {
		title = "(untitled)"
	}
	version := s.Version
	if version == "" {
		version = "(unknown version)"
	}
	fmt.Fprintf(&b, "ccscope session: %s\n", title)
	fmt.Fprintf(&b, "Saved %s by ccscope %s; experiment time reached: %s of %s.\n",
		created.Format(time.RFC3339), version, live.FormatDuration(s.Reached), live.FormatDuration(s.Experiment.Duration))
	if s.Notes != "" {
		b.WriteString("\nNotes:\n")
		for _, l := range strings.Split(s.Notes, "\n") {
			b.WriteString("  " + l + "\n")
		}
	}
	b.WriteString(`
Open it with "ccscope open FILE", run it again with "ccscope rerun FILE",
or look inside with ordinary tools (unzip, a spreadsheet, jq):

  session.toml     format version, ccscope version, created, title, notes,
                   seed, experiment time reached, the list of entries
  experiment.toml  the experiment: after unzipping, run it again with
                   ccscope run --config experiment.toml
  timeline.csv     changes, flow starts and ends, warnings and errors;
                   columns t_ns,t,kind,scripted,text (t in seconds)
  summary.json     the Pantheon-style summary of the run
  series.csv       every recorded series; lines starting with # are
                   comments (pandas: comment='#'); columns
                   key,tier,t_ns,last_ns,min,max,mean,count,sum
`)
	var dirs []string
	for _, e := range m.Entries {
		if d, _, ok := strings.Cut(e, "/"); ok && (len(dirs) == 0 || dirs[len(dirs)-1] != d) {
			dirs = append(dirs, d)
		}
	}
	for _, d := range dirs {
		what := "attachments"
		switch d {
		case "traces":
			what = "the trace files the experiment uses (mahimahi format)"
		case "logs":
			what = "mahimahi logs of the link (mm-throughput-graph reads them)"
		case "pcap":
			what = "packet captures (Wireshark, tcpdump -r)"
		}
		fmt.Fprintf(&b, "  %-16s %s\n", d+"/", what)
	}
	b.WriteString("\nThe format is described in sessions/README.md of ccscope's source.\n")
	return b.Bytes()
}
