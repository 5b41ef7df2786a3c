// atomic_test.go: saving never damages the file already at the path — not
// when the saving process is killed with SIGKILL in the middle of a save
// (a re-executed test binary, see TestMain), not when the save fails —
// and a failed save leaves no temporary file behind.
package sessions

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain runs the helper processes of the crash tests when the test
// binary is re-executed with their environment variable set.
func TestMain(m *testing.M) {
	if p := os.Getenv("SESSIONS_TEST_SAVE_FOREVER"); p != "" {
		saveForever(p)
		return
	}
	if d := os.Getenv("SESSIONS_TEST_JOURNAL_CHILD"); d != "" {
		journalChild(d)
		return
	}
	os.Exit(m.Run())
}

// bigSession is a session whose save takes a while: 32 MiB of
// incompressible attachment.
func bigSession() *Session {
	data := make([]byte, 32<<20)
	rand.NewChaCha8([32]byte{1}).Read(data)
	s := &Session{Title: "new", Experiment: smallExperiment()}
	s.Files = []File{{Name: "pcap/noise.pcap", Data: data}}
	return s
}

// saveForever saves a big session to path over and over, until killed.
func saveForever(path string) {
	s := bigSession()
	for {
		if err := Save(path, s); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
}

// TestKillDuringSave SIGKILLs a process while it saves over an existing
// session, at several points of the save: the old file must be intact
// (same bytes, still loads). Should the child have finished a save before
// the kill landed (a slow machine), the file must be the complete new
// session, and the round is tried again.
func TestKillDuringSave(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "s.zip")
	old := smallSession(t)
	old.Title = "old"
	for _, at := range []int64{1 << 20, 6 << 20, 12 << 20} {
		t.Run(fmt.Sprintf("at-%dMiB", at>>20), func(t *testing.T) {
			for try := 1; ; try++ {
				if err := Save(path, old); err != nil {
					t.Fatal(err)
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if killSaver(t, dir, path, at, want) {
					return
				}
				if try == 5 {
					t.Fatal("in 5 tries, the kill never landed during a save")
				}
			}
		})
	}
}

// killSaver starts a process saving over path, kills it once its
// temporary file has at least at bytes, and checks the file at path:
// true if it is the old one (want), false if a save had completed first.
func killSaver(t *testing.T, dir, path string, at int64, want []byte) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SESSIONS_TEST_SAVE_FOREVER="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tmp, size := waitForTemp(t, dir, filepath.Base(path), at, cmd)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	werr := cmd.Wait()
	if st, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !st.Signaled() {
		t.Fatalf("the child was not killed (%v): %s", werr, stderr.Bytes())
	}
	defer os.Remove(tmp)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	switch {
	case err != nil:
		t.Fatalf("the file at the path is damaged after a kill during a save (temp file at %d bytes): %v", size, err)
	case !bytes.Equal(got, want) && s.Title == "new":
		t.Logf("a save completed before the kill; trying again")
		return false
	case !bytes.Equal(got, want):
		t.Fatalf("the file at the path changed after a kill during a save")
	}
	// What the kill left is a hidden temporary file, never the session;
	// it is not a loadable session.
	if _, err := Load(tmp); err == nil {
		t.Errorf("the half-written %s loads", tmp)
	}
	return true
}

// waitForTemp waits until a temporary file of name in dir has at least
// min bytes.
func waitForTemp(t *testing.T, dir, name string, min int64, cmd *exec.Cmd) (string, int64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		ms, _ := filepath.Glob(filepath.Join(dir, "."+name+".tmp-*"))
		for _, m := range ms {
			if fi, err := os.Stat(m); err == nil && fi.Size() >= min {
				return m, fi.Size()
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	t.Fatalf("no temporary file of %d bytes appeared", min)
	return "", 0
}

// TestFailedSaveKeepsOldFile: a save that fails — before writing, in the
// middle, or for a path that cannot be replaced — leaves the old file as
// it was and no temporary file, and says what failed.
func TestFailedSaveKeepsOldFile(t *testing.T) {
	good := smallSession(t)
	for _, c := range []struct {
		name string
		mod  func(s *Session, dir string) string // returns the path to save to
		want []string
	}{
		{"bad attachment name", func(s *Session, dir string) string {
			s.Files = []File{{Name: "../evil", Data: []byte("x")}}
			return filepath.Join(dir, "s.zip")
		}, []string{"s.zip", `"../evil"`}},
		{"reserved attachment name", func(s *Session, dir string) string {
			s.Files = []File{{Name: "series.csv", Data: []byte("x")}}
			return filepath.Join(dir, "s.zip")
		}, []string{"series.csv", "session's own entries"}},
		{"missing trace", func(s *Session, dir string) string {
			s.Experiment.Uplink.Capacity = filepath.Join(dir, "gone.trace")
			return filepath.Join(dir, "s.zip")
		}, []string{"s.zip", "uplink.capacity", "gone.trace"}},
		{"summary fails mid-write", func(s *Session, dir string) string {
			s.Summary.Capacity = math.NaN()
			return filepath.Join(dir, "s.zip")
		}, []string{"s.zip", "summary.json", "NaN"}},
		{"path is a directory", func(s *Session, dir string) string {
			os.Mkdir(filepath.Join(dir, "d.zip"), 0o755)
			return filepath.Join(dir, "d.zip")
		}, []string{"d.zip", "not a regular file"}},
		{"no such directory", func(s *Session, dir string) string {
			return filepath.Join(dir, "nodir", "s.zip")
		}, []string{"nodir", "temporary file"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			old := filepath.Join(dir, "s.zip")
			if err := Save(old, good); err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(old)
			s := *good
			path := c.mod(&s, dir)
			err := Save(path, &s)
			if err == nil {
				t.Fatal("the save succeeded")
			}
			t.Log(err)
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if got, _ := os.ReadFile(old); !bytes.Equal(got, want) {
				t.Error("the old file changed")
			}
			if left := temps(t, dir); len(left) > 0 {
				t.Errorf("temporary files left behind: %q", left)
			}
		})
	}
}

// TestSaveReadOnlyDir: a directory made read-only after a first save
// fails the next one cleanly (root ignores permissions: skipped there).
func TestSaveReadOnlyDir(t *testing.T) {
	if os.Geteuid() == 0 || runtime.GOOS == "windows" {
		t.Skip("permissions do not bind root")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "s.zip")
	s := smallSession(t)
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(path)
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	if err := Save(path, s); err == nil || !strings.Contains(err.Error(), "s.zip") {
		t.Fatalf("save into a read-only directory: %v", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Error("the old file changed")
	}
	if left := temps(t, dir); len(left) > 0 {
		t.Errorf("temporary files left behind: %q", left)
	}
}

// TestSaveKeepsMode: a save replaces the file with one of the same mode
// (0644 for a new file), not the temporary file's 0600.
func TestSaveKeepsMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "s.zip")
	s := smallSession(t)
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v, want 0644", fi.Mode().Perm())
	}
	os.Chmod(path, 0o640)
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("replaced file mode %v, want 0640 kept", fi.Mode().Perm())
	}
}

// failWriter fails after n bytes, like a full disk or a closed pipe.
type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

// TestWriteFailingWriter: Write reports a failing writer at any point.
func TestWriteFailingWriter(t *testing.T) {
	s := smallSession(t)
	size := len(sessionBytes(t, s))
	for _, n := range []int{0, 10, 1000, size / 2, size - 10} {
		err := Write(&failWriter{n: n}, s)
		if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.HasPrefix(err.Error(), "session: write") {
			t.Errorf("writer failing after %d bytes: error %v", n, err)
		}
	}
}

// temps lists the temporary files in dir.
func temps(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			out = append(out, e.Name())
		}
	}
	return out
}
