package cli

import (
	"fmt"
	"strconv"

	"github.com/ccscope/ccscope/live/cc"
	"github.com/spf13/cobra"
)

func newSchemesCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "schemes [NAME...]",
		Short: "list the congestion-control schemes and their parameters",
		Long: `List the native schemes, what each is, and its parameters with their defaults, ranges
and units. Give parameters as --scheme NAME:param=value,param=value or in an experiment's
[flow.params] table.`,
		Example: `  ccscope schemes
  ccscope schemes cubic
  ccscope run --scheme cubic:beta=0.8,hystart=0`,
		RunE: func(cmd *cobra.Command, args []string) error {
			names := args
			if len(names) == 0 {
				names = cc.Names()
			}
			w := env.Stdout
			for i, n := range names {
				s, ok := cc.Lookup(n)
				if !ok {
					return usagef("unknown scheme %q (known: %v)", n, cc.Names())
				}
				if i > 0 {
					fmt.Fprintln(w)
				}
				fmt.Fprintf(w, "%s — %s\n", s.Name, s.Doc)
				for _, p := range s.Params {
					unit := ""
					if p.Unit != "" {
						unit = " " + p.Unit
					}
					rng := fmt.Sprintf("%s..%s%s", num(p.Min), num(p.Max), unit)
					if p.Kind == cc.KindBool {
						rng = "on/off"
					}
					def := num(p.Default) + unit
					if p.Kind == cc.KindBool {
						def = map[bool]string{true: "on", false: "off"}[p.Default != 0]
					}
					fmt.Fprintf(w, "  %-20s %s (default %s; %s)\n", p.Name, p.Doc, def, rng)
				}
			}
			if len(args) == 0 {
				fmt.Fprintln(w, "\nccp:ALG — a CCP agent drives the flow: a built-in algorithm in process, or an external agent with --ccp-agent unix[:NAME] (ccscope ccp algs lists the built-in ones)")
			}
			return nil
		},
	}
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
