package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ccscope/ccscope/ccp/ipc"
	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
)

// startAgent runs ccscope ccp agent as its own process on dir/name and
// waits for its socket.
func startAgent(t *testing.T, dir, name, alg string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(binPath, "ccp", "agent", "--alg", alg, "--name", name, "--dir", dir)
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return cmd
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent's socket never appeared; stderr:\n%s", errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pacedSim runs an experiment with an external agent, at the wall
// clock's pace, calling at(now) between steps.
func pacedSim(t *testing.T, exp live.Experiment, dir string, at func(s *live.Sim)) *live.Sim {
	t.Helper()
	sim, err := live.NewSim(exp, live.SimOptions{NewController: cc.New, CCPDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	if !sim.WallClock() {
		t.Fatal("a run with an external agent should keep to the wall clock")
	}
	start := time.Now()
	for !sim.Done() {
		sim.RunUntil(min(time.Since(start), exp.Duration))
		if at != nil {
			at(sim)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return sim
}

func ccpExperiment(agentName string, d time.Duration, scheme string) live.Experiment {
	exp := live.DefaultExperiment()
	exp.Duration = d
	exp.CCPAgent = "unix:" + agentName
	exp.Flows = []live.FlowSpec{{Scheme: scheme}}
	return exp
}

// TestCCPLoopback: ccscope ccp agent as a separate process drives a sim
// flow over the unix socket: READY → INSTALL → CREATE → CHANGE_PROG →
// MEASURE → UPDATE_FIELDS, and the flow's window is the agent's.
func TestCCPLoopback(t *testing.T) {
	dir := t.TempDir()
	agent := startAgent(t, dir, "gca", "reno")
	exp := ccpExperiment("gca", 3*time.Second, "ccp:cubic")
	exp.Flows[0].Start = 200 * time.Millisecond // the datapath is up before its first connection
	sim := pacedSim(t, exp, dir, nil)
	st := sim.CCP().Status()
	want := []string{"→READY", "←INSTALL", "→CREATE", "←CHANGE_PROG", "→MEASURE", "←UPDATE_FIELDS"}
	var seen []string
	lastCwnd := ""
	for _, e := range st.Events {
		dir := "←"
		if e.ToAgent {
			dir = "→"
		}
		if k := dir + e.Type; len(seen) < len(want) && k == want[len(seen)] {
			seen = append(seen, k)
		}
		if e.Type == "UPDATE_FIELDS" {
			lastCwnd = strings.TrimPrefix(e.Text, "Cwnd:=")
		}
	}
	if len(seen) != len(want) {
		t.Fatalf("message sequence %v, want %v; log:\n%+v", seen, want, st.Events)
	}
	if st.State != "connected" || len(st.Flows) != 1 || st.Flows[0].Mode != "ccp" || st.Flows[0].Reports < 20 {
		t.Fatalf("status %+v", st)
	}
	// The window is what the agent last sent (applied at the next ACK).
	cwnd := sim.Snapshot().Flows[0].Cwnd
	if lastCwnd == "" || strings.TrimSpace(lastCwnd) != itoa(cwnd) {
		t.Fatalf("flow cwnd %d, the agent's last Cwnd %q", cwnd, lastCwnd)
	}
	sim.Close()
	agent.Process.Signal(syscall.SIGINT)
	if err := agent.Wait(); err != nil {
		t.Fatalf("the agent did not stop cleanly on SIGINT: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestCCPFallback: the agent is killed mid-run; the flow falls back to
// native reno after the fallback timeout, keeps sending, and the user is
// told; a new agent on the same socket takes the flow back.
func TestCCPFallback(t *testing.T) {
	dir := t.TempDir()
	agent := startAgent(t, dir, "portus", "cubic")
	exp := ccpExperiment("portus", 9*time.Second, "ccp:cubic")
	exp.CCPFallback = 500 * time.Millisecond
	var killedAt, restartedAt time.Duration
	var deliveredAtKill int64
	var modeBefore, modeInFallback string
	sim := pacedSim(t, exp, dir, func(s *live.Sim) {
		switch {
		case killedAt == 0 && s.Now() >= 2*time.Second:
			modeBefore = s.Snapshot().Flows[0].Mode
			agent.Process.Kill()
			agent.Wait()
			killedAt, deliveredAtKill = s.Now(), s.Snapshot().Flows[0].Delivered
		case killedAt > 0 && restartedAt == 0 && s.Now() >= 5*time.Second:
			modeInFallback = s.Snapshot().Flows[0].Mode
			startAgent(t, dir, "portus", "cubic")
			restartedAt = s.Now()
		}
	})
	sn := sim.Snapshot()
	var lost, back bool
	for _, r := range sn.Timeline {
		if r.Kind == live.RecordWarning && strings.Contains(r.Text, "native reno takes over") && r.At > killedAt && r.At < killedAt+2*time.Second {
			lost = true
		}
		if strings.Contains(r.Text, "the agent drives it again") && r.At > restartedAt {
			back = true
		}
	}
	t.Logf("killed at %v, restarted at %v; modes %q → %q → %q; timeline %+v", killedAt, restartedAt, modeBefore, modeInFallback, sn.Flows[0].Mode, sn.Timeline[:min(len(sn.Timeline), 12)])

	if modeBefore != "ccp" || modeInFallback != "fallback reno" || !lost {
		t.Fatalf("the agent's death was not handled: modes %q, %q; warned %v", modeBefore, modeInFallback, lost)
	}
	if got := sn.Flows[0].Delivered - deliveredAtKill; got < 3_000_000 {
		t.Fatalf("only %d bytes delivered after the agent died: the flow stalled", got)
	}
	if !back || sn.Flows[0].Mode != "ccp" {
		t.Fatalf("the returning agent did not take the flow back (mode %q)", sn.Flows[0].Mode)
	}
}

// TestCCPSilentAgent: an agent that stops answering (SIGSTOP) is noticed
// — its socket soon refuses datagrams (a unix socket queues only a few),
// or, while it still takes them, the flows hear nothing back — and the
// flow falls back to reno; when it answers again (SIGCONT) it drives the
// flow again.
func TestCCPSilentAgent(t *testing.T) {
	dir := t.TempDir()
	agent := startAgent(t, dir, "portus", "reno")
	exp := ccpExperiment("portus", 6*time.Second, "ccp:reno")
	exp.CCPFallback = 300 * time.Millisecond
	var stopped, resumed bool
	var modeStopped string
	sim := pacedSim(t, exp, dir, func(s *live.Sim) {
		switch {
		case !stopped && s.Now() >= 1500*time.Millisecond:
			agent.Process.Signal(syscall.SIGSTOP)
			stopped = true
		case stopped && !resumed && s.Now() >= 4*time.Second:
			modeStopped = s.Snapshot().Flows[0].Mode
			agent.Process.Signal(syscall.SIGCONT)
			resumed = true
		}
	})
	sn := sim.Snapshot()
	hung := false
	for _, r := range sn.Timeline {
		if strings.Contains(r.Text, "has not answered") || strings.Contains(r.Text, "is not answering") {
			hung = true
		}
	}
	if !hung || modeStopped != "fallback reno" || sn.Flows[0].Mode != "ccp" {
		t.Fatalf("hung agent: warned %v, mode while stopped %q, at the end %q; timeline %+v", hung, modeStopped, sn.Flows[0].Mode, sn.Timeline)
	}
}

// TestCCPGarbageAgent: an "agent" that answers everything with bytes that
// are not CCP messages: the user is told, the flows run on reno, and the
// run goes on.
func TestCCPGarbageAgent(t *testing.T) {
	dir := t.TempDir()
	sock, err := ipc.Listen(dir, "junk")
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			_, from, err := sock.Recv(time.Now().Add(50 * time.Millisecond))
			if err == nil {
				sock.SendTo(from, []byte("this is not a CCP message"))
			}
		}
	}()
	exp := ccpExperiment("junk", 3*time.Second, "ccp:cubic")
	exp.CCPFallback = 200 * time.Millisecond
	sim := pacedSim(t, exp, dir, nil)
	sn := sim.Snapshot()
	garbled := false
	for _, r := range sn.Timeline {
		if r.Kind == live.RecordWarning && strings.Contains(r.Text, "does not decode") {
			garbled = true
		}
	}
	if !garbled || sn.CCP.Garbage == 0 || sn.Flows[0].Delivered < 1_000_000 || sn.Flows[0].Mode != "fallback reno" {
		t.Fatalf("garbage agent: warned %v, %d garbled, %d bytes delivered, mode %q; timeline %+v", garbled, sn.CCP.Garbage, sn.Flows[0].Delivered, sn.Flows[0].Mode, sn.Timeline)
	}
}
