package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ccscope/ccscope/capture"
	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
	"github.com/spf13/cobra"
)

func newRunCmd(env *Env) *cobra.Command {
	var (
		config, duration, interval, size, sampleInterval string
		schemes                                          []string
		nflows                                           int
		upLog, downLog, name                             string
		jsonOut, quiet                                   bool
	)
	var lf *linkFlags
	cmd := &cobra.Command{
		Use:   "run [flags]",
		Short: "run an experiment headless in virtual time and print a Pantheon-style summary",
		Long: `Run flows of ccscope's transport over the emulated link in virtual time, as fast as
the machine allows, and print Pantheon's summary: per flow and in total the throughput,
95th-percentile one-way delay and loss, plus Jain's fairness index.

The experiment comes from --config FILE (see examples/README.md for the TOML schema) or,
without one, from the workbench's default (24 Mbit/s each way, 20 ms one-way delay, a
1-BDP droptail uplink queue, one cubic flow, 60 s); flags override either. Flag names
follow mahimahi's and Pantheon's: -f N runs N flows of each --scheme, started --interval
apart.

Schemes: ` + schemeList() + `.`,
		Example: `  ccscope run --scheme cubic --duration 30s
  ccscope run --uplink 12mbit --downlink 12mbit --delay 20ms --uplink-queue droptail --uplink-queue-args packets=40 --scheme reno
  ccscope run --scheme cubic -f 3 --interval 10s --duration 60s --json
  ccscope run --config examples/timeline.toml --uplink-log up.log`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			exp := live.DefaultExperiment()
			if config == "" && cmd.Flags().NFlag() > 0 {
				exp.Name = "" // the default's title no longer describes it
			}
			if config != "" {
				var err error
				if exp, err = live.LoadExperiment(config, cc.Validate); err != nil {
					return err
				}
			}
			if err := lf.apply(&exp, args); err != nil {
				return err
			}
			fs := cmd.Flags()
			if fs.Changed("duration") {
				d, err := durationFlag(duration)
				if err != nil {
					return err
				}
				exp.Duration = d
			}
			if fs.Changed("sample-interval") {
				d, err := emu.ParseDuration("--sample-interval", sampleInterval)
				if err != nil {
					return usageError{err}
				}
				exp.SampleInterval = d
			}
			if name != "" {
				exp.Name = name
			}
			if err := applyFlowFlags(&exp, fs.Changed("scheme"), schemes, fs.Changed("flows"), nflows, interval, size); err != nil {
				return err
			}
			if upLog != "" {
				exp.Uplink.Log = upLog
			}
			if downLog != "" {
				exp.Downlink.Log = downLog
			}
			if err := exp.Validate(cc.Validate); err != nil {
				if config == "" {
					return flagErrors(err)
				}
				return err
			}
			return runExperiment(cmd.Context(), env, exp, jsonOut, quiet)
		},
	}
	lf = addLinkFlags(cmd.Flags())
	fs := cmd.Flags()
	fs.StringVar(&config, "config", "", "experiment file (TOML; see examples/README.md); flags override it")
	fs.StringArrayVar(&schemes, "scheme", nil, "congestion control of the flows, e.g. cubic or cubic:beta=0.8 (repeatable)")
	fs.IntVarP(&nflows, "flows", "f", 1, "flows per scheme (Pantheon's -f)")
	fs.StringVar(&interval, "interval", "", "time between flow starts (Pantheon's --interval), e.g. 10s")
	fs.StringVar(&size, "size", "", "bytes each flow sends (e.g. 10MB); default: until the end")
	fs.StringVar(&duration, "duration", "", "experiment time to run, e.g. 30s (default 60s, or the config's)")
	fs.StringVar(&sampleInterval, "sample-interval", "", "how often flows and links are sampled (default 10ms)")
	fs.StringVar(&upLog, "uplink-log", "", "write the uplink's mahimahi log to FILE")
	fs.StringVar(&downLog, "downlink-log", "", "write the downlink's mahimahi log to FILE")
	fs.StringVar(&name, "name", "", "a title for the experiment")
	fs.BoolVar(&jsonOut, "json", false, "print the summary as JSON")
	fs.BoolVarP(&quiet, "quiet", "q", false, "no progress on stderr")
	return cmd
}

func schemeList() string {
	out := ""
	for i, n := range cc.Names() {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

// applyFlowFlags builds the flows from --scheme, -f, --interval and --size.
func applyFlowFlags(exp *live.Experiment, haveSchemes bool, schemes []string, haveN bool, n int, interval, size string) error {
	if !haveSchemes && !haveN && interval == "" && size == "" {
		return nil
	}
	if n < 1 {
		return usagef("-f/--flows must be at least 1")
	}
	var gap time.Duration
	if interval != "" {
		d, err := emu.ParseDuration("--interval", interval)
		if err != nil {
			return usageError{err}
		}
		gap = d
	}
	var bytes int64
	if size != "" {
		b, err := live.ParseSize(size)
		if err != nil {
			return usagef("--size: %w", err)
		}
		bytes = b
	}
	if !haveSchemes {
		for _, f := range exp.Flows {
			schemes = append(schemes, f.Scheme)
		}
		if haveN && len(schemes) > 1 {
			schemes = schemes[:1]
		}
	}
	if haveN || haveSchemes || interval != "" {
		exp.Flows = nil
		for _, s := range schemes {
			for j := 0; j < n; j++ {
				exp.Flows = append(exp.Flows, live.FlowSpec{Scheme: s, Start: time.Duration(len(exp.Flows)) * gap, Size: bytes})
			}
		}
	} else {
		for i := range exp.Flows {
			exp.Flows[i].Size = bytes
		}
	}
	if last := exp.Flows[len(exp.Flows)-1].Start; exp.Duration > 0 && last > exp.Duration {
		return usagef("flow %d would start at %v, after the end of the run (%v); shorten --interval or lengthen --duration", len(exp.Flows), last, exp.Duration)
	}
	return nil
}

// runExperiment runs exp in the sim backend and prints its summary.
func runExperiment(ctx context.Context, env *Env, exp live.Experiment, jsonOut, quiet bool) error {
	opt := live.SimOptions{NewController: cc.New}
	var logs []*openLog
	for _, l := range []struct {
		spec live.LinkSpec
		name string
		tap  *emu.Tap
	}{{exp.Uplink, "Uplink", &opt.UplinkTap}, {exp.Downlink, "Downlink", &opt.DownlinkTap}} {
		if l.spec.Log == "" {
			continue
		}
		path := exp.Resolve(l.spec.Log)
		q, _ := emu.ParseQueue(or(l.spec.Queue, "infinite"), l.spec.QueueArgs)
		ol, err := createLog(path, capture.LogHeader{Link: l.name, TracePath: l.spec.Capacity, LogPath: path,
			CommandLine: env.Args, Queue: q.String()})
		if err != nil {
			return err
		}
		defer ol.abort()
		*l.tap = ol.w
		logs = append(logs, ol)
	}
	sim, err := live.NewSim(exp, opt)
	if err != nil {
		return err
	}
	start := time.Now()
	lastReport := start
	progress := func(now time.Duration) {
		if quiet || time.Since(lastReport) < time.Second {
			return
		}
		lastReport = time.Now()
		wall := time.Since(start)
		fmt.Fprintf(env.Stderr, "ccscope: %v of %v simulated (%.0f%%), %.0f× real time\n",
			now.Round(time.Millisecond), exp.Duration, 100*now.Seconds()/exp.Duration.Seconds(), now.Seconds()/wall.Seconds())
	}
	runErr := sim.Run(ctx, progress)
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return runErr
	}
	if runErr != nil {
		sim.Finish()
		fmt.Fprintf(env.Stderr, "ccscope: interrupted at %v; the summary covers the run so far\n", sim.Now())
	}
	for _, ol := range logs {
		if err := ol.commit(); err != nil {
			return err
		}
	}
	sum := sim.Summary()
	var w io.Writer = env.Stdout
	if jsonOut {
		err = sum.WriteJSON(w)
	} else {
		err = sum.WriteText(w)
	}
	if err != nil {
		return err
	}
	if !quiet && !jsonOut {
		for _, r := range sim.Timeline() {
			if r.Kind == live.RecordWarning || r.Kind == live.RecordError {
				fmt.Fprintf(env.Stderr, "ccscope: %v: %s\n", r.At, r.Text)
			}
		}
	}
	return runErr
}
