// Package cli holds ccscope's command line: the cobra commands, their flags
// and help, and the translation from flags to the library packages (emu,
// capture, ...). Commands do no emulation or analysis themselves.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/ccscope/ccscope/live"
)

// Env is what commands read and write: no globals, so tests run commands
// in-process with their own buffers.
type Env struct {
	Stdout, Stderr io.Writer
	// Args is the full command line (for log headers), argv[0] first.
	Args []string
}

// Version is ccscope's version: the module version when built from a
// tagged module, else "dev" with the VCS revision when known.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return "dev"
}

// NewRoot builds the ccscope command tree.
func NewRoot(env *Env) *cobra.Command {
	var wf *wbFlags
	root := &cobra.Command{
		Use:   "ccscope",
		Short: "an oscilloscope for congestion control",
		Long: `ccscope emulates a network link (mahimahi-compatible traces, delay, loss, queues),
runs flows across it and shows what congestion control does.

Run with no arguments to open the workbench on the default experiment; ccscope open
takes an experiment file or flags, ccscope run runs one headless.`,
		Version:       Version(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runWorkbench(cmd.Context(), env, live.DefaultExperiment(), wf)
		},
	}
	wf = addWorkbenchFlags(root)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.AddCommand(newOpenCmd(env), newRunCmd(env), newSchemesCmd(env), newFidelityCmd(env), newTraceCmd(env), newLinkCmd(env), newAnalyzeCmd(env), newDemoCmd(env),
		newRerunCmd(env), newExportCmd(env), newRecoverCmd(env), newCCPCmd(env))
	return root
}

// Run executes the command line args (without argv[0]) and returns the
// process exit status: 0, 1 for an error, 2 for bad usage.
func Run(ctx context.Context, env *Env, args []string) int {
	root := NewRoot(env)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(env.Stderr, "ccscope: interrupted")
			return 130
		}
		fmt.Fprintf(env.Stderr, "ccscope: %v\n", err)
		var u usageError
		if errors.As(err, &u) {
			return 2
		}
		return 1
	}
	return 0
}

// usageError marks errors in how a command was called.
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }
