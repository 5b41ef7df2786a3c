package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ccscope/ccscope/sessions"
)

// tmux runs a tmux command on the test's private server.
type tmux struct {
	t      *testing.T
	socket string
}

func (x tmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", x.socket}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (x tmux) screen() string { return x.run("capture-pane", "-p", "-t", "s") }

// waitFor polls the screen until cond holds or the timeout passes.
func (x tmux) waitFor(what string, timeout time.Duration, cond func(string) bool) string {
	x.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := x.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("timed out waiting for %s; screen:\n%s", what, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestWorkbenchInTmux runs the real binary in tmux at 120×40 as a person
// would: waits for the charts, types :bw 6mbit, checks the header and the
// link panel change, switches to the meter view, quits with q, and checks
// the exit status and that the terminal left the alternate screen.
func TestWorkbenchInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CCSCOPE_CI") != "" {
			t.Fatal("CCSCOPE_CI is set but tmux is not installed (.ci/run installs it)")
		}
		t.Skip("tmux not installed")
	}
	status := filepath.Join(t.TempDir(), "status")
	x := tmux{t: t, socket: "ccscope-e2e-" + filepath.Base(t.TempDir())}
	defer exec.Command("tmux", "-L", x.socket, "kill-server").Run()
	x.run("new-session", "-d", "-s", "s", "-x", "120", "-y", "40",
		"TERM=xterm-256color "+binPath+"; echo $? > "+status+"; sleep 60")

	x.waitFor("the charts", 15*time.Second, func(s string) bool {
		return strings.Contains(s, "cwnd") && strings.Contains(s, "throughput") && strings.Contains(s, "↑ 24mbit")
	})
	x.run("send-keys", "-t", "s", ":")
	x.run("send-keys", "-t", "s", "-l", "bw 6mbit")
	x.run("send-keys", "-t", "s", "Enter")
	s := x.waitFor("the header to show 6mbit", 5*time.Second, func(s string) bool {
		return strings.Contains(s, "↑ 6mbit")
	})
	if !strings.Contains(s, "uplink   6mbit") {
		t.Fatalf("the link panel does not show the new capacity:\n%s", s)
	}
	x.run("send-keys", "-t", "s", "2")
	x.waitFor("the meter view", 5*time.Second, func(s string) bool {
		return strings.Contains(s, "uplink (500-ms bins)") && strings.Contains(s, "downlink delay")
	})
	x.run("send-keys", "-t", "s", "q")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(status); err == nil && len(b) > 0 {
			if code := strings.TrimSpace(string(b)); code != "0" {
				t.Fatalf("exit status %s", code)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ccscope did not exit; screen:\n%s", x.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if alt := strings.TrimSpace(x.run("display-message", "-p", "-t", "s", "#{alternate_on}")); alt != "0" {
		t.Fatalf("the terminal is still in the alternate screen (alternate_on=%s)", alt)
	}
	if s := x.screen(); strings.Contains(s, "throughput") {
		t.Fatalf("the workbench is still on the screen after quitting:\n%s", s)
	}
}

// journalState reads the one journal in a state directory.
type journalState struct {
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	Updated time.Time `json:"updated"`
	Reached int64     `json:"reached_ns"`
}

func readJournal(t *testing.T, state string) (journalState, bool) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(state, "ccscope", "journal", "*.journal"))
	if len(files) != 1 {
		return journalState{}, false
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		return journalState{}, false
	}
	var j journalState
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatalf("journal %s: %v\n%s", files[0], err, b)
	}
	return j, true
}

// recoverOne runs ccscope recover with the state directory and loads the
// one session it writes.
func recoverOne(t *testing.T, state string) (*sessions.Session, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "recovered")
	os.MkdirAll(out, 0o755)
	cmd := exec.Command(binPath, "recover", "--dir", out)
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ccscope recover: %v\n%s", err, b)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.zip"))
	if len(files) != 1 {
		t.Fatalf("recover wrote %v\n%s", files, b)
	}
	sess, err := sessions.Load(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if j, ok := readJournal(t, state); ok {
		t.Fatalf("the journal is still there after recovery: %+v", j)
	}
	return sess, files[0]
}

// TestKillDuringWorkbenchRun: the workbench at 1x is killed with SIGKILL;
// its journal is at most a second behind, ccscope recover re-runs it to
// that point into a session, and the session opens as a replay.
func TestKillDuringWorkbenchRun(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CCSCOPE_CI") != "" {
			t.Fatal("CCSCOPE_CI is set but tmux is not installed (.ci/run installs it)")
		}
		t.Skip("tmux not installed")
	}
	state := filepath.Join(t.TempDir(), "state")
	x := tmux{t: t, socket: "ccscope-kill-" + filepath.Base(t.TempDir())}
	defer exec.Command("tmux", "-L", x.socket, "kill-server").Run()
	x.run("new-session", "-d", "-s", "s", "-x", "120", "-y", "40",
		"XDG_STATE_HOME="+state+" TERM=xterm-256color "+binPath+"; sleep 60")
	x.waitFor("the charts", 15*time.Second, func(s string) bool { return strings.Contains(s, "cwnd") })
	time.Sleep(3500 * time.Millisecond)
	j, ok := readJournal(t, state)
	if !ok {
		t.Fatal("no journal while the workbench runs")
	}
	killed := time.Now()
	if err := syscall.Kill(j.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	j, _ = readJournal(t, state)
	reached := time.Duration(j.Reached)
	// At 1x the run had reached about killed − started; the journal must
	// hold all but the last second of it (plus scheduling slack).
	lost := killed.Sub(j.Started) - reached
	t.Logf("killed %v after the journal started; journal reached %v, written %v before the kill: lost ≈ %v",
		killed.Sub(j.Started).Round(time.Millisecond), reached, killed.Sub(j.Updated).Round(time.Millisecond), lost.Round(time.Millisecond))
	if reached < 2*time.Second || lost > 1300*time.Millisecond {
		t.Fatalf("the journal reached %v of a run killed %v after it started", reached, killed.Sub(j.Started))
	}
	sess, path := recoverOne(t, state)
	if sess.Reached != reached {
		t.Fatalf("recovered to %v, the journal says %v", sess.Reached, reached)
	}
	if _, last := sess.Series.Lookup("flow/1/cwnd").Span(); last < reached-20*time.Millisecond || last > reached {
		t.Fatalf("recovered cwnd series ends at %v, want ≈ %v", last, reached)
	}

	// The recovered session replays.
	x.run("respawn-pane", "-k", "-t", "s", "XDG_STATE_HOME="+state+" TERM=xterm-256color "+binPath+" open "+path+" --paused; sleep 60")
	s := x.waitFor("the replay", 15*time.Second, func(s string) bool {
		return strings.Contains(s, "│ replay │") && strings.Contains(s, "[/] seek")
	})
	if !strings.Contains(s, "t=0.0s/") {
		t.Fatalf("the replay does not start paused at 0:\n%s", s)
	}
	x.run("send-keys", "-t", "s", "]")
	x.waitFor("a seek", 5*time.Second, func(s string) bool { return !strings.Contains(s, "t=0.0s/") })
	x.run("send-keys", "-t", "s", "q")
}

// TestKillDuringHeadlessRun: ccscope run killed with SIGKILL leaves a
// journal that recover turns into a session reaching as far.
func TestKillDuringHeadlessRun(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	cmd := exec.Command(binPath, "run", "--duration", "2h", "--scheme", "cubic", "--scheme", "bbr", "-q")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if j, ok := readJournal(t, state); ok && j.Reached > 0 && time.Since(j.Started) > 2*time.Second {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the journal never recorded progress")
		}
		time.Sleep(50 * time.Millisecond)
	}
	killed := time.Now()
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	j, _ := readJournal(t, state)
	if behind := killed.Sub(j.Updated); behind > 1300*time.Millisecond {
		t.Fatalf("the journal was written %v before the kill", behind)
	}
	sess, _ := recoverOne(t, state)
	if sess.Reached != time.Duration(j.Reached) || len(sess.Summary.Flows) != 2 {
		t.Fatalf("recovered %v with %d flows; the journal reached %v", sess.Reached, len(sess.Summary.Flows), time.Duration(j.Reached))
	}
	t.Logf("headless run killed after %v: journal %v behind, reached %v of experiment time", killed.Sub(j.Started).Round(time.Millisecond),
		killed.Sub(j.Updated).Round(time.Millisecond), sess.Reached)
}
