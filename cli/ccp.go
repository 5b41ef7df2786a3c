package cli

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ccscope/ccscope/ccp/agent"
	"github.com/ccscope/ccscope/ccp/ipc"
	"github.com/ccscope/ccscope/ccp/lang"
	"github.com/ccscope/ccscope/ccp/wire"
)

func newCCPCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ccp",
		Short: "CCP: run a built-in algorithm as an agent, compile datapath programs, list algorithms",
		Long: `CCP (the congestion control plane) runs congestion control outside the datapath: an agent
installs small datapath programs, reads their reports and sets the window and rate.

In ccscope, --scheme ccp:ALG drives a flow with a built-in algorithm in process; with
--ccp-agent unix[:NAME] the flow talks to an external agent on /tmp/ccp/NAME instead (a
portus algorithm started with --ipc unix, or ccscope ccp agent). ccscope ccp agent runs a
built-in algorithm as a standalone agent any libccp datapath can use.`,
	}
	cmd.AddCommand(newCCPAgentCmd(env), newCCPCompileCmd(env), newCCPAlgsCmd(env))
	return cmd
}

func newCCPAgentCmd(env *Env) *cobra.Command {
	var alg, name, dir string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "agent --alg ALG [--name portus]",
		Short: "run a built-in CCP algorithm as an agent on a unix socket (like a portus agent with --ipc unix)",
		Long: `Run a built-in algorithm as a CCP agent listening on /tmp/ccp/NAME (default portus, where
libccp datapaths look). A datapath's READY gets the algorithm's programs installed; each
CREATE starts a flow of the algorithm it names (any built-in, with parameters, e.g.
cubic:ss_thresh=60000), or of --alg when it names none or one that is not built in.
It runs until interrupted (Ctrl-C) and logs datapaths and flows on stderr.`,
		Example: `  ccscope ccp agent --alg cubic
  ccscope ccp agent --alg reno --name gca &
  ccscope run --scheme ccp:reno --ccp-agent unix:gca --duration 20s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if alg == "" {
				return usagef("--alg is required (built-in algorithms: %s)", strings.Join(agent.BuiltinNames(), ", "))
			}
			logger := slog.New(slog.NewTextHandler(io.Discard, nil))
			if !quiet {
				logger = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
			}
			def, err := agent.NewWithEnv(alg, agent.Env{Log: logger})
			if err != nil {
				return usagef("--alg: %w", err)
			}
			line := func(s string) {
				if !quiet {
					fmt.Fprintf(env.Stderr, "ccscope ccp agent: %s\n", s)
				}
			}
			host, err := agent.NewHost(agent.HostOptions{
				Default: def,
				Resolve: func(congAlg string) (agent.Alg, error) { return agent.NewWithEnv(congAlg, agent.Env{Log: logger}) },
				Log:     line,
			})
			if err != nil {
				return err
			}
			if err := ipc.CheckName(dir, name); err != nil {
				return usagef("--name: %w", err)
			}
			sock, err := ipc.Listen(dir, name)
			if err != nil {
				return err
			}
			defer sock.Close()
			line(fmt.Sprintf("%s listening on %s (Ctrl-C stops it)", def.Name(), sock.Path()))
			err = host.Serve(cmd.Context(), sock)
			st := host.Stats()
			line(fmt.Sprintf("stopped: %d datapaths, %d flows, %d reports, %d messages sent, %d errors", st.Datapaths, st.Flows, st.Reports, st.Sent, st.Errors))
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&alg, "alg", "", "the algorithm (see ccscope ccp algs), with parameters as in cubic:ss_thresh=60000")
	fs.StringVar(&name, "name", ipc.DefaultAgent, "the socket's name in the directory")
	fs.StringVar(&dir, "dir", ipc.DefaultDir, "the socket directory")
	fs.BoolVarP(&quiet, "quiet", "q", false, "log nothing")
	return cmd
}

func newCCPCompileCmd(env *Env) *cobra.Command {
	var hexOut bool
	cmd := &cobra.Command{
		Use:   "compile FILE",
		Short: "compile a CCP datapath program and print its instructions, or its errors",
		Long: `Compile a datapath program (the language of portus; ../shared/docs/ccp-protocol.md §4)
as portus does and print the instructions, the expression table and the registers, or
every error with its line and column. --hex prints the INSTALL message (uid 1) instead.
FILE - reads standard input.`,
		Example: `  ccscope ccp compile prog.ccp
  echo '(def (Report (volatile acked 0))) (when true (:= Report.acked Ack.bytes_acked) (report))' | ccscope ccp compile -`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var src []byte
			var err error
			if args[0] == "-" {
				src, err = io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
			} else {
				src, err = os.ReadFile(args[0])
			}
			if err != nil {
				return fmt.Errorf("read %s: %w", args[0], unwrapPathErr(err))
			}
			p, err := lang.Compile(string(src))
			if err != nil {
				var le *lang.Error
				if errors.As(err, &le) {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				return fmt.Errorf("%s: %w", args[0], err)
			}
			install := p.Install(1)
			if hexOut {
				b, err := wire.Encode(install)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "%x\n", b)
				return nil
			}
			fmt.Fprint(env.Stdout, lang.Disassemble(install))
			if names := p.ReportNames(); len(names) > 0 {
				fmt.Fprintf(env.Stdout, "reports: %s\n", strings.Join(names, ", "))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&hexOut, "hex", false, "print the INSTALL message's bytes in hex")
	return cmd
}

func newCCPAlgsCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "algs",
		Short: "list the built-in CCP algorithms and their parameters",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := env.Stdout
			for i, a := range agent.Builtins() {
				if i > 0 {
					fmt.Fprintln(w)
				}
				fmt.Fprintf(w, "%s — %s (%s)\n", a.Name, a.Doc, a.Ref)
				for _, p := range a.Params {
					unit := ""
					if p.Unit != "" {
						unit = " " + p.Unit
					}
					fmt.Fprintf(w, "  %-18s %s (%s; default %s%s, %s..%s)\n", p.Name, p.Doc, p.Kind, num(p.Default), unit, num(p.Min), num(p.Max))
				}
			}
			fmt.Fprintln(w, "\nUse them as --scheme ccp:ALG[:param=value,...], or with ccscope ccp agent --alg ALG.")
			return nil
		},
	}
}
