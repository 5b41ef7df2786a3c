package cli

import (
	"bufio"
	"fmt"
	"os"
	"time"

	"github.com/ccscope/ccscope/emu"
	"github.com/spf13/cobra"
)

func newTraceCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trace",
		Short: "inspect and generate mahimahi link traces",
		Long: `A mahimahi trace lists one delivery opportunity per line: the millisecond offset at
which the link may deliver one 1504-byte packet (a 1500-byte IP packet plus the TUN
header). Repeated lines are several opportunities in that millisecond; the trace loops
with period = its last timestamp.`,
	}
	cmd.AddCommand(newTraceStatsCmd(env), newTraceGenCmd(env))
	return cmd
}

func newTraceStatsCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "stats FILE...",
		Short: "print opportunities, period, mean rate and the worst and best second of traces",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for i, path := range args {
				tr, err := emu.LoadTrace(path)
				if err != nil {
					return err
				}
				if i > 0 {
					fmt.Fprintln(env.Stdout)
				}
				if err := tr.Stats().Write(env.Stdout, path); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

func newTraceGenCmd(env *Env) *cobra.Command {
	var rate, steps, out string
	var dur time.Duration
	cmd := &cobra.Command{
		Use:   "gen (--rate RATE | --steps RATE:DUR,...) [-o FILE]",
		Short: "write a mahimahi trace for a constant rate or a sequence of rates",
		Long: `Write a valid mahimahi trace. --rate 14.7mbit writes the shortest trace that loops at
exactly that rate (or one of --duration if given); --steps "24mbit:7s,48mbit:7s" writes
one segment per step. Opportunities are placed like mahimahi's mm-rate-to-events: each
millisecond adds the rate's bits to a reserve and every 12000 bits become one line.`,
		Example: `  ccscope trace gen --rate 24mbit -o 24mbit.trace
  ccscope trace gen --steps "24mbit:7s,48mbit:7s" > step.trace`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var segs []emu.Segment
			switch {
			case rate != "" && steps != "":
				return usagef("trace gen: give --rate or --steps, not both")
			case rate != "":
				r, err := emu.ParseRate(rate)
				if err != nil {
					return usagef("trace gen: %w", err)
				}
				d := dur
				if d == 0 {
					d = emu.ExactPeriod(r, time.Minute)
					if d == 0 {
						return usagef("trace gen: %s has no exact period within a minute; give --duration", rate)
					}
				}
				if d < time.Millisecond || d%time.Millisecond != 0 {
					return usagef("trace gen: --duration must be a whole number of milliseconds")
				}
				segs = []emu.Segment{{Rate: r, Duration: d}}
			case steps != "":
				var err error
				if segs, err = emu.ParseSteps(steps); err != nil {
					return usagef("trace gen: %w", err)
				}
			default:
				return usagef("trace gen: give --rate RATE or --steps RATE:DURATION,...")
			}
			name := out
			if name == "" {
				name = "stdout"
			}
			tr, err := emu.GenerateSteps(name, segs)
			if err != nil {
				return err
			}
			return writeFileOrStdout(env, out, func(w *bufio.Writer) error { return emu.WriteTrace(w, tr) })
		},
	}
	cmd.Flags().StringVar(&rate, "rate", "", "constant rate, e.g. 24mbit")
	cmd.Flags().StringVar(&steps, "steps", "", `rate steps, e.g. "24mbit:7s,48mbit:7s"`)
	cmd.Flags().DurationVar(&dur, "duration", 0, "length of a --rate trace (default: the shortest exact period)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of stdout")
	return cmd
}

// writeFileOrStdout writes through fn to path (atomically: a temp file
// renamed into place) or to stdout when path is empty.
func writeFileOrStdout(env *Env, path string, fn func(*bufio.Writer) error) error {
	if path == "" {
		w := bufio.NewWriter(env.Stdout)
		if err := fn(w); err != nil {
			return err
		}
		return w.Flush()
	}
	f, err := os.CreateTemp(dirOf(path), ".ccscope-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	w := bufio.NewWriter(f)
	err = fn(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
