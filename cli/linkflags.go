package cli

import (
	"fmt"
	"time"

	"github.com/ccscope/ccscope/emu"
	"github.com/spf13/pflag"
)

// linkFlags are the link-shaping flags shared by every command that builds
// an emulated link. Names follow mahimahi's where mahimahi has one.
type linkFlags struct {
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
	f := &linkFlags{}
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
	fs.Uint64Var(&f.seed, "seed", 1, "seed of every random process (same seed, same run)")
	fs.StringArrayVar(&f.at, "at", nil, `change the link at a time, e.g. --at "5s bw 6mbit" --at "8s uplink loss 1%" (repeatable)`)
	return f
}

// configs builds the uplink and downlink configurations and the timed
// changes. positional holds mm-link style "UPLINK DOWNLINK" arguments.
func (f *linkFlags) configs(positional []string) (up, down emu.Config, timeline []emu.Command, err error) {
	upCap, downCap := f.uplink, f.downlink
	switch len(positional) {
	case 0:
	case 2:
		if upCap != "" || downCap != "" {
			return up, down, nil, usagef("give the uplink and downlink either as arguments or as --uplink/--downlink, not both")
		}
		upCap, downCap = positional[0], positional[1]
	default:
		return up, down, nil, usagef("want UPLINK DOWNLINK (two traces or rates), got %d arguments", len(positional))
	}
	if upCap == "" || downCap == "" {
		return up, down, nil, usagef("need both --uplink and --downlink (a rate like 24mbit or a mahimahi trace file)")
	}
	up.Seed, down.Seed = f.seed, f.seed+0x9e3779b97f4a7c15 // distinct streams per direction
	up.Once, down.Once = f.once, f.once
	dirs := []struct {
		name                string
		cfg                 *emu.Config
		capacity, qt, qa    string
		delay, jitter, loss string
		onoff, intermittent string
	}{
		{"uplink", &up, upCap, f.upQueue, f.upQueueArgs, or(f.upDelay, f.delay), or(f.upJitter, f.jitter), f.upLoss, f.upOnOff, f.upIntermittent},
		{"downlink", &down, downCap, f.downQueue, f.downQueueArgs, or(f.downDelay, f.delay), or(f.downJitter, f.jitter), f.downLoss, f.downOnOff, f.downIntermittent},
	}
	for _, d := range dirs {
		c := d.cfg
		if c.Capacity, err = emu.ParseCapacity(d.capacity); err != nil {
			return up, down, nil, fmt.Errorf("--%s: %w", d.name, err)
		}
		if c.Queue, err = emu.ParseQueue(d.qt, d.qa); err != nil {
			return up, down, nil, usagef("--%s-queue: %w", d.name, err)
		}
		if d.delay != "" {
			if c.Delay, err = emu.ParseDuration("--"+d.name+"-delay", d.delay); err != nil {
				return up, down, nil, usageError{err}
			}
		}
		if d.jitter != "" {
			if c.Jitter, err = emu.ParseDuration("--"+d.name+"-jitter", d.jitter); err != nil {
				return up, down, nil, usageError{err}
			}
		}
		c.Reorder = f.reorder
		if d.loss != "" {
			if c.Loss, err = emu.ParseLoss(d.loss); err != nil {
				return up, down, nil, usagef("--%s-loss: %w", d.name, err)
			}
		}
		switch {
		case d.onoff != "" && d.intermittent != "":
			return up, down, nil, usagef("--%s-onoff and --%s-intermittent cannot both be set", d.name, d.name)
		case d.onoff != "":
			if c.OnOff, err = emu.ParseOnOff("onoff " + d.onoff); err != nil {
				return up, down, nil, usagef("--%s-onoff: %w", d.name, err)
			}
		case d.intermittent != "":
			if c.OnOff, err = emu.ParseOnOff("intermittent " + d.intermittent); err != nil {
				return up, down, nil, usagef("--%s-intermittent: %w", d.name, err)
			}
		}
		if err := c.Validate(); err != nil {
			return up, down, nil, usagef("%s: %w", d.name, err)
		}
	}
	for _, a := range f.at {
		cmd, err := emu.ParseTimedCommand(a, nil)
		if err != nil {
			return up, down, nil, usagef("--at: %w", err)
		}
		timeline = append(timeline, cmd)
	}
	return up, down, timeline, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
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
