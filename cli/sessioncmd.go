package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
	"github.com/ccscope/ccscope/live/store"
	"github.com/ccscope/ccscope/sessions"
)

// runTo runs sim up to reached the way the original run got there: to the
// end (accounting the links, as Run does) when reached is the end, else to
// reached exactly, so that the series and summary equal those saved.
func runTo(ctx context.Context, sim live.Engine, reached time.Duration, progress func(time.Duration)) error {
	for sim.Now() < reached && !sim.Done() {
		if err := ctx.Err(); err != nil {
			return err
		}
		sim.RunUntil(min(sim.Now()+time.Second, reached))
		if progress != nil {
			progress(sim.Now())
		}
		if sim.RealTime() {
			time.Sleep(10 * time.Millisecond) // real time passes by itself
		}
	}
	if sim.Done() || sim.RealTime() {
		sim.Finish()
	}
	return nil
}

func newRerunCmd(env *Env) *cobra.Command {
	var open, check, jsonOut, quiet, edit bool
	var out, title string
	var wf *wbFlags
	cmd := &cobra.Command{
		Use:   "rerun SESSION.zip [flags]",
		Short: "run a saved session again: the same experiment, seed and changes",
		Long: `Run a saved session's experiment again in the sim backend, with the changes made during
the original run applied at the same instants. With the same seed the series are
identical to the saved ones; --check verifies that byte for byte.

To see what would have happened otherwise, --edit opens the re-run's experiment (its
timeline holds the recorded changes) in $EDITOR before running it: move a change, drop
it, add one, change the link. ccscope export SESSION.zip --experiment DIR writes the same
experiment and its traces to a directory for ccscope run or open.`,
		Example: `  ccscope rerun lecture.zip --check
  ccscope rerun lecture.zip --open
  ccscope rerun lecture.zip --edit --out what-if.zip`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if check && (edit || open) {
				return usagef("--check compares with the saved run; it cannot be combined with --edit or --open")
			}
			sess, err := sessions.Load(args[0])
			if err != nil {
				return err
			}
			dir, err := os.MkdirTemp("", "ccscope-rerun-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			exp, err := sess.ExtractRerun(dir)
			if err != nil {
				return err
			}
			reached := sess.Reached
			if edit {
				if exp, err = editExperiment(env, exp, dir); err != nil {
					return err
				}
				reached = exp.Duration
			}
			if open {
				return runWorkbench(cmd.Context(), env, exp, wf)
			}
			if check {
				return checkRerun(cmd.Context(), env, sess, exp, quiet)
			}
			if title == "" {
				title = sess.Title + " (re-run)"
			}
			return rerunHeadless(cmd.Context(), env, exp, reached, runOutput{json: jsonOut, quiet: quiet, out: out, title: title, notes: sess.Notes})
		},
	}
	wf = addWorkbenchFlags(cmd)
	fs := cmd.Flags()
	fs.BoolVar(&open, "open", false, "re-run it live in the workbench")
	fs.BoolVar(&check, "check", false, "verify that the re-run reproduces the saved series and summary byte for byte")
	fs.BoolVar(&edit, "edit", false, "edit the experiment and its timeline in $EDITOR before running")
	fs.StringVar(&out, "out", "", "save the re-run as a session file")
	fs.StringVar(&title, "title", "", "the re-run session's title (default: the original's + \" (re-run)\")")
	fs.BoolVar(&jsonOut, "json", false, "print the summary as JSON")
	fs.BoolVarP(&quiet, "quiet", "q", false, "no progress on stderr")
	return cmd
}

// rerunHeadless runs exp up to reached and prints its summary, saving it
// with o.out.
func rerunHeadless(ctx context.Context, env *Env, exp live.Experiment, reached time.Duration, o runOutput) error {
	st := store.NewStore()
	sim, err := newEngine(env, exp, live.SimOptions{NewController: cc.New, Recorder: live.StoreRecorder(st)}, nil, !o.quiet)
	if err != nil {
		return fmt.Errorf("re-run: %w", err)
	}
	defer sim.Close()
	start := time.Now()
	last := start
	err = runTo(ctx, sim, reached, func(now time.Duration) {
		if o.quiet || time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		fmt.Fprintf(env.Stderr, "ccscope: re-run at %v of %v\n", now.Round(time.Millisecond), reached)
	})
	if err != nil {
		return err
	}
	if o.out != "" {
		if err := sessions.Save(o.out, newSession(sim, st, o.title, o.notes)); err != nil {
			return err
		}
		if !o.quiet {
			fmt.Fprintf(env.Stderr, "ccscope: saved the re-run to %s\n", o.out)
		}
	}
	sum := sim.Summary()
	if o.json {
		return sum.WriteJSON(env.Stdout)
	}
	return sum.WriteText(env.Stdout)
}

// checkRerun re-runs the session and compares its summary and series with
// the saved ones, byte for byte.
func checkRerun(ctx context.Context, env *Env, sess *sessions.Session, exp live.Experiment, quiet bool) error {
	if exp.Backend == live.BackendNetns {
		return fmt.Errorf("re-run --check: this session ran in the netns backend, with real packets, which no re-run reproduces byte for byte; re-run it without --check (or with --backend sim in an --edit)")
	}
	st := store.NewStore()
	sim, err := live.NewSim(exp, live.SimOptions{NewController: cc.New, Recorder: live.StoreRecorder(st)})
	if err != nil {
		return fmt.Errorf("re-run: %w", err)
	}
	defer sim.Close()
	start := time.Now()
	if err := runTo(ctx, sim, sess.Reached, nil); err != nil {
		return err
	}
	var problems []string
	var a, b bytes.Buffer
	if err := sess.Summary.WriteJSON(&a); err != nil {
		return err
	}
	if err := sim.Summary().WriteJSON(&b); err != nil {
		return err
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		problems = append(problems, "the summary differs:\n  saved:  "+oneLine(a.String())+"\n  re-run: "+oneLine(b.String()))
	}
	keys := 0
	if sess.Series != nil {
		for _, k := range sess.Series.Keys() {
			keys++
			a.Reset()
			b.Reset()
			if err := sess.Series.WriteCSV(&a, []string{k}); err != nil {
				return err
			}
			if st.Lookup(k) == nil {
				problems = append(problems, "series "+k+" is missing from the re-run")
				continue
			}
			if err := st.WriteCSV(&b, []string{k}); err != nil {
				return err
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				problems = append(problems, "series "+k+" differs"+firstDiff(a.String(), b.String()))
			}
		}
		for _, k := range st.Keys() {
			if sess.Series.Lookup(k) == nil {
				problems = append(problems, "series "+k+" is new in the re-run")
			}
		}
	}
	if len(problems) > 0 {
		const show = 10
		msg := strings.Join(problems[:min(len(problems), show)], "\n")
		if len(problems) > show {
			msg += fmt.Sprintf("\n... and %d more", len(problems)-show)
		}
		return fmt.Errorf("the re-run does not reproduce the session (was it saved by another ccscope version? it says %s, this is %s):\n%s",
			or(sess.Version, "unknown"), Version(), msg)
	}
	if !quiet {
		fmt.Fprintf(env.Stdout, "identical: the summary and all %d series reproduce byte for byte (%v of experiment time re-run in %v)\n",
			keys, sess.Reached.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// firstDiff names the first line where two CSV exports differ.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < min(len(la), len(lb)); i++ {
		if la[i] != lb[i] {
			return fmt.Sprintf(" from line %d:\n  saved:  %s\n  re-run: %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf(" in length: %d lines saved, %d re-run", len(la), len(lb))
}

// editExperiment lets the user edit exp as TOML in $EDITOR (vi if unset),
// in dir next to its traces, and reads it back; a bad edit is offered
// again rather than lost.
func editExperiment(env *Env, exp live.Experiment, dir string) (live.Experiment, error) {
	path := filepath.Join(dir, "experiment.toml")
	data, err := exp.EncodeTOML()
	if err != nil {
		return exp, err
	}
	header := "# The re-run's experiment: its [[event]] entries are the recorded changes.\n" +
		"# Edit, save and quit to run it; delete everything to cancel.\n"
	if err := os.WriteFile(path, append([]byte(header), data...), 0o644); err != nil {
		return exp, err
	}
	editor := or(os.Getenv("VISUAL"), or(os.Getenv("EDITOR"), "vi"))
	for {
		c := exec.Command("sh", "-c", editor+` "$1"`, "editor", path)
		c.Stdin, c.Stdout, c.Stderr = os.Stdin, env.Stdout, env.Stderr
		if err := c.Run(); err != nil {
			return exp, fmt.Errorf("editor %s: %w", editor, err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return exp, err
		}
		if len(bytes.TrimSpace(stripComments(data))) == 0 {
			return exp, errors.New("the experiment is empty: re-run cancelled")
		}
		e, err := live.ParseExperiment(path, data, dir, anySchemeCheck)
		if err == nil {
			return e, nil
		}
		fmt.Fprintf(env.Stderr, "ccscope: %v\nEdit again? [Y/n] ", err)
		if !yes(bufio.NewReader(os.Stdin), true) {
			return exp, errors.New("re-run cancelled")
		}
	}
}

func stripComments(data []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(data, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			out = append(out, line...)
			out = append(out, '\n')
		}
	}
	return out
}

func newExportCmd(env *Env) *cobra.Command {
	var csvDir, expDir string
	var jsonOut, noSeries bool
	cmd := &cobra.Command{
		Use:   "export SESSION.zip (--csv DIR | --json | --experiment DIR)",
		Short: "export a saved session as CSV files, JSON, or a runnable experiment",
		Long: `Export what a session recorded.

--csv DIR writes series.csv (every series, long format: key,tier,t_ns,last_ns,min,max,
mean,count,sum; read it with pandas.read_csv(..., comment='#')), timeline.csv
(t_ns,t,kind,scripted,text), summary.csv (one row per flow and one for all) and
summary.json. --json prints one JSON document: the session's metadata, summary,
timeline and (unless --no-series) every series as [t_s, mean, min, max, count] rows.
--experiment DIR writes the re-run's experiment.toml (the recorded changes in its
timeline) and its traces, to edit and run with ccscope run --config or ccscope open.`,
		Example: `  ccscope export lecture.zip --csv lecture/
  ccscope export lecture.zip --json --no-series | jq .summary
  ccscope export lecture.zip --experiment what-if/ && ccscope open what-if/experiment.toml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n := 0
			for _, set := range []bool{csvDir != "", jsonOut, expDir != ""} {
				if set {
					n++
				}
			}
			if n != 1 {
				return usagef("give exactly one of --csv DIR, --json or --experiment DIR")
			}
			sess, err := sessions.Load(args[0])
			if err != nil {
				return err
			}
			switch {
			case csvDir != "":
				return exportCSV(env, sess, csvDir)
			case expDir != "":
				return exportExperiment(env, sess, expDir)
			}
			return exportJSON(env.Stdout, sess, !noSeries)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&csvDir, "csv", "", "write the series, timeline and summary as CSV files into DIR (created if needed)")
	fs.BoolVar(&jsonOut, "json", false, "print the session as JSON on standard output")
	fs.BoolVar(&noSeries, "no-series", false, "with --json, leave the series out")
	fs.StringVar(&expDir, "experiment", "", "write the re-run's experiment.toml and traces into DIR")
	return cmd
}

func exportCSV(env *Env, sess *sessions.Session, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	write := func(name string, fn func(io.Writer) error) error {
		return writeFileOrStdout(env, filepath.Join(dir, name), func(w *bufio.Writer) error { return fn(w) })
	}
	series := sess.Series
	if series == nil {
		series = store.NewStore()
	}
	steps := []struct {
		name string
		fn   func(io.Writer) error
	}{
		{"series.csv", func(w io.Writer) error { return series.WriteCSV(w, nil) }},
		{"timeline.csv", func(w io.Writer) error { return sessions.WriteTimelineCSV(w, sess.Timeline) }},
		{"summary.csv", func(w io.Writer) error { return sess.Summary.WriteCSV(w) }},
		{"summary.json", func(w io.Writer) error { return sess.Summary.WriteJSON(w) }},
	}
	for _, s := range steps {
		if err := write(s.name, s.fn); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stderr, "ccscope: wrote series.csv (%d series), timeline.csv (%d records), summary.csv and summary.json to %s\n",
		len(series.Keys()), len(sess.Timeline), dir)
	return nil
}

func exportExperiment(env *Env, sess *sessions.Session, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	exp, err := sess.ExtractRerun(dir)
	if err != nil {
		return err
	}
	data, err := exp.EncodeTOML()
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "experiment.toml")
	if err := writeFileOrStdout(env, path, func(w *bufio.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "ccscope: wrote %s (%d timeline changes); run it with ccscope open %s\n", path, len(exp.Timeline), path)
	return nil
}

// jsonSession is export --json's document.
type jsonSession struct {
	Format     int                   `json:"format"`
	Title      string                `json:"title"`
	Notes      string                `json:"notes,omitempty"`
	Created    time.Time             `json:"created"`
	Version    string                `json:"ccscope_version"`
	Seed       uint64                `json:"seed"`
	Reached    float64               `json:"reached_s"`
	Experiment string                `json:"experiment_toml"`
	Summary    live.Summary          `json:"summary"`
	Timeline   []jsonRecord          `json:"timeline"`
	Series     map[string]jsonSeries `json:"series,omitempty"`
}

type jsonRecord struct {
	T        float64 `json:"t_s"`
	Kind     string  `json:"kind"`
	Scripted bool    `json:"scripted,omitempty"`
	Text     string  `json:"text"`
}

type jsonSeries struct {
	Unit  string       `json:"unit"`
	Label string       `json:"label"`
	Rows  [][5]float64 `json:"rows"` // t_s, mean, min, max, count
}

func exportJSON(w io.Writer, sess *sessions.Session, withSeries bool) error {
	exp, err := sess.Experiment.EncodeTOML()
	if err != nil {
		return err
	}
	doc := jsonSession{Format: sessions.FormatVersion, Title: sess.Title, Notes: sess.Notes, Created: sess.Created,
		Version: sess.Version, Seed: sess.Experiment.Seed, Reached: sess.Reached.Seconds(), Experiment: string(exp),
		Summary: sess.Summary, Timeline: []jsonRecord{}}
	for _, r := range sess.Timeline {
		doc.Timeline = append(doc.Timeline, jsonRecord{T: r.At.Seconds(), Kind: r.Kind.String(), Scripted: r.Scripted, Text: r.Text})
	}
	if withSeries && sess.Series != nil {
		doc.Series = map[string]jsonSeries{}
		for _, k := range sess.Series.Keys() {
			s := sess.Series.Lookup(k)
			m := s.Meta()
			first, last := s.Span()
			js := jsonSeries{Unit: m.Unit, Label: m.Label, Rows: [][5]float64{}}
			for _, a := range s.Window(first, last, 1<<30) {
				js.Rows = append(js.Rows, [5]float64{a.T.Seconds(), a.Mean, a.Min, a.Max, float64(a.Count)})
			}
			doc.Series[k] = js
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(doc)
}

func newRecoverCmd(env *Env) *cobra.Command {
	var list, discard bool
	var dir string
	cmd := &cobra.Command{
		Use:   "recover [--list | --discard] [--dir DIR]",
		Short: "turn runs that were interrupted (killed, crashed) into session files",
		Long: `While a run goes on, ccscope keeps a journal of it (the experiment and every change made,
updated every second). When the process dies without saving — kill -9, a crash, a lost
terminal — the journal stays behind. ccscope recover re-runs each such run to the
point its journal reached (the sim is deterministic, so every series comes back) and
saves it as a session file in --dir. The workbench offers the same when it starts.

Journals live in $XDG_STATE_HOME/ccscope/journal, else ~/.local/state/ccscope/journal.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			jdir, err := sessions.JournalDir()
			if err != nil {
				return err
			}
			pending, err := sessions.PendingJournals(jdir)
			if err != nil {
				return err
			}
			if len(pending) == 0 {
				fmt.Fprintln(env.Stderr, "ccscope: no interrupted runs to recover")
				return nil
			}
			var failed error
			for _, j := range pending {
				what := fmt.Sprintf("%s (%s, reached %v, last saved %s)", j.Path, or(j.Title, "untitled"),
					j.Reached.Round(time.Millisecond), j.Updated.Local().Format("2006-01-02 15:04:05"))
				switch {
				case list:
					if j.Err != nil {
						fmt.Fprintf(env.Stdout, "%s: damaged: %v\n", j.Path, j.Err)
					} else {
						fmt.Fprintln(env.Stdout, what)
					}
				case discard:
					if err := j.Remove(); err != nil {
						failed = errors.Join(failed, err)
					} else {
						fmt.Fprintf(env.Stderr, "ccscope: discarded %s\n", j.Path)
					}
				case j.Err != nil:
					failed = errors.Join(failed, fmt.Errorf("journal %s cannot be recovered: %w (ccscope recover --discard removes it)", j.Path, j.Err))
				default:
					path, err := recoverJournal(cmd.Context(), j, dir)
					if err != nil {
						failed = errors.Join(failed, fmt.Errorf("recover %s: %w", j.Path, err))
						continue
					}
					fmt.Fprintf(env.Stderr, "ccscope: recovered %s into %s\n", what, path)
					fmt.Fprintln(env.Stdout, path)
				}
			}
			return failed
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&list, "list", false, "list the interrupted runs without recovering them")
	fs.BoolVar(&discard, "discard", false, "delete the journals of interrupted runs")
	fs.StringVar(&dir, "dir", "", "where to write the recovered session files (default: the current directory)")
	cmd.MarkFlagsMutuallyExclusive("list", "discard")
	return cmd
}
