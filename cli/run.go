package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ccscope/ccscope/capture"
	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
	"github.com/ccscope/ccscope/live/netrun"
	"github.com/ccscope/ccscope/live/store"
	"github.com/ccscope/ccscope/sessions"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// expFlags are the flags that describe an experiment: a config file, the
// link flags and the flow flags. run and open share them.
type expFlags struct {
	link                                             *linkFlags
	config, duration, interval, size, sampleInterval string
	schemes                                          []string
	nflows                                           int
	upLog, downLog, name                             string
	ccpAgent, ccpFallback                            string
	backend                                          *backendFlags
}

func addExpFlags(fs *pflag.FlagSet) *expFlags {
	f := &expFlags{link: addLinkFlags(fs), backend: addBackendFlags(fs)}
	fs.StringVar(&f.config, "config", "", "experiment file (TOML; see examples/README.md); flags override it")
	fs.StringArrayVar(&f.schemes, "scheme", nil, "congestion control of the flows, e.g. cubic or cubic:beta=0.8 (repeatable; see ccscope schemes)")
	fs.IntVarP(&f.nflows, "flows", "f", 1, "flows per scheme (Pantheon's -f)")
	fs.StringVar(&f.interval, "interval", "", "time between flow starts (Pantheon's --interval), e.g. 10s")
	fs.StringVar(&f.size, "size", "", "bytes each flow sends (e.g. 10MB); default: until the end")
	fs.StringVar(&f.duration, "duration", "", "experiment time to run, e.g. 30s (default 60s, or the config's)")
	fs.StringVar(&f.sampleInterval, "sample-interval", "", "how often flows and links are sampled (default 10ms)")
	fs.StringVar(&f.upLog, "uplink-log", "", "write the uplink's mahimahi log to FILE")
	fs.StringVar(&f.downLog, "downlink-log", "", "write the downlink's mahimahi log to FILE")
	fs.StringVar(&f.name, "name", "", "a title for the experiment")
	fs.StringVar(&f.ccpAgent, "ccp-agent", "", "where ccp:ALG flows find their CCP agent: unix or unix:NAME for an agent on /tmp/ccp/NAME (default portus), e.g. a portus algorithm started with --ipc unix; default: the built-in algorithm in process")
	fs.StringVar(&f.ccpFallback, "ccp-fallback", "", "how long a CCP flow waits for an agent that stopped answering before native reno takes over (default 1s)")
	return f
}

// schemeCheck checks the schemes of exp: native ones, CCP ones for its
// agent (built-in algorithms when the agent runs in process), and kernel
// ones in the netns backend.
func schemeCheck(exp live.Experiment) live.SchemeChecker { return schemeCheckFor(exp) }

// anySchemeCheck checks schemes before the agent and the backend are
// known: CCP and kernel specs only for their form.
func anySchemeCheck(spec string) error {
	if _, ok := netrun.KernelCC(spec); ok {
		return nil
	}
	return live.SchemeCheck(cc.Validate, true)(spec)
}

// experiment builds the experiment: the config file (or the default) with
// the flags the user gave applied on top, validated.
func (ef *expFlags) experiment(cmd *cobra.Command, positional []string) (live.Experiment, error) {
	exp := live.DefaultExperiment()
	var command []string
	if dash := cmd.ArgsLenAtDash(); dash >= 0 {
		if all := cmd.Flags().Args(); dash <= len(all) {
			command = all[dash:]
		}
		if dash <= len(positional) {
			positional = positional[:dash]
		}
	}
	fs := cmd.Flags()
	if ef.config == "" && fs.NFlag() > 0 {
		exp.Name = "" // the default's title no longer describes it
	}
	if ef.config != "" {
		var err error
		if exp, err = live.LoadExperiment(ef.config, anySchemeCheck); err != nil {
			return exp, err
		}
	}
	if err := ef.link.apply(&exp, positional); err != nil {
		return exp, err
	}
	if fs.Changed("duration") {
		d, err := durationFlag(ef.duration)
		if err != nil {
			return exp, err
		}
		exp.Duration = d
	}
	if fs.Changed("sample-interval") {
		d, err := emu.ParseDuration("--sample-interval", ef.sampleInterval)
		if err != nil {
			return exp, usageError{err}
		}
		exp.SampleInterval = d
	}
	if ef.name != "" {
		exp.Name = ef.name
	}
	if err := applyFlowFlags(&exp, fs.Changed("scheme"), ef.schemes, fs.Changed("flows"), ef.nflows, ef.interval, ef.size); err != nil {
		return exp, err
	}
	if ef.upLog != "" {
		exp.Uplink.Log = ef.upLog
	}
	if ef.downLog != "" {
		exp.Downlink.Log = ef.downLog
	}
	if fs.Changed("ccp-agent") {
		exp.CCPAgent = ef.ccpAgent
	}
	if fs.Changed("ccp-fallback") {
		d, err := emu.ParseDuration("--ccp-fallback", ef.ccpFallback)
		if err != nil {
			return exp, usageError{err}
		}
		exp.CCPFallback = d
	}
	if err := ef.backend.apply(cmd, &exp, command); err != nil {
		return exp, err
	}
	if err := exp.Validate(schemeCheck(exp)); err != nil {
		if ef.config == "" {
			return exp, flagErrors(err)
		}
		return exp, err
	}
	return exp, nil
}

func newRunCmd(env *Env) *cobra.Command {
	var jsonOut, quiet bool
	var out, title, notes string
	var ef *expFlags
	cmd := &cobra.Command{
		Use:   "run [flags]",
		Short: "run an experiment headless and print a Pantheon-style summary",
		Long: `Run flows over the emulated link and print Pantheon's summary: per flow and in total
the throughput, 95th-percentile one-way delay and loss, plus Jain's fairness index.

The sim backend (the default) runs ccscope's transport in virtual time, as fast as the
machine allows. The netns backend (--backend netns; Linux and root) sends real packets
through the same link model in real time, between two network namespaces: kernel TCP
(--scheme kernel:cubic, kernel:bbr, ... as the kernel offers), ccscope's transport over UDP
(any other scheme), or any command given after "--", run in the sender's namespace with
the receiver's address in CCSCOPE_BASE and MAHIMAHI_BASE (--receiver-command starts a
server on the other side first). --pcap writes the packets to a pcap file.

The experiment comes from --config FILE (see examples/README.md for the TOML schema) or,
without one, from the workbench's default (24 Mbit/s each way, 20 ms one-way delay, a
1-BDP droptail uplink queue, one cubic flow, 60 s); flags override either. Flag names
follow mahimahi's and Pantheon's: -f N runs N flows of each --scheme, started --interval
apart.

Schemes: ` + schemeList() + `.`,
		Example: `  ccscope run --scheme cubic --duration 30s
  ccscope run --uplink 12mbit --downlink 12mbit --delay 20ms --uplink-queue droptail --uplink-queue-args packets=40 --scheme reno
  ccscope run --scheme cubic -f 3 --interval 10s --duration 60s --json
  ccscope run --config examples/timeline.toml --uplink-log up.log
  ccscope run --backend netns --scheme kernel:cubic --uplink 50mbit --downlink 50mbit --pcap run.pcap
  ccscope run --uplink 20mbit --downlink 20mbit --duration 10s --receiver-command "iperf3 -s -1" -- sh -c 'iperf3 -c $CCSCOPE_BASE -t 8'`,
		Args: argsAfterDash,
		RunE: func(cmd *cobra.Command, args []string) error {
			exp, err := ef.experiment(cmd, args)
			if err != nil {
				return err
			}
			return runExperiment(cmd.Context(), env, exp, runOutput{json: jsonOut, quiet: quiet, out: out, title: title, notes: notes, backend: ef.backend})
		},
	}
	ef = addExpFlags(cmd.Flags())
	fs := cmd.Flags()
	fs.StringVar(&out, "out", "", "save the run as a session file (a zip: replay it with ccscope open, re-run it with ccscope rerun)")
	fs.StringVar(&title, "title", "", "the session's title (with --out)")
	fs.StringVar(&notes, "notes", "", "notes stored in the session (with --out)")
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

// openLogs opens the mahimahi logs an experiment asks for and sets them as
// the sim's link taps. The caller commits or aborts them.
func openLogs(env *Env, exp live.Experiment, opt *live.SimOptions) ([]*openLog, error) {
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
			for _, o := range logs {
				o.abort()
			}
			return nil, err
		}
		*l.tap = ol.w
		logs = append(logs, ol)
	}
	return logs, nil
}

// runOutput says what a headless run prints and saves.
type runOutput struct {
	json, quiet       bool
	out, title, notes string
	backend           *backendFlags
}

// runExperiment runs exp in the sim backend, prints its summary and, with
// out set, saves it as a session. A journal is kept while it runs.
func runExperiment(ctx context.Context, env *Env, exp live.Experiment, o runOutput) error {
	jsonOut, quiet := o.json, o.quiet
	opt := live.SimOptions{NewController: cc.New}
	var st *store.Store
	if o.out != "" {
		st = store.NewStore()
		opt.Recorder = live.StoreRecorder(st)
	}
	logs, err := openLogs(env, exp, &opt)
	if err != nil {
		return err
	}
	for _, ol := range logs {
		defer ol.abort()
	}
	sim, err := newEngine(env, exp, opt, o.backend, true)
	if err != nil {
		return err
	}
	defer sim.Close()
	var journal *sessions.Journal
	if dir, err := sessions.JournalDir(); err == nil {
		if j, err := sessions.StartJournal(dir, exp, or(o.title, exp.Name)); err == nil {
			journal = j
			defer j.Close()
		}
	}
	start := time.Now()
	lastReport, lastJournal := start, start
	progress := func(now time.Duration) {
		if journal != nil && time.Since(lastJournal) >= time.Second {
			journal.Update(nil, now)
			lastJournal = time.Now()
		}
		if quiet || time.Since(lastReport) < time.Second {
			return
		}
		lastReport = time.Now()
		wall := time.Since(start)
		if sim.RealTime() {
			fmt.Fprintf(env.Stderr, "ccscope: %v of %v (%.0f%%)\n", now.Round(time.Second), exp.Duration, 100*now.Seconds()/exp.Duration.Seconds())
			return
		}
		fmt.Fprintf(env.Stderr, "ccscope: %v of %v simulated (%.0f%%), %.0f× real time\n",
			now.Round(time.Millisecond), exp.Duration, 100*now.Seconds()/exp.Duration.Seconds(), now.Seconds()/wall.Seconds())
	}
	run := sim.Run
	if s, ok := sim.(*live.Sim); ok && s.WallClock() {
		if !quiet {
			fmt.Fprintf(env.Stderr, "ccscope: an external CCP agent runs in real time: this run takes %v\n", exp.Duration)
		}
		run = func(ctx context.Context, progress func(time.Duration)) error { return runPaced(ctx, sim, progress) }
	}
	runErr := run(ctx, progress)
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return runErr
	}
	if runErr != nil {
		sim.Finish()
		fmt.Fprintf(env.Stderr, "ccscope: interrupted at %v; the summary covers the run so far\n", sim.Now())
	}
	if n, ok := sim.(*netrun.Engine); ok {
		reportNetns(env, n, o)
	}
	for _, ol := range logs {
		if err := ol.commit(); err != nil {
			return err
		}
	}
	if o.out != "" {
		sess := newSession(sim, st, o.title, o.notes)
		sess.Files = attachLogs(env, exp, quiet)
		if err := sessions.Save(o.out, sess); err != nil {
			return err
		}
		if !quiet {
			fmt.Fprintf(env.Stderr, "ccscope: saved the session to %s\n", o.out)
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

// maxAttachedLog is the largest mahimahi log a session carries (deflate
// shrinks logs about 5×); larger ones stay beside it.
const maxAttachedLog = 256 << 20

// attachLogs reads the run's mahimahi logs as session attachments
// (logs/uplink.log, logs/downlink.log), leaving out, with a note, any
// too large to carry.
func attachLogs(env *Env, exp live.Experiment, quiet bool) []sessions.File {
	var files []sessions.File
	for _, l := range []struct{ name, path string }{{"logs/uplink.log", exp.Uplink.Log}, {"logs/downlink.log", exp.Downlink.Log}} {
		if l.path == "" {
			continue
		}
		p := exp.Resolve(l.path)
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			fmt.Fprintf(env.Stderr, "ccscope: the session leaves out the log %s: %v\n", p, unwrapPathErr(err))
			continue
		case fi.Size() > maxAttachedLog:
			if !quiet {
				fmt.Fprintf(env.Stderr, "ccscope: the session leaves out the log %s (%d MB; it carries logs up to %d MB): keep it beside the session\n",
					p, fi.Size()>>20, maxAttachedLog>>20)
			}
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintf(env.Stderr, "ccscope: the session leaves out the log %s: %v\n", p, unwrapPathErr(err))
			continue
		}
		files = append(files, sessions.File{Name: l.name, Data: data})
	}
	return files
}

// runPaced runs sim at the wall clock's pace (an external CCP agent lives
// in real time), calling progress about every second.
func runPaced(ctx context.Context, sim live.Engine, progress func(time.Duration)) error {
	const step = 2 * time.Millisecond
	start := time.Now()
	lastProgress := time.Duration(0)
	for !sim.Done() {
		if err := ctx.Err(); err != nil {
			return err
		}
		target := min(time.Since(start), sim.End())
		if target <= sim.Now() {
			time.Sleep(step)
			continue
		}
		sim.RunUntil(target)
		if progress != nil && sim.Now()-lastProgress >= time.Second {
			lastProgress = sim.Now()
			progress(sim.Now())
		}
	}
	sim.Finish()
	return nil
}

// argsAfterDash accepts arguments only after "--" (a command for the
// netns backend).
func argsAfterDash(cmd *cobra.Command, args []string) error {
	if cmd.ArgsLenAtDash() < 0 && len(args) > 0 {
		return usagef("unexpected arguments %q: a command to run inside the link goes after --, e.g. ccscope run -- sh -c 'iperf3 -c $CCSCOPE_BASE'", strings.Join(args, " "))
	}
	if d := cmd.ArgsLenAtDash(); d > 0 {
		return usagef("unexpected arguments %q before --", strings.Join(args[:d], " "))
	}
	return nil
}

// reportNetns tells what a netns run captured and how well the forwarder
// kept to the link's schedule.
func reportNetns(env *Env, e *netrun.Engine, o runOutput) {
	if o.quiet {
		return
	}
	snd, rcv := e.Captured()
	if snd >= 0 {
		fmt.Fprintf(env.Stderr, "ccscope: captured %d packets in %s\n", snd, o.backend.pcap)
	}
	if rcv >= 0 {
		fmt.Fprintf(env.Stderr, "ccscope: captured %d packets in %s\n", rcv, o.backend.receiverPcap)
	}
	st := e.ForwardStats()
	fmt.Fprintf(env.Stderr, "ccscope: forwarded %d packets up, %d down; delivery error p50 %v, p99 %v\n",
		st.Written[0], st.Written[1], st.ErrorP50, st.ErrorP99)
}
