package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// binPath is the ccscope binary TestMain builds for the end-to-end tests.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ccscope-bin-")
	if err != nil {
		panic(err)
	}
	binPath = filepath.Join(dir, "ccscope")
	// Journals of the runs under test go to a private state directory, not
	// the user's.
	os.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		panic("go build: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func buildBinary(*testing.T) string { return binPath }

// TestBinary runs the real binary end to end: a link run writing a log,
// analyze on it, help, and exit statuses.
func TestBinary(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "up.log")
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), out.String(), errb.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, out.String(), errb.String()
	}
	code, out, errs := run("link", "12mbit", "12mbit", "--cbr", "6mbit", "--duration", "2s", "--uplink-log", log)
	if code != 0 || !strings.Contains(out, "ran 2s of virtual time") {
		t.Fatalf("link: exit %d\n%s%s", code, out, errs)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	header := "# mahimahi mm-link (Uplink) [12mbit] > " + log + "\n# command line: '" + bin + "' 'link' '12mbit'"
	if !strings.HasPrefix(string(data), header) {
		t.Fatalf("log header:\n%s", data[:200])
	}
	code, out, _ = run("analyze", log)
	if code != 0 || !strings.Contains(out, "Average capacity: 12.03 Mbits/s\nAverage throughput: 6.02 Mbits/s (50.0% utilization)\n") {
		t.Fatalf("analyze: exit %d\n%s", code, out)
	}
	if code, out, _ = run("link", "--help"); code != 0 || !strings.Contains(out, "--uplink-queue-args") {
		t.Fatalf("help: %d %s", code, out)
	}
	if code, _, errs = run("link", "12mbit"); code != 2 || !strings.HasPrefix(errs, "ccscope: ") {
		t.Fatalf("usage error: exit %d, %q", code, errs)
	}
	// No temp files were left beside the log.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("files left in %s: %v", dir, entries)
	}
}

// TestInterrupt: SIGINT during a long run stops it with status 130 and
// leaves neither a log nor a temp file behind.
func TestInterrupt(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "link", "1gbit", "1gbit", "--cbr", "1gbit", "--duration", "100000s", "--uplink-log", filepath.Join(dir, "up.log"))
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, stderr %q", err, errb.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}
