package netrun

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ccscope/ccscope/emu/netns"
	"github.com/ccscope/ccscope/live"
)

// commandEnv is what a command learns about the link: the peer's address
// as mahimahi gives it (MAHIMAHI_BASE) and as ccscope names it.
func (e *Engine) commandEnv() []string {
	rcv, snd := e.pair.ReceiverAddr.String(), e.pair.SenderAddr.String()
	return []string{"CCSCOPE_BASE=" + rcv, "MAHIMAHI_BASE=" + rcv, "CCSCOPE_RECEIVER=" + rcv, "CCSCOPE_SENDER=" + snd}
}

// startCommands starts the receiver's command, waits (up to 3 s) for it
// to listen, then starts the sender's.
func (e *Engine) startCommands() error {
	out, errw := e.opt.Stdout, e.opt.Stderr
	if out == nil {
		out = io.Discard
	}
	if errw == nil {
		errw = io.Discard
	}
	if len(e.exp.ReceiverCommand) > 0 {
		p, err := e.pair.Receiver.Start(e.exp.ReceiverCommand, e.commandEnv(), out, errw)
		if err != nil {
			return fmt.Errorf("receiver command: %w", err)
		}
		e.rcmd = p
		e.record(live.RecordInfo, "receiver command started: "+strings.Join(e.exp.ReceiverCommand, " "))
		deadline := time.Now().Add(3 * time.Second)
		for !e.listening() && time.Now().Before(deadline) {
			select {
			case <-p.Done():
				return fmt.Errorf("receiver command %q exited before the sender's started: %v", e.exp.ReceiverCommand[0], p.Wait())
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	if len(e.exp.Command) > 0 {
		p, err := e.pair.Sender.Start(e.exp.Command, e.commandEnv(), out, errw)
		if err != nil {
			return fmt.Errorf("command: %w", err)
		}
		e.cmd = p
		e.record(live.RecordInfo, "command started: "+strings.Join(e.exp.Command, " "))
	}
	return nil
}

// listening reports whether anything listens on TCP or has bound a UDP
// port in the receiver's namespace.
func (e *Engine) listening() bool {
	found := false
	e.pair.Receiver.Do(func() error {
		for _, name := range []string{"tcp", "tcp6", "udp", "udp6"} {
			f, err := os.Open("/proc/thread-self/net/" + name)
			if err != nil {
				continue
			}
			sc := bufio.NewScanner(f)
			sc.Scan() // header
			for sc.Scan() {
				fields := strings.Fields(sc.Text())
				if len(fields) > 3 && (strings.HasPrefix(name, "udp") || fields[3] == "0A") {
					found = true
				}
			}
			f.Close()
		}
		return nil
	})
	return found
}

// stopCommands stops both commands (SIGTERM, then SIGKILL after a second).
// Called with mu held.
func (e *Engine) stopCommands() {
	for _, p := range []*netns.Process{e.cmd, e.rcmd} {
		if p == nil {
			continue
		}
		select {
		case <-p.Done():
			continue
		default:
		}
		p.Stop(time.Second)
	}
	if e.rcmd != nil && !e.rcmdNoted {
		e.rcmdNoted = true
		e.noteCommandExit(e.rcmd, "receiver command")
	}
	if e.cmd != nil && !e.cmdNoted {
		e.cmdNoted = true
		e.noteCommandExit(e.cmd, "command")
	}
}

// noteCommandExit records how a command ended. Called with mu held.
func (e *Engine) noteCommandExit(p *netns.Process, what string) {
	if p == e.cmd {
		if e.cmdNoted {
			return
		}
		e.cmdNoted = true
	}
	if err := p.Wait(); err != nil {
		e.record(live.RecordWarning, fmt.Sprintf("%s: %v", what, err))
		return
	}
	e.record(live.RecordInfo, what+" exited")
}
