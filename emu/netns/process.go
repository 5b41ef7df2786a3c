package netns

import (
	"fmt"
	"os/exec"
	"syscall"
)

// Process is a command started with [Namespace.Start]. It runs as PID 1 of
// its own PID namespace, in its own process group, and is killed (with all
// its descendants) when ccscope exits for any reason.
type Process struct {
	name string // argv[0], for messages
	pid  int
	cmd  *exec.Cmd
	done chan struct{}
	err  error // set before done is closed
}

// Pid returns the process id as seen from ccscope (the host PID namespace).
func (p *Process) Pid() int { return p.pid }

// Done returns a channel that is closed once the process has exited and been
// reaped.
func (p *Process) Done() <-chan struct{} { return p.done }

// Wait waits for the process to exit and returns nil if it exited with
// status 0. Otherwise the error says `command "NAME" exited with status N`
// or `command "NAME" killed by SIGNAME`, and unwraps to the
// *exec.ExitError. Wait may be called any number of times from any
// goroutine.
func (p *Process) Wait() error {
	<-p.done
	return p.err
}

// exitError is what Wait returns for a nonzero exit.
type exitError struct {
	name string
	err  *exec.ExitError
}

func (e *exitError) Error() string {
	if ws, ok := e.err.Sys().(interface {
		Signaled() bool
		Signal() syscall.Signal
	}); ok && ws.Signaled() {
		return fmt.Sprintf("command %q killed by %s", e.name, signalName(ws.Signal()))
	}
	return fmt.Sprintf("command %q exited with status %d", e.name, e.err.ExitCode())
}

func (e *exitError) Unwrap() error { return e.err }
