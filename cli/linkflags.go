package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live"
	"github.com/spf13/pflag"
)

// linkFlags are the link-shaping flags shared by every command that builds
// an emulated link. Names follow mahimahi's where mahimahi has one. They
// fill the link part of a live.Experiment, so flags and experiment files
// accept exactly the same things.
type linkFlags struct {
	fs                               *pflag.FlagSet
	uplink, downlink                 string
	once                             bool
	upQueue, upQueueArgs             string
	downQueue, downQueueArgs         string
	delay, upDelay, downDelay        string
	jitter, upJitter, downJitter     string
	reorder                          bool
	upLoss, downLoss                 string
	upOnOff, downOnOff               string
	upIntermittent, downIntermittent string
	seed                             uint64
	at                               []string
}

func addLinkFlags(fs *pflag.FlagSet) *linkFlags {
	f := &linkFlags{fs: fs}
	fs.StringVar(&f.uplink, "uplink", "", "uplink (data direction) capacity: a rate like 24mbit or a mahimahi trace file")
	fs.StringVar(&f.downlink, "downlink", "", "downlink (ack direction) capacity: a rate or a trace file")
	fs.BoolVar(&f.once, "once", false, "play traces once instead of looping (mm-link --once)")
	fs.StringVar(&f.upQueue, "uplink-queue", "infinite", "uplink queue: infinite|droptail|drophead|codel|pie")
	fs.StringVar(&f.upQueueArgs, "uplink-queue-args", "", `uplink queue arguments, e.g. "packets=100" or "packets=100, target=5, interval=100"`)
	fs.StringVar(&f.downQueue, "downlink-queue", "infinite", "downlink queue: infinite|droptail|drophead|codel|pie")
	fs.StringVar(&f.downQueueArgs, "downlink-queue-args", "", "downlink queue arguments")
	fs.StringVar(&f.delay, "delay", "", "one-way delay in each direction, like mm-delay (e.g. 20ms)")
	fs.StringVar(&f.upDelay, "uplink-delay", "", "uplink one-way delay (overrides --delay)")
	fs.StringVar(&f.downDelay, "downlink-delay", "", "downlink one-way delay (overrides --delay)")
	fs.StringVar(&f.jitter, "jitter", "", "uniform jitter ±D on each direction's delay (e.g. 5ms)")
	fs.StringVar(&f.upJitter, "uplink-jitter", "", "uplink jitter (overrides --jitter)")
	fs.StringVar(&f.downJitter, "downlink-jitter", "", "downlink jitter (overrides --jitter)")
	fs.BoolVar(&f.reorder, "reorder", false, "let jitter reorder packets (default: FIFO)")
	fs.StringVar(&f.upLoss, "loss", "", `uplink random loss, like "mm-loss uplink": 1%, 0.01 or "gemodel 1% 30%"`)
	fs.StringVar(&f.upLoss, "uplink-loss", "", "uplink random loss (same as --loss)")
	fs.StringVar(&f.downLoss, "downlink-loss", "", "downlink random loss")
	fs.StringVar(&f.upOnOff, "uplink-onoff", "", `uplink exponential on/off like mm-onoff: "MEAN_ON MEAN_OFF", e.g. "5s 1s"`)
	fs.StringVar(&f.downOnOff, "downlink-onoff", "", "downlink exponential on/off")
	fs.StringVar(&f.upIntermittent, "uplink-intermittent", "", `uplink fixed on/off like mm-intermittent: "ON OFF", e.g. "5s 1s"`)
	fs.StringVar(&f.downIntermittent, "downlink-intermittent", "", "downlink fixed on/off")
	fs.Uint64Var(&f.seed, "seed", live.DefaultSeed, "seed of every random process (same seed, same run)")
	fs.StringArrayVar(&f.at, "at", nil, `change the link at a time, e.g. --at "5s bw 6mbit" --at "8s uplink loss 1%" (repeatable)`)
	return f
}

func (f *linkFlags) changed(name string) bool { return f.fs.Changed(name) }

// apply writes the flags the user gave into exp, leaving the rest of exp
// (defaults, or what an experiment file said) alone. positional holds
// mm-link style "UPLINK DOWNLINK" arguments.
func (f *linkFlags) apply(exp *live.Experiment, positional []string) error {
	up, down := &exp.Uplink, &exp.Downlink
	switch len(positional) {
	case 0:
	case 2:
		if f.changed("uplink") || f.changed("downlink") {
			return usagef("give the uplink and downlink either as arguments or as --uplink/--downlink, not both")
		}
		up.Capacity, down.Capacity = positional[0], positional[1]
	default:
		return usagef("want UPLINK DOWNLINK (two traces or rates), got %d arguments", len(positional))
	}
	str := func(name string, dst *string, v string) {
		if f.changed(name) {
			*dst = v
		}
	}
	str("uplink", &up.Capacity, f.uplink)
	str("downlink", &down.Capacity, f.downlink)
	if f.changed("once") {
		up.Once, down.Once = f.once, f.once
	}
	str("uplink-queue", &up.Queue, f.upQueue)
	str("uplink-queue-args", &up.QueueArgs, f.upQueueArgs)
	str("downlink-queue", &down.Queue, f.downQueue)
	str("downlink-queue-args", &down.QueueArgs, f.downQueueArgs)
	if err := durFlag(f, "delay", f.delay, &up.Delay, &down.Delay); err != nil {
		return err
	}
	if err := durFlag(f, "uplink-delay", f.upDelay, &up.Delay); err != nil {
		return err
	}
	if err := durFlag(f, "downlink-delay", f.downDelay, &down.Delay); err != nil {
		return err
	}
	if err := durFlag(f, "jitter", f.jitter, &up.Jitter, &down.Jitter); err != nil {
		return err
	}
	if err := durFlag(f, "uplink-jitter", f.upJitter, &up.Jitter); err != nil {
		return err
	}
	if err := durFlag(f, "downlink-jitter", f.downJitter, &down.Jitter); err != nil {
		return err
	}
	if f.changed("reorder") {
		up.Reorder, down.Reorder = f.reorder, f.reorder
	}
	str("loss", &up.Loss, f.upLoss)
	str("uplink-loss", &up.Loss, f.upLoss)
	str("downlink-loss", &down.Loss, f.downLoss)
	for _, o := range []struct {
		onoff, inter string
		dst          *string
	}{{"uplink-onoff", "uplink-intermittent", &up.OnOff}, {"downlink-onoff", "downlink-intermittent", &down.OnOff}} {
		switch {
		case f.changed(o.onoff) && f.changed(o.inter):
			return usagef("--%s and --%s cannot both be set", o.onoff, o.inter)
		case f.changed(o.onoff):
			*o.dst = "onoff " + f.fs.Lookup(o.onoff).Value.String()
		case f.changed(o.inter):
			*o.dst = "intermittent " + f.fs.Lookup(o.inter).Value.String()
		}
	}
	if f.changed("seed") {
		exp.Seed = f.seed
	}
	for _, a := range f.at {
		at, rest, ok := strings.Cut(strings.TrimSpace(a), " ")
		if !ok {
			return usagef("--at %q: want \"TIME COMMAND\", e.g. \"5s bw 6mbit\"", a)
		}
		t, err := emu.ParseDuration("--at time", at)
		if err != nil {
			return usageError{err}
		}
		exp.Timeline = append(exp.Timeline, live.TimedChange{At: t, Command: strings.TrimSpace(rest)})
	}
	return nil
}

// durFlag parses a duration flag the user gave into every destination.
func durFlag(f *linkFlags, name, v string, dst ...*time.Duration) error {
	if !f.changed(name) {
		return nil
	}
	d, err := emu.ParseDuration("--"+name, v)
	if err != nil {
		return usageError{err}
	}
	for _, p := range dst {
		*p = d
	}
	return nil
}

// flagFor names the flag that sets an experiment field, so errors about
// flags name the flag the user typed.
func flagFor(field string) string {
	dir, key, ok := strings.Cut(field, ".")
	if !ok {
		switch field {
		case "duration", "seed":
			return "--" + field
		}
		return ""
	}
	if dir != "uplink" && dir != "downlink" {
		switch {
		case strings.HasPrefix(dir, "event["):
			return "--at"
		case strings.HasPrefix(dir, "flow[") && key == "scheme":
			return "--scheme"
		case strings.HasPrefix(dir, "flow[") && key == "start":
			return "--interval"
		case strings.HasPrefix(dir, "flow[") && key == "size":
			return "--size"
		}
		return ""
	}
	switch key {
	case "capacity":
		return "--" + dir
	case "queue", "queue-args", "delay", "jitter", "loss", "onoff", "log":
		return "--" + dir + "-" + key
	}
	return ""
}

// flagErrors rewrites an experiment's field errors in terms of the flags
// that set them ("--uplink-queue-args: ..."), when the fields came from
// flags rather than a file.
func flagErrors(err error) error {
	fes := live.FieldErrors(err)
	if len(fes) == 0 {
		return err
	}
	var out []error
	for _, fe := range fes {
		if fe.File == "" {
			if fl := flagFor(fe.Field); fl != "" {
				out = append(out, usagef("%s: %v", fl, fe.Err))
				continue
			}
		}
		out = append(out, fe)
	}
	if len(out) == 1 {
		return out[0]
	}
	return errors.Join(out...)
}

// linkConfigs builds the two link configurations and the timeline from an
// experiment's link part.
func linkConfigs(exp live.Experiment) (up, down emu.Config, timeline []emu.Command, err error) {
	if exp.Uplink.Capacity == "" || exp.Downlink.Capacity == "" {
		return up, down, nil, usagef("need both --uplink and --downlink (a rate like 24mbit or a mahimahi trace file)")
	}
	up, down, timeline, err = exp.Links()
	if err != nil {
		return up, down, nil, flagErrors(err)
	}
	return up, down, timeline, nil
}

// schedule puts a timeline on the two links.
func schedule(up, down *emu.Link, timeline []emu.Command) error {
	for _, c := range timeline {
		if c.Dir&emu.Uplink != 0 {
			if err := up.Schedule(c.Change); err != nil {
				return fmt.Errorf("--at %q: %w", c.String(), err)
			}
		}
		if c.Dir&emu.Downlink != 0 {
			if err := down.Schedule(c.Change); err != nil {
				return fmt.Errorf("--at %q: %w", c.String(), err)
			}
		}
	}
	return nil
}

// durationFlag parses a --duration value with a unit.
func durationFlag(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := emu.ParseDuration("--duration", s)
	if err != nil {
		return 0, usageError{err}
	}
	if d <= 0 {
		return 0, usagef("--duration must be above zero")
	}
	return d, nil
}
