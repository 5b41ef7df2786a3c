package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
	"github.com/ccscope/ccscope/live/store"
	"github.com/ccscope/ccscope/sessions"
)

func TestMain(m *testing.M) {
	// Journals of the runs under test go to a private state directory.
	dir, err := os.MkdirTemp("", "ccscope-cli-state-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_STATE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sessionExperiment writes an experiment over a generated trace (which
// the session must carry), with a scripted bandwidth change and an uplink
// log, and returns its path.
func sessionExperiment(t *testing.T, dir string) string {
	t.Helper()
	mustRun(t, "trace", "gen", "--steps", "12mbit:2s,24mbit:2s", "-o", filepath.Join(dir, "steps.trace"))
	exp := `name = "cubic over steps"
duration = "6s"
seed = 7
[uplink]
capacity = "steps.trace"
queue = "droptail"
queue-args = "packets=60"
delay = "15ms"
log = "up.log"
[downlink]
capacity = "24mbit"
delay = "15ms"
[[flow]]
scheme = "cubic"
[[flow]]
scheme = "bbr"
start = "1s"
[[event]]
at = "3s"
do = "loss 0.5%"
`
	p := filepath.Join(dir, "exp.toml")
	if err := os.WriteFile(p, []byte(exp), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// csvOf exports a store, failing the test on error.
func csvOf(t *testing.T, st *store.Store) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := st.WriteCSV(&b, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestRunOutRoundTrip: ccscope run --out saves a session whose summary is
// the one printed and whose series are byte for byte those of an
// independent run of the same experiment; it carries the trace and the
// log, so it re-runs after they are deleted (rerun --check), and a
// session whose numbers were altered fails the check.
func TestRunOutRoundTrip(t *testing.T) {
	dir := t.TempDir()
	expPath := sessionExperiment(t, dir)
	zip := filepath.Join(dir, "run.zip")
	out := mustRun(t, "run", "--config", expPath, "--out", zip, "--title", "round trip", "--notes", "two flows", "--json", "-q")

	sess, err := sessions.Load(zip)
	if err != nil {
		t.Fatal(err)
	}
	var printed bytes.Buffer
	if err := sess.Summary.WriteJSON(&printed); err != nil {
		t.Fatal(err)
	}
	if printed.String() != out {
		t.Fatalf("the saved summary differs from the printed one:\n%s\n%s", printed.String(), out)
	}
	if sess.Title != "round trip" || sess.Notes != "two flows" || sess.Reached != 6*time.Second || sess.Experiment.Seed != 7 {
		t.Fatalf("metadata: %q %q reached %v seed %d", sess.Title, sess.Notes, sess.Reached, sess.Experiment.Seed)
	}
	// An independent run of the experiment gives the same series.
	exp, err := live.LoadExperiment(expPath, cc.Validate)
	if err != nil {
		t.Fatal(err)
	}
	exp.Uplink.Log = ""
	st := store.NewStore()
	sim, err := live.NewSim(exp, live.SimOptions{NewController: cc.New, Recorder: live.StoreRecorder(st)})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Run(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(csvOf(t, st), csvOf(t, sess.Series)) {
		t.Fatal("the saved series differ from an independent run's")
	}
	if len(st.Keys()) < 20 {
		t.Fatalf("only %d series", len(st.Keys()))
	}
	names := map[string]int{}
	for _, f := range sess.Files {
		names[f.Name] = len(f.Data)
	}
	logData, _ := os.ReadFile(filepath.Join(dir, "up.log"))
	if names["logs/uplink.log"] != len(logData) || len(logData) == 0 || names["traces/steps.trace"] == 0 {
		t.Fatalf("attachments %v (log on disk %d bytes)", names, len(logData))
	}

	// The session is self-contained: without the trace it re-runs.
	os.Remove(filepath.Join(dir, "steps.trace"))
	if out := mustRun(t, "rerun", zip, "--check"); !strings.HasPrefix(out, "identical: the summary and all ") {
		t.Fatalf("rerun --check: %s", out)
	}
	// Altered numbers fail the check, naming what differs.
	sess.Summary.Flows[1].Throughput += 0.5
	bad := filepath.Join(dir, "bad.zip")
	if err := sessions.Save(bad, sess); err != nil {
		t.Fatal(err)
	}
	code, _, errs := run(t, "rerun", bad, "--check")
	if code != 1 || !strings.Contains(errs, "the summary differs") {
		t.Fatalf("rerun --check of an altered session: exit %d\n%s", code, errs)
	}
}

// TestRerunEditAndExport: export gives CSV files, JSON and a runnable
// experiment equal to the session; rerun --edit runs a changed timeline
// ("what if the loss had come 2 s earlier") and saves it.
func TestRerunEditAndExport(t *testing.T) {
	dir := t.TempDir()
	zip := filepath.Join(dir, "run.zip")
	mustRun(t, "run", "--config", sessionExperiment(t, dir), "--out", zip, "-q")
	sess, err := sessions.Load(zip)
	if err != nil {
		t.Fatal(err)
	}

	csvDir := filepath.Join(dir, "csv")
	mustRun(t, "export", zip, "--csv", csvDir)
	series, _ := os.ReadFile(filepath.Join(csvDir, "series.csv"))
	if !bytes.Equal(series, csvOf(t, sess.Series)) {
		t.Fatal("export --csv: series.csv differs from the session's series")
	}
	timeline, _ := os.ReadFile(filepath.Join(csvDir, "timeline.csv"))
	if !strings.HasPrefix(string(timeline), "t_ns,t,kind,scripted,text\n") || !strings.Contains(string(timeline), "3000000000,3.000000000,change,true,uplink loss 0.5%") {
		t.Fatalf("timeline.csv:\n%s", timeline)
	}
	summary, _ := os.ReadFile(filepath.Join(csvDir, "summary.csv"))
	if lines := strings.Split(strings.TrimSpace(string(summary)), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[3], "all,") {
		t.Fatalf("summary.csv:\n%s", summary)
	}

	var doc struct {
		Title    string
		Summary  live.Summary
		Timeline []struct{ Text string }
		Series   map[string]any
	}
	if err := json.Unmarshal([]byte(mustRun(t, "export", zip, "--json", "--no-series")), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Summary.Throughput != sess.Summary.Throughput || len(doc.Timeline) != len(sess.Timeline) || doc.Series != nil {
		t.Fatalf("export --json: %+v", doc)
	}

	// The exported experiment runs to the same summary.
	expDir := filepath.Join(dir, "what-if")
	mustRun(t, "export", zip, "--experiment", expDir)
	var want bytes.Buffer
	sess.Summary.WriteJSON(&want)
	if got := mustRun(t, "run", "--config", filepath.Join(expDir, "experiment.toml"), "--json", "-q"); got != want.String() {
		t.Fatalf("the exported experiment runs differently:\n%s\n%s", got, want.String())
	}

	// What if the loss had started at 1 s?
	t.Setenv("EDITOR", `sed -i 's/^at = "3s"/at = "1s"/'`)
	whatIf := filepath.Join(dir, "what-if.zip")
	mustRun(t, "rerun", zip, "--edit", "--out", whatIf, "-q")
	edited, err := sessions.Load(whatIf)
	if err != nil {
		t.Fatal(err)
	}
	if tl := edited.Experiment.Timeline; len(tl) != 1 || tl[0].At != time.Second {
		t.Fatalf("the edited timeline: %+v", tl)
	}
	if edited.Summary.Flows[0].Retransmits == sess.Summary.Flows[0].Retransmits && edited.Summary.Loss == sess.Summary.Loss {
		t.Fatal("moving the loss 2 s earlier changed nothing")
	}
}

// TestSessionCommandErrors: bad files and bad usage give clear errors.
func TestSessionCommandErrors(t *testing.T) {
	dir := t.TempDir()
	notZip := filepath.Join(dir, "x.zip")
	os.WriteFile(notZip, []byte("hello"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"rerun", notZip}, 1, "not a zip"},
		{[]string{"rerun", filepath.Join(dir, "missing.zip")}, 1, "no such file"},
		{[]string{"export", notZip}, 2, "exactly one of"},
		{[]string{"export", notZip, "--json"}, 1, "not a zip"},
		{[]string{"rerun", notZip, "--check", "--edit"}, 2, "cannot be combined"},
		{[]string{"recover", "--list", "--discard"}, 1, "none of the others"},
	} {
		code, _, errs := run(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("ccscope %v: exit %d, %q; want exit %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
}
