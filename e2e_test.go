package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
