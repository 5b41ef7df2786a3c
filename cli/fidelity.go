package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ccscope/ccscope/live/cc"
	"github.com/ccscope/ccscope/live/fidelity"
	"github.com/spf13/cobra"
)

func newFidelityCmd(env *Env) *cobra.Command {
	var traces, update, checkFile, only string
	cmd := &cobra.Command{
		Use:   "fidelity [--update README.md | --check README.md]",
		Short: "run the fidelity suite: each scheme against its paper or RFC, and the scheme × link table",
		Long: `Run every scenario of the fidelity suite in the sim backend and print what it measured
against what the scheme's paper, RFC or a closed-form result says, then the scheme × link
table. --update rewrites the generated section of a README (between the fidelity markers);
--check fails when that section is out of date or a scenario fails (CI runs it).

Scenarios that need ../shared/traces (or --traces DIR) are skipped without it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if update != "" && checkFile != "" {
				return usagef("give --update or --check, not both")
			}
			fenv := fidelity.Env{TracesDir: findTraces(traces)}
			if fenv.TracesDir == "" && os.Getenv("CCSCOPE_CI") != "" {
				return fmt.Errorf("CCSCOPE_CI is set but no traces were found (give --traces DIR)")
			}
			w := env.Stdout
			var outcomes []fidelity.Outcome
			failed := 0
			start := time.Now()
			for _, sc := range fidelity.Scenarios(fenv) {
				if only != "" && !strings.Contains(sc.Name, only) {
					continue
				}
				var res fidelity.Result
				if missing := missingScheme(sc.Schemes); missing != "" {
					res = fidelity.Result{Skipped: "scheme " + missing + " is not available"}
				} else {
					var err error
					if res, err = sc.Run(cmd.Context()); err != nil {
						return fmt.Errorf("%s: %w", sc.Name, err)
					}
				}
				if res.Skipped == "" && !res.Pass {
					failed++
				}
				fmt.Fprintf(w, "%-24s %s\n%24s %s\n", sc.Name, sc.Claim, "", res)
				outcomes = append(outcomes, fidelity.Outcome{Scenario: sc, Result: res})
			}
			if only != "" {
				if failed > 0 {
					return fmt.Errorf("%d scenario(s) failed", failed)
				}
				return nil
			}
			var schemes []string
			for _, s := range fidelity.MatrixSchemes() {
				if _, ok := cc.Lookup(s); ok {
					schemes = append(schemes, s)
				}
			}
			cells, err := fidelity.Matrix(cmd.Context(), fenv, schemes)
			if err != nil {
				return err
			}
			section := fidelity.Markdown(outcomes, schemes, cells)
			fmt.Fprintf(w, "\n%s", section)
			fmt.Fprintf(env.Stderr, "ccscope: fidelity suite ran in %v\n", time.Since(start).Round(time.Millisecond))
			switch {
			case update != "":
				if err := fidelity.UpdateFile(update, section); err != nil {
					return err
				}
			case checkFile != "":
				doc, err := os.ReadFile(checkFile)
				if err != nil {
					return err
				}
				have, err := fidelity.Section(doc)
				if err != nil {
					return fmt.Errorf("%s: %w", checkFile, err)
				}
				if have != section {
					return fmt.Errorf("%s: the fidelity section is out of date; run make fidelity and commit the result", checkFile)
				}
			}
			if failed > 0 {
				return fmt.Errorf("%d scenario(s) failed", failed)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&traces, "traces", "", "directory of the shared traces (default ../shared/traces or $CCSCOPE_TRACES)")
	cmd.Flags().StringVar(&update, "update", "", "rewrite FILE's generated fidelity section")
	cmd.Flags().StringVar(&checkFile, "check", "", "fail if FILE's generated fidelity section is out of date")
	cmd.Flags().StringVar(&only, "only", "", "run only the scenarios whose name contains this (no table)")
	return cmd
}

// findTraces locates the shared traces: the flag, $CCSCOPE_TRACES, or
// ../shared/traces from the working directory.
func findTraces(flag string) string {
	for _, d := range []string{flag, os.Getenv("CCSCOPE_TRACES"), filepath.Join("..", "shared", "traces")} {
		if d == "" {
			continue
		}
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			abs, err := filepath.Abs(d)
			if err == nil {
				return abs
			}
			return d
		}
	}
	return ""
}

func missingScheme(schemes []string) string {
	for _, s := range schemes {
		if _, ok := cc.Lookup(s); !ok {
			return s
		}
	}
	return ""
}
