// fuzz_test.go: FuzzRead feeds arbitrary bytes to Read — it must never
// panic, and whatever it accepts must save and load back the same. The
// seed corpus (testdata/fuzz/FuzzRead) holds small valid sessions, also
// stored uncompressed with zero checksums so that mutations reach the
// TOML, CSV and JSON parsers; TestFuzzCorpus regenerates it when
// SESSIONS_WRITE_CORPUS=1.
package sessions

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/store"
)

// fuzzSession is a small but complete session: traces in the experiment
// and the timeline, records of every kind, a summary, a few series, an
// attachment — a few KB, so that the fuzzer's mutations and minimization
// stay fast.
func fuzzSession(t testing.TB, traces bool) *Session {
	exp := smallExperiment()
	tl := []live.Record{
		{At: 0, Kind: live.RecordInfo, Text: "flow 1 (cubic, bulk) started"},
		{At: time.Second, Kind: live.RecordChange, Text: "both delay 30ms"},
		{At: time.Second, Kind: live.RecordWarning, Text: "a \"quoted\", warning"},
		{At: 1500 * time.Millisecond, Kind: live.RecordChange, Text: "flow add reno", Scripted: true},
		{At: 1600 * time.Millisecond, Kind: live.RecordError, Text: "line one\nline two"},
	}
	if traces {
		dir := t.TempDir()
		exp.Uplink.Capacity = writeTrace(t, dir, "up.trace", 1, 5)
		exp.BaseDir = dir
		writeTrace(t, dir, "down.trace", 2, 3)
		exp.Timeline = []live.TimedChange{{At: time.Second, Command: "downlink trace down.trace"}}
		tl = append(tl, live.Record{At: time.Second, Kind: live.RecordChange, Text: "downlink trace " + filepath.Join(dir, "down.trace"), Scripted: true})
	}
	s := &Session{Title: "fuzz", Notes: "n", Created: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Version: "v1",
		Experiment: exp, Reached: 1700 * time.Millisecond, Timeline: tl,
		Summary: live.Summary{Name: "x", Duration: 1.7, Seed: 1, Capacity: 24, Throughput: 23.9, Flows: []live.FlowSummary{{ID: 1, Scheme: "cubic", Throughput: 23.9}}},
		Files:   []File{{Name: "logs/uplink.log", Data: []byte("# base timestamp: 0\n1 # 1504\n")}},
	}
	st := store.NewStore()
	g, _ := st.Define("flow/1/cwnd", store.Meta{Kind: store.Gauge, Unit: "B", Label: "cwnd", Recent: time.Second, MaxPoints: 8,
		Tiers: []store.Tier{{Width: 100 * time.Millisecond, Buckets: 4}, {Width: time.Second, Buckets: 4}}})
	e, _ := st.Define("flow/1/owd", store.Meta{Kind: store.Event, Unit: "ms", Label: "owd", Recent: time.Second, MaxPoints: 8,
		Tiers: []store.Tier{{Width: 100 * time.Millisecond, Buckets: 4}}})
	for i := range 20 {
		g.Append(time.Duration(i)*90*time.Millisecond, float64(1448*(10+i)))
		e.Append(time.Duration(i)*85*time.Millisecond, 20+float64(i)/4)
	}
	e.Append(1800*time.Millisecond, math.NaN())
	s.Series = st
	return s
}

// corpusSeeds are the seed inputs: name → bytes.
func corpusSeeds(t testing.TB) map[string][]byte {
	small := sessionBytes(t, fuzzSession(t, false))
	traced := sessionBytes(t, fuzzSession(t, true))
	newer := edit(t, small, replaceEntry("session.toml", "format = 1", "format = 2"))
	return map[string][]byte{
		"valid-deflate":        small,
		"valid-traces-deflate": traced,
		"valid-stored":         pack(t, entries(t, small), true),
		"valid-traces-stored":  pack(t, entries(t, traced), true),
		"newer-format-stored":  pack(t, entries(t, newer), true),
		"zip-slip":             pack(t, append(entries(t, small), zipEntry{"../evil", []byte("x")}), true),
		"not-a-zip":            []byte("format = 1\n"),
		"only-session-toml":    pack(t, []zipEntry{{"session.toml", []byte("format = 1\nexperiment = \"experiment.toml\"\nreached = \"1s\"\n")}}, true),
		"truncated-at-half":    small[:len(small)/2],
		"scripted-foreign-trace": pack(t, entries(t, edit(t, traced, replaceEntry("timeline.csv",
			"downlink trace traces/down.trace", "downlink trace traces/down\x0etrace"))), true),
		"empty-entries-stored": pack(t, []zipEntry{{"session.toml", nil}, {"experiment.toml", nil}, {"timeline.csv", nil}, {"summary.json", nil}, {"series.csv", nil}}, true),
	}
}

func FuzzRead(f *testing.F) {
	for _, data := range corpusSeeds(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Read(bytes.NewReader(data), int64(len(data)), "fuzz.zip")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "session fuzz.zip") {
				t.Fatalf("error without the file's name: %v", err)
			}
			return
		}
		// What loads saves and loads back the same.
		var b bytes.Buffer
		if err := Write(&b, s); err != nil {
			t.Fatalf("a loaded session does not save: %v", err)
		}
		again, err := Read(bytes.NewReader(b.Bytes()), int64(b.Len()), "again.zip")
		if err != nil {
			t.Fatalf("a saved session does not load: %v", err)
		}
		if !bytes.Equal(storeCSV(t, s.Series), storeCSV(t, again.Series)) || len(again.Timeline) != len(s.Timeline) ||
			again.Title != s.Title || len(again.Files) != len(s.Files) {
			t.Fatal("save and load changed the session")
		}
	})
}

// TestFuzzCorpus checks that the committed seed corpus exists and holds
// a loadable session; SESSIONS_WRITE_CORPUS=1 rewrites it.
func TestFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	if os.Getenv("SESSIONS_WRITE_CORPUS") != "" {
		os.MkdirAll(dir, 0o755)
		for name, data := range corpusSeeds(t) {
			if err := os.WriteFile(filepath.Join(dir, name), fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, "valid-stored"))
	if err != nil {
		t.Fatal(err)
	}
	var data []byte
	body := strings.TrimSuffix(strings.TrimPrefix(string(raw), "go test fuzz v1\n[]byte("), ")\n")
	if _, err := fmt.Sscanf(body, "%q", &data); err != nil {
		t.Fatalf("corpus file: %v", err)
	}
	if _, err := Read(bytes.NewReader(data), int64(len(data)), "valid-stored"); err != nil {
		t.Fatalf("the corpus's valid session does not load: %v", err)
	}
}
