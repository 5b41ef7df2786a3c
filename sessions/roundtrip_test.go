// roundtrip_test.go: a session saved and loaded comes back equal — every
// field, the series byte for byte — and re-running it gives the same run.
package sessions

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live"
)

// TestRoundTrip saves the session of a real trace-driven run (traces in a
// temporary directory, one given relative to the experiment's directory,
// two traces with the same base name, a user's trace change, a log path,
// attachments) and checks that Load gives every field back.
func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	orig := traceSession(t, dir)
	path := filepath.Join(t.TempDir(), "run.zip")
	if err := Save(path, orig); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}

	if got.Title != orig.Title || got.Notes != orig.Notes || got.Version != orig.Version || got.Reached != orig.Reached {
		t.Errorf("header: got %q %q %q %v, want %q %q %q %v", got.Title, got.Notes, got.Version, got.Reached,
			orig.Title, orig.Notes, orig.Version, orig.Reached)
	}
	if !got.Created.Equal(orig.Created) || got.Created.Location() != time.UTC {
		t.Errorf("created %v, want %v in UTC", got.Created, orig.Created)
	}

	// The experiment: as ExtractTraces normalises the original.
	want, err := orig.ExtractTraces(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want.BaseDir = ""
	if !reflect.DeepEqual(got.Experiment, want) {
		t.Errorf("experiment:\n got %+v\nwant %+v", got.Experiment, want)
	}
	if got.Experiment.BaseDir != "" {
		t.Errorf("BaseDir %q after Load, want empty", got.Experiment.BaseDir)
	}
	// Its traces: the rewritten paths name stored copies of the files.
	up := got.Experiment.Uplink.Capacity
	if up != "traces/cell_uplink.trace" {
		t.Errorf("uplink capacity %q, want traces/cell_uplink.trace", up)
	}
	checkTrace(t, got, up, filepath.Join(dir, "cell uplink.trace"))
	checkTrace(t, got, got.Experiment.Downlink.Capacity, filepath.Join(dir, "down.trace"))
	if got.Experiment.Uplink.Log != "uplink.log" || got.Experiment.Downlink.Log != "" {
		t.Errorf("logs %q %q, want uplink.log and none", got.Experiment.Uplink.Log, got.Experiment.Downlink.Log)
	}

	// The timeline: the same records; trace changes name stored copies
	// of the very files the run used.
	if len(got.Timeline) != len(orig.Timeline) {
		t.Fatalf("%d timeline records, want %d", len(got.Timeline), len(orig.Timeline))
	}
	traces := 0
	for i, r := range got.Timeline {
		o := orig.Timeline[i]
		if r.At != o.At || r.Kind != o.Kind || r.Scripted != o.Scripted {
			t.Errorf("record %d: %+v, want %+v", i, r, o)
		}
		_, op, isTrace := traceCommand(o.Text)
		if !isTrace || o.Kind != live.RecordChange {
			if r.Text != o.Text {
				t.Errorf("record %d: text %q, want %q", i, r.Text, o.Text)
			}
			continue
		}
		traces++
		_, p, ok := traceCommand(r.Text)
		if !ok || !strings.HasPrefix(p, "traces/") {
			t.Errorf("record %d: %q does not use a stored trace", i, r.Text)
			continue
		}
		checkTrace(t, got, p, op)
	}
	if traces != 2 {
		t.Errorf("%d trace changes in the timeline, want 2 (one scripted, one user)", traces)
	}

	if !reflect.DeepEqual(got.Summary, orig.Summary) {
		t.Errorf("summary:\n got %+v\nwant %+v", got.Summary, orig.Summary)
	}
	if a, b := storeCSV(t, orig.Series), storeCSV(t, got.Series); !bytes.Equal(a, b) {
		t.Errorf("series differ after the round trip (%d vs %d bytes)", len(a), len(b))
	}

	// Attachments come back as given, with the stored traces.
	var names []string
	for _, f := range got.Files {
		names = append(names, f.Name)
	}
	wantNames := []string{"logs/uplink.log", "pcap/run.pcap", "traces/cell_uplink.trace", "traces/down-2.trace", "traces/down.trace"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("files %q, want %q", names, wantNames)
	}
	for _, f := range orig.Files {
		if !bytes.Equal(fileData(got, f.Name), f.Data) {
			t.Errorf("attachment %s changed", f.Name)
		}
	}

	// Saving the loaded session again gives the same file: it needs no
	// trace from the disk and renames nothing.
	again := filepath.Join(t.TempDir(), "again.zip")
	if err := Save(again, got); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(path)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("saving a loaded session gives a different file")
	}
}

// TestRerunFromSession: the loaded session, re-run with its extracted
// traces and its user changes (ExtractRerun), gives the original run's
// series byte for byte — the user's trace change included.
func TestRerunFromSession(t *testing.T) {
	orig := traceSession(t, t.TempDir())
	path := filepath.Join(t.TempDir(), "run.zip")
	if err := Save(path, orig); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := got.ExtractRerun(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(exp.Timeline); n != len(orig.Experiment.Timeline)+len(orig.UserChanges()) {
		t.Fatalf("re-run timeline has %d changes, want %d", n, len(orig.Experiment.Timeline)+len(orig.UserChanges()))
	}
	if !bytes.Equal(rerunSeries(t, exp, got.Reached), storeCSV(t, orig.Series)) {
		t.Error("the re-run's series differ from the recorded ones")
	}
}

// TestRoundTripEdges: an empty session (no series store, no timeline,
// zero time, a seed beyond int64) and text TOML must escape.
func TestRoundTripEdges(t *testing.T) {
	exp := live.DefaultExperiment()
	exp.Seed = 1<<64 - 1
	s := &Session{Title: "a \"quoted\" \\ title\x7f", Notes: "\r\n\ttabs", Experiment: exp}
	path := filepath.Join(t.TempDir(), "empty.zip")
	before := time.Now().Add(-time.Second)
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != s.Title || got.Notes != s.Notes {
		t.Errorf("title %q notes %q, want %q %q", got.Title, got.Notes, s.Title, s.Notes)
	}
	if got.Experiment.Seed != exp.Seed {
		t.Errorf("seed %d, want %d", got.Experiment.Seed, exp.Seed)
	}
	if got.Created.Before(before) {
		t.Errorf("created %v: a zero Created should be saved as the time of the save", got.Created)
	}
	if len(got.Timeline) != 0 || len(got.Series.Keys()) != 0 || len(got.Files) != 0 {
		t.Errorf("got %d records, %d series, %d files; want none", len(got.Timeline), len(got.Series.Keys()), len(got.Files))
	}
}

func fileData(s *Session, name string) []byte {
	for _, f := range s.Files {
		if f.Name == name {
			return f.Data
		}
	}
	return nil
}

// checkTrace checks that the session stores the trace file at disk
// under entry name.
func checkTrace(t *testing.T, s *Session, name, disk string) {
	t.Helper()
	want, err := os.ReadFile(disk)
	if err != nil {
		t.Fatal(err)
	}
	got := fileData(s, name)
	if got == nil {
		t.Errorf("no entry %s", name)
	} else if !bytes.Equal(got, want) {
		t.Errorf("entry %s is not a copy of %s", name, disk)
	}
}
