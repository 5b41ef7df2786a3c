package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/ccscope/ccscope/capture"
	"github.com/spf13/cobra"
)

func newAnalyzeCmd(env *Env) *cobra.Command {
	var (
		msPerBin          int
		pantheon, bins    bool
		svgTput, svgDelay string
	)
	cmd := &cobra.Command{
		Use:   "analyze [--ms-per-bin N] LOG",
		Short: "print mm-throughput-graph's summary (and Pantheon's metrics) for a mahimahi log",
		Long: `Read a mahimahi mm-link log (or a Pantheon datalink log) and print the numbers
mm-throughput-graph prints, with its definitions: average capacity, throughput and
utilization, the 95th-percentile per-packet queueing delay and the 95th-percentile
signal delay. Unlike mm-throughput-graph it accepts "d" (drop) lines.

--pantheon adds Pantheon's tunnel_graph.py metrics (throughput over the departure span,
p95 one-way delay with numpy's 'nearest', byte-weighted loss, per flow and in total).
--svg-throughput and --svg-delay draw mm-throughput-graph's and mm-delay-graph's graphs.
Use "-" as LOG to read standard input.`,
		Example: `  ccscope analyze up.log
  ccscope analyze --pantheon --svg-throughput tput.svg --svg-delay delay.svg up.log`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if msPerBin <= 0 {
				return usagef("--ms-per-bin must be a positive number of milliseconds")
			}
			path := args[0]
			var r io.Reader = os.Stdin
			if path != "-" {
				f, err := os.Open(path)
				if err != nil {
					return fmt.Errorf("log %s: %w", path, unwrapPathErr(err))
				}
				defer f.Close()
				r = f
			} else {
				path = "stdin"
			}
			a, err := capture.Analyze(bufio.NewReaderSize(r, 1<<20), path, capture.AnalyzeOptions{
				MsPerBin: msPerBin, KeepPoints: svgDelay != "",
			})
			if err != nil {
				return err
			}
			fmt.Fprint(env.Stdout, a.MahimahiSummary())
			if pantheon {
				fmt.Fprint(env.Stdout, a.PantheonSummary())
			}
			if bins {
				if err := writeBins(env.Stdout, a); err != nil {
					return err
				}
			}
			if svgTput != "" {
				if err := writeFileOrStdout(env, svgTput, func(w *bufio.Writer) error { return a.WriteThroughputSVG(w) }); err != nil {
					return err
				}
			}
			if svgDelay != "" {
				if err := writeFileOrStdout(env, svgDelay, func(w *bufio.Writer) error { return a.WriteDelaySVG(w) }); err != nil {
					return err
				}
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&msPerBin, "ms-per-bin", 500, "bin width in ms (mm-throughput-graph's MS_PER_BIN)")
	fs.BoolVar(&pantheon, "pantheon", false, "also print Pantheon's metrics")
	fs.BoolVar(&bins, "bins", false, "print the per-bin table: time (s), capacity, ingress, egress (Mbit/s)")
	fs.StringVar(&svgTput, "svg-throughput", "", "draw the throughput graph (capacity, ingress, egress) to FILE.svg")
	fs.StringVar(&svgDelay, "svg-delay", "", "draw the delay graph (signal and per-packet delay) to FILE.svg")
	return cmd
}

// writeBins prints mm-throughput-graph's data rows: the bin start in
// seconds and capacity, ingress and egress in Mbit/s.
func writeBins(w io.Writer, a *capture.Analysis) error {
	if a.BinsErr != nil {
		return a.BinsErr
	}
	b := a.Bins
	secs := float64(b.MsPerBin) / 1000
	if _, err := fmt.Fprintf(w, "%-10s %10s %10s %10s\n", "# t (s)", "capacity", "ingress", "egress"); err != nil {
		return err
	}
	for i := range b.Capacity {
		t := float64(b.First+int64(i)) * secs
		if _, err := fmt.Fprintf(w, "%-10.3f %10.3f %10.3f %10.3f\n", t,
			float64(b.Capacity[i])/secs/1e6, float64(b.Arrivals[i])/secs/1e6, float64(b.Departures[i])/secs/1e6); err != nil {
			return err
		}
	}
	return nil
}
