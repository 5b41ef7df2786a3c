// inspect_test.go: a session file is inspectable with ordinary tools —
// the documented entries in the documented order, an experiment.toml
// that runs on its own once unzipped, a timeline.csv and series.csv with
// the documented columns, and a zip that unzip itself accepts.
package sessions

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
)

func TestInspectable(t *testing.T) {
	s := traceSession(t, t.TempDir())
	data := sessionBytes(t, s)
	es := entries(t, data)
	var names []string
	for _, e := range es {
		names = append(names, e.Name)
	}
	want := []string{"session.toml", "README.txt", "experiment.toml", "timeline.csv", "summary.json", "series.csv",
		"logs/uplink.log", "pcap/run.pcap", "traces/cell_uplink.trace", "traces/down-2.trace", "traces/down.trace"}
	if !slices.Equal(names, want) {
		t.Fatalf("entries %q,\nwant %q", names, want)
	}
	body := map[string][]byte{}
	for _, e := range es {
		body[e.Name] = e.Data
	}

	// session.toml, read by a plain TOML reader.
	var meta map[string]any
	if _, err := toml.Decode(string(body["session.toml"]), &meta); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"format": int64(1), "ccscope": "v0.9.0-test", "title": s.Title, "notes": s.Notes,
		"seed": int64(7), "reached": "8s", "experiment": "experiment.toml"} {
		if meta[k] != v {
			t.Errorf("session.toml %s = %#v, want %#v", k, meta[k], v)
		}
	}
	if c, ok := meta["created"].(time.Time); !ok || !c.Equal(s.Created) {
		t.Errorf("session.toml created = %#v, want %v", meta["created"], s.Created)
	}
	var listed []string
	for _, e := range meta["entries"].([]any) {
		listed = append(listed, e.(string))
	}
	if !slices.Equal(listed, want[1:]) {
		t.Errorf("session.toml entries %q, want %q", listed, want[1:])
	}

	// Unzipped, experiment.toml parses and runs on its own.
	dir := t.TempDir()
	for _, e := range es {
		p := filepath.Join(dir, filepath.FromSlash(e.Name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, e.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exp, err := live.LoadExperiment(filepath.Join(dir, "experiment.toml"), func(spec string) error { _, err := cc.New(spec); return err })
	if err != nil {
		t.Fatal(err)
	}
	if exp.Uplink.Capacity != "traces/cell_uplink.trace" || exp.Seed != 7 || len(exp.Flows) != 2 {
		t.Errorf("experiment.toml: %+v", exp)
	}
	if _, err := live.NewSim(exp, live.SimOptions{NewController: cc.New}); err != nil {
		t.Errorf("the unzipped experiment does not run: %v", err)
	}

	// timeline.csv: the documented header, RFC 4180, t in seconds.
	recs, err := csv.NewReader(bytes.NewReader(body["timeline.csv"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "t_ns,t,kind,scripted,text" {
		t.Errorf("timeline.csv header %q", recs[0])
	}
	if len(recs) != len(s.Timeline)+1 {
		t.Errorf("timeline.csv has %d rows, want %d", len(recs)-1, len(s.Timeline))
	}
	for _, r := range recs[1:] {
		if r[0] == "1500000000" && (r[1] != "1.500000000" || r[2] != "change" || r[3] != "false" || r[4] != "both delay 30ms") {
			t.Errorf("timeline.csv row %q, want 1500000000,1.500000000,change,false,both delay 30ms", r)
		}
	}

	// series.csv: the store's layout.
	if !bytes.HasPrefix(body["series.csv"], []byte("# ccscope store v1\n")) ||
		!bytes.Contains(body["series.csv"], []byte("\nkey,tier,t_ns,last_ns,min,max,mean,count,sum\n")) {
		t.Errorf("series.csv does not start with the store's header")
	}
	// summary.json: indented JSON with the summary's own keys.
	var sum map[string]any
	if err := json.Unmarshal(body["summary.json"], &sum); err != nil {
		t.Fatal(err)
	}
	if _, ok := sum["throughput_mbps"]; !ok || !bytes.Contains(body["summary.json"], []byte("\n  \"")) {
		t.Errorf("summary.json is not the indented summary: %.200s", body["summary.json"])
	}
	// README.txt names the session and its entries.
	for _, w := range []string{s.Title, "experiment.toml", "timeline.csv", "traces/", "logs/", "pcap/"} {
		if !bytes.Contains(body["README.txt"], []byte(w)) {
			t.Errorf("README.txt does not mention %q", w)
		}
	}

	// Entries carry the save time and a regular file mode.
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	for _, f := range zr.File {
		if !f.Modified.Equal(s.Created.Truncate(time.Second)) || f.Mode().Perm() != 0o644 {
			t.Errorf("%s: modified %v mode %v", f.Name, f.Modified, f.Mode())
		}
	}
}

// TestUnzipAccepts: Info-ZIP's unzip tests the file without complaint
// (skipped where unzip is not installed).
func TestUnzipAccepts(t *testing.T) {
	unzip, err := exec.LookPath("unzip")
	if err != nil {
		t.Skip("unzip not installed")
	}
	path := filepath.Join(t.TempDir(), "s.zip")
	if err := Save(path, traceSession(t, t.TempDir())); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(unzip, "-t", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "No errors detected") {
		t.Fatalf("unzip -t: %v\n%s", err, out)
	}
	out, err = exec.Command(unzip, "-l", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "traces/cell_uplink.trace") {
		t.Fatalf("unzip -l: %v\n%s", err, out)
	}
	t.Logf("unzip -l:\n%s", out)
}
