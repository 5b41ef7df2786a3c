// journal_test.go: the autosave journal — its lifecycle, recovery after a
// real SIGKILL of the process that kept it, the pid-reuse and dead-pid
// cases, and damaged journals reported rather than dropped.
package sessions

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live"
)

// readJournalFile decodes a journal file.
func readJournalFile(t *testing.T, path string) journalFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var jf journalFile
	if err := json.Unmarshal(data, &jf); err != nil {
		t.Fatal(err)
	}
	return jf
}

func TestJournalLifecycle(t *testing.T) {
	dir := t.TempDir()
	exp := smallExperiment()
	j, err := StartJournal(dir, exp, "my run")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(j.Path()) != dir || !strings.HasSuffix(j.Path(), ".journal") {
		t.Fatalf("journal at %s, want a .journal file in %s", j.Path(), dir)
	}
	jf := readJournalFile(t, j.Path())
	if jf.PID != os.Getpid() || jf.Title != "my run" || jf.Reached != 0 || jf.Format != 1 {
		t.Errorf("first journal: %+v", jf)
	}
	if runtime.GOOS == "linux" && jf.Start == "" {
		t.Error("no process start token on Linux")
	}

	tl := []live.Record{
		{At: time.Second, Kind: live.RecordInfo, Text: "flow 1 (cubic, bulk) started"},
		{At: time.Second, Kind: live.RecordChange, Text: "uplink loss 1%", Scripted: true},
		{At: 1500 * time.Millisecond, Kind: live.RecordChange, Text: "both delay 30ms"},
		{At: 1700 * time.Millisecond, Kind: live.RecordWarning, Text: "something"},
		{At: 1800 * time.Millisecond, Kind: live.RecordChange, Text: "flow add bbr"},
	}
	if err := j.Update(tl, 1900*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	jf = readJournalFile(t, j.Path())
	want := []journalChange{{1500e6, "both delay 30ms"}, {1800e6, "flow add bbr"}}
	if !reflect.DeepEqual(jf.Changes, want) || jf.Reached != 1900e6 || jf.ReachedText != "1.9s" {
		t.Errorf("after an update: changes %+v reached %d (%s); want %+v at 1.9s", jf.Changes, jf.Reached, jf.ReachedText, want)
	}

	// Nothing changed: no write.
	before, _ := os.ReadFile(j.Path())
	time.Sleep(5 * time.Millisecond)
	if err := j.Update(tl, 1900*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(j.Path()); string(after) != string(before) {
		t.Error("an update with nothing new rewrote the journal")
	}
	// Time moved: written.
	if err := j.Update(tl, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	if jf2 := readJournalFile(t, j.Path()); jf2.Reached != 2e9 || !jf2.Updated.After(jf.Updated) {
		t.Errorf("after time moved: reached %d, updated %v (before %v)", jf2.Reached, jf2.Updated, jf.Updated)
	}

	// The journal of a running process is not pending.
	if p, err := PendingJournals(dir); err != nil || len(p) != 0 {
		t.Errorf("pending journals while the run is live: %+v, %v", p, err)
	}

	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("a closed journal left %d files", len(ents))
	}
	if err := j.Update(tl, 3*time.Second); err == nil {
		t.Error("update after Close succeeded")
	}
	if err := j.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// journalChildInput is what the journal child writes and the parent
// expects back: an experiment with a trace (dir/step.trace, which the
// parent writes) relative to its directory, and user changes, one a trace
// typed relative to the working directory.
func journalChildInput(dir string) (live.Experiment, []live.Record, time.Duration) {
	trace := filepath.Join(dir, "step.trace")
	exp := smallExperiment()
	exp.Duration = 10 * time.Second
	exp.Uplink.Capacity = "step.trace"
	exp.BaseDir = dir
	exp.Timeline = []live.TimedChange{{At: time.Second, Command: "delay 25ms"}}
	cwd, _ := os.Getwd()
	rel, err := filepath.Rel(cwd, trace)
	if err != nil {
		rel = trace
	}
	tl := []live.Record{
		{At: time.Second, Kind: live.RecordChange, Text: "both delay 25ms", Scripted: true},
		{At: 2 * time.Second, Kind: live.RecordChange, Text: "uplink bw 6mbit"},
		{At: 3 * time.Second, Kind: live.RecordChange, Text: "uplink trace " + rel},
		{At: 4 * time.Second, Kind: live.RecordChange, Text: "flow add reno"},
	}
	return exp, tl, 4500 * time.Millisecond
}

// journalChild keeps a journal in dir/journal, says "ready", and waits to
// be killed.
func journalChild(dir string) {
	exp, tl, reached := journalChildInput(dir)
	j, err := StartJournal(filepath.Join(dir, "journal"), exp, "child run")
	if err == nil {
		err = j.Update(tl, reached)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println("ready")
	time.Sleep(time.Hour)
}

// TestJournalRecoversKilledRun: a process keeping a journal is killed
// with SIGKILL; PendingJournals then reports its journal (and not this
// process's own live one) with what it wrote.
func TestJournalRecoversKilledRun(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL")
	}
	dir := t.TempDir()
	jdir := filepath.Join(dir, "journal")
	if err := os.Mkdir(jdir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeTrace(t, dir, "step.trace", 1, 100)
	exp, _, reached := journalChildInput(dir)

	mine, err := StartJournal(jdir, smallExperiment(), "this process")
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SESSIONS_TEST_JOURNAL_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child: %q, %v", line, err)
	}
	if p, err := PendingJournals(jdir); err != nil || len(p) != 0 {
		t.Errorf("pending journals while both runs are live: %+v, %v", p, err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	p, err := PendingJournals(jdir)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 1 {
		t.Fatalf("%d pending journals, want the child's: %+v", len(p), p)
	}
	info := p[0]
	if info.Err != nil {
		t.Fatal(info.Err)
	}
	if info.Title != "child run" || info.Reached != reached || info.PID != cmd.Process.Pid {
		t.Errorf("recovered %q at %v from pid %d; want %q at %v from %d", info.Title, info.Reached, info.PID, "child run", reached, cmd.Process.Pid)
	}
	if time.Since(info.Updated) > time.Minute || time.Since(info.Updated) < 0 {
		t.Errorf("updated %v", info.Updated)
	}
	if !reflect.DeepEqual(info.Experiment, exp) {
		t.Errorf("experiment:\n got %+v\nwant %+v", info.Experiment, exp)
	}
	wantChanges := []live.TimedChange{
		{At: 2 * time.Second, Command: "uplink bw 6mbit"},
		{At: 3 * time.Second, Command: "uplink trace " + filepath.Join(dir, "step.trace")},
		{At: 4 * time.Second, Command: "flow add reno"},
	}
	if !reflect.DeepEqual(info.Changes, wantChanges) {
		t.Errorf("changes %+v, want %+v", info.Changes, wantChanges)
	}
	// The recovered experiment runs, and from another directory too.
	if _, err := rerunExperimentSim(info.RerunExperiment()); err != nil {
		t.Errorf("the recovered experiment does not run: %v", err)
	}
	if err := info.Remove(); err != nil {
		t.Fatal(err)
	}
	if p, _ := PendingJournals(jdir); len(p) != 0 {
		t.Errorf("still pending after Remove: %+v", p)
	}
	if ents, _ := os.ReadDir(jdir); len(ents) != 1 {
		t.Errorf("%d files in the journal directory, want only this process's journal", len(ents))
	}
}

// deadPID is the pid of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// writeJournal writes a journal file by hand.
func writeJournal(t *testing.T, dir, name string, jf journalFile) string {
	t.Helper()
	data, err := json.Marshal(jf)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPendingJournalCases: dead pids and reused pids make a journal
// pending; damaged ones are reported with Err; the list is newest first.
func TestPendingJournalCases(t *testing.T) {
	dir := t.TempDir()
	text, err := smallExperiment().EncodeTOML()
	if err != nil {
		t.Fatal(err)
	}
	good := func(pid int, start string, updated time.Time, title string) journalFile {
		return journalFile{Format: 1, PID: pid, Start: start, Title: title, Updated: updated, Started: updated,
			Reached: int64(time.Second), BaseDir: dir, Experiment: string(text)}
	}
	now := time.Now().UTC().Truncate(time.Second)
	dead := deadPID(t)
	writeJournal(t, dir, "dead.journal", good(dead, "", now.Add(-2*time.Hour), "dead pid"))
	// A live pid with another start token is a reused pid: pending (on
	// Linux, where start tokens exist).
	if runtime.GOOS == "linux" {
		writeJournal(t, dir, "reused.journal", good(os.Getpid(), "boot/1", now.Add(-time.Hour), "reused pid"))
	}
	// This very process, with its own token: live, not pending.
	writeJournal(t, dir, "live.journal", good(os.Getpid(), processToken(os.Getpid()), now, "live"))
	// Damaged ones.
	os.WriteFile(filepath.Join(dir, "garbage.journal"), []byte("{not json"), 0o600)
	newer := good(dead, "", now.Add(-3*time.Hour), "newer")
	newer.Format = 2
	writeJournal(t, dir, "newer.journal", newer)
	gone := good(dead, "", now.Add(-4*time.Hour), "trace gone")
	gone.Experiment = strings.Replace(string(text), `capacity = "24mbit"`, `capacity = "removed.trace"`, 1)
	writeJournal(t, dir, "gone.journal", gone)
	// Not journals: temporary files and other names.
	os.WriteFile(filepath.Join(dir, ".x.journal.tmp-1"), []byte("{"), 0o600)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("{"), 0o600)

	p, err := PendingJournals(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range p {
		s := j.Title
		if s == "" {
			s = filepath.Base(j.Path)
		}
		if j.Err != nil {
			s += " (err)"
		}
		got = append(got, s)
	}
	// garbage.journal has no title and its file time (now) sorts first.
	want := []string{"garbage.journal (err)", "dead pid", "newer (err)", "trace gone (err)"}
	if runtime.GOOS == "linux" {
		want = []string{"garbage.journal (err)", "reused pid", "dead pid", "newer (err)", "trace gone (err)"}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("pending %q,\n want %q", got, want)
	}
	for _, j := range p {
		switch {
		case j.Title == "dead pid":
			if j.Reached != time.Second || j.Experiment.Duration != 2*time.Second {
				t.Errorf("dead pid journal read as %+v", j)
			}
		case strings.HasSuffix(j.Path, "garbage.journal"):
			if !strings.Contains(j.Err.Error(), "damaged") {
				t.Errorf("garbage: %v", j.Err)
			}
		case j.Title == "newer":
			if !strings.Contains(j.Err.Error(), "newer ccscope") {
				t.Errorf("newer: %v", j.Err)
			}
		case j.Title == "trace gone":
			if !strings.Contains(j.Err.Error(), "removed.trace") {
				t.Errorf("trace gone: %v", j.Err)
			}
		}
	}
	for _, j := range p {
		if err := j.Remove(); err != nil {
			t.Errorf("remove %s: %v", j.Path, err)
		}
	}
	if p, _ := PendingJournals(dir); len(p) != 0 {
		t.Errorf("%d pending after removing them all", len(p))
	}
	if p, err := PendingJournals(filepath.Join(dir, "missing")); err != nil || p != nil {
		t.Errorf("missing dir: %v, %v", p, err)
	}
}

// TestJournalDir: XDG_STATE_HOME, else ~/.local/state (never the real
// home here).
func TestJournalDir(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	d, err := JournalDir()
	if err != nil || d != filepath.Join(state, "ccscope", "journal") {
		t.Fatalf("JournalDir = %q, %v", d, err)
	}
	if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
		t.Fatalf("not created: %v", err)
	}
	home := t.TempDir()
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", home)
	d, err = JournalDir()
	if err != nil || d != filepath.Join(home, ".local", "state", "ccscope", "journal") {
		t.Fatalf("JournalDir without XDG_STATE_HOME = %q, %v", d, err)
	}
}
