package live

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ccscope/ccscope/emu"
)

// Command is a typed control event applied to a running experiment at the
// current experiment time: a link change, a flow added or stopped.
type Command interface {
	// String writes the command in ParseCommand's syntax, so a recorded
	// timeline can be replayed.
	String() string
	isCommand()
}

// LinkCommand changes the emulated link.
type LinkCommand struct{ emu.Command }

// FlowAdd starts a new flow.
type FlowAdd struct {
	Scheme string
	Size   int64 // bytes; 0 = bulk
}

// FlowStop stops a flow: it sends nothing more.
type FlowStop struct{ ID int }

// FlowSet sets a manual flow's window (packets) or pacing rate (bit/s).
type FlowSet struct {
	ID   int
	What string // "cwnd" or "rate"
	// Value is packets for cwnd, bit/s for rate.
	Value float64
}

func (LinkCommand) isCommand() {}
func (FlowAdd) isCommand()     {}
func (FlowStop) isCommand()    {}
func (FlowSet) isCommand()     {}

func (c LinkCommand) String() string { return c.Command.String() }
func (c FlowAdd) String() string {
	if c.Size > 0 {
		return "flow add " + c.Scheme + " " + strconv.FormatInt(c.Size, 10)
	}
	return "flow add " + c.Scheme
}
func (c FlowStop) String() string { return "flow stop " + strconv.Itoa(c.ID) }
func (c FlowSet) String() string {
	if c.What == "rate" {
		return "flow " + strconv.Itoa(c.ID) + " rate " + emu.FormatRate(c.Value)
	}
	return "flow " + strconv.Itoa(c.ID) + " cwnd " + strconv.FormatFloat(c.Value, 'f', -1, 64)
}

// ParseCommand reads a control command: a link command (see
// emu.CommandHelp), "flow add SCHEME [SIZE]", "flow stop ID", or for a
// manual flow "flow ID cwnd PACKETS" / "flow ID rate RATE".
func ParseCommand(text string, loadTrace func(string) (*emu.Trace, error)) (Command, error) {
	f := strings.Fields(text)
	if len(f) > 0 && strings.EqualFold(f[0], "flow") {
		if len(f) < 2 {
			return nil, fmt.Errorf("flow: usage: flow add SCHEME [SIZE] | flow stop ID")
		}
		switch strings.ToLower(f[1]) {
		case "add":
			if len(f) < 3 || len(f) > 4 {
				return nil, fmt.Errorf("flow add: usage: flow add SCHEME [SIZE], e.g. flow add bbr or flow add cubic 10MB")
			}
			c := FlowAdd{Scheme: f[2]}
			if len(f) == 4 {
				n, err := ParseSize(f[3])
				if err != nil {
					return nil, fmt.Errorf("flow add: %w", err)
				}
				c.Size = n
			}
			return c, nil
		case "stop":
			if len(f) != 3 {
				return nil, fmt.Errorf("flow stop: usage: flow stop ID, e.g. flow stop 2")
			}
			id, err := strconv.Atoi(f[2])
			if err != nil || id < 1 {
				return nil, fmt.Errorf("flow stop: %q is not a flow number (flows are numbered from 1)", f[2])
			}
			return FlowStop{ID: id}, nil
		}
		if id, err := strconv.Atoi(f[1]); err == nil {
			if len(f) > 2 && strings.EqualFold(f[2], "ccp") {
				_, rest, _ := strings.Cut(text, f[1])
				return parseFlowCCP(id, rest)
			}
			return parseFlowSet(id, f[2:])
		}
		return nil, fmt.Errorf("flow: unknown action %q (want add, stop, or a flow number then cwnd or rate)", f[1])
	}
	lc, err := emu.ParseCommand(text, loadTrace)
	if err != nil {
		return nil, err
	}
	return LinkCommand{lc}, nil
}

// parseFlowSet reads the "cwnd N" / "rate R" of "flow ID cwnd N".
func parseFlowSet(id int, args []string) (Command, error) {
	if id < 1 || len(args) != 2 {
		return nil, fmt.Errorf("flow: usage: flow ID cwnd PACKETS | flow ID rate RATE, e.g. flow 1 cwnd 40")
	}
	switch strings.ToLower(args[0]) {
	case "cwnd", "window":
		n, err := strconv.ParseFloat(args[1], 64)
		if err != nil || n < 1 || n != float64(int(n)) {
			return nil, fmt.Errorf("flow %d cwnd: %q is not a whole number of packets (at least 1)", id, args[1])
		}
		return FlowSet{ID: id, What: "cwnd", Value: n}, nil
	case "rate", "pacing":
		if args[1] == "0" || args[1] == "off" {
			return FlowSet{ID: id, What: "rate"}, nil
		}
		r, err := emu.ParseRate(args[1])
		if err != nil {
			return nil, fmt.Errorf("flow %d rate: %w", id, err)
		}
		return FlowSet{ID: id, What: "rate", Value: r}, nil
	}
	return nil, fmt.Errorf("flow %d: unknown setting %q (want cwnd or rate)", id, args[0])
}

// RecordKind classifies timeline records.
type RecordKind uint8

const (
	// RecordChange is a command applied to the run (replayable).
	RecordChange RecordKind = iota + 1
	// RecordInfo is something that happened (a flow started or finished).
	RecordInfo
	// RecordWarning and RecordError are problems the user should see.
	RecordWarning
	RecordError
)

func (k RecordKind) String() string {
	switch k {
	case RecordChange:
		return "change"
	case RecordInfo:
		return "info"
	case RecordWarning:
		return "warning"
	case RecordError:
		return "error"
	}
	return "?"
}

// Record is one entry of a run's timeline.
type Record struct {
	At   time.Duration
	Kind RecordKind
	Text string
	// Scripted marks a change that came from the experiment's own
	// timeline rather than from the user during the run.
	Scripted bool
}
