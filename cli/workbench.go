package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
	"github.com/ccscope/ccscope/live/store"
	"github.com/ccscope/ccscope/sessions"
	"github.com/ccscope/ccscope/themes"
	"github.com/ccscope/ccscope/tui"
)

// wbFlags are the workbench's own flags.
type wbFlags struct {
	theme, debug string
	speed        float64
	paused       bool
	backend      *backendFlags // open's, for the netns backend's captures
}

func addWorkbenchFlags(cmd *cobra.Command) *wbFlags {
	f := &wbFlags{}
	fs := cmd.Flags()
	fs.StringVar(&f.theme, "theme", "dark", "colour theme: "+joinNames(themes.Names())+", or a theme file (themes/README.md)")
	fs.Float64Var(&f.speed, "speed", 1, "experiment seconds per wall-clock second (0.1 to 100)")
	fs.BoolVar(&f.paused, "paused", false, "start paused (space resumes)")
	fs.StringVar(&f.debug, "debug", "", "write a debug log to FILE (nothing is printed while the workbench runs)")
	return f
}

func joinNames(n []string) string {
	out := ""
	for i, s := range n {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

func newOpenCmd(env *Env) *cobra.Command {
	var ef *expFlags
	var wf *wbFlags
	cmd := &cobra.Command{
		Use:   "open [EXPERIMENT.toml | SESSION.zip] [flags]",
		Short: "open the workbench on an experiment (a file, flags, or the default) or replay a saved session",
		Long: `Open the full-screen workbench: the experiment runs in the sim backend, paced to the
wall clock, and its charts update live. Change the link with keys (b/B bandwidth, d/D
delay, l/L loss) or commands (: then e.g. bw 6mbit, queue codel packets=100 target=5
interval=100, flow add bbr); ? shows every key and command.

The experiment is EXPERIMENT.toml (or --config), else the default (24 Mbit/s each way,
20 ms one-way delay, a 1-BDP droptail queue, one cubic flow); the flags of ccscope run
override it. s saves the run as a session file.

A SESSION.zip (saved with s or ccscope run --out) opens as a replay: the recorded run plays
back with the same views and markers; space plays and pauses, [ and ] seek, < and > change
the speed, and R runs it again live.`,
		Example: `  ccscope open
  ccscope open examples/two-flows.toml --speed 2
  ccscope open --uplink ../shared/traces/Verizon-LTE-short.down --downlink ../shared/traces/Verizon-LTE-short.up --scheme bbr`,
		Args: func(cmd *cobra.Command, args []string) error {
			if d := cmd.ArgsLenAtDash(); d >= 0 {
				args = args[:d]
			}
			return cobra.MaximumNArgs(2)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if d := cmd.ArgsLenAtDash(); d >= 0 {
				args = args[:d]
			}
			if len(args) >= 1 && isSessionFile(args[0]) {
				if len(args) == 2 {
					if !isSessionFile(args[1]) {
						return usagef("%s is not a session file; to compare, give two saved sessions (.zip)", args[1])
					}
					return compareSessions(cmd.Context(), args[0], args[1], wf)
				}
				return openSession(cmd.Context(), env, args[0], wf)
			}
			if len(args) == 2 {
				return usagef("open takes one experiment file (or two session files to compare)")
			}
			if len(args) == 1 {
				if ef.config != "" {
					return usagef("give the experiment file as an argument or as --config, not both")
				}
				ef.config = args[0]
			}
			exp, err := ef.experiment(cmd, nil)
			if err != nil {
				return err
			}
			return runWorkbench(cmd.Context(), env, exp, wf)
		},
	}
	ef = addExpFlags(cmd.Flags())
	wf = addWorkbenchFlags(cmd)
	wf.backend = ef.backend
	return cmd
}

// runWorkbench runs exp in a paced sim and shows it until the user quits.
func runWorkbench(ctx context.Context, env *Env, exp live.Experiment, wf *wbFlags) error {
	theme, err := themes.Resolve(wf.theme)
	if err != nil {
		return usagef("--theme: %w", err)
	}
	if !term.IsTerminal(os.Stdout.Fd()) || !term.IsTerminal(os.Stdin.Fd()) {
		return fmt.Errorf("the workbench needs a terminal (standard input and output are not one); run experiments headless with ccscope run")
	}
	offerRecovery(ctx, env, os.Stdin)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if wf.debug != "" {
		f, err := os.OpenFile(wf.debug, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return fmt.Errorf("--debug: %w", err)
		}
		defer f.Close()
		logger = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	st := store.NewStore()
	opt := live.SimOptions{NewController: cc.New, Recorder: live.StoreRecorder(st)}
	logs, err := openLogs(env, exp, &opt)
	if err != nil {
		return err
	}
	for _, ol := range logs {
		defer ol.abort()
	}
	sim, err := newEngine(env, exp, opt, wf.backend, false)
	if err != nil {
		return err
	}
	defer sim.Close()
	runner := live.NewRunner(sim)
	if err := runner.SetSpeed(wf.speed); err != nil {
		return usagef("--speed: %w", err)
	}
	runner.SetPaused(wf.paused)
	logger.Info("workbench start", "experiment", exp.Name, "duration", exp.Duration, "speed", wf.speed)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := runner.Run(ctx, 5*time.Millisecond); err != nil && !errors.Is(err, context.Canceled) {
			logger.Error("runner", "err", err)
		}
		logger.Info("runner stopped")
	}()
	go func() {
		defer wg.Done()
		keepJournal(ctx, exp, exp.Name, logger, func(fn func(live.Engine)) { runner.With(fn) })
	}()
	save := func(path string) error {
		var sess *sessions.Session
		var err error
		runner.With(func(s live.Engine) {
			// A copy of the series at this instant, so that they end
			// where the session says it does while the run goes on.
			snap := store.NewStore()
			if err = snap.Import(st, ""); err == nil {
				sess = newSession(s, snap, "", "")
			}
		})
		if err != nil {
			return err
		}
		err = sessions.Save(path, sess)
		logger.Info("save", "path", path, "err", err)
		return err
	}
	model := tui.New(tui.LiveSource{Runner: runner, Series: st}, tui.Options{Theme: theme,
		Save: save, DefaultSavePath: defaultSessionPath})
	p := tea.NewProgram(model, tea.WithContext(ctx))
	_, runErr := p.Run()
	cancel()
	wg.Wait()
	if errors.Is(runErr, tea.ErrProgramKilled) && ctx.Err() != nil {
		runErr = nil
	}
	runner.With(func(s live.Engine) { s.Finish() })
	for _, ol := range logs {
		if err := ol.commit(); err != nil {
			return err
		}
	}
	logger.Info("workbench stop", "err", runErr)
	return runErr
}

// keepJournal writes the run's journal about once a second until ctx ends,
// then removes it: a run killed with kill -9 leaves a journal behind, from
// which the next start recovers everything but the last second.
func keepJournal(ctx context.Context, exp live.Experiment, title string, logger *slog.Logger, with func(func(live.Engine))) {
	dir, err := sessions.JournalDir()
	if err != nil {
		logger.Warn("no journal", "err", err)
		return
	}
	j, err := sessions.StartJournal(dir, exp, title)
	if err != nil {
		logger.Warn("no journal", "err", err)
		return
	}
	defer j.Close()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			var tl []live.Record
			var reached time.Duration
			with(func(s live.Engine) { tl, reached = s.Timeline(), s.Now() })
			if err := j.Update(tl, reached); err != nil {
				logger.Warn("journal", "err", err)
			}
		}
	}
}

// openSession replays a saved session in the workbench; R re-runs it live.
func openSession(ctx context.Context, env *Env, path string, wf *wbFlags) error {
	theme, err := themes.Resolve(wf.theme)
	if err != nil {
		return usagef("--theme: %w", err)
	}
	if !term.IsTerminal(os.Stdout.Fd()) || !term.IsTerminal(os.Stdin.Fd()) {
		return fmt.Errorf("the workbench needs a terminal (standard input and output are not one); use ccscope export or ccscope rerun headless")
	}
	sess, err := sessions.Load(path)
	if err != nil {
		return err
	}
	// The replay rebuilds the link's settings from the experiment, whose
	// traces travel inside the session: put them where it looks.
	dir, err := os.MkdirTemp("", "ccscope-session-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rerun, err := sess.ExtractRerun(dir)
	if err != nil {
		return err
	}
	if sess.Experiment, err = sess.ExtractTraces(dir); err != nil {
		return err
	}
	src, err := tui.NewReplay(sess)
	if err != nil {
		return err
	}
	if err := src.SetSpeed(wf.speed); err != nil {
		return usagef("--speed: %w", err)
	}
	src.SetPaused(wf.paused)
	model := tui.New(src, tui.Options{Theme: theme, CanRerun: true})
	p := tea.NewProgram(model, tea.WithContext(ctx))
	if _, err := p.Run(); err != nil {
		return err
	}
	if model.Outcome() != tui.OutcomeRerun {
		return nil
	}
	return runWorkbench(ctx, env, rerun, wf)
}

// compareSessions replays two saved sessions overlaid.
func compareSessions(ctx context.Context, pathA, pathB string, wf *wbFlags) error {
	theme, err := themes.Resolve(wf.theme)
	if err != nil {
		return usagef("--theme: %w", err)
	}
	if !term.IsTerminal(os.Stdout.Fd()) || !term.IsTerminal(os.Stdin.Fd()) {
		return fmt.Errorf("the workbench needs a terminal (standard input and output are not one); compare headless with ccscope export")
	}
	var sess [2]*sessions.Session
	for i, p := range []string{pathA, pathB} {
		s, err := sessions.Load(p)
		if err != nil {
			return err
		}
		dir, err := os.MkdirTemp("", "ccscope-session-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if s.Experiment, err = s.ExtractTraces(dir); err != nil {
			return err
		}
		sess[i] = s
	}
	src, err := tui.NewCompare(sess[0], sess[1])
	if err != nil {
		return err
	}
	if err := src.SetSpeed(wf.speed); err != nil {
		return usagef("--speed: %w", err)
	}
	src.SetPaused(wf.paused)
	_, err = tea.NewProgram(tui.New(src, tui.Options{Theme: theme}), tea.WithContext(ctx)).Run()
	return err
}
