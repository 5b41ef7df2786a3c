package emu

import (
	"fmt"
	"strings"
	"time"
)

// Param names the link parameter a Change sets.
type Param uint8

const (
	ParamCapacity Param = iota + 1 // rate or trace
	ParamDelay                     // one-way delay
	ParamJitter                    // jitter
	ParamReorder                   // allow reordering by jitter
	ParamLoss                      // random-loss model
	ParamQueue                     // queue discipline and limits
	ParamOnOff                     // on/off outages
)

// Change sets one parameter of a link at experiment time At.
type Change struct {
	At       time.Duration
	Param    Param
	Capacity Capacity      // ParamCapacity
	Duration time.Duration // ParamDelay, ParamJitter
	Reorder  bool          // ParamReorder
	Loss     LossSpec      // ParamLoss
	Queue    QueueSpec     // ParamQueue
	OnOff    OnOffSpec     // ParamOnOff
}

func (c Change) validate() error {
	switch c.Param {
	case ParamCapacity:
		return c.Capacity.validate()
	case ParamDelay, ParamJitter:
		if c.Duration < 0 {
			return fmt.Errorf("%s must not be negative", c)
		}
	case ParamReorder:
	case ParamLoss:
		return c.Loss.validate()
	case ParamQueue:
		return c.Queue.Validate()
	case ParamOnOff:
		return c.OnOff.validate()
	default:
		return fmt.Errorf("change of unknown parameter %d", c.Param)
	}
	return nil
}

// String writes the change as a link command ("bw 6mbit", "delay 40ms"),
// the syntax ParseCommand reads.
func (c Change) String() string {
	switch c.Param {
	case ParamCapacity:
		if c.Capacity.Trace != nil {
			return "trace " + c.Capacity.Trace.Name
		}
		return "bw " + FormatRate(c.Capacity.Rate)
	case ParamDelay:
		return "delay " + c.Duration.String()
	case ParamJitter:
		return "jitter " + c.Duration.String()
	case ParamReorder:
		if c.Reorder {
			return "reorder on"
		}
		return "reorder off"
	case ParamLoss:
		return "loss " + c.Loss.String()
	case ParamQueue:
		if c.Queue.Kind == QueueInfinite {
			return "queue infinite"
		}
		return "queue " + c.Queue.Kind.String() + " " + c.Queue.Args()
	case ParamOnOff:
		return c.OnOff.String()
	}
	return "?"
}

// Direction selects which way(s) of a link a command changes.
type Direction uint8

const (
	Uplink   Direction = 1 << iota // data: sender to receiver (mm-link's uplink)
	Downlink                       // acks: receiver to sender
	Both     = Uplink | Downlink
)

func (d Direction) String() string {
	switch d {
	case Uplink:
		return "uplink"
	case Downlink:
		return "downlink"
	case Both:
		return "both"
	}
	return "none"
}

// Command is a parsed link command: a change and the direction(s) it
// applies to.
type Command struct {
	Dir    Direction
	Change Change
}

// String writes the command back in ParseCommand's syntax.
func (c Command) String() string {
	return c.Dir.String() + " " + c.Change.String()
}

// CommandHelp lists the link commands ParseCommand understands.
const CommandHelp = `link commands (optionally prefixed by uplink|downlink|both):
  bw RATE                 constant rate, e.g. bw 24mbit (also: rate)
  trace PATH              mahimahi trace file
  delay D                 one-way delay, e.g. delay 40ms (default: both ways)
  jitter D                uniform jitter ±D, e.g. jitter 5ms (default: both ways)
  reorder on|off          let jitter reorder packets
  loss P                  i.i.d. loss, e.g. loss 1%; or loss gemodel P R [1-H [1-K]]
  queue TYPE [ARGS]       e.g. queue codel packets=100 target=5 interval=100
  onoff ON OFF            exponential outages (mm-onoff), e.g. onoff 5s 1s
  intermittent ON OFF     fixed outages (mm-intermittent); onoff none to stop
bw, trace, loss, queue and on/off default to the uplink (the data direction).`

// ParseCommand reads a link command such as "bw 6mbit", "delay 40ms",
// "uplink loss 1%" or "queue codel packets=100 target=5 interval=100".
// loadTrace loads trace files for "trace PATH" (LoadTrace if nil). The
// change's At is left zero for the caller to set.
func ParseCommand(text string, loadTrace func(string) (*Trace, error)) (Command, error) {
	if loadTrace == nil {
		loadTrace = LoadTrace
	}
	f := strings.Fields(text)
	if len(f) == 0 {
		return Command{}, fmt.Errorf("empty command; try bw 24mbit, delay 40ms, loss 1%% or queue droptail packets=100")
	}
	dir := Direction(0)
	switch strings.ToLower(f[0]) {
	case "up", "uplink":
		dir = Uplink
	case "down", "downlink":
		dir = Downlink
	case "both":
		dir = Both
	}
	if dir != 0 {
		f = f[1:]
		if len(f) == 0 {
			return Command{}, fmt.Errorf("%q: missing command after the direction (e.g. %s bw 12mbit)", text, dir)
		}
	}
	verb, args := strings.ToLower(f[0]), f[1:]
	rest := strings.Join(args, " ")
	need := func(n int, usage string) error {
		if len(args) != n {
			return fmt.Errorf("%s: usage: %s", verb, usage)
		}
		return nil
	}
	var c Change
	defDir := Uplink
	switch verb {
	case "bw", "rate", "bandwidth":
		if err := need(1, "bw RATE, e.g. bw 24mbit"); err != nil {
			return Command{}, err
		}
		r, err := ParseRate(args[0])
		if err != nil {
			return Command{}, err
		}
		c = Change{Param: ParamCapacity, Capacity: RateCapacity(r)}
	case "trace":
		if len(args) == 0 {
			return Command{}, fmt.Errorf("trace: usage: trace PATH (a mahimahi trace file)")
		}
		t, err := loadTrace(rest)
		if err != nil {
			return Command{}, err
		}
		c = Change{Param: ParamCapacity, Capacity: TraceCapacity(t)}
	case "delay", "jitter":
		if err := need(1, verb+" DURATION, e.g. "+verb+" 20ms"); err != nil {
			return Command{}, err
		}
		d, err := ParseDuration(verb, args[0])
		if err != nil {
			return Command{}, err
		}
		c = Change{Param: ParamDelay, Duration: d}
		if verb == "jitter" {
			c.Param = ParamJitter
		}
		defDir = Both
	case "reorder":
		if err := need(1, "reorder on|off"); err != nil {
			return Command{}, err
		}
		switch strings.ToLower(args[0]) {
		case "on", "yes", "true":
			c = Change{Param: ParamReorder, Reorder: true}
		case "off", "no", "false":
			c = Change{Param: ParamReorder}
		default:
			return Command{}, fmt.Errorf("reorder: want on or off, not %q", args[0])
		}
		defDir = Both
	case "loss":
		l, err := ParseLoss(rest)
		if err != nil {
			return Command{}, err
		}
		c = Change{Param: ParamLoss, Loss: l}
	case "queue":
		if len(args) == 0 {
			return Command{}, fmt.Errorf("queue: usage: queue infinite|droptail|drophead|codel|pie [ARGS], e.g. queue droptail packets=100")
		}
		q, err := ParseQueue(args[0], strings.Join(args[1:], " "))
		if err != nil {
			return Command{}, err
		}
		c = Change{Param: ParamQueue, Queue: q}
	case "onoff", "intermittent":
		o, err := ParseOnOff(verb + " " + rest)
		if verb == "onoff" && len(args) == 1 {
			o, err = ParseOnOff(rest)
		}
		if err != nil {
			return Command{}, err
		}
		c = Change{Param: ParamOnOff, OnOff: o}
	default:
		return Command{}, fmt.Errorf("unknown link command %q\n%s", f[0], CommandHelp)
	}
	if dir == 0 {
		dir = defDir
	}
	return Command{Dir: dir, Change: c}, nil
}

// ParseTimedCommand reads "AT COMMAND", e.g. "5s bw 6mbit" or
// "2.5s uplink loss 1%", for scripted timelines (--at).
func ParseTimedCommand(text string, loadTrace func(string) (*Trace, error)) (Command, error) {
	at, rest, ok := strings.Cut(strings.TrimSpace(text), " ")
	if !ok {
		return Command{}, fmt.Errorf("timed change %q: want \"TIME COMMAND\", e.g. \"5s bw 6mbit\"", text)
	}
	t, err := ParseDuration("time", at)
	if err != nil {
		return Command{}, fmt.Errorf("timed change %q: %w", text, err)
	}
	c, err := ParseCommand(rest, loadTrace)
	if err != nil {
		return Command{}, fmt.Errorf("timed change %q: %w", text, err)
	}
	c.Change.At = t
	return c, nil
}
